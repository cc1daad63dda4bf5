//! Tests of the Verilog port-list reader used by `build.rs`.

#[path = "../build/vports.rs"]
#[allow(dead_code)]
mod vports;

use vports::{cross_check, parse_top_ports, parse_verilated_header, Dir, HeaderPort, Port};

fn p(name: &str, dir: Dir, width: Option<u32>) -> Port {
    Port {
        name: name.into(),
        dir,
        width,
    }
}

#[test]
fn ansi_header_with_carried_directions() {
    let v = r#"
        // a comment with module biernic_dataplane (input x);
        module other (input a); endmodule
        (* keep *) module biernic_dataplane #(parameter W = 8) (
            input wire clk, rst,
            input wire [8*8-1:0] s_axis_rx0_tdata, /* block
            comment */ output reg [1:0] s_axil_bresp,
            output logic [W-1:0] odd,
            input [(2+2)*4 - 1 : 0] x16
        );
        assign s_axil_bresp = 2'b00;
        endmodule
    "#;
    let ports = parse_top_ports(v, "biernic_dataplane").unwrap();
    assert_eq!(
        ports,
        vec![
            p("clk", Dir::Input, Some(1)),
            p("rst", Dir::Input, Some(1)),
            p("s_axis_rx0_tdata", Dir::Input, Some(64)),
            p("s_axil_bresp", Dir::Output, Some(2)),
            p("odd", Dir::Output, None),
            p("x16", Dir::Input, Some(16)),
        ]
    );
}

#[test]
fn non_ansi_header_as_rust_hdl_emits() {
    let v = r#"
module biernic_dataplane(clk,data,ready,q);

    // Module arguments
    input wire  clk;
    input wire  [511:0] data;
    output reg  ready;
    output wire  [32'd3:0] q;
    function [3:0] f; input [3:0] a; f = a; endfunction
    reg [3:0] input_like;
    always @(posedge clk) begin
        ready <= 1'b1;
    end
endmodule
"#;
    let ports = parse_top_ports(v, "biernic_dataplane").unwrap();
    assert_eq!(
        ports,
        vec![
            p("clk", Dir::Input, Some(1)),
            p("data", Dir::Input, Some(512)),
            p("ready", Dir::Output, Some(1)),
            p("q", Dir::Output, Some(4)),
        ]
    );
}

#[test]
fn errors_are_reported() {
    assert!(parse_top_ports("module a(input x); endmodule", "b").is_err());
    assert!(parse_top_ports("module b(x); endmodule", "b").is_err());
    assert!(parse_top_ports("module b(inout x); endmodule", "b").is_err());
    assert!(parse_top_ports("module b(input x", "b").is_err());
}

#[test]
fn header_and_cross_check() {
    let h = "  VL_IN8(&clk,0,0);\n  VL_INW(&data,511,0,16);\n  VL_OUT8(&ready,0,0);\n  VL_OUT64(&q,39,0);\n";
    let hp = parse_verilated_header(h).unwrap();
    assert_eq!(
        hp[1],
        HeaderPort {
            name: "data".into(),
            dir: Dir::Input,
            width: 512
        }
    );
    let v = vec![
        p("clk", Dir::Input, Some(1)),
        p("data", Dir::Input, None),
        p("ready", Dir::Output, Some(1)),
        p("q", Dir::Output, Some(40)),
    ];
    let r = cross_check(&v, &hp).unwrap();
    assert_eq!(r[1].width, 512);
    let mut bad = v.clone();
    bad[3].width = Some(39);
    assert!(cross_check(&bad, &hp).is_err());
    let mut bad = v.clone();
    bad[2].dir = Dir::Input;
    assert!(cross_check(&bad, &hp).is_err());
    assert!(cross_check(&v[..3], &hp).is_err());
    assert!(parse_verilated_header("nothing").is_err());
}
