//! 32-bit volatile access to the memory-mapped BAR0.

use std::ptr::NonNull;

use biernic_hw::regmap::{ID_BASE, ID_TYPE_VALUE};

use crate::backend::DeviceError;

/// Smallest BAR0 the register map needs (its 16-bit address window).
pub const BAR0_MIN_LEN: usize = 64 << 10;

/// A mapped BAR0 (or, in tests, memory standing in for one). Not an owner: whoever built it
/// keeps the mapping alive.
pub(crate) struct Bar0 {
    ptr: NonNull<u8>,
    len: usize,
}

impl Bar0 {
    /// # Safety
    /// `ptr..ptr+len` must be a mapping valid for 32-bit volatile reads and writes at 4-byte
    /// aligned offsets for as long as this value is used, `ptr` must be 4-byte aligned, and
    /// `len` must be at least 4.
    pub(crate) unsafe fn new(ptr: NonNull<u8>, len: usize) -> Self {
        Bar0 { ptr, len }
    }

    fn check(&self, addr: u16) -> Result<*mut u32, DeviceError> {
        let off = usize::from(addr);
        if off % 4 != 0 || off + 4 > self.len {
            return Err(DeviceError::Register {
                addr,
                reason: format!(
                    "not a 4-byte aligned register inside the {}-byte BAR0",
                    self.len
                ),
            });
        }
        // SAFETY: off + 4 <= len (checked), so the pointer stays inside the mapping.
        Ok(unsafe { self.ptr.as_ptr().add(off) } as *mut u32)
    }

    /// Reads a 32-bit register. All ones is what a PCIe read returns when the device does not
    /// answer; since some registers may legitimately hold all ones, the identity block's type
    /// register (which never does) is read to tell the cases apart.
    pub(crate) fn read32(&self, addr: u16) -> Result<u32, DeviceError> {
        let p = self.check(addr)?;
        // SAFETY: inside the mapping and aligned (checked); volatile because this is device
        // memory: every read is a bus transaction and may return a new value.
        let v = u32::from_le(unsafe { p.read_volatile() });
        if v == u32::MAX && (addr < ID_BASE + 0x100 || self.raw_type() == u32::MAX) {
            return Err(DeviceError::Register {
                addr,
                reason: "the device reads as all ones: it fell off the bus (PCIe link down, \
                         surprise removal, or the FPGA was reprogrammed); check \
                         `lspci -D -s <address>` and `dmesg`, reload the bitstream, rescan \
                         (`echo 1 > /sys/bus/pci/rescan`) and bind it to vfio-pci again"
                    .into(),
            });
        }
        Ok(v)
    }

    /// Writes a 32-bit register (a posted write: a missing device shows on the next read).
    pub(crate) fn write32(&self, addr: u16, value: u32) -> Result<(), DeviceError> {
        let p = self.check(addr)?;
        // SAFETY: inside the mapping and aligned (checked); volatile so that the store is
        // issued exactly once, in program order with the other register accesses.
        unsafe { p.write_volatile(value.to_le()) };
        Ok(())
    }

    fn raw_type(&self) -> u32 {
        // SAFETY: offset 0 is inside the mapping (`new` requires len >= 4) and aligned.
        u32::from_le(unsafe { (self.ptr.as_ptr() as *const u32).read_volatile() })
    }

    /// Checks that the identity block's type register reads "BIER".
    pub(crate) fn check_identity(&self, addr: &str) -> Result<(), DeviceError> {
        match self.read32(ID_BASE) {
            Ok(ID_TYPE_VALUE) => Ok(()),
            Ok(v) => Err(DeviceError::Device(format!(
                "{addr}: BAR0 offset 0x0 reads 0x{v:08x}, not 0x{ID_TYPE_VALUE:08x} (\"BIER\"): \
                 the FPGA does not run the biernic bitstream (load it, then rescan the PCI bus \
                 and bind the card to vfio-pci again), or {addr} is another device"
            ))),
            Err(DeviceError::Register { reason, .. }) => Err(DeviceError::Device(format!(
                "{addr}: identity register: {reason}"
            ))),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake(words: &mut [u32]) -> Bar0 {
        // SAFETY: the slice outlives the Bar0 in each test and is 4-byte aligned.
        unsafe {
            Bar0::new(
                NonNull::new(words.as_mut_ptr() as *mut u8).unwrap(),
                words.len() * 4,
            )
        }
    }

    #[test]
    fn reads_writes_and_identity() {
        let mut mem = vec![0u32; BAR0_MIN_LEN / 4];
        mem[0] = ID_TYPE_VALUE.to_le();
        let bar = fake(&mut mem);
        bar.check_identity("0000:3b:00.0").unwrap();
        bar.write32(0x118, 0x1234_5678).unwrap();
        assert_eq!(bar.read32(0x118).unwrap(), 0x1234_5678);
        // All ones in a data register is a value as long as the identity block answers.
        bar.write32(0x2000, u32::MAX).unwrap();
        assert_eq!(bar.read32(0x2000).unwrap(), u32::MAX);
        assert!(matches!(
            bar.read32(0x2),
            Err(DeviceError::Register { addr: 2, .. })
        ));
        assert!(matches!(
            bar.read32(0xfffe),
            Err(DeviceError::Register { .. })
        ));
        assert_eq!(mem[0x118 / 4], 0x1234_5678u32.to_le());
    }

    #[test]
    fn all_ones_means_off_the_bus() {
        let mut mem = vec![u32::MAX; BAR0_MIN_LEN / 4];
        let bar = fake(&mut mem);
        let e = bar.read32(0x4000).unwrap_err();
        assert!(matches!(e, DeviceError::Register { addr: 0x4000, .. }));
        assert!(e.to_string().contains("fell off the bus"), "{e}");
        let e = bar.check_identity("0000:3b:00.0").unwrap_err();
        assert!(
            matches!(e, DeviceError::Device(ref m) if m.contains("fell off the bus")),
            "{e}"
        );
    }

    #[test]
    fn wrong_identity_is_a_device_error() {
        let mut mem = vec![0u32; BAR0_MIN_LEN / 4];
        mem[0] = 0x1234_0000;
        let e = fake(&mut mem).check_identity("0000:3b:00.0").unwrap_err();
        assert!(
            matches!(e, DeviceError::Device(ref m) if m.contains("0x12340000") && m.contains("BIER")),
            "{e}"
        );
    }
}
