//! Simulated cycles per second of a build.
//!
//! `cargo run -p biernic-sim --release --example speed -- [wide|narrow|loopback] [cycles]`
//!
//! Measures (1) bare `Model::step` with idle inputs, (2) the `Dataplane` harness streaming
//! back-to-back 1500-byte non-BIER frames into every network ingress (dropped by the device
//! unless an exception target is set), (3) the same with a loaded one-set BIFT and BIER frames
//! replicated to every target (wide and narrow builds).

use biernic_sim::{regmap, Build, Dataplane, Ingress, Model};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let build = match args.get(1).map(String::as_str) {
        None | Some("wide") => Build::Wide,
        Some("narrow") => Build::Narrow,
        Some("loopback") => Build::Loopback,
        Some(other) => return Err(format!("unknown build `{other}`").into()),
    };
    let cycles: u64 = args
        .get(2)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(200_000);

    let mut m = Model::new(build)?;
    m.reset()?;
    let t = Instant::now();
    m.run(cycles)?;
    let s = t.elapsed().as_secs_f64();
    println!(
        "{build:?}: Model::step, idle inputs: {cycles} cycles in {s:.2} s = {:.0} cycles/s",
        cycles as f64 / s
    );

    let mut dp = Dataplane::new(build)?;
    let frame: Vec<u8> = (0..1500).map(|i| i as u8).collect();
    let per = (cycles as usize * dp.data_bytes()) / 1500 + 1;
    for _ in 0..per {
        for i in 0..dp.net_ingress() {
            dp.send(Ingress::Net(i), frame.clone())?;
        }
    }
    let t = Instant::now();
    let c0 = dp.cycle();
    dp.run(cycles)?;
    let s = t.elapsed().as_secs_f64();
    let moved = dp.take_ingress_log().len();
    println!(
        "{build:?}: Dataplane, 1500-byte frames on {} ingresses: {cycles} cycles in {s:.2} s = {:.0} cycles/s ({moved} frames accepted)",
        dp.net_ingress(),
        (dp.cycle() - c0) as f64 / s
    );

    if let Some(p) = build.params() {
        let mut dp = Dataplane::new(build)?;
        let bsl = p.max_bsl;
        let code = regmap::bsl_code(bsl).ok_or("bad max_bsl")?;
        let bift_id = code << 16;
        dp.axil_write(regmap::BIFT_BSL, code)?;
        dp.axil_write(regmap::set_reg(0), 1 << 31 | bift_id)?;
        for t in 0..p.targets {
            let words = regmap::fbm_to_words(&p, bsl, &[t + 1]);
            dp.write_fbm_row(t, 0, &words)?;
        }
        dp.commit_bift()?;
        // BIER frame, all bits 1..=targets set, 1500 bytes
        let mut f = vec![0u8; 1500];
        f[..6].copy_from_slice(&[1, 0, 0x5e, 0, 0, 1]);
        f[6..12].copy_from_slice(&[2, 0, 0, 0, 0, 1]);
        f[12..14].copy_from_slice(&[0xab, 0x37]);
        f[14..18].copy_from_slice(&(bift_id << 12 | 1 << 8 | 64).to_be_bytes());
        f[18..22].copy_from_slice(&(5u32 << 28 | code << 20 | 0x12345).to_be_bytes());
        f[22..26].copy_from_slice(&(4u32 << 16 | 1).to_be_bytes());
        let n = bsl / 8;
        for t in 0..p.targets {
            f[26 + n - 1 - t / 8] |= 1 << (t % 8);
        }
        // latency of single frames through an idle device
        for len in [64usize.max(26 + n + 8), 1500] {
            let mut g = f[..len].to_vec();
            g[len - 1] ^= 1;
            let id = dp.send(Ingress::Net(0), g)?;
            dp.run_until_idle(100_000)?;
            let log = dp.take_ingress_log();
            let rec = log
                .iter()
                .find(|r| r.id == id)
                .ok_or("frame not accepted")?;
            let out = dp.take_all_frames();
            let first = out
                .iter()
                .flatten()
                .map(|e| e.first_cycle)
                .min()
                .ok_or("no copy")?;
            let last = out
                .iter()
                .flatten()
                .map(|e| e.last_cycle)
                .max()
                .ok_or("no copy")?;
            println!(
                "{build:?}: {len}-byte BIER frame to {} targets: first beat in at cycle {}, first copy's first beat out {} cycles later, last copy's last beat {} cycles after the last beat in",
                p.targets,
                rec.first_cycle,
                first - rec.first_cycle,
                last - rec.last_cycle
            );
        }
        let per = (cycles as usize * dp.data_bytes()) / 1500 + 1;
        for _ in 0..per {
            dp.send(Ingress::Net(0), f.clone())?;
        }
        let t = Instant::now();
        let c0 = dp.cycle();
        dp.run(cycles)?;
        let s = t.elapsed().as_secs_f64();
        let out: usize = dp.take_all_frames().iter().map(Vec::len).sum();
        println!(
            "{build:?}: Dataplane, 1500-byte BIER frames replicated to {} targets: {cycles} cycles in {s:.2} s = {:.0} cycles/s ({out} copies out)",
            p.targets,
            (dp.cycle() - c0) as f64 / s
        );
    }
    Ok(())
}
