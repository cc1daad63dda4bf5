//! The AXI4-Lite register map of `biernic_dataplane`: the one definition used by the RTL address
//! decoder (which is generated from these constants), the simulator, the driver and the docs.
//!
//! Plain Rust only (no rust-hdl types). All registers are 32 bits wide, little-endian, at 4-byte
//! aligned byte addresses inside a 64 KiB (16-bit) window.
//!
//! The map is a chain of self-describing blocks (Corundum style). Every block starts with
//! [`BLOCK_TYPE`] (a type id), [`BLOCK_VERSION`] and [`BLOCK_NEXT`] (the byte offset of the
//! next block, 0 at the end of the chain). The chain starts at offset 0 with the identity block.
//!
//! Write semantics: writes to read-only or unmapped addresses are ignored and answered with
//! OKAY; writes with an out-of-range value (BSL code, bucket count, target or row index) are
//! ignored and answered with SLVERR; writes into the shadow BIFT bank while a bank swap is
//! still draining ([`CTRL_COMMIT`] bit 0 set) are ignored and answered with SLVERR.
//! Reads of unmapped addresses return 0 with OKAY.

use crate::DataplaneParams;

pub mod dma;

/// Offset of the type id inside every block.
pub const BLOCK_TYPE: u16 = 0x00;
/// Offset of the version inside every block (major << 16 | minor).
pub const BLOCK_VERSION: u16 = 0x04;
/// Offset of the "next block" pointer inside every block (absolute byte address, 0 = last).
pub const BLOCK_NEXT: u16 = 0x08;

// ---------------------------------------------------------------------------------------------
// Identity block
// ---------------------------------------------------------------------------------------------

/// Base of the identity block.
pub const ID_BASE: u16 = 0x0000;
/// Type id of the identity block ("BIER").
pub const ID_TYPE_VALUE: u32 = 0x4249_4552;
/// Version of the identity block.
pub const ID_VERSION_VALUE: u32 = 0x0001_0000;
/// Data path width in bytes (8 * this = tdata width).
pub const ID_DATA_BYTES: u16 = ID_BASE + 0x0C;
/// Largest supported BitString length in bits.
pub const ID_MAX_BSL: u16 = ID_BASE + 0x10;
/// Number of egress targets.
pub const ID_TARGETS: u16 = ID_BASE + 0x14;
/// Number of network ingresses (the host ingress is source index `net_ingress`).
pub const ID_NET_INGRESS: u16 = ID_BASE + 0x18;
/// Number of set slots per BIFT bank.
pub const ID_SETS: u16 = ID_BASE + 0x1C;
/// Number of ECMP buckets per set (build maximum; a power of two).
pub const ID_BUCKETS: u16 = ID_BASE + 0x20;
/// Depth of every egress FIFO in beats.
pub const ID_EGRESS_FIFO_BEATS: u16 = ID_BASE + 0x24;
/// Number of 64-bit counters in the counter block.
pub const ID_COUNTERS: u16 = ID_BASE + 0x28;

// ---------------------------------------------------------------------------------------------
// Control block
// ---------------------------------------------------------------------------------------------

/// Base of the control block.
pub const CTRL_BASE: u16 = 0x0100;
/// Type id of the control block.
pub const CTRL_TYPE_VALUE: u32 = 0x4249_0001;
/// Version of the control block.
pub const CTRL_VERSION_VALUE: u32 = 0x0001_0000;
/// Bank commit. Write with bit 0 set: swap the active and shadow BIFT banks (takes effect for
/// the next frame that enters the lookup). Read: bit 0 = swap draining (frames that use the old
/// bank are still in flight; the shadow bank is read-only until it clears), bits 8 = index of
/// the active bank.
pub const CTRL_COMMIT: u16 = CTRL_BASE + 0x0C;
/// Counter clear. Write with bit 0 set: all counters become 0. Reads 0.
pub const CTRL_CLEAR: u16 = CTRL_BASE + 0x10;
/// Per-target egress mode (RW, not banked). Bit t = 1: target t drops a copy when its FIFO
/// cannot take the whole frame (counted in `stall_drops[t]`); 0 (default): lossless
/// backpressure.
pub const CTRL_DROP_MODE: u16 = CTRL_BASE + 0x14;
/// Scratch register (RW), for bus tests.
pub const CTRL_SCRATCH: u16 = CTRL_BASE + 0x18;
/// Status (RO), sticky since reset, design errors that are never expected: bit 0 = an egress
/// FIFO overflowed; bit 1 = the replicator read the frame buffer while it was empty (it reads
/// only frames whose beats are all written, without checking the buffer).
pub const CTRL_STATUS: u16 = CTRL_BASE + 0x1C;

// ---------------------------------------------------------------------------------------------
// BIFT block (the shadow bank)
// ---------------------------------------------------------------------------------------------

/// Base of the BIFT block. All its registers address the **shadow** bank.
pub const BIFT_BASE: u16 = 0x1000;
/// Type id of the BIFT block.
pub const BIFT_TYPE_VALUE: u32 = 0x4249_0002;
/// Version of the BIFT block.
pub const BIFT_VERSION_VALUE: u32 = 0x0001_0000;
/// BSL code of the bank (RW, bits 2:0; 1..=code of `max_bsl`, other values: SLVERR).
pub const BIFT_BSL: u16 = BIFT_BASE + 0x0C;
/// log2 of the configured ECMP bucket count (RW, bits 3:0; 0..=log2(buckets)).
pub const BIFT_LOG2_BUCKETS: u16 = BIFT_BASE + 0x10;
/// Exception target (RW): bit 31 = enable, bits 7:0 = target index (< targets).
pub const BIFT_EXCEPTION: u16 = BIFT_BASE + 0x14;
/// F-BM row command (write). Bits 31:30 = op ([`ROW_OP_WRITE`] copies the staging row into
/// the shadow bank, [`ROW_OP_READ`] copies a row into the staging row), bit 29 = read from the
/// active bank instead of the shadow bank (read op only), bit 28 ([`ROW_CMD_MASK_BIT`]) = the
/// row is an isolation-mask row instead of an F-BM row, bits 23:16 = target (ignored for mask
/// rows), bits 15:0 = row (F-BM: `set * buckets + bucket`, with the build's `buckets`; mask:
/// `queue * sets + slot`, see [`mask_row`]). Read: bit 0 = command busy, bit 1 = the last
/// command was rejected (out of range).
pub const BIFT_ROW_CMD: u16 = BIFT_BASE + 0x18;
/// [`BIFT_ROW_CMD`] op: staging row -> F-BM row of the shadow bank.
pub const ROW_OP_WRITE: u32 = 1;
/// [`BIFT_ROW_CMD`] op: F-BM row -> staging row.
pub const ROW_OP_READ: u32 = 2;
/// Bit position of the op field in [`BIFT_ROW_CMD`].
pub const ROW_CMD_OP_SHIFT: u32 = 30;
/// Bit of [`BIFT_ROW_CMD`] that selects the active bank for a read.
pub const ROW_CMD_ACTIVE_BIT: u32 = 29;
/// Bit of [`BIFT_ROW_CMD`] that selects the isolation-mask RAM instead of an F-BM: row
/// `queue * sets + slot` holds the BitString positions host transmit queue `queue` may reach
/// through set slot `slot` (same staging-word byte order as F-BM rows, [`fbm_to_words`]).
/// Mask rows are banked like the F-BMs and read as 0 after reset (deny all).
pub const ROW_CMD_MASK_BIT: u32 = 28;
/// Bit position of the target field in [`BIFT_ROW_CMD`].
pub const ROW_CMD_TARGET_SHIFT: u32 = 16;
/// Staging row: word `w` (0..max_bsl/32) at `BIFT_STAGING + 4*w` (RW); at most 128 words
/// (max BSL 4096: `0x1100..0x12FC`, below [`BIFT_SETS`]; every build uses the same addresses). Its bytes are the
/// BitString bytes in wire order: byte `k` of the row (word `k/4`, bits `8*(k%4)+7..8*(k%4)`)
/// is the `k`-th BitString byte on the wire. See [`fbm_to_words`] / [`words_to_fbm`].
pub const BIFT_STAGING: u16 = BIFT_BASE + 0x100;
/// Set-slot table: slot `s` at `BIFT_SETS + 4*s` (RW): bit 31 = valid, bits 19:0 = BIFT-id.
/// A frame whose BIFT-id matches valid slot `s` uses set index `s` (the lowest such slot).
pub const BIFT_SETS: u16 = BIFT_BASE + 0x400;
/// Per-target settings: target `t` at `BIFT_TARGETS + BIFT_TARGET_STRIDE*t`.
pub const BIFT_TARGETS: u16 = BIFT_BASE + 0x800;
/// Address stride of the per-target settings.
pub const BIFT_TARGET_STRIDE: u16 = 0x20;
/// Per-target config (RW): bit 0 = local kind (0 = port), bit 1 = rewrite destination MAC with
/// `next_hop_mac`, bit 2 = rewrite source MAC with `mac`.
pub const TGT_CFG: u16 = 0x00;
/// Bit of [`TGT_CFG`]: local kind.
pub const TGT_CFG_LOCAL: u32 = 1 << 0;
/// Bit of [`TGT_CFG`]: rewrite the destination MAC.
pub const TGT_CFG_REWRITE_DST: u32 = 1 << 1;
/// Bit of [`TGT_CFG`]: rewrite the source MAC.
pub const TGT_CFG_REWRITE_SRC: u32 = 1 << 2;
/// Source MAC, low 32 bits of the MAC read as a 48-bit big-endian number
/// (`02:00:00:00:00:01` -> LO `0x0000_0001`, HI `0x0200`).
pub const TGT_MAC_LO: u16 = 0x04;
/// Source MAC, high 16 bits (bits 15:0).
pub const TGT_MAC_HI: u16 = 0x08;
/// Next-hop (destination) MAC, low 32 bits.
pub const TGT_NH_LO: u16 = 0x0C;
/// Next-hop (destination) MAC, high 16 bits.
pub const TGT_NH_HI: u16 = 0x10;

// ---------------------------------------------------------------------------------------------
// Counter block
// ---------------------------------------------------------------------------------------------

/// Base of the counter block.
pub const CNT_BASE: u16 = 0x2000;
/// Type id of the counter block.
pub const CNT_TYPE_VALUE: u32 = 0x4249_0003;
/// Version of the counter block.
pub const CNT_VERSION_VALUE: u32 = 0x0001_0000;
/// Number of counters (RO).
pub const CNT_COUNT: u16 = CNT_BASE + 0x0C;
/// Counter `i`: low word at `CNT_ARRAY + 8*i`, high word at `CNT_ARRAY + 8*i + 4`. Reading the
/// low word latches the high word of the same counter; the next read of a high word returns
/// that latched value (read low, then high, for a consistent 64-bit value).
pub const CNT_ARRAY: u16 = CNT_BASE + 0x100;

/// Drop reasons, in counter order (docs/forwarding.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// Frame longer than 9018 bytes.
    Oversize,
    /// Frame ends inside the Ethernet/BIER header or BitString.
    Truncated,
    /// Not Ethertype 0xAB37 and no exception target.
    NotBier,
    /// Nibble != 5 or Ver != 0.
    BadVersion,
    /// BSL code differs from the table's.
    UnsupportedBsl,
    /// BIFT-id matches no set slot.
    UnknownBiftId,
    /// No copy because port copies were TTL-suppressed.
    TtlExpired,
    /// No target's F-BM intersects the BitString.
    NoMatchingBit,
    /// A host frame's non-zero BitString was cleared completely by its queue's isolation mask.
    Isolated,
}

impl DropReason {
    /// All reasons in counter order.
    pub const ALL: [DropReason; 9] = [
        DropReason::Oversize,
        DropReason::Truncated,
        DropReason::NotBier,
        DropReason::BadVersion,
        DropReason::UnsupportedBsl,
        DropReason::UnknownBiftId,
        DropReason::TtlExpired,
        DropReason::NoMatchingBit,
        DropReason::Isolated,
    ];
    /// Snake-case name as in docs/forwarding.md.
    pub fn name(self) -> &'static str {
        match self {
            DropReason::Oversize => "oversize",
            DropReason::Truncated => "truncated",
            DropReason::NotBier => "not_bier",
            DropReason::BadVersion => "bad_version",
            DropReason::UnsupportedBsl => "unsupported_bsl",
            DropReason::UnknownBiftId => "unknown_bift_id",
            DropReason::TtlExpired => "ttl_expired",
            DropReason::NoMatchingBit => "no_matching_bit",
            DropReason::Isolated => "isolated",
        }
    }
    /// Index 0..9 in counter order.
    pub fn index(self) -> usize {
        DropReason::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }
}

/// One 64-bit counter of the counter block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Counter {
    /// Frames received from source `src` (0..net_ingress = network, net_ingress = host).
    RxFrames(usize),
    /// Bytes (without FCS) received from source `src`.
    RxBytes(usize),
    /// Copies sent to target `t`.
    TxFrames(usize),
    /// Bytes sent to target `t`.
    TxBytes(usize),
    /// Frames dropped for a reason.
    Drops(DropReason),
    /// Non-BIER frames sent to the exception target.
    Exceptions,
    /// Frames forwarded (at least one copy decided by the lookup).
    Forwarded,
    /// Copies dropped because target `t` is in drop mode and its FIFO was full.
    StallDrops(usize),
    /// Host frames from transmit queue `q` whose BitString the queue's isolation mask clipped
    /// (at least one bit cleared), `q < host_queues`.
    IsoClipped(usize),
}

/// Number of sources (network ingresses + host).
pub fn sources(p: &DataplaneParams) -> usize {
    p.net_ingress + 1
}

/// Number of counters of a build.
pub fn counter_count(p: &DataplaneParams) -> usize {
    2 * sources(p) + 3 * p.targets + DropReason::ALL.len() + 2 + p.host_queues
}

/// The counters of a build in index order.
pub fn counters(p: &DataplaneParams) -> Vec<Counter> {
    let s = sources(p);
    let mut v = Vec::new();
    v.extend((0..s).map(Counter::RxFrames));
    v.extend((0..s).map(Counter::RxBytes));
    v.extend((0..p.targets).map(Counter::TxFrames));
    v.extend((0..p.targets).map(Counter::TxBytes));
    v.extend(DropReason::ALL.iter().map(|r| Counter::Drops(*r)));
    v.push(Counter::Exceptions);
    v.push(Counter::Forwarded);
    v.extend((0..p.targets).map(Counter::StallDrops));
    v.extend((0..p.host_queues).map(Counter::IsoClipped));
    v
}

impl Counter {
    /// Index of the counter in the counter block, `None` if out of range for this build.
    pub fn index(self, p: &DataplaneParams) -> Option<usize> {
        counters(p).iter().position(|c| *c == self)
    }
    /// Byte address of the low word of the counter.
    pub fn addr(self, p: &DataplaneParams) -> Option<u16> {
        self.index(p).map(|i| CNT_ARRAY + 8 * i as u16)
    }
    /// Human-readable name, e.g. `rx_frames[2]`.
    pub fn name(self) -> String {
        match self {
            Counter::RxFrames(i) => format!("rx_frames[{i}]"),
            Counter::RxBytes(i) => format!("rx_bytes[{i}]"),
            Counter::TxFrames(i) => format!("tx_frames[{i}]"),
            Counter::TxBytes(i) => format!("tx_bytes[{i}]"),
            Counter::Drops(r) => format!("drops[{}]", r.name()),
            Counter::Exceptions => "exceptions".into(),
            Counter::Forwarded => "forwarded".into(),
            Counter::StallDrops(i) => format!("stall_drops[{i}]"),
            Counter::IsoClipped(q) => format!("iso_clipped[{q}]"),
        }
    }
}

/// Byte address of a register of target `t` (`reg` is one of the `TGT_*` offsets).
pub fn target_reg(t: usize, reg: u16) -> u16 {
    BIFT_TARGETS + BIFT_TARGET_STRIDE * t as u16 + reg
}

/// Byte address of set slot `s`.
pub fn set_reg(s: usize) -> u16 {
    BIFT_SETS + 4 * s as u16
}

/// Byte address of staging word `w`.
pub fn staging_reg(w: usize) -> u16 {
    BIFT_STAGING + 4 * w as u16
}

/// Value of [`BIFT_ROW_CMD`] for `op` on `target`, `row` (`from_active` only for reads).
pub fn row_cmd(op: u32, target: usize, row: usize, from_active: bool) -> u32 {
    (op << ROW_CMD_OP_SHIFT)
        | (u32::from(from_active) << ROW_CMD_ACTIVE_BIT)
        | (((target as u32) & 0xFF) << ROW_CMD_TARGET_SHIFT)
        | ((row as u32) & 0xFFFF)
}

/// Value of [`BIFT_ROW_CMD`] for `op` on isolation-mask row `row` ([`mask_row`]; `from_active`
/// only for reads).
pub fn mask_row_cmd(op: u32, row: usize, from_active: bool) -> u32 {
    row_cmd(op, 0, row, from_active) | (1 << ROW_CMD_MASK_BIT)
}

/// Number of isolation-mask rows per bank: `host_queues * sets`.
pub fn mask_rows(p: &DataplaneParams) -> usize {
    p.host_queues * p.sets
}

/// Isolation-mask row of host transmit queue `queue` and set slot `slot`: `queue * sets + slot`.
pub fn mask_row(p: &DataplaneParams, queue: usize, slot: usize) -> usize {
    queue * p.sets + slot
}

/// BSL code for a BitString length in bits (64 -> 1 ... 4096 -> 7), `None` if invalid.
pub fn bsl_code(bsl_bits: usize) -> Option<u32> {
    (1..=7u32).find(|c| 32usize << c == bsl_bits)
}

/// BitString length in bits of a BSL code.
pub fn bsl_bits(code: u32) -> Option<usize> {
    (1..=7).contains(&code).then(|| 32usize << code)
}

/// Number of 32-bit staging words of a build.
pub fn staging_words(p: &DataplaneParams) -> usize {
    p.max_bsl / 32
}

/// Encodes an F-BM (a set of bit positions 1..=bsl_bits) as staging words for a bank whose BSL is
/// `bsl_bits`. Bit position `bp` is bit `(bp-1) % 8` of BitString wire byte
/// `bsl_bits/8 - 1 - (bp-1)/8`; bytes past `bsl_bits/8` stay zero. Positions out of range are
/// ignored.
pub fn fbm_to_words(p: &DataplaneParams, bsl_bits: usize, positions: &[usize]) -> Vec<u32> {
    let mut words = vec![0u32; staging_words(p)];
    let nbytes = bsl_bits / 8;
    for &bp in positions {
        if bp == 0 || bp > bsl_bits || bsl_bits > p.max_bsl {
            continue;
        }
        let byte = nbytes - 1 - (bp - 1) / 8;
        words[byte / 4] |= 1 << (8 * (byte % 4) + (bp - 1) % 8);
    }
    words
}

/// Decodes staging words back into the sorted bit positions (inverse of [`fbm_to_words`]).
pub fn words_to_fbm(bsl_bits: usize, words: &[u32]) -> Vec<usize> {
    let nbytes = bsl_bits / 8;
    let mut v = Vec::new();
    for byte in 0..nbytes.min(words.len() * 4) {
        let b = (words[byte / 4] >> (8 * (byte % 4))) & 0xFF;
        for bit in 0..8 {
            if b & (1 << bit) != 0 {
                v.push((nbytes - 1 - byte) * 8 + bit + 1);
            }
        }
    }
    v.sort_unstable();
    v
}

/// Splits a MAC (6 bytes as on the wire) into the (LO, HI) register values.
pub fn mac_to_regs(mac: [u8; 6]) -> (u32, u32) {
    let lo = u32::from_be_bytes([mac[2], mac[3], mac[4], mac[5]]);
    let hi = u32::from(u16::from_be_bytes([mac[0], mac[1]]));
    (lo, hi)
}

/// One register of the map, for documentation and for address-decoder generation.
#[derive(Clone, Debug)]
pub struct RegInfo {
    /// Byte address.
    pub addr: u16,
    /// Name.
    pub name: String,
    /// Access (RO, RW, WO, RC).
    pub access: &'static str,
    /// Description.
    pub desc: String,
}

/// Value of the `BLOCK_NEXT` register of each block.
pub fn block_chain() -> [(u16, u32, u32, u16); 4] {
    [
        (ID_BASE, ID_TYPE_VALUE, ID_VERSION_VALUE, CTRL_BASE),
        (CTRL_BASE, CTRL_TYPE_VALUE, CTRL_VERSION_VALUE, BIFT_BASE),
        (BIFT_BASE, BIFT_TYPE_VALUE, BIFT_VERSION_VALUE, CNT_BASE),
        (CNT_BASE, CNT_TYPE_VALUE, CNT_VERSION_VALUE, 0),
    ]
}

/// Depth of every egress FIFO in beats (a power of two holding at least one 9018-byte frame).
pub fn egress_fifo_beats(p: &DataplaneParams) -> usize {
    (9018usize.div_ceil(p.data_bytes)).next_power_of_two()
}

/// Values of the identity block registers.
pub fn identity(p: &DataplaneParams) -> Vec<(u16, u32)> {
    vec![
        (ID_DATA_BYTES, p.data_bytes as u32),
        (ID_MAX_BSL, p.max_bsl as u32),
        (ID_TARGETS, p.targets as u32),
        (ID_NET_INGRESS, p.net_ingress as u32),
        (ID_SETS, p.sets as u32),
        (ID_BUCKETS, p.buckets as u32),
        (ID_EGRESS_FIFO_BEATS, egress_fifo_beats(p) as u32),
        (ID_COUNTERS, counter_count(p) as u32),
    ]
}

/// Every register of a build, in address order.
pub fn registers(p: &DataplaneParams) -> Vec<RegInfo> {
    let mut v = Vec::new();
    let mut r = |addr: u16, name: String, access: &'static str, desc: String| {
        v.push(RegInfo {
            addr,
            name,
            access,
            desc,
        })
    };
    for (base, ty, ver, next) in block_chain() {
        let blk = match base {
            ID_BASE => "ID",
            CTRL_BASE => "CTRL",
            BIFT_BASE => "BIFT",
            _ => "CNT",
        };
        r(
            base + BLOCK_TYPE,
            format!("{blk}_TYPE"),
            "RO",
            format!("block type id 0x{ty:08X}"),
        );
        r(
            base + BLOCK_VERSION,
            format!("{blk}_VERSION"),
            "RO",
            format!("block version 0x{ver:08X}"),
        );
        r(
            base + BLOCK_NEXT,
            format!("{blk}_NEXT"),
            "RO",
            format!("next block at 0x{next:04X}"),
        );
        match base {
            ID_BASE => {
                let names = [
                    ("ID_DATA_BYTES", "data path width in bytes"),
                    ("ID_MAX_BSL", "largest BitString length in bits"),
                    ("ID_TARGETS", "number of egress targets"),
                    (
                        "ID_NET_INGRESS",
                        "number of network ingresses (host = source index net_ingress)",
                    ),
                    ("ID_SETS", "set slots per bank"),
                    ("ID_BUCKETS", "ECMP buckets per set (build maximum)"),
                    ("ID_EGRESS_FIFO_BEATS", "egress FIFO depth in beats"),
                    ("ID_COUNTERS", "number of 64-bit counters"),
                ];
                for ((a, val), (n, d)) in identity(p).into_iter().zip(names) {
                    r(a, n.into(), "RO", format!("{d} (= {val} in this build)"));
                }
            }
            CTRL_BASE => {
                r(
                    CTRL_COMMIT,
                    "CTRL_COMMIT".into(),
                    "RW",
                    "write bit0=1: swap banks; read: bit0 = swap draining, bit8 = active bank"
                        .into(),
                );
                r(
                    CTRL_CLEAR,
                    "CTRL_CLEAR".into(),
                    "WO",
                    "write bit0=1: clear all counters".into(),
                );
                r(
                    CTRL_DROP_MODE,
                    "CTRL_DROP_MODE".into(),
                    "RW",
                    "bit t: target t drops on full FIFO (else lossless)".into(),
                );
                r(CTRL_SCRATCH, "CTRL_SCRATCH".into(), "RW", "scratch".into());
                r(
                    CTRL_STATUS,
                    "CTRL_STATUS".into(),
                    "RO",
                    "sticky design errors (never expected): bit0 egress FIFO overflow, bit1 frame-buffer \
                     underflow"
                        .into(),
                );
            }
            BIFT_BASE => {
                r(
                    BIFT_BSL,
                    "BIFT_BSL".into(),
                    "RW",
                    format!(
                        "shadow bank BSL code (1..={})",
                        bsl_code(p.max_bsl).unwrap_or(0)
                    ),
                );
                r(
                    BIFT_LOG2_BUCKETS,
                    "BIFT_LOG2_BUCKETS".into(),
                    "RW",
                    format!(
                        "shadow bank log2(ECMP buckets) (0..={})",
                        p.buckets.trailing_zeros()
                    ),
                );
                r(
                    BIFT_EXCEPTION,
                    "BIFT_EXCEPTION".into(),
                    "RW",
                    "shadow bank exception target: bit31 enable, bits7:0 target".into(),
                );
                r(BIFT_ROW_CMD, "BIFT_ROW_CMD".into(), "RW", format!("row command: bits31:30 op (1 write, 2 read), bit29 read active bank, bit28 isolation-mask row (row = queue*{}+slot < {}) instead of F-BM, bits23:16 target, bits15:0 row; read: bit1 last command rejected", p.sets, mask_rows(p)));
                for w in 0..staging_words(p) {
                    r(
                        staging_reg(w),
                        format!("BIFT_STAGING[{w}]"),
                        "RW",
                        format!("staging row, BitString wire bytes {}..{}", 4 * w, 4 * w + 3),
                    );
                }
                for s in 0..p.sets {
                    r(
                        set_reg(s),
                        format!("BIFT_SET[{s}]"),
                        "RW",
                        "bit31 valid, bits19:0 BIFT-id of set slot".into(),
                    );
                }
                for t in 0..p.targets {
                    r(
                        target_reg(t, TGT_CFG),
                        format!("TGT[{t}].CFG"),
                        "RW",
                        "bit0 local, bit1 rewrite dst MAC, bit2 rewrite src MAC".into(),
                    );
                    r(
                        target_reg(t, TGT_MAC_LO),
                        format!("TGT[{t}].MAC_LO"),
                        "RW",
                        "source MAC bits 31:0".into(),
                    );
                    r(
                        target_reg(t, TGT_MAC_HI),
                        format!("TGT[{t}].MAC_HI"),
                        "RW",
                        "source MAC bits 47:32".into(),
                    );
                    r(
                        target_reg(t, TGT_NH_LO),
                        format!("TGT[{t}].NH_LO"),
                        "RW",
                        "next-hop MAC bits 31:0".into(),
                    );
                    r(
                        target_reg(t, TGT_NH_HI),
                        format!("TGT[{t}].NH_HI"),
                        "RW",
                        "next-hop MAC bits 47:32".into(),
                    );
                }
            }
            _ => {
                r(
                    CNT_COUNT,
                    "CNT_COUNT".into(),
                    "RO",
                    format!("number of counters (= {})", counter_count(p)),
                );
                for (i, c) in counters(p).into_iter().enumerate() {
                    let a = CNT_ARRAY + 8 * i as u16;
                    r(
                        a,
                        format!("{}.LO", c.name()),
                        "RO",
                        "low word; latches the high word".into(),
                    );
                    r(
                        a + 4,
                        format!("{}.HI", c.name()),
                        "RO",
                        "high word latched by the last low-word read".into(),
                    );
                }
            }
        }
    }
    v
}

/// Markdown documentation of the register map of a build.
pub fn markdown(p: &DataplaneParams) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "# biernic_dataplane register map ({} B data, max BSL {}, {} targets, {}+1 ingresses, {} sets x {} buckets, {} host queues)\n\n",
        p.data_bytes, p.max_bsl, p.targets, p.net_ingress, p.sets, p.buckets, p.host_queues
    ));
    s.push_str(
        "AXI4-Lite, 32-bit data, 16-bit byte addresses. Blocks start with TYPE, VERSION, NEXT (offset of the next \
block, 0 = last). BIFT registers address the shadow bank; CTRL_COMMIT swaps banks.\n\n",
    );
    s.push_str(
        "## Protocols\n\n\
- **Write an F-BM row**: write the staging words `BIFT_STAGING[0..]` (wire byte order, see `regmap::fbm_to_words`; \
write the bank's BSL code first), then write `BIFT_ROW_CMD = 1<<30 | target<<16 | (set*buckets+bucket)`.\n\
- **Write an isolation-mask row**: as an F-BM row, with `BIFT_ROW_CMD = 1<<30 | 1<<28 | (queue*sets+slot)` \
(the target field is ignored). Host frames from transmit queue `queue` (`s_axis_host_tuser`) that hit set slot `slot` \
forward with `BitString AND mask` (docs/forwarding.md rule 9); mask rows read as 0 (deny all) after reset, queues \
`>= host_queues` always have an all-zero mask.\n\
- **Read an F-BM row**: write `BIFT_ROW_CMD = 2<<30 | [1<<29 for the active bank] | target<<16 | row` (the write \
response comes once the row is in the staging words; `BIFT_ROW_CMD` bit 0 reads 1 while busy), then read the staging words.\n\
- **Errors**: out-of-range values, partial-word writes (`wstrb != 0xF`), BIFT writes while a swap drains and a commit \
while draining are ignored and answered with SLVERR; `BIFT_ROW_CMD` bit 1 tells whether the last row command was rejected.\n\
- **Commit**: after writing a complete table into the shadow bank, write `CTRL_COMMIT = 1`; poll until bit 0 reads 0 \
before writing the (new) shadow bank. Bit 8 gives the active bank. The new shadow bank holds the previously active table.\n\
- **Read a counter**: read the low word at `CNT_ARRAY + 8*i`, then the high word at `+4` (latched at the low read).\n\n",
    );
    s.push_str("## Registers\n\n| address | name | access | description |\n|---|---|---|---|\n");
    for r in registers(p) {
        s.push_str(&format!(
            "| 0x{:04X} | {} | {} | {} |\n",
            r.addr, r.name, r.access, r.desc
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fbm_roundtrip() {
        let p = DataplaneParams::narrow();
        assert_eq!(
            mask_row_cmd(ROW_OP_READ, 5, true),
            2 << 30 | 1 << 29 | 1 << 28 | 5
        );
        assert_eq!(mask_row(&p, 1, 3), 7);
        assert_eq!(mask_rows(&p), 8);
        let pos = vec![1, 2, 9, 64, 200, 256];
        let w = fbm_to_words(&p, 256, &pos);
        assert_eq!(words_to_fbm(256, &w), pos);
        // bit position 1 is the LSB of the last BitString byte
        let w = fbm_to_words(&p, 64, &[1]);
        assert_eq!(w[1], 1 << 24);
    }

    #[test]
    fn map_fits_and_is_unique() {
        for p in [
            DataplaneParams::wide(),
            DataplaneParams::narrow(),
            DataplaneParams::wide_bsl2048(),
            DataplaneParams::wide_bsl4096(),
        ] {
            let regs = registers(&p);
            let mut addrs: Vec<u16> = regs.iter().map(|r| r.addr).collect();
            let n = addrs.len();
            addrs.sort_unstable();
            addrs.dedup();
            assert_eq!(addrs.len(), n);
            assert!(staging_reg(staging_words(&p)) <= BIFT_SETS);
            assert!(set_reg(p.sets) <= BIFT_TARGETS);
            assert!(target_reg(p.targets, 0) <= CNT_BASE);
            assert!(markdown(&p).contains("CTRL_COMMIT"));
        }
    }
}
