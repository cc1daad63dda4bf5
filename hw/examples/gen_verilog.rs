//! Prints the Verilog of a build: `cargo run -p biernic-hw --example gen_verilog -- wide|wide_bsl2048|wide_bsl4096|narrow`
//! (or `regmap` for the register-map markdown of the wide build).

use biernic_hw::{dataplane_verilog, regmap, DataplaneParams};

fn main() {
    let arg = std::env::args().nth(1).unwrap_or_else(|| "wide".into());
    match arg.as_str() {
        "wide" => print!("{}", dataplane_verilog(&DataplaneParams::wide())),
        "wide_bsl2048" => print!("{}", dataplane_verilog(&DataplaneParams::wide_bsl2048())),
        "wide_bsl4096" => print!("{}", dataplane_verilog(&DataplaneParams::wide_bsl4096())),
        "narrow" => print!("{}", dataplane_verilog(&DataplaneParams::narrow())),
        "regmap" => print!("{}", regmap::markdown(&DataplaneParams::wide())),
        other => {
            eprintln!(
                "unknown build {other:?}: use wide, wide_bsl2048, wide_bsl4096, narrow or regmap"
            );
            std::process::exit(2);
        }
    }
}
