//! `FbmRam`: one target's F-BM table, one write port and two registered read ports.

use rust_hdl::prelude::*;
use std::collections::BTreeMap;

/// `2^N` rows of `D`: write port (`write_*`), read port A (lookup) and read port B
/// (replication and register readback). Reads are registered (data one cycle after the
/// address); a read of a row written in the same cycle returns the old value. No reset.
#[derive(LogicBlock, Default)]
pub struct FbmRam<D: Synth, const N: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Write enable.
    pub write_enable: Signal<In, Bit>,
    /// Write row.
    pub write_address: Signal<In, Bits<N>>,
    /// Write data.
    pub write_data: Signal<In, D>,
    /// Port A row.
    pub addr_a: Signal<In, Bits<N>>,
    /// Port A data (registered).
    pub data_a: Signal<Out, D>,
    /// Port B row.
    pub addr_b: Signal<In, Bits<N>>,
    /// Port B data (registered).
    pub data_b: Signal<Out, D>,
    _sim: BTreeMap<Bits<N>, D>,
}

impl<D: Synth, const N: usize> Logic for FbmRam<D, N> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self.data_a.next = *self._sim.get(&self.addr_a.val()).unwrap_or(&D::default());
            self.data_b.next = *self._sim.get(&self.addr_b.val()).unwrap_or(&D::default());
            if self.write_enable.val() {
                self._sim
                    .insert(self.write_address.val(), self.write_data.val());
            }
        }
    }
    fn connect(&mut self) {
        self.data_a.connect();
        self.data_b.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
reg [{dm}:0] mem [0:{am}];
always @(posedge clock) begin
   data_a <= mem[addr_a];
   data_b <= mem[addr_b];
   if (write_enable) begin
      mem[write_address] <= write_data;
   end
end
",
            dm = D::BITS - 1,
            am = (1usize << N) - 1
        ))
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "fbm_ram".into(),
            clock: "clock".into(),
            inputs: vec!["addr_a".into(), "addr_b".into(), "write_enable".into()],
            outputs: vec!["data_a".into(), "data_b".into()],
        }]
    }
}
