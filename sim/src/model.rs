//! [`Model`]: one Verilated `biernic_dataplane`, clocked cycle by cycle.

use crate::axil::{self, AxilError};
use crate::ffi::{self, RawModel, ShimError};
use crate::ports::{self, PortDir, PortInfo};
use std::path::Path;
use thiserror::Error;

/// Which build of the data plane to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Build {
    /// `DataplaneParams::wide()`: 64-byte data path, BSL 1024, 10 targets, 4 network ingresses.
    Wide,
    /// `DataplaneParams::narrow()`: 8-byte data path, BSL 256, 4 targets, 2 network ingresses.
    Narrow,
    /// A small hand-written module with the same port naming (`tests/fixtures/loopback.v`), used
    /// to test the harness itself: network ingress `i` passes through to target `i`, the host
    /// ingress to target 3 (byte 0 XOR tuser); registers at 0x0 (0x42494552), 0x4 (scratch),
    /// 0x8 (accepted beats), 0xFF0 (SLVERR), 0xFF4 (a write executes `$stop`) and none at
    /// >= 0x8000 (never answers).
    Loopback,
    /// `NicParams::wide()`: the NIC core `biernic_nic` (data plane + DMA engine), 64-byte data,
    /// 2 ports, 8 transmit and 8 receive queues.
    NicWide,
    /// `NicParams::narrow()`: the NIC core with the narrow data plane, 2 ports, 2 + 2 queues.
    NicNarrow,
}

impl Build {
    /// The data-plane builds and the loopback fixture (top `biernic_dataplane`).
    pub const ALL: [Build; 3] = [Build::Wide, Build::Narrow, Build::Loopback];
    /// The NIC builds (top `biernic_nic`).
    pub const NIC: [Build; 2] = [Build::NicWide, Build::NicNarrow];

    /// The ports of this build's top module, in Verilog order.
    pub fn ports(self) -> &'static [PortInfo] {
        match self {
            Build::Wide => ports::WIDE_PORTS,
            Build::Narrow => ports::NARROW_PORTS,
            Build::Loopback => ports::LOOPBACK_PORTS,
            Build::NicWide => ports::NIC_WIDE_PORTS,
            Build::NicNarrow => ports::NIC_NARROW_PORTS,
        }
    }

    /// The RTL parameters of the build (`None` for the loopback fixture).
    pub fn params(self) -> Option<biernic_hw::DataplaneParams> {
        match self {
            Build::Wide => Some(biernic_hw::DataplaneParams::wide()),
            Build::Narrow => Some(biernic_hw::DataplaneParams::narrow()),
            Build::Loopback => None,
            Build::NicWide => Some(biernic_hw::NicParams::wide().dp),
            Build::NicNarrow => Some(biernic_hw::NicParams::narrow().dp),
        }
    }

    /// The NIC parameters of a NIC build.
    pub fn nic_params(self) -> Option<biernic_hw::NicParams> {
        match self {
            Build::NicWide => Some(biernic_hw::NicParams::wide()),
            Build::NicNarrow => Some(biernic_hw::NicParams::narrow()),
            _ => None,
        }
    }

    fn vtable(self) -> &'static ffi::VTable {
        match self {
            Build::Wide => &ffi::WIDE,
            Build::Narrow => &ffi::NARROW,
            Build::Loopback => &ffi::LOOPBACK,
            Build::NicWide => &ffi::NIC_WIDE,
            Build::NicNarrow => &ffi::NIC_NARROW,
        }
    }
}

/// Errors of the simulator.
#[derive(Debug, Error)]
pub enum SimError {
    /// The C++ model could not be created.
    #[error("could not create the Verilated {0:?} model")]
    Create(Build),
    /// The generated shim and the Rust port table disagree (a stale build).
    #[error("the {build:?} shim has {shim} ports, the Rust table {table}")]
    PortTableMismatch {
        /// The build.
        build: Build,
        /// Ports known by the C++ shim.
        shim: u32,
        /// Ports in the Rust table.
        table: usize,
    },
    /// No port of that name.
    #[error("no port named `{0}`")]
    UnknownPort(String),
    /// The port is an output and cannot be driven.
    #[error("port `{0}` is an output and cannot be driven")]
    NotAnInput(&'static str),
    /// A value does not fit the port.
    #[error("port `{port}` is {width} bits wide: {detail}")]
    BadValue {
        /// Port name.
        port: &'static str,
        /// Port width.
        width: u32,
        /// What is wrong.
        detail: String,
    },
    /// The model raised a fatal error (`$stop`, assertion, internal error).
    #[error("the model raised a fatal error: {0}")]
    Fatal(String),
    /// An expected port is missing from the build (harness and RTL disagree).
    #[error("interface mismatch: {0}")]
    Interface(String),
    /// The waveform could not be opened.
    #[error("cannot open the waveform: {0}")]
    Trace(String),
    /// An AXI4-Lite access failed.
    #[error(transparent)]
    Axil(#[from] AxilError),
    /// Waiting for a condition ran out of cycles.
    #[error("timeout after {cycles} cycles: {what}")]
    Timeout {
        /// Cycles waited.
        cycles: u64,
        /// What was still pending.
        what: String,
    },
    /// The device broke the AXI4-Stream protocol on an egress.
    #[error("AXI4-Stream protocol violation: {0}")]
    Protocol(String),
    /// The device rejected a command (e.g. a BIFT row command out of range).
    #[error("the device rejected {0}")]
    Rejected(String),
    /// A bad argument (empty frame, ingress or target out of range, probability not in 0..=1).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

/// A port resolved once by name (cheap to copy; valid for models of the build it came from).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PortId {
    idx: u32,
    info: &'static PortInfo,
}

impl PortId {
    /// Static description of the port.
    pub fn info(&self) -> &'static PortInfo {
        self.info
    }
}

/// One Verilated `biernic_dataplane`.
///
/// The clock is driven by [`Model::step`]; every other input keeps the value last set. Not
/// `Send`: use a model on the thread that created it.
pub struct Model {
    raw: RawModel,
    build: Build,
    ports: &'static [PortInfo],
    clk: PortId,
    rst: PortId,
    cycle: u64,
    tracing: bool,
    fatal: Option<String>,
    pub(crate) axil_timeout: u64,
    axil_jitter: f64,
    axil_ops: u64,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("build", &self.build)
            .field("cycle", &self.cycle)
            .finish_non_exhaustive()
    }
}

/// Default number of cycles an AXI4-Lite access may take before [`AxilError::Timeout`].
pub const DEFAULT_AXIL_TIMEOUT: u64 = 1000;

impl Model {
    /// Creates a model with every input and register at 0 (not reset: call [`Model::reset`]).
    pub fn new(build: Build) -> Result<Self, SimError> {
        Self::create(build, None)
    }

    /// Creates a model whose registers and memories start with random values drawn from `seed`
    /// (Verilator `--x-initial unique` with random reset), to check that [`Model::reset`] brings
    /// the design to a defined state. Inputs start at 0.
    pub fn with_random_init(build: Build, seed: u64) -> Result<Self, SimError> {
        Self::create(build, Some(seed))
    }

    fn create(build: Build, random_init: Option<u64>) -> Result<Self, SimError> {
        let raw = RawModel::new(build.vtable(), random_init).ok_or(SimError::Create(build))?;
        let ports = build.ports();
        if raw.port_count() as usize != ports.len() {
            return Err(SimError::PortTableMismatch {
                build,
                shim: raw.port_count(),
                table: ports.len(),
            });
        }
        let find = |name: &str| {
            ports
                .iter()
                .position(|p| p.name == name)
                .map(|i| PortId {
                    idx: i as u32,
                    info: &ports[i],
                })
                .ok_or_else(|| {
                    SimError::Interface(format!("the {build:?} build has no `{name}` port"))
                })
        };
        let clk = find("clk")?;
        let rst = find("rst")?;
        let mut m = Model {
            raw,
            build,
            ports,
            clk,
            rst,
            cycle: 0,
            tracing: false,
            fatal: None,
            axil_timeout: DEFAULT_AXIL_TIMEOUT,
            axil_jitter: 0.0,
            axil_ops: 0,
        };
        if random_init.is_some() {
            // Verilator's random reset also randomizes the top-level inputs: start them at 0 as
            // documented (a random AXI4-Lite `awvalid`/`wvalid` would be a spurious write).
            for (i, info) in ports.iter().enumerate() {
                if info.dir == PortDir::Input {
                    let zero = vec![0u32; info.words()];
                    m.raw.set_words(i as u32, &zero).map_err(|e| {
                        Self::shim_err(
                            PortId {
                                idx: i as u32,
                                info,
                            },
                            e,
                        )
                    })?;
                }
            }
        }
        m.eval()?;
        Ok(m)
    }

    /// The build simulated.
    pub fn build(&self) -> Build {
        self.build
    }

    /// All ports, in Verilog order.
    pub fn ports(&self) -> &'static [PortInfo] {
        self.ports
    }

    /// Resolves a port by name.
    pub fn port(&self, name: &str) -> Result<PortId, SimError> {
        self.ports
            .iter()
            .position(|p| p.name == name)
            .map(|i| PortId {
                idx: i as u32,
                info: &self.ports[i],
            })
            .ok_or_else(|| SimError::UnknownPort(name.to_string()))
    }

    /// Whether the build has a port of that name.
    pub fn has_port(&self, name: &str) -> bool {
        self.ports.iter().any(|p| p.name == name)
    }

    /// The port id was resolved on a model of this build.
    fn check_port(&self, p: PortId) -> Result<(), SimError> {
        match self.ports.get(p.idx as usize) {
            Some(info) if std::ptr::eq(info, p.info) => Ok(()),
            _ => Err(SimError::UnknownPort(format!(
                "{} (resolved on another build)",
                p.info.name
            ))),
        }
    }

    fn check_input(&self, p: PortId) -> Result<(), SimError> {
        self.check_port(p)?;
        if p.info.dir != PortDir::Input {
            return Err(SimError::NotAnInput(p.info.name));
        }
        Ok(())
    }

    fn shim_err(p: PortId, e: ShimError) -> SimError {
        match e {
            ShimError::BadPort => SimError::UnknownPort(p.info.name.to_string()),
            ShimError::BadLength => SimError::BadValue {
                port: p.info.name,
                width: p.info.width,
                detail: format!("expected {} words", p.info.words()),
            },
            ShimError::Fatal => SimError::Fatal("shim".into()),
        }
    }

    /// Sets an input port of at most 64 bits. The value must fit the port.
    pub fn set(&mut self, p: PortId, value: u64) -> Result<(), SimError> {
        self.check_input(p)?;
        let w = p.info.width;
        if w < 64 && value >> w != 0 {
            return Err(SimError::BadValue {
                port: p.info.name,
                width: w,
                detail: format!("value {value:#x} does not fit"),
            });
        }
        if w > 64 {
            let words = [value as u32, (value >> 32) as u32];
            let mut all = vec![0u32; p.info.words()];
            all[..2].copy_from_slice(&words);
            return self
                .raw
                .set_words(p.idx, &all)
                .map_err(|e| Self::shim_err(p, e));
        }
        self.raw
            .set_u64(p.idx, value)
            .map_err(|e| Self::shim_err(p, e))
    }

    /// Sets an input port from little-endian 32-bit words; missing upper words are 0.
    pub fn set_words(&mut self, p: PortId, words: &[u32]) -> Result<(), SimError> {
        self.check_input(p)?;
        let n = p.info.words();
        let bad = |detail: String| SimError::BadValue {
            port: p.info.name,
            width: p.info.width,
            detail,
        };
        if words.len() > n {
            return Err(bad(format!("{} words given, {n} at most", words.len())));
        }
        let r = p.info.width % 32;
        if words.len() == n && r != 0 && words[n - 1] >> r != 0 {
            return Err(bad("the value does not fit".into()));
        }
        let res = if words.len() == n {
            self.raw.set_words(p.idx, words)
        } else {
            let mut all = vec![0u32; n];
            all[..words.len()].copy_from_slice(words);
            self.raw.set_words(p.idx, &all)
        };
        res.map_err(|e| Self::shim_err(p, e))
    }

    /// Sets an input port from little-endian bytes (byte 0 = bits 7:0); missing bytes are 0.
    pub fn set_bytes(&mut self, p: PortId, bytes: &[u8]) -> Result<(), SimError> {
        let n = p.info.words();
        if bytes.len() > 4 * n {
            return Err(SimError::BadValue {
                port: p.info.name,
                width: p.info.width,
                detail: format!("{} bytes given", bytes.len()),
            });
        }
        let mut words = vec![0u32; n];
        for (i, b) in bytes.iter().enumerate() {
            words[i / 4] |= u32::from(*b) << (8 * (i % 4));
        }
        self.set_words(p, &words)
    }

    /// Reads a port of at most 64 bits (wider ports: the low 64 bits).
    pub fn get(&self, p: PortId) -> Result<u64, SimError> {
        self.check_port(p)?;
        if p.info.width > 64 {
            let w = self.get_words(p)?;
            return Ok(u64::from(w[0]) | (u64::from(w[1]) << 32));
        }
        self.raw.get_u64(p.idx).map_err(|e| Self::shim_err(p, e))
    }

    /// Reads a port into little-endian 32-bit words (ceil(width/32) of them).
    pub fn get_words(&self, p: PortId) -> Result<Vec<u32>, SimError> {
        let mut w = vec![0u32; p.info.words()];
        self.get_words_into(p, &mut w)?;
        Ok(w)
    }

    /// Reads a port into `out`, which must hold exactly ceil(width/32) words.
    pub fn get_words_into(&self, p: PortId, out: &mut [u32]) -> Result<(), SimError> {
        self.check_port(p)?;
        self.raw
            .get_words(p.idx, out)
            .map_err(|e| Self::shim_err(p, e))
    }

    /// Sets a port by name (convenience; resolve with [`Model::port`] in loops).
    pub fn set_by_name(&mut self, name: &str, value: u64) -> Result<(), SimError> {
        let p = self.port(name)?;
        self.set(p, value)
    }

    /// Reads a port by name (convenience; resolve with [`Model::port`] in loops).
    pub fn get_by_name(&self, name: &str) -> Result<u64, SimError> {
        let p = self.port(name)?;
        self.get(p)
    }

    /// Evaluates the model without a clock edge (settles combinational logic after inputs
    /// changed).
    pub fn eval(&mut self) -> Result<(), SimError> {
        if let Some(f) = &self.fatal {
            return Err(SimError::Fatal(f.clone()));
        }
        self.raw.eval().map_err(|e| {
            self.fatal = Some(e.clone());
            SimError::Fatal(e)
        })
    }

    /// First half of a cycle: clock low, inputs applied, combinational logic settled. Outputs
    /// read now are the values the device presents before the rising edge.
    pub(crate) fn settle(&mut self) -> Result<(), SimError> {
        self.raw
            .set_u64(self.clk.idx, 0)
            .map_err(|e| Self::shim_err(self.clk, e))?;
        self.eval()?;
        if self.tracing {
            self.raw.trace_dump(2 * self.cycle);
        }
        Ok(())
    }

    /// Second half of a cycle: rising edge.
    pub(crate) fn rise(&mut self) -> Result<(), SimError> {
        self.raw
            .set_u64(self.clk.idx, 1)
            .map_err(|e| Self::shim_err(self.clk, e))?;
        self.eval()?;
        if self.tracing {
            self.raw.trace_dump(2 * self.cycle + 1);
        }
        self.cycle += 1;
        Ok(())
    }

    /// One clock cycle: clock low and evaluate (inputs set since the last step take effect),
    /// then a rising edge. Outputs read afterwards are the values after the edge.
    pub fn step(&mut self) -> Result<(), SimError> {
        self.settle()?;
        self.rise()
    }

    /// `n` clock cycles.
    pub fn run(&mut self, n: u64) -> Result<(), SimError> {
        for _ in 0..n {
            self.step()?;
        }
        Ok(())
    }

    /// Cycles simulated so far (rising edges).
    pub fn cycle(&self) -> u64 {
        self.cycle
    }

    /// Synchronous reset: `rst` high for `cycles` cycles (at least 1), then low. Inputs other
    /// than `rst` are left as they are.
    pub fn reset_for(&mut self, cycles: u64) -> Result<(), SimError> {
        let rst = self.rst;
        self.set(rst, 1)?;
        self.run(cycles.max(1))?;
        self.set(rst, 0)?;
        self.settle()
    }

    /// Synchronous reset for 8 cycles.
    pub fn reset(&mut self) -> Result<(), SimError> {
        self.reset_for(8)
    }

    /// Starts writing a VCD waveform to `path` (two time units per cycle: clock low at even
    /// times, high at odd). Replaces a waveform already open.
    pub fn trace(&mut self, path: impl AsRef<Path>) -> Result<(), SimError> {
        let p = path
            .as_ref()
            .to_str()
            .ok_or_else(|| SimError::Trace("path is not UTF-8".into()))?;
        self.raw.trace_open(p).map_err(SimError::Trace)?;
        self.tracing = true;
        Ok(())
    }

    /// Stops and flushes the waveform (also done when the model is dropped).
    pub fn trace_close(&mut self) {
        self.raw.trace_close();
        self.tracing = false;
    }

    /// Cycles an AXI4-Lite access may take before it fails with a timeout.
    pub fn set_axil_timeout(&mut self, cycles: u64) {
        self.axil_timeout = cycles.max(1);
    }

    /// Random AXI4-Lite timing: with probability `p` per cycle the master delays asserting
    /// AWVALID, WVALID (independently, so W may come before AW) and ARVALID, and holds BREADY /
    /// RREADY low. 0 (default): everything asserted at once, responses accepted immediately.
    /// Deterministic (seeded per access).
    pub fn set_axil_jitter(&mut self, p: f64) -> Result<(), SimError> {
        self.axil_jitter = crate::axis::check_probability(p)?;
        Ok(())
    }

    /// Timing of the next register access.
    pub(crate) fn axil_timing(&mut self) -> axil::AxilTiming {
        self.axil_ops += 1;
        axil::AxilTiming {
            timeout: self.axil_timeout,
            jitter: self.axil_jitter,
            seed: self.axil_ops,
        }
    }

    /// AXI4-Lite write of one 32-bit register (all byte lanes), cycle by cycle. Only the clock
    /// advances: stream inputs keep their values (use [`crate::Dataplane`] to keep streams
    /// moving during register accesses).
    pub fn axil_write(&mut self, addr: u16, data: u32) -> Result<(), SimError> {
        let mut ports = axil::AxilPorts::resolve(self)?;
        let mut op = axil::AxilOp::write(addr, data, self.axil_timing())?;
        loop {
            op.drive(self, &mut ports)?;
            self.settle()?;
            let done = op.sample(self, &ports)?;
            self.rise()?;
            if let Some(r) = done {
                op.release(self, &mut ports)?;
                return r.map(|_| ()).map_err(SimError::from);
            }
        }
    }

    /// AXI4-Lite read of one 32-bit register, cycle by cycle (see [`Model::axil_write`]).
    pub fn axil_read(&mut self, addr: u16) -> Result<u32, SimError> {
        let mut ports = axil::AxilPorts::resolve(self)?;
        let mut op = axil::AxilOp::read(addr, self.axil_timing())?;
        loop {
            op.drive(self, &mut ports)?;
            self.settle()?;
            let done = op.sample(self, &ports)?;
            self.rise()?;
            if let Some(r) = done {
                op.release(self, &mut ports)?;
                return r.map_err(SimError::from);
            }
        }
    }
}
