//! Frame builders for the RTL tests (RFC 8296 over Ethernet, Ethertype 0xAB37).
#![allow(dead_code)]

/// Fields of a BIER header.
#[derive(Debug, Clone)]
pub struct Bier {
    pub bift_id: u32,
    pub tc: u8,
    pub s: bool,
    pub ttl: u8,
    pub nibble: u8,
    pub ver: u8,
    pub bsl_code: u8,
    pub entropy: u32,
    pub proto: u8,
    pub bfir_id: u16,
    /// BitString length in bits.
    pub bsl_bits: usize,
    /// Bit positions set (1 = LSB of the last BitString byte).
    pub bits: Vec<usize>,
}

impl Bier {
    pub fn new(bift_id: u32, bsl_bits: usize, bits: &[usize]) -> Self {
        Bier {
            bift_id,
            tc: 0,
            s: true,
            ttl: 64,
            nibble: 5,
            ver: 0,
            bsl_code: (1..=7u8).find(|c| 32usize << c == bsl_bits).unwrap_or(0),
            entropy: 0x12345,
            proto: 4,
            bfir_id: 7,
            bsl_bits,
            bits: bits.to_vec(),
        }
    }
}

pub const DST: [u8; 6] = [0x01, 0x00, 0x5e, 0x00, 0x00, 0x01];
pub const SRC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x99];

/// BitString bytes (wire order) with the given bit positions set.
pub fn bitstring(bsl_bits: usize, bits: &[usize]) -> Vec<u8> {
    let n = bsl_bits / 8;
    let mut v = vec![0u8; n];
    for &bp in bits {
        if bp >= 1 && bp <= bsl_bits {
            v[n - 1 - (bp - 1) / 8] |= 1 << ((bp - 1) % 8);
        }
    }
    v
}

/// An untagged Ethernet frame carrying a BIER header and `payload`.
pub fn bier_frame(h: &Bier, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&DST);
    f.extend_from_slice(&SRC);
    f.extend_from_slice(&[0xab, 0x37]);
    let w0 = (h.bift_id & 0xfffff) << 12
        | u32::from(h.tc & 7) << 9
        | u32::from(h.s) << 8
        | u32::from(h.ttl);
    let w1 = u32::from(h.nibble & 0xf) << 28
        | u32::from(h.ver & 0xf) << 24
        | u32::from(h.bsl_code & 0xf) << 20
        | (h.entropy & 0xfffff);
    let w2 = u32::from(h.proto & 0x3f) << 16 | u32::from(h.bfir_id);
    for w in [w0, w1, w2] {
        f.extend_from_slice(&w.to_be_bytes());
    }
    f.extend_from_slice(&bitstring(h.bsl_bits, &h.bits));
    f.extend_from_slice(payload);
    f
}

/// The expected copy of an untagged BIER frame for a target: BitString replaced by `mask`;
/// on a port target the TTL is decremented and the MACs optionally rewritten.
pub fn expected_copy(
    frame: &[u8],
    bsl_bits: usize,
    mask: &[usize],
    port: bool,
    dst: Option<[u8; 6]>,
    src: Option<[u8; 6]>,
) -> Vec<u8> {
    let mut f = frame.to_vec();
    let off = 14;
    f[off + 12..off + 12 + bsl_bits / 8].copy_from_slice(&bitstring(bsl_bits, mask));
    if port {
        f[off + 3] = f[off + 3].wrapping_sub(1);
        if let Some(d) = dst {
            f[..6].copy_from_slice(&d);
        }
        if let Some(s) = src {
            f[6..12].copy_from_slice(&s);
        }
    }
    f
}

/// A non-BIER (IPv4 Ethertype) frame of `len` bytes.
pub fn ipv4_frame(len: usize) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&DST);
    f.extend_from_slice(&SRC);
    f.extend_from_slice(&[0x08, 0x00]);
    while f.len() < len {
        f.push(f.len() as u8);
    }
    f
}
