//! The `sim` backend: the verilated NIC core (`biernic_sim::Nic`) in this process.
//!
//! Registers go through the model's AXI4-Lite port; DMA memory is page-aligned heap memory
//! registered in a translation table under an I/O address this backend assigns. The NIC's
//! AXI4 master reaches that memory only through the table, by the I/O addresses the driver
//! wrote into descriptors and ring registers, exactly as a card reaches host memory through
//! the IOMMU: an address outside every live region is answered with SLVERR (an IOMMU fault).
//! Dropping a [`DmaRegion`] removes it from the table before the memory is freed.

use crate::backend::{heap_region, Backend, DeviceError, DmaRegion};
use biernic_sim::{Build, HostMemory, MemFault, Nic};
use std::cell::RefCell;
use std::rc::Rc;

/// First I/O address handed out (anything but 0, so that a zeroed descriptor faults).
const IOVA_BASE: u64 = 0x1_0000_0000;

#[derive(Debug, Default)]
struct Table {
    /// (iova, len, host pointer) of every live region, sorted by iova.
    regions: Vec<(u64, usize, usize)>,
    next_iova: u64,
}

impl Table {
    fn find(&self, addr: u64, len: usize) -> Result<*mut u8, MemFault> {
        let i = self.regions.partition_point(|r| r.0 <= addr);
        if i == 0 {
            return Err(MemFault { addr });
        }
        let (base, rlen, ptr) = self.regions[i - 1];
        let off = addr - base;
        if off as usize + len > rlen {
            return Err(MemFault {
                addr: base + rlen as u64,
            });
        }
        Ok((ptr + off as usize) as *mut u8)
    }
}

/// The translation table as the NIC's memory model sees it.
struct SharedMemory(Rc<RefCell<Table>>);

impl HostMemory for SharedMemory {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), MemFault> {
        let p = self.0.borrow().find(addr, buf.len())?;
        // SAFETY: `find` checked that addr..addr+len lies inside a region that is registered,
        // hence alive (regions unregister before they are freed). The driver accesses DMA
        // memory only through raw-pointer copies and volatile accesses (never references),
        // and this simulation runs on the driver's thread, so there is no concurrent access.
        unsafe { std::ptr::copy_nonoverlapping(p, buf.as_mut_ptr(), buf.len()) };
        Ok(())
    }

    fn write(&mut self, addr: u64, data: &[u8], strobe: &[bool]) -> Result<(), MemFault> {
        let p = self.0.borrow().find(addr, data.len())?;
        for (i, (b, s)) in data.iter().zip(strobe).enumerate() {
            if *s {
                // SAFETY: in bounds of a live region (see `read`); single-threaded.
                unsafe { p.add(i).write_volatile(*b) };
            }
        }
        Ok(())
    }
}

/// Owner of a simulated DMA region: unregisters it, then frees the memory.
struct Registered {
    table: Rc<RefCell<Table>>,
    iova: u64,
    _mem: DmaRegion,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.table.borrow_mut().regions.retain(|r| r.0 != self.iova);
    }
}

/// The verilated NIC as a [`Backend`].
pub struct SimBackend {
    nic: Nic,
    table: Rc<RefCell<Table>>,
    slice: u64,
    build: Build,
}

impl std::fmt::Debug for SimBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimBackend")
            .field("build", &self.build)
            .finish()
    }
}

impl SimBackend {
    /// A fresh simulated NIC of `build` (`Build::NicNarrow` or `Build::NicWide`), reset, with
    /// no BIFT loaded and every queue disabled.
    pub fn new(build: Build) -> Result<Self, DeviceError> {
        let table = Rc::new(RefCell::new(Table {
            regions: Vec::new(),
            next_iova: IOVA_BASE,
        }));
        let nic = Nic::new(build, Box::new(SharedMemory(table.clone())), 1)
            .map_err(|e| DeviceError::Device(format!("cannot start the simulated NIC: {e}")))?;
        Ok(SimBackend {
            nic,
            table,
            slice: 64,
            build,
        })
    }

    /// Cycles the simulator advances per [`Backend::service`] call (default 64).
    pub fn set_service_cycles(&mut self, cycles: u64) {
        self.slice = cycles.max(1);
    }

    /// The simulated NIC: network ports (inject frames, collect what the ports sent), memory
    /// timing, cycle counter.
    pub fn nic(&mut self) -> &mut Nic {
        &mut self.nic
    }

    /// Whether a frame waits at a port ingress or a DMA transaction is outstanding.
    pub fn busy(&self) -> bool {
        self.nic.pending_injections() > 0 || !self.nic.memory_idle()
    }

    /// Runs the simulator until no frame waits at a port ingress, no DMA transaction is
    /// outstanding and nothing moved for `quiet` cycles, or `max` cycles passed.
    pub fn settle(&mut self, quiet: u64, max: u64) -> Result<u64, DeviceError> {
        let start = self.nic.cycle();
        let mut still = 0;
        while still < quiet {
            if self.nic.cycle() - start > max {
                return Err(DeviceError::Device(format!(
                    "the simulated NIC did not settle in {max} cycles"
                )));
            }
            let before = self.nic.dma_bytes();
            self.step()?;
            let busy = self.busy() || self.nic.dma_bytes() != before;
            still = if busy { 0 } else { still + 1 };
        }
        Ok(self.nic.cycle() - start)
    }

    fn step(&mut self) -> Result<(), DeviceError> {
        self.nic
            .step()
            .map_err(|e| DeviceError::Device(format!("simulated NIC: {e}")))
    }
}

fn reg_err(addr: u16, e: biernic_sim::SimError) -> DeviceError {
    DeviceError::Register {
        addr,
        reason: e.to_string(),
    }
}

impl Backend for SimBackend {
    fn read32(&mut self, addr: u16) -> Result<u32, DeviceError> {
        self.nic.axil_read(addr).map_err(|e| reg_err(addr, e))
    }

    fn write32(&mut self, addr: u16, value: u32) -> Result<(), DeviceError> {
        self.nic
            .axil_write(addr, value)
            .map_err(|e| reg_err(addr, e))
    }

    fn alloc_dma(&mut self, len: usize) -> Result<DmaRegion, DeviceError> {
        let mut t = self.table.borrow_mut();
        let iova = t.next_iova;
        let mem = heap_region(len, iova)?;
        let (ptr, rlen) = (mem.as_ptr(), mem.len());
        // leave a guard page between regions so that an overrun faults
        t.next_iova = iova + rlen as u64 + 4096;
        let pos = t.regions.partition_point(|r| r.0 < iova);
        t.regions.insert(pos, (iova, rlen, ptr as usize));
        drop(t);
        let owner = Registered {
            table: self.table.clone(),
            iova,
            _mem: mem,
        };
        let virt =
            std::ptr::NonNull::new(ptr).ok_or_else(|| DeviceError::Dma("null region".into()))?;
        // SAFETY: `ptr..ptr+rlen` is the heap region owned by `owner` (kept alive with the new
        // region), reached by the simulated device at `iova` through the table until `owner`
        // is dropped; the driver does not create references into it.
        Ok(unsafe { DmaRegion::new(virt, rlen, iova, Box::new(owner)) })
    }

    fn service(&mut self) -> Result<(), DeviceError> {
        for _ in 0..self.slice {
            self.step()?;
        }
        Ok(())
    }

    fn describe(&self) -> String {
        format!("sim ({:?} build, cycle {})", self.build, self.nic.cycle())
    }
}
