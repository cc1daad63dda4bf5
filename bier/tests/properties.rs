//! Property tests: the parallel forwarder against the RFC 8279 §6.5 loop, the wire format round trip, robustness
//! on arbitrary bytes, and BitString operations against a naive model.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use bier::bift::ecmp_bucket;
use bier::config::{Entry, Target};
use bier::rfc8279::forward_loop;
use bier::wire::{Header, Repr, WireError, MAX_FRAME};
use bier::{Bift, BitString, Bsl, Config, Decision, DropReason, Forwarder, TargetSet, Verdict};

fn bsl_strategy() -> impl Strategy<Value = Bsl> {
    (0..Bsl::ALL.len()).prop_map(|i| Bsl::ALL[i])
}

/// A random valid config: `targets` targets (ports and locals), BFR-ids over `sets` sets split into entries with
/// random ECMP via lists (repeats allowed), `2^log_buckets` buckets, default or explicit BIFT-ids.
fn random_config(bsl: Bsl, targets: usize, sets: usize, log_buckets: u32, seed: u64) -> Config {
    let mut rng = StdRng::seed_from_u64(seed);
    let buckets = 1usize << log_buckets;
    let targets: Vec<Target> = (0..targets)
        .map(|i| {
            if rng.random_bool(0.7) {
                let mut t = Target::port(&format!("p{i}"), i as u16);
                if rng.random_bool(0.5) {
                    t.mac = Some([2, 0, 0, 0, 1, i as u8]);
                    t.next_hop_mac = Some([2, 0, 0, 0, 2, i as u8]);
                }
                t
            } else {
                Target::local(&format!("l{i}"), i as u16)
            }
        })
        .collect();
    let density = rng.random_range(0.01..1.0);
    let mut ids: Vec<u16> = (1..=(sets * bsl.bits()) as u16)
        .filter(|_| rng.random_bool(density))
        .collect();
    if ids.is_empty() {
        ids.push(1);
    }
    ids.shuffle(&mut rng);
    let n_entries = rng.random_range(1..=ids.len().min(12));
    let mut cuts: Vec<usize> = (0..n_entries - 1)
        .map(|_| rng.random_range(1..ids.len()))
        .collect();
    cuts.push(0);
    cuts.push(ids.len());
    cuts.sort_unstable();
    cuts.dedup();
    let entries = cuts
        .windows(2)
        .map(|w| {
            let n_via = rng.random_range(1..=buckets.min(6));
            Entry {
                bfr_ids: ids[w[0]..w[1]].to_vec(),
                via: (0..n_via)
                    .map(|_| rng.random_range(0..targets.len()))
                    .collect(),
                loc: None,
            }
        })
        .collect();
    let mut c = Config {
        sub_domain: rng.random(),
        bsl,
        ecmp_buckets: buckets,
        bift_ids: None,
        targets,
        entries,
        exception: None,
        tx_queues: Vec::new(),
    };
    if rng.random_bool(0.4) {
        let mut ids = BTreeSet::new();
        while ids.len() < c.sets() + rng.random_range(0..2) {
            ids.insert(rng.random_range(0..1u32 << 20));
        }
        let mut ids: Vec<u32> = ids.into_iter().collect();
        ids.shuffle(&mut rng);
        c.bift_ids = Some(ids);
    }
    c.validate().expect("generated config is valid");
    c
}

/// A frame for set `si` of `bift`; `ttl`, `entropy` as given, random BitString of random density.
fn random_frame(
    bift: &Bift,
    si: usize,
    ttl: u8,
    entropy: u32,
    rng: &mut StdRng,
) -> (Vec<u8>, BitString) {
    let bsl = bift.bsl();
    let mut bs = BitString::zero(bsl);
    let density = [0.0, 0.001, 0.02, 0.2, 0.7, 1.0][rng.random_range(0..6)];
    for p in 1..=bsl.bits() {
        if rng.random_bool(density) {
            bs.set(p, true);
        }
    }
    let repr = Repr {
        bift_id: bift.bift_ids()[si],
        tc: rng.random_range(0..8),
        s: rng.random(),
        ttl,
        entropy,
        oam: rng.random_range(0..4),
        dscp: rng.random_range(0..64),
        proto: rng.random_range(0..64),
        bfir_id: rng.random(),
        bitstring: bs.clone(),
    };
    let vlan = rng.random_bool(0.3).then(|| rng.random());
    let payload: Vec<u8> = (0..rng.random_range(0..64)).map(|_| rng.random()).collect();
    (
        bier::wire::build_frame(
            [2, 9, 9, 9, 9, 1],
            [2, 9, 9, 9, 9, 2],
            vlan,
            &repr,
            &payload,
        ),
        bs,
    )
}

/// What `docs/forwarding.md` says should happen, built from the RFC 8279 loop: the verdict and the copies'
/// (target, BitString) pairs.
fn oracle(bift: &Bift, frame: &[u8]) -> (Verdict, Vec<(usize, BitString)>) {
    let c = bift.config();
    let len = frame.len();
    if len > MAX_FRAME {
        return (Verdict::Drop(DropReason::Oversize), vec![]);
    }
    if len < 14 {
        return (Verdict::Drop(DropReason::Truncated), vec![]);
    }
    let tagged = frame[12] == 0x81 && frame[13] == 0x00;
    let off = if tagged { 18 } else { 14 };
    if len < off {
        return (Verdict::Drop(DropReason::Truncated), vec![]);
    }
    if frame[off - 2..off] != [0xab, 0x37] {
        return match c.exception {
            Some(t) => (Verdict::Exception(t), vec![]),
            None => (Verdict::Drop(DropReason::NotBier), vec![]),
        };
    }
    if len < off + 12 {
        return (Verdict::Drop(DropReason::Truncated), vec![]);
    }
    let h = &frame[off..];
    if h[4] != 0x50 {
        return (Verdict::Drop(DropReason::BadVersion), vec![]);
    }
    if usize::from(h[5] >> 4) != c.bsl.code() as usize {
        return (Verdict::Drop(DropReason::UnsupportedBsl), vec![]);
    }
    let n = c.bsl.bytes();
    if len < off + 12 + n {
        return (Verdict::Drop(DropReason::Truncated), vec![]);
    }
    let bift_id = (u32::from(h[0]) << 12) | (u32::from(h[1]) << 4) | u32::from(h[2] >> 4);
    let Some(set) = bift.bift_ids().iter().position(|&id| id == bift_id) else {
        return (Verdict::Drop(DropReason::UnknownBiftId), vec![]);
    };
    let entropy = (u32::from(h[5] & 0xf) << 16) | (u32::from(h[6]) << 8) | u32::from(h[7]);
    let bucket = ((entropy ^ (entropy >> 10)) as usize) % c.ecmp_buckets;
    let bs = BitString::from_bytes(c.bsl, &h[12..12 + n]).unwrap();
    let all = forward_loop(c, set, bucket, &bs);
    let targets: Vec<usize> = all.iter().map(|x| x.0).collect();
    assert_eq!(
        targets.iter().collect::<BTreeSet<_>>().len(),
        targets.len(),
        "the RFC loop sends at most one copy per neighbour"
    );
    let low_ttl = h[3] <= 1;
    let mut copies: Vec<(usize, BitString)> = all
        .iter()
        .filter(|(t, _)| !(low_ttl && c.targets[*t].is_port()))
        .cloned()
        .collect();
    copies.sort_by_key(|x| x.0);
    if !copies.is_empty() {
        let set = copies.iter().fold(0u64, |m, (t, _)| m | 1 << t);
        (Verdict::Forward(TargetSet(set)), copies)
    } else if !all.is_empty() {
        (Verdict::Drop(DropReason::TtlExpired), vec![])
    } else {
        (Verdict::Drop(DropReason::NoMatchingBit), vec![])
    }
}

/// Decides a frame with `Bift::decide` and collects (target, mask) pairs, checking `write_copy` on the way.
fn parallel(bift: &Bift, frame: &[u8], d: &mut Decision) -> (Verdict, Vec<(usize, BitString)>) {
    let v = bift.decide(frame, d);
    let mut copies = Vec::new();
    if let Verdict::Forward(set) = v {
        let n = bift.bsl().bytes();
        let off = d.header_offset();
        let mut out = Vec::new();
        for t in set.iter() {
            let m = bift.mask(d, t);
            bift.write_copy(frame, d, t, &mut out);
            assert_eq!(out.len(), frame.len());
            assert_eq!(
                &out[off + 12..off + 12 + n],
                &m.to_bytes()[..],
                "write_copy BitString = mask"
            );
            assert_eq!(
                &out[off + 12 + n..],
                &frame[off + 12 + n..],
                "payload unchanged"
            );
            let port = bift.targets()[t].is_port();
            assert_eq!(
                out[off + 3],
                if port {
                    frame[off + 3] - 1
                } else {
                    frame[off + 3]
                }
            );
            copies.push((t, m));
        }
    }
    (v, copies)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn parallel_forwarder_equals_rfc8279_loop(
        bsl in bsl_strategy(),
        targets in 1usize..=16,
        sets in 1usize..=4,
        log_buckets in 0u32..=4,
        seed in any::<u64>(),
    ) {
        let config = random_config(bsl, targets, sets, log_buckets, seed);
        let bift = Bift::compile(&config).unwrap();
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
        let mut d = Decision::default();
        let frames = if bsl.bits() >= 2048 { 6 } else { 16 };
        for _ in 0..frames {
            let si = rng.random_range(0..bift.sets());
            let ttl = [0, 1, 2, 64, 255][rng.random_range(0..5)];
            let entropy = rng.random_range(0..1 << 20);
            let (frame, bs) = random_frame(&bift, si, ttl, entropy, &mut rng);
            let got = parallel(&bift, &frame, &mut d);
            let want = oracle(&bift, &frame);
            prop_assert_eq!(&got, &want, "set {} entropy {:#x} ttl {} bits {}", si, entropy, ttl, bs);
            if let Verdict::Forward(_) = got.0 {
                prop_assert_eq!(d.set(), si);
                prop_assert_eq!(d.bucket(), ecmp_bucket(entropy, config.ecmp_buckets));
                // The union of the masks is the BitString restricted to the configured bits.
                let mut union = BitString::zero(bsl);
                for (_, m) in &got.1 {
                    prop_assert!(m.and(&union).is_zero(), "masks are disjoint");
                    union.or_assign(m.words());
                }
                prop_assert_eq!(union.and(&bs), union);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Wire format.

prop_compose! {
    fn any_repr()(
        bsl in bsl_strategy(),
        words in proptest::collection::vec(any::<u64>(), 64),
        bift_id in 0u32..1 << 20,
        tc in 0u8..8,
        s in any::<bool>(),
        ttl in any::<u8>(),
        entropy in 0u32..1 << 20,
        oam in 0u8..4,
        dscp in 0u8..64,
        proto in 0u8..64,
        bfir_id in any::<u16>(),
    ) -> Repr {
        Repr { bift_id, tc, s, ttl, entropy, oam, dscp, proto, bfir_id, bitstring: BitString::from_words(bsl, &words) }
    }
}

/// Every getter: bift_id, tc, s, ttl, nibble, version, bsl_code, entropy, oam, rsv, dscp, proto, bfir_id.
type Fields = [u32; 13];

fn getters<T: AsRef<[u8]>>(h: &Header<T>) -> Fields {
    fields(
        h.bift_id(),
        h.tc(),
        h.s(),
        h.ttl(),
        h.nibble(),
        h.version(),
        h.bsl_code(),
        h.entropy(),
        h.oam(),
        h.rsv(),
        h.dscp(),
        h.proto(),
        h.bfir_id(),
    )
}

#[allow(clippy::too_many_arguments)]
fn fields(
    bift_id: u32,
    tc: u8,
    s: bool,
    ttl: u8,
    nibble: u8,
    version: u8,
    bsl_code: u8,
    entropy: u32,
    oam: u8,
    rsv: u8,
    dscp: u8,
    proto: u8,
    bfir_id: u16,
) -> Fields {
    [
        bift_id,
        tc.into(),
        s.into(),
        ttl.into(),
        nibble.into(),
        version.into(),
        bsl_code.into(),
        entropy,
        oam.into(),
        rsv.into(),
        dscp.into(),
        proto.into(),
        bfir_id.into(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn repr_emit_parse_round_trip(r in any_repr(), tail in proptest::collection::vec(any::<u8>(), 0..40), fill in any::<u8>()) {
        let n = r.buffer_len();
        prop_assert_eq!(n, 12 + r.bitstring.bsl().bytes());
        let mut buf = vec![fill; n + tail.len()];
        buf[n..].copy_from_slice(&tail);
        r.emit(&mut Header::new_unchecked(&mut buf[..])).unwrap();
        prop_assert_eq!(&buf[n..], &tail[..], "emit writes only buffer_len bytes");
        let h = Header::new_checked(&buf[..]).unwrap();
        prop_assert_eq!(Repr::parse(&h).unwrap(), r.clone());
        prop_assert_eq!(
            getters(&h),
            fields(r.bift_id, r.tc, r.s, r.ttl, 5, 0, r.bitstring.bsl().code(), r.entropy, r.oam, 0, r.dscp, r.proto, r.bfir_id)
        );
        prop_assert_eq!(h.bitstring_bytes().unwrap(), &r.bitstring.to_bytes()[..]);
        // Too short a buffer: emit fails, new_checked and parse report truncation.
        let mut short = vec![0u8; n - 1];
        prop_assert!(r.emit(&mut Header::new_unchecked(&mut short[..])).is_err());
        let cut = Header::new_checked(&buf[..n - 1]);
        prop_assert_eq!(cut.err(), Some(WireError::Truncated { needed: n, got: n - 1 }));
    }

    #[test]
    fn emit_masks_wide_fields(r in any_repr(), hi in any::<[u8; 6]>()) {
        // Values beyond a field's width are cut to the width and do not spill into neighbours.
        let mut wide = r.clone();
        wide.bift_id |= u32::from(hi[0]) << 20;
        wide.tc |= hi[1] << 3;
        wide.entropy |= u32::from(hi[2]) << 20;
        wide.oam |= hi[3] << 2;
        wide.dscp |= hi[4] << 6;
        wide.proto |= hi[5] << 6;
        let mut a = vec![0u8; r.buffer_len()];
        let mut b = vec![0u8; r.buffer_len()];
        r.emit(&mut Header::new_unchecked(&mut a[..])).unwrap();
        wide.emit(&mut Header::new_unchecked(&mut b[..])).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn header_setters_agree_with_repr(
        bsl in bsl_strategy(),
        bytes in proptest::collection::vec(any::<u8>(), 12 + 512),
        v in any_repr(),
    ) {
        let n = 12 + bsl.bytes();
        let mut buf = bytes[..n].to_vec();
        buf[4] = 0x50;
        buf[5] = (bsl.code() << 4) | (buf[5] & 0xf);
        let rsv = (buf[8] >> 4) & 3;
        let before = Repr::parse(&Header::new_checked(&buf[..]).unwrap()).unwrap();
        {
            let h = Header::new_unchecked(&buf[..]);
            let g = getters(&h);
            prop_assert_eq!(
                g,
                fields(before.bift_id, before.tc, before.s, before.ttl, 5, 0, bsl.code(), before.entropy, before.oam, rsv,
                 before.dscp, before.proto, before.bfir_id)
            );
            prop_assert_eq!(h.bitstring_bytes().unwrap(), &buf[12..n]);
        }
        // Each setter changes exactly its field.
        let check = |buf: &[u8], want: Repr, want_rsv: u8| -> Result<(), TestCaseError> {
            let h = Header::new_checked(buf).unwrap();
            prop_assert_eq!(h.rsv(), want_rsv);
            prop_assert_eq!(Repr::parse(&h).unwrap(), want);
            Ok(())
        };
        let mut b = buf.clone();
        Header::new_unchecked(&mut b[..]).set_bift_id(v.bift_id);
        check(&b, Repr { bift_id: v.bift_id, ..before.clone() }, rsv)?;
        let mut b = buf.clone();
        Header::new_unchecked(&mut b[..]).set_tc(v.tc);
        check(&b, Repr { tc: v.tc, ..before.clone() }, rsv)?;
        let mut b = buf.clone();
        Header::new_unchecked(&mut b[..]).set_s(v.s);
        check(&b, Repr { s: v.s, ..before.clone() }, rsv)?;
        let mut b = buf.clone();
        Header::new_unchecked(&mut b[..]).set_ttl(v.ttl);
        check(&b, Repr { ttl: v.ttl, ..before.clone() }, rsv)?;
        let mut b = buf.clone();
        Header::new_unchecked(&mut b[..]).set_entropy(v.entropy);
        check(&b, Repr { entropy: v.entropy, ..before.clone() }, rsv)?;
        let mut b = buf.clone();
        Header::new_unchecked(&mut b[..]).set_oam_rsv_dscp(v.oam, v.tc & 3, v.dscp);
        check(&b, Repr { oam: v.oam, dscp: v.dscp, ..before.clone() }, v.tc & 3)?;
        let mut b = buf.clone();
        Header::new_unchecked(&mut b[..]).set_proto(v.proto);
        check(&b, Repr { proto: v.proto, ..before.clone() }, rsv)?;
        let mut b = buf.clone();
        Header::new_unchecked(&mut b[..]).set_bfir_id(v.bfir_id);
        check(&b, Repr { bfir_id: v.bfir_id, ..before.clone() }, rsv)?;
        let mut b = buf.clone();
        let bs = BitString::from_words(bsl, v.bitstring.words());
        bs.write_bytes(Header::new_unchecked(&mut b[..]).bitstring_bytes_mut().unwrap()).unwrap();
        check(&b, Repr { bitstring: bs, ..before.clone() }, rsv)?;
        // Changing the BSL code changes the BitString length the header claims.
        for other in Bsl::ALL {
            let mut b = bytes.clone();
            b[4] = 0x50;
            let mut h = Header::new_unchecked(&mut b[..]);
            h.set_bsl_code(other.code());
            prop_assert_eq!(h.bsl_code(), other.code());
            prop_assert_eq!(h.bitstring_bytes().map(<[u8]>::len), (12 + other.bytes() <= bytes.len()).then_some(other.bytes()));
        }
        // Bad nibble / version.
        let mut b = buf.clone();
        Header::new_unchecked(&mut b[..]).set_nibble_version(v.tc, v.oam);
        let res = Repr::parse(&Header::new_checked(&b[..]).unwrap());
        if v.tc == 5 && v.oam == 0 {
            prop_assert!(res.is_ok());
        } else {
            prop_assert_eq!(res, Err(WireError::BadVersion { nibble: v.tc, version: v.oam }));
        }
    }

    #[test]
    fn header_parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..700)) {
        match Header::new_checked(&bytes[..]) {
            Err(WireError::Truncated { needed, got }) => {
                prop_assert_eq!(got, bytes.len());
                prop_assert!(needed > got);
            }
            Err(e) => prop_assert!(false, "new_checked only reports truncation, got {:?}", e),
            Ok(h) => match Repr::parse(&h) {
                Ok(r) => {
                    // Emit reproduces the header except the reserved bits.
                    let mut out = bytes.clone();
                    r.emit(&mut Header::new_unchecked(&mut out[..])).unwrap();
                    let mut want = bytes.clone();
                    want[8] &= 0xcf;
                    prop_assert_eq!(out, want);
                }
                Err(WireError::BadVersion { nibble, version }) => {
                    prop_assert!(bytes[4] != 0x50);
                    prop_assert_eq!((nibble, version), (bytes[4] >> 4, bytes[4] & 0xf));
                }
                Err(WireError::BadBsl(code)) => {
                    prop_assert_eq!(code, bytes[5] >> 4);
                    prop_assert!(Bsl::from_code(code).is_none());
                }
                Err(e) => prop_assert!(false, "unexpected {:?}", e),
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Arbitrary bytes through the forwarder.

fn fixed_bifts() -> &'static [Bift] {
    static B: OnceLock<Vec<Bift>> = OnceLock::new();
    B.get_or_init(|| {
        let mut v = Vec::new();
        for (i, bsl) in [Bsl::B64, Bsl::B256, Bsl::B4096].into_iter().enumerate() {
            let mut c = random_config(bsl, 8, 3, 2, 77 + i as u64);
            v.push(Bift::compile(&c).unwrap());
            c.exception = Some(c.targets.len() - 1);
            v.push(Bift::compile(&c).unwrap());
        }
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn forwarder_total_on_random_bytes(
        which in 0usize..6,
        len in prop_oneof![0usize..100, 0usize..700, 0usize..10000],
        seed in any::<u64>(),
        shape in 0u8..8,
    ) {
        let bift = &fixed_bifts()[which];
        let mut rng = StdRng::seed_from_u64(seed);
        let mut frame: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        // Make some of the noise look more and more like BIER, to reach the deeper rules.
        let off = if shape & 1 == 1 { 18 } else { 14 };
        let mut put = |i: usize, b: u8| if let Some(x) = frame.get_mut(i) { *x = b };
        if shape >= 2 {
            if off == 18 {
                put(12, 0x81);
                put(13, 0x00);
            }
            put(off - 2, 0xab);
            put(off - 1, 0x37);
        }
        if shape >= 4 {
            put(off + 4, 0x50);
            put(off + 5, (bift.bsl().code() << 4) | (rng.random::<u8>() & 0xf));
        }
        if shape >= 6 {
            let id = bift.bift_ids()[rng.random_range(0..bift.sets())];
            put(off, (id >> 12) as u8);
            put(off + 1, (id >> 4) as u8);
            put(off + 2, ((id as u8 & 0xf) << 4) | (rng.random::<u8>() & 0xf));
        }
        let want = oracle(bift, &frame);
        let mut d = Decision::default();
        let got = parallel(bift, &frame, &mut d);
        prop_assert_eq!(&got, &want);

        let mut f = Forwarder::new(bift.clone());
        let mut copies = Vec::new();
        let src = rng.random_range(0..4);
        let v = f.process(&frame, src, |t, c| copies.push((t, c.to_vec())));
        prop_assert_eq!(v, want.0);
        let c = f.counters();
        prop_assert_eq!(c.total_rx(), 1);
        prop_assert_eq!(c.rx_frames[src], 1);
        prop_assert_eq!(c.rx_bytes[src], frame.len() as u64);
        prop_assert_eq!(c.total_rx(), c.forwarded + c.exceptions + c.total_drops());
        prop_assert_eq!(c.tx_frames.iter().sum::<u64>(), copies.len() as u64);
        prop_assert_eq!(c.tx_bytes.iter().sum::<u64>(), (copies.len() * frame.len()) as u64);
        match v {
            Verdict::Forward(s) => {
                prop_assert_eq!(c.forwarded, 1);
                prop_assert_eq!(copies.iter().map(|x| x.0).collect::<Vec<_>>(), s.iter().collect::<Vec<_>>());
            }
            Verdict::Exception(t) => {
                prop_assert_eq!(c.exceptions, 1);
                prop_assert_eq!(&copies, &vec![(t, frame.clone())]);
            }
            Verdict::Drop(r) => {
                prop_assert_eq!(c.drops[r as usize], 1);
                prop_assert!(copies.is_empty());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// BitString against a Vec<bool> model.

/// Model: `m[p - 1]` is bit position p; on the wire, position 1 is the LSB of the last byte.
fn model_of(bytes: &[u8]) -> Vec<bool> {
    let n = bytes.len();
    (0..n * 8)
        .map(|i| bytes[n - 1 - i / 8] >> (i % 8) & 1 == 1)
        .collect()
}

fn ones(m: &[bool]) -> Vec<usize> {
    m.iter()
        .enumerate()
        .filter(|x| *x.1)
        .map(|x| x.0 + 1)
        .collect()
}

fn sparse_bytes(n: usize, raw: &[u8], density: u8) -> Vec<u8> {
    // Mix dense and sparse patterns so that iteration across word boundaries and empty words is exercised.
    raw[..n]
        .iter()
        .enumerate()
        .map(|(i, &b)| match density {
            0 => 0,
            1 => {
                if b < 16 {
                    (b | 0x80) >> (i % 8)
                } else {
                    0
                }
            }
            2 => b,
            _ => 0xff,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn bitstring_matches_model(
        bsl in bsl_strategy(),
        ra in proptest::collection::vec(any::<u8>(), 512),
        rb in proptest::collection::vec(any::<u8>(), 512),
        da in 0u8..4,
        db in 0u8..4,
        flips in proptest::collection::vec((0usize..4100, any::<bool>()), 0..20),
    ) {
        let n = bsl.bytes();
        let (xa, xb) = (sparse_bytes(n, &ra, da), sparse_bytes(n, &rb, db));
        let a = BitString::from_bytes(bsl, &xa).unwrap();
        let b = BitString::from_bytes(bsl, &xb).unwrap();
        prop_assert_eq!(a.to_bytes(), xa.clone());
        let mut out = vec![0u8; n];
        a.write_bytes(&mut out).unwrap();
        prop_assert_eq!(&out, &xa);
        prop_assert!(BitString::from_bytes(bsl, &ra[..n - 1]).is_err());
        prop_assert!(a.write_bytes(&mut [0u8; 7][..]).is_err());
        let (ma, mb) = (model_of(&xa), model_of(&xb));
        prop_assert_eq!(ma.len(), bsl.bits());
        for p in 1..=bsl.bits() {
            prop_assert_eq!(a.get(p), ma[p - 1], "position {}", p);
        }
        prop_assert!(!a.get(0) && !a.get(bsl.bits() + 1));
        prop_assert_eq!(a.iter_ones().collect::<Vec<_>>(), ones(&ma));
        prop_assert_eq!(a.count_ones(), ones(&ma).len());
        prop_assert_eq!(a.is_zero(), ones(&ma).is_empty());
        prop_assert_eq!(BitString::from_words(bsl, a.words()), a.clone());

        let and: Vec<bool> = ma.iter().zip(&mb).map(|(x, y)| *x && *y).collect();
        prop_assert_eq!(a.and(&b).iter_ones().collect::<Vec<_>>(), ones(&and));
        let mut x = a.clone();
        x.and_assign(b.words());
        prop_assert_eq!(x.iter_ones().collect::<Vec<_>>(), ones(&and));
        let and_not: Vec<bool> = ma.iter().zip(&mb).map(|(x, y)| *x && !*y).collect();
        let mut x = a.clone();
        x.and_not_assign(b.words());
        prop_assert_eq!(x.iter_ones().collect::<Vec<_>>(), ones(&and_not));
        let or: Vec<bool> = ma.iter().zip(&mb).map(|(x, y)| *x || *y).collect();
        let mut x = a.clone();
        x.or_assign(b.words());
        prop_assert_eq!(x.iter_ones().collect::<Vec<_>>(), ones(&or));

        // set / get against the model, including out-of-range positions.
        let mut x = a.clone();
        let mut m = ma.clone();
        for (p, val) in flips {
            let p = p % (bsl.bits() + 2);
            let ok = x.set(p, val);
            prop_assert_eq!(ok, (1..=bsl.bits()).contains(&p));
            if ok {
                m[p - 1] = val;
            }
        }
        prop_assert_eq!(x.iter_ones().collect::<Vec<_>>(), ones(&m));
        let mut back = vec![0u8; n];
        for (i, &bit) in m.iter().enumerate() {
            if bit {
                back[n - 1 - i / 8] |= 1 << (i % 8);
            }
        }
        prop_assert_eq!(x.to_bytes(), back);
        prop_assert_eq!(BitString::ones(bsl).count_ones(), bsl.bits());
        prop_assert_eq!(BitString::ones(bsl).to_bytes(), vec![0xff; n]);
    }
}
