//! `Replicator`: reads each frame once from the frame buffer and writes every copy in
//! parallel into the egress FIFOs, rewriting BitString, TTL and MACs per target.

use rust_hdl::prelude::*;

/// Replication engine. Issue (cycle 0): takes the lookup decision, checks that every copy
/// fits into its egress FIFO (lossless targets wait, drop-mode targets lose the copy), pops
/// beat 0 and presents the F-BM row to port B of the F-BM RAMs and the isolation-mask row to
/// port B of the mask RAM. Write (cycle 1 onwards, one beat per cycle): `out = (beat &
/// AND-mask) | OR-mask` per target over the first `HRW` bits of the frame, the rest unchanged;
/// written to the FIFOs of the targets that get a copy. A copy's BitString is `BitString AND
/// F-BM[t]`, and for host frames also `AND mask` (the row the lookup used; a forwarded host frame
/// always has a written mask row).
/// A frame without copies (dropped, or every copy lost) is skipped in one cycle once all its
/// beats are readable. A new frame can be issued in the cycle after the last beat of the previous one was
/// popped, so back-to-back one-beat frames flow at one frame per cycle. The egress room of a
/// decision is compared a cycle before it is used, from the credit after that cycle, for both
/// the decision held and the one behind it (with and without that cycle's reservation), and
/// the one that applies is registered, so the issue logic starts from one register per target.
/// Beats after the first are read without checking the frame buffer: a frame issues only once
/// all its beats are readable (a frame-buffer read while empty is flagged in `CTRL_STATUS`).
#[derive(LogicBlock)]
pub struct Replicator<
    const DW: usize,
    const KW: usize,
    const BW: usize,
    const HRW: usize,
    const RA: usize,
    const FW: usize,
    const MA: usize,
> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset.
    pub rst: Signal<In, Bit>,
    /// Decision valid.
    pub i_valid: Signal<In, Bit>,
    /// Decision taken.
    pub i_ready: Signal<Out, Bit>,
    /// Frame length.
    pub i_len: Signal<In, Bits<24>>,
    /// Stored beats.
    pub i_beats: Signal<In, Bits<16>>,
    /// The decision that replaces this one when it is taken or absent is the lookup's skid
    /// entry (`i_kbeats`), else its stage-2b entry (`i_bbeats`); its egress room is compared a
    /// cycle ahead.
    pub i_kv: Signal<In, Bit>,
    /// Stored beats of the lookup's skid entry.
    pub i_kbeats: Signal<In, Bits<16>>,
    /// Stored beats of the lookup's stage-2b entry.
    pub i_bbeats: Signal<In, Bits<16>>,
    /// Tagged frame.
    pub i_tagged: Signal<In, Bit>,
    /// TTL.
    pub i_ttl: Signal<In, Bits<8>>,
    /// Class.
    pub i_class: Signal<In, Bits<4>>,
    /// Copies.
    pub i_copies: Signal<In, Bits<16>>,
    /// Bank.
    pub i_bank: Signal<In, Bit>,
    /// F-BM row.
    pub i_addr: Signal<In, Bits<RA>>,
    /// BSL code of the bank.
    pub i_code: Signal<In, Bits<3>>,
    /// Mask row (host frames).
    pub i_maddr: Signal<In, Bits<MA>>,
    /// Host frame: apply the mask row to the copies' BitStrings.
    pub i_masked: Signal<In, Bit>,
    /// The isolation mask clipped the frame's BitString.
    pub i_clip: Signal<In, Bit>,
    /// Transmit queue of the frame.
    pub i_queue: Signal<In, Bits<8>>,
    /// Frame buffer head.
    pub fb_data: Signal<In, Bits<FW>>,
    /// Frame buffer pop.
    pub fb_read: Signal<Out, Bit>,
    /// Drop a whole frame (`i_beats` entries) from the frame buffer.
    pub fb_skip: Signal<Out, Bit>,
    /// A frame's last beat entered the frame buffer this cycle (readable two cycles later).
    pub fb_fend: Signal<In, Bit>,
    /// Port B row.
    pub ramb_addr: Signal<Out, Bits<RA>>,
    /// Port B data per target.
    pub ramb_data: Vec<Signal<In, Bits<BW>>>,
    /// Mask RAM port B row.
    pub maskb_addr: Signal<Out, Bits<MA>>,
    /// Mask RAM port B data.
    pub maskb_data: Signal<In, Bits<BW>>,
    /// Do not issue new frames (register readback wants port B).
    pub hold: Signal<In, Bit>,
    /// Port B is not in use this cycle.
    pub portb_free: Signal<Out, Bit>,
    /// A frame is in progress.
    pub cur_busy: Signal<Out, Bit>,
    /// Bank of the frame in progress.
    pub cur_bank: Signal<Out, Bit>,
    /// Per-target config, bank 0 (bit 0 local, bit 1 rewrite dst, bit 2 rewrite src).
    pub cfg0: Vec<Signal<In, Bits<3>>>,
    /// Per-target config, bank 1.
    pub cfg1: Vec<Signal<In, Bits<3>>>,
    /// Source MAC (wire order, byte 0 at bits 7:0), bank 0.
    pub mac0: Vec<Signal<In, Bits<48>>>,
    /// Source MAC, bank 1.
    pub mac1: Vec<Signal<In, Bits<48>>>,
    /// Next-hop MAC (wire order), bank 0.
    pub nh0: Vec<Signal<In, Bits<48>>>,
    /// Next-hop MAC, bank 1.
    pub nh1: Vec<Signal<In, Bits<48>>>,
    /// Drop-on-full mode per target.
    pub drop_mode: Vec<Signal<In, Bit>>,
    /// Egress write per target.
    pub eg_write: Vec<Signal<Out, Bit>>,
    /// Egress entry per target.
    pub eg_data: Vec<Signal<Out, Bits<FW>>>,
    /// Egress free credit per target (beats) after this cycle, before this cycle's reservation.
    pub eg_credit: Vec<Signal<In, Bits<16>>>,
    /// Egress reserve per target (`eg_amount` beats).
    pub eg_reserve: Vec<Signal<Out, Bit>>,
    /// Beats to reserve.
    pub eg_amount: Signal<Out, Bits<16>>,
    /// A frame was issued (count it).
    pub ev_valid: Signal<Out, Bit>,
    /// Its class.
    pub ev_class: Signal<Out, Bits<4>>,
    /// Its length.
    pub ev_len: Signal<Out, Bits<24>>,
    /// Its BitString was clipped by the isolation mask of queue `ev_queue`.
    pub ev_clip: Signal<Out, Bit>,
    /// Its transmit queue.
    pub ev_queue: Signal<Out, Bits<8>>,
    /// Copies made, per target.
    pub ev_tx: Vec<Signal<Out, Bit>>,
    /// Copies lost to full drop-mode FIFOs, per target.
    pub ev_stall: Vec<Signal<Out, Bit>>,
    rem: DFF<Bits<16>>,
    rnz: DFF<Bit>,
    bvalid: DFF<Bit>,
    bidx: DFF<Bits<16>>,
    blast: DFF<Bit>,
    bdata: DFF<Bits<FW>>,
    ccopies: DFF<Bits<16>>,
    ctagged: DFF<Bit>,
    cttl: DFF<Bits<8>>,
    cbank: DFF<Bit>,
    caddr: DFF<Bits<RA>>,
    ccode: DFF<Bits<3>>,
    cunmod: DFF<Bit>,
    cmaddr: DFF<Bits<MA>>,
    cmasked: DFF<Bit>,
    ones_bw: Constant<Bits<BW>>,
    tgt_bit: Vec<Constant<Bits<16>>>,
    bsl_idx: Vec<Constant<Bits<3>>>,
    bsl_mask: Vec<Constant<Bits<BW>>>,
    dst_mask: Constant<Bits<HRW>>,
    src_mask: Constant<Bits<HRW>>,
    ones: Constant<Bits<HRW>>,
    hrw: Constant<Bits<32>>,
    log2_dw: Constant<Bits<16>>,
    sh_keep: Constant<Bits<16>>,
    sh_last: Constant<Bits<16>>,
    room: Signal<Local, Bits<16>>,
    // Egress room of the decision at the input, registered: compared a cycle ahead for the
    // decision held (credit >= i_beats) and for the next one without/with this cycle's
    // reservation for the target (credit >= nbeats, credit >= nbeats + i_beats), the applicable
    // compare chosen when registered.
    room_r: DFF<Bits<16>>,
    nbeats: Signal<Local, Bits<16>>,
    nsum: Signal<Local, Bits<17>>,
    res: Signal<Local, Bits<16>>,
    // frames whose beats are all readable in the frame buffer (the frame-end events delayed
    // by the buffer's two-cycle write latency, less the frames issued)
    fe1: DFF<Bit>,
    fe2: DFF<Bit>,
    fbf: DFF<Bits<16>>,
    // fbf != 0, registered with it
    fbf_nz: DFF<Bit>,
    cr: Signal<Local, Bits<16>>,
    rm_s_c: Signal<Local, Bits<16>>,
    rm_n0_c: Signal<Local, Bits<16>>,
    rm_n1_c: Signal<Local, Bits<16>>,
    must_wait: Signal<Local, Bit>,
    lossless: Signal<Local, Bits<16>>,
    issue: Signal<Local, Bit>,
    fin: Signal<Local, Bits<16>>,
    bm: Signal<Local, Bits<BW>>,
    mk: Signal<Local, Bits<BW>>,
    fbn: Signal<Local, Bits<BW>>,
    am: Signal<Local, Bits<HRW>>,
    om: Signal<Local, Bits<HRW>>,
    cfg: Signal<Local, Bits<3>>,
    mac: Signal<Local, Bits<48>>,
    nh: Signal<Local, Bits<48>>,
    ttl_m1: Signal<Local, Bits<8>>,
    boff: Signal<Local, Bits<32>>,
    bd: Signal<Local, Bits<DW>>,
    outd: Signal<Local, Bits<DW>>,
}

impl<
        const DW: usize,
        const KW: usize,
        const BW: usize,
        const HRW: usize,
        const RA: usize,
        const FW: usize,
        const MA: usize,
    > Replicator<DW, KW, BW, HRW, RA, FW, MA>
{
    /// Replicator for `targets` (<= 16) targets.
    pub fn new(targets: usize) -> Self {
        assert!(DW.is_power_of_two() && FW == DW + KW + 1 && HRW % DW == 0);
        let max_code = (BW / 32).trailing_zeros() as usize;
        let bytes_mask = |from: usize, to: usize| {
            let mut b = Bits::<HRW>::default();
            for i in 8 * from..8 * to {
                b = b.replace_bit(i, true);
            }
            b
        };
        Self {
            clock: Default::default(),
            rst: Default::default(),
            i_valid: Default::default(),
            i_ready: Default::default(),
            i_len: Default::default(),
            i_beats: Default::default(),
            i_kv: Default::default(),
            i_kbeats: Default::default(),
            i_bbeats: Default::default(),
            i_tagged: Default::default(),
            i_ttl: Default::default(),
            i_class: Default::default(),
            i_copies: Default::default(),
            i_bank: Default::default(),
            i_addr: Default::default(),
            i_code: Default::default(),
            i_maddr: Default::default(),
            i_masked: Default::default(),
            i_clip: Default::default(),
            i_queue: Default::default(),
            fb_data: Default::default(),
            fb_read: Default::default(),
            fb_skip: Default::default(),
            fb_fend: Default::default(),
            ramb_addr: Default::default(),
            ramb_data: (0..targets).map(|_| Default::default()).collect(),
            maskb_addr: Default::default(),
            maskb_data: Default::default(),
            hold: Default::default(),
            portb_free: Default::default(),
            cur_busy: Default::default(),
            cur_bank: Default::default(),
            cfg0: (0..targets).map(|_| Default::default()).collect(),
            cfg1: (0..targets).map(|_| Default::default()).collect(),
            mac0: (0..targets).map(|_| Default::default()).collect(),
            mac1: (0..targets).map(|_| Default::default()).collect(),
            nh0: (0..targets).map(|_| Default::default()).collect(),
            nh1: (0..targets).map(|_| Default::default()).collect(),
            drop_mode: (0..targets).map(|_| Default::default()).collect(),
            eg_write: (0..targets).map(|_| Default::default()).collect(),
            eg_data: (0..targets).map(|_| Default::default()).collect(),
            eg_credit: (0..targets).map(|_| Default::default()).collect(),
            eg_reserve: (0..targets).map(|_| Default::default()).collect(),
            eg_amount: Default::default(),
            ev_valid: Default::default(),
            ev_class: Default::default(),
            ev_len: Default::default(),
            ev_clip: Default::default(),
            ev_queue: Default::default(),
            ev_tx: (0..targets).map(|_| Default::default()).collect(),
            ev_stall: (0..targets).map(|_| Default::default()).collect(),
            rem: Default::default(),
            rnz: Default::default(),
            bvalid: Default::default(),
            bidx: Default::default(),
            blast: Default::default(),
            bdata: Default::default(),
            ccopies: Default::default(),
            ctagged: Default::default(),
            cttl: Default::default(),
            cbank: Default::default(),
            caddr: Default::default(),
            ccode: Default::default(),
            cunmod: Default::default(),
            cmaddr: Default::default(),
            cmasked: Default::default(),
            ones_bw: Constant::new({
                let mut b = Bits::<BW>::default();
                for i in 0..BW {
                    b = b.replace_bit(i, true);
                }
                b
            }),
            tgt_bit: (0..targets)
                .map(|t| Constant::new((1u64 << t).to_bits()))
                .collect(),
            bsl_idx: (1..=max_code)
                .map(|c| Constant::new((c as u64).to_bits()))
                .collect(),
            bsl_mask: (1..=max_code)
                .map(|c| {
                    let mut b = Bits::<BW>::default();
                    for i in 0..(32usize << c) {
                        b = b.replace_bit(i, true);
                    }
                    Constant::new(b)
                })
                .collect(),
            dst_mask: Constant::new(bytes_mask(0, 6)),
            src_mask: Constant::new(bytes_mask(6, 12)),
            ones: Constant::new(bytes_mask(0, HRW / 8)),
            hrw: Constant::new((HRW as u64).to_bits()),
            log2_dw: Constant::new((DW.trailing_zeros() as u64).to_bits()),
            sh_keep: Constant::new((DW as u64).to_bits()),
            sh_last: Constant::new(((DW + KW) as u64).to_bits()),
            room: Default::default(),
            room_r: Default::default(),
            nbeats: Default::default(),
            nsum: Default::default(),
            res: Default::default(),
            fe1: Default::default(),
            fe2: Default::default(),
            fbf: Default::default(),
            fbf_nz: Default::default(),
            cr: Default::default(),
            rm_s_c: Default::default(),
            rm_n0_c: Default::default(),
            rm_n1_c: Default::default(),
            must_wait: Default::default(),
            lossless: Default::default(),
            issue: Default::default(),
            fin: Default::default(),
            bm: Default::default(),
            mk: Default::default(),
            fbn: Default::default(),
            am: Default::default(),
            om: Default::default(),
            cfg: Default::default(),
            mac: Default::default(),
            nh: Default::default(),
            ttl_m1: Default::default(),
            boff: Default::default(),
            bd: Default::default(),
            outd: Default::default(),
        }
    }
}

impl<
        const DW: usize,
        const KW: usize,
        const BW: usize,
        const HRW: usize,
        const RA: usize,
        const FW: usize,
        const MA: usize,
    > Logic for Replicator<DW, KW, BW, HRW, RA, FW, MA>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, rem, rnz, bvalid, bidx, blast, bdata, ccopies, ctagged, cttl, cbank,
            caddr, ccode, cunmod, cmaddr, cmasked, room_r, fe1, fe2, fbf, fbf_nz
        );
        // ---------------- issue
        // Egress room of the decision at the input, from a register: the compares ran a cycle
        // ahead (below) on the credit after that cycle, for the decision that is here now;
        // exactly `credit >= i_beats`.
        self.room.next = self.room_r.q.val();
        self.nbeats.next = self.i_bbeats.val();
        if self.i_kv.val() {
            self.nbeats.next = self.i_kbeats.val();
        }
        self.nsum.next =
            bit_cast::<17, 16>(self.nbeats.val()) + bit_cast::<17, 16>(self.i_beats.val());
        self.rm_s_c.next = 0.into();
        self.rm_n0_c.next = 0.into();
        self.rm_n1_c.next = 0.into();
        // lossless targets (not in drop mode): a copy for one without room waits (or-ed, no
        // chain through the targets)
        self.lossless.next = 0.into();
        for t in 0..self.tgt_bit.len() {
            if self.eg_credit[t].val() >= self.i_beats.val() {
                self.rm_s_c.next = self.rm_s_c.val() | self.tgt_bit[t].val();
            }
            if self.eg_credit[t].val() >= self.nbeats.val() {
                self.rm_n0_c.next = self.rm_n0_c.val() | self.tgt_bit[t].val();
            }
            self.cr.next = self.eg_credit[t].val();
            if bit_cast::<17, 16>(self.cr.val()) >= self.nsum.val() {
                self.rm_n1_c.next = self.rm_n1_c.val() | self.tgt_bit[t].val();
            }
            if !self.drop_mode[t].val() {
                self.lossless.next = self.lossless.val() | self.tgt_bit[t].val();
            }
        }
        self.must_wait.next = (self.i_copies.val() & self.lossless.val() & !self.room.val()).any();
        self.fin.next = self.i_copies.val() & self.room.val();
        // A frame issues once all its beats are readable (a registered count of such frames:
        // no frame-buffer pointer compare on this path); one without any copy is then skipped
        // in one cycle.
        self.issue.next = self.i_valid.val()
            & !self.rnz.q.val()
            & self.fbf_nz.q.val()
            & !self.must_wait.val()
            & !self.hold.val();
        self.fe1.d.next = self.fb_fend.val();
        self.fe2.d.next = self.fe1.q.val();
        if self.fe2.q.val() & !self.issue.val() {
            self.fbf.d.next = self.fbf.q.val() + 1;
        }
        if !self.fe2.q.val() & self.issue.val() {
            self.fbf.d.next = self.fbf.q.val() - 1;
        }
        // fbf + fe2 - issue != 0 (an issue needs fbf != 0)
        self.fbf_nz.d.next = self.fbf_nz.q.val();
        if self.issue.val() {
            self.fbf_nz.d.next = self.fbf.q.val() > 1;
        }
        if self.fe2.q.val() {
            self.fbf_nz.d.next = true;
        }
        if self.rst.val() {
            self.fbf_nz.d.next = false;
            self.fe1.d.next = false;
            self.fe2.d.next = false;
            self.fbf.d.next = 0.into();
        }
        self.i_ready.next = self.issue.val();
        // next cycle's room: the held decision's if it stays, else the next decision's with
        // or without this cycle's reservation for each target
        self.res.next = 0.into();
        if self.issue.val() {
            self.res.next = self.fin.val();
        }
        self.room_r.d.next = self.rm_s_c.val();
        if !self.i_valid.val() | self.issue.val() {
            self.room_r.d.next =
                (self.rm_n1_c.val() & self.res.val()) | (self.rm_n0_c.val() & !self.res.val());
        }
        self.fb_read.next = false;
        self.fb_skip.next = false;
        self.bvalid.d.next = false;
        self.eg_amount.next = self.i_beats.val();
        self.ev_valid.next = self.issue.val();
        self.ev_class.next = self.i_class.val();
        self.ev_len.next = self.i_len.val();
        self.ev_clip.next = self.i_clip.val();
        self.ev_queue.next = self.i_queue.val();
        // Port B rows: the current frame's while beats remain to be read, else the pending
        // decision's (used if it issues this cycle; RAM reads are registered, so the row arrives
        // with beat 0). Not gated by `issue`, which keeps the RAM addresses off its logic.
        self.ramb_addr.next = self.i_addr.val();
        self.maskb_addr.next = self.i_maddr.val();
        if self.rnz.q.val() {
            self.ramb_addr.next = self.caddr.q.val();
            self.maskb_addr.next = self.cmaddr.q.val();
        }
        if self.issue.val() {
            self.cmaddr.d.next = self.i_maddr.val();
            self.cmasked.d.next = self.i_masked.val();
            if self.fin.val().any() {
                self.fb_read.next = true;
                self.bvalid.d.next = true;
                self.rem.d.next = self.i_beats.val() - 1;
                self.rnz.d.next = self.i_beats.val() != 1;
            } else {
                self.fb_skip.next = true;
            }
            self.bdata.d.next = self.fb_data.val();
            self.bidx.d.next = 0.into();
            self.blast.d.next = self.i_beats.val() == 1;
            self.ccopies.d.next = self.fin.val();
            self.ctagged.d.next = self.i_tagged.val();
            self.cttl.d.next = self.i_ttl.val();
            self.cbank.d.next = self.i_bank.val();
            self.caddr.d.next = self.i_addr.val();
            self.ccode.d.next = self.i_code.val();
            self.cunmod.d.next = self.i_class.val() != 0;
        } else if self.rnz.q.val() {
            // the frame's beats are all readable (it issued on the complete-frame count)
            self.fb_read.next = true;
            self.bvalid.d.next = true;
            self.bdata.d.next = self.fb_data.val();
            self.bidx.d.next = self.bidx.q.val() + 1;
            self.rem.d.next = self.rem.q.val() - 1;
            self.rnz.d.next = self.rem.q.val() != 1;
            self.blast.d.next = self.rem.q.val() == 1;
        }
        for t in 0..self.tgt_bit.len() {
            self.eg_reserve[t].next = self.issue.val() & self.fin.val().get_bit(t);
            self.ev_tx[t].next = self.issue.val() & self.fin.val().get_bit(t);
            self.ev_stall[t].next =
                self.issue.val() & self.i_copies.val().get_bit(t) & !self.room.val().get_bit(t);
        }
        self.portb_free.next = !self.rnz.q.val() & !self.bvalid.q.val();
        self.cur_busy.next = self.rnz.q.val() | self.bvalid.q.val();
        self.cur_bank.next = self.cbank.q.val();
        // ---------------- write: per-target rewrite of the header region
        self.bm.next = 0.into();
        for c in 0..self.bsl_idx.len() {
            if self.ccode.q.val() == self.bsl_idx[c].val() {
                self.bm.next = self.bsl_mask[c].val();
            }
        }
        self.mk.next = self.ones_bw.val();
        if self.cmasked.q.val() {
            self.mk.next = self.maskb_data.val();
        }
        self.ttl_m1.next = self.cttl.q.val() - 1;
        self.boff.next = bit_cast::<32, 16>(self.bidx.q.val()) << self.log2_dw.val();
        self.bd.next = self.bdata.q.val().get_bits::<DW>(0);
        for t in 0..self.tgt_bit.len() {
            self.cfg.next = self.cfg0[t].val();
            self.mac.next = self.mac0[t].val();
            self.nh.next = self.nh0[t].val();
            if self.cbank.q.val() {
                self.cfg.next = self.cfg1[t].val();
                self.mac.next = self.mac1[t].val();
                self.nh.next = self.nh1[t].val();
            }
            // BitString bytes: AND with the F-BM and the isolation mask (bytes past the BSL unchanged)
            self.fbn.next = self.bm.val() & !(self.ramb_data[t].val() & self.mk.val());
            self.am.next = !(bit_cast::<HRW, BW>(self.fbn.val()) << 208);
            if self.ctagged.q.val() {
                self.am.next = !(bit_cast::<HRW, BW>(self.fbn.val()) << 240);
            }
            self.om.next = 0.into();
            if !self.cfg.val().get_bit(0) {
                if self.cfg.val().get_bit(1) {
                    self.am.next = self.am.val() & !self.dst_mask.val();
                    self.om.next = self.om.val() | bit_cast::<HRW, 48>(self.nh.val());
                }
                if self.cfg.val().get_bit(2) {
                    self.am.next = self.am.val() & !self.src_mask.val();
                    self.om.next = self.om.val() | (bit_cast::<HRW, 48>(self.mac.val()) << 48);
                }
                if self.ctagged.q.val() {
                    self.am.next = self.am.val() & !(bit_cast::<HRW, 8>(0xFF.into()) << 168);
                    self.om.next = self.om.val() | (bit_cast::<HRW, 8>(self.ttl_m1.val()) << 168);
                } else {
                    self.am.next = self.am.val() & !(bit_cast::<HRW, 8>(0xFF.into()) << 136);
                    self.om.next = self.om.val() | (bit_cast::<HRW, 8>(self.ttl_m1.val()) << 136);
                }
            }
            if self.cunmod.q.val() {
                self.am.next = self.ones.val();
                self.om.next = 0.into();
            }
            self.outd.next = self.bd.val();
            if self.boff.val() < self.hrw.val() {
                self.outd.next = (self.bd.val()
                    & self.am.val().get_bits::<DW>(self.boff.val().index()))
                    | self.om.val().get_bits::<DW>(self.boff.val().index());
            }
            self.eg_data[t].next = bit_cast::<FW, DW>(self.outd.val())
                | (bit_cast::<FW, KW>(
                    self.bdata
                        .q
                        .val()
                        .get_bits::<KW>(self.sh_keep.val().index()),
                ) << self.sh_keep.val())
                | (bit_cast::<FW, 1>(self.blast.q.val().into()) << self.sh_last.val());
            self.eg_write[t].next = self.bvalid.q.val() & self.ccopies.q.val().get_bit(t);
        }
        if self.rst.val() {
            self.rem.d.next = 0.into();
            self.rnz.d.next = false;
            self.bvalid.d.next = false;
        }
    }
}
