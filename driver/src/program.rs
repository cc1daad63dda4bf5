//! Loading a compiled BIFT into the data plane through its registers (`biernic_hw::regmap`), hitlessly: every
//! write goes to the shadow bank, then one commit swaps the banks at a frame boundary.
//!
//! The same code drives the verilated NIC and a card: it only needs a [`RegisterBus`].

use bier::{Bift, TargetKind};
use biernic_hw::regmap;
use biernic_hw::DataplaneParams;

/// 32-bit register access to the data plane's AXI4-Lite window.
pub trait RegisterBus {
    /// Writes one register.
    fn write(&mut self, addr: u16, value: u32) -> Result<(), ProgramError>;
    /// Reads one register.
    fn read(&mut self, addr: u16) -> Result<u32, ProgramError>;
}

/// [`RegisterBus`] over a device [`Backend`](crate::backend::Backend) (a card or the simulated NIC).
pub struct BackendBus<'a, B: crate::backend::Backend>(pub &'a mut B);

impl<B: crate::backend::Backend> RegisterBus for BackendBus<'_, B> {
    fn write(&mut self, addr: u16, value: u32) -> Result<(), ProgramError> {
        self.0
            .write32(addr, value)
            .map_err(|e| ProgramError::Bus(e.to_string()))
    }
    fn read(&mut self, addr: u16) -> Result<u32, ProgramError> {
        self.0
            .read32(addr)
            .map_err(|e| ProgramError::Bus(e.to_string()))
    }
}

/// Why a BIFT cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProgramError {
    /// The table needs more than the build has.
    #[error("the BIFT does not fit this build: {0}")]
    DoesNotFit(String),
    /// The device refused a register access or did not answer.
    #[error("register access failed: {0}")]
    Bus(String),
    /// A command did not complete or was rejected.
    #[error("device: {0}")]
    Device(String),
}

/// Checks that `bift` fits a build: BSL, sets, ECMP buckets, targets and the transmit queues `[[tx_queue]]` names.
pub fn check_fits(bift: &Bift, p: &DataplaneParams) -> Result<(), ProgramError> {
    let mut why = Vec::new();
    if bift.bsl().bits() > p.max_bsl {
        why.push(format!("BSL {} > the build's {}", bift.bsl(), p.max_bsl));
    }
    if bift.sets() > p.sets {
        why.push(format!("{} sets > the build's {}", bift.sets(), p.sets));
    }
    if bift.buckets() > p.buckets {
        why.push(format!(
            "{} ECMP buckets > the build's {}",
            bift.buckets(),
            p.buckets
        ));
    }
    if bift.targets().len() > p.targets {
        why.push(format!(
            "{} targets > the build's {}",
            bift.targets().len(),
            p.targets
        ));
    }
    if let Some(q) = bift
        .config()
        .tx_queues
        .iter()
        .find(|q| usize::from(q.queue) >= p.host_queues)
    {
        why.push(format!(
            "tx_queue {} >= the build's {} host queues",
            q.queue, p.host_queues
        ));
    }
    if why.is_empty() {
        Ok(())
    } else {
        Err(ProgramError::DoesNotFit(why.join("; ")))
    }
}

fn poll_clear(
    bus: &mut dyn RegisterBus,
    addr: u16,
    mask: u32,
    what: &str,
) -> Result<u32, ProgramError> {
    for _ in 0..10_000 {
        let v = bus.read(addr)?;
        if v & mask == 0 {
            return Ok(v);
        }
    }
    Err(ProgramError::Device(format!(
        "{what} did not complete after 10000 polls"
    )))
}

/// Writes `bift` into the shadow bank (settings, set slots, every reachable F-BM row, unused hardware targets get
/// zero F-BMs; the isolation-mask rows of every hardware transmit queue and set slot: all ones when isolation is off,
/// the queue's grant when on, zero for slots the table does not use) without committing. Staging words already
/// holding the right value are not written again.
pub fn write_shadow(
    bus: &mut dyn RegisterBus,
    bift: &Bift,
    p: &DataplaneParams,
) -> Result<(), ProgramError> {
    check_fits(bift, p)?;
    let code = regmap::bsl_code(bift.bsl().bits())
        .ok_or_else(|| ProgramError::DoesNotFit(format!("BSL {}", bift.bsl())))?;
    bus.write(regmap::BIFT_BSL, code)?;
    bus.write(regmap::BIFT_LOG2_BUCKETS, bift.buckets().trailing_zeros())?;
    let exception = match bift.config().exception {
        Some(t) => (1 << 31) | t as u32,
        None => 0,
    };
    bus.write(regmap::BIFT_EXCEPTION, exception)?;
    for s in 0..p.sets {
        let v = match bift.bift_ids().get(s) {
            Some(&id) => (1 << 31) | id,
            None => 0,
        };
        bus.write(regmap::set_reg(s), v)?;
    }
    for t in 0..p.targets {
        let (cfg, mac, nh) = match bift.targets().get(t) {
            None => (0, None, None),
            Some(tg) => match tg.kind {
                TargetKind::Local(_) => (regmap::TGT_CFG_LOCAL, None, None),
                TargetKind::Port(_) => {
                    let mut cfg = 0;
                    if tg.next_hop_mac.is_some() {
                        cfg |= regmap::TGT_CFG_REWRITE_DST;
                    }
                    if tg.mac.is_some() {
                        cfg |= regmap::TGT_CFG_REWRITE_SRC;
                    }
                    (cfg, tg.mac, tg.next_hop_mac)
                }
            },
        };
        bus.write(regmap::target_reg(t, regmap::TGT_CFG), cfg)?;
        let (lo, hi) = regmap::mac_to_regs(mac.unwrap_or_default());
        bus.write(regmap::target_reg(t, regmap::TGT_MAC_LO), lo)?;
        bus.write(regmap::target_reg(t, regmap::TGT_MAC_HI), hi)?;
        let (lo, hi) = regmap::mac_to_regs(nh.unwrap_or_default());
        bus.write(regmap::target_reg(t, regmap::TGT_NH_LO), lo)?;
        bus.write(regmap::target_reg(t, regmap::TGT_NH_HI), hi)?;
    }

    let nwords = regmap::staging_words(p);
    let mut staging: Vec<Option<u32>> = vec![None; nwords];
    let bits = bift.bsl().bits();
    for set in 0..bift.sets() {
        for bucket in 0..bift.buckets() {
            for t in 0..p.targets {
                let words = if t < bift.targets().len() {
                    let ones: Vec<usize> = bift.fbm(set, bucket, t).iter_ones().collect();
                    regmap::fbm_to_words(p, bits, &ones)
                } else {
                    vec![0; nwords]
                };
                for (w, &v) in words.iter().enumerate() {
                    if staging[w] != Some(v) {
                        bus.write(regmap::staging_reg(w), v)?;
                        staging[w] = Some(v);
                    }
                }
                let row = set * p.buckets + bucket;
                bus.write(
                    regmap::BIFT_ROW_CMD,
                    regmap::row_cmd(regmap::ROW_OP_WRITE, t, row, false),
                )?;
                let v = poll_clear(bus, regmap::BIFT_ROW_CMD, 1, "F-BM row write")?;
                if v & 2 != 0 {
                    return Err(ProgramError::Device(format!(
                        "F-BM row write (target {t}, row {row}) was rejected"
                    )));
                }
            }
        }
    }
    for queue in 0..p.host_queues {
        for slot in 0..p.sets {
            let words = if slot < bift.sets() {
                let mask = bift.queue_mask(queue, slot).to_bitstring(bift.bsl());
                let ones: Vec<usize> = mask.iter_ones().collect();
                regmap::fbm_to_words(p, bits, &ones)
            } else {
                vec![0; nwords]
            };
            for (w, &v) in words.iter().enumerate() {
                if staging[w] != Some(v) {
                    bus.write(regmap::staging_reg(w), v)?;
                    staging[w] = Some(v);
                }
            }
            let row = regmap::mask_row(p, queue, slot);
            bus.write(
                regmap::BIFT_ROW_CMD,
                regmap::mask_row_cmd(regmap::ROW_OP_WRITE, row, false),
            )?;
            let v = poll_clear(bus, regmap::BIFT_ROW_CMD, 1, "mask row write")?;
            if v & 2 != 0 {
                return Err(ProgramError::Device(format!(
                    "isolation-mask row write (queue {queue}, slot {slot}) was rejected"
                )));
            }
        }
    }
    let mut drop_mode = 0u32;
    for (t, tg) in bift.targets().iter().enumerate() {
        if tg.on_stall == bier::config::OnStall::Drop {
            drop_mode |= 1 << t;
        }
    }
    bus.write(regmap::CTRL_DROP_MODE, drop_mode)?;
    Ok(())
}

/// Swaps the banks and waits until frames using the old bank have drained.
pub fn commit(bus: &mut dyn RegisterBus) -> Result<(), ProgramError> {
    bus.write(regmap::CTRL_COMMIT, 1)?;
    poll_clear(bus, regmap::CTRL_COMMIT, 1, "bank swap").map(|_| ())
}

/// Loads a BIFT hitlessly: the shadow bank, then a commit. Traffic keeps flowing on the old table until the swap.
pub fn load(
    bus: &mut dyn RegisterBus,
    bift: &Bift,
    p: &DataplaneParams,
) -> Result<(), ProgramError> {
    write_shadow(bus, bift, p)?;
    commit(bus)
}
