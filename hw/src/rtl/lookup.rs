//! `Lookup`: classification and BIFT lookup, a 3-stage stallable pipeline.

use rust_hdl::prelude::*;

/// Decision class: forwarded.
pub const CLASS_FORWARD: u64 = 0;
/// Decision class: non-BIER frame to the exception target.
pub const CLASS_EXCEPTION: u64 = 1;
/// Decision classes 2..=10: drop, `2 + DropReason::index()`.
pub const CLASS_DROP_BASE: u64 = 2;

/// Lookup pipeline. Stage H (combinational, head of the header queue): bank sample, set-slot
/// match (every matching set) and ECMP hash, registered in stage 0. Stage 0: the lowest matching
/// set and the bucket (the hash cut to the bank's bucket count), the F-BM row address and the
/// isolation-mask row address (`queue * sets + slot`) formed from those, to port A of every
/// target's [`super::fbm_ram::FbmRam`] and of the [`super::mask_ram::MaskRam`]. Stage 1: F-BMs
/// and the mask arrive; for host frames `eff = BitString AND mask` (all-zero mask for a queue
/// `>= host_queues`), else `eff = BitString`; `eff AND F-BM` per target, and `BitString AND NOT
/// mask`, `eff`, `BitString`, each OR-reduced per 64-bit chunk. Stage 2: the mask row's valid
/// bit arrives (read from stage 1's registered row, so it is off the address logic); an unwritten
/// row denies the host frame all copies and clips its whole BitString; final ORs and TTL
/// suppression. Stage 2b: classification (isolation is rule 9) from stage 2's registered
/// results. Stage 3: decision register for the
/// replicator, with a one-entry skid register behind it: one frame per cycle; when stage 3 is
/// not taken, the next decision goes to the skid register and the pipeline stalls while that is
/// full (so the stall is a registered condition, and the replicator's ready reaches neither the
/// pipeline's enables nor the RAM addresses). `NCH = BW / 64`, `RA` = F-BM row address bits and
/// `MA` = mask row address bits (bank bit on top of both).
#[derive(LogicBlock)]
pub struct Lookup<
    const BW: usize,
    const HW: usize,
    const RA: usize,
    const NCH: usize,
    const MA: usize,
> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset.
    pub rst: Signal<In, Bit>,
    /// Header queue head.
    pub hq_data: Signal<In, Bits<HW>>,
    /// Header queue empty.
    pub hq_empty: Signal<In, Bit>,
    /// Header queue pop.
    pub hq_read: Signal<Out, Bit>,
    /// Active bank.
    pub active: Signal<In, Bit>,
    /// BSL code per bank.
    pub bsl: Vec<Signal<In, Bits<3>>>,
    /// log2(buckets) per bank.
    pub log2b: Vec<Signal<In, Bits<4>>>,
    /// Exception target per bank: bit 8 enable, bits 7:0 target.
    pub exc: Vec<Signal<In, Bits<9>>>,
    /// Set slots of bank 0 (bit 20 valid, bits 19:0 BIFT-id).
    pub sets0: Vec<Signal<In, Bits<21>>>,
    /// Set slots of bank 1.
    pub sets1: Vec<Signal<In, Bits<21>>>,
    /// Target kind of bank 0 (1 = local).
    pub local0: Vec<Signal<In, Bit>>,
    /// Target kind of bank 1.
    pub local1: Vec<Signal<In, Bit>>,
    /// F-BM port A row address.
    pub ram_addr: Signal<Out, Bits<RA>>,
    /// F-BM port A data per target.
    pub ram_data: Vec<Signal<In, Bits<BW>>>,
    /// Mask RAM port A row address.
    pub mask_addr: Signal<Out, Bits<MA>>,
    /// Mask RAM port A data.
    pub mask_data: Signal<In, Bits<BW>>,
    /// Mask RAM port A row written since reset.
    pub mask_valid: Signal<In, Bit>,
    /// Row whose valid bit `mask_valid` shows next (the stage-1 record's), read when
    /// `mask_ven`: the valid bit arrives with the record in stage 2.
    pub mask_vaddr: Signal<Out, Bits<MA>>,
    /// Read `mask_vaddr`'s valid bit (stage 1 advances); else `mask_valid` holds.
    pub mask_ven: Signal<Out, Bit>,
    /// Decision valid.
    pub o_valid: Signal<Out, Bit>,
    /// Decision taken.
    pub o_ready: Signal<In, Bit>,
    /// Frame length.
    pub o_len: Signal<Out, Bits<24>>,
    /// Stored beats.
    pub o_beats: Signal<Out, Bits<16>>,
    /// The output loads its skid entry next (when taken or empty), else stage 2b's entry.
    pub o_kv: Signal<Out, Bit>,
    /// Beats of the skid entry (a register).
    pub o_kbeats: Signal<Out, Bits<16>>,
    /// Beats of stage 2b's entry (a register).
    pub o_bbeats: Signal<Out, Bits<16>>,
    /// 802.1Q tagged.
    pub o_tagged: Signal<Out, Bit>,
    /// TTL of the frame.
    pub o_ttl: Signal<Out, Bits<8>>,
    /// Class (CLASS_*).
    pub o_class: Signal<Out, Bits<4>>,
    /// Targets that get a copy.
    pub o_copies: Signal<Out, Bits<16>>,
    /// Bank used.
    pub o_bank: Signal<Out, Bit>,
    /// F-BM row used.
    pub o_addr: Signal<Out, Bits<RA>>,
    /// BSL code of the bank used.
    pub o_code: Signal<Out, Bits<3>>,
    /// Mask row used (host frames).
    pub o_maddr: Signal<Out, Bits<MA>>,
    /// Host frame: the copies' BitStrings are also ANDed with the mask row.
    pub o_masked: Signal<Out, Bit>,
    /// Host frame whose BitString the isolation mask clipped (count it in `IsoClipped(o_queue)`).
    pub o_clip: Signal<Out, Bit>,
    /// Transmit queue of the frame.
    pub o_queue: Signal<Out, Bits<8>>,
    /// Some frame in the pipeline uses the inactive bank.
    pub old_inflight: Signal<Out, Bit>,
    // stage 0
    v0: DFF<Bit>,
    rec0: DFF<Bits<HW>>,
    bank0: DFF<Bit>,
    sf0: DFF<Bits<16>>,
    lb0: DFF<Bits<4>>,
    bkt0: DFF<Bits<20>>,
    code0: DFF<Bits<3>>,
    exc0: DFF<Bits<9>>,
    // stage 1
    v1: DFF<Bit>,
    rec1: DFF<Bits<HW>>,
    bank1: DFF<Bit>,
    hit1: DFF<Bit>,
    addr1: DFF<Bits<RA>>,
    code1: DFF<Bits<3>>,
    exc1: DFF<Bits<9>>,
    maddr1: DFF<Bits<MA>>,
    // stage 2
    v2: DFF<Bit>,
    rec2: DFF<Bits<160>>,
    bank2: DFF<Bit>,
    addr2: DFF<Bits<RA>>,
    code2: DFF<Bits<3>>,
    exc2: DFF<Bits<9>>,
    part2: Vec<DFF<Bits<NCH>>>,
    maddr2: DFF<Bits<MA>>,
    clip2: DFF<Bits<NCH>>,
    effnz2: DFF<Bits<NCH>>,
    bsnz2: DFF<Bits<NCH>>,
    host2r: DFF<Bit>,
    // stage 3
    // stage 2b: stage 2's results, registered before the classification
    vb: DFF<Bit>,
    lenb: DFF<Bits<24>>,
    beatsb: DFF<Bits<16>>,
    taggedb: DFF<Bit>,
    ttlb: DFF<Bits<8>>,
    queueb: DFF<Bits<8>>,
    bankb: DFF<Bit>,
    addrb: DFF<Bits<RA>>,
    codeb: DFF<Bits<3>>,
    maddrb: DFF<Bits<MA>>,
    maskedb: DFF<Bit>,
    copiesb: DFF<Bits<16>>,
    excb: DFF<Bits<16>>,
    isob: DFF<Bit>,
    canyb: DFF<Bit>,
    suppb: DFF<Bit>,
    pclsb: DFF<Bits<4>>,
    pdoneb: DFF<Bit>,
    clipb: DFF<Bit>,
    v3: DFF<Bit>,
    len3: DFF<Bits<24>>,
    beats3: DFF<Bits<16>>,
    tagged3: DFF<Bit>,
    ttl3: DFF<Bits<8>>,
    class3: DFF<Bits<4>>,
    copies3: DFF<Bits<16>>,
    bank3: DFF<Bit>,
    addr3: DFF<Bits<RA>>,
    code3: DFF<Bits<3>>,
    maddr3: DFF<Bits<MA>>,
    masked3: DFF<Bit>,
    clip3: DFF<Bit>,
    queue3: DFF<Bits<8>>,
    /// Skid entry behind stage 3 (so `en` comes from a flip-flop, not from `o_ready`).
    kv: DFF<Bit>,
    klen: DFF<Bits<24>>,
    kbeats: DFF<Bits<16>>,
    ktagged: DFF<Bit>,
    kttl: DFF<Bits<8>>,
    kclass: DFF<Bits<4>>,
    kcopies: DFF<Bits<16>>,
    kbank: DFF<Bit>,
    kaddr: DFF<Bits<RA>>,
    kcode: DFF<Bits<3>>,
    kmaddr: DFF<Bits<MA>>,
    kmasked: DFF<Bit>,
    kclip: DFF<Bit>,
    kqueue: DFF<Bits<8>>,
    nlen: Signal<Local, Bits<24>>,
    nbeats: Signal<Local, Bits<16>>,
    ntagged: Signal<Local, Bit>,
    nttl: Signal<Local, Bits<8>>,
    nclass: Signal<Local, Bits<4>>,
    ncopies: Signal<Local, Bits<16>>,
    nbank: Signal<Local, Bit>,
    naddr: Signal<Local, Bits<RA>>,
    ncode: Signal<Local, Bits<3>>,
    nmaddr: Signal<Local, Bits<MA>>,
    nmasked: Signal<Local, Bit>,
    nclip: Signal<Local, Bit>,
    nqueue: Signal<Local, Bits<8>>,
    // constants
    set_idx: Vec<Constant<Bits<RA>>>,
    bsl_idx: Vec<Constant<Bits<3>>>,
    bsl_mask: Vec<Constant<Bits<BW>>>,
    tgt_bit: Vec<Constant<Bits<16>>>,
    tgt_idx: Vec<Constant<Bits<8>>>,
    log2_buckets: Constant<Bits<RA>>,
    bank_bit: Constant<Bits<RA>>,
    one20: Constant<Bits<20>>,
    host_src: Constant<Bits<4>>,
    n_queues: Constant<Bits<9>>,
    log2_sets: Constant<Bits<MA>>,
    mbank_bit: Constant<Bits<MA>>,
    ones: Constant<Bits<BW>>,
    // locals
    en: Signal<Local, Bit>,
    bank: Signal<Local, Bit>,
    sidx: Signal<Local, Bits<RA>>,
    sv: Signal<Local, Bits<21>>,
    smatch: Signal<Local, Bits<16>>,
    sfirst: Signal<Local, Bits<16>>,
    soh: Vec<Constant<Bits<16>>>,
    ent: Signal<Local, Bits<20>>,
    bucket: Signal<Local, Bits<20>>,
    bkt: Signal<Local, Bits<20>>,
    lb: Signal<Local, Bits<4>>,
    addr_h: Signal<Local, Bits<RA>>,
    bid: Signal<Local, Bits<20>>,
    bm: Signal<Local, Bits<BW>>,
    wm: Signal<Local, Bits<BW>>,
    m: Signal<Local, Bits<BW>>,
    part: Signal<Local, Bits<NCH>>,
    nz: Signal<Local, Bits<16>>,
    ttl_low: Signal<Local, Bit>,
    copies: Signal<Local, Bits<16>>,
    suppressed: Signal<Local, Bit>,
    cls: Signal<Local, Bits<4>>,
    pcls: Signal<Local, Bits<4>>,
    pdone: Signal<Local, Bit>,
    pcls2: DFF<Bits<4>>,
    pdone2: DFF<Bit>,
    allow: Signal<Local, Bits<16>>,
    allow2: DFF<Bits<16>>,
    exc_copy: Signal<Local, Bits<16>>,
    maddr_h: Signal<Local, Bits<MA>>,
    host1: Signal<Local, Bit>,
    host1r: DFF<Bit>,
    qok1: DFF<Bit>,
    win_keep: Signal<Local, Bits<HW>>,
    lo160: Constant<Bits<HW>>,
    host2: Signal<Local, Bit>,
    mden: Signal<Local, Bit>,
    mk: Signal<Local, Bits<BW>>,
    eff: Signal<Local, Bits<BW>>,
    cut: Signal<Local, Bits<BW>>,
    clipc: Signal<Local, Bits<NCH>>,
    effc: Signal<Local, Bits<NCH>>,
    bsc: Signal<Local, Bits<NCH>>,
    isolated: Signal<Local, Bit>,
    reach: Signal<Local, Bit>,
}

impl<const BW: usize, const HW: usize, const RA: usize, const NCH: usize, const MA: usize>
    Lookup<BW, HW, RA, NCH, MA>
{
    /// Lookup for `targets` (<= 16) targets, `sets` x `buckets` F-BM rows per bank, host frames
    /// from source `host_src` with `host_queues` transmit queues (`host_queues x sets` mask rows
    /// per bank).
    pub fn new(
        targets: usize,
        sets: usize,
        buckets: usize,
        host_src: usize,
        host_queues: usize,
    ) -> Self {
        assert_eq!(NCH * 64, BW);
        assert!((1..=16).contains(&sets), "1 to 16 sets");
        assert!(buckets.is_power_of_two() && sets * buckets * 2 <= 1 << RA);
        assert!(sets.is_power_of_two() && host_queues * sets * 2 <= 1 << MA);
        assert!(host_src < 16 && (1..=256).contains(&host_queues));
        let max_code = (BW / 32).trailing_zeros() as usize; // 64 -> 1
        Self {
            clock: Default::default(),
            rst: Default::default(),
            hq_data: Default::default(),
            hq_empty: Default::default(),
            hq_read: Default::default(),
            active: Default::default(),
            bsl: (0..2).map(|_| Default::default()).collect(),
            log2b: (0..2).map(|_| Default::default()).collect(),
            exc: (0..2).map(|_| Default::default()).collect(),
            sets0: (0..sets).map(|_| Default::default()).collect(),
            sets1: (0..sets).map(|_| Default::default()).collect(),
            local0: (0..targets).map(|_| Default::default()).collect(),
            local1: (0..targets).map(|_| Default::default()).collect(),
            ram_addr: Default::default(),
            ram_data: (0..targets).map(|_| Default::default()).collect(),
            mask_addr: Default::default(),
            mask_data: Default::default(),
            mask_valid: Default::default(),
            mask_vaddr: Default::default(),
            mask_ven: Default::default(),
            o_valid: Default::default(),
            o_ready: Default::default(),
            o_len: Default::default(),
            o_beats: Default::default(),
            o_kv: Default::default(),
            o_kbeats: Default::default(),
            o_bbeats: Default::default(),
            o_tagged: Default::default(),
            o_ttl: Default::default(),
            o_class: Default::default(),
            o_copies: Default::default(),
            o_bank: Default::default(),
            o_addr: Default::default(),
            o_code: Default::default(),
            o_maddr: Default::default(),
            o_masked: Default::default(),
            o_clip: Default::default(),
            o_queue: Default::default(),
            old_inflight: Default::default(),
            v0: Default::default(),
            rec0: Default::default(),
            bank0: Default::default(),
            sf0: Default::default(),
            lb0: Default::default(),
            bkt0: Default::default(),
            code0: Default::default(),
            exc0: Default::default(),
            v1: Default::default(),
            rec1: Default::default(),
            bank1: Default::default(),
            hit1: Default::default(),
            addr1: Default::default(),
            code1: Default::default(),
            exc1: Default::default(),
            maddr1: Default::default(),
            v2: Default::default(),
            rec2: Default::default(),
            bank2: Default::default(),
            addr2: Default::default(),
            code2: Default::default(),
            exc2: Default::default(),
            part2: (0..targets).map(|_| Default::default()).collect(),
            maddr2: Default::default(),
            clip2: Default::default(),
            effnz2: Default::default(),
            bsnz2: Default::default(),
            host2r: Default::default(),
            vb: Default::default(),
            lenb: Default::default(),
            beatsb: Default::default(),
            taggedb: Default::default(),
            ttlb: Default::default(),
            queueb: Default::default(),
            bankb: Default::default(),
            addrb: Default::default(),
            codeb: Default::default(),
            maddrb: Default::default(),
            maskedb: Default::default(),
            copiesb: Default::default(),
            excb: Default::default(),
            isob: Default::default(),
            canyb: Default::default(),
            suppb: Default::default(),
            pclsb: Default::default(),
            pdoneb: Default::default(),
            clipb: Default::default(),
            v3: Default::default(),
            len3: Default::default(),
            beats3: Default::default(),
            tagged3: Default::default(),
            ttl3: Default::default(),
            class3: Default::default(),
            copies3: Default::default(),
            bank3: Default::default(),
            addr3: Default::default(),
            code3: Default::default(),
            maddr3: Default::default(),
            masked3: Default::default(),
            clip3: Default::default(),
            queue3: Default::default(),
            kv: Default::default(),
            klen: Default::default(),
            kbeats: Default::default(),
            ktagged: Default::default(),
            kttl: Default::default(),
            kclass: Default::default(),
            kcopies: Default::default(),
            kbank: Default::default(),
            kaddr: Default::default(),
            kcode: Default::default(),
            kmaddr: Default::default(),
            kmasked: Default::default(),
            kclip: Default::default(),
            kqueue: Default::default(),
            nlen: Default::default(),
            nbeats: Default::default(),
            ntagged: Default::default(),
            nttl: Default::default(),
            nclass: Default::default(),
            ncopies: Default::default(),
            nbank: Default::default(),
            naddr: Default::default(),
            ncode: Default::default(),
            nmaddr: Default::default(),
            nmasked: Default::default(),
            nclip: Default::default(),
            nqueue: Default::default(),
            set_idx: (0..sets)
                .map(|s| Constant::new((s as u64).to_bits()))
                .collect(),
            bsl_idx: (1..=max_code)
                .map(|c| Constant::new((c as u64).to_bits()))
                .collect(),
            bsl_mask: (1..=max_code)
                .map(|c| {
                    // wire bytes 0 .. (4 << c) of the window
                    let bits = 32usize << c;
                    let mut b = Bits::<BW>::default();
                    for i in 0..bits {
                        b = b.replace_bit(i, true);
                    }
                    Constant::new(b)
                })
                .collect(),
            tgt_bit: (0..targets)
                .map(|t| Constant::new((1u64 << t).to_bits()))
                .collect(),
            tgt_idx: (0..targets)
                .map(|t| Constant::new((t as u64).to_bits()))
                .collect(),
            log2_buckets: Constant::new((buckets.trailing_zeros() as u64).to_bits()),
            bank_bit: Constant::new((1u64 << (RA - 1)).to_bits()),
            one20: Constant::new(1u64.to_bits()),
            host_src: Constant::new((host_src as u64).to_bits()),
            n_queues: Constant::new((host_queues as u64).to_bits()),
            log2_sets: Constant::new((sets.trailing_zeros() as u64).to_bits()),
            mbank_bit: Constant::new((1u64 << (MA - 1)).to_bits()),
            ones: Constant::new({
                let mut b = Bits::<BW>::default();
                for i in 0..BW {
                    b = b.replace_bit(i, true);
                }
                b
            }),
            en: Default::default(),
            bank: Default::default(),
            sidx: Default::default(),
            sv: Default::default(),
            smatch: Default::default(),
            sfirst: Default::default(),
            soh: (0..sets)
                .map(|s| Constant::new((1u64 << s).to_bits()))
                .collect(),
            ent: Default::default(),
            bucket: Default::default(),
            bkt: Default::default(),
            lb: Default::default(),
            addr_h: Default::default(),
            bid: Default::default(),
            bm: Default::default(),
            wm: Default::default(),
            m: Default::default(),
            part: Default::default(),
            nz: Default::default(),
            ttl_low: Default::default(),
            copies: Default::default(),
            suppressed: Default::default(),
            cls: Default::default(),
            pcls: Default::default(),
            pdone: Default::default(),
            pcls2: Default::default(),
            pdone2: Default::default(),
            allow: Default::default(),
            allow2: Default::default(),
            exc_copy: Default::default(),
            maddr_h: Default::default(),
            host1: Default::default(),
            host1r: Default::default(),
            qok1: Default::default(),
            win_keep: Default::default(),
            lo160: Constant::new({
                let mut b = Bits::<HW>::default();
                for i in 0..160 {
                    b = b.replace_bit(i, true);
                }
                b
            }),
            host2: Default::default(),
            mden: Default::default(),
            mk: Default::default(),
            eff: Default::default(),
            cut: Default::default(),
            clipc: Default::default(),
            effc: Default::default(),
            bsc: Default::default(),
            isolated: Default::default(),
            reach: Default::default(),
        }
    }
}

impl<const BW: usize, const HW: usize, const RA: usize, const NCH: usize, const MA: usize> Logic
    for Lookup<BW, HW, RA, NCH, MA>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, v0, rec0, bank0, sf0, lb0, bkt0, code0, exc0, v1, rec1, bank1, hit1,
            addr1, code1, exc1, maddr1, v2, rec2, bank2, addr2, code2, exc2, maddr2, clip2, effnz2,
            bsnz2, host2r, pcls2, pdone2, allow2, host1r, qok1, vb, lenb, beatsb, taggedb, ttlb,
            queueb, bankb, addrb, codeb, maddrb, maskedb, copiesb, excb, isob, canyb, suppb, pclsb,
            pdoneb, clipb, v3, len3, beats3, tagged3, ttl3, class3, copies3, bank3, addr3, code3,
            maddr3, masked3, clip3, queue3, kv, klen, kbeats, ktagged, kttl, kclass, kcopies,
            kbank, kaddr, kcode, kmaddr, kmasked, kclip, kqueue
        );
        for t in 0..self.part2.len() {
            self.part2[t].clock.next = self.clock.val();
            self.part2[t].d.next = self.part2[t].q.val();
        }
        // The pipeline advances unless the skid entry is full: a registered condition, so
        // the replicator's ready does not reach the pipeline's enables and RAM addresses.
        self.en.next = !self.kv.q.val();
        // ---------------- stage H: set match, bucket, row address
        self.bank.next = self.active.val();
        self.bid.next = (bit_cast::<20, 8>(self.hq_data.val().get_bits::<8>(64)) << 12)
            | (bit_cast::<20, 8>(self.hq_data.val().get_bits::<8>(72)) << 4)
            | bit_cast::<20, 4>(self.hq_data.val().get_bits::<4>(84));
        // The sets (of the active bank) whose BIFT-id matches, all of them: stage 0 takes the
        // lowest.
        self.smatch.next = 0.into();
        for s in 0..self.set_idx.len() {
            self.sv.next = self.sets0[s].val();
            if self.bank.val() {
                self.sv.next = self.sets1[s].val();
            }
            if self.sv.val().get_bit(20) & (self.sv.val().get_bits::<20>(0) == self.bid.val()) {
                self.smatch.next = self.smatch.val() | self.soh[s].val();
            }
        }
        self.lb.next = self.log2b[0].val();
        if self.bank.val() {
            self.lb.next = self.log2b[1].val();
        }
        self.ent.next = (bit_cast::<20, 4>(self.hq_data.val().get_bits::<4>(104)) << 16)
            | (bit_cast::<20, 8>(self.hq_data.val().get_bits::<8>(112)) << 8)
            | bit_cast::<20, 8>(self.hq_data.val().get_bits::<8>(120));
        self.bucket.next = self.ent.val() ^ (self.ent.val() >> 10);
        self.hq_read.next = false;
        if self.en.val() {
            self.hq_read.next = !self.hq_empty.val();
            self.v0.d.next = !self.hq_empty.val();
            self.rec0.d.next = self.hq_data.val();
            self.bank0.d.next = self.bank.val();
            // the matched set (one-hot) and the bucket; stage 0 forms the row addresses
            self.sf0.d.next = self.smatch.val();
            self.bkt0.d.next = self.bucket.val();
            self.lb0.d.next = self.lb.val();
            self.code0.d.next = self.bsl[0].val();
            self.exc0.d.next = self.exc[0].val();
            if self.bank.val() {
                self.code0.d.next = self.bsl[1].val();
                self.exc0.d.next = self.exc[1].val();
            }
        }
        // ---------------- stage 0: row addresses to the F-BM and mask RAMs (port A), formed
        // from stage H's registered set match and bucket hash: the set is the lowest matching
        // one (lowest set bit by x & -x, its index by or-ing, no priority chain through the
        // sets), the bucket the hash's low log2(buckets) bits
        self.sfirst.next = self.sf0.q.val() & (!self.sf0.q.val() + 1);
        self.bkt.next = self.bkt0.q.val() & ((self.one20.val() << self.lb0.q.val()) - 1);
        self.sidx.next = 0.into();
        for s in 0..self.set_idx.len() {
            if self.sfirst.val().get_bit(s) {
                self.sidx.next = self.sidx.val() | self.set_idx[s].val();
            }
        }
        self.addr_h.next =
            (self.sidx.val() << self.log2_buckets.val()) | bit_cast::<RA, 20>(self.bkt.val());
        if self.bank0.q.val() {
            self.addr_h.next = self.addr_h.val() | self.bank_bit.val();
        }
        // mask row: queue * sets + slot (a queue >= host_queues is masked to zero in stage 1)
        self.maddr_h.next = (bit_cast::<MA, 8>(self.rec0.q.val().get_bits::<8>(52))
            << self.log2_sets.val())
            | bit_cast::<MA, RA>(self.sidx.val());
        if self.bank0.q.val() {
            self.maddr_h.next = self.maddr_h.val() | self.mbank_bit.val();
        }
        // Record for stage 1 with its BitString window cut to the bank's BSL, and whether it
        // is a host frame of an existing queue (both from registers here, off stage 1's paths).
        self.bm.next = 0.into();
        for c in 0..self.bsl_idx.len() {
            if self.code0.q.val() == self.bsl_idx[c].val() {
                self.bm.next = self.bsl_mask[c].val();
            }
        }
        self.win_keep.next = self.lo160.val() | (bit_cast::<HW, BW>(self.bm.val()) << 160);
        self.ram_addr.next = self.addr1.q.val();
        self.mask_addr.next = self.maddr1.q.val();
        self.mask_vaddr.next = self.maddr1.q.val();
        self.mask_ven.next = self.en.val();
        if self.en.val() {
            self.ram_addr.next = self.addr_h.val();
            self.mask_addr.next = self.maddr_h.val();
            self.maddr1.d.next = self.maddr_h.val();
            self.v1.d.next = self.v0.q.val();
            self.rec1.d.next = self.rec0.q.val() & self.win_keep.val();
            self.host1r.d.next = self.rec0.q.val().get_bits::<4>(40) == self.host_src.val();
            self.qok1.d.next =
                bit_cast::<9, 8>(self.rec0.q.val().get_bits::<8>(52)) < self.n_queues.val();
            self.bank1.d.next = self.bank0.q.val();
            self.hit1.d.next = self.sfirst.val() != 0;
            self.addr1.d.next = self.addr_h.val();
            self.code1.d.next = self.code0.q.val();
            self.exc1.d.next = self.exc0.q.val();
        }
        // ---------------- stage 1: AND and per-chunk OR
        // (the window was cut to the bank's BSL in stage 0)
        self.wm.next = self.rec1.q.val().get_bits::<BW>(160);
        // isolation mask: host frames only; unwritten rows and queues >= host_queues deny all
        self.host1.next = self.host1r.q.val();
        self.mk.next = self.ones.val();
        if self.host1.val() {
            self.mk.next = 0.into();
            if self.qok1.q.val() {
                self.mk.next = self.mask_data.val();
            }
        }
        self.eff.next = self.wm.val() & self.mk.val();
        self.cut.next = self.wm.val() & !self.mk.val();
        self.clipc.next = 0.into();
        self.effc.next = 0.into();
        self.bsc.next = 0.into();
        for c in 0..NCH {
            self.clipc.next = self
                .clipc
                .val()
                .replace_bit(c, self.cut.val().get_bits::<64>(64 * c).any());
            self.effc.next = self
                .effc
                .val()
                .replace_bit(c, self.eff.val().get_bits::<64>(64 * c).any());
            self.bsc.next = self
                .bsc
                .val()
                .replace_bit(c, self.wm.val().get_bits::<64>(64 * c).any());
        }
        // targets that may get a copy: local (delivered with any TTL) or TTL >= 2
        self.ttl_low.next = self.rec1.q.val().get_bits::<8>(88) < 2;
        self.allow.next = 0.into();
        for t in 0..self.part2.len() {
            if (self.local0[t].val() & !self.bank1.q.val())
                | (self.local1[t].val() & self.bank1.q.val())
                | !self.ttl_low.val()
            {
                self.allow.next = self.allow.val() | self.tgt_bit[t].val();
            }
            self.m.next = self.eff.val() & self.ram_data[t].val();
            self.part.next = 0.into();
            for c in 0..NCH {
                self.part.next = self
                    .part
                    .val()
                    .replace_bit(c, self.m.val().get_bits::<64>(64 * c).any());
            }
            if self.en.val() {
                self.part2[t].d.next = self.part.val();
            }
        }
        // rules 1-7 of docs/forwarding.md (header record only), for stage 2
        self.pdone.next = true;
        self.pcls.next = 0.into();
        if self.rec1.q.val().get_bit(44) {
            self.pcls.next = 2.into(); // oversize
        } else if self.rec1.q.val().get_bit(45) {
            self.pcls.next = 3.into(); // truncated
        } else if self.rec1.q.val().get_bit(46) {
            if self.exc1.q.val().get_bit(8) {
                self.pcls.next = 1.into(); // exception
            } else {
                self.pcls.next = 4.into(); // not_bier
            }
        } else if self.rec1.q.val().get_bit(47) {
            self.pcls.next = 3.into(); // truncated
        } else if self.rec1.q.val().get_bit(48) {
            self.pcls.next = 5.into(); // bad_version
        } else if self.rec1.q.val().get_bits::<4>(108) != bit_cast::<4, 3>(self.code1.q.val()) {
            self.pcls.next = 6.into(); // unsupported_bsl
        } else if self.rec1.q.val().get_bit(49) {
            self.pcls.next = 3.into(); // truncated
        } else if !self.hit1.q.val() {
            self.pcls.next = 7.into(); // unknown_bift_id
        } else {
            self.pdone.next = false;
        }
        if self.en.val() {
            self.pcls2.d.next = self.pcls.val();
            self.pdone2.d.next = self.pdone.val();
            self.allow2.d.next = self.allow.val();
            self.v2.d.next = self.v1.q.val();
            self.rec2.d.next = self.rec1.q.val().get_bits::<160>(0);
            self.bank2.d.next = self.bank1.q.val();
            self.addr2.d.next = self.addr1.q.val();
            self.code2.d.next = self.code1.q.val();
            self.exc2.d.next = self.exc1.q.val();
            self.maddr2.d.next = self.maddr1.q.val();
            self.clip2.d.next = self.clipc.val();
            self.effnz2.d.next = self.effc.val();
            self.bsnz2.d.next = self.bsc.val();
            self.host2r.d.next = self.host1.val();
        }
        // ---------------- stage 2: non-zero, TTL, classification
        // An unwritten mask row denies a host frame everything: no copies, and its whole
        // BitString counts as clipped (stage 1 used the row's data; its valid bit, read a
        // cycle later from stage 1's registered row, arrives here).
        self.mden.next = self.host2r.q.val() & !self.mask_valid.val();
        self.nz.next = 0.into();
        self.exc_copy.next = 0.into();
        for t in 0..self.part2.len() {
            if self.part2[t].q.val().any() & !self.mden.val() {
                self.nz.next = self.nz.val() | self.tgt_bit[t].val();
            }
            if self.exc2.q.val().get_bits::<8>(0) == self.tgt_idx[t].val() {
                self.exc_copy.next = self.tgt_bit[t].val();
            }
        }
        self.copies.next = self.nz.val() & self.allow2.q.val();
        self.suppressed.next = (self.nz.val() & !self.allow2.q.val()).any();
        self.host2.next = self.host2r.q.val();
        self.isolated.next = self.host2.val()
            & self.bsnz2.q.val().any()
            & (self.mden.val() | !self.effnz2.q.val().any());
        if self.en.val() {
            self.vb.d.next = self.v2.q.val();
            self.lenb.d.next = self.rec2.q.val().get_bits::<24>(0);
            self.beatsb.d.next = self.rec2.q.val().get_bits::<16>(24);
            self.taggedb.d.next = self.rec2.q.val().get_bit(50);
            self.ttlb.d.next = self.rec2.q.val().get_bits::<8>(88);
            self.queueb.d.next = self.rec2.q.val().get_bits::<8>(52);
            self.bankb.d.next = self.bank2.q.val();
            self.addrb.d.next = self.addr2.q.val();
            self.codeb.d.next = self.code2.q.val();
            self.maddrb.d.next = self.maddr2.q.val();
            self.maskedb.d.next = self.host2.val();
            self.copiesb.d.next = self.copies.val();
            self.excb.d.next = self.exc_copy.val();
            self.isob.d.next = self.isolated.val();
            self.canyb.d.next = self.copies.val().any();
            self.suppb.d.next = self.suppressed.val();
            self.pclsb.d.next = self.pcls2.q.val();
            self.pdoneb.d.next = self.pdone2.q.val();
            self.clipb.d.next =
                self.clip2.q.val().any() | (self.mden.val() & self.bsnz2.q.val().any());
        }
        // ---------------- stage 2b: classification, from registers
        self.reach.next = false;
        // first matching rule of docs/forwarding.md: rules 1-7 depend on the header record
        // only and were decided in stage 1 (pcls2, pdone2); the rest from stage 2's results
        self.cls.next = self.pclsb.q.val();
        if !self.pdoneb.q.val() {
            self.reach.next = true;
            if self.isob.q.val() {
                self.cls.next = 10.into(); // isolated
            } else if !self.canyb.q.val() {
                if self.suppb.q.val() {
                    self.cls.next = 8.into(); // ttl_expired
                } else {
                    self.cls.next = 9.into(); // no_matching_bit
                }
            } else {
                self.cls.next = 0.into();
            }
        }
        self.nlen.next = self.lenb.q.val();
        self.nbeats.next = self.beatsb.q.val();
        self.ntagged.next = self.taggedb.q.val();
        self.nttl.next = self.ttlb.q.val();
        self.nclass.next = self.cls.val();
        // The copies of the class: forwarded (cls 0) -> copies, exception (1) -> exc_copy, else
        // none. Written without `cls` (which waits for copies.any()): when rules 1-7 and 10 pass,
        // cls is 0 or a class whose copies are empty anyway.
        self.ncopies.next = 0.into();
        if !self.pdoneb.q.val() & !self.isob.q.val() {
            self.ncopies.next = self.copiesb.q.val();
        }
        if self.pdoneb.q.val() & (self.pclsb.q.val() == 1) {
            self.ncopies.next = self.excb.q.val();
        }
        self.nbank.next = self.bankb.q.val();
        self.naddr.next = self.addrb.q.val();
        self.ncode.next = self.codeb.q.val();
        self.nmaddr.next = self.maddrb.q.val();
        self.nmasked.next = self.maskedb.q.val();
        self.nclip.next = self.reach.val() & self.clipb.q.val();
        self.nqueue.next = self.queueb.q.val();
        // Stage 3 (the output register) takes the skid entry first, else stage 2b's; when the
        // output stalls, stage 2b's entry goes to the skid register.
        if !self.v3.q.val() | self.o_ready.val() {
            if self.kv.q.val() {
                self.v3.d.next = true;
                self.kv.d.next = false;
                self.len3.d.next = self.klen.q.val();
                self.beats3.d.next = self.kbeats.q.val();
                self.tagged3.d.next = self.ktagged.q.val();
                self.ttl3.d.next = self.kttl.q.val();
                self.class3.d.next = self.kclass.q.val();
                self.copies3.d.next = self.kcopies.q.val();
                self.bank3.d.next = self.kbank.q.val();
                self.addr3.d.next = self.kaddr.q.val();
                self.code3.d.next = self.kcode.q.val();
                self.maddr3.d.next = self.kmaddr.q.val();
                self.masked3.d.next = self.kmasked.q.val();
                self.clip3.d.next = self.kclip.q.val();
                self.queue3.d.next = self.kqueue.q.val();
            } else {
                self.v3.d.next = self.vb.q.val();
                self.len3.d.next = self.nlen.val();
                self.beats3.d.next = self.nbeats.val();
                self.tagged3.d.next = self.ntagged.val();
                self.ttl3.d.next = self.nttl.val();
                self.class3.d.next = self.nclass.val();
                self.copies3.d.next = self.ncopies.val();
                self.bank3.d.next = self.nbank.val();
                self.addr3.d.next = self.naddr.val();
                self.code3.d.next = self.ncode.val();
                self.maddr3.d.next = self.nmaddr.val();
                self.masked3.d.next = self.nmasked.val();
                self.clip3.d.next = self.nclip.val();
                self.queue3.d.next = self.nqueue.val();
            }
        } else if self.en.val() & self.vb.q.val() {
            self.kv.d.next = true;
            self.klen.d.next = self.nlen.val();
            self.kbeats.d.next = self.nbeats.val();
            self.ktagged.d.next = self.ntagged.val();
            self.kttl.d.next = self.nttl.val();
            self.kclass.d.next = self.nclass.val();
            self.kcopies.d.next = self.ncopies.val();
            self.kbank.d.next = self.nbank.val();
            self.kaddr.d.next = self.naddr.val();
            self.kcode.d.next = self.ncode.val();
            self.kmaddr.d.next = self.nmaddr.val();
            self.kmasked.d.next = self.nmasked.val();
            self.kclip.d.next = self.nclip.val();
            self.kqueue.d.next = self.nqueue.val();
        }
        // ---------------- stage 3: outputs
        self.o_valid.next = self.v3.q.val();
        self.o_len.next = self.len3.q.val();
        self.o_beats.next = self.beats3.q.val();
        // what the output register loads next: the skid entry first, else stage 2b's (registers
        // only, selected by the replicator, so nothing here depends on `o_ready`)
        self.o_kv.next = self.kv.q.val();
        self.o_kbeats.next = self.kbeats.q.val();
        self.o_bbeats.next = self.beatsb.q.val();
        self.o_tagged.next = self.tagged3.q.val();
        self.o_ttl.next = self.ttl3.q.val();
        self.o_class.next = self.class3.q.val();
        self.o_copies.next = self.copies3.q.val();
        self.o_bank.next = self.bank3.q.val();
        self.o_addr.next = self.addr3.q.val();
        self.o_code.next = self.code3.q.val();
        self.o_maddr.next = self.maddr3.q.val();
        self.o_masked.next = self.masked3.q.val();
        self.o_clip.next = self.clip3.q.val();
        self.o_queue.next = self.queue3.q.val();
        self.old_inflight.next = (self.v0.q.val() & (self.bank0.q.val() != self.active.val()))
            | (self.v1.q.val() & (self.bank1.q.val() != self.active.val()))
            | (self.v2.q.val() & (self.bank2.q.val() != self.active.val()))
            | (self.vb.q.val() & (self.bankb.q.val() != self.active.val()))
            | (self.v3.q.val() & (self.bank3.q.val() != self.active.val()))
            | (self.kv.q.val() & (self.kbank.q.val() != self.active.val()));
        if self.rst.val() {
            self.v0.d.next = false;
            self.v1.d.next = false;
            self.v2.d.next = false;
            self.vb.d.next = false;
            self.v3.d.next = false;
            self.kv.d.next = false;
        }
    }
}
