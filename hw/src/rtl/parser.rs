//! `Parser`: collects the Ethernet/BIER header of each frame, stores the frame in the frame
//! buffer and emits one header record per frame (at tlast).

use rust_hdl::prelude::*;

/// Header-record layout (bit offsets inside the `HW = 160 + BW` bit record):
/// `[0,24)` frame length (saturating), `[24,40)` stored beats, `[40,44)` source,
/// `44` oversize, `45` truncated before the Ethertype (rule 2), `46` not BIER,
/// `47` truncated BIER header (rule 4), `48` bad version, `49` truncated BitString (rule 7,
/// with the frame's own BSL), `50` 802.1Q tagged, `[52,60)` host transmit queue (`tuser` of the
/// last beat; 0 for network frames), `[64,160)` the 12-byte BIER header
/// (wire byte k at bit 64+8k: BIFT-id, TTL at 88, BSL code at 108, entropy),
/// `[160,160+BW)` the BW/8 bytes that follow it (the BitString window).
pub const RECORD_LAYOUT: &str =
    "len:0+24 beats:24+16 src:40+4 flags:44+8 queue:52+8 hdr:64+96 window:160+BW";

/// Store-and-forward parser. Accepts one beat per cycle while the frame buffer and the
/// header queue have room. The header record of a frame is checked one cycle after its last
/// beat (from the registered header beats, length and stored-beat count) and written in the
/// cycle after that (from the record stage), so `hq_full` must say "fewer than three free
/// entries": two records may be in flight. `HRW = NHB * DW` is the
/// width of the captured header region (the first `NHB` beats, at least `30 + BW/8` bytes).
/// `FW = DW + KW + 1` is the frame-buffer entry (`data | keep << DW | last << (DW+KW)`).
#[derive(LogicBlock)]
pub struct Parser<
    const DW: usize,
    const KW: usize,
    const BW: usize,
    const HW: usize,
    const HRW: usize,
    const FW: usize,
> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset.
    pub rst: Signal<In, Bit>,
    /// Stream in: tdata.
    pub in_data: Signal<In, Bits<DW>>,
    /// Stream in: tkeep.
    pub in_keep: Signal<In, Bits<KW>>,
    /// Stream in: tlast.
    pub in_last: Signal<In, Bit>,
    /// Stream in: tvalid.
    pub in_valid: Signal<In, Bit>,
    /// Stream in: source index.
    pub in_src: Signal<In, Bits<4>>,
    /// Stream in: transmit queue of a host frame (constant for the frame; 0 for network frames).
    pub in_user: Signal<In, Bits<8>>,
    /// Stream in: tready.
    pub in_ready: Signal<Out, Bit>,
    /// Frame buffer write.
    pub fb_write: Signal<Out, Bit>,
    /// Frame buffer entry.
    pub fb_data: Signal<Out, Bits<FW>>,
    /// Frame buffer full.
    pub fb_full: Signal<In, Bit>,
    /// A frame's last beat was accepted (all its stored beats are written to the frame buffer).
    pub frame_end: Signal<Out, Bit>,
    /// Header queue write.
    pub hq_write: Signal<Out, Bit>,
    /// Header record.
    pub hq_data: Signal<Out, Bits<HW>>,
    /// Header queue has fewer than three free entries (two records may be in flight).
    pub hq_full: Signal<In, Bit>,
    /// A frame ended this cycle (count it).
    pub rx_event: Signal<Out, Bit>,
    /// Its source.
    pub rx_src: Signal<Out, Bits<4>>,
    /// Its length in bytes (saturating at 2^23).
    pub rx_len: Signal<Out, Bits<24>>,
    hdr: Vec<DFF<Bits<DW>>>,
    bcnt: DFF<Bits<16>>,
    len: DFF<Bits<24>>,
    pv: DFF<Bit>,
    plen: DFF<Bits<24>>,
    pbeats: DFF<Bits<16>>,
    psrc: DFF<Bits<4>>,
    puser: DFF<Bits<8>>,
    // Record stage: the record's fields, the checks that need only the header or only the
    // length (rules 1-5 and the tag in `qflags`), rule 7's length compares (`qlt`, one per
    // threshold) and the one-hot {tagged, code} that selects among them (`qsel`); the record
    // is written from these registers a cycle later.
    qv: DFF<Bit>,
    qlen: DFF<Bits<24>>,
    qbeats: DFF<Bits<16>>,
    qsrc: DFF<Bits<4>>,
    quser: DFF<Bits<8>>,
    qhb: DFF<Bits<96>>,
    qwin: DFF<Bits<BW>>,
    qflags: DFF<Bits<8>>,
    qlt: DFF<Bits<32>>,
    qsel: DFF<Bits<32>>,
    oh32: Vec<Constant<Bits<32>>>,
    lt: Signal<Local, Bits<32>>,
    soh: Signal<Local, Bits<32>>,
    beat_idx: Vec<Constant<Bits<16>>>,
    beat_shift: Vec<Constant<Bits<16>>>,
    keep_count: Vec<Constant<Bits<24>>>,
    limit: Constant<Bits<16>>,
    sh_keep: Constant<Bits<16>>,
    sh_last: Constant<Bits<16>>,
    // rule 7 thresholds `4 << code + 26` (untagged) and `+ 30` (tagged), for code 0..15 and
    // then tagged: threshold i is selected by {tagged, code} = i
    need_k: Vec<Constant<Bits<24>>>,
    accept: Signal<Local, Bit>,
    cnt: Signal<Local, Bits<24>>,
    kedge: Signal<Local, Bits<KW>>,
    flen: Signal<Local, Bits<24>>,
    flat: Signal<Local, Bits<HRW>>,
    piece: Signal<Local, Bits<DW>>,
    vlan: Signal<Local, Bit>,
    hb: Signal<Local, Bits<96>>,
    win: Signal<Local, Bits<BW>>,
    ethertype: Signal<Local, Bits<16>>,
    code: Signal<Local, Bits<4>>,
    sel: Signal<Local, Bits<5>>,
    short: Signal<Local, Bit>,
    flags: Signal<Local, Bits<8>>,
}

impl<
        const DW: usize,
        const KW: usize,
        const BW: usize,
        const HW: usize,
        const HRW: usize,
        const FW: usize,
    > Parser<DW, KW, BW, HW, HRW, FW>
{
    /// Parser storing at most `limit` beats of a frame in the frame buffer.
    pub fn new(limit: usize) -> Self {
        assert_eq!(HW, 160 + BW);
        assert_eq!(FW, DW + KW + 1);
        assert_eq!(HRW % DW, 0);
        assert!(HRW >= 240 + BW);
        let nhb = HRW / DW;
        Self {
            clock: Default::default(),
            rst: Default::default(),
            in_data: Default::default(),
            in_keep: Default::default(),
            in_last: Default::default(),
            in_valid: Default::default(),
            in_src: Default::default(),
            in_user: Default::default(),
            in_ready: Default::default(),
            fb_write: Default::default(),
            fb_data: Default::default(),
            fb_full: Default::default(),
            frame_end: Default::default(),
            hq_write: Default::default(),
            hq_data: Default::default(),
            hq_full: Default::default(),
            rx_event: Default::default(),
            rx_src: Default::default(),
            rx_len: Default::default(),
            hdr: (0..nhb).map(|_| Default::default()).collect(),
            bcnt: Default::default(),
            len: Default::default(),
            pv: Default::default(),
            plen: Default::default(),
            pbeats: Default::default(),
            psrc: Default::default(),
            puser: Default::default(),
            qv: Default::default(),
            qlen: Default::default(),
            qbeats: Default::default(),
            qsrc: Default::default(),
            quser: Default::default(),
            qhb: Default::default(),
            qwin: Default::default(),
            qflags: Default::default(),
            qlt: Default::default(),
            qsel: Default::default(),
            oh32: (0..32)
                .map(|i| Constant::new((1u64 << i).to_bits()))
                .collect(),
            lt: Default::default(),
            soh: Default::default(),
            beat_idx: (0..nhb)
                .map(|k| Constant::new((k as u64).to_bits()))
                .collect(),
            beat_shift: (0..nhb)
                .map(|k| Constant::new(((k * DW) as u64).to_bits()))
                .collect(),
            keep_count: (0..KW)
                .map(|j| Constant::new(((j + 1) as u64).to_bits()))
                .collect(),
            limit: Constant::new((limit as u64).to_bits()),
            sh_keep: Constant::new((DW as u64).to_bits()),
            sh_last: Constant::new(((DW + KW) as u64).to_bits()),
            need_k: (0..32u64)
                .map(|i| Constant::new(((4u64 << (i & 15)) + 26 + 4 * (i >> 4)).to_bits()))
                .collect(),
            accept: Default::default(),
            cnt: Default::default(),
            kedge: Default::default(),
            flen: Default::default(),
            flat: Default::default(),
            piece: Default::default(),
            vlan: Default::default(),
            hb: Default::default(),
            win: Default::default(),
            ethertype: Default::default(),
            code: Default::default(),
            sel: Default::default(),
            short: Default::default(),
            flags: Default::default(),
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
    > Logic for Parser<DW, KW, BW, HW, HRW, FW>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, bcnt, len, pv, plen, pbeats, psrc, puser, qv, qlen, qbeats, qsrc, quser,
            qhb, qwin, qflags, qlt, qsel
        );
        for k in 0..self.hdr.len() {
            self.hdr[k].clock.next = self.clock.val();
            self.hdr[k].d.next = self.hdr[k].q.val();
        }
        self.in_ready.next = !self.fb_full.val() & !self.hq_full.val();
        self.accept.next = self.in_valid.val() & !self.fb_full.val() & !self.hq_full.val();
        // Bytes in this beat (tkeep is contiguous from bit 0).
        // Its one edge (lane j kept, lane j+1 not) gives j + 1, encoded by or-ing (no priority
        // chain).
        self.kedge.next = self.in_keep.val() & !(self.in_keep.val() >> 1);
        self.cnt.next = 0.into();
        for j in 0..self.keep_count.len() {
            if self.kedge.val().get_bit(j) {
                self.cnt.next = self.cnt.val() | self.keep_count[j].val();
            }
        }
        self.flen.next = self.len.q.val() + self.cnt.val();
        if self.len.q.val().get_bit(23) {
            self.flen.next = self.len.q.val();
        }
        // Header beats: the first NHB beats of the frame are kept in `hdr`.
        for k in 0..self.hdr.len() {
            if self.accept.val() & (self.bcnt.q.val() == self.beat_idx[k].val()) {
                self.hdr[k].d.next = self.in_data.val();
            }
        }
        // Last beat: register what the record needs besides the header beats (length, stored
        // beats, source, queue); the record is built in the next cycle from registers only.
        // Header beats the frame did not reach hold older data: the length rules flag those
        // frames, so their contents never decide anything.
        self.pv.d.next = self.accept.val() & self.in_last.val();
        self.plen.d.next = self.flen.val();
        // Stored beats (frames beyond the limit are truncated in the buffer; they are oversize).
        self.pbeats.d.next = self.limit.val();
        if self.bcnt.q.val() < self.limit.val() {
            self.pbeats.d.next = self.bcnt.q.val() + 1;
        }
        self.psrc.d.next = self.in_src.val();
        self.puser.d.next = self.in_user.val();
        self.flat.next = 0.into();
        for k in 0..self.hdr.len() {
            // (a temporary: RustHDL drops the index of a loop variable inside bit_cast)
            self.piece.next = self.hdr[k].q.val();
            self.flat.next = self.flat.val()
                | (bit_cast::<HRW, DW>(self.piece.val()) << self.beat_shift[k].val());
        }
        self.vlan.next = self.flat.val().get_bits::<16>(96) == 0x0081;
        self.ethertype.next = self.flat.val().get_bits::<16>(96);
        self.hb.next = self.flat.val().get_bits::<96>(112);
        self.win.next = self.flat.val().get_bits::<BW>(208);
        if self.vlan.val() {
            self.ethertype.next = self.flat.val().get_bits::<16>(128);
            self.hb.next = self.flat.val().get_bits::<96>(144);
            self.win.next = self.flat.val().get_bits::<BW>(240);
        }
        self.code.next = self.hb.val().get_bits::<4>(44);
        // Rule 7 length: off + 12 + 4 << code. The length is compared with all 32 thresholds
        // (constants) and the frame's {tagged, code} selects one (both registered in the
        // record stage, then and-ed and or-ed): no shift, adder or carry chain.
        self.sel.next = bit_cast::<5, 4>(self.code.val());
        if self.vlan.val() {
            self.sel.next = bit_cast::<5, 4>(self.code.val()) | 16;
        }
        self.soh.next = bit_cast::<32, 1>(true.into()) << self.sel.val();
        self.lt.next = 0.into();
        for i in 0..self.need_k.len() {
            if self.plen.q.val() < self.need_k[i].val() {
                self.lt.next = self.lt.val() | self.oh32[i].val();
            }
        }
        self.flags.next = 0.into();
        // rule 1: oversize
        self.flags.next = self.flags.val().replace_bit(0, self.plen.q.val() > 9018);
        // rule 2: truncated before the Ethertype
        self.flags.next = self.flags.val().replace_bit(
            1,
            (self.plen.q.val() < 14) | (self.vlan.val() & (self.plen.q.val() < 18)),
        );
        // rule 3: not BIER (Ethertype bytes in wire order: 0xAB then 0x37)
        self.flags.next = self
            .flags
            .val()
            .replace_bit(2, self.ethertype.val() != 0x37AB);
        // rule 4: truncated BIER header
        self.flags.next = self.flags.val().replace_bit(
            3,
            (self.plen.q.val() < 26) | (self.vlan.val() & (self.plen.q.val() < 30)),
        );
        // rule 5: nibble 5, version 0 (byte off+4)
        self.flags.next = self
            .flags
            .val()
            .replace_bit(4, self.hb.val().get_bits::<8>(32) != 0x50);
        self.flags.next = self.flags.val().replace_bit(6, self.vlan.val());
        // the record stage
        self.qv.d.next = self.pv.q.val();
        self.qlen.d.next = self.plen.q.val();
        self.qbeats.d.next = self.pbeats.q.val();
        self.qsrc.d.next = self.psrc.q.val();
        self.quser.d.next = self.puser.q.val();
        self.qhb.d.next = self.hb.val();
        self.qwin.d.next = self.win.val();
        self.qflags.d.next = self.flags.val();
        self.qlt.d.next = self.lt.val();
        self.qsel.d.next = self.soh.val();
        // rule 7 with the frame's BSL
        self.short.next = (self.qlt.q.val() & self.qsel.q.val()).any();
        self.flags.next = self.qflags.q.val().replace_bit(5, self.short.val());
        self.hq_data.next = bit_cast::<HW, 24>(self.qlen.q.val())
            | (bit_cast::<HW, 16>(self.qbeats.q.val()) << 24)
            | (bit_cast::<HW, 4>(self.qsrc.q.val()) << 40)
            | (bit_cast::<HW, 8>(self.flags.val()) << 44)
            | (bit_cast::<HW, 8>(self.quser.q.val()) << 52)
            | (bit_cast::<HW, 96>(self.qhb.q.val()) << 64)
            | (bit_cast::<HW, BW>(self.qwin.q.val()) << 160);
        self.hq_write.next = self.qv.q.val();
        self.rx_event.next = self.pv.q.val();
        self.rx_src.next = self.psrc.q.val();
        self.rx_len.next = self.plen.q.val();
        // Frame buffer.
        self.fb_write.next = self.accept.val() & (self.bcnt.q.val() < self.limit.val());
        self.frame_end.next = self.accept.val() & self.in_last.val();
        self.fb_data.next = bit_cast::<FW, DW>(self.in_data.val())
            | (bit_cast::<FW, KW>(self.in_keep.val()) << self.sh_keep.val())
            | (bit_cast::<FW, 1>(self.in_last.val().into()) << self.sh_last.val());
        if self.accept.val() {
            if self.in_last.val() {
                self.bcnt.d.next = 0.into();
                self.len.d.next = 0.into();
            } else {
                self.len.d.next = self.flen.val();
                if self.bcnt.q.val() != 0xFFFF {
                    self.bcnt.d.next = self.bcnt.q.val() + 1;
                }
            }
        }
        if self.rst.val() {
            self.bcnt.d.next = 0.into();
            self.len.d.next = 0.into();
            self.pv.d.next = false;
            self.qv.d.next = false;
        }
    }
}
