//! Host CPU time per frame of the driver's fast path (`make bench-driver`).
//!
//! * `tx/…/batch N`: allocate N buffers from the pool, set their length, `send_batch` (which
//!   reaps the previous batch's completions by phase bit and recycles their buffers, writes N
//!   descriptors, one release fence and one doorbell).
//! * `rx/…/batch N`: `recv_batch(N)` (completions by phase bit, metadata, frames handed out),
//!   dropping the frames (buffers back to the pool) and the refill (N descriptors, one
//!   doorbell) inside it.
//!
//! The device side is [`Loopback`], a minimal ring consumer in this harness: it completes
//! every posted descriptor in `service()` by writing one 8-byte completion word (transmit:
//! the descriptor's length; receive: a 64-byte BIER frame's metadata) and nothing else — no
//! frame data is moved. Its cost is measured on its own (`consumer-only`: the same
//! completion writes for the same number of descriptors with no driver involved) so that the
//! driver's share is `driver+consumer − consumer-only`.
//!
//! Times are the benchmark thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), not wall time, so
//! that other processes on a loaded machine do not inflate them.
//!
//! [`tx_round`] and [`rx_round`] are generic over [`Backend`]. Frames per second end to end
//! through the verilated NIC are measured by `tests/benches/host.rs` (the second half of
//! `make bench-driver`).

use std::hint::black_box;
use std::time::Duration;

use biernic::backend::{Backend, DeviceError, DmaRegion};
use biernic::nic::{Mempool, Nic, PacketBuf, RxFrame, RxQueue, TxQueue, DEFAULT_BUF_SIZE};
use biernic::soft::SoftNic;
use biernic_hw::regmap::dma;
use biernic_hw::NicParams;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const RING_LOG2: u32 = 9;

/// CPU time consumed by this thread so far.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_THREAD_CPUTIME_ID is always supported
    // on Linux.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Runs `f` `iters` times and returns the thread CPU time it took.
fn cpu_timed(iters: u64, mut f: impl FnMut()) -> Duration {
    let t0 = thread_cpu();
    for _ in 0..iters {
        f();
    }
    thread_cpu() - t0
}
const BATCHES: [usize; 4] = [1, 8, 32, 256];

/// One transmit round: `batch` frames of 60 bytes through `send_batch`.
pub fn tx_round<B: Backend>(
    tx: &mut TxQueue<B>,
    pool: &Mempool,
    batch: usize,
    v: &mut Vec<PacketBuf>,
) {
    pool.alloc_batch(batch, v);
    for b in v.iter_mut() {
        b.set_len(60);
    }
    while !v.is_empty() {
        tx.send_batch(v).expect("send");
    }
}

/// One receive round: up to `batch` frames through `recv_batch`, then dropped (recycled).
pub fn rx_round<B: Backend>(rx: &mut RxQueue<B>, batch: usize, out: &mut Vec<RxFrame>) -> usize {
    let n = rx.recv_batch(batch, out).expect("recv");
    for f in out.iter() {
        black_box(f.meta().bift_id());
    }
    out.clear();
    n
}

/// A ring of a [`Loopback`] queue.
#[derive(Default, Clone, Copy)]
struct Ring {
    desc: usize,
    cpl: usize,
    log2: u32,
    enabled: bool,
    prod: u16,
    done: u16,
}

/// Minimal device: registers from [`SoftNic`], rings completed instantly in `service()`.
struct Loopback {
    soft: SoftNic,
    /// I/O address -> host address of the regions handed out.
    regions: Vec<(u64, usize, usize)>,
    tx: Vec<Ring>,
    rx: Vec<Ring>,
    ring_iova: Vec<[u64; 2]>,
}

impl Loopback {
    fn new(p: NicParams) -> Loopback {
        let (t, r) = (p.txq(), p.rxq());
        Loopback {
            soft: SoftNic::new(p),
            regions: Vec::new(),
            tx: vec![Ring::default(); t],
            rx: vec![Ring::default(); r],
            ring_iova: vec![[0; 2]; t + r],
        }
    }
    fn host(&self, iova: u64) -> usize {
        let (b, p, _) = self
            .regions
            .iter()
            .find(|(b, _, l)| (*b..*b + *l as u64).contains(&iova))
            .expect("mapped");
        p + (iova - b) as usize
    }
    /// Writes the completions of descriptors `done..prod`.
    #[inline]
    fn complete(r: &mut Ring, rx: bool) {
        let mask = (1u16 << r.log2) - 1;
        while r.done != r.prod {
            let slot = usize::from(r.done & mask);
            let phase = u64::from(dma::expected_phase(r.done, r.log2));
            let cpl = (r.cpl + slot * 16) as *mut u64;
            // SAFETY: `cpl` and `desc` point into ring regions this backend handed out, which
            // the benchmark keeps alive (queues are dropped last, after disable + idle);
            // aligned (16-byte records in a page-aligned region); single-threaded.
            unsafe {
                let len = if rx {
                    cpl.add(1).write_volatile(0x0_0010_0000_u64 << 32 | 3 << 26);
                    64
                } else {
                    ((r.desc + slot * 16 + 8) as *const u32).read_volatile()
                };
                cpl.write_volatile(
                    u64::from(len)
                        | u64::from(rx as u8) << 24
                        | phase << 31
                        | u64::from(r.done) << 32,
                );
            }
            r.done = r.done.wrapping_add(1);
        }
    }
    /// Consumer-only work: completes `n` more descriptors of transmit queue 0 with no driver.
    fn consume_only(&mut self, n: usize) {
        let r = &mut self.tx[0];
        r.prod = r.prod.wrapping_add(n as u16);
        Self::complete(r, false);
    }
}

impl Backend for Loopback {
    fn read32(&mut self, addr: u16) -> Result<u32, DeviceError> {
        self.soft.read32(addr)
    }
    fn write32(&mut self, addr: u16, value: u32) -> Result<(), DeviceError> {
        let nt = self.tx.len() as u16;
        let nr = self.rx.len() as u16;
        let q = if (dma::TXQ_BASE..dma::TXQ_BASE + nt * dma::Q_STRIDE).contains(&addr) {
            Some((false, usize::from((addr - dma::TXQ_BASE) / dma::Q_STRIDE)))
        } else if (dma::RXQ_BASE..dma::RXQ_BASE + nr * dma::Q_STRIDE).contains(&addr) {
            Some((true, usize::from((addr - dma::RXQ_BASE) / dma::Q_STRIDE)))
        } else {
            None
        };
        let Some((rx, q)) = q else {
            return self.soft.write32(addr, value);
        };
        let base = if rx { dma::RXQ_BASE } else { dma::TXQ_BASE };
        let reg = (addr - base) % dma::Q_STRIDE;
        let ix = q + if rx { self.tx.len() } else { 0 };
        match reg {
            dma::Q_PROD => {
                let r = if rx { &mut self.rx[q] } else { &mut self.tx[q] };
                r.prod = value as u16;
                return Ok(());
            }
            dma::Q_RING_LO => self.ring_iova[ix][0] = u64::from(value),
            dma::Q_CPL_LO => self.ring_iova[ix][1] = u64::from(value),
            dma::Q_RING_HI => self.ring_iova[ix][0] |= u64::from(value) << 32,
            dma::Q_CPL_HI => self.ring_iova[ix][1] |= u64::from(value) << 32,
            dma::Q_CTRL => {
                let [d, c] = self.ring_iova[ix];
                let (desc, cpl) = if value & dma::Q_CTRL_ENABLE != 0 {
                    (self.host(d), self.host(c))
                } else {
                    (0, 0)
                };
                let r = if rx { &mut self.rx[q] } else { &mut self.tx[q] };
                *r = Ring {
                    desc,
                    cpl,
                    log2: value & 0xF,
                    enabled: value & dma::Q_CTRL_ENABLE != 0,
                    prod: 0,
                    done: 0,
                };
            }
            _ => {}
        }
        self.soft.write32(addr, value)
    }
    fn alloc_dma(&mut self, len: usize) -> Result<DmaRegion, DeviceError> {
        let r = self.soft.alloc_dma(len)?;
        self.regions.push((r.iova(), r.as_ptr() as usize, r.len()));
        Ok(r)
    }
    #[inline]
    fn service(&mut self) -> Result<(), DeviceError> {
        for r in self.tx.iter_mut().filter(|r| r.enabled) {
            Self::complete(r, false);
        }
        for r in self.rx.iter_mut().filter(|r| r.enabled) {
            Self::complete(r, true);
        }
        Ok(())
    }
    fn describe(&self) -> String {
        "loopback ring consumer (benchmark)".into()
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("driver");
    for batch in BATCHES {
        g.throughput(Throughput::Elements(batch as u64));

        let nic = Nic::open(Loopback::new(NicParams::wide())).expect("open");
        let pool = nic.mempool(4096, DEFAULT_BUF_SIZE).expect("pool");
        let mut tx = nic.tx_queue(0, RING_LOG2).expect("txq");
        let mut v = Vec::with_capacity(batch);
        g.bench_function(BenchmarkId::new("tx/driver+consumer", batch), |b| {
            b.iter_custom(|n| cpu_timed(n, || tx_round(&mut tx, &pool, batch, &mut v)))
        });
        drop(tx);

        let rpool = nic.mempool(4096, DEFAULT_BUF_SIZE).expect("pool");
        let mut rx = nic.rx_queue(0, RING_LOG2, &rpool).expect("rxq");
        let mut out = Vec::with_capacity(batch);
        g.bench_function(BenchmarkId::new("rx/driver+consumer", batch), |b| {
            b.iter_custom(|n| {
                cpu_timed(n, || {
                    rx_round(&mut rx, batch, &mut out);
                })
            })
        });
        drop(rx);

        let tx = nic.tx_queue(0, RING_LOG2).expect("txq");
        g.bench_function(BenchmarkId::new("consumer-only", batch), |b| {
            b.iter_custom(|n| cpu_timed(n, || nic.with_backend(|lb| lb.consume_only(batch))))
        });
        drop(tx);
        nic.shutdown().expect("shutdown");
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
