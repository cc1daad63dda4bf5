//! `make bench-driver` (second part): frames end to end through the driver and the verilated NIC
//! core (wide build, 250 MHz): a full transmit ring posted with one doorbell, run until every
//! completion and every copy is in. Prints the NIC's cycles per frame (exact, simulated) and the
//! wall-clock frames per second of driver + simulator on this machine. Not a test.

use std::time::Instant;

use bier::wire::{build_frame, Repr};
use bier::{Bift, BitString};
use biernic::nic::{Nic, JUMBO_BUF_SIZE};
use biernic::simdev::SimBackend;
use biernic_sim::Build;

const SIZES: [usize; 5] = [64, 256, 1500, 4096, 9000];
const FRAMES: usize = 500;
const CLOCK_HZ: f64 = 250e6;

fn moe() -> Bift {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/moe-node.toml");
    Bift::compile(&bier::Config::from_file(std::path::Path::new(p)).expect("config"))
        .expect("table")
}

fn frame(bift: &Bift, ids: &[u16], len: usize, seq: u32) -> Vec<u8> {
    let mut bs = BitString::zero(bift.bsl());
    for &id in ids {
        bs.set(usize::from(id), true);
    }
    let repr = Repr {
        bift_id: bift.bift_ids()[0],
        tc: 0,
        s: true,
        ttl: 64,
        entropy: seq & 0xF_FFFF,
        oam: 0,
        dscp: 0,
        proto: 6,
        bfir_id: 1,
        bitstring: bs,
    };
    let head = 14 + 12 + bift.bsl().bytes();
    let payload = vec![0x5a; len.saturating_sub(head)];
    build_frame(
        [2, 0, 0, 0, 0, 1],
        [2, 0, 0, 0, 0, 2],
        None,
        &repr,
        &payload,
    )
}

fn main() {
    let bift = moe();
    let nic = Nic::open(SimBackend::new(Build::NicWide).expect("sim")).expect("open");
    nic.load_bift(&bift).expect("load");
    let pool = nic.mempool(1024, JUMBO_BUF_SIZE).expect("pool");
    let rpool = nic.mempool(1024, JUMBO_BUF_SIZE).expect("rx pool");
    let mut tx = nic.tx_queue(0, 9).expect("tx queue");
    let mut rx = nic.rx_queue(4, 9, &rpool).expect("rx queue");
    println!(
        "biernic NIC core (wide build, 512-bit, 250 MHz) through the driver: {FRAMES} frames from \
         transmit queue 0 posted with one doorbell, until every completion and copy is in"
    );
    println!(
        "{:>6} | {:<26} | {:>10} | {:>9} | {:>12}",
        "size", "copies per frame", "cyc/frame", "Gb/s", "frames/s (wall)"
    );
    let mut out = Vec::new();
    for size in SIZES {
        // BFR-id 100 is remote (a port); 5 is gpu4 (receive queue 4)
        for (label, ids, local) in [
            ("1 (port)", vec![100u16], false),
            ("2 (port + receive queue)", vec![100, 5], true),
        ] {
            let mut bufs: Vec<_> = (0..FRAMES)
                .map(|i| {
                    let mut b = pool.alloc().expect("buffer");
                    b.fill(&frame(&bift, &ids, size, i as u32));
                    b
                })
                .collect();
            let c0 = nic.with_backend(|s| s.nic().cycle());
            let t0 = Instant::now();
            let n = tx.send_batch(&mut bufs).expect("send");
            assert_eq!(n, FRAMES);
            let (mut port, mut got) = (0, 0);
            while tx.in_flight() > 0 || port < FRAMES || (local && got < FRAMES) {
                tx.reap().expect("reap");
                out.clear();
                got += rx.recv_batch(256, &mut out).expect("recv");
                port += nic.with_backend(|s| {
                    (0..2)
                        .map(|p| s.nic().take_port_frames(p).expect("port").len())
                        .sum::<usize>()
                });
            }
            let wall = t0.elapsed().as_secs_f64();
            let cycles = nic.with_backend(|s| s.nic().cycle()) - c0;
            let cpf = cycles as f64 / FRAMES as f64;
            let gbps = size as f64 * 8.0 * CLOCK_HZ / cpf / 1e9;
            println!(
                "{size:>6} | {label:<26} | {cpf:>10.1} | {gbps:>9.1} | {:>12.0}",
                FRAMES as f64 / wall
            );
        }
    }
    drop(out);
    drop(rx);
    drop(tx);
    nic.shutdown().expect("shutdown");
}
