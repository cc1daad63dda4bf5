//! `DropFifo`: a frame FIFO that discards bad frames whole. Entries come from
//! [`super::gmii_rx::GmiiRx`] (through the clock-crossing FIFO); a frame becomes readable only
//! once its last word arrived without `bad`, so the data plane never sees a bad frame. A frame
//! that does not fit is discarded too. The read side is an AXI4-Stream master.

use rust_hdl::prelude::*;

/// Frame FIFO of 2048 words of 64 bits (16 KiB: one 9018-byte frame plus others). Input
/// entries are `data | keep << 64 | last << 72 | bad << 73`.
#[derive(LogicBlock)]
pub struct DropFifo {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset.
    pub rst: Signal<In, Bit>,
    /// Write `in_entry` (never refused).
    pub in_write: Signal<In, Bit>,
    /// Entry.
    pub in_entry: Signal<In, Bits<74>>,
    /// m_axis tdata.
    pub m_data: Signal<Out, Bits<64>>,
    /// m_axis tkeep.
    pub m_keep: Signal<Out, Bits<8>>,
    /// m_axis tlast.
    pub m_last: Signal<Out, Bit>,
    /// m_axis tvalid.
    pub m_valid: Signal<Out, Bit>,
    /// m_axis tready.
    pub m_ready: Signal<In, Bit>,
    /// One-cycle pulse per frame discarded because it was marked bad.
    pub drop_bad: Signal<Out, Bit>,
    /// One-cycle pulse per frame discarded because it did not fit.
    pub drop_full: Signal<Out, Bit>,
    ram: RAM<Bits<73>, 11>,
    wptr: DFF<Bits<12>>,
    commit: DFF<Bits<12>>,
    commit_d: DFF<Bits<12>>,
    rptr: DFF<Bits<12>>,
    dropping: DFF<Bit>,
    size: Constant<Bits<12>>,
    full: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
    is_last: Signal<Local, Bit>,
}

impl Default for DropFifo {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            rst: Default::default(),
            in_write: Default::default(),
            in_entry: Default::default(),
            m_data: Default::default(),
            m_keep: Default::default(),
            m_last: Default::default(),
            m_valid: Default::default(),
            m_ready: Default::default(),
            drop_bad: Default::default(),
            drop_full: Default::default(),
            ram: Default::default(),
            wptr: Default::default(),
            commit: Default::default(),
            commit_d: Default::default(),
            rptr: Default::default(),
            dropping: Default::default(),
            size: Constant::new(2048u64.to_bits()),
            full: Default::default(),
            pop: Default::default(),
            is_last: Default::default(),
        }
    }
}

impl Logic for DropFifo {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, wptr, commit, commit_d, rptr, dropping);
        self.ram.read_clock.next = self.clock.val();
        self.ram.write_clock.next = self.clock.val();
        self.drop_bad.next = false;
        self.drop_full.next = false;
        // Write side.
        self.full.next = (self.wptr.q.val() - self.rptr.q.val()) == self.size.val();
        self.is_last.next = self.in_entry.val().get_bit(72);
        self.ram.write_enable.next = false;
        self.ram.write_address.next = self.wptr.q.val().get_bits::<11>(0);
        self.ram.write_data.next = self.in_entry.val().get_bits::<73>(0);
        if self.in_write.val() {
            if self.dropping.q.val() {
                if self.is_last.val() {
                    self.dropping.d.next = false;
                    self.wptr.d.next = self.commit.q.val();
                    self.drop_full.next = true;
                }
            } else if self.full.val() {
                if self.is_last.val() {
                    self.wptr.d.next = self.commit.q.val();
                    self.drop_full.next = true;
                } else {
                    self.dropping.d.next = true;
                }
            } else {
                self.ram.write_enable.next = true;
                self.wptr.d.next = self.wptr.q.val() + 1;
                if self.is_last.val() {
                    if self.in_entry.val().get_bit(73) {
                        self.wptr.d.next = self.commit.q.val();
                        self.drop_bad.next = true;
                    } else {
                        self.commit.d.next = self.wptr.q.val() + 1;
                    }
                }
            }
        }
        // Read side: only committed words (a write is readable two cycles later).
        self.commit_d.d.next = self.commit.q.val();
        self.m_valid.next = self.rptr.q.val() != self.commit_d.q.val();
        self.pop.next = (self.rptr.q.val() != self.commit_d.q.val()) & self.m_ready.val();
        self.ram.read_address.next = self.rptr.q.val().get_bits::<11>(0);
        if self.pop.val() {
            self.rptr.d.next = self.rptr.q.val() + 1;
            self.ram.read_address.next = bit_cast::<11, 12>(self.rptr.q.val() + 1);
        }
        self.m_data.next = self.ram.read_data.val().get_bits::<64>(0);
        self.m_keep.next = self.ram.read_data.val().get_bits::<8>(64);
        self.m_last.next = self.ram.read_data.val().get_bit(72);
        if self.rst.val() {
            self.wptr.d.next = 0.into();
            self.commit.d.next = 0.into();
            self.commit_d.d.next = 0.into();
            self.rptr.d.next = 0.into();
            self.dropping.d.next = false;
        }
    }
}
