//! biernic RTL data plane in RustHDL: ingress arbiter, BIER parser, BIFT lookup, replication,
//! egress FIFOs, counters and the AXI4-Lite register file. [`dataplane_verilog`] generates the
//! complete Verilog of the top module `biernic_dataplane` for a [`DataplaneParams`] build.

#![warn(missing_docs)]

pub mod regmap;

/// Build parameters of the data plane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataplaneParams {
    /// AXI4-Stream data width in bytes (tdata is `8 * data_bytes` bits).
    pub data_bytes: usize,
    /// Largest BitString length in bits (64..=4096, a power of two).
    pub max_bsl: usize,
    /// Number of egress targets.
    pub targets: usize,
    /// Number of network ingresses (the host ingress comes in addition).
    pub net_ingress: usize,
    /// Set slots per BIFT bank.
    pub sets: usize,
    /// ECMP buckets per set (a power of two).
    pub buckets: usize,
    /// Host transmit queues that share the host ingress (`s_axis_host_tuser` = queue id); each
    /// has its own isolation masks.
    pub host_queues: usize,
}

impl DataplaneParams {
    /// 64-byte (512-bit) data, max BSL 1024, 10 targets, 4 network ingresses + host,
    /// 16 sets x 4 buckets.
    pub fn wide() -> Self {
        DataplaneParams {
            data_bytes: 64,
            max_bsl: 1024,
            targets: 10,
            net_ingress: 4,
            sets: 16,
            buckets: 4,
            host_queues: 8,
        }
    }
    /// As [`DataplaneParams::wide`] with max BSL 2048 (larger build).
    pub fn wide_bsl2048() -> Self {
        DataplaneParams {
            max_bsl: 2048,
            ..Self::wide()
        }
    }
    /// As [`DataplaneParams::wide`] with max BSL 4096 (largest build).
    pub fn wide_bsl4096() -> Self {
        DataplaneParams {
            max_bsl: 4096,
            ..Self::wide()
        }
    }
    /// 8-byte (64-bit) data, max BSL 256, 4 targets, 2 network ingresses + host, 4 sets x 2 buckets.
    pub fn narrow() -> Self {
        DataplaneParams {
            data_bytes: 8,
            max_bsl: 256,
            targets: 4,
            net_ingress: 2,
            sets: 4,
            buckets: 2,
            host_queues: 2,
        }
    }
}

/// Build parameters of the NIC core `biernic_nic`: the data plane plus the DMA engine.
///
/// Hardware target `t < ports` is network port `t` (`m_axis_tx{t}`); target `ports + q` is
/// receive queue `q`. The data plane's network ingresses are the ports (`net_ingress ==
/// ports`); its host ingress is fed by the transmit queues (`host_queues == txq`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NicParams {
    /// The data plane inside the NIC.
    pub dp: DataplaneParams,
    /// Network ports (each one ingress and one egress stream).
    pub ports: usize,
    /// Largest ring size as log2 of the entry count.
    pub max_ring_log2: u32,
}

impl NicParams {
    /// 512-bit NIC: 2 x 100G ports, 8 transmit and 8 receive queues (one per local GPU),
    /// max BSL 1024, 16 sets x 4 buckets.
    pub fn wide() -> Self {
        NicParams {
            dp: DataplaneParams {
                targets: 10,
                net_ingress: 2,
                ..DataplaneParams::wide()
            },
            ports: 2,
            max_ring_log2: 12,
        }
    }
    /// 64-bit NIC: 2 ports, 2 transmit and 2 receive queues, max BSL 256 (the narrow data plane).
    pub fn narrow() -> Self {
        NicParams {
            dp: DataplaneParams::narrow(),
            ports: 2,
            max_ring_log2: 12,
        }
    }
    /// Transmit queues.
    pub fn txq(&self) -> usize {
        self.dp.host_queues
    }
    /// Receive queues (the data plane's local targets).
    pub fn rxq(&self) -> usize {
        self.dp.targets - self.ports
    }
}

/// Complete Verilog of the data plane for a build; the top module is `biernic_dataplane`.
///
/// Supported width combinations: (`data_bytes`, `max_bsl`) = (64, 1024), (64, 2048) or
/// (64, 4096) with `sets * buckets` = 64 and `host_queues * sets` = 128, and (8, 256) with
/// `sets * buckets` = 8 and `host_queues * sets` = 8 (the
/// [`DataplaneParams::wide`], [`DataplaneParams::wide_bsl2048`],
/// [`DataplaneParams::wide_bsl4096`] and [`DataplaneParams::narrow`] builds); targets (<= 16)
/// and network ingresses (<= 15) are free. Panics on other combinations (widths are Rust const generics in RustHDL).
pub fn dataplane_verilog(p: &DataplaneParams) -> String {
    top::verilog(p)
}

/// Complete Verilog of the NIC core for a build; the top module is `biernic_nic` (ports in
/// [`nic::ports`]).
pub fn nic_verilog(p: &NicParams) -> String {
    nic::verilog(p)
}

pub mod nic;
pub mod rtl;
mod top;
