//! `Dma`: the host-path engine of the NIC. Transmit queues (host memory -> data-plane host
//! ingress) and receive queues (data-plane local targets -> host memory) with descriptor and
//! completion rings in host memory, an AXI4 master for that memory, the DMA register block
//! (`regmap::dma`) and the AXI4-Lite split between it and the data plane.
//!
//! One sequencer runs one job at a time, never waiting on the data plane while it holds the
//! memory port: a transmit frame is read only when the transmit FIFO has room for all of it
//! (store and forward, so a frame with a read error is rolled back and never reaches the data
//! plane), and a receive frame is first drained from its egress stream into a frame buffer
//! (so its length is known before any byte is written and a too-small buffer is never
//! overrun). Jobs alternate between transmit and receive; queues are served round robin.
//! The choice of the next job is pipelined (which queues want service, the round-robin pick,
//! then S_IDLE registers the picked queue's job and S_PICK starts it), so no path runs from a
//! queue's registers through the scan into the sequencer in one cycle. For the same reason
//! register reads take four cycles (address; queue, register and block-register decode; the
//! matching queue's value per register; the value), register writes are latched and executed
//! in the next cycle, a received beat is registered (`p_*`) before the receive state and length
//! logic, and the host stream leaves through a register slice.
//! Every AXI burst stays inside a 4 KiB page and is at most 256 beats; all writes of a frame
//! are acknowledged (B) before its completion record is written.

use super::commit_fifo::CommitFifo;
use super::round_robin::RoundRobin;
use super::stream_reg::StreamReg;
use crate::regmap::dma as m;
use rust_hdl::prelude::*;

/// A constant of any width.
fn cst<const N: usize>(v: u64) -> Constant<Bits<N>> {
    Constant::new(v.to_bits())
}

const S_IDLE: u64 = 0;
const S_TF_AR: u64 = 1;
const S_TF_R: u64 = 2;
const S_TX_AR: u64 = 3;
const S_TX_R: u64 = 4;
const S_CPL_AW: u64 = 5;
const S_CPL_W: u64 = 6;
const S_CPL_B: u64 = 7;
const S_RF_AR: u64 = 8;
const S_RF_R: u64 = 9;
const S_RX_IN: u64 = 10;
const S_RX_DROP: u64 = 11;
const S_RX_AW: u64 = 12;
const S_RX_W: u64 = 13;
const S_RX_B: u64 = 14;
const S_RX_CHK: u64 = 15;
const S_CPL_SET: u64 = 16;
const S_PICK: u64 = 17;

/// The sequencer states by name: RustHDL prints the Rust constant names in the Verilog, so
/// the generator declares them as `localparam`s of `biernic_dma` from this table.
pub(crate) const STATES: [(&str, u64); 18] = [
    ("S_IDLE", S_IDLE),
    ("S_TF_AR", S_TF_AR),
    ("S_TF_R", S_TF_R),
    ("S_TX_AR", S_TX_AR),
    ("S_TX_R", S_TX_R),
    ("S_CPL_AW", S_CPL_AW),
    ("S_CPL_W", S_CPL_W),
    ("S_CPL_B", S_CPL_B),
    ("S_RF_AR", S_RF_AR),
    ("S_RF_R", S_RF_R),
    ("S_RX_IN", S_RX_IN),
    ("S_RX_DROP", S_RX_DROP),
    ("S_RX_AW", S_RX_AW),
    ("S_RX_W", S_RX_W),
    ("S_RX_B", S_RX_B),
    ("S_RX_CHK", S_RX_CHK),
    ("S_CPL_SET", S_CPL_SET),
    ("S_PICK", S_PICK),
];

/// The DMA engine. `DW`/`KW`: data and strobe bits of the streams and of the AXI4 master;
/// `TW = DW + KW + 1 + 8` transmit-FIFO entry (`data | keep | last | queue`); `TN` log2
/// transmit-FIFO entries (`TN1 = TN + 1`); `RN` log2 receive frame-buffer beats;
/// `FW = DW + KW` receive-buffer entry (`data | keep`).
#[derive(LogicBlock)]
pub struct Dma<
    const DW: usize,
    const KW: usize,
    const FW: usize,
    const TW: usize,
    const TN: usize,
    const TN1: usize,
    const RN: usize,
> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset.
    pub rst: Signal<In, Bit>,
    // ---- AXI4-Lite slave (BAR0)
    /// AXI4-Lite.
    pub awaddr: Signal<In, Bits<16>>,
    /// AXI4-Lite.
    pub awvalid: Signal<In, Bit>,
    /// AXI4-Lite.
    pub awready: Signal<Out, Bit>,
    /// AXI4-Lite.
    pub wdata: Signal<In, Bits<32>>,
    /// AXI4-Lite.
    pub wstrb: Signal<In, Bits<4>>,
    /// AXI4-Lite.
    pub wvalid: Signal<In, Bit>,
    /// AXI4-Lite.
    pub wready: Signal<Out, Bit>,
    /// AXI4-Lite.
    pub bresp: Signal<Out, Bits<2>>,
    /// AXI4-Lite.
    pub bvalid: Signal<Out, Bit>,
    /// AXI4-Lite.
    pub bready: Signal<In, Bit>,
    /// AXI4-Lite.
    pub araddr: Signal<In, Bits<16>>,
    /// AXI4-Lite.
    pub arvalid: Signal<In, Bit>,
    /// AXI4-Lite.
    pub arready: Signal<Out, Bit>,
    /// AXI4-Lite.
    pub rdata: Signal<Out, Bits<32>>,
    /// AXI4-Lite.
    pub rresp: Signal<Out, Bits<2>>,
    /// AXI4-Lite.
    pub rvalid: Signal<Out, Bit>,
    /// AXI4-Lite.
    pub rready: Signal<In, Bit>,
    // ---- AXI4-Lite master to the data plane
    /// To the data plane.
    pub dp_awaddr: Signal<Out, Bits<16>>,
    /// To the data plane.
    pub dp_awvalid: Signal<Out, Bit>,
    /// To the data plane.
    pub dp_awready: Signal<In, Bit>,
    /// To the data plane.
    pub dp_wdata: Signal<Out, Bits<32>>,
    /// To the data plane.
    pub dp_wstrb: Signal<Out, Bits<4>>,
    /// To the data plane.
    pub dp_wvalid: Signal<Out, Bit>,
    /// To the data plane.
    pub dp_wready: Signal<In, Bit>,
    /// To the data plane.
    pub dp_bresp: Signal<In, Bits<2>>,
    /// To the data plane.
    pub dp_bvalid: Signal<In, Bit>,
    /// To the data plane.
    pub dp_bready: Signal<Out, Bit>,
    /// To the data plane.
    pub dp_araddr: Signal<Out, Bits<16>>,
    /// To the data plane.
    pub dp_arvalid: Signal<Out, Bit>,
    /// To the data plane.
    pub dp_arready: Signal<In, Bit>,
    /// To the data plane.
    pub dp_rdata: Signal<In, Bits<32>>,
    /// To the data plane.
    pub dp_rresp: Signal<In, Bits<2>>,
    /// To the data plane.
    pub dp_rvalid: Signal<In, Bit>,
    /// To the data plane.
    pub dp_rready: Signal<Out, Bit>,
    // ---- host ingress of the data plane
    /// tdata.
    pub h_data: Signal<Out, Bits<DW>>,
    /// tkeep.
    pub h_keep: Signal<Out, Bits<KW>>,
    /// tlast.
    pub h_last: Signal<Out, Bit>,
    /// tvalid.
    pub h_valid: Signal<Out, Bit>,
    /// tuser: transmit queue.
    pub h_user: Signal<Out, Bits<8>>,
    /// tready.
    pub h_ready: Signal<In, Bit>,
    // ---- local targets of the data plane (one per receive queue)
    /// tdata.
    pub r_data: Vec<Signal<In, Bits<DW>>>,
    /// tkeep.
    pub r_keep: Vec<Signal<In, Bits<KW>>>,
    /// tlast.
    pub r_last: Vec<Signal<In, Bit>>,
    /// tvalid.
    pub r_valid: Vec<Signal<In, Bit>>,
    /// tready.
    pub r_ready: Vec<Signal<Out, Bit>>,
    // ---- AXI4 master (host memory)
    /// AXI4.
    pub m_awaddr: Signal<Out, Bits<64>>,
    /// AXI4.
    pub m_awlen: Signal<Out, Bits<8>>,
    /// AXI4.
    pub m_awsize: Signal<Out, Bits<3>>,
    /// AXI4.
    pub m_awburst: Signal<Out, Bits<2>>,
    /// AXI4.
    pub m_awvalid: Signal<Out, Bit>,
    /// AXI4.
    pub m_awready: Signal<In, Bit>,
    /// AXI4.
    pub m_wdata: Signal<Out, Bits<DW>>,
    /// AXI4.
    pub m_wstrb: Signal<Out, Bits<KW>>,
    /// AXI4.
    pub m_wlast: Signal<Out, Bit>,
    /// AXI4.
    pub m_wvalid: Signal<Out, Bit>,
    /// AXI4.
    pub m_wready: Signal<In, Bit>,
    /// AXI4.
    pub m_bresp: Signal<In, Bits<2>>,
    /// AXI4.
    pub m_bvalid: Signal<In, Bit>,
    /// AXI4.
    pub m_bready: Signal<Out, Bit>,
    /// AXI4.
    pub m_araddr: Signal<Out, Bits<64>>,
    /// AXI4.
    pub m_arlen: Signal<Out, Bits<8>>,
    /// AXI4.
    pub m_arsize: Signal<Out, Bits<3>>,
    /// AXI4.
    pub m_arburst: Signal<Out, Bits<2>>,
    /// AXI4.
    pub m_arvalid: Signal<Out, Bit>,
    /// AXI4.
    pub m_arready: Signal<In, Bit>,
    /// AXI4.
    pub m_rdata: Signal<In, Bits<DW>>,
    /// AXI4.
    pub m_rresp: Signal<In, Bits<2>>,
    /// AXI4.
    pub m_rlast: Signal<In, Bit>,
    /// AXI4.
    pub m_rvalid: Signal<In, Bit>,
    /// AXI4.
    pub m_rready: Signal<Out, Bit>,
    // ---- transmit queue registers
    tq_ring: Vec<DFF<Bits<64>>>,
    tq_cpl: Vec<DFF<Bits<64>>>,
    tq_size: Vec<DFF<Bits<4>>>,
    tq_en: Vec<DFF<Bit>>,
    tq_prod: Vec<DFF<Bits<16>>>,
    tq_cons: Vec<DFF<Bits<16>>>,
    tq_fetch: Vec<DFF<Bits<16>>>,
    tq_err: Vec<DFF<Bits<32>>>,
    // ---- receive queue registers and descriptor caches
    rq_ring: Vec<DFF<Bits<64>>>,
    rq_cpl: Vec<DFF<Bits<64>>>,
    rq_size: Vec<DFF<Bits<4>>>,
    rq_en: Vec<DFF<Bit>>,
    rq_prod: Vec<DFF<Bits<16>>>,
    rq_cons: Vec<DFF<Bits<16>>>,
    rq_fetch: Vec<DFF<Bits<16>>>,
    rq_err: Vec<DFF<Bits<32>>>,
    rq_drops: Vec<DFF<Bits<32>>>,
    rq_grp: Vec<DFF<Bits<512>>>,
    rq_lo: Vec<DFF<Bits<3>>>,
    rq_hi: Vec<DFF<Bits<3>>>,
    rq_gerr: Vec<DFF<Bit>>,
    // ---- transmit descriptor group
    tg: DFF<Bits<512>>,
    tg_lo: DFF<Bits<3>>,
    tg_hi: DFF<Bits<3>>,
    tg_q: DFF<Bits<4>>,
    tg_err: DFF<Bit>,
    t_ok: DFF<Bit>,
    t_desc: DFF<Bits<128>>,
    t_flen: DFF<Bits<16>>,
    t_need: DFF<Bits<16>>,
    t_bad: DFF<Bit>,
    t_stat: DFF<Bits<8>>,
    // ---- sequencer
    st: DFF<Bits<5>>,
    turn: DFF<Bit>,
    tf_reqr: DFF<Bits<16>>,
    rx_reqr: DFF<Bits<16>>,
    tf_hitr: DFF<Bit>,
    rx_hitr: DFF<Bit>,
    tf_qr: DFF<Bits<4>>,
    rx_qr: DFF<Bits<4>>,
    // the same picks one-hot
    tf_oh: DFF<Bits<16>>,
    rx_oh: DFF<Bits<16>>,
    pk: DFF<Bits<2>>,
    cur_rx: DFF<Bit>,
    cur_q: DFF<Bits<4>>,
    // cur_sel[q]: cur_q == q (one-hot, registered with it)
    cur_sel: Vec<DFF<Bit>>,
    last_tq: DFF<Bits<4>>,
    last_rq: DFF<Bits<4>>,
    faddr: DFF<Bits<64>>,
    fring: DFF<Bits<64>>,
    foff: DFF<Bits<20>>,
    fa_ok: DFF<Bit>,
    fn_: DFF<Bits<3>>,
    fgrp: DFF<Bits<512>>,
    ferr: DFF<Bit>,
    addr: DFF<Bits<64>>,
    beats_left: DFF<Bits<16>>,
    bytes_left: DFF<Bits<16>>,
    burst_left: DFF<Bits<16>>,
    // burst_left == 1 (registered with it)
    bl1: DFF<Bit>,
    derr: DFF<Bit>,
    desc: DFF<Bits<128>>,
    flen: DFF<Bits<16>>,
    status: DFF<Bits<8>>,
    rx_beats: DFF<Bits<16>>,
    // the selected receive stream, registered (one beat; taken only while p_done is clear)
    p_data: DFF<Bits<DW>>,
    p_keep: DFF<Bits<KW>>,
    p_last: DFF<Bit>,
    p_valid: DFF<Bit>,
    // the frame's last beat has been taken: no more beats from the queue until the next job
    p_done: DFF<Bit>,
    hdr: DFF<Bits<512>>,
    bidx: DFF<Bits<16>>,
    c_idx: DFF<Bits<16>>,
    c_base: DFF<Bits<64>>,
    c_size: DFF<Bits<4>>,
    c_flags: DFF<Bits<8>>,
    c_bfir: DFF<Bits<16>>,
    c_ent: DFF<Bits<32>>,
    c_bift: DFF<Bits<32>>,
    c_grp: DFF<Bits<512>>,
    c_strb: DFF<Bits<64>>,
    c_beats: DFF<Bits<4>>,
    c_berr: DFF<Bit>,
    c_hi: DFF<Bit>,
    // ---- register interface
    l_bvalid: DFF<Bit>,
    l_bresp: DFF<Bits<2>>,
    l_rvalid: DFF<Bit>,
    l_rdata: DFF<Bits<32>>,
    l_rresp: DFF<Bits<2>>,
    w_fwd: DFF<Bit>,
    w_loc: DFF<Bit>,
    w_awd: DFF<Bit>,
    w_wd: DFF<Bit>,
    w_addr: DFF<Bits<16>>,
    w_data: DFF<Bits<32>>,
    w_strb: DFF<Bits<4>>,
    r_fwd: DFF<Bit>,
    r_ard: DFF<Bit>,
    r_loc: DFF<Bit>,
    r_loc2: DFF<Bit>,
    r_loc3: DFF<Bit>,
    // local read, second stage: per register offset k the matching queue's value (rp[k]),
    // and the block register's (rbv)
    rp: Vec<DFF<Bits<32>>>,
    rbv: DFF<Bits<32>>,
    rd_t: Vec<DFF<Bit>>,
    rd_k: Vec<DFF<Bit>>,
    rd_g: Vec<DFF<Bit>>,
    k_off: Vec<Constant<Bits<16>>>,
    g_addr: Vec<Constant<Bits<16>>>,
    rd_r: Vec<DFF<Bit>>,
    r_addr: DFF<Bits<16>>,
    // local writes decoded when latched: the transmit/receive queue (one-hot), the register
    // offset (one-hot, in the order of `k_off`), all byte lanes written, a ring address or
    // index with any of the low six bits set, an enable's ring size out of range
    wr_t: Vec<DFF<Bit>>,
    wr_r: Vec<DFF<Bit>>,
    wr_k: Vec<DFF<Bit>>,
    w_full: DFF<Bit>,
    w_lo6: DFF<Bit>,
    w_szbad: DFF<Bit>,
    // a local write executing, and the queue's own error (or-ed into l_err)
    wgo: Signal<Local, Bit>,
    qerr: Signal<Local, Bit>,
    wqsize: Signal<Local, Bits<16>>,
    // transmit queues wanting a descriptor fetch, registered (cleared after a local write so
    // that the pick never sees a stale queue state)
    tk_r: DFF<Bits<16>>,
    // receive queues with descriptors to fetch, registered (cleared after a local register
    // write and while a receive fetch ends, the only times their state changes)
    rf_r: DFF<Bits<16>>,
    // receive queues with a frame waiting, registered: exact but for frames that arrived in
    // its cycle (only the sequencer takes frames, never in the cycle before S_IDLE)
    rv_r: DFF<Bits<16>>,
    // ---- memories
    tf_rr: RoundRobin,
    rx_rr: RoundRobin,
    txf: CommitFifo<Bits<TW>, TN, TN1>,
    // register slice on the host stream: h_* and the FIFO's read come from flip-flops, so the
    // data plane's ingress arbiter and the FIFO's pointers are in different cycles
    hreg: StreamReg<DW, KW, 4>,
    rxb: RAM<Bits<FW>, RN>,
    // ---- constants
    qidx: Vec<Constant<Bits<4>>>,
    tq_base: Vec<Constant<Bits<16>>>,
    rq_base: Vec<Constant<Bits<16>>>,
    n_txq: Constant<Bits<32>>,
    n_rxq: Constant<Bits<32>>,
    n_ports: Constant<Bits<32>>,
    max_log2: Constant<Bits<4>>,
    lkw: Constant<Bits<16>>,
    kwm1: Constant<Bits<32>>,
    kw16: Constant<Bits<16>>,
    kw64: Constant<Bits<64>>,
    kw_low: Constant<Bits<64>>,
    size3: Constant<Bits<3>>,
    grp_beats: Constant<Bits<8>>,
    cpl_beats: Constant<Bits<4>>,
    dw_sh: Constant<Bits<10>>,
    kw_sh: Constant<Bits<10>>,
    up_sh: Constant<Bits<10>>,
    lane_sh: Vec<Constant<Bits<10>>>,
    sh_keep: Constant<Bits<16>>,
    sh_last: Constant<Bits<16>>,
    sh_user: Constant<Bits<16>>,
    ones_kw: Constant<Bits<KW>>,
    one_kw: Constant<Bits<KW>>,
    last_nb: Vec<Constant<Bits<16>>>,
    rb_max: Constant<Bits<16>>,
    // ---- locals
    tdesc: Signal<Local, Bits<128>>,
    tlen: Signal<Local, Bits<32>>,
    tneed: Signal<Local, Bits<16>>,
    tbad: Signal<Local, Bit>,
    tgo: Signal<Local, Bit>,
    tk: Signal<Local, Bits<16>>,
    rk_d: Signal<Local, Bits<16>>,
    rk_h: Signal<Local, Bits<16>>,
    rk_f: Signal<Local, Bits<16>>,
    rk_v: Signal<Local, Bits<16>>,
    // the job of the receive queue the round robin picked (rx_qr), and whether the picked
    // transmit queue (tf_qr) has descriptors to fetch; per-queue job code `qc`
    rx_pk: Signal<Local, Bits<2>>,
    tx_kf: Signal<Local, Bit>,
    oh16: Vec<Constant<Bits<16>>>,
    rx_desc: Signal<Local, Bits<128>>,
    avail_n: Signal<Local, Bits<16>>,
    grp_n: Signal<Local, Bits<16>>,
    ring_idx: Signal<Local, Bits<16>>,
    to4k: Signal<Local, Bits<16>>,
    burst: Signal<Local, Bits<16>>,
    keep_c: Signal<Local, Bits<KW>>,
    s_data: Signal<Local, Bits<DW>>,
    s_keep: Signal<Local, Bits<KW>>,
    s_last: Signal<Local, Bit>,
    s_valid: Signal<Local, Bit>,
    rx_take: Signal<Local, Bit>,
    sel_gerr: Signal<Local, Bit>,
    nb: Signal<Local, Bits<16>>,
    kedge: Signal<Local, Bits<KW>>,
    flen_c: Signal<Local, Bits<16>>,
    top_kw: Constant<Bits<KW>>,
    vlan: Signal<Local, Bit>,
    et: Signal<Local, Bits<16>>,
    m_bift: Signal<Local, Bits<32>>,
    m_ent: Signal<Local, Bits<32>>,
    m_bfir: Signal<Local, Bits<16>>,
    m_bier: Signal<Local, Bit>,
    rec: Signal<Local, Bits<512>>,
    c_off: Signal<Local, Bits<10>>,
    c_al: Signal<Local, Bits<10>>,
    c_addr: Signal<Local, Bits<64>>,
    sel_size: Signal<Local, Bits<4>>,
    l_rd: Signal<Local, Bits<32>>,
    pv: Vec<Signal<Local, Bits<32>>>,
    tv: Signal<Local, Bits<32>>,
    l_err: Signal<Local, Bit>,
    wv16: Signal<Local, Bits<16>>,
    busy_q: Signal<Local, Bit>,
    fifo_head: Signal<Local, Bits<TW>>,
    rb_entry: Signal<Local, Bits<FW>>,
    fgrp_n: Signal<Local, Bits<512>>,
    sel_ring: Signal<Local, Bits<64>>,
    sel_fetch: Signal<Local, Bits<16>>,
    sel_prod: Signal<Local, Bits<16>>,
    sel_cons: Signal<Local, Bits<16>>,
    sel_cpl: Signal<Local, Bits<64>>,
    pick_rx: Signal<Local, Bit>,
    sh_tmp: Signal<Local, Bits<TW>>,
    rb_tmp: Signal<Local, Bits<FW>>,
    lane: Signal<Local, Bits<3>>,
    wlocal: Signal<Local, Bit>,
    rlocal: Signal<Local, Bit>,
    take_w: Signal<Local, Bit>,
    take_r: Signal<Local, Bit>,
    qmask: Signal<Local, Bits<16>>,
    qsize: Signal<Local, Bits<16>>,
    al_mask: Constant<Bits<10>>,
    m_hi64: Constant<Bits<64>>,
    m_lo64: Constant<Bits<64>>,
    strb16: Constant<Bits<64>>,
    lane3: Vec<Constant<Bits<3>>>,
    idx16: Vec<Constant<Bits<16>>>,
    t4: Signal<Local, Bits<4>>,
    t1: Signal<Local, Bit>,
    t16: Signal<Local, Bits<16>>,
    m_qsel: Constant<Bits<16>>,
    m_reg: Constant<Bits<16>>,
    m_blk: Constant<Bits<16>>,
    blk_dma: Constant<Bits<16>>,
    cnt_next: Constant<Bits<16>>,
}

impl<
        const DW: usize,
        const KW: usize,
        const FW: usize,
        const TW: usize,
        const TN: usize,
        const TN1: usize,
        const RN: usize,
    > Dma<DW, KW, FW, TW, TN, TN1, RN>
{
    /// Engine for `txq` transmit and `rxq` receive queues (each <= 16), `ports` network ports
    /// (reported in the register block), rings up to `2^max_ring_log2` entries.
    pub fn new(txq: usize, rxq: usize, ports: usize, max_ring_log2: u32) -> Self {
        assert!(DW == 8 * KW && (KW == 8 || KW == 64));
        assert_eq!(FW, DW + KW);
        assert_eq!(TW, DW + KW + 9);
        assert_eq!(TN + 1, TN1);
        assert!((1usize << RN) * KW >= 9018 && (1usize << TN) * KW >= 2 * 9018);
        assert!((1..=16).contains(&txq) && (1..=16).contains(&rxq));
        assert!((2..=15).contains(&max_ring_log2));
        // literals in `update` (RustHDL cannot print Rust constants) that must match the map
        assert_eq!(
            (
                m::CPL_STATUS_BAD_LENGTH,
                m::CPL_STATUS_BAD_ADDRESS,
                m::CPL_STATUS_TOO_SMALL
            ),
            (1, 2, 3)
        );
        assert_eq!(
            (m::CPL_STATUS_DMA_ERROR, m::CPL_F_BIER, m::CPL_F_VLAN),
            (4, 1, 2)
        );
        assert_eq!(
            (m::DMA_TYPE_VALUE, m::DMA_VERSION_VALUE),
            (0x4249_0004, 0x0001_0000)
        );
        assert_eq!(
            (
                m::DMA_BASE,
                m::DMA_TXQ,
                m::DMA_RXQ,
                m::DMA_PORTS,
                m::DMA_MAX_RING_LOG2,
                m::DMA_STATUS
            ),
            (0x4000, 0x400C, 0x4010, 0x4014, 0x4018, 0x401C)
        );
        assert_eq!(
            (
                m::Q_RING_LO,
                m::Q_RING_HI,
                m::Q_CPL_LO,
                m::Q_CPL_HI,
                m::Q_CTRL,
                m::Q_PROD
            ),
            (0x00, 0x04, 0x08, 0x0C, 0x10, 0x14)
        );
        assert_eq!(
            (m::Q_CONS, m::Q_ERRORS, m::Q_DROPS, m::Q_STRIDE),
            (0x18, 0x1C, 0x20, 0x40)
        );
        let lkw = KW.trailing_zeros() as u64;
        let mut ones = Bits::<KW>::default();
        for i in 0..KW {
            ones = ones.replace_bit(i, true);
        }
        Self {
            clock: Default::default(),
            rst: Default::default(),
            awaddr: Default::default(),
            awvalid: Default::default(),
            awready: Default::default(),
            wdata: Default::default(),
            wstrb: Default::default(),
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
            dp_awaddr: Default::default(),
            dp_awvalid: Default::default(),
            dp_awready: Default::default(),
            dp_wdata: Default::default(),
            dp_wstrb: Default::default(),
            dp_wvalid: Default::default(),
            dp_wready: Default::default(),
            dp_bresp: Default::default(),
            dp_bvalid: Default::default(),
            dp_bready: Default::default(),
            dp_araddr: Default::default(),
            dp_arvalid: Default::default(),
            dp_arready: Default::default(),
            dp_rdata: Default::default(),
            dp_rresp: Default::default(),
            dp_rvalid: Default::default(),
            dp_rready: Default::default(),
            h_data: Default::default(),
            h_keep: Default::default(),
            h_last: Default::default(),
            h_valid: Default::default(),
            h_user: Default::default(),
            h_ready: Default::default(),
            r_data: (0..rxq).map(|_| Default::default()).collect(),
            r_keep: (0..rxq).map(|_| Default::default()).collect(),
            r_last: (0..rxq).map(|_| Default::default()).collect(),
            r_valid: (0..rxq).map(|_| Default::default()).collect(),
            r_ready: (0..rxq).map(|_| Default::default()).collect(),
            m_awaddr: Default::default(),
            m_awlen: Default::default(),
            m_awsize: Default::default(),
            m_awburst: Default::default(),
            m_awvalid: Default::default(),
            m_awready: Default::default(),
            m_wdata: Default::default(),
            m_wstrb: Default::default(),
            m_wlast: Default::default(),
            m_wvalid: Default::default(),
            m_wready: Default::default(),
            m_bresp: Default::default(),
            m_bvalid: Default::default(),
            m_bready: Default::default(),
            m_araddr: Default::default(),
            m_arlen: Default::default(),
            m_arsize: Default::default(),
            m_arburst: Default::default(),
            m_arvalid: Default::default(),
            m_arready: Default::default(),
            m_rdata: Default::default(),
            m_rresp: Default::default(),
            m_rlast: Default::default(),
            m_rvalid: Default::default(),
            m_rready: Default::default(),
            tq_ring: (0..txq).map(|_| Default::default()).collect(),
            tq_cpl: (0..txq).map(|_| Default::default()).collect(),
            tq_size: (0..txq).map(|_| Default::default()).collect(),
            tq_en: (0..txq).map(|_| Default::default()).collect(),
            tq_prod: (0..txq).map(|_| Default::default()).collect(),
            tq_cons: (0..txq).map(|_| Default::default()).collect(),
            tq_fetch: (0..txq).map(|_| Default::default()).collect(),
            tq_err: (0..txq).map(|_| Default::default()).collect(),
            rq_ring: (0..rxq).map(|_| Default::default()).collect(),
            rq_cpl: (0..rxq).map(|_| Default::default()).collect(),
            rq_size: (0..rxq).map(|_| Default::default()).collect(),
            rq_en: (0..rxq).map(|_| Default::default()).collect(),
            rq_prod: (0..rxq).map(|_| Default::default()).collect(),
            rq_cons: (0..rxq).map(|_| Default::default()).collect(),
            rq_fetch: (0..rxq).map(|_| Default::default()).collect(),
            rq_err: (0..rxq).map(|_| Default::default()).collect(),
            rq_drops: (0..rxq).map(|_| Default::default()).collect(),
            rq_grp: (0..rxq).map(|_| Default::default()).collect(),
            rq_lo: (0..rxq).map(|_| Default::default()).collect(),
            rq_hi: (0..rxq).map(|_| Default::default()).collect(),
            rq_gerr: (0..rxq).map(|_| Default::default()).collect(),
            tg: Default::default(),
            tg_lo: Default::default(),
            tg_hi: Default::default(),
            tg_q: Default::default(),
            tg_err: Default::default(),
            t_ok: Default::default(),
            t_desc: Default::default(),
            t_flen: Default::default(),
            t_need: Default::default(),
            t_bad: Default::default(),
            t_stat: Default::default(),
            st: Default::default(),
            turn: Default::default(),
            tf_reqr: Default::default(),
            rx_reqr: Default::default(),
            tf_hitr: Default::default(),
            rx_hitr: Default::default(),
            tf_qr: Default::default(),
            rx_qr: Default::default(),
            tf_oh: Default::default(),
            rx_oh: Default::default(),
            pk: Default::default(),
            cur_rx: Default::default(),
            cur_q: Default::default(),
            cur_sel: (0..txq.max(rxq)).map(|_| Default::default()).collect(),
            last_tq: Default::default(),
            last_rq: Default::default(),
            faddr: Default::default(),
            fring: Default::default(),
            foff: Default::default(),
            fa_ok: Default::default(),
            fn_: Default::default(),
            fgrp: Default::default(),
            ferr: Default::default(),
            addr: Default::default(),
            beats_left: Default::default(),
            bytes_left: Default::default(),
            burst_left: Default::default(),
            bl1: Default::default(),
            derr: Default::default(),
            desc: Default::default(),
            flen: Default::default(),
            status: Default::default(),
            rx_beats: Default::default(),
            p_data: Default::default(),
            p_keep: Default::default(),
            p_last: Default::default(),
            p_valid: Default::default(),
            p_done: Default::default(),
            hdr: Default::default(),
            bidx: Default::default(),
            c_idx: Default::default(),
            c_base: Default::default(),
            c_size: Default::default(),
            c_flags: Default::default(),
            c_bfir: Default::default(),
            c_ent: Default::default(),
            c_bift: Default::default(),
            c_grp: Default::default(),
            c_strb: Default::default(),
            c_beats: Default::default(),
            c_berr: Default::default(),
            c_hi: Default::default(),
            l_bvalid: Default::default(),
            l_bresp: Default::default(),
            l_rvalid: Default::default(),
            l_rdata: Default::default(),
            l_rresp: Default::default(),
            w_fwd: Default::default(),
            w_loc: Default::default(),
            w_awd: Default::default(),
            w_wd: Default::default(),
            w_addr: Default::default(),
            w_data: Default::default(),
            w_strb: Default::default(),
            r_fwd: Default::default(),
            r_ard: Default::default(),
            r_loc: Default::default(),
            r_loc2: Default::default(),
            r_loc3: Default::default(),
            rp: (0..9).map(|_| Default::default()).collect(),
            rbv: Default::default(),
            rd_t: (0..txq).map(|_| Default::default()).collect(),
            rd_k: (0..9).map(|_| Default::default()).collect(),
            rd_g: (0..7).map(|_| Default::default()).collect(),
            // per-queue register offsets, in the order of `rd_k`
            k_off: [
                m::Q_RING_LO,
                m::Q_RING_HI,
                m::Q_CPL_LO,
                m::Q_CPL_HI,
                m::Q_CTRL,
                m::Q_PROD,
                m::Q_CONS,
                m::Q_ERRORS,
                m::Q_DROPS,
            ]
            .iter()
            .map(|&a| Constant::new((a as u64).to_bits()))
            .collect(),
            // block registers, in the order of `rd_g`
            g_addr: [
                m::DMA_BASE,
                m::DMA_BASE + 4,
                m::DMA_TXQ,
                m::DMA_RXQ,
                m::DMA_PORTS,
                m::DMA_MAX_RING_LOG2,
                m::DMA_STATUS,
            ]
            .iter()
            .map(|&a| Constant::new((a as u64).to_bits()))
            .collect(),
            rd_r: (0..rxq).map(|_| Default::default()).collect(),
            r_addr: Default::default(),
            wr_t: (0..txq).map(|_| Default::default()).collect(),
            wr_r: (0..rxq).map(|_| Default::default()).collect(),
            wr_k: (0..6).map(|_| Default::default()).collect(),
            w_full: Default::default(),
            w_lo6: Default::default(),
            w_szbad: Default::default(),
            wgo: Default::default(),
            qerr: Default::default(),
            wqsize: Default::default(),
            tk_r: Default::default(),
            rf_r: Default::default(),
            rv_r: Default::default(),
            tf_rr: Default::default(),
            rx_rr: Default::default(),
            txf: Default::default(),
            hreg: Default::default(),
            rxb: Default::default(),
            qidx: (0..txq.max(rxq)).map(|q| cst(q as u64)).collect(),
            tq_base: (0..txq).map(|q| cst(u64::from(m::txq_reg(q, 0)))).collect(),
            rq_base: (0..rxq).map(|q| cst(u64::from(m::rxq_reg(q, 0)))).collect(),
            n_txq: cst(txq as u64),
            n_rxq: cst(rxq as u64),
            n_ports: cst(ports as u64),
            max_log2: cst(u64::from(max_ring_log2)),
            lkw: cst(lkw),
            kwm1: cst(KW as u64 - 1),
            kw16: cst(KW as u64),
            kw64: cst(KW as u64),
            kw_low: cst(KW as u64 - 1),
            size3: cst(lkw),
            grp_beats: cst((64 / KW) as u64),
            cpl_beats: cst((16 / KW).max(1) as u64),
            dw_sh: cst(DW as u64),
            kw_sh: cst(KW as u64),
            up_sh: cst(512 - DW as u64),
            lane_sh: (0..64 / KW).map(|j| cst((j * DW) as u64)).collect(),
            sh_keep: cst(DW as u64),
            sh_last: cst((DW + KW) as u64),
            sh_user: cst((DW + KW + 1) as u64),
            ones_kw: Constant::new(ones),
            one_kw: Constant::new(1u64.to_bits()),
            last_nb: (0..KW).map(|i| cst(i as u64 + 1)).collect(),
            rb_max: cst(1u64 << RN),
            tdesc: Default::default(),
            tlen: Default::default(),
            tneed: Default::default(),
            tbad: Default::default(),
            tgo: Default::default(),
            tk: Default::default(),
            rk_d: Default::default(),
            rk_h: Default::default(),
            rk_f: Default::default(),
            rk_v: Default::default(),
            rx_pk: Default::default(),
            tx_kf: Default::default(),
            oh16: (0..txq.max(rxq)).map(|q| cst(1u64 << q)).collect(),
            rx_desc: Default::default(),
            avail_n: Default::default(),
            grp_n: Default::default(),
            ring_idx: Default::default(),
            to4k: Default::default(),
            burst: Default::default(),
            keep_c: Default::default(),
            s_data: Default::default(),
            s_keep: Default::default(),
            s_last: Default::default(),
            s_valid: Default::default(),
            rx_take: Default::default(),
            sel_gerr: Default::default(),
            nb: Default::default(),
            kedge: Default::default(),
            flen_c: Default::default(),
            top_kw: Constant::new(Bits::<KW>::default().replace_bit(KW - 1, true)),
            vlan: Default::default(),
            et: Default::default(),
            m_bift: Default::default(),
            m_ent: Default::default(),
            m_bfir: Default::default(),
            m_bier: Default::default(),
            rec: Default::default(),
            c_off: Default::default(),
            c_al: Default::default(),
            c_addr: Default::default(),
            sel_size: Default::default(),
            l_rd: Default::default(),
            pv: (0..9).map(|_| Default::default()).collect(),
            tv: Default::default(),
            l_err: Default::default(),
            wv16: Default::default(),
            busy_q: Default::default(),
            fifo_head: Default::default(),
            rb_entry: Default::default(),
            fgrp_n: Default::default(),
            sel_ring: Default::default(),
            sel_fetch: Default::default(),
            sel_prod: Default::default(),
            sel_cons: Default::default(),
            sel_cpl: Default::default(),
            pick_rx: Default::default(),
            sh_tmp: Default::default(),
            rb_tmp: Default::default(),
            lane: Default::default(),
            wlocal: Default::default(),
            rlocal: Default::default(),
            take_w: Default::default(),
            take_r: Default::default(),
            qmask: Default::default(),
            qsize: Default::default(),
            lane3: (0..4)
                .map(|k| Constant::new((k as u64).to_bits()))
                .collect(),
            idx16: (0..64 / KW)
                .map(|k| Constant::new((k as u64).to_bits()))
                .collect(),
            t4: Default::default(),
            t1: Default::default(),
            t16: Default::default(),
            m_hi64: cst(0xFFFF_FFFF_0000_0000),
            m_lo64: cst(0xFFFF_FFFF),
            strb16: cst(0xFFFF),
            al_mask: cst((!(DW as u64 - 1)) & 0x3FF),
            m_qsel: cst(0xFFC0),
            m_reg: cst(0x3F),
            m_blk: cst(0xF000),
            blk_dma: cst(u64::from(m::DMA_BASE)),
            cnt_next: cst(u64::from(
                crate::regmap::CNT_BASE + crate::regmap::BLOCK_NEXT,
            )),
        }
    }
}

impl<
        const DW: usize,
        const KW: usize,
        const FW: usize,
        const TW: usize,
        const TN: usize,
        const TN1: usize,
        const RN: usize,
    > Logic for Dma<DW, KW, FW, TW, TN, TN1, RN>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, tg, tg_lo, tg_hi, tg_q, tg_err, t_ok, t_desc, t_flen, t_need, t_bad,
            t_stat, st, turn, tf_reqr, rx_reqr, tf_hitr, rx_hitr, tf_qr, rx_qr, tf_oh, rx_oh, pk,
            cur_rx, cur_q, last_tq, last_rq, faddr, fring, foff, fa_ok, fn_, fgrp, ferr, addr,
            beats_left, bytes_left, burst_left, bl1, derr, desc, flen, status, rx_beats, p_data,
            p_keep, p_last, p_valid, p_done, hdr, bidx, c_idx, c_base, c_size, c_flags, c_bfir,
            c_ent, c_bift, c_grp, c_strb, c_beats, c_berr, c_hi, l_bvalid, l_bresp, l_rvalid,
            l_rdata, l_rresp, w_fwd, w_loc, w_awd, w_wd, w_addr, w_data, w_strb, w_full, w_lo6,
            w_szbad, tk_r, rf_r, rv_r, r_fwd, r_ard, r_loc, r_loc2, r_loc3, rbv, r_addr
        );
        for q in 0..self.tq_en.len() {
            self.tq_ring[q].clock.next = self.clock.val();
            self.tq_ring[q].d.next = self.tq_ring[q].q.val();
            self.tq_cpl[q].clock.next = self.clock.val();
            self.tq_cpl[q].d.next = self.tq_cpl[q].q.val();
            self.tq_size[q].clock.next = self.clock.val();
            self.tq_size[q].d.next = self.tq_size[q].q.val();
            self.tq_en[q].clock.next = self.clock.val();
            self.tq_en[q].d.next = self.tq_en[q].q.val();
            self.tq_prod[q].clock.next = self.clock.val();
            self.tq_prod[q].d.next = self.tq_prod[q].q.val();
            self.tq_cons[q].clock.next = self.clock.val();
            self.tq_cons[q].d.next = self.tq_cons[q].q.val();
            self.tq_fetch[q].clock.next = self.clock.val();
            self.tq_fetch[q].d.next = self.tq_fetch[q].q.val();
            self.tq_err[q].clock.next = self.clock.val();
            self.tq_err[q].d.next = self.tq_err[q].q.val();
            self.rd_t[q].clock.next = self.clock.val();
            self.rd_t[q].d.next = self.rd_t[q].q.val();
            self.wr_t[q].clock.next = self.clock.val();
            self.wr_t[q].d.next = (self.awaddr.val() & self.m_qsel.val()) == self.tq_base[q].val();
        }
        for q in 0..self.rq_en.len() {
            self.rq_ring[q].clock.next = self.clock.val();
            self.rq_ring[q].d.next = self.rq_ring[q].q.val();
            self.rq_cpl[q].clock.next = self.clock.val();
            self.rq_cpl[q].d.next = self.rq_cpl[q].q.val();
            self.rq_size[q].clock.next = self.clock.val();
            self.rq_size[q].d.next = self.rq_size[q].q.val();
            self.rq_en[q].clock.next = self.clock.val();
            self.rq_en[q].d.next = self.rq_en[q].q.val();
            self.rq_prod[q].clock.next = self.clock.val();
            self.rq_prod[q].d.next = self.rq_prod[q].q.val();
            self.rq_cons[q].clock.next = self.clock.val();
            self.rq_cons[q].d.next = self.rq_cons[q].q.val();
            self.rq_fetch[q].clock.next = self.clock.val();
            self.rq_fetch[q].d.next = self.rq_fetch[q].q.val();
            self.rq_err[q].clock.next = self.clock.val();
            self.rq_err[q].d.next = self.rq_err[q].q.val();
            self.rq_drops[q].clock.next = self.clock.val();
            self.rq_drops[q].d.next = self.rq_drops[q].q.val();
            self.rq_grp[q].clock.next = self.clock.val();
            self.rq_grp[q].d.next = self.rq_grp[q].q.val();
            self.rq_lo[q].clock.next = self.clock.val();
            self.rq_lo[q].d.next = self.rq_lo[q].q.val();
            self.rq_hi[q].clock.next = self.clock.val();
            self.rq_hi[q].d.next = self.rq_hi[q].q.val();
            self.rq_gerr[q].clock.next = self.clock.val();
            self.rq_gerr[q].d.next = self.rq_gerr[q].q.val();
            self.rd_r[q].clock.next = self.clock.val();
            self.rd_r[q].d.next = self.rd_r[q].q.val();
            self.wr_r[q].clock.next = self.clock.val();
            self.wr_r[q].d.next = (self.awaddr.val() & self.m_qsel.val()) == self.rq_base[q].val();
        }
        for q in 0..self.cur_sel.len() {
            self.cur_sel[q].clock.next = self.clock.val();
            self.cur_sel[q].d.next = self.cur_sel[q].q.val();
        }
        self.txf.clock.next = self.clock.val();
        self.txf.rst.next = self.rst.val();
        self.hreg.clock.next = self.clock.val();
        self.hreg.rst.next = self.rst.val();
        self.rxb.read_clock.next = self.clock.val();
        self.rxb.write_clock.next = self.clock.val();

        // ------------------------------------------------ transmit FIFO -> host ingress
        self.fifo_head.next = self.txf.data_out.val();
        self.hreg.s_valid.next = self.txf.avail.val() != 0;
        self.hreg.s_data.next = self.fifo_head.val().get_bits::<DW>(0);
        self.hreg.s_keep.next = self
            .fifo_head
            .val()
            .get_bits::<KW>(self.sh_keep.val().index());
        self.hreg.s_last.next = self.fifo_head.val().get_bit(self.sh_last.val().index());
        self.hreg.s_side.next = self
            .fifo_head
            .val()
            .get_bits::<4>(self.sh_user.val().index());
        self.txf.read.next = (self.txf.avail.val() != 0) & self.hreg.s_ready.val();
        self.h_valid.next = self.hreg.m_valid.val();
        self.h_data.next = self.hreg.m_data.val();
        self.h_keep.next = self.hreg.m_keep.val();
        self.h_last.next = self.hreg.m_last.val();
        self.h_user.next = bit_cast::<8, 4>(self.hreg.m_side.val());
        self.hreg.m_ready.next = self.h_ready.val();
        self.txf.write.next = false;
        self.txf.commit.next = false;
        self.txf.rollback.next = false;
        self.txf.data_in.next = 0.into();

        // ------------------------------------------------ receive frame buffer
        self.rxb.write_enable.next = false;
        self.rxb.write_address.next = bit_cast::<RN, 16>(self.rx_beats.q.val());
        self.rxb.write_data.next = 0.into();
        self.rxb.read_address.next = bit_cast::<RN, 16>(self.bidx.q.val());
        self.rb_entry.next = self.rxb.read_data.val();

        // ------------------------------------------------ AXI4 master defaults
        self.m_awaddr.next = self.addr.q.val();
        self.m_awlen.next = 0.into();
        self.m_awsize.next = self.size3.val();
        self.m_awburst.next = 1.into();
        self.m_awvalid.next = false;
        self.m_wdata.next = 0.into();
        self.m_wstrb.next = 0.into();
        self.m_wlast.next = false;
        self.m_wvalid.next = false;
        self.m_bready.next = false;
        self.m_araddr.next = self.addr.q.val();
        self.m_arlen.next = 0.into();
        self.m_arsize.next = self.size3.val();
        self.m_arburst.next = 1.into();
        self.m_arvalid.next = false;
        self.m_rready.next = false;
        for q in 0..self.r_ready.len() {
            self.r_ready[q].next = false;
        }

        // ------------------------------------------------ transmit candidate
        self.tdesc.next = 0.into();
        for k in 0..4 {
            if self.tg_lo.q.val() == self.lane3[k].val() {
                self.tdesc.next = self.tg.q.val().get_bits::<128>(128 * k);
            }
        }
        self.tlen.next = self.tdesc.val().get_bits::<32>(64);
        self.tneed.next = bit_cast::<16, 32>((self.tlen.val() + self.kwm1.val()) >> self.lkw.val());
        self.tbad.next = self.tg_err.q.val()
            | (self.tlen.val() == 0)
            | (self.tlen.val() > 9018)
            | ((self.tdesc.val().get_bits::<64>(0) & self.kw_low.val()) != 0);
        // The pending descriptor's view is registered: tg/tg_lo change only when a transmit
        // fetch or completion ends (which clears t_ok for one cycle), so it is never stale
        // when t_ok is set.
        self.t_ok.d.next = true;
        self.t_desc.d.next = self.tdesc.val();
        self.t_flen.d.next = self.tlen.val().get_bits::<16>(0);
        if self.tlen.val() > 0xFFFF {
            self.t_flen.d.next = 0xFFFF.into();
        }
        self.t_need.d.next = self.tneed.val();
        self.t_bad.d.next = self.tbad.val();
        self.t_stat.d.next = 2.into() /* CPL_STATUS_BAD_ADDRESS */;
        if (self.tlen.val() == 0) | (self.tlen.val() > 9018) {
            self.t_stat.d.next = 1.into() /* CPL_STATUS_BAD_LENGTH */;
        }
        if self.tg_err.q.val() {
            self.t_stat.d.next = 4.into() /* CPL_STATUS_DMA_ERROR */;
        }
        self.tgo.next = self.t_ok.q.val()
            & (self.tg_lo.q.val() != self.tg_hi.q.val())
            & (self.t_bad.q.val()
                | (bit_cast::<16, TN1>(self.txf.free.val()) >= self.t_need.q.val()));
        // Job candidates, in two pipelined stages (each starting at flip-flops):
        //   1. which queues want service (tf_reqr, rx_reqr: one bit per queue);
        //   2. the round-robin pick among them (tf_qr/tf_hitr, rx_qr/rx_hitr).
        // A pick is thus up to two cycles old; S_IDLE then reads the picked queue's job (`pk`)
        // from its state (fetch and frame-waiting bits registered a cycle earlier, exact for
        // this: see tk_r, rf_r, rv_r) and S_PICK goes back to S_IDLE if there is no work after
        // all.
        //
        // Transmit queues wanting a descriptor fetch (only while no group is pending).
        self.tk.next = 0.into();
        for q in 0..self.tq_en.len() {
            if self.tq_en[q].q.val() & (self.tq_prod[q].q.val() != self.tq_fetch[q].q.val()) {
                self.tk.next = self.tk.val() | self.oh16[q].val();
            }
        }
        // the picked transmit queue's fetch request, selected by its one-hot pick from the
        // registered requests; these are a cycle old, which matters only when the queue's
        // state changed in that cycle: by the sequencer ending a transmit fetch (it also makes
        // a group pending, which blocks the fetch below) or by a local register write (after
        // which tk_r is cleared: the pick then finds nothing and retries)
        self.tk_r.d.next = self.tk.val();
        if self.w_loc.q.val() {
            self.tk_r.d.next = 0.into();
        }
        self.tx_kf.next = (self.tk_r.q.val() & self.tf_oh.q.val()).any();
        self.tf_reqr.d.next = 0.into();
        if self.tg_lo.q.val() == self.tg_hi.q.val() {
            self.tf_reqr.d.next = self.tk.val();
        }
        // Receive queues with a frame waiting and something to do with it: drop it (queue
        // off), take the next cached descriptor, or fetch descriptors.
        self.rk_d.next = 0.into();
        self.rk_h.next = 0.into();
        self.rk_f.next = 0.into();
        self.rk_v.next = 0.into();
        for q in 0..self.rq_en.len() {
            if !self.rq_en[q].q.val() {
                self.rk_d.next = self.rk_d.val() | self.oh16[q].val();
            }
            if self.rq_lo[q].q.val() != self.rq_hi[q].q.val() {
                self.rk_h.next = self.rk_h.val() | self.oh16[q].val();
            }
            if self.rq_prod[q].q.val() != self.rq_fetch[q].q.val() {
                self.rk_f.next = self.rk_f.val() | self.oh16[q].val();
            }
            if self.r_valid[q].val() {
                self.rk_v.next = self.rk_v.val() | self.oh16[q].val();
            }
        }
        self.rx_reqr.d.next =
            self.rk_v.val() & (self.rk_d.val() | self.rk_h.val() | self.rk_f.val());
        self.rf_r.d.next = self.rk_f.val();
        self.rv_r.d.next = self.rk_v.val();
        if self.w_loc.q.val() | (self.st.q.val() == S_RF_R) {
            self.rf_r.d.next = 0.into();
        }
        // the picked receive queue's job (its bits selected by the one-hot pick): 1 drop, 2
        // move into the cached descriptor's buffer, 3 fetch descriptors, 0 nothing (no frame
        // waiting, or nothing to do with it); the waiting and fetch bits are the registered
        // `rv_r` and `rf_r`, exact for this (see their declarations)
        self.rx_pk.next = 0.into();
        if (self.rv_r.q.val() & self.rx_oh.q.val()).any() {
            if (self.rk_d.val() & self.rx_oh.q.val()).any() {
                self.rx_pk.next = 1.into();
            } else if (self.rk_h.val() & self.rx_oh.q.val()).any() {
                self.rx_pk.next = 2.into();
            } else if (self.rf_r.q.val() & self.rx_oh.q.val()).any() {
                self.rx_pk.next = 3.into();
            }
        }
        // Round robin: the lowest requesting queue above the last one served, else the lowest.
        self.tf_rr.req.next = self.tf_reqr.q.val();
        self.tf_rr.last.next = self.last_tq.q.val();
        self.tf_hitr.d.next = self.tf_reqr.q.val() != 0;
        self.tf_qr.d.next = self.tf_rr.idx.val();
        self.tf_oh.d.next = self.tf_rr.grant.val();
        self.rx_oh.d.next = self.rx_rr.grant.val();
        self.rx_rr.req.next = self.rx_reqr.q.val();
        self.rx_rr.last.next = self.last_rq.q.val();
        self.rx_hitr.d.next = self.rx_reqr.q.val() != 0;
        self.rx_qr.d.next = self.rx_rr.idx.val();
        self.pick_rx.next =
            self.rx_hitr.q.val() & (self.turn.q.val() | !(self.tgo.val() | self.tf_hitr.q.val()));

        // ------------------------------------------------ the current queue's registers
        // (cur_q/cur_rx are registered when the sequencer picks a job, so these muxes
        // start at flip-flops)
        self.sel_ring.next = 0.into();
        self.sel_fetch.next = 0.into();
        self.sel_prod.next = 0.into();
        self.sel_cons.next = 0.into();
        self.sel_cpl.next = 0.into();
        self.sel_size.next = 0.into();
        self.rx_desc.next = 0.into();
        if self.cur_rx.q.val() {
            for q in 0..self.rq_en.len() {
                if self.cur_sel[q].q.val() {
                    self.sel_ring.next = self.sel_ring.val() | self.rq_ring[q].q.val();
                    self.sel_fetch.next = self.sel_fetch.val() | self.rq_fetch[q].q.val();
                    self.sel_prod.next = self.sel_prod.val() | self.rq_prod[q].q.val();
                    self.sel_cons.next = self.sel_cons.val() | self.rq_cons[q].q.val();
                    self.sel_cpl.next = self.sel_cpl.val() | self.rq_cpl[q].q.val();
                    self.sel_size.next = self.sel_size.val() | self.rq_size[q].q.val();
                    for k in 0..4 {
                        if self.rq_lo[q].q.val() == self.lane3[k].val() {
                            self.rx_desc.next = self.rx_desc.val()
                                | self.rq_grp[q].q.val().get_bits::<128>(128 * k);
                        }
                    }
                }
            }
        } else {
            for q in 0..self.tq_en.len() {
                if self.cur_sel[q].q.val() {
                    self.sel_ring.next = self.sel_ring.val() | self.tq_ring[q].q.val();
                    self.sel_fetch.next = self.sel_fetch.val() | self.tq_fetch[q].q.val();
                    self.sel_prod.next = self.sel_prod.val() | self.tq_prod[q].q.val();
                    self.sel_cons.next = self.sel_cons.val() | self.tq_cons[q].q.val();
                    self.sel_cpl.next = self.sel_cpl.val() | self.tq_cpl[q].q.val();
                    self.sel_size.next = self.sel_size.val() | self.tq_size[q].q.val();
                }
            }
        }
        self.qsize.next = bit_cast::<16, 1>(true.into()) << self.sel_size.val();
        self.qmask.next = self.qsize.val() - 1;
        self.ring_idx.next = self.sel_fetch.val() & self.qmask.val();
        // descriptors to fetch: up to the end of the 64-byte group
        self.avail_n.next = self.sel_prod.val() - self.sel_fetch.val();
        self.grp_n.next = 4 - (self.sel_fetch.val() & 3);
        if self.avail_n.val() < self.grp_n.val() {
            self.grp_n.next = self.avail_n.val();
        }
        // AXI burst: the rest of the frame, at most to the end of the 4 KiB page, at most 256
        self.to4k.next = (bit_cast::<16, 1>(true.into()) << 12)
            - bit_cast::<16, 12>(self.addr.q.val().get_bits::<12>(0));
        self.to4k.next = self.to4k.val() >> self.lkw.val();
        self.burst.next = self.beats_left.q.val();
        if self.to4k.val() < self.burst.val() {
            self.burst.next = self.to4k.val();
        }
        if self.burst.val() > 256 {
            self.burst.next = 256.into();
        }
        // group assembly for descriptor fetches
        self.fgrp_n.next = (self.fgrp.q.val() >> self.dw_sh.val())
            | (bit_cast::<512, DW>(self.m_rdata.val()) << self.up_sh.val());

        // selected receive stream (or-ed: one queue matches)
        self.s_data.next = 0.into();
        self.s_keep.next = 0.into();
        self.s_last.next = false;
        self.s_valid.next = false;
        for q in 0..self.rq_en.len() {
            if self.cur_sel[q].q.val() {
                self.s_data.next = self.s_data.val() | self.r_data[q].val();
                self.s_keep.next = self.s_keep.val() | self.r_keep[q].val();
                self.s_last.next = self.s_last.val() | self.r_last[q].val();
                self.s_valid.next = self.s_valid.val() | self.r_valid[q].val();
            }
        }
        // bytes in the beat: tkeep is contiguous from lane 0, so its one edge (lane i kept,
        // lane i+1 not) gives i + 1; encoded by or-ing, not by a priority chain
        self.kedge.next = self.p_keep.q.val() & !(self.p_keep.q.val() >> 1);
        self.nb.next = 0.into();
        for i in 0..self.last_nb.len() {
            if self.kedge.val().get_bit(i) {
                self.nb.next = self.nb.val() | self.last_nb[i].val();
            }
        }
        // frame length at the last beat: beats before it * KW + its bytes; a short last beat
        // only fills the low lkw bits (no adder after the keep decode), a full one is
        // (beats + 1) * KW
        self.flen_c.next = (self.rx_beats.q.val() << self.lkw.val()) | self.nb.val();
        if (self.p_keep.q.val() & self.top_kw.val()).any() {
            self.flen_c.next = (self.rx_beats.q.val() + 1) << self.lkw.val();
        }
        self.keep_c.next = self.ones_kw.val();
        if self.bytes_left.q.val() < self.kw16.val() {
            self.keep_c.next = (self.one_kw.val() << self.bytes_left.q.val()) - 1;
        }

        // header fields of a received frame (first 64 bytes)
        self.et.next = (bit_cast::<16, 8>(self.hdr.q.val().get_bits::<8>(96)) << 8)
            | bit_cast::<16, 8>(self.hdr.q.val().get_bits::<8>(104));
        self.vlan.next = self.et.val() == 0x8100;
        if self.vlan.val() {
            self.et.next = (bit_cast::<16, 8>(self.hdr.q.val().get_bits::<8>(128)) << 8)
                | bit_cast::<16, 8>(self.hdr.q.val().get_bits::<8>(136));
            self.m_bift.next = (bit_cast::<32, 8>(self.hdr.q.val().get_bits::<8>(144)) << 12)
                | (bit_cast::<32, 8>(self.hdr.q.val().get_bits::<8>(152)) << 4)
                | bit_cast::<32, 4>(self.hdr.q.val().get_bits::<4>(164));
            self.m_ent.next = (bit_cast::<32, 4>(self.hdr.q.val().get_bits::<4>(188)) << 26)
                | (bit_cast::<32, 6>(self.hdr.q.val().get_bits::<6>(216)) << 20)
                | (bit_cast::<32, 4>(self.hdr.q.val().get_bits::<4>(184)) << 16)
                | (bit_cast::<32, 8>(self.hdr.q.val().get_bits::<8>(192)) << 8)
                | bit_cast::<32, 8>(self.hdr.q.val().get_bits::<8>(200));
            self.m_bfir.next = (bit_cast::<16, 8>(self.hdr.q.val().get_bits::<8>(224)) << 8)
                | bit_cast::<16, 8>(self.hdr.q.val().get_bits::<8>(232));
            self.m_bier.next = (self.et.val() == 0xAB37) & (self.flen.q.val() >= 30);
        } else {
            self.m_bift.next = (bit_cast::<32, 8>(self.hdr.q.val().get_bits::<8>(112)) << 12)
                | (bit_cast::<32, 8>(self.hdr.q.val().get_bits::<8>(120)) << 4)
                | bit_cast::<32, 4>(self.hdr.q.val().get_bits::<4>(132));
            self.m_ent.next = (bit_cast::<32, 4>(self.hdr.q.val().get_bits::<4>(156)) << 26)
                | (bit_cast::<32, 6>(self.hdr.q.val().get_bits::<6>(184)) << 20)
                | (bit_cast::<32, 4>(self.hdr.q.val().get_bits::<4>(152)) << 16)
                | (bit_cast::<32, 8>(self.hdr.q.val().get_bits::<8>(160)) << 8)
                | bit_cast::<32, 8>(self.hdr.q.val().get_bits::<8>(168));
            self.m_bfir.next = (bit_cast::<16, 8>(self.hdr.q.val().get_bits::<8>(192)) << 8)
                | bit_cast::<16, 8>(self.hdr.q.val().get_bits::<8>(200));
            self.m_bier.next = (self.et.val() == 0xAB37) & (self.flen.q.val() >= 26);
        }

        // completion record
        self.rec.next = bit_cast::<512, 16>(self.flen.q.val())
            | (bit_cast::<512, 8>(self.status.q.val()) << 16)
            | (bit_cast::<512, 8>(self.c_flags.q.val()) << 24)
            | (bit_cast::<512, 16>(self.c_idx.q.val()) << 32)
            | (bit_cast::<512, 16>(self.c_bfir.q.val()) << 48)
            | (bit_cast::<512, 32>(self.c_ent.q.val()) << 64)
            | (bit_cast::<512, 32>(self.c_bift.q.val()) << 96);
        if ((self.c_idx.q.val() >> self.c_size.q.val()) & 1) == 0 {
            self.rec.next = self.rec.val() | (bit_cast::<512, 8>(0x80.into()) << 24);
        }
        self.lane.next = bit_cast::<3, 16>(self.c_idx.q.val() & 3);
        self.c_off.next = bit_cast::<10, 3>(self.lane.val()) << 7;
        self.c_al.next = self.c_off.val() & self.al_mask.val();
        self.c_addr.next = (self.c_base.q.val()
            + (bit_cast::<64, 16>(
                self.c_idx.q.val() & ((bit_cast::<16, 4>(1.into()) << self.c_size.q.val()) - 1),
            ) << 4))
            & !self.kw_low.val();

        self.sh_tmp.next = 0.into();
        self.rb_tmp.next = 0.into();
        self.t4.next = 0.into();
        self.t1.next = false;
        self.t16.next = 0.into();
        self.busy_q.next = false;
        // ------------------------------------------------ the sequencer
        // S_IDLE picks a job and registers it (queue, and in `pk` what the queue needs: 1 drop
        // the frame (receive queue off), 2 move a frame (receive: into the cached descriptor's
        // buffer; transmit: the pending descriptor's), 3 fetch descriptors, 0 nothing: back to
        // S_IDLE); S_PICK starts it. The pick costs one cycle but keeps the round-robin scan
        // and the queue muxes in separate cycles. Nothing but the sequencer changes the state a
        // pick depends on, except register writes, which act as if they had come one cycle
        // later (S_PICK counts as busy for the picked queue).
        if self.st.q.val() == S_IDLE {
            if self.pick_rx.val() {
                self.turn.d.next = false;
                self.last_rq.d.next = self.rx_qr.q.val();
                self.cur_rx.d.next = true;
                self.cur_q.d.next = self.rx_qr.q.val();
                self.pk.d.next = self.rx_pk.val();
                for q in 0..self.cur_sel.len() {
                    self.cur_sel[q].d.next = self.rx_qr.q.val() == self.qidx[q].val();
                }
                self.st.d.next = S_PICK.into();
            } else if self.tgo.val() {
                self.turn.d.next = true;
                self.cur_rx.d.next = false;
                self.cur_q.d.next = self.tg_q.q.val();
                for q in 0..self.cur_sel.len() {
                    self.cur_sel[q].d.next = self.tg_q.q.val() == self.qidx[q].val();
                }
                self.pk.d.next = 2.into();
                self.st.d.next = S_PICK.into();
            } else if self.tf_hitr.q.val() {
                self.turn.d.next = true;
                self.last_tq.d.next = self.tf_qr.q.val();
                self.cur_rx.d.next = false;
                self.cur_q.d.next = self.tf_qr.q.val();
                for q in 0..self.cur_sel.len() {
                    self.cur_sel[q].d.next = self.tf_qr.q.val() == self.qidx[q].val();
                }
                // fetch only if the queue still has descriptors and no group is pending
                self.pk.d.next = 0.into();
                if self.tx_kf.val() & (self.tg_lo.q.val() == self.tg_hi.q.val()) {
                    self.pk.d.next = 3.into();
                }
                self.st.d.next = S_PICK.into();
            }
        }
        if self.st.q.val() == S_PICK {
            // loaded whatever the job (only its own states use them)
            // the group's address is added up in the first cycle of S_TF_AR/S_RF_AR (fa_ok)
            self.fring.d.next = self.sel_ring.val();
            self.foff.d.next = bit_cast::<20, 16>(self.ring_idx.val() & 0xFFFC) << 4;
            self.fa_ok.d.next = false;
            self.fn_.d.next = bit_cast::<3, 16>(self.grp_n.val());
            self.ferr.d.next = false;
            self.fgrp.d.next = 0.into();
            self.rx_beats.d.next = 0.into();
            self.hdr.d.next = 0.into();
            if self.cur_rx.q.val() {
                self.desc.d.next = self.rx_desc.val();
            } else {
                self.desc.d.next = self.t_desc.q.val();
            }
            if self.pk.q.val() == 3 {
                if self.cur_rx.q.val() {
                    self.st.d.next = S_RF_AR.into();
                } else {
                    self.st.d.next = S_TF_AR.into();
                }
            } else if self.pk.q.val() == 0 {
                // a stale pick: nothing to do after all
                self.st.d.next = S_IDLE.into();
            } else if self.pk.q.val() == 1 {
                self.st.d.next = S_RX_DROP.into();
            } else if self.cur_rx.q.val() {
                self.st.d.next = S_RX_IN.into();
            } else {
                // transmit the frame of the pending group's next descriptor
                self.flen.d.next = self.t_flen.q.val();
                self.c_flags.d.next = 0.into();
                self.c_bfir.d.next = 0.into();
                self.c_ent.d.next = 0.into();
                self.c_bift.d.next = 0.into();
                if self.t_bad.q.val() {
                    self.status.d.next = self.t_stat.q.val();
                    self.st.d.next = S_CPL_SET.into();
                } else {
                    self.addr.d.next = self.t_desc.q.val().get_bits::<64>(0);
                    self.beats_left.d.next = self.t_need.q.val();
                    self.bytes_left.d.next = self.t_flen.q.val();
                    self.derr.d.next = false;
                    self.st.d.next = S_TX_AR.into();
                }
            }
        }
        // descriptor group fetch (transmit or receive)
        if ((self.st.q.val() == S_TF_AR) | (self.st.q.val() == S_RF_AR)) & !self.fa_ok.q.val() {
            self.faddr.d.next = self.fring.q.val() + bit_cast::<64, 20>(self.foff.q.val());
            self.fa_ok.d.next = true;
        }
        if ((self.st.q.val() == S_TF_AR) | (self.st.q.val() == S_RF_AR)) & self.fa_ok.q.val() {
            self.m_araddr.next = self.faddr.q.val();
            self.m_arlen.next = self.grp_beats.val() - 1;
            self.m_arvalid.next = true;
            if self.m_arready.val() {
                if self.st.q.val() == S_TF_AR {
                    self.st.d.next = S_TF_R.into();
                } else {
                    self.st.d.next = S_RF_R.into();
                }
            }
        }
        if (self.st.q.val() == S_TF_R) | (self.st.q.val() == S_RF_R) {
            self.m_rready.next = true;
            if self.m_rvalid.val() {
                self.fgrp.d.next = self.fgrp_n.val();
                if self.m_rresp.val() != 0 {
                    self.ferr.d.next = true;
                }
                if self.m_rlast.val() {
                    self.st.d.next = S_IDLE.into();
                    if self.st.q.val() == S_TF_R {
                        self.tg.d.next = self.fgrp_n.val();
                        self.t_ok.d.next = false;
                        self.tg_q.d.next = self.cur_q.q.val();
                        self.tg_lo.d.next = bit_cast::<3, 16>(self.sel_fetch.val() & 3);
                        self.tg_hi.d.next =
                            bit_cast::<3, 16>(self.sel_fetch.val() & 3) + self.fn_.q.val();
                        self.tg_err.d.next = self.ferr.q.val() | (self.m_rresp.val() != 0);
                        for q in 0..self.tq_en.len() {
                            if self.cur_sel[q].q.val() {
                                self.tq_fetch[q].d.next =
                                    self.tq_fetch[q].q.val() + bit_cast::<16, 3>(self.fn_.q.val());
                            }
                        }
                    } else {
                        for q in 0..self.rq_en.len() {
                            if self.cur_sel[q].q.val() {
                                self.rq_grp[q].d.next = self.fgrp_n.val();
                                self.rq_lo[q].d.next = bit_cast::<3, 16>(self.sel_fetch.val() & 3);
                                self.rq_hi[q].d.next =
                                    bit_cast::<3, 16>(self.sel_fetch.val() & 3) + self.fn_.q.val();
                                self.rq_gerr[q].d.next =
                                    self.ferr.q.val() | (self.m_rresp.val() != 0);
                                self.rq_fetch[q].d.next =
                                    self.rq_fetch[q].q.val() + bit_cast::<16, 3>(self.fn_.q.val());
                            }
                        }
                    }
                }
            }
        }
        // transmit frame: host memory -> transmit FIFO (room was reserved)
        if self.st.q.val() == S_TX_AR {
            self.m_arlen.next = bit_cast::<8, 16>(self.burst.val() - 1);
            self.m_arvalid.next = true;
            if self.m_arready.val() {
                self.burst_left.d.next = self.burst.val();
                self.bl1.d.next = self.burst.val() == 1;
                self.st.d.next = S_TX_R.into();
            }
        }
        if self.st.q.val() == S_TX_R {
            self.m_rready.next = true;
            self.sh_tmp.next = bit_cast::<TW, DW>(self.m_rdata.val())
                | (bit_cast::<TW, KW>(self.keep_c.val()) << self.sh_keep.val())
                | (bit_cast::<TW, 4>(self.cur_q.q.val()) << self.sh_user.val());
            if self.beats_left.q.val() == 1 {
                self.sh_tmp.next =
                    self.sh_tmp.val() | (bit_cast::<TW, 1>(true.into()) << self.sh_last.val());
            }
            self.txf.data_in.next = self.sh_tmp.val();
            if self.m_rvalid.val() {
                self.txf.write.next = true;
                self.bytes_left.d.next = 0.into();
                if self.bytes_left.q.val() >= self.kw16.val() {
                    self.bytes_left.d.next = self.bytes_left.q.val() - self.kw16.val();
                }
                self.beats_left.d.next = self.beats_left.q.val() - 1;
                self.burst_left.d.next = self.burst_left.q.val() - 1;
                self.bl1.d.next = self.burst_left.q.val() == 2;
                self.addr.d.next = self.addr.q.val() + self.kw64.val();
                if self.m_rresp.val() != 0 {
                    self.derr.d.next = true;
                }
                if self.beats_left.q.val() == 1 {
                    if self.derr.q.val() | (self.m_rresp.val() != 0) {
                        self.txf.rollback.next = true;
                        self.status.d.next = 4.into() /* CPL_STATUS_DMA_ERROR */;
                    } else {
                        self.txf.commit.next = true;
                        self.status.d.next = 0.into();
                    }
                    self.st.d.next = S_CPL_SET.into();
                } else if self.bl1.q.val() {
                    self.st.d.next = S_TX_AR.into();
                }
            }
        }
        // receive frame: egress stream -> p_* register -> frame buffer. The queue's beats are
        // taken into p_* in S_RX_IN/S_RX_DROP until the frame's last beat (p_done); the state and
        // length logic below reads only p_*, never the queue's stream through the select mux.
        self.rx_take.next =
            ((self.st.q.val() == S_RX_IN) | (self.st.q.val() == S_RX_DROP)) & !self.p_done.q.val();
        for q in 0..self.r_ready.len() {
            if self.cur_sel[q].q.val() & self.rx_take.val() {
                self.r_ready[q].next = true;
            }
        }
        self.p_data.d.next = self.s_data.val();
        self.p_keep.d.next = self.s_keep.val();
        self.p_last.d.next = self.s_last.val();
        self.p_valid.d.next = self.s_valid.val() & self.rx_take.val();
        if self.s_valid.val() & self.s_last.val() & self.rx_take.val() {
            self.p_done.d.next = true;
        }
        if (self.st.q.val() != S_RX_IN) & (self.st.q.val() != S_RX_DROP) {
            self.p_done.d.next = false;
        }
        if self.st.q.val() == S_RX_IN {
            self.rb_tmp.next = bit_cast::<FW, DW>(self.p_data.q.val())
                | (bit_cast::<FW, KW>(self.p_keep.q.val()) << self.sh_keep.val());
            self.rxb.write_data.next = self.rb_tmp.val();
            if self.p_valid.q.val() {
                self.rxb.write_enable.next = self.rx_beats.q.val() < self.rb_max.val();
                for j in 0..self.lane_sh.len() {
                    if self.rx_beats.q.val() == self.idx16[j].val() {
                        self.hdr.d.next = self.hdr.q.val()
                            | (bit_cast::<512, DW>(self.p_data.q.val()) << self.lane_sh[j].val());
                    }
                }
                self.rx_beats.d.next = self.rx_beats.q.val() + 1;
                if self.p_last.q.val() {
                    self.flen.d.next = self.flen_c.val();
                    if self.rx_beats.q.val() >= self.rb_max.val() {
                        self.flen.d.next = 0xFFFF.into();
                    }
                    self.st.d.next = S_RX_CHK.into();
                }
            }
        }
        if self.st.q.val() == S_RX_DROP {
            for q in 0..self.r_ready.len() {
                if self.cur_sel[q].q.val() & self.p_valid.q.val() & self.p_last.q.val() {
                    self.rq_drops[q].d.next = self.rq_drops[q].q.val() + 1;
                }
            }
            if self.p_valid.q.val() & self.p_last.q.val() {
                self.st.d.next = S_IDLE.into();
            }
        }
        // the current receive queue's group error, selected by or-ing (one queue is current)
        self.sel_gerr.next = false;
        for q in 0..self.rq_en.len() {
            if self.cur_sel[q].q.val() & self.rq_gerr[q].q.val() {
                self.sel_gerr.next = true;
            }
        }
        if self.st.q.val() == S_RX_CHK {
            self.c_flags.d.next = 0.into();
            self.c_bfir.d.next = 0.into();
            self.c_ent.d.next = 0.into();
            self.c_bift.d.next = 0.into();
            if self.m_bier.val() {
                self.c_flags.d.next = 1.into() /* CPL_F_BIER */;
                if self.vlan.val() {
                    self.c_flags.d.next = 3.into() /* CPL_F_BIER | CPL_F_VLAN */;
                }
                self.c_bfir.d.next = self.m_bfir.val();
                self.c_ent.d.next = self.m_ent.val();
                self.c_bift.d.next = self.m_bift.val();
            } else if self.vlan.val() {
                self.c_flags.d.next = 2.into() /* CPL_F_VLAN */;
            }
            self.addr.d.next = self.desc.q.val().get_bits::<64>(0);
            self.beats_left.d.next = self.rx_beats.q.val();
            self.bidx.d.next = 0.into();
            self.derr.d.next = false;
            self.status.d.next = 0.into();
            self.st.d.next = S_RX_AW.into();
            if self.sel_gerr.val() {
                self.status.d.next = 4.into() /* CPL_STATUS_DMA_ERROR */;
                self.st.d.next = S_CPL_SET.into();
            } else if (self.desc.q.val().get_bits::<64>(0) & self.kw_low.val()) != 0 {
                self.status.d.next = 2.into() /* CPL_STATUS_BAD_ADDRESS */;
                self.st.d.next = S_CPL_SET.into();
            } else if bit_cast::<32, 16>(self.flen.q.val()) > self.desc.q.val().get_bits::<32>(64) {
                self.status.d.next = 3.into() /* CPL_STATUS_TOO_SMALL */;
                self.st.d.next = S_CPL_SET.into();
            }
        }
        // receive frame: frame buffer -> host memory
        if self.st.q.val() == S_RX_AW {
            self.m_awlen.next = bit_cast::<8, 16>(self.burst.val() - 1);
            self.m_awvalid.next = true;
            if self.m_awready.val() {
                self.burst_left.d.next = self.burst.val();
                self.bl1.d.next = self.burst.val() == 1;
                self.st.d.next = S_RX_W.into();
            }
        }
        if self.st.q.val() == S_RX_W {
            self.m_wvalid.next = true;
            self.m_wdata.next = self.rb_entry.val().get_bits::<DW>(0);
            self.m_wstrb.next = self
                .rb_entry
                .val()
                .get_bits::<KW>(self.sh_keep.val().index());
            self.m_wlast.next = self.bl1.q.val();
            if self.m_wready.val() {
                self.bidx.d.next = self.bidx.q.val() + 1;
                self.rxb.read_address.next = bit_cast::<RN, 16>(self.bidx.q.val() + 1);
                self.burst_left.d.next = self.burst_left.q.val() - 1;
                self.bl1.d.next = self.burst_left.q.val() == 2;
                self.beats_left.d.next = self.beats_left.q.val() - 1;
                self.addr.d.next = self.addr.q.val() + self.kw64.val();
                if self.bl1.q.val() {
                    self.st.d.next = S_RX_B.into();
                }
            }
        }
        if self.st.q.val() == S_RX_B {
            self.m_bready.next = true;
            if self.m_bvalid.val() {
                if self.m_bresp.val() != 0 {
                    self.derr.d.next = true;
                }
                if self.beats_left.q.val() == 0 {
                    self.status.d.next = 0.into();
                    if self.derr.q.val() | (self.m_bresp.val() != 0) {
                        self.status.d.next = 4.into() /* CPL_STATUS_DMA_ERROR */;
                    }
                    self.st.d.next = S_CPL_SET.into();
                } else {
                    self.st.d.next = S_RX_AW.into();
                }
            }
        }
        // completion record
        if self.st.q.val() == S_CPL_SET {
            self.c_idx.d.next = self.sel_cons.val();
            self.c_base.d.next = self.sel_cpl.val();
            self.c_size.d.next = self.sel_size.val();
            // A record wider than a beat is written as two one-beat writes, the half with the
            // phase bit last (after the first one's write response), so that a driver that
            // sees the phase bit also sees the rest of the record.
            self.c_hi.d.next = self.cpl_beats.val() > 1;
            self.c_berr.d.next = false;
            self.st.d.next = S_CPL_AW.into();
        }
        if self.st.q.val() == S_CPL_AW {
            self.m_awaddr.next = self.c_addr.val();
            self.m_awlen.next = bit_cast::<8, 4>(self.cpl_beats.val() - 1);
            if self.cpl_beats.val() > 1 {
                self.m_awlen.next = 0.into();
                if self.c_hi.q.val() {
                    self.m_awaddr.next = self.c_addr.val() + 8;
                }
            }
            self.m_awvalid.next = true;
            if self.m_awready.val() {
                self.c_grp.d.next = (self.rec.val() << self.c_off.val()) >> self.c_al.val();
                self.c_strb.d.next =
                    (self.strb16.val() << (self.c_off.val() >> 3)) >> (self.c_al.val() >> 3);
                self.c_beats.d.next = self.cpl_beats.val();
                if self.cpl_beats.val() > 1 {
                    self.c_grp.d.next = self.rec.val();
                    if self.c_hi.q.val() {
                        self.c_grp.d.next = self.rec.val() >> 64;
                    }
                    self.c_strb.d.next = bit_cast::<64, KW>(self.ones_kw.val());
                    self.c_beats.d.next = 1.into();
                }
                self.st.d.next = S_CPL_W.into();
            }
        }
        if self.st.q.val() == S_CPL_W {
            self.m_wvalid.next = true;
            self.m_wdata.next = self.c_grp.q.val().get_bits::<DW>(0);
            self.m_wstrb.next = self.c_strb.q.val().get_bits::<KW>(0);
            self.m_wlast.next = self.c_beats.q.val() == 1;
            if self.m_wready.val() {
                self.c_grp.d.next = self.c_grp.q.val() >> self.dw_sh.val();
                self.c_strb.d.next = self.c_strb.q.val() >> self.kw_sh.val();
                self.c_beats.d.next = self.c_beats.q.val() - 1;
                if self.c_beats.q.val() == 1 {
                    self.st.d.next = S_CPL_B.into();
                }
            }
        }
        if self.st.q.val() == S_CPL_B {
            self.m_bready.next = true;
            if self.m_bvalid.val() & self.c_hi.q.val() {
                // the first half is written: now the half with the phase bit
                self.c_hi.d.next = false;
                self.c_berr.d.next = self.m_bresp.val() != 0;
                self.st.d.next = S_CPL_AW.into();
            }
            if self.m_bvalid.val() & !self.c_hi.q.val() {
                self.st.d.next = S_IDLE.into();
                if self.cur_rx.q.val() {
                    for q in 0..self.rq_en.len() {
                        if self.cur_sel[q].q.val() {
                            self.rq_cons[q].d.next = self.rq_cons[q].q.val() + 1;
                            self.rq_lo[q].d.next = self.rq_lo[q].q.val() + 1;
                            if (self.status.q.val() != 0)
                                | (self.m_bresp.val() != 0)
                                | self.c_berr.q.val()
                            {
                                self.rq_err[q].d.next = self.rq_err[q].q.val() + 1;
                            }
                        }
                    }
                } else {
                    self.tg_lo.d.next = self.tg_lo.q.val() + 1;
                    self.t_ok.d.next = false;
                    for q in 0..self.tq_en.len() {
                        if self.cur_sel[q].q.val() {
                            self.tq_cons[q].d.next = self.tq_cons[q].q.val() + 1;
                            if (self.status.q.val() != 0)
                                | (self.m_bresp.val() != 0)
                                | self.c_berr.q.val()
                            {
                                self.tq_err[q].d.next = self.tq_err[q].q.val() + 1;
                            }
                        }
                    }
                }
            }
        }

        // ------------------------------------------------ AXI4-Lite: split and DMA registers
        self.take_w.next = self.awvalid.val()
            & self.wvalid.val()
            & !self.l_bvalid.q.val()
            & !self.w_fwd.q.val()
            & !self.w_loc.q.val();
        self.take_r.next = self.arvalid.val()
            & !self.l_rvalid.q.val()
            & !self.r_fwd.q.val()
            & !self.r_loc.q.val()
            & !self.r_loc2.q.val()
            & !self.r_loc3.q.val();
        self.awready.next = self.take_w.val();
        self.wready.next = self.take_w.val();
        self.arready.next = self.take_r.val();
        self.bvalid.next = self.l_bvalid.q.val();
        self.bresp.next = self.l_bresp.q.val();
        self.rvalid.next = self.l_rvalid.q.val();
        self.rdata.next = self.l_rdata.q.val();
        self.rresp.next = self.l_rresp.q.val();
        if self.l_bvalid.q.val() & self.bready.val() {
            self.l_bvalid.d.next = false;
        }
        if self.l_rvalid.q.val() & self.rready.val() {
            self.l_rvalid.d.next = false;
        }
        self.wlocal.next = (self.awaddr.val() & self.m_blk.val()) == self.blk_dma.val();
        self.rlocal.next = (self.araddr.val() & self.m_blk.val()) == self.blk_dma.val();
        // forwarded write
        self.dp_awaddr.next = self.w_addr.q.val();
        self.dp_wdata.next = self.w_data.q.val();
        self.dp_wstrb.next = self.w_strb.q.val();
        self.dp_awvalid.next = self.w_fwd.q.val() & !self.w_awd.q.val();
        self.dp_wvalid.next = self.w_fwd.q.val() & !self.w_wd.q.val();
        self.dp_bready.next = self.w_fwd.q.val();
        if self.w_fwd.q.val() {
            if self.dp_awready.val() {
                self.w_awd.d.next = true;
            }
            if self.dp_wready.val() {
                self.w_wd.d.next = true;
            }
            if self.dp_bvalid.val() {
                self.w_fwd.d.next = false;
                self.l_bvalid.d.next = true;
                self.l_bresp.d.next = self.dp_bresp.val();
            }
        }
        // forwarded read
        self.dp_araddr.next = self.r_addr.q.val();
        self.dp_arvalid.next = self.r_fwd.q.val() & !self.r_ard.q.val();
        self.dp_rready.next = self.r_fwd.q.val();
        if self.r_fwd.q.val() {
            if self.dp_arready.val() {
                self.r_ard.d.next = true;
            }
            if self.dp_rvalid.val() {
                self.r_fwd.d.next = false;
                self.l_rvalid.d.next = true;
                self.l_rresp.d.next = self.dp_rresp.val();
                self.l_rdata.d.next = self.dp_rdata.val();
                // the counter block is the data plane's last block; the DMA block follows it
                if self.r_addr.q.val() == self.cnt_next.val() {
                    self.l_rdata.d.next = bit_cast::<32, 16>(self.blk_dma.val());
                }
            }
        }
        // local reads, pipelined: the address is registered (r_loc), then its queue, register
        // offset and block register decoded (rd_t, rd_r, rd_k, rd_g; r_loc2), then per register
        // offset the matching queue's value or-ed into rp[k] and the block register's into rbv
        // (r_loc3), then the matching offset's rp or-ed with rbv: balanced or-trees in two
        // registered steps, no priority chain
        for q in 0..self.tq_en.len() {
            self.rd_t[q].d.next =
                (self.r_addr.q.val() & self.m_qsel.val()) == self.tq_base[q].val();
        }
        for q in 0..self.rq_en.len() {
            self.rd_r[q].d.next =
                (self.r_addr.q.val() & self.m_qsel.val()) == self.rq_base[q].val();
        }
        // the register inside the queue's block, and the block's own registers, decoded in the
        // same cycle
        for k in 0..self.rd_k.len() {
            self.rd_k[k].clock.next = self.clock.val();
            self.rd_k[k].d.next = (self.r_addr.q.val() & self.m_reg.val()) == self.k_off[k].val();
        }
        for g in 0..self.rd_g.len() {
            self.rd_g[g].clock.next = self.clock.val();
            self.rd_g[g].d.next = self.r_addr.q.val() == self.g_addr[g].val();
        }
        self.l_rd.next = 0.into();
        self.tv.next = 0.into();
        if self.rd_g[0].q.val() {
            self.tv.next = 0x4249_0004.into() /* DMA_TYPE_VALUE */;
        }
        self.l_rd.next = self.l_rd.val() | self.tv.val();
        self.tv.next = 0.into();
        if self.rd_g[1].q.val() {
            self.tv.next = 0x0001_0000.into() /* DMA_VERSION_VALUE */;
        }
        self.l_rd.next = self.l_rd.val() | self.tv.val();
        self.tv.next = 0.into();
        if self.rd_g[2].q.val() {
            self.tv.next = self.n_txq.val();
        }
        self.l_rd.next = self.l_rd.val() | self.tv.val();
        self.tv.next = 0.into();
        if self.rd_g[3].q.val() {
            self.tv.next = self.n_rxq.val();
        }
        self.l_rd.next = self.l_rd.val() | self.tv.val();
        self.tv.next = 0.into();
        if self.rd_g[4].q.val() {
            self.tv.next = self.n_ports.val();
        }
        self.l_rd.next = self.l_rd.val() | self.tv.val();
        self.tv.next = 0.into();
        if self.rd_g[5].q.val() {
            self.tv.next = bit_cast::<32, 4>(self.max_log2.val());
        }
        self.l_rd.next = self.l_rd.val() | self.tv.val();
        if self.rd_g[6].q.val() {
            self.l_rd.next = self.l_rd.val()
                | (bit_cast::<32, 1>(
                    ((self.st.q.val() != 0) | (self.tg_lo.q.val() != self.tg_hi.q.val())).into(),
                ));
        }
        self.rbv.d.next = self.l_rd.val();
        for k in 0..self.rp.len() {
            self.rp[k].clock.next = self.clock.val();
            self.pv[k].next = 0.into();
        }
        for q in 0..self.tq_en.len() {
            if self.rd_t[q].q.val() {
                self.pv[0].next = self.pv[0].val() | self.tq_ring[q].q.val().get_bits::<32>(0);
            }
            if self.rd_t[q].q.val() {
                self.pv[1].next = self.pv[1].val() | self.tq_ring[q].q.val().get_bits::<32>(32);
            }
            if self.rd_t[q].q.val() {
                self.pv[2].next = self.pv[2].val() | self.tq_cpl[q].q.val().get_bits::<32>(0);
            }
            if self.rd_t[q].q.val() {
                self.pv[3].next = self.pv[3].val() | self.tq_cpl[q].q.val().get_bits::<32>(32);
            }
            self.t4.next = self.tq_size[q].q.val();
            self.t1.next = self.tq_en[q].q.val();
            if self.rd_t[q].q.val() {
                self.pv[4].next = self.pv[4].val()
                    | (bit_cast::<32, 4>(self.t4.val())
                        | (bit_cast::<32, 1>(self.t1.val().into()) << 31));
            }
            self.t16.next = self.tq_prod[q].q.val();
            if self.rd_t[q].q.val() {
                self.pv[5].next = self.pv[5].val() | bit_cast::<32, 16>(self.t16.val());
            }
            self.t16.next = self.tq_cons[q].q.val();
            if self.rd_t[q].q.val() {
                self.pv[6].next = self.pv[6].val() | bit_cast::<32, 16>(self.t16.val());
            }
            if self.rd_t[q].q.val() {
                self.pv[7].next = self.pv[7].val() | self.tq_err[q].q.val();
            }
        }
        for q in 0..self.rq_en.len() {
            if self.rd_r[q].q.val() {
                self.pv[0].next = self.pv[0].val() | self.rq_ring[q].q.val().get_bits::<32>(0);
            }
            if self.rd_r[q].q.val() {
                self.pv[1].next = self.pv[1].val() | self.rq_ring[q].q.val().get_bits::<32>(32);
            }
            if self.rd_r[q].q.val() {
                self.pv[2].next = self.pv[2].val() | self.rq_cpl[q].q.val().get_bits::<32>(0);
            }
            if self.rd_r[q].q.val() {
                self.pv[3].next = self.pv[3].val() | self.rq_cpl[q].q.val().get_bits::<32>(32);
            }
            self.t4.next = self.rq_size[q].q.val();
            self.t1.next = self.rq_en[q].q.val();
            if self.rd_r[q].q.val() {
                self.pv[4].next = self.pv[4].val()
                    | (bit_cast::<32, 4>(self.t4.val())
                        | (bit_cast::<32, 1>(self.t1.val().into()) << 31));
            }
            self.t16.next = self.rq_prod[q].q.val();
            if self.rd_r[q].q.val() {
                self.pv[5].next = self.pv[5].val() | bit_cast::<32, 16>(self.t16.val());
            }
            self.t16.next = self.rq_cons[q].q.val();
            if self.rd_r[q].q.val() {
                self.pv[6].next = self.pv[6].val() | bit_cast::<32, 16>(self.t16.val());
            }
            if self.rd_r[q].q.val() {
                self.pv[7].next = self.pv[7].val() | self.rq_err[q].q.val();
            }
            if self.rd_r[q].q.val() {
                self.pv[8].next = self.pv[8].val() | self.rq_drops[q].q.val();
            }
        }
        if self.r_loc.q.val() {
            self.r_loc.d.next = false;
            self.r_loc2.d.next = true;
        }
        for k in 0..self.rp.len() {
            self.rp[k].d.next = self.pv[k].val();
        }
        self.l_rd.next = self.rbv.q.val();
        for k in 0..self.rp.len() {
            if self.rd_k[k].q.val() {
                self.l_rd.next = self.l_rd.val() | self.rp[k].q.val();
            }
        }
        if self.r_loc2.q.val() {
            self.r_loc2.d.next = false;
            self.r_loc3.d.next = true;
        }
        if self.r_loc3.q.val() {
            self.r_loc3.d.next = false;
            self.l_rvalid.d.next = true;
            self.l_rdata.d.next = self.l_rd.val();
            self.l_rresp.d.next = 0.into();
        }
        if self.take_r.val() {
            if self.rlocal.val() {
                self.r_loc.d.next = true;
                self.r_addr.d.next = self.araddr.val();
            } else {
                self.r_fwd.d.next = true;
                self.r_ard.d.next = false;
                self.r_addr.d.next = self.araddr.val();
            }
        }
        // local writes: latched when taken (w_loc), with their queue and register offset
        // decoded one-hot (wr_t, wr_r, wr_k) and the data checks that need no state; executed
        // from those registers in the next cycle. Each queue's error is its own (qerr) and the
        // errors are or-ed into l_err: no priority chain through the queues.
        for k in 0..self.wr_k.len() {
            self.wr_k[k].clock.next = self.clock.val();
            self.wr_k[k].d.next = (self.awaddr.val() & self.m_reg.val()) == self.k_off[k].val();
        }
        self.w_full.d.next = self.wstrb.val() == 0xF;
        self.w_lo6.d.next = (self.wdata.val() & 0x3F) != 0;
        self.w_szbad.d.next = (self.wdata.val().get_bits::<4>(0) < 2)
            | (self.wdata.val().get_bits::<4>(0) > self.max_log2.val());
        self.wgo.next = self.w_loc.q.val() & self.w_full.q.val();
        self.l_err.next = !self.w_full.q.val();
        self.wv16.next = self.w_data.q.val().get_bits::<16>(0);
        self.qerr.next = false;
        self.wqsize.next = 0.into();
        for q in 0..self.tq_en.len() {
            self.busy_q.next =
                ((self.st.q.val() != 0) & !self.cur_rx.q.val() & (self.cur_sel[q].q.val()))
                    | ((self.tg_lo.q.val() != self.tg_hi.q.val())
                        & (self.tg_q.q.val() == self.qidx[q].val()));
            self.wqsize.next = bit_cast::<16, 1>(true.into()) << self.tq_size[q].q.val();
            // Q_RING_LO, Q_CPL_LO: queue off, 64-byte aligned; Q_RING_HI, Q_CPL_HI: queue
            // off; Q_CTRL enable: queue off and idle, size in range; Q_PROD: checked against
            // the fetch index, not Q_CONS (a driver sees a completion, and may reuse its slot,
            // before the write response that advances Q_CONS here)
            self.qerr.next = self.wr_t[q].q.val()
                & ((self.wr_k[0].q.val() & (self.tq_en[q].q.val() | self.w_lo6.q.val()))
                    | (self.wr_k[1].q.val() & self.tq_en[q].q.val())
                    | (self.wr_k[2].q.val() & (self.tq_en[q].q.val() | self.w_lo6.q.val()))
                    | (self.wr_k[3].q.val() & self.tq_en[q].q.val())
                    | (self.wr_k[4].q.val()
                        & self.w_data.q.val().get_bit(31)
                        & (self.tq_en[q].q.val() | self.busy_q.val() | self.w_szbad.q.val()))
                    | (self.wr_k[5].q.val()
                        & ((self.wv16.val() - self.tq_fetch[q].q.val()) > self.wqsize.val())));
            self.l_err.next = self.l_err.val() | self.qerr.val();
            if self.wgo.val() & self.wr_t[q].q.val() & !self.qerr.val() {
                if self.wr_k[0].q.val() {
                    self.tq_ring[q].d.next = (self.tq_ring[q].q.val() & self.m_hi64.val())
                        | bit_cast::<64, 32>(self.w_data.q.val());
                }
                if self.wr_k[1].q.val() {
                    self.tq_ring[q].d.next = (self.tq_ring[q].q.val() & self.m_lo64.val())
                        | (bit_cast::<64, 32>(self.w_data.q.val()) << 32);
                }
                if self.wr_k[2].q.val() {
                    self.tq_cpl[q].d.next = (self.tq_cpl[q].q.val() & self.m_hi64.val())
                        | bit_cast::<64, 32>(self.w_data.q.val());
                }
                if self.wr_k[3].q.val() {
                    self.tq_cpl[q].d.next = (self.tq_cpl[q].q.val() & self.m_lo64.val())
                        | (bit_cast::<64, 32>(self.w_data.q.val()) << 32);
                }
                if self.wr_k[4].q.val() {
                    if self.w_data.q.val().get_bit(31) {
                        self.tq_en[q].d.next = true;
                        self.tq_size[q].d.next = self.w_data.q.val().get_bits::<4>(0);
                        self.tq_prod[q].d.next = 0.into();
                        self.tq_cons[q].d.next = 0.into();
                        self.tq_fetch[q].d.next = 0.into();
                    } else {
                        self.tq_en[q].d.next = false;
                    }
                }
                if self.wr_k[5].q.val() {
                    self.tq_prod[q].d.next = self.wv16.val();
                }
            }
        }
        for q in 0..self.rq_en.len() {
            self.busy_q.next =
                (self.st.q.val() != 0) & self.cur_rx.q.val() & (self.cur_sel[q].q.val());
            self.wqsize.next = bit_cast::<16, 1>(true.into()) << self.rq_size[q].q.val();
            self.qerr.next = self.wr_r[q].q.val()
                & ((self.wr_k[0].q.val() & (self.rq_en[q].q.val() | self.w_lo6.q.val()))
                    | (self.wr_k[1].q.val() & self.rq_en[q].q.val())
                    | (self.wr_k[2].q.val() & (self.rq_en[q].q.val() | self.w_lo6.q.val()))
                    | (self.wr_k[3].q.val() & self.rq_en[q].q.val())
                    | (self.wr_k[4].q.val()
                        & self.w_data.q.val().get_bit(31)
                        & (self.rq_en[q].q.val() | self.busy_q.val() | self.w_szbad.q.val()))
                    | (self.wr_k[5].q.val()
                        & ((self.wv16.val() - self.rq_fetch[q].q.val()) > self.wqsize.val())));
            self.l_err.next = self.l_err.val() | self.qerr.val();
            if self.wgo.val() & self.wr_r[q].q.val() & !self.qerr.val() {
                if self.wr_k[0].q.val() {
                    self.rq_ring[q].d.next = (self.rq_ring[q].q.val() & self.m_hi64.val())
                        | bit_cast::<64, 32>(self.w_data.q.val());
                }
                if self.wr_k[1].q.val() {
                    self.rq_ring[q].d.next = (self.rq_ring[q].q.val() & self.m_lo64.val())
                        | (bit_cast::<64, 32>(self.w_data.q.val()) << 32);
                }
                if self.wr_k[2].q.val() {
                    self.rq_cpl[q].d.next = (self.rq_cpl[q].q.val() & self.m_hi64.val())
                        | bit_cast::<64, 32>(self.w_data.q.val());
                }
                if self.wr_k[3].q.val() {
                    self.rq_cpl[q].d.next = (self.rq_cpl[q].q.val() & self.m_lo64.val())
                        | (bit_cast::<64, 32>(self.w_data.q.val()) << 32);
                }
                if self.wr_k[4].q.val() {
                    if self.w_data.q.val().get_bit(31) {
                        self.rq_en[q].d.next = true;
                        self.rq_size[q].d.next = self.w_data.q.val().get_bits::<4>(0);
                        self.rq_prod[q].d.next = 0.into();
                        self.rq_cons[q].d.next = 0.into();
                        self.rq_fetch[q].d.next = 0.into();
                        self.rq_lo[q].d.next = 0.into();
                        self.rq_hi[q].d.next = 0.into();
                        self.rq_gerr[q].d.next = false;
                    } else {
                        self.rq_en[q].d.next = false;
                    }
                }
                if self.wr_k[5].q.val() {
                    self.rq_prod[q].d.next = self.wv16.val();
                }
            }
        }
        if self.w_loc.q.val() {
            self.w_loc.d.next = false;
            self.l_bvalid.d.next = true;
            self.l_bresp.d.next = 0.into();
            if self.l_err.val() {
                self.l_bresp.d.next = 2.into();
            }
        }
        if self.take_w.val() {
            self.w_addr.d.next = self.awaddr.val();
            self.w_data.d.next = self.wdata.val();
            self.w_strb.d.next = self.wstrb.val();
            if self.wlocal.val() {
                self.w_loc.d.next = true;
            } else {
                self.w_fwd.d.next = true;
                self.w_awd.d.next = false;
                self.w_wd.d.next = false;
            }
        }

        if self.rst.val() {
            self.st.d.next = 0.into();
            self.tg_lo.d.next = 0.into();
            self.tg_hi.d.next = 0.into();
            self.t_ok.d.next = false;
            self.l_bvalid.d.next = false;
            self.l_rvalid.d.next = false;
            self.w_fwd.d.next = false;
            self.w_loc.d.next = false;
            self.r_fwd.d.next = false;
            self.r_loc.d.next = false;
            self.r_loc2.d.next = false;
            self.r_loc3.d.next = false;
            self.tk_r.d.next = 0.into();
            self.rf_r.d.next = 0.into();
            self.rv_r.d.next = 0.into();
            for q in 0..self.tq_en.len() {
                self.tq_en[q].d.next = false;
                self.tq_prod[q].d.next = 0.into();
                self.tq_cons[q].d.next = 0.into();
                self.tq_fetch[q].d.next = 0.into();
                self.tq_err[q].d.next = 0.into();
            }
            for q in 0..self.rq_en.len() {
                self.rq_en[q].d.next = false;
                self.rq_prod[q].d.next = 0.into();
                self.rq_cons[q].d.next = 0.into();
                self.rq_fetch[q].d.next = 0.into();
                self.rq_err[q].d.next = 0.into();
                self.rq_drops[q].d.next = 0.into();
                self.rq_lo[q].d.next = 0.into();
                self.rq_hi[q].d.next = 0.into();
                self.rq_gerr[q].d.next = false;
            }
        }
    }
}
