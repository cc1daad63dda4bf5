//! `make bench-rtl`: throughput and latency of the verilated data plane, in clock cycles (exact), reported as a
//! fraction of 100 GbE line rate at 250 MHz. Not a test: it measures and prints.
//!
//! Line rate: a frame of S bytes (FCS included) takes S + 20 bytes of wire time (preamble, SFD, inter-frame gap),
//! so at 100 Gb/s and 250 MHz it occupies (S + 20) * 8 / 400 cycles. The data plane carries frames without FCS
//! (S - 4 bytes on the stream).

use std::time::Instant;

use bier::config::{Config, Entry, Target};
use bier::wire::{build_frame, proto, Repr};
use bier::{Bift, BitString, Bsl};
use biernic_sim::{Build, Dataplane, Ingress};

const SIZES: [usize; 7] = [64, 128, 256, 512, 1500, 4096, 9000];

fn table(bsl: Bsl, targets: usize) -> Bift {
    // Target t owns every bit position p with (p-1) % targets == t, so fan-out k means bits of k targets.
    let entries = (0..targets)
        .map(|t| Entry {
            bfr_ids: (1..=bsl.bits() as u16)
                .filter(|id| (usize::from(*id) - 1) % targets == t)
                .collect(),
            via: vec![t],
            loc: None,
        })
        .collect();
    Bift::compile(&Config {
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
    })
    .expect("bench table")
}

fn frame(bsl: Bsl, fanout: usize, len: usize, seq: u32) -> Vec<u8> {
    let mut bs = BitString::zero(bsl);
    for t in 0..fanout {
        bs.set(t + 1, true);
    }
    let repr = Repr {
        bift_id: bier::bift::default_bift_id(bsl, 0, 0),
        tc: 0,
        s: true,
        ttl: 64,
        entropy: seq & 0xfffff,
        oam: 0,
        dscp: 0,
        proto: proto::IPV6,
        bfir_id: 1,
        bitstring: bs,
    };
    let hdr = 14 + repr.buffer_len();
    build_frame(
        [2, 0, 0, 0, 0, 1],
        [2, 0, 0, 0, 0, 2],
        None,
        &repr,
        &vec![0x5a; len - hdr],
    )
}

struct Point {
    cycles_per_frame: f64,
    line_cycles: f64,
}

/// Sends `n` frames per loaded ingress back to back (no idle, no backpressure) and measures the egress rate in
/// steady state: frames between the 10th and the last copy on the busiest target.
fn throughput(
    dp: &mut Dataplane,
    bsl: Bsl,
    fanout: usize,
    size: usize,
    ingresses: &[Ingress],
    n: usize,
) -> Point {
    let len = size - 4;
    for i in 0..n {
        for &ing in ingresses {
            dp.send(ing, frame(bsl, fanout, len, i as u32))
                .expect("send");
        }
    }
    dp.run_until_idle(50_000_000).expect("drain");
    let all = dp.take_all_frames();
    let busiest = all.iter().max_by_key(|f| f.len()).expect("targets");
    assert_eq!(
        busiest.len(),
        n * ingresses.len(),
        "every frame must come out"
    );
    let skip = 10.min(busiest.len() - 1);
    let span = (busiest.last().expect("copies").last_cycle - busiest[skip].last_cycle) as f64;
    let frames = (busiest.len() - 1 - skip) as f64;
    Point {
        cycles_per_frame: span / frames,
        line_cycles: (size + 20) as f64 * 8.0 / 400.0,
    }
}

fn latency(dp: &mut Dataplane, bsl: Bsl, fanout: usize, size: usize) -> u64 {
    dp.run_until_idle(1_000_000).expect("idle");
    let _ = dp.take_ingress_log();
    dp.send(Ingress::Net(0), frame(bsl, fanout, size - 4, 7))
        .expect("send");
    dp.run_until_idle(1_000_000).expect("drain");
    let first_in = dp.take_ingress_log()[0].first_cycle;
    let first_out = dp
        .take_all_frames()
        .iter()
        .flatten()
        .map(|f| f.first_cycle)
        .min()
        .expect("a copy");
    first_out - first_in
}

fn main() {
    let params = Build::Wide.params().expect("wide build");
    let mut dp = Dataplane::new(Build::Wide).expect("model");
    let started = Instant::now();
    let start_cycles = dp.cycle();
    println!(
        "biernic RTL data plane, wide build: {}-bit data, {} targets, {} network ingresses + host",
        params.data_bytes * 8,
        params.targets,
        params.net_ingress
    );
    println!("throughput as a fraction of 100 GbE line rate at 250 MHz (size includes FCS; +20 B preamble/IFG)");
    let all_ingresses: Vec<Ingress> = (0..params.net_ingress)
        .map(Ingress::Net)
        .chain([Ingress::Host])
        .collect();
    for bsl in [Bsl::B256, Bsl::B1024] {
        let bift = table(bsl, params.targets);
        biernic::program::load(&mut dp, &bift, &params).expect("load");
        let min = 14 + 12 + bsl.bytes() + 4;
        for (label, ingresses, n) in [
            ("one ingress", vec![Ingress::Net(0)], 1500usize),
            ("all 5 ingresses", all_ingresses.clone(), 400),
        ] {
            println!(
                "\nBSL {bsl}, {label} loaded ({} frames per ingress per point)",
                n
            );
            println!(
                "{:>6} | {:>22} | {:>22} | {:>22}",
                "size",
                "fan-out 1",
                "fan-out 2",
                format!("fan-out {}", params.targets)
            );
            for size in SIZES {
                if size < min {
                    println!(
                        "{size:>6} | {:>22} | {:>22} | {:>22}",
                        "(< headers)", "", ""
                    );
                    continue;
                }
                let mut cells = Vec::new();
                for fanout in [1, 2, params.targets] {
                    let p = throughput(&mut dp, bsl, fanout, size, &ingresses, n);
                    // Copies per cycle on the busiest target against one 100G port's frame rate.
                    let frac = p.line_cycles / p.cycles_per_frame;
                    cells.push(if ingresses.len() == 1 {
                        format!("{:6.1}% ({:.2} cyc/fr)", 100.0 * frac, p.cycles_per_frame)
                    } else {
                        format!("{:5.2}x ({:.2} cyc/fr)", frac, p.cycles_per_frame)
                    });
                }
                println!(
                    "{size:>6} | {:>22} | {:>22} | {:>22}",
                    cells[0], cells[1], cells[2]
                );
            }
        }
        println!("\nlatency, first ingress beat -> first egress beat (cycles), BSL {bsl}:");
        for size in [min.max(64), 1500, 9000] {
            let l: Vec<String> = [1, 2, params.targets]
                .iter()
                .map(|&f| format!("fan-out {f}: {}", latency(&mut dp, bsl, f, size)))
                .collect();
            println!("  {size:>5} B: {}", l.join(", "));
        }
    }
    let cycles = dp.cycle() - start_cycles;
    let secs = started.elapsed().as_secs_f64();
    println!("\nsimulator: {cycles} cycles in {secs:.1} s = {:.2} M cycles/s (wide build, harness included)", cycles as f64 / secs / 1e6);
}
