//! `GmiiTx`: transmit MAC onto a GMII byte stream. Sends the preamble and SFD, the frame bytes
//! from 64-bit words (byte 0 in bits 7:0, contiguous `keep`), zero padding up to 60 bytes,
//! the FCS (CRC-32) and a 12-byte inter-frame gap.

use super::crc32::Crc32Byte;
use rust_hdl::prelude::*;

/// Transmitter states.
#[derive(Copy, Clone, Debug, PartialEq, LogicState)]
pub enum TxState {
    /// Waiting for a word.
    Idle,
    /// Seven preamble bytes and the SFD.
    Pre,
    /// Frame bytes.
    Data,
    /// Zero padding to the 60-byte minimum.
    Pad,
    /// The four FCS bytes.
    Fcs,
    /// Inter-frame gap.
    Ifg,
    /// The words ran out within a frame: the frame was ended with TX_ER; drop the rest of it.
    Abort,
}

/// Transmit MAC. Input words come from a first-word-fall-through FIFO (`in_*` valid while
/// `in_empty` is low, `in_read` pops). Outputs are registers.
#[derive(LogicBlock)]
pub struct GmiiTx {
    /// GMII transmit clock (125 MHz).
    pub clock: Signal<In, Clock>,
    /// Synchronous reset.
    pub rst: Signal<In, Bit>,
    /// Head word.
    pub in_data: Signal<In, Bits<64>>,
    /// Head word's byte enables.
    pub in_keep: Signal<In, Bits<8>>,
    /// Head word ends a frame.
    pub in_last: Signal<In, Bit>,
    /// No word available.
    pub in_empty: Signal<In, Bit>,
    /// Pop the head word.
    pub in_read: Signal<Out, Bit>,
    /// GMII TXD.
    pub txd: Signal<Out, Bits<8>>,
    /// GMII TX_EN.
    pub tx_en: Signal<Out, Bit>,
    /// GMII TX_ER.
    pub tx_er: Signal<Out, Bit>,
    /// One-cycle pulse per frame sent.
    pub frame_sent: Signal<Out, Bit>,
    /// One-cycle pulse per frame cut short because its words ran out (never expected).
    pub underflow: Signal<Out, Bit>,
    crc: Crc32Byte,
    state: DFF<TxState>,
    cnt: DFF<Bits<4>>,
    crc_r: DFF<Bits<32>>,
    sh: DFF<Bits<64>>,
    kp: DFF<Bits<8>>,
    wl: DFF<Bit>,
    len: DFF<Bits<16>>,
    fcs: DFF<Bits<32>>,
    txd_r: DFF<Bits<8>>,
    en_r: DFF<Bit>,
    er_r: DFF<Bit>,
    sent_p: DFF<Bit>,
    under_p: DFF<Bit>,
    cur_byte: Signal<Local, Bits<8>>,
    crc_init: Constant<Bits<32>>,
    last_byte: Signal<Local, Bit>,
}

impl Default for GmiiTx {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            rst: Default::default(),
            in_data: Default::default(),
            in_keep: Default::default(),
            in_last: Default::default(),
            in_empty: Default::default(),
            in_read: Default::default(),
            txd: Default::default(),
            tx_en: Default::default(),
            tx_er: Default::default(),
            frame_sent: Default::default(),
            underflow: Default::default(),
            crc: Default::default(),
            state: Default::default(),
            cnt: Default::default(),
            crc_r: Default::default(),
            sh: Default::default(),
            kp: Default::default(),
            wl: Default::default(),
            len: Default::default(),
            fcs: Default::default(),
            txd_r: Default::default(),
            en_r: Default::default(),
            er_r: Default::default(),
            sent_p: Default::default(),
            under_p: Default::default(),
            cur_byte: Default::default(),
            crc_init: Constant::new(0xFFFF_FFFFu64.to_bits()),
            last_byte: Default::default(),
        }
    }
}

impl Logic for GmiiTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, cnt, crc_r, sh, kp, wl, len, fcs, txd_r, en_r, er_r, sent_p,
            under_p
        );
        self.txd.next = self.txd_r.q.val();
        self.tx_en.next = self.en_r.q.val();
        self.tx_er.next = self.er_r.q.val();
        self.frame_sent.next = self.sent_p.q.val();
        self.underflow.next = self.under_p.q.val();
        self.sent_p.d.next = false;
        self.under_p.d.next = false;
        self.in_read.next = false;
        self.en_r.d.next = false;
        self.er_r.d.next = false;
        self.txd_r.d.next = 0.into();
        // Next frame byte: from the current word, else from the head word.
        self.cur_byte.next = self.sh.q.val().get_bits::<8>(0);
        self.last_byte.next = !self.kp.q.val().get_bit(1) & self.wl.q.val();
        if !self.kp.q.val().get_bit(0) {
            self.cur_byte.next = self.in_data.val().get_bits::<8>(0);
            self.last_byte.next = !self.in_keep.val().get_bit(1) & self.in_last.val();
        }
        if self.state.q.val() == TxState::Pad {
            self.cur_byte.next = 0.into();
        }
        self.crc.crc_in.next = self.crc_r.q.val();
        self.crc.data.next = self.cur_byte.val();
        match self.state.q.val() {
            TxState::Idle => {
                if !self.in_empty.val() {
                    self.state.d.next = TxState::Pre;
                    self.cnt.d.next = 0.into();
                }
            }
            TxState::Pre => {
                self.en_r.d.next = true;
                self.txd_r.d.next = 0x55.into();
                self.cnt.d.next = self.cnt.q.val() + 1;
                if self.cnt.q.val() == 7 {
                    self.txd_r.d.next = 0xD5.into();
                    self.state.d.next = TxState::Data;
                    self.crc_r.d.next = self.crc_init.val();
                    self.len.d.next = 0.into();
                    self.kp.d.next = 0.into();
                    self.wl.d.next = false;
                }
            }
            TxState::Data => {
                if self.kp.q.val().get_bit(0) | !self.in_empty.val() {
                    self.en_r.d.next = true;
                    self.txd_r.d.next = self.cur_byte.val();
                    self.crc_r.d.next = self.crc.crc_out.val();
                    self.len.d.next = self.len.q.val() + 1;
                    if self.kp.q.val().get_bit(0) {
                        self.sh.d.next = self.sh.q.val() >> 8;
                        self.kp.d.next = self.kp.q.val() >> 1;
                    } else {
                        self.in_read.next = true;
                        self.sh.d.next = self.in_data.val() >> 8;
                        self.kp.d.next = self.in_keep.val() >> 1;
                        self.wl.d.next = self.in_last.val();
                    }
                    if self.last_byte.val() {
                        self.kp.d.next = 0.into();
                        self.cnt.d.next = 0.into();
                        if self.len.q.val() < 59 {
                            self.state.d.next = TxState::Pad;
                        } else {
                            self.state.d.next = TxState::Fcs;
                            self.fcs.d.next = !self.crc.crc_out.val();
                        }
                    }
                } else {
                    // Underflow inside a frame: signal an error and drop the rest.
                    self.en_r.d.next = true;
                    self.er_r.d.next = true;
                    self.under_p.d.next = true;
                    self.state.d.next = TxState::Abort;
                }
            }
            TxState::Pad => {
                self.en_r.d.next = true;
                self.txd_r.d.next = 0.into();
                self.crc_r.d.next = self.crc.crc_out.val();
                self.len.d.next = self.len.q.val() + 1;
                if self.len.q.val() == 59 {
                    self.state.d.next = TxState::Fcs;
                    self.fcs.d.next = !self.crc.crc_out.val();
                }
            }
            TxState::Fcs => {
                self.en_r.d.next = true;
                self.txd_r.d.next = self.fcs.q.val().get_bits::<8>(0);
                self.fcs.d.next = self.fcs.q.val() >> 8;
                self.cnt.d.next = self.cnt.q.val() + 1;
                if self.cnt.q.val() == 3 {
                    self.state.d.next = TxState::Ifg;
                    self.cnt.d.next = 0.into();
                    self.sent_p.d.next = true;
                }
            }
            TxState::Ifg => {
                self.cnt.d.next = self.cnt.q.val() + 1;
                if self.cnt.q.val() == 11 {
                    self.state.d.next = TxState::Idle;
                }
            }
            TxState::Abort => {
                if !self.in_empty.val() {
                    self.in_read.next = true;
                    if self.in_last.val() {
                        self.state.d.next = TxState::Ifg;
                        self.cnt.d.next = 0.into();
                    }
                }
            }
        }
        if self.rst.val() {
            self.state.d.next = TxState::Idle;
            self.en_r.d.next = false;
            self.er_r.d.next = false;
            self.kp.d.next = 0.into();
        }
    }
}
