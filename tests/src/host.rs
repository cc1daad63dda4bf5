//! The host path end to end: the driver's device API ([`biernic::nic`]) over the `sim` backend
//! (the verilated NIC core: data plane + DMA engine), checked against the reference forwarder.
//!
//! Every frame goes through the rings: a host frame is written into a DMA buffer, described in a
//! transmit descriptor and fetched by the NIC's AXI4 master; a copy for a local queue is written
//! by the NIC into a receive buffer the driver posted and found by its completion's phase bit.
//! Network ports are the simulator's AXI4-Stream sources and sinks.

use bier::config::{Config, TargetKind};
use bier::wire::{parse_l2, Header, Repr, ETHERTYPE_BIER};
use bier::{Bift, Forwarder, Origin};
use biernic::nic::{
    Info, Mempool, Nic, PacketBuf, RxFrame, RxMeta, RxQueue, Stats, TxQueue, DEFAULT_BUF_SIZE,
    JUMBO_BUF_SIZE,
};
use biernic::simdev::SimBackend;
use biernic_hw::regmap::{self, Counter};
use biernic_sim::Build;
use rand::rngs::StdRng;

/// Longest frame a transmit descriptor may carry.
pub const MAX_FRAME: usize = 9018;

/// A received copy: the bytes and the completion's metadata.
#[derive(Clone, Debug)]
pub struct Got {
    /// Frame bytes.
    pub data: Vec<u8>,
    /// Completion metadata.
    pub meta: RxMeta,
}

/// The NIC behind the driver, with queues open and what came out of it.
pub struct HostRig {
    /// The opened NIC.
    pub nic: Nic<SimBackend>,
    /// What it reported.
    pub info: Info,
    /// Buffers for the transmit queues.
    pub tx_pool: Mempool,
    /// Buffers for the receive queues.
    pub rx_pool: Mempool,
    /// Transmit queues (index = queue).
    pub txs: Vec<TxQueue<SimBackend>>,
    /// Receive queues (index = queue).
    pub rxs: Vec<RxQueue<SimBackend>>,
    /// Frames each port sent so far.
    pub ports: Vec<Vec<Vec<u8>>>,
    /// Frames each receive queue delivered so far (status OK).
    pub rx: Vec<Vec<Got>>,
    /// Receive completions with a non-zero status.
    pub rx_errors: u64,
    /// Frames the application holds (not returned to the pool) when `hold` is set.
    pub held: Vec<RxFrame>,
    /// Keep received frames' buffers instead of returning them (receive buffers run out).
    pub hold: bool,
}

/// Which builds exist as NICs.
pub fn nic_build(narrow: bool) -> Build {
    if narrow {
        Build::NicNarrow
    } else {
        Build::NicWide
    }
}

impl HostRig {
    /// Opens a fresh simulated NIC with every transmit and receive queue up: rings of
    /// `2^tx_log2` / `2^rx_log2` entries, `rx_bufs` receive buffers shared by all receive
    /// queues, 2048-byte buffers (9216 with `jumbo`).
    pub fn new(build: Build, tx_log2: u32, rx_log2: u32, rx_bufs: usize, jumbo: bool) -> HostRig {
        let nic = Nic::open(SimBackend::new(build).expect("simulated NIC")).expect("open");
        let info = nic.info().clone();
        let size = if jumbo {
            JUMBO_BUF_SIZE
        } else {
            DEFAULT_BUF_SIZE
        };
        let tx_pool = nic
            .mempool(info.txq * (2 << tx_log2), size)
            .expect("tx pool");
        let rx_pool = nic.mempool(rx_bufs, size).expect("rx pool");
        let txs = (0..info.txq)
            .map(|q| nic.tx_queue(q, tx_log2).expect("tx queue"))
            .collect();
        let rxs = (0..info.rxq)
            .map(|q| nic.rx_queue(q, rx_log2, &rx_pool).expect("rx queue"))
            .collect();
        HostRig {
            ports: vec![Vec::new(); info.ports],
            rx: vec![Vec::new(); info.rxq],
            info,
            nic,
            tx_pool,
            rx_pool,
            txs,
            rxs,
            rx_errors: 0,
            held: Vec::new(),
            hold: false,
        }
    }

    /// Source index of transmit queues in the counters and the model (the host ingress).
    pub fn host_source(&self) -> usize {
        self.info.ports
    }

    /// The model's input for `frames` sent through transmit queue `q`: frames longer than 9018
    /// bytes are left out (their descriptors complete with "bad length" and they never reach
    /// the data plane).
    pub fn host_input(&self, q: usize, frames: &[Vec<u8>]) -> Vec<(usize, Origin, Vec<u8>)> {
        frames
            .iter()
            .filter(|f| f.len() <= MAX_FRAME)
            .map(|f| (self.host_source(), Origin::Host(q), f.clone()))
            .collect()
    }

    /// A buffer holding `frame`.
    pub fn buf(&self, frame: &[u8]) -> Option<PacketBuf> {
        let mut b = self.tx_pool.alloc()?;
        b.fill(frame);
        Some(b)
    }

    /// One round of the application loop: receive on every queue (keeping or recycling the
    /// buffers), reap every transmit queue, collect what the ports sent. Returns how many
    /// frames moved.
    pub fn pump(&mut self) -> usize {
        let mut moved = 0;
        let mut frames = Vec::new();
        for (q, rx) in self.rxs.iter_mut().enumerate() {
            frames.clear();
            moved += rx.recv_batch(64, &mut frames).expect("recv_batch");
            for f in frames.drain(..) {
                if !f.status().is_ok() {
                    self.rx_errors += 1;
                    continue;
                }
                self.rx[q].push(Got {
                    data: f.to_vec(),
                    meta: *f.meta(),
                });
                if self.hold {
                    self.held.push(f);
                }
            }
        }
        for tx in &mut self.txs {
            moved += tx.reap().expect("reap");
        }
        for p in 0..self.info.ports {
            let f = self
                .nic
                .with_backend(|s| s.nic().take_port_frames(p))
                .expect("port frames");
            moved += f.len();
            self.ports[p].extend(f.into_iter().map(|e| e.data));
        }
        moved
    }

    /// Whether the simulated NIC has frames waiting at a port or DMA outstanding.
    pub fn sim_busy(&self) -> bool {
        self.nic.with_backend(|s| s.busy())
    }

    /// Pumps until nothing moved for `quiet` rounds (each services the NIC for 64 cycles per
    /// queue) with no transmit frame in flight and the simulator idle; `Err` after `max`
    /// rounds.
    pub fn drain(&mut self, quiet: usize, max: usize) -> Result<(), String> {
        let mut still = 0;
        for _ in 0..max {
            let moved = self.pump();
            let busy = self.sim_busy() || self.txs.iter().any(|t| t.in_flight() > 0);
            if moved > 0 || busy {
                still = 0;
            } else {
                still += 1;
                if still >= quiet {
                    return Ok(());
                }
            }
        }
        Err(format!(
            "the NIC did not drain in {max} rounds: tx in flight {:?}",
            self.txs.iter().map(|t| t.in_flight()).collect::<Vec<_>>()
        ))
    }

    /// Sends `frames` through transmit queue `q` in batches of `batch`, pumping between
    /// batches (so that receive queues keep draining); returns when every frame is in the ring.
    pub fn send(&mut self, q: usize, frames: &[Vec<u8>], batch: usize) -> Result<(), String> {
        let mut pending: Vec<PacketBuf> = Vec::new();
        let mut next = 0;
        let mut stuck = 0;
        while next < frames.len() || !pending.is_empty() {
            while pending.len() < batch && next < frames.len() {
                match self.buf(&frames[next]) {
                    Some(b) => pending.push(b),
                    None => break,
                }
                next += 1;
            }
            let n = self.txs[q]
                .send_batch(&mut pending)
                .map_err(|e| e.to_string())?;
            let moved = self.pump();
            if n == 0 && moved == 0 {
                stuck += 1;
                if stuck > 200_000 {
                    return Err(format!("transmit queue {q} stopped taking frames"));
                }
            } else {
                stuck = 0;
            }
        }
        Ok(())
    }

    /// Queues `frame` on network port `p`.
    pub fn inject(&mut self, p: usize, frame: Vec<u8>) {
        self.nic
            .with_backend(|s| s.nic().inject(p, frame))
            .expect("inject");
    }

    /// Every counter and queue register.
    pub fn stats(&self) -> Stats {
        self.nic.stats().expect("stats")
    }

    /// Takes the collected frames: per port, then per receive queue.
    pub fn take(&mut self) -> (Vec<Vec<Vec<u8>>>, Vec<Vec<Got>>) {
        (
            std::mem::replace(&mut self.ports, vec![Vec::new(); self.info.ports]),
            std::mem::replace(&mut self.rx, vec![Vec::new(); self.info.rxq]),
        )
    }
}

/// Rewrites the targets of a config to the NIC's layout: target `t < ports` is port `t`, then
/// one local target per receive queue in order (the rest of the config is kept).
pub fn fit_layout(config: &mut Config, info: &Info) {
    for (t, tg) in config.targets.iter_mut().enumerate() {
        tg.kind = if t < info.ports {
            TargetKind::Port(t as u16)
        } else {
            TargetKind::Local((t - info.ports) as u16)
        };
    }
}

/// A random BIFT for the NIC (random_config with the NIC's target layout).
pub fn random_nic_bift(rng: &mut StdRng, info: &Info) -> Bift {
    let mut c = crate::random_config(rng, &info.dataplane());
    fit_layout(&mut c, info);
    Bift::compile(&c).expect("a random config with the NIC layout compiles")
}

/// What the reference forwarder makes of `frames` (source, origin, bytes), in order: copies
/// per target, and its counters.
pub fn expected(
    bift: &Bift,
    host_queues: usize,
    frames: &[(usize, Origin, Vec<u8>)],
) -> (Vec<Vec<Vec<u8>>>, bier::Counters) {
    let mut b = bift.clone();
    b.set_host_queues(host_queues);
    let mut m = Forwarder::new(b);
    let mut out = vec![Vec::new(); bift.targets().len()];
    for (src, origin, f) in frames {
        m.process_from(f, *src, *origin, |t, c| out[t].push(c.to_vec()));
    }
    (out, m.counters().clone())
}

/// Compares the NIC's counters with the model's, and checks that every frame is accounted
/// (received = forwarded + exceptions + drops) and that nothing was dropped for a stall.
pub fn check_counters(s: &Stats, m: &bier::Counters) -> Result<(), String> {
    let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
    let mut bad = Vec::new();
    let (mut rx, mut fwd, mut exc, mut drops) = (0, 0, 0, 0);
    for (c, got) in &s.counters {
        let want = match *c {
            Counter::RxFrames(i) => {
                rx += got;
                at(&m.rx_frames, i)
            }
            Counter::RxBytes(i) => at(&m.rx_bytes, i),
            Counter::TxFrames(i) => at(&m.tx_frames, i),
            Counter::TxBytes(i) => at(&m.tx_bytes, i),
            Counter::Drops(r) => {
                drops += got;
                m.drops[r as usize]
            }
            Counter::Exceptions => {
                exc += got;
                m.exceptions
            }
            Counter::Forwarded => {
                fwd += got;
                m.forwarded
            }
            Counter::StallDrops(_) => 0,
            Counter::IsoClipped(q) => at(&m.iso_clipped, q),
        };
        if *got != want {
            bad.push(format!("{}: nic {got}, model {want}", c.name()));
        }
    }
    if rx != fwd + exc + drops {
        bad.push(format!(
            "accounting: received {rx} != forwarded {fwd} + exceptions {exc} + drops {drops}"
        ));
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(bad.join("; "))
    }
}

/// Compares what came out of the NIC with the model's copies, target by target (ports, then
/// receive queues), in order (`ordered`) or as multisets (several ingresses interleave).
pub fn compare_copies(
    want: &[Vec<Vec<u8>>],
    ports: &[Vec<Vec<u8>>],
    rx: &[Vec<Got>],
    ordered: bool,
) -> Result<(), String> {
    let mut got: Vec<Vec<Vec<u8>>> = ports.to_vec();
    got.extend(
        rx.iter()
            .map(|q| q.iter().map(|g| g.data.clone()).collect()),
    );
    for t in 0..got.len().max(want.len()) {
        let mut w = want.get(t).cloned().unwrap_or_default();
        let mut g = got.get(t).cloned().unwrap_or_default();
        if !ordered {
            w.sort();
            g.sort();
        }
        if w.len() != g.len() {
            return Err(format!(
                "target {t}: {} copies, the model made {}",
                g.len(),
                w.len()
            ));
        }
        if let Some(i) = (0..w.len()).find(|&i| w[i] != g[i]) {
            return Err(format!(
                "target {t}: copy {i} differs ({} bytes vs the model's {}; first bytes {} vs {})",
                g[i].len(),
                w[i].len(),
                crate::hex(&g[i], 32),
                crate::hex(&w[i], 32)
            ));
        }
    }
    Ok(())
}

/// Checks a received copy's completion metadata against its own bytes: length, the BIER and
/// VLAN flags, BFIR-id, entropy, proto, BSL and BIFT-id.
pub fn check_meta(g: &Got) -> Result<(), String> {
    let m = &g.meta;
    if m.len() != g.data.len() {
        return Err(format!(
            "length {} for a {}-byte frame",
            m.len(),
            g.data.len()
        ));
    }
    let l2 = parse_l2(&g.data);
    let vlan = l2.as_ref().is_some_and(|l| l.vlan_tci.is_some());
    if m.vlan() != vlan {
        return Err(format!(
            "VLAN flag {} for a frame with vlan {vlan}",
            m.vlan()
        ));
    }
    let repr = l2
        .filter(|l| l.ethertype == ETHERTYPE_BIER)
        .and_then(|l| Header::new_checked(&g.data[l.offset..]).ok())
        .and_then(|h| Repr::parse(&h).ok());
    match repr {
        None => {
            if m.bier() {
                return Err("BIER flag on a frame that is not BIER".into());
            }
        }
        Some(r) => {
            let want = (
                true,
                r.bfir_id,
                r.entropy,
                r.proto,
                r.bitstring.bsl().code(),
                r.bift_id,
            );
            let got = (
                m.bier(),
                m.bfir_id(),
                m.entropy(),
                m.proto(),
                m.bsl_code(),
                m.bift_id(),
            );
            if want != got {
                return Err(format!(
                    "metadata (bier, BFIR-id, entropy, proto, BSL code, BIFT-id) {got:?}, the frame has {want:?}"
                ));
            }
        }
    }
    Ok(())
}

/// Writes the shadow bank through the backend's registers (no commit).
pub fn write_shadow(nic: &Nic<SimBackend>, bift: &Bift) -> Result<(), String> {
    let p = nic.params();
    nic.with_backend(|s| {
        let mut bus = biernic::program::BackendBus(s);
        biernic::program::write_shadow(&mut bus, bift, &p).map_err(|e| e.to_string())
    })
}

/// Swaps the banks (`CTRL_COMMIT`), waiting for the swap to complete.
pub fn commit(nic: &Nic<SimBackend>) -> Result<(), String> {
    nic.with_backend(|s| {
        let mut bus = biernic::program::BackendBus(s);
        biernic::program::commit(&mut bus).map_err(|e| e.to_string())
    })
}

/// The counter `c` in `s` (0 if the build has none).
pub fn counter(s: &Stats, c: Counter) -> u64 {
    s.get(c).unwrap_or(0)
}

/// Sum of the drop counters.
pub fn total_drops(s: &Stats) -> u64 {
    regmap::DropReason::ALL
        .iter()
        .map(|r| counter(s, Counter::Drops(*r)))
        .sum()
}
