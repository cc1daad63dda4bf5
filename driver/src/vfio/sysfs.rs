//! The checks before a device is opened through VFIO, on sysfs and `/dev/vfio` only: every
//! way the setup can be wrong becomes a [`DeviceError`] that says what to type.
//!
//! Both roots are parameters (`/sys` and `/dev` on a real system) so that the checks run
//! against fake trees in tests.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::backend::DeviceError;

/// PCI vendor id of the biernic bitstream's PCIe endpoint (Xilinx/AMD).
pub const BIERNIC_VENDOR_ID: u16 = 0x10ee;
/// PCI device id of the biernic bitstream's PCIe endpoint (set in the PCIe IP's configuration).
pub const BIERNIC_DEVICE_ID: u16 = 0xb1e0;

/// Drivers the kernel accepts on the *other* devices of an IOMMU group used through VFIO.
const GROUP_FRIENDLY_DRIVERS: &[&str] = &["vfio-pci", "pci-stub", "pcieport"];

/// Parses a PCI address: `DDDD:BB:DD.F` (hex; the domain may be longer than 4 digits, as with
/// Intel VMD) or `BB:DD.F` (domain 0000). Returns the canonical lower-case form that sysfs uses.
pub fn parse_pci_addr(s: &str) -> Result<String, DeviceError> {
    let bad = || DeviceError::BadAddress(s.to_string());
    let t = s.trim();
    let parts: Vec<&str> = t.split(':').collect();
    let (domain, bus, devfn) = match parts.as_slice() {
        [d, b, df] => (*d, *b, *df),
        [b, df] => ("0000", *b, *df),
        _ => return Err(bad()),
    };
    let (dev, func) = devfn.split_once('.').ok_or_else(bad)?;
    let hex = |x: &str, min: usize, max: usize| {
        (min..=max).contains(&x.len()) && x.bytes().all(|c| c.is_ascii_hexdigit())
    };
    if !hex(domain, 4, 8) || !hex(bus, 2, 2) || !hex(dev, 2, 2) || !hex(func, 1, 1) {
        return Err(bad());
    }
    let dev_n = u8::from_str_radix(dev, 16).map_err(|_| bad())?;
    let func_n = u8::from_str_radix(func, 16).map_err(|_| bad())?;
    if dev_n > 0x1f || func_n > 7 {
        return Err(bad());
    }
    Ok(format!("{domain}:{bus}:{dev}.{func}").to_ascii_lowercase())
}

/// What the checks found about a device that can be opened through VFIO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preflight {
    /// Canonical PCI address (`0000:3b:00.0`).
    pub addr: String,
    /// The device's sysfs directory (`<sysroot>/bus/pci/devices/<addr>`).
    pub sysfs_path: PathBuf,
    /// PCI vendor id.
    pub vendor: u16,
    /// PCI device id.
    pub device: u16,
    /// IOMMU group number.
    pub iommu_group: u32,
    /// The VFIO group device (`<devroot>/vfio/<group>`).
    pub group_path: PathBuf,
    /// The kernel can reset this function (sysfs has a `reset` file).
    pub reset_supported: bool,
}

/// The commands that bind `addr` to vfio-pci (as root). `bound` says whether it currently has
/// a driver to unbind first.
pub fn bind_commands(addr: &str, bound: bool) -> String {
    let mut s = String::from("bind it to vfio-pci as root:\n  modprobe vfio-pci\n");
    if bound {
        s += &format!("  echo {addr} > /sys/bus/pci/devices/{addr}/driver/unbind\n");
    }
    s += &format!(
        "  echo vfio-pci > /sys/bus/pci/devices/{addr}/driver_override\n  \
         echo {addr} > /sys/bus/pci/drivers_probe"
    );
    s
}

/// What to do when `/dev/vfio/vfio` or `/dev/vfio/<group>` cannot be opened with error `e`.
pub fn group_open_hint(e: &std::io::Error, addr: &str, group: u32) -> String {
    let note = format!(
        "(all devices of IOMMU group {group} must be bound to vfio-pci: \
         `ls /sys/kernel/iommu_groups/{group}/devices`)"
    );
    match e.kind() {
        ErrorKind::NotFound => format!(
            "load the driver with `modprobe vfio-pci` and bind {addr} to it (that creates \
             /dev/vfio/{group}) {note}"
        ),
        ErrorKind::PermissionDenied => format!(
            "run as root, or give the user the group: `chown $USER /dev/vfio/{group}` \
             (lasting: a udev rule `SUBSYSTEM==\"vfio\", OWNER=\"<user>\", MODE=\"0660\"` \
             in /etc/udev/rules.d/60-vfio.rules) and raise its locked-memory limit \
             (`ulimit -l`) {note}"
        ),
        _ if e.raw_os_error() == Some(libc::EBUSY) => format!(
            "another process (QEMU, another biernic) has the group open: find it with \
             `fuser -v /dev/vfio/{group}`"
        ),
        _ => note,
    }
}

/// Name of the driver bound to the device at `dev` (a sysfs device directory), or `None`.
fn bound_driver(dev: &Path) -> Result<Option<String>, DeviceError> {
    match fs::read_link(dev.join("driver")) {
        Ok(target) => Ok(Some(
            target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        )),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(source) => Err(DeviceError::Io {
            context: format!("reading {}", dev.join("driver").display()),
            source,
        }),
    }
}

/// Reads a sysfs id file such as `vendor` (`0x10ee\n`).
fn read_id(dev: &Path, name: &str) -> Result<u16, DeviceError> {
    let path = dev.join(name);
    let text = fs::read_to_string(&path).map_err(|source| DeviceError::Io {
        context: format!("reading {}", path.display()),
        source,
    })?;
    let t = text.trim();
    u16::from_str_radix(t.trim_start_matches("0x"), 16)
        .map_err(|_| DeviceError::Device(format!("{} holds {t:?}, not a PCI id", path.display())))
}

/// Checks everything that can be checked before opening `addr` through VFIO: the address,
/// that the device exists and is a biernic card, that it is bound to vfio-pci, its IOMMU
/// group (and that the group's other devices do not block VFIO), and that `/dev/vfio/<group>`
/// can be opened for reading and writing. Opens nothing that stays open.
pub fn preflight(addr: &str, sysroot: &Path, devroot: &Path) -> Result<Preflight, DeviceError> {
    let addr = parse_pci_addr(addr)?;
    let dev = sysroot.join("bus/pci/devices").join(&addr);
    if !dev.exists() {
        return Err(DeviceError::NotFound {
            addr: addr.clone(),
            hint: format!(
                "{} does not exist; list the PCI devices with `lspci -D` (biernic cards: \
                 `lspci -D -d {BIERNIC_VENDOR_ID:04x}:`) and check the address \
                 (DOMAIN:BUS:DEVICE.FUNCTION); after loading a bitstream, rescan with \
                 `echo 1 > /sys/bus/pci/rescan`",
                dev.display()
            ),
        });
    }

    let vendor = read_id(&dev, "vendor")?;
    let device = read_id(&dev, "device")?;
    if (vendor, device) != (BIERNIC_VENDOR_ID, BIERNIC_DEVICE_ID) {
        let class = fs::read_to_string(dev.join("class"))
            .map(|c| format!(", class {}", c.trim()))
            .unwrap_or_default();
        return Err(DeviceError::Device(format!(
            "{addr} is {vendor:04x}:{device:04x} (vendor 0x{vendor:04x}, device 0x{device:04x}\
             {class}), not a biernic card ({BIERNIC_VENDOR_ID:04x}:{BIERNIC_DEVICE_ID:04x}): \
             check the address with `lspci -D -nn`, and that the FPGA runs the biernic bitstream"
        )));
    }

    match bound_driver(&dev)? {
        Some(d) if d == "vfio-pci" => {}
        Some(d) => {
            return Err(DeviceError::NotVfio {
                hint: bind_commands(&addr, true),
                addr,
                driver: d,
            })
        }
        None => {
            return Err(DeviceError::NotVfio {
                hint: bind_commands(&addr, false),
                addr,
                driver: "none".into(),
            })
        }
    }

    let group_link = dev.join("iommu_group");
    let iommu_group = fs::read_link(&group_link)
        .ok()
        .and_then(|t| t.file_name()?.to_str()?.parse::<u32>().ok())
        .ok_or_else(|| DeviceError::NoIommuGroup {
            addr: addr.clone(),
            hint: "the IOMMU is off. Enable VT-d (Intel) or AMD-Vi/IOMMU (AMD) in the firmware \
                   setup, and boot with `intel_iommu=on iommu=pt` on the kernel command line \
                   (AMD: `amd_iommu=on iommu=pt`; add it to GRUB_CMDLINE_LINUX in \
                   /etc/default/grub, run update-grub, reboot); check with \
                   `ls /sys/kernel/iommu_groups` and `dmesg | grep -i -e DMAR -e IOMMU`"
                .into(),
        })?;

    // VFIO refuses a group ("not viable") while any of its devices has a host driver.
    let members = sysroot.join(format!("kernel/iommu_groups/{iommu_group}/devices"));
    if let Ok(entries) = fs::read_dir(&members) {
        let mut names: Vec<(String, PathBuf)> = entries
            .flatten()
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
            .collect();
        names.sort();
        for (name, path) in names {
            if name == addr {
                continue;
            }
            if let Some(d) = bound_driver(&path)? {
                if !GROUP_FRIENDLY_DRIVERS.contains(&d.as_str()) {
                    return Err(DeviceError::NotVfio {
                        hint: format!(
                            "it shares IOMMU group {iommu_group} with {addr}, and VFIO needs every \
                             device of a group bound to vfio-pci (or unbound); {}",
                            bind_commands(&name, true)
                        ),
                        addr: name,
                        driver: d,
                    });
                }
            }
        }
    }

    for path in [
        devroot.join("vfio/vfio"),
        devroot.join(format!("vfio/{iommu_group}")),
    ] {
        // Closed at once: a VFIO group can be open only once, and pci-driver opens it next.
        if let Err(e) = fs::OpenOptions::new().read(true).write(true).open(&path) {
            return Err(DeviceError::Permission {
                path: path.display().to_string(),
                reason: e.to_string(),
                hint: group_open_hint(&e, &addr, iommu_group),
            });
        }
    }

    Ok(Preflight {
        reset_supported: dev.join("reset").exists(),
        sysfs_path: dev,
        vendor,
        device,
        iommu_group,
        group_path: devroot.join(format!("vfio/{iommu_group}")),
        addr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(parse_pci_addr("0000:3b:00.0").unwrap(), "0000:3b:00.0");
        assert_eq!(parse_pci_addr("3B:00.1").unwrap(), "0000:3b:00.1");
        assert_eq!(parse_pci_addr("10000:01:1f.7").unwrap(), "10000:01:1f.7");
        for bad in [
            "",
            "3b",
            "3b:00",
            "0000:3b:00",
            "0000:3b:00.8",
            "0000:3b:20.0",
            "000:3b:00.0",
            "0000:3bb:00.0",
            "0000:3b:0.0",
            "0000:3b:00.0:1",
            "zzzz:3b:00.0",
            "0000:3b:00.",
        ] {
            assert!(
                matches!(parse_pci_addr(bad), Err(DeviceError::BadAddress(_))),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn bind_commands_skip_unbind_when_unbound() {
        let a = bind_commands("0000:3b:00.0", true);
        assert!(a.contains("echo 0000:3b:00.0 > /sys/bus/pci/devices/0000:3b:00.0/driver/unbind"));
        assert!(a.contains("echo vfio-pci > /sys/bus/pci/devices/0000:3b:00.0/driver_override"));
        assert!(a.contains("echo 0000:3b:00.0 > /sys/bus/pci/drivers_probe"));
        assert!(a.contains("modprobe vfio-pci"));
        assert!(!bind_commands("0000:3b:00.0", false).contains("unbind"));
    }
}
