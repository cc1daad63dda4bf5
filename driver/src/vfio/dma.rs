//! DMA memory for a card behind VFIO: anonymous memory (2 MiB hugepages when the pool has
//! free pages), locked, and mapped into the device's IOMMU context at an I/O virtual address
//! (IOVA) that this module allocates.
//!
//! # DMA safety (in the manner of rust-vmm's vfio-ioctls)
//! * **Who writes the memory.** Once mapped into the IOMMU, the memory of a region can be read
//!   and written at any time by the device, through `iova..iova+len`, without the compiler
//!   knowing. The host writes it too (descriptors, transmit frames). So the memory is only ever
//!   reached through raw pointers with volatile accesses, or with plain copies of bytes that the
//!   ring protocol says the device is not touching (see [`crate::backend::DmaRegion`]).
//! * **Why no Rust references.** A `&[u8]` promises that the bytes do not change while it lives
//!   and a `&mut [u8]` promises exclusive access; the device breaks both, which is undefined
//!   behaviour even if the code "looks" fine. The owner below keeps the `MmapMut` only to free
//!   the memory: it never derefs it to a slice.
//! * **Why the mapping must outlive in-flight DMA.** The IOMMU entry points at the physical
//!   pages that VFIO pinned. If the memory were freed while the entry exists, the kernel would
//!   hand the pages to someone else and a late device write would corrupt them. Dropping a region
//!   therefore first removes the IOMMU entry (after which a device access faults in the IOMMU
//!   instead of reaching memory) and only then unmaps the memory; if the IOMMU refuses the
//!   unmapping, the memory is leaked rather than freed. The driver still has to stop the queues
//!   that use a region before dropping it (a stopped device's DMA would fault, not corrupt,
//!   but the frame would be lost), and the backend clears bus mastering when it is dropped.
//! * **No I/O address is reused.** Freed IOVAs are not handed out again, so a device that still
//!   holds an old descriptor faults instead of writing into a newer buffer.

use std::fs;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::Arc;

use memmap2::{MmapMut, MmapOptions};

use crate::backend::{DeviceError, DmaRegion};

/// Where the I/O address allocator starts (1 GiB): well clear of the low addresses that some
/// platforms reserve and of IOVA 0.
pub const IOVA_START: u64 = 1 << 30;

/// The page size that backs DMA memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PageSize {
    /// 4 KiB pages (no free 2 MiB hugepages): every page needs its own IOTLB entry.
    Small4K,
    /// 2 MiB hugepages (hugetlbfs pool, `nr_hugepages`).
    Huge2M,
}

impl PageSize {
    /// Bytes per page.
    pub fn bytes(self) -> usize {
        match self {
            PageSize::Small4K => 4 << 10,
            PageSize::Huge2M => 2 << 20,
        }
    }
    /// `len` rounded up to a whole number of pages (at least one).
    pub fn round_up(self, len: usize) -> usize {
        len.max(1).div_ceil(self.bytes()) * self.bytes()
    }
}

impl std::fmt::Display for PageSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PageSize::Small4K => "4 KiB",
            PageSize::Huge2M => "2 MiB",
        })
    }
}

/// Free 2 MiB hugepages, from `<sysroot>/kernel/mm/hugepages/hugepages-2048kB/free_hugepages`
/// (`None` when the file is missing or unreadable: no hugepage support).
pub fn free_hugepages(sysroot: &Path) -> Option<u64> {
    fs::read_to_string(sysroot.join("kernel/mm/hugepages/hugepages-2048kB/free_hugepages"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The page size to try for an allocation of `len` bytes, given the free hugepage count:
/// 2 MiB pages when the pool has enough free pages for the whole region, else 4 KiB pages.
pub fn choose_page_size(free_hugepages: Option<u64>, len: usize) -> PageSize {
    let needed = PageSize::Huge2M.round_up(len) / PageSize::Huge2M.bytes();
    match free_hugepages {
        Some(free) if free >= needed as u64 => PageSize::Huge2M,
        _ => PageSize::Small4K,
    }
}

/// A bump allocator of I/O virtual addresses inside the IOMMU's valid ranges. Addresses are
/// aligned to the requested alignment and never handed out twice.
#[derive(Debug, Clone)]
pub struct IovaAllocator {
    next: u64,
    ranges: Vec<Range<u64>>,
}

impl IovaAllocator {
    /// An allocator that hands out addresses from `start` on, inside `valid` (the IOMMU's
    /// usable IOVA ranges, end exclusive; any order).
    pub fn new(start: u64, valid: &[Range<u64>]) -> Self {
        let mut ranges: Vec<Range<u64>> =
            valid.iter().filter(|r| r.start < r.end).cloned().collect();
        ranges.sort_by_key(|r| r.start);
        IovaAllocator {
            next: start,
            ranges,
        }
    }

    /// Allocates `len` bytes aligned to `align` (a power of two), or `None` when the valid
    /// ranges above the previous allocation have no room.
    pub fn alloc(&mut self, len: u64, align: u64) -> Option<u64> {
        assert!(
            align.is_power_of_two(),
            "IOVA alignment {align} is not a power of two"
        );
        if len == 0 {
            return None;
        }
        for r in &self.ranges {
            let from = self.next.max(r.start);
            let base = from.checked_add(align - 1)? & !(align - 1);
            if base.checked_add(len).is_some_and(|end| end <= r.end) {
                self.next = base + len;
                return Some(base);
            }
        }
        None
    }

    /// The first address the next allocation may use.
    pub fn next(&self) -> u64 {
        self.next
    }
}

/// The IOMMU operations the DMA memory needs (VFIO's container; a fake in tests).
pub(crate) trait IommuMap {
    /// Maps `len` bytes at host address `vaddr` at I/O address `iova`, read+write for the device.
    ///
    /// # Safety
    /// `vaddr..vaddr+len` must stay allocated until [`IommuMap::unmap`] of this range succeeded.
    unsafe fn map(&self, iova: u64, len: usize, vaddr: *const u8) -> io::Result<()>;
    /// Removes a mapping made by [`IommuMap::map`].
    fn unmap(&self, iova: u64, len: usize) -> io::Result<()>;
}

impl IommuMap for pci_driver::backends::vfio::VfioContainer {
    unsafe fn map(&self, iova: u64, len: usize, vaddr: *const u8) -> io::Result<()> {
        // SAFETY: forwarded from the caller (the memory outlives the mapping).
        unsafe {
            self.iommu().map(
                iova,
                len,
                vaddr,
                pci_driver::regions::Permissions::ReadWrite,
            )
        }
    }
    fn unmap(&self, iova: u64, len: usize) -> io::Result<()> {
        self.iommu().unmap(iova, len)
    }
}

/// Maps `len` bytes of zeroed anonymous memory, trying 2 MiB hugepages first when `prefer` is
/// [`PageSize::Huge2M`] (falling back to 4 KiB pages when the pool is exhausted), and locks it
/// in RAM. `len` is rounded up to the page size used.
pub fn map_locked(len: usize, prefer: PageSize) -> Result<(MmapMut, PageSize), DeviceError> {
    let huge = if prefer == PageSize::Huge2M {
        // 21 = log2(2 MiB): MAP_HUGETLB | MAP_HUGE_2MB. Fails (ENOMEM) when the pool is empty.
        MmapOptions::new()
            .len(PageSize::Huge2M.round_up(len))
            .huge(Some(21))
            .populate()
            .map_anon()
            .ok()
    } else {
        None
    };
    let (map, page) = match huge {
        Some(m) => (m, PageSize::Huge2M),
        None => {
            let n = PageSize::Small4K.round_up(len);
            let m = MmapOptions::new()
                .len(n)
                .populate()
                .map_anon()
                .map_err(|e| DeviceError::Dma(format!("cannot map {n} bytes: {e}")))?;
            (m, PageSize::Small4K)
        }
    };
    map.lock().map_err(|e| {
        DeviceError::Dma(format!(
            "cannot lock {} bytes in RAM (mlock: {e}): raise the locked-memory limit \
             (RLIMIT_MEMLOCK): `ulimit -l unlimited` in the shell, `memlock` in \
             /etc/security/limits.conf, or LimitMEMLOCK=infinity for a systemd service; VFIO \
             counts the pages it pins for the device against the same limit",
            map.len()
        ))
    })?;
    Ok((map, page))
}

/// Owns one region's memory and IOMMU mapping; dropped by the region's [`DmaRegion`].
struct DmaOwner {
    iommu: Arc<dyn IommuMap>,
    iova: u64,
    len: usize,
    /// `None` only while dropping. Never dereferenced (see the module docs).
    memory: Option<MmapMut>,
}

impl Drop for DmaOwner {
    fn drop(&mut self) {
        // The IOMMU entry goes first: from then on the device cannot reach the pages.
        if self.iommu.unmap(self.iova, self.len).is_err() {
            // The device might still write these pages: leak them instead of freeing them.
            std::mem::forget(self.memory.take());
        }
        // `memory` drops here: munmap (which also unlocks).
    }
}

/// The DMA memory allocator of one VFIO backend.
pub(crate) struct DmaMemory {
    iommu: Arc<dyn IommuMap>,
    iovas: IovaAllocator,
    /// IOMMU mapping granule (IOVA and host address alignment).
    iommu_align: usize,
    sysroot: PathBuf,
    /// Smallest page size any allocation used so far (or would try first, before any).
    page_size: PageSize,
    /// The IOMMU's limit of simultaneous mappings.
    max_mappings: u32,
    /// One clone per live region (the count of mappings in use).
    live: Arc<()>,
}

impl DmaMemory {
    pub(crate) fn new(
        iommu: Arc<dyn IommuMap>,
        valid_iovas: &[Range<u64>],
        iommu_align: usize,
        max_mappings: u32,
        sysroot: &Path,
    ) -> Self {
        DmaMemory {
            iommu,
            iovas: IovaAllocator::new(IOVA_START, valid_iovas),
            iommu_align: iommu_align
                .max(PageSize::Small4K.bytes())
                .next_power_of_two(),
            page_size: choose_page_size(free_hugepages(sysroot), 1),
            sysroot: sysroot.to_path_buf(),
            max_mappings,
            live: Arc::new(()),
        }
    }

    /// Smallest page size used by an allocation so far.
    pub(crate) fn page_size(&self) -> PageSize {
        self.page_size
    }

    pub(crate) fn alloc(&mut self, len: usize) -> Result<DmaRegion, DeviceError> {
        // Regions alive now, each holding one clone of `live`.
        let mapped = Arc::strong_count(&self.live) - 1;
        if mapped as u64 >= u64::from(self.max_mappings) {
            return Err(DeviceError::Dma(format!(
                "the IOMMU allows {} mappings and {mapped} are in use: allocate fewer, larger \
                 regions (or raise vfio_iommu_type1's dma_entry_limit)",
                self.max_mappings
            )));
        }
        let prefer = choose_page_size(free_hugepages(&self.sysroot), len);
        let (mut memory, page) = map_locked(len, prefer)?;
        self.page_size = self.page_size.min(page);
        let len = memory.len();
        let align = page.bytes().max(self.iommu_align) as u64;
        let iova = self.iovas.alloc(len as u64, align).ok_or_else(|| {
            DeviceError::Dma(format!(
                "no I/O address space left for {len} bytes above 0x{:x}",
                self.iovas.next()
            ))
        })?;
        let virt = NonNull::new(memory.as_mut_ptr())
            .ok_or_else(|| DeviceError::Dma("mmap returned a null pointer".into()))?;
        if virt.as_ptr() as usize & (self.iommu_align - 1) != 0 {
            return Err(DeviceError::Dma(format!(
                "memory at {virt:p} is not aligned to the IOMMU granule of {} bytes",
                self.iommu_align
            )));
        }
        // SAFETY: `memory` is a live mapping of `len` bytes; it moves into the owner, which
        // removes this IOMMU entry before it unmaps the memory (and leaks the memory if the
        // entry cannot be removed), so the memory outlives the mapping.
        unsafe { self.iommu.map(iova, len, virt.as_ptr()) }.map_err(|e| {
            DeviceError::Dma(format!(
                "cannot map {len} bytes for DMA at I/O address 0x{iova:x}: {e} (the pinned pages \
                 count against RLIMIT_MEMLOCK: `ulimit -l unlimited`)"
            ))
        })?;
        let owner = DmaOwner {
            iommu: Arc::clone(&self.iommu),
            iova,
            len,
            memory: Some(memory),
        };
        let live = Arc::clone(&self.live);
        // SAFETY: `virt..virt+len` is anonymous memory (zeroed by the kernel) owned by `owner`
        // for the region's lifetime, reached by the device at `iova..iova+len` through the
        // IOMMU entry made above, and referenced by nothing else.
        Ok(unsafe { DmaRegion::new(virt, len, iova, Box::new((owner, live))) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    const WHOLE: Range<u64> = 0..1 << 48;

    #[derive(Default)]
    struct FakeIommu {
        log: Mutex<Vec<(bool, u64, usize)>>,
        fail_unmap: bool,
    }
    impl IommuMap for FakeIommu {
        unsafe fn map(&self, iova: u64, len: usize, _vaddr: *const u8) -> io::Result<()> {
            self.log.lock().unwrap().push((true, iova, len));
            Ok(())
        }
        fn unmap(&self, iova: u64, len: usize) -> io::Result<()> {
            self.log.lock().unwrap().push((false, iova, len));
            if self.fail_unmap {
                Err(io::Error::other("refused"))
            } else {
                Ok(())
            }
        }
    }

    fn sysroot_with_hugepages(free: Option<u64>) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        if let Some(n) = free {
            let p = d.path().join("kernel/mm/hugepages/hugepages-2048kB");
            fs::create_dir_all(&p).unwrap();
            fs::write(p.join("free_hugepages"), format!("{n}\n")).unwrap();
        }
        d
    }

    #[test]
    fn regions_are_mapped_zeroed_and_unmapped_on_drop() {
        let sys = sysroot_with_hugepages(Some(0));
        let iommu = Arc::new(FakeIommu::default());
        let mut mem = DmaMemory::new(
            iommu.clone(),
            std::slice::from_ref(&WHOLE),
            4096,
            10,
            sys.path(),
        );
        assert_eq!(mem.page_size(), PageSize::Small4K);
        let a = mem.alloc(100).unwrap();
        let b = mem.alloc(8192).unwrap();
        assert_eq!((a.iova(), a.len()), (IOVA_START, 4096));
        assert_eq!((b.iova(), b.len()), (IOVA_START + 4096, 8192));
        assert_eq!(a.read_u64(4088), 0);
        a.write_u32(0, 0xdead_beef);
        assert_eq!(a.read_u32(0), 0xdead_beef);
        drop(a);
        let c = mem.alloc(1).unwrap();
        assert_eq!(c.iova(), IOVA_START + 3 * 4096, "an I/O address was reused");
        drop((b, c));
        assert_eq!(
            *iommu.log.lock().unwrap(),
            [
                (true, IOVA_START, 4096),
                (true, IOVA_START + 4096, 8192),
                (false, IOVA_START, 4096),
                (true, IOVA_START + 3 * 4096, 4096),
                (false, IOVA_START + 4096, 8192),
                (false, IOVA_START + 3 * 4096, 4096),
            ]
        );
    }

    #[test]
    fn mapping_limit_counts_live_regions() {
        let sys = sysroot_with_hugepages(None);
        let mut mem = DmaMemory::new(
            Arc::new(FakeIommu::default()),
            std::slice::from_ref(&WHOLE),
            4096,
            2,
            sys.path(),
        );
        let a = mem.alloc(1).unwrap();
        let _b = mem.alloc(1).unwrap();
        let e = mem.alloc(1).unwrap_err();
        assert!(
            matches!(e, DeviceError::Dma(ref m) if m.contains("2 mappings")),
            "{e}"
        );
        drop(a);
        mem.alloc(1).unwrap();
    }

    #[test]
    fn failed_unmap_leaks_instead_of_freeing() {
        let sys = sysroot_with_hugepages(None);
        let iommu = Arc::new(FakeIommu {
            fail_unmap: true,
            ..Default::default()
        });
        let mut mem = DmaMemory::new(
            iommu.clone(),
            std::slice::from_ref(&WHOLE),
            4096,
            10,
            sys.path(),
        );
        let a = mem.alloc(1).unwrap();
        let p = a.as_ptr();
        drop(a);
        // Still mapped in this process (leaked): writing it must not fault.
        // SAFETY: the page was leaked above, so it is still a valid, writable 4 KiB mapping.
        unsafe { p.write_volatile(1) };
    }

    #[test]
    fn hugepage_fallback_is_recorded() {
        // The pool claims free pages, but this machine's hugetlbfs pool is (normally) empty:
        // the hugepage mmap fails and the region is backed by 4 KiB pages instead.
        let sys = sysroot_with_hugepages(Some(512));
        let mut mem = DmaMemory::new(
            Arc::new(FakeIommu::default()),
            std::slice::from_ref(&WHOLE),
            4096,
            10,
            sys.path(),
        );
        assert_eq!(mem.page_size(), PageSize::Huge2M);
        let pool_empty = free_hugepages(Path::new("/sys")).unwrap_or(0) == 0;
        let r = mem.alloc(4096).unwrap();
        if pool_empty {
            assert_eq!(mem.page_size(), PageSize::Small4K);
            assert_eq!(r.len(), 4096);
        } else {
            assert_eq!(r.len(), 2 << 20);
            assert_eq!(r.iova() % (2 << 20), 0);
        }
    }
}
