//! The vfio backend without a card: fake sysfs and /dev trees for every way the setup can be
//! wrong (each error must name the problem and what to type), the hugepage detection and the
//! I/O address allocator.

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};

use biernic::backend::DeviceError;
use biernic::vfio::dma::{
    choose_page_size, free_hugepages, map_locked, IovaAllocator, PageSize, IOVA_START,
};
use biernic::vfio::sysfs::{group_open_hint, preflight, BIERNIC_DEVICE_ID, BIERNIC_VENDOR_ID};
use biernic::vfio::VfioBackend;

const ADDR: &str = "0000:3b:00.0";
const GROUP: u32 = 42;

/// A fake /sys and /dev with one biernic card at [`ADDR`], bound to vfio-pci, alone in IOMMU
/// group [`GROUP`], and /dev/vfio/{vfio,42}: everything a real setup has before the open.
struct Fake {
    dir: tempfile::TempDir,
}

impl Fake {
    fn new() -> Fake {
        let f = Fake {
            dir: tempfile::tempdir().unwrap(),
        };
        for d in ["vfio-pci", "nvme", "ixgbe", "pcieport"] {
            fs::create_dir_all(f.sys().join("bus/pci/drivers").join(d)).unwrap();
        }
        f.add_device(
            ADDR,
            BIERNIC_VENDOR_ID,
            BIERNIC_DEVICE_ID,
            Some("vfio-pci"),
            Some(GROUP),
        );
        fs::write(f.dev_path(ADDR).join("reset"), "").unwrap();
        fs::create_dir_all(f.devroot().join("vfio")).unwrap();
        fs::write(f.devroot().join("vfio/vfio"), "").unwrap();
        fs::write(f.devroot().join(format!("vfio/{GROUP}")), "").unwrap();
        f
    }
    fn sys(&self) -> PathBuf {
        self.dir.path().join("sys")
    }
    fn devroot(&self) -> PathBuf {
        self.dir.path().join("dev")
    }
    fn dev_path(&self, addr: &str) -> PathBuf {
        self.sys().join("bus/pci/devices").join(addr)
    }
    fn add_device(
        &self,
        addr: &str,
        vendor: u16,
        device: u16,
        driver: Option<&str>,
        group: Option<u32>,
    ) {
        let d = self.dev_path(addr);
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("vendor"), format!("0x{vendor:04x}\n")).unwrap();
        fs::write(d.join("device"), format!("0x{device:04x}\n")).unwrap();
        fs::write(d.join("class"), "0x020000\n").unwrap();
        if let Some(drv) = driver {
            self.bind(addr, drv);
        }
        if let Some(g) = group {
            let gdir = self.sys().join(format!("kernel/iommu_groups/{g}"));
            fs::create_dir_all(gdir.join("devices")).unwrap();
            symlink(&gdir, d.join("iommu_group")).unwrap();
            symlink(&d, gdir.join("devices").join(addr)).unwrap();
        }
    }
    fn bind(&self, addr: &str, driver: &str) {
        let link = self.dev_path(addr).join("driver");
        let _ = fs::remove_file(&link);
        symlink(self.sys().join("bus/pci/drivers").join(driver), link).unwrap();
    }
    fn unbind(&self, addr: &str) {
        fs::remove_file(self.dev_path(addr).join("driver")).unwrap();
    }
    fn open(&self, addr: &str) -> Result<VfioBackend, DeviceError> {
        VfioBackend::open_with(addr, &self.sys(), &self.devroot())
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[track_caller]
fn err_of(r: Result<VfioBackend, DeviceError>) -> (DeviceError, String) {
    match r {
        Ok(b) => panic!("opened {b:?} on a machine without a card"),
        Err(e) => {
            let m = e.to_string();
            (e, m)
        }
    }
}

#[track_caller]
fn assert_has(msg: &str, needles: &[&str]) {
    for n in needles {
        assert!(msg.contains(n), "message lacks {n:?}:\n{msg}");
    }
}

#[test]
fn all_checks_pass_on_a_good_setup() {
    let f = Fake::new();
    let pf = preflight("3b:00.0", &f.sys(), &f.devroot()).unwrap();
    assert_eq!(pf.addr, ADDR);
    assert_eq!(pf.sysfs_path, f.dev_path(ADDR));
    assert_eq!(
        (pf.vendor, pf.device),
        (BIERNIC_VENDOR_ID, BIERNIC_DEVICE_ID)
    );
    assert_eq!(pf.iommu_group, GROUP);
    assert_eq!(pf.group_path, f.devroot().join("vfio/42"));
    assert!(pf.reset_supported);
    fs::remove_file(f.dev_path(ADDR).join("reset")).unwrap();
    assert!(
        !preflight(ADDR, &f.sys(), &f.devroot())
            .unwrap()
            .reset_supported
    );
}

#[test]
fn past_the_checks_the_vfio_open_fails_cleanly_without_vfio() {
    // pci-driver opens the real /dev/vfio/42, which this machine does not have.
    if Path::new("/dev/vfio/42").exists() {
        return;
    }
    let f = Fake::new();
    let (e, m) = err_of(f.open(ADDR));
    assert!(matches!(e, DeviceError::Io { .. }), "{e:?}");
    assert_has(&m, &["opening 0000:3b:00.0 through VFIO", "IOMMU group 42"]);
}

#[test]
fn bad_address_syntax() {
    let f = Fake::new();
    for bad in [
        "",
        "3b",
        "0000:3b:00",
        "0000:3b:00.8",
        "0000:3b:0g.0",
        "eth0",
        "0000:3b:00.0 x",
    ] {
        let (e, m) = err_of(f.open(bad));
        assert!(matches!(e, DeviceError::BadAddress(_)), "{bad:?}: {e:?}");
        assert_has(&m, &["DOMAIN:BUS:DEVICE.FUNCTION", "0000:3b:00.0"]);
    }
}

#[test]
fn missing_device() {
    let f = Fake::new();
    let (e, m) = err_of(f.open("0000:3c:00.0"));
    assert!(
        matches!(e, DeviceError::NotFound { ref addr, .. } if addr == "0000:3c:00.0"),
        "{e:?}"
    );
    assert_has(&m, &["lspci -D", "check the address", "0000:3c:00.0"]);
}

#[test]
fn short_address_means_domain_zero() {
    let f = Fake::new();
    let (e, _) = err_of(f.open("3C:00.0"));
    assert!(
        matches!(e, DeviceError::NotFound { ref addr, .. } if addr == "0000:3c:00.0"),
        "{e:?}"
    );
}

#[test]
fn vendor_and_device_ids_are_shown() {
    let f = Fake::new();
    f.add_device("0000:3c:00.0", 0x8086, 0x1572, Some("vfio-pci"), Some(7));
    let (e, m) = err_of(f.open("0000:3c:00.0"));
    assert!(matches!(e, DeviceError::Device(_)), "{e:?}");
    assert_has(
        &m,
        &[
            "8086:1572",
            "vendor 0x8086",
            "device 0x1572",
            "10ee:b1e0",
            "lspci -D -nn",
            "0x020000",
        ],
    );
}

#[test]
fn bound_to_another_driver() {
    let f = Fake::new();
    f.bind(ADDR, "nvme");
    let (e, m) = err_of(f.open(ADDR));
    assert!(
        matches!(e, DeviceError::NotVfio { ref addr, ref driver, .. } if addr == ADDR && driver == "nvme"),
        "{e:?}"
    );
    assert_has(
        &m,
        &[
            "bound to nvme, not vfio-pci",
            "modprobe vfio-pci",
            "echo 0000:3b:00.0 > /sys/bus/pci/devices/0000:3b:00.0/driver/unbind",
            "echo vfio-pci > /sys/bus/pci/devices/0000:3b:00.0/driver_override",
            "echo 0000:3b:00.0 > /sys/bus/pci/drivers_probe",
        ],
    );
}

#[test]
fn unbound_device() {
    let f = Fake::new();
    f.unbind(ADDR);
    let (e, m) = err_of(f.open(ADDR));
    assert!(
        matches!(e, DeviceError::NotVfio { ref driver, .. } if driver == "none"),
        "{e:?}"
    );
    assert_has(
        &m,
        &[
            "bound to none",
            "driver_override",
            "drivers_probe",
            "modprobe vfio-pci",
        ],
    );
    assert!(!m.contains("unbind"), "nothing to unbind:\n{m}");
}

#[test]
fn no_iommu_group() {
    let f = Fake::new();
    fs::remove_file(f.dev_path(ADDR).join("iommu_group")).unwrap();
    let (e, m) = err_of(f.open(ADDR));
    assert!(
        matches!(e, DeviceError::NoIommuGroup { ref addr, .. } if addr == ADDR),
        "{e:?}"
    );
    assert_has(&m, &["VT-d", "AMD-Vi", "intel_iommu=on iommu=pt"]);
}

#[test]
fn another_device_of_the_group_holds_a_host_driver() {
    let f = Fake::new();
    f.add_device("0000:3b:00.1", 0x8086, 0x1572, Some("ixgbe"), Some(GROUP));
    let (e, m) = err_of(f.open(ADDR));
    assert!(
        matches!(e, DeviceError::NotVfio { ref addr, ref driver, .. } if addr == "0000:3b:00.1" && driver == "ixgbe"),
        "{e:?}"
    );
    assert_has(
        &m,
        &[
            "IOMMU group 42",
            "echo vfio-pci > /sys/bus/pci/devices/0000:3b:00.1/driver_override",
        ],
    );
    // A PCIe port or an unbound sibling does not block VFIO.
    f.bind("0000:3b:00.1", "pcieport");
    preflight(ADDR, &f.sys(), &f.devroot()).unwrap();
    f.unbind("0000:3b:00.1");
    preflight(ADDR, &f.sys(), &f.devroot()).unwrap();
}

#[test]
fn vfio_group_device_missing() {
    let f = Fake::new();
    fs::remove_file(f.devroot().join("vfio/42")).unwrap();
    let (e, m) = err_of(f.open(ADDR));
    assert!(
        matches!(e, DeviceError::Permission { ref path, .. } if path.ends_with("vfio/42")),
        "{e:?}"
    );
    assert_has(
        &m,
        &[
            "modprobe vfio-pci",
            "all devices of IOMMU group 42 must be bound to vfio-pci",
        ],
    );
}

#[test]
fn vfio_container_device_missing() {
    let f = Fake::new();
    fs::remove_file(f.devroot().join("vfio/vfio")).unwrap();
    let (e, m) = err_of(f.open(ADDR));
    assert!(
        matches!(e, DeviceError::Permission { ref path, .. } if path.ends_with("vfio/vfio")),
        "{e:?}"
    );
    assert_has(&m, &["modprobe vfio-pci"]);
}

#[test]
fn vfio_group_device_without_permission() {
    let f = Fake::new();
    let p = f.devroot().join("vfio/42");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o000)).unwrap();
    let r = f.open(ADDR);
    if is_root() {
        // Root passes permission checks: the mode-000 file opens and the checks go on to
        // the VFIO open. The hint for a real EACCES is checked through group_open_hint below.
        if !Path::new("/dev/vfio/42").exists() {
            let (e, _) = err_of(r);
            assert!(matches!(e, DeviceError::Io { .. }), "{e:?}");
        }
    } else {
        let (e, m) = err_of(r);
        assert!(matches!(e, DeviceError::Permission { .. }), "{e:?}");
        assert_has(
            &m,
            &["run as root", "chown", "udev", "must be bound to vfio-pci"],
        );
    }
}

#[test]
fn group_open_hints() {
    let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
    assert_has(
        &group_open_hint(&denied, ADDR, 42),
        &[
            "run as root",
            "chown $USER /dev/vfio/42",
            "SUBSYSTEM==\"vfio\"",
            "ulimit -l",
            "all devices of IOMMU group 42 must be bound to vfio-pci",
        ],
    );
    let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
    assert_has(
        &group_open_hint(&missing, ADDR, 42),
        &["modprobe vfio-pci", "bind 0000:3b:00.0"],
    );
    let busy = std::io::Error::from_raw_os_error(libc::EBUSY);
    assert_has(
        &group_open_hint(&busy, ADDR, 42),
        &["another process", "fuser -v /dev/vfio/42"],
    );
}

#[test]
fn open_on_this_machine_is_not_found() {
    if Path::new("/sys/bus/pci/devices/0000:3b:00.0").exists() {
        return; // a machine that has a device there
    }
    let (e, m) = err_of(VfioBackend::open("0000:3b:00.0"));
    assert!(matches!(e, DeviceError::NotFound { .. }), "{e:?}");
    assert_has(&m, &["lspci -D"]);
    let (e, _) = err_of(VfioBackend::open("not-an-address"));
    assert!(matches!(e, DeviceError::BadAddress(_)), "{e:?}");
}

#[test]
fn hugepage_detection() {
    let d = tempfile::tempdir().unwrap();
    assert_eq!(free_hugepages(d.path()), None);
    let p = d.path().join("kernel/mm/hugepages/hugepages-2048kB");
    fs::create_dir_all(&p).unwrap();
    fs::write(p.join("free_hugepages"), "3\n").unwrap();
    assert_eq!(free_hugepages(d.path()), Some(3));
    fs::write(p.join("free_hugepages"), "garbage").unwrap();
    assert_eq!(free_hugepages(d.path()), None);

    const M2: usize = 2 << 20;
    assert_eq!(choose_page_size(None, 4096), PageSize::Small4K);
    assert_eq!(choose_page_size(Some(0), 4096), PageSize::Small4K);
    assert_eq!(choose_page_size(Some(1), 4096), PageSize::Huge2M);
    assert_eq!(choose_page_size(Some(1), M2), PageSize::Huge2M);
    assert_eq!(choose_page_size(Some(1), M2 + 1), PageSize::Small4K);
    assert_eq!(choose_page_size(Some(2), M2 + 1), PageSize::Huge2M);
    assert_eq!(PageSize::Huge2M.round_up(1), M2);
    assert_eq!(PageSize::Small4K.round_up(4097), 8192);
    assert_eq!(PageSize::Small4K.round_up(0), 4096);
    assert_eq!(PageSize::Huge2M.to_string(), "2 MiB");
}

#[test]
fn iova_allocator() {
    const G: u64 = 1 << 30;
    let mut a = IovaAllocator::new(IOVA_START, std::slice::from_ref(&(0..1 << 48)));
    assert_eq!(a.alloc(4096, 4096), Some(G));
    assert_eq!(a.alloc(100, 4096), Some(G + 4096));
    // Aligned up to the next 2 MiB boundary; the gap is not reused later.
    assert_eq!(a.alloc(2 << 20, 2 << 20), Some(G + (2 << 20)));
    assert_eq!(a.alloc(4096, 4096), Some(G + (4 << 20)));
    assert_eq!(a.alloc(0, 4096), None);

    // Holes in the valid ranges (such as the MSI window at 0xfee00000) are skipped.
    let mut a = IovaAllocator::new(IOVA_START, &[0xfef0_0000..1 << 40, 0..0xfee0_0000]);
    assert_eq!(a.alloc(0xfee0_0000 - G, 4096), Some(G));
    assert_eq!(a.alloc(4096, 4096), Some(0xfef0_0000));
    assert_eq!(a.next(), 0xfef0_1000);

    // Exhaustion: nothing fits, and the allocator says so.
    let mut a = IovaAllocator::new(IOVA_START, std::slice::from_ref(&(0..G + 8192)));
    assert_eq!(a.alloc(8192, 4096), Some(G));
    assert_eq!(a.alloc(4096, 4096), None);
    let mut a = IovaAllocator::new(u64::MAX - 4095, std::slice::from_ref(&(0..u64::MAX)));
    assert_eq!(a.alloc(4096, 8192), None);
}

#[test]
fn dma_host_memory_is_zeroed_and_locked() {
    let (m, page) = map_locked(5000, PageSize::Small4K).unwrap();
    assert_eq!((m.len(), page), (8192, PageSize::Small4K));
    assert!(m.iter().all(|&b| b == 0));
    assert_eq!(m.as_ptr() as usize % 4096, 0);
    // Asking for hugepages works whether or not the pool has any (falls back to 4 KiB).
    let (m, page) = map_locked(4096, PageSize::Huge2M).unwrap();
    assert_eq!(m.len(), page.round_up(4096));
}
