//! Transmit and receive queues: descriptor and completion rings in DMA memory
//! (`biernic_hw::regmap::dma`), completions found by their phase bit, one doorbell per batch.
//!
//! # DMA safety
//! A ring or buffer the device may access is owned by its queue: descriptor and completion
//! rings for the queue's life, a buffer from the moment its descriptor is written until its
//! completion has been seen. The memory is freed only after the queue has been disabled
//! (`Q_CTRL` = 0, which stops descriptor fetches) and `DMA_STATUS` has then read idle (every
//! transfer and completion write that was in flight has finished; none starts on a disabled
//! queue). If the engine never reads idle, the rings and posted buffers are leaked instead of
//! freed: a leak is safe, a use-after-free by DMA is not.

use std::mem::ManuallyDrop;
use std::rc::Rc;
use std::sync::atomic::{fence, Ordering};

use bier::{Bift, BitString, Bsl};
use biernic_hw::regmap::dma;

use super::mempool::{Mempool, PacketBuf};
use super::{NicError, Shared};
use crate::backend::{Backend, DmaRegion};

/// Status of a completion (`CPL_STATUS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CplStatus {
    /// Success.
    Ok,
    /// Transmit length zero or over 9018 bytes.
    BadLength,
    /// Buffer address not a multiple of the data width.
    BadAddress,
    /// Receive buffer smaller than the frame (the frame was dropped).
    TooSmall,
    /// The memory answered a DMA read or write with an error.
    DmaError,
    /// A status this driver does not know.
    Unknown(u8),
}

impl CplStatus {
    /// Decodes `CPL_STATUS`.
    #[inline]
    pub fn from_u8(v: u8) -> CplStatus {
        match v {
            dma::CPL_STATUS_OK => CplStatus::Ok,
            dma::CPL_STATUS_BAD_LENGTH => CplStatus::BadLength,
            dma::CPL_STATUS_BAD_ADDRESS => CplStatus::BadAddress,
            dma::CPL_STATUS_TOO_SMALL => CplStatus::TooSmall,
            dma::CPL_STATUS_DMA_ERROR => CplStatus::DmaError,
            v => CplStatus::Unknown(v),
        }
    }
    /// Whether this is [`CplStatus::Ok`].
    pub fn is_ok(self) -> bool {
        self == CplStatus::Ok
    }
}

impl std::fmt::Display for CplStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CplStatus::Ok => f.write_str("ok"),
            CplStatus::BadLength => f.write_str("bad length (zero or over 9018 bytes)"),
            CplStatus::BadAddress => f.write_str("buffer address not a multiple of the data width"),
            CplStatus::TooSmall => f.write_str("receive buffer too small (frame dropped)"),
            CplStatus::DmaError => f.write_str("DMA error response"),
            CplStatus::Unknown(v) => write!(f, "unknown status {v}"),
        }
    }
}

/// Host-side counts of a queue's completions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueCounters {
    /// Completions with status OK.
    pub frames: u64,
    /// Bytes of those frames.
    pub bytes: u64,
    /// Completions with a non-zero status (the sum of the fields below).
    pub errors: u64,
    /// [`CplStatus::BadLength`] completions.
    pub bad_length: u64,
    /// [`CplStatus::BadAddress`] completions.
    pub bad_address: u64,
    /// [`CplStatus::TooSmall`] completions.
    pub too_small: u64,
    /// [`CplStatus::DmaError`] completions.
    pub dma_error: u64,
    /// Completions with an unknown status.
    pub unknown: u64,
}

impl QueueCounters {
    #[inline]
    fn record(&mut self, status: u8, len: u16) {
        if status == dma::CPL_STATUS_OK {
            self.frames += 1;
            self.bytes += u64::from(len);
            return;
        }
        self.errors += 1;
        match CplStatus::from_u8(status) {
            CplStatus::Ok => {}
            CplStatus::BadLength => self.bad_length += 1,
            CplStatus::BadAddress => self.bad_address += 1,
            CplStatus::TooSmall => self.too_small += 1,
            CplStatus::DmaError => self.dma_error += 1,
            CplStatus::Unknown(_) => self.unknown += 1,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tx,
    Rx,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Tx => "transmit",
            Kind::Rx => "receive",
        }
    }
}

/// The rings of one queue and their indices; shared by [`TxQueue`] and [`RxQueue`].
struct Core<B: Backend> {
    dev: Rc<Shared<B>>,
    kind: Kind,
    q: usize,
    log2: u32,
    size: usize,
    mask: u16,
    /// Free-running producer index (descriptors written).
    prod: u16,
    /// Free-running consumer index (completions seen).
    cons: u16,
    prod_reg: u16,
    ring: ManuallyDrop<DmaRegion>,
    cpl: ManuallyDrop<DmaRegion>,
    /// The buffer of each ring slot whose descriptor is posted and not completed yet.
    slots: ManuallyDrop<Vec<Option<PacketBuf>>>,
    /// Set once the memory above has been freed or leaked.
    stopped: bool,
}

impl<B: Backend> Core<B> {
    fn reg(kind: Kind, q: usize, r: u16) -> u16 {
        match kind {
            Kind::Tx => dma::txq_reg(q, r),
            Kind::Rx => dma::rxq_reg(q, r),
        }
    }

    fn bit(kind: Kind, q: usize) -> u32 {
        match kind {
            Kind::Tx => q as u32,
            Kind::Rx => 32 + q as u32,
        }
    }

    fn new(dev: Rc<Shared<B>>, kind: Kind, q: usize, log2: u32) -> Result<Core<B>, NicError> {
        let count = match kind {
            Kind::Tx => dev.info.txq,
            Kind::Rx => dev.info.rxq,
        };
        if q >= count {
            return Err(NicError::NoQueue {
                kind: kind.name(),
                q,
                count,
            });
        }
        let max = dev.info.max_ring_log2.min(15);
        if log2 < 2 || log2 > max {
            return Err(NicError::RingSize { log2, max });
        }
        dev.claim(Self::bit(kind, q), kind.name(), q)?;
        let (ring, cpl) = match Self::setup(&dev, kind, q, log2) {
            Ok(r) => r,
            Err(e) => {
                dev.release(Self::bit(kind, q));
                return Err(e);
            }
        };
        let size = 1usize << log2;
        Ok(Core {
            kind,
            q,
            log2,
            size,
            mask: (size - 1) as u16,
            prod: 0,
            cons: 0,
            prod_reg: Self::reg(kind, q, dma::Q_PROD),
            ring: ManuallyDrop::new(ring),
            cpl: ManuallyDrop::new(cpl),
            slots: ManuallyDrop::new((0..size).map(|_| None).collect()),
            stopped: false,
            dev,
        })
    }

    /// Allocates and zeroes both rings, programs the queue registers and enables the queue.
    /// On error the queue is not enabled, so the regions can be freed.
    fn setup(
        dev: &Shared<B>,
        kind: Kind,
        q: usize,
        log2: u32,
    ) -> Result<(DmaRegion, DmaRegion), NicError> {
        let bytes = (1usize << log2) * dma::DESC_BYTES;
        let (ring, cpl) = {
            let mut b = dev.backend.borrow_mut();
            (b.alloc_dma(bytes)?, b.alloc_dma(bytes)?)
        };
        for r in [&ring, &cpl] {
            if r.iova() % dma::RING_ALIGN != 0 || r.len() < bytes {
                return Err(NicError::Pool(format!(
                    "ring memory: {} bytes at I/O address 0x{:x}, need {bytes} aligned to {}",
                    r.len(),
                    r.iova(),
                    dma::RING_ALIGN
                )));
            }
        }
        ring.zero();
        cpl.zero();
        let reg = |r| Self::reg(kind, q, r);
        dev.write(reg(dma::Q_CTRL), 0)?;
        dev.write(reg(dma::Q_RING_LO), ring.iova() as u32)?;
        dev.write(reg(dma::Q_RING_HI), (ring.iova() >> 32) as u32)?;
        dev.write(reg(dma::Q_CPL_LO), cpl.iova() as u32)?;
        dev.write(reg(dma::Q_CPL_HI), (cpl.iova() >> 32) as u32)?;
        // The zeroed completion ring must be in memory before the device may write it.
        fence(Ordering::Release);
        dev.write(reg(dma::Q_CTRL), dma::Q_CTRL_ENABLE | log2)?;
        Ok((ring, cpl))
    }

    /// Descriptor slots free.
    #[inline]
    fn free(&self) -> usize {
        self.size - usize::from(self.prod.wrapping_sub(self.cons))
    }

    /// Writes a descriptor for `buf` at the producer index and advances it.
    #[inline]
    fn post(&mut self, buf: PacketBuf, len: u32) {
        let slot = usize::from(self.prod & self.mask);
        let off = slot * dma::DESC_BYTES;
        self.ring.write_u64(off + dma::DESC_ADDR, buf.iova());
        // len (u32) and flags (u32, 0) in one store.
        self.ring.write_u64(off + dma::DESC_LEN, u64::from(len));
        self.slots[slot] = Some(buf);
        self.prod = self.prod.wrapping_add(1);
    }

    /// Publishes the descriptors written so far: release fence, then one `Q_PROD` write.
    #[inline]
    fn doorbell(&self) -> Result<(), NicError> {
        // Descriptor (and, for transmit, frame) stores must reach memory before the device
        // can see the new producer index.
        fence(Ordering::Release);
        Ok(self.dev.write(self.prod_reg, u32::from(self.prod))?)
    }

    /// The first 8 bytes of the completion at the consumer index, if it is new (its phase bit
    /// is the one expected for this pass). Never reads a register.
    #[inline]
    fn poll(&self) -> Result<Option<u64>, NicError> {
        if self.cons == self.prod {
            return Ok(None);
        }
        let off = usize::from(self.cons & self.mask) * dma::CPL_BYTES;
        // One 8-byte load: length, status, flags (phase) and index of a record the NIC writes
        // in one beat.
        let w0 = self.cpl.read_u64(off);
        let phase = (w0 >> (8 * dma::CPL_FLAGS + 7)) & 1 != 0;
        if phase != dma::expected_phase(self.cons, self.log2) {
            return Ok(None);
        }
        // Nothing of the record or the buffer is read before the phase bit said it is there.
        fence(Ordering::Acquire);
        let index = (w0 >> (8 * dma::CPL_INDEX)) as u16;
        if index != self.cons {
            return Err(self.protocol(format!(
                "completion for descriptor {index} where {} was expected",
                self.cons
            )));
        }
        Ok(Some(w0))
    }

    fn protocol(&self, what: String) -> NicError {
        NicError::Protocol {
            kind: self.kind.name(),
            q: self.q,
            what,
        }
    }

    /// Disables the queue, waits for DMA idle, then frees the rings and posted buffers (or
    /// leaks them if the engine never idles). Idempotent.
    fn stop(&mut self) -> Result<(), NicError> {
        if self.stopped {
            return Ok(());
        }
        self.stopped = true;
        let ctrl = Self::reg(self.kind, self.q, dma::Q_CTRL);
        let r = self
            .dev
            .write(ctrl, 0)
            .map_err(NicError::from)
            .and_then(|()| self.dev.wait_idle());
        if r.is_ok() {
            // SAFETY: the queue is disabled and the DMA engine has been idle since, so the
            // device neither accesses these regions nor the posted buffers now nor later
            // (a disabled queue fetches no descriptors). `stopped` is set, so no method
            // touches these fields again (the only later call is `Drop`, which returns early).
            unsafe {
                ManuallyDrop::drop(&mut self.slots);
                ManuallyDrop::drop(&mut self.ring);
                ManuallyDrop::drop(&mut self.cpl);
            }
        }
        // On error the ManuallyDrop fields are simply never dropped: leaked.
        self.dev.release(Self::bit(self.kind, self.q));
        r
    }
}

impl<B: Backend> Drop for Core<B> {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// A transmit completion with a non-zero status, reported by [`TxQueue::take_failures`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxCompletion {
    /// Free-running descriptor index.
    pub index: u16,
    /// Frame length the descriptor had (as the completion reports it).
    pub len: u16,
    /// Why it failed.
    pub status: CplStatus,
}

/// Failed completions kept for [`TxQueue::take_failures`]; further ones are only counted.
const MAX_FAILURES: usize = 4096;

/// A transmit queue: frames from [`PacketBuf`]s into the NIC's host ingress.
pub struct TxQueue<B: Backend> {
    core: Core<B>,
    counters: QueueCounters,
    failures: Vec<TxCompletion>,
}

impl<B: Backend> TxQueue<B> {
    pub(crate) fn new(dev: Rc<Shared<B>>, q: usize, log2: u32) -> Result<TxQueue<B>, NicError> {
        Ok(TxQueue {
            core: Core::new(dev, Kind::Tx, q, log2)?,
            counters: QueueCounters::default(),
            failures: Vec::new(),
        })
    }

    /// Sends frames from the front of `bufs`: reaps completions first, then takes as many
    /// buffers as the ring has room for, writes their descriptors and rings the doorbell once
    /// (after a release fence). Returns how many were taken; the rest stay in `bufs`.
    ///
    /// The buffers are recycled to their pool when their completions are reaped. On a
    /// doorbell error the frames taken are in the ring and go with the next doorbell.
    #[inline]
    pub fn send_batch(&mut self, bufs: &mut Vec<PacketBuf>) -> Result<usize, NicError> {
        if self.core.dev.stopped.get() {
            return Err(NicError::Stopped {
                kind: Kind::Tx.name(),
                q: self.core.q,
            });
        }
        self.reap()?;
        let n = self.core.free().min(bufs.len());
        if n == 0 {
            return Ok(0);
        }
        for buf in bufs.drain(..n) {
            let len = buf.len() as u32;
            self.core.post(buf, len);
        }
        self.core.doorbell()?;
        Ok(n)
    }

    /// Polls the completion ring (servicing the device once): every new completion (found by
    /// its phase bit) frees its buffer back to the pool; non-zero statuses are counted and
    /// kept for [`TxQueue::take_failures`]. Returns the completions reaped.
    #[inline]
    pub fn reap(&mut self) -> Result<usize, NicError> {
        self.core.dev.service()?;
        let mut n = 0;
        while let Some(w0) = self.core.poll()? {
            let slot = usize::from(self.core.cons & self.core.mask);
            let buf = self.core.slots[slot].take();
            let len = w0 as u16;
            let status = (w0 >> (8 * dma::CPL_STATUS)) as u8;
            self.counters.record(status, len);
            if status != dma::CPL_STATUS_OK && self.failures.len() < MAX_FAILURES {
                self.failures.push(TxCompletion {
                    index: self.core.cons,
                    len,
                    status: CplStatus::from_u8(status),
                });
            }
            drop(buf);
            self.core.cons = self.core.cons.wrapping_add(1);
            n += 1;
        }
        Ok(n)
    }

    /// Frames posted and not completed yet.
    pub fn in_flight(&self) -> usize {
        self.core.size - self.core.free()
    }

    /// Ring entries.
    pub fn ring_size(&self) -> usize {
        self.core.size
    }

    /// Queue index.
    pub fn index(&self) -> usize {
        self.core.q
    }

    /// Host-side completion counts.
    pub fn counters(&self) -> QueueCounters {
        self.counters
    }

    /// The failed completions seen since the last call (at most 4096 are kept; all are
    /// counted in [`TxQueue::counters`]).
    pub fn take_failures(&mut self) -> Vec<TxCompletion> {
        std::mem::take(&mut self.failures)
    }

    /// Disables the queue, waits until the DMA engine is idle and frees the rings (posted
    /// buffers return to their pool). `Err(NotIdle)` if it never idles: the memory is leaked.
    pub fn shutdown(mut self) -> Result<(), NicError> {
        self.core.stop()
    }
}

/// Completion metadata of a received frame (the two halves of the completion record, decoded
/// on demand).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RxMeta {
    w0: u64,
    w1: u64,
}

impl RxMeta {
    /// From the raw completion record (bytes 0..8 and 8..16 as little-endian `u64`s).
    pub fn from_raw(w0: u64, w1: u64) -> RxMeta {
        RxMeta { w0, w1 }
    }
    /// Frame length in bytes (as received, also when the buffer was too small).
    #[inline]
    pub fn len(&self) -> usize {
        usize::from(self.w0 as u16)
    }
    /// Whether the length is 0.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Completion status.
    #[inline]
    pub fn status(&self) -> CplStatus {
        CplStatus::from_u8((self.w0 >> (8 * dma::CPL_STATUS)) as u8)
    }
    fn flags(&self) -> u8 {
        (self.w0 >> (8 * dma::CPL_FLAGS)) as u8
    }
    /// Whether the frame carries an 802.1Q tag.
    #[inline]
    pub fn vlan(&self) -> bool {
        self.flags() & dma::CPL_F_VLAN != 0
    }
    /// Whether the BIER fields below are valid.
    #[inline]
    pub fn bier(&self) -> bool {
        self.flags() & dma::CPL_F_BIER != 0
    }
    /// Free-running descriptor index.
    pub fn index(&self) -> u16 {
        (self.w0 >> (8 * dma::CPL_INDEX)) as u16
    }
    /// BFIR-id.
    #[inline]
    pub fn bfir_id(&self) -> u16 {
        (self.w0 >> (8 * dma::CPL_BFIR)) as u16
    }
    fn ent(&self) -> u32 {
        (self.w1 >> (8 * (dma::CPL_ENTROPY - 8))) as u32
    }
    /// Entropy (20 bits).
    #[inline]
    pub fn entropy(&self) -> u32 {
        self.ent() & 0xF_FFFF
    }
    /// Next protocol (6 bits).
    #[inline]
    pub fn proto(&self) -> u8 {
        ((self.ent() >> 20) & 0x3F) as u8
    }
    /// BSL code (4 bits; 1 = 64 bits ... 7 = 4096 bits).
    #[inline]
    pub fn bsl_code(&self) -> u8 {
        ((self.ent() >> 26) & 0xF) as u8
    }
    /// BIFT-id (20 bits).
    #[inline]
    pub fn bift_id(&self) -> u32 {
        ((self.w1 >> (8 * (dma::CPL_BIFT - 8))) as u32) & 0xF_FFFF
    }
    /// Byte offset of the BitString in the frame: `14 + 4*tagged + 12`.
    pub fn bitstring_offset(&self) -> usize {
        14 + 4 * usize::from(self.vlan()) + bier::wire::HEADER_LEN
    }
}

/// A received frame: its buffer (zero-copy, returned to the pool when dropped) and metadata.
#[derive(Debug)]
pub struct RxFrame {
    buf: PacketBuf,
    meta: RxMeta,
}

impl RxFrame {
    /// The completion metadata.
    #[inline]
    pub fn meta(&self) -> &RxMeta {
        &self.meta
    }
    /// Completion status; frames with a non-OK status carry no data (length 0 buffer).
    #[inline]
    pub fn status(&self) -> CplStatus {
        self.meta.status()
    }
    /// The buffer; its length is the frame's (0 if the status is not OK).
    #[inline]
    pub fn buf(&self) -> &PacketBuf {
        &self.buf
    }
    /// The buffer, e.g. to transmit it again without a copy.
    pub fn into_buf(self) -> PacketBuf {
        self.buf
    }
    /// A copy of the frame bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        self.buf.to_vec()
    }
    /// The copy's BitString (only the local BFR-ids this queue is for), read from the frame at
    /// [`RxMeta::bitstring_offset`]; `None` for non-BIER frames, failed completions, an
    /// invalid BSL code or a frame too short for the BitString.
    pub fn bitstring(&self) -> Option<BitString> {
        if !self.meta.bier() || !self.status().is_ok() {
            return None;
        }
        let bsl = Bsl::from_code(self.meta.bsl_code())?;
        let off = self.meta.bitstring_offset();
        if off + bsl.bytes() > self.buf.len() {
            return None;
        }
        let mut bytes = [0u8; bier::bitstring::MAX_BSL / 8];
        let bytes = &mut bytes[..bsl.bytes()];
        self.buf.read(off, bytes);
        BitString::from_bytes(bsl, bytes).ok()
    }
    /// The bit positions (1-based) set in [`RxFrame::bitstring`]; empty if there is none.
    pub fn bit_positions(&self) -> Vec<usize> {
        self.bitstring()
            .map(|b| b.iter_ones().collect())
            .unwrap_or_default()
    }
    /// The local BFR-ids this copy is for: the BitString's positions in the set that
    /// `bift` maps the frame's BIFT-id to. `None` if the frame has no BitString or `bift` has
    /// no set with that BIFT-id.
    pub fn bfr_ids(&self, bift: &Bift) -> Option<Vec<u16>> {
        let bs = self.bitstring()?;
        let si = bift.set_of(self.meta.bift_id())? as u16;
        Some(
            bs.iter_ones()
                .filter_map(|p| bier::bitstring::bfr_id(si, p as u16, bs.bsl()))
                .collect(),
        )
    }
}

/// A receive queue: keeps its ring full of buffers from its pool and hands out frames.
pub struct RxQueue<B: Backend> {
    core: Core<B>,
    pool: Mempool,
    counters: QueueCounters,
}

impl<B: Backend> RxQueue<B> {
    pub(crate) fn new(
        dev: Rc<Shared<B>>,
        q: usize,
        log2: u32,
        pool: Mempool,
    ) -> Result<RxQueue<B>, NicError> {
        let mut rx = RxQueue {
            core: Core::new(dev, Kind::Rx, q, log2)?,
            pool,
            counters: QueueCounters::default(),
        };
        rx.refill()?;
        Ok(rx)
    }

    /// Posts free pool buffers into every free ring slot (one doorbell). Returns how many.
    #[inline]
    pub fn refill(&mut self) -> Result<usize, NicError> {
        let want = self.core.free();
        // after Nic::shutdown the queue is disabled: nothing more is posted
        if want == 0 || self.core.dev.stopped.get() {
            return Ok(0);
        }
        let pool = &self.pool.0;
        let cap = pool_cap(&self.pool);
        let k = {
            let mut free = pool.free.borrow_mut();
            let k = want.min(free.len());
            for _ in 0..k {
                let idx = free.pop().unwrap_or_default();
                self.core.post(PacketBuf::from_raw(pool.clone(), idx), cap);
            }
            k
        };
        if k > 0 {
            self.core.doorbell()?;
        }
        Ok(k)
    }

    /// Appends up to `max` received frames to `out` (servicing the device once, then polling
    /// completions by phase bit) and refills the ring with one doorbell. Frames whose
    /// completion has a non-zero status are returned too (with [`RxFrame::status`] telling why
    /// and an empty buffer) and counted. Returns how many frames were appended.
    #[inline]
    pub fn recv_batch(&mut self, max: usize, out: &mut Vec<RxFrame>) -> Result<usize, NicError> {
        self.core.dev.service()?;
        let mut n = 0;
        while n < max {
            let Some(w0) = self.core.poll()? else {
                break;
            };
            let off = usize::from(self.core.cons & self.core.mask) * dma::CPL_BYTES;
            let w1 = self.core.cpl.read_u64(off + 8);
            let slot = usize::from(self.core.cons & self.core.mask);
            let Some(mut buf) = self.core.slots[slot].take() else {
                return Err(self
                    .core
                    .protocol(format!("completion for empty slot {slot}")));
            };
            let meta = RxMeta { w0, w1 };
            let status = (w0 >> (8 * dma::CPL_STATUS)) as u8;
            self.counters.record(status, w0 as u16);
            self.core.cons = self.core.cons.wrapping_add(1);
            if status == dma::CPL_STATUS_OK {
                if meta.len() > buf.capacity() {
                    return Err(self.core.protocol(format!(
                        "{}-byte frame completed in a {}-byte buffer",
                        meta.len(),
                        buf.capacity()
                    )));
                }
                buf.set_len(meta.len());
            }
            out.push(RxFrame { buf, meta });
            n += 1;
        }
        self.refill()?;
        Ok(n)
    }

    /// Buffers posted to the device (ring entries waiting for frames).
    pub fn posted(&self) -> usize {
        self.core.size - self.core.free()
    }

    /// Ring entries.
    pub fn ring_size(&self) -> usize {
        self.core.size
    }

    /// Queue index.
    pub fn index(&self) -> usize {
        self.core.q
    }

    /// Host-side completion counts.
    pub fn counters(&self) -> QueueCounters {
        self.counters
    }

    /// The pool the queue posts buffers from.
    pub fn pool(&self) -> &Mempool {
        &self.pool
    }

    /// Disables the queue, waits until the DMA engine is idle and frees the rings (posted
    /// buffers return to the pool). `Err(NotIdle)` if it never idles: the memory is leaked.
    pub fn shutdown(mut self) -> Result<(), NicError> {
        self.core.stop()
    }
}

fn pool_cap(pool: &Mempool) -> u32 {
    pool.buf_size() as u32
}
