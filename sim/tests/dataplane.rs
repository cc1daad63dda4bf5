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
