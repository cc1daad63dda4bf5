//! `CommitFifo`: a first-word-fall-through FIFO whose writes become readable only when
//! committed, and can be rolled back (store a frame, then publish or discard it whole).

use rust_hdl::prelude::*;

/// FIFO of `2^N` entries (`NP1 = N + 1`). `write` appends speculatively; `commit` publishes
/// everything written so far (including a write in the same cycle); `rollback` discards the
/// uncommitted entries (including a write in the same cycle). `avail` counts committed
/// entries; `free` counts entries neither committed nor speculatively written.
#[derive(LogicBlock)]
pub struct CommitFifo<D: Synth, const N: usize, const NP1: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset (empties the FIFO).
    pub rst: Signal<In, Bit>,
    /// Append `data_in` (speculative).
    pub write: Signal<In, Bit>,
    /// Data to append.
    pub data_in: Signal<In, D>,
    /// Publish the speculative entries.
    pub commit: Signal<In, Bit>,
    /// Discard the speculative entries.
    pub rollback: Signal<In, Bit>,
    /// Free entries.
    pub free: Signal<Out, Bits<NP1>>,
    /// Pop `data_out`.
    pub read: Signal<In, Bit>,
    /// Committed entries readable now.
    pub avail: Signal<Out, Bits<NP1>>,
    /// Head entry (valid while `avail` is not 0).
    pub data_out: Signal<Out, D>,
    ram: RAM<D, N>,
    wptr: DFF<Bits<NP1>>,
    cptr: DFF<Bits<NP1>>,
    cptr_d: DFF<Bits<NP1>>,
    rptr: DFF<Bits<NP1>>,
    size: Constant<Bits<NP1>>,
    can_write: Signal<Local, Bit>,
    can_read: Signal<Local, Bit>,
    wnext: Signal<Local, Bits<NP1>>,
}

impl<D: Synth, const N: usize, const NP1: usize> Default for CommitFifo<D, N, NP1> {
    fn default() -> Self {
        assert_eq!(N + 1, NP1);
        Self {
            clock: Default::default(),
            rst: Default::default(),
            write: Default::default(),
            data_in: Default::default(),
            commit: Default::default(),
            rollback: Default::default(),
            free: Default::default(),
            read: Default::default(),
            avail: Default::default(),
            data_out: Default::default(),
            ram: Default::default(),
            wptr: Default::default(),
            cptr: Default::default(),
            cptr_d: Default::default(),
            rptr: Default::default(),
            size: Constant::new((1u64 << N).to_bits()),
            can_write: Default::default(),
            can_read: Default::default(),
            wnext: Default::default(),
        }
    }
}

impl<D: Synth, const N: usize, const NP1: usize> Logic for CommitFifo<D, N, NP1> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, wptr, cptr, cptr_d, rptr);
        self.ram.read_clock.next = self.clock.val();
        self.ram.write_clock.next = self.clock.val();
        self.avail.next = self.cptr_d.q.val() - self.rptr.q.val();
        self.free.next = self.size.val() - (self.wptr.q.val() - self.rptr.q.val());
        self.can_write.next =
            self.write.val() & ((self.wptr.q.val() - self.rptr.q.val()) != self.size.val());
        self.can_read.next = self.read.val() & (self.rptr.q.val() != self.cptr_d.q.val());
        self.ram.write_enable.next = self.can_write.val();
        self.ram.write_address.next = bit_cast::<N, NP1>(self.wptr.q.val());
        self.ram.write_data.next = self.data_in.val();
        self.wnext.next = self.wptr.q.val();
        if self.can_write.val() {
            self.wnext.next = self.wptr.q.val() + 1;
        }
        self.wptr.d.next = self.wnext.val();
        if self.commit.val() {
            self.cptr.d.next = self.wnext.val();
        }
        if self.rollback.val() {
            self.wptr.d.next = self.cptr.q.val();
        }
        self.cptr_d.d.next = self.cptr.q.val();
        self.ram.read_address.next = bit_cast::<N, NP1>(self.rptr.q.val());
        if self.can_read.val() {
            self.rptr.d.next = self.rptr.q.val() + 1;
            self.ram.read_address.next = bit_cast::<N, NP1>(self.rptr.q.val() + 1);
        }
        self.data_out.next = self.ram.read_data.val();
        if self.rst.val() {
            self.wptr.d.next = 0.into();
            self.cptr.d.next = 0.into();
            self.cptr_d.d.next = 0.into();
            self.rptr.d.next = 0.into();
        }
    }
}
