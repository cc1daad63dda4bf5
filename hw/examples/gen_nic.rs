fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    let p = if which == "wide" {
        biernic_hw::NicParams::wide()
    } else {
        biernic_hw::NicParams::narrow()
    };
    print!("{}", biernic_hw::nic_verilog(&p));
}
