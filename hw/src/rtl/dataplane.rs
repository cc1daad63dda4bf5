//! `Dataplane`: the RustHDL top of the data plane, wiring all blocks together.

use super::arbiter::IngressArbiter;
use super::axil_regs::AxilRegs;
use super::counters::Counters;
use super::egress::EgressPort;
use super::fbm_ram::FbmRam;
use super::fifo::SyncFifo;
use super::lookup::Lookup;
use super::mask_ram::MaskRam;
use super::parser::Parser;
use super::replicator::Replicator;
use super::stream_reg::StreamReg;
use crate::DataplaneParams;
use rust_hdl::prelude::*;

/// The data plane. Widths are const generics (see [`crate::dataplane_verilog`] for the
/// instantiated builds): `DW`/`KW` tdata/tkeep bits, `BW` max BSL, `HW = 160 + BW` header
/// record, `HRW` captured header region, `FW = DW + KW + 1` buffer entry, `RA` F-BM row
/// address bits (with the bank bit), `NCH = BW / 64`, `FBN` log2 frame-buffer beats,
/// `EN` log2 egress-FIFO beats (`*1` = +1), `MA` isolation-mask row address bits (with the bank
/// bit). Counts (ingresses, targets, sets, host queues) are runtime.
#[derive(LogicBlock)]
pub struct Dataplane<
    const DW: usize,
    const KW: usize,
    const BW: usize,
    const HW: usize,
    const HRW: usize,
    const FW: usize,
    const RA: usize,
    const NCH: usize,
    const FBN: usize,
    const FBN1: usize,
    const EN: usize,
    const EN1: usize,
    const MA: usize,
> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous active-high reset.
    pub rst: Signal<In, Bit>,
    /// Ingress tdata (network 0.., host last).
    pub rx_data: Vec<Signal<In, Bits<DW>>>,
    /// Ingress tkeep.
    pub rx_keep: Vec<Signal<In, Bits<KW>>>,
    /// Ingress tlast.
    pub rx_last: Vec<Signal<In, Bit>>,
    /// Ingress tvalid.
    pub rx_valid: Vec<Signal<In, Bit>>,
    /// Ingress tready.
    pub rx_ready: Vec<Signal<Out, Bit>>,
    /// Host ingress tuser: the transmit queue of the frame (constant for the frame).
    pub host_user: Signal<In, Bits<8>>,
    /// Egress tdata per target.
    pub tx_data: Vec<Signal<Out, Bits<DW>>>,
    /// Egress tkeep.
    pub tx_keep: Vec<Signal<Out, Bits<KW>>>,
    /// Egress tlast.
    pub tx_last: Vec<Signal<Out, Bit>>,
    /// Egress tvalid.
    pub tx_valid: Vec<Signal<Out, Bit>>,
    /// Egress tready.
    pub tx_ready: Vec<Signal<In, Bit>>,
    /// AXI4-Lite.
    pub awaddr: Signal<In, Bits<16>>,
    /// AXI4-Lite.
    pub awvalid: Signal<In, Bit>,
    /// AXI4-Lite.
    pub awready: Signal<Out, Bit>,
    /// AXI4-Lite.
    pub wdata: Signal<In, Bits<32>>,
    /// AXI4-Lite.
    pub wstrb: Signal<In, Bits<4>>,
    /// AXI4-Lite.
    pub wvalid: Signal<In, Bit>,
    /// AXI4-Lite.
    pub wready: Signal<Out, Bit>,
    /// AXI4-Lite.
    pub bresp: Signal<Out, Bits<2>>,
    /// AXI4-Lite.
    pub bvalid: Signal<Out, Bit>,
    /// AXI4-Lite.
    pub bready: Signal<In, Bit>,
    /// AXI4-Lite.
    pub araddr: Signal<In, Bits<16>>,
    /// AXI4-Lite.
    pub arvalid: Signal<In, Bit>,
    /// AXI4-Lite.
    pub arready: Signal<Out, Bit>,
    /// AXI4-Lite.
    pub rdata: Signal<Out, Bits<32>>,
    /// AXI4-Lite.
    pub rresp: Signal<Out, Bits<2>>,
    /// AXI4-Lite.
    pub rvalid: Signal<Out, Bit>,
    /// AXI4-Lite.
    pub rready: Signal<In, Bit>,
    arb: IngressArbiter<DW, KW>,
    slice: StreamReg<DW, KW, 12>,
    parser: Parser<DW, KW, BW, HW, HRW, FW>,
    fb: SyncFifo<Bits<FW>, FBN, FBN1>,
    hq: SyncFifo<Bits<HW>, 5, 6>,
    lookup: Lookup<BW, HW, RA, NCH, MA>,
    fbm: Vec<FbmRam<Bits<BW>, RA>>,
    mask: MaskRam<Bits<BW>, MA>,
    rep: Replicator<DW, KW, BW, HRW, RA, FW, MA>,
    egress: Vec<EgressPort<DW, KW, FW, EN, EN1>>,
    counters: Counters,
    regs: AxilRegs<BW, RA, MA>,
    host_src: Constant<Bits<4>>,
}

impl<
        const DW: usize,
        const KW: usize,
        const BW: usize,
        const HW: usize,
        const HRW: usize,
        const FW: usize,
        const RA: usize,
        const NCH: usize,
        const FBN: usize,
        const FBN1: usize,
        const EN: usize,
        const EN1: usize,
        const MA: usize,
    > Dataplane<DW, KW, BW, HW, HRW, FW, RA, NCH, FBN, FBN1, EN, EN1, MA>
{
    /// Data plane of a build; the const generics must match `p` (checked).
    pub fn new(p: &DataplaneParams) -> Self {
        assert_eq!(DW, 8 * p.data_bytes);
        assert_eq!(KW, p.data_bytes);
        assert_eq!(BW, p.max_bsl);
        assert!(p.targets <= 16 && p.net_ingress < 16);
        let n_in = p.net_ingress + 1;
        let limit = 9018usize.div_ceil(p.data_bytes) + 1;
        assert!(limit <= 1 << FBN);
        assert!(limit <= 1 << EN);
        let d = |n: usize| (0..n).map(|_| Default::default()).collect::<Vec<_>>();
        Self {
            clock: Default::default(),
            rst: Default::default(),
            rx_data: (0..n_in).map(|_| Default::default()).collect(),
            rx_keep: (0..n_in).map(|_| Default::default()).collect(),
            rx_last: d(n_in),
            rx_valid: d(n_in),
            rx_ready: (0..n_in).map(|_| Default::default()).collect(),
            host_user: Default::default(),
            tx_data: (0..p.targets).map(|_| Default::default()).collect(),
            tx_keep: (0..p.targets).map(|_| Default::default()).collect(),
            tx_last: (0..p.targets).map(|_| Default::default()).collect(),
            tx_valid: (0..p.targets).map(|_| Default::default()).collect(),
            tx_ready: (0..p.targets).map(|_| Default::default()).collect(),
            awaddr: Default::default(),
            awvalid: Default::default(),
            awready: Default::default(),
            wdata: Default::default(),
            wstrb: Default::default(),
            wvalid: Default::default(),
            wready: Default::default(),
            bresp: Default::default(),
            bvalid: Default::default(),
            bready: Default::default(),
            araddr: Default::default(),
            arvalid: Default::default(),
            arready: Default::default(),
            rdata: Default::default(),
            rresp: Default::default(),
            rvalid: Default::default(),
            rready: Default::default(),
            arb: IngressArbiter::new(n_in),
            slice: Default::default(),
            parser: Parser::new(limit),
            fb: Default::default(),
            hq: Default::default(),
            lookup: Lookup::new(p.targets, p.sets, p.buckets, p.net_ingress, p.host_queues),
            fbm: (0..p.targets).map(|_| Default::default()).collect(),
            mask: Default::default(),
            rep: Replicator::new(p.targets),
            egress: (0..p.targets).map(|_| Default::default()).collect(),
            counters: Counters::new(p),
            regs: AxilRegs::new(p),
            host_src: Constant::new((p.net_ingress as u64).to_bits()),
        }
    }
}

impl<
        const DW: usize,
        const KW: usize,
        const BW: usize,
        const HW: usize,
        const HRW: usize,
        const FW: usize,
        const RA: usize,
        const NCH: usize,
        const FBN: usize,
        const FBN1: usize,
        const EN: usize,
        const EN1: usize,
        const MA: usize,
    > Logic for Dataplane<DW, KW, BW, HW, HRW, FW, RA, NCH, FBN, FBN1, EN, EN1, MA>
{
    #[hdl_gen]
    fn update(&mut self) {
        // clocks and resets
        self.arb.clock.next = self.clock.val();
        self.arb.rst.next = self.rst.val();
        self.slice.clock.next = self.clock.val();
        self.slice.rst.next = self.rst.val();
        self.parser.clock.next = self.clock.val();
        self.parser.rst.next = self.rst.val();
        self.fb.clock.next = self.clock.val();
        self.fb.rst.next = self.rst.val();
        self.hq.clock.next = self.clock.val();
        self.hq.rst.next = self.rst.val();
        self.lookup.clock.next = self.clock.val();
        self.lookup.rst.next = self.rst.val();
        self.rep.clock.next = self.clock.val();
        self.rep.rst.next = self.rst.val();
        self.counters.clock.next = self.clock.val();
        self.counters.rst.next = self.rst.val();
        self.regs.clock.next = self.clock.val();
        self.regs.rst.next = self.rst.val();
        // ingress -> arbiter -> parser
        for i in 0..self.rx_data.len() {
            self.arb.in_data[i].next = self.rx_data[i].val();
            self.arb.in_keep[i].next = self.rx_keep[i].val();
            self.arb.in_last[i].next = self.rx_last[i].val();
            self.arb.in_valid[i].next = self.rx_valid[i].val();
            self.rx_ready[i].next = self.arb.in_ready[i].val();
        }
        // a register slice between the arbiter and the parser (side: source | host queue << 4)
        self.slice.s_data.next = self.arb.out_data.val();
        self.slice.s_keep.next = self.arb.out_keep.val();
        self.slice.s_last.next = self.arb.out_last.val();
        self.slice.s_valid.next = self.arb.out_valid.val();
        self.slice.s_side.next = bit_cast::<12, 4>(self.arb.out_src.val());
        if self.arb.out_src.val() == self.host_src.val() {
            self.slice.s_side.next = bit_cast::<12, 4>(self.arb.out_src.val())
                | (bit_cast::<12, 8>(self.host_user.val()) << 4);
        }
        self.arb.out_ready.next = self.slice.s_ready.val();
        self.parser.in_data.next = self.slice.m_data.val();
        self.parser.in_keep.next = self.slice.m_keep.val();
        self.parser.in_last.next = self.slice.m_last.val();
        self.parser.in_valid.next = self.slice.m_valid.val();
        self.parser.in_src.next = self.slice.m_side.val().get_bits::<4>(0);
        self.parser.in_user.next = self.slice.m_side.val().get_bits::<8>(4);
        self.slice.m_ready.next = self.parser.in_ready.val();
        // parser -> frame buffer, header queue
        self.fb.write.next = self.parser.fb_write.val();
        self.fb.data_in.next = self.parser.fb_data.val();
        self.parser.fb_full.next = self.fb.free.val() == 0;
        self.hq.write.next = self.parser.hq_write.val();
        self.hq.data_in.next = self.parser.hq_data.val();
        // two records may be in flight in the parser (last beat registered, record stage)
        self.parser.hq_full.next = self.hq.free.val() < 3;
        // header queue -> lookup
        self.lookup.hq_data.next = self.hq.data_out.val();
        self.lookup.hq_empty.next = self.hq.empty.val();
        self.hq.skip.next = false;
        self.hq.skip_n.next = 0.into();
        self.hq.read.next = self.lookup.hq_read.val();
        self.lookup.active.next = self.regs.active.val();
        for b in 0..2 {
            self.lookup.bsl[b].next = self.regs.bsl[b].val();
            self.lookup.log2b[b].next = self.regs.log2b[b].val();
            self.lookup.exc[b].next = self.regs.exc[b].val();
        }
        for s in 0..self.lookup.sets0.len() {
            self.lookup.sets0[s].next = self.regs.sets0[s].val();
            self.lookup.sets1[s].next = self.regs.sets1[s].val();
        }
        // lookup -> replicator
        self.rep.i_valid.next = self.lookup.o_valid.val();
        self.lookup.o_ready.next = self.rep.i_ready.val();
        self.rep.i_len.next = self.lookup.o_len.val();
        self.rep.i_beats.next = self.lookup.o_beats.val();
        self.rep.i_kv.next = self.lookup.o_kv.val();
        self.rep.i_kbeats.next = self.lookup.o_kbeats.val();
        self.rep.i_bbeats.next = self.lookup.o_bbeats.val();
        self.rep.i_tagged.next = self.lookup.o_tagged.val();
        self.rep.i_ttl.next = self.lookup.o_ttl.val();
        self.rep.i_class.next = self.lookup.o_class.val();
        self.rep.i_copies.next = self.lookup.o_copies.val();
        self.rep.i_bank.next = self.lookup.o_bank.val();
        self.rep.i_addr.next = self.lookup.o_addr.val();
        self.rep.i_code.next = self.lookup.o_code.val();
        self.rep.i_maddr.next = self.lookup.o_maddr.val();
        self.rep.i_masked.next = self.lookup.o_masked.val();
        self.rep.i_clip.next = self.lookup.o_clip.val();
        self.rep.i_queue.next = self.lookup.o_queue.val();
        // isolation-mask RAM: port A lookup, port B replicator / register readback
        self.mask.clock.next = self.clock.val();
        self.mask.rst.next = self.rst.val();
        self.mask.write_enable.next = self.regs.mask_we.val();
        self.mask.write_address.next = self.regs.mask_waddr.val();
        self.mask.write_data.next = self.regs.ram_wdata.val();
        self.mask.addr_a.next = self.lookup.mask_addr.val();
        self.lookup.mask_data.next = self.mask.data_a.val();
        self.lookup.mask_valid.next = self.mask.valid_a.val();
        self.mask.addr_va.next = self.lookup.mask_vaddr.val();
        self.mask.en_va.next = self.lookup.mask_ven.val();
        self.mask.addr_b.next = self.rep.maskb_addr.val();
        if self.regs.rb_sel.val() {
            self.mask.addr_b.next = self.regs.rb_maddr.val();
        }
        self.mask.addr_vb.next = self.regs.rb_maddr.val();
        self.rep.maskb_data.next = self.mask.data_b.val();
        self.regs.maskb_data.next = self.mask.data_b.val();
        self.regs.maskb_valid.next = self.mask.valid_b.val();
        self.rep.fb_data.next = self.fb.data_out.val();
        self.fb.read.next = self.rep.fb_read.val();
        self.fb.skip.next = self.rep.fb_skip.val();
        self.fb.skip_n.next = bit_cast::<FBN1, 16>(self.lookup.o_beats.val());
        self.rep.fb_fend.next = self.parser.frame_end.val();
        self.rep.hold.next = self.regs.hold.val();
        self.regs.portb_free.next = self.rep.portb_free.val();
        // F-BM RAMs, per-target settings, egress
        for t in 0..self.fbm.len() {
            self.fbm[t].clock.next = self.clock.val();
            self.fbm[t].write_enable.next = self.regs.ram_we[t].val();
            self.lookup.local0[t].next = self.regs.local0[t].val();
            self.lookup.local1[t].next = self.regs.local1[t].val();
            self.rep.drop_mode[t].next = self.regs.drop_mode[t].val();
            self.counters.ev_tx[t].next = self.rep.ev_tx[t].val();
            self.counters.ev_stall[t].next = self.rep.ev_stall[t].val();
            self.fbm[t].write_address.next = self.regs.ram_waddr.val();
            self.fbm[t].write_data.next = self.regs.ram_wdata.val();
            self.fbm[t].addr_a.next = self.lookup.ram_addr.val();
            self.lookup.ram_data[t].next = self.fbm[t].data_a.val();
            self.fbm[t].addr_b.next = self.rep.ramb_addr.val();
            if self.regs.rb_sel.val() {
                self.fbm[t].addr_b.next = self.regs.rb_addr.val();
            }
            self.rep.ramb_data[t].next = self.fbm[t].data_b.val();
            self.regs.ramb_data[t].next = self.fbm[t].data_b.val();
            self.rep.cfg0[t].next = self.regs.cfg0[t].val();
            self.rep.cfg1[t].next = self.regs.cfg1[t].val();
            self.rep.mac0[t].next = self.regs.mac0[t].val();
            self.rep.mac1[t].next = self.regs.mac1[t].val();
            self.rep.nh0[t].next = self.regs.nh0[t].val();
            self.rep.nh1[t].next = self.regs.nh1[t].val();
            self.egress[t].clock.next = self.clock.val();
            self.egress[t].rst.next = self.rst.val();
            self.egress[t].write.next = self.rep.eg_write[t].val();
            self.egress[t].data.next = self.rep.eg_data[t].val();
            self.egress[t].reserve.next = self.rep.eg_reserve[t].val();
            self.egress[t].amount.next = self.rep.eg_amount.val();
            self.rep.eg_credit[t].next = self.egress[t].credit.val();
            self.tx_data[t].next = self.egress[t].m_data.val();
            self.tx_keep[t].next = self.egress[t].m_keep.val();
            self.tx_last[t].next = self.egress[t].m_last.val();
            self.tx_valid[t].next = self.egress[t].m_valid.val();
            self.egress[t].m_ready.next = self.tx_ready[t].val();
        }
        self.regs.fb_underflow.next = self.rep.fb_read.val() & self.fb.empty.val();
        self.regs.eg_overflow.next = false;
        for t in 0..self.egress.len() {
            if self.egress[t].overflow.val() {
                self.regs.eg_overflow.next = true;
            }
        }
        // counters
        self.counters.clear.next = self.regs.clear.val();
        self.counters.rx_valid.next = self.parser.rx_event.val();
        self.counters.rx_src.next = self.parser.rx_src.val();
        self.counters.rx_len.next = self.parser.rx_len.val();
        self.counters.ev_valid.next = self.rep.ev_valid.val();
        self.counters.ev_class.next = self.rep.ev_class.val();
        self.counters.ev_len.next = self.rep.ev_len.val();
        self.counters.ev_clip.next = self.rep.ev_clip.val();
        self.counters.ev_queue.next = self.rep.ev_queue.val();
        self.counters.rd_idx.next = self.regs.cnt_idx.val();
        self.counters.rd_load.next = self.regs.cnt_load.val();
        self.regs.cnt_data.next = self.counters.rd_data.val();
        // bank swap drain: frames that still use the previous bank
        self.regs.drain.next = self.lookup.old_inflight.val()
            | (self.rep.cur_busy.val() & (self.rep.cur_bank.val() != self.regs.active.val()));
        // AXI4-Lite
        self.regs.awaddr.next = self.awaddr.val();
        self.regs.awvalid.next = self.awvalid.val();
        self.awready.next = self.regs.awready.val();
        self.regs.wdata.next = self.wdata.val();
        self.regs.wstrb.next = self.wstrb.val();
        self.regs.wvalid.next = self.wvalid.val();
        self.wready.next = self.regs.wready.val();
        self.bresp.next = self.regs.bresp.val();
        self.bvalid.next = self.regs.bvalid.val();
        self.regs.bready.next = self.bready.val();
        self.regs.araddr.next = self.araddr.val();
        self.regs.arvalid.next = self.arvalid.val();
        self.arready.next = self.regs.arready.val();
        self.rdata.next = self.regs.rdata.val();
        self.rresp.next = self.regs.rresp.val();
        self.rvalid.next = self.regs.rvalid.val();
        self.regs.rready.next = self.rready.val();
    }
}
