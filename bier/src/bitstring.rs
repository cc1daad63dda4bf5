//! The BIER BitString (RFC 8279 §4, RFC 8296 §2.1) and BitString Length.
//!
//! A BitString is held as little-endian 64-bit words: word 0 holds bit positions 1..=64, bit position 1 being its
//! least significant bit. On the wire the BitString is one big-endian integer, so bit position 1 is the least
//! significant bit of the *last* byte.

use core::fmt;

/// Largest BitString length RFC 8296 can encode, in bits.
pub const MAX_BSL: usize = 4096;
/// Largest BitString length in 64-bit words.
pub const MAX_WORDS: usize = MAX_BSL / 64;

/// A BitString Length, with its 4-bit RFC 8296 code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bsl {
    /// 64 bits (code 1).
    B64 = 1,
    /// 128 bits (code 2).
    B128 = 2,
    /// 256 bits (code 3).
    B256 = 3,
    /// 512 bits (code 4).
    B512 = 4,
    /// 1024 bits (code 5).
    B1024 = 5,
    /// 2048 bits (code 6).
    B2048 = 6,
    /// 4096 bits (code 7).
    B4096 = 7,
}

impl Bsl {
    /// Every length, shortest first.
    pub const ALL: [Bsl; 7] = [
        Bsl::B64,
        Bsl::B128,
        Bsl::B256,
        Bsl::B512,
        Bsl::B1024,
        Bsl::B2048,
        Bsl::B4096,
    ];

    /// The length for a 4-bit header code (1..=7); other codes are not defined by RFC 8296.
    pub fn from_code(code: u8) -> Option<Bsl> {
        Bsl::ALL.get(usize::from(code).wrapping_sub(1)).copied()
    }

    /// The length for a number of bits (64, 128, ..., 4096).
    pub fn from_bits(bits: usize) -> Option<Bsl> {
        Bsl::ALL.into_iter().find(|b| b.bits() == bits)
    }

    /// The 4-bit header code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Length in bits.
    pub fn bits(self) -> usize {
        32 << self.code()
    }

    /// Length in bytes.
    pub fn bytes(self) -> usize {
        self.bits() / 8
    }

    /// Length in 64-bit words.
    pub fn words(self) -> usize {
        self.bits() / 64
    }
}

impl fmt::Display for Bsl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.bits())
    }
}

/// Where a BFR-id lives: its set identifier and bit position (RFC 8279 §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BitPosition {
    /// Set identifier, `(id - 1) div BSL`.
    pub si: u16,
    /// Bit position within the set, `(id - 1) mod BSL + 1` (1-based).
    pub pos: u16,
}

/// Maps a BFR-id (1..=65535) to its set and bit position for a BSL. BFR-id 0 is not a valid BFR-id.
pub fn bfr_position(bfr_id: u16, bsl: Bsl) -> Option<BitPosition> {
    let zero_based = usize::from(bfr_id.checked_sub(1)?);
    Some(BitPosition {
        si: (zero_based / bsl.bits()) as u16,
        pos: (zero_based % bsl.bits() + 1) as u16,
    })
}

/// The BFR-id at a set and bit position, the inverse of [`bfr_position`].
pub fn bfr_id(si: u16, pos: u16, bsl: Bsl) -> Option<u16> {
    if pos == 0 || usize::from(pos) > bsl.bits() {
        return None;
    }
    let id = usize::from(si) * bsl.bits() + usize::from(pos);
    u16::try_from(id).ok()
}

/// A BitString of one of the RFC 8296 lengths, stored inline (no allocation).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BitString {
    bsl: Bsl,
    words: [u64; MAX_WORDS],
}

/// The BitString bytes given do not match the BSL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("BitString of {got} bytes given where BSL {bsl} needs {}", bsl.bytes())]
pub struct LengthMismatch {
    /// The BSL expected.
    pub bsl: Bsl,
    /// Bytes given.
    pub got: usize,
}

impl BitString {
    /// An all-zero BitString.
    pub fn zero(bsl: Bsl) -> BitString {
        BitString {
            bsl,
            words: [0; MAX_WORDS],
        }
    }

    /// All bit positions 1..=BSL set.
    pub fn ones(bsl: Bsl) -> BitString {
        let mut b = BitString::zero(bsl);
        b.words[..bsl.words()].fill(u64::MAX);
        b
    }

    /// Parses wire bytes (exactly `bsl.bytes()` of them).
    pub fn from_bytes(bsl: Bsl, bytes: &[u8]) -> Result<BitString, LengthMismatch> {
        if bytes.len() != bsl.bytes() {
            return Err(LengthMismatch {
                bsl,
                got: bytes.len(),
            });
        }
        let mut b = BitString::zero(bsl);
        words_from_bytes(bytes, &mut b.words[..bsl.words()]);
        Ok(b)
    }

    /// Builds a BitString from its little-endian words (word 0 = positions 1..=64); extra words are ignored and
    /// missing ones are zero.
    pub fn from_words(bsl: Bsl, words: &[u64]) -> BitString {
        let mut b = BitString::zero(bsl);
        let n = bsl.words().min(words.len());
        b.words[..n].copy_from_slice(&words[..n]);
        b
    }

    /// Writes the wire bytes into `out` (exactly `bsl.bytes()` long).
    pub fn write_bytes(&self, out: &mut [u8]) -> Result<(), LengthMismatch> {
        if out.len() != self.bsl.bytes() {
            return Err(LengthMismatch {
                bsl: self.bsl,
                got: out.len(),
            });
        }
        words_to_bytes(self.words(), out);
        Ok(())
    }

    /// The wire bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = vec![0; self.bsl.bytes()];
        words_to_bytes(self.words(), &mut v);
        v
    }

    /// The length.
    pub fn bsl(&self) -> Bsl {
        self.bsl
    }

    /// The words, word 0 holding positions 1..=64.
    pub fn words(&self) -> &[u64] {
        &self.words[..self.bsl.words()]
    }

    /// The words, mutable.
    pub fn words_mut(&mut self) -> &mut [u64] {
        &mut self.words[..self.bsl.words()]
    }

    /// Whether bit position `pos` (1-based) is set; out-of-range positions read as clear.
    pub fn get(&self, pos: usize) -> bool {
        pos >= 1
            && pos <= self.bsl.bits()
            && self.words[(pos - 1) / 64] >> ((pos - 1) % 64) & 1 == 1
    }

    /// Sets or clears bit position `pos` (1-based). Returns false (and changes nothing) if `pos` is out of range.
    pub fn set(&mut self, pos: usize, value: bool) -> bool {
        if pos == 0 || pos > self.bsl.bits() {
            return false;
        }
        let (w, b) = ((pos - 1) / 64, (pos - 1) % 64);
        if value {
            self.words[w] |= 1 << b;
        } else {
            self.words[w] &= !(1 << b);
        }
        true
    }

    /// `self AND other` (lengths must match; a shorter `other` reads as zero beyond its end).
    pub fn and(&self, other: &BitString) -> BitString {
        let mut r = self.clone();
        r.and_assign(other.words());
        r
    }

    /// `self &= other`.
    pub fn and_assign(&mut self, other: &[u64]) {
        for (i, w) in self.words_mut().iter_mut().enumerate() {
            *w &= other.get(i).copied().unwrap_or(0);
        }
    }

    /// `self &= !other`: clears every position set in `other`.
    pub fn and_not_assign(&mut self, other: &[u64]) {
        for (w, o) in self.words_mut().iter_mut().zip(other) {
            *w &= !o;
        }
    }

    /// `self |= other`.
    pub fn or_assign(&mut self, other: &[u64]) {
        for (w, o) in self.words_mut().iter_mut().zip(other) {
            *w |= o;
        }
    }

    /// True if no bit is set.
    pub fn is_zero(&self) -> bool {
        self.words().iter().all(|&w| w == 0)
    }

    /// Number of set bits.
    pub fn count_ones(&self) -> usize {
        self.words().iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The set bit positions (1-based), ascending.
    pub fn iter_ones(&self) -> Ones<'_> {
        Ones {
            words: self.words(),
            index: 0,
            current: self.words().first().copied().unwrap_or(0),
        }
    }
}

impl fmt::Debug for BitString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BitString<{}>({self})", self.bsl)
    }
}

/// Hex, most significant (highest bit position) first, as on the wire.
impl fmt::Display for BitString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for w in self.words().iter().rev() {
            write!(f, "{w:016x}")?;
        }
        Ok(())
    }
}

/// Iterator over the set bit positions of a [`BitString`].
pub struct Ones<'a> {
    words: &'a [u64],
    index: usize,
    current: u64,
}

impl Iterator for Ones<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        loop {
            if self.current != 0 {
                let b = self.current.trailing_zeros() as usize;
                self.current &= self.current - 1;
                return Some(self.index * 64 + b + 1);
            }
            self.index += 1;
            self.current = *self.words.get(self.index)?;
        }
    }
}

/// Reads wire bytes (big-endian, `8 * words.len()` of them) into little-endian words.
#[inline]
pub fn words_from_bytes(bytes: &[u8], words: &mut [u64]) {
    let n = words.len();
    for (i, chunk) in bytes.chunks_exact(8).enumerate() {
        let mut a = [0u8; 8];
        a.copy_from_slice(chunk);
        words[n - 1 - i] = u64::from_be_bytes(a);
    }
}

/// Writes little-endian words as wire bytes (big-endian, `8 * words.len()` of them).
#[inline]
pub fn words_to_bytes(words: &[u64], bytes: &mut [u8]) {
    let n = words.len();
    for (i, chunk) in bytes.chunks_exact_mut(8).enumerate() {
        chunk.copy_from_slice(&words[n - 1 - i].to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bsl_codes() {
        assert_eq!(Bsl::from_code(0), None);
        assert_eq!(Bsl::from_code(8), None);
        for (i, b) in Bsl::ALL.iter().enumerate() {
            assert_eq!(b.bits(), 64 << i);
            assert_eq!(Bsl::from_code(i as u8 + 1), Some(*b));
            assert_eq!(Bsl::from_bits(b.bits()), Some(*b));
        }
        assert_eq!(Bsl::from_bits(100), None);
    }

    #[test]
    fn position_one_is_lsb_of_last_byte() {
        let mut b = BitString::zero(Bsl::B64);
        b.set(1, true);
        assert_eq!(b.to_bytes(), [0, 0, 0, 0, 0, 0, 0, 1]);
        b.set(64, true);
        assert_eq!(b.to_bytes(), [0x80, 0, 0, 0, 0, 0, 0, 1]);
        let mut c = BitString::zero(Bsl::B256);
        c.set(65, true);
        let bytes = c.to_bytes();
        assert_eq!(bytes[23], 1);
        assert_eq!(BitString::from_bytes(Bsl::B256, &bytes).unwrap(), c);
    }

    #[test]
    fn bfr_id_mapping() {
        let p = bfr_position(1, Bsl::B256).unwrap();
        assert_eq!((p.si, p.pos), (0, 1));
        let p = bfr_position(256, Bsl::B256).unwrap();
        assert_eq!((p.si, p.pos), (0, 256));
        let p = bfr_position(257, Bsl::B256).unwrap();
        assert_eq!((p.si, p.pos), (1, 1));
        assert_eq!(bfr_position(0, Bsl::B64), None);
        assert_eq!(bfr_id(1, 1, Bsl::B256), Some(257));
        assert_eq!(bfr_id(0, 0, Bsl::B256), None);
        assert_eq!(bfr_id(0, 257, Bsl::B256), None);
        assert_eq!(bfr_id(1023, 63, Bsl::B64), Some(65535));
        assert_eq!(bfr_id(1023, 64, Bsl::B64), None);
    }

    #[test]
    fn ones_and_ops() {
        let mut a = BitString::zero(Bsl::B1024);
        for p in [1, 64, 65, 700, 1024] {
            assert!(a.set(p, true));
        }
        assert!(!a.set(1025, true));
        assert_eq!(a.iter_ones().collect::<Vec<_>>(), [1, 64, 65, 700, 1024]);
        let mut m = BitString::zero(Bsl::B1024);
        m.set(65, true);
        m.set(1024, true);
        let r = a.and(&m);
        assert_eq!(r.iter_ones().collect::<Vec<_>>(), [65, 1024]);
        let mut rest = a.clone();
        rest.and_not_assign(m.words());
        assert_eq!(rest.count_ones(), 3);
        assert!(BitString::zero(Bsl::B4096).is_zero());
        assert_eq!(BitString::ones(Bsl::B4096).count_ones(), 4096);
        assert!(BitString::from_bytes(Bsl::B64, &[0; 7]).is_err());
    }
}
