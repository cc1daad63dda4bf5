//! Checks of everything the board builds generate or ship that can be checked without the
//! vendor tools: Verilator lint (`-Wall`, WIDTH waived as in `biernic-hw`: RustHDL prints
//! every literal as 32 bits) of the ECPIX-5 and Alveo U250 builds; Yosys elaborations with
//! `check -assert` (which also fails on combinational loops and multiple drivers) of the
//! ECPIX-5 build, of the 512-bit core, and of the U250 top against the core's ports; a syntax
//! check of the Vivado Tcl and XDC files with `tclsh`; and, only with `BIERNIC_FW_PNR=1`
//! (several minutes), the full ECP5 bitstream build.
//!
//! Run times seen on a 2-core machine shared with another build: the core's elaboration
//! ~35 s (it skips `opt_clean`, which took another ~22 s and only removes unused logic), everything else
//! a few seconds each.

use std::path::{Path, PathBuf};
use std::process::Command;

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("biernic-fw-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn here(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn lint(top: &str, files: &[PathBuf]) {
    let out = Command::new("verilator")
        .args(["--lint-only", "-Wall", "-Wno-WIDTH", "--top-module", top])
        .args(files)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !stderr.contains("%Warning"),
        "{top}: verilator lint failed:\n{stderr}"
    );
}

fn yosys(what: &str, script: &str) {
    let out = Command::new("yosys")
        .args(["-q", "-p", script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{what}: yosys failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn names(files: &[PathBuf]) -> String {
    let v: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    v.join(" ")
}

/// Full elaboration: every module read, processes turned into netlists, then `check -assert`.
fn elaborate(top: &str, files: &[PathBuf]) {
    let script = format!(
        "read_verilog -sv {}; hierarchy -check -top {top}; proc; check -assert",
        names(files)
    );
    yosys(top, &script);
}

fn ecpix5_files(name: &str) -> Vec<PathBuf> {
    let d = dir(name);
    let v = d.join("biernic_ecpix5.v");
    std::fs::write(&v, biernic_firmware::ecpix5_verilog(&Default::default())).unwrap();
    vec![v, here("boards/ecpix5/ecp5_stubs.v")]
}

/// The U250 top and the IP port stubs (`[0]`, `[1]`) and the core (`[2]`).
fn alveo_files(name: &str) -> Vec<PathBuf> {
    let d = dir(name);
    let top = d.join("biernic_u250.v");
    let core = d.join("biernic_core.v");
    std::fs::write(&top, biernic_firmware::alveo::u250_top_verilog()).unwrap();
    std::fs::write(&core, biernic_firmware::alveo::core_verilog()).unwrap();
    vec![top, here("alveo/ip_stubs.v"), core]
}

#[test]
fn ecpix5_lint_is_clean() {
    assert!(
        have("verilator"),
        "verilator not found (make deps installs it)"
    );
    lint("biernic_ecpix5", &ecpix5_files("lint-ecpix5"));
}

#[test]
fn ecpix5_elaborates_in_yosys() {
    assert!(have("yosys"), "yosys not found (make deps installs it)");
    elaborate("biernic_ecpix5", &ecpix5_files("yosys-ecpix5"));
}

#[test]
fn alveo_u250_lint_is_clean() {
    assert!(
        have("verilator"),
        "verilator not found (make deps installs it)"
    );
    lint("biernic_u250", &alveo_files("lint-u250"));
}

/// The U250 top with the core read as a black box (`read_verilog -lib`: ports only): every
/// instance names existing ports of the core and of the IP stubs, with the right widths (Yosys
/// warns "Resizing cell port" otherwise, and this test fails on any warning). Under a second.
#[test]
fn alveo_u250_top_elaborates_around_the_core_ports() {
    assert!(have("yosys"), "yosys not found (make deps installs it)");
    let f = alveo_files("yosys-u250-top");
    let script = format!(
        "read_verilog -sv {}; read_verilog -sv -lib {}; hierarchy -check -top biernic_u250; proc; check -assert",
        names(&f[..2]),
        f[2].display()
    );
    let out = Command::new("yosys")
        .args(["-p", &script])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && !log.contains("Warning:"),
        "biernic_u250: yosys failed or warned:\n{}\n{}",
        log.lines()
            .filter(|l| l.contains("Warning") || l.contains("ERROR"))
            .collect::<Vec<_>>()
            .join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The 512-bit core (`biernic_nic`: data plane + DMA engine) in full.
#[test]
fn alveo_core_elaborates_in_yosys() {
    assert!(have("yosys"), "yosys not found (make deps installs it)");
    let f = alveo_files("yosys-core");
    elaborate(biernic_firmware::alveo::CORE_TOP, &f[2..]);
}

#[test]
fn vivado_tcl_and_xdc_parse() {
    assert!(
        Command::new("tclsh")
            .arg("/dev/null")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false),
        "tclsh not found (Debian package tcl)"
    );
    let out = Command::new("tclsh")
        .arg(here("alveo/check_tcl.tcl"))
        .arg(here("alveo/build_u250.tcl"))
        .arg(here("alveo/ips_u250.tcl"))
        .arg(here("alveo/u250.xdc"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "Tcl check failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn lpf_names_only_top_level_ports() {
    // Every LOCATE/IOBUF in the LPF refers to a port of biernic_ecpix5, and every port is placed.
    let v = biernic_firmware::ecpix5_verilog(&Default::default());
    let top = &v[v.find("module biernic_ecpix5 (").unwrap()..];
    let top = &top[..top.find(");").unwrap()];
    let mut ports = Vec::new();
    for line in top.lines().skip(1) {
        let l = line.trim().trim_end_matches(',');
        let name = l.split_whitespace().last().unwrap();
        if let Some(range) = l.split('[').nth(1) {
            let hi: usize = range.split(':').next().unwrap().parse().unwrap();
            ports.extend((0..=hi).map(|i| format!("{name}[{i}]")));
        } else {
            ports.push(name.to_string());
        }
    }
    let mut located = Vec::new();
    for line in biernic_firmware::ECPIX5_LPF.lines() {
        if let Some(rest) = line.strip_prefix("LOCATE COMP \"") {
            located.push(rest.split('"').next().unwrap().to_string());
        }
    }
    ports.sort();
    located.sort();
    assert_eq!(ports, located);
}

/// The full open-toolchain build (`make bitstream BOARD=ecp5-ecpix5`): runs only with
/// `BIERNIC_FW_PNR=1` (5 to 7 minutes on a 2-core machine: Yosys ~45 s, nextpnr 4-6 min), so
/// `make test` stays short; `make reports` runs the same build.
#[test]
fn ecp5_bitstream_builds_and_meets_timing() {
    if std::env::var("BIERNIC_FW_PNR").as_deref() != Ok("1") {
        println!("not run: set BIERNIC_FW_PNR=1 for the ECP5 place and route (make bitstream)");
        return;
    }
    let root = here("..");
    let out = Command::new("make")
        .args([
            "-C",
            root.to_str().unwrap(),
            "bitstream",
            "BOARD=ecp5-ecpix5",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "make bitstream failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(root
        .join("out/firmware/ecp5-ecpix5/biernic_ecpix5.bit")
        .exists());
}
