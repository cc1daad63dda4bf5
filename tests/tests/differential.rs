//! The RTL data plane against the reference forwarder, frame by frame and counter by counter, on random BIFTs,
//! BSLs, sets, ECMP buckets, sizes from 60 to 9018 bytes, every malformed kind, random ingress gaps and egress
//! stalls. `BIERNIC_DIFF_SCALE=N` multiplies the frame counts (a knob to run millions).

use bier::Bift;
use biernic_sim::Build;
use biernic_tests::{make_frames, random_config, scale, Rig, Traffic};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Random tables and traffic on one build: `rounds` tables, `frames` frames each.
fn random_rounds(build: Build, seed: u64, rounds: usize, frames: usize) {
    let mut rig = Rig::new(build, seed);
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut total, mut copies, mut cycles) = (0, 0, 0);
    for round in 0..rounds {
        let config = random_config(&mut rng, &rig.params);
        let bift = Bift::compile(&config).expect("random config is valid");
        rig.load(&bift);
        let idle = [0.0, 0.1, 0.5][round % 3];
        let bp = [0.0, 0.3, 0.7][(round / 3) % 3];
        rig.dp.set_idle_probability(idle).unwrap();
        rig.dp.set_backpressure(bp).unwrap();
        let max_len = [128, 1514, 9018][rng.random_range(0..3)];
        let traffic = Traffic {
            frames,
            max_len,
            ..Traffic::default()
        };
        let f = make_frames(&bift, &traffic, seed * 1000 + round as u64);
        let s = rig
            .round(&bift, f, seed + round as u64)
            .unwrap_or_else(|e| panic!("{build:?} seed {seed} round {round} (BSL {}, {} targets, {} sets, {} buckets, max_len {max_len}, idle {idle}, backpressure {bp}): {e}",
                bift.bsl(), bift.targets().len(), bift.sets(), bift.buckets()));
        total += s.frames;
        copies += s.copies;
        cycles += s.cycles;
    }
    eprintln!(
        "{build:?}: {total} frames, {copies} copies, {cycles} cycles: all equal to the model"
    );
    assert!(copies > 0);
}

#[test]
fn wide_random_tables_and_traffic() {
    random_rounds(Build::Wide, 11, 9, 5600 * scale());
}

#[test]
fn narrow_random_tables_and_traffic() {
    random_rounds(Build::Narrow, 23, 9, 4000 * scale());
}

#[test]
fn every_malformed_kind() {
    for build in [Build::Wide, Build::Narrow] {
        let mut rig = Rig::new(build, 5);
        let mut rng = StdRng::seed_from_u64(5);
        let bift = Bift::compile(&random_config(&mut rng, &rig.params)).unwrap();
        rig.load(&bift);
        rig.dp.set_idle_probability(0.2).unwrap();
        rig.dp.set_backpressure(0.2).unwrap();
        let traffic = Traffic {
            frames: 4000 * scale(),
            malformed: 1.0,
            max_len: 9018,
            ..Traffic::default()
        };
        let s = rig
            .round(&bift, make_frames(&bift, &traffic, 77), 78)
            .unwrap_or_else(|e| panic!("{build:?}: {e}"));
        assert!(s.drops > s.frames / 2, "most malformed frames drop: {s:?}");
    }
}

#[test]
fn jumbo_frames_under_heavy_backpressure() {
    let mut rig = Rig::new(Build::Wide, 9);
    let mut rng = StdRng::seed_from_u64(9);
    let bift = Bift::compile(&random_config(&mut rng, &rig.params)).unwrap();
    rig.load(&bift);
    rig.dp.set_backpressure(0.8).unwrap();
    let traffic = Traffic {
        frames: 600 * scale(),
        min_len: 8000,
        max_len: 9018,
        malformed: 0.05,
        ..Traffic::default()
    };
    rig.round(&bift, make_frames(&bift, &traffic, 90), 91)
        .unwrap_or_else(|e| panic!("{e}"));
}
