//! `Crc32Byte`: one byte step of the Ethernet CRC-32 (IEEE 802.3, reflected polynomial
//! `0xEDB88320`), combinational. The Verilog is an XOR matrix computed here in Rust.

use rust_hdl::prelude::*;

/// Reflected IEEE 802.3 polynomial.
pub const POLY: u32 = 0xEDB8_8320;
/// Register value after running the CRC over a frame followed by its correct FCS
/// (initial value `0xFFFFFFFF`, no final inversion of the register).
pub const RESIDUE: u32 = 0xDEBB_20E3;

/// Software model of one byte step (the same function the RTL implements).
pub fn step(crc: u32, byte: u8) -> u32 {
    let mut c = crc ^ byte as u32;
    for _ in 0..8 {
        c = if c & 1 != 0 { (c >> 1) ^ POLY } else { c >> 1 };
    }
    c
}

/// CRC-32 of `data` as sent in the Ethernet FCS (inverted register), for tests and tools.
pub fn fcs(data: &[u8]) -> u32 {
    !data.iter().fold(0xFFFF_FFFF, |c, b| step(c, *b))
}

/// For output bit `i`: the register bits and data bits whose XOR it is.
fn matrix() -> Vec<(Vec<usize>, Vec<usize>)> {
    // The step is linear over GF(2): column j of the register part is step(1<<j, 0), column k
    // of the data part is step(0, 1<<k).
    let reg_cols: Vec<u32> = (0..32).map(|j| step(1 << j, 0)).collect();
    let dat_cols: Vec<u32> = (0..8).map(|k| step(0, 1 << k)).collect();
    (0..32)
        .map(|i| {
            let r = (0..32).filter(|j| reg_cols[*j] >> i & 1 == 1).collect();
            let d = (0..8).filter(|k| dat_cols[*k] >> i & 1 == 1).collect();
            (r, d)
        })
        .collect()
}

/// `crc_out = step(crc_in, data)`.
#[derive(LogicBlock, Default)]
pub struct Crc32Byte {
    /// Register value before the byte.
    pub crc_in: Signal<In, Bits<32>>,
    /// The byte.
    pub data: Signal<In, Bits<8>>,
    /// Register value after the byte.
    pub crc_out: Signal<Out, Bits<32>>,
}

impl Logic for Crc32Byte {
    fn update(&mut self) {
        let c: u64 = self.crc_in.val().into();
        let d: u64 = self.data.val().into();
        self.crc_out.next = (step(c as u32, d as u8) as u64).into();
    }
    fn connect(&mut self) {
        self.crc_out.connect();
    }
    fn hdl(&self) -> Verilog {
        let lines: Vec<String> = matrix()
            .iter()
            .enumerate()
            .map(|(i, (r, d))| {
                let terms: Vec<String> = r
                    .iter()
                    .map(|j| format!("crc_in[{j}]"))
                    .chain(d.iter().map(|k| format!("data[{k}]")))
                    .collect();
                format!("    crc_out[{i}] = {};", terms.join(" ^ "))
            })
            .collect();
        Verilog::Custom(format!("always @(*) begin\n{}\nend\n", lines.join("\n")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value_and_residue() {
        // The CRC-32 check value of "123456789" (IEEE 802.3 / zlib).
        assert_eq!(fcs(b"123456789"), 0xCBF4_3926);
        let data = b"biernic residue test frame";
        let f = fcs(data);
        let c = data
            .iter()
            .chain(f.to_le_bytes().iter())
            .fold(0xFFFF_FFFF, |c, b| step(c, *b));
        assert_eq!(c, RESIDUE);
    }

    #[test]
    fn matrix_matches_step() {
        let m = matrix();
        let mut x: u64 = 0x1234_5678_9abc_def1;
        for _ in 0..1000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let (c, d) = (x as u32, (x >> 32) as u8);
            let mut out = 0u32;
            for (i, (r, dd)) in m.iter().enumerate() {
                let b = r.iter().fold(0, |a, j| a ^ (c >> j & 1))
                    ^ dd.iter().fold(0, |a, k| a ^ (d as u32 >> k & 1));
                out |= b << i;
            }
            assert_eq!(out, step(c, d));
        }
    }
}
