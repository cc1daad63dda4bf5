//! The device API over any [`Backend`]: identification, hitless BIFT loading and readback,
//! DMA buffer pools, transmit and receive queues, counters and a DMA-safe shutdown.
//!
//! ```text
//! let nic = Nic::open(backend)?;              // walks the register block chain
//! nic.load_bift(&bift)?;                      // shadow bank + commit (hitless)
//! let pool = nic.mempool(4096, DEFAULT_BUF_SIZE)?;
//! let mut tx = nic.tx_queue(0, 9)?;           // 512-entry rings
//! let mut rx = nic.rx_queue(0, 9, &pool)?;
//! tx.send_batch(&mut bufs)?;                  // one doorbell per batch
//! rx.recv_batch(32, &mut frames)?;            // completions found by phase bit
//! nic.shutdown()?;                            // queues off, DMA idle, then memory freed
//! ```
//!
//! # Sharing the device
//! The backend lives in an `Rc<RefCell<_>>` shared by the [`Nic`] and its queue handles, so
//! that a queue can ring its doorbell and service the device without a `&mut Nic`. Everything
//! is single-threaded (`!Send`): one thread owns a NIC and its queues, as in ixy.
//!
//! # DMA safety
//! Memory the device may access is only ever freed after the device has been told to stop
//! using it and has been seen idle: see [`TxQueue`] / [`RxQueue`] (their `shutdown` and
//! `Drop`) and [`Nic::shutdown`]. Frame bytes are accessed through [`PacketBuf`]'s copy
//! methods, never through a Rust reference into DMA memory.

mod dump;
mod mempool;
mod queue;

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use bier::{Bift, TargetKind};
use biernic_hw::regmap::{self, dma, Counter};
use biernic_hw::DataplaneParams;

use crate::backend::{Backend, DeviceError};
use crate::program::{self, BackendBus, ProgramError};

pub use dump::{BiftDump, FbmRow, MaskRow, TargetSettings};
pub use mempool::{Mempool, PacketBuf, DEFAULT_BUF_SIZE, JUMBO_BUF_SIZE};
pub use queue::{CplStatus, QueueCounters, RxFrame, RxMeta, RxQueue, TxCompletion, TxQueue};

/// Most blocks the chain walk visits before it calls the chain corrupt.
pub const MAX_BLOCKS: usize = 64;
/// Most reads of [`dma::DMA_STATUS`] while waiting for the DMA engine to go idle.
pub const IDLE_POLLS: usize = 100_000;
/// Transmit queues the register map has room for (`TXQ_BASE + 0x40*q` below `RXQ_BASE`).
const MAX_TXQ: usize = ((dma::RXQ_BASE - dma::TXQ_BASE) / dma::Q_STRIDE) as usize;
/// Receive queues the driver supports (its queue-in-use mask has 32 bits per direction).
const MAX_RXQ: usize = 32;

/// Errors of the device API. Messages name what was found.
#[derive(Debug, thiserror::Error)]
pub enum NicError {
    /// The backend failed (register access, DMA memory).
    #[error(transparent)]
    Device(#[from] DeviceError),
    /// Loading or reading the BIFT failed.
    #[error(transparent)]
    Program(#[from] ProgramError),
    /// The block at offset 0 is not the biernic identity block.
    #[error("not a biernic NIC: the block at 0x0000 has type 0x{found:08X}, expected 0x{:08X} (\"BIER\")", regmap::ID_TYPE_VALUE)]
    NotBiernic {
        /// Type id read at offset 0.
        found: u32,
    },
    /// The register block chain is corrupt (loop, misaligned or out-of-window pointer, too long).
    #[error("corrupt register block chain: {0}")]
    Chain(String),
    /// A block the driver needs is not in the chain.
    #[error("the register block chain has no {name} block (type 0x{type_id:08X}); found: {found}")]
    MissingBlock {
        /// Block name.
        name: &'static str,
        /// Type id looked for.
        type_id: u32,
        /// The chain as walked.
        found: String,
    },
    /// A block is at another address than the register map (and the driver) put it.
    #[error("the {name} block is at 0x{found:04X}, the register map puts it at 0x{expected:04X}")]
    BlockMoved {
        /// Block name.
        name: &'static str,
        /// Where it is.
        found: u16,
        /// Where the constants of `regmap` expect it.
        expected: u16,
    },
    /// A block has a major version this driver does not know.
    #[error("the {name} block has version {}.{}, this driver supports major version {}", found >> 16, found & 0xFFFF, supported >> 16)]
    Version {
        /// Block name.
        name: &'static str,
        /// Version read.
        found: u32,
        /// Version the driver was written for.
        supported: u32,
    },
    /// The identity and DMA parameters contradict each other or are out of range.
    #[error("the NIC reports inconsistent parameters: {0}")]
    Inconsistent(String),
    /// The queue's NIC was shut down ([`Nic::shutdown`]) while the handle was alive.
    #[error("{kind} queue {q}: the NIC was shut down, the queue takes no more frames")]
    Stopped {
        /// `transmit` or `receive`.
        kind: &'static str,
        /// Queue.
        q: usize,
    },
    /// The BIFT's targets do not match the NIC's ports and receive queues.
    #[error("the BIFT does not match this NIC's targets: {0}")]
    Layout(String),
    /// No such queue.
    #[error("{kind} queue {q} does not exist (the NIC has {count})")]
    NoQueue {
        /// `transmit` or `receive`.
        kind: &'static str,
        /// Queue asked for.
        q: usize,
        /// Queues the NIC has.
        count: usize,
    },
    /// The queue already has a handle.
    #[error("{kind} queue {q} is already open")]
    QueueInUse {
        /// `transmit` or `receive`.
        kind: &'static str,
        /// Queue.
        q: usize,
    },
    /// Ring size out of range.
    #[error("ring size 2^{log2} is out of range 2^2..=2^{max}")]
    RingSize {
        /// Asked for.
        log2: u32,
        /// The NIC's (and the driver's) largest.
        max: u32,
    },
    /// Bad buffer pool geometry.
    #[error("buffer pool: {0}")]
    Pool(String),
    /// The DMA engine stayed busy.
    #[error("the DMA engine did not go idle after {polls} polls of DMA_STATUS; its memory is leaked rather than freed")]
    NotIdle {
        /// Polls made.
        polls: usize,
    },
    /// A completion broke the ring protocol.
    #[error("{kind} queue {q}: {what}")]
    Protocol {
        /// `transmit` or `receive`.
        kind: &'static str,
        /// Queue.
        q: usize,
        /// What was seen.
        what: String,
    },
}

/// One block of the register chain as found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Base address.
    pub base: u16,
    /// Type id.
    pub type_id: u32,
    /// Version (major << 16 | minor).
    pub version: u32,
}

/// What the NIC reports about itself (identity and DMA blocks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Info {
    /// Data path width in bytes (buffer addresses are multiples of it).
    pub data_bytes: usize,
    /// Largest BitString length in bits.
    pub max_bsl: usize,
    /// Egress targets (ports, then receive queues).
    pub targets: usize,
    /// Network ports.
    pub ports: usize,
    /// Transmit queues.
    pub txq: usize,
    /// Receive queues.
    pub rxq: usize,
    /// BIFT set slots per bank.
    pub sets: usize,
    /// ECMP buckets per set (build maximum).
    pub buckets: usize,
    /// Egress FIFO depth in beats.
    pub fifo_beats: usize,
    /// 64-bit counters in the counter block.
    pub counters: usize,
    /// Largest ring size as log2 of entries.
    pub max_ring_log2: u32,
    /// The block chain in walk order.
    pub blocks: Vec<Block>,
}

impl Info {
    /// The data plane build these parameters describe (`host_queues = txq`,
    /// `net_ingress = ports`), for [`program::check_fits`] and [`program::load`].
    pub fn dataplane(&self) -> DataplaneParams {
        DataplaneParams {
            data_bytes: self.data_bytes,
            max_bsl: self.max_bsl,
            targets: self.targets,
            net_ingress: self.ports,
            sets: self.sets,
            buckets: self.buckets,
            host_queues: self.txq,
        }
    }
}

impl fmt::Display for Info {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "data path {} B, max BSL {}, {} targets ({} ports + {} receive queues), {} transmit queues",
            self.data_bytes, self.max_bsl, self.targets, self.ports, self.rxq, self.txq
        )?;
        writeln!(
            f,
            "BIFT {} sets x {} buckets, egress FIFOs {} beats, {} counters, rings up to 2^{}",
            self.sets, self.buckets, self.fifo_beats, self.counters, self.max_ring_log2
        )?;
        for b in &self.blocks {
            writeln!(
                f,
                "block 0x{:04X}: type 0x{:08X} version {}.{}",
                b.base,
                b.type_id,
                b.version >> 16,
                b.version & 0xFFFF
            )?;
        }
        Ok(())
    }
}

/// Per-queue registers of the DMA block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueRegs {
    /// `Q_CONS`: completions written (free-running, 16 bits).
    pub cons: u16,
    /// `Q_ERRORS`: completions with a non-zero status.
    pub errors: u32,
    /// `Q_DROPS`: frames dropped because the (receive) queue was disabled.
    pub drops: u32,
}

/// A snapshot of every counter of the NIC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stats {
    /// The counter block, in index order.
    pub counters: Vec<(Counter, u64)>,
    /// Transmit queue registers, by queue.
    pub txq: Vec<QueueRegs>,
    /// Receive queue registers, by queue.
    pub rxq: Vec<QueueRegs>,
}

impl Stats {
    /// The value of one counter (`None` if the build has no such counter).
    pub fn get(&self, c: Counter) -> Option<u64> {
        self.counters.iter().find(|(k, _)| *k == c).map(|(_, v)| *v)
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (c, v) in &self.counters {
            writeln!(f, "{:<24} {v}", c.name())?;
        }
        for (kind, qs) in [("txq", &self.txq), ("rxq", &self.rxq)] {
            for (q, r) in qs.iter().enumerate() {
                writeln!(
                    f,
                    "{kind}[{q}] cons {} errors {} drops {}",
                    r.cons, r.errors, r.drops
                )?;
            }
        }
        Ok(())
    }
}

/// The state shared by a [`Nic`] and its queue handles.
pub(crate) struct Shared<B: Backend> {
    pub(crate) backend: RefCell<B>,
    pub(crate) info: Info,
    /// Bit `q`: transmit queue `q` has a handle; bit `32 + q`: receive queue `q`.
    in_use: Cell<u64>,
    /// Set by [`Nic::shutdown`]: queue handles still alive may not post anything.
    pub(crate) stopped: Cell<bool>,
}

impl<B: Backend> Shared<B> {
    pub(crate) fn write(&self, addr: u16, v: u32) -> Result<(), DeviceError> {
        self.backend.borrow_mut().write32(addr, v)
    }
    pub(crate) fn service(&self) -> Result<(), DeviceError> {
        self.backend.borrow_mut().service()
    }
    /// Polls `DMA_STATUS` bit 0 (servicing the device between polls) until it reads idle.
    pub(crate) fn wait_idle(&self) -> Result<(), NicError> {
        let mut b = self.backend.borrow_mut();
        for _ in 0..IDLE_POLLS {
            if b.read32(dma::DMA_STATUS)? & 1 == 0 {
                return Ok(());
            }
            b.service()?;
        }
        Err(NicError::NotIdle { polls: IDLE_POLLS })
    }
    pub(crate) fn claim(&self, bit: u32, kind: &'static str, q: usize) -> Result<(), NicError> {
        let m = self.in_use.get();
        if m & (1 << bit) != 0 {
            return Err(NicError::QueueInUse { kind, q });
        }
        self.in_use.set(m | 1 << bit);
        Ok(())
    }
    pub(crate) fn release(&self, bit: u32) {
        self.in_use.set(self.in_use.get() & !(1 << bit));
    }
    /// Disables every queue (transmit and receive) whose `in_use` bit is not in `keep`.
    fn disable_queues(&self, keep: u64) -> Result<(), DeviceError> {
        for q in 0..self.info.txq {
            if keep & (1 << q) == 0 {
                self.write(dma::txq_reg(q, dma::Q_CTRL), 0)?;
            }
        }
        for q in 0..self.info.rxq {
            if keep & (1 << (32 + q)) == 0 {
                self.write(dma::rxq_reg(q, dma::Q_CTRL), 0)?;
            }
        }
        Ok(())
    }
}

/// An opened biernic NIC.
pub struct Nic<B: Backend> {
    shared: Rc<Shared<B>>,
    shut_down: bool,
}

/// The blocks the driver needs: name, base, type, version.
const REQUIRED: [(&str, u16, u32, u32); 5] = [
    (
        "identity",
        regmap::ID_BASE,
        regmap::ID_TYPE_VALUE,
        regmap::ID_VERSION_VALUE,
    ),
    (
        "control",
        regmap::CTRL_BASE,
        regmap::CTRL_TYPE_VALUE,
        regmap::CTRL_VERSION_VALUE,
    ),
    (
        "BIFT",
        regmap::BIFT_BASE,
        regmap::BIFT_TYPE_VALUE,
        regmap::BIFT_VERSION_VALUE,
    ),
    (
        "counter",
        regmap::CNT_BASE,
        regmap::CNT_TYPE_VALUE,
        regmap::CNT_VERSION_VALUE,
    ),
    (
        "DMA",
        dma::DMA_BASE,
        dma::DMA_TYPE_VALUE,
        dma::DMA_VERSION_VALUE,
    ),
];

/// Walks the block chain from 0: bounded, loop-checked, pointers 4-byte aligned and inside the
/// 64 KiB window.
fn walk_chain<B: Backend>(b: &mut B) -> Result<Vec<Block>, NicError> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut base: u16 = 0;
    loop {
        if blocks.len() == MAX_BLOCKS {
            return Err(NicError::Chain(format!(
                "more than {MAX_BLOCKS} blocks (last at 0x{base:04X})"
            )));
        }
        let type_id = b.read32(base + regmap::BLOCK_TYPE)?;
        if blocks.is_empty() && type_id != regmap::ID_TYPE_VALUE {
            return Err(NicError::NotBiernic { found: type_id });
        }
        let version = b.read32(base + regmap::BLOCK_VERSION)?;
        let next = b.read32(base + regmap::BLOCK_NEXT)?;
        blocks.push(Block {
            base,
            type_id,
            version,
        });
        if next == 0 {
            return Ok(blocks);
        }
        if next % 4 != 0 || next > 0xFFF0 {
            return Err(NicError::Chain(format!(
                "the block at 0x{base:04X} points to 0x{next:08X}, not a 4-byte aligned address in the 64 KiB window"
            )));
        }
        let next = next as u16;
        if blocks.iter().any(|blk| blk.base == next) {
            return Err(NicError::Chain(format!(
                "loop: the block at 0x{base:04X} points back to 0x{next:04X}"
            )));
        }
        base = next;
    }
}

fn describe_chain(blocks: &[Block]) -> String {
    blocks
        .iter()
        .map(|b| format!("0x{:08X}@0x{:04X}", b.type_id, b.base))
        .collect::<Vec<_>>()
        .join(" -> ")
}

impl<B: Backend> Nic<B> {
    /// Identifies the NIC behind `backend`: walks the block chain, checks that the identity,
    /// control, BIFT, counter and DMA blocks are there with a known major version, reads the
    /// parameters, and disables every queue (a previous user may have left some enabled),
    /// waiting for the DMA engine to go idle.
    pub fn open(mut backend: B) -> Result<Nic<B>, NicError> {
        let blocks = walk_chain(&mut backend)?;
        for (name, expected, type_id, version) in REQUIRED {
            let blk = blocks
                .iter()
                .find(|b| b.type_id == type_id)
                .ok_or_else(|| NicError::MissingBlock {
                    name,
                    type_id,
                    found: describe_chain(&blocks),
                })?;
            if blk.base != expected {
                return Err(NicError::BlockMoved {
                    name,
                    found: blk.base,
                    expected,
                });
            }
            if blk.version >> 16 != version >> 16 {
                return Err(NicError::Version {
                    name,
                    found: blk.version,
                    supported: version,
                });
            }
        }
        let mut rd = |a: u16| backend.read32(a).map(|v| v as usize);
        let info = Info {
            data_bytes: rd(regmap::ID_DATA_BYTES)?,
            max_bsl: rd(regmap::ID_MAX_BSL)?,
            targets: rd(regmap::ID_TARGETS)?,
            ports: rd(dma::DMA_PORTS)?,
            txq: rd(dma::DMA_TXQ)?,
            rxq: rd(dma::DMA_RXQ)?,
            sets: rd(regmap::ID_SETS)?,
            buckets: rd(regmap::ID_BUCKETS)?,
            fifo_beats: rd(regmap::ID_EGRESS_FIFO_BEATS)?,
            counters: rd(regmap::ID_COUNTERS)?,
            max_ring_log2: rd(dma::DMA_MAX_RING_LOG2)? as u32,
            blocks,
        };
        let net_ingress = rd(regmap::ID_NET_INGRESS)?;
        let cnt_count = rd(regmap::CNT_COUNT)?;
        check_info(&info, net_ingress, cnt_count)?;
        let shared = Rc::new(Shared {
            backend: RefCell::new(backend),
            info,
            in_use: Cell::new(0),
            stopped: Cell::new(false),
        });
        shared.disable_queues(0)?;
        shared.wait_idle()?;
        Ok(Nic {
            shared,
            shut_down: false,
        })
    }

    /// What the NIC reported at [`Nic::open`].
    pub fn info(&self) -> &Info {
        &self.shared.info
    }

    /// The data plane build (see [`Info::dataplane`]).
    pub fn params(&self) -> DataplaneParams {
        self.shared.info.dataplane()
    }

    /// The backend's description.
    pub fn describe(&self) -> String {
        self.shared.backend.borrow().describe()
    }

    /// Runs `f` on the backend (for tests and tools: a software device's frame injection, a
    /// simulator's knobs). Must not call into this NIC's queues (the backend is borrowed).
    pub fn with_backend<R>(&self, f: impl FnOnce(&mut B) -> R) -> R {
        f(&mut self.shared.backend.borrow_mut())
    }

    /// Lets the device make progress once ([`Backend::service`]).
    pub fn service(&self) -> Result<(), NicError> {
        Ok(self.shared.service()?)
    }

    /// Loads `bift` hitlessly: checks that it fits, writes the shadow bank and commits
    /// ([`program::load`]); traffic uses the old table until the swap. Then writes the table
    /// into the new shadow bank as well, so that both banks hold it: the BIFT settings
    /// registers only address the shadow bank, and this is what lets [`Nic::read_bift`] read
    /// the active table's settings back.
    pub fn load_bift(&self, bift: &Bift) -> Result<(), NicError> {
        let p = self.params();
        program::check_fits(bift, &p)?;
        check_layout(bift, &self.shared.info)?;
        let mut b = self.shared.backend.borrow_mut();
        let mut bus = BackendBus(&mut *b);
        program::load(&mut bus, bift, &p)?;
        program::write_shadow(&mut bus, bift, &p)?;
        Ok(())
    }

    /// Reads the active table back: settings and set slots (from the shadow bank, which
    /// [`Nic::load_bift`] keeps equal to the active one; [`BiftDump::shadow_in_sync`] says
    /// whether the F-BM rows of both banks agree) and the F-BM rows of every valid set slot,
    /// bucket and target (from the active bank, with the row read command).
    pub fn read_bift(&self) -> Result<BiftDump, NicError> {
        let p = self.params();
        let mut b = self.shared.backend.borrow_mut();
        let mut bus = BackendBus(&mut *b);
        Ok(dump::read(&mut bus, &p)?)
    }

    /// A pool of `count` DMA buffers of `buf_size` bytes (a multiple of 64 and of the data
    /// width; [`DEFAULT_BUF_SIZE`] or [`JUMBO_BUF_SIZE`]).
    pub fn mempool(&self, count: usize, buf_size: usize) -> Result<Mempool, NicError> {
        let data_bytes = self.shared.info.data_bytes;
        Mempool::new(
            &mut *self.shared.backend.borrow_mut(),
            data_bytes,
            count,
            buf_size,
        )
    }

    /// Sets up and enables transmit queue `q` with rings of `2^size_log2` entries.
    pub fn tx_queue(&self, q: usize, size_log2: u32) -> Result<TxQueue<B>, NicError> {
        TxQueue::new(self.shared.clone(), q, size_log2)
    }

    /// Sets up and enables receive queue `q` with rings of `2^size_log2` entries, posting
    /// buffers from `pool` (which should hold more buffers than the ring has entries, so that
    /// the ring stays full while the application holds frames).
    pub fn rx_queue(
        &self,
        q: usize,
        size_log2: u32,
        pool: &Mempool,
    ) -> Result<RxQueue<B>, NicError> {
        RxQueue::new(self.shared.clone(), q, size_log2, pool.clone())
    }

    /// Every counter of the counter block (64-bit: low word, then the latched high word) and
    /// every queue's `Q_CONS`, `Q_ERRORS` and `Q_DROPS`.
    pub fn stats(&self) -> Result<Stats, NicError> {
        let info = &self.shared.info;
        let mut b = self.shared.backend.borrow_mut();
        let mut counters = Vec::with_capacity(info.counters);
        for (i, c) in regmap::counters(&info.dataplane()).into_iter().enumerate() {
            let a = regmap::CNT_ARRAY + 8 * i as u16;
            let lo = b.read32(a)?;
            let hi = b.read32(a + 4)?;
            counters.push((c, u64::from(hi) << 32 | u64::from(lo)));
        }
        let mut queue =
            |reg: fn(usize, u16) -> u16, n: usize| -> Result<Vec<QueueRegs>, NicError> {
                (0..n)
                    .map(|q| {
                        Ok(QueueRegs {
                            cons: b.read32(reg(q, dma::Q_CONS))? as u16,
                            errors: b.read32(reg(q, dma::Q_ERRORS))?,
                            drops: b.read32(reg(q, dma::Q_DROPS))?,
                        })
                    })
                    .collect()
            };
        let txq = queue(dma::txq_reg, info.txq)?;
        let rxq = queue(dma::rxq_reg, info.rxq)?;
        Ok(Stats { counters, txq, rxq })
    }

    /// Sets every counter of the counter block to 0 (`CTRL_CLEAR`). The queue registers are
    /// not cleared (they are free-running).
    pub fn clear_counters(&self) -> Result<(), NicError> {
        Ok(self.shared.write(regmap::CTRL_CLEAR, 1)?)
    }

    /// Stops all DMA: disables every queue (also those whose handles are still alive: they
    /// stop moving frames) and waits until `DMA_STATUS` reads idle. After `Ok`, no DMA is in
    /// flight and none will start, so every DMA region (rings, buffers) can be freed; queue
    /// handles still alive free theirs when dropped. `Err(NotIdle)` if the engine never idles.
    pub fn shutdown(mut self) -> Result<(), NicError> {
        self.shut_down = true;
        self.shared.stopped.set(true);
        self.shared.disable_queues(0)?;
        self.shared.wait_idle()
    }
}

/// Checks that the targets of `bift` are laid out as the NIC's are: hardware target `t < ports`
/// is network port `t`, hardware target `ports + q` is receive queue `q`. A BIFT written for
/// another layout would send copies to the wrong place, so it is refused with what to change.
pub fn check_layout(bift: &Bift, info: &Info) -> Result<(), NicError> {
    let mut why = Vec::new();
    for (t, tg) in bift.targets().iter().enumerate() {
        let (want, got) = if t < info.ports {
            (format!("port {t}"), tg.kind)
        } else {
            (format!("local queue {}", t - info.ports), tg.kind)
        };
        let ok = match tg.kind {
            TargetKind::Port(p) => t < info.ports && usize::from(p) == t,
            TargetKind::Local(q) => t >= info.ports && usize::from(q) == t - info.ports,
        };
        if !ok {
            let got = match got {
                TargetKind::Port(p) => format!("port {p}"),
                TargetKind::Local(q) => format!("local queue {q}"),
            };
            why.push(format!(
                "target {t} (\"{}\") is {got}, this NIC's target {t} is {want}",
                tg.name
            ));
        }
    }
    if why.is_empty() {
        Ok(())
    } else {
        Err(NicError::Layout(format!(
            "{} (list the {} ports first, in order, then the local queues in order)",
            why.join("; "),
            info.ports
        )))
    }
}

fn check_info(info: &Info, net_ingress: usize, cnt_count: usize) -> Result<(), NicError> {
    let mut why = Vec::new();
    if !info.data_bytes.is_power_of_two() || info.data_bytes > 64 {
        why.push(format!(
            "data width {} B is not a power of two up to 64",
            info.data_bytes
        ));
    }
    if regmap::bsl_code(info.max_bsl).is_none() {
        why.push(format!("max BSL {} is not 64..=4096", info.max_bsl));
    }
    if !info.buckets.is_power_of_two() {
        why.push(format!(
            "{} ECMP buckets is not a power of two",
            info.buckets
        ));
    }
    if info.sets == 0 {
        why.push("0 set slots".into());
    }
    if net_ingress != info.ports {
        why.push(format!(
            "the identity block has {net_ingress} network ingresses, the DMA block {} ports",
            info.ports
        ));
    }
    if info.ports + info.rxq != info.targets {
        why.push(format!(
            "{} targets != {} ports + {} receive queues",
            info.targets, info.ports, info.rxq
        ));
    }
    if info.txq == 0 || info.txq > MAX_TXQ {
        why.push(format!("{} transmit queues (1..={MAX_TXQ})", info.txq));
    }
    if info.rxq > MAX_RXQ {
        why.push(format!("{} receive queues (at most {MAX_RXQ})", info.rxq));
    }
    if !(1..=15).contains(&info.max_ring_log2) {
        why.push(format!(
            "largest ring 2^{} (1..=15 for 16-bit indices)",
            info.max_ring_log2
        ));
    }
    if why.is_empty() {
        let expect = regmap::counter_count(&info.dataplane());
        if info.counters != expect || cnt_count != expect {
            why.push(format!(
                "ID_COUNTERS {} and CNT_COUNT {cnt_count}, the build has {expect}",
                info.counters
            ));
        }
    }
    if why.is_empty() {
        Ok(())
    } else {
        Err(NicError::Inconsistent(why.join("; ")))
    }
}

impl<B: Backend> Drop for Nic<B> {
    /// Disables the queues that have no handle (those with a handle stop when it drops) and
    /// waits for the engine to idle; errors cannot be reported here (use [`Nic::shutdown`]).
    fn drop(&mut self) {
        if !self.shut_down {
            let keep = self.shared.in_use.get();
            if self.shared.disable_queues(keep).is_ok() {
                let _ = self.shared.wait_idle();
            }
        }
    }
}

#[cfg(test)]
mod tests;
