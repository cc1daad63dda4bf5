//! Text generation of the top-level module `biernic_dataplane` (port naming glue only) around
//! the RustHDL-generated core.

use crate::rtl::dataplane::Dataplane;
use crate::DataplaneParams;
use rust_hdl::prelude::*;

/// Port list of `biernic_dataplane`: (direction, width, name).
pub(crate) fn ports(p: &DataplaneParams) -> Vec<(&'static str, usize, String)> {
    let db = p.data_bytes;
    let mut v = vec![
        ("input", 1, "clk".to_string()),
        ("input", 1, "rst".to_string()),
    ];
    let stream_in = |v: &mut Vec<_>, pre: String| {
        v.push(("input", 8 * db, format!("{pre}_tdata")));
        v.push(("input", db, format!("{pre}_tkeep")));
        v.push(("input", 1, format!("{pre}_tlast")));
        v.push(("input", 1, format!("{pre}_tvalid")));
        v.push(("output", 1, format!("{pre}_tready")));
    };
    for i in 0..p.net_ingress {
        stream_in(&mut v, format!("s_axis_rx{i}"));
    }
    stream_in(&mut v, "s_axis_host".to_string());
    v.push(("input", 8, "s_axis_host_tuser".to_string()));
    for t in 0..p.targets {
        v.push(("output", 8 * db, format!("m_axis_t{t}_tdata")));
        v.push(("output", db, format!("m_axis_t{t}_tkeep")));
        v.push(("output", 1, format!("m_axis_t{t}_tlast")));
        v.push(("output", 1, format!("m_axis_t{t}_tvalid")));
        v.push(("input", 1, format!("m_axis_t{t}_tready")));
    }
    for (d, w, n) in crate::nic::AXIL {
        v.push((d, w, format!("s_axil_{n}")));
    }
    v
}

fn port_decls(p: &DataplaneParams) -> String {
    ports(p)
        .iter()
        .map(|(d, w, n)| {
            if *w == 1 {
                format!("    {d} wire {n}")
            } else {
                format!("    {d} wire [{}:0] {n}", w - 1)
            }
        })
        .collect::<Vec<_>>()
        .join(",\n")
}

/// Checks that the const generics of a `Dataplane` instantiation are the widths derived from
/// `p` (see [`Dataplane`]): `HW = 160 + BW`, `HRW` = the whole beats covering `240 + BW` bits
/// (a tagged header with a full BitString), `FW = DW + KW + 1`, `RA = 1 + log2(rows)`,
/// `NCH = BW / 64`, `EN = log2(egress FIFO beats)`, `FBN = EN + 1` (two maximum frames),
/// `*1 = +1`, `MA = 1 + log2(host_queues * sets)` (isolation-mask rows).
#[allow(clippy::too_many_arguments)]
fn check_widths(
    p: &DataplaneParams,
    dw: usize,
    kw: usize,
    bw: usize,
    hw: usize,
    hrw: usize,
    fw: usize,
    ra: usize,
    nch: usize,
    fbn: usize,
    en: usize,
    ma: usize,
) {
    let en_p = crate::regmap::egress_fifo_beats(p).trailing_zeros() as usize;
    let rows = p.sets * p.buckets;
    let want = (
        8 * p.data_bytes,
        p.data_bytes,
        p.max_bsl,
        160 + p.max_bsl,
        (240 + p.max_bsl).div_ceil(8 * p.data_bytes) * 8 * p.data_bytes,
        9 * p.data_bytes + 1,
        1 + rows.next_power_of_two().trailing_zeros() as usize,
        p.max_bsl / 64,
        en_p + 1,
        en_p,
        1 + crate::regmap::mask_rows(p)
            .next_power_of_two()
            .trailing_zeros() as usize,
    );
    assert_eq!(
        (dw, kw, bw, hw, hrw, fw, ra, nch, fbn, en, ma),
        want,
        "biernic-hw: const generics do not match {p:?}"
    );
}

fn core_verilog(p: &DataplaneParams) -> String {
    let rows = p.sets * p.buckets;
    let ra = 1 + rows.next_power_of_two().trailing_zeros() as usize;
    let ma = 1 + crate::regmap::mask_rows(p)
        .next_power_of_two()
        .trailing_zeros() as usize;
    match (p.data_bytes, p.max_bsl, ra, ma) {
        (64, 1024, 7, 8) => {
            check_widths(p, 512, 64, 1024, 1184, 1536, 577, 7, 16, 9, 8, 8);
            let mut d: Dataplane<512, 64, 1024, 1184, 1536, 577, 7, 16, 9, 10, 8, 9, 8> = Dataplane::new(p);
            d.connect_all();
            generate_verilog(&d)
        }
        (64, 2048, 7, 8) => {
            check_widths(p, 512, 64, 2048, 2208, 2560, 577, 7, 32, 9, 8, 8);
            let mut d: Dataplane<512, 64, 2048, 2208, 2560, 577, 7, 32, 9, 10, 8, 9, 8> = Dataplane::new(p);
            d.connect_all();
            generate_verilog(&d)
        }
        (64, 4096, 7, 8) => {
            check_widths(p, 512, 64, 4096, 4256, 4608, 577, 7, 64, 9, 8, 8);
            let mut d: Dataplane<512, 64, 4096, 4256, 4608, 577, 7, 64, 9, 10, 8, 9, 8> = Dataplane::new(p);
            d.connect_all();
            generate_verilog(&d)
        }
        (8, 256, 4, 4) => {
            check_widths(p, 64, 8, 256, 416, 512, 73, 4, 4, 12, 11, 4);
            let mut d: Dataplane<64, 8, 256, 416, 512, 73, 4, 4, 12, 13, 11, 12, 4> = Dataplane::new(p);
            d.connect_all();
            generate_verilog(&d)
        }
        _ => panic!(
            "biernic-hw: unsupported build {p:?}: widths (data_bytes, max_bsl, sets*buckets, \
             host_queues*sets) must be (64, 1024, 64, 128), (64, 2048, 64, 128), (64, 4096, 64, 128) \
             or (8, 256, 8, 8)"
        ),
    }
}

/// Renames the RustHDL modules (`top`, `top$x`) to `biernic_core`, `biernic_core$x`.
fn rename_core(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for line in v.lines() {
        let l = line
            .replace("module top(", "module biernic_core(")
            .replace("module top$", "module biernic_core$");
        let trimmed = l.trim_start();
        let l = if trimmed.starts_with("top$") {
            l.replacen("top$", "biernic_core$", 1)
        } else {
            l
        };
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// Complete Verilog: the renamed core plus the `biernic_dataplane` wrapper.
pub(crate) fn verilog(p: &DataplaneParams) -> String {
    let core = rename_core(&core_verilog(p));
    let mut conns: Vec<(String, String)> = vec![
        ("clock".into(), "clk".into()),
        ("rst".into(), "rst".into()),
        ("host_user".into(), "s_axis_host_tuser".into()),
    ];
    let n_in = p.net_ingress + 1;
    for i in 0..n_in {
        let pre = if i == p.net_ingress {
            "s_axis_host".to_string()
        } else {
            format!("s_axis_rx{i}")
        };
        for (c, x) in [
            ("rx_data", "tdata"),
            ("rx_keep", "tkeep"),
            ("rx_last", "tlast"),
            ("rx_valid", "tvalid"),
            ("rx_ready", "tready"),
        ] {
            conns.push((format!("{c}${i}"), format!("{pre}_{x}")));
        }
    }
    for t in 0..p.targets {
        for (c, x) in [
            ("tx_data", "tdata"),
            ("tx_keep", "tkeep"),
            ("tx_last", "tlast"),
            ("tx_valid", "tvalid"),
            ("tx_ready", "tready"),
        ] {
            conns.push((format!("{c}${t}"), format!("m_axis_t{t}_{x}")));
        }
    }
    for n in [
        "awaddr", "awvalid", "awready", "wdata", "wstrb", "wvalid", "wready", "bresp", "bvalid",
        "bready", "araddr", "arvalid", "arready", "rdata", "rresp", "rvalid", "rready",
    ] {
        conns.push((n.to_string(), format!("s_axil_{n}")));
    }
    let mut s = String::new();
    s.push_str("// Generated by biernic-hw (RustHDL core + port-naming wrapper). Do not edit.\n");
    s.push_str(&format!("// Build: {p:?}\n"));
    s.push_str("/* verilator lint_off DECLFILENAME */\n");
    s.push_str(&format!(
        "module biernic_dataplane (\n{}\n);\n",
        port_decls(p)
    ));
    s.push_str(
        "// s_axis_host_tuser: transmit queue id of the host frame, constant for the frame.\n",
    );
    s.push_str("biernic_core core (\n");
    s.push_str(
        &conns
            .iter()
            .map(|(c, w)| format!("    .{c}({w})"))
            .collect::<Vec<_>>()
            .join(",\n"),
    );
    s.push_str("\n);\nendmodule\n");
    s.push_str(&core);
    s
}
