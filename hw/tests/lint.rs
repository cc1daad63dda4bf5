//! Generates every build and runs `verilator --lint-only -Wall` and a Yosys elaboration.
//!
//! Waiver: `-Wno-WIDTH` only. RustHDL prints every literal as a 32-bit constant (`32'h…`),
//! which Verilator reports as WIDTH mismatches against narrower/wider operands; every other
//! warning class is enabled and must stay clean.

use biernic_hw::{dataplane_verilog, nic_verilog, DataplaneParams, NicParams};
use std::path::PathBuf;
use std::process::Command;

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
}

fn write_build(name: &str, p: &DataplaneParams) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("biernic-hw-{}-{}", name, std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("biernic_dataplane.v");
    std::fs::write(&path, dataplane_verilog(p)).unwrap();
    path
}

fn builds() -> Vec<(&'static str, DataplaneParams)> {
    vec![
        ("narrow", DataplaneParams::narrow()),
        ("wide", DataplaneParams::wide()),
        ("wide_bsl2048", DataplaneParams::wide_bsl2048()),
        ("wide_bsl4096", DataplaneParams::wide_bsl4096()),
    ]
}

#[test]
fn verilator_lint_is_clean() {
    if !have("verilator") {
        eprintln!("SKIPPED: verilator not found in PATH");
        return;
    }
    for (name, p) in builds() {
        let path = write_build(&format!("lint-{name}"), &p);
        verilator_lint(name, &path, "biernic_dataplane");
    }
}

/// The NIC core (`biernic_nic`: data plane + DMA engine) of both builds, same rules.
#[test]
fn nic_verilator_lint_is_clean() {
    if !have("verilator") {
        eprintln!("SKIPPED: verilator not found in PATH");
        return;
    }
    for (name, p) in [
        ("nic_narrow", NicParams::narrow()),
        ("nic_wide", NicParams::wide()),
    ] {
        let dir = std::env::temp_dir().join(format!("biernic-hw-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("biernic_nic.v");
        std::fs::write(&path, nic_verilog(&p)).unwrap();
        verilator_lint(name, &path, "biernic_nic");
    }
}

/// `verilator --lint-only -Wall -Wno-WIDTH` of `top` in `path`: no warning at all.
fn verilator_lint(name: &str, path: &std::path::Path, top: &str) {
    let out = Command::new("verilator")
        .args(["--lint-only", "-Wall", "-Wno-WIDTH", "--top-module", top])
        .arg(path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !stderr.contains("%Warning"),
        "{name}: verilator lint failed:\n{stderr}"
    );
}

/// Yosys elaboration of one build. Measured on a 2-core CI-like machine: narrow ~3 s, wide
/// ~32 s (0.9 GB), wide_bsl2048 ~71 s (1.5 GB), wide_bsl4096 ~181 s (2.9 GB); one test per
/// large build so that they run in parallel.
fn yosys_elaborates(name: &str, p: &DataplaneParams) {
    if !have("yosys") {
        eprintln!("SKIPPED: yosys not found in PATH");
        return;
    }
    let path = write_build(&format!("yosys-{name}"), p);
    let script = format!(
        "read_verilog -sv {}; hierarchy -check -top biernic_dataplane; proc; opt_clean; check -assert",
        path.display()
    );
    let out = Command::new("yosys")
        .args(["-q", "-p", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name}: yosys failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn yosys_elaborates_narrow_and_wide() {
    for (name, p) in &builds()[..2] {
        yosys_elaborates(name, p);
    }
}

#[test]
fn yosys_elaborates_wide_bsl2048() {
    yosys_elaborates("wide_bsl2048", &DataplaneParams::wide_bsl2048());
}

#[test]
fn yosys_elaborates_wide_bsl4096() {
    yosys_elaborates("wide_bsl4096", &DataplaneParams::wide_bsl4096());
}

#[test]
fn top_has_the_documented_ports() {
    let v = dataplane_verilog(&DataplaneParams::narrow());
    for port in [
        "input wire clk",
        "input wire rst",
        "input wire [63:0] s_axis_rx0_tdata",
        "output wire s_axis_rx1_tready",
        "input wire [7:0] s_axis_host_tuser",
        "output wire [7:0] m_axis_t3_tkeep",
        "input wire m_axis_t0_tready",
        "input wire [15:0] s_axil_awaddr",
        "output wire [31:0] s_axil_rdata",
    ] {
        assert!(v.contains(port), "missing port {port}");
    }
    assert!(v.contains("module biernic_dataplane ("));
}
