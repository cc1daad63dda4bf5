//! `EgressPort`: one target's output FIFO with a credit counter, driving an AXI4-Stream master.

use super::fifo::SyncFifo;
use rust_hdl::prelude::*;

/// Egress FIFO of `2^N` beats (`NP1 = N + 1`). The credit register counts the free beats minus
/// the beats reserved but not yet written; the replicator reserves a whole frame (`reserve`,
/// `amount`) before writing it, so a copy is never cut. A popped beat's credit comes back in the
/// cycle after the pop (the pop is registered first). The `credit` output is the credit after
/// this cycle before this cycle's reservation (the register plus the beat coming back, both
/// registered), which the replicator compares a cycle ahead.
#[derive(LogicBlock)]
pub struct EgressPort<
    const DW: usize,
    const KW: usize,
    const FW: usize,
    const N: usize,
    const NP1: usize,
> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset.
    pub rst: Signal<In, Bit>,
    /// Write an entry (`data | keep << DW | last << (DW+KW)`).
    pub write: Signal<In, Bit>,
    /// Entry.
    pub data: Signal<In, Bits<FW>>,
    /// Reserve `amount` beats.
    pub reserve: Signal<In, Bit>,
    /// Beats to reserve.
    pub amount: Signal<In, Bits<16>>,
    /// Free, unreserved beats after this cycle, before this cycle's reservation (the depth
    /// during reset).
    pub credit: Signal<Out, Bits<16>>,
    /// A write found the FIFO full (must never happen; sticky status in the register file).
    pub overflow: Signal<Out, Bit>,
    /// m_axis tdata.
    pub m_data: Signal<Out, Bits<DW>>,
    /// m_axis tkeep.
    pub m_keep: Signal<Out, Bits<KW>>,
    /// m_axis tlast.
    pub m_last: Signal<Out, Bit>,
    /// m_axis tvalid.
    pub m_valid: Signal<Out, Bit>,
    /// m_axis tready.
    pub m_ready: Signal<In, Bit>,
    fifo: SyncFifo<Bits<FW>, N, NP1>,
    cred: DFF<Bits<16>>,
    depth: Constant<Bits<16>>,
    sh_keep: Constant<Bits<16>>,
    sh_last: Constant<Bits<16>>,
    pop: Signal<Local, Bit>,
    // the pop, registered: its beat of credit comes back a cycle later (off the pop's path)
    pop_r: DFF<Bit>,
}

impl<const DW: usize, const KW: usize, const FW: usize, const N: usize, const NP1: usize> Default
    for EgressPort<DW, KW, FW, N, NP1>
{
    fn default() -> Self {
        assert_eq!(FW, DW + KW + 1);
        Self {
            clock: Default::default(),
            rst: Default::default(),
            write: Default::default(),
            data: Default::default(),
            reserve: Default::default(),
            amount: Default::default(),
            credit: Default::default(),
            overflow: Default::default(),
            m_data: Default::default(),
            m_keep: Default::default(),
            m_last: Default::default(),
            m_valid: Default::default(),
            m_ready: Default::default(),
            fifo: Default::default(),
            cred: Default::default(),
            depth: Constant::new((1u64 << N).to_bits()),
            sh_keep: Constant::new((DW as u64).to_bits()),
            sh_last: Constant::new(((DW + KW) as u64).to_bits()),
            pop: Default::default(),
            pop_r: Default::default(),
        }
    }
}

impl<const DW: usize, const KW: usize, const FW: usize, const N: usize, const NP1: usize> Logic
    for EgressPort<DW, KW, FW, N, NP1>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, cred, pop_r);
        self.fifo.clock.next = self.clock.val();
        self.fifo.rst.next = self.rst.val();
        self.fifo.write.next = self.write.val();
        self.fifo.data_in.next = self.data.val();
        self.m_valid.next = !self.fifo.empty.val();
        self.pop.next = !self.fifo.empty.val() & self.m_ready.val();
        self.fifo.read.next = self.pop.val();
        self.fifo.skip.next = false;
        self.fifo.skip_n.next = 0.into();
        self.m_data.next = self.fifo.data_out.val().get_bits::<DW>(0);
        self.m_keep.next = self
            .fifo
            .data_out
            .val()
            .get_bits::<KW>(self.sh_keep.val().index());
        self.m_last.next = self.fifo.data_out.val().get_bit(self.sh_last.val().index());
        // Credit register: depth - stored - reserved; a reservation takes a whole frame, a pop
        // gives one beat back (writes use beats already reserved).
        self.pop_r.d.next = self.pop.val();
        self.credit.next = self.cred.q.val() + bit_cast::<16, 1>(self.pop_r.q.val().into());
        if self.reserve.val() {
            self.cred.d.next = self.cred.q.val() - self.amount.val()
                + bit_cast::<16, 1>(self.pop_r.q.val().into());
        } else {
            self.cred.d.next = self.cred.q.val() + bit_cast::<16, 1>(self.pop_r.q.val().into());
        }
        self.overflow.next = self.write.val() & (self.fifo.free.val() == 0);
        if self.rst.val() {
            self.cred.d.next = self.depth.val();
            self.credit.next = self.depth.val();
            self.pop_r.d.next = false;
        }
    }
}
