//! [`Nic`]: the verilated NIC core `biernic_nic` (data plane + DMA engine) with its network
//! ports driven by stream agents and its AXI4 master answered by a memory model that reads and
//! writes host memory through a [`HostMemory`] (in the driver's `sim` backend: the very DMA
//! buffers the driver allocated, found by their I/O addresses).

use crate::axil::{AxilOp, AxilPorts, AxilResult};
use crate::axis::{check_probability, EgressFrame, FrameId, Rng, Sink, Source, StreamPorts};
use crate::model::{Build, Model, PortId, SimError};
use std::collections::VecDeque;
use std::path::Path;

/// Host memory as the NIC's AXI4 master sees it.
pub trait HostMemory {
    /// Reads `buf.len()` bytes at I/O address `addr`. `Err` when some byte is not mapped
    /// (the memory answers the burst with SLVERR, as an IOMMU fault would).
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), MemFault>;
    /// Writes the bytes of `data` whose `strobe` bit is set at I/O address `addr`.
    fn write(&mut self, addr: u64, data: &[u8], strobe: &[bool]) -> Result<(), MemFault>;
}

/// An access to an address that is not mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemFault {
    /// First faulting address.
    pub addr: u64,
}

/// AXI4 protocol errors of the NIC's master seen by the memory model.
fn axi_violation(what: String) -> SimError {
    SimError::Protocol(format!("AXI4 master: {what}"))
}

#[derive(Debug, Clone, Copy)]
struct Burst {
    addr: u64,
    beats: usize,
    size: usize,
    ready_at: u64,
}

#[derive(Debug)]
struct AxiPorts {
    awaddr: PortId,
    awlen: PortId,
    awsize: PortId,
    awburst: PortId,
    awvalid: PortId,
    awready: PortId,
    wdata: PortId,
    wstrb: PortId,
    wlast: PortId,
    wvalid: PortId,
    wready: PortId,
    bresp: PortId,
    bvalid: PortId,
    bready: PortId,
    araddr: PortId,
    arlen: PortId,
    arsize: PortId,
    arburst: PortId,
    arvalid: PortId,
    arready: PortId,
    rdata: PortId,
    rresp: PortId,
    rlast: PortId,
    rvalid: PortId,
    rready: PortId,
}

impl AxiPorts {
    fn resolve(m: &Model) -> Result<Self, SimError> {
        let p = |n: &str| m.port(&format!("m_axi_{n}"));
        Ok(AxiPorts {
            awaddr: p("awaddr")?,
            awlen: p("awlen")?,
            awsize: p("awsize")?,
            awburst: p("awburst")?,
            awvalid: p("awvalid")?,
            awready: p("awready")?,
            wdata: p("wdata")?,
            wstrb: p("wstrb")?,
            wlast: p("wlast")?,
            wvalid: p("wvalid")?,
            wready: p("wready")?,
            bresp: p("bresp")?,
            bvalid: p("bvalid")?,
            bready: p("bready")?,
            araddr: p("araddr")?,
            arlen: p("arlen")?,
            arsize: p("arsize")?,
            arburst: p("arburst")?,
            arvalid: p("arvalid")?,
            arready: p("arready")?,
            rdata: p("rdata")?,
            rresp: p("rresp")?,
            rlast: p("rlast")?,
            rvalid: p("rvalid")?,
            rready: p("rready")?,
        })
    }
}

/// AXI4 slave in front of a [`HostMemory`]: in-order, one ID, a fixed latency from address
/// to first data / write response, random ready stalls, SLVERR for unmapped addresses.
struct AxiMemory {
    p: AxiPorts,
    db: usize,
    latency: u64,
    stall: f64,
    rng: Rng,
    reads: VecDeque<Burst>,
    /// Beat of the front read being presented.
    rbeat: usize,
    rfault: bool,
    rcur: Option<Vec<u8>>,
    writes: VecDeque<Burst>,
    wbeat: usize,
    wfault: bool,
    bresp: VecDeque<(u64, bool)>,
    arready: bool,
    awready: bool,
    wready: bool,
    rvalid: bool,
    bvalid: bool,
    /// Bytes read and written (statistics).
    read_bytes: u64,
    written_bytes: u64,
}

impl AxiMemory {
    fn drive(&mut self, m: &mut Model, mem: &mut dyn HostMemory) -> Result<(), SimError> {
        let now = m.cycle();
        self.arready = self.reads.len() < 4 && !self.rng.chance(self.stall);
        self.awready = self.writes.len() < 4 && !self.rng.chance(self.stall);
        self.wready = self
            .writes
            .front()
            .is_some_and(|w| w.ready_at <= now + self.latency)
            && !self.rng.chance(self.stall);
        m.set(self.p.arready, u64::from(self.arready))?;
        m.set(self.p.awready, u64::from(self.awready))?;
        m.set(self.p.wready, u64::from(self.wready))?;
        // read data
        self.rvalid = false;
        if let Some(b) = self.reads.front().copied() {
            if b.ready_at <= now && !self.rng.chance(self.stall) {
                if self.rcur.is_none() {
                    let mut data = vec![0u8; self.db];
                    let a = b.addr + (self.rbeat * b.size) as u64;
                    let lane = (a as usize) % self.db;
                    let mut chunk = vec![0u8; b.size];
                    if mem.read(a, &mut chunk).is_err() {
                        self.rfault = true;
                    } else {
                        self.read_bytes += b.size as u64;
                    }
                    data[lane..lane + b.size].copy_from_slice(&chunk);
                    self.rcur = Some(data);
                }
                self.rvalid = true;
                m.set_bytes(self.p.rdata, self.rcur.as_deref().unwrap_or(&[]))?;
                m.set(self.p.rresp, if self.rfault { 2 } else { 0 })?;
                m.set(self.p.rlast, u64::from(self.rbeat + 1 == b.beats))?;
            }
        }
        m.set(self.p.rvalid, u64::from(self.rvalid))?;
        // write responses
        self.bvalid = self.bresp.front().is_some_and(|(t, _)| *t <= now);
        m.set(self.p.bvalid, u64::from(self.bvalid))?;
        if let Some((_, fault)) = self.bresp.front() {
            m.set(self.p.bresp, if *fault { 2 } else { 0 })?;
        }
        Ok(())
    }

    fn burst(
        &self,
        m: &Model,
        addr: PortId,
        len: PortId,
        size: PortId,
        burst: PortId,
        what: &str,
    ) -> Result<Burst, SimError> {
        let a = m.get(addr)?;
        let beats = m.get(len)? as usize + 1;
        let size = 1usize << m.get(size)?;
        if m.get(burst)? != 1 {
            return Err(axi_violation(format!(
                "{what} burst type {} (only INCR is used)",
                m.get(burst)?
            )));
        }
        if size > self.db || a % size as u64 != 0 {
            return Err(axi_violation(format!(
                "{what} at 0x{a:x}: size {size} on a {}-byte bus",
                self.db
            )));
        }
        let end = a + (beats * size) as u64 - 1;
        if a >> 12 != end >> 12 {
            return Err(axi_violation(format!(
                "{what} 0x{a:x}+{} crosses a 4 KiB boundary",
                beats * size
            )));
        }
        Ok(Burst {
            addr: a,
            beats,
            size,
            ready_at: m.cycle() + self.latency,
        })
    }

    fn sample(&mut self, m: &Model, mem: &mut dyn HostMemory) -> Result<(), SimError> {
        if self.arready && m.get(self.p.arvalid)? == 1 {
            let b = self.burst(
                m,
                self.p.araddr,
                self.p.arlen,
                self.p.arsize,
                self.p.arburst,
                "read",
            )?;
            self.reads.push_back(b);
        }
        if self.rvalid && m.get(self.p.rready)? == 1 {
            let b = self
                .reads
                .front()
                .copied()
                .ok_or_else(|| axi_violation("R without AR".into()))?;
            self.rcur = None;
            self.rbeat += 1;
            if self.rbeat == b.beats {
                self.reads.pop_front();
                self.rbeat = 0;
                self.rfault = false;
            }
        }
        if self.awready && m.get(self.p.awvalid)? == 1 {
            let b = self.burst(
                m,
                self.p.awaddr,
                self.p.awlen,
                self.p.awsize,
                self.p.awburst,
                "write",
            )?;
            self.writes.push_back(b);
        }
        if self.wready && m.get(self.p.wvalid)? == 1 {
            let b = self
                .writes
                .front()
                .copied()
                .ok_or_else(|| axi_violation("W before AW".into()))?;
            let data = m.get_words(self.p.wdata)?;
            let bytes: Vec<u8> = data
                .iter()
                .flat_map(|w| w.to_le_bytes())
                .take(self.db)
                .collect();
            let strb_words = m.get_words(self.p.wstrb)?;
            let strobe: Vec<bool> = (0..self.db)
                .map(|i| strb_words[i / 32] >> (i % 32) & 1 == 1)
                .collect();
            let a = b.addr + (self.wbeat * b.size) as u64;
            let lane = (a as usize) % self.db;
            if strobe
                .iter()
                .enumerate()
                .any(|(i, s)| *s && (i < lane || i >= lane + b.size))
            {
                return Err(axi_violation(format!(
                    "write strobe outside the beat's lanes at 0x{a:x}"
                )));
            }
            let last = m.get(self.p.wlast)? == 1;
            if last != (self.wbeat + 1 == b.beats) {
                return Err(axi_violation(format!(
                    "wlast {last} on beat {} of a {}-beat burst at 0x{:x}",
                    self.wbeat, b.beats, b.addr
                )));
            }
            if strobe.iter().any(|s| *s) {
                if mem
                    .write(a, &bytes[lane..lane + b.size], &strobe[lane..lane + b.size])
                    .is_err()
                {
                    self.wfault = true;
                } else {
                    self.written_bytes += strobe.iter().filter(|s| **s).count() as u64;
                }
            }
            self.wbeat += 1;
            if last {
                self.writes.pop_front();
                self.wbeat = 0;
                self.bresp
                    .push_back((m.cycle() + self.latency, self.wfault));
                self.wfault = false;
            }
        }
        if self.bvalid && m.get(self.p.bready)? == 1 {
            self.bresp.pop_front();
        }
        Ok(())
    }

    fn idle(&self) -> bool {
        self.reads.is_empty() && self.writes.is_empty() && self.bresp.is_empty()
    }
}

/// The verilated NIC core with network-port agents and host memory.
///
/// Each cycle: the port sources and sinks and the memory model drive their outputs, the model
/// settles, handshakes are sampled (stream, AXI4, AXI4-Lite), then the clock rises. Register
/// accesses run through the same cycles, so frames and DMA keep moving during them.
pub struct Nic {
    model: Model,
    params: biernic_hw::NicParams,
    sources: Vec<Source>,
    sinks: Vec<Sink>,
    axil: AxilPorts,
    mem: AxiMemory,
    host: Box<dyn HostMemory>,
    next_id: u64,
    violations: Vec<String>,
}

impl std::fmt::Debug for Nic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nic")
            .field("build", &self.model.build())
            .field("cycle", &self.model.cycle())
            .finish()
    }
}

impl Nic {
    /// Creates and resets a NIC of a NIC build ([`Build::NIC`]) whose DMA reaches `host`.
    /// `seed` drives the random stalls (off until set).
    pub fn new(build: Build, host: Box<dyn HostMemory>, seed: u64) -> Result<Self, SimError> {
        let params = build
            .nic_params()
            .ok_or_else(|| SimError::InvalidArgument(format!("{build:?} is not a NIC build")))?;
        let model = Model::new(build)?;
        let seed_of = |k: u64| seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(k);
        let mut sources = Vec::new();
        let mut sinks = Vec::new();
        for i in 0..params.ports {
            sources.push(Source::new(
                StreamPorts::resolve(&model, &format!("s_axis_rx{i}"))?,
                i,
                seed_of(i as u64),
            ));
            sinks.push(Sink::new(
                StreamPorts::resolve(&model, &format!("m_axis_tx{i}"))?,
                i,
                seed_of(100 + i as u64),
            ));
        }
        let axil = AxilPorts::resolve(&model)?;
        let mem = AxiMemory {
            p: AxiPorts::resolve(&model)?,
            db: params.dp.data_bytes,
            latency: 8,
            stall: 0.0,
            rng: Rng::new(seed_of(999)),
            reads: VecDeque::new(),
            rbeat: 0,
            rfault: false,
            rcur: None,
            writes: VecDeque::new(),
            wbeat: 0,
            wfault: false,
            bresp: VecDeque::new(),
            arready: false,
            awready: false,
            wready: false,
            rvalid: false,
            bvalid: false,
            read_bytes: 0,
            written_bytes: 0,
        };
        let mut nic = Nic {
            model,
            params,
            sources,
            sinks,
            axil,
            mem,
            host,
            next_id: 0,
            violations: Vec::new(),
        };
        for s in &mut nic.sources {
            s.drive(&mut nic.model)?;
        }
        for s in &mut nic.sinks {
            s.drive(&mut nic.model)?;
        }
        nic.model.reset()?;
        Ok(nic)
    }

    /// Build parameters.
    pub fn params(&self) -> &biernic_hw::NicParams {
        &self.params
    }

    /// The model (cycle counter, ports).
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Clock cycles since creation.
    pub fn cycle(&self) -> u64 {
        self.model.cycle()
    }

    /// Writes a VCD trace from now on.
    pub fn trace(&mut self, path: impl AsRef<Path>) -> Result<(), SimError> {
        self.model.trace(path)
    }

    /// Cycles from an AXI4 address handshake to the first read beat / the write response.
    pub fn set_memory_latency(&mut self, cycles: u64) {
        self.mem.latency = cycles;
    }

    /// Probability (0..=1) that the memory holds a ready/valid low in a cycle.
    pub fn set_memory_stall(&mut self, p: f64) -> Result<(), SimError> {
        self.mem.stall = check_probability(p)?;
        Ok(())
    }

    /// Probability that network port `i`'s egress sink holds tready low in a cycle.
    pub fn set_port_backpressure(&mut self, i: usize, p: f64) -> Result<(), SimError> {
        let p = check_probability(p)?;
        self.sink(i)?.backpressure = p;
        Ok(())
    }

    /// Stalls network port `i`'s egress completely, or releases it.
    pub fn set_port_stalled(&mut self, i: usize, stalled: bool) -> Result<(), SimError> {
        self.sink(i)?.stalled = stalled;
        Ok(())
    }

    fn sink(&mut self, i: usize) -> Result<&mut Sink, SimError> {
        let n = self.sinks.len();
        self.sinks.get_mut(i).ok_or_else(|| {
            SimError::InvalidArgument(format!("port {i} does not exist ({n} ports)"))
        })
    }

    /// Queues a frame arriving from the network on port `i`.
    pub fn inject(&mut self, i: usize, frame: impl Into<Vec<u8>>) -> Result<FrameId, SimError> {
        let frame = frame.into();
        if frame.is_empty() {
            return Err(SimError::InvalidArgument(
                "an AXI4-Stream frame needs at least one byte".into(),
            ));
        }
        let n = self.sources.len();
        let src = self.sources.get_mut(i).ok_or_else(|| {
            SimError::InvalidArgument(format!("port {i} does not exist ({n} ports)"))
        })?;
        let id = FrameId(self.next_id);
        self.next_id += 1;
        src.push(id, frame, 0);
        Ok(id)
    }

    /// Frames queued on the ports and not yet accepted.
    pub fn pending_injections(&self) -> usize {
        self.sources.iter().map(Source::pending).sum()
    }

    /// Takes the frames sent on network port `i` so far.
    pub fn take_port_frames(&mut self, i: usize) -> Result<Vec<EgressFrame>, SimError> {
        Ok(std::mem::take(&mut self.sink(i)?.frames))
    }

    /// Bytes the DMA engine read and wrote in host memory so far.
    pub fn dma_bytes(&self) -> (u64, u64) {
        (self.mem.read_bytes, self.mem.written_bytes)
    }

    /// No AXI4 transaction is outstanding at the memory.
    pub fn memory_idle(&self) -> bool {
        self.mem.idle()
    }

    fn cycle_with(
        &mut self,
        mut axil: Option<&mut AxilOp>,
    ) -> Result<Option<AxilResult>, SimError> {
        for s in &mut self.sources {
            s.drive(&mut self.model)?;
        }
        for s in &mut self.sinks {
            s.drive(&mut self.model)?;
        }
        self.mem.drive(&mut self.model, self.host.as_mut())?;
        if let Some(op) = axil.as_deref_mut() {
            op.drive(&mut self.model, &mut self.axil)?;
        }
        self.model.settle()?;
        let c = self.model.cycle();
        for s in &mut self.sources {
            s.sample(&self.model, c)?;
        }
        for s in &mut self.sinks {
            let before = s.violations.len();
            s.sample(&self.model, c)?;
            if s.violations.len() > before {
                self.violations.extend_from_slice(&s.violations[before..]);
            }
        }
        self.mem.sample(&self.model, self.host.as_mut())?;
        let mut done = None;
        if let Some(op) = axil {
            done = op.sample(&self.model, &self.axil)?;
        }
        self.model.rise()?;
        if !self.violations.is_empty() {
            let v = std::mem::take(&mut self.violations);
            return Err(SimError::Protocol(v.join("; ")));
        }
        Ok(done)
    }

    /// One clock cycle of the NIC, its ports and its memory.
    pub fn step(&mut self) -> Result<(), SimError> {
        self.cycle_with(None).map(|_| ())
    }

    /// `n` cycles.
    pub fn run(&mut self, n: u64) -> Result<(), SimError> {
        for _ in 0..n {
            self.step()?;
        }
        Ok(())
    }

    fn axil(&mut self, mut op: AxilOp) -> Result<u32, SimError> {
        loop {
            if let Some(r) = self.cycle_with(Some(&mut op))? {
                op.release(&mut self.model, &mut self.axil)?;
                return r.map_err(SimError::from);
            }
        }
    }

    /// AXI4-Lite write (BAR0); the NIC keeps running meanwhile.
    pub fn axil_write(&mut self, addr: u16, data: u32) -> Result<(), SimError> {
        let t = self.model.axil_timing();
        let op = AxilOp::write(addr, data, t)?;
        self.axil(op).map(|_| ())
    }

    /// AXI4-Lite read (BAR0); the NIC keeps running meanwhile.
    pub fn axil_read(&mut self, addr: u16) -> Result<u32, SimError> {
        let t = self.model.axil_timing();
        let op = AxilOp::read(addr, t)?;
        self.axil(op)
    }

    /// The host memory.
    pub fn host_memory(&mut self) -> &mut dyn HostMemory {
        self.host.as_mut()
    }
}
