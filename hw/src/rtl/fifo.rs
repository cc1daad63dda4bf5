//! `SyncFifo`: synchronous first-word-fall-through FIFO with synchronous reset.

use rust_hdl::prelude::*;

/// First-word-fall-through FIFO of `2^N` entries (`NP1 = N + 1`). `data_out` is valid while
/// `empty` is clear; `read` pops it. A write becomes visible two cycles later. Writes when
/// `free` is 0 and reads while `empty` are ignored.
#[derive(LogicBlock)]
pub struct SyncFifo<D: Synth, const N: usize, const NP1: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset (empties the FIFO).
    pub rst: Signal<In, Bit>,
    /// Push `data_in`.
    pub write: Signal<In, Bit>,
    /// Data to push.
    pub data_in: Signal<In, D>,
    /// Number of free entries.
    pub free: Signal<Out, Bits<NP1>>,
    /// Pop `data_out`.
    pub read: Signal<In, Bit>,
    /// Drop `skip_n` entries at once (instead of `read`; at most the entries readable).
    pub skip: Signal<In, Bit>,
    /// Entries to drop with `skip`.
    pub skip_n: Signal<In, Bits<NP1>>,
    /// No entry readable now (a pointer compare).
    pub empty: Signal<Out, Bit>,
    /// Head entry (valid while `empty` is clear).
    pub data_out: Signal<Out, D>,
    ram: RAM<D, N>,
    wptr: DFF<Bits<NP1>>,
    wptr_d: DFF<Bits<NP1>>,
    rptr: DFF<Bits<NP1>>,
    size: Constant<Bits<NP1>>,
    can_write: Signal<Local, Bit>,
    can_read: Signal<Local, Bit>,
}

impl<D: Synth, const N: usize, const NP1: usize> Default for SyncFifo<D, N, NP1> {
    fn default() -> Self {
        assert_eq!(N + 1, NP1);
        Self {
            clock: Default::default(),
            rst: Default::default(),
            write: Default::default(),
            data_in: Default::default(),
            free: Default::default(),
            read: Default::default(),
            skip: Default::default(),
            skip_n: Default::default(),
            empty: Default::default(),
            data_out: Default::default(),
            ram: Default::default(),
            wptr: Default::default(),
            wptr_d: Default::default(),
            rptr: Default::default(),
            size: Constant::new((1u64 << N).to_bits()),
            can_write: Default::default(),
            can_read: Default::default(),
        }
    }
}

impl<D: Synth, const N: usize, const NP1: usize> Logic for SyncFifo<D, N, NP1> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, wptr, wptr_d, rptr);
        self.ram.read_clock.next = self.clock.val();
        self.ram.write_clock.next = self.clock.val();
        self.empty.next = self.wptr_d.q.val() == self.rptr.q.val();
        self.free.next = self.size.val() - (self.wptr.q.val() - self.rptr.q.val());
        self.can_write.next =
            self.write.val() & ((self.wptr.q.val() - self.rptr.q.val()) != self.size.val());
        self.can_read.next = self.read.val() & (self.rptr.q.val() != self.wptr_d.q.val());
        self.ram.write_enable.next = self.can_write.val();
        self.ram.write_address.next = bit_cast::<N, NP1>(self.wptr.q.val());
        self.ram.write_data.next = self.data_in.val();
        if self.can_write.val() {
            self.wptr.d.next = self.wptr.q.val() + 1;
        }
        self.wptr_d.d.next = self.wptr.q.val();
        self.ram.read_address.next = bit_cast::<N, NP1>(self.rptr.q.val());
        if self.can_read.val() {
            self.rptr.d.next = self.rptr.q.val() + 1;
            self.ram.read_address.next = bit_cast::<N, NP1>(self.rptr.q.val() + 1);
        }
        if self.skip.val() {
            self.rptr.d.next = self.rptr.q.val() + self.skip_n.val();
            self.ram.read_address.next = bit_cast::<N, NP1>(self.rptr.q.val() + self.skip_n.val());
        }
        self.data_out.next = self.ram.read_data.val();
        if self.rst.val() {
            self.wptr.d.next = 0.into();
            self.wptr_d.d.next = 0.into();
            self.rptr.d.next = 0.into();
        }
    }
}
