//! `StreamReg`: a full-throughput AXI4-Stream register slice (two-entry skid buffer). Every
//! output (`m_*` and `s_ready`) comes straight from a flip-flop, so no combinational path
//! crosses it in either direction; it adds one cycle of latency and never a bubble.
//!
//! The data plane puts one between its ingress arbiter and the parser (so the arbiter's
//! round-robin choice and input mux and the parser's header logic are in different clock
//! cycles).

use rust_hdl::prelude::*;

/// Register slice for a stream of `DW`-bit data with `KW` keep bits, `last`, and `SW` bits
/// of side information (`side`, e.g. the source and queue of a frame) that travel with each beat.
#[derive(LogicBlock, Default)]
pub struct StreamReg<const DW: usize, const KW: usize, const SW: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset (empties the slice).
    pub rst: Signal<In, Bit>,
    /// Input tdata.
    pub s_data: Signal<In, Bits<DW>>,
    /// Input tkeep.
    pub s_keep: Signal<In, Bits<KW>>,
    /// Input tlast.
    pub s_last: Signal<In, Bit>,
    /// Input side information.
    pub s_side: Signal<In, Bits<SW>>,
    /// Input tvalid.
    pub s_valid: Signal<In, Bit>,
    /// Input tready (registered).
    pub s_ready: Signal<Out, Bit>,
    /// Output tdata (registered).
    pub m_data: Signal<Out, Bits<DW>>,
    /// Output tkeep (registered).
    pub m_keep: Signal<Out, Bits<KW>>,
    /// Output tlast (registered).
    pub m_last: Signal<Out, Bit>,
    /// Output side information (registered).
    pub m_side: Signal<Out, Bits<SW>>,
    /// Output tvalid (registered).
    pub m_valid: Signal<Out, Bit>,
    /// Output tready.
    pub m_ready: Signal<In, Bit>,
    o_data: DFF<Bits<DW>>,
    o_keep: DFF<Bits<KW>>,
    o_last: DFF<Bit>,
    o_side: DFF<Bits<SW>>,
    o_valid: DFF<Bit>,
    k_data: DFF<Bits<DW>>,
    k_keep: DFF<Bits<KW>>,
    k_last: DFF<Bit>,
    k_side: DFF<Bits<SW>>,
    k_valid: DFF<Bit>,
}

impl<const DW: usize, const KW: usize, const SW: usize> Logic for StreamReg<DW, KW, SW> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, o_data, o_keep, o_last, o_side, o_valid, k_data, k_keep, k_last, k_side,
            k_valid
        );
        self.m_data.next = self.o_data.q.val();
        self.m_keep.next = self.o_keep.q.val();
        self.m_last.next = self.o_last.q.val();
        self.m_side.next = self.o_side.q.val();
        self.m_valid.next = self.o_valid.q.val();
        // Ready while the skid register is free: a beat accepted while the output stalls
        // goes there.
        self.s_ready.next = !self.k_valid.q.val();
        if self.m_ready.val() | !self.o_valid.q.val() {
            // The output register is free (or being emptied): refill it, the skid beat first.
            if self.k_valid.q.val() {
                self.o_data.d.next = self.k_data.q.val();
                self.o_keep.d.next = self.k_keep.q.val();
                self.o_last.d.next = self.k_last.q.val();
                self.o_side.d.next = self.k_side.q.val();
                self.o_valid.d.next = true;
                self.k_valid.d.next = false;
            } else {
                self.o_data.d.next = self.s_data.val();
                self.o_keep.d.next = self.s_keep.val();
                self.o_last.d.next = self.s_last.val();
                self.o_side.d.next = self.s_side.val();
                self.o_valid.d.next = self.s_valid.val();
            }
        } else if self.s_valid.val() & !self.k_valid.q.val() {
            self.k_data.d.next = self.s_data.val();
            self.k_keep.d.next = self.s_keep.val();
            self.k_last.d.next = self.s_last.val();
            self.k_side.d.next = self.s_side.val();
            self.k_valid.d.next = true;
        }
        if self.rst.val() {
            self.o_valid.d.next = false;
            self.k_valid.d.next = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every beat (data, keep, last, side) comes out once, in order, under random valid and
    /// ready, and at full rate when both sides are always ready.
    #[test]
    fn passes_every_beat_once_in_order_under_backpressure() {
        const N: u64 = 1000;
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<StreamReg<16, 2, 12>>| {
            x.clock.next = !x.clock.val()
        });
        sim.add_testbench(move |mut sim: Sim<StreamReg<16, 2, 12>>| {
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
            let beat = |i: u64| ((i * 7 + 3) & 0xFFFF, i & 3, i % 5 == 0, (i * 13) & 0xFFF);
            let (mut sent, mut got) = (0u64, Vec::new());
            let mut full_rate_cycles = 0;
            for cycle in 0..6000 {
                let r = next();
                // The first 200 cycles run at full rate on both sides: one beat per cycle.
                let fast = cycle < 200;
                let (d, k, l, s) = beat(sent);
                x.s_valid.next = sent < N && (fast || r % 3 != 0);
                x.s_data.next = d.into();
                x.s_keep.next = k.into();
                x.s_last.next = l;
                x.s_side.next = s.into();
                x.m_ready.next = fast || (r >> 8) % 4 != 0;
                wait_clock_false!(sim, clock, x);
                if x.m_valid.val() && x.m_ready.val() {
                    let d: u64 = x.m_data.val().into();
                    let k: u64 = x.m_keep.val().into();
                    let s: u64 = x.m_side.val().into();
                    got.push((d, k, x.m_last.val(), s));
                    if fast {
                        full_rate_cycles += 1;
                    }
                }
                if x.s_valid.val() && x.s_ready.val() {
                    sent += 1;
                }
                wait_clock_cycle!(sim, clock, x);
            }
            let want: Vec<(u64, u64, bool, u64)> = (0..N).map(beat).collect();
            sim_assert_eq!(sim, got, want, x);
            // Two cycles of latency at most: no bubbles at full rate.
            sim_assert!(sim, full_rate_cycles >= 197, x);
            sim.done(x)
        });
        let mut uut = StreamReg::<16, 2, 12>::default();
        uut.connect_all();
        sim.run(Box::new(uut), 200_000).unwrap();
    }
}
