//! The host path end to end through the sim backend: the driver loads BIFTs through registers and
//! moves every frame through the DMA rings of the verilated NIC core; the reference forwarder
//! says what must come out of the ports and the receive queues.

use bier::bitstring::bfr_id;
use bier::config::TxQueue;
use bier::wire::{build_frame, parse_l2, Header, Repr};
use bier::{Bift, BitString, Bsl, Origin};
use biernic::nic::{CplStatus, Nic, NicError, JUMBO_BUF_SIZE};
use biernic::simdev::SimBackend;
use biernic_hw::regmap::{dma, Counter, DropReason};
use biernic_sim::Build;
use biernic_tests::host::{
    check_counters, check_meta, commit, compare_copies, counter, expected, fit_layout,
    random_nic_bift, write_shadow, HostRig, MAX_FRAME,
};
use biernic_tests::{make_frames, random_config, random_isolation, scale, Traffic};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const QUIET: usize = 40;
const MAX_ROUNDS: usize = 2_000_000;

fn moe_node() -> Bift {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/moe-node.toml");
    Bift::compile(&bier::Config::from_file(std::path::Path::new(path)).unwrap()).unwrap()
}

/// A BIER frame from `bfir` to `ids` (one set of `bift`), entropy `entropy`, `len` bytes.
fn bier_to(bift: &Bift, ids: &[u16], entropy: u32, len: usize, vlan: Option<u16>) -> Vec<u8> {
    let bsl = bift.bsl();
    let si = (ids[0] - 1) as usize / bsl.bits();
    let mut bs = BitString::zero(bsl);
    for &id in ids {
        bs.set((id - 1) as usize % bsl.bits() + 1, true);
    }
    let repr = Repr {
        bift_id: bift.bift_ids()[si],
        tc: 0,
        s: true,
        ttl: 64,
        entropy,
        oam: 0,
        dscp: 0,
        proto: 5,
        bfir_id: 77,
        bitstring: bs,
    };
    let head = 14 + vlan.map_or(0, |_| 4) + 12 + bsl.bytes();
    let payload: Vec<u8> = (0..len.saturating_sub(head)).map(|i| i as u8).collect();
    build_frame(
        [2, 0, 0, 0, 0, 1],
        [2, 0, 0, 0, 0, 2],
        vlan,
        &repr,
        &payload,
    )
}

/// The BFR-ids a copy is for (its BitString, in its set).
fn copy_bfr_ids(bift: &Bift, frame: &[u8]) -> Vec<u16> {
    let l2 = parse_l2(frame).unwrap();
    let r = Repr::parse(&Header::new_checked(&frame[l2.offset..]).unwrap()).unwrap();
    let si = bift.set_of(r.bift_id).unwrap() as u16;
    r.bitstring
        .iter_ones()
        .filter_map(|p| bfr_id(si, p as u16, r.bitstring.bsl()))
        .collect()
}

fn host_frames_round(build: Build, seed: u64, rounds: usize, frames: usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut rig = HostRig::new(build, 7, 7, 2048, true);
    let info = rig.info.clone();
    for round in 0..rounds {
        let bift = random_nic_bift(&mut rng, &info);
        rig.nic.load_bift(&bift).unwrap();
        rig.nic.clear_counters().unwrap();
        let q = rng.random_range(0..info.txq);
        let traffic = Traffic {
            frames,
            max_len: [200, 1514][round % 2],
            ..Traffic::default()
        };
        let f = make_frames(&bift, &traffic, seed * 100 + round as u64);
        let before = rig.txs[q].counters();
        rig.send(q, &f, [1, 8, 32][round % 3]).unwrap();
        rig.drain(QUIET, MAX_ROUNDS).unwrap();
        let input = rig.host_input(q, &f);
        let (want, counters) = expected(&bift, info.txq, &input);
        let (ports, rx) = rig.take();
        compare_copies(&want, &ports, &rx, true).unwrap_or_else(|e| {
            panic!(
                "{build:?} seed {seed} round {round} (queue {q}): {e}; rx errors {}, rxq {:?}; counters: {:?}",
                rig.rx_errors,
                rig.stats().rxq,
                check_counters(&rig.stats(), &counters)
            )
        });
        let mut bad = Vec::new();
        for (qq, gs) in rx.iter().enumerate() {
            for (i, g) in gs.iter().enumerate() {
                if let Err(e) = check_meta(g) {
                    bad.push(format!(
                        "rxq {qq} copy {i}/{} len {} vlan {}: {e}",
                        gs.len(),
                        g.data.len(),
                        g.meta.vlan()
                    ));
                }
            }
        }
        assert!(
            bad.is_empty(),
            "round {round}: {} bad: {}",
            bad.len(),
            bad.join("\n")
        );
        let s = rig.stats();
        check_counters(&s, &counters).unwrap_or_else(|e| panic!("round {round}: {e}"));
        let oversize = f.iter().filter(|f| f.len() > MAX_FRAME).count() as u64;
        let after = rig.txs[q].counters();
        assert_eq!(after.frames - before.frames, frames as u64 - oversize);
        assert_eq!(after.errors - before.errors, oversize);
        assert_eq!(after.bad_length - before.bad_length, oversize);
        assert_eq!(rig.rx_errors, 0);
    }
}

/// Frames from a transmit queue leave on the ports and reach the local queues exactly as the
/// reference forwarder says, for random tables loaded through the driver (narrow build).
#[test]
fn host_frames_leave_as_the_model_says_narrow() {
    host_frames_round(Build::NicNarrow, 1, 6, 150 * scale());
}

/// The same on the wide (512-bit) NIC.
#[test]
fn host_frames_leave_as_the_model_says_wide() {
    host_frames_round(Build::NicWide, 2, 3, 150 * scale());
}

/// BIER frames arriving on each port reach the right receive queues, with completion metadata
/// matching the frame and the copy's BitString holding exactly that queue's BFR-ids.
#[test]
fn port_frames_reach_the_right_receive_queues_with_metadata() {
    let bift = moe_node();
    let mut rig = HostRig::new(Build::NicWide, 7, 7, 2048, false);
    rig.nic.load_bift(&bift).unwrap();
    let info = rig.info.clone();
    // hand-made: BFR-ids 3 and 7 are gpu2 and gpu6 (queues 2 and 6), 100 is remote
    let f = bier_to(&bift, &[3, 7, 100], 0x1234, 300, Some(42));
    rig.inject(1, f.clone());
    rig.drain(QUIET, MAX_ROUNDS).unwrap();
    let (ports, rx) = rig.take();
    for (q, got) in rx.iter().enumerate() {
        match q {
            2 | 6 => {
                assert_eq!(got.len(), 1, "queue {q}");
                let ids = copy_bfr_ids(&bift, &got[0].data);
                assert_eq!(ids, vec![if q == 2 { 3 } else { 7 }], "queue {q}");
                let m = got[0].meta;
                assert!(m.bier() && m.vlan());
                assert_eq!((m.bfir_id(), m.entropy(), m.proto()), (77, 0x1234, 5));
                assert_eq!(m.bift_id(), bift.bift_ids()[0]);
                assert_eq!(m.bsl_code(), Bsl::B256.code());
                assert_eq!(m.len(), 300);
            }
            _ => assert!(got.is_empty(), "queue {q} got {} frames", got.len()),
        }
    }
    // the remote BFR-id goes out through a port (ECMP between p0 and p1 by entropy)
    assert_eq!(ports.iter().map(Vec::len).sum::<usize>(), 1);

    // random traffic on each port in turn, against the model
    for (p, seed) in [(0usize, 11u64), (1, 12)] {
        rig.nic.clear_counters().unwrap();
        let traffic = Traffic {
            frames: 200 * scale(),
            ..Traffic::default()
        };
        let frames = make_frames(&bift, &traffic, seed);
        for f in &frames {
            rig.inject(p, f.clone());
        }
        rig.drain(QUIET, MAX_ROUNDS).unwrap();
        let input: Vec<_> = frames
            .iter()
            .map(|f| (p, Origin::Network, f.clone()))
            .collect();
        let (want, counters) = expected(&bift, info.txq, &input);
        let (ports, rx) = rig.take();
        compare_copies(&want, &ports, &rx, true).unwrap_or_else(|e| panic!("port {p}: {e}"));
        let mut local = 0;
        for (q, got) in rx.iter().enumerate() {
            for g in got {
                check_meta(g).unwrap();
                if g.meta.bier() {
                    // a local copy carries exactly the BFR-ids its queue's F-BM holds
                    let ids = copy_bfr_ids(&bift, &g.data);
                    assert_eq!(ids, vec![q as u16 + 1], "queue {q}");
                    local += 1;
                }
            }
        }
        assert!(local > 50, "only {local} local copies");
        check_counters(&rig.stats(), &counters).unwrap();
    }
}

/// One frame from the host reaches a port and, in the same pass, another local queue.
#[test]
fn one_host_frame_reaches_a_port_and_another_local_queue() {
    let bift = moe_node();
    let mut rig = HostRig::new(Build::NicWide, 7, 7, 2048, false);
    rig.nic.load_bift(&bift).unwrap();
    // from transmit queue 0 (gpu0): to gpu4 (BFR-id 5), a remote GPU (100) and the rack
    // neighbour 250 (p1 only)
    let f = bier_to(&bift, &[5, 100, 250], 7, 1000, None);
    rig.send(0, std::slice::from_ref(&f), 1).unwrap();
    rig.drain(QUIET, MAX_ROUNDS).unwrap();
    let (ports, rx) = rig.take();
    assert_eq!(rx[4].len(), 1);
    assert_eq!(copy_bfr_ids(&bift, &rx[4][0].data), vec![5]);
    assert!(rx.iter().enumerate().all(|(q, g)| q == 4 || g.is_empty()));
    let mut remote: Vec<u16> = ports
        .iter()
        .flatten()
        .flat_map(|c| copy_bfr_ids(&bift, c))
        .collect();
    remote.sort();
    assert_eq!(remote, vec![100, 250]);
    assert!(ports[1]
        .iter()
        .any(|c| copy_bfr_ids(&bift, c).contains(&250)));
    let s = rig.stats();
    assert_eq!(counter(&s, Counter::RxFrames(rig.host_source())), 1);
    assert_eq!(counter(&s, Counter::Forwarded), 1);
    assert_eq!(s.txq[0].cons, 1);
    assert_eq!(s.rxq[4].cons, 1);
}

/// Frames whose last 8 bytes are a sequence number (so that every copy names its frame).
fn numbered(bift: &Bift, n: usize, seed: u64) -> Vec<Vec<u8>> {
    let t = Traffic {
        frames: n,
        min_len: 100,
        max_len: 400,
        malformed: 0.0,
        vlan: 0.3,
        stray_bits: 0.3,
        low_ttl: 0.05,
    };
    let mut f = make_frames(bift, &t, seed);
    for (i, fr) in f.iter_mut().enumerate() {
        let l = fr.len();
        fr[l - 8..].copy_from_slice(&(i as u64).to_be_bytes());
    }
    f
}

fn seq_of(copy: &[u8]) -> usize {
    u64::from_be_bytes(copy[copy.len() - 8..].try_into().unwrap()) as usize
}

/// Thousands of BIFT swaps during continuous traffic from a port and from the host: every
/// frame is forwarded wholly by the old or wholly by the new table, never a mix.
#[test]
fn hitless_swaps_during_traffic() {
    let mut rng = StdRng::seed_from_u64(21);
    let mut rig = HostRig::new(Build::NicNarrow, 6, 7, 512, false);
    let info = rig.info.clone();
    // two tables with the same set slots (so that both forward most frames), different F-BMs
    // and MACs
    let mut ca = random_config(&mut rng, &info.dataplane());
    fit_layout(&mut ca, &info);
    let a = Bift::compile(&ca).unwrap();
    let b = loop {
        let mut cb = random_config(&mut rng, &info.dataplane());
        cb.bsl = ca.bsl;
        cb.sub_domain = ca.sub_domain;
        cb.bift_ids = ca.bift_ids.clone();
        fit_layout(&mut cb, &info);
        if let Ok(b) = Bift::compile(&cb) {
            if b.bift_ids() == a.bift_ids() {
                break b;
            }
        }
    };
    let swaps = 2000;
    let per_swap = 2;
    let frames = numbered(&a, swaps * per_swap, 5);
    rig.nic.load_bift(&a).unwrap();
    write_shadow(&rig.nic, &b).unwrap();
    let mut active_is_a = true;
    let mut sources = vec![None; frames.len()];
    let mut next = 0;
    for s in 0..swaps {
        for _ in 0..per_swap {
            if next % 2 == 0 {
                rig.inject(0, frames[next].clone());
                sources[next] = Some((0, Origin::Network));
            } else {
                rig.send(1, std::slice::from_ref(&frames[next]), 1).unwrap();
                sources[next] = Some((rig.host_source(), Origin::Host(1)));
            }
            next += 1;
        }
        if s % 100 == 99 {
            // the operator's path: a full hitless load of the other table, then restore the
            // other one in the shadow bank
            let (now, other) = if active_is_a { (&b, &a) } else { (&a, &b) };
            rig.nic.load_bift(now).unwrap();
            write_shadow(&rig.nic, other).unwrap();
        } else {
            commit(&rig.nic).unwrap();
        }
        active_is_a = !active_is_a;
        rig.pump();
    }
    rig.drain(QUIET, MAX_ROUNDS).unwrap();
    let (ports, rx) = rig.take();
    // every copy by frame: (target, bytes)
    let mut got: Vec<Vec<(usize, Vec<u8>)>> = vec![Vec::new(); frames.len()];
    for (p, cs) in ports.iter().enumerate() {
        for c in cs {
            got[seq_of(c)].push((p, c.clone()));
        }
    }
    for (q, cs) in rx.iter().enumerate() {
        for c in cs {
            got[seq_of(&c.data)].push((info.ports + q, c.data.clone()));
        }
    }
    let (mut old_only, mut new_only) = (0, 0);
    for (i, f) in frames.iter().enumerate() {
        let (src, origin) = sources[i].unwrap();
        let one = [(src, origin, f.clone())];
        let by = |t: &Bift| {
            let (w, _) = expected(t, info.txq, &one);
            let mut v: Vec<(usize, Vec<u8>)> = w
                .into_iter()
                .enumerate()
                .flat_map(|(t, cs)| cs.into_iter().map(move |c| (t, c)))
                .collect();
            v.sort();
            v
        };
        let (wa, wb) = (by(&a), by(&b));
        let mut g = std::mem::take(&mut got[i]);
        g.sort();
        assert!(
            g == wa || g == wb,
            "frame {i}: {} copies to {:?}, table A makes {:?}, table B {:?}",
            g.len(),
            g.iter().map(|c| c.0).collect::<Vec<_>>(),
            wa.iter().map(|c| c.0).collect::<Vec<_>>(),
            wb.iter().map(|c| c.0).collect::<Vec<_>>()
        );
        if wa != wb {
            if g == wa {
                old_only += 1;
            } else {
                new_only += 1;
            }
        }
    }
    // the swaps really changed forwarding while traffic ran
    assert!(
        old_only > 100 && new_only > 100,
        "frames by table A only {old_only}, by table B only {new_only}"
    );
    let s = rig.stats();
    let rx_total: u64 = (0..=info.ports)
        .map(|i| counter(&s, Counter::RxFrames(i)))
        .sum();
    assert_eq!(rx_total, frames.len() as u64);
}

/// A full transmit ring, exhausted receive buffers and a stalled egress port: the NIC
/// backpressures, nothing is lost or duplicated, and the counters account for every frame.
#[test]
fn full_rings_exhausted_buffers_and_stalled_egress_lose_nothing() {
    let mut rng = StdRng::seed_from_u64(31);
    // 4-entry transmit rings; 8-entry receive rings with 16 buffers for both queues
    let mut rig = HostRig::new(Build::NicNarrow, 2, 3, 16, true);
    let info = rig.info.clone();
    let bift = loop {
        let b = random_nic_bift(&mut rng, &info);
        // a table with both ports and both local queues
        if b.targets().len() == info.targets {
            break b;
        }
    };
    rig.nic.load_bift(&bift).unwrap();
    let traffic = Traffic {
        frames: 300,
        malformed: 0.05,
        ..Traffic::default()
    };

    // 1. full transmit ring: send_batch takes what fits (at most 4), the rest waits
    let f = make_frames(&bift, &traffic, 1);
    rig.send(0, &f, 32).unwrap();
    rig.drain(QUIET, MAX_ROUNDS).unwrap();
    let input = rig.host_input(0, &f);
    let (want, _) = expected(&bift, info.txq, &input);
    let (ports, rx) = rig.take();
    compare_copies(&want, &ports, &rx, true).unwrap();

    // 2. receive buffers exhausted: the application holds every buffer; the NIC must wait
    rig.hold = true;
    let f2 = make_frames(&bift, &traffic, 2);
    for fr in &f2 {
        rig.inject(0, fr.clone());
    }
    for _ in 0..3000 {
        rig.pump();
    }
    let held = rig.held.len();
    assert!(held <= 16, "{held} frames held with 16 buffers");
    assert_eq!(rig.rx_pool.free_count(), 0, "every buffer is held");
    assert!(
        rig.sim_busy(),
        "the port still has frames waiting (the NIC backpressures instead of dropping)"
    );
    let s = rig.stats();
    assert!(s.rxq.iter().all(|r| r.drops == 0));
    assert!((0..info.targets).all(|t| counter(&s, Counter::StallDrops(t)) == 0));
    rig.hold = false;
    rig.held.clear(); // buffers back to the pool; the queues refill on the next recv_batch
    rig.drain(QUIET, MAX_ROUNDS).unwrap();
    let input2: Vec<_> = f2.iter().map(|f| (0, Origin::Network, f.clone())).collect();
    let (want2, _) = expected(&bift, info.txq, &input2);
    let (ports, rx) = rig.take();
    compare_copies(&want2, &ports, &rx, true).unwrap();

    // 3. port 0 stalled: its copies wait; transmit completions stop once everything is full
    rig.nic
        .with_backend(|s| s.nic().set_port_stalled(0, true))
        .unwrap();
    let f3 = make_frames(&bift, &traffic, 3);
    let mut sent = 0;
    let mut frames_buf = Vec::new();
    for _ in 0..4000 {
        if sent < f3.len() && frames_buf.is_empty() {
            if let Some(b) = rig.buf(&f3[sent]) {
                frames_buf.push(b);
                sent += 1;
            }
        }
        rig.txs[1].send_batch(&mut frames_buf).unwrap();
        rig.pump();
    }
    assert!(rig.ports[0].is_empty(), "a stalled port sent");
    assert!(sent < f3.len(), "the stall never pushed back on the host");
    rig.nic
        .with_backend(|s| s.nic().set_port_stalled(0, false))
        .unwrap();
    if !frames_buf.is_empty() {
        sent -= frames_buf.len();
        drop(frames_buf);
    }
    rig.send(1, &f3[sent..], 8).unwrap();
    rig.drain(QUIET, MAX_ROUNDS).unwrap();
    let input3 = rig.host_input(1, &f3);
    let (want3, _) = expected(&bift, info.txq, &input3);
    let (ports, rx) = rig.take();
    compare_copies(&want3, &ports, &rx, true).unwrap();

    // every frame of the three phases is accounted in the counters
    let mut all: Vec<_> = input.clone();
    all.extend(input2);
    all.extend(input3);
    let (_, all_counters) = expected(&bift, info.txq, &all);
    check_counters(&rig.stats(), &all_counters).unwrap();
    assert_eq!(rig.rx_errors, 0);
}

/// Tenant isolation: a transmit queue's frames reach only the BFR-ids it was granted; bits
/// outside its mask are cleared and counted, frames left with none are dropped and counted.
#[test]
fn a_queue_never_reaches_bfr_ids_outside_its_mask() {
    let mut config = bier::Config::from_file(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/moe-node.toml"
    )))
    .unwrap();
    // queue 0 may reach the local GPUs only, queue 1 the other nodes only; queue 2 is not
    // listed, so it may reach nothing
    config.tx_queues = vec![
        TxQueue {
            queue: 0,
            allow: (1..=8).collect(),
            loc: None,
        },
        TxQueue {
            queue: 1,
            allow: (9..=256).collect(),
            loc: None,
        },
    ];
    let bift = Bift::compile(&config).unwrap();
    let mut rig = HostRig::new(Build::NicWide, 7, 7, 2048, true);
    let info = rig.info.clone();
    rig.nic.load_bift(&bift).unwrap();
    let mut all = Vec::new();
    for q in 0..3 {
        let f = make_frames(
            &bift,
            &Traffic {
                frames: 150,
                ..Traffic::default()
            },
            40 + q as u64,
        );
        rig.send(q, &f, 16).unwrap();
        rig.drain(QUIET, MAX_ROUNDS).unwrap();
        let (ports, rx) = rig.take();
        let input = rig.host_input(q, &f);
        let (want, _) = expected(&bift, info.txq, &input);
        compare_copies(&want, &ports, &rx, true).unwrap_or_else(|e| panic!("queue {q}: {e}"));
        all.extend(input);
        let bier_copies = |v: &[Vec<u8>]| v.iter().filter(|c| copy_ok(c)).count();
        match q {
            0 => assert_eq!(
                ports.iter().map(|p| bier_copies(p)).sum::<usize>(),
                0,
                "queue 0 reached a port"
            ),
            1 => assert!(rx.iter().flatten().all(|g| !g.meta.bier())),
            _ => {
                assert_eq!(ports.iter().map(|p| bier_copies(p)).sum::<usize>(), 0);
                assert!(rx.iter().flatten().all(|g| !g.meta.bier()));
            }
        }
    }
    let (_, m) = expected(&bift, info.txq, &all);
    let s = rig.stats();
    check_counters(&s, &m).unwrap();
    assert!(counter(&s, Counter::Drops(DropReason::Isolated)) > 50);
    assert!((0..2).all(|q| counter(&s, Counter::IsoClipped(q)) > 20));

    // random grants on the narrow NIC, every queue, against the model
    let mut rng = StdRng::seed_from_u64(41);
    let mut rig = HostRig::new(Build::NicNarrow, 7, 7, 512, true);
    let info = rig.info.clone();
    for round in 0..4 {
        let mut c = random_config(&mut rng, &info.dataplane());
        fit_layout(&mut c, &info);
        random_isolation(&mut rng, &mut c, info.txq);
        let bift = Bift::compile(&c).unwrap();
        rig.nic.load_bift(&bift).unwrap();
        rig.nic.clear_counters().unwrap();
        let mut all = Vec::new();
        for q in 0..info.txq {
            let f = make_frames(
                &bift,
                &Traffic {
                    frames: 100,
                    ..Traffic::default()
                },
                round * 10 + q as u64,
            );
            rig.send(q, &f, 8).unwrap();
            rig.drain(QUIET, MAX_ROUNDS).unwrap();
            let input = rig.host_input(q, &f);
            let (want, _) = expected(&bift, info.txq, &input);
            let (ports, rx) = rig.take();
            compare_copies(&want, &ports, &rx, true)
                .unwrap_or_else(|e| panic!("round {round} queue {q}: {e}"));
            all.extend(input);
        }
        let (_, m) = expected(&bift, info.txq, &all);
        check_counters(&rig.stats(), &m).unwrap_or_else(|e| panic!("round {round}: {e}"));
    }
}

/// Whether a copy is a well-formed BIER frame (exception copies of non-BIER frames are not).
fn copy_ok(c: &[u8]) -> bool {
    parse_l2(c)
        .filter(|l| l.ethertype == bier::wire::ETHERTYPE_BIER)
        .and_then(|l| Header::new_checked(&c[l.offset..]).ok())
        .is_some()
}

/// Corrupt descriptors complete with an error status and are counted; wrong BIFTs are refused
/// with a clear error and leave the loaded table in place; the NIC keeps forwarding after each.
#[test]
fn bad_descriptors_and_wrong_bifts_leave_the_nic_working() {
    let mut rng = StdRng::seed_from_u64(51);
    let mut rig = HostRig::new(Build::NicNarrow, 5, 5, 128, true);
    let info = rig.info.clone();
    let bift = loop {
        let b = random_nic_bift(&mut rng, &info);
        if b.targets().len() == info.targets {
            break b;
        }
    };
    rig.nic.load_bift(&bift).unwrap();
    let good = make_frames(
        &bift,
        &Traffic {
            frames: 20,
            malformed: 0.0,
            ..Traffic::default()
        },
        7,
    );

    // transmit descriptors with a zero and an oversize length, between good frames
    let mut bufs = Vec::new();
    bufs.push(rig.buf(&good[0]).unwrap());
    let mut z = rig.tx_pool.alloc().unwrap();
    z.set_len(0);
    bufs.push(z);
    bufs.push(rig.buf(&good[1]).unwrap());
    let mut big = rig.tx_pool.alloc().unwrap();
    big.set_len(9100);
    bufs.push(big);
    bufs.push(rig.buf(&good[2]).unwrap());
    assert_eq!(rig.txs[0].send_batch(&mut bufs).unwrap(), 5);
    rig.drain(QUIET, MAX_ROUNDS).unwrap();
    let fails = rig.txs[0].take_failures();
    assert_eq!(
        fails
            .iter()
            .map(|f| (f.index, f.status))
            .collect::<Vec<_>>(),
        vec![(1, CplStatus::BadLength), (3, CplStatus::BadLength)]
    );
    assert_eq!(rig.txs[0].counters().errors, 2);
    let s = rig.stats();
    assert_eq!(s.txq[0].errors, 2);
    assert_eq!(s.txq[0].cons, 5);
    assert_eq!(counter(&s, Counter::RxFrames(rig.host_source())), 3);
    let (ports, rx) = rig.take();
    let input = rig.host_input(0, &good[..3]);
    let (want, _) = expected(&bift, info.txq, &input);
    compare_copies(&want, &ports, &rx, true).unwrap();

    // wrong BIFTs: too big for the build, targets in another order, a BSL the build lacks
    let mut c = random_config(&mut rng, &info.dataplane());
    fit_layout(&mut c, &info);
    let last = c.targets.len() - 1;
    c.targets.swap(0, last);
    if let Ok(wrong) = Bift::compile(&c) {
        let e = rig.nic.load_bift(&wrong).unwrap_err();
        assert!(matches!(e, NicError::Layout(_)), "{e}");
        assert!(e.to_string().contains("target 0"), "{e}");
    }
    let mut c = moe_node().config().clone();
    c.bsl = Bsl::B512;
    let wide_only = Bift::compile(&c).unwrap();
    let e = rig.nic.load_bift(&wide_only).unwrap_err();
    assert!(e.to_string().contains("does not fit"), "{e}");
    assert!(rig.nic.read_bift().unwrap().differences(&bift).is_empty());

    // the NIC still forwards with the loaded table
    rig.nic.clear_counters().unwrap();
    rig.send(1, &good, 4).unwrap();
    rig.drain(QUIET, MAX_ROUNDS).unwrap();
    let input = rig.host_input(1, &good);
    let (want, m) = expected(&bift, info.txq, &input);
    let (ports, rx) = rig.take();
    compare_copies(&want, &ports, &rx, true).unwrap();
    check_counters(&rig.stats(), &m).unwrap();
}

/// A receive buffer too small for the frame: the completion says so, the frame is counted,
/// and the next frame that fits arrives.
#[test]
fn a_too_small_receive_buffer_is_reported_and_the_queue_keeps_running() {
    let bift = moe_node();
    let nic = Nic::open(SimBackend::new(Build::NicWide).unwrap()).unwrap();
    nic.load_bift(&bift).unwrap();
    let pool = nic.mempool(64, 128).unwrap();
    let mut rx = nic.rx_queue(0, 4, &pool).unwrap();
    for len in [600, 100] {
        let f = bier_to(&bift, &[1], 3, len, None);
        nic.with_backend(|s| s.nic().inject(0, f)).unwrap();
    }
    let mut out = Vec::new();
    for _ in 0..2000 {
        rx.recv_batch(8, &mut out).unwrap();
        if out.len() == 2 {
            break;
        }
    }
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].status(), CplStatus::TooSmall);
    assert_eq!(out[1].status(), CplStatus::Ok);
    assert_eq!(out[1].to_vec().len(), 100);
    let s = nic.stats().unwrap();
    assert_eq!(s.rxq[0].errors, 1);
    assert_eq!(rx.counters().too_small, 1);
    drop(out);
    drop(rx);
    nic.shutdown().unwrap();
}

/// Shutdown with frames in flight: a queue's `shutdown` returns only once the DMA engine is
/// idle (then frees its rings and buffers), and no DMA happens after the last one.
#[test]
fn shutdown_with_frames_in_flight_leaves_no_dma() {
    let bift = moe_node();
    let nic = Nic::open(SimBackend::new(Build::NicWide).unwrap()).unwrap();
    nic.load_bift(&bift).unwrap();
    let pool = nic.mempool(256, JUMBO_BUF_SIZE).unwrap();
    let rpool = nic.mempool(256, JUMBO_BUF_SIZE).unwrap();
    let mut tx = nic.tx_queue(0, 7).unwrap();
    let rx = nic.rx_queue(1, 7, &rpool).unwrap();
    let mut bufs: Vec<_> = (0..100)
        .map(|i| {
            let mut b = pool.alloc().unwrap();
            b.fill(&bier_to(&bift, &[2, 9], i, 8000, None));
            b
        })
        .collect();
    assert_eq!(tx.send_batch(&mut bufs).unwrap(), 100);
    assert!(tx.in_flight() > 90, "frames in flight");
    tx.shutdown().unwrap();
    rx.shutdown().unwrap();
    // every buffer is back in its pool, and the engine stays idle
    assert_eq!(pool.free_count(), 256);
    assert_eq!(rpool.free_count(), 256);
    let (before, after, status) = nic.with_backend(|s| {
        use biernic::backend::Backend;
        let before = s.nic().dma_bytes();
        s.nic().run(20_000).unwrap();
        (
            before,
            s.nic().dma_bytes(),
            s.read32(dma::DMA_STATUS).unwrap(),
        )
    });
    assert_eq!(before, after, "DMA after shutdown");
    assert_eq!(status & 1, 0);
    let st = nic.stats().unwrap();
    assert_eq!(
        st.txq[0].errors, 0,
        "no DMA fault: nothing touched freed memory"
    );
    nic.shutdown().unwrap();
}
