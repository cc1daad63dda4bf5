//! Short RustHDL-simulator tests of small blocks (the full data plane is verified in
//! Verilator by the `sim` crate).

use biernic_hw::rtl::arbiter::IngressArbiter;
use biernic_hw::rtl::fifo::SyncFifo;
use rust_hdl::prelude::*;

type Fifo4 = SyncFifo<Bits<8>, 2, 3>;

#[test]
fn fifo_is_fwft_and_holds_four() {
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<Fifo4>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<Fifo4>| {
        let mut x = sim.init()?;
        x.rst.next = true;
        wait_clock_cycles!(sim, clock, x, 2);
        x.rst.next = false;
        sim_assert!(sim, x.empty.val(), x);
        sim_assert_eq!(sim, x.free.val(), 4u64, x);
        // five writes: the fifth is ignored (full)
        for i in 0..5u64 {
            x.write.next = true;
            x.data_in.next = (i + 1).into();
            wait_clock_cycle!(sim, clock, x);
        }
        x.write.next = false;
        wait_clock_cycles!(sim, clock, x, 2);
        sim_assert_eq!(sim, x.free.val(), 0u64, x);
        for i in 0..4u64 {
            sim_assert!(sim, !x.empty.val(), x);
            sim_assert_eq!(sim, x.data_out.val(), i + 1, x);
            x.read.next = true;
            wait_clock_cycle!(sim, clock, x);
        }
        x.read.next = false;
        wait_clock_cycle!(sim, clock, x);
        sim_assert!(sim, x.empty.val(), x);
        sim_assert_eq!(sim, x.free.val(), 4u64, x);
        sim.done(x)
    });
    let mut uut = Fifo4::default();
    uut.connect_all();
    sim.run(Box::new(uut), 10_000).unwrap();
}

type Arb = IngressArbiter<8, 1>;

#[test]
fn arbiter_is_round_robin_per_frame() {
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<Arb>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<Arb>| {
        let mut x = sim.init()?;
        x.rst.next = true;
        wait_clock_cycles!(sim, clock, x, 2);
        x.rst.next = false;
        // three sources, always valid, two-beat frames
        let mut beat = [0usize; 3];
        let mut seen = Vec::new();
        x.out_ready.next = true;
        for i in 0..3 {
            x.in_valid[i].next = true;
            x.in_data[i].next = (i as u64).into();
            x.in_keep[i].next = 1.into();
            x.in_last[i].next = false;
        }
        wait_clock_cycle!(sim, clock, x);
        for _ in 0..12 {
            for (last, b) in x.in_last.iter_mut().zip(beat.iter()) {
                last.next = *b == 1;
            }
            wait_clock_false!(sim, clock, x);
            let src: u64 = x.out_src.val().into();
            sim_assert!(sim, x.out_valid.val(), x);
            seen.push(src);
            let s = src as usize;
            sim_assert!(sim, x.in_ready[s].val(), x);
            wait_clock_cycle!(sim, clock, x);
            beat[s] = (beat[s] + 1) % 2;
        }
        sim_assert_eq!(sim, seen, vec![1u64, 1, 2, 2, 0, 0, 1, 1, 2, 2, 0, 0], x);
        sim.done(x)
    });
    let mut uut = Arb::new(3);
    uut.connect_all();
    sim.run(Box::new(uut), 100_000).unwrap();
}
