//! The compiled Bit Index Forwarding Table: for each set (SI) and ECMP bucket, one forwarding bit mask (F-BM) per
//! target, laid out so that one (set, bucket) row of all targets is contiguous in memory.

use crate::bitstring::{bfr_position, BitString, Bsl, MAX_WORDS};
use crate::config::{Config, ConfigError, Target};

/// The default non-MPLS BIFT-id of a set (draft-ietf-bier-non-mpls-bift-encoding): `BSL(4) | SD(8) | SI(8)`.
pub fn default_bift_id(bsl: Bsl, sub_domain: u8, si: u8) -> u32 {
    (u32::from(bsl.code()) << 16) | (u32::from(sub_domain) << 8) | u32::from(si)
}

/// The ECMP bucket of a 20-bit entropy value: `(e ^ (e >> 10)) & (buckets - 1)`. `buckets` is a power of two.
#[inline]
pub fn ecmp_bucket(entropy: u32, buckets: usize) -> usize {
    ((entropy ^ (entropy >> 10)) as usize) & (buckets - 1)
}

/// A compiled BIFT.
#[derive(Debug, Clone)]
pub struct Bift {
    config: Config,
    sets: usize,
    words: usize,
    /// `((set * buckets + bucket) * targets + target) * words + word`
    fbm: Vec<u64>,
    bift_ids: Vec<u32>,
    explicit: Option<std::collections::HashMap<u32, usize>>,
    /// Isolation masks of the listed queues: `(iso_index[queue] * sets + set) * words + word`.
    iso_masks: Vec<u64>,
    /// Per queue id 0..=255: its mask block in `iso_masks`, if the config lists it.
    iso_index: Vec<Option<usize>>,
    host_queues: usize,
}

/// Most host transmit queues (the queue id is 8 bits).
pub const MAX_HOST_QUEUES: usize = 256;

/// The isolation mask a host frame's BitString is ANDed with (see [`Bift::queue_mask`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueMask<'a> {
    /// Isolation is off: the BitString is used as it is.
    All,
    /// The queue may reach nothing in this set.
    Nothing,
    /// The queue may reach these bit positions (`BSL/64` words, word 0 = positions 1..=64).
    Words(&'a [u64]),
}

static ZERO_WORDS: [u64; MAX_WORDS] = [0; MAX_WORDS];

impl<'a> QueueMask<'a> {
    /// The mask as a BitString of length `bsl`.
    pub fn to_bitstring(self, bsl: Bsl) -> BitString {
        match self {
            QueueMask::All => BitString::ones(bsl),
            QueueMask::Nothing => BitString::zero(bsl),
            QueueMask::Words(w) => BitString::from_words(bsl, w),
        }
    }
    /// The words to AND with, `None` when isolation is off.
    pub(crate) fn and_words(self) -> Option<&'a [u64]> {
        match self {
            QueueMask::All => None,
            QueueMask::Nothing => Some(&ZERO_WORDS),
            QueueMask::Words(w) => Some(w),
        }
    }
}

impl Bift {
    /// Compiles a configuration (validating it first).
    pub fn compile(config: &Config) -> Result<Bift, ConfigError> {
        config.validate()?;
        let sets = config.sets();
        let words = config.bsl.words();
        let targets = config.targets.len();
        let buckets = config.ecmp_buckets;
        let mut fbm = vec![0u64; sets * buckets * targets * words];
        for e in &config.entries {
            for &id in &e.bfr_ids {
                let Some(p) = bfr_position(id, config.bsl) else {
                    continue; // validate() rejected 0 already
                };
                let (w, bit) = ((usize::from(p.pos) - 1) / 64, (usize::from(p.pos) - 1) % 64);
                for b in 0..buckets {
                    let t = e.via[b % e.via.len()];
                    let row = usize::from(p.si) * buckets + b;
                    fbm[(row * targets + t) * words + w] |= 1 << bit;
                }
            }
        }
        let (bift_ids, explicit) = match &config.bift_ids {
            Some(ids) => (
                ids.clone(),
                Some(ids.iter().enumerate().map(|(si, &id)| (id, si)).collect()),
            ),
            None => (
                (0..sets)
                    .map(|si| default_bift_id(config.bsl, config.sub_domain, si as u8))
                    .collect(),
                None,
            ),
        };
        let mut iso_index = vec![None; MAX_HOST_QUEUES];
        let mut iso_masks = vec![0u64; config.tx_queues.len() * sets * words];
        for (k, q) in config.tx_queues.iter().enumerate() {
            iso_index[usize::from(q.queue)] = Some(k);
            for &id in &q.allow {
                let Some(p) = bfr_position(id, config.bsl) else {
                    continue;
                };
                if usize::from(p.si) >= sets {
                    continue; // a set the table does not have: no frame can name it
                }
                let (w, bit) = ((usize::from(p.pos) - 1) / 64, (usize::from(p.pos) - 1) % 64);
                iso_masks[(k * sets + usize::from(p.si)) * words + w] |= 1 << bit;
            }
        }
        Ok(Bift {
            config: config.clone(),
            sets,
            words,
            fbm,
            bift_ids,
            explicit,
            iso_masks,
            iso_index,
            host_queues: MAX_HOST_QUEUES,
        })
    }

    /// Parses, validates and compiles a TOML config.
    pub fn from_toml(text: &str, file: Option<&str>) -> Result<Bift, ConfigError> {
        Bift::compile(&Config::from_toml(text, file)?)
    }

    /// The configuration it was compiled from.
    pub fn config(&self) -> &Config {
        &self.config
    }
    /// The targets (target `i` is egress `i`).
    pub fn targets(&self) -> &[Target] {
        &self.config.targets
    }
    /// The BitString length.
    pub fn bsl(&self) -> Bsl {
        self.config.bsl
    }
    /// Number of sets.
    pub fn sets(&self) -> usize {
        self.sets
    }
    /// Number of ECMP buckets.
    pub fn buckets(&self) -> usize {
        self.config.ecmp_buckets
    }
    /// BIFT-id of each set (index = SI).
    pub fn bift_ids(&self) -> &[u32] {
        &self.bift_ids
    }

    /// The set a BIFT-id names, if any.
    #[inline]
    pub fn set_of(&self, bift_id: u32) -> Option<usize> {
        match &self.explicit {
            Some(map) => map.get(&bift_id).copied(),
            None => {
                let prefix =
                    (u32::from(self.config.bsl.code()) << 8) | u32::from(self.config.sub_domain);
                let si = (bift_id & 0xff) as usize;
                (bift_id >> 8 == prefix && si < self.sets).then_some(si)
            }
        }
    }

    /// The F-BMs of all targets for one set and bucket: `targets * BSL/64` words, target-major.
    #[inline]
    pub fn row(&self, set: usize, bucket: usize) -> &[u64] {
        let n = self.config.targets.len() * self.words;
        let start = (set * self.config.ecmp_buckets + bucket) * n;
        &self.fbm[start..start + n]
    }

    /// Whether tenant isolation is on (the config lists at least one `[[tx_queue]]`).
    pub fn isolation(&self) -> bool {
        !self.config.tx_queues.is_empty()
    }

    /// Number of host transmit queues of the device the table models (default [`MAX_HOST_QUEUES`]: every 8-bit
    /// queue id exists). Frames from a queue id at or above it reach nothing.
    pub fn host_queues(&self) -> usize {
        self.host_queues
    }

    /// Sets the number of host transmit queues of the modelled device (at most [`MAX_HOST_QUEUES`]), so that the
    /// model isolates frames from queue ids the device does not have, as the device does.
    pub fn set_host_queues(&mut self, n: usize) {
        self.host_queues = n.min(MAX_HOST_QUEUES);
    }

    /// The isolation mask of host queue `queue` in set `set` (`docs/forwarding.md`, rule 9): [`QueueMask::All`]
    /// when isolation is off, [`QueueMask::Nothing`] for queues the config does not list, queue ids at or above
    /// [`Bift::host_queues`] and sets the table does not have.
    pub fn queue_mask(&self, queue: usize, set: usize) -> QueueMask<'_> {
        if queue >= self.host_queues || set >= self.sets {
            return QueueMask::Nothing;
        }
        if !self.isolation() {
            return QueueMask::All;
        }
        match self.iso_index.get(queue).copied().flatten() {
            None => QueueMask::Nothing,
            Some(k) => {
                let start = (k * self.sets + set) * self.words;
                QueueMask::Words(&self.iso_masks[start..start + self.words])
            }
        }
    }

    /// The F-BM of one target for one set and bucket.
    pub fn fbm(&self, set: usize, bucket: usize, target: usize) -> BitString {
        let row = self.row(set, bucket);
        BitString::from_words(
            self.config.bsl,
            &row[target * self.words..(target + 1) * self.words],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Entry, Target};

    fn cfg(buckets: usize) -> Config {
        Config {
            sub_domain: 7,
            bsl: Bsl::B64,
            ecmp_buckets: buckets,
            bift_ids: None,
            targets: vec![
                Target::port("a", 0),
                Target::port("b", 1),
                Target::local("h", 0),
            ],
            entries: vec![
                Entry {
                    bfr_ids: vec![1, 64, 65],
                    via: vec![0],
                    loc: None,
                },
                Entry {
                    bfr_ids: vec![2, 130],
                    via: vec![0, 1],
                    loc: None,
                },
                Entry {
                    bfr_ids: vec![3],
                    via: vec![2],
                    loc: None,
                },
            ],
            exception: None,
            tx_queues: Vec::new(),
        }
    }

    #[test]
    fn compiles_sets_and_ecmp() {
        let b = Bift::compile(&cfg(2)).unwrap();
        assert_eq!(b.sets(), 3);
        assert_eq!(b.bift_ids(), &[0x10700, 0x10701, 0x10702]);
        assert_eq!(b.set_of(0x10701), Some(1));
        assert_eq!(b.set_of(0x10703), None);
        assert_eq!(b.set_of(0x20701), None);
        assert_eq!(b.fbm(0, 0, 0).iter_ones().collect::<Vec<_>>(), [1, 2, 64]);
        assert_eq!(b.fbm(0, 1, 0).iter_ones().collect::<Vec<_>>(), [1, 64]);
        assert_eq!(b.fbm(0, 1, 1).iter_ones().collect::<Vec<_>>(), [2]);
        assert_eq!(b.fbm(1, 0, 0).iter_ones().collect::<Vec<_>>(), [1]);
        assert_eq!(b.fbm(2, 1, 1).iter_ones().collect::<Vec<_>>(), [2]);
        assert_eq!(b.fbm(0, 0, 2).iter_ones().collect::<Vec<_>>(), [3]);
    }

    #[test]
    fn bucket_hash() {
        assert_eq!(ecmp_bucket(0, 4), 0);
        assert_eq!(ecmp_bucket(1, 4), 1);
        assert_eq!(ecmp_bucket(1 << 10, 4), 1);
        assert_eq!(ecmp_bucket(0xfffff, 1), 0);
        assert_eq!(ecmp_bucket(0b11 << 10 | 0b01, 4), 2);
    }
}
