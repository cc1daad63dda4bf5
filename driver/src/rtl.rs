//! `--engine rtl`: the verilated data plane (`biernic-sim`) as a forwarding engine.
//!
//! Each frame is sent on the ingress it arrives from and the pipeline is run until it is idle, so that every copy is
//! known to belong to that frame (and keeps its timestamp). Per-target order is the pipeline's own.

use std::path::Path;

use bier::{Bift, Counters, TargetKind};
use biernic_sim::{Build, Dataplane, Ingress, SimError};

use crate::engine::{Engine, EngineError};
use crate::program::{self, ProgramError, RegisterBus};

impl RegisterBus for Dataplane {
    fn write(&mut self, addr: u16, value: u32) -> Result<(), ProgramError> {
        self.axil_write(addr, value)
            .map_err(|e| ProgramError::Bus(e.to_string()))
    }
    fn read(&mut self, addr: u16) -> Result<u32, ProgramError> {
        self.axil_read(addr)
            .map_err(|e| ProgramError::Bus(e.to_string()))
    }
}

/// Most cycles one frame may take through an idle pipeline before the engine reports a hang.
const FRAME_CYCLE_LIMIT: u64 = 200_000;

/// Quiet cycles after which the engine checks the counters to see whether a frame is done.
const QUIET_CYCLES: u64 = 16;

/// The verilated data plane.
pub struct RtlEngine {
    dp: Dataplane,
    ingress_of: Vec<Ingress>,
    targets: usize,
    /// Frames sent so far.
    sent: u64,
    /// Copies received so far (all targets).
    received: u64,
}

fn err(e: impl std::fmt::Display) -> EngineError {
    EngineError {
        engine: "rtl",
        message: e.to_string(),
    }
}

impl RtlEngine {
    /// Builds the model, resets it and loads `bift` through the registers. `trace` writes a waveform.
    pub fn new(bift: &Bift, build: Build, trace: Option<&Path>) -> Result<RtlEngine, EngineError> {
        let params = build
            .params()
            .ok_or_else(|| err(format!("the {build:?} build is not a data plane")))?;
        program::check_fits(bift, &params).map_err(err)?;
        let mut dp = Dataplane::new(build).map_err(err)?;
        dp.set_quiet_cycles(QUIET_CYCLES);
        if let Some(path) = trace {
            dp.trace(path).map_err(err)?;
        }
        program::load(&mut dp, bift, &params).map_err(err)?;
        // A port target with `port = n` receives from network ingress n; everything else enters from the host.
        let mut ingress_of: Vec<Ingress> = bift
            .targets()
            .iter()
            .map(|t| match t.kind {
                TargetKind::Port(n) if usize::from(n) < params.net_ingress => {
                    Ingress::Net(usize::from(n))
                }
                _ => Ingress::Host,
            })
            .collect();
        ingress_of.push(Ingress::Host);
        Ok(RtlEngine {
            dp,
            ingress_of,
            targets: bift.targets().len(),
            sent: 0,
            received: 0,
        })
    }

    /// Whether every frame sent has been decided and every copy counted has left the device, by the counters.
    fn drained(&mut self) -> Result<bool, EngineError> {
        let (decided, copies) = self.dp.decided_and_sent().map_err(err)?;
        Ok(decided >= self.sent && copies <= self.received)
    }

    /// The simulated data plane.
    pub fn dataplane(&mut self) -> &mut Dataplane {
        &mut self.dp
    }
}

impl Engine for RtlEngine {
    fn name(&self) -> &'static str {
        "rtl"
    }

    fn forward(
        &mut self,
        frame: &[u8],
        source: usize,
        emit: &mut dyn FnMut(usize, &[u8]),
    ) -> Result<(), EngineError> {
        if frame.is_empty() {
            // An AXI4-Stream frame has at least one beat with one byte: an empty record cannot enter a NIC.
            return Err(err(
                "the capture holds an empty frame, which no Ethernet port can receive",
            ));
        }
        let ingress = *self.ingress_of.get(source).unwrap_or(&Ingress::Host);
        self.dp.send(ingress, frame.to_vec()).map_err(err)?;
        self.sent += 1;
        let start = self.dp.cycle();
        let mut copies: Vec<Vec<Vec<u8>>> = vec![Vec::new(); self.targets];
        loop {
            self.dp
                .run_until_idle(FRAME_CYCLE_LIMIT)
                .map_err(|e: SimError| err(format!("the pipeline did not drain: {e}")))?;
            for (t, frames) in self.dp.take_all_frames().into_iter().enumerate() {
                for f in frames {
                    if t >= self.targets {
                        return Err(err(format!(
                            "a copy left on target {t}, which the BIFT does not configure"
                        )));
                    }
                    self.received += 1;
                    copies[t].push(f.data);
                }
            }
            if self.drained()? {
                break;
            }
            if self.dp.cycle() - start > FRAME_CYCLE_LIMIT {
                return Err(err(format!(
                    "frame {} was not decided within {FRAME_CYCLE_LIMIT} cycles",
                    self.sent
                )));
            }
        }
        for (t, list) in copies.iter().enumerate() {
            for c in list {
                emit(t, c);
            }
        }
        Ok(())
    }

    fn counters(&mut self) -> Result<Counters, EngineError> {
        let c = self.dp.read_counters().map_err(err)?;
        // The model's per-queue counts grow to the largest queue counted.
        let mut iso_clipped = c.iso_clipped;
        while iso_clipped.last() == Some(&0) {
            iso_clipped.pop();
        }
        Ok(Counters {
            rx_frames: c.rx_frames,
            rx_bytes: c.rx_bytes,
            tx_frames: c.tx_frames[..self.targets].to_vec(),
            tx_bytes: c.tx_bytes[..self.targets].to_vec(),
            drops: c.drops,
            exceptions: c.exceptions,
            forwarded: c.forwarded,
            iso_clipped,
        })
    }
}
