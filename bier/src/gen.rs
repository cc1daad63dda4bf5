//! Example traffic: BIER frames for a BIFT with random or given destination sets, sizes and entropies, and
//! optionally every kind of malformed frame. Deterministic for a seed.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::bift::Bift;
use crate::bitstring::{bfr_position, BitString};
use crate::wire::{build_frame, proto, Repr, HEADER_LEN, MAX_FRAME};

/// The kinds of malformed frames the generator can make (one per drop reason, plus the ones that still forward).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformed {
    /// Longer than the largest frame.
    Oversize,
    /// Cut inside the Ethernet or BIER header or the BitString.
    Truncated,
    /// Another Ethertype (IPv4).
    NotBier,
    /// Nibble or version wrong.
    BadVersion,
    /// A BSL code other than the table's (or undefined).
    WrongBsl,
    /// A BIFT-id no set uses.
    UnknownBiftId,
    /// TTL 0 or 1.
    LowTtl,
    /// All-zero BitString.
    ZeroBitString,
    /// Random bytes.
    Garbage,
}

impl Malformed {
    /// Every kind.
    pub const ALL: [Malformed; 9] = [
        Malformed::Oversize,
        Malformed::Truncated,
        Malformed::NotBier,
        Malformed::BadVersion,
        Malformed::WrongBsl,
        Malformed::UnknownBiftId,
        Malformed::LowTtl,
        Malformed::ZeroBitString,
        Malformed::Garbage,
    ];
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenSpec {
    /// RNG seed.
    pub seed: u64,
    /// Smallest frame, bytes without FCS (raised to what the headers need).
    pub min_len: usize,
    /// Largest frame, bytes without FCS.
    pub max_len: usize,
    /// Destination BFR-ids per frame: `None` draws a random number of the configured ones of a random set;
    /// `Some(k)` draws `k` of them (fewer if the set has fewer).
    pub fanout: Option<usize>,
    /// Fixed destinations (all must be in one set); overrides `fanout`.
    pub bfr_ids: Option<Vec<u16>>,
    /// Fixed entropy; `None` draws one per frame.
    pub entropy: Option<u32>,
    /// TTL of well-formed frames.
    pub ttl: u8,
    /// Probability that a frame carries an 802.1Q tag.
    pub vlan: f64,
    /// Probability that a frame is malformed (of a random [`Malformed`] kind).
    pub malformed: f64,
    /// BFIR-id written into frames.
    pub bfir_id: u16,
}

impl Default for GenSpec {
    fn default() -> Self {
        GenSpec {
            seed: 1,
            min_len: 60,
            max_len: 1514,
            fanout: None,
            bfr_ids: None,
            entropy: None,
            ttl: 64,
            vlan: 0.0,
            malformed: 0.0,
            bfir_id: 1,
        }
    }
}

/// Why a spec cannot be generated for a BIFT.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenError {
    /// Given BFR-ids span several sets or are invalid.
    #[error("destination BFR-ids must be valid and in one set: {0}")]
    BadDestinations(String),
    /// min_len > max_len or max_len beyond the largest frame.
    #[error("bad frame sizes: min {min}, max {max} (at most {MAX_FRAME})")]
    BadSizes {
        /// min_len
        min: usize,
        /// max_len
        max: usize,
    },
    /// The BIFT has no entry to send to.
    #[error("the BIFT has no BFR-id to send to")]
    NoDestinations,
}

/// An endless, deterministic frame source.
pub struct Generator<'a> {
    bift: &'a Bift,
    spec: GenSpec,
    rng: StdRng,
    /// BFR-ids configured, per set.
    per_set: Vec<Vec<u16>>,
    fixed: Option<(usize, BitString)>,
}

impl<'a> Generator<'a> {
    /// A generator for frames that `bift` forwards.
    pub fn new(bift: &'a Bift, spec: GenSpec) -> Result<Generator<'a>, GenError> {
        if spec.min_len > spec.max_len || spec.max_len > MAX_FRAME {
            return Err(GenError::BadSizes {
                min: spec.min_len,
                max: spec.max_len,
            });
        }
        let bsl = bift.bsl();
        let mut per_set = vec![Vec::new(); bift.sets()];
        for e in &bift.config().entries {
            for &id in &e.bfr_ids {
                if let Some(p) = bfr_position(id, bsl) {
                    per_set[usize::from(p.si)].push(id);
                }
            }
        }
        let fixed = match &spec.bfr_ids {
            None => None,
            Some(ids) => {
                let mut si = None;
                let mut bs = BitString::zero(bsl);
                for &id in ids {
                    let p = bfr_position(id, bsl)
                        .ok_or_else(|| GenError::BadDestinations(format!("BFR-id {id}")))?;
                    if *si.get_or_insert(p.si) != p.si || usize::from(p.si) >= bift.sets() {
                        return Err(GenError::BadDestinations(format!(
                            "BFR-id {id} is in set {} (the BIFT has {} sets; one frame carries one set)",
                            p.si,
                            bift.sets()
                        )));
                    }
                    bs.set(usize::from(p.pos), true);
                }
                Some((usize::from(si.unwrap_or(0)), bs))
            }
        };
        if fixed.is_none() && per_set.iter().all(Vec::is_empty) {
            return Err(GenError::NoDestinations);
        }
        let rng = StdRng::seed_from_u64(spec.seed);
        Ok(Generator {
            bift,
            spec,
            rng,
            per_set,
            fixed,
        })
    }

    fn destinations(&mut self) -> (usize, BitString) {
        if let Some(f) = &self.fixed {
            return f.clone();
        }
        let bsl = self.bift.bsl();
        let sets: Vec<usize> = (0..self.per_set.len())
            .filter(|&s| !self.per_set[s].is_empty())
            .collect();
        let si = sets[self.rng.random_range(0..sets.len())];
        let ids = &self.per_set[si];
        let k = match self.spec.fanout {
            Some(k) => k.min(ids.len()),
            None => self.rng.random_range(1..=ids.len()),
        };
        let mut bs = BitString::zero(bsl);
        if k * 2 > ids.len() {
            // Dense: take each with probability k/n (approximate count, cheap).
            for &id in ids {
                if self.rng.random_range(0..ids.len()) < k {
                    bs.set(usize::from(bfr_position(id, bsl).expect("valid").pos), true);
                }
            }
            if bs.is_zero() {
                // The draw may miss every id; a well-formed frame must still carry at least one destination.
                let id = ids[self.rng.random_range(0..ids.len())];
                bs.set(usize::from(bfr_position(id, bsl).expect("valid").pos), true);
            }
        } else {
            for _ in 0..k {
                let id = ids[self.rng.random_range(0..ids.len())];
                bs.set(usize::from(bfr_position(id, bsl).expect("valid").pos), true);
            }
        }
        (si, bs)
    }

    /// The next frame, and the malformation it carries, if any.
    pub fn next_frame(&mut self) -> (Vec<u8>, Option<Malformed>) {
        let bsl = self.bift.bsl();
        let (si, bitstring) = self.destinations();
        let vlan = self.rng.random_bool(self.spec.vlan.clamp(0.0, 1.0));
        let l2 = if vlan { 18 } else { 14 };
        let hdr = l2 + HEADER_LEN + bsl.bytes();
        let lo = self.spec.min_len.max(hdr);
        let hi = self.spec.max_len.max(lo);
        let len = self.rng.random_range(lo..=hi);
        let entropy = self
            .spec
            .entropy
            .unwrap_or_else(|| self.rng.random_range(0..1 << 20));
        let mut repr = Repr {
            bift_id: self.bift.bift_ids()[si],
            tc: 0,
            s: true,
            ttl: self.spec.ttl,
            entropy,
            oam: 0,
            dscp: 0,
            proto: proto::IPV6,
            bfir_id: self.spec.bfir_id,
            bitstring,
        };
        let bad = self
            .rng
            .random_bool(self.spec.malformed.clamp(0.0, 1.0))
            .then(|| Malformed::ALL[self.rng.random_range(0..Malformed::ALL.len())]);
        match bad {
            Some(Malformed::LowTtl) => repr.ttl = self.rng.random_range(0..=1),
            Some(Malformed::ZeroBitString) => repr.bitstring = BitString::zero(bsl),
            Some(Malformed::UnknownBiftId) => {
                let ids = self.bift.bift_ids();
                repr.bift_id = loop {
                    let id = self.rng.random_range(0..1 << 20);
                    if !ids.contains(&id) {
                        break id;
                    }
                };
            }
            _ => {}
        }
        let mut payload = vec![0u8; len - hdr];
        self.rng.fill(&mut payload[..]);
        let tci = vlan.then(|| self.rng.random_range(0..4096u16));
        let dst = [0x02, 0, 0, 0, 0xff, 0xfe];
        let src = [0x02, 0, 0, 0, 0xff, (self.spec.bfir_id & 0xff) as u8];
        let mut f = build_frame(dst, src, tci, &repr, &payload);
        let off = l2;
        match bad {
            Some(Malformed::Oversize) => {
                f.resize(self.rng.random_range(MAX_FRAME + 1..=MAX_FRAME + 64), 0xa5)
            }
            Some(Malformed::Truncated) => {
                let cut = self.rng.random_range(1..hdr); // at least one byte: no link carries an empty frame
                f.truncate(cut);
            }
            Some(Malformed::NotBier) => {
                let at = if vlan { 16 } else { 12 };
                let et: u16 = match self.rng.random_range(0..3) {
                    0 => 0x0800,
                    1 => 0x86dd,
                    _ => 0x8847,
                };
                f[at..at + 2].copy_from_slice(&et.to_be_bytes());
            }
            Some(Malformed::BadVersion) => {
                let v = loop {
                    let v: u8 = self.rng.random();
                    if v != 0x50 {
                        break v;
                    }
                };
                f[off + 4] = v;
            }
            Some(Malformed::WrongBsl) => {
                let code = loop {
                    let c: u8 = self.rng.random_range(0..16);
                    if c != bsl.code() {
                        break c;
                    }
                };
                f[off + 5] = (f[off + 5] & 0x0f) | (code << 4);
            }
            Some(Malformed::Garbage) => {
                let n = self.rng.random_range(1..=self.spec.max_len.max(1));
                f = vec![0; n];
                self.rng.fill(&mut f[..]);
                if n > 13 && self.rng.random_bool(0.5) {
                    // Make half of the garbage look like BIER to reach the deeper checks.
                    f[12..14].copy_from_slice(&crate::wire::ETHERTYPE_BIER.to_be_bytes());
                }
            }
            _ => {}
        }
        (f, bad)
    }
}

impl Iterator for Generator<'_> {
    type Item = Vec<u8>;
    fn next(&mut self) -> Option<Vec<u8>> {
        Some(self.next_frame().0)
    }
}
