//! `IngressArbiter`: fair per-frame round-robin among the ingress AXI4-Streams.

use super::round_robin::RoundRobin;
use rust_hdl::prelude::*;

/// Merges `n` AXI4-Streams into one, one whole frame at a time, round-robin (the source after
/// the last granted one has priority). Combinational pass-through: no added latency, one beat
/// per cycle, no bubble between frames. `out_src` is the index of the granted input.
#[derive(LogicBlock)]
pub struct IngressArbiter<const DW: usize, const KW: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset.
    pub rst: Signal<In, Bit>,
    /// Input tdata per source.
    pub in_data: Vec<Signal<In, Bits<DW>>>,
    /// Input tkeep per source.
    pub in_keep: Vec<Signal<In, Bits<KW>>>,
    /// Input tlast per source.
    pub in_last: Vec<Signal<In, Bit>>,
    /// Input tvalid per source.
    pub in_valid: Vec<Signal<In, Bit>>,
    /// Input tready per source.
    pub in_ready: Vec<Signal<Out, Bit>>,
    /// Merged tdata.
    pub out_data: Signal<Out, Bits<DW>>,
    /// Merged tkeep.
    pub out_keep: Signal<Out, Bits<KW>>,
    /// Merged tlast.
    pub out_last: Signal<Out, Bit>,
    /// Merged tvalid.
    pub out_valid: Signal<Out, Bit>,
    /// Source of the current beat.
    pub out_src: Signal<Out, Bits<4>>,
    /// Merged tready.
    pub out_ready: Signal<In, Bit>,
    locked: DFF<Bit>,
    cur: DFF<Bits<4>>,
    cur_oh: DFF<Bits<16>>,
    last_grant: DFF<Bits<4>>,
    grant: Signal<Local, Bits<4>>,
    req: Signal<Local, Bits<16>>,
    rr: RoundRobin,
    oh: Vec<Constant<Bits<16>>>,
    sel: Signal<Local, Bits<4>>,
    sel_oh: Signal<Local, Bits<16>>,
}

impl<const DW: usize, const KW: usize> IngressArbiter<DW, KW> {
    /// Arbiter for `n` (<= 16) inputs.
    pub fn new(n: usize) -> Self {
        Self {
            clock: Default::default(),
            rst: Default::default(),
            in_data: (0..n).map(|_| Default::default()).collect(),
            in_keep: (0..n).map(|_| Default::default()).collect(),
            in_last: (0..n).map(|_| Default::default()).collect(),
            in_valid: (0..n).map(|_| Default::default()).collect(),
            in_ready: (0..n).map(|_| Default::default()).collect(),
            out_data: Default::default(),
            out_keep: Default::default(),
            out_last: Default::default(),
            out_valid: Default::default(),
            out_src: Default::default(),
            out_ready: Default::default(),
            locked: Default::default(),
            cur: Default::default(),
            cur_oh: Default::default(),
            last_grant: Default::default(),
            grant: Default::default(),
            req: Default::default(),
            rr: Default::default(),
            oh: (0..n)
                .map(|i| Constant::new((1u64 << i).to_bits()))
                .collect(),
            sel: Default::default(),
            sel_oh: Default::default(),
        }
    }
}

impl<const DW: usize, const KW: usize> Logic for IngressArbiter<DW, KW> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, locked, cur, cur_oh, last_grant);
        // Round-robin choice among the valid inputs: first one after the last grant, else the
        // lowest valid one.
        self.req.next = 0.into();
        for i in 0..self.oh.len() {
            if self.in_valid[i].val() {
                self.req.next = self.req.val() | self.oh[i].val();
            }
        }
        self.rr.req.next = self.req.val();
        self.rr.last.next = self.last_grant.q.val();
        self.grant.next = self.rr.idx.val();
        self.sel.next = self.grant.val();
        self.sel_oh.next = self.rr.grant.val();
        if self.locked.q.val() {
            self.sel.next = self.cur.q.val();
            self.sel_oh.next = self.cur_oh.q.val();
        }
        self.out_data.next = 0.into();
        self.out_keep.next = 0.into();
        self.out_last.next = false;
        self.out_valid.next = false;
        for i in 0..self.oh.len() {
            self.in_ready[i].next = false;
            if self.sel_oh.val().get_bit(i) {
                self.out_data.next = self.out_data.val() | self.in_data[i].val();
                self.out_keep.next = self.out_keep.val() | self.in_keep[i].val();
                self.out_last.next = self.out_last.val() | self.in_last[i].val();
                self.out_valid.next = self.out_valid.val() | self.in_valid[i].val();
                self.in_ready[i].next = self.out_ready.val();
            }
        }
        self.out_src.next = self.sel.val();
        if self.out_valid.val() & self.out_ready.val() {
            if self.out_last.val() {
                self.locked.d.next = false;
                self.last_grant.d.next = self.sel.val();
            } else {
                self.locked.d.next = true;
                self.cur.d.next = self.sel.val();
                self.cur_oh.d.next = self.sel_oh.val();
            }
        }
        if self.rst.val() {
            self.locked.d.next = false;
            self.cur.d.next = 0.into();
            self.cur_oh.d.next = 0.into();
            self.last_grant.d.next = 0.into();
        }
    }
}
