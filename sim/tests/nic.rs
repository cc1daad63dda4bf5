//! The NIC core through its rings: a tiny register-level driver written against
//! `regmap::dma`, host memory as a flat array, frames checked byte for byte.

use biernic_sim::regmap::{self, dma as m};
use biernic_sim::{Build, HostMemory, MemFault, Nic};
use std::cell::RefCell;
use std::rc::Rc;

const BASE: u64 = 0x1000_0000;
const SIZE: usize = 1 << 20;

#[derive(Clone)]
struct Flat(Rc<RefCell<Vec<u8>>>);

impl HostMemory for Flat {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), MemFault> {
        let mem = self.0.borrow();
        let off = addr.checked_sub(BASE).ok_or(MemFault { addr })? as usize;
        let src = mem.get(off..off + buf.len()).ok_or(MemFault { addr })?;
        buf.copy_from_slice(src);
        Ok(())
    }
    fn write(&mut self, addr: u64, data: &[u8], strobe: &[bool]) -> Result<(), MemFault> {
        let mut mem = self.0.borrow_mut();
        let off = addr.checked_sub(BASE).ok_or(MemFault { addr })? as usize;
        if off + data.len() > mem.len() {
            return Err(MemFault { addr });
        }
        for (i, (b, s)) in data.iter().zip(strobe).enumerate() {
            if *s {
                mem[off + i] = *b;
            }
        }
        Ok(())
    }
}

impl Flat {
    fn put(&self, addr: u64, bytes: &[u8]) {
        let off = (addr - BASE) as usize;
        self.0.borrow_mut()[off..off + bytes.len()].copy_from_slice(bytes);
    }
    fn get(&self, addr: u64, n: usize) -> Vec<u8> {
        let off = (addr - BASE) as usize;
        self.0.borrow()[off..off + n].to_vec()
    }
}

/// A BIER frame (BSL 256) with BIFT-id `bift`, BitString bits `bits` (positions 1..=256).
fn frame(bift: u32, bits: &[usize], entropy: u32, bfir: u16, payload: usize) -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 0xAA, 0x02, 0, 0, 0, 0, 0xBB, 0xAB, 0x37];
    f.extend_from_slice(&[
        (bift >> 12) as u8,
        (bift >> 4) as u8,
        ((bift & 0xF) << 4) as u8 | 1,
        64,
    ]);
    f.extend_from_slice(&[
        0x50,
        0x30 | ((entropy >> 16) as u8 & 0xF),
        (entropy >> 8) as u8,
        entropy as u8,
    ]);
    f.extend_from_slice(&[0, 4, (bfir >> 8) as u8, bfir as u8]);
    let mut bs = [0u8; 32];
    for &b in bits {
        bs[31 - (b - 1) / 8] |= 1 << ((b - 1) % 8);
    }
    f.extend_from_slice(&bs);
    f.extend((0..payload).map(|i| i as u8));
    f
}

/// Loads a one-set BIFT into the narrow NIC: port 0 gets BFR-ids 3..=4, port 1 5, receive
/// queue 0 (target 2) BFR-id 1, receive queue 1 (target 3) BFR-id 2.
fn load_bift(nic: &mut Nic, bift: u32) {
    let p = nic.params().dp.clone();
    nic.axil_write(regmap::BIFT_BSL, 3).unwrap();
    nic.axil_write(regmap::BIFT_LOG2_BUCKETS, 0).unwrap();
    nic.axil_write(regmap::set_reg(0), 1 << 31 | bift).unwrap();
    let rows: [(usize, &[usize]); 4] = [(0, &[3, 4]), (1, &[5]), (2, &[1]), (3, &[2])];
    for (t, pos) in rows {
        for (w, v) in regmap::fbm_to_words(&p, 256, pos).iter().enumerate() {
            nic.axil_write(regmap::staging_reg(w), *v).unwrap();
        }
        nic.axil_write(
            regmap::BIFT_ROW_CMD,
            regmap::row_cmd(regmap::ROW_OP_WRITE, t, 0, false),
        )
        .unwrap();
        let cfg = if t >= 2 { regmap::TGT_CFG_LOCAL } else { 0 };
        nic.axil_write(regmap::target_reg(t, regmap::TGT_CFG), cfg)
            .unwrap();
    }
    // isolation masks (all zero after reset: deny all): every transmit queue may reach every
    // BFR-id of set slot 0
    let all: Vec<usize> = (1..=256).collect();
    for q in 0..nic.params().txq() {
        for (w, v) in regmap::fbm_to_words(&p, 256, &all).iter().enumerate() {
            nic.axil_write(regmap::staging_reg(w), *v).unwrap();
        }
        nic.axil_write(
            regmap::BIFT_ROW_CMD,
            regmap::mask_row_cmd(regmap::ROW_OP_WRITE, regmap::mask_row(&p, q, 0), false),
        )
        .unwrap();
    }
    nic.axil_write(regmap::CTRL_COMMIT, 1).unwrap();
    for _ in 0..100 {
        if nic.axil_read(regmap::CTRL_COMMIT).unwrap() & 1 == 0 {
            return;
        }
    }
    panic!("commit did not finish");
}

fn setup(reg: fn(usize, u16) -> u16, nic: &mut Nic, q: usize, ring: u64, cpl: u64, log2: u32) {
    nic.axil_write(reg(q, m::Q_RING_LO), ring as u32).unwrap();
    nic.axil_write(reg(q, m::Q_RING_HI), (ring >> 32) as u32)
        .unwrap();
    nic.axil_write(reg(q, m::Q_CPL_LO), cpl as u32).unwrap();
    nic.axil_write(reg(q, m::Q_CPL_HI), (cpl >> 32) as u32)
        .unwrap();
    nic.axil_write(reg(q, m::Q_CTRL), m::Q_CTRL_ENABLE | log2)
        .unwrap();
}

fn desc(mem: &Flat, ring: u64, i: usize, addr: u64, len: u32) {
    let mut d = addr.to_le_bytes().to_vec();
    d.extend_from_slice(&len.to_le_bytes());
    d.extend_from_slice(&0u32.to_le_bytes());
    mem.put(ring + 16 * i as u64, &d);
}

fn new_nic() -> (Nic, Flat) {
    let mem = Flat(Rc::new(RefCell::new(vec![0; SIZE])));
    let nic = Nic::new(Build::NicNarrow, Box::new(mem.clone()), 7).unwrap();
    (nic, mem)
}

#[test]
fn register_chain_reaches_the_dma_block() {
    let (mut nic, _) = new_nic();
    assert_eq!(
        nic.axil_read(regmap::ID_BASE).unwrap(),
        regmap::ID_TYPE_VALUE
    );
    assert_eq!(
        nic.axil_read(regmap::CNT_BASE + regmap::BLOCK_NEXT)
            .unwrap(),
        u32::from(m::DMA_BASE)
    );
    assert_eq!(nic.axil_read(m::DMA_BASE).unwrap(), m::DMA_TYPE_VALUE);
    assert_eq!(nic.axil_read(m::DMA_TXQ).unwrap(), 2);
    assert_eq!(nic.axil_read(m::DMA_RXQ).unwrap(), 2);
    assert_eq!(nic.axil_read(m::DMA_PORTS).unwrap(), 2);
    assert_eq!(nic.axil_read(m::DMA_BASE + regmap::BLOCK_NEXT).unwrap(), 0);
    // a misaligned ring base and a too-small ring are refused
    assert!(nic
        .axil_write(m::txq_reg(0, m::Q_RING_LO), 0x1000_0008)
        .is_err());
    assert!(nic
        .axil_write(m::txq_reg(0, m::Q_CTRL), m::Q_CTRL_ENABLE | 1)
        .is_err());
    assert!(nic
        .axil_write(m::txq_reg(0, m::Q_CTRL), m::Q_CTRL_ENABLE | 13)
        .is_err());
    // scratch through the split still works
    nic.axil_write(regmap::CTRL_SCRATCH, 0x1234_5678).unwrap();
    assert_eq!(nic.axil_read(regmap::CTRL_SCRATCH).unwrap(), 0x1234_5678);
}

#[test]
fn transmit_ring_to_port_and_local_queue_with_completions() {
    let (mut nic, mem) = new_nic();
    load_bift(&mut nic, 0x3_0001);
    let (ring, cpl, rx_ring, rx_cpl) = (BASE, BASE + 0x1000, BASE + 0x2000, BASE + 0x3000);
    setup(m::rxq_reg, &mut nic, 0, rx_ring, rx_cpl, 2);
    for i in 0..4 {
        desc(&mem, rx_ring, i, BASE + 0x10000 + 0x4000 * i as u64, 0x4000);
    }
    nic.axil_write(m::rxq_reg(0, m::Q_PROD), 4).unwrap();
    setup(m::txq_reg, &mut nic, 0, ring, cpl, 2);
    // six frames through a 4-entry ring: wraps, so the phase flips
    let mut sent = Vec::new();
    for k in 0..6usize {
        let f = frame(0x3_0001, &[1, 3, 9], 0x12345 + k as u32, 77, 40 + 100 * k);
        let slot = k % 4;
        let buf = BASE + 0x40000 + 0x4000 * slot as u64;
        mem.put(buf, &f);
        desc(&mem, ring, slot, buf, f.len() as u32);
        nic.axil_write(m::txq_reg(0, m::Q_PROD), (k + 1) as u32)
            .unwrap();
        // wait for its completion (phase bit) before reusing the slot
        let want_phase = if k < 4 { 0x80 } else { 0 };
        let mut ok = false;
        for _ in 0..20000 {
            nic.step().unwrap();
            let c = mem.get(cpl + 16 * slot as u64, 16);
            if c[3] & 0x80 == want_phase && u16::from_le_bytes([c[4], c[5]]) == k as u16 {
                assert_eq!(c[2], m::CPL_STATUS_OK, "frame {k} status");
                assert_eq!(u16::from_le_bytes([c[0], c[1]]) as usize, f.len());
                ok = true;
                break;
            }
        }
        assert!(ok, "no completion for frame {k}");
        sent.push(f);
    }
    nic.run(3000).unwrap();
    assert_eq!(nic.axil_read(m::txq_reg(0, m::Q_CONS)).unwrap(), 6);
    assert_eq!(nic.axil_read(m::txq_reg(0, m::Q_ERRORS)).unwrap(), 0);
    // port 0 got each frame with BitString AND F-BM(port 0) = {3} and TTL-1
    let out = nic.take_port_frames(0).unwrap();
    assert_eq!(out.len(), 6);
    for (o, f) in out.iter().zip(&sent) {
        let mut want = f.clone();
        want[17] -= 1;
        let mut bs = [0u8; 32];
        bs[31] = 1 << 2;
        want[26..58].copy_from_slice(&bs);
        assert_eq!(o.data, want);
    }
    assert!(nic.take_port_frames(1).unwrap().is_empty());
    // local queue 0 got each frame (BitString {1}), with metadata in the completions
    assert_eq!(
        nic.axil_read(m::rxq_reg(0, m::Q_CONS)).unwrap(),
        4,
        "4 buffers posted"
    );
    for (i, sent_i) in sent.iter().enumerate().take(4) {
        let c = mem.get(rx_cpl + 16 * i as u64, 16);
        assert_eq!(c[2], m::CPL_STATUS_OK);
        assert_eq!(c[3], m::CPL_F_PHASE | m::CPL_F_BIER);
        let len = u16::from_le_bytes([c[0], c[1]]) as usize;
        assert_eq!(len, sent_i.len());
        assert_eq!(u16::from_le_bytes([c[6], c[7]]), 77, "BFIR-id");
        let ent = u32::from_le_bytes([c[8], c[9], c[10], c[11]]);
        assert_eq!(ent & 0xF_FFFF, 0x12345 + i as u32);
        assert_eq!((ent >> 20) & 0x3F, 4, "proto");
        assert_eq!(ent >> 26, 3, "BSL code");
        assert_eq!(u32::from_le_bytes([c[12], c[13], c[14], c[15]]), 0x3_0001);
        let got = mem.get(BASE + 0x10000 + 0x4000 * i as u64, len);
        let mut want = sent_i.clone();
        let mut bs = [0u8; 32];
        bs[31] = 1;
        want[26..58].copy_from_slice(&bs);
        assert_eq!(got, want, "local copy {i}");
    }
    // two more copies wait for buffers (lossless): post them
    for i in 0..2 {
        desc(&mem, rx_ring, i, BASE + 0x80000 + 0x4000 * i as u64, 0x4000);
    }
    nic.axil_write(m::rxq_reg(0, m::Q_PROD), 6).unwrap();
    nic.run(3000).unwrap();
    assert_eq!(nic.axil_read(m::rxq_reg(0, m::Q_CONS)).unwrap(), 6);
    let c = mem.get(rx_cpl, 16);
    assert_eq!(c[3] & 0x80, 0, "second pass: phase 0");
    assert_eq!(mem.get(BASE + 0x80000, sent[4].len())[58..], sent[4][58..]);
}

#[test]
fn queue_errors_are_reported_and_the_queue_keeps_running() {
    let (mut nic, mem) = new_nic();
    load_bift(&mut nic, 0x3_0001);
    let (ring, cpl) = (BASE, BASE + 0x1000);
    setup(m::txq_reg, &mut nic, 1, ring, cpl, 3);
    let good = frame(0x3_0001, &[3], 1, 1, 100);
    mem.put(BASE + 0x40000, &good);
    desc(&mem, ring, 0, BASE + 0x40000, 0); // zero length
    desc(&mem, ring, 1, BASE + 0x40000, 9019); // oversize
    desc(&mem, ring, 2, BASE + 0x40001, good.len() as u32); // misaligned
    desc(&mem, ring, 3, 0x10, good.len() as u32); // unmapped: DMA error
    desc(&mem, ring, 4, BASE + 0x40000, good.len() as u32); // fine
    nic.axil_write(m::txq_reg(1, m::Q_PROD), 5).unwrap();
    nic.run(5000).unwrap();
    let status: Vec<u8> = (0..5).map(|i| mem.get(cpl + 16 * i, 16)[2]).collect();
    assert_eq!(
        status,
        vec![
            m::CPL_STATUS_BAD_LENGTH,
            m::CPL_STATUS_BAD_LENGTH,
            m::CPL_STATUS_BAD_ADDRESS,
            m::CPL_STATUS_DMA_ERROR,
            m::CPL_STATUS_OK
        ]
    );
    assert_eq!(nic.axil_read(m::txq_reg(1, m::Q_ERRORS)).unwrap(), 4);
    assert_eq!(nic.axil_read(m::txq_reg(1, m::Q_CONS)).unwrap(), 5);
    let out = nic.take_port_frames(0).unwrap();
    assert_eq!(
        out.len(),
        1,
        "only the good frame left; the faulted one was rolled back"
    );
    assert_eq!(out[0].data[58..], good[58..]);
    // a doorbell beyond the ring size is refused
    assert!(nic.axil_write(m::txq_reg(1, m::Q_PROD), 5 + 9).is_err());
    // receive: a buffer too small for the frame, then a good one
    setup(m::rxq_reg, &mut nic, 1, BASE + 0x2000, BASE + 0x3000, 2);
    desc(&mem, BASE + 0x2000, 0, BASE + 0x10000, 64);
    desc(&mem, BASE + 0x2000, 1, BASE + 0x14000, 4096);
    nic.axil_write(m::rxq_reg(1, m::Q_PROD), 2).unwrap();
    let big = frame(0x3_0001, &[2], 5, 9, 200);
    nic.inject(0, big.clone()).unwrap();
    nic.inject(1, big.clone()).unwrap();
    nic.run(4000).unwrap();
    let c0 = mem.get(BASE + 0x3000, 16);
    let c1 = mem.get(BASE + 0x3010, 16);
    assert_eq!(c0[2], m::CPL_STATUS_TOO_SMALL);
    assert_eq!(u16::from_le_bytes([c0[0], c0[1]]) as usize, big.len());
    assert_eq!(c1[2], m::CPL_STATUS_OK);
    assert_eq!(mem.get(BASE + 0x14000, big.len()), big);
    assert_eq!(
        mem.get(BASE + 0x10000 + 64, 16),
        vec![0; 16],
        "nothing written past the small buffer"
    );
    assert_eq!(nic.axil_read(m::rxq_reg(1, m::Q_ERRORS)).unwrap(), 1);
    // a disabled receive queue drops and counts instead of holding the data plane
    nic.inject(0, frame(0x3_0001, &[1], 5, 9, 20)).unwrap();
    nic.run(2000).unwrap();
    assert_eq!(nic.axil_read(m::rxq_reg(0, m::Q_DROPS)).unwrap(), 1);
}

/// Every check a queue-register write makes, on every transmit and receive queue: refused
/// writes answer SLVERR and change nothing (this queue's or another's), accepted ones take
/// effect on the addressed queue only.
#[test]
fn queue_register_writes_are_checked_per_queue() {
    let (mut nic, _) = new_nic();
    let ntx = nic.axil_read(m::DMA_TXQ).unwrap() as usize;
    let nrx = nic.axil_read(m::DMA_RXQ).unwrap() as usize;
    let max = nic.axil_read(m::DMA_MAX_RING_LOG2).unwrap();
    let queues: Vec<u16> = (0..ntx)
        .map(|q| m::txq_reg(q, 0))
        .chain((0..nrx).map(|q| m::rxq_reg(q, 0)))
        .collect();
    // a distinct ring and completion base per queue
    let lo = |i: usize| 0x1000_0000 + 0x1_0000 * i as u32;
    for (i, &b) in queues.iter().enumerate() {
        nic.axil_write(b + m::Q_RING_LO, lo(i)).unwrap();
        nic.axil_write(b + m::Q_RING_HI, i as u32).unwrap();
        nic.axil_write(b + m::Q_CPL_LO, lo(i) + 0x8000).unwrap();
        nic.axil_write(b + m::Q_CPL_HI, 0x100 + i as u32).unwrap();
    }
    let state = |nic: &mut Nic| -> Vec<[u32; 6]> {
        queues
            .iter()
            .map(|&b| {
                [
                    m::Q_RING_LO,
                    m::Q_RING_HI,
                    m::Q_CPL_LO,
                    m::Q_CPL_HI,
                    m::Q_CTRL,
                    m::Q_PROD,
                ]
                .map(|r| nic.axil_read(b + r).unwrap())
            })
            .collect()
    };
    let mut want = state(&mut nic);
    for (i, w) in want.iter().enumerate() {
        assert_eq!(
            *w,
            [lo(i), i as u32, lo(i) + 0x8000, 0x100 + i as u32, 0, 0]
        );
    }
    for (i, &b) in queues.iter().enumerate() {
        let refused = |nic: &mut Nic, reg: u16, v: u32, what: &str| {
            assert!(
                nic.axil_write(b + reg, v).is_err(),
                "queue block {b:#x}: {what} accepted"
            );
        };
        // disabled: base addresses must be 64-byte aligned; the ring size must be in range
        refused(&mut nic, m::Q_RING_LO, lo(i) + 0x20, "misaligned ring");
        refused(
            &mut nic,
            m::Q_CPL_LO,
            lo(i) + 1,
            "misaligned completion ring",
        );
        refused(
            &mut nic,
            m::Q_CTRL,
            m::Q_CTRL_ENABLE | 1,
            "ring of 2 entries",
        );
        refused(
            &mut nic,
            m::Q_CTRL,
            m::Q_CTRL_ENABLE | (max + 1),
            "ring too large",
        );
        assert_eq!(state(&mut nic), want, "a refused write changed something");
        // accepted: the new bases, then enabled with 16 entries
        nic.axil_write(b + m::Q_RING_LO, lo(i) + 0x40).unwrap();
        nic.axil_write(b + m::Q_CPL_HI, 0x200 + i as u32).unwrap();
        nic.axil_write(b + m::Q_CTRL, m::Q_CTRL_ENABLE | 4).unwrap();
        want[i][0] = lo(i) + 0x40;
        want[i][3] = 0x200 + i as u32;
        want[i][4] = m::Q_CTRL_ENABLE | 4;
        assert_eq!(state(&mut nic), want, "accepted writes, queue block {b:#x}");
        // enabled: the bases and the control are locked; the doorbell may run at most a
        // ring ahead of the descriptors fetched (none here)
        refused(
            &mut nic,
            m::Q_RING_LO,
            lo(i) + 0x80,
            "ring base while enabled",
        );
        refused(&mut nic, m::Q_RING_HI, 7, "ring base (high) while enabled");
        refused(
            &mut nic,
            m::Q_CPL_LO,
            lo(i) + 0x80,
            "completion base while enabled",
        );
        refused(
            &mut nic,
            m::Q_CPL_HI,
            7,
            "completion base (high) while enabled",
        );
        refused(
            &mut nic,
            m::Q_CTRL,
            m::Q_CTRL_ENABLE | 5,
            "enable while enabled",
        );
        refused(&mut nic, m::Q_PROD, 17, "doorbell beyond the ring");
        assert_eq!(state(&mut nic), want, "a refused write changed something");
        // disabled again, the bases are writable
        nic.axil_write(b + m::Q_CTRL, 0).unwrap();
        nic.axil_write(b + m::Q_RING_HI, 0x300 + i as u32).unwrap();
        want[i][1] = 0x300 + i as u32;
        want[i][4] = 4;
        assert_eq!(state(&mut nic), want, "disabled, queue block {b:#x}");
    }
}
