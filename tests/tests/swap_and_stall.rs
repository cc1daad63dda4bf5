//! Hitless BIFT bank swaps in the middle of traffic, lossless backpressure from a stalled target, and drop mode.

use bier::config::OnStall;
use bier::Bift;
use biernic_sim::regmap::Counter;
use biernic_sim::Build;
use biernic_tests::{compare, make_frames, random_config, scale, Rig, Traffic};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Frames valid for both tables, interleaved.
fn mixed_frames(a: &Bift, b: &Bift, n: usize, seed: u64) -> Vec<Vec<u8>> {
    let t = Traffic {
        frames: n,
        max_len: 600,
        ..Traffic::default()
    };
    let fa = make_frames(a, &t, seed);
    let fb = make_frames(b, &t, seed + 1);
    fa.into_iter()
        .zip(fb)
        .enumerate()
        .map(|(i, (x, y))| if i % 2 == 0 { x } else { y })
        .collect()
}

#[test]
fn bank_swaps_mid_traffic_use_one_table_per_frame() {
    let mut rig = Rig::new(Build::Wide, 3);
    let mut rng = StdRng::seed_from_u64(3);
    rig.dp.set_backpressure(0.2).unwrap();
    rig.dp.set_idle_probability(0.1).unwrap();
    let mut current = Bift::compile(&random_config(&mut rng, &rig.params)).unwrap();
    rig.load(&current);
    let swaps = 12 * scale();
    let mut switched_mid_batch = 0;
    for swap in 0..swaps {
        let next = Bift::compile(&random_config(&mut rng, &rig.params)).unwrap();
        // Traffic flows while the shadow bank is rewritten...
        let mut sent = rig
            .queue(
                mixed_frames(&current, &next, 150, swap as u64 * 7),
                swap as u64,
            )
            .unwrap();
        rig.dp.run(rng.random_range(0..500)).unwrap();
        rig.write_shadow(&next);
        // ... and while the banks swap.
        let more = rig
            .queue(
                mixed_frames(&current, &next, 150, swap as u64 * 7 + 3),
                swap as u64 + 1,
            )
            .unwrap();
        sent.frames.extend(more.frames);
        sent.ids.extend(more.ids);
        sent.tusers.extend(more.tusers);
        rig.dp.run(rng.random_range(0..1500)).unwrap();
        biernic::program::commit(&mut rig.dp).unwrap();
        rig.drain(Rig::budget(&sent)).unwrap();
        let order = rig.pipeline_order(&sent).unwrap();
        let got = rig.take_copies();
        // Some switch point k: frames before it (in pipeline order) used the old table, the rest the new one.
        let mut found = None;
        for k in 0..=order.len() {
            let (mut old, _) = rig.model(&current, &sent, &order[..k]);
            let (new, _) = rig.model(&next, &sent, &order[k..]);
            for (o, n) in old.iter_mut().zip(new) {
                o.extend(n);
            }
            if compare(&sent, &old, &got).is_ok() {
                found = Some(k);
                break;
            }
        }
        let k = found.unwrap_or_else(|| {
            let (old, _) = rig.model(&current, &sent, &order);
            panic!(
                "swap {swap}: no switch point explains the copies (a frame used a mix of tables, or a copy is wrong); against the old table alone: {:?}",
                compare(&sent, &old, &got).err()
            )
        });
        if k > 0 && k < order.len() {
            switched_mid_batch += 1;
        }
        eprintln!("swap {swap}: switch after {k} of {} frames", order.len());
        current = next;
    }
    assert!(
        switched_mid_batch > 0,
        "at least one swap must land in the middle of a batch"
    );
    // Every frame is accounted for.
    let c = rig.dp.read_counters().unwrap();
    let rx: u64 = c.rx_frames.iter().sum();
    assert_eq!(rx, 300 * swaps as u64);
    assert_eq!(rx, c.forwarded + c.exceptions + c.total_drops());
}

#[test]
fn stalled_target_backpressures_without_loss() {
    let mut rig = Rig::new(Build::Wide, 4);
    let mut rng = StdRng::seed_from_u64(4);
    let bift = Bift::compile(&random_config(&mut rng, &rig.params)).unwrap();
    rig.load(&bift);
    rig.dp.clear_counters().unwrap();
    let frames = make_frames(
        &bift,
        &Traffic {
            frames: 1500,
            malformed: 0.0,
            ..Traffic::default()
        },
        40,
    );
    let t0 = 0;
    rig.dp.set_stalled(t0, true).unwrap();
    let sent = rig.queue(frames, 41).unwrap();
    rig.dp.run(60_000).unwrap();
    let pending = rig.dp.pending();
    rig.dp.set_stalled(t0, false).unwrap();
    rig.drain(Rig::budget(&sent)).unwrap();
    let order = rig.pipeline_order(&sent).unwrap();
    let (expected, counters) = rig.model(&bift, &sent, &order);
    let got = rig.take_copies();
    compare(&sent, &expected, &got).unwrap();
    rig.check_counters(&counters).unwrap();
    eprintln!(
        "lossless stall: {pending} frames still queued after 60000 stalled cycles; {} copies for the stalled target",
        expected[t0].len()
    );
    if expected[t0].len() > 200 {
        assert!(
            pending > 0,
            "a stalled lossless target must hold back the ingresses"
        );
    }
}

#[test]
fn drop_mode_drops_only_for_the_stalled_target() {
    let mut rig = Rig::new(Build::Wide, 6);
    let mut rng = StdRng::seed_from_u64(6);
    let mut config = random_config(&mut rng, &rig.params);
    config.targets[0].on_stall = OnStall::Drop;
    let bift = Bift::compile(&config).unwrap();
    rig.load(&bift);
    rig.dp.clear_counters().unwrap();
    let frames = make_frames(
        &bift,
        &Traffic {
            frames: 2000,
            malformed: 0.0,
            max_len: 1514,
            ..Traffic::default()
        },
        60,
    );
    rig.dp.set_stalled(0, true).unwrap();
    let sent = rig.queue(frames, 61).unwrap();
    // Nothing may wait for the stalled target: every frame goes in while it is stalled.
    rig.dp.run(Rig::budget(&sent)).unwrap();
    assert_eq!(
        rig.dp.pending(),
        0,
        "a drop-mode target must not back-pressure"
    );
    rig.dp.set_stalled(0, false).unwrap();
    rig.drain(Rig::budget(&sent)).unwrap();
    let order = rig.pipeline_order(&sent).unwrap();
    let (expected, _) = rig.model(&bift, &sent, &order);
    let mut got = rig.take_copies();
    let got0 = std::mem::take(&mut got[0]);
    let mut exp_rest = expected.clone();
    exp_rest[0].clear();
    compare(&sent, &exp_rest, &got).unwrap();
    // Target 0 got an in-order subsequence of its copies; the rest were counted as stall drops.
    let mut it = expected[0].iter();
    for g in &got0 {
        assert!(
            it.any(|(_, e)| *e == g.data),
            "target 0 received a copy out of order or not expected"
        );
    }
    let drops = rig.dp.read_counter(Counter::StallDrops(0)).unwrap();
    let sent0 = rig.dp.read_counter(Counter::TxFrames(0)).unwrap();
    assert_eq!(got0.len() as u64, sent0, "tx_frames[0] counts what left");
    assert_eq!(
        sent0 + drops,
        expected[0].len() as u64,
        "every copy for target 0 either left or was counted as a stall drop"
    );
    eprintln!(
        "drop mode: target 0 expected {} copies, {} left, {} stall drops",
        expected[0].len(),
        sent0,
        drops
    );
    if expected[0].len() > 300 {
        assert!(drops > 0, "a stalled drop-mode target drops");
    }
}
