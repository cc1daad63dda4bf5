//! Forwarding decisions per second on one core: BSL 256 and 1024, 2/8/32 targets, random BitStrings.

use std::hint::black_box;

use bier::config::{Config, Entry, Target};
use bier::gen::{GenSpec, Generator};
use bier::{Bift, Bsl, Decision, Verdict};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn table(bsl: Bsl, targets: usize) -> Bift {
    let entries = (0..targets)
        .map(|t| Entry {
            bfr_ids: (1..=bsl.bits() as u16)
                .filter(|id| usize::from(*id) % targets == t)
                .collect(),
            via: vec![t],
            loc: None,
        })
        .collect();
    let config = Config {
        sub_domain: 0,
        bsl,
        ecmp_buckets: 1,
        bift_ids: None,
        targets: (0..targets)
            .map(|t| Target::port(&format!("p{t}"), t as u16))
            .collect(),
        entries,
        exception: None,
        tx_queues: Vec::new(),
    };
    Bift::compile(&config).expect("valid benchmark table")
}

fn decisions(c: &mut Criterion) {
    let mut g = c.benchmark_group("decide");
    for bsl in [Bsl::B256, Bsl::B1024] {
        for targets in [2, 8, 32] {
            let bift = table(bsl, targets);
            let spec = GenSpec {
                min_len: 0,
                max_len: 0,
                seed: 7,
                ..GenSpec::default()
            };
            let frames: Vec<Vec<u8>> = Generator::new(&bift, spec)
                .expect("gen")
                .take(1024)
                .collect();
            g.throughput(Throughput::Elements(frames.len() as u64));
            g.bench_with_input(
                BenchmarkId::new(format!("bsl{}", bsl.bits()), format!("{targets}t")),
                &frames,
                |b, frames| {
                    let mut d = Decision::default();
                    b.iter(|| {
                        let mut copies = 0usize;
                        for f in frames {
                            if let Verdict::Forward(s) = bift.decide(black_box(f), &mut d) {
                                copies += s.len();
                            }
                        }
                        copies
                    })
                },
            );
        }
    }
    g.finish();
}

criterion_group!(benches, decisions);
criterion_main!(benches);
