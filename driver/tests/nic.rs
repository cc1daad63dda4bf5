//! The driver's device API against the software device: round trips, wrap-around, full rings,
//! exhausted buffers, every completion error, shutdown with frames in flight, metadata,
//! BIFT load and readback, counters.

use bier::wire::{build_frame, Repr};
use bier::{Bift, BitString, Bsl};
use biernic::nic::{
    CplStatus, Nic, NicError, PacketBuf, RxFrame, DEFAULT_BUF_SIZE, JUMBO_BUF_SIZE,
};
use biernic::soft::{QueueKind, SoftNic};
use biernic_hw::regmap::{dma, Counter};
use biernic_hw::NicParams;

fn narrow() -> Nic<SoftNic> {
    Nic::open(SoftNic::new(NicParams::narrow())).unwrap()
}

/// A frame whose bytes encode `i`.
fn frame(i: usize, len: usize) -> Vec<u8> {
    (0..len).map(|k| (i * 7 + k) as u8).collect()
}

fn bufs(pool: &biernic::nic::Mempool, frames: &[Vec<u8>]) -> Vec<PacketBuf> {
    frames
        .iter()
        .map(|f| {
            let mut b = pool.alloc().expect("pool empty");
            b.fill(f);
            b
        })
        .collect()
}

fn recv_all(nic: &Nic<SoftNic>, rx: &mut biernic::nic::RxQueue<SoftNic>, n: usize) -> Vec<RxFrame> {
    let mut out = Vec::new();
    for _ in 0..10_000 {
        if out.len() >= n {
            break;
        }
        rx.recv_batch(64, &mut out).unwrap();
        nic.service().unwrap();
    }
    out
}

#[test]
fn send_and_receive_round_trip() {
    let nic = narrow();
    let pool = nic.mempool(256, DEFAULT_BUF_SIZE).unwrap();
    let mut tx = nic.tx_queue(1, 6).unwrap();
    let frames: Vec<Vec<u8>> = (0..10).map(|i| frame(i, 60 + i * 100)).collect();
    let mut b = bufs(&pool, &frames);
    assert_eq!(tx.send_batch(&mut b).unwrap(), 10);
    assert!(b.is_empty());
    for _ in 0..4 {
        tx.reap().unwrap();
    }
    assert_eq!(tx.in_flight(), 0);
    assert_eq!(tx.counters().frames, 10);
    // transmit queue 1 leaves on port 1
    assert_eq!(nic.with_backend(|s| s.take_port(1)), frames);
    assert!(nic.with_backend(|s| s.take_port(0)).is_empty());
    assert_eq!(pool.free_count(), 256);

    let rpool = nic.mempool(128, DEFAULT_BUF_SIZE).unwrap();
    let mut rx = nic.rx_queue(0, 6, &rpool).unwrap();
    assert_eq!(rx.posted(), 64);
    nic.with_backend(|s| frames.iter().for_each(|f| s.inject(0, f.clone())));
    let got = recv_all(&nic, &mut rx, 10);
    assert_eq!(got.len(), 10);
    for (f, want) in got.iter().zip(&frames) {
        assert_eq!(f.status(), CplStatus::Ok);
        assert_eq!(f.meta().len(), want.len());
        assert_eq!(&f.to_vec(), want);
    }
    assert_eq!(rx.counters().frames, 10);
    let st = nic.stats().unwrap();
    assert_eq!(st.get(Counter::TxFrames(1)), Some(10));
    assert_eq!(st.get(Counter::TxFrames(2)), Some(10)); // target ports + 0 = rx queue 0
    assert_eq!(st.txq[1].cons, 10);
    assert_eq!(st.rxq[0].cons, 10);
    assert_eq!(st.rxq[0].errors, 0);
    nic.clear_counters().unwrap();
    assert_eq!(nic.stats().unwrap().get(Counter::TxFrames(1)), Some(0));
    drop(got);
    drop(rx);
    drop(tx);
    nic.shutdown().unwrap();
}

#[test]
fn rings_wrap_many_times() {
    let nic = narrow();
    let pool = nic.mempool(64, DEFAULT_BUF_SIZE).unwrap();
    let rpool = nic.mempool(16, DEFAULT_BUF_SIZE).unwrap();
    // 4-entry rings: 1000 frames flip the phase 250 times.
    let mut tx = nic.tx_queue(0, 2).unwrap();
    let mut rx = nic.rx_queue(1, 2, &rpool).unwrap();
    let mut sent = Vec::new();
    let mut got = Vec::new();
    let mut pending: Vec<PacketBuf> = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    while got.len() < 1000 {
        while pending.len() < 3 && next < 1000 {
            let f = frame(next, 64 + next % 200);
            let mut b = pool.alloc().unwrap();
            b.fill(&f);
            pending.push(b);
            sent.push(f);
            next += 1;
        }
        tx.send_batch(&mut pending).unwrap();
        let port = nic.with_backend(|s| s.take_port(0));
        nic.with_backend(|s| port.into_iter().for_each(|f| s.inject(1, f)));
        rx.recv_batch(3, &mut out).unwrap();
        got.extend(out.drain(..).map(|f| {
            assert_eq!(f.status(), CplStatus::Ok);
            f.to_vec()
        }));
    }
    assert_eq!(got, sent);
    assert_eq!(tx.counters().frames, 1000);
    assert_eq!(rx.counters().frames, 1000);
    let st = nic.stats().unwrap();
    assert_eq!(st.txq[0].cons, 1000);
    assert_eq!(st.rxq[1].cons, 1000);
    while tx.in_flight() > 0 {
        tx.reap().unwrap();
    }
    assert_eq!(pool.free_count(), 64);
    assert_eq!(nic.with_backend(|s| s.unmapped_accesses()), 0);
}

#[test]
fn a_full_ring_takes_what_fits_and_loses_nothing() {
    let nic = narrow();
    nic.with_backend(|s| s.set_fetch_budget(1));
    let pool = nic.mempool(64, DEFAULT_BUF_SIZE).unwrap();
    let mut tx = nic.tx_queue(0, 3).unwrap();
    let frames: Vec<Vec<u8>> = (0..20).map(|i| frame(i, 100)).collect();
    let mut b = bufs(&pool, &frames);
    assert_eq!(tx.send_batch(&mut b).unwrap(), 8);
    assert_eq!(b.len(), 12);
    // The first frame still waiting is frame 8.
    assert_eq!(b[0].to_vec(), frames[8]);
    // The device is slow: a second batch right away finds at most a slot or two.
    let n = tx.send_batch(&mut b).unwrap();
    assert!(n < 12, "took {n}");
    let mut rounds = 0;
    while !b.is_empty() || tx.in_flight() > 0 {
        tx.send_batch(&mut b).unwrap();
        rounds += 1;
        assert!(rounds < 1000);
    }
    assert_eq!(nic.with_backend(|s| s.take_port(0)), frames);
    assert_eq!(pool.free_count(), 64);
}

#[test]
fn exhausted_receive_buffers_hold_frames_until_returned() {
    let nic = narrow();
    let rpool = nic.mempool(8, DEFAULT_BUF_SIZE).unwrap();
    let mut rx = nic.rx_queue(0, 3, &rpool).unwrap();
    assert_eq!(rx.posted(), 8);
    assert_eq!(rpool.free_count(), 0);
    let frames: Vec<Vec<u8>> = (0..20).map(|i| frame(i, 80)).collect();
    nic.with_backend(|s| frames.iter().for_each(|f| s.inject(0, f.clone())));
    let mut held = Vec::new();
    for _ in 0..10 {
        rx.recv_batch(32, &mut held).unwrap();
    }
    // All buffers are held by the application: no more frames, none lost.
    assert_eq!(held.len(), 8);
    assert_eq!(rx.posted(), 0);
    assert_eq!(nic.with_backend(|s| s.pending(0)), 12);
    let mut got: Vec<Vec<u8>> = held.drain(..).map(|f| f.to_vec()).collect();
    let mut out = Vec::new();
    for _ in 0..100 {
        rx.recv_batch(32, &mut out).unwrap();
        got.extend(out.drain(..).map(|f| f.to_vec()));
    }
    assert_eq!(got, frames);
    assert_eq!(nic.stats().unwrap().rxq[0].drops, 0);
}

#[test]
fn a_disabled_receive_queue_drops_and_counts() {
    let nic = narrow();
    nic.with_backend(|s| s.inject(1, frame(0, 64)));
    assert_eq!(nic.stats().unwrap().rxq[1].drops, 1);
}

#[test]
fn every_transmit_error_is_reported_and_the_queue_keeps_running() {
    let nic = narrow();
    let pool = nic.mempool(32, JUMBO_BUF_SIZE).unwrap();
    let mut tx = nic.tx_queue(0, 4).unwrap();
    let mut b = Vec::new();
    let mut zero = pool.alloc().unwrap();
    zero.set_len(0);
    b.push(zero);
    let mut big = pool.alloc().unwrap();
    big.set_len(9019);
    b.push(big);
    b.extend(bufs(&pool, &[frame(1, 64), frame(2, 64), frame(3, 64)]));
    // Injected faults apply to the next descriptors fetched, in order (0 = none).
    nic.with_backend(|s| {
        s.inject_fault(QueueKind::Tx, 0, dma::CPL_STATUS_BAD_ADDRESS);
        s.inject_fault(QueueKind::Tx, 0, 0);
        s.inject_fault(QueueKind::Tx, 0, 0);
        s.inject_fault(QueueKind::Tx, 0, dma::CPL_STATUS_DMA_ERROR);
    });
    // Descriptor 0 (length 0) gets BAD_ADDRESS, 1 (9019 bytes) is a length error, 2 (frame 1)
    // is sent, 3 (frame 2) gets DMA_ERROR, 4 (frame 3) is sent.
    assert_eq!(tx.send_batch(&mut b).unwrap(), 5);
    for _ in 0..4 {
        tx.reap().unwrap();
    }
    let f = tx.take_failures();
    let st: Vec<(u16, CplStatus)> = f.iter().map(|c| (c.index, c.status)).collect();
    assert_eq!(
        st,
        [
            (0, CplStatus::BadAddress),
            (1, CplStatus::BadLength),
            (3, CplStatus::DmaError)
        ]
    );
    let c = tx.counters();
    assert_eq!((c.frames, c.errors), (2, 3));
    assert_eq!((c.bad_address, c.bad_length, c.dma_error), (1, 1, 1));
    assert_eq!(nic.stats().unwrap().txq[0].errors, 3);
    // zero length alone is a length error too
    let mut z = pool.alloc().unwrap();
    z.set_len(0);
    let mut b = vec![z];
    tx.send_batch(&mut b).unwrap();
    for _ in 0..3 {
        tx.reap().unwrap();
    }
    assert_eq!(tx.take_failures()[0].status, CplStatus::BadLength);
    // and the queue still sends
    let mut b = bufs(&pool, &[frame(9, 1500)]);
    tx.send_batch(&mut b).unwrap();
    for _ in 0..3 {
        tx.reap().unwrap();
    }
    let port = nic.with_backend(|s| s.take_port(0));
    assert_eq!(port, vec![frame(1, 64), frame(3, 64), frame(9, 1500)]);
    assert_eq!(tx.counters().frames, 3);
    assert_eq!(pool.free_count(), 32);
}

#[test]
fn every_receive_error_is_reported_and_the_queue_keeps_running() {
    let nic = narrow();
    let rpool = nic.mempool(32, DEFAULT_BUF_SIZE).unwrap();
    let mut rx = nic.rx_queue(1, 4, &rpool).unwrap();
    nic.with_backend(|s| {
        s.inject(1, frame(0, 3000)); // too small
        s.inject(1, frame(1, 100));
    });
    let mut out = Vec::new();
    for _ in 0..3 {
        rx.recv_batch(8, &mut out).unwrap();
    }
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].status(), CplStatus::TooSmall);
    assert_eq!(out[0].meta().len(), 3000);
    assert!(out[0].buf().is_empty());
    assert_eq!(out[1].to_vec(), frame(1, 100));
    // Faults apply to descriptors fetched after they are injected: recycle the ring once.
    out.clear();
    nic.with_backend(|s| {
        for _ in 0..16 {
            s.inject(1, frame(2, 60));
        }
    });
    for _ in 0..5 {
        rx.recv_batch(64, &mut out).unwrap();
    }
    assert_eq!(out.len(), 16);
    out.clear();
    nic.with_backend(|s| {
        s.inject_fault(QueueKind::Rx, 1, dma::CPL_STATUS_BAD_ADDRESS);
        s.inject_fault(QueueKind::Rx, 1, dma::CPL_STATUS_DMA_ERROR);
    });
    // The two faults land on the next two descriptors fetched (posted by the refill above,
    // which the device fetches at the next service).
    let mut seen = Vec::new();
    for i in 0..40 {
        nic.with_backend(|s| s.inject(1, frame(10 + i, 70)));
        rx.recv_batch(64, &mut out).unwrap();
        seen.extend(out.drain(..).map(|f| f.status()));
    }
    for _ in 0..5 {
        rx.recv_batch(64, &mut out).unwrap();
        seen.extend(out.drain(..).map(|f| f.status()));
    }
    assert_eq!(seen.len(), 40);
    assert_eq!(
        seen.iter().filter(|s| **s == CplStatus::BadAddress).count(),
        1
    );
    assert_eq!(
        seen.iter().filter(|s| **s == CplStatus::DmaError).count(),
        1
    );
    assert_eq!(seen.iter().filter(|s| s.is_ok()).count(), 38);
    let c = rx.counters();
    assert_eq!(
        (c.too_small, c.bad_address, c.dma_error, c.errors),
        (1, 1, 1, 3)
    );
    assert_eq!(nic.stats().unwrap().rxq[1].errors, 3);
}

#[test]
fn shutdown_with_frames_in_flight_frees_memory_only_when_idle() {
    let nic = narrow();
    let pool = nic.mempool(64, DEFAULT_BUF_SIZE).unwrap();
    let rpool = nic.mempool(64, DEFAULT_BUF_SIZE).unwrap();
    let mut tx = nic.tx_queue(0, 5).unwrap();
    let rx = nic.rx_queue(0, 5, &rpool).unwrap();
    let regions = nic.with_backend(|s| s.mapped_regions());
    let mut b = bufs(&pool, &(0..20).map(|i| frame(i, 200)).collect::<Vec<_>>());
    tx.send_batch(&mut b).unwrap();
    nic.service().unwrap(); // the device fetches: transfers in flight
    nic.with_backend(|s| {
        s.inject(0, frame(1, 100));
        s.inject(0, frame(2, 100));
    });
    nic.service().unwrap(); // completes the first batch, pairs the frames with buffers
    nic.with_backend(|s| assert!(s.in_flight() > 0));
    tx.shutdown().unwrap();
    rx.shutdown().unwrap();
    nic.with_backend(|s| {
        assert_eq!(s.in_flight(), 0);
        assert_eq!(s.unmapped_accesses(), 0);
        // 2 rings x 2 queues freed
        assert_eq!(s.mapped_regions(), regions - 4);
        assert_eq!(s.take_port(0).len(), 20);
    });
    // posted and in-flight buffers went back to their pools
    assert_eq!(pool.free_count(), 64);
    assert_eq!(rpool.free_count(), 64);
    nic.shutdown().unwrap();
}

#[test]
fn nic_shutdown_stops_live_queues() {
    let nic = narrow();
    let pool = nic.mempool(16, DEFAULT_BUF_SIZE).unwrap();
    let mut tx = nic.tx_queue(0, 4).unwrap();
    let mut b = bufs(&pool, &[frame(0, 64), frame(1, 64)]);
    tx.send_batch(&mut b).unwrap();
    nic.service().unwrap();
    assert_eq!(nic.with_backend(|s| s.unmapped_accesses()), 0);
    nic.shutdown().unwrap();
    // The queue is disabled under its handle: it takes no more frames, and says why.
    let mut b = bufs(&pool, &[frame(2, 64)]);
    let e = tx.send_batch(&mut b).err().unwrap();
    assert!(matches!(e, NicError::Stopped { q: 0, .. }), "{e}");
    assert_eq!(b.len(), 1, "the frame stays with the caller");
    drop(tx);
}

#[test]
fn a_hung_engine_leaks_instead_of_freeing() {
    let nic = narrow();
    let pool = nic.mempool(16, DEFAULT_BUF_SIZE).unwrap();
    let mut tx = nic.tx_queue(0, 4).unwrap();
    let mut b = bufs(&pool, &[frame(0, 64)]);
    tx.send_batch(&mut b).unwrap();
    let regions = nic.with_backend(|s| {
        s.set_stuck_busy(true);
        s.mapped_regions()
    });
    let e = tx.shutdown().err().unwrap();
    assert!(matches!(e, NicError::NotIdle { .. }), "{e}");
    // rings still mapped (leaked), the in-flight buffer never returned to the pool
    assert_eq!(nic.with_backend(|s| s.mapped_regions()), regions);
    assert_eq!(pool.free_count(), 15);
    assert!(matches!(nic.shutdown(), Err(NicError::NotIdle { .. })));
}

#[test]
fn queue_setup_errors() {
    let nic = narrow();
    let pool = nic.mempool(16, DEFAULT_BUF_SIZE).unwrap();
    let tx = nic.tx_queue(0, 4).unwrap();
    assert!(matches!(
        nic.tx_queue(0, 4),
        Err(NicError::QueueInUse { q: 0, .. })
    ));
    drop(tx);
    assert!(nic.tx_queue(0, 4).is_ok());
    assert!(matches!(
        nic.tx_queue(2, 4),
        Err(NicError::NoQueue { count: 2, .. })
    ));
    assert!(matches!(
        nic.rx_queue(5, 4, &pool),
        Err(NicError::NoQueue { .. })
    ));
    assert!(matches!(nic.tx_queue(1, 0), Err(NicError::RingSize { .. })));
    assert!(matches!(
        nic.tx_queue(1, 13),
        Err(NicError::RingSize { max: 12, .. })
    ));
    assert!(matches!(nic.mempool(4, 1000), Err(NicError::Pool(_))));
    assert!(matches!(nic.mempool(0, 2048), Err(NicError::Pool(_))));
}

fn bier_frame(vlan: Option<u16>, bsl: Bsl, bits: &[usize], bift_id: u32) -> Vec<u8> {
    let mut bs = BitString::zero(bsl);
    for &b in bits {
        bs.set(b, true);
    }
    let repr = Repr {
        bift_id,
        tc: 1,
        s: true,
        ttl: 63,
        entropy: 0xABCDE,
        oam: 0,
        dscp: 10,
        proto: bier::wire::proto::IPV6,
        bfir_id: 0x0BEE,
        bitstring: bs,
    };
    build_frame(
        [2, 0, 0, 0, 0, 1],
        [2, 0, 0, 0, 0, 2],
        vlan,
        &repr,
        &[0x60; 40],
    )
}

#[test]
fn receive_metadata_and_local_bfr_ids() {
    let nic = Nic::open(SoftNic::new(NicParams::wide())).unwrap();
    let bift = Bift::from_toml(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/moe-node.toml"
        ))
        .unwrap(),
        None,
    )
    .unwrap();
    let rpool = nic.mempool(64, DEFAULT_BUF_SIZE).unwrap();
    let mut rx = nic.rx_queue(3, 4, &rpool).unwrap();
    let id0 = bift.bift_ids()[0];
    nic.with_backend(|s| {
        s.inject(3, bier_frame(None, Bsl::B256, &[4], id0));
        s.inject(3, bier_frame(Some(0x0064), Bsl::B256, &[1, 4, 8], id0));
        s.inject(3, frame(0, 64)); // not BIER
    });
    let out = recv_all(&nic, &mut rx, 3);
    assert_eq!(out.len(), 3);
    let m = out[0].meta();
    assert!(m.bier() && !m.vlan());
    assert_eq!(
        (m.bfir_id(), m.entropy(), m.proto(), m.bsl_code()),
        (0x0BEE, 0xABCDE, 6, 3)
    );
    assert_eq!(m.bift_id(), id0);
    assert_eq!(out[0].bit_positions(), [4]);
    assert_eq!(out[0].bfr_ids(&bift), Some(vec![4]));
    let m = out[1].meta();
    assert!(m.bier() && m.vlan());
    assert_eq!(m.bitstring_offset(), 30);
    assert_eq!(out[1].bfr_ids(&bift), Some(vec![1, 4, 8]));
    assert!(!out[2].meta().bier());
    assert_eq!(out[2].bitstring(), None);
    assert_eq!(out[2].bfr_ids(&bift), None);
}

#[test]
fn load_and_read_back_the_bift() {
    let nic = Nic::open(SoftNic::new(NicParams::wide())).unwrap();
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/moe-node.toml"
    ))
    .unwrap();
    let bift = Bift::from_toml(&text, None).unwrap();
    nic.load_bift(&bift).unwrap();
    let d = nic.read_bift().unwrap();
    assert!(d.shadow_in_sync);
    assert_eq!(d.active_bank, 1);
    assert_eq!(d.bsl_bits, Some(bift.bsl().bits()));
    assert_eq!(d.buckets, bift.buckets());
    let valid: Vec<u32> = d.sets.iter().flatten().copied().collect();
    assert_eq!(valid, bift.bift_ids());
    for r in &d.rows {
        let want: Vec<usize> = if r.target < bift.targets().len() {
            bift.fbm(r.set, r.bucket, r.target).iter_ones().collect()
        } else {
            Vec::new()
        };
        assert_eq!(
            r.positions, want,
            "set {} bucket {} target {}",
            r.set, r.bucket, r.target
        );
    }
    assert_eq!(
        d.rows.len(),
        bift.sets() * bift.buckets() * nic.info().targets
    );
    assert!(d.targets[2].local && !d.targets[0].local);
    assert!(d.targets[0].rewrite_src);
    assert_eq!(d.targets[0].mac, [0x02, 0xb1, 0xe5, 0, 0, 0]);
    let text_out = d.to_string();
    assert!(text_out.contains("BIFT-id"), "{text_out}");

    // A second table replaces the first (the banks swap again).
    let bift2 = Bift::from_toml(
        "sub_domain = 1\nbsl = 64\n[[target]]\nname = \"p\"\nkind = \"port\"\nport = 0\n[[entry]]\nbfr_ids = \"3\"\nvia = [\"p\"]\n",
        None,
    )
    .unwrap();
    nic.load_bift(&bift2).unwrap();
    let d = nic.read_bift().unwrap();
    assert_eq!(d.active_bank, 0);
    assert_eq!(d.bsl_bits, Some(64));
    assert_eq!(d.sets.iter().flatten().count(), 1);
    let ones: Vec<&biernic::nic::FbmRow> =
        d.rows.iter().filter(|r| !r.positions.is_empty()).collect();
    assert_eq!(ones.len(), 1);
    assert_eq!((ones[0].target, &ones[0].positions), (0, &vec![3]));

    // Targets in another order than the NIC's (a local queue first): refused, naming it.
    let e = nic
        .load_bift(
            &Bift::from_toml(
                "sub_domain = 1\nbsl = 64\n[[target]]\nname = \"g\"\nkind = \"local\"\nqueue = 0\n[[entry]]\nbfr_ids = \"3\"\nvia = [\"g\"]\n",
                None,
            )
            .unwrap(),
        )
        .err()
        .unwrap();
    assert!(matches!(e, NicError::Layout(_)), "{e}");
    assert!(
        e.to_string().contains("target 0 (\"g\") is local queue 0"),
        "{e}"
    );

    // Does not fit the narrow build (10 targets > 4).
    let e = narrow().load_bift(&bift).err().unwrap();
    assert!(e.to_string().contains("targets"), "{e}");
}

#[test]
fn counters_count_bytes_and_frames() {
    let nic = narrow();
    let pool = nic.mempool(16, DEFAULT_BUF_SIZE).unwrap();
    let mut tx = nic.tx_queue(0, 4).unwrap();
    nic.with_backend(|s| s.set_keep_tx(false));
    for _ in 0..1000 {
        let mut b = bufs(&pool, &[frame(0, 1500)]);
        tx.send_batch(&mut b).unwrap();
        tx.reap().unwrap();
    }
    while tx.in_flight() > 0 {
        tx.reap().unwrap();
    }
    assert!(nic.with_backend(|s| s.take_port(0)).is_empty());
    let st = nic.stats().unwrap();
    assert_eq!(st.get(Counter::TxBytes(0)), Some(1_500_000));
    assert_eq!(st.get(Counter::Forwarded), Some(1000));
    assert!(st.to_string().contains("tx_bytes[0]"));
}
