//! RustHDL-simulator tests of the Ethernet MAC blocks against a known-good CRC-32 (the
//! `crc32fast` crate) and hand-built frames.

use biernic_firmware::rtl::axis_reg::AxisReg;
use biernic_firmware::rtl::drop_fifo::DropFifo;
use biernic_firmware::rtl::gmii_rx::GmiiRx;
use biernic_firmware::rtl::gmii_tx::GmiiTx;
use rust_hdl::prelude::*;

/// A deterministic test frame of `len` bytes.
fn frame(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// What a correct MAC puts on the wire for `f`: preamble, SFD, frame, padding, FCS.
fn wire(f: &[u8]) -> Vec<u8> {
    let mut body = f.to_vec();
    body.resize(body.len().max(60), 0);
    let fcs = crc32fast::hash(&body);
    let mut w = vec![0x55; 7];
    w.push(0xD5);
    w.extend_from_slice(&body);
    w.extend_from_slice(&fcs.to_le_bytes());
    w
}

/// 64-bit words (data, keep, last) of a frame.
fn words(f: &[u8]) -> Vec<(u64, u64, bool)> {
    let n = f.len().div_ceil(8);
    (0..n)
        .map(|i| {
            let chunk = &f[8 * i..(8 * i + 8).min(f.len())];
            let mut d = 0u64;
            for (j, b) in chunk.iter().enumerate() {
                d |= (*b as u64) << (8 * j);
            }
            (d, (1u64 << chunk.len()) - 1, i == n - 1)
        })
        .collect()
}

#[test]
fn software_crc_matches_reference() {
    for len in [0usize, 1, 14, 60, 61, 1500] {
        let f = frame(len, 7);
        assert_eq!(biernic_firmware::rtl::crc32::fcs(&f), crc32fast::hash(&f));
    }
}

#[test]
fn gmii_tx_sends_preamble_padding_fcs_and_gap() {
    let lens = [1usize, 59, 60, 61, 64, 67, 100];
    let frames: Vec<Vec<u8>> = lens.iter().map(|l| frame(*l, *l as u8)).collect();
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<GmiiTx>| x.clock.next = !x.clock.val());
    let fr = frames.clone();
    sim.add_testbench(move |mut sim: Sim<GmiiTx>| {
        let mut x = sim.init()?;
        let mut queue: Vec<(u64, u64, bool)> = fr.iter().flat_map(|f| words(f)).collect();
        queue.reverse();
        x.rst.next = true;
        x.in_empty.next = true;
        wait_clock_cycles!(sim, clock, x, 2);
        x.rst.next = false;
        let mut got: Vec<Vec<u8>> = Vec::new();
        let mut cur: Vec<u8> = Vec::new();
        let mut gap = 0usize;
        let mut min_gap = usize::MAX;
        for _ in 0..3000 {
            if let Some((d, k, l)) = queue.last().copied() {
                x.in_empty.next = false;
                x.in_data.next = d.into();
                x.in_keep.next = k.into();
                x.in_last.next = l;
            } else {
                x.in_empty.next = true;
            }
            wait_clock_false!(sim, clock, x);
            let pop = x.in_read.val();
            sim_assert!(sim, !x.tx_er.val(), x);
            if x.tx_en.val() {
                if cur.is_empty() && !got.is_empty() {
                    min_gap = min_gap.min(gap);
                }
                let b: u64 = x.txd.val().into();
                cur.push(b as u8);
                gap = 0;
            } else {
                if !cur.is_empty() {
                    got.push(std::mem::take(&mut cur));
                }
                gap += 1;
            }
            wait_clock_cycle!(sim, clock, x);
            if pop {
                queue.pop();
            }
        }
        sim_assert_eq!(sim, got.len(), fr.len(), x);
        for (g, f) in got.iter().zip(fr.iter()) {
            sim_assert_eq!(sim, g.clone(), wire(f), x);
        }
        sim_assert!(sim, min_gap >= 12, x);
        sim.done(x)
    });
    let mut uut = GmiiTx::default();
    uut.connect_all();
    sim.run(Box::new(uut), 100_000).unwrap();
}

/// Drives `stream` (bytes with RX_DV; `None` = RX_DV low) into a `GmiiRx` and returns the
/// frames it wrote: (bytes, bad).
fn run_rx(stream: Vec<Option<u8>>) -> Vec<(Vec<u8>, bool)> {
    let out = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let out2 = out.clone();
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<GmiiRx>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<GmiiRx>| {
        let mut x = sim.init()?;
        x.rst.next = true;
        wait_clock_cycles!(sim, clock, x, 2);
        x.rst.next = false;
        let mut cur = Vec::new();
        for s in stream.iter().copied().chain(std::iter::repeat_n(None, 8)) {
            x.rx_dv.next = s.is_some();
            x.rxd.next = (s.unwrap_or(0) as u64).into();
            x.rx_er.next = false;
            wait_clock_false!(sim, clock, x);
            if x.out_write.val() {
                let e = x.out_entry.val();
                let d: u64 = e.get_bits::<64>(0).into();
                let k: u64 = e.get_bits::<8>(64).into();
                for j in 0..8 {
                    if k >> j & 1 == 1 {
                        cur.push((d >> (8 * j)) as u8);
                    }
                }
                if e.get_bit(72) {
                    out2.lock()
                        .unwrap()
                        .push((std::mem::take(&mut cur), e.get_bit(73)));
                }
            }
            wait_clock_cycle!(sim, clock, x);
        }
        sim.done(x)
    });
    let mut uut = GmiiRx::default();
    uut.connect_all();
    sim.run(Box::new(uut), 200_000).unwrap();
    let v = out.lock().unwrap().clone();
    v
}

#[test]
fn gmii_rx_strips_preamble_and_fcs_and_flags_bad_frames() {
    let good: Vec<Vec<u8>> = [60usize, 61, 64, 67, 72, 100]
        .iter()
        .map(|l| frame(*l, 3))
        .collect();
    let mut stream = Vec::new();
    let mut want = Vec::new();
    for (i, f) in good.iter().enumerate() {
        let mut w = wire(f);
        let mut bad = false;
        if i == 2 {
            // corrupt one FCS byte
            let n = w.len();
            w[n - 2] ^= 0x10;
            bad = true;
        }
        if i == 4 {
            // corrupt a data byte
            w[20] ^= 1;
            bad = true;
        }
        stream.extend(w.into_iter().map(Some));
        stream.extend(std::iter::repeat_n(None, 12));
        want.push((f.clone(), bad));
    }
    // A runt (20 bytes + FCS): correct FCS but too short.
    let runt = frame(20, 9);
    let mut w = vec![0x55u8; 7];
    w.push(0xD5);
    w.extend_from_slice(&runt);
    w.extend_from_slice(&crc32fast::hash(&runt).to_le_bytes());
    stream.extend(w.into_iter().map(Some));
    stream.extend(std::iter::repeat_n(None, 12));
    want.push((runt, true));
    let got = run_rx(stream);
    assert_eq!(got.len(), want.len());
    for ((g, gb), (f, b)) in got.iter().zip(want.iter()) {
        assert_eq!(gb, b, "bad flag of a {}-byte frame", f.len());
        if !b {
            assert_eq!(g, f);
        } else {
            assert_eq!(g.len(), f.len());
        }
    }
}

#[test]
fn drop_fifo_passes_good_frames_only() {
    // Frames as (length, bad).
    let spec = [
        (16usize, false),
        (9, true),
        (24, false),
        (8, true),
        (17, false),
    ];
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<DropFifo>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<DropFifo>| {
        let mut x = sim.init()?;
        x.rst.next = true;
        wait_clock_cycles!(sim, clock, x, 2);
        x.rst.next = false;
        let mut entries = Vec::new();
        for (i, (len, bad)) in spec.iter().enumerate() {
            let ws = words(&frame(*len, i as u8));
            let n = ws.len();
            for (j, (d, k, l)) in ws.into_iter().enumerate() {
                entries.push((d, k, l, *bad && j == n - 1));
            }
        }
        let want: Vec<(u64, u64, bool)> = spec
            .iter()
            .enumerate()
            .filter(|(_, (_, bad))| !bad)
            .flat_map(|(i, (len, _))| words(&frame(*len, i as u8)))
            .collect();
        let mut got = Vec::new();
        x.m_ready.next = true;
        let mut it = entries.into_iter();
        for cycle in 0..200 {
            match it.next() {
                Some((d, k, l, b)) => {
                    x.in_write.next = true;
                    let e: Bits<74> = bit_cast::<74, 64>(d.into())
                        | (bit_cast::<74, 8>(k.into()) << 64)
                        | (bit_cast::<74, 1>(l.into()) << 72)
                        | (bit_cast::<74, 1>(b.into()) << 73);
                    x.in_entry.next = e;
                }
                None => x.in_write.next = false,
            }
            // backpressure on odd cycles
            x.m_ready.next = cycle % 3 != 1;
            wait_clock_false!(sim, clock, x);
            if x.m_valid.val() && x.m_ready.val() {
                let d: u64 = x.m_data.val().into();
                let k: u64 = x.m_keep.val().into();
                got.push((d, k, x.m_last.val()));
            }
            wait_clock_cycle!(sim, clock, x);
        }
        sim_assert_eq!(sim, got, want, x);
        sim.done(x)
    });
    let mut uut = DropFifo::default();
    uut.connect_all();
    sim.run(Box::new(uut), 100_000).unwrap();
}

#[test]
fn axis_reg_passes_every_entry_once_in_order_under_backpressure() {
    // Pseudo-random valid on the input and ready on the output (xorshift), 1,000 entries.
    const N: u64 = 1000;
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<AxisReg<16>>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<AxisReg<16>>| {
        let mut x = sim.init()?;
        x.rst.next = true;
        wait_clock_cycles!(sim, clock, x, 2);
        x.rst.next = false;
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let (mut sent, mut got) = (0u64, Vec::new());
        let mut full_rate_cycles = 0;
        for cycle in 0..6000 {
            let r = next();
            // The first 200 cycles run at full rate on both sides: one entry per cycle.
            let fast = cycle < 200;
            x.s_valid.next = sent < N && (fast || r % 3 != 0);
            x.s_data.next = (sent * 7 + 3).into();
            x.m_ready.next = fast || (r >> 8) % 4 != 0;
            wait_clock_false!(sim, clock, x);
            if x.m_valid.val() && x.m_ready.val() {
                let d: u64 = x.m_data.val().into();
                got.push(d);
                if fast {
                    full_rate_cycles += 1;
                }
            }
            if x.s_valid.val() && x.s_ready.val() {
                sent += 1;
            }
            wait_clock_cycle!(sim, clock, x);
        }
        let want: Vec<u64> = (0..N).map(|i| (i * 7 + 3) & 0xFFFF).collect();
        sim_assert_eq!(sim, got, want, x);
        // Two cycles of latency at most: no bubbles at full rate.
        sim_assert!(sim, full_rate_cycles >= 197, x);
        sim.done(x)
    });
    let mut uut = AxisReg::<16>::default();
    uut.connect_all();
    sim.run(Box::new(uut), 200_000).unwrap();
}
