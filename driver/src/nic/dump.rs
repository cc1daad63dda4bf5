//! Reading the BIFT back from the NIC's registers (`biernic bift dump`).

use std::fmt;

use biernic_hw::regmap;
use biernic_hw::DataplaneParams;

use crate::program::{ProgramError, RegisterBus};

/// Settings of one hardware target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetSettings {
    /// Local delivery (a receive queue) rather than a port.
    pub local: bool,
    /// Copies get `next_hop_mac` as destination MAC.
    pub rewrite_dst: bool,
    /// Copies get `mac` as source MAC.
    pub rewrite_src: bool,
    /// Source MAC.
    pub mac: [u8; 6],
    /// Next-hop (destination) MAC.
    pub next_hop_mac: [u8; 6],
    /// Drops copies when its FIFO is full (`CTRL_DROP_MODE`) instead of backpressure.
    pub drop_on_stall: bool,
}

/// One F-BM row of the active bank.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FbmRow {
    /// Set slot.
    pub set: usize,
    /// ECMP bucket.
    pub bucket: usize,
    /// Hardware target.
    pub target: usize,
    /// Bit positions set (1-based).
    pub positions: Vec<usize>,
}

/// The isolation mask of one transmit queue in one set slot (active bank).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaskRow {
    /// Transmit queue.
    pub queue: usize,
    /// Set slot.
    pub set: usize,
    /// Bit positions the queue's frames may keep (1-based).
    pub positions: Vec<usize>,
}

/// The table the NIC forwards with, as read from its registers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BiftDump {
    /// Index of the active bank (`CTRL_COMMIT` bit 8).
    pub active_bank: u32,
    /// BitString length in bits, `None` if the BSL register holds no valid code.
    pub bsl_bits: Option<usize>,
    /// ECMP buckets configured.
    pub buckets: usize,
    /// Exception target for non-BIER frames.
    pub exception: Option<usize>,
    /// BIFT-id of each set slot, `None` for an invalid (unused) slot.
    pub sets: Vec<Option<u32>>,
    /// Every hardware target's settings.
    pub targets: Vec<TargetSettings>,
    /// The F-BM rows of every valid set slot, bucket and target, from the active bank.
    pub rows: Vec<FbmRow>,
    /// The isolation mask of every transmit queue in every valid set slot, from the active bank.
    pub masks: Vec<MaskRow>,
    /// Whether the shadow bank's F-BM rows equal the active bank's (the settings above are
    /// read from the shadow bank, which `Nic::load_bift` keeps equal to the active one; if
    /// this is false, something else wrote the shadow bank and the settings may differ from
    /// the active table's).
    pub shadow_in_sync: bool,
}

fn regs_to_mac(lo: u32, hi: u32) -> [u8; 6] {
    let l = lo.to_be_bytes();
    let h = (hi as u16).to_be_bytes();
    [h[0], h[1], l[0], l[1], l[2], l[3]]
}

fn mac_str(m: &[u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Reads one F-BM row (`words` staging words) of the active or the shadow bank.
fn read_row(
    bus: &mut dyn RegisterBus,
    target: usize,
    row: usize,
    active: bool,
    words: usize,
) -> Result<Vec<u32>, ProgramError> {
    let cmd = regmap::row_cmd(regmap::ROW_OP_READ, target, row, active);
    read_cmd(bus, cmd, target, row, words)
}

/// Issues a row read command and reads the staging words.
fn read_cmd(
    bus: &mut dyn RegisterBus,
    cmd: u32,
    target: usize,
    row: usize,
    words: usize,
) -> Result<Vec<u32>, ProgramError> {
    bus.write(regmap::BIFT_ROW_CMD, cmd)?;
    let mut polls = 0;
    loop {
        let v = bus.read(regmap::BIFT_ROW_CMD)?;
        if v & 2 != 0 {
            return Err(ProgramError::Device(format!(
                "F-BM row read (target {target}, row {row}) was rejected"
            )));
        }
        if v & 1 == 0 {
            break;
        }
        polls += 1;
        if polls == 10_000 {
            return Err(ProgramError::Device(
                "F-BM row read did not complete after 10000 polls".into(),
            ));
        }
    }
    (0..words)
        .map(|w| bus.read(regmap::staging_reg(w)))
        .collect()
}

/// Reads the table back (see [`BiftDump`]).
pub(crate) fn read(
    bus: &mut dyn RegisterBus,
    p: &DataplaneParams,
) -> Result<BiftDump, ProgramError> {
    let active_bank = (bus.read(regmap::CTRL_COMMIT)? >> 8) & 1;
    let bsl_bits = regmap::bsl_bits(bus.read(regmap::BIFT_BSL)? & 7).filter(|b| *b <= p.max_bsl);
    let buckets = (1usize << (bus.read(regmap::BIFT_LOG2_BUCKETS)? & 0xF)).min(p.buckets);
    let exc = bus.read(regmap::BIFT_EXCEPTION)?;
    let exception = (exc & (1 << 31) != 0).then_some((exc & 0xFF) as usize);
    let drop_mode = bus.read(regmap::CTRL_DROP_MODE)?;
    let mut sets = Vec::with_capacity(p.sets);
    for s in 0..p.sets {
        let v = bus.read(regmap::set_reg(s))?;
        sets.push((v & (1 << 31) != 0).then_some(v & 0xF_FFFF));
    }
    let mut targets = Vec::with_capacity(p.targets);
    for t in 0..p.targets {
        let r = |bus: &mut dyn RegisterBus, reg| bus.read(regmap::target_reg(t, reg));
        let cfg = r(bus, regmap::TGT_CFG)?;
        let mac = regs_to_mac(r(bus, regmap::TGT_MAC_LO)?, r(bus, regmap::TGT_MAC_HI)?);
        let nh = regs_to_mac(r(bus, regmap::TGT_NH_LO)?, r(bus, regmap::TGT_NH_HI)?);
        targets.push(TargetSettings {
            local: cfg & regmap::TGT_CFG_LOCAL != 0,
            rewrite_dst: cfg & regmap::TGT_CFG_REWRITE_DST != 0,
            rewrite_src: cfg & regmap::TGT_CFG_REWRITE_SRC != 0,
            mac,
            next_hop_mac: nh,
            drop_on_stall: t < 32 && drop_mode & (1 << t) != 0,
        });
    }
    let mut rows = Vec::new();
    let mut shadow_in_sync = true;
    if let Some(bits) = bsl_bits {
        let words = bits / 32;
        for (set, id) in sets.iter().enumerate() {
            if id.is_none() {
                continue;
            }
            for bucket in 0..buckets {
                let row = set * p.buckets + bucket;
                for target in 0..p.targets {
                    let act = read_row(bus, target, row, true, words)?;
                    let shadow = read_row(bus, target, row, false, words)?;
                    shadow_in_sync &= act == shadow;
                    rows.push(FbmRow {
                        set,
                        bucket,
                        target,
                        positions: regmap::words_to_fbm(bits, &act),
                    });
                }
            }
        }
    }
    let mut masks = Vec::new();
    if let Some(bits) = bsl_bits {
        for queue in 0..p.host_queues {
            for (set, id) in sets.iter().enumerate() {
                if id.is_none() {
                    continue;
                }
                let row = regmap::mask_row(p, queue, set);
                let cmd = regmap::mask_row_cmd(regmap::ROW_OP_READ, row, true);
                let w = read_cmd(bus, cmd, 0, row, bits / 32)?;
                masks.push(MaskRow {
                    queue,
                    set,
                    positions: regmap::words_to_fbm(bits, &w),
                });
            }
        }
    }
    Ok(BiftDump {
        masks,
        active_bank,
        bsl_bits,
        buckets,
        exception,
        sets,
        targets,
        rows,
        shadow_in_sync,
    })
}

impl BiftDump {
    /// How this table differs from `bift` as [`crate::nic::Nic::load_bift`] would load it: BSL,
    /// ECMP buckets, exception target, BIFT-id per set slot, target kinds and every F-BM row.
    /// Empty when they agree.
    pub fn differences(&self, bift: &bier::Bift) -> Vec<String> {
        let mut d = Vec::new();
        if self.bsl_bits != Some(bift.bsl().bits()) {
            d.push(format!(
                "BSL {:?}, the BIFT has {}",
                self.bsl_bits,
                bift.bsl().bits()
            ));
        }
        if self.buckets != bift.buckets() {
            d.push(format!(
                "{} ECMP buckets, the BIFT has {}",
                self.buckets,
                bift.buckets()
            ));
        }
        if self.exception != bift.config().exception {
            d.push(format!(
                "exception target {:?}, the BIFT has {:?}",
                self.exception,
                bift.config().exception
            ));
        }
        for (s, got) in self.sets.iter().enumerate() {
            let want = bift.bift_ids().get(s).copied();
            if *got != want {
                d.push(format!(
                    "set slot {s}: BIFT-id {got:?}, the BIFT has {want:?}"
                ));
            }
        }
        for (t, ts) in self.targets.iter().enumerate() {
            let want_local = bift
                .targets()
                .get(t)
                .is_some_and(|tg| matches!(tg.kind, bier::TargetKind::Local(_)));
            if ts.local != want_local {
                d.push(format!(
                    "target {t}: local {}, the BIFT has {want_local}",
                    ts.local
                ));
            }
        }
        let mut b = bift.clone();
        b.set_host_queues(self.masks.iter().map(|m| m.queue + 1).max().unwrap_or(0));
        for m in &self.masks {
            let want: Vec<usize> = b
                .queue_mask(m.queue, m.set)
                .to_bitstring(bift.bsl())
                .iter_ones()
                .collect();
            if m.positions != want {
                d.push(format!(
                    "tx queue {} set {}: isolation mask {}, the BIFT has {}",
                    m.queue,
                    m.set,
                    ranges(&m.positions),
                    ranges(&want)
                ));
            }
        }
        for r in &self.rows {
            let want: Vec<usize> = if r.set < bift.sets()
                && r.bucket < bift.buckets()
                && r.target < bift.targets().len()
            {
                bift.fbm(r.set, r.bucket, r.target).iter_ones().collect()
            } else {
                Vec::new()
            };
            if r.positions != want {
                d.push(format!(
                    "set {} bucket {} target {}: F-BM {}, the BIFT has {}",
                    r.set,
                    r.bucket,
                    r.target,
                    ranges(&r.positions),
                    ranges(&want)
                ));
            }
        }
        d
    }
}

/// Positions as ranges: `1-4,9,200-256`.
fn ranges(pos: &[usize]) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    while i < pos.len() {
        let mut j = i;
        while j + 1 < pos.len() && pos[j + 1] == pos[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            pos[i].to_string()
        } else {
            format!("{}-{}", pos[i], pos[j])
        });
        i = j + 1;
    }
    out.join(",")
}

impl fmt::Display for BiftDump {
    /// One line of settings, one line per valid set slot and target, one line per non-empty
    /// F-BM row (bit positions as ranges).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bsl = self
            .bsl_bits
            .map_or_else(|| "none".to_string(), |b| b.to_string());
        let exc = self
            .exception
            .map_or_else(|| "none".to_string(), |t| format!("target {t}"));
        writeln!(
            f,
            "active bank {}, BSL {bsl}, {} ECMP buckets, exception {exc}{}",
            self.active_bank,
            self.buckets,
            if self.shadow_in_sync {
                ""
            } else {
                " (shadow bank differs from the active bank: settings may be stale)"
            }
        )?;
        for (s, id) in self.sets.iter().enumerate() {
            if let Some(id) = id {
                writeln!(f, "set {s}: BIFT-id 0x{id:05X}")?;
            }
        }
        for (t, ts) in self.targets.iter().enumerate() {
            write!(f, "target {t}: {}", if ts.local { "local" } else { "port" })?;
            if ts.rewrite_src {
                write!(f, ", src MAC {}", mac_str(&ts.mac))?;
            }
            if ts.rewrite_dst {
                write!(f, ", dst MAC {}", mac_str(&ts.next_hop_mac))?;
            }
            if ts.drop_on_stall {
                write!(f, ", drops on stall")?;
            }
            writeln!(f)?;
        }
        let full = self.bsl_bits.unwrap_or(0);
        for m in &self.masks {
            let what = if m.positions.len() == full {
                "every BFR-id of the set".to_string()
            } else if m.positions.is_empty() {
                "nothing".to_string()
            } else {
                format!("positions {}", ranges(&m.positions))
            };
            writeln!(f, "tx queue {} set {}: may reach {what}", m.queue, m.set)?;
        }
        for r in &self.rows {
            if !r.positions.is_empty() {
                writeln!(
                    f,
                    "set {} bucket {} target {}: {}",
                    r.set,
                    r.bucket,
                    r.target,
                    ranges(&r.positions)
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mac_roundtrip_and_ranges() {
        let m = [0x02, 0xb1, 0xe5, 0x00, 0x01, 0xff];
        let (lo, hi) = regmap::mac_to_regs(m);
        assert_eq!(regs_to_mac(lo, hi), m);
        assert_eq!(ranges(&[1, 2, 3, 5, 7, 8]), "1-3,5,7-8");
        assert_eq!(ranges(&[]), "");
    }
}
