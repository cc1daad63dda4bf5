//! [`SoftNic`]: a [`Backend`] implemented in software, the device side of the driver's unit
//! tests and of `make bench-driver`.
//!
//! **It is not the product's device.** The product's device is the verilated RTL (the `sim`
//! backend) or a card (`vfio`). `SoftNic` implements the register map (`biernic_hw::regmap`,
//! `regmap::dma`) and the ring protocol as documented there — descriptor fetch in bursts that
//! do not cross the ring's end, one completion per descriptor in ring order with phase bits,
//! the error statuses (zero or oversize length, misaligned buffer address, receive buffer too
//! small, DMA to unmapped memory), refused doorbells and refused ring writes while enabled —
//! with a trivial data plane:
//! * a frame sent on transmit queue `q` leaves on port `q % ports`
//!   ([`SoftNic::take_port`]); it is counted as received from the host ingress and sent on
//!   that port;
//! * a frame given to [`SoftNic::inject`] for receive queue `q` is written into the next
//!   posted buffer of that queue, with the completion metadata (VLAN, BIER fields) parsed
//!   from the frame. The BIFT registers are modelled (two banks, row commands, commit) but do
//!   not steer frames.
//!
//! Transfers take one [`Backend::service`] call: descriptors fetched in one call complete in
//! the next, and `DMA_STATUS` reads busy in between, so that "frames in flight" exist.
//!
//! DMA memory comes from [`heap_region`]; I/O addresses are assigned by `SoftNic` and
//! translated through its own table, like an IOMMU: a region is unmapped before it is freed,
//! and DMA to an unmapped address completes with `CPL_STATUS_DMA_ERROR` and is counted in
//! [`SoftNic::unmapped_accesses`] (a DMA-safety violation of the driver, which the tests check
//! stays 0).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::rc::{Rc, Weak};

use biernic_hw::regmap::{self, dma, Counter};
use biernic_hw::{DataplaneParams, NicParams};

use crate::backend::{heap_region, Backend, DeviceError, DmaRegion};

/// Largest frame the NIC transmits.
const MAX_FRAME: u32 = 9018;

/// Transmit or receive queue, for [`SoftNic::inject_fault`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QueueKind {
    /// Transmit queue.
    Tx,
    /// Receive queue.
    Rx,
}

/// I/O address -> (host address, length) of every mapped region.
type MemMap = BTreeMap<u64, (usize, usize)>;

/// The owner put into a [`DmaRegion`] handed out by [`SoftNic`]: unmaps the region from the
/// software IOMMU before the memory is freed.
struct SoftRegion {
    map: Weak<RefCell<MemMap>>,
    iova: u64,
    _mem: DmaRegion,
}

impl Drop for SoftRegion {
    fn drop(&mut self) {
        if let Some(m) = self.map.upgrade() {
            m.borrow_mut().remove(&self.iova);
        }
        // `_mem` (the heap memory) is freed after this, once unmapped.
    }
}

#[derive(Clone, Default)]
struct Bank {
    bsl: u32,
    log2_buckets: u32,
    exception: u32,
    sets: Vec<u32>,
    /// Per target: cfg, mac lo, mac hi, nh lo, nh hi.
    tgt: Vec<[u32; 5]>,
    /// `[target][row]` -> staging words.
    rows: Vec<Vec<Vec<u32>>>,
    /// Isolation-mask rows (`queue * sets + slot`) -> staging words (kept, not applied: this
    /// device does not forward).
    masks: Vec<Vec<u32>>,
}

#[derive(Default)]
struct SoftQueue {
    ring: u64,
    cpl: u64,
    log2: u32,
    enabled: bool,
    /// Incremented at every enable: in-flight transfers of an older incarnation do not count.
    gen: u32,
    prod: u16,
    fetched: u16,
    cons: u16,
    errors: u32,
    drops: u32,
    /// Receive: fetched descriptors waiting for frames: (index, addr, len, status decided at
    /// fetch).
    posted: VecDeque<(u16, u64, u32, u8)>,
}

/// A transfer fetched in one `service` call and finished in the next.
struct Op {
    kind: QueueKind,
    q: usize,
    gen: u32,
    cpl: u64,
    log2: u32,
    index: u16,
    addr: u64,
    len: u32,
    /// A status decided at fetch time (validation, injected fault), else 0.
    status: u8,
    /// Receive: the frame.
    frame: Vec<u8>,
}

/// The software NIC. See the module documentation.
pub struct SoftNic {
    p: NicParams,
    dp: DataplaneParams,
    mem: Rc<RefCell<MemMap>>,
    next_iova: u64,
    overrides: HashMap<u16, u32>,
    active: usize,
    drop_mode: u32,
    scratch: u32,
    banks: [Bank; 2],
    staging: Vec<u32>,
    row_err: bool,
    counters: Vec<u64>,
    latched: u32,
    txq: Vec<SoftQueue>,
    rxq: Vec<SoftQueue>,
    inflight: Vec<Op>,
    ports: Vec<Vec<Vec<u8>>>,
    keep_tx: bool,
    rx_pending: Vec<VecDeque<Vec<u8>>>,
    faults: HashMap<(QueueKind, usize), VecDeque<u8>>,
    stuck_busy: bool,
    unmapped: u64,
    budget: usize,
    /// Counter indices: rx frames/bytes of the host ingress and of port 0, forwarded.
    c_host: (usize, usize),
    c_net0: (usize, usize),
    c_fwd: usize,
    /// tx frames, tx bytes counter index per target.
    c_tgt: Vec<(usize, usize)>,
}

fn slverr(addr: u16, why: impl Into<String>) -> DeviceError {
    DeviceError::Register {
        addr,
        reason: format!("SLVERR: {}", why.into()),
    }
}

impl SoftNic {
    /// A software NIC with the parameters of `p` (identity and DMA blocks report them).
    pub fn new(p: NicParams) -> SoftNic {
        let dp = DataplaneParams {
            net_ingress: p.ports,
            host_queues: p.txq(),
            ..p.dp.clone()
        };
        let rows = dp.sets * dp.buckets;
        let words = regmap::staging_words(&dp);
        let bank = Bank {
            bsl: regmap::bsl_code(dp.max_bsl).unwrap_or(1),
            sets: vec![0; dp.sets],
            tgt: vec![[0; 5]; dp.targets],
            rows: vec![vec![vec![0; words]; rows]; dp.targets],
            masks: vec![vec![0; words]; regmap::mask_rows(&dp)],
            ..Bank::default()
        };
        let idx = |c: Counter| c.index(&dp).unwrap_or(0);
        let c_tgt = (0..dp.targets)
            .map(|t| (idx(Counter::TxFrames(t)), idx(Counter::TxBytes(t))))
            .collect();
        SoftNic {
            c_host: (
                idx(Counter::RxFrames(dp.net_ingress)),
                idx(Counter::RxBytes(dp.net_ingress)),
            ),
            c_net0: (idx(Counter::RxFrames(0)), idx(Counter::RxBytes(0))),
            c_fwd: idx(Counter::Forwarded),
            c_tgt,
            counters: vec![0; regmap::counter_count(&dp)],
            staging: vec![0; words],
            banks: [bank.clone(), bank],
            txq: (0..p.txq()).map(|_| SoftQueue::default()).collect(),
            rxq: (0..p.rxq()).map(|_| SoftQueue::default()).collect(),
            ports: vec![Vec::new(); p.ports],
            rx_pending: vec![VecDeque::new(); p.rxq()],
            mem: Rc::new(RefCell::new(BTreeMap::new())),
            next_iova: 0x1_0000_0000,
            overrides: HashMap::new(),
            active: 0,
            drop_mode: 0,
            scratch: 0,
            row_err: false,
            latched: 0,
            inflight: Vec::new(),
            keep_tx: true,
            faults: HashMap::new(),
            stuck_busy: false,
            unmapped: 0,
            budget: 256,
            dp,
            p,
        }
    }

    /// The parameters it was built with.
    pub fn params(&self) -> &NicParams {
        &self.p
    }

    /// Makes reads of `addr` return `value` (to corrupt the block chain in tests).
    pub fn poke(&mut self, addr: u16, value: u32) {
        self.overrides.insert(addr, value);
    }

    /// Queues `frame` for receive queue `q`: written into its next posted buffer by a later
    /// [`Backend::service`] (the frame waits while no buffer is posted, as the data plane
    /// holds a lossless target). A disabled queue drops it and counts it in `Q_DROPS`.
    pub fn inject(&mut self, q: usize, frame: Vec<u8>) {
        let (f, b) = self.c_net0;
        self.counters[f] += 1;
        self.counters[b] += frame.len() as u64;
        if self.rxq[q].enabled {
            self.rx_pending[q].push_back(frame);
        } else {
            self.rxq[q].drops += 1;
        }
    }

    /// Frames waiting for a buffer on receive queue `q`.
    pub fn pending(&self, q: usize) -> usize {
        self.rx_pending[q].len()
    }

    /// The frames that left port `port` since the last call.
    pub fn take_port(&mut self, port: usize) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.ports[port])
    }

    /// Whether transmitted frames are kept for [`SoftNic::take_port`] (default) or only
    /// counted.
    pub fn set_keep_tx(&mut self, keep: bool) {
        self.keep_tx = keep;
    }

    /// The next descriptor processed on that queue completes with `status` (fault injection
    /// for statuses the driver cannot provoke, such as a misaligned address or a DMA error).
    pub fn inject_fault(&mut self, kind: QueueKind, q: usize, status: u8) {
        self.faults.entry((kind, q)).or_default().push_back(status);
    }

    /// Makes `DMA_STATUS` read busy forever (a hung engine).
    pub fn set_stuck_busy(&mut self, busy: bool) {
        self.stuck_busy = busy;
    }

    /// Descriptors fetched per queue per [`Backend::service`] call (default 256).
    pub fn set_fetch_budget(&mut self, n: usize) {
        self.budget = n.max(1);
    }

    /// DMA accesses to unmapped I/O addresses so far (0 for a DMA-safe driver).
    pub fn unmapped_accesses(&self) -> u64 {
        self.unmapped
    }

    /// DMA regions currently mapped.
    pub fn mapped_regions(&self) -> usize {
        self.mem.borrow().len()
    }

    /// Transfers fetched and not yet completed.
    pub fn in_flight(&self) -> usize {
        self.inflight.len()
    }

    fn translate(&self, iova: u64, len: usize) -> Option<*mut u8> {
        let m = self.mem.borrow();
        let (&base, &(ptr, rlen)) = m.range(..=iova).next_back()?;
        let off = (iova - base) as usize;
        (off.checked_add(len)? <= rlen).then(|| (ptr + off) as *mut u8)
    }

    fn dma_read(&mut self, iova: u64, dst: &mut [u8]) -> bool {
        match self.translate(iova, dst.len()) {
            Some(p) => {
                // SAFETY: `p..p+len` lies in a mapped region (translate checked the bounds);
                // regions are unmapped before they are freed, so it is live; the driver holds
                // no Rust reference into DMA memory (volatile accesses and copies only), and
                // everything runs on one thread.
                unsafe { std::ptr::copy_nonoverlapping(p, dst.as_mut_ptr(), dst.len()) };
                true
            }
            None => {
                self.unmapped += 1;
                false
            }
        }
    }

    fn dma_write(&mut self, iova: u64, src: &[u8]) -> bool {
        match self.translate(iova, src.len()) {
            Some(p) => {
                // SAFETY: as in dma_read.
                unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), p, src.len()) };
                true
            }
            None => {
                self.unmapped += 1;
                false
            }
        }
    }

    fn queue_of(addr: u16, base: u16, n: usize) -> Option<(usize, u16)> {
        let off = addr.checked_sub(base)?;
        let q = usize::from(off / dma::Q_STRIDE);
        (q < n).then_some((q, off % dma::Q_STRIDE))
    }

    fn queue_reg(&mut self, addr: u16) -> Option<(QueueKind, usize, u16)> {
        if let Some((q, r)) = Self::queue_of(addr, dma::TXQ_BASE, self.txq.len()) {
            return Some((QueueKind::Tx, q, r));
        }
        Self::queue_of(addr, dma::RXQ_BASE, self.rxq.len()).map(|(q, r)| (QueueKind::Rx, q, r))
    }

    fn queue(&mut self, kind: QueueKind, q: usize) -> &mut SoftQueue {
        match kind {
            QueueKind::Tx => &mut self.txq[q],
            QueueKind::Rx => &mut self.rxq[q],
        }
    }

    fn read_reg(&mut self, addr: u16) -> u32 {
        let shadow = 1 - self.active;
        let chain = |next: u16, ty: u32, ver: u32| -> [u32; 3] { [ty, ver, u32::from(next)] };
        let blocks = [
            (
                regmap::ID_BASE,
                chain(
                    regmap::CTRL_BASE,
                    regmap::ID_TYPE_VALUE,
                    regmap::ID_VERSION_VALUE,
                ),
            ),
            (
                regmap::CTRL_BASE,
                chain(
                    regmap::BIFT_BASE,
                    regmap::CTRL_TYPE_VALUE,
                    regmap::CTRL_VERSION_VALUE,
                ),
            ),
            (
                regmap::BIFT_BASE,
                chain(
                    regmap::CNT_BASE,
                    regmap::BIFT_TYPE_VALUE,
                    regmap::BIFT_VERSION_VALUE,
                ),
            ),
            (
                regmap::CNT_BASE,
                chain(
                    dma::DMA_BASE,
                    regmap::CNT_TYPE_VALUE,
                    regmap::CNT_VERSION_VALUE,
                ),
            ),
            (
                dma::DMA_BASE,
                chain(0, dma::DMA_TYPE_VALUE, dma::DMA_VERSION_VALUE),
            ),
        ];
        for (base, v) in blocks {
            if (base..base + 12).contains(&addr) {
                return v[usize::from((addr - base) / 4)];
            }
        }
        if let Some(&(_, v)) = regmap::identity(&self.dp).iter().find(|(a, _)| *a == addr) {
            return v;
        }
        let b = &self.banks[shadow];
        match addr {
            regmap::CTRL_COMMIT => return (self.active as u32) << 8,
            regmap::CTRL_DROP_MODE => return self.drop_mode,
            regmap::CTRL_SCRATCH => return self.scratch,
            regmap::BIFT_BSL => return b.bsl,
            regmap::BIFT_LOG2_BUCKETS => return b.log2_buckets,
            regmap::BIFT_EXCEPTION => return b.exception,
            regmap::BIFT_ROW_CMD => return u32::from(self.row_err) << 1,
            regmap::CNT_COUNT => return self.counters.len() as u32,
            dma::DMA_TXQ => return self.txq.len() as u32,
            dma::DMA_RXQ => return self.rxq.len() as u32,
            dma::DMA_PORTS => return self.p.ports as u32,
            dma::DMA_MAX_RING_LOG2 => return self.p.max_ring_log2,
            dma::DMA_STATUS => {
                return u32::from(self.stuck_busy || !self.inflight.is_empty());
            }
            _ => {}
        }
        if let Some(w) = self.word(addr, regmap::BIFT_STAGING, self.staging.len()) {
            return self.staging[w];
        }
        if let Some(s) = self.word(addr, regmap::BIFT_SETS, self.dp.sets) {
            return b.sets[s];
        }
        if let Some((t, r)) = self.target_of(addr) {
            return b.tgt[t][r];
        }
        if let Some(w) = self.word(addr, regmap::CNT_ARRAY, 2 * self.counters.len()) {
            if w % 2 == 0 {
                let v = self.counters[w / 2];
                self.latched = (v >> 32) as u32;
                return v as u32;
            }
            return self.latched;
        }
        if let Some((kind, q, r)) = self.queue_reg(addr) {
            let sq = self.queue(kind, q);
            return match r {
                dma::Q_RING_LO => sq.ring as u32,
                dma::Q_RING_HI => (sq.ring >> 32) as u32,
                dma::Q_CPL_LO => sq.cpl as u32,
                dma::Q_CPL_HI => (sq.cpl >> 32) as u32,
                dma::Q_CTRL => sq.log2 | if sq.enabled { dma::Q_CTRL_ENABLE } else { 0 },
                dma::Q_PROD => u32::from(sq.prod),
                dma::Q_CONS => u32::from(sq.cons),
                dma::Q_ERRORS => sq.errors,
                dma::Q_DROPS => sq.drops,
                _ => 0,
            };
        }
        0
    }

    /// Index `i` if `addr == base + 4*i` with `i < n`.
    fn word(&self, addr: u16, base: u16, n: usize) -> Option<usize> {
        let off = addr.checked_sub(base)?;
        (off % 4 == 0 && usize::from(off / 4) < n).then_some(usize::from(off / 4))
    }

    /// (target, register index 0..5) of a per-target register.
    fn target_of(&self, addr: u16) -> Option<(usize, usize)> {
        let off = addr.checked_sub(regmap::BIFT_TARGETS)?;
        let t = usize::from(off / regmap::BIFT_TARGET_STRIDE);
        let r = off % regmap::BIFT_TARGET_STRIDE;
        (t < self.dp.targets && r.is_multiple_of(4) && r <= regmap::TGT_NH_HI)
            .then_some((t, usize::from(r / 4)))
    }

    fn write_reg(&mut self, addr: u16, v: u32) -> Result<(), DeviceError> {
        let shadow = 1 - self.active;
        let targets = self.dp.targets;
        match addr {
            regmap::CTRL_COMMIT => {
                if v & 1 != 0 {
                    self.active = shadow;
                }
                return Ok(());
            }
            regmap::CTRL_CLEAR => {
                if v & 1 != 0 {
                    self.counters.iter_mut().for_each(|c| *c = 0);
                }
                return Ok(());
            }
            regmap::CTRL_DROP_MODE => {
                self.drop_mode = v & 0xFFFF;
                return Ok(());
            }
            regmap::CTRL_SCRATCH => {
                self.scratch = v;
                return Ok(());
            }
            regmap::BIFT_BSL => {
                let max = regmap::bsl_code(self.dp.max_bsl).unwrap_or(1);
                if !(1..=max).contains(&v) {
                    return Err(slverr(addr, format!("BSL code {v} not in 1..={max}")));
                }
                self.banks[shadow].bsl = v;
                return Ok(());
            }
            regmap::BIFT_LOG2_BUCKETS => {
                if v > self.dp.buckets.trailing_zeros() {
                    return Err(slverr(addr, format!("log2 buckets {v}")));
                }
                self.banks[shadow].log2_buckets = v;
                return Ok(());
            }
            regmap::BIFT_EXCEPTION => {
                if v & (1 << 31) != 0 && (v & 0xFF) as usize >= targets {
                    return Err(slverr(addr, format!("exception target {}", v & 0xFF)));
                }
                self.banks[shadow].exception = v & 0x8000_00FF;
                return Ok(());
            }
            regmap::BIFT_ROW_CMD => {
                let op = v >> regmap::ROW_CMD_OP_SHIFT;
                let t = ((v >> regmap::ROW_CMD_TARGET_SHIFT) & 0xFF) as usize;
                let row = (v & 0xFFFF) as usize;
                let bank = if v & (1 << regmap::ROW_CMD_ACTIVE_BIT) != 0 {
                    self.active
                } else {
                    shadow
                };
                if v & (1 << regmap::ROW_CMD_MASK_BIT) != 0 {
                    // isolation-mask row (the target field is ignored)
                    let ok = (op == regmap::ROW_OP_WRITE || op == regmap::ROW_OP_READ)
                        && row < regmap::mask_rows(&self.dp);
                    self.row_err = !ok;
                    if !ok {
                        return Err(slverr(addr, format!("mask row command 0x{v:08X}")));
                    }
                    if op == regmap::ROW_OP_WRITE {
                        self.banks[shadow].masks[row] = self.staging.clone();
                    } else {
                        self.staging = self.banks[bank].masks[row].clone();
                    }
                    return Ok(());
                }
                let ok = (op == regmap::ROW_OP_WRITE || op == regmap::ROW_OP_READ)
                    && t < targets
                    && row < self.dp.sets * self.dp.buckets;
                self.row_err = !ok;
                if !ok {
                    return Err(slverr(addr, format!("row command 0x{v:08X}")));
                }
                if op == regmap::ROW_OP_WRITE {
                    self.banks[shadow].rows[t][row] = self.staging.clone();
                } else {
                    self.staging = self.banks[bank].rows[t][row].clone();
                }
                return Ok(());
            }
            _ => {}
        }
        if let Some(w) = self.word(addr, regmap::BIFT_STAGING, self.staging.len()) {
            self.staging[w] = v;
            return Ok(());
        }
        if let Some(s) = self.word(addr, regmap::BIFT_SETS, self.dp.sets) {
            self.banks[shadow].sets[s] = v & 0x800F_FFFF;
            return Ok(());
        }
        if let Some((t, r)) = self.target_of(addr) {
            let mask = [0x7, u32::MAX, 0xFFFF, u32::MAX, 0xFFFF][r];
            self.banks[shadow].tgt[t][r] = v & mask;
            return Ok(());
        }
        if let Some((kind, q, r)) = self.queue_reg(addr) {
            return self.write_queue(addr, kind, q, r, v);
        }
        // Read-only or unmapped: ignored, OKAY.
        Ok(())
    }

    fn write_queue(
        &mut self,
        addr: u16,
        kind: QueueKind,
        q: usize,
        r: u16,
        v: u32,
    ) -> Result<(), DeviceError> {
        let max = self.p.max_ring_log2;
        let sq = self.queue(kind, q);
        let base_reg = matches!(
            r,
            dma::Q_RING_LO | dma::Q_RING_HI | dma::Q_CPL_LO | dma::Q_CPL_HI
        );
        if base_reg && sq.enabled {
            return Err(slverr(addr, "ring base written while the queue is enabled"));
        }
        if matches!(r, dma::Q_RING_LO | dma::Q_CPL_LO) && u64::from(v) % dma::RING_ALIGN != 0 {
            return Err(slverr(
                addr,
                format!("ring base 0x{v:08X} not 64-byte aligned"),
            ));
        }
        match r {
            dma::Q_RING_LO => sq.ring = (sq.ring & !0xFFFF_FFFF) | u64::from(v),
            dma::Q_RING_HI => sq.ring = (sq.ring & 0xFFFF_FFFF) | u64::from(v) << 32,
            dma::Q_CPL_LO => sq.cpl = (sq.cpl & !0xFFFF_FFFF) | u64::from(v),
            dma::Q_CPL_HI => sq.cpl = (sq.cpl & 0xFFFF_FFFF) | u64::from(v) << 32,
            dma::Q_CTRL => {
                let log2 = v & 0xF;
                if v & dma::Q_CTRL_ENABLE == 0 {
                    sq.enabled = false;
                    // Fetched receive descriptors without a frame are never written.
                    sq.posted.clear();
                } else if sq.enabled {
                    if log2 != sq.log2 {
                        return Err(slverr(addr, "ring size changed while enabled"));
                    }
                } else {
                    if !(2..=max).contains(&log2) {
                        return Err(slverr(addr, format!("ring size 2^{log2}")));
                    }
                    sq.log2 = log2;
                    sq.enabled = true;
                    sq.gen = sq.gen.wrapping_add(1);
                    sq.prod = 0;
                    sq.fetched = 0;
                    sq.cons = 0;
                }
            }
            dma::Q_PROD => {
                // As the RTL: bounded by the descriptors fetched (Q_CONS may lag the driver's
                // view of the completion ring); a disabled queue takes the write, and enabling
                // resets the index.
                let p = v as u16;
                let ahead = p.wrapping_sub(sq.fetched);
                if u32::from(ahead) > 1 << sq.log2 {
                    return Err(slverr(
                        addr,
                        format!(
                            "producer {p} is more than the ring size ahead of (or behind) the {} descriptors fetched",
                            sq.fetched
                        ),
                    ));
                }
                sq.prod = p;
            }
            _ => {}
        }
        Ok(())
    }

    /// Finishes the transfers fetched by the previous call.
    fn complete(&mut self) {
        let ops = std::mem::take(&mut self.inflight);
        for mut op in ops {
            let cpl_flags;
            let mut meta = [0u8; 12];
            let mut len = op.len;
            match op.kind {
                QueueKind::Tx => {
                    if op.status == 0 {
                        let mut data = vec![0u8; op.len as usize];
                        if self.dma_read(op.addr, &mut data) {
                            let port = op.q % self.p.ports;
                            let (hf, hb) = self.c_host;
                            let (tf, tb) = self.c_tgt[port];
                            self.counters[hf] += 1;
                            self.counters[hb] += u64::from(op.len);
                            self.counters[tf] += 1;
                            self.counters[tb] += u64::from(op.len);
                            self.counters[self.c_fwd] += 1;
                            if self.keep_tx {
                                self.ports[port].push(data);
                            }
                        } else {
                            op.status = dma::CPL_STATUS_DMA_ERROR;
                        }
                    }
                    cpl_flags = 0;
                }
                QueueKind::Rx => {
                    len = op.frame.len() as u32;
                    if op.status == 0 {
                        if op.len < len {
                            op.status = dma::CPL_STATUS_TOO_SMALL;
                        } else if self.dma_write(op.addr, &op.frame) {
                            let t = self.p.ports + op.q;
                            let (tf, tb) = self.c_tgt[t];
                            self.counters[tf] += 1;
                            self.counters[tb] += u64::from(len);
                            self.counters[self.c_fwd] += 1;
                        } else {
                            op.status = dma::CPL_STATUS_DMA_ERROR;
                        }
                    }
                    let (flags, m) = rx_meta(&op.frame);
                    cpl_flags = flags;
                    meta = m;
                }
            }
            let phase = if dma::expected_phase(op.index, op.log2) {
                dma::CPL_F_PHASE
            } else {
                0
            };
            let mut rec = [0u8; dma::CPL_BYTES];
            rec[dma::CPL_LEN..dma::CPL_LEN + 2].copy_from_slice(&(len as u16).to_le_bytes());
            rec[dma::CPL_STATUS] = op.status;
            rec[dma::CPL_FLAGS] = cpl_flags | phase;
            rec[dma::CPL_INDEX..dma::CPL_INDEX + 2].copy_from_slice(&op.index.to_le_bytes());
            rec[4..16].copy_from_slice(&{
                let mut m = meta;
                m[0..2].copy_from_slice(&op.index.to_le_bytes());
                m
            });
            let slot = usize::from(op.index & ((1u16 << op.log2) - 1));
            self.dma_write(op.cpl + (slot * dma::CPL_BYTES) as u64, &rec);
            let sq = self.queue(op.kind, op.q);
            if sq.gen == op.gen {
                sq.cons = sq.cons.wrapping_add(1);
                if op.status != 0 {
                    sq.errors = sq.errors.wrapping_add(1);
                }
            }
        }
    }

    /// Fetches descriptors of every enabled queue (bursts of up to 4, not across the ring's
    /// end) and starts transfers.
    fn fetch(&mut self) {
        let db = self.dp.data_bytes as u64;
        for kind in [QueueKind::Tx, QueueKind::Rx] {
            let n = match kind {
                QueueKind::Tx => self.txq.len(),
                QueueKind::Rx => self.rxq.len(),
            };
            for q in 0..n {
                let mut budget = self.budget;
                loop {
                    let sq = self.queue(kind, q);
                    if !sq.enabled || sq.fetched == sq.prod || budget == 0 {
                        break;
                    }
                    let size = 1u16 << sq.log2;
                    let slot = sq.fetched & (size - 1);
                    let burst = sq
                        .prod
                        .wrapping_sub(sq.fetched)
                        .min(size - slot)
                        .min(4)
                        .min(budget as u16);
                    let (ring, first, gen, cpl, log2) =
                        (sq.ring, sq.fetched, sq.gen, sq.cpl, sq.log2);
                    sq.fetched = sq.fetched.wrapping_add(burst);
                    budget -= usize::from(burst);
                    let mut raw = vec![0u8; usize::from(burst) * dma::DESC_BYTES];
                    let ok =
                        self.dma_read(ring + u64::from(slot) * dma::DESC_BYTES as u64, &mut raw);
                    for i in 0..usize::from(burst) {
                        let d = &raw[i * 16..i * 16 + 16];
                        let addr = u64::from_le_bytes(d[0..8].try_into().unwrap_or_default());
                        let len = u32::from_le_bytes(d[8..12].try_into().unwrap_or_default());
                        let index = first.wrapping_add(i as u16);
                        let mut status = self
                            .faults
                            .get_mut(&(kind, q))
                            .and_then(|f| f.pop_front())
                            .unwrap_or(0);
                        if !ok && status == 0 {
                            status = dma::CPL_STATUS_DMA_ERROR;
                        }
                        if status == 0 && kind == QueueKind::Tx && (len == 0 || len > MAX_FRAME) {
                            status = dma::CPL_STATUS_BAD_LENGTH;
                        }
                        if status == 0 && addr % db != 0 {
                            status = dma::CPL_STATUS_BAD_ADDRESS;
                        }
                        let op = Op {
                            kind,
                            q,
                            gen,
                            cpl,
                            log2,
                            index,
                            addr,
                            len,
                            status,
                            frame: Vec::new(),
                        };
                        match kind {
                            QueueKind::Tx => self.inflight.push(op),
                            // Kept with its status until a frame arrives.
                            QueueKind::Rx => {
                                self.rxq[q].posted.push_back((index, addr, len, status))
                            }
                        }
                    }
                }
            }
        }
        // Receive: pair waiting frames with posted buffers.
        for q in 0..self.rxq.len() {
            while !self.rx_pending[q].is_empty() && !self.rxq[q].posted.is_empty() {
                let frame = self.rx_pending[q].pop_front().unwrap_or_default();
                let (index, addr, len, status) = self.rxq[q].posted.pop_front().unwrap_or_default();
                let sq = &self.rxq[q];
                let (gen, cpl, log2) = (sq.gen, sq.cpl, sq.log2);
                self.inflight.push(Op {
                    kind: QueueKind::Rx,
                    q,
                    gen,
                    cpl,
                    log2,
                    index,
                    addr,
                    len,
                    status,
                    frame,
                });
            }
        }
    }
}

/// Completion flags and bytes 4..16 (index left 0) of a received frame's completion.
fn rx_meta(frame: &[u8]) -> (u8, [u8; 12]) {
    let mut m = [0u8; 12];
    let mut flags = 0;
    let Some(l2) = bier::wire::parse_l2(frame) else {
        return (flags, m);
    };
    if l2.vlan_tci.is_some() {
        flags |= dma::CPL_F_VLAN;
    }
    if l2.ethertype != bier::wire::ETHERTYPE_BIER {
        return (flags, m);
    }
    let Some(hdr) = frame.get(l2.offset..l2.offset + bier::wire::HEADER_LEN) else {
        return (flags, m);
    };
    let h = bier::wire::Header::new_unchecked(hdr);
    flags |= dma::CPL_F_BIER;
    m[2..4].copy_from_slice(&h.bfir_id().to_le_bytes());
    let e = h.entropy() | u32::from(h.proto()) << 20 | u32::from(h.bsl_code()) << 26;
    m[4..8].copy_from_slice(&e.to_le_bytes());
    m[8..12].copy_from_slice(&h.bift_id().to_le_bytes());
    (flags, m)
}

impl Backend for SoftNic {
    fn read32(&mut self, addr: u16) -> Result<u32, DeviceError> {
        if !addr.is_multiple_of(4) {
            return Err(slverr(addr, "unaligned register address"));
        }
        if let Some(&v) = self.overrides.get(&addr) {
            return Ok(v);
        }
        Ok(self.read_reg(addr))
    }

    fn write32(&mut self, addr: u16, value: u32) -> Result<(), DeviceError> {
        if !addr.is_multiple_of(4) {
            return Err(slverr(addr, "unaligned register address"));
        }
        self.write_reg(addr, value)
    }

    fn alloc_dma(&mut self, len: usize) -> Result<DmaRegion, DeviceError> {
        let iova = self.next_iova;
        let mem = heap_region(len, iova)?;
        let (ptr, rlen) = (mem.as_ptr(), mem.len());
        // Leave an unmapped page between regions, so that overruns fault.
        self.next_iova += rlen as u64 + 4096;
        self.mem.borrow_mut().insert(iova, (ptr as usize, rlen));
        let owner = SoftRegion {
            map: Rc::downgrade(&self.mem),
            iova,
            _mem: mem,
        };
        let virt = std::ptr::NonNull::new(ptr)
            .ok_or_else(|| DeviceError::Dma("null DMA region".into()))?;
        // SAFETY: `ptr..ptr+rlen` is the heap memory owned by `owner._mem`, valid for as long
        // as the owner lives; the device side reaches it at `iova` through the table above,
        // which the owner updates before the memory is freed. No Rust references to it exist.
        Ok(unsafe { DmaRegion::new(virt, rlen, iova, Box::new(owner)) })
    }

    fn service(&mut self) -> Result<(), DeviceError> {
        self.complete();
        self.fetch();
        Ok(())
    }

    fn describe(&self) -> String {
        format!(
            "soft ({} B data, {} ports, {} txq, {} rxq; software device for tests)",
            self.dp.data_bytes,
            self.p.ports,
            self.txq.len(),
            self.rxq.len()
        )
    }
}
