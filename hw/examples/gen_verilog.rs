//! Prints the Verilog of a build: `cargo run -p biernic-hw --example gen_verilog -- wide|narrow`
//! (or `regmap` for the register-map markdown of the wide build).

use biernic_hw::{dataplane_verilog, regmap, DataplaneParams};

fn main() {
    let arg = std::env::args().nth(1).unwrap_or_else(|| "wide".into());
    match arg.as_str() {
        "wide" => print!("{}", dataplane_verilog(&DataplaneParams::wide())),
        "narrow" => print!("{}", dataplane_verilog(&DataplaneParams::narrow())),
        "regmap" => print!("{}", regmap::markdown(&DataplaneParams::wide())),
        other => {
            eprintln!("unknown build {other:?}: use wide, narrow or regmap");
            std::process::exit(2);
        }
    }
}
