//! Tests of the real RTL (`biernic_hw::dataplane_verilog`) through the harness.

mod common;

use biernic_sim::regmap::{self, Counter, DropReason};
use biernic_sim::{Build, Dataplane, Ingress, Model, PortDir};
use common::*;

const MAX: u64 = 50_000;

#[test]
fn builds_match_their_parameters() {
    for build in [Build::Wide, Build::Narrow] {
        let p = build.params().unwrap();
        let m = Model::new(build).unwrap();
        let tdata = m.port("s_axis_rx0_tdata").unwrap();
        assert_eq!(tdata.info().width as usize, 8 * p.data_bytes);
        let egress = m
            .ports()
            .iter()
            .filter(|q| q.name.ends_with("_tdata") && q.dir == PortDir::Output)
            .count();
        assert_eq!(egress, p.targets, "{build:?}");
        let dp = Dataplane::new(build).unwrap();
        assert_eq!(
            (dp.net_ingress(), dp.targets(), dp.data_bytes()),
            (p.net_ingress, p.targets, p.data_bytes)
        );
    }
}

#[test]
fn reset_leaves_the_outputs_idle() {
    for build in [Build::Wide, Build::Narrow] {
        let mut dp = Dataplane::new(build).unwrap();
        dp.run(20).unwrap();
        for t in 0..dp.targets() {
            assert_eq!(
                dp.model()
                    .get_by_name(&format!("m_axis_t{t}_tvalid"))
                    .unwrap(),
                0,
                "{build:?} t{t}"
            );
        }
        assert_eq!(dp.model().get_by_name("s_axil_bvalid").unwrap(), 0);
        assert_eq!(dp.model().get_by_name("s_axil_rvalid").unwrap(), 0);
    }
}

/// From random register and memory contents, reset must give idle outputs, a working register
/// file, cleared control state and counters, and a data plane that drops a non-BIER frame.
#[test]
fn reset_from_a_random_state() {
    for (build, seed) in [(Build::Narrow, 11), (Build::Narrow, 12), (Build::Wide, 13)] {
        let p = build.params().unwrap();
        let mut dp = Dataplane::with_random_init(build, seed).unwrap();
        dp.run(20).unwrap();
        for t in 0..dp.targets() {
            assert_eq!(
                dp.model()
                    .get_by_name(&format!("m_axis_t{t}_tvalid"))
                    .unwrap(),
                0,
                "{build:?} seed {seed} t{t}"
            );
        }
        for (addr, value) in regmap::identity(&p) {
            assert_eq!(
                dp.axil_read(addr).unwrap(),
                value,
                "{build:?} seed {seed} register {addr:#06x}"
            );
        }
        assert_eq!(
            dp.axil_read(regmap::CTRL_DROP_MODE).unwrap(),
            0,
            "{build:?} seed {seed} drop mode"
        );
        assert_eq!(
            dp.axil_read(regmap::CTRL_COMMIT).unwrap() & 1,
            0,
            "{build:?} seed {seed} commit busy"
        );
        let c = dp.read_counters().unwrap();
        assert_eq!(
            c,
            biernic_sim::Counters {
                rx_frames: vec![0; p.net_ingress + 1],
                rx_bytes: vec![0; p.net_ingress + 1],
                tx_frames: vec![0; p.targets],
                tx_bytes: vec![0; p.targets],
                stall_drops: vec![0; p.targets],
                iso_clipped: vec![0; p.host_queues],
                ..Default::default()
            },
            "{build:?} seed {seed}: counters after reset"
        );
        // isolation-mask rows read as 0 (deny all) after reset, in both banks
        let zero = vec![0u32; regmap::staging_words(&p)];
        for (q, slot) in [(0, 0), (p.host_queues - 1, p.sets - 1)] {
            for active in [false, true] {
                assert_eq!(
                    dp.read_mask_row(q, slot, active).unwrap(),
                    zero,
                    "{build:?} seed {seed}: mask row ({q}, {slot}) active {active}"
                );
            }
        }
        let out = dp
            .process([(Ingress::Net(0), ipv4_frame(64))], MAX)
            .unwrap();
        assert!(
            out.iter().all(Vec::is_empty),
            "{build:?} seed {seed}: copies {out:?}"
        );
        assert_eq!(
            dp.read_counter(Counter::Drops(DropReason::NotBier))
                .unwrap(),
            1,
            "{build:?} seed {seed}"
        );
    }
}

#[test]
fn identity_block_reports_the_build() {
    for build in [Build::Wide, Build::Narrow] {
        let p = build.params().unwrap();
        let mut dp = Dataplane::new(build).unwrap();
        assert_eq!(
            dp.axil_read(regmap::ID_BASE + regmap::BLOCK_TYPE).unwrap(),
            regmap::ID_TYPE_VALUE
        );
        for (addr, value) in regmap::identity(&p) {
            assert_eq!(
                dp.axil_read(addr).unwrap(),
                value,
                "{build:?} register {addr:#06x}"
            );
        }
        for (base, ty, ver, next) in regmap::block_chain() {
            assert_eq!(
                dp.axil_read(base + regmap::BLOCK_TYPE).unwrap(),
                ty,
                "{build:?} block {base:#06x}"
            );
            assert_eq!(dp.axil_read(base + regmap::BLOCK_VERSION).unwrap(), ver);
            assert_eq!(
                dp.axil_read(base + regmap::BLOCK_NEXT).unwrap(),
                u32::from(next)
            );
        }
        dp.axil_write(regmap::CTRL_SCRATCH, 0xa5a5_0f0f).unwrap();
        assert_eq!(dp.axil_read(regmap::CTRL_SCRATCH).unwrap(), 0xa5a5_0f0f);
        assert_eq!(
            dp.axil_read(regmap::CNT_COUNT).unwrap() as usize,
            regmap::counter_count(&p)
        );
    }
}

#[test]
fn non_bier_frame_without_exception_target_is_dropped_and_counted() {
    let mut dp = Dataplane::new(Build::Narrow).unwrap();
    let f = ipv4_frame(60);
    let out = dp.process([(Ingress::Net(1), f.clone())], MAX).unwrap();
    assert!(out.iter().all(Vec::is_empty), "copies: {out:?}");
    let c = dp.read_counters().unwrap();
    assert_eq!(c.rx_frames, vec![0, 1, 0]);
    assert_eq!(c.rx_bytes, vec![0, 60, 0]);
    assert_eq!(c.drop_count(DropReason::NotBier), 1);
    assert_eq!(c.total_drops(), 1);
    assert_eq!((c.exceptions, c.forwarded), (0, 0));
    assert!(c.tx_frames.iter().all(|&n| n == 0));
    dp.clear_counters().unwrap();
    assert_eq!(
        dp.read_counter(Counter::Drops(DropReason::NotBier))
            .unwrap(),
        0
    );
}

/// Narrow build: BSL 256 (code 3), one set, one bucket; target 0..2 ports, target 3 local.
fn load_small_bift(dp: &mut Dataplane, bift_id: u32) {
    let p = dp.build().params().unwrap();
    dp.axil_write(regmap::BIFT_BSL, 3).unwrap();
    dp.axil_write(regmap::BIFT_LOG2_BUCKETS, 0).unwrap();
    dp.axil_write(regmap::set_reg(0), 1 << 31 | bift_id)
        .unwrap();
    let fbm: [&[usize]; 4] = [&[1, 2], &[3, 100], &[200], &[256]];
    for (t, bits) in fbm.iter().enumerate() {
        let words = regmap::fbm_to_words(&p, 256, bits);
        dp.write_fbm_row(t, 0, &words).unwrap();
        assert_eq!(
            dp.read_fbm_row(t, 0, false).unwrap(),
            words,
            "shadow row of target {t}"
        );
    }
    dp.axil_write(
        regmap::target_reg(3, regmap::TGT_CFG),
        regmap::TGT_CFG_LOCAL,
    )
    .unwrap();
    dp.axil_write(
        regmap::target_reg(0, regmap::TGT_CFG),
        regmap::TGT_CFG_REWRITE_DST | regmap::TGT_CFG_REWRITE_SRC,
    )
    .unwrap();
    let (lo, hi) = regmap::mac_to_regs([0x02, 0, 0, 0, 0, 0x10]);
    dp.axil_write(regmap::target_reg(0, regmap::TGT_MAC_LO), lo)
        .unwrap();
    dp.axil_write(regmap::target_reg(0, regmap::TGT_MAC_HI), hi)
        .unwrap();
    let (lo, hi) = regmap::mac_to_regs([0x02, 0, 0, 0, 0, 0x20]);
    dp.axil_write(regmap::target_reg(0, regmap::TGT_NH_LO), lo)
        .unwrap();
    dp.axil_write(regmap::target_reg(0, regmap::TGT_NH_HI), hi)
        .unwrap();
    dp.commit_bift().unwrap();
}

#[test]
fn bier_frame_is_replicated_per_bift() {
    let mut dp = Dataplane::new(Build::Narrow).unwrap();
    let bift_id = 3 << 16 | 1 << 8;
    load_small_bift(&mut dp, bift_id);
    let f = bier_frame(&Bier::new(bift_id, 256, &[1, 3, 50, 256]), &[0xee; 40]);
    let out = dp.process([(Ingress::Net(0), f.clone())], MAX).unwrap();
    let data: Vec<Vec<Vec<u8>>> = out
        .iter()
        .map(|v| v.iter().map(|e| e.data.clone()).collect())
        .collect();
    let t0 = expected_copy(
        &f,
        256,
        &[1],
        true,
        Some([2, 0, 0, 0, 0, 0x20]),
        Some([2, 0, 0, 0, 0, 0x10]),
    );
    let t1 = expected_copy(&f, 256, &[3], true, None, None);
    let t3 = expected_copy(&f, 256, &[256], false, None, None);
    assert_eq!(data, vec![vec![t0], vec![t1], vec![], vec![t3]]);
    let c = dp.read_counters().unwrap();
    assert_eq!(c.rx_frames, vec![1, 0, 0]);
    assert_eq!(c.forwarded, 1);
    assert_eq!(c.tx_frames, vec![1, 1, 0, 1]);
    assert_eq!(
        c.tx_bytes,
        vec![f.len() as u64, f.len() as u64, 0, f.len() as u64]
    );
    assert_eq!(c.total_drops(), 0);
}

#[test]
fn non_bier_frame_goes_to_the_exception_target_unchanged() {
    let mut dp = Dataplane::new(Build::Narrow).unwrap();
    dp.axil_write(regmap::BIFT_EXCEPTION, 1 << 31 | 2).unwrap();
    dp.commit_bift().unwrap();
    let f = ipv4_frame(61);
    let out = dp.process([(Ingress::Host, f.clone())], MAX).unwrap();
    let lens: Vec<usize> = out.iter().map(Vec::len).collect();
    assert_eq!(lens, vec![0, 0, 1, 0]);
    assert_eq!(out[2][0].data, f);
    let c = dp.read_counters().unwrap();
    assert_eq!(c.rx_frames, vec![0, 0, 1]);
    assert_eq!((c.exceptions, c.total_drops(), c.forwarded), (1, 0, 0));
    assert_eq!(c.tx_frames, vec![0, 0, 1, 0]);
    assert_eq!(c.tx_bytes, vec![0, 0, 61, 0]);
}

#[test]
fn drop_reasons_are_counted() {
    let mut dp = Dataplane::new(Build::Narrow).unwrap();
    let bift_id = 3 << 16 | 1 << 8;
    load_small_bift(&mut dp, bift_id);
    let good = Bier::new(bift_id, 256, &[1]);
    let mut cases: Vec<(DropReason, Vec<u8>)> = vec![(DropReason::Truncated, vec![0xab; 13])];
    cases.push((
        DropReason::Truncated,
        bier_frame(&good, &[])[..14 + 11].to_vec(),
    ));
    cases.push((
        DropReason::Truncated,
        bier_frame(&good, &[])[..14 + 12 + 31].to_vec(),
    ));
    cases.push((DropReason::NotBier, ipv4_frame(64)));
    let mut h = good.clone();
    h.nibble = 4;
    cases.push((DropReason::BadVersion, bier_frame(&h, &[0; 8])));
    let mut h = good.clone();
    h.ver = 1;
    cases.push((DropReason::BadVersion, bier_frame(&h, &[0; 8])));
    let mut h = good.clone();
    h.bsl_code = 2;
    cases.push((DropReason::UnsupportedBsl, bier_frame(&h, &[0; 8])));
    let h = Bier::new(bift_id + 1, 256, &[1]);
    cases.push((DropReason::UnknownBiftId, bier_frame(&h, &[0; 8])));
    let mut h = good.clone();
    h.ttl = 1;
    cases.push((DropReason::TtlExpired, bier_frame(&h, &[0; 8])));
    let h = Bier::new(bift_id, 256, &[50, 51]);
    cases.push((DropReason::NoMatchingBit, bier_frame(&h, &[0; 8])));
    let mut expect = [0u64; 9];
    for (i, (reason, f)) in cases.iter().enumerate() {
        dp.send(Ingress::Net(i % 2), f.clone()).unwrap();
        expect[reason.index()] += 1;
    }
    dp.run_until_idle(MAX).unwrap();
    let out = dp.take_all_frames();
    assert!(out.iter().all(Vec::is_empty), "copies: {out:?}");
    let c = dp.read_counters().unwrap();
    for r in DropReason::ALL {
        assert_eq!(c.drop_count(r), expect[r.index()], "drops[{}]", r.name());
    }
    assert_eq!(c.rx_frames.iter().sum::<u64>(), cases.len() as u64);
    assert_eq!(
        c.rx_bytes.iter().sum::<u64>(),
        cases.iter().map(|(_, f)| f.len() as u64).sum::<u64>()
    );
}

/// An oversize frame (9019 bytes) must be dropped as `oversize` without disturbing later frames.
#[test]
fn oversize_frame_is_dropped_and_later_frames_still_forwarded() {
    let mut dp = Dataplane::new(Build::Narrow).unwrap();
    let bift_id = 3 << 16 | 1 << 8;
    load_small_bift(&mut dp, bift_id);
    let h = Bier::new(bift_id, 256, &[1]);
    let big = bier_frame(&h, &vec![0; 9019 - 58]);
    assert_eq!(big.len(), 9019);
    let good = bier_frame(&h, &[7; 10]);
    dp.send(Ingress::Net(0), big).unwrap();
    dp.send(Ingress::Net(0), good.clone()).unwrap();
    dp.send(Ingress::Net(1), good.clone()).unwrap();
    dp.run_until_idle(MAX).unwrap();
    let out = dp.take_all_frames();
    let c = dp.read_counters().unwrap();
    assert_eq!(c.rx_frames, vec![2, 1, 0]);
    assert_eq!(c.drop_count(DropReason::Oversize), 1);
    assert_eq!(c.forwarded, 2, "counters: {c:?}");
    assert_eq!(out[0].len(), 2);
}

#[test]
fn ttl_one_still_reaches_local_targets() {
    let mut dp = Dataplane::new(Build::Narrow).unwrap();
    let bift_id = 3 << 16 | 1 << 8;
    load_small_bift(&mut dp, bift_id);
    let mut h = Bier::new(bift_id, 256, &[1, 256]);
    h.ttl = 1;
    let f = bier_frame(&h, &[1, 2, 3]);
    let out = dp.process([(Ingress::Net(1), f.clone())], MAX).unwrap();
    let lens: Vec<usize> = out.iter().map(Vec::len).collect();
    assert_eq!(lens, vec![0, 0, 0, 1]);
    assert_eq!(
        out[3][0].data,
        expected_copy(&f, 256, &[256], false, None, None)
    );
}

#[test]
fn ecmp_bucket_follows_the_entropy() {
    let mut dp = Dataplane::new(Build::Narrow).unwrap();
    let p = dp.build().params().unwrap();
    let bift_id = 3 << 16;
    dp.axil_write(regmap::BIFT_BSL, 3).unwrap();
    dp.axil_write(regmap::BIFT_LOG2_BUCKETS, 1).unwrap();
    dp.axil_write(regmap::set_reg(0), 1 << 31 | bift_id)
        .unwrap();
    // BFR-id 5 via target 0 in bucket 0 and via target 1 in bucket 1
    let w = regmap::fbm_to_words(&p, 256, &[5]);
    dp.write_fbm_row(0, 0, &w).unwrap();
    dp.write_fbm_row(1, 1, &w).unwrap();
    dp.commit_bift().unwrap();
    let mut expect = [0usize; 2];
    for entropy in [0u32, 1, 2, 3, 0x400, 0x401, 0xfffff] {
        let mut h = Bier::new(bift_id, 256, &[5]);
        h.entropy = entropy;
        dp.send(Ingress::Net(0), bier_frame(&h, &[9; 4])).unwrap();
        expect[((entropy ^ (entropy >> 10)) & 1) as usize] += 1;
    }
    dp.run_until_idle(MAX).unwrap();
    let out = dp.take_all_frames();
    assert_eq!((out[0].len(), out[1].len()), (expect[0], expect[1]));
}

#[test]
fn stalled_target_in_drop_mode_counts_stall_drops() {
    let mut dp = Dataplane::new(Build::Narrow).unwrap();
    let bift_id = 3 << 16 | 1 << 8;
    load_small_bift(&mut dp, bift_id);
    dp.axil_write(regmap::CTRL_DROP_MODE, 1 << 1).unwrap();
    dp.set_stalled(1, true).unwrap();
    let n = 40;
    let f = bier_frame(&Bier::new(bift_id, 256, &[1, 3]), &[0x55; 1000]);
    for _ in 0..n {
        dp.send(Ingress::Net(0), f.clone()).unwrap();
    }
    dp.run_until_idle(200_000).unwrap();
    assert_eq!(
        dp.take_frames(0).unwrap().len(),
        n,
        "target 0 is not held back by the stalled target 1"
    );
    dp.set_stalled(1, false).unwrap();
    dp.run_until_idle(200_000).unwrap();
    let got = dp.take_frames(1).unwrap().len();
    let c = dp.read_counters().unwrap();
    assert!(
        got < n,
        "a {}-beat FIFO cannot hold {n} frames",
        regmap::egress_fifo_beats(&dp.build().params().unwrap())
    );
    assert_eq!(c.stall_drops[1] as usize + got, n);
    assert_eq!(c.stall_drops[0], 0);
}

#[test]
fn wide_build_replicates_under_gaps_and_backpressure() {
    let mut dp = Dataplane::with_seed(Build::Wide, 3).unwrap();
    let p = dp.build().params().unwrap();
    let bift_id = 5 << 16 | 2 << 8 | 1;
    dp.axil_write(regmap::BIFT_BSL, 5).unwrap();
    dp.axil_write(regmap::set_reg(1), 1 << 31 | bift_id)
        .unwrap();
    // set 1, bucket 0: target t serves BFR-ids t*100+1 and t*100+2
    for t in 0..p.targets {
        let w = regmap::fbm_to_words(&p, 1024, &[t * 100 + 1, t * 100 + 2]);
        dp.write_fbm_row(t, p.buckets, &w).unwrap();
    }
    dp.commit_bift().unwrap();
    dp.set_idle_probability(0.2).unwrap();
    dp.set_backpressure(0.3).unwrap();
    let mut expect: Vec<Vec<Vec<u8>>> = vec![Vec::new(); p.targets];
    for k in 0..12usize {
        let bits: Vec<usize> = (0..p.targets)
            .filter(|t| (k + t) % 3 != 0)
            .map(|t| t * 100 + 1 + k % 2)
            .collect();
        let f = bier_frame(
            &Bier::new(bift_id, 1024, &bits),
            &vec![k as u8; 60 + 97 * k],
        );
        for (t, e) in expect.iter_mut().enumerate() {
            let mask: Vec<usize> = bits
                .iter()
                .copied()
                .filter(|b| (b - 1) / 100 == t)
                .collect();
            if !mask.is_empty() {
                e.push(expected_copy(&f, 1024, &mask, true, None, None));
            }
        }
        dp.send(Ingress::Net(k % 4), f).unwrap();
    }
    // frames from different ingresses may interleave: compare per target as multisets
    let out = dp
        .process(Vec::<(Ingress, Vec<u8>)>::new(), 200_000)
        .unwrap();
    for t in 0..p.targets {
        let mut got: Vec<Vec<u8>> = out[t].iter().map(|f| f.data.clone()).collect();
        let mut want = expect[t].clone();
        got.sort();
        want.sort();
        assert_eq!(got, want, "target {t}");
    }
    let c = dp.read_counters().unwrap();
    assert_eq!(c.forwarded, 12);
    assert_eq!(c.rx_frames.iter().sum::<u64>(), 12);
    assert_eq!(
        c.tx_frames.iter().sum::<u64>(),
        expect.iter().map(|e| e.len() as u64).sum::<u64>()
    );
}

/// Register accesses with AW/W/AR delayed at random (W often before AW) and BREADY/RREADY
/// randomly low, while traffic flows.
#[test]
fn registers_under_random_axil_timing() {
    for build in [Build::Narrow, Build::Wide] {
        let p = build.params().unwrap();
        let mut dp = Dataplane::with_seed(build, 5).unwrap();
        dp.set_axil_jitter(0.5).unwrap();
        for _ in 0..20 {
            dp.send(Ingress::Net(0), ipv4_frame(200)).unwrap();
        }
        for (addr, value) in regmap::identity(&p) {
            assert_eq!(dp.axil_read(addr).unwrap(), value, "{build:?} {addr:#06x}");
        }
        for k in 0..20u32 {
            dp.axil_write(regmap::CTRL_SCRATCH, k.wrapping_mul(0x9e37_79b9))
                .unwrap();
            assert_eq!(
                dp.axil_read(regmap::CTRL_SCRATCH).unwrap(),
                k.wrapping_mul(0x9e37_79b9)
            );
        }
        let bsl = p.max_bsl;
        dp.axil_write(regmap::BIFT_BSL, regmap::bsl_code(bsl).unwrap())
            .unwrap();
        let words = regmap::fbm_to_words(&p, bsl, &[1, 7, bsl]);
        dp.write_fbm_row(1, 1, &words).unwrap();
        assert_eq!(dp.read_fbm_row(1, 1, false).unwrap(), words, "{build:?}");
        dp.run_until_idle(MAX).unwrap();
        assert_eq!(
            dp.read_counter(Counter::Drops(DropReason::NotBier))
                .unwrap(),
            20,
            "{build:?}"
        );
    }
}

/// Sends one frame and returns the copies per target (BitString positions of each copy, narrow
/// build, untagged, BSL 256).
fn copies_of(dp: &mut Dataplane, ing: Ingress, queue: u8, f: &[u8]) -> Vec<Vec<Vec<usize>>> {
    dp.send_with_tuser(ing, f.to_vec(), queue).unwrap();
    dp.run_until_idle(MAX).unwrap();
    dp.take_all_frames()
        .into_iter()
        .map(|v| {
            v.into_iter()
                .map(|e| {
                    let bs = &e.data[26..26 + 32];
                    let mut pos = Vec::new();
                    for (k, b) in bs.iter().enumerate() {
                        for bit in 0..8 {
                            if b >> bit & 1 == 1 {
                                pos.push((31 - k) * 8 + bit + 1);
                            }
                        }
                    }
                    pos.sort_unstable();
                    pos
                })
                .collect()
        })
        .collect()
}

#[test]
fn isolation_masks_clip_host_frames_per_queue() {
    let mut dp = Dataplane::new(Build::Narrow).unwrap();
    let p = dp.build().params().unwrap();
    let zero = vec![0u32; regmap::staging_words(&p)];
    let bift_id = 3 << 16 | 1 << 8;
    // queue 0 may reach positions 1, 3 and 100 through slot 0; queue 1 is not written (deny all)
    let m0 = regmap::fbm_to_words(&p, 256, &[1, 3, 100]);
    dp.write_mask_row(0, 0, &m0).unwrap();
    assert_eq!(dp.read_mask_row(0, 0, false).unwrap(), m0);
    assert_eq!(dp.read_mask_row(0, 0, true).unwrap(), zero);
    // rows beyond host_queues * sets are rejected, the target field is ignored
    assert!(dp.write_mask_row(p.host_queues, 0, &m0).is_err());
    assert_eq!(
        dp.axil_read(regmap::BIFT_ROW_CMD).unwrap() & 2,
        2,
        "rejected"
    );
    let row = regmap::mask_row(&p, 1, 2);
    dp.axil_write(
        regmap::BIFT_ROW_CMD,
        regmap::mask_row_cmd(regmap::ROW_OP_READ, row, false) | 200 << 16,
    )
    .unwrap();
    assert_eq!(dp.axil_read(regmap::BIFT_ROW_CMD).unwrap() & 2, 0);
    load_small_bift(&mut dp, bift_id);
    assert_eq!(dp.read_mask_row(0, 0, true).unwrap(), m0);
    // the F-BM rows were not touched by the mask writes
    assert_eq!(
        dp.read_fbm_row(3, 0, true).unwrap(),
        regmap::fbm_to_words(&p, 256, &[256])
    );

    let frame = |bits: &[usize], ttl: u8| {
        let mut h = Bier::new(bift_id, 256, bits);
        h.ttl = ttl;
        bier_frame(&h, &[0xee; 40])
    };
    let all = frame(&[1, 3, 50, 256], 64);
    let e: Vec<Vec<usize>> = Vec::new();
    // queue 0: 50 and 256 are cleared, target 3 (reached only through 256) gets nothing
    assert_eq!(
        copies_of(&mut dp, Ingress::Host, 0, &all),
        vec![vec![vec![1]], vec![vec![3]], e.clone(), e.clone()]
    );
    // queue 1 (no mask written) and queue 7 (>= host_queues): isolated
    for q in [1, 7] {
        assert!(copies_of(&mut dp, Ingress::Host, q, &all)
            .iter()
            .all(Vec::is_empty));
    }
    // network frames are not masked, whatever tuser says
    assert_eq!(
        copies_of(&mut dp, Ingress::Net(1), 1, &all),
        vec![vec![vec![1]], vec![vec![3]], e.clone(), vec![vec![256]]]
    );
    // only disallowed bits: isolated; TTL after isolation; zero BitString: no_matching_bit
    assert!(copies_of(&mut dp, Ingress::Host, 0, &frame(&[2], 64))
        .iter()
        .all(Vec::is_empty));
    assert!(copies_of(&mut dp, Ingress::Host, 0, &frame(&[100], 1))
        .iter()
        .all(Vec::is_empty));
    assert!(copies_of(&mut dp, Ingress::Host, 1, &frame(&[], 64))
        .iter()
        .all(Vec::is_empty));
    // non-BIER host frames are not masked (dropped not_bier here: no exception target)
    dp.send_with_tuser(Ingress::Host, ipv4_frame(64), 1)
        .unwrap();
    dp.run_until_idle(MAX).unwrap();
    let c = dp.read_counters().unwrap();
    assert_eq!(c.iso_clipped, vec![2, 1]);
    assert_eq!(c.drop_count(DropReason::Isolated), 3);
    assert_eq!(c.drop_count(DropReason::TtlExpired), 1);
    assert_eq!(c.drop_count(DropReason::NoMatchingBit), 1);
    assert_eq!(c.drop_count(DropReason::NotBier), 1);
    assert_eq!(c.forwarded, 2);
    assert_eq!(
        dp.read_counter(Counter::IsoClipped(0)).unwrap(),
        2,
        "counter by address"
    );

    // masks are banked: queue 1's new mask takes effect with the commit, and the new active bank
    // never had queue 0's row written (deny all)
    dp.write_mask_row(1, 0, &regmap::fbm_to_words(&p, 256, &[256]))
        .unwrap();
    assert!(copies_of(&mut dp, Ingress::Host, 1, &all)
        .iter()
        .all(Vec::is_empty));
    load_small_bift(&mut dp, bift_id);
    assert_eq!(
        copies_of(&mut dp, Ingress::Host, 1, &all),
        vec![e.clone(), e.clone(), e.clone(), vec![vec![256]]]
    );
    assert!(copies_of(&mut dp, Ingress::Host, 0, &all)
        .iter()
        .all(Vec::is_empty));
    assert_eq!(dp.read_mask_row(0, 0, false).unwrap(), m0);
    assert_eq!(dp.read_mask_row(0, 0, true).unwrap(), zero);
}
