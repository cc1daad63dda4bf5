//! `biernic forward` frames per second on a large generated capture (the whole path: pcap read, model, pcap
//! writes), on the MoE example node.

use std::path::Path;
use std::time::Duration;

use bier::gen::{GenSpec, Generator};
use bier::Bift;
use biernic::capture::CaptureWriter;
use biernic::engine::ModelEngine;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const FRAMES: u64 = 200_000;

fn forward_pcap(c: &mut Criterion) {
    let cfg = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/moe-node.toml");
    let bift =
        Bift::from_toml(&std::fs::read_to_string(cfg).expect("example"), None).expect("valid");
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.pcap");
    for (name, min, max) in [("64B", 60, 60), ("imix", 60, 1514)] {
        let spec = GenSpec {
            seed: 5,
            min_len: min,
            max_len: max,
            ..GenSpec::default()
        };
        let mut w = CaptureWriter::create(&input).expect("create");
        for (i, f) in Generator::new(&bift, spec)
            .expect("gen")
            .take(FRAMES as usize)
            .enumerate()
        {
            w.write(Duration::from_micros(i as u64), &f).expect("write");
        }
        w.finish().expect("flush");
        let mut g = c.benchmark_group("forward_pcap");
        g.sample_size(10).throughput(Throughput::Elements(FRAMES));
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut engine = ModelEngine::new(bift.clone());
                biernic::forward::run(
                    &bift,
                    &mut engine,
                    &input,
                    &dir.path().join("out"),
                    0,
                    false,
                )
                .expect("forward")
            })
        });
        g.finish();
    }
}

criterion_group!(benches, forward_pcap);
criterion_main!(benches);
