//! The device commands of the `biernic` CLI: `info`, `bift load`, `bift dump`, `stats`, `send`
//! and `recv`, on a card (`--device PCI-ADDRESS`, the vfio backend) or on the simulated NIC
//! (`--sim`, the verilated NIC core in this process, fresh for every command).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use biernic::backend::Backend;
use biernic::capture::{CaptureReader, CaptureWriter};
use biernic::nic::{Nic, NicError, PacketBuf, RxFrame, Stats, DEFAULT_BUF_SIZE, JUMBO_BUF_SIZE};
use biernic::simdev::SimBackend;
use biernic::vfio::VfioBackend;
use clap::{Args, ValueEnum};

use crate::{fail, load, write_stdout, Failure};

/// Which NIC a device command talks to.
#[derive(Args, Clone, Debug)]
pub struct DeviceArgs {
    /// The card, by PCI address (for example 0000:3b:00.0), bound to vfio-pci.
    #[arg(
        long,
        value_name = "PCI-ADDRESS",
        required_unless_present = "sim",
        conflicts_with = "sim"
    )]
    pub device: Option<String>,
    /// The simulated NIC: the verilated NIC core in this process, new (reset, no BIFT) for
    /// every command.
    #[arg(long)]
    pub sim: bool,
    /// NIC build for --sim.
    #[arg(long, value_enum, default_value_t = SimBuild::Wide, requires = "sim")]
    pub sim_build: SimBuild,
}

/// The NIC builds the simulator runs.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SimBuild {
    /// 512-bit data path, 2 ports, 8 transmit and 8 receive queues, BSL up to 1024.
    Wide,
    /// 64-bit data path, 2 ports, 2 transmit and 2 receive queues, BSL up to 256.
    Narrow,
}

/// The simulated NIC's clock period used for capture timestamps (250 MHz).
const SIM_CYCLE_NS: u64 = 4;
/// Ring size (log2) of the transmit queue and of `recv`'s receive queue.
const RING_LOG2: u32 = 9;
/// Ring size (log2) of each receive queue `send --out-dir` captures.
const RX_RING_LOG2: u32 = 7;
/// Frames per `send_batch`.
const BATCH: usize = 32;
/// With --sim: service calls (of 64 cycles) without any progress after which the NIC is idle.
const SIM_QUIET_POLLS: u32 = 400;

/// The backends, with what only the simulator can do.
pub trait DeviceExt: Backend {
    /// The simulated NIC, if this is one.
    fn sim(&mut self) -> Option<&mut SimBackend> {
        None
    }
}

impl DeviceExt for VfioBackend {}

impl DeviceExt for SimBackend {
    fn sim(&mut self) -> Option<&mut SimBackend> {
        Some(self)
    }
}

/// An opened NIC of either backend.
pub enum Opened {
    /// A card.
    Vfio(Nic<VfioBackend>),
    /// The simulated NIC.
    Sim(Nic<SimBackend>),
}

fn nic_err(e: NicError) -> Failure {
    let code = match e {
        NicError::Program(_) | NicError::Layout(_) => 2,
        _ => 1,
    };
    fail(code, e)
}

/// Opens the NIC that `d` names.
pub fn open(d: &DeviceArgs) -> Result<Opened, Failure> {
    if let Some(addr) = &d.device {
        let b = VfioBackend::open(addr).map_err(|e| fail(1, e))?;
        return Ok(Opened::Vfio(Nic::open(b).map_err(nic_err)?));
    }
    let build = match d.sim_build {
        SimBuild::Wide => biernic_sim::Build::NicWide,
        SimBuild::Narrow => biernic_sim::Build::NicNarrow,
    };
    let b = SimBackend::new(build).map_err(|e| fail(1, e))?;
    Ok(Opened::Sim(Nic::open(b).map_err(nic_err)?))
}

/// Runs `$body` with `$nic` bound to the opened NIC, whichever backend it has.
macro_rules! on_device {
    ($d:expr, |$nic:ident| $body:expr) => {
        match $crate::devcmd::open($d)? {
            $crate::devcmd::Opened::Vfio($nic) => $body,
            $crate::devcmd::Opened::Sim($nic) => $body,
        }
    };
}
pub(crate) use on_device;

/// Loads `bift` (if given) and says so.
fn preload<B: DeviceExt>(nic: &Nic<B>, bift: Option<&Path>) -> Result<Option<bier::Bift>, Failure> {
    match bift {
        None => Ok(None),
        Some(p) => {
            let b = load(p)?;
            nic.load_bift(&b).map_err(nic_err)?;
            Ok(Some(b))
        }
    }
}

/// `biernic info`.
pub fn info<B: DeviceExt>(nic: Nic<B>) -> Result<(), Failure> {
    let text = format!("{}\n{}", nic.describe(), nic.info());
    nic.shutdown().map_err(nic_err)?;
    write_stdout(&text)
}

/// `biernic bift load FILE`: load hitlessly, read back, compare.
pub fn bift_load<B: DeviceExt>(nic: Nic<B>, file: &Path) -> Result<(), Failure> {
    let b = load(file)?;
    nic.load_bift(&b).map_err(nic_err)?;
    let dump = nic.read_bift().map_err(nic_err)?;
    let diff = dump.differences(&b);
    nic.shutdown().map_err(nic_err)?;
    if !diff.is_empty() {
        return Err(fail(
            1,
            format!(
                "the table read back differs from {}:\n  {}",
                file.display(),
                diff.join("\n  ")
            ),
        ));
    }
    write_stdout(&format!(
        "loaded {} (BSL {}, {} sets, {} ECMP buckets, {} targets) into bank {}; read back: identical\n",
        file.display(),
        b.bsl(),
        b.sets(),
        b.buckets(),
        b.targets().len(),
        dump.active_bank
    ))
}

/// `biernic bift dump`.
pub fn bift_dump<B: DeviceExt>(nic: Nic<B>, bift: Option<&Path>) -> Result<(), Failure> {
    preload(&nic, bift)?;
    let dump = nic.read_bift().map_err(nic_err)?;
    nic.shutdown().map_err(nic_err)?;
    write_stdout(&dump.to_string())
}

/// The non-zero lines of `s` (all of them with `all`).
fn render_stats(s: &Stats, all: bool) -> String {
    let text = s.to_string();
    if all {
        return text;
    }
    text.lines()
        .filter(|l| {
            // counters end in their value; queue lines read "cons N errors N drops N"
            !l.split_whitespace()
                .filter_map(|w| w.parse::<u64>().ok())
                .all(|v| v == 0)
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// `biernic stats`.
pub fn stats<B: DeviceExt>(nic: Nic<B>, all: bool) -> Result<(), Failure> {
    let s = nic.stats().map_err(nic_err)?;
    nic.shutdown().map_err(nic_err)?;
    let mut text = render_stats(&s, all);
    if text.is_empty() {
        text = "every counter is 0\n".into();
    }
    write_stdout(&text)
}

/// Options of `biernic send`.
pub struct SendOpts {
    /// Input capture.
    pub input: PathBuf,
    /// Transmit queue.
    pub queue: usize,
    /// BIFT to load first.
    pub bift: Option<PathBuf>,
    /// Where to write what the receive queues (and, simulated, the ports) got.
    pub out_dir: Option<PathBuf>,
    /// Device: how long to wait for the last completions and copies.
    pub timeout: Duration,
}

/// Captures being written, one per receive queue or port.
struct Outputs {
    writers: Vec<(String, CaptureWriter, u64)>,
}

impl Outputs {
    fn create(dir: &Path, names: &[String]) -> Result<Outputs, Failure> {
        std::fs::create_dir_all(dir).map_err(|e| fail(1, format!("{}: {e}", dir.display())))?;
        let writers = names
            .iter()
            .map(|n| {
                let p = dir.join(format!("{n}.pcap"));
                CaptureWriter::create(&p)
                    .map(|w| (n.clone(), w, 0))
                    .map_err(|e| fail(1, e))
            })
            .collect::<Result<_, _>>()?;
        Ok(Outputs { writers })
    }

    fn write(&mut self, i: usize, ts: Duration, data: &[u8]) -> Result<(), Failure> {
        let (_, w, n) = &mut self.writers[i];
        *n += 1;
        w.write(ts, data).map_err(|e| fail(1, e))
    }

    fn finish(self, dir: &Path) -> Result<String, Failure> {
        let mut s = String::new();
        for (name, w, n) in self.writers {
            w.finish().map_err(|e| fail(1, e))?;
            s += &format!(
                "{}: {n} frames\n",
                dir.join(format!("{name}.pcap")).display()
            );
        }
        Ok(s)
    }
}

/// Moves completed receive frames of every queue in `rxs` into `out` (if any); returns how
/// many were received.
fn drain_rx<B: DeviceExt>(
    rxs: &mut [biernic::nic::RxQueue<B>],
    out: &mut Option<Outputs>,
    first: usize,
    start: Instant,
    frames: &mut Vec<RxFrame>,
    bad: &mut u64,
) -> Result<usize, Failure> {
    let mut n = 0;
    for (i, rx) in rxs.iter_mut().enumerate() {
        frames.clear();
        n += rx.recv_batch(256, frames).map_err(nic_err)?;
        for f in frames.drain(..) {
            if !f.status().is_ok() {
                *bad += 1;
                continue;
            }
            if let Some(o) = out.as_mut() {
                o.write(first + i, start.elapsed(), &f.to_vec())?;
            }
        }
    }
    Ok(n)
}

/// Reads every frame of a capture (frames of 0 bytes or over the jumbo buffer size are
/// counted and skipped).
fn read_capture(path: &Path) -> Result<(Vec<Vec<u8>>, u64), Failure> {
    let mut r = CaptureReader::open(path).map_err(|e| fail(1, e))?;
    let (mut frames, mut skipped) = (Vec::new(), 0);
    while let Some(f) = r.next_frame() {
        let f = f.map_err(|e| fail(1, e))?;
        if f.data.is_empty() || f.data.len() > JUMBO_BUF_SIZE {
            skipped += 1;
        } else {
            frames.push(f.data);
        }
    }
    Ok((frames, skipped))
}

/// The buffer size for frames up to `max_len` bytes.
fn buf_size(max_len: usize) -> usize {
    if max_len <= DEFAULT_BUF_SIZE {
        DEFAULT_BUF_SIZE
    } else {
        JUMBO_BUF_SIZE
    }
}

/// Whether the simulated NIC still has work (a card: never known, `false`).
fn sim_busy<B: DeviceExt>(nic: &Nic<B>) -> bool {
    nic.with_backend(|b| b.sim().is_some_and(|s| s.busy()))
}

/// `biernic send`: the frames of a capture through transmit queue `queue`.
pub fn send<B: DeviceExt>(nic: Nic<B>, o: &SendOpts) -> Result<(), Failure> {
    preload(&nic, o.bift.as_deref())?;
    let info = nic.info().clone();
    if o.queue >= info.txq {
        return Err(fail(
            2,
            format!(
                "--queue {}: the NIC has {} transmit queues",
                o.queue, info.txq
            ),
        ));
    }
    let (input, skipped) = read_capture(&o.input)?;
    let size = buf_size(input.iter().map(Vec::len).max().unwrap_or(0));
    let pool = nic.mempool(2 << RING_LOG2, size).map_err(nic_err)?;
    let mut tx = nic.tx_queue(o.queue, RING_LOG2).map_err(nic_err)?;
    let is_sim = nic.with_backend(|b| b.sim().is_some());
    // receive queues are opened (and captured) only with --out-dir
    let mut rxs = Vec::new();
    let mut out = None;
    let rx_pool;
    if let Some(dir) = &o.out_dir {
        rx_pool = nic
            .mempool(info.rxq * (2 << RX_RING_LOG2), size)
            .map_err(nic_err)?;
        for q in 0..info.rxq {
            rxs.push(nic.rx_queue(q, RX_RING_LOG2, &rx_pool).map_err(nic_err)?);
        }
        let mut names: Vec<String> = (0..info.rxq).map(|q| format!("rxq{q}")).collect();
        if is_sim {
            names.extend((0..info.ports).map(|p| format!("port{p}")));
        }
        out = Some(Outputs::create(dir, &names)?);
    }
    let start = Instant::now();
    let (mut received, mut rx_bad) = (0u64, 0u64);
    let mut batch: Vec<PacketBuf> = Vec::with_capacity(BATCH);
    let mut frames = Vec::new();
    let mut next = 0;
    let mut last = Instant::now();
    let mut quiet = 0u32;
    loop {
        while next < input.len() && batch.len() < BATCH {
            let Some(mut b) = pool.alloc() else { break };
            b.fill(&input[next]);
            batch.push(b);
            next += 1;
        }
        let sent = if batch.is_empty() {
            tx.reap().map_err(nic_err)?
        } else {
            tx.send_batch(&mut batch).map_err(nic_err)?
        };
        let got = drain_rx(&mut rxs, &mut out, 0, start, &mut frames, &mut rx_bad)?;
        received += got as u64;
        let done = next == input.len() && batch.is_empty();
        if done && tx.in_flight() == 0 && rxs.is_empty() && !is_sim {
            // a card: every frame is out and nothing is captured, so nothing to wait for
            break;
        }
        if sent > 0 || got > 0 || (is_sim && (tx.in_flight() > 0 || sim_busy(&nic))) {
            quiet = 0;
            last = Instant::now();
        } else {
            quiet += 1;
        }
        if is_sim {
            if quiet >= SIM_QUIET_POLLS {
                if done {
                    break;
                }
                return Err(fail(1, "the simulated NIC stopped taking frames"));
            }
        } else {
            if last.elapsed() >= o.timeout {
                if done {
                    break;
                }
                return Err(fail(
                    1,
                    format!(
                        "the transmit ring stayed full for {:?}: the NIC does not consume descriptors",
                        o.timeout
                    ),
                ));
            }
            if sent == 0 && got == 0 {
                std::thread::sleep(Duration::from_micros(20));
            }
        }
    }
    let c = tx.counters();
    let failures = tx.take_failures();
    let in_flight = tx.in_flight();
    let mut s = String::new();
    if let Some(mut outs) = out {
        if is_sim {
            let ports = nic.with_backend(|b| {
                b.sim().map(|s| {
                    (0..info.ports)
                        .map(|p| s.nic().take_port_frames(p))
                        .collect::<Result<Vec<_>, _>>()
                })
            });
            let ports = ports.unwrap_or(Ok(Vec::new())).map_err(|e| fail(1, e))?;
            for (p, frames) in ports.into_iter().enumerate() {
                for f in frames {
                    let ts = Duration::from_nanos(f.first_cycle * SIM_CYCLE_NS);
                    outs.write(info.rxq + p, ts, &f.data)?;
                }
            }
        }
        if let Some(dir) = o.out_dir.as_deref() {
            s += &outs.finish(dir)?;
        }
    }
    drop(rxs);
    let stats = nic.stats().map_err(nic_err)?;
    drop(tx);
    nic.shutdown().map_err(nic_err)?;
    s += &format!(
        "sent {} of {} frames from {} through transmit queue {}: {} completed with an error{}\n",
        c.frames,
        input.len(),
        o.input.display(),
        o.queue,
        c.errors,
        if skipped > 0 {
            format!(", {skipped} skipped (empty or over {JUMBO_BUF_SIZE} bytes)")
        } else {
            String::new()
        }
    );
    for f in failures.iter().take(8) {
        s += &format!(
            "  descriptor {}: {} (length {})\n",
            f.index, f.status, f.len
        );
    }
    if o.out_dir.is_some() {
        s += &format!(
            "received {received} frames on the receive queues ({rx_bad} with an error status)\n"
        );
    }
    if in_flight > 0 {
        s += &format!("{in_flight} frames were still in flight at shutdown\n");
    }
    s += &render_stats(&stats, false);
    write_stdout(&s)
}

/// Options of `biernic recv`.
pub struct RecvOpts {
    /// Receive queue.
    pub queue: usize,
    /// Output capture.
    pub out: PathBuf,
    /// Stop after this many frames.
    pub count: Option<u64>,
    /// Device: stop after this long without a frame.
    pub timeout: Duration,
    /// BIFT to load first.
    pub bift: Option<PathBuf>,
    /// Simulated NIC: frames to inject on a port.
    pub inject: Option<PathBuf>,
    /// Port for `inject`.
    pub port: usize,
    /// Jumbo (9216-byte) receive buffers instead of 2048-byte ones.
    pub jumbo: bool,
}

/// `biernic recv`: frames of one receive queue into a capture.
pub fn recv<B: DeviceExt>(nic: Nic<B>, o: &RecvOpts) -> Result<(), Failure> {
    preload(&nic, o.bift.as_deref())?;
    let info = nic.info().clone();
    if o.queue >= info.rxq {
        return Err(fail(
            2,
            format!(
                "--queue {}: the NIC has {} receive queues",
                o.queue, info.rxq
            ),
        ));
    }
    let is_sim = nic.with_backend(|b| b.sim().is_some());
    let size = if o.jumbo {
        JUMBO_BUF_SIZE
    } else {
        DEFAULT_BUF_SIZE
    };
    let pool = nic.mempool(2 << RING_LOG2, size).map_err(nic_err)?;
    let mut rx = nic.rx_queue(o.queue, RING_LOG2, &pool).map_err(nic_err)?;
    let mut out = CaptureWriter::create(&o.out).map_err(|e| fail(1, e))?;
    // frames are injected once the queue is up (copies for other, closed queues are dropped
    // and counted in their Q_DROPS)
    let mut injected = 0u64;
    if let Some(path) = &o.inject {
        if !is_sim {
            return Err(fail(2, "--inject needs --sim (a card's ports are wires)"));
        }
        if o.port >= info.ports {
            return Err(fail(
                2,
                format!("--port {}: the NIC has {} ports", o.port, info.ports),
            ));
        }
        let (frames, _) = read_capture(path)?;
        for f in frames {
            nic.with_backend(|b| b.sim().map(|s| s.nic().inject(o.port, f)))
                .transpose()
                .map_err(|e| fail(1, e))?;
            injected += 1;
        }
    }
    let start = Instant::now();
    let mut last = Instant::now();
    let (mut n, mut bad, mut quiet) = (0u64, 0u64, 0u32);
    let mut frames = Vec::new();
    let mut meta = Vec::new();
    loop {
        frames.clear();
        let got = rx.recv_batch(256, &mut frames).map_err(nic_err)?;
        for f in frames.drain(..) {
            if !f.status().is_ok() {
                bad += 1;
                continue;
            }
            n += 1;
            let m = f.meta();
            if m.bier() && meta.len() < 8 {
                meta.push(format!(
                    "  frame {n}: {} bytes, BFIR-id {}, entropy 0x{:05x}, BIFT-id 0x{:05x}",
                    m.len(),
                    m.bfir_id(),
                    m.entropy(),
                    m.bift_id()
                ));
            }
            out.write(start.elapsed(), &f.to_vec())
                .map_err(|e| fail(1, e))?;
            if o.count.is_some_and(|c| n >= c) {
                break;
            }
        }
        if o.count.is_some_and(|c| n >= c) {
            break;
        }
        if got > 0 {
            quiet = 0;
            last = Instant::now();
        } else if is_sim {
            quiet = if sim_busy(&nic) { 0 } else { quiet + 1 };
            if quiet >= SIM_QUIET_POLLS {
                break;
            }
        } else if last.elapsed() >= o.timeout {
            break;
        } else {
            std::thread::sleep(Duration::from_micros(50));
        }
        nic.service().map_err(nic_err)?;
    }
    out.finish().map_err(|e| fail(1, e))?;
    let regs = nic.stats().map_err(nic_err)?;
    drop(rx);
    nic.shutdown().map_err(nic_err)?;
    let mut s = String::new();
    if o.inject.is_some() {
        s += &format!("injected {injected} frames on port {}\n", o.port);
    }
    s += &format!(
        "received {n} frames on receive queue {} into {} ({bad} with an error status)\n",
        o.queue,
        o.out.display()
    );
    for l in meta {
        s += &l;
        s += "\n";
    }
    s += &render_stats(&regs, false);
    write_stdout(&s)
}
