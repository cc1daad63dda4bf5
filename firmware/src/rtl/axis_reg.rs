//! `AxisReg`: a full-throughput AXI4-Stream register slice (two-entry skid buffer). Every
//! output (`m_*` and `s_ready`) comes straight from a flip-flop, so no combinational path
//! crosses it in either direction; it adds one cycle of latency and never a bubble.
//!
//! The ECPIX-5 build puts one between the bad-frame filter ([`super::drop_fifo::DropFifo`],
//! whose data come from a block RAM without an output register) and the data plane's
//! ingress: without it the block RAM's clock-to-out, the data plane's header parsing and
//! its ready path formed the critical path of the data-plane clock (see
//! `firmware/README.md`).

use rust_hdl::prelude::*;

/// Register slice for `W`-bit entries (`data | keep << 64 | last << 72` in the ECPIX-5
/// build).
#[derive(LogicBlock, Default)]
pub struct AxisReg<const W: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset (empties the slice).
    pub rst: Signal<In, Bit>,
    /// Input entry.
    pub s_data: Signal<In, Bits<W>>,
    /// Input valid.
    pub s_valid: Signal<In, Bit>,
    /// Input ready (registered).
    pub s_ready: Signal<Out, Bit>,
    /// Output entry (registered).
    pub m_data: Signal<Out, Bits<W>>,
    /// Output valid (registered).
    pub m_valid: Signal<Out, Bit>,
    /// Output ready.
    pub m_ready: Signal<In, Bit>,
    out_data: DFF<Bits<W>>,
    out_valid: DFF<Bit>,
    skid_data: DFF<Bits<W>>,
    skid_valid: DFF<Bit>,
}

impl<const W: usize> Logic for AxisReg<W> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, out_data, out_valid, skid_data, skid_valid);
        self.m_data.next = self.out_data.q.val();
        self.m_valid.next = self.out_valid.q.val();
        // Ready while the skid register is free: an entry accepted while the output
        // stalls goes there.
        self.s_ready.next = !self.skid_valid.q.val();
        if self.m_ready.val() | !self.out_valid.q.val() {
            // The output register is free (or being emptied): refill it, the skid entry first.
            if self.skid_valid.q.val() {
                self.out_data.d.next = self.skid_data.q.val();
                self.out_valid.d.next = true;
                self.skid_valid.d.next = false;
            } else {
                self.out_data.d.next = self.s_data.val();
                self.out_valid.d.next = self.s_valid.val();
            }
        } else if self.s_valid.val() & !self.skid_valid.q.val() {
            self.skid_data.d.next = self.s_data.val();
            self.skid_valid.d.next = true;
        }
        if self.rst.val() {
            self.out_valid.d.next = false;
            self.skid_valid.d.next = false;
        }
    }
}
