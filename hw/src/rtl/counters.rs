//! `Counters`: the 64-bit statistics counters, laid out as in [`crate::regmap::counters`].

use crate::regmap::{Counter, DropReason};
use crate::DataplaneParams;
use rust_hdl::prelude::*;

/// All counters of a build. Inputs are per-cycle events from the parser (`rx_*`) and the
/// replicator (`ev_*`). A read loads the counter index (`rd_idx` with `rd_load`): it is
/// decoded into one registered hit bit per counter, and `rd_data` holds the counter's value
/// from the cycle after the load on (one more cycle later). `clear` zeroes every counter.
#[derive(LogicBlock)]
pub struct Counters {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset.
    pub rst: Signal<In, Bit>,
    /// Clear all counters.
    pub clear: Signal<In, Bit>,
    /// A frame was received.
    pub rx_valid: Signal<In, Bit>,
    /// Its source.
    pub rx_src: Signal<In, Bits<4>>,
    /// Its length.
    pub rx_len: Signal<In, Bits<24>>,
    /// A frame was issued by the replicator.
    pub ev_valid: Signal<In, Bit>,
    /// Its class.
    pub ev_class: Signal<In, Bits<4>>,
    /// Its length.
    pub ev_len: Signal<In, Bits<24>>,
    /// Its BitString was clipped by an isolation mask.
    pub ev_clip: Signal<In, Bit>,
    /// Its transmit queue.
    pub ev_queue: Signal<In, Bits<8>>,
    /// Targets that got a copy.
    pub ev_tx: Vec<Signal<In, Bit>>,
    /// Targets that lost a copy (drop mode, FIFO full).
    pub ev_stall: Vec<Signal<In, Bit>>,
    /// Counter index to read.
    pub rd_idx: Signal<In, Bits<8>>,
    /// Load `rd_idx` (the start of a read).
    pub rd_load: Signal<In, Bit>,
    /// Counter value (registered).
    pub rd_data: Signal<Out, Bits<64>>,
    rxf: Vec<DFF<Bits<64>>>,
    rxb: Vec<DFF<Bits<64>>>,
    txf: Vec<DFF<Bits<64>>>,
    txb: Vec<DFF<Bits<64>>>,
    drops: Vec<DFF<Bits<64>>>,
    exc: DFF<Bits<64>>,
    fwd: DFF<Bits<64>>,
    stall: Vec<DFF<Bits<64>>>,
    iso: Vec<DFF<Bits<64>>>,
    rd: DFF<Bits<64>>,
    h_rxf: Vec<DFF<Bit>>,
    h_rxb: Vec<DFF<Bit>>,
    h_txf: Vec<DFF<Bit>>,
    h_txb: Vec<DFF<Bit>>,
    h_drops: Vec<DFF<Bit>>,
    h_stall: Vec<DFF<Bit>>,
    h_iso: Vec<DFF<Bit>>,
    h_exc: DFF<Bit>,
    h_fwd: DFF<Bit>,
    rv: Signal<Local, Bits<64>>,
    tv: Signal<Local, Bits<64>>,
    i_rxv: DFF<Bit>,
    i_rxsrc: DFF<Bits<4>>,
    i_rxlen: DFF<Bits<24>>,
    i_evv: DFF<Bit>,
    i_evclass: DFF<Bits<4>>,
    i_evlen: DFF<Bits<24>>,
    i_evclip: DFF<Bit>,
    i_evqueue: DFF<Bits<8>>,
    i_evtx: Vec<DFF<Bit>>,
    i_evstall: Vec<DFF<Bit>>,
    queue_idx: Vec<Constant<Bits<8>>>,
    iso_a: Vec<Constant<Bits<8>>>,
    src_idx: Vec<Constant<Bits<4>>>,
    drop_class: Vec<Constant<Bits<4>>>,
    rxf_a: Vec<Constant<Bits<8>>>,
    rxb_a: Vec<Constant<Bits<8>>>,
    txf_a: Vec<Constant<Bits<8>>>,
    txb_a: Vec<Constant<Bits<8>>>,
    drops_a: Vec<Constant<Bits<8>>>,
    exc_a: Constant<Bits<8>>,
    fwd_a: Constant<Bits<8>>,
    stall_a: Vec<Constant<Bits<8>>>,
}

fn c8(v: Option<usize>) -> Constant<Bits<8>> {
    Constant::new((v.unwrap_or(255) as u64).to_bits())
}

impl Counters {
    /// Counters of a build (indices from [`crate::regmap::Counter::index`]).
    pub fn new(p: &DataplaneParams) -> Self {
        let s = p.net_ingress + 1;
        let t = p.targets;
        let v = |n: usize| {
            (0..n)
                .map(|_| Default::default())
                .collect::<Vec<DFF<Bits<64>>>>()
        };
        Self {
            clock: Default::default(),
            rst: Default::default(),
            clear: Default::default(),
            rx_valid: Default::default(),
            rx_src: Default::default(),
            rx_len: Default::default(),
            ev_valid: Default::default(),
            ev_class: Default::default(),
            ev_len: Default::default(),
            ev_clip: Default::default(),
            ev_queue: Default::default(),
            ev_tx: (0..t).map(|_| Default::default()).collect(),
            ev_stall: (0..t).map(|_| Default::default()).collect(),
            rd_idx: Default::default(),
            rd_load: Default::default(),
            rd_data: Default::default(),
            rxf: v(s),
            rxb: v(s),
            txf: v(t),
            txb: v(t),
            drops: v(DropReason::ALL.len()),
            exc: Default::default(),
            fwd: Default::default(),
            stall: v(t),
            iso: v(p.host_queues),
            rd: Default::default(),
            h_rxf: (0..s).map(|_| Default::default()).collect(),
            h_rxb: (0..s).map(|_| Default::default()).collect(),
            h_txf: (0..t).map(|_| Default::default()).collect(),
            h_txb: (0..t).map(|_| Default::default()).collect(),
            h_drops: (0..DropReason::ALL.len())
                .map(|_| Default::default())
                .collect(),
            h_stall: (0..t).map(|_| Default::default()).collect(),
            h_iso: (0..p.host_queues).map(|_| Default::default()).collect(),
            h_exc: Default::default(),
            h_fwd: Default::default(),
            rv: Default::default(),
            tv: Default::default(),
            i_rxv: Default::default(),
            i_rxsrc: Default::default(),
            i_rxlen: Default::default(),
            i_evv: Default::default(),
            i_evclass: Default::default(),
            i_evlen: Default::default(),
            i_evclip: Default::default(),
            i_evqueue: Default::default(),
            i_evtx: (0..t).map(|_| Default::default()).collect(),
            i_evstall: (0..t).map(|_| Default::default()).collect(),
            queue_idx: (0..p.host_queues)
                .map(|q| Constant::new((q as u64).to_bits()))
                .collect(),
            iso_a: (0..p.host_queues)
                .map(|q| c8(Counter::IsoClipped(q).index(p)))
                .collect(),
            src_idx: (0..s)
                .map(|i| Constant::new((i as u64).to_bits()))
                .collect(),
            drop_class: (0..DropReason::ALL.len())
                .map(|i| Constant::new(((i + 2) as u64).to_bits()))
                .collect(),
            rxf_a: (0..s).map(|i| c8(Counter::RxFrames(i).index(p))).collect(),
            rxb_a: (0..s).map(|i| c8(Counter::RxBytes(i).index(p))).collect(),
            txf_a: (0..t).map(|i| c8(Counter::TxFrames(i).index(p))).collect(),
            txb_a: (0..t).map(|i| c8(Counter::TxBytes(i).index(p))).collect(),
            drops_a: DropReason::ALL
                .iter()
                .map(|r| c8(Counter::Drops(*r).index(p)))
                .collect(),
            exc_a: c8(Counter::Exceptions.index(p)),
            fwd_a: c8(Counter::Forwarded.index(p)),
            stall_a: (0..t)
                .map(|i| c8(Counter::StallDrops(i).index(p)))
                .collect(),
        }
    }
}

impl Logic for Counters {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, exc, fwd, rd, h_exc, h_fwd, i_rxv, i_rxsrc, i_rxlen, i_evv, i_evclass,
            i_evlen, i_evclip, i_evqueue
        );
        // Events are registered first (counting lags them by a cycle), so the adders start at
        // flip-flops rather than at the parser's and replicator's decision logic.
        self.i_rxv.d.next = self.rx_valid.val();
        self.i_rxsrc.d.next = self.rx_src.val();
        self.i_rxlen.d.next = self.rx_len.val();
        self.i_evv.d.next = self.ev_valid.val();
        self.i_evclass.d.next = self.ev_class.val();
        self.i_evlen.d.next = self.ev_len.val();
        self.i_evclip.d.next = self.ev_clip.val();
        self.i_evqueue.d.next = self.ev_queue.val();
        for i in 0..self.i_evtx.len() {
            self.i_evtx[i].clock.next = self.clock.val();
            self.i_evtx[i].d.next = self.ev_tx[i].val();
            self.i_evstall[i].clock.next = self.clock.val();
            self.i_evstall[i].d.next = self.ev_stall[i].val();
        }
        self.rd_data.next = self.rd.q.val();
        // the read value: or-ed from the one counter the index matches
        self.rv.next = 0.into();
        for i in 0..self.rxf.len() {
            self.rxf[i].clock.next = self.clock.val();
            self.h_rxf[i].clock.next = self.clock.val();
            self.h_rxf[i].d.next = self.h_rxf[i].q.val();
            if self.rd_load.val() {
                self.h_rxf[i].d.next = self.rd_idx.val() == self.rxf_a[i].val();
            }
            self.h_rxb[i].clock.next = self.clock.val();
            self.h_rxb[i].d.next = self.h_rxb[i].q.val();
            if self.rd_load.val() {
                self.h_rxb[i].d.next = self.rd_idx.val() == self.rxb_a[i].val();
            }
            self.rxb[i].clock.next = self.clock.val();
            self.rxf[i].d.next = self.rxf[i].q.val();
            self.rxb[i].d.next = self.rxb[i].q.val();
            if self.i_rxv.q.val() & (self.i_rxsrc.q.val() == self.src_idx[i].val()) {
                self.rxf[i].d.next = self.rxf[i].q.val() + 1;
                self.rxb[i].d.next = self.rxb[i].q.val() + bit_cast::<64, 24>(self.i_rxlen.q.val());
            }
            self.tv.next = 0.into();
            if self.h_rxf[i].q.val() {
                self.tv.next = self.rxf[i].q.val();
            }
            self.rv.next = self.rv.val() | self.tv.val();
            self.tv.next = 0.into();
            if self.h_rxb[i].q.val() {
                self.tv.next = self.rxb[i].q.val();
            }
            self.rv.next = self.rv.val() | self.tv.val();
            if self.clear.val() | self.rst.val() {
                self.rxf[i].d.next = 0.into();
                self.rxb[i].d.next = 0.into();
            }
        }
        for i in 0..self.txf.len() {
            self.txf[i].clock.next = self.clock.val();
            self.h_txf[i].clock.next = self.clock.val();
            self.h_txf[i].d.next = self.h_txf[i].q.val();
            if self.rd_load.val() {
                self.h_txf[i].d.next = self.rd_idx.val() == self.txf_a[i].val();
            }
            self.h_txb[i].clock.next = self.clock.val();
            self.h_txb[i].d.next = self.h_txb[i].q.val();
            if self.rd_load.val() {
                self.h_txb[i].d.next = self.rd_idx.val() == self.txb_a[i].val();
            }
            self.h_stall[i].clock.next = self.clock.val();
            self.h_stall[i].d.next = self.h_stall[i].q.val();
            if self.rd_load.val() {
                self.h_stall[i].d.next = self.rd_idx.val() == self.stall_a[i].val();
            }
            self.txb[i].clock.next = self.clock.val();
            self.stall[i].clock.next = self.clock.val();
            self.txf[i].d.next = self.txf[i].q.val();
            self.txb[i].d.next = self.txb[i].q.val();
            self.stall[i].d.next = self.stall[i].q.val();
            if self.i_evv.q.val() & self.i_evtx[i].q.val() {
                self.txf[i].d.next = self.txf[i].q.val() + 1;
                self.txb[i].d.next = self.txb[i].q.val() + bit_cast::<64, 24>(self.i_evlen.q.val());
            }
            if self.i_evv.q.val() & self.i_evstall[i].q.val() {
                self.stall[i].d.next = self.stall[i].q.val() + 1;
            }
            self.tv.next = 0.into();
            if self.h_txf[i].q.val() {
                self.tv.next = self.txf[i].q.val();
            }
            self.rv.next = self.rv.val() | self.tv.val();
            self.tv.next = 0.into();
            if self.h_txb[i].q.val() {
                self.tv.next = self.txb[i].q.val();
            }
            self.rv.next = self.rv.val() | self.tv.val();
            self.tv.next = 0.into();
            if self.h_stall[i].q.val() {
                self.tv.next = self.stall[i].q.val();
            }
            self.rv.next = self.rv.val() | self.tv.val();
            if self.clear.val() | self.rst.val() {
                self.txf[i].d.next = 0.into();
                self.txb[i].d.next = 0.into();
                self.stall[i].d.next = 0.into();
            }
        }
        for i in 0..self.drops.len() {
            self.drops[i].clock.next = self.clock.val();
            self.h_drops[i].clock.next = self.clock.val();
            self.h_drops[i].d.next = self.h_drops[i].q.val();
            if self.rd_load.val() {
                self.h_drops[i].d.next = self.rd_idx.val() == self.drops_a[i].val();
            }
            self.drops[i].d.next = self.drops[i].q.val();
            if self.i_evv.q.val() & (self.i_evclass.q.val() == self.drop_class[i].val()) {
                self.drops[i].d.next = self.drops[i].q.val() + 1;
            }
            self.tv.next = 0.into();
            if self.h_drops[i].q.val() {
                self.tv.next = self.drops[i].q.val();
            }
            self.rv.next = self.rv.val() | self.tv.val();
            if self.clear.val() | self.rst.val() {
                self.drops[i].d.next = 0.into();
            }
        }
        for q in 0..self.iso.len() {
            self.iso[q].clock.next = self.clock.val();
            self.h_iso[q].clock.next = self.clock.val();
            self.h_iso[q].d.next = self.h_iso[q].q.val();
            if self.rd_load.val() {
                self.h_iso[q].d.next = self.rd_idx.val() == self.iso_a[q].val();
            }
            self.iso[q].d.next = self.iso[q].q.val();
            if self.i_evv.q.val()
                & self.i_evclip.q.val()
                & (self.i_evqueue.q.val() == self.queue_idx[q].val())
            {
                self.iso[q].d.next = self.iso[q].q.val() + 1;
            }
            self.tv.next = 0.into();
            if self.h_iso[q].q.val() {
                self.tv.next = self.iso[q].q.val();
            }
            self.rv.next = self.rv.val() | self.tv.val();
            if self.clear.val() | self.rst.val() {
                self.iso[q].d.next = 0.into();
            }
        }
        if self.i_evv.q.val() & (self.i_evclass.q.val() == 1) {
            self.exc.d.next = self.exc.q.val() + 1;
        }
        if self.i_evv.q.val() & (self.i_evclass.q.val() == 0) {
            self.fwd.d.next = self.fwd.q.val() + 1;
        }
        if self.rd_load.val() {
            self.h_exc.d.next = self.rd_idx.val() == self.exc_a.val();
            self.h_fwd.d.next = self.rd_idx.val() == self.fwd_a.val();
        }
        self.tv.next = 0.into();
        if self.h_exc.q.val() {
            self.tv.next = self.exc.q.val();
        }
        self.rv.next = self.rv.val() | self.tv.val();
        self.tv.next = 0.into();
        if self.h_fwd.q.val() {
            self.tv.next = self.fwd.q.val();
        }
        self.rv.next = self.rv.val() | self.tv.val();
        if self.clear.val() | self.rst.val() {
            self.exc.d.next = 0.into();
            self.fwd.d.next = 0.into();
        }
        self.rd.d.next = self.rv.val();
        if self.rst.val() {
            self.i_rxv.d.next = false;
            self.i_evv.d.next = false;
        }
    }
}
