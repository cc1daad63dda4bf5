//! [`Dataplane`]: a model with one AXI4-Stream source per ingress, one sink per target and the
//! AXI4-Lite master, all advanced together cycle by cycle.

use crate::axil::{AxilOp, AxilPorts, AxilResult};
use crate::axis::{
    check_probability, EgressFrame, FrameId, IngressRecord, Sink, Source, StreamPorts,
};
use crate::model::{Build, Model, SimError};
use biernic_hw::regmap::{self, Counter, DropReason};
use std::path::Path;

/// An ingress of the data plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ingress {
    /// Network ingress `i` (`s_axis_rx{i}`), source index `i`.
    Net(usize),
    /// The host ingress (`s_axis_host`), source index `net_ingress`.
    Host,
}

/// Counter values read from the device (one entry per source / target).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    /// `rx_frames[src]` (network ingresses, then the host).
    pub rx_frames: Vec<u64>,
    /// `rx_bytes[src]`.
    pub rx_bytes: Vec<u64>,
    /// `tx_frames[t]`.
    pub tx_frames: Vec<u64>,
    /// `tx_bytes[t]`.
    pub tx_bytes: Vec<u64>,
    /// `drops[reason]`, indexed by [`DropReason::index`].
    pub drops: [u64; 9],
    /// Non-BIER frames sent to the exception target.
    pub exceptions: u64,
    /// Frames forwarded.
    pub forwarded: u64,
    /// `stall_drops[t]`.
    pub stall_drops: Vec<u64>,
    /// `iso_clipped[q]`: host frames from transmit queue `q` whose BitString the queue's
    /// isolation mask clipped.
    pub iso_clipped: Vec<u64>,
}

impl Counters {
    /// Drops for one reason.
    pub fn drop_count(&self, r: DropReason) -> u64 {
        self.drops[r.index()]
    }

    /// Sum of all drop reasons.
    pub fn total_drops(&self) -> u64 {
        self.drops.iter().sum()
    }
}

/// Default number of consecutive quiet cycles [`Dataplane::run_until_idle`] waits for.
pub const DEFAULT_QUIET_CYCLES: u64 = 64;

/// The data plane with its stream agents and register master.
///
/// Per cycle ([`Dataplane::step`]): every source and sink drives its inputs (sources present
/// the next beat unless they draw an idle cycle, sinks draw tready), the model is evaluated with
/// the clock low, handshakes are sampled, then the rising edge. Register accesses
/// ([`Dataplane::axil_write`], [`Dataplane::axil_read`]) run through the same cycle, so streams
/// keep moving during them.
#[derive(Debug)]
pub struct Dataplane {
    model: Model,
    sources: Vec<Source>,
    sinks: Vec<Sink>,
    axil: AxilPorts,
    net_ingress: usize,
    next_id: u64,
    quiet_cycles: u64,
    violations: Vec<String>,
}

impl Dataplane {
    /// Creates and resets a data plane; idle gaps and backpressure off, seed 1.
    pub fn new(build: Build) -> Result<Self, SimError> {
        Self::with_seed(build, 1)
    }

    /// Creates and resets a data plane whose random idle gaps and backpressure come from `seed`.
    pub fn with_seed(build: Build, seed: u64) -> Result<Self, SimError> {
        Self::from_model(Model::new(build)?, seed)
    }

    /// Like [`Dataplane::with_seed`], on a model whose registers and memories start random
    /// ([`Model::with_random_init`]); the reset must bring it to a defined state. Memories
    /// without reset (F-BM tables) keep random contents until written.
    pub fn with_random_init(build: Build, seed: u64) -> Result<Self, SimError> {
        Self::from_model(Model::with_random_init(build, seed)?, seed)
    }

    fn from_model(model: Model, seed: u64) -> Result<Self, SimError> {
        let build = model.build();
        let mut net_ingress = 0;
        while model.has_port(&format!("s_axis_rx{net_ingress}_tdata")) {
            net_ingress += 1;
        }
        let mut targets = 0;
        while model.has_port(&format!("m_axis_t{targets}_tdata")) {
            targets += 1;
        }
        if net_ingress == 0 || targets == 0 {
            return Err(SimError::Interface(format!(
                "the {build:?} build has {net_ingress} network ingresses and {targets} targets"
            )));
        }
        let seed_of = |k: u64| seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(k);
        let mut sources = Vec::new();
        for i in 0..net_ingress {
            let p = StreamPorts::resolve(&model, &format!("s_axis_rx{i}"))?;
            sources.push(Source::new(p, i, seed_of(i as u64)));
        }
        let host = StreamPorts::resolve(&model, "s_axis_host")?;
        sources.push(Source::new(host, net_ingress, seed_of(net_ingress as u64)));
        let mut sinks = Vec::new();
        for t in 0..targets {
            let p = StreamPorts::resolve(&model, &format!("m_axis_t{t}"))?;
            sinks.push(Sink::new(p, t, seed_of(1000 + t as u64)));
        }
        let db = sources[0].ports_data_bytes();
        if let Some(s) = sources
            .iter()
            .map(Source::ports_data_bytes)
            .chain(sinks.iter().map(Sink::ports_data_bytes))
            .find(|&d| d != db)
        {
            return Err(SimError::Interface(format!(
                "streams of {db} and {s} bytes in one build"
            )));
        }
        if let Some(p) = build.params() {
            if p.data_bytes != db || p.targets != targets || p.net_ingress != net_ingress {
                return Err(SimError::Interface(format!(
                    "ports give {db}-byte data, {targets} targets, {net_ingress} network ingresses; \
                     DataplaneParams say {}, {}, {}",
                    p.data_bytes, p.targets, p.net_ingress
                )));
            }
        }
        let axil = AxilPorts::resolve(&model)?;
        let mut dp = Dataplane {
            model,
            sources,
            sinks,
            axil,
            net_ingress,
            next_id: 0,
            quiet_cycles: DEFAULT_QUIET_CYCLES,
            violations: Vec::new(),
        };
        dp.reset()?;
        Ok(dp)
    }

    /// The model (port access, cycle counter).
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The model, mutably (driving ports directly bypasses the agents).
    pub fn model_mut(&mut self) -> &mut Model {
        &mut self.model
    }

    /// The build simulated.
    pub fn build(&self) -> Build {
        self.model.build()
    }

    /// Cycles simulated so far.
    pub fn cycle(&self) -> u64 {
        self.model.cycle()
    }

    /// Number of network ingresses (the host is source index `net_ingress()`).
    pub fn net_ingress(&self) -> usize {
        self.net_ingress
    }

    /// Number of egress targets.
    pub fn targets(&self) -> usize {
        self.sinks.len()
    }

    /// Data path width in bytes.
    pub fn data_bytes(&self) -> usize {
        self.sources[0].ports_data_bytes()
    }

    /// Writes a VCD waveform to `path` from now on (see [`Model::trace`]).
    pub fn trace(&mut self, path: impl AsRef<Path>) -> Result<(), SimError> {
        self.model.trace(path)
    }

    /// Synchronous reset of the device; queued frames and partial egress frames are discarded,
    /// collected frames and logs are kept.
    pub fn reset(&mut self) -> Result<(), SimError> {
        for s in &mut self.sources {
            s.clear();
        }
        for s in &mut self.sinks {
            s.clear();
        }
        // drive idle inputs before and during reset
        for s in &mut self.sources {
            s.drive(&mut self.model)?;
        }
        for s in &mut self.sinks {
            s.drive(&mut self.model)?;
        }
        self.model.reset()
    }

    fn source_index(&self, ingress: Ingress) -> Result<usize, SimError> {
        match ingress {
            Ingress::Net(i) if i < self.net_ingress => Ok(i),
            Ingress::Net(i) => Err(SimError::InvalidArgument(format!(
                "network ingress {i} does not exist ({} in this build)",
                self.net_ingress
            ))),
            Ingress::Host => Ok(self.net_ingress),
        }
    }

    fn check_target(&self, t: usize) -> Result<(), SimError> {
        if t < self.sinks.len() {
            Ok(())
        } else {
            Err(SimError::InvalidArgument(format!(
                "target {t} does not exist ({} in this build)",
                self.sinks.len()
            )))
        }
    }

    /// Queues a frame on an ingress (host frames with tuser 0). Frames of one ingress enter in
    /// queueing order.
    pub fn send(
        &mut self,
        ingress: Ingress,
        frame: impl Into<Vec<u8>>,
    ) -> Result<FrameId, SimError> {
        self.send_with_tuser(ingress, frame, 0)
    }

    /// Queues a frame on an ingress with a `tuser` value (held on every beat; only the host
    /// ingress has `tuser`, other ingresses ignore it).
    pub fn send_with_tuser(
        &mut self,
        ingress: Ingress,
        frame: impl Into<Vec<u8>>,
        tuser: u8,
    ) -> Result<FrameId, SimError> {
        let src = self.source_index(ingress)?;
        let frame = frame.into();
        if frame.is_empty() {
            return Err(SimError::InvalidArgument(
                "an AXI4-Stream frame needs at least one byte".into(),
            ));
        }
        let id = FrameId(self.next_id);
        self.next_id += 1;
        self.sources[src].push(id, frame, tuser);
        Ok(id)
    }

    /// Frames queued on all ingresses and not yet completely accepted.
    pub fn pending(&self) -> usize {
        self.sources.iter().map(Source::pending).sum()
    }

    /// Probability (0..=1) of an idle cycle before each beat, on every ingress.
    pub fn set_idle_probability(&mut self, p: f64) -> Result<(), SimError> {
        let p = check_probability(p)?;
        self.sources.iter_mut().for_each(|s| s.idle_probability = p);
        Ok(())
    }

    /// Probability (0..=1) of an idle cycle before each beat, on one ingress.
    pub fn set_ingress_idle_probability(
        &mut self,
        ingress: Ingress,
        p: f64,
    ) -> Result<(), SimError> {
        let p = check_probability(p)?;
        let i = self.source_index(ingress)?;
        self.sources[i].idle_probability = p;
        Ok(())
    }

    /// Probability (0..=1) that a sink holds tready low in a cycle, on every target.
    pub fn set_backpressure(&mut self, p: f64) -> Result<(), SimError> {
        let p = check_probability(p)?;
        self.sinks.iter_mut().for_each(|s| s.backpressure = p);
        Ok(())
    }

    /// Probability (0..=1) that target `t`'s sink holds tready low in a cycle.
    pub fn set_target_backpressure(&mut self, t: usize, p: f64) -> Result<(), SimError> {
        let p = check_probability(p)?;
        self.check_target(t)?;
        self.sinks[t].backpressure = p;
        Ok(())
    }

    /// Stalls target `t` completely (tready always low) or releases it.
    pub fn set_stalled(&mut self, t: usize, stalled: bool) -> Result<(), SimError> {
        self.check_target(t)?;
        self.sinks[t].stalled = stalled;
        Ok(())
    }

    /// Sets the number of consecutive quiet cycles [`Dataplane::run_until_idle`] waits for.
    pub fn set_quiet_cycles(&mut self, cycles: u64) {
        self.quiet_cycles = cycles.max(1);
    }

    /// Cycles an AXI4-Lite access may take before it fails with a timeout.
    pub fn set_axil_timeout(&mut self, cycles: u64) {
        self.model.set_axil_timeout(cycles);
    }

    /// Random AXI4-Lite timing for register accesses (see [`Model::set_axil_jitter`]).
    pub fn set_axil_jitter(&mut self, p: f64) -> Result<(), SimError> {
        self.model.set_axil_jitter(p)
    }

    /// One cycle with an optional register access in flight. Returns whether any stream beat
    /// moved and the access result if it completed.
    fn cycle_with(
        &mut self,
        mut axil: Option<&mut AxilOp>,
    ) -> Result<(bool, Option<AxilResult>), SimError> {
        for s in &mut self.sources {
            s.drive(&mut self.model)?;
        }
        for s in &mut self.sinks {
            s.drive(&mut self.model)?;
        }
        if let Some(op) = axil.as_deref_mut() {
            op.drive(&mut self.model, &mut self.axil)?;
        }
        self.model.settle()?;
        let c = self.model.cycle();
        let mut moved = false;
        for s in &mut self.sources {
            moved |= s.sample(&self.model, c)?;
        }
        for s in &mut self.sinks {
            let vbefore = s.violations.len();
            moved |= s.sample(&self.model, c)?;
            if s.violations.len() > vbefore {
                self.violations.extend_from_slice(&s.violations[vbefore..]);
            }
        }
        let mut done = None;
        if let Some(op) = axil {
            done = op.sample(&self.model, &self.axil)?;
        }
        self.model.rise()?;
        Ok((moved, done))
    }

    /// One clock cycle of the device and all agents.
    pub fn step(&mut self) -> Result<(), SimError> {
        self.cycle_with(None)?;
        self.check_violations()
    }

    /// `n` cycles.
    pub fn run(&mut self, n: u64) -> Result<(), SimError> {
        for _ in 0..n {
            self.step()?;
        }
        Ok(())
    }

    fn check_violations(&mut self) -> Result<(), SimError> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            let v = std::mem::take(&mut self.violations);
            Err(SimError::Protocol(v.join("; ")))
        }
    }

    /// Steps until every queued frame was accepted and the device has been quiet (no beat moved
    /// on any stream and no unstalled target holding tvalid) for the quiet window
    /// ([`Dataplane::set_quiet_cycles`], default [`DEFAULT_QUIET_CYCLES`]). Returns the cycles
    /// run; [`SimError::Timeout`] after `max_cycles`.
    pub fn run_until_idle(&mut self, max_cycles: u64) -> Result<u64, SimError> {
        let start = self.model.cycle();
        let mut quiet = 0u64;
        loop {
            let ran = self.model.cycle() - start;
            if quiet >= self.quiet_cycles {
                return Ok(ran);
            }
            if ran >= max_cycles {
                let waiting: Vec<String> = self
                    .sinks
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.valid && !s.stalled)
                    .map(|(t, _)| format!("target {t} holds tvalid"))
                    .collect();
                return Err(SimError::Timeout {
                    cycles: ran,
                    what: format!(
                        "{} frames not accepted by the ingresses{}{}",
                        self.pending(),
                        if waiting.is_empty() { "" } else { "; " },
                        waiting.join(", ")
                    ),
                });
            }
            let (moved, _) = self.cycle_with(None)?;
            self.check_violations()?;
            let busy =
                moved || self.pending() > 0 || self.sinks.iter().any(|s| s.valid && !s.stalled);
            quiet = if busy { 0 } else { quiet + 1 };
        }
    }

    /// Takes the frames collected on target `t` so far.
    pub fn take_frames(&mut self, t: usize) -> Result<Vec<EgressFrame>, SimError> {
        self.check_target(t)?;
        Ok(std::mem::take(&mut self.sinks[t].frames))
    }

    /// Takes the frames collected on every target (index = target).
    pub fn take_all_frames(&mut self) -> Vec<Vec<EgressFrame>> {
        self.sinks
            .iter_mut()
            .map(|s| std::mem::take(&mut s.frames))
            .collect()
    }

    /// Takes the records of the frames the ingresses accepted so far, in acceptance order per
    /// ingress (network ingresses first, then the host).
    pub fn take_ingress_log(&mut self) -> Vec<IngressRecord> {
        self.sources
            .iter_mut()
            .flat_map(|s| std::mem::take(&mut s.log))
            .collect()
    }

    /// Sends frames, runs until idle and returns the frames collected per target (including
    /// any collected before). The usual shape of a differential test.
    pub fn process<I, F>(
        &mut self,
        frames: I,
        max_cycles: u64,
    ) -> Result<Vec<Vec<EgressFrame>>, SimError>
    where
        I: IntoIterator<Item = (Ingress, F)>,
        F: Into<Vec<u8>>,
    {
        for (ing, f) in frames {
            self.send(ing, f)?;
        }
        self.run_until_idle(max_cycles)?;
        Ok(self.take_all_frames())
    }

    fn axil(&mut self, mut op: AxilOp) -> Result<u32, SimError> {
        loop {
            let (_, done) = self.cycle_with(Some(&mut op))?;
            if let Some(r) = done {
                op.release(&mut self.model, &mut self.axil)?;
                self.check_violations()?;
                return r.map_err(SimError::from);
            }
        }
    }

    /// AXI4-Lite write of one register; streams keep moving meanwhile.
    pub fn axil_write(&mut self, addr: u16, data: u32) -> Result<(), SimError> {
        let op = AxilOp::write(addr, data, self.model.axil_timing())?;
        self.axil(op).map(|_| ())
    }

    /// AXI4-Lite read of one register; streams keep moving meanwhile.
    pub fn axil_read(&mut self, addr: u16) -> Result<u32, SimError> {
        let op = AxilOp::read(addr, self.model.axil_timing())?;
        self.axil(op)
    }

    fn params(&self) -> Result<biernic_hw::DataplaneParams, SimError> {
        self.build().params().ok_or_else(|| {
            SimError::Interface(format!("the {:?} build has no register map", self.build()))
        })
    }

    /// Reads one 64-bit counter (low word, then the latched high word).
    pub fn read_counter(&mut self, c: Counter) -> Result<u64, SimError> {
        let p = self.params()?;
        let a = c.addr(&p).ok_or_else(|| {
            SimError::InvalidArgument(format!("counter {} does not exist in this build", c.name()))
        })?;
        let lo = self.axil_read(a)?;
        let hi = self.axil_read(a + 4)?;
        Ok(u64::from(lo) | (u64::from(hi) << 32))
    }

    /// Frames the device has decided on (forwarded + exceptions + drops of every reason) and copies it has sent
    /// (all targets), by its counters. With the number of frames sent and copies received, this tells whether the
    /// pipeline has drained: a quiet window alone cannot, since internal stages may hold a frame for a while.
    pub fn decided_and_sent(&mut self) -> Result<(u64, u64), SimError> {
        let mut decided =
            self.read_counter(Counter::Forwarded)? + self.read_counter(Counter::Exceptions)?;
        for r in DropReason::ALL {
            decided += self.read_counter(Counter::Drops(r))?;
        }
        let mut copies = 0;
        for t in 0..self.sinks.len() {
            copies += self.read_counter(Counter::TxFrames(t))?;
        }
        Ok((decided, copies))
    }

    /// Reads every counter.
    pub fn read_counters(&mut self) -> Result<Counters, SimError> {
        let p = self.params()?;
        let sources = regmap::sources(&p);
        let mut c = Counters {
            rx_frames: vec![0; sources],
            rx_bytes: vec![0; sources],
            tx_frames: vec![0; p.targets],
            tx_bytes: vec![0; p.targets],
            stall_drops: vec![0; p.targets],
            iso_clipped: vec![0; p.host_queues],
            ..Counters::default()
        };
        for k in regmap::counters(&p) {
            let v = self.read_counter(k)?;
            match k {
                Counter::RxFrames(i) => c.rx_frames[i] = v,
                Counter::RxBytes(i) => c.rx_bytes[i] = v,
                Counter::TxFrames(i) => c.tx_frames[i] = v,
                Counter::TxBytes(i) => c.tx_bytes[i] = v,
                Counter::Drops(r) => c.drops[r.index()] = v,
                Counter::Exceptions => c.exceptions = v,
                Counter::Forwarded => c.forwarded = v,
                Counter::StallDrops(i) => c.stall_drops[i] = v,
                Counter::IsoClipped(q) => c.iso_clipped[q] = v,
            }
        }
        Ok(c)
    }

    /// Clears every counter ([`regmap::CTRL_CLEAR`]).
    pub fn clear_counters(&mut self) -> Result<(), SimError> {
        self.axil_write(regmap::CTRL_CLEAR, 1)
    }

    /// Polls `addr` until `(value & mask) == 0`; returns the last value read.
    fn poll_clear(&mut self, addr: u16, mask: u32, max_reads: u32) -> Result<u32, SimError> {
        for _ in 0..max_reads {
            let v = self.axil_read(addr)?;
            if v & mask == 0 {
                return Ok(v);
            }
        }
        Err(SimError::Timeout {
            cycles: u64::from(max_reads),
            what: format!(
                "register {addr:#06x} bit mask {mask:#x} still set after {max_reads} reads"
            ),
        })
    }

    fn row_cmd(&mut self, cmd: u32) -> Result<(), SimError> {
        self.axil_write(regmap::BIFT_ROW_CMD, cmd)?;
        let v = self.poll_clear(regmap::BIFT_ROW_CMD, 1, 1000)?;
        if v & 2 != 0 {
            return Err(SimError::Rejected(format!("BIFT row command {cmd:#010x}")));
        }
        Ok(())
    }

    /// Writes one F-BM row of the shadow bank (regmap protocol: staging words, then
    /// [`regmap::BIFT_ROW_CMD`] write op, then wait until the command is done). `row` is
    /// `set * buckets + bucket`; `words` are staging words ([`regmap::fbm_to_words`]); missing
    /// words are written as 0.
    pub fn write_fbm_row(
        &mut self,
        target: usize,
        row: usize,
        words: &[u32],
    ) -> Result<(), SimError> {
        let p = self.params()?;
        let n = regmap::staging_words(&p);
        if words.len() > n {
            return Err(SimError::InvalidArgument(format!(
                "{} staging words, the build has {n}",
                words.len()
            )));
        }
        for w in 0..n {
            self.axil_write(regmap::staging_reg(w), words.get(w).copied().unwrap_or(0))?;
        }
        self.row_cmd(regmap::row_cmd(regmap::ROW_OP_WRITE, target, row, false))
    }

    /// Reads one F-BM row (of the active bank if `active`, else the shadow bank) as staging
    /// words.
    pub fn read_fbm_row(
        &mut self,
        target: usize,
        row: usize,
        active: bool,
    ) -> Result<Vec<u32>, SimError> {
        let p = self.params()?;
        self.row_cmd(regmap::row_cmd(regmap::ROW_OP_READ, target, row, active))?;
        (0..regmap::staging_words(&p))
            .map(|w| self.axil_read(regmap::staging_reg(w)))
            .collect()
    }

    /// Writes the isolation mask of host transmit queue `queue` for set slot `slot` into the
    /// shadow bank (staging words as for F-BM rows, then a [`regmap::BIFT_ROW_CMD`] write with
    /// [`regmap::ROW_CMD_MASK_BIT`]); missing words are written as 0. The device rejects rows
    /// beyond `host_queues * sets` ([`SimError::Rejected`]).
    pub fn write_mask_row(
        &mut self,
        queue: usize,
        slot: usize,
        words: &[u32],
    ) -> Result<(), SimError> {
        let p = self.params()?;
        let n = regmap::staging_words(&p);
        if words.len() > n {
            return Err(SimError::InvalidArgument(format!(
                "{} staging words, the build has {n}",
                words.len()
            )));
        }
        if slot >= p.sets {
            return Err(SimError::InvalidArgument(format!(
                "set slot {slot} does not exist ({} in this build)",
                p.sets
            )));
        }
        for w in 0..n {
            self.axil_write(regmap::staging_reg(w), words.get(w).copied().unwrap_or(0))?;
        }
        let row = regmap::mask_row(&p, queue, slot);
        self.row_cmd(regmap::mask_row_cmd(regmap::ROW_OP_WRITE, row, false))
    }

    /// Reads the isolation mask of `queue` and set slot `slot` (of the active bank if `active`,
    /// else the shadow bank) as staging words.
    pub fn read_mask_row(
        &mut self,
        queue: usize,
        slot: usize,
        active: bool,
    ) -> Result<Vec<u32>, SimError> {
        let p = self.params()?;
        if slot >= p.sets {
            return Err(SimError::InvalidArgument(format!(
                "set slot {slot} does not exist ({} in this build)",
                p.sets
            )));
        }
        let row = regmap::mask_row(&p, queue, slot);
        self.row_cmd(regmap::mask_row_cmd(regmap::ROW_OP_READ, row, active))?;
        (0..regmap::staging_words(&p))
            .map(|w| self.axil_read(regmap::staging_reg(w)))
            .collect()
    }

    /// Swaps the BIFT banks ([`regmap::CTRL_COMMIT`]) and waits until the swap has drained.
    pub fn commit_bift(&mut self) -> Result<(), SimError> {
        self.axil_write(regmap::CTRL_COMMIT, 1)?;
        self.poll_clear(regmap::CTRL_COMMIT, 1, 10_000).map(|_| ())
    }
}
