//! RFC 8296 BIER header and its non-MPLS Ethernet framing, in the style of smoltcp's `wire`:
//! a checked zero-copy view [`Header`] and an owned [`Repr`] with `parse` and `emit`.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! |              BIFT-id                  | TC  |S|     TTL       |
//! |Nibble |  Ver  |  BSL  |              Entropy                  |
//! |OAM|Rsv|    DSCP   |   Proto   |            BFIR-id            |
//! |                BitString  (first 32 bits)                     ~
//! ```

use crate::bitstring::{BitString, Bsl};

/// Ethertype of non-MPLS BIER (RFC 8296 §2.2).
pub const ETHERTYPE_BIER: u16 = 0xAB37;
/// Ethertype of an 802.1Q tag.
pub const ETHERTYPE_VLAN: u16 = 0x8100;
/// Bytes of the fixed BIER header before the BitString.
pub const HEADER_LEN: usize = 12;
/// The value the first nibble of the second word must have.
pub const NIBBLE: u8 = 0b0101;
/// The only version defined by RFC 8296.
pub const VERSION: u8 = 0;
/// Largest frame the data plane takes, bytes without FCS (9000-byte payload, 802.1Q tag).
pub const MAX_FRAME: usize = 9018;

/// BIER "Next Protocol" codes from the IANA registry (RFC 8296 §3).
pub mod proto {
    /// MPLS packet with a downstream-assigned label at the top of the stack.
    pub const MPLS_DOWNSTREAM: u8 = 1;
    /// MPLS packet with an upstream-assigned label at the top of the stack.
    pub const MPLS_UPSTREAM: u8 = 2;
    /// Ethernet frame.
    pub const ETHERNET: u8 = 3;
    /// IPv4 packet.
    pub const IPV4: u8 = 4;
    /// OAM packet.
    pub const OAM: u8 = 5;
    /// IPv6 packet.
    pub const IPV6: u8 = 6;
}

/// Why a header could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// Fewer bytes than the header (and its BitString) need.
    #[error("truncated: {needed} bytes needed, {got} present")]
    Truncated {
        /// Bytes needed.
        needed: usize,
        /// Bytes present.
        got: usize,
    },
    /// Nibble is not 0101 or the version is not 0.
    #[error("bad nibble {nibble:#x} or version {version}")]
    BadVersion {
        /// The first nibble of word 2.
        nibble: u8,
        /// The version field.
        version: u8,
    },
    /// BSL code 0 or 8..15.
    #[error("BSL code {0} is not defined by RFC 8296")]
    BadBsl(u8),
}

/// A read (and, for `T: AsMut<[u8]>`, write) view of a BIER header at the start of a buffer.
#[derive(Debug, Clone)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    /// Wraps a buffer without checks; accessors may panic on a short buffer. Prefer [`Header::new_checked`].
    pub fn new_unchecked(buffer: T) -> Header<T> {
        Header { buffer }
    }

    /// Wraps a buffer after checking that the fixed header and, when the BSL code is valid, the BitString fit.
    pub fn new_checked(buffer: T) -> Result<Header<T>, WireError> {
        let h = Header::new_unchecked(buffer);
        h.check_len()?;
        Ok(h)
    }

    /// Checks the buffer length as [`Header::new_checked`] does.
    pub fn check_len(&self) -> Result<(), WireError> {
        let got = self.buffer.as_ref().len();
        if got < HEADER_LEN {
            return Err(WireError::Truncated {
                needed: HEADER_LEN,
                got,
            });
        }
        if let Some(bsl) = Bsl::from_code(self.bsl_code()) {
            let needed = HEADER_LEN + bsl.bytes();
            if got < needed {
                return Err(WireError::Truncated { needed, got });
            }
        }
        Ok(())
    }

    /// Consumes the view, returning the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// BIFT-id (20 bits).
    pub fn bift_id(&self) -> u32 {
        let b = self.b();
        (u32::from(b[0]) << 12) | (u32::from(b[1]) << 4) | (u32::from(b[2]) >> 4)
    }
    /// Traffic class (3 bits).
    pub fn tc(&self) -> u8 {
        (self.b()[2] >> 1) & 7
    }
    /// Bottom-of-stack bit (S).
    pub fn s(&self) -> bool {
        self.b()[2] & 1 == 1
    }
    /// TTL.
    pub fn ttl(&self) -> u8 {
        self.b()[3]
    }
    /// First nibble (must be 0101).
    pub fn nibble(&self) -> u8 {
        self.b()[4] >> 4
    }
    /// Version (must be 0).
    pub fn version(&self) -> u8 {
        self.b()[4] & 0xf
    }
    /// BSL code (4 bits).
    pub fn bsl_code(&self) -> u8 {
        self.b()[5] >> 4
    }
    /// Entropy (20 bits).
    pub fn entropy(&self) -> u32 {
        let b = self.b();
        (u32::from(b[5] & 0xf) << 16) | (u32::from(b[6]) << 8) | u32::from(b[7])
    }
    /// OAM (2 bits).
    pub fn oam(&self) -> u8 {
        self.b()[8] >> 6
    }
    /// Reserved (2 bits).
    pub fn rsv(&self) -> u8 {
        (self.b()[8] >> 4) & 3
    }
    /// DSCP (6 bits).
    pub fn dscp(&self) -> u8 {
        ((self.b()[8] & 0xf) << 2) | (self.b()[9] >> 6)
    }
    /// Next protocol (6 bits), see [`proto`].
    pub fn proto(&self) -> u8 {
        self.b()[9] & 0x3f
    }
    /// BFIR-id.
    pub fn bfir_id(&self) -> u16 {
        u16::from_be_bytes([self.b()[10], self.b()[11]])
    }
    /// The BitString bytes, when the BSL code is valid.
    pub fn bitstring_bytes(&self) -> Option<&[u8]> {
        let bsl = Bsl::from_code(self.bsl_code())?;
        self.b().get(HEADER_LEN..HEADER_LEN + bsl.bytes())
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Header<T> {
    fn bm(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }
    /// Sets the BIFT-id (low 20 bits used).
    pub fn set_bift_id(&mut self, v: u32) {
        let b = self.bm();
        b[0] = (v >> 12) as u8;
        b[1] = (v >> 4) as u8;
        b[2] = (b[2] & 0x0f) | (((v & 0xf) as u8) << 4);
    }
    /// Sets TC (3 bits).
    pub fn set_tc(&mut self, v: u8) {
        let b = self.bm();
        b[2] = (b[2] & 0xf1) | ((v & 7) << 1);
    }
    /// Sets S.
    pub fn set_s(&mut self, v: bool) {
        let b = self.bm();
        b[2] = (b[2] & 0xfe) | u8::from(v);
    }
    /// Sets TTL.
    pub fn set_ttl(&mut self, v: u8) {
        self.bm()[3] = v;
    }
    /// Sets nibble and version.
    pub fn set_nibble_version(&mut self, nibble: u8, version: u8) {
        self.bm()[4] = (nibble << 4) | (version & 0xf);
    }
    /// Sets the BSL code (4 bits).
    pub fn set_bsl_code(&mut self, v: u8) {
        let b = self.bm();
        b[5] = (b[5] & 0x0f) | (v << 4);
    }
    /// Sets the entropy (low 20 bits used).
    pub fn set_entropy(&mut self, v: u32) {
        let b = self.bm();
        b[5] = (b[5] & 0xf0) | ((v >> 16) as u8 & 0xf);
        b[6] = (v >> 8) as u8;
        b[7] = v as u8;
    }
    /// Sets OAM (2 bits), Rsv (2 bits) and DSCP (6 bits).
    pub fn set_oam_rsv_dscp(&mut self, oam: u8, rsv: u8, dscp: u8) {
        let b = self.bm();
        b[8] = ((oam & 3) << 6) | ((rsv & 3) << 4) | ((dscp >> 2) & 0xf);
        b[9] = (b[9] & 0x3f) | ((dscp & 3) << 6);
    }
    /// Sets the next protocol (6 bits).
    pub fn set_proto(&mut self, v: u8) {
        let b = self.bm();
        b[9] = (b[9] & 0xc0) | (v & 0x3f);
    }
    /// Sets the BFIR-id.
    pub fn set_bfir_id(&mut self, v: u16) {
        self.bm()[10..12].copy_from_slice(&v.to_be_bytes());
    }
    /// The BitString bytes, mutable, when the BSL code is valid.
    pub fn bitstring_bytes_mut(&mut self) -> Option<&mut [u8]> {
        let bsl = Bsl::from_code(self.bsl_code())?;
        self.bm().get_mut(HEADER_LEN..HEADER_LEN + bsl.bytes())
    }
}

/// An owned, validated BIER header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repr {
    /// BIFT-id (20 bits).
    pub bift_id: u32,
    /// Traffic class (3 bits).
    pub tc: u8,
    /// Bottom of stack.
    pub s: bool,
    /// TTL.
    pub ttl: u8,
    /// Entropy (20 bits).
    pub entropy: u32,
    /// OAM (2 bits).
    pub oam: u8,
    /// DSCP (6 bits).
    pub dscp: u8,
    /// Next protocol (6 bits).
    pub proto: u8,
    /// BFIR-id.
    pub bfir_id: u16,
    /// The BitString; its length gives the BSL.
    pub bitstring: BitString,
}

impl Repr {
    /// Parses and validates a header: length, nibble, version, BSL code. The Rsv field is ignored.
    pub fn parse<T: AsRef<[u8]>>(h: &Header<T>) -> Result<Repr, WireError> {
        h.check_len()?;
        if h.nibble() != NIBBLE || h.version() != VERSION {
            return Err(WireError::BadVersion {
                nibble: h.nibble(),
                version: h.version(),
            });
        }
        let bsl = Bsl::from_code(h.bsl_code()).ok_or(WireError::BadBsl(h.bsl_code()))?;
        let bytes = h.bitstring_bytes().ok_or(WireError::BadBsl(h.bsl_code()))?;
        let bitstring = BitString::from_bytes(bsl, bytes).map_err(|_| WireError::Truncated {
            needed: HEADER_LEN + bsl.bytes(),
            got: h.b().len(),
        })?;
        Ok(Repr {
            bift_id: h.bift_id(),
            tc: h.tc(),
            s: h.s(),
            ttl: h.ttl(),
            entropy: h.entropy(),
            oam: h.oam(),
            dscp: h.dscp(),
            proto: h.proto(),
            bfir_id: h.bfir_id(),
            bitstring,
        })
    }

    /// Bytes the header with its BitString takes.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + self.bitstring.bsl().bytes()
    }

    /// Writes the header into the first [`Repr::buffer_len`] bytes of `h`. Out-of-range field values are masked to
    /// their width. Fails if the buffer is too short.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, h: &mut Header<T>) -> Result<(), WireError> {
        let got = h.buffer.as_ref().len();
        if got < self.buffer_len() {
            return Err(WireError::Truncated {
                needed: self.buffer_len(),
                got,
            });
        }
        h.set_bift_id(self.bift_id);
        h.set_tc(self.tc);
        h.set_s(self.s);
        h.set_ttl(self.ttl);
        h.set_nibble_version(NIBBLE, VERSION);
        h.set_bsl_code(self.bitstring.bsl().code());
        h.set_entropy(self.entropy);
        h.set_oam_rsv_dscp(self.oam, 0, self.dscp);
        h.set_proto(self.proto);
        h.set_bfir_id(self.bfir_id);
        let n = self.bitstring.bsl().bytes();
        self.bitstring
            .write_bytes(&mut h.buffer.as_mut()[HEADER_LEN..HEADER_LEN + n])
            .map_err(|_| WireError::Truncated {
                needed: self.buffer_len(),
                got,
            })
    }
}

/// Where the Ethernet header of a frame ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L2 {
    /// Offset of the payload (14, or 18 with an 802.1Q tag).
    pub offset: usize,
    /// The Ethertype after the optional tag.
    pub ethertype: u16,
    /// The 802.1Q TCI, when tagged.
    pub vlan_tci: Option<u16>,
}

/// Reads the Ethernet II header (with at most one 802.1Q tag). `None` if the frame is too short for it.
pub fn parse_l2(frame: &[u8]) -> Option<L2> {
    let et = u16::from_be_bytes([*frame.get(12)?, *frame.get(13)?]);
    if et == ETHERTYPE_VLAN {
        let tci = u16::from_be_bytes([*frame.get(14)?, *frame.get(15)?]);
        let inner = u16::from_be_bytes([*frame.get(16)?, *frame.get(17)?]);
        Some(L2 {
            offset: 18,
            ethertype: inner,
            vlan_tci: Some(tci),
        })
    } else {
        Some(L2 {
            offset: 14,
            ethertype: et,
            vlan_tci: None,
        })
    }
}

/// Builds a complete BIER Ethernet frame: MACs, an optional 802.1Q tag, Ethertype 0xAB37, the header, the payload.
pub fn build_frame(
    dst: [u8; 6],
    src: [u8; 6],
    vlan_tci: Option<u16>,
    repr: &Repr,
    payload: &[u8],
) -> Vec<u8> {
    let mut f = Vec::with_capacity(18 + repr.buffer_len() + payload.len());
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    if let Some(tci) = vlan_tci {
        f.extend_from_slice(&ETHERTYPE_VLAN.to_be_bytes());
        f.extend_from_slice(&tci.to_be_bytes());
    }
    f.extend_from_slice(&ETHERTYPE_BIER.to_be_bytes());
    let off = f.len();
    f.resize(off + repr.buffer_len(), 0);
    repr.emit(&mut Header::new_unchecked(&mut f[off..]))
        .expect("buffer sized from buffer_len");
    f.extend_from_slice(payload);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Repr {
        let mut bs = BitString::zero(Bsl::B256);
        bs.set(1, true);
        bs.set(200, true);
        Repr {
            bift_id: 0x3_00_01,
            tc: 5,
            s: true,
            ttl: 64,
            entropy: 0xabcde,
            oam: 2,
            dscp: 0x2e,
            proto: proto::IPV6,
            bfir_id: 0x1234,
            bitstring: bs,
        }
    }

    #[test]
    fn field_layout_matches_rfc8296() {
        let r = sample();
        let mut buf = vec![0u8; r.buffer_len()];
        r.emit(&mut Header::new_unchecked(&mut buf[..])).unwrap();
        // BIFT-id 0x30001, TC 5, S 1 -> 0x30 0x00 0x1b ; TTL 64
        assert_eq!(&buf[0..4], &[0x30, 0x00, 0x1b, 64]);
        // nibble 5, ver 0, BSL 3, entropy abcde
        assert_eq!(&buf[4..8], &[0x50, 0x3a, 0xbc, 0xde]);
        // OAM 2, rsv 0, DSCP 0x2e (101110), proto 6, BFIR 0x1234
        assert_eq!(&buf[8..12], &[0x8b, 0x86, 0x12, 0x34]);
        assert_eq!(buf[12 + 31], 1);
        let h = Header::new_checked(&buf[..]).unwrap();
        assert_eq!(Repr::parse(&h).unwrap(), r);
    }

    #[test]
    fn rejects() {
        let r = sample();
        let mut buf = vec![0u8; r.buffer_len()];
        r.emit(&mut Header::new_unchecked(&mut buf[..])).unwrap();
        assert!(matches!(
            Header::new_checked(&buf[..40]),
            Err(WireError::Truncated {
                needed: 44,
                got: 40
            })
        ));
        assert!(Header::new_checked(&buf[..11]).is_err());
        let mut bad = buf.clone();
        bad[4] = 0x40;
        assert!(matches!(
            Repr::parse(&Header::new_checked(&bad[..]).unwrap()),
            Err(WireError::BadVersion { nibble: 4, .. })
        ));
        let mut bad = buf.clone();
        bad[5] &= 0x0f;
        assert_eq!(
            Repr::parse(&Header::new_checked(&bad[..]).unwrap()),
            Err(WireError::BadBsl(0))
        );
        let short = vec![0u8; 4];
        let mut h = Header::new_unchecked(short);
        assert!(r.emit(&mut h).is_err());
    }

    #[test]
    fn l2() {
        let f = build_frame([1; 6], [2; 6], Some(0x0064), &sample(), &[9; 3]);
        let l2 = parse_l2(&f).unwrap();
        assert_eq!(
            (l2.offset, l2.ethertype, l2.vlan_tci),
            (18, ETHERTYPE_BIER, Some(100))
        );
        assert_eq!(f.len(), 18 + 44 + 3);
        assert_eq!(parse_l2(&f[..13]), None);
        assert_eq!(parse_l2(&f[..17]), None);
        let g = build_frame([1; 6], [2; 6], None, &sample(), &[]);
        assert_eq!(parse_l2(&g).unwrap().offset, 14);
    }
}
