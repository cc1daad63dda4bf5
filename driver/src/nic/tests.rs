//! Identification and block-chain tests against the software device.

use biernic_hw::regmap::{self, dma};
use biernic_hw::NicParams;

use super::*;
use crate::soft::SoftNic;

fn open_with(p: NicParams, f: impl FnOnce(&mut SoftNic)) -> Result<Nic<SoftNic>, NicError> {
    let mut s = SoftNic::new(p);
    f(&mut s);
    Nic::open(s)
}

#[test]
fn identifies_both_builds() {
    for p in [NicParams::narrow(), NicParams::wide()] {
        let nic = open_with(p.clone(), |_| {}).unwrap();
        let i = nic.info();
        assert_eq!(i.data_bytes, p.dp.data_bytes);
        assert_eq!(i.max_bsl, p.dp.max_bsl);
        assert_eq!((i.txq, i.rxq, i.ports), (p.txq(), p.rxq(), p.ports));
        assert_eq!(i.max_ring_log2, p.max_ring_log2);
        assert_eq!(i.counters, regmap::counter_count(&p.dp));
        assert_eq!(i.blocks.len(), 5);
        assert_eq!(i.blocks[4].type_id, dma::DMA_TYPE_VALUE);
        let dp = nic.params();
        assert_eq!(dp.host_queues, p.txq());
        assert_eq!(dp.net_ingress, p.ports);
        assert_eq!(dp.targets, p.dp.targets);
        assert!(i.to_string().contains("receive queues"));
    }
}

#[test]
fn rejects_a_foreign_device() {
    let e = open_with(NicParams::narrow(), |s| s.poke(0, 0x1234_5678))
        .err()
        .unwrap();
    assert!(
        matches!(e, NicError::NotBiernic { found: 0x1234_5678 }),
        "{e}"
    );
}

#[test]
fn detects_a_loop_in_the_chain() {
    let e = open_with(NicParams::narrow(), |s| {
        s.poke(
            regmap::CNT_BASE + regmap::BLOCK_NEXT,
            u32::from(regmap::CTRL_BASE),
        )
    })
    .err()
    .unwrap();
    assert!(
        matches!(&e, NicError::Chain(m) if m.contains("loop")),
        "{e}"
    );
}

#[test]
fn rejects_misaligned_and_out_of_window_pointers() {
    for bad in [0x1002, 0x1_0000] {
        let e = open_with(NicParams::narrow(), |s| {
            s.poke(regmap::CTRL_BASE + regmap::BLOCK_NEXT, bad)
        })
        .err()
        .unwrap();
        assert!(matches!(e, NicError::Chain(_)), "{e}");
    }
}

#[test]
fn bounds_a_long_chain() {
    // 0x3000 -> 0x3010 -> 0x3020 ... never ends within MAX_BLOCKS.
    let e = open_with(NicParams::narrow(), |s| {
        s.poke(regmap::CNT_BASE + regmap::BLOCK_NEXT, 0x3000);
        for i in 0..MAX_BLOCKS as u32 + 2 {
            s.poke(0x3000 + 16 * i as u16 + regmap::BLOCK_NEXT, 0x3010 + 16 * i);
        }
    })
    .err()
    .unwrap();
    assert!(
        matches!(&e, NicError::Chain(m) if m.contains("more than")),
        "{e}"
    );
}

#[test]
fn requires_the_dma_block() {
    let e = open_with(NicParams::narrow(), |s| {
        s.poke(regmap::CNT_BASE + regmap::BLOCK_NEXT, 0)
    })
    .err()
    .unwrap();
    assert!(
        matches!(e, NicError::MissingBlock { name: "DMA", .. }),
        "{e}"
    );
    // A block of the wrong type where the DMA block should be.
    let e = open_with(NicParams::narrow(), |s| s.poke(dma::DMA_BASE, 0x4249_0099))
        .err()
        .unwrap();
    assert!(
        matches!(&e, NicError::MissingBlock { name: "DMA", found, .. } if found.contains("0x42490099")),
        "{e}"
    );
}

#[test]
fn checks_major_versions_only() {
    let e = open_with(NicParams::narrow(), |s| {
        s.poke(regmap::BIFT_BASE + regmap::BLOCK_VERSION, 0x0002_0000)
    })
    .err()
    .unwrap();
    assert!(matches!(e, NicError::Version { name: "BIFT", .. }), "{e}");
    assert!(open_with(NicParams::narrow(), |s| {
        s.poke(regmap::BIFT_BASE + regmap::BLOCK_VERSION, 0x0001_0007)
    })
    .is_ok());
}

#[test]
fn rejects_inconsistent_parameters() {
    let e = open_with(NicParams::narrow(), |s| s.poke(dma::DMA_PORTS, 3))
        .err()
        .unwrap();
    assert!(
        matches!(&e, NicError::Inconsistent(m) if m.contains("ports")),
        "{e}"
    );
    let e = open_with(NicParams::narrow(), |s| s.poke(regmap::ID_DATA_BYTES, 12))
        .err()
        .unwrap();
    assert!(
        matches!(&e, NicError::Inconsistent(m) if m.contains("data width")),
        "{e}"
    );
}

#[test]
fn rx_meta_decodes_the_completion_layout() {
    // len 1500, status 0, flags BIER|VLAN|phase, index 7, BFIR 0x1234;
    // entropy 0xABCDE, proto 6, BSL code 3; BIFT-id 0x10700.
    let w0 = 1500u64
        | u64::from(dma::CPL_F_BIER | dma::CPL_F_VLAN | dma::CPL_F_PHASE) << 24
        | 7 << 32
        | 0x1234 << 48;
    let w1 = (0xABCDEu64 | 6 << 20 | 3 << 26) | 0x10700 << 32;
    let m = RxMeta::from_raw(w0, w1);
    assert_eq!(m.len(), 1500);
    assert!(m.status().is_ok() && m.vlan() && m.bier());
    assert_eq!(m.index(), 7);
    assert_eq!(m.bfir_id(), 0x1234);
    assert_eq!((m.entropy(), m.proto(), m.bsl_code()), (0xABCDE, 6, 3));
    assert_eq!(m.bift_id(), 0x10700);
    assert_eq!(m.bitstring_offset(), 30);
    let m = RxMeta::from_raw(60 | 3 << 16, 0);
    assert_eq!(m.status(), CplStatus::TooSmall);
    assert!(!m.vlan() && !m.bier());
    assert_eq!(m.bitstring_offset(), 26);
}
