//! The DMA block of `biernic_nic` (part of the one register map, see [`super`]): transmit and
//! receive queues with descriptor and completion rings in host memory.
//!
//! The block lives at [`DMA_BASE`] in the same 64 KiB AXI4-Lite window as the data plane's
//! blocks; the NIC's register interconnect makes the counter block's `NEXT` point to it.
//!
//! # Rings (host memory, little-endian)
//! * A ring has `2^size_log2` entries (`2 <= size_log2 <= max_ring_log2`). Descriptor rings and
//!   completion rings of a queue have the same size; the ring bases must be multiples of 64
//!   bytes ([`RING_ALIGN`]).
//! * **Descriptor** ([`DESC_BYTES`] = 16 bytes): `addr: u64` (buffer I/O address, a multiple of
//!   the data path width in bytes, [`super::ID_DATA_BYTES`]), `len: u32` (transmit: frame
//!   length; receive: buffer capacity), `flags: u32` (reserved, written as 0, ignored).
//! * **Completion** ([`CPL_BYTES`] = 16 bytes), one per descriptor, in ring order: see the
//!   `CPL_*` offsets. Byte [`CPL_FLAGS`] bit 7 is the phase: 1 on the first pass through the
//!   ring, 0 on the second, and so on (`phase = ((count >> size_log2) & 1) == 0` for the
//!   free-running completion count). The driver zeroes the completion ring before enabling the
//!   queue and never reads a NIC register to find new completions. The NIC writes a record in
//!   one beat where the data path is at least 16 bytes wide; on a narrower one it writes bytes
//!   8..16 first and, after that write's response, bytes 0..8 with the phase bit, so that a
//!   record whose phase bit is visible is complete.
//! * **Doorbell**: the driver writes the free-running 16-bit producer index to `Q_PROD` after
//!   writing descriptors; the NIC fetches descriptors in bursts (up to a 64-byte beat's worth,
//!   not across the ring's end). `Q_CONS` reads the free-running count of completions written.
//!   A producer index more than the ring size ahead of the descriptors the NIC has fetched (or
//!   behind them) is refused (SLVERR, ignored). `Q_CONS` advances when a completion write is
//!   acknowledged, so it can lag what the driver already sees in the completion ring: the
//!   driver's own consumer index, not `Q_CONS`, bounds how far it may post.
//!
//! # Queue errors
//! A descriptor with a zero or over-9018-byte length (transmit), a buffer address that is not a
//! multiple of the data width, a receive buffer smaller than the frame, or an AXI error
//! response completes with a non-zero `CPL_STATUS`, counts in `Q_ERRORS`, and the queue keeps
//! running (a receive frame that did not fit is dropped: it is accounted by that completion).

/// Base of the DMA block.
pub const DMA_BASE: u16 = 0x4000;
/// Type id of the DMA block.
pub const DMA_TYPE_VALUE: u32 = 0x4249_0004;
/// Version of the DMA block.
pub const DMA_VERSION_VALUE: u32 = 0x0001_0000;
/// Number of transmit queues (RO).
pub const DMA_TXQ: u16 = DMA_BASE + 0x0C;
/// Number of receive queues (RO).
pub const DMA_RXQ: u16 = DMA_BASE + 0x10;
/// Number of network ports (RO); receive queue `q` is data-plane target `ports + q`.
pub const DMA_PORTS: u16 = DMA_BASE + 0x14;
/// Largest `size_log2` of a ring (RO).
pub const DMA_MAX_RING_LOG2: u16 = DMA_BASE + 0x18;
/// Status (RO): bit 0 = busy (an AXI transaction or a frame transfer is in flight).
pub const DMA_STATUS: u16 = DMA_BASE + 0x1C;

/// Base of transmit queue 0's registers.
pub const TXQ_BASE: u16 = DMA_BASE + 0x100;
/// Base of receive queue 0's registers.
pub const RXQ_BASE: u16 = DMA_BASE + 0x400;
/// Address stride between queues.
pub const Q_STRIDE: u16 = 0x40;
/// Descriptor ring base, bits 31:0 (RW; a multiple of [`RING_ALIGN`]).
pub const Q_RING_LO: u16 = 0x00;
/// Descriptor ring base, bits 63:32 (RW).
pub const Q_RING_HI: u16 = 0x04;
/// Completion ring base, bits 31:0 (RW; a multiple of [`RING_ALIGN`]).
pub const Q_CPL_LO: u16 = 0x08;
/// Completion ring base, bits 63:32 (RW).
pub const Q_CPL_HI: u16 = 0x0C;
/// Queue control (RW): bits 3:0 = size_log2, bit 31 = enable. Enabling sets the producer and
/// consumer indices to 0. Writing the ring bases or the size while enabled: SLVERR, ignored.
/// Disabling stops descriptor fetches; descriptors already fetched complete (wait for
/// [`DMA_STATUS`] bit 0 = 0). A disabled receive queue drops (and counts in `Q_DROPS`) the
/// frames of its target instead of holding the data plane.
pub const Q_CTRL: u16 = 0x10;
/// Bit of [`Q_CTRL`]: enable.
pub const Q_CTRL_ENABLE: u32 = 1 << 31;
/// Producer index doorbell (RW, bits 15:0, free-running).
pub const Q_PROD: u16 = 0x14;
/// Completions written (RO, bits 15:0, free-running).
pub const Q_CONS: u16 = 0x18;
/// Completions with a non-zero status since reset (RO, 32 bits, wraps).
pub const Q_ERRORS: u16 = 0x1C;
/// Receive queues: frames dropped because the queue was disabled (RO, 32 bits). Transmit: 0.
pub const Q_DROPS: u16 = 0x20;

/// Ring base alignment in bytes.
pub const RING_ALIGN: u64 = 64;
/// Bytes per descriptor.
pub const DESC_BYTES: usize = 16;
/// Bytes per completion record.
pub const CPL_BYTES: usize = 16;
/// Descriptor: buffer I/O address (u64).
pub const DESC_ADDR: usize = 0;
/// Descriptor: length (u32).
pub const DESC_LEN: usize = 8;
/// Descriptor: flags (u32, reserved).
pub const DESC_FLAGS: usize = 12;
/// Completion: frame length in bytes (u16).
pub const CPL_LEN: usize = 0;
/// Completion: status (u8, `CPL_STATUS_*`).
pub const CPL_STATUS: usize = 2;
/// Completion: flags (u8): bit 7 phase, bit 0 BIER metadata valid, bit 1 802.1Q tagged.
pub const CPL_FLAGS: usize = 3;
/// Completion: ring index of the descriptor (u16, free-running).
pub const CPL_INDEX: usize = 4;
/// Completion (receive, BIER): BFIR-id (u16).
pub const CPL_BFIR: usize = 6;
/// Completion (receive, BIER): u32 with entropy (bits 19:0), proto (bits 25:20), BSL code
/// (bits 29:26).
pub const CPL_ENTROPY: usize = 8;
/// Completion (receive, BIER): BIFT-id (u32, bits 19:0), which names the set (SD, SI, BSL).
/// The copy's BitString (only the local BFR-ids this queue is for) is in the frame at byte
/// `14 + 4*tagged + 12`.
pub const CPL_BIFT: usize = 12;
/// Completion flag: phase.
pub const CPL_F_PHASE: u8 = 0x80;
/// Completion flag: BIER metadata valid.
pub const CPL_F_BIER: u8 = 0x01;
/// Completion flag: 802.1Q tagged.
pub const CPL_F_VLAN: u8 = 0x02;
/// Completion status: success.
pub const CPL_STATUS_OK: u8 = 0;
/// Completion status: transmit length zero or over 9018 bytes.
pub const CPL_STATUS_BAD_LENGTH: u8 = 1;
/// Completion status: buffer address not a multiple of the data width.
pub const CPL_STATUS_BAD_ADDRESS: u8 = 2;
/// Completion status: receive buffer smaller than the frame (frame dropped).
pub const CPL_STATUS_TOO_SMALL: u8 = 3;
/// Completion status: the memory answered an AXI read or write with an error.
pub const CPL_STATUS_DMA_ERROR: u8 = 4;

/// Byte address of register `reg` of transmit queue `q`.
pub fn txq_reg(q: usize, reg: u16) -> u16 {
    TXQ_BASE + Q_STRIDE * q as u16 + reg
}

/// Byte address of register `reg` of receive queue `q`.
pub fn rxq_reg(q: usize, reg: u16) -> u16 {
    RXQ_BASE + Q_STRIDE * q as u16 + reg
}

/// Phase bit a completion must carry to be new, for free-running count `count`.
pub fn expected_phase(count: u16, size_log2: u32) -> bool {
    (u32::from(count) >> size_log2) & 1 == 0
}

/// Every register of the DMA block of a NIC build, in address order.
pub fn registers(p: &crate::NicParams) -> Vec<super::RegInfo> {
    let mut v = Vec::new();
    let mut r = |addr: u16, name: String, access: &'static str, desc: String| {
        v.push(super::RegInfo {
            addr,
            name,
            access,
            desc,
        })
    };
    r(
        DMA_BASE,
        "DMA_TYPE".into(),
        "RO",
        format!("block type id 0x{DMA_TYPE_VALUE:08X}"),
    );
    r(
        DMA_BASE + 4,
        "DMA_VERSION".into(),
        "RO",
        format!("block version 0x{DMA_VERSION_VALUE:08X}"),
    );
    r(
        DMA_BASE + 8,
        "DMA_NEXT".into(),
        "RO",
        "next block at 0x0000 (last)".into(),
    );
    r(
        DMA_TXQ,
        "DMA_TXQ".into(),
        "RO",
        format!("transmit queues (= {} in this build)", p.txq()),
    );
    r(
        DMA_RXQ,
        "DMA_RXQ".into(),
        "RO",
        format!("receive queues (= {} in this build)", p.rxq()),
    );
    r(
        DMA_PORTS,
        "DMA_PORTS".into(),
        "RO",
        format!(
            "network ports (= {}); receive queue q is target ports+q",
            p.ports
        ),
    );
    r(
        DMA_MAX_RING_LOG2,
        "DMA_MAX_RING_LOG2".into(),
        "RO",
        format!("largest ring size_log2 (= {})", p.max_ring_log2),
    );
    r(
        DMA_STATUS,
        "DMA_STATUS".into(),
        "RO",
        "bit0: busy (a DMA job or fetched transmit descriptors pending)".into(),
    );
    let queue =
        |r: &mut dyn FnMut(u16, String, &'static str, String), kind: &str, q: usize, base: u16| {
            r(
                base + Q_RING_LO,
                format!("{kind}[{q}].RING_LO"),
                "RW",
                "descriptor ring base bits 31:0 (64-byte aligned; SLVERR while enabled)".into(),
            );
            r(
                base + Q_RING_HI,
                format!("{kind}[{q}].RING_HI"),
                "RW",
                "descriptor ring base bits 63:32".into(),
            );
            r(
                base + Q_CPL_LO,
                format!("{kind}[{q}].CPL_LO"),
                "RW",
                "completion ring base bits 31:0 (64-byte aligned)".into(),
            );
            r(
                base + Q_CPL_HI,
                format!("{kind}[{q}].CPL_HI"),
                "RW",
                "completion ring base bits 63:32".into(),
            );
            r(
                base + Q_CTRL,
                format!("{kind}[{q}].CTRL"),
                "RW",
                "bit31 enable (resets PROD/CONS), bits3:0 size_log2 (2..=max)".into(),
            );
            r(
                base + Q_PROD,
                format!("{kind}[{q}].PROD"),
                "RW",
                "doorbell: producer index, bits15:0 free-running".into(),
            );
            r(
                base + Q_CONS,
                format!("{kind}[{q}].CONS"),
                "RO",
                "completions written, bits15:0 free-running".into(),
            );
            r(
                base + Q_ERRORS,
                format!("{kind}[{q}].ERRORS"),
                "RO",
                "completions with non-zero status".into(),
            );
            if kind == "RXQ" {
                r(
                    base + Q_DROPS,
                    format!("{kind}[{q}].DROPS"),
                    "RO",
                    "frames dropped while the queue was disabled".into(),
                );
            }
        };
    for q in 0..p.txq() {
        queue(&mut r, "TXQ", q, txq_reg(q, 0));
    }
    for q in 0..p.rxq() {
        queue(&mut r, "RXQ", q, rxq_reg(q, 0));
    }
    v
}

/// Markdown documentation of the DMA block and the ring formats of a NIC build.
pub fn markdown(p: &crate::NicParams) -> String {
    let mut s = format!(
        "## DMA block ({} transmit queues, {} receive queues, {} ports, rings up to 2^{} entries)\n\n",
        p.txq(),
        p.rxq(),
        p.ports,
        p.max_ring_log2
    );
    s.push_str(
        "Descriptor (16 bytes, little-endian): `addr: u64` (I/O address, a multiple of the data width), \
`len: u32` (transmit: frame length 1..=9018; receive: buffer capacity), `flags: u32` (reserved, 0).\n\n\
Completion (16 bytes): bytes 0-1 `len`, byte 2 `status` (0 ok, 1 bad length, 2 bad address, 3 buffer too small, \
4 DMA error), byte 3 `flags` (bit7 phase: 1 on the first pass of the ring, then alternating; bit0 BIER metadata \
valid; bit1 802.1Q), bytes 4-5 descriptor index, bytes 6-7 BFIR-id, bytes 8-11 entropy (19:0) | proto (25:20) | \
BSL code (29:26), bytes 12-15 BIFT-id (19:0). The copy's BitString (its local BFR-ids) is in the frame at byte \
`14 + 4*vlan + 12`. A record with its phase bit visible is complete (on an 8-byte data path the NIC writes bytes \
8-15 first, then bytes 0-7).\n\n\
Protocol: zero the completion ring, program RING/CPL, enable with CTRL (size_log2 >= 2), write descriptors, then \
one PROD doorbell per batch (at most the ring size ahead of the driver's own consumer index; the NIC refuses a \
producer index more than the ring size ahead of the descriptors it fetched); poll completions by phase bit. Disable with CTRL = 0 and wait for DMA_STATUS bit0 = 0 \
before freeing memory.\n\n",
    );
    s.push_str("| address | name | access | description |\n|---|---|---|---|\n");
    for r in registers(p) {
        s.push_str(&format!(
            "| 0x{:04X} | {} | {} | {} |\n",
            r.addr, r.name, r.access, r.desc
        ));
    }
    s
}

/// The whole register map of a NIC build (data-plane blocks, then the DMA block).
pub fn nic_markdown(p: &crate::NicParams) -> String {
    let dp = super::markdown(&p.dp).replacen(
        "# biernic_dataplane register map",
        "# biernic_nic register map: data plane",
        1,
    );
    format!("{dp}\nThe counter block's NEXT reads 0x{DMA_BASE:04X} in the NIC (its register interconnect links the DMA block).\n\n{}", markdown(p))
}
