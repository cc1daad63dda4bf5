//! AXI4-Stream agents: a source per ingress (frames in) and a sink per target (frames out).

use crate::model::{Model, PortId, SimError};
use std::collections::VecDeque;

/// Small seeded PRNG (xorshift64*): reproducible idle gaps and backpressure.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        // splitmix64 of the seed, never 0
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(if z == 0 { 1 } else { z })
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// True with probability `p` (`p` already checked to be in 0..=1).
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        if p <= 0.0 {
            false
        } else if p >= 1.0 {
            true
        } else {
            ((self.next_u64() >> 11) as f64) * (1.0 / (1u64 << 53) as f64) < p
        }
    }
}

/// Checks that a probability is in 0..=1.
pub(crate) fn check_probability(p: f64) -> Result<f64, SimError> {
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(SimError::InvalidArgument(format!(
            "probability {p} is not in 0..=1"
        )))
    }
}

/// Identifier of a frame queued on an ingress (in queueing order, unique per harness).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FrameId(pub u64);

/// A frame the device accepted on an ingress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngressRecord {
    /// Frame identifier returned when it was queued.
    pub id: FrameId,
    /// Source index: network ingress `i` is `i`, the host ingress is `net_ingress`.
    pub source: usize,
    /// Length in bytes.
    pub len: usize,
    /// Cycle of the handshake of the first beat.
    pub first_cycle: u64,
    /// Cycle of the handshake of the last beat.
    pub last_cycle: u64,
}

/// A frame collected on an egress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EgressFrame {
    /// Frame bytes (byte 0 from `tdata[7:0]` of the first beat).
    pub data: Vec<u8>,
    /// Cycle of the handshake of the first beat (for latency measurement).
    pub first_cycle: u64,
    /// Cycle of the handshake of the last beat.
    pub last_cycle: u64,
}

/// Ports of one AXI4-Stream interface.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StreamPorts {
    pub(crate) tdata: PortId,
    pub(crate) tkeep: PortId,
    pub(crate) tlast: PortId,
    pub(crate) tvalid: PortId,
    pub(crate) tready: PortId,
    pub(crate) tuser: Option<PortId>,
}

impl StreamPorts {
    /// Resolves `<prefix>_{tdata,tkeep,tlast,tvalid,tready}` (and `_tuser` if present).
    pub(crate) fn resolve(m: &Model, prefix: &str) -> Result<Self, SimError> {
        let p = |s: &str| {
            m.port(&format!("{prefix}_{s}")).map_err(|_| {
                SimError::Interface(format!(
                    "the {:?} build has no `{prefix}_{s}` port",
                    m.build()
                ))
            })
        };
        let sp = StreamPorts {
            tdata: p("tdata")?,
            tkeep: p("tkeep")?,
            tlast: p("tlast")?,
            tvalid: p("tvalid")?,
            tready: p("tready")?,
            tuser: m.port(&format!("{prefix}_tuser")).ok(),
        };
        if sp.tdata.info().width != 8 * sp.tkeep.info().width {
            return Err(SimError::Interface(format!(
                "`{prefix}_tdata` is {} bits but `{prefix}_tkeep` {} bits",
                sp.tdata.info().width,
                sp.tkeep.info().width
            )));
        }
        Ok(sp)
    }

    pub(crate) fn data_bytes(&self) -> usize {
        self.tkeep.info().width as usize
    }
}

#[derive(Debug)]
struct Queued {
    id: FrameId,
    data: Vec<u8>,
    tuser: u8,
}

/// Drives one ingress: queued frames become beats; random idle cycles between beats.
#[derive(Debug)]
pub(crate) struct Source {
    ports: StreamPorts,
    source: usize,
    db: usize,
    queue: VecDeque<Queued>,
    /// Byte offset of the beat presented (or next to present) in the front frame.
    offset: usize,
    /// A beat is presented (tvalid high) this cycle.
    valid: bool,
    /// Value last written to tvalid (`None`: unknown, write it).
    driven_valid: Option<bool>,
    first_cycle: u64,
    pub(crate) idle_probability: f64,
    rng: Rng,
    pub(crate) log: Vec<IngressRecord>,
    words: Vec<u32>,
}

impl Source {
    pub(crate) fn new(ports: StreamPorts, source: usize, seed: u64) -> Self {
        let db = ports.data_bytes();
        Source {
            ports,
            source,
            db,
            queue: VecDeque::new(),
            offset: 0,
            valid: false,
            driven_valid: None,
            first_cycle: 0,
            idle_probability: 0.0,
            rng: Rng::new(seed),
            log: Vec::new(),
            words: vec![0; ports.tdata.info().words()],
        }
    }

    pub(crate) fn push(&mut self, id: FrameId, data: Vec<u8>, tuser: u8) {
        self.queue.push_back(Queued { id, data, tuser });
    }

    /// Frames queued and not completely accepted.
    pub(crate) fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Drops everything queued (after a reset).
    pub(crate) fn clear(&mut self) {
        self.queue.clear();
        self.offset = 0;
        self.valid = false;
        self.driven_valid = None;
    }

    pub(crate) fn drive(&mut self, m: &mut Model) -> Result<(), SimError> {
        if !self.valid && !self.queue.is_empty() && !self.rng.chance(self.idle_probability) {
            let f = &self.queue[0];
            let end = (self.offset + self.db).min(f.data.len());
            let beat = &f.data[self.offset..end];
            self.words.iter_mut().for_each(|w| *w = 0);
            for (i, b) in beat.iter().enumerate() {
                self.words[i / 4] |= u32::from(*b) << (8 * (i % 4));
            }
            let n = beat.len();
            let keep = if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
            let last = end == f.data.len();
            let tuser = f.tuser;
            m.set_words(self.ports.tdata, &self.words)?;
            m.set(self.ports.tkeep, keep)?;
            m.set(self.ports.tlast, u64::from(last))?;
            if let Some(u) = self.ports.tuser {
                m.set(u, u64::from(tuser))?;
            }
            self.valid = true;
        }
        if self.driven_valid != Some(self.valid) {
            m.set(self.ports.tvalid, u64::from(self.valid))?;
            self.driven_valid = Some(self.valid);
        }
        Ok(())
    }

    /// After the clock-low evaluation: whether a beat is accepted at this cycle's rising edge.
    pub(crate) fn sample(&mut self, m: &Model, cycle: u64) -> Result<bool, SimError> {
        if !self.valid || m.get(self.ports.tready)? == 0 {
            return Ok(false);
        }
        self.valid = false;
        if self.offset == 0 {
            self.first_cycle = cycle;
        }
        self.offset += self.db;
        let done = self
            .queue
            .front()
            .is_none_or(|f| self.offset >= f.data.len());
        if done {
            if let Some(f) = self.queue.pop_front() {
                self.log.push(IngressRecord {
                    id: f.id,
                    source: self.source,
                    len: f.data.len(),
                    first_cycle: self.first_cycle,
                    last_cycle: cycle,
                });
            }
            self.offset = 0;
        }
        Ok(true)
    }

    pub(crate) fn ports_data_bytes(&self) -> usize {
        self.db
    }
}

/// Collects the frames of one egress; random backpressure, or fully stalled.
#[derive(Debug)]
pub(crate) struct Sink {
    ports: StreamPorts,
    target: usize,
    db: usize,
    pub(crate) backpressure: f64,
    pub(crate) stalled: bool,
    rng: Rng,
    ready: bool,
    /// Value last written to tready (`None`: unknown, write it).
    driven_ready: Option<bool>,
    cur: Vec<u8>,
    cur_first: u64,
    pub(crate) frames: Vec<EgressFrame>,
    /// Beat presented and not accepted in the previous cycle (for the stability check).
    held: Option<(Vec<u32>, u64, u64)>,
    /// tvalid was high this cycle.
    pub(crate) valid: bool,
    pub(crate) violations: Vec<String>,
    words: Vec<u32>,
}

impl Sink {
    pub(crate) fn new(ports: StreamPorts, target: usize, seed: u64) -> Self {
        let db = ports.data_bytes();
        Sink {
            ports,
            target,
            db,
            backpressure: 0.0,
            stalled: false,
            rng: Rng::new(seed),
            ready: false,
            driven_ready: None,
            cur: Vec::new(),
            cur_first: 0,
            frames: Vec::new(),
            held: None,
            valid: false,
            violations: Vec::new(),
            words: vec![0; ports.tdata.info().words()],
        }
    }

    /// Forgets a partial frame and the protocol state (after a reset).
    pub(crate) fn clear(&mut self) {
        self.cur.clear();
        self.held = None;
        self.valid = false;
        self.driven_ready = None;
    }

    pub(crate) fn drive(&mut self, m: &mut Model) -> Result<(), SimError> {
        self.ready = !self.stalled && !self.rng.chance(self.backpressure);
        if self.driven_ready != Some(self.ready) {
            m.set(self.ports.tready, u64::from(self.ready))?;
            self.driven_ready = Some(self.ready);
        }
        Ok(())
    }

    fn violation(&mut self, cycle: u64, what: String) {
        if self.violations.len() < 100 {
            self.violations
                .push(format!("target {} cycle {cycle}: {what}", self.target));
        }
    }

    /// After the clock-low evaluation: whether a beat is accepted at this cycle's rising edge.
    pub(crate) fn sample(&mut self, m: &Model, cycle: u64) -> Result<bool, SimError> {
        self.valid = m.get(self.ports.tvalid)? != 0;
        if !self.valid {
            if self.held.take().is_some() {
                self.violation(cycle, "tvalid dropped before the beat was accepted".into());
            }
            return Ok(false);
        }
        m.get_words_into(self.ports.tdata, &mut self.words)?;
        let keep = m.get(self.ports.tkeep)?;
        let last = m.get(self.ports.tlast)?;
        if let Some((w, k, l)) = self.held.take() {
            if w != self.words || k != keep || l != last {
                self.violation(
                    cycle,
                    "tdata/tkeep/tlast changed while tvalid was high and tready low".into(),
                );
            }
        }
        if !self.ready {
            self.held = Some((self.words.clone(), keep, last));
            return Ok(false);
        }
        // handshake at this cycle's edge
        let n = keep.trailing_ones() as usize;
        let full = if self.db >= 64 {
            u64::MAX
        } else {
            (1u64 << self.db) - 1
        };
        if keep == 0 || keep.checked_shr(n as u32).unwrap_or(0) != 0 {
            self.violation(
                cycle,
                format!("tkeep {keep:#x} is not contiguous from bit 0"),
            );
        } else if last == 0 && keep != full {
            self.violation(
                cycle,
                format!("partial tkeep {keep:#x} on a beat without tlast"),
            );
        }
        if self.cur.is_empty() {
            self.cur_first = cycle;
        }
        for i in 0..n.min(self.db) {
            self.cur.push((self.words[i / 4] >> (8 * (i % 4))) as u8);
        }
        if last != 0 {
            self.frames.push(EgressFrame {
                data: std::mem::take(&mut self.cur),
                first_cycle: self.cur_first,
                last_cycle: cycle,
            });
        }
        Ok(true)
    }

    pub(crate) fn ports_data_bytes(&self) -> usize {
        self.db
    }
}
