// Port lists of the ECP5 primitives used by ecp5_io.v, for Verilator lint only (Yosys'
// synth_ecp5 has the real cell models). Not part of any bitstream.
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNDRIVEN */
/* verilator lint_off DECLFILENAME */
/* verilator lint_off UNUSEDPARAM */
module EHXPLLL #(
    parameter PLLRST_ENA = "DISABLED", parameter INTFB_WAKE = "DISABLED",
    parameter STDBY_ENABLE = "DISABLED", parameter DPHASE_SOURCE = "DISABLED",
    parameter OUTDIVIDER_MUXA = "DIVA", parameter OUTDIVIDER_MUXB = "DIVB",
    parameter OUTDIVIDER_MUXC = "DIVC", parameter OUTDIVIDER_MUXD = "DIVD",
    parameter integer CLKI_DIV = 1, parameter CLKOP_ENABLE = "ENABLED",
    parameter integer CLKOP_DIV = 8, parameter integer CLKOP_CPHASE = 0,
    parameter integer CLKOP_FPHASE = 0, parameter FEEDBK_PATH = "CLKOP",
    parameter integer CLKFB_DIV = 1
) (
    input RST, input STDBY, input CLKI, output CLKOP, input CLKFB, output CLKINTFB,
    input PHASESEL0, input PHASESEL1, input PHASEDIR, input PHASESTEP, input PHASELOADREG,
    input PLLWAKESYNC, input ENCLKOP, output LOCK
);
endmodule
module IDDRX1F (input D, input SCLK, input RST, output Q0, output Q1);
endmodule
module ODDRX1F (input D0, input D1, input SCLK, input RST, output Q);
endmodule
module DELAYG #(parameter DEL_MODE = "USER_DEFINED", parameter integer DEL_VALUE = 0) (
    input A, output Z
);
endmodule
