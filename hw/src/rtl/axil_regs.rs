//! `AxilRegs`: AXI4-Lite slave and register file (control, both BIFT banks, staging row,
//! counter access). Every address and identity value comes from [`crate::regmap`].

use crate::regmap as rm;
use crate::DataplaneParams;
use rust_hdl::prelude::*;

fn d<T: Default>(n: usize) -> Vec<T> {
    (0..n).map(|_| T::default()).collect()
}

fn c16(v: u16) -> Constant<Bits<16>> {
    Constant::new((v as u64).to_bits())
}

fn c32(v: u32) -> Constant<Bits<32>> {
    Constant::new((v as u64).to_bits())
}

/// Register file. A write is latched in the cycle AW and W are both valid and takes effect in
/// the next (its response follows), except F-BM and mask row reads (which wait until port B of
/// the F-BM and mask RAMs is free, at most one frame); reads take three cycles. Only
/// full-word writes (`wstrb = 0xF`) are accepted; others get SLVERR. `RA` / `MA`: F-BM / mask row
/// address bits (bank bit on top).
#[derive(LogicBlock)]
pub struct AxilRegs<const BW: usize, const RA: usize, const MA: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset.
    pub rst: Signal<In, Bit>,
    /// AXI4-Lite AW.
    pub awaddr: Signal<In, Bits<16>>,
    /// AXI4-Lite AW.
    pub awvalid: Signal<In, Bit>,
    /// AXI4-Lite AW.
    pub awready: Signal<Out, Bit>,
    /// AXI4-Lite W.
    pub wdata: Signal<In, Bits<32>>,
    /// AXI4-Lite W (ignored).
    pub wstrb: Signal<In, Bits<4>>,
    /// AXI4-Lite W.
    pub wvalid: Signal<In, Bit>,
    /// AXI4-Lite W.
    pub wready: Signal<Out, Bit>,
    /// AXI4-Lite B.
    pub bresp: Signal<Out, Bits<2>>,
    /// AXI4-Lite B.
    pub bvalid: Signal<Out, Bit>,
    /// AXI4-Lite B.
    pub bready: Signal<In, Bit>,
    /// AXI4-Lite AR.
    pub araddr: Signal<In, Bits<16>>,
    /// AXI4-Lite AR.
    pub arvalid: Signal<In, Bit>,
    /// AXI4-Lite AR.
    pub arready: Signal<Out, Bit>,
    /// AXI4-Lite R.
    pub rdata: Signal<Out, Bits<32>>,
    /// AXI4-Lite R.
    pub rresp: Signal<Out, Bits<2>>,
    /// AXI4-Lite R.
    pub rvalid: Signal<Out, Bit>,
    /// AXI4-Lite R.
    pub rready: Signal<In, Bit>,
    /// Active bank.
    pub active: Signal<Out, Bit>,
    /// Frames that use the previous bank are in flight. Registered here (`drain_r`); the cycle
    /// after a swap, when that register still compares against the old bank, counts as draining.
    pub drain: Signal<In, Bit>,
    /// Some egress FIFO overflowed (sticky status bit 0).
    pub eg_overflow: Signal<In, Bit>,
    /// The frame buffer was read while empty (sticky status bit 1).
    pub fb_underflow: Signal<In, Bit>,
    /// Drop-on-full mode per target.
    pub drop_mode: Vec<Signal<Out, Bit>>,
    /// BSL code per bank.
    pub bsl: Vec<Signal<Out, Bits<3>>>,
    /// log2(buckets) per bank.
    pub log2b: Vec<Signal<Out, Bits<4>>>,
    /// Exception target per bank (bit 8 enable).
    pub exc: Vec<Signal<Out, Bits<9>>>,
    /// Set slots, bank 0 (bit 20 valid).
    pub sets0: Vec<Signal<Out, Bits<21>>>,
    /// Set slots, bank 1.
    pub sets1: Vec<Signal<Out, Bits<21>>>,
    /// Local-kind bits, bank 0.
    pub local0: Vec<Signal<Out, Bit>>,
    /// Local-kind bits, bank 1.
    pub local1: Vec<Signal<Out, Bit>>,
    /// Target config, bank 0.
    pub cfg0: Vec<Signal<Out, Bits<3>>>,
    /// Target config, bank 1.
    pub cfg1: Vec<Signal<Out, Bits<3>>>,
    /// Source MAC in wire order, bank 0.
    pub mac0: Vec<Signal<Out, Bits<48>>>,
    /// Source MAC in wire order, bank 1.
    pub mac1: Vec<Signal<Out, Bits<48>>>,
    /// Next-hop MAC in wire order, bank 0.
    pub nh0: Vec<Signal<Out, Bits<48>>>,
    /// Next-hop MAC in wire order, bank 1.
    pub nh1: Vec<Signal<Out, Bits<48>>>,
    /// Counter index.
    pub cnt_idx: Signal<Out, Bits<8>>,
    /// Load `cnt_idx` into the counters (a read was accepted).
    pub cnt_load: Signal<Out, Bit>,
    /// Counter value (two cycles after `cnt_load`).
    pub cnt_data: Signal<In, Bits<64>>,
    /// Clear all counters.
    pub clear: Signal<Out, Bit>,
    /// F-BM write enable per target.
    pub ram_we: Vec<Signal<Out, Bit>>,
    /// F-BM write row (bank bit on top).
    pub ram_waddr: Signal<Out, Bits<RA>>,
    /// F-BM write data (the staging row).
    pub ram_wdata: Signal<Out, Bits<BW>>,
    /// Ask the replicator not to issue (readback wants port B).
    pub hold: Signal<Out, Bit>,
    /// Port B is free.
    pub portb_free: Signal<In, Bit>,
    /// Port B address is `rb_addr`.
    pub rb_sel: Signal<Out, Bit>,
    /// Readback row.
    pub rb_addr: Signal<Out, Bits<RA>>,
    /// Port B data per target.
    pub ramb_data: Vec<Signal<In, Bits<BW>>>,
    /// Mask RAM write enable.
    pub mask_we: Signal<Out, Bit>,
    /// Mask RAM write row (bank bit on top); the data is `ram_wdata`.
    pub mask_waddr: Signal<Out, Bits<MA>>,
    /// Mask readback row (mask RAM port B address while `rb_sel`).
    pub rb_maddr: Signal<Out, Bits<MA>>,
    /// Mask RAM port B data.
    pub maskb_data: Signal<In, Bits<BW>>,
    /// Mask RAM port B row written since reset.
    pub maskb_valid: Signal<In, Bit>,
    // state
    act: DFF<Bit>,
    act_r: DFF<Bit>,
    drain_r: DFF<Bit>,
    drn: Signal<Local, Bit>,
    dmode: DFF<Bits<16>>,
    scratch: DFF<Bits<32>>,
    ovf: DFF<Bit>,
    ufl: DFF<Bit>,
    bsl_r: Vec<DFF<Bits<3>>>,
    lb_r: Vec<DFF<Bits<4>>>,
    exc_r: Vec<DFF<Bits<9>>>,
    sets0_r: Vec<DFF<Bits<21>>>,
    sets1_r: Vec<DFF<Bits<21>>>,
    cfg0_r: Vec<DFF<Bits<3>>>,
    cfg1_r: Vec<DFF<Bits<3>>>,
    maclo0: Vec<DFF<Bits<32>>>,
    maclo1: Vec<DFF<Bits<32>>>,
    machi0: Vec<DFF<Bits<16>>>,
    machi1: Vec<DFF<Bits<16>>>,
    nhlo0: Vec<DFF<Bits<32>>>,
    nhlo1: Vec<DFF<Bits<32>>>,
    nhhi0: Vec<DFF<Bits<16>>>,
    nhhi1: Vec<DFF<Bits<16>>>,
    staging: Vec<DFF<Bits<32>>>,
    wstate: DFF<Bits<2>>,
    waw: DFF<Bits<16>>,
    // checks of the latched write, made when it is latched: address inside the BIFT block,
    // row command valid
    w_inb: DFF<Bit>,
    w_cok: DFF<Bit>,
    wwd: DFF<Bits<32>>,
    wws: DFF<Bits<4>>,
    werr: DFF<Bit>,
    lasterr: DFF<Bit>,
    rbstate: DFF<Bits<2>>,
    rbtgt: DFF<Bits<8>>,
    rbaddr: DFF<Bits<RA>>,
    rbmask: DFF<Bit>,
    rbmaddr: DFF<Bits<MA>>,
    rstate: DFF<Bits<2>>,
    raddr: DFF<Bits<16>>,
    rd: DFF<Bits<32>>,
    // Read-address decode, registered in read state 1 (one bit per register).
    h_commit: DFF<Bit>,
    h_dmode: DFF<Bit>,
    h_scratch: DFF<Bit>,
    h_status: DFF<Bit>,
    h_bsl: DFF<Bit>,
    h_lb: DFF<Bit>,
    h_exc: DFF<Bit>,
    h_rowcmd: DFF<Bit>,
    h_cnt: DFF<Bit>,
    h_ro: Vec<DFF<Bit>>,
    h_stg: Vec<DFF<Bit>>,
    h_set: Vec<DFF<Bit>>,
    h_cfg: Vec<DFF<Bit>>,
    h_maclo: Vec<DFF<Bit>>,
    h_machi: Vec<DFF<Bit>>,
    h_nhlo: Vec<DFF<Bit>>,
    h_nhhi: Vec<DFF<Bit>>,
    snap: DFF<Bits<32>>,
    // constants
    ro_addr: Vec<Constant<Bits<16>>>,
    ro_val: Vec<Constant<Bits<32>>>,
    a_commit: Constant<Bits<16>>,
    a_clear: Constant<Bits<16>>,
    a_dmode: Constant<Bits<16>>,
    a_scratch: Constant<Bits<16>>,
    a_status: Constant<Bits<16>>,
    a_bsl: Constant<Bits<16>>,
    a_lb: Constant<Bits<16>>,
    a_exc: Constant<Bits<16>>,
    a_rowcmd: Constant<Bits<16>>,
    a_bift_lo: Constant<Bits<16>>,
    a_bift_hi: Constant<Bits<16>>,
    a_cnt_lo: Constant<Bits<16>>,
    a_cnt_hi: Constant<Bits<16>>,
    a_staging: Vec<Constant<Bits<16>>>,
    a_sets: Vec<Constant<Bits<16>>>,
    a_cfg: Vec<Constant<Bits<16>>>,
    a_maclo: Vec<Constant<Bits<16>>>,
    a_machi: Vec<Constant<Bits<16>>>,
    a_nhlo: Vec<Constant<Bits<16>>>,
    a_nhhi: Vec<Constant<Bits<16>>>,
    sh_word: Vec<Constant<Bits<16>>>,
    tgt_idx: Vec<Constant<Bits<8>>>,
    max_code: Constant<Bits<32>>,
    max_lb: Constant<Bits<32>>,
    n_targets: Constant<Bits<8>>,
    n_rows: Constant<Bits<16>>,
    bank_bit: Constant<Bits<RA>>,
    n_mrows: Constant<Bits<16>>,
    mbank_bit: Constant<Bits<MA>>,
    // locals
    wr: Signal<Local, Bit>,
    wacc: Signal<Local, Bit>,
    shadow: Signal<Local, Bit>,
    bad: Signal<Local, Bit>,
    busy_reject: Signal<Local, Bit>,
    cmd_op: Signal<Local, Bits<2>>,
    cmd_tgt: Signal<Local, Bits<8>>,
    cmd_row: Signal<Local, Bits<16>>,
    cmd_ok: Signal<Local, Bit>,
    l_op: Signal<Local, Bits<2>>,
    l_row: Signal<Local, Bits<16>>,
    l_cok: Signal<Local, Bit>,
    cmd_addr: Signal<Local, Bits<RA>>,
    cmd_mask: Signal<Local, Bit>,
    cmd_maddr: Signal<Local, Bits<MA>>,
    stg: Signal<Local, Bits<BW>>,
    rb_row: Signal<Local, Bits<BW>>,
    rv: Signal<Local, Bits<32>>,
    tv: Signal<Local, Bits<32>>,
    cnt_off: Signal<Local, Bits<16>>,
    m: Signal<Local, Bits<48>>,
    hi: Signal<Local, Bits<16>>,
    lo: Signal<Local, Bits<32>>,
    setw: Signal<Local, Bits<21>>,
    setr: Signal<Local, Bits<21>>,
    c3: Signal<Local, Bits<3>>,
}

impl<const BW: usize, const RA: usize, const MA: usize> AxilRegs<BW, RA, MA> {
    /// Register file of a build.
    pub fn new(p: &DataplaneParams) -> Self {
        assert_eq!(BW, p.max_bsl);
        assert!(2 * rm::mask_rows(p) <= 1 << MA && rm::mask_rows(p) < 1 << 16);
        let t = p.targets;
        let s = p.sets;
        let mut ro: Vec<(u16, u32)> = Vec::new();
        for (base, ty, ver, next) in rm::block_chain() {
            ro.push((base + rm::BLOCK_TYPE, ty));
            ro.push((base + rm::BLOCK_VERSION, ver));
            ro.push((base + rm::BLOCK_NEXT, next as u32));
        }
        ro.extend(rm::identity(p));
        ro.push((rm::CNT_COUNT, rm::counter_count(p) as u32));
        Self {
            clock: Default::default(),
            rst: Default::default(),
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
            active: Default::default(),
            drain: Default::default(),
            eg_overflow: Default::default(),
            fb_underflow: Default::default(),
            drop_mode: d(t),
            bsl: d(2),
            log2b: d(2),
            exc: d(2),
            sets0: d(s),
            sets1: d(s),
            local0: d(t),
            local1: d(t),
            cfg0: d(t),
            cfg1: d(t),
            mac0: d(t),
            mac1: d(t),
            nh0: d(t),
            nh1: d(t),
            cnt_idx: Default::default(),
            cnt_load: Default::default(),
            cnt_data: Default::default(),
            clear: Default::default(),
            ram_we: d(t),
            ram_waddr: Default::default(),
            ram_wdata: Default::default(),
            hold: Default::default(),
            portb_free: Default::default(),
            rb_sel: Default::default(),
            rb_addr: Default::default(),
            ramb_data: d(t),
            mask_we: Default::default(),
            mask_waddr: Default::default(),
            rb_maddr: Default::default(),
            maskb_data: Default::default(),
            maskb_valid: Default::default(),
            act: Default::default(),
            act_r: Default::default(),
            drain_r: Default::default(),
            drn: Default::default(),
            dmode: Default::default(),
            scratch: Default::default(),
            ovf: Default::default(),
            ufl: Default::default(),
            bsl_r: d(2),
            lb_r: d(2),
            exc_r: d(2),
            sets0_r: d(s),
            sets1_r: d(s),
            cfg0_r: d(t),
            cfg1_r: d(t),
            maclo0: d(t),
            maclo1: d(t),
            machi0: d(t),
            machi1: d(t),
            nhlo0: d(t),
            nhlo1: d(t),
            nhhi0: d(t),
            nhhi1: d(t),
            staging: d(rm::staging_words(p)),
            wstate: Default::default(),
            waw: Default::default(),
            w_inb: Default::default(),
            w_cok: Default::default(),
            wwd: Default::default(),
            wws: Default::default(),
            werr: Default::default(),
            lasterr: Default::default(),
            rbstate: Default::default(),
            rbtgt: Default::default(),
            rbaddr: Default::default(),
            rbmask: Default::default(),
            rbmaddr: Default::default(),
            rstate: Default::default(),
            raddr: Default::default(),
            rd: Default::default(),
            h_commit: Default::default(),
            h_dmode: Default::default(),
            h_scratch: Default::default(),
            h_status: Default::default(),
            h_bsl: Default::default(),
            h_lb: Default::default(),
            h_exc: Default::default(),
            h_rowcmd: Default::default(),
            h_cnt: Default::default(),
            h_ro: d(ro.len()),
            h_stg: d(rm::staging_words(p)),
            h_set: d(s),
            h_cfg: d(t),
            h_maclo: d(t),
            h_machi: d(t),
            h_nhlo: d(t),
            h_nhhi: d(t),
            snap: Default::default(),
            ro_addr: ro.iter().map(|x| c16(x.0)).collect(),
            ro_val: ro.iter().map(|x| c32(x.1)).collect(),
            a_commit: c16(rm::CTRL_COMMIT),
            a_clear: c16(rm::CTRL_CLEAR),
            a_dmode: c16(rm::CTRL_DROP_MODE),
            a_scratch: c16(rm::CTRL_SCRATCH),
            a_status: c16(rm::CTRL_STATUS),
            a_bsl: c16(rm::BIFT_BSL),
            a_lb: c16(rm::BIFT_LOG2_BUCKETS),
            a_exc: c16(rm::BIFT_EXCEPTION),
            a_rowcmd: c16(rm::BIFT_ROW_CMD),
            a_bift_lo: c16(rm::BIFT_BASE),
            a_bift_hi: c16(rm::CNT_BASE),
            a_cnt_lo: c16(rm::CNT_ARRAY),
            a_cnt_hi: c16(rm::CNT_ARRAY + 8 * rm::counter_count(p) as u16),
            a_staging: (0..rm::staging_words(p))
                .map(|w| c16(rm::staging_reg(w)))
                .collect(),
            a_sets: (0..s).map(|i| c16(rm::set_reg(i))).collect(),
            a_cfg: (0..t)
                .map(|i| c16(rm::target_reg(i, rm::TGT_CFG)))
                .collect(),
            a_maclo: (0..t)
                .map(|i| c16(rm::target_reg(i, rm::TGT_MAC_LO)))
                .collect(),
            a_machi: (0..t)
                .map(|i| c16(rm::target_reg(i, rm::TGT_MAC_HI)))
                .collect(),
            a_nhlo: (0..t)
                .map(|i| c16(rm::target_reg(i, rm::TGT_NH_LO)))
                .collect(),
            a_nhhi: (0..t)
                .map(|i| c16(rm::target_reg(i, rm::TGT_NH_HI)))
                .collect(),
            sh_word: (0..rm::staging_words(p))
                .map(|w| c16(32 * w as u16))
                .collect(),
            tgt_idx: (0..t)
                .map(|i| Constant::new((i as u64).to_bits()))
                .collect(),
            max_code: c32(rm::bsl_code(p.max_bsl).unwrap_or(1)),
            max_lb: c32(p.buckets.trailing_zeros()),
            n_targets: Constant::new((t as u64).to_bits()),
            n_rows: c16((s * p.buckets) as u16),
            bank_bit: Constant::new((1u64 << (RA - 1)).to_bits()),
            n_mrows: c16(rm::mask_rows(p) as u16),
            mbank_bit: Constant::new((1u64 << (MA - 1)).to_bits()),
            wr: Default::default(),
            wacc: Default::default(),
            shadow: Default::default(),
            bad: Default::default(),
            busy_reject: Default::default(),
            cmd_op: Default::default(),
            cmd_tgt: Default::default(),
            cmd_row: Default::default(),
            cmd_ok: Default::default(),
            l_op: Default::default(),
            l_row: Default::default(),
            l_cok: Default::default(),
            cmd_addr: Default::default(),
            cmd_mask: Default::default(),
            cmd_maddr: Default::default(),
            stg: Default::default(),
            rb_row: Default::default(),
            rv: Default::default(),
            tv: Default::default(),
            cnt_off: Default::default(),
            m: Default::default(),
            hi: Default::default(),
            lo: Default::default(),
            setw: Default::default(),
            setr: Default::default(),
            c3: Default::default(),
        }
    }
}

impl<const BW: usize, const RA: usize, const MA: usize> Logic for AxilRegs<BW, RA, MA> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, act, act_r, drain_r, dmode, scratch, ovf, ufl, wstate, waw, w_inb, w_cok,
            wwd, wws, werr, lasterr, rbstate, rbtgt, rbaddr, rbmask, rbmaddr, rstate, raddr, rd,
            snap, h_commit, h_dmode, h_scratch, h_status, h_bsl, h_lb, h_exc, h_rowcmd, h_cnt
        );
        // Bank-swap drain, registered (keeps the lookup pipeline's valid/bank bits off the write
        // decode); a swap in the previous cycle counts as draining.
        self.drain_r.d.next = self.drain.val();
        self.act_r.d.next = self.act.q.val();
        self.drn.next = self.drain_r.q.val() | (self.act_r.q.val() != self.act.q.val());
        for b in 0..2 {
            self.bsl_r[b].clock.next = self.clock.val();
            self.bsl_r[b].d.next = self.bsl_r[b].q.val();
            self.lb_r[b].clock.next = self.clock.val();
            self.lb_r[b].d.next = self.lb_r[b].q.val();
            self.exc_r[b].clock.next = self.clock.val();
            self.exc_r[b].d.next = self.exc_r[b].q.val();
            self.bsl[b].next = self.bsl_r[b].q.val();
            self.log2b[b].next = self.lb_r[b].q.val();
            self.exc[b].next = self.exc_r[b].q.val();
        }
        for s in 0..self.a_sets.len() {
            self.sets0_r[s].clock.next = self.clock.val();
            self.sets0_r[s].d.next = self.sets0_r[s].q.val();
            self.sets1_r[s].clock.next = self.clock.val();
            self.sets1_r[s].d.next = self.sets1_r[s].q.val();
            self.sets0[s].next = self.sets0_r[s].q.val();
            self.sets1[s].next = self.sets1_r[s].q.val();
        }
        for w in 0..self.staging.len() {
            self.staging[w].clock.next = self.clock.val();
            self.staging[w].d.next = self.staging[w].q.val();
        }
        for t in 0..self.tgt_idx.len() {
            self.cfg0_r[t].clock.next = self.clock.val();
            self.cfg0_r[t].d.next = self.cfg0_r[t].q.val();
            self.cfg1_r[t].clock.next = self.clock.val();
            self.cfg1_r[t].d.next = self.cfg1_r[t].q.val();
            self.maclo0[t].clock.next = self.clock.val();
            self.maclo0[t].d.next = self.maclo0[t].q.val();
            self.maclo1[t].clock.next = self.clock.val();
            self.maclo1[t].d.next = self.maclo1[t].q.val();
            self.machi0[t].clock.next = self.clock.val();
            self.machi0[t].d.next = self.machi0[t].q.val();
            self.machi1[t].clock.next = self.clock.val();
            self.machi1[t].d.next = self.machi1[t].q.val();
            self.nhlo0[t].clock.next = self.clock.val();
            self.nhlo0[t].d.next = self.nhlo0[t].q.val();
            self.nhlo1[t].clock.next = self.clock.val();
            self.nhlo1[t].d.next = self.nhlo1[t].q.val();
            self.nhhi0[t].clock.next = self.clock.val();
            self.nhhi0[t].d.next = self.nhhi0[t].q.val();
            self.nhhi1[t].clock.next = self.clock.val();
            self.nhhi1[t].d.next = self.nhhi1[t].q.val();
            self.cfg0[t].next = self.cfg0_r[t].q.val();
            self.cfg1[t].next = self.cfg1_r[t].q.val();
            self.local0[t].next = self.cfg0_r[t].q.val().get_bit(0);
            self.local1[t].next = self.cfg1_r[t].q.val().get_bit(0);
            self.drop_mode[t].next = self.dmode.q.val().get_bit(t);
            self.ram_we[t].next = false;
            // MAC registers hold the MAC as a big-endian number; outputs are in wire order.
            self.hi.next = self.machi0[t].q.val();
            self.lo.next = self.maclo0[t].q.val();
            self.m.next = bit_cast::<48, 8>(self.hi.val().get_bits::<8>(8))
                | (bit_cast::<48, 8>(self.hi.val().get_bits::<8>(0)) << 8)
                | (bit_cast::<48, 8>(self.lo.val().get_bits::<8>(24)) << 16)
                | (bit_cast::<48, 8>(self.lo.val().get_bits::<8>(16)) << 24)
                | (bit_cast::<48, 8>(self.lo.val().get_bits::<8>(8)) << 32)
                | (bit_cast::<48, 8>(self.lo.val().get_bits::<8>(0)) << 40);
            self.mac0[t].next = self.m.val();
            self.hi.next = self.machi1[t].q.val();
            self.lo.next = self.maclo1[t].q.val();
            self.m.next = bit_cast::<48, 8>(self.hi.val().get_bits::<8>(8))
                | (bit_cast::<48, 8>(self.hi.val().get_bits::<8>(0)) << 8)
                | (bit_cast::<48, 8>(self.lo.val().get_bits::<8>(24)) << 16)
                | (bit_cast::<48, 8>(self.lo.val().get_bits::<8>(16)) << 24)
                | (bit_cast::<48, 8>(self.lo.val().get_bits::<8>(8)) << 32)
                | (bit_cast::<48, 8>(self.lo.val().get_bits::<8>(0)) << 40);
            self.mac1[t].next = self.m.val();
            self.hi.next = self.nhhi0[t].q.val();
            self.lo.next = self.nhlo0[t].q.val();
            self.m.next = bit_cast::<48, 8>(self.hi.val().get_bits::<8>(8))
                | (bit_cast::<48, 8>(self.hi.val().get_bits::<8>(0)) << 8)
                | (bit_cast::<48, 8>(self.lo.val().get_bits::<8>(24)) << 16)
                | (bit_cast::<48, 8>(self.lo.val().get_bits::<8>(16)) << 24)
                | (bit_cast::<48, 8>(self.lo.val().get_bits::<8>(8)) << 32)
                | (bit_cast::<48, 8>(self.lo.val().get_bits::<8>(0)) << 40);
            self.nh0[t].next = self.m.val();
            self.hi.next = self.nhhi1[t].q.val();
            self.lo.next = self.nhlo1[t].q.val();
            self.m.next = bit_cast::<48, 8>(self.hi.val().get_bits::<8>(8))
                | (bit_cast::<48, 8>(self.hi.val().get_bits::<8>(0)) << 8)
                | (bit_cast::<48, 8>(self.lo.val().get_bits::<8>(24)) << 16)
                | (bit_cast::<48, 8>(self.lo.val().get_bits::<8>(16)) << 24)
                | (bit_cast::<48, 8>(self.lo.val().get_bits::<8>(8)) << 32)
                | (bit_cast::<48, 8>(self.lo.val().get_bits::<8>(0)) << 40);
            self.nh1[t].next = self.m.val();
        }
        self.active.next = self.act.q.val();
        self.shadow.next = !self.act.q.val();
        // Staging row as one vector.
        self.stg.next = 0.into();
        for w in 0..self.staging.len() {
            self.lo.next = self.staging[w].q.val();
            self.stg.next =
                self.stg.val() | (bit_cast::<BW, 32>(self.lo.val()) << self.sh_word[w].val());
        }
        // ---------------- write channel
        self.awready.next = false;
        self.wready.next = false;
        self.bvalid.next = self.wstate.q.val() == 2;
        self.bresp.next = 0.into();
        if self.werr.q.val() {
            self.bresp.next = 2.into();
        }
        self.clear.next = false;
        self.ram_wdata.next = self.stg.val();
        self.cmd_op.next = self.wwd.q.val().get_bits::<2>(30);
        self.cmd_tgt.next = self.wwd.q.val().get_bits::<8>(16);
        self.cmd_row.next = self.wwd.q.val().get_bits::<16>(0);
        self.cmd_mask.next = self.wwd.q.val().get_bit(28);
        // row command valid: checked on the write data when the write is latched (w_cok)
        self.cmd_ok.next = self.w_cok.q.val();
        self.l_op.next = self.wdata.val().get_bits::<2>(30);
        self.l_row.next = self.wdata.val().get_bits::<16>(0);
        self.l_cok.next = (self.wdata.val().get_bits::<8>(16) < self.n_targets.val())
            & (self.l_row.val() < self.n_rows.val())
            & ((self.l_op.val() == 1) | (self.l_op.val() == 2));
        if self.wdata.val().get_bit(28) {
            // mask rows: the target field is ignored
            self.l_cok.next = (self.l_row.val() < self.n_mrows.val())
                & ((self.l_op.val() == 1) | (self.l_op.val() == 2));
        }
        self.cmd_addr.next = bit_cast::<RA, 16>(self.cmd_row.val());
        if self.shadow.val() {
            self.cmd_addr.next = bit_cast::<RA, 16>(self.cmd_row.val()) | self.bank_bit.val();
        }
        if (self.cmd_op.val() == 2) & self.wwd.q.val().get_bit(29) {
            self.cmd_addr.next = bit_cast::<RA, 16>(self.cmd_row.val());
            if self.act.q.val() {
                self.cmd_addr.next = bit_cast::<RA, 16>(self.cmd_row.val()) | self.bank_bit.val();
            }
        }
        self.ram_waddr.next = self.cmd_addr.val();
        self.cmd_maddr.next = bit_cast::<MA, 16>(self.cmd_row.val());
        if self.shadow.val() {
            self.cmd_maddr.next = bit_cast::<MA, 16>(self.cmd_row.val()) | self.mbank_bit.val();
        }
        if (self.cmd_op.val() == 2) & self.wwd.q.val().get_bit(29) {
            self.cmd_maddr.next = bit_cast::<MA, 16>(self.cmd_row.val());
            if self.act.q.val() {
                self.cmd_maddr.next = bit_cast::<MA, 16>(self.cmd_row.val()) | self.mbank_bit.val();
            }
        }
        self.mask_waddr.next = self.cmd_maddr.val();
        self.mask_we.next = false;
        // A write is latched when AW and W are both there (state 3), then decoded and executed
        // from the latched address and data in the next cycle (from registers: the decode
        // and the range checks no longer follow the master's address in the same cycle).
        if (self.wstate.q.val() == 0) & self.awvalid.val() & self.wvalid.val() {
            self.awready.next = true;
            self.wready.next = true;
            self.waw.d.next = self.awaddr.val();
            self.wwd.d.next = self.wdata.val();
            self.wws.d.next = self.wstrb.val();
            self.w_inb.d.next = (self.awaddr.val() >= self.a_bift_lo.val())
                & (self.awaddr.val() < self.a_bift_hi.val());
            self.w_cok.d.next = self.l_cok.val();
            self.wstate.d.next = 3.into();
        }
        self.wacc.next = self.wstate.q.val() == 3;
        // Partial-word writes are rejected (SLVERR) and ignored.
        self.wr.next = self.wacc.val() & (self.wws.q.val() == 0xF);
        self.busy_reject.next = self.drn.val() & self.w_inb.q.val();
        self.bad.next = false;
        self.setr.next = 0.into();
        self.c3.next = 0.into();
        self.setw.next = bit_cast::<21, 20>(self.wwd.q.val().get_bits::<20>(0))
            | (bit_cast::<21, 1>(self.wwd.q.val().get_bits::<1>(31)) << 20);
        if self.wacc.val() {
            self.wstate.d.next = 2.into();
            if self.busy_reject.val() | (self.wws.q.val() != 0xF) {
                self.bad.next = true;
            }
        }
        if self.wr.val() {
            if (self.waw.q.val() == self.a_commit.val()) & self.wwd.q.val().get_bit(0) {
                if self.drn.val() {
                    self.bad.next = true;
                } else {
                    self.act.d.next = !self.act.q.val();
                }
            }
            if (self.waw.q.val() == self.a_clear.val()) & self.wwd.q.val().get_bit(0) {
                self.clear.next = true;
            }
            if self.waw.q.val() == self.a_dmode.val() {
                self.dmode.d.next = self.wwd.q.val().get_bits::<16>(0);
            }
            if self.waw.q.val() == self.a_scratch.val() {
                self.scratch.d.next = self.wwd.q.val();
            }
        }
        if self.wr.val() & !self.busy_reject.val() {
            if self.waw.q.val() == self.a_bsl.val() {
                if (self.wwd.q.val() >= 1) & (self.wwd.q.val() <= self.max_code.val()) {
                    if self.shadow.val() {
                        self.bsl_r[1].d.next = self.wwd.q.val().get_bits::<3>(0);
                    } else {
                        self.bsl_r[0].d.next = self.wwd.q.val().get_bits::<3>(0);
                    }
                } else {
                    self.bad.next = true;
                }
            }
            if self.waw.q.val() == self.a_lb.val() {
                if self.wwd.q.val() <= self.max_lb.val() {
                    if self.shadow.val() {
                        self.lb_r[1].d.next = self.wwd.q.val().get_bits::<4>(0);
                    } else {
                        self.lb_r[0].d.next = self.wwd.q.val().get_bits::<4>(0);
                    }
                } else {
                    self.bad.next = true;
                }
            }
            if self.waw.q.val() == self.a_exc.val() {
                if self.wwd.q.val().get_bit(31)
                    & (self.wwd.q.val().get_bits::<8>(0) >= self.n_targets.val())
                {
                    self.bad.next = true;
                } else if self.shadow.val() {
                    self.exc_r[1].d.next = bit_cast::<9, 8>(self.wwd.q.val().get_bits::<8>(0))
                        | (bit_cast::<9, 1>(self.wwd.q.val().get_bits::<1>(31)) << 8);
                } else {
                    self.exc_r[0].d.next = bit_cast::<9, 8>(self.wwd.q.val().get_bits::<8>(0))
                        | (bit_cast::<9, 1>(self.wwd.q.val().get_bits::<1>(31)) << 8);
                }
            }
            if self.waw.q.val() == self.a_rowcmd.val() {
                self.lasterr.d.next = !self.cmd_ok.val();
                if !self.cmd_ok.val() {
                    self.bad.next = true;
                } else if self.cmd_op.val() == 1 {
                    if self.cmd_mask.val() {
                        self.mask_we.next = true;
                    } else {
                        for t in 0..self.tgt_idx.len() {
                            if self.cmd_tgt.val() == self.tgt_idx[t].val() {
                                self.ram_we[t].next = true;
                            }
                        }
                    }
                } else {
                    self.rbstate.d.next = 1.into();
                    self.rbtgt.d.next = self.cmd_tgt.val();
                    self.rbaddr.d.next = self.cmd_addr.val();
                    self.rbmask.d.next = self.cmd_mask.val();
                    self.rbmaddr.d.next = self.cmd_maddr.val();
                    self.wstate.d.next = 1.into();
                }
            }
            for w in 0..self.staging.len() {
                if self.waw.q.val() == self.a_staging[w].val() {
                    self.staging[w].d.next = self.wwd.q.val();
                }
            }
            for s in 0..self.a_sets.len() {
                if self.waw.q.val() == self.a_sets[s].val() {
                    if self.shadow.val() {
                        self.sets1_r[s].d.next = self.setw.val();
                    } else {
                        self.sets0_r[s].d.next = self.setw.val();
                    }
                }
            }
            for t in 0..self.tgt_idx.len() {
                if self.shadow.val() {
                    if self.waw.q.val() == self.a_cfg[t].val() {
                        self.cfg1_r[t].d.next = self.wwd.q.val().get_bits::<3>(0);
                    }
                    if self.waw.q.val() == self.a_maclo[t].val() {
                        self.maclo1[t].d.next = self.wwd.q.val();
                    }
                    if self.waw.q.val() == self.a_machi[t].val() {
                        self.machi1[t].d.next = self.wwd.q.val().get_bits::<16>(0);
                    }
                    if self.waw.q.val() == self.a_nhlo[t].val() {
                        self.nhlo1[t].d.next = self.wwd.q.val();
                    }
                    if self.waw.q.val() == self.a_nhhi[t].val() {
                        self.nhhi1[t].d.next = self.wwd.q.val().get_bits::<16>(0);
                    }
                } else {
                    if self.waw.q.val() == self.a_cfg[t].val() {
                        self.cfg0_r[t].d.next = self.wwd.q.val().get_bits::<3>(0);
                    }
                    if self.waw.q.val() == self.a_maclo[t].val() {
                        self.maclo0[t].d.next = self.wwd.q.val();
                    }
                    if self.waw.q.val() == self.a_machi[t].val() {
                        self.machi0[t].d.next = self.wwd.q.val().get_bits::<16>(0);
                    }
                    if self.waw.q.val() == self.a_nhlo[t].val() {
                        self.nhlo0[t].d.next = self.wwd.q.val();
                    }
                    if self.waw.q.val() == self.a_nhhi[t].val() {
                        self.nhhi0[t].d.next = self.wwd.q.val().get_bits::<16>(0);
                    }
                }
            }
        }
        if self.wacc.val() {
            self.werr.d.next = self.bad.val();
        }
        if (self.wstate.q.val() == 2) & self.bready.val() {
            self.wstate.d.next = 0.into();
        }
        // ---------------- F-BM row readback through port B
        self.hold.next = self.rbstate.q.val() != 0;
        self.rb_sel.next = false;
        self.rb_addr.next = self.rbaddr.q.val();
        self.rb_maddr.next = self.rbmaddr.q.val();
        if (self.rbstate.q.val() == 1) & self.portb_free.val() {
            self.rb_sel.next = true;
            self.rbstate.d.next = 2.into();
        }
        self.rb_row.next = 0.into();
        if self.rbstate.q.val() == 2 {
            self.rb_sel.next = true;
            if self.rbmask.q.val() {
                if self.maskb_valid.val() {
                    self.rb_row.next = self.maskb_data.val();
                }
            } else {
                for t in 0..self.tgt_idx.len() {
                    if self.rbtgt.q.val() == self.tgt_idx[t].val() {
                        self.rb_row.next = self.ramb_data[t].val();
                    }
                }
            }
            for w in 0..self.staging.len() {
                self.staging[w].d.next = self.rb_row.val().get_bits::<32>(32 * w);
            }
            self.rbstate.d.next = 0.into();
            self.wstate.d.next = 2.into();
        }
        // ---------------- read channel
        self.arready.next = self.rstate.q.val() == 0;
        self.cnt_off.next = self.araddr.val() - self.a_cnt_lo.val();
        if (self.rstate.q.val() == 0) & self.arvalid.val() {
            self.raddr.d.next = self.araddr.val();
            self.rstate.d.next = 1.into();
        }
        // the counters decode the index when the read is accepted (value ready in state 2)
        self.cnt_idx.next = bit_cast::<8, 16>(self.cnt_off.val() >> 3);
        self.cnt_load.next = (self.rstate.q.val() == 0) & self.arvalid.val();
        if self.rstate.q.val() == 1 {
            self.rstate.d.next = 2.into();
        }
        // read-address decode for read state 2 (raddr is stable from state 1 on)
        self.h_commit.d.next = self.raddr.q.val() == self.a_commit.val();
        self.h_dmode.d.next = self.raddr.q.val() == self.a_dmode.val();
        self.h_scratch.d.next = self.raddr.q.val() == self.a_scratch.val();
        self.h_status.d.next = self.raddr.q.val() == self.a_status.val();
        self.h_bsl.d.next = self.raddr.q.val() == self.a_bsl.val();
        self.h_lb.d.next = self.raddr.q.val() == self.a_lb.val();
        self.h_exc.d.next = self.raddr.q.val() == self.a_exc.val();
        self.h_rowcmd.d.next = self.raddr.q.val() == self.a_rowcmd.val();
        self.h_cnt.d.next = (self.raddr.q.val() >= self.a_cnt_lo.val())
            & (self.raddr.q.val() < self.a_cnt_hi.val());
        for i in 0..self.h_ro.len() {
            self.h_ro[i].clock.next = self.clock.val();
            self.h_ro[i].d.next = self.raddr.q.val() == self.ro_addr[i].val();
        }
        for i in 0..self.h_stg.len() {
            self.h_stg[i].clock.next = self.clock.val();
            self.h_stg[i].d.next = self.raddr.q.val() == self.a_staging[i].val();
        }
        for i in 0..self.h_set.len() {
            self.h_set[i].clock.next = self.clock.val();
            self.h_set[i].d.next = self.raddr.q.val() == self.a_sets[i].val();
        }
        for t in 0..self.h_cfg.len() {
            self.h_cfg[t].clock.next = self.clock.val();
            self.h_cfg[t].d.next = self.raddr.q.val() == self.a_cfg[t].val();
            self.h_maclo[t].clock.next = self.clock.val();
            self.h_maclo[t].d.next = self.raddr.q.val() == self.a_maclo[t].val();
            self.h_machi[t].clock.next = self.clock.val();
            self.h_machi[t].d.next = self.raddr.q.val() == self.a_machi[t].val();
            self.h_nhlo[t].clock.next = self.clock.val();
            self.h_nhlo[t].d.next = self.raddr.q.val() == self.a_nhlo[t].val();
            self.h_nhhi[t].clock.next = self.clock.val();
            self.h_nhhi[t].d.next = self.raddr.q.val() == self.a_nhhi[t].val();
        }
        // the read value: or-ed from the one register the address matches (a balanced tree,
        // not a priority chain)
        self.rv.next = 0.into();
        for i in 0..self.ro_addr.len() {
            self.tv.next = 0.into();
            if self.h_ro[i].q.val() {
                self.tv.next = self.ro_val[i].val();
            }
            self.rv.next = self.rv.val() | self.tv.val();
        }
        if self.h_commit.q.val() {
            self.rv.next = self.rv.val()
                | (bit_cast::<32, 1>(self.drn.val().into())
                    | (bit_cast::<32, 1>(self.act.q.val().into()) << 8));
        }
        self.tv.next = 0.into();
        if self.h_dmode.q.val() {
            self.tv.next = bit_cast::<32, 16>(self.dmode.q.val());
        }
        self.rv.next = self.rv.val() | self.tv.val();
        self.tv.next = 0.into();
        if self.h_scratch.q.val() {
            self.tv.next = self.scratch.q.val();
        }
        self.rv.next = self.rv.val() | self.tv.val();
        self.tv.next = 0.into();
        if self.h_status.q.val() {
            self.tv.next = bit_cast::<32, 1>(self.ovf.q.val().into())
                | (bit_cast::<32, 1>(self.ufl.q.val().into()) << 1);
        }
        self.rv.next = self.rv.val() | self.tv.val();
        self.tv.next = 0.into();
        if self.h_bsl.q.val() {
            if self.shadow.val() {
                self.tv.next = bit_cast::<32, 3>(self.bsl_r[1].q.val());
            } else {
                self.tv.next = bit_cast::<32, 3>(self.bsl_r[0].q.val());
            }
        }
        self.rv.next = self.rv.val() | self.tv.val();
        self.tv.next = 0.into();
        if self.h_lb.q.val() {
            if self.shadow.val() {
                self.tv.next = bit_cast::<32, 4>(self.lb_r[1].q.val());
            } else {
                self.tv.next = bit_cast::<32, 4>(self.lb_r[0].q.val());
            }
        }
        self.rv.next = self.rv.val() | self.tv.val();
        if self.h_exc.q.val() {
            if self.shadow.val() {
                self.rv.next = self.rv.val()
                    | (bit_cast::<32, 8>(self.exc_r[1].q.val().get_bits::<8>(0))
                        | (bit_cast::<32, 1>(self.exc_r[1].q.val().get_bits::<1>(8)) << 31));
            } else {
                self.rv.next = self.rv.val()
                    | (bit_cast::<32, 8>(self.exc_r[0].q.val().get_bits::<8>(0))
                        | (bit_cast::<32, 1>(self.exc_r[0].q.val().get_bits::<1>(8)) << 31));
            }
        }
        if self.h_rowcmd.q.val() {
            self.rv.next = self.rv.val()
                | (bit_cast::<32, 1>((self.rbstate.q.val() != 0).into())
                    | (bit_cast::<32, 1>(self.lasterr.q.val().into()) << 1));
        }
        for w in 0..self.staging.len() {
            self.tv.next = 0.into();
            if self.h_stg[w].q.val() {
                self.tv.next = self.staging[w].q.val();
            }
            self.rv.next = self.rv.val() | self.tv.val();
        }
        // (the temporaries are assigned unconditionally before each use, so they add no mux
        // chain from one register to the next)
        for s in 0..self.a_sets.len() {
            self.setr.next = self.sets0_r[s].q.val();
            if self.shadow.val() {
                self.setr.next = self.sets1_r[s].q.val();
            }
            if self.h_set[s].q.val() {
                self.rv.next = self.rv.val()
                    | (bit_cast::<32, 20>(self.setr.val().get_bits::<20>(0))
                        | (bit_cast::<32, 1>(self.setr.val().get_bits::<1>(20)) << 31));
            }
        }
        for t in 0..self.tgt_idx.len() {
            self.c3.next = self.cfg0_r[t].q.val();
            if self.shadow.val() {
                self.c3.next = self.cfg1_r[t].q.val();
            }
            self.tv.next = 0.into();
            if self.h_cfg[t].q.val() {
                self.tv.next = bit_cast::<32, 3>(self.c3.val());
            }
            self.rv.next = self.rv.val() | self.tv.val();
            self.tv.next = 0.into();
            if self.h_maclo[t].q.val() {
                if self.shadow.val() {
                    self.tv.next = self.maclo1[t].q.val();
                } else {
                    self.tv.next = self.maclo0[t].q.val();
                }
            }
            self.rv.next = self.rv.val() | self.tv.val();
            self.hi.next = self.machi0[t].q.val();
            if self.shadow.val() {
                self.hi.next = self.machi1[t].q.val();
            }
            self.tv.next = 0.into();
            if self.h_machi[t].q.val() {
                self.tv.next = bit_cast::<32, 16>(self.hi.val());
            }
            self.rv.next = self.rv.val() | self.tv.val();
            self.tv.next = 0.into();
            if self.h_nhlo[t].q.val() {
                if self.shadow.val() {
                    self.tv.next = self.nhlo1[t].q.val();
                } else {
                    self.tv.next = self.nhlo0[t].q.val();
                }
            }
            self.rv.next = self.rv.val() | self.tv.val();
            self.hi.next = self.nhhi0[t].q.val();
            if self.shadow.val() {
                self.hi.next = self.nhhi1[t].q.val();
            }
            self.tv.next = 0.into();
            if self.h_nhhi[t].q.val() {
                self.tv.next = bit_cast::<32, 16>(self.hi.val());
            }
            self.rv.next = self.rv.val() | self.tv.val();
        }
        if self.h_cnt.q.val() {
            self.tv.next = 0.into();
            if self.raddr.q.val().get_bit(2) {
                self.tv.next = self.snap.q.val();
            } else {
                self.tv.next = self.cnt_data.val().get_bits::<32>(0);
            }
            self.rv.next = self.rv.val() | self.tv.val();
        }
        if self.rstate.q.val() == 2 {
            self.rd.d.next = self.rv.val();
            self.rstate.d.next = 3.into();
            if (self.raddr.q.val() >= self.a_cnt_lo.val())
                & (self.raddr.q.val() < self.a_cnt_hi.val())
                & !self.raddr.q.val().get_bit(2)
            {
                self.snap.d.next = self.cnt_data.val().get_bits::<32>(32);
            }
        }
        self.rvalid.next = self.rstate.q.val() == 3;
        self.rdata.next = self.rd.q.val();
        self.rresp.next = 0.into();
        if (self.rstate.q.val() == 3) & self.rready.val() {
            self.rstate.d.next = 0.into();
        }
        if self.eg_overflow.val() {
            self.ovf.d.next = true;
        }
        if self.fb_underflow.val() {
            self.ufl.d.next = true;
        }
        // ---------------- reset
        if self.rst.val() {
            self.ovf.d.next = false;
            self.ufl.d.next = false;
            self.act.d.next = false;
            self.dmode.d.next = 0.into();
            self.scratch.d.next = 0.into();
            self.wstate.d.next = 0.into();
            self.werr.d.next = false;
            self.lasterr.d.next = false;
            self.rbstate.d.next = 0.into();
            self.rstate.d.next = 0.into();
            for b in 0..2 {
                self.bsl_r[b].d.next = self.max_code.val().get_bits::<3>(0);
                self.lb_r[b].d.next = 0.into();
                self.exc_r[b].d.next = 0.into();
            }
            for s in 0..self.a_sets.len() {
                self.sets0_r[s].d.next = 0.into();
                self.sets1_r[s].d.next = 0.into();
            }
            for t in 0..self.tgt_idx.len() {
                self.cfg0_r[t].d.next = 0.into();
                self.cfg1_r[t].d.next = 0.into();
                self.maclo0[t].d.next = 0.into();
                self.maclo1[t].d.next = 0.into();
                self.machi0[t].d.next = 0.into();
                self.machi1[t].d.next = 0.into();
                self.nhlo0[t].d.next = 0.into();
                self.nhlo1[t].d.next = 0.into();
                self.nhhi0[t].d.next = 0.into();
                self.nhhi1[t].d.next = 0.into();
            }
        }
    }
}
