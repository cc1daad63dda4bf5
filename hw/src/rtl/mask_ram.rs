//! `MaskRam`: the isolation-mask table (both banks), one write port and two registered read
//! ports, with a per-row valid bit that reset clears (rows read as 0 until written).

use rust_hdl::prelude::*;
use std::collections::BTreeMap;

/// `2^N` rows of `D` plus `2^N` valid flops. Like [`super::fbm_ram::FbmRam`] (registered reads,
/// old value on a same-cycle write, no reset of the storage), and in addition `valid_a` /
/// `valid_b` (registered) tell whether a row was written since the last reset: a row that was
/// not reads as 0 to the consumer, which ANDs the data with the valid bit. Each valid bit has
/// its own row input (`addr_va` with enable `en_va`, `addr_vb`), so its 2^N-to-1 mux is fed by
/// the consumer's registered row and stays off the data ports' address logic (the lookup reads
/// the valid bit a cycle after the data; the register readback has a registered row). The
/// valid bits are flops, so reset clears the whole table in one cycle.
#[derive(LogicBlock, Default)]
pub struct MaskRam<D: Synth, const N: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset (clears the valid bits).
    pub rst: Signal<In, Bit>,
    /// Write enable.
    pub write_enable: Signal<In, Bit>,
    /// Write row.
    pub write_address: Signal<In, Bits<N>>,
    /// Write data.
    pub write_data: Signal<In, D>,
    /// Port A row.
    pub addr_a: Signal<In, Bits<N>>,
    /// Port A data (registered; the row's valid bit is `valid_a`, read from `addr_va`).
    pub data_a: Signal<Out, D>,
    /// Row `addr_va` written since reset (registered when `en_va`, else held).
    pub valid_a: Signal<Out, Bit>,
    /// Row of `valid_a`.
    pub addr_va: Signal<In, Bits<N>>,
    /// Read `addr_va`'s valid bit this cycle.
    pub en_va: Signal<In, Bit>,
    /// Port B row.
    pub addr_b: Signal<In, Bits<N>>,
    /// Port B data (registered; meaningful when `valid_b`).
    pub data_b: Signal<Out, D>,
    /// Row whose valid bit `valid_b` reads.
    pub addr_vb: Signal<In, Bits<N>>,
    /// Row `addr_vb` written since reset (registered).
    pub valid_b: Signal<Out, Bit>,
    _sim: BTreeMap<Bits<N>, D>,
}

impl<D: Synth, const N: usize> Logic for MaskRam<D, N> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let a = self._sim.get(&self.addr_a.val()).copied();
            let va = self._sim.contains_key(&self.addr_va.val());
            let b = self._sim.get(&self.addr_b.val()).copied();
            let vb = self._sim.contains_key(&self.addr_vb.val());
            self.data_a.next = a.unwrap_or_default();
            if self.en_va.val() {
                self.valid_a.next = va;
            }
            self.data_b.next = b.unwrap_or_default();
            self.valid_b.next = vb;
            if self.rst.val() {
                self._sim.clear();
            } else if self.write_enable.val() {
                self._sim
                    .insert(self.write_address.val(), self.write_data.val());
            }
        }
    }
    fn connect(&mut self) {
        self.data_a.connect();
        self.valid_a.connect();
        self.data_b.connect();
        self.valid_b.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
reg [{dm}:0] mem [0:{am}];
reg [{am}:0] valid;
always @(posedge clock) begin
   data_a <= mem[addr_a];
   data_b <= mem[addr_b];
   if (write_enable) begin
      mem[write_address] <= write_data;
   end
end
always @(posedge clock) begin
   if (en_va) begin
      valid_a <= valid[addr_va];
   end
   valid_b <= valid[addr_vb];
   if (rst) begin
      valid <= {{{rows}{{1'b0}}}};
   end else if (write_enable) begin
      valid[write_address] <= 1'b1;
   end
end
",
            dm = D::BITS - 1,
            am = (1usize << N) - 1,
            rows = 1usize << N
        ))
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "mask_ram".into(),
            clock: "clock".into(),
            inputs: vec![
                "addr_a".into(),
                "addr_va".into(),
                "en_va".into(),
                "addr_b".into(),
                "addr_vb".into(),
                "write_enable".into(),
                "rst".into(),
            ],
            outputs: vec![
                "data_a".into(),
                "data_b".into(),
                "valid_a".into(),
                "valid_b".into(),
            ],
        }]
    }
}
