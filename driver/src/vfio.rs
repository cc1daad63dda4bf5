//! The `vfio` backend: a biernic card behind the kernel's vfio-pci driver, driven from user
//! space with pci-driver (VFIO), BAR0 mapped into this process and DMA memory mapped into the
//! card's IOMMU context.
//!
//! [`VfioBackend::open`] first checks the setup through sysfs and `/dev/vfio`
//! ([`sysfs::preflight`]), so that a wrong address, a device bound to another driver, an IOMMU
//! that is off or a permission problem each come back as a [`DeviceError`] that says what to
//! type. Then it opens the device, resets the function when the kernel can, maps BAR0, enables
//! memory decoding and bus mastering, and checks the identity block reads "BIER".
//!
//! DMA memory ([`dma`]) comes from 2 MiB hugepages when the pool has free pages
//! (`/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages`), else 4 KiB pages:
//! [`VfioBackend::page_size`] says which.

mod bar;
pub mod dma;
pub mod sysfs;

use std::path::Path;
use std::ptr::NonNull;
use std::sync::Arc;

use pci_driver::backends::vfio::VfioPciDevice;
use pci_driver::device::PciDevice;
use pci_driver::regions::{MappedOwningPciRegion, PciRegion, Permissions};

use crate::backend::{Backend, DeviceError, DmaRegion};
use bar::Bar0;
pub use bar::BAR0_MIN_LEN;
use dma::{DmaMemory, IommuMap, PageSize};
use sysfs::Preflight;

/// Offset of the command register in PCI configuration space.
const PCI_COMMAND: u64 = 0x04;
/// Command register: memory space decoding enable.
const PCI_COMMAND_MEMORY: u16 = 1 << 1;
/// Command register: bus master enable (the device may issue DMA).
const PCI_COMMAND_MASTER: u16 = 1 << 2;

/// What became of the function reset at open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetOutcome {
    /// The function was reset (FLR or another method the kernel picked).
    Reset,
    /// The kernel has no reset method for this device (no `reset` file in sysfs): the card
    /// keeps whatever state the previous user left.
    NotSupported,
    /// The reset was attempted and failed (the message says why); the card was used anyway.
    Failed(String),
}

/// A biernic card opened through VFIO.
pub struct VfioBackend {
    preflight: Preflight,
    reset: ResetOutcome,
    bar0_len: u64,
    bar: Bar0,
    dma: DmaMemory,
    // Field order is drop order: the raw `bar` view above goes before the mapping it points
    // into, and the mapping before the device.
    bar_map: MappedOwningPciRegion,
    device: VfioPciDevice,
}

impl std::fmt::Debug for VfioBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VfioBackend")
            .field("addr", &self.preflight.addr)
            .field("iommu_group", &self.preflight.iommu_group)
            .field("reset", &self.reset)
            .field("page_size", &self.dma.page_size())
            .finish()
    }
}

fn io_err(context: String) -> impl FnOnce(std::io::Error) -> DeviceError {
    move |source| DeviceError::Io { context, source }
}

impl VfioBackend {
    /// Opens the card at `pci_addr` (`0000:3b:00.0`, or `3b:00.0` for domain 0).
    pub fn open(pci_addr: &str) -> Result<VfioBackend, DeviceError> {
        Self::open_with(pci_addr, Path::new("/sys"), Path::new("/dev"))
    }

    /// [`VfioBackend::open`] with the sysfs root (`/sys`) and the device root (`/dev`) given.
    /// The roots serve the checks and the hugepage count; the VFIO open itself (pci-driver)
    /// always uses `/dev/vfio`.
    pub fn open_with(
        pci_addr: &str,
        sysroot: &Path,
        devroot: &Path,
    ) -> Result<VfioBackend, DeviceError> {
        let pf = sysfs::preflight(pci_addr, sysroot, devroot)?;
        let addr = pf.addr.clone();
        let group = pf.iommu_group;

        let device = VfioPciDevice::open(&pf.sysfs_path).map_err(|source| DeviceError::Io {
            context: format!(
                "opening {addr} through VFIO (IOMMU group {group}; every device of the group \
                 must be bound to vfio-pci, and no other process may hold /dev/vfio/{group})"
            ),
            source,
        })?;

        // Reset before anything is set up: a reset clears the command register.
        let reset = if pf.reset_supported {
            match device.reset() {
                Ok(()) => ResetOutcome::Reset,
                Err(e) => ResetOutcome::Failed(e.to_string()),
            }
        } else {
            ResetOutcome::NotSupported
        };

        let bar0 = device.bar(0).ok_or_else(|| {
            DeviceError::Device(format!(
                "{addr} has no BAR0: the bitstream's PCIe core must expose a memory BAR0 of at \
                 least 64 KiB"
            ))
        })?;
        if bar0.len() < BAR0_MIN_LEN as u64 {
            return Err(DeviceError::Device(format!(
                "{addr}: BAR0 has {} bytes, the register map needs at least {BAR0_MIN_LEN} \
                 (64 KiB): wrong bitstream or wrong device",
                bar0.len()
            )));
        }
        if !bar0.is_mappable() {
            return Err(DeviceError::Device(format!(
                "{addr}: BAR0 cannot be memory-mapped (an I/O-space BAR?)"
            )));
        }
        let bar_map = bar0
            .map(0..BAR0_MIN_LEN as u64, Permissions::ReadWrite)
            .map_err(io_err(format!("mapping BAR0 of {addr}")))?;
        let ptr = NonNull::new(bar_map.as_mut_ptr())
            .ok_or_else(|| DeviceError::Device(format!("{addr}: BAR0 mapped at null")))?;
        // SAFETY: `bar_map` is a read+write mapping of the first 64 KiB of BAR0 (page aligned),
        // kept alive in the returned backend after (in drop order) this view.
        let bar = unsafe { Bar0::new(ptr, BAR0_MIN_LEN) };

        let cfg = device.config();
        let cmd = cfg.read_le_u16(PCI_COMMAND).map_err(io_err(format!(
            "reading the PCI command register of {addr}"
        )))?;
        cfg.write_le_u16(PCI_COMMAND, cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)
            .map_err(io_err(format!("enabling bus mastering on {addr}")))?;
        let cmd = cfg.read_le_u16(PCI_COMMAND).map_err(io_err(format!(
            "reading the PCI command register of {addr}"
        )))?;
        if cmd & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)
            != PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER
        {
            return Err(DeviceError::Device(format!(
                "{addr}: memory decoding and bus mastering did not stay enabled (command \
                 register 0x{cmd:04x})"
            )));
        }

        bar.check_identity(&addr)?;

        let iommu = device.iommu();
        let dma = DmaMemory::new(
            Arc::clone(device.container()) as Arc<dyn IommuMap>,
            iommu.valid_iova_ranges(),
            iommu.alignment(),
            iommu.max_num_mappings(),
            sysroot,
        );

        Ok(VfioBackend {
            preflight: pf,
            reset,
            bar0_len: bar0.len(),
            bar,
            dma,
            bar_map,
            device,
        })
    }

    /// The canonical PCI address.
    pub fn pci_addr(&self) -> &str {
        &self.preflight.addr
    }

    /// What the checks before the open found (ids, IOMMU group, reset support).
    pub fn preflight(&self) -> &Preflight {
        &self.preflight
    }

    /// Whether the function was reset at open.
    pub fn reset_outcome(&self) -> &ResetOutcome {
        &self.reset
    }

    /// The smallest page size that backs DMA memory so far: [`PageSize::Small4K`] once any
    /// allocation fell back from 2 MiB hugepages (then raise `nr_hugepages`).
    pub fn page_size(&self) -> PageSize {
        self.dma.page_size()
    }

    /// BAR0's length in bytes (the mapping covers its first 64 KiB).
    pub fn bar0_len(&self) -> u64 {
        debug_assert_eq!(self.bar_map.len(), BAR0_MIN_LEN);
        self.bar0_len
    }
}

impl Backend for VfioBackend {
    fn read32(&mut self, addr: u16) -> Result<u32, DeviceError> {
        self.bar.read32(addr)
    }

    fn write32(&mut self, addr: u16, value: u32) -> Result<(), DeviceError> {
        self.bar.write32(addr, value)
    }

    fn alloc_dma(&mut self, len: usize) -> Result<DmaRegion, DeviceError> {
        self.dma.alloc(len)
    }

    fn describe(&self) -> String {
        format!("vfio {}", self.preflight.addr)
    }
}

impl Drop for VfioBackend {
    fn drop(&mut self) {
        // Stop the card from issuing DMA before DMA regions that outlive the backend are
        // freed (vfio-pci does the same when the device file closes; this makes it explicit
        // and immediate). Errors are ignored: the device may be gone.
        let cfg = self.device.config();
        if let Ok(cmd) = cfg.read_le_u16(PCI_COMMAND) {
            let _ = cfg.write_le_u16(PCI_COMMAND, cmd & !PCI_COMMAND_MASTER);
        }
    }
}
