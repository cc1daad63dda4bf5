//! AXI4-Lite master: one register access at a time, driven cycle by cycle.

use crate::axis::Rng;
use crate::model::{Model, PortId, SimError};
use thiserror::Error;

/// A failed AXI4-Lite access.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AxilError {
    /// The address is not 4-byte aligned.
    #[error("unaligned AXI4-Lite address {addr:#06x}")]
    Unaligned {
        /// Byte address.
        addr: u16,
    },
    /// The device did not complete the access in time.
    #[error("AXI4-Lite {op} of {addr:#06x}: no {phase} after {cycles} cycles")]
    Timeout {
        /// `"write"` or `"read"`.
        op: &'static str,
        /// Byte address.
        addr: u16,
        /// The handshake still missing (`"awready"`, `"wready"`, `"bvalid"`, `"arready"`,
        /// `"rvalid"`).
        phase: &'static str,
        /// Cycles waited.
        cycles: u64,
    },
    /// The device answered SLVERR (`resp` = 2).
    #[error("AXI4-Lite {op} of {addr:#06x}: SLVERR")]
    SlaveError {
        /// `"write"` or `"read"`.
        op: &'static str,
        /// Byte address.
        addr: u16,
    },
    /// The device answered DECERR (`resp` = 3).
    #[error("AXI4-Lite {op} of {addr:#06x}: DECERR")]
    DecodeError {
        /// `"write"` or `"read"`.
        op: &'static str,
        /// Byte address.
        addr: u16,
    },
    /// The device broke the handshake rules (e.g. a response before its request).
    #[error("AXI4-Lite {op} of {addr:#06x}: protocol violation: {detail}")]
    Protocol {
        /// `"write"` or `"read"`.
        op: &'static str,
        /// Byte address.
        addr: u16,
        /// What happened.
        detail: String,
    },
}

/// The AXI4-Lite ports of a model.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AxilPorts {
    awaddr: PortId,
    awvalid: PortId,
    awready: PortId,
    wdata: PortId,
    wstrb: PortId,
    wvalid: PortId,
    wready: PortId,
    bresp: PortId,
    bvalid: PortId,
    bready: PortId,
    araddr: PortId,
    arvalid: PortId,
    arready: PortId,
    rdata: PortId,
    rresp: PortId,
    rvalid: PortId,
    rready: PortId,
}

impl AxilPorts {
    pub(crate) fn resolve(m: &Model) -> Result<Self, SimError> {
        let p = |s: &str| {
            m.port(&format!("s_axil_{s}")).map_err(|_| {
                SimError::Interface(format!(
                    "the {:?} build has no `s_axil_{s}` port",
                    m.build()
                ))
            })
        };
        Ok(AxilPorts {
            awaddr: p("awaddr")?,
            awvalid: p("awvalid")?,
            awready: p("awready")?,
            wdata: p("wdata")?,
            wstrb: p("wstrb")?,
            wvalid: p("wvalid")?,
            wready: p("wready")?,
            bresp: p("bresp")?,
            bvalid: p("bvalid")?,
            bready: p("bready")?,
            araddr: p("araddr")?,
            arvalid: p("arvalid")?,
            arready: p("arready")?,
            rdata: p("rdata")?,
            rresp: p("rresp")?,
            rvalid: p("rvalid")?,
            rready: p("rready")?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Write,
    Read,
}

/// One access in flight. Per cycle: [`AxilOp::drive`] before the clock-low evaluation,
/// [`AxilOp::sample`] after it (before the rising edge); [`AxilOp::release`] once done.
#[derive(Debug)]
pub(crate) struct AxilOp {
    kind: Kind,
    addr: u16,
    data: u32,
    /// Address phase still pending (AW or AR).
    addr_pending: bool,
    /// Write data phase still pending.
    data_pending: bool,
    elapsed: u64,
    timeout: u64,
    /// Probability of delaying AW/W/AR and of holding BREADY/RREADY low in a cycle.
    jitter: f64,
    rng: Rng,
    addr_asserted: bool,
    data_asserted: bool,
    resp_ready: bool,
}

/// Timing of a register access: timeout, and random delays (see `Model::set_axil_jitter`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct AxilTiming {
    pub(crate) timeout: u64,
    pub(crate) jitter: f64,
    pub(crate) seed: u64,
}

/// Result of a finished access: the read data (0 for writes) or the error.
pub(crate) type AxilResult = Result<u32, AxilError>;

impl AxilOp {
    fn new(kind: Kind, addr: u16, data: u32, t: AxilTiming) -> Result<Self, AxilError> {
        if addr & 3 != 0 {
            return Err(AxilError::Unaligned { addr });
        }
        Ok(AxilOp {
            kind,
            addr,
            data,
            addr_pending: true,
            data_pending: kind == Kind::Write,
            elapsed: 0,
            timeout: t.timeout,
            jitter: t.jitter,
            rng: Rng::new(t.seed),
            addr_asserted: false,
            data_asserted: false,
            resp_ready: false,
        })
    }

    pub(crate) fn write(addr: u16, data: u32, t: AxilTiming) -> Result<Self, AxilError> {
        Self::new(Kind::Write, addr, data, t)
    }

    pub(crate) fn read(addr: u16, t: AxilTiming) -> Result<Self, AxilError> {
        Self::new(Kind::Read, addr, 0, t)
    }

    fn op(&self) -> &'static str {
        match self.kind {
            Kind::Write => "write",
            Kind::Read => "read",
        }
    }

    /// Drives the master's outputs for this cycle. A valid, once asserted, stays until its
    /// handshake; with jitter, AW/W/AR start after random delays and BREADY/RREADY are
    /// randomly low.
    pub(crate) fn drive(&mut self, m: &mut Model, p: &mut AxilPorts) -> Result<(), SimError> {
        if self.addr_pending && !self.addr_asserted && !self.rng.chance(self.jitter) {
            self.addr_asserted = true;
        }
        if self.data_pending && !self.data_asserted && !self.rng.chance(self.jitter) {
            self.data_asserted = true;
        }
        self.resp_ready = !self.rng.chance(self.jitter);
        match self.kind {
            Kind::Write => {
                m.set(p.awaddr, u64::from(self.addr))?;
                m.set(
                    p.awvalid,
                    u64::from(self.addr_pending && self.addr_asserted),
                )?;
                m.set(p.wdata, u64::from(self.data))?;
                m.set(p.wstrb, 0xF)?;
                m.set(p.wvalid, u64::from(self.data_pending && self.data_asserted))?;
                m.set(p.bready, u64::from(self.resp_ready))?;
            }
            Kind::Read => {
                m.set(p.araddr, u64::from(self.addr))?;
                m.set(
                    p.arvalid,
                    u64::from(self.addr_pending && self.addr_asserted),
                )?;
                m.set(p.rready, u64::from(self.resp_ready))?;
            }
        }
        Ok(())
    }

    /// Samples the slave's outputs before the rising edge and advances the state as of that
    /// edge; `Some` once the access is complete (or failed).
    pub(crate) fn sample(
        &mut self,
        m: &Model,
        p: &AxilPorts,
    ) -> Result<Option<AxilResult>, SimError> {
        let op = self.op();
        let addr = self.addr;
        let resp_of = |code: u64| match code & 3 {
            2 => Err(AxilError::SlaveError { op, addr }),
            3 => Err(AxilError::DecodeError { op, addr }),
            _ => Ok(()),
        };
        self.elapsed += 1;
        match self.kind {
            Kind::Write => {
                let bvalid = m.get(p.bvalid)? != 0;
                if bvalid && (self.addr_pending || self.data_pending) {
                    return Ok(Some(Err(AxilError::Protocol {
                        op,
                        addr,
                        detail: format!(
                            "bvalid before the {} handshake completed",
                            if self.addr_pending { "address" } else { "data" }
                        ),
                    })));
                }
                if self.addr_pending && self.addr_asserted && m.get(p.awready)? != 0 {
                    self.addr_pending = false;
                }
                if self.data_pending && self.data_asserted && m.get(p.wready)? != 0 {
                    self.data_pending = false;
                }
                if bvalid && self.resp_ready {
                    return Ok(Some(resp_of(m.get(p.bresp)?).map(|_| 0)));
                }
            }
            Kind::Read => {
                let rvalid = m.get(p.rvalid)? != 0;
                if rvalid && self.addr_pending {
                    return Ok(Some(Err(AxilError::Protocol {
                        op,
                        addr,
                        detail: "rvalid before the address handshake completed".into(),
                    })));
                }
                if self.addr_pending && self.addr_asserted && m.get(p.arready)? != 0 {
                    self.addr_pending = false;
                }
                if rvalid && self.resp_ready {
                    let data = m.get(p.rdata)? as u32;
                    return Ok(Some(resp_of(m.get(p.rresp)?).map(|_| data)));
                }
            }
        }
        if self.elapsed >= self.timeout {
            let phase = match self.kind {
                Kind::Write if self.addr_pending => "awready",
                Kind::Write if self.data_pending => "wready",
                Kind::Write => "bvalid",
                Kind::Read if self.addr_pending => "arready",
                Kind::Read => "rvalid",
            };
            return Ok(Some(Err(AxilError::Timeout {
                op,
                addr,
                phase,
                cycles: self.elapsed,
            })));
        }
        Ok(None)
    }

    /// Deasserts the master's valid and ready outputs after the access.
    pub(crate) fn release(&self, m: &mut Model, p: &mut AxilPorts) -> Result<(), SimError> {
        match self.kind {
            Kind::Write => {
                m.set(p.awvalid, 0)?;
                m.set(p.wvalid, 0)?;
                m.set(p.bready, 0)?;
            }
            Kind::Read => {
                m.set(p.arvalid, 0)?;
                m.set(p.rready, 0)?;
            }
        }
        Ok(())
    }
}
