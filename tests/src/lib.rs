//! Differential testing of the RTL data plane against the reference forwarder.
//!
//! A [`Rig`] is the verilated data plane with a BIFT loaded through its registers. [`Rig::round`] sends frames on
//! chosen ingresses (with the harness's random idle gaps and egress backpressure), drains the pipeline, feeds the
//! same frames to [`bier::Forwarder`] in the order the RTL accepted them, and compares every copy on every target
//! byte for byte and every counter.

pub mod host;

use std::collections::HashMap;

use bier::config::{Config, Entry, OnStall, Target, TargetKind, TxQueue};
use bier::gen::{GenSpec, Generator};
use bier::wire::{parse_l2, ETHERTYPE_BIER, HEADER_LEN};
use bier::{Bift, Bsl, Forwarder, Origin};
use biernic::program;
use biernic_hw::DataplaneParams;
use biernic_sim::{Build, Dataplane, EgressFrame, FrameId, Ingress};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// Scale factor for the number of frames, from `BIERNIC_DIFF_SCALE` (default 1): `BIERNIC_DIFF_SCALE=20 cargo test`
/// runs twenty times the frames.
pub fn scale() -> usize {
    std::env::var("BIERNIC_DIFF_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&v: &usize| v > 0)
        .unwrap_or(1)
}

/// A random BIFT config that fits a build: random BSL, targets and their kinds and MACs, sets, ECMP buckets,
/// entries (with ECMP lists), explicit or default BIFT-ids, and an optional exception target.
pub fn random_config(rng: &mut StdRng, p: &DataplaneParams) -> Config {
    let bsls: Vec<Bsl> = Bsl::ALL
        .into_iter()
        .filter(|b| b.bits() <= p.max_bsl)
        .collect();
    let bsl = bsls[rng.random_range(0..bsls.len())];
    let n = if rng.random_bool(0.6) {
        p.targets
    } else {
        rng.random_range(1..=p.targets)
    };
    let mut ports: Vec<u16> = (0..n as u16).collect();
    ports.shuffle(rng);
    let mac = |rng: &mut StdRng| -> Option<[u8; 6]> {
        rng.random_bool(0.5).then(|| {
            let mut m: [u8; 6] = rng.random();
            m[0] &= 0xfe;
            m
        })
    };
    let targets: Vec<Target> = (0..n)
        .map(|t| Target {
            name: format!("t{t}"),
            kind: if rng.random_bool(0.5) {
                TargetKind::Port(ports[t])
            } else {
                TargetKind::Local(t as u16)
            },
            mac: mac(rng),
            next_hop_mac: mac(rng),
            on_stall: OnStall::Backpressure,
        })
        .collect();
    let buckets = 1usize << rng.random_range(0..=p.buckets.trailing_zeros());
    let max_sets = p.sets.min(65535 / bsl.bits()).max(1);
    let sets = rng.random_range(1..=max_sets);
    let density: f64 = rng.random_range(0.02..0.9);
    let mut groups: HashMap<Vec<usize>, Vec<u16>> = HashMap::new();
    for si in 0..sets {
        for pos in 1..=bsl.bits() {
            if !rng.random_bool(density) {
                continue;
            }
            let k = rng.random_range(1..=buckets.min(n).min(3));
            let mut via: Vec<usize> = (0..n).collect();
            via.shuffle(rng);
            via.truncate(k);
            let id = si * bsl.bits() + pos;
            groups.entry(via).or_default().push(id as u16);
        }
    }
    let mut entries: Vec<Entry> = groups
        .into_iter()
        .map(|(via, bfr_ids)| Entry {
            bfr_ids,
            via,
            loc: None,
        })
        .collect();
    entries.sort_by(|a, b| a.bfr_ids[0].cmp(&b.bfr_ids[0]));
    if entries.is_empty() {
        entries.push(Entry {
            bfr_ids: vec![1],
            via: vec![0],
            loc: None,
        });
    }
    let used_sets = entries
        .iter()
        .flat_map(|e| e.bfr_ids.iter())
        .map(|&id| (usize::from(id) - 1) / bsl.bits() + 1)
        .max()
        .unwrap_or(1);
    let bift_ids = rng.random_bool(0.3).then(|| {
        let mut ids: Vec<u32> = Vec::new();
        while ids.len() < used_sets {
            let id = rng.random_range(0..1u32 << 20);
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    });
    let exception = rng.random_bool(0.3).then(|| rng.random_range(0..n));
    Config {
        sub_domain: rng.random(),
        bsl,
        ecmp_buckets: buckets,
        bift_ids,
        targets,
        entries,
        exception,
        tx_queues: Vec::new(),
    }
}

/// Random tenant isolation for a config (sets `config.tx_queues`): with probability 0.2 none (isolation off);
/// otherwise each hardware queue `0..host_queues` is, at random, left out (deny all), granted nothing, granted every
/// BFR-id of the table, or granted a random part of the configured BFR-ids plus some unconfigured ones.
pub fn random_isolation(rng: &mut StdRng, config: &mut Config, host_queues: usize) {
    config.tx_queues.clear();
    if rng.random_bool(0.2) {
        return;
    }
    let ids: Vec<u16> = config
        .entries
        .iter()
        .flat_map(|e| e.bfr_ids.iter().copied())
        .collect();
    let top = (config.sets() * config.bsl.bits()).min(65535) as u16;
    for q in 0..host_queues.min(256) {
        let allow: Vec<u16> = match rng.random_range(0..4) {
            0 => continue,
            1 => Vec::new(),
            2 => (1..=top).collect(),
            _ => {
                let share: f64 = rng.random_range(0.05..0.95);
                let mut a: Vec<u16> = ids
                    .iter()
                    .copied()
                    .filter(|_| rng.random_bool(share))
                    .collect();
                for _ in 0..rng.random_range(0..8) {
                    a.push(rng.random_range(1..=top));
                }
                a.sort_unstable();
                a.dedup();
                a
            }
        };
        config.tx_queues.push(TxQueue {
            queue: q as u8,
            allow,
            loc: None,
        });
    }
}

/// Frame sizes and malformations for a round.
#[derive(Debug, Clone)]
pub struct Traffic {
    /// Frames.
    pub frames: usize,
    /// Smallest frame (bytes without FCS).
    pub min_len: usize,
    /// Largest frame.
    pub max_len: usize,
    /// Probability of a malformed frame.
    pub malformed: f64,
    /// Probability of an 802.1Q tag.
    pub vlan: f64,
    /// Probability that random unconfigured bits are added to a frame's BitString.
    pub stray_bits: f64,
    /// Probability of TTL 1 (port copies suppressed).
    pub low_ttl: f64,
}

impl Default for Traffic {
    fn default() -> Self {
        Traffic {
            frames: 1000,
            min_len: 60,
            max_len: 1514,
            malformed: 0.15,
            vlan: 0.3,
            stray_bits: 0.2,
            low_ttl: 0.05,
        }
    }
}

/// Makes the frames of a round for a BIFT.
pub fn make_frames(bift: &Bift, t: &Traffic, seed: u64) -> Vec<Vec<u8>> {
    let spec = GenSpec {
        seed,
        min_len: t.min_len,
        max_len: t.max_len,
        vlan: t.vlan,
        malformed: t.malformed,
        ..GenSpec::default()
    };
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let mut g = Generator::new(bift, spec).expect("generator for a valid BIFT");
    (0..t.frames)
        .map(|_| {
            let (mut f, bad) = g.next_frame();
            if bad.is_none() {
                if let Some(l2) = parse_l2(&f).filter(|l| l.ethertype == ETHERTYPE_BIER) {
                    let off = l2.offset;
                    if rng.random_bool(t.stray_bits) {
                        let n = bift.bsl().bytes();
                        let k = rng.random_range(0..n);
                        f[off + HEADER_LEN + k] |= 1 << rng.random_range(0..8);
                    }
                    if rng.random_bool(t.low_ttl) {
                        f[off + 3] = 1;
                    }
                }
            }
            f
        })
        .collect()
}

/// What a round saw.
#[derive(Debug, Clone, Default)]
pub struct RoundStats {
    /// Frames sent.
    pub frames: u64,
    /// Copies compared.
    pub copies: u64,
    /// Cycles the round took.
    pub cycles: u64,
    /// Frames dropped (all reasons).
    pub drops: u64,
    /// The model's counters for the round (equal to the device's).
    pub counters: bier::Counters,
}

/// The verilated data plane with a loaded BIFT.
pub struct Rig {
    /// The simulated data plane.
    pub dp: Dataplane,
    /// Its build parameters.
    pub params: DataplaneParams,
    sent: u64,
    received: u64,
    collected: Vec<Vec<EgressFrame>>,
    /// Transmit-queue ids (`tuser`) host frames are sent with, drawn at random per frame (default `[0]`).
    pub host_queue_ids: Vec<u8>,
    /// Probability that [`Rig::queue`] sends a frame on the host ingress; `None`: every ingress alike.
    pub host_share: Option<f64>,
}

impl Rig {
    /// A reset data plane of a build; `seed` drives the harness's idle gaps and backpressure.
    pub fn new(build: Build, seed: u64) -> Rig {
        let params = build.params().expect("a data-plane build");
        let dp = Dataplane::with_seed(build, seed).expect("model");
        let targets = params.targets;
        Rig {
            dp,
            params,
            sent: 0,
            received: 0,
            collected: vec![Vec::new(); targets],
            host_queue_ids: vec![0],
            host_share: None,
        }
    }

    /// Loads a BIFT (shadow bank, then commit).
    pub fn load(&mut self, bift: &Bift) {
        program::load(&mut self.dp, bift, &self.params).expect("load BIFT");
    }

    /// Writes a BIFT into the shadow bank only.
    pub fn write_shadow(&mut self, bift: &Bift) {
        program::write_shadow(&mut self.dp, bift, &self.params).expect("write shadow bank");
    }

    fn collect(&mut self) {
        for (t, frames) in self.dp.take_all_frames().into_iter().enumerate() {
            self.received += frames.len() as u64;
            self.collected[t].extend(frames);
        }
    }

    /// Runs until every frame sent was decided (by the counters) and every copy the counters report has arrived.
    pub fn drain(&mut self, max_cycles: u64) -> Result<(), String> {
        let start = self.dp.cycle();
        loop {
            self.dp
                .run_until_idle(max_cycles)
                .map_err(|e| format!("pipeline did not go idle: {e}"))?;
            self.collect();
            let (decided, copies) = self.dp.decided_and_sent().map_err(|e| e.to_string())?;
            if decided >= self.sent && copies <= self.received {
                return Ok(());
            }
            if self.dp.cycle() - start > max_cycles {
                return Err(format!(
                    "not drained after {max_cycles} cycles: {decided} of {} frames decided, {} copies of {copies}",
                    self.sent, self.received
                ));
            }
        }
    }

    /// Source index of an ingress (network ingress `i` is `i`, the host is `net_ingress`).
    pub fn source_of(&self, ing: Ingress) -> usize {
        match ing {
            Ingress::Net(i) => i,
            Ingress::Host => self.params.net_ingress,
        }
    }

    /// Takes the copies collected per target.
    pub fn take_copies(&mut self) -> Vec<Vec<EgressFrame>> {
        std::mem::replace(&mut self.collected, vec![Vec::new(); self.params.targets])
    }

    /// A random ingress.
    pub fn random_ingress(&self, rng: &mut StdRng) -> Ingress {
        if let Some(h) = self.host_share {
            return if rng.random_bool(h) {
                Ingress::Host
            } else {
                Ingress::Net(rng.random_range(0..self.params.net_ingress))
            };
        }
        let k = rng.random_range(0..=self.params.net_ingress);
        if k == self.params.net_ingress {
            Ingress::Host
        } else {
            Ingress::Net(k)
        }
    }

    /// Queues frames on random ingresses (seeded) without running the clock.
    pub fn queue(&mut self, frames: Vec<Vec<u8>>, seed: u64) -> Result<Sent, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut sent = Sent::default();
        for f in frames {
            let ing = self.random_ingress(&mut rng);
            let tuser = match ing {
                Ingress::Host if !self.host_queue_ids.is_empty() => {
                    self.host_queue_ids[rng.random_range(0..self.host_queue_ids.len())]
                }
                _ => 0,
            };
            let id = self
                .dp
                .send_with_tuser(ing, f.clone(), tuser)
                .map_err(|e| e.to_string())?;
            sent.frames.push((ing, f));
            sent.ids.push(id);
            sent.tusers.push(tuser);
        }
        self.sent += sent.frames.len() as u64;
        Ok(sent)
    }

    /// A cycle budget generous enough for a batch to drain under heavy backpressure.
    pub fn budget(sent: &Sent) -> u64 {
        20_000
            + 400 * sent.frames.len() as u64
            + sent.frames.iter().map(|(_, f)| f.len() as u64).sum::<u64>()
    }

    /// The frames of `sent` in the order the RTL accepted them (first-beat handshake), as indices into `sent`.
    pub fn pipeline_order(&mut self, sent: &Sent) -> Result<Vec<usize>, String> {
        let by_id: HashMap<FrameId, usize> = sent
            .ids
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i))
            .collect();
        let mut log = self.dp.take_ingress_log();
        log.retain(|r| by_id.contains_key(&r.id));
        log.sort_by_key(|r| (r.first_cycle, r.source));
        if log.len() != sent.frames.len() {
            return Err(format!(
                "{} frames sent, {} accepted",
                sent.frames.len(),
                log.len()
            ));
        }
        Ok(log.iter().map(|r| by_id[&r.id]).collect())
    }

    /// The copies the model makes for `frames` (indices into `sent`, in order), per target, tagged by frame index;
    /// and the model's counters. Host frames enter the model with their transmit queue, and the model knows the
    /// build's number of host queues.
    pub fn model(&self, bift: &Bift, sent: &Sent, order: &[usize]) -> (Expected, bier::Counters) {
        let mut bift = bift.clone();
        bift.set_host_queues(self.params.host_queues);
        let mut model = Forwarder::new(bift);
        let mut expected: Vec<Vec<(usize, Vec<u8>)>> = vec![Vec::new(); self.params.targets];
        for &i in order {
            let (ing, f) = &sent.frames[i];
            let origin = match ing {
                Ingress::Host => {
                    Origin::Host(usize::from(sent.tusers.get(i).copied().unwrap_or(0)))
                }
                Ingress::Net(_) => Origin::Network,
            };
            model.process_from(f, self.source_of(*ing), origin, |t, c| {
                expected[t].push((i, c.to_vec()))
            });
        }
        (expected, model.counters().clone())
    }

    /// One differential round: clears the counters, sends `frames` on random ingresses, and checks every copy and
    /// counter against the reference forwarder for `bift` (which must be loaded).
    pub fn round(
        &mut self,
        bift: &Bift,
        frames: Vec<Vec<u8>>,
        seed: u64,
    ) -> Result<RoundStats, String> {
        self.round_copies(bift, frames, seed).map(|(s, _)| s)
    }

    /// [`Rig::round`], also returning the copies the device sent, per target.
    pub fn round_copies(
        &mut self,
        bift: &Bift,
        frames: Vec<Vec<u8>>,
        seed: u64,
    ) -> Result<(RoundStats, Vec<Vec<EgressFrame>>), String> {
        self.dp.clear_counters().map_err(|e| e.to_string())?;
        self.sent = 0;
        self.received = 0;
        let _ = self.dp.take_ingress_log();
        let start = self.dp.cycle();
        let sent = self.queue(frames, seed)?;
        self.drain(Rig::budget(&sent))?;
        let cycles = self.dp.cycle() - start;
        let order = self.pipeline_order(&sent)?;
        let (expected, counters) = self.model(bift, &sent, &order);
        let got = self.take_copies();
        let copies = compare(&sent, &expected, &got)?;
        self.check_counters(&counters)?;
        let stats = RoundStats {
            frames: sent.frames.len() as u64,
            copies,
            cycles,
            drops: counters.total_drops(),
            counters,
        };
        Ok((stats, got))
    }

    /// Compares the device's counters with the model's (sources are ingress indices), and
    /// checks that the device flagged no design error (`CTRL_STATUS`).
    pub fn check_counters(&mut self, m: &bier::Counters) -> Result<(), String> {
        let status = self
            .dp
            .axil_read(biernic_sim::regmap::CTRL_STATUS)
            .map_err(|e| e.to_string())?;
        if status != 0 {
            return Err(format!(
                "CTRL_STATUS = {status:#x}: the device flagged a design error (bit 0 egress \
                 FIFO overflow, bit 1 frame-buffer underflow)"
            ));
        }
        let c = self.dp.read_counters().map_err(|e| e.to_string())?;
        let pad = |v: &[u64], n: usize| {
            let mut v = v.to_vec();
            v.resize(n, 0);
            v
        };
        let s = c.rx_frames.len();
        let t = c.tx_frames.len();
        let q = c.iso_clipped.len();
        if m.iso_clipped.len() > q {
            return Err(format!(
                "model counted clipped frames on queues {:?} beyond the build's {q}",
                m.iso_clipped
            ));
        }
        let checks: [(&str, Vec<u64>, Vec<u64>); 7] = [
            ("rx_frames", pad(&m.rx_frames, s), c.rx_frames.clone()),
            ("rx_bytes", pad(&m.rx_bytes, s), c.rx_bytes.clone()),
            ("tx_frames", pad(&m.tx_frames, t), c.tx_frames.clone()),
            ("tx_bytes", pad(&m.tx_bytes, t), c.tx_bytes.clone()),
            ("drops", m.drops.to_vec(), c.drops.to_vec()),
            (
                "exceptions/forwarded",
                vec![m.exceptions, m.forwarded],
                vec![c.exceptions, c.forwarded],
            ),
            ("iso_clipped", pad(&m.iso_clipped, q), c.iso_clipped.clone()),
        ];
        for (name, want, got) in checks {
            if want != got {
                return Err(format!("counter {name}: model {want:?}, rtl {got:?}"));
            }
        }
        if c.stall_drops.iter().any(|&v| v != 0) {
            return Err(format!("stall drops {:?} in lossless mode", c.stall_drops));
        }
        let rx: u64 = c.rx_frames.iter().sum();
        if rx != c.forwarded + c.exceptions + c.drops.iter().sum::<u64>() {
            return Err(format!(
                "accounting: rx {rx} != forwarded + exceptions + drops ({c:?})"
            ));
        }
        Ok(())
    }
}

/// The first `n` bytes in hex.
pub fn hex(b: &[u8], n: usize) -> String {
    b.iter().take(n).map(|x| format!("{x:02x}")).collect()
}

/// Expected copies per target, each tagged with the index of the frame it is a copy of.
pub type Expected = Vec<Vec<(usize, Vec<u8>)>>;

/// Frames queued on the data plane.
#[derive(Debug, Clone, Default)]
pub struct Sent {
    /// Ingress and bytes of each frame.
    pub frames: Vec<(Ingress, Vec<u8>)>,
    /// The harness's id of each frame.
    pub ids: Vec<FrameId>,
    /// The `tuser` (transmit queue) each frame was sent with (0 on network ingresses).
    pub tusers: Vec<u8>,
}

/// Compares the copies every target received with the expected ones, byte for byte and in order. Returns the number
/// of copies compared.
pub fn compare(
    sent: &Sent,
    expected: &[Vec<(usize, Vec<u8>)>],
    got: &[Vec<EgressFrame>],
) -> Result<u64, String> {
    let mut copies = 0;
    for (t, (e, g)) in expected.iter().zip(got).enumerate() {
        for (k, ((i, ef), gf)) in e.iter().zip(g).enumerate() {
            if *ef != gf.data {
                let first = ef.iter().zip(&gf.data).position(|(a, b)| a != b);
                return Err(format!(
                    "target {t}: copy {k} (of frame {i}, {} bytes, sent on {:?}) differs: expected {} bytes, got {} bytes, first difference at byte {first:?}\n  input   {}\n  model   {}\n  rtl     {}",
                    sent.frames[*i].1.len(),
                    sent.frames[*i].0,
                    ef.len(),
                    gf.data.len(),
                    hex(&sent.frames[*i].1, 80),
                    hex(ef, 80),
                    hex(&gf.data, 80)
                ));
            }
        }
        if e.len() != g.len() {
            let extra = if g.len() > e.len() {
                format!("first extra copy: {}", hex(&g[e.len()].data, 80))
            } else {
                format!(
                    "first missing copy of frame {}: {}",
                    e[g.len()].0,
                    hex(&e[g.len()].1, 80)
                )
            };
            return Err(format!(
                "target {t}: expected {} copies, got {}; {extra}",
                e.len(),
                g.len()
            ));
        }
        copies += e.len() as u64;
    }
    Ok(copies)
}
