// Vendor-primitive wrappers of the ECPIX-5 build (hand-written: Lattice ECP5 primitives only).
// Part of biernic-firmware; included verbatim into the generated biernic_ecpix5.v.

// 100 MHz -> 50 MHz data-plane clock. EHXPLLL parameters as computed by prjtrellis' ecppll
// (`ecppll -i 100 -o 50`: CLKI_DIV 2, CLKFB_DIV 1, CLKOP_DIV 12, VCO 600 MHz).
module biernic_ecp5_pll (
    input  wire clkin,
    output wire clkout,
    output wire locked
);
/* verilator lint_off UNUSEDSIGNAL */
wire clkintfb;
/* verilator lint_on UNUSEDSIGNAL */
(* FREQUENCY_PIN_CLKI="100" *)
(* FREQUENCY_PIN_CLKOP="50" *)
(* ICP_CURRENT="12" *) (* LPF_RESISTOR="8" *) (* MFG_ENABLE_FILTEROPAMP="1" *) (* MFG_GMCREF_SEL="2" *)
EHXPLLL #(
    .PLLRST_ENA("DISABLED"),
    .INTFB_WAKE("DISABLED"),
    .STDBY_ENABLE("DISABLED"),
    .DPHASE_SOURCE("DISABLED"),
    .OUTDIVIDER_MUXA("DIVA"),
    .OUTDIVIDER_MUXB("DIVB"),
    .OUTDIVIDER_MUXC("DIVC"),
    .OUTDIVIDER_MUXD("DIVD"),
    .CLKI_DIV(2),
    .CLKOP_ENABLE("ENABLED"),
    .CLKOP_DIV(12),
    .CLKOP_CPHASE(5),
    .CLKOP_FPHASE(0),
    .FEEDBK_PATH("CLKOP"),
    .CLKFB_DIV(1)
) pll_i (
    .RST(1'b0), .STDBY(1'b0), .CLKI(clkin), .CLKOP(clkout), .CLKFB(clkout), .CLKINTFB(clkintfb),
    .PHASESEL0(1'b0), .PHASESEL1(1'b0), .PHASEDIR(1'b1), .PHASESTEP(1'b1),
    .PHASELOADREG(1'b1), .PLLWAKESYNC(1'b0), .ENCLKOP(1'b0), .LOCK(locked)
);
endmodule

// RGMII <-> GMII with ECP5 DDR I/O registers (1000 Mb/s only). RX: IDDRX1F on the PHY's
// receive clock (the ECPIX-5's RTL8211 adds the receive clock delay itself); rising edge =
// RXD[3:0] and RX_DV, falling edge = RXD[7:4] and RX_DV ^ RX_ER. TX: ODDRX1F on the same
// clock, the transmit clock forwarded through an ODDRX1F and delayed 2 ns by a DELAYG
// (80 taps of 25 ps), as LiteEth's ecp5rgmii PHY does for this board.
module biernic_rgmii_ecp5 (
    input  wire       rgmii_rx_clk,
    input  wire       rgmii_rx_ctl,
    input  wire [3:0] rgmii_rxd,
    output wire       rgmii_tx_clk,
    output wire       rgmii_tx_ctl,
    output wire [3:0] rgmii_txd,
    output wire       clk,
    output reg        gmii_rx_dv,
    output reg        gmii_rx_er,
    output reg  [7:0] gmii_rxd,
    input  wire       gmii_tx_en,
    input  wire       gmii_tx_er,
    input  wire [7:0] gmii_txd
);
assign clk = rgmii_rx_clk;
wire [1:0] ctl;
wire [7:0] d;
IDDRX1F iddr_ctl (.D(rgmii_rx_ctl), .SCLK(clk), .RST(1'b0), .Q0(ctl[0]), .Q1(ctl[1]));
genvar i;
generate
    for (i = 0; i < 4; i = i + 1) begin : g_rx
        IDDRX1F iddr_d (.D(rgmii_rxd[i]), .SCLK(clk), .RST(1'b0), .Q0(d[i]), .Q1(d[i + 4]));
    end
endgenerate
always @(posedge clk) begin
    gmii_rx_dv <= ctl[0];
    gmii_rx_er <= ctl[0] ^ ctl[1];
    gmii_rxd   <= d;
end
ODDRX1F oddr_ctl (.D0(gmii_tx_en), .D1(gmii_tx_en ^ gmii_tx_er), .SCLK(clk), .RST(1'b0),
                  .Q(rgmii_tx_ctl));
generate
    for (i = 0; i < 4; i = i + 1) begin : g_tx
        ODDRX1F oddr_d (.D0(gmii_txd[i]), .D1(gmii_txd[i + 4]), .SCLK(clk), .RST(1'b0),
                        .Q(rgmii_txd[i]));
    end
endgenerate
wire tx_clk_o;
ODDRX1F oddr_clk (.D0(1'b1), .D1(1'b0), .SCLK(clk), .RST(1'b0), .Q(tx_clk_o));
DELAYG #(.DEL_MODE("SCLK_ALIGNED"), .DEL_VALUE(80)) dly_clk (.A(tx_clk_o), .Z(rgmii_tx_clk));
endmodule
