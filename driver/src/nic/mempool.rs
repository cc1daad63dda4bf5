//! Fixed-size DMA buffers carved from [`DmaRegion`]s, with a free stack.

use std::cell::RefCell;
use std::rc::Rc;

use crate::backend::{Backend, DmaRegion};

use super::NicError;

/// Default buffer size: a 1518-byte frame with room to spare, 32 x 64-byte lines.
pub const DEFAULT_BUF_SIZE: usize = 2048;
/// Jumbo buffer size: a 9018-byte frame (the NIC's largest), 144 x 64-byte lines.
pub const JUMBO_BUF_SIZE: usize = 9216;
/// Largest buffer size a pool accepts.
const MAX_BUF_SIZE: usize = 16384;
/// Bytes per DMA region a pool allocates (a huge page's worth).
const CHUNK_BYTES: usize = 2 << 20;

pub(crate) struct PoolInner {
    regions: Vec<DmaRegion>,
    buf_size: usize,
    /// log2 of the buffers per region (a power of two, so that index -> region is a shift).
    shift: u32,
    count: usize,
    pub(crate) free: RefCell<Vec<u32>>,
}

impl PoolInner {
    #[inline]
    fn locate(&self, idx: u32) -> (&DmaRegion, usize) {
        let i = idx as usize;
        let r = &self.regions[i >> self.shift];
        (r, (i & ((1 << self.shift) - 1)) * self.buf_size)
    }
    #[inline]
    pub(crate) fn iova(&self, idx: u32) -> u64 {
        let (r, off) = self.locate(idx);
        r.iova() + off as u64
    }
}

/// A pool of fixed-size DMA buffers. Cloning it gives another handle to the same pool.
///
/// The pool's memory is freed when the last handle and the last [`PacketBuf`] are dropped.
/// Buffers posted to the device are owned by their queue until completed or until the queue
/// has been stopped (see [`super::TxQueue`]), so the memory is never freed under DMA.
#[derive(Clone)]
pub struct Mempool(pub(crate) Rc<PoolInner>);

impl std::fmt::Debug for Mempool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mempool")
            .field("buf_size", &self.0.buf_size)
            .field("count", &self.0.count)
            .field("free", &self.free_count())
            .finish()
    }
}

impl Mempool {
    /// Allocates `count` buffers of `buf_size` bytes from `backend`. `buf_size` must be a
    /// multiple of 64 and of `data_bytes` (descriptor addresses are multiples of the data
    /// width), and at most 16 KiB.
    pub fn new<B: Backend>(
        backend: &mut B,
        data_bytes: usize,
        count: usize,
        buf_size: usize,
    ) -> Result<Mempool, NicError> {
        let align = data_bytes.max(64);
        if buf_size == 0 || !buf_size.is_multiple_of(align) || buf_size > MAX_BUF_SIZE {
            return Err(NicError::Pool(format!(
                "buffer size {buf_size} is not a multiple of {align} bytes up to {MAX_BUF_SIZE}"
            )));
        }
        if count == 0 || count > u32::MAX as usize {
            return Err(NicError::Pool(format!("{count} buffers")));
        }
        // Buffers per region: the largest power of two that fits a chunk (at least 1), but no
        // more than the pool needs.
        let mut per = 1usize;
        while per * 2 * buf_size <= CHUNK_BYTES && per < count {
            per *= 2;
        }
        let shift = per.trailing_zeros();
        let mut regions = Vec::new();
        let mut left = count;
        while left > 0 {
            let n = left.min(per);
            let r = backend.alloc_dma(n * buf_size)?;
            if r.iova() % align as u64 != 0 || r.len() < n * buf_size {
                return Err(NicError::Pool(format!(
                    "the backend gave {} bytes at I/O address 0x{:x}, need {} bytes aligned to {align}",
                    r.len(),
                    r.iova(),
                    n * buf_size
                )));
            }
            regions.push(r);
            left -= n;
        }
        // Stack order: buffer 0 is popped first.
        let free = (0..count as u32).rev().collect();
        Ok(Mempool(Rc::new(PoolInner {
            regions,
            buf_size,
            shift,
            count,
            free: RefCell::new(free),
        })))
    }

    /// One buffer (length 0), `None` if the pool is empty.
    #[inline]
    pub fn alloc(&self) -> Option<PacketBuf> {
        let idx = self.0.free.borrow_mut().pop()?;
        Some(PacketBuf::from_raw(self.0.clone(), idx))
    }

    /// Appends up to `n` buffers (length 0) to `out`; returns how many.
    #[inline]
    pub fn alloc_batch(&self, n: usize, out: &mut Vec<PacketBuf>) -> usize {
        let mut free = self.0.free.borrow_mut();
        let k = n.min(free.len());
        out.reserve(k);
        for _ in 0..k {
            let idx = free.pop().unwrap_or_default();
            out.push(PacketBuf::from_raw(self.0.clone(), idx));
        }
        k
    }

    /// Buffers currently free.
    pub fn free_count(&self) -> usize {
        self.0.free.borrow().len()
    }

    /// Buffers in the pool.
    pub fn capacity(&self) -> usize {
        self.0.count
    }

    /// Bytes per buffer.
    pub fn buf_size(&self) -> usize {
        self.0.buf_size
    }
}

/// One DMA buffer of a [`Mempool`] with the length of the frame in it. Dropping it returns it
/// to its pool.
///
/// Frame bytes are read and written by copying ([`PacketBuf::write`], [`PacketBuf::read`]):
/// no Rust reference into DMA memory is ever handed out. While the application holds a
/// `PacketBuf`, the device does not access it (it is not posted), so the copies see stable
/// bytes.
pub struct PacketBuf {
    pool: Rc<PoolInner>,
    idx: u32,
    len: u32,
}

impl std::fmt::Debug for PacketBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PacketBuf")
            .field("idx", &self.idx)
            .field("len", &self.len)
            .field("iova", &format_args!("0x{:x}", self.iova()))
            .finish()
    }
}

impl PacketBuf {
    #[inline]
    pub(crate) fn from_raw(pool: Rc<PoolInner>, idx: u32) -> PacketBuf {
        PacketBuf { pool, idx, len: 0 }
    }

    /// Length of the frame in the buffer.
    #[inline]
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether the frame length is 0.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Sets the frame length. Panics if it exceeds [`PacketBuf::capacity`].
    #[inline]
    pub fn set_len(&mut self, len: usize) {
        assert!(
            len <= self.pool.buf_size,
            "frame length {len} > buffer size {}",
            self.pool.buf_size
        );
        self.len = len as u32;
    }

    /// Size of the buffer.
    #[inline]
    pub fn capacity(&self) -> usize {
        self.pool.buf_size
    }

    /// I/O address of the buffer (what goes into a descriptor).
    #[inline]
    pub fn iova(&self) -> u64 {
        self.pool.iova(self.idx)
    }

    /// Index of the buffer in its pool.
    pub fn index(&self) -> u32 {
        self.idx
    }

    fn bounds(&self, off: usize, n: usize) -> usize {
        assert!(
            off.checked_add(n).is_some_and(|e| e <= self.pool.buf_size),
            "buffer access {off}+{n} out of bounds ({} bytes)",
            self.pool.buf_size
        );
        off
    }

    /// Copies `data` into the buffer at `off` (the length is not changed). Panics if it
    /// does not fit.
    pub fn write(&mut self, off: usize, data: &[u8]) {
        self.bounds(off, data.len());
        let (r, base) = self.pool.locate(self.idx);
        r.copy_in(base + off, data);
    }

    /// Copies `frame` into the buffer and sets the length to its length.
    pub fn fill(&mut self, frame: &[u8]) {
        self.write(0, frame);
        self.len = frame.len() as u32;
    }

    /// Copies `dst.len()` bytes from offset `off` out of the buffer. Panics if out of bounds.
    pub fn read(&self, off: usize, dst: &mut [u8]) {
        self.bounds(off, dst.len());
        let (r, base) = self.pool.locate(self.idx);
        r.copy_out(base + off, dst);
    }

    /// A copy of the frame (the first [`PacketBuf::len`] bytes).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.len()];
        self.read(0, &mut v);
        v
    }
}

impl Drop for PacketBuf {
    #[inline]
    fn drop(&mut self) {
        self.pool.free.borrow_mut().push(self.idx);
    }
}
