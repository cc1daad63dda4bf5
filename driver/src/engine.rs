//! Forwarding engines behind `biernic forward --engine`: the reference model, and (with the RTL data plane) the
//! verilated pipeline. Both take one frame at a time and report every copy with its target.

use bier::{Bift, Counters, Forwarder};

/// An engine failure (the model never fails; a simulated or real device can).
#[derive(Debug, thiserror::Error)]
#[error("{engine} engine: {message}")]
pub struct EngineError {
    /// Which engine.
    pub engine: &'static str,
    /// What happened.
    pub message: String,
}

/// A forwarding engine.
pub trait Engine {
    /// Short name (`model`, `rtl`).
    fn name(&self) -> &'static str;
    /// Forwards one frame arriving from `source` (a target index, or `targets.len()` for the host) and calls
    /// `emit(target, copy)` for each copy.
    fn forward(
        &mut self,
        frame: &[u8],
        source: usize,
        emit: &mut dyn FnMut(usize, &[u8]),
    ) -> Result<(), EngineError>;
    /// The engine's counters.
    fn counters(&mut self) -> Result<Counters, EngineError>;
}

/// The reference forwarder of the `bier` crate.
pub struct ModelEngine {
    fwd: Forwarder,
}

impl ModelEngine {
    /// An engine for a compiled BIFT.
    pub fn new(bift: Bift) -> ModelEngine {
        ModelEngine {
            fwd: Forwarder::new(bift),
        }
    }
}

impl Engine for ModelEngine {
    fn name(&self) -> &'static str {
        "model"
    }

    fn forward(
        &mut self,
        frame: &[u8],
        source: usize,
        emit: &mut dyn FnMut(usize, &[u8]),
    ) -> Result<(), EngineError> {
        self.fwd.process(frame, source, |t, f| emit(t, f));
        Ok(())
    }

    fn counters(&mut self) -> Result<Counters, EngineError> {
        Ok(self.fwd.counters().clone())
    }
}
