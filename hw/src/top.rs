//! Text generation of the top-level module `biernic_dataplane` (port naming glue only).

use crate::DataplaneParams;

/// Port list of `biernic_dataplane`: (direction, width, name).
pub(crate) fn ports(p: &DataplaneParams) -> Vec<(&'static str, usize, String)> {
    let db = p.data_bytes;
    let mut v = vec![
        ("input", 1, "clk".to_string()),
        ("input", 1, "rst".to_string()),
    ];
    let mut stream_in = |v: &mut Vec<_>, pre: String| {
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
    for (d, w, n) in [
        ("input", 16, "awaddr"),
        ("input", 1, "awvalid"),
        ("output", 1, "awready"),
        ("input", 32, "wdata"),
        ("input", 4, "wstrb"),
        ("input", 1, "wvalid"),
        ("output", 1, "wready"),
        ("output", 2, "bresp"),
        ("output", 1, "bvalid"),
        ("input", 1, "bready"),
        ("input", 16, "araddr"),
        ("input", 1, "arvalid"),
        ("output", 1, "arready"),
        ("output", 32, "rdata"),
        ("output", 2, "rresp"),
        ("output", 1, "rvalid"),
        ("input", 1, "rready"),
    ] {
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

/// Placeholder top with the final port list and every output tied off.
pub(crate) fn stub_verilog(p: &DataplaneParams) -> String {
    let mut s = format!("module biernic_dataplane (\n{}\n);\n", port_decls(p));
    for (d, w, n) in ports(p) {
        if d == "output" {
            s.push_str(&format!("assign {n} = {w}'d0;\n"));
        }
    }
    s.push_str("endmodule\n");
    s
}
