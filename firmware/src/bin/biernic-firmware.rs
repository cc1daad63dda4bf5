//! `biernic-firmware`: writes the Verilog of the board builds.
//!
//! ```text
//! biernic-firmware ecpix5 OUT.v        # ECPIX-5 85F build, top biernic_ecpix5
//! biernic-firmware alveo-core OUT.v    # the 512-bit core of the Alveo build
//! biernic-firmware alveo-top OUT.v     # the Alveo U250 top level (biernic_u250)
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (what, out) = match args.as_slice() {
        [w, o] => (w.as_str(), o.as_str()),
        _ => {
            eprintln!("usage: biernic-firmware ecpix5|alveo-core|alveo-top OUT.v");
            return ExitCode::from(2);
        }
    };
    let text = match what {
        "ecpix5" => biernic_firmware::ecpix5_verilog(&Default::default()),
        "alveo-core" => biernic_firmware::alveo::core_verilog(),
        "alveo-top" => biernic_firmware::alveo::u250_top_verilog(),
        _ => {
            eprintln!("unknown build {what}: ecpix5, alveo-core or alveo-top");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = std::fs::write(out, text) {
        eprintln!("{out}: {e}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
