//! `UartAxil`: a UART (8N1) to AXI4-Lite master bridge, so that a host can load the BIFT and
//! read the counters of a board that has no PCIe. Protocol (bytes, big-endian fields):
//!
//! - write: `'W' addr[15:8] addr[7:0] d[31:24] d[23:16] d[15:8] d[7:0]` -> reply `bresp`;
//! - read: `'R' addr[15:8] addr[7:0]` -> reply `rresp d[31:24] d[23:16] d[15:8] d[7:0]`.
//!
//! Other command bytes are ignored; a command left incomplete for 2^16 clock cycles is
//! abandoned.

use rust_hdl::prelude::*;

/// Bridge states.
#[derive(Copy, Clone, Debug, PartialEq, LogicState)]
pub enum BridgeState {
    /// Waiting for a command byte.
    Cmd,
    /// Collecting address (and data) bytes.
    Args,
    /// AW and W offered.
    Write,
    /// Waiting for B.
    Resp,
    /// AR offered.
    Read,
    /// Waiting for R.
    ReadData,
    /// Sending the reply bytes.
    Send,
}

/// UART to AXI4-Lite master. `half`/`full` are the clock cycles per half bit and per bit.
#[derive(LogicBlock)]
pub struct UartAxil {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset.
    pub rst: Signal<In, Bit>,
    /// UART receive line (idle high; asynchronous, synchronised here).
    pub uart_rx: Signal<In, Bit>,
    /// UART transmit line (a register).
    pub uart_tx: Signal<Out, Bit>,
    /// AXI4-Lite master.
    pub awaddr: Signal<Out, Bits<16>>,
    /// AXI4-Lite master.
    pub awvalid: Signal<Out, Bit>,
    /// AXI4-Lite master.
    pub awready: Signal<In, Bit>,
    /// AXI4-Lite master.
    pub wdata: Signal<Out, Bits<32>>,
    /// AXI4-Lite master.
    pub wvalid: Signal<Out, Bit>,
    /// AXI4-Lite master.
    pub wready: Signal<In, Bit>,
    /// AXI4-Lite master.
    pub bresp: Signal<In, Bits<2>>,
    /// AXI4-Lite master.
    pub bvalid: Signal<In, Bit>,
    /// AXI4-Lite master.
    pub bready: Signal<Out, Bit>,
    /// AXI4-Lite master.
    pub araddr: Signal<Out, Bits<16>>,
    /// AXI4-Lite master.
    pub arvalid: Signal<Out, Bit>,
    /// AXI4-Lite master.
    pub arready: Signal<In, Bit>,
    /// AXI4-Lite master.
    pub rdata: Signal<In, Bits<32>>,
    /// AXI4-Lite master.
    pub rresp: Signal<In, Bits<2>>,
    /// AXI4-Lite master.
    pub rvalid: Signal<In, Bit>,
    /// AXI4-Lite master.
    pub rready: Signal<Out, Bit>,
    // receiver
    rx_s1: DFF<Bit>,
    rx_s2: DFF<Bit>,
    rx_busy: DFF<Bit>,
    rx_timer: DFF<Bits<16>>,
    rx_bit: DFF<Bits<4>>,
    rx_sh: DFF<Bits<8>>,
    rx_strobe: DFF<Bit>,
    // transmitter
    tx_busy: DFF<Bit>,
    tx_timer: DFF<Bits<16>>,
    tx_bit: DFF<Bits<4>>,
    tx_sh: DFF<Bits<10>>,
    tx_line: DFF<Bit>,
    // bridge
    state: DFF<BridgeState>,
    is_write: DFF<Bit>,
    nargs: DFF<Bits<3>>,
    args: DFF<Bits<48>>,
    idle: DFF<Bits<16>>,
    aw_done: DFF<Bit>,
    w_done: DFF<Bit>,
    out: DFF<Bits<40>>,
    nout: DFF<Bits<3>>,
    half: Constant<Bits<16>>,
    full: Constant<Bits<16>>,
    tx_start: Signal<Local, Bit>,
    tx_byte: Signal<Local, Bits<8>>,
}

impl UartAxil {
    /// A bridge for a clock of `clock_hz` and a baud rate of `baud`.
    pub fn new(clock_hz: u64, baud: u64) -> Self {
        let full = clock_hz / baud;
        assert!((4..65536).contains(&full), "UartAxil: bad clock/baud ratio");
        Self {
            clock: Default::default(),
            rst: Default::default(),
            uart_rx: Default::default(),
            uart_tx: Default::default(),
            awaddr: Default::default(),
            awvalid: Default::default(),
            awready: Default::default(),
            wdata: Default::default(),
            wvalid: Default::default(),
            wready: Default::default(),
            bresp: Default::default(),
            bvalid: Default::default(),
            bready: Default::default(),
            araddr: Default::default(),
            arvalid: Default::default(),
            arready: Default::default(),
            rdata: Default::default(),
            rresp: Default::default(),
            rvalid: Default::default(),
            rready: Default::default(),
            rx_s1: Default::default(),
            rx_s2: Default::default(),
            rx_busy: Default::default(),
            rx_timer: Default::default(),
            rx_bit: Default::default(),
            rx_sh: Default::default(),
            rx_strobe: Default::default(),
            tx_busy: Default::default(),
            tx_timer: Default::default(),
            tx_bit: Default::default(),
            tx_sh: Default::default(),
            tx_line: Default::default(),
            state: Default::default(),
            is_write: Default::default(),
            nargs: Default::default(),
            args: Default::default(),
            idle: Default::default(),
            aw_done: Default::default(),
            w_done: Default::default(),
            out: Default::default(),
            nout: Default::default(),
            half: Constant::new((full / 2).to_bits()),
            full: Constant::new(full.to_bits()),
            tx_start: Default::default(),
            tx_byte: Default::default(),
        }
    }
}

impl Logic for UartAxil {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, rx_s1, rx_s2, rx_busy, rx_timer, rx_bit, rx_sh, rx_strobe, tx_busy,
            tx_timer, tx_bit, tx_sh, tx_line, state, is_write, nargs, args, idle, aw_done, w_done,
            out, nout
        );
        // Receiver: start bit sampled at half a bit, then 8 data bits and the stop bit at
        // full-bit intervals.
        self.rx_s1.d.next = self.uart_rx.val();
        self.rx_s2.d.next = self.rx_s1.q.val();
        self.rx_strobe.d.next = false;
        if !self.rx_busy.q.val() {
            if !self.rx_s2.q.val() {
                self.rx_busy.d.next = true;
                self.rx_timer.d.next = self.half.val();
                self.rx_bit.d.next = 0.into();
            }
        } else if self.rx_timer.q.val() != 0 {
            self.rx_timer.d.next = self.rx_timer.q.val() - 1;
        } else {
            self.rx_timer.d.next = self.full.val();
            self.rx_bit.d.next = self.rx_bit.q.val() + 1;
            if self.rx_bit.q.val() == 0 {
                if self.rx_s2.q.val() {
                    // a glitch, not a start bit
                    self.rx_busy.d.next = false;
                }
            } else if self.rx_bit.q.val() == 9 {
                self.rx_busy.d.next = false;
                self.rx_strobe.d.next = self.rx_s2.q.val();
            } else {
                self.rx_sh.d.next =
                    (self.rx_sh.q.val() >> 1) | (bit_cast::<8, 1>(self.rx_s2.q.val().into()) << 7);
            }
        }
        // Bridge.
        self.tx_start.next = false;
        self.tx_byte.next = self.out.q.val().get_bits::<8>(32);
        self.awaddr.next = self.args.q.val().get_bits::<16>(32);
        self.wdata.next = self.args.q.val().get_bits::<32>(0);
        self.araddr.next = self.args.q.val().get_bits::<16>(0);
        self.awvalid.next = false;
        self.wvalid.next = false;
        self.bready.next = false;
        self.arvalid.next = false;
        self.rready.next = false;
        match self.state.q.val() {
            BridgeState::Cmd => {
                if self.rx_strobe.q.val() {
                    if self.rx_sh.q.val() == 0x57 {
                        self.state.d.next = BridgeState::Args;
                        self.is_write.d.next = true;
                        self.nargs.d.next = 6.into();
                        self.idle.d.next = 0.into();
                    }
                    if self.rx_sh.q.val() == 0x52 {
                        self.state.d.next = BridgeState::Args;
                        self.is_write.d.next = false;
                        self.nargs.d.next = 2.into();
                        self.idle.d.next = 0.into();
                    }
                }
            }
            BridgeState::Args => {
                self.idle.d.next = self.idle.q.val() + 1;
                if self.idle.q.val() == 0xFFFF {
                    self.state.d.next = BridgeState::Cmd;
                }
                if self.rx_strobe.q.val() {
                    self.idle.d.next = 0.into();
                    self.args.d.next =
                        (self.args.q.val() << 8) | bit_cast::<48, 8>(self.rx_sh.q.val());
                    self.nargs.d.next = self.nargs.q.val() - 1;
                    if self.nargs.q.val() == 1 {
                        self.aw_done.d.next = false;
                        self.w_done.d.next = false;
                        if self.is_write.q.val() {
                            self.state.d.next = BridgeState::Write;
                        } else {
                            self.state.d.next = BridgeState::Read;
                        }
                    }
                }
            }
            BridgeState::Write => {
                self.awvalid.next = !self.aw_done.q.val();
                self.wvalid.next = !self.w_done.q.val();
                if self.awready.val() {
                    self.aw_done.d.next = true;
                }
                if self.wready.val() {
                    self.w_done.d.next = true;
                }
                if (self.aw_done.q.val() | self.awready.val())
                    & (self.w_done.q.val() | self.wready.val())
                {
                    self.state.d.next = BridgeState::Resp;
                }
            }
            BridgeState::Resp => {
                self.bready.next = true;
                if self.bvalid.val() {
                    self.out.d.next = bit_cast::<40, 2>(self.bresp.val()) << 32;
                    self.nout.d.next = 1.into();
                    self.state.d.next = BridgeState::Send;
                }
            }
            BridgeState::Read => {
                self.arvalid.next = true;
                if self.arready.val() {
                    self.state.d.next = BridgeState::ReadData;
                }
            }
            BridgeState::ReadData => {
                self.rready.next = true;
                if self.rvalid.val() {
                    self.out.d.next = (bit_cast::<40, 2>(self.rresp.val()) << 32)
                        | bit_cast::<40, 32>(self.rdata.val());
                    self.nout.d.next = 5.into();
                    self.state.d.next = BridgeState::Send;
                }
            }
            BridgeState::Send => {
                if self.nout.q.val() == 0 {
                    self.state.d.next = BridgeState::Cmd;
                } else if !self.tx_busy.q.val() {
                    self.tx_start.next = true;
                    self.out.d.next = self.out.q.val() << 8;
                    self.nout.d.next = self.nout.q.val() - 1;
                }
            }
        }
        // Transmitter.
        self.uart_tx.next = self.tx_line.q.val();
        if !self.tx_busy.q.val() {
            self.tx_line.d.next = true;
            if self.tx_start.val() {
                self.tx_busy.d.next = true;
                self.tx_sh.d.next = (bit_cast::<10, 8>(self.tx_byte.val()) << 1)
                    | (bit_cast::<10, 1>(true.into()) << 9);
                self.tx_timer.d.next = 0.into();
                self.tx_bit.d.next = 0.into();
            }
        } else if self.tx_timer.q.val() != 0 {
            self.tx_timer.d.next = self.tx_timer.q.val() - 1;
        } else if self.tx_bit.q.val() == 10 {
            self.tx_busy.d.next = false;
        } else {
            self.tx_line.d.next = self.tx_sh.q.val().get_bit(0);
            self.tx_sh.d.next = self.tx_sh.q.val() >> 1;
            self.tx_timer.d.next = self.full.val() - 1;
            self.tx_bit.d.next = self.tx_bit.q.val() + 1;
        }
        if self.rst.val() {
            self.state.d.next = BridgeState::Cmd;
            self.rx_busy.d.next = false;
            self.tx_busy.d.next = false;
            self.tx_line.d.next = true;
            self.rx_s1.d.next = true;
            self.rx_s2.d.next = true;
        }
    }
}
