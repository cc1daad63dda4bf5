//! The device backend: 32-bit register access to BAR0 and DMA memory with its I/O address.
//!
//! pci-driver's traits are sealed, so the driver has its own: [`Backend`] is implemented by the
//! `vfio` backend (a card behind vfio-pci) and the `sim` backend (the verilated NIC in this
//! process, whose AXI4 master reads and writes the very [`DmaRegion`]s the driver allocated).
//!
//! # DMA memory and Rust references
//! A [`DmaRegion`] is memory that the device reads and writes behind the compiler's back.
//! Never hold a Rust reference (`&[u8]`, `&mut [u8]`) into it across a point where the device
//! may write it: use the volatile accessors here, and [`DmaRegion::copy_out`] /
//! [`DmaRegion::copy_in`] for frame data the device is known not to touch (a buffer whose
//! descriptor has not been posted, or whose completion has been seen).

use std::any::Any;
use std::ptr::NonNull;

/// Errors of a device backend. Every message says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// No PCI device at that address.
    #[error("no PCI device {addr}: {hint}")]
    NotFound {
        /// PCI address as given.
        addr: String,
        /// What to do.
        hint: String,
    },
    /// The PCI address is not of the form `DDDD:BB:DD.F`.
    #[error("bad PCI address {0:?}: expected DOMAIN:BUS:DEVICE.FUNCTION such as 0000:3b:00.0")]
    BadAddress(String),
    /// The device is bound to another driver (or none).
    #[error("{addr} is bound to {driver}, not vfio-pci: {hint}")]
    NotVfio {
        /// PCI address.
        addr: String,
        /// Current driver (`none` if unbound).
        driver: String,
        /// How to bind it.
        hint: String,
    },
    /// No IOMMU group (IOMMU off in firmware or kernel).
    #[error("{addr} has no IOMMU group: {hint}")]
    NoIommuGroup {
        /// PCI address.
        addr: String,
        /// What to do.
        hint: String,
    },
    /// The VFIO group device cannot be opened.
    #[error("cannot open {path}: {reason}; {hint}")]
    Permission {
        /// Path of /dev/vfio/N.
        path: String,
        /// OS error.
        reason: String,
        /// What to do.
        hint: String,
    },
    /// Memory for DMA could not be set up.
    #[error("DMA memory: {0}")]
    Dma(String),
    /// A register access failed (bus error, SLVERR, timeout).
    #[error("register access at 0x{addr:04X} failed: {reason}")]
    Register {
        /// Byte address in BAR0.
        addr: u16,
        /// Why.
        reason: String,
    },
    /// The device does not look like a biernic NIC, or reports something the driver cannot use.
    #[error("device: {0}")]
    Device(String),
    /// Any other OS-level failure.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The OS error.
        source: std::io::Error,
    },
}

/// Register and DMA-memory access to one biernic NIC.
pub trait Backend {
    /// Reads the 32-bit register at byte address `addr` of BAR0.
    fn read32(&mut self, addr: u16) -> Result<u32, DeviceError>;
    /// Writes the 32-bit register at byte address `addr` of BAR0.
    fn write32(&mut self, addr: u16, value: u32) -> Result<(), DeviceError>;
    /// Allocates `len` bytes (rounded up to the backend's page size) of zeroed memory that the
    /// device can read and write, mapped for DMA.
    fn alloc_dma(&mut self, len: usize) -> Result<DmaRegion, DeviceError>;
    /// Lets the device make progress. A card runs on its own (no-op); the simulator advances
    /// its clock by a slice of cycles. Pollers call it once per poll.
    fn service(&mut self) -> Result<(), DeviceError> {
        Ok(())
    }
    /// A one-line description (`vfio 0000:3b:00.0`, `sim (narrow build)`).
    fn describe(&self) -> String;
}

/// A region of DMA memory: host virtual address, length and the I/O address the device uses.
///
/// Dropping it unmaps it from the device and frees it (through the `owner` the backend put in);
/// the driver must make sure no DMA to it is in flight before that (the NIC's clean shutdown).
pub struct DmaRegion {
    virt: NonNull<u8>,
    len: usize,
    iova: u64,
    _owner: Box<dyn Any>,
}

impl std::fmt::Debug for DmaRegion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DmaRegion")
            .field("virt", &self.virt)
            .field("len", &self.len)
            .field("iova", &format_args!("0x{:x}", self.iova))
            .finish()
    }
}

impl DmaRegion {
    /// Wraps memory a backend allocated and mapped.
    ///
    /// # Safety
    /// `virt..virt+len` must be valid for reads and writes for as long as `owner` lives, not
    /// be accessed through Rust references elsewhere, and be what the device reaches at
    /// `iova..iova+len`.
    pub unsafe fn new(virt: NonNull<u8>, len: usize, iova: u64, owner: Box<dyn Any>) -> Self {
        DmaRegion {
            virt,
            len,
            iova,
            _owner: owner,
        }
    }
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }
    /// Always false (regions are at least one page).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// I/O address of byte 0 (what goes into descriptors and ring registers).
    pub fn iova(&self) -> u64 {
        self.iova
    }
    /// Host pointer of byte 0 (for backends that emulate the device in process).
    pub fn as_ptr(&self) -> *mut u8 {
        self.virt.as_ptr()
    }
    fn check(&self, off: usize, n: usize) {
        assert!(
            off.checked_add(n).is_some_and(|e| e <= self.len),
            "DMA region access {off}+{n} out of bounds ({} bytes)",
            self.len
        );
    }
    /// Volatile 32-bit little-endian read at byte offset `off` (4-byte aligned).
    pub fn read_u32(&self, off: usize) -> u32 {
        self.check(off, 4);
        assert_eq!(off % 4, 0, "unaligned DMA read");
        // SAFETY: in bounds and aligned (checked above; the region is page aligned); volatile
        // because the device writes this memory without the compiler knowing.
        u32::from_le(unsafe { std::ptr::read_volatile(self.virt.as_ptr().add(off) as *const u32) })
    }
    /// Volatile 32-bit little-endian write at byte offset `off` (4-byte aligned).
    pub fn write_u32(&self, off: usize, v: u32) {
        self.check(off, 4);
        assert_eq!(off % 4, 0, "unaligned DMA write");
        // SAFETY: in bounds and aligned (checked above); volatile so that the store is not
        // elided or merged: the device reads it.
        unsafe { std::ptr::write_volatile(self.virt.as_ptr().add(off) as *mut u32, v.to_le()) }
    }
    /// Volatile 64-bit little-endian write at byte offset `off` (8-byte aligned).
    pub fn write_u64(&self, off: usize, v: u64) {
        self.check(off, 8);
        assert_eq!(off % 8, 0, "unaligned DMA write");
        // SAFETY: as for write_u32.
        unsafe { std::ptr::write_volatile(self.virt.as_ptr().add(off) as *mut u64, v.to_le()) }
    }
    /// Volatile 64-bit little-endian read at byte offset `off` (8-byte aligned).
    pub fn read_u64(&self, off: usize) -> u64 {
        self.check(off, 8);
        assert_eq!(off % 8, 0, "unaligned DMA read");
        // SAFETY: as for read_u32.
        u64::from_le(unsafe { std::ptr::read_volatile(self.virt.as_ptr().add(off) as *const u64) })
    }
    /// Copies `dst.len()` bytes out of the region from offset `off`. Only for bytes the device
    /// is not writing now (a completed receive buffer).
    pub fn copy_out(&self, off: usize, dst: &mut [u8]) {
        self.check(off, dst.len());
        // SAFETY: in bounds; the caller guarantees the device does not write these bytes now,
        // so a plain copy observes a stable value.
        unsafe {
            std::ptr::copy_nonoverlapping(self.virt.as_ptr().add(off), dst.as_mut_ptr(), dst.len())
        }
    }
    /// Copies `src` into the region at offset `off`. Only for bytes the device is not reading
    /// now (a buffer whose descriptor is not posted yet).
    pub fn copy_in(&self, off: usize, src: &[u8]) {
        self.check(off, src.len());
        // SAFETY: in bounds; the device does not access these bytes until a descriptor that
        // names them is posted after a release fence (see the queue code).
        unsafe {
            std::ptr::copy_nonoverlapping(src.as_ptr(), self.virt.as_ptr().add(off), src.len())
        }
    }
    /// Zeroes the whole region (before the device is told about it).
    pub fn zero(&self) {
        // SAFETY: the whole region is valid for writes; the device is not using it yet.
        unsafe { std::ptr::write_bytes(self.virt.as_ptr(), 0, self.len) }
    }
}

/// In-process DMA memory for backends that emulate the device (the simulator, the benchmark's
/// software ring consumer): page-aligned heap memory; `iova` is assigned by the caller.
pub fn heap_region(len: usize, iova: u64) -> Result<DmaRegion, DeviceError> {
    let len = len.max(1).div_ceil(4096) * 4096;
    let layout = std::alloc::Layout::from_size_align(len, 4096)
        .map_err(|e| DeviceError::Dma(format!("bad layout for {len} bytes: {e}")))?;
    // SAFETY: the layout has a non-zero size.
    let p = unsafe { std::alloc::alloc_zeroed(layout) };
    let virt =
        NonNull::new(p).ok_or_else(|| DeviceError::Dma(format!("out of memory ({len} bytes)")))?;
    struct HeapOwner(NonNull<u8>, std::alloc::Layout);
    impl Drop for HeapOwner {
        fn drop(&mut self) {
            // SAFETY: allocated above with this layout; freed once.
            unsafe { std::alloc::dealloc(self.0.as_ptr(), self.1) }
        }
    }
    // SAFETY: freshly allocated, zeroed, owned by HeapOwner for the region's lifetime; the
    // in-process device emulation reaches it at `iova` through its own translation table.
    Ok(unsafe { DmaRegion::new(virt, len, iova, Box::new(HeapOwner(virt, layout))) })
}
