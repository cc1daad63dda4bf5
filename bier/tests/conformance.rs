//! Conformance of the reference forwarder to `docs/forwarding.md` and RFC 8279 / RFC 8296.
//!
//! Copies are checked byte for byte against copies built here independently of `Bift::write_copy`.

use std::collections::BTreeSet;

use bier::bift::{default_bift_id, ecmp_bucket};
use bier::config::ConfigError;
use bier::gen::{GenSpec, Generator, Malformed};
use bier::wire::{build_frame, proto, Repr, MAX_FRAME};
use bier::{Bift, BitString, Bsl, Config, Decision, DropReason, Forwarder, Verdict};

const DST: [u8; 6] = [0x02, 0, 0, 0, 0xaa, 0x01];
const SRC: [u8; 6] = [0x02, 0, 0, 0, 0xaa, 0x02];

fn payload(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 + 3) as u8).collect()
}

fn repr(bift_id: u32, ttl: u8, entropy: u32, bitstring: BitString) -> Repr {
    Repr {
        bift_id,
        tc: 5,
        s: true,
        ttl,
        entropy,
        oam: 1,
        dscp: 0x2a,
        proto: proto::IPV4,
        bfir_id: 0x0404,
        bitstring,
    }
}

fn bits(bsl: Bsl, positions: &[usize]) -> BitString {
    let mut b = BitString::zero(bsl);
    for &p in positions {
        assert!(b.set(p, true), "position {p} out of range for {bsl}");
    }
    b
}

/// A BIER frame for `bift`'s set `si` (default or explicit BIFT-id).
fn frame(
    bift: &Bift,
    si: usize,
    ttl: u8,
    entropy: u32,
    vlan: Option<u16>,
    bs: &BitString,
    payload_len: usize,
) -> Vec<u8> {
    build_frame(
        DST,
        SRC,
        vlan,
        &repr(bift.bift_ids()[si], ttl, entropy, bs.clone()),
        &payload(payload_len),
    )
}

/// Runs one frame through a forwarder; returns the verdict and the copies in emission order.
fn run(f: &mut Forwarder, frame: &[u8]) -> (Verdict, Vec<(usize, Vec<u8>)>) {
    let mut copies = Vec::new();
    let v = f.process(frame, 0, |t, c| copies.push((t, c.to_vec())));
    (v, copies)
}

/// The copy `docs/forwarding.md` prescribes, built directly on the input bytes.
fn expected_copy(bift: &Bift, input: &[u8], target: usize, mask: &BitString) -> Vec<u8> {
    let off = if input[12..14] == [0x81, 0x00] {
        18
    } else {
        14
    };
    let mut out = input.to_vec();
    let n = bift.bsl().bytes();
    out[off + 12..off + 12 + n].copy_from_slice(&mask.to_bytes());
    let t = &bift.targets()[target];
    if t.is_port() {
        out[off + 3] -= 1;
        if let Some(m) = t.next_hop_mac {
            out[0..6].copy_from_slice(&m);
        }
        if let Some(m) = t.mac {
            out[6..12].copy_from_slice(&m);
        }
    }
    out
}

/// Forwards `input` and checks that it makes exactly `expect` copies (target name, positions), in target order,
/// each byte-identical to the prescribed copy.
fn check_copies(f: &mut Forwarder, input: &[u8], expect: &[(&str, &[usize])]) {
    let bift = f.bift().clone();
    let (v, copies) = run(f, input);
    let want: Vec<(usize, BitString)> = expect
        .iter()
        .map(|(name, pos)| {
            let t = bift
                .targets()
                .iter()
                .position(|t| t.name == *name)
                .unwrap_or_else(|| panic!("no target {name}"));
            (t, bits(bift.bsl(), pos))
        })
        .collect();
    let mut sorted = want.clone();
    sorted.sort_by_key(|w| w.0);
    assert_eq!(
        copies.iter().map(|c| c.0).collect::<Vec<_>>(),
        sorted.iter().map(|w| w.0).collect::<Vec<_>>(),
        "copy targets (in target order) for {expect:?}"
    );
    match v {
        Verdict::Forward(set) => {
            assert_eq!(
                set.iter().collect::<Vec<_>>(),
                copies.iter().map(|c| c.0).collect::<Vec<_>>()
            )
        }
        other => panic!("expected Forward, got {other:?} for {expect:?}"),
    }
    for ((t, copy), (wt, mask)) in copies.iter().zip(&sorted) {
        assert_eq!(t, wt);
        assert_eq!(copy.len(), input.len(), "copy length");
        let exp = expected_copy(&bift, input, *t, mask);
        assert_eq!(
            copy,
            &exp,
            "copy to {} for {expect:?}",
            bift.targets()[*t].name
        );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// RFC 8279 §6.7 example: A - B - C - D, B - E, C - F, E - F; BFR-ids D=1, F=2, E=3, A=4 (BitStrings of 4 bits,
// here the low 4 positions of a 64-bit BitString).

const RFC_B: &str = r#"
sub_domain = 0
bsl = 64

[[target]]
name = "A"
kind = "port"
port = 0
next_hop_mac = "02:00:00:00:00:0a"

[[target]]
name = "C"
kind = "port"
port = 1
mac = "02:00:00:00:00:0b"
next_hop_mac = "02:00:00:00:00:0c"

[[target]]
name = "E"
kind = "port"
port = 2

[[entry]]
bfr_ids = "1-2"       # D and F through C
via = ["C"]

[[entry]]
bfr_ids = 3           # E
via = ["E"]

[[entry]]
bfr_ids = "4"         # A
via = ["A"]
"#;

const RFC_C: &str = r#"
sub_domain = 0
bsl = 64

[[target]]
name = "B"
kind = "port"
port = 0
mac = "02:00:00:00:00:0c"
next_hop_mac = "02:00:00:00:00:0b"

[[target]]
name = "D"
kind = "port"
port = 1
mac = "02:00:00:00:00:0c"
next_hop_mac = "02:00:00:00:00:0d"

[[target]]
name = "F"
kind = "port"
port = 2
mac = "02:00:00:00:00:0c"
next_hop_mac = "02:00:00:00:00:0f"

[[entry]]
bfr_ids = "1"
via = ["D"]

[[entry]]
bfr_ids = "2"
via = ["F"]

[[entry]]
bfr_ids = "3, 4"
via = ["B"]
"#;

#[test]
fn rfc8279_example_bfr_b() {
    let bift = Bift::from_toml(RFC_B, Some("b.toml")).unwrap();
    assert_eq!(bift.bift_ids(), &[default_bift_id(Bsl::B64, 0, 0)]);
    // The F-BMs of RFC 8279 Figure 5 (BIFT of BFR-B): 1,2 -> 0011 C; 3 -> 0100 E; 4 -> 1000 A.
    assert_eq!(bift.fbm(0, 0, 0).words(), &[0b1000]);
    assert_eq!(bift.fbm(0, 0, 1).words(), &[0b0011]);
    assert_eq!(bift.fbm(0, 0, 2).words(), &[0b0100]);
    let mut f = Forwarder::new(bift.clone());
    let bsl = Bsl::B64;
    for vlan in [None, Some(0x0123)] {
        // A sends to D, F, E: BitString 0111 -> 0011 to C, 0100 to E.
        let input = frame(&bift, 0, 64, 0x12345, vlan, &bits(bsl, &[1, 2, 3]), 100);
        check_copies(&mut f, &input, &[("C", &[1, 2]), ("E", &[3])]);
        // The wire bytes of the BitString in the copy to C are exactly ...0000_0011.
        let (_, copies) = run(&mut f, &input);
        let off = if vlan.is_some() { 18 } else { 14 };
        assert_eq!(
            &copies[0].1[off + 12..off + 20],
            &[0, 0, 0, 0, 0, 0, 0, 0b0011]
        );
        assert_eq!(
            &copies[1].1[off + 12..off + 20],
            &[0, 0, 0, 0, 0, 0, 0, 0b0100]
        );
        // MAC rewrite only where configured: C both, E none, A destination only.
        assert_eq!(
            &copies[0].1[0..12],
            &[2, 0, 0, 0, 0, 0x0c, 2, 0, 0, 0, 0, 0x0b]
        );
        assert_eq!(&copies[1].1[0..12], &[DST, SRC].concat()[..]);
        assert_eq!(copies[0].1[off + 3], 63);
    }
    let one = |p: &[usize]| frame(&bift, 0, 2, 7, None, &bits(bsl, p), 46);
    check_copies(&mut f, &one(&[1]), &[("C", &[1])]);
    check_copies(&mut f, &one(&[2]), &[("C", &[2])]);
    check_copies(&mut f, &one(&[1, 3]), &[("C", &[1]), ("E", &[3])]);
    check_copies(&mut f, &one(&[4]), &[("A", &[4])]);
    check_copies(
        &mut f,
        &one(&[1, 2, 3, 4]),
        &[("A", &[4]), ("C", &[1, 2]), ("E", &[3])],
    );
    let a = run(&mut f, &one(&[4])).1;
    assert_eq!(&a[0].1[0..12], &[[2, 0, 0, 0, 0, 0x0a], SRC].concat()[..]);
    // Bits beyond the four BFRs have no entry: skipped, alone they match nothing.
    check_copies(&mut f, &one(&[3, 5, 64]), &[("E", &[3])]);
    assert_eq!(
        run(&mut f, &one(&[5, 64])).0,
        Verdict::Drop(DropReason::NoMatchingBit)
    );
}

#[test]
fn rfc8279_example_bfr_c() {
    let bift = Bift::from_toml(RFC_C, Some("c.toml")).unwrap();
    let mut f = Forwarder::new(bift.clone());
    // C receives B's copy 0011 and sends 0001 to D and 0010 to F.
    let input = frame(&bift, 0, 63, 1, None, &bits(Bsl::B64, &[1, 2]), 200);
    check_copies(&mut f, &input, &[("D", &[1]), ("F", &[2])]);
    // A packet from D to E and A (1100) goes back through B as one copy.
    let input = frame(&bift, 0, 9, 1, Some(7), &bits(Bsl::B64, &[3, 4]), 0);
    check_copies(&mut f, &input, &[("B", &[3, 4])]);
}

// ---------------------------------------------------------------------------------------------------------------
// Every BSL: 64 port targets, target t owning every position p with (p - 1) % 64 == t.

fn striped_toml(bsl: Bsl, sets: usize) -> String {
    let mut s = format!("sub_domain = 3\nbsl = {}\n", bsl.bits());
    for t in 0..64 {
        s += &format!(
            "[[target]]\nname = \"t{t}\"\nkind = \"port\"\nport = {t}\nmac = \"02:00:00:00:01:{t:02x}\"\nnext_hop_mac = \"02:00:00:00:02:{t:02x}\"\n"
        );
    }
    for t in 0..64 {
        let ids: Vec<String> = (0..sets * bsl.bits())
            .filter(|i| i % 64 == t)
            .map(|i| (i + 1).to_string())
            .collect();
        s += &format!(
            "[[entry]]\nbfr_ids = \"{}\"\nvia = [\"t{t}\"]\n",
            ids.join(",")
        );
    }
    s
}

#[test]
fn every_bsl_all_ones_and_single_bits() {
    for bsl in Bsl::ALL {
        let bift = Bift::from_toml(&striped_toml(bsl, 1), None).unwrap();
        assert_eq!(bift.sets(), 1);
        let mut f = Forwarder::new(bift.clone());
        let all = BitString::ones(bsl);
        let input = frame(&bift, 0, 64, 0, None, &all, 64);
        let (v, copies) = run(&mut f, &input);
        assert_eq!(v, Verdict::Forward(bier::TargetSet(u64::MAX)), "{bsl}");
        assert_eq!(copies.len(), 64);
        for (t, c) in &copies {
            let own: Vec<usize> = (1..=bsl.bits()).filter(|p| (p - 1) % 64 == *t).collect();
            assert_eq!(own.len(), bsl.bits() / 64);
            assert_eq!(
                c,
                &expected_copy(&bift, &input, *t, &bits(bsl, &own)),
                "{bsl} t{t}"
            );
        }
        let mut d = Decision::default();
        let mut input = frame(&bift, 0, 64, 0, Some(1), &BitString::zero(bsl), 0);
        for p in 1..=bsl.bits() {
            let bs = bits(bsl, &[p]);
            input[30..30 + bsl.bytes()].copy_from_slice(&bs.to_bytes());
            let v = bift.decide(&input, &mut d);
            let t = (p - 1) % 64;
            assert_eq!(
                v,
                Verdict::Forward(bier::TargetSet(1 << t)),
                "{bsl} position {p}"
            );
            assert_eq!(bift.mask(&d, t), bs, "{bsl} position {p}");
            let mut out = Vec::new();
            bift.write_copy(&input, &d, t, &mut out);
            assert_eq!(
                out,
                expected_copy(&bift, &input, t, &bs),
                "{bsl} position {p}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Sets (SI > 0) and BIFT-ids.

const SETS: &str = r#"
sub_domain = 7
bsl = 64

[[target]]
name = "p0"
kind = "port"
port = 0

[[target]]
name = "p1"
kind = "port"
port = 1

[[target]]
name = "h"
kind = "local"
queue = 5

[[entry]]
bfr_ids = "1, 64, 65, 128, 1000"
via = ["p0"]

[[entry]]
bfr_ids = "2, 66, 129, 999"
via = ["p1"]

[[entry]]
bfr_ids = "130"
via = ["h"]
"#;

#[test]
fn sets_above_bsl_with_default_bift_ids() {
    let bift = Bift::from_toml(SETS, None).unwrap();
    // BFR-id 1000 lives in set (1000-1) div 64 = 15 at position (1000-1) mod 64 + 1 = 40.
    assert_eq!(bift.sets(), 16);
    let expect_ids: Vec<u32> = (0..16).map(|si| 0x1_07_00 | si).collect();
    assert_eq!(bift.bift_ids(), &expect_ids[..]);
    for si in 0..16u8 {
        assert_eq!(default_bift_id(Bsl::B64, 7, si), 0x10700 | u32::from(si));
    }
    let mut f = Forwarder::new(bift.clone());
    let all = BitString::ones(Bsl::B64);
    let go = |si: usize, vlan| frame(&bift, si, 64, 0, vlan, &all, 10);
    // set 0: ids 1, 64 -> p0; 2 -> p1
    check_copies(&mut f, &go(0, None), &[("p0", &[1, 64]), ("p1", &[2])]);
    // set 1: 65, 128 -> positions 1, 64 via p0; 66 -> position 2 via p1
    check_copies(&mut f, &go(1, Some(9)), &[("p0", &[1, 64]), ("p1", &[2])]);
    // set 2: 129 -> position 1 via p1; 130 -> position 2 via h
    check_copies(&mut f, &go(2, None), &[("p1", &[1]), ("h", &[2])]);
    // sets 3..14 are empty
    for si in 3..15 {
        assert_eq!(
            run(&mut f, &go(si, None)).0,
            Verdict::Drop(DropReason::NoMatchingBit),
            "set {si}"
        );
    }
    // set 15: 999 -> position 39 via p1, 1000 -> position 40 via p0
    check_copies(&mut f, &go(15, None), &[("p0", &[40]), ("p1", &[39])]);

    // BIFT-ids that name no set: next SI, another sub-domain, another BSL code, zero.
    for id in [0x10710, 0x10800, 0x10600, 0x20700, 0x00700, 0, 0xfffff] {
        let input = build_frame(DST, SRC, None, &repr(id, 64, 0, all.clone()), &[]);
        assert_eq!(
            run(&mut f, &input).0,
            Verdict::Drop(DropReason::UnknownBiftId),
            "{id:#x}"
        );
    }
}

#[test]
fn explicit_bift_ids() {
    let text = format!("bift_ids = [100, 0xfffff, 5]\n{SETS}")
        .replace("1000", "190")
        .replace(", 999", "");
    let bift = Bift::from_toml(&text, None).unwrap();
    // 190 -> set 2, so three sets, one per listed id.
    assert_eq!(bift.sets(), 3);
    assert_eq!(bift.bift_ids(), &[100, 0xfffff, 5]);
    let mut f = Forwarder::new(bift.clone());
    let all = BitString::ones(Bsl::B64);
    let by_id = |id| build_frame(DST, SRC, Some(1), &repr(id, 64, 0, all.clone()), &[1, 2, 3]);
    check_copies(&mut f, &by_id(100), &[("p0", &[1, 64]), ("p1", &[2])]);
    check_copies(&mut f, &by_id(0xfffff), &[("p0", &[1, 64]), ("p1", &[2])]);
    check_copies(
        &mut f,
        &by_id(5),
        &[("p0", &[62]), ("p1", &[1]), ("h", &[2])],
    );
    // The default encoding is off once explicit ids are listed.
    for id in [0x10700, 0x10701, 0x10702, 101, 6, 0] {
        assert_eq!(
            run(&mut f, &by_id(id)).0,
            Verdict::Drop(DropReason::UnknownBiftId),
            "{id:#x}"
        );
    }
    // More ids than sets needed: the extra set exists and is empty.
    let bift = Bift::from_toml(
        &format!(
            "bift_ids = [1, 2, 3, 4]\n{}",
            SETS.replace(", 1000", "").replace(", 999", "")
        ),
        None,
    )
    .unwrap();
    assert_eq!(bift.sets(), 4);
    let mut f = Forwarder::new(bift);
    assert_eq!(
        run(&mut f, &by_id(4)).0,
        Verdict::Drop(DropReason::NoMatchingBit)
    );
    assert!(matches!(run(&mut f, &by_id(3)).0, Verdict::Forward(_)));
    // Too few ids for the sets the BFR-ids need.
    let e = Config::from_toml(&format!("bift_ids = [1, 2]\n{SETS}"), Some("s.toml")).unwrap_err();
    assert!(e.to_string().contains("need 16 sets"), "{e}");
}

// ---------------------------------------------------------------------------------------------------------------
// ECMP

fn ecmp_toml(n: usize, buckets: usize) -> String {
    let mut s = format!("sub_domain = 0\nbsl = 128\necmp_buckets = {buckets}\n");
    for t in 0..4 {
        s += &format!("[[target]]\nname = \"p{t}\"\nkind = \"port\"\nport = {t}\n");
    }
    s += "[[target]]\nname = \"h\"\nkind = \"local\"\nqueue = 0\n";
    let via: Vec<String> = (0..n).map(|t| format!("\"p{t}\"")).collect();
    s += &format!(
        "[[entry]]\nbfr_ids = \"1-100\"\nvia = [{}]\n",
        via.join(", ")
    );
    s += "[[entry]]\nbfr_ids = \"101\"\nvia = [\"h\"]\n";
    s
}

#[test]
fn ecmp_spreads_and_pins_flows() {
    use rand::{Rng, SeedableRng};
    // The bucket function of docs/forwarding.md, on known values.
    assert_eq!(ecmp_bucket(0, 4), 0);
    assert_eq!(ecmp_bucket(3, 4), 3);
    assert_eq!(ecmp_bucket(1 << 10, 4), 1);
    assert_eq!(ecmp_bucket(3 << 10 | 1, 4), 2);
    assert_eq!(ecmp_bucket(0xfffff, 4), 0);
    assert_eq!(ecmp_bucket(0xfffff, 1024), 0);
    assert_eq!(ecmp_bucket(0x12345, 1024), (0x12345 ^ 0x48) & 1023);
    let mut rng = rand::rngs::StdRng::seed_from_u64(8279);
    for n in 2..=4 {
        let bift = Bift::from_toml(&ecmp_toml(n, 4), None).unwrap();
        let mut d = Decision::default();
        let mut hits = [0usize; 4];
        let bs = bits(Bsl::B128, &[1, 50, 100, 101]);
        let mut input = frame(&bift, 0, 64, 0, None, &bs, 20);
        for _ in 0..2000 {
            let e: u32 = rng.random_range(0..1 << 20);
            input[14 + 5] = 0x20 | (e >> 16) as u8;
            input[14 + 6] = (e >> 8) as u8;
            input[14 + 7] = e as u8;
            let v = bift.decide(&input, &mut d);
            let b = ecmp_bucket(e, 4);
            assert_eq!(d.bucket(), b);
            let path = b % n;
            // exactly the chosen path plus the local target (index 4)
            assert_eq!(
                v,
                Verdict::Forward(bier::TargetSet(1 << path | 1 << 4)),
                "entropy {e:#x}"
            );
            assert_eq!(bift.mask(&d, path), bits(Bsl::B128, &[1, 50, 100]));
            hits[path] += 1;
            // The same entropy again takes the same path.
            assert_eq!(bift.decide(&input, &mut d), v);
        }
        for (p, h) in hits.iter().enumerate() {
            if p < n {
                assert!(*h > 2000 / 4 / 2, "path {p} of {n} got {h} of 2000 flows");
            } else {
                assert_eq!(*h, 0);
            }
        }
    }
    // One bucket: always the first target of via.
    let bift = Bift::from_toml(&ecmp_toml(1, 1), None).unwrap();
    let mut d = Decision::default();
    for e in [0u32, 1, 0x400, 0xfffff] {
        let input = frame(&bift, 0, 64, e, None, &bits(Bsl::B128, &[7]), 0);
        assert_eq!(
            bift.decide(&input, &mut d),
            Verdict::Forward(bier::TargetSet(1))
        );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// BitString edge cases and TTL.

const TTL: &str = r#"
sub_domain = 0
bsl = 256

[[target]]
name = "p0"
kind = "port"
port = 0
mac = "02:00:00:00:00:01"
next_hop_mac = "02:00:00:00:00:02"

[[target]]
name = "h"
kind = "local"
queue = 0

[[entry]]
bfr_ids = "1-10"
via = ["p0"]

[[entry]]
bfr_ids = "11"
via = ["h"]
"#;

#[test]
fn zero_and_unconfigured_bits() {
    let bift = Bift::from_toml(TTL, None).unwrap();
    let mut f = Forwarder::new(bift.clone());
    let z = frame(&bift, 0, 64, 0, None, &BitString::zero(Bsl::B256), 30);
    assert_eq!(
        run(&mut f, &z),
        (Verdict::Drop(DropReason::NoMatchingBit), vec![])
    );
    let unconf = frame(&bift, 0, 64, 0, None, &bits(Bsl::B256, &[12, 100, 256]), 30);
    assert_eq!(
        run(&mut f, &unconf),
        (Verdict::Drop(DropReason::NoMatchingBit), vec![])
    );
    let mixed = frame(
        &bift,
        0,
        64,
        0,
        Some(4095),
        &bits(Bsl::B256, &[3, 11, 12, 256]),
        30,
    );
    check_copies(&mut f, &mixed, &[("p0", &[3]), ("h", &[11])]);
    assert_eq!(f.counters().drops[DropReason::NoMatchingBit as usize], 2);
    assert_eq!(f.counters().forwarded, 1);
}

#[test]
fn ttl_rules() {
    let bift = Bift::from_toml(TTL, None).unwrap();
    let mut f = Forwarder::new(bift.clone());
    let port_only = bits(Bsl::B256, &[1, 10]);
    let both = bits(Bsl::B256, &[1, 11]);
    for ttl in [0, 1] {
        for vlan in [None, Some(2)] {
            let input = frame(&bift, 0, ttl, 0, vlan, &port_only, 0);
            assert_eq!(
                run(&mut f, &input),
                (Verdict::Drop(DropReason::TtlExpired), vec![]),
                "ttl {ttl}"
            );
            // Only the local copy, TTL unchanged, BitString = the local mask.
            let input = frame(&bift, 0, ttl, 0, vlan, &both, 5);
            check_copies(&mut f, &input, &[("h", &[11])]);
            let (_, copies) = run(&mut f, &input);
            let off = if vlan.is_some() { 18 } else { 14 };
            assert_eq!(copies[0].1[off + 3], ttl);
            assert_eq!(&copies[0].1[0..12], &input[0..12]);
            // Unconfigured bits with a low TTL: nothing was suppressed, so no_matching_bit.
            let input = frame(&bift, 0, ttl, 0, vlan, &bits(Bsl::B256, &[200]), 0);
            assert_eq!(
                run(&mut f, &input).0,
                Verdict::Drop(DropReason::NoMatchingBit)
            );
        }
    }
    for ttl in [2u8, 255] {
        let input = frame(&bift, 0, ttl, 0, None, &both, 5);
        check_copies(&mut f, &input, &[("p0", &[1]), ("h", &[11])]);
        let (_, copies) = run(&mut f, &input);
        assert_eq!(copies[0].1[14 + 3], ttl - 1);
        assert_eq!(copies[1].1[14 + 3], ttl);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Classification of malformed frames.

fn exception_bift() -> Bift {
    Bift::from_toml(&format!("exception = \"h\"\n{TTL}"), None).unwrap()
}

#[test]
fn oversize() {
    let bift = Bift::from_toml(TTL, None).unwrap();
    let mut f = Forwarder::new(bift.clone());
    let bs = bits(Bsl::B256, &[1]);
    for vlan in [None, Some(1)] {
        let hdr = if vlan.is_some() { 18 } else { 14 } + 12 + 32;
        let max = frame(&bift, 0, 64, 0, vlan, &bs, MAX_FRAME - hdr);
        assert_eq!(max.len(), MAX_FRAME);
        check_copies(&mut f, &max, &[("p0", &[1])]);
        let over = frame(&bift, 0, 64, 0, vlan, &bs, MAX_FRAME - hdr + 1);
        assert_eq!(
            run(&mut f, &over),
            (Verdict::Drop(DropReason::Oversize), vec![])
        );
    }
    // Rule 1 wins over everything: a huge non-BIER frame is oversize even with an exception target.
    let mut f = Forwarder::new(exception_bift());
    let mut big = vec![0u8; MAX_FRAME + 1];
    big[12..14].copy_from_slice(&[0x08, 0x00]);
    assert_eq!(run(&mut f, &big).0, Verdict::Drop(DropReason::Oversize));
    assert_eq!(
        run(&mut f, &vec![0xffu8; 20000]).0,
        Verdict::Drop(DropReason::Oversize)
    );
}

#[test]
fn truncated_at_every_length() {
    for bsl in [Bsl::B64, Bsl::B256, Bsl::B4096] {
        let text = TTL.replace("bsl = 256", &format!("bsl = {}", bsl.bits()));
        let bift = Bift::from_toml(&text, None).unwrap();
        let mut f = Forwarder::new(bift.clone());
        for vlan in [None, Some(0x0fff)] {
            let off = if vlan.is_some() { 18 } else { 14 };
            let full = frame(&bift, 0, 64, 0, vlan, &bits(bsl, &[1, 11]), 0);
            let end = off + 12 + bsl.bytes();
            assert_eq!(full.len(), end);
            for cut in 0..end {
                assert_eq!(
                    run(&mut f, &full[..cut]),
                    (Verdict::Drop(DropReason::Truncated), vec![]),
                    "{bsl} vlan {vlan:?} cut at {cut}"
                );
            }
            // No payload at all is fine.
            check_copies(&mut f, &full, &[("p0", &[1]), ("h", &[11])]);
        }
    }
    // Rule order: a bad nibble is only seen once the 12 header bytes are there; an unsupported BSL code is
    // reported before the (short) BitString is checked.
    let bift = Bift::from_toml(TTL, None).unwrap();
    let mut f = Forwarder::new(bift.clone());
    let mut bad = frame(&bift, 0, 64, 0, None, &bits(Bsl::B256, &[1]), 0);
    bad[14 + 4] = 0x60;
    assert_eq!(
        run(&mut f, &bad[..14 + 11]).0,
        Verdict::Drop(DropReason::Truncated)
    );
    assert_eq!(
        run(&mut f, &bad[..14 + 12]).0,
        Verdict::Drop(DropReason::BadVersion)
    );
    let mut other_bsl = frame(&bift, 0, 64, 0, None, &bits(Bsl::B256, &[1]), 0);
    other_bsl[14 + 5] = 0x70 | (other_bsl[14 + 5] & 0xf); // 4096 bits, frame far too short for it
    assert_eq!(
        run(&mut f, &other_bsl[..14 + 12]).0,
        Verdict::Drop(DropReason::UnsupportedBsl)
    );
    let c = f.counters();
    assert_eq!(c.total_rx(), c.forwarded + c.exceptions + c.total_drops());
}

#[test]
fn not_bier_and_exception() {
    let bift = Bift::from_toml(TTL, None).unwrap();
    let mut plain = Forwarder::new(bift.clone());
    let xb = exception_bift();
    let mut exc = Forwarder::new(xb.clone());
    let mut frames = Vec::new();
    for et in [
        [0x08, 0x00],
        [0x86, 0xdd],
        [0x88, 0x47],
        [0xab, 0x38],
        [0x81, 0x00],
    ] {
        // untagged, with various lengths (including shorter than a BIER header would be)
        for len in [14, 20, 60, 1514] {
            let mut fr = payload(len);
            fr[12..14].copy_from_slice(&et);
            if et == [0x81, 0x00] && len < 18 {
                continue;
            }
            frames.push(fr);
        }
        // tagged
        let mut fr = payload(64);
        fr[12..14].copy_from_slice(&[0x81, 0x00]);
        fr[16..18].copy_from_slice(&et);
        frames.push(fr.clone());
        frames.push(fr[..18].to_vec());
    }
    for fr in &frames {
        assert_eq!(
            run(&mut plain, fr),
            (Verdict::Drop(DropReason::NotBier), vec![]),
            "{fr:02x?}"
        );
        let (v, copies) = run(&mut exc, fr);
        assert_eq!(v, Verdict::Exception(1));
        assert_eq!(
            copies,
            vec![(1, fr.clone())],
            "exception copy is the frame unchanged"
        );
    }
    let c = exc.counters();
    assert_eq!(c.exceptions, frames.len() as u64);
    assert_eq!(c.tx_frames, vec![0, frames.len() as u64]);
    assert_eq!(
        c.tx_bytes[1],
        frames.iter().map(|f| f.len() as u64).sum::<u64>()
    );
    assert_eq!(c.total_drops(), 0);
    assert_eq!(
        plain.counters().drops[DropReason::NotBier as usize],
        frames.len() as u64
    );
    // BIER frames still forward normally with an exception target configured.
    let input = frame(&xb, 0, 64, 0, None, &bits(Bsl::B256, &[2]), 0);
    check_copies(&mut exc, &input, &[("p0", &[2])]);
}

#[test]
fn bad_nibble_and_version() {
    let bift = Bift::from_toml(TTL, None).unwrap();
    let mut f = Forwarder::new(bift.clone());
    for vlan in [None, Some(3)] {
        let off = if vlan.is_some() { 18 } else { 14 };
        let good = frame(&bift, 0, 64, 0, vlan, &bits(Bsl::B256, &[1]), 8);
        for byte in 0..=255u8 {
            let mut fr = good.clone();
            fr[off + 4] = byte;
            let (v, copies) = run(&mut f, &fr);
            if byte == 0x50 {
                assert!(matches!(v, Verdict::Forward(_)));
            } else {
                assert_eq!(
                    (v, copies),
                    (Verdict::Drop(DropReason::BadVersion), vec![]),
                    "{byte:#04x}"
                );
            }
        }
    }
}

#[test]
fn bsl_codes() {
    for table in Bsl::ALL {
        let text = TTL.replace("bsl = 256", &format!("bsl = {}", table.bits()));
        let bift = Bift::from_toml(&text, None).unwrap();
        let mut f = Forwarder::new(bift.clone());
        // A frame long enough for any BSL.
        let mut fr = frame(&bift, 0, 64, 0xabcde, None, &bits(table, &[1]), 600);
        for code in 0..16u8 {
            fr[14 + 5] = (code << 4) | (fr[14 + 5] & 0x0f);
            let (v, copies) = run(&mut f, &fr);
            if code == table.code() {
                assert!(matches!(v, Verdict::Forward(_)), "{table} code {code}");
            } else {
                assert_eq!(
                    (v, copies),
                    (Verdict::Drop(DropReason::UnsupportedBsl), vec![]),
                    "{table} code {code}"
                );
            }
        }
    }
}

#[test]
fn unknown_bift_ids() {
    use rand::{Rng, SeedableRng};
    let bift = Bift::from_toml(SETS, None).unwrap();
    let mut d = Decision::default();
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let mut fr = frame(&bift, 0, 64, 0, None, &BitString::ones(Bsl::B64), 0);
    let mut unknown = 0;
    for _ in 0..5000 {
        let id: u32 = if rng.random_bool(0.5) {
            rng.random_range(0..1 << 20)
        } else {
            0x10700 | rng.random_range(0..256)
        };
        fr[14] = (id >> 12) as u8;
        fr[15] = (id >> 4) as u8;
        fr[16] = (fr[16] & 0x0f) | ((id as u8 & 0xf) << 4);
        let v = bift.decide(&fr, &mut d);
        match bift.bift_ids().iter().position(|&x| x == id) {
            Some(si) => {
                assert_ne!(v, Verdict::Drop(DropReason::UnknownBiftId));
                if let Verdict::Forward(_) = v {
                    assert_eq!(d.set(), si);
                }
            }
            None => {
                unknown += 1;
                assert_eq!(v, Verdict::Drop(DropReason::UnknownBiftId), "{id:#x}");
            }
        }
    }
    assert!(unknown > 2000);
}

#[test]
fn generator_mixed_stream_counters() {
    let text = format!("exception = \"h\"\n{SETS}");
    for (bift, has_exc) in [
        (Bift::from_toml(SETS, None).unwrap(), false),
        (Bift::from_toml(&text, None).unwrap(), true),
    ] {
        let spec = GenSpec {
            seed: 42,
            malformed: 0.5,
            vlan: 0.5,
            max_len: 1600,
            ..GenSpec::default()
        };
        let mut gen = Generator::new(&bift, spec).unwrap();
        let mut f = Forwarder::new(bift.clone());
        let mut tally = [0u64; 9];
        let (mut fwd, mut exc, mut copies_total) = (0u64, 0u64, 0u64);
        let mut kinds = BTreeSet::new();
        let mut tagged = 0;
        let n = 6000;
        for i in 0..n {
            let (fr, bad) = gen.next_frame();
            if fr.len() >= 14 && fr[12..14] == [0x81, 0x00] {
                tagged += 1;
            }
            let mut copies = 0u64;
            let v = f.process(&fr, i % 3, |_, c| {
                assert_eq!(c.len(), fr.len());
                copies += 1;
            });
            kinds.insert(format!("{bad:?}"));
            match v {
                Verdict::Forward(s) => {
                    fwd += 1;
                    assert_eq!(copies, s.len() as u64);
                }
                Verdict::Exception(_) => {
                    exc += 1;
                    assert_eq!(copies, 1);
                }
                Verdict::Drop(r) => {
                    tally[r as usize] += 1;
                    assert_eq!(copies, 0);
                }
            }
            copies_total += copies;
            let expect = match bad {
                None => Some(Verdict::Forward(match v {
                    Verdict::Forward(s) => s,
                    _ => panic!("well-formed frame #{i} not forwarded: {v:?}"),
                })),
                Some(Malformed::Oversize) => Some(Verdict::Drop(DropReason::Oversize)),
                Some(Malformed::Truncated) => Some(Verdict::Drop(DropReason::Truncated)),
                Some(Malformed::NotBier) if has_exc => Some(Verdict::Exception(2)),
                Some(Malformed::NotBier) => Some(Verdict::Drop(DropReason::NotBier)),
                Some(Malformed::BadVersion) => Some(Verdict::Drop(DropReason::BadVersion)),
                Some(Malformed::WrongBsl) => Some(Verdict::Drop(DropReason::UnsupportedBsl)),
                Some(Malformed::UnknownBiftId) => Some(Verdict::Drop(DropReason::UnknownBiftId)),
                Some(Malformed::ZeroBitString) => Some(Verdict::Drop(DropReason::NoMatchingBit)),
                Some(Malformed::LowTtl) => match v {
                    // only the local target may still get a copy
                    Verdict::Forward(s) => {
                        assert_eq!(s.0, 1 << 2);
                        None
                    }
                    _ => Some(Verdict::Drop(DropReason::TtlExpired)),
                },
                Some(Malformed::Garbage) => None,
            };
            if let Some(e) = expect {
                assert_eq!(v, e, "frame #{i} malformed {bad:?}");
            }
        }
        assert_eq!(
            kinds.len(),
            Malformed::ALL.len() + 1,
            "every kind generated: {kinds:?}"
        );
        assert!(tagged > n / 5, "{tagged} tagged");
        let c = f.counters();
        assert_eq!(c.total_rx(), n as u64);
        assert_eq!(c.rx_frames.len(), 3);
        assert_eq!(c.total_rx(), c.forwarded + c.exceptions + c.total_drops());
        assert_eq!(c.drops, tally);
        assert_eq!((c.forwarded, c.exceptions), (fwd, exc));
        assert_eq!(c.tx_frames.iter().sum::<u64>(), copies_total);
        assert_eq!(has_exc, exc > 0);
        assert!(fwd > n as u64 / 3);
        for r in DropReason::ALL {
            // isolation drops need host frames from a queue with a mask: not in this network stream
            if r == DropReason::Isolated {
                assert_eq!(c.drops[r as usize], 0);
                continue;
            }
            if r != DropReason::NotBier || !has_exc {
                assert!(c.drops[r as usize] > 0, "no {r} drop in the stream");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Configuration errors name the file and place.

const BASE: &str = r#"sub_domain = 0
bsl = 256
ecmp_buckets = 2

[[target]]
name = "p0"
kind = "port"
port = 0
mac = "02:00:00:00:00:01"

[[target]]
name = "h"
kind = "local"
queue = 0

[[entry]]
bfr_ids = "2-64, 70"
via = ["p0"]

[[entry]]
bfr_ids = "1"
via = ["h"]
"#;

/// Line and column (1-based) of the first occurrence of `needle` in `text`.
fn place(text: &str, needle: &str) -> (usize, usize) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in text"));
    let before = &text[..at];
    (
        before.matches('\n').count() + 1,
        at - before.rfind('\n').map_or(0, |i| i + 1) + 1,
    )
}

fn config_err(text: &str) -> ConfigError {
    Config::from_toml(text, Some("cfg.toml")).unwrap_err()
}

#[test]
fn base_config_is_valid() {
    let c = Config::from_toml(BASE, Some("cfg.toml")).unwrap();
    assert_eq!(c.entries.len(), 2);
    assert!(Bift::compile(&c).is_ok());
}

#[test]
fn config_errors_name_file_line_col() {
    // (replace what, by what, the token the error must point at, words the message must contain)
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "via = [\"h\"]",
            "via = [\"nope\"]",
            "\"nope\"",
            "unknown target \"nope\"",
        ),
        ("bsl = 256", "bsl = 100", "100", "bsl = 100"),
        ("bsl = 256", "bsl = 8192", "8192", "not one of 64, 128"),
        ("bfr_ids = \"1\"", "bfr_ids = \"0\"", "\"0\"", "BFR-id 0"),
        (
            "bfr_ids = \"1\"",
            "bfr_ids = 0",
            "0\nvia = [\"h\"]",
            "BFR-id 0",
        ),
        (
            "bfr_ids = \"1\"",
            "bfr_ids = \"65536\"",
            "\"65536\"",
            "above 65535",
        ),
        (
            "bfr_ids = \"1\"",
            "bfr_ids = \"1-70000\"",
            "\"1-70000\"",
            "above 65535",
        ),
        (
            "bfr_ids = \"1\"",
            "bfr_ids = 100000",
            "100000",
            "above 65535",
        ),
        (
            "02:00:00:00:00:01",
            "02:00:00:00:00:0g",
            "\"02:00:00:00:00:0g\"",
            "not a MAC address",
        ),
        (
            "02:00:00:00:00:01",
            "02:00:00:00:00",
            "\"02:00:00:00:00\"",
            "not a MAC address",
        ),
        (
            "02:00:00:00:00:01",
            "02:00:00:00:00:01:02",
            "\"02:00:00:00:00:01:02\"",
            "not a MAC address",
        ),
    ];
    for (from, to, token, words) in cases {
        assert!(BASE.contains(from), "{from}");
        let text = BASE.replacen(from, to, 1);
        let e = config_err(&text);
        let (line, col) = place(&text, token);
        let s = e.to_string();
        assert!(
            s.starts_with(&format!("cfg.toml:{line}:{col}: ")),
            "{to}: {s}"
        );
        assert!(s.contains(words), "{to}: {s}");
        assert_eq!(e.file.as_deref(), Some("cfg.toml"));
        // Without a file name the place is still named.
        let e = Config::from_toml(&text, None).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("line {line}, column {col}: ")),
            "{to}: {e}"
        );
    }
}

#[test]
fn config_duplicate_bfr_id_names_both_entries() {
    let text = BASE.replacen("bfr_ids = \"1\"", "bfr_ids = \"1, 33\"", 1);
    let e = config_err(&text);
    let s = e.to_string();
    assert!(s.contains("BFR-id 33 is given twice"), "{s}");
    let second = place(&text, "[[entry]]\nbfr_ids = \"1, 33\"").0;
    let first = place(&text, "[[entry]]").0;
    assert!(s.starts_with("cfg.toml:"), "{s}");
    let loc = e.loc.expect("a place");
    // The error points at the second entry's header and names the first one's line.
    assert_eq!((loc.line, loc.col), (second, 1), "{s}");
    assert!(s.starts_with(&format!("cfg.toml:{second}:1: ")), "{s}");
    assert!(s.contains(&format!("line {first}")), "{s}");
    // Duplicates across entries of different sets and inside one list.
    let e = config_err(&BASE.replacen("\"2-64, 70\"", "\"2-64, 70, 5\"", 1)).to_string();
    assert!(
        e.contains("BFR-id 5 is given twice") && e.starts_with("cfg.toml:"),
        "{e}"
    );
}

#[test]
fn config_bad_toml() {
    for (text, bad_line) in [
        ("sub_domain = 0\nbsl = [\n", 2),
        (
            &BASE.replacen("kind = \"port\"", "kind = port", 1)[..],
            place(BASE, "kind = \"port\"").0,
        ),
        (
            &BASE.replacen("[[entry]]", "[[entry]", 1)[..],
            place(BASE, "[[entry]]").0,
        ),
        (
            &BASE.replacen("queue = 0", "queue = 0\nqueue = 1", 1)[..],
            place(BASE, "queue = 0").0 + 1,
        ),
        (
            &format!("{BASE}\nbogus = 1\n")[..],
            BASE.lines().count() + 2,
        ),
        ("bsl = 256\n", 1),
    ] {
        let e = config_err(text);
        let s = e.to_string();
        let loc = e.loc.unwrap_or_else(|| panic!("no place in {s}"));
        assert_eq!(loc.line, bad_line, "{s}\n---\n{text}");
        assert!(
            s.starts_with(&format!("cfg.toml:{}:{}: ", loc.line, loc.col)),
            "{s}"
        );
    }
}

#[test]
fn config_other_semantic_errors() {
    for (from, to, words) in [
        ("ecmp_buckets = 2", "ecmp_buckets = 3", "power of two"),
        (
            "via = [\"p0\"]",
            "via = [\"p0\", \"h\", \"p0\"]",
            "raise ecmp_buckets",
        ),
        ("name = \"h\"", "name = \"p0\"", "defined twice"),
        (
            "kind = \"local\"",
            "kind = \"gpu\"",
            "must be \"port\" or \"local\"",
        ),
        ("sub_domain = 0", "sub_domain = 256", "sub_domain"),
        ("port = 0", "port = 70000", "out of range"),
        ("bfr_ids = \"1\"", "bfr_ids = \"5-3\"", "backwards"),
        ("via = [\"h\"]", "via = []", "empty via"),
    ] {
        let e = config_err(&BASE.replacen(from, to, 1));
        let s = e.to_string();
        assert!(s.contains(words), "{to}: {s}");
        assert!(s.starts_with("cfg.toml:"), "{to}: {s}");
    }
    let e = config_err(&format!("exception = \"zz\"\n{BASE}")).to_string();
    assert!(
        e.starts_with("cfg.toml:1:13: ") && e.contains("unknown target \"zz\""),
        "{e}"
    );
    let e = config_err(&format!("bift_ids = [1, 1048576]\n{BASE}")).to_string();
    assert!(
        e.starts_with("cfg.toml:1:16: ") && e.contains("20 bits"),
        "{e}"
    );
}
