//! Tenant isolation of host transmit queues: the RTL against the reference forwarder with random queue ids (granted,
//! denied, unlisted, beyond the build's queues) and random masks (all ones, empty, partial), and a model-independent
//! check that a queue's frames never reach BFR-ids outside its grant.

use bier::bift::ecmp_bucket;
use bier::config::TxQueue;
use bier::wire::{parse_l2, ETHERTYPE_BIER, HEADER_LEN};
use bier::{Bift, BitString, DropReason};
use biernic::program::{self, ProgramError, RegisterBus};
use biernic_hw::regmap;
use biernic_sim::{Build, EgressFrame};
use biernic_tests::{make_frames, random_config, random_isolation, scale, Rig, Traffic};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Queue ids host frames use: every hardware queue, two beyond, and 255.
fn queue_ids(host_queues: usize) -> Vec<u8> {
    let mut v: Vec<u8> = (0..host_queues as u8 + 2).collect();
    v.push(255);
    v
}

fn random_masks(build: Build, seed: u64, rounds: usize, frames: usize) {
    let mut rig = Rig::new(build, seed);
    let mut rng = StdRng::seed_from_u64(seed);
    rig.host_share = Some(0.7);
    rig.host_queue_ids = queue_ids(rig.params.host_queues);
    let (mut isolated, mut clipped, mut forwarded, mut copies) = (0, 0, 0, 0);
    for round in 0..rounds {
        let mut config = random_config(&mut rng, &rig.params);
        random_isolation(&mut rng, &mut config, rig.params.host_queues);
        let bift = Bift::compile(&config).expect("random config is valid");
        rig.load(&bift);
        rig.dp.set_idle_probability([0.0, 0.3][round % 2]).unwrap();
        rig.dp
            .set_backpressure([0.0, 0.4][(round / 2) % 2])
            .unwrap();
        let traffic = Traffic {
            frames,
            max_len: [128, 600][round % 2],
            stray_bits: 0.5,
            ..Traffic::default()
        };
        let f = make_frames(&bift, &traffic, seed * 100 + round as u64);
        let s = rig
            .round(&bift, f, seed + round as u64)
            .unwrap_or_else(|e| {
                panic!(
                    "{build:?} seed {seed} round {round} (BSL {}, {} sets, {} tx_queues): {e}",
                    bift.bsl(),
                    bift.sets(),
                    config.tx_queues.len()
                )
            });
        isolated += s.counters.drops[DropReason::Isolated as usize];
        clipped += s.counters.iso_clipped.iter().sum::<u64>();
        forwarded += s.counters.forwarded;
        copies += s.copies;
    }
    eprintln!(
        "{build:?}: {isolated} isolated, {clipped} clipped, {forwarded} forwarded, {copies} copies: all equal to the model"
    );
    assert!(isolated > 0 && clipped > 0 && forwarded > 0 && copies > 0);
}

#[test]
fn wide_random_masks_and_queue_ids() {
    random_masks(Build::Wide, 31, 6, 2500 * scale());
}

#[test]
fn narrow_random_masks_and_queue_ids() {
    random_masks(Build::Narrow, 37, 6, 2500 * scale());
}

/// Offset of the BitString and the BitString of a BIER frame.
fn bitstring_of(bift: &Bift, f: &[u8]) -> Option<(usize, BitString)> {
    let l2 = parse_l2(f).filter(|l| l.ethertype == ETHERTYPE_BIER)?;
    let at = l2.offset + HEADER_LEN;
    let bs = BitString::from_bytes(bift.bsl(), f.get(at..at + bift.bsl().bytes())?).ok()?;
    Some((at, bs))
}

/// Set and ECMP bucket of a BIER frame.
fn set_and_bucket(bift: &Bift, f: &[u8]) -> Option<(usize, usize)> {
    let off = parse_l2(f)?.offset;
    let h = f.get(off..off + HEADER_LEN)?;
    let bift_id = (u32::from(h[0]) << 12) | (u32::from(h[1]) << 4) | (u32::from(h[2]) >> 4);
    let entropy = (u32::from(h[5] & 0xf) << 16) | (u32::from(h[6]) << 8) | u32::from(h[7]);
    Some((bift.set_of(bift_id)?, ecmp_bucket(entropy, bift.buckets())))
}

/// Every copy carries a non-zero BitString within the queue's grant and within its target's F-BM: nothing outside
/// the grant leaves, and no target is reached through a bit outside it.
fn check_copies(bift: &Bift, queue: usize, got: &[Vec<EgressFrame>]) {
    for (t, frames) in got.iter().enumerate() {
        for c in frames {
            let (_, bs) = bitstring_of(bift, &c.data).expect("a copy of a BIER frame");
            let (set, bucket) = set_and_bucket(bift, &c.data).expect("a known set");
            assert!(!bs.is_zero(), "target {t}: a copy with an empty BitString");
            let grant = bift.queue_mask(queue, set).to_bitstring(bift.bsl());
            let fbm = bift.fbm(set, bucket, t);
            for pos in bs.iter_ones() {
                assert!(
                    grant.get(pos),
                    "target {t}: bit {pos} of set {set} is outside queue {queue}'s grant"
                );
                assert!(fbm.get(pos), "target {t}: bit {pos} is not in its F-BM");
            }
        }
    }
}

fn grant_is_enforced(build: Build, seed: u64) {
    let mut rig = Rig::new(build, seed);
    let mut rng = StdRng::seed_from_u64(seed);
    let queue = 1usize;
    rig.host_share = Some(1.0);
    rig.host_queue_ids = vec![queue as u8];
    rig.dp.set_backpressure(0.2).unwrap();
    rig.dp.set_idle_probability(0.1).unwrap();
    let mut config = random_config(&mut rng, &rig.params);
    let ids: Vec<u16> = config
        .entries
        .iter()
        .flat_map(|e| e.bfr_ids.iter().copied())
        .collect();
    // queue 1 may reach about a third of the configured BFR-ids; queue 0 everything (not used here)
    let allow: Vec<u16> = ids
        .iter()
        .copied()
        .filter(|_| rng.random_bool(0.35))
        .collect();
    config.tx_queues = vec![
        TxQueue {
            queue: 0,
            allow: ids.clone(),
            loc: None,
        },
        TxQueue {
            queue: queue as u8,
            allow,
            loc: None,
        },
    ];
    let bift = Bift::compile(&config).unwrap();
    rig.load(&bift);
    let traffic = Traffic {
        frames: 400 * scale(),
        max_len: 300,
        malformed: 0.0,
        stray_bits: 0.5,
        low_ttl: 0.0,
        ..Traffic::default()
    };
    // 1. BitStrings with bits outside the grant only: not one copy leaves, every frame is dropped `isolated`
    let mut outside = Vec::new();
    for mut f in make_frames(&bift, &traffic, seed) {
        let Some((at, bs)) = bitstring_of(&bift, &f) else {
            continue;
        };
        let Some((set, _)) = set_and_bucket(&bift, &f) else {
            continue;
        };
        let grant = bift.queue_mask(queue, set).to_bitstring(bift.bsl());
        let mut bs = bs;
        bs.and_not_assign(grant.words());
        if bs.is_zero() {
            let Some(pos) = (1..=bift.bsl().bits()).find(|&p| !grant.get(p)) else {
                continue;
            };
            bs.set(pos, true);
        }
        bs.write_bytes(&mut f[at..at + bift.bsl().bytes()]).unwrap();
        outside.push(f);
    }
    assert!(!outside.is_empty());
    let n = outside.len() as u64;
    let (s, got) = rig
        .round_copies(&bift, outside, seed + 1)
        .unwrap_or_else(|e| panic!("{build:?}: {e}"));
    assert_eq!(s.copies, 0, "{build:?}: copies of frames outside the grant");
    assert!(got.iter().all(Vec::is_empty));
    assert_eq!(s.counters.drops[DropReason::Isolated as usize], n);
    assert_eq!(s.counters.iso_clipped.get(queue), Some(&n));
    // 2. mixed BitStrings: copies only ever carry granted bits
    let (s, got) = rig
        .round_copies(&bift, make_frames(&bift, &traffic, seed + 2), seed + 3)
        .unwrap_or_else(|e| panic!("{build:?}: {e}"));
    assert!(s.copies > 0, "{build:?}: some frames reach granted BFR-ids");
    check_copies(&bift, queue, &got);
}

#[test]
fn queue_never_reaches_bfr_ids_outside_its_grant() {
    grant_is_enforced(Build::Narrow, 41);
    grant_is_enforced(Build::Wide, 43);
}

/// Passes register writes through, except the mask-row writes of one host queue (as if that
/// queue's rows had never been written since reset).
struct SkipMaskRows<'a> {
    bus: &'a mut dyn RegisterBus,
    skip: Vec<u32>,
}

impl RegisterBus for SkipMaskRows<'_> {
    fn write(&mut self, addr: u16, value: u32) -> Result<(), ProgramError> {
        if addr == regmap::BIFT_ROW_CMD && self.skip.contains(&value) {
            return Ok(());
        }
        self.bus.write(addr, value)
    }
    fn read(&mut self, addr: u16) -> Result<u32, ProgramError> {
        self.bus.read(addr)
    }
}

/// A mask row not written since reset denies its queue everything, even though the RAM still
/// holds an old row (reset clears the valid bits, not the storage): the device must match a
/// model in which the queue is unlisted.
fn unwritten_rows_deny(build: Build, seed: u64) {
    let mut rig = Rig::new(build, seed);
    let mut rng = StdRng::seed_from_u64(seed);
    rig.host_share = Some(1.0);
    rig.host_queue_ids = vec![0, 1];
    let mut config = random_config(&mut rng, &rig.params);
    let ids: Vec<u16> = config
        .entries
        .iter()
        .flat_map(|e| e.bfr_ids.iter().copied())
        .collect();
    let grant = |queue: u8| TxQueue {
        queue,
        allow: ids.clone(),
        loc: None,
    };
    // A: queues 0 and 1 may reach everything; B: queue 0 unlisted (denied)
    config.tx_queues = vec![grant(0), grant(1)];
    let a = Bift::compile(&config).unwrap();
    config.tx_queues = vec![grant(1)];
    let b = Bift::compile(&config).unwrap();
    // both banks hold A's rows (queue 0: all ones), then reset clears only the valid bits
    rig.load(&a);
    rig.load(&a);
    rig.dp.reset().unwrap();
    let p = rig.params.clone();
    let skip = (0..p.sets)
        .map(|slot| {
            regmap::mask_row_cmd(regmap::ROW_OP_WRITE, regmap::mask_row(&p, 0, slot), false)
        })
        .collect();
    let mut bus = SkipMaskRows {
        bus: &mut rig.dp,
        skip,
    };
    program::load(&mut bus, &a, &p).expect("load without queue 0's mask rows");
    let traffic = Traffic {
        frames: 300 * scale(),
        max_len: 200,
        malformed: 0.0,
        low_ttl: 0.0,
        ..Traffic::default()
    };
    let s = rig
        .round(&b, make_frames(&b, &traffic, seed), seed + 1)
        .unwrap_or_else(|e| panic!("{build:?}: {e}"));
    let denied = s.counters.iso_clipped.first().copied().unwrap_or(0);
    assert!(denied > 0, "{build:?}: queue 0's frames were isolated");
    assert!(s.counters.forwarded > 0, "{build:?}: queue 1's frames pass");
}

#[test]
fn unwritten_mask_rows_deny_their_queue() {
    unwritten_rows_deny(Build::Narrow, 51);
    unwritten_rows_deny(Build::Wide, 53);
}
