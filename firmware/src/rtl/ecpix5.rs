//! `Ecpix5Logic`: everything of the ECPIX-5 board top except the vendor primitives (PLL, DDR
//! I/O of RGMII) and the data plane: the Ethernet MAC (eth domain), clock-domain crossing,
//! the bad-frame filter, the UART register bridge, resets and LEDs.
//!
//! Clock domains: `eth_clk` (125 MHz, the PHY's RGMII receive clock, also used to transmit)
//! and `dp_clk` (the data plane's clock from the PLL). Frames cross in 16-entry asynchronous
//! FIFOs (Gray-coded handshake pointers, RustHDL's `AsynchronousFIFO`). Received frames
//! reach the data plane through a register slice ([`AxisReg`]).

use super::axis_reg::AxisReg;
use super::drop_fifo::DropFifo;
use super::gmii_rx::GmiiRx;
use super::gmii_tx::GmiiTx;
use super::uart_axil::UartAxil;
use rust_hdl::prelude::*;

/// The board logic. `dp_hz` is the data-plane clock frequency (for the UART divisor).
#[derive(LogicBlock)]
pub struct Ecpix5Logic {
    /// Data-plane clock (from the PLL).
    pub dp_clk: Signal<In, Clock>,
    /// PLL lock.
    pub pll_locked: Signal<In, Bit>,
    /// Ethernet clock: RGMII RX clock (125 MHz), also the transmit clock.
    pub eth_clk: Signal<In, Clock>,
    /// GMII RX_DV (from the DDR input registers).
    pub rx_dv: Signal<In, Bit>,
    /// GMII RX_ER.
    pub rx_er: Signal<In, Bit>,
    /// GMII RXD.
    pub rxd: Signal<In, Bits<8>>,
    /// GMII TXD (to the DDR output registers).
    pub txd: Signal<Out, Bits<8>>,
    /// GMII TX_EN.
    pub tx_en: Signal<Out, Bit>,
    /// GMII TX_ER.
    pub tx_er: Signal<Out, Bit>,
    /// PHY reset, active low.
    pub phy_rst_n: Signal<Out, Bit>,
    /// UART from the host.
    pub uart_rx: Signal<In, Bit>,
    /// UART to the host.
    pub uart_tx: Signal<Out, Bit>,
    /// LEDs, active high: 0 data-plane clock heartbeat, 1 toggles per good frame received,
    /// 2 a bad frame (FCS/length) was received, 3 a frame was cut short on transmit.
    pub led: Signal<Out, Bits<4>>,
    /// Data-plane reset (synchronous to `dp_clk`).
    pub dp_rst: Signal<Out, Bit>,
    /// Received frames to the data plane (AXI4-Stream master, dp domain).
    pub rx_tdata: Signal<Out, Bits<64>>,
    /// tkeep.
    pub rx_tkeep: Signal<Out, Bits<8>>,
    /// tlast.
    pub rx_tlast: Signal<Out, Bit>,
    /// tvalid.
    pub rx_tvalid: Signal<Out, Bit>,
    /// tready.
    pub rx_tready: Signal<In, Bit>,
    /// Frames to transmit from the data plane (AXI4-Stream slave, dp domain).
    pub tx_tdata: Signal<In, Bits<64>>,
    /// tkeep.
    pub tx_tkeep: Signal<In, Bits<8>>,
    /// tlast.
    pub tx_tlast: Signal<In, Bit>,
    /// tvalid.
    pub tx_tvalid: Signal<In, Bit>,
    /// tready.
    pub tx_tready: Signal<Out, Bit>,
    /// AXI4-Lite master to the data plane's registers (dp domain).
    pub awaddr: Signal<Out, Bits<16>>,
    /// AXI4-Lite.
    pub awvalid: Signal<Out, Bit>,
    /// AXI4-Lite.
    pub awready: Signal<In, Bit>,
    /// AXI4-Lite.
    pub wdata: Signal<Out, Bits<32>>,
    /// AXI4-Lite.
    pub wvalid: Signal<Out, Bit>,
    /// AXI4-Lite.
    pub wready: Signal<In, Bit>,
    /// AXI4-Lite.
    pub bresp: Signal<In, Bits<2>>,
    /// AXI4-Lite.
    pub bvalid: Signal<In, Bit>,
    /// AXI4-Lite.
    pub bready: Signal<Out, Bit>,
    /// AXI4-Lite.
    pub araddr: Signal<Out, Bits<16>>,
    /// AXI4-Lite.
    pub arvalid: Signal<Out, Bit>,
    /// AXI4-Lite.
    pub arready: Signal<In, Bit>,
    /// AXI4-Lite.
    pub rdata: Signal<In, Bits<32>>,
    /// AXI4-Lite.
    pub rresp: Signal<In, Bits<2>>,
    /// AXI4-Lite.
    pub rvalid: Signal<In, Bit>,
    /// AXI4-Lite.
    pub rready: Signal<Out, Bit>,
    mac_rx: GmiiRx,
    mac_tx: GmiiTx,
    rx_cdc: AsynchronousFIFO<Bits<74>, 4, 5, 1>,
    tx_cdc: AsynchronousFIFO<Bits<73>, 4, 5, 1>,
    drop: DropFifo,
    rx_slice: AxisReg<73>,
    uart: UartAxil,
    por: DFF<Bits<21>>,
    beat: DFF<Bits<26>>,
    eth_rst_sync: BitSynchronizer,
    eth_cnt: DFF<Bits<8>>,
    eth_rst: Signal<Local, Bit>,
    rx_toggle: DFF<Bit>,
    rx_bad: DFF<Bit>,
    tx_under: DFF<Bit>,
    leds: Signal<Local, Bits<4>>,
}

impl Ecpix5Logic {
    /// Board logic for a data-plane clock of `dp_hz` and a UART at `baud`.
    pub fn new(dp_hz: u64, baud: u64) -> Self {
        Self {
            dp_clk: Default::default(),
            pll_locked: Default::default(),
            eth_clk: Default::default(),
            rx_dv: Default::default(),
            rx_er: Default::default(),
            rxd: Default::default(),
            txd: Default::default(),
            tx_en: Default::default(),
            tx_er: Default::default(),
            phy_rst_n: Default::default(),
            uart_rx: Default::default(),
            uart_tx: Default::default(),
            led: Default::default(),
            dp_rst: Default::default(),
            rx_tdata: Default::default(),
            rx_tkeep: Default::default(),
            rx_tlast: Default::default(),
            rx_tvalid: Default::default(),
            rx_tready: Default::default(),
            tx_tdata: Default::default(),
            tx_tkeep: Default::default(),
            tx_tlast: Default::default(),
            tx_tvalid: Default::default(),
            tx_tready: Default::default(),
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
            mac_rx: Default::default(),
            mac_tx: Default::default(),
            rx_cdc: Default::default(),
            tx_cdc: Default::default(),
            drop: Default::default(),
            rx_slice: Default::default(),
            uart: UartAxil::new(dp_hz, baud),
            por: Default::default(),
            beat: Default::default(),
            eth_rst_sync: Default::default(),
            eth_cnt: Default::default(),
            eth_rst: Default::default(),
            rx_toggle: Default::default(),
            rx_bad: Default::default(),
            tx_under: Default::default(),
            leds: Default::default(),
        }
    }
}

impl Logic for Ecpix5Logic {
    #[hdl_gen]
    fn update(&mut self) {
        // dp domain: power-on reset (2^20 cycles after PLL lock), also the PHY reset.
        self.por.clock.next = self.dp_clk.val();
        self.beat.clock.next = self.dp_clk.val();
        self.por.d.next = self.por.q.val();
        if !self.por.q.val().get_bit(20) {
            self.por.d.next = self.por.q.val() + 1;
        }
        if !self.pll_locked.val() {
            self.por.d.next = 0.into();
        }
        self.dp_rst.next = !self.por.q.val().get_bit(20);
        self.phy_rst_n.next = self.por.q.val().get_bit(20);
        self.beat.d.next = self.beat.q.val() + 1;
        // eth domain reset: 255 eth cycles after the dp reset ends (the PHY's clock only runs
        // once the PHY is out of reset).
        self.eth_rst_sync.clock.next = self.eth_clk.val();
        self.eth_rst_sync.sig_in.next = !self.por.q.val().get_bit(20);
        self.eth_cnt.clock.next = self.eth_clk.val();
        self.eth_cnt.d.next = self.eth_cnt.q.val();
        if self.eth_cnt.q.val() != 0xFF {
            self.eth_cnt.d.next = self.eth_cnt.q.val() + 1;
        }
        if self.eth_rst_sync.sig_out.val() {
            self.eth_cnt.d.next = 0.into();
        }
        self.eth_rst.next = self.eth_cnt.q.val() != 0xFF;
        // Receive: MAC (eth) -> CDC FIFO -> bad-frame filter (dp) -> data plane.
        self.mac_rx.clock.next = self.eth_clk.val();
        self.mac_rx.rst.next = self.eth_rst.val();
        self.mac_rx.rx_dv.next = self.rx_dv.val();
        self.mac_rx.rx_er.next = self.rx_er.val();
        self.mac_rx.rxd.next = self.rxd.val();
        self.rx_cdc.write_clock.next = self.eth_clk.val();
        self.rx_cdc.write.next = self.mac_rx.out_write.val();
        self.rx_cdc.data_in.next = self.mac_rx.out_entry.val();
        self.rx_cdc.read_clock.next = self.dp_clk.val();
        self.rx_cdc.read.next = !self.rx_cdc.empty.val();
        self.drop.clock.next = self.dp_clk.val();
        self.drop.rst.next = !self.por.q.val().get_bit(20);
        self.drop.in_write.next = !self.rx_cdc.empty.val();
        self.drop.in_entry.next = self.rx_cdc.data_out.val();
        // A register slice cuts the path from the filter's block RAM into the data plane.
        self.rx_slice.clock.next = self.dp_clk.val();
        self.rx_slice.rst.next = !self.por.q.val().get_bit(20);
        self.rx_slice.s_data.next = bit_cast::<73, 64>(self.drop.m_data.val())
            | (bit_cast::<73, 8>(self.drop.m_keep.val()) << 64)
            | (bit_cast::<73, 1>(self.drop.m_last.val().into()) << 72);
        self.rx_slice.s_valid.next = self.drop.m_valid.val();
        self.drop.m_ready.next = self.rx_slice.s_ready.val();
        self.rx_tdata.next = self.rx_slice.m_data.val().get_bits::<64>(0);
        self.rx_tkeep.next = self.rx_slice.m_data.val().get_bits::<8>(64);
        self.rx_tlast.next = self.rx_slice.m_data.val().get_bit(72);
        self.rx_tvalid.next = self.rx_slice.m_valid.val();
        self.rx_slice.m_ready.next = self.rx_tready.val();
        // Transmit: data plane (dp) -> CDC FIFO -> MAC (eth).
        self.tx_cdc.write_clock.next = self.dp_clk.val();
        self.tx_cdc.write.next = self.tx_tvalid.val() & !self.tx_cdc.full.val();
        self.tx_cdc.data_in.next = bit_cast::<73, 64>(self.tx_tdata.val())
            | (bit_cast::<73, 8>(self.tx_tkeep.val()) << 64)
            | (bit_cast::<73, 1>(self.tx_tlast.val().into()) << 72);
        self.tx_tready.next = !self.tx_cdc.full.val();
        self.tx_cdc.read_clock.next = self.eth_clk.val();
        self.mac_tx.clock.next = self.eth_clk.val();
        self.mac_tx.rst.next = self.eth_rst.val();
        self.mac_tx.in_data.next = self.tx_cdc.data_out.val().get_bits::<64>(0);
        self.mac_tx.in_keep.next = self.tx_cdc.data_out.val().get_bits::<8>(64);
        self.mac_tx.in_last.next = self.tx_cdc.data_out.val().get_bit(72);
        self.mac_tx.in_empty.next = self.tx_cdc.empty.val();
        self.tx_cdc.read.next = self.mac_tx.in_read.val();
        self.txd.next = self.mac_tx.txd.val();
        self.tx_en.next = self.mac_tx.tx_en.val();
        self.tx_er.next = self.mac_tx.tx_er.val();
        // Registers: UART bridge (dp).
        self.uart.clock.next = self.dp_clk.val();
        self.uart.rst.next = !self.por.q.val().get_bit(20);
        self.uart.uart_rx.next = self.uart_rx.val();
        self.uart_tx.next = self.uart.uart_tx.val();
        self.awaddr.next = self.uart.awaddr.val();
        self.awvalid.next = self.uart.awvalid.val();
        self.uart.awready.next = self.awready.val();
        self.wdata.next = self.uart.wdata.val();
        self.wvalid.next = self.uart.wvalid.val();
        self.uart.wready.next = self.wready.val();
        self.uart.bresp.next = self.bresp.val();
        self.uart.bvalid.next = self.bvalid.val();
        self.bready.next = self.uart.bready.val();
        self.araddr.next = self.uart.araddr.val();
        self.arvalid.next = self.uart.arvalid.val();
        self.uart.arready.next = self.arready.val();
        self.uart.rdata.next = self.rdata.val();
        self.uart.rresp.next = self.rresp.val();
        self.uart.rvalid.next = self.rvalid.val();
        self.rready.next = self.uart.rready.val();
        // LEDs (eth-domain indicators are slow toggles/sticky bits).
        self.rx_toggle.clock.next = self.eth_clk.val();
        self.rx_bad.clock.next = self.eth_clk.val();
        self.tx_under.clock.next = self.eth_clk.val();
        self.rx_toggle.d.next = self.rx_toggle.q.val() ^ self.mac_rx.frame_ok.val();
        self.rx_bad.d.next = self.rx_bad.q.val() | self.mac_rx.frame_bad.val();
        self.tx_under.d.next = self.tx_under.q.val() | self.mac_tx.underflow.val();
        if self.eth_rst.val() {
            self.rx_bad.d.next = false;
            self.tx_under.d.next = false;
        }
        self.leds.next = bit_cast::<4, 1>(self.beat.q.val().get_bit(25).into())
            | (bit_cast::<4, 1>(self.rx_toggle.q.val().into()) << 1)
            | (bit_cast::<4, 1>(self.rx_bad.q.val().into()) << 2)
            | (bit_cast::<4, 1>(self.tx_under.q.val().into()) << 3);
        self.led.next = self.leds.val();
    }
}
