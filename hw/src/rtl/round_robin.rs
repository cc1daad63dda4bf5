//! `RoundRobin`: the round-robin choice among up to 16 requesters (combinational), shared by
//! the ingress arbiter and the DMA engine's job choice.

use rust_hdl::prelude::*;

/// Picks the lowest requester above `last` (the one served last), else the lowest one; `idx`
/// is its index (0 when `req` is empty) and `grant` the same choice one-hot (0 when empty).
/// The lowest set bit is found by `x & -x` (a carry chain) and its index by or-ing, so there is
/// no priority chain through the requesters.
#[derive(LogicBlock)]
pub struct RoundRobin {
    /// One bit per requester.
    pub req: Signal<In, Bits<16>>,
    /// The requester served last.
    pub last: Signal<In, Bits<4>>,
    /// The chosen requester.
    pub idx: Signal<Out, Bits<4>>,
    /// The chosen requester, one-hot.
    pub grant: Signal<Out, Bits<16>>,
    up: Signal<Local, Bits<16>>,
    first: Signal<Local, Bits<16>>,
    mask: Signal<Local, Bits<16>>,
    above: Vec<Constant<Bits<16>>>,
    num: Vec<Constant<Bits<4>>>,
}

impl Default for RoundRobin {
    fn default() -> Self {
        Self {
            req: Default::default(),
            last: Default::default(),
            idx: Default::default(),
            grant: Default::default(),
            up: Default::default(),
            first: Default::default(),
            mask: Default::default(),
            above: (0..16)
                .map(|i| Constant::new((0xFFFFu64 & !((2u64 << i) - 1)).to_bits()))
                .collect(),
            num: (0..16)
                .map(|i| Constant::new((i as u64).to_bits()))
                .collect(),
        }
    }
}

impl Logic for RoundRobin {
    #[hdl_gen]
    fn update(&mut self) {
        // the requesters above `last`
        self.mask.next = 0.into();
        for i in 0..self.num.len() {
            if self.last.val() == self.num[i].val() {
                self.mask.next = self.above[i].val();
            }
        }
        self.up.next = self.req.val() & self.mask.val();
        if self.up.val() == 0 {
            self.up.next = self.req.val();
        }
        self.first.next = self.up.val() & (!self.up.val() + 1);
        self.grant.next = self.first.val();
        self.idx.next = 0.into();
        for i in 0..self.num.len() {
            if self.first.val().get_bit(i) {
                self.idx.next = self.idx.val() | self.num[i].val();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every request set of 6 requesters after every `last`, against a plain scan.
    #[test]
    fn picks_the_next_requester_after_last() {
        let mut sim = Simulation::new();
        sim.add_testbench(move |mut sim: Sim<RoundRobin>| {
            let mut x = sim.init()?;
            for last in 0..16u64 {
                for req in 0..64u64 {
                    x.req.next = req.into();
                    x.last.next = last.into();
                    x = sim.wait(1, x)?;
                    let want = (last + 1..16)
                        .chain(0..16)
                        .find(|i| req >> i & 1 == 1)
                        .unwrap_or(0);
                    sim_assert_eq!(sim, x.idx.val(), want, x);
                    let oh = if req == 0 { 0 } else { 1u64 << want };
                    sim_assert_eq!(sim, x.grant.val(), oh, x);
                }
            }
            sim.done(x)
        });
        let mut uut = RoundRobin::default();
        uut.connect_all();
        sim.run(Box::new(uut), 10_000).unwrap();
    }
}
