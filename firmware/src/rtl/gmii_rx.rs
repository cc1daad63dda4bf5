//! `GmiiRx`: receive MAC on a GMII byte stream (1000BASE-T through RGMII). Strips the
//! preamble and SFD, checks the FCS (CRC-32 residue), the length (runts under 64 bytes) and
//! `rx_er`, strips the FCS and packs the bytes into 64-bit words with `keep` (byte 0 in bits
//! 7:0). Every word of a frame is written out; the last one carries `last` and `bad` (FCS or
//! length error), and [`super::drop_fifo::DropFifo`] discards bad frames whole.

use super::crc32::{Crc32Byte, RESIDUE};
use rust_hdl::prelude::*;

/// Receive MAC. Output entries are `data | keep << 64 | last << 72 | bad << 73`.
#[derive(LogicBlock)]
pub struct GmiiRx {
    /// GMII receive clock (125 MHz).
    pub clock: Signal<In, Clock>,
    /// Synchronous reset.
    pub rst: Signal<In, Bit>,
    /// GMII RX_DV.
    pub rx_dv: Signal<In, Bit>,
    /// GMII RX_ER.
    pub rx_er: Signal<In, Bit>,
    /// GMII RXD.
    pub rxd: Signal<In, Bits<8>>,
    /// Write `out_entry` (a register).
    pub out_write: Signal<Out, Bit>,
    /// Output entry (a register).
    pub out_entry: Signal<Out, Bits<74>>,
    /// One-cycle pulse per frame received with a good FCS.
    pub frame_ok: Signal<Out, Bit>,
    /// One-cycle pulse per frame dropped for its FCS, `rx_er` or length.
    pub frame_bad: Signal<Out, Bit>,
    crc: Crc32Byte,
    state: DFF<RxState>,
    crc_r: DFF<Bits<32>>,
    dly: DFF<Bits<32>>,
    dcnt: DFF<Bits<3>>,
    word: DFF<Bits<64>>,
    wcnt: DFF<Bits<4>>,
    held: DFF<Bits<64>>,
    held_v: DFF<Bit>,
    len: DFF<Bits<16>>,
    err: DFF<Bit>,
    good: DFF<Bit>,
    wr: DFF<Bit>,
    entry: DFF<Bits<74>>,
    ok_p: DFF<Bit>,
    bad_p: DFF<Bit>,
    residue: Constant<Bits<32>>,
    crc_init: Constant<Bits<32>>,
    nw: Signal<Local, Bits<64>>,
    al_data: Signal<Local, Bits<64>>,
    al_keep: Signal<Local, Bits<8>>,
}

impl Default for GmiiRx {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            rst: Default::default(),
            rx_dv: Default::default(),
            rx_er: Default::default(),
            rxd: Default::default(),
            out_write: Default::default(),
            out_entry: Default::default(),
            frame_ok: Default::default(),
            frame_bad: Default::default(),
            crc: Default::default(),
            state: Default::default(),
            crc_r: Default::default(),
            dly: Default::default(),
            dcnt: Default::default(),
            word: Default::default(),
            wcnt: Default::default(),
            held: Default::default(),
            held_v: Default::default(),
            len: Default::default(),
            err: Default::default(),
            good: Default::default(),
            wr: Default::default(),
            entry: Default::default(),
            ok_p: Default::default(),
            bad_p: Default::default(),
            residue: Constant::new((RESIDUE as u64).to_bits()),
            crc_init: Constant::new(0xFFFF_FFFFu64.to_bits()),
            nw: Default::default(),
            al_data: Default::default(),
            al_keep: Default::default(),
        }
    }
}

/// Receiver states.
#[derive(Copy, Clone, Debug, PartialEq, LogicState)]
pub enum RxState {
    /// Between frames.
    Idle,
    /// Preamble bytes.
    Pre,
    /// Frame bytes (after the SFD).
    Data,
    /// End of frame: write the held word.
    End1,
    /// End of frame: write the partial word.
    End2,
    /// A frame without a preamble: ignored until RX_DV falls.
    Drop,
}

impl Logic for GmiiRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, crc_r, dly, dcnt, word, wcnt, held, held_v, len, err, good, wr,
            entry, ok_p, bad_p
        );
        self.out_write.next = self.wr.q.val();
        self.out_entry.next = self.entry.q.val();
        self.frame_ok.next = self.ok_p.q.val();
        self.frame_bad.next = self.bad_p.q.val();
        self.wr.d.next = false;
        self.ok_p.d.next = false;
        self.bad_p.d.next = false;
        self.crc.crc_in.next = self.crc_r.q.val();
        self.crc.data.next = self.rxd.val();
        // The packer shifts bytes in at the top; a partial word is right-aligned at the end.
        self.nw.next =
            (self.word.q.val() >> 8) | (bit_cast::<64, 8>(self.dly.q.val().get_bits::<8>(0)) << 56);
        self.al_data.next = self.word.q.val();
        self.al_keep.next = 0xFF.into();
        if self.wcnt.q.val() == 1 {
            self.al_data.next = self.word.q.val() >> 56;
            self.al_keep.next = 0x01.into();
        }
        if self.wcnt.q.val() == 2 {
            self.al_data.next = self.word.q.val() >> 48;
            self.al_keep.next = 0x03.into();
        }
        if self.wcnt.q.val() == 3 {
            self.al_data.next = self.word.q.val() >> 40;
            self.al_keep.next = 0x07.into();
        }
        if self.wcnt.q.val() == 4 {
            self.al_data.next = self.word.q.val() >> 32;
            self.al_keep.next = 0x0F.into();
        }
        if self.wcnt.q.val() == 5 {
            self.al_data.next = self.word.q.val() >> 24;
            self.al_keep.next = 0x1F.into();
        }
        if self.wcnt.q.val() == 6 {
            self.al_data.next = self.word.q.val() >> 16;
            self.al_keep.next = 0x3F.into();
        }
        if self.wcnt.q.val() == 7 {
            self.al_data.next = self.word.q.val() >> 8;
            self.al_keep.next = 0x7F.into();
        }
        match self.state.q.val() {
            RxState::Idle => {
                if self.rx_dv.val() {
                    self.state.d.next = RxState::Drop;
                    if self.rxd.val() == 0x55 {
                        self.state.d.next = RxState::Pre;
                    }
                }
            }
            RxState::Pre => {
                if !self.rx_dv.val() {
                    self.state.d.next = RxState::Idle;
                } else if self.rxd.val() == 0xD5 {
                    self.state.d.next = RxState::Data;
                    self.crc_r.d.next = self.crc_init.val();
                    self.dcnt.d.next = 0.into();
                    self.wcnt.d.next = 0.into();
                    self.held_v.d.next = false;
                    self.len.d.next = 0.into();
                    self.err.d.next = false;
                } else if self.rxd.val() != 0x55 {
                    self.state.d.next = RxState::Drop;
                }
            }
            RxState::Data => {
                if self.rx_dv.val() {
                    self.crc_r.d.next = self.crc.crc_out.val();
                    self.err.d.next = self.err.q.val() | self.rx_er.val();
                    if self.len.q.val() != 0xFFFF {
                        self.len.d.next = self.len.q.val() + 1;
                    }
                    self.dly.d.next =
                        (self.dly.q.val() >> 8) | (bit_cast::<32, 8>(self.rxd.val()) << 24);
                    if self.dcnt.q.val() == 4 {
                        // The oldest byte of the delay line is data (four more bytes follow).
                        if self.wcnt.q.val() == 7 {
                            if self.held_v.q.val() {
                                self.wr.d.next = true;
                                self.entry.d.next = bit_cast::<74, 64>(self.held.q.val())
                                    | (bit_cast::<74, 8>(0xFF.into()) << 64);
                            }
                            self.held.d.next = self.nw.val();
                            self.held_v.d.next = true;
                            self.wcnt.d.next = 0.into();
                        } else {
                            self.word.d.next = self.nw.val();
                            self.wcnt.d.next = self.wcnt.q.val() + 1;
                        }
                    } else {
                        self.dcnt.d.next = self.dcnt.q.val() + 1;
                    }
                } else {
                    self.state.d.next = RxState::End1;
                    self.good.d.next = (self.crc_r.q.val() == self.residue.val())
                        & !self.err.q.val()
                        & (self.len.q.val() >= 64);
                }
            }
            RxState::End1 => {
                self.state.d.next = RxState::Idle;
                if self.wcnt.q.val() != 0 {
                    self.state.d.next = RxState::End2;
                }
                if self.held_v.q.val() {
                    self.wr.d.next = true;
                    self.entry.d.next = bit_cast::<74, 64>(self.held.q.val())
                        | (bit_cast::<74, 8>(0xFF.into()) << 64);
                    if self.wcnt.q.val() == 0 {
                        self.entry.d.next = bit_cast::<74, 64>(self.held.q.val())
                            | (bit_cast::<74, 8>(0xFF.into()) << 64)
                            | (bit_cast::<74, 1>(true.into()) << 72)
                            | (bit_cast::<74, 1>((!self.good.q.val()).into()) << 73);
                    }
                }
                if (self.wcnt.q.val() != 0) | self.held_v.q.val() {
                    self.ok_p.d.next = self.good.q.val();
                    self.bad_p.d.next = !self.good.q.val();
                } else {
                    // Four bytes or fewer: nothing was written; count it as bad.
                    self.bad_p.d.next = true;
                }
                self.held_v.d.next = false;
            }
            RxState::End2 => {
                self.state.d.next = RxState::Idle;
                self.wr.d.next = true;
                self.entry.d.next = bit_cast::<74, 64>(self.al_data.val())
                    | (bit_cast::<74, 8>(self.al_keep.val()) << 64)
                    | (bit_cast::<74, 1>(true.into()) << 72)
                    | (bit_cast::<74, 1>((!self.good.q.val()).into()) << 73);
                self.wcnt.d.next = 0.into();
            }
            RxState::Drop => {
                // Drop: wait for the end of a frame that did not start with a preamble.
                if !self.rx_dv.val() {
                    self.state.d.next = RxState::Idle;
                }
            }
        }
        if self.rst.val() {
            self.state.d.next = RxState::Idle;
            self.wr.d.next = false;
            self.held_v.d.next = false;
            self.wcnt.d.next = 0.into();
        }
    }
}
