//! The reference forwarder: the golden model of the data plane (normative text: `docs/forwarding.md`).
//!
//! [`Bift::decide`] classifies a frame and computes, for every target at once, whether `BitString AND F-BM` is
//! non-zero; it allocates nothing. [`Bift::write_copy`] then builds one target's copy. [`Forwarder`] wraps both with
//! the counters the hardware keeps.

use crate::bift::{ecmp_bucket, Bift};
use crate::bitstring::{BitString, MAX_WORDS};
use crate::wire::{parse_l2, ETHERTYPE_BIER, HEADER_LEN, MAX_FRAME, NIBBLE, VERSION};

/// Why a frame made no copy. The order is the order of the counters in hardware.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DropReason {
    /// Longer than [`MAX_FRAME`].
    Oversize = 0,
    /// Too short for its headers.
    Truncated = 1,
    /// Not Ethertype 0xAB37 and no exception target.
    NotBier = 2,
    /// Nibble not 0101 or version not 0.
    BadVersion = 3,
    /// BSL code other than the table's.
    UnsupportedBsl = 4,
    /// BIFT-id names no set.
    UnknownBiftId = 5,
    /// Only port copies were due and TTL was 0 or 1.
    TtlExpired = 6,
    /// BitString AND F-BM is zero for every target.
    NoMatchingBit = 7,
    /// A host frame whose non-zero BitString its transmit queue's isolation mask clears completely.
    Isolated = 8,
}

impl DropReason {
    /// Every reason, in counter order.
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

    /// Stable snake-case name, as used in summaries and register documentation.
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
}

impl core::fmt::Display for DropReason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of target indices (at most 64), ascending iteration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct TargetSet(pub u64);

impl TargetSet {
    /// Whether target `t` is in the set.
    pub fn contains(self, t: usize) -> bool {
        t < 64 && self.0 >> t & 1 == 1
    }
    /// Number of targets.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }
    /// True when empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Target indices, ascending.
    pub fn iter(self) -> impl Iterator<Item = usize> {
        let mut v = self.0;
        core::iter::from_fn(move || {
            (v != 0).then(|| {
                let t = v.trailing_zeros() as usize;
                v &= v - 1;
                t
            })
        })
    }
}

/// Where a frame entered the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Origin {
    /// A network ingress: no isolation.
    #[default]
    Network,
    /// The host ingress, from transmit queue `n` (the host stream's `tuser`): the BitString is ANDed with the
    /// queue's isolation mask ([`Bift::queue_mask`]) before the lookup.
    Host(usize),
}

/// What happens to a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// One copy to each target of the set, built by [`Bift::write_copy`].
    Forward(TargetSet),
    /// A non-BIER frame, sent unchanged to the exception target.
    Exception(usize),
    /// No copy.
    Drop(DropReason),
}

/// Scratch state of one decision, reused across frames so that deciding allocates nothing.
#[derive(Debug, Clone)]
pub struct Decision {
    bitstring: [u64; MAX_WORDS],
    offset: usize,
    set: usize,
    bucket: usize,
    clipped: bool,
}

impl Default for Decision {
    fn default() -> Self {
        Decision {
            bitstring: [0; MAX_WORDS],
            offset: 0,
            set: 0,
            bucket: 0,
            clipped: false,
        }
    }
}

impl Decision {
    /// Offset of the BIER header in the last forwarded frame.
    pub fn header_offset(&self) -> usize {
        self.offset
    }
    /// Set (SI index) of the last forwarded frame.
    pub fn set(&self) -> usize {
        self.set
    }
    /// ECMP bucket of the last forwarded frame.
    pub fn bucket(&self) -> usize {
        self.bucket
    }
    /// Whether the last decision reached the lookup (rules 1..8 passed) and the isolation mask of its host queue
    /// cleared at least one bit of the BitString. Always false for network frames.
    pub fn clipped(&self) -> bool {
        self.clipped
    }
}

/// What the isolation mask did to a BitString.
#[derive(Debug, Clone, Copy, Default)]
struct Masked {
    /// The BitString (before the mask) is non-zero.
    any: bool,
    /// The mask cleared at least one bit.
    clipped: bool,
}

/// Reads a `W`-word BitString from its wire bytes into `bs`, ANDs it with `mask` when given, and returns, as bits,
/// the targets whose `BitString AND F-BM` is non-zero (`row` is target-major: `W` words per target).
#[inline(always)]
fn load_and<const W: usize>(
    bytes: &[u8],
    bs: &mut [u64; MAX_WORDS],
    row: &[u64],
    targets: usize,
    mask: Option<&[u64]>,
    masked: &mut Masked,
) -> u64 {
    for (i, chunk) in bytes.chunks_exact(8).take(W).enumerate() {
        bs[W - 1 - i] = u64::from_be_bytes(chunk.try_into().expect("8 bytes"));
    }
    if let Some(m) = mask {
        let (mut any, mut clip) = (0u64, 0u64);
        for k in 0..W {
            any |= bs[k];
            clip |= bs[k] & !m[k];
            bs[k] &= m[k];
        }
        masked.any = any != 0;
        masked.clipped = clip != 0;
    }
    let bs: &[u64; W] = bs[..W].try_into().expect("W words");
    let any = |f: &[u64]| -> u64 {
        let mut acc = 0;
        for k in 0..W {
            acc |= bs[k] & f[k];
        }
        u64::from(acc != 0)
    };
    let row = &row[..targets * W];
    let mut nonzero = 0u64;
    let mut t = 0;
    if W <= 4 {
        // Short BitStrings: four targets per step, independent reductions, one merge into the mask.
        let mut quads = row.chunks_exact(4 * W);
        for q in &mut quads {
            let m = any(&q[..W])
                | any(&q[W..2 * W]) << 1
                | any(&q[2 * W..3 * W]) << 2
                | any(&q[3 * W..]) << 3;
            nonzero |= m << t;
            t += 4;
        }
        for f in quads.remainder().chunks_exact(W) {
            nonzero |= any(f) << t;
            t += 1;
        }
    } else {
        for f in row.chunks_exact(W) {
            nonzero |= any(f) << t;
            t += 1;
        }
    }
    nonzero
}

impl Bift {
    /// Targets of kind port, as a set.
    pub fn port_targets(&self) -> TargetSet {
        TargetSet(
            self.targets()
                .iter()
                .enumerate()
                .filter(|(_, t)| t.is_port())
                .fold(0, |m, (i, _)| m | 1 << i),
        )
    }

    /// Classifies a frame from a network ingress and finds the targets that get a copy. Allocates nothing.
    #[inline]
    pub fn decide(&self, frame: &[u8], d: &mut Decision) -> Verdict {
        self.decide_from(frame, Origin::Network, d)
    }

    /// Classifies a frame that entered at `origin` and finds the targets that get a copy (host frames are subject
    /// to their queue's isolation mask, rule 9 of `docs/forwarding.md`). Allocates nothing.
    #[inline]
    pub fn decide_from(&self, frame: &[u8], origin: Origin, d: &mut Decision) -> Verdict {
        d.clipped = false;
        let len = frame.len();
        if len > MAX_FRAME {
            return Verdict::Drop(DropReason::Oversize);
        }
        let Some(l2) = parse_l2(frame) else {
            return Verdict::Drop(DropReason::Truncated);
        };
        if l2.ethertype != ETHERTYPE_BIER {
            return match self.config().exception {
                Some(t) => Verdict::Exception(t),
                None => Verdict::Drop(DropReason::NotBier),
            };
        }
        let off = l2.offset;
        if len < off + HEADER_LEN {
            return Verdict::Drop(DropReason::Truncated);
        }
        let h = &frame[off..];
        if h[4] >> 4 != NIBBLE || h[4] & 0xf != VERSION {
            return Verdict::Drop(DropReason::BadVersion);
        }
        let bsl = self.bsl();
        if h[5] >> 4 != bsl.code() {
            return Verdict::Drop(DropReason::UnsupportedBsl);
        }
        if len < off + HEADER_LEN + bsl.bytes() {
            return Verdict::Drop(DropReason::Truncated);
        }
        let bift_id = (u32::from(h[0]) << 12) | (u32::from(h[1]) << 4) | (u32::from(h[2]) >> 4);
        let Some(set) = self.set_of(bift_id) else {
            return Verdict::Drop(DropReason::UnknownBiftId);
        };
        let entropy = (u32::from(h[5] & 0xf) << 16) | (u32::from(h[6]) << 8) | u32::from(h[7]);
        let bucket = ecmp_bucket(entropy, self.buckets());
        d.offset = off;
        d.set = set;
        d.bucket = bucket;
        let row = self.row(set, bucket);
        let t = self.targets().len();
        let bits = &h[HEADER_LEN..HEADER_LEN + bsl.bytes()];
        let mask = match origin {
            Origin::Network => None,
            Origin::Host(q) => self.queue_mask(q, set).and_words(),
        };
        let mut m = Masked::default();
        let bs = &mut d.bitstring;
        let nonzero = match bsl.words() {
            1 => load_and::<1>(bits, bs, row, t, mask, &mut m),
            2 => load_and::<2>(bits, bs, row, t, mask, &mut m),
            4 => load_and::<4>(bits, bs, row, t, mask, &mut m),
            8 => load_and::<8>(bits, bs, row, t, mask, &mut m),
            16 => load_and::<16>(bits, bs, row, t, mask, &mut m),
            32 => load_and::<32>(bits, bs, row, t, mask, &mut m),
            _ => load_and::<64>(bits, bs, row, t, mask, &mut m),
        };
        d.clipped = m.clipped;
        if mask.is_some() && m.any && bs[..bsl.words()].iter().all(|&w| w == 0) {
            return Verdict::Drop(DropReason::Isolated);
        }
        let ttl = h[3];
        let copies = if ttl > 1 {
            nonzero
        } else {
            nonzero & !self.port_targets().0
        };
        if copies != 0 {
            Verdict::Forward(TargetSet(copies))
        } else if nonzero != 0 {
            Verdict::Drop(DropReason::TtlExpired)
        } else {
            Verdict::Drop(DropReason::NoMatchingBit)
        }
    }

    /// The mask (`BitString AND F-BM`, the BitString after isolation for host frames) of target `t` for the frame
    /// last decided as [`Verdict::Forward`].
    pub fn mask(&self, d: &Decision, t: usize) -> BitString {
        let w = self.bsl().words();
        let mut m = BitString::from_words(self.bsl(), &d.bitstring[..w]);
        m.and_assign(&self.row(d.set, d.bucket)[t * w..(t + 1) * w]);
        m
    }

    /// Builds the copy of `frame` for target `t` into `out` (cleared first), after `decide` returned
    /// [`Verdict::Forward`] with `t` in its set: BitString replaced by the mask; on port targets TTL-1 and the MAC
    /// rewrite.
    pub fn write_copy(&self, frame: &[u8], d: &Decision, t: usize, out: &mut Vec<u8>) {
        out.clear();
        out.extend_from_slice(frame);
        let w = self.bsl().words();
        let f = &self.row(d.set, d.bucket)[t * w..(t + 1) * w];
        let bs_at = d.offset + HEADER_LEN;
        for (i, chunk) in out[bs_at..bs_at + w * 8].chunks_exact_mut(8).enumerate() {
            let word = w - 1 - i;
            chunk.copy_from_slice(&(d.bitstring[word] & f[word]).to_be_bytes());
        }
        let target = &self.targets()[t];
        if target.is_port() {
            out[d.offset + 3] = out[d.offset + 3].wrapping_sub(1);
            if let Some(m) = target.next_hop_mac {
                out[0..6].copy_from_slice(&m);
            }
            if let Some(m) = target.mac {
                out[6..12].copy_from_slice(&m);
            }
        }
    }
}

/// Counters, as the hardware keeps them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    /// Frames in per source (grows to the largest source index seen).
    pub rx_frames: Vec<u64>,
    /// Bytes in per source.
    pub rx_bytes: Vec<u64>,
    /// Copies out per target.
    pub tx_frames: Vec<u64>,
    /// Bytes out per target.
    pub tx_bytes: Vec<u64>,
    /// Frames that made no copy, per [`DropReason`] (index = reason as usize).
    pub drops: [u64; 9],
    /// Non-BIER frames sent to the exception target.
    pub exceptions: u64,
    /// Frames that made at least one copy.
    pub forwarded: u64,
    /// Per host transmit queue: frames whose BitString the queue's isolation mask clipped (at least one bit cleared,
    /// [`Decision::clipped`]); grows to the largest queue counted. Queues at or above [`Bift::host_queues`] are not
    /// counted (the device has no counter for them).
    pub iso_clipped: Vec<u64>,
}

impl Counters {
    /// Frames that made no copy.
    pub fn total_drops(&self) -> u64 {
        self.drops.iter().sum()
    }
    /// Frames in, all sources.
    pub fn total_rx(&self) -> u64 {
        self.rx_frames.iter().sum()
    }
}

/// The reference forwarder: a compiled BIFT plus counters.
#[derive(Debug, Clone)]
pub struct Forwarder {
    bift: Bift,
    counters: Counters,
    decision: Decision,
    buf: Vec<u8>,
}

impl Forwarder {
    /// A forwarder with zeroed counters.
    pub fn new(bift: Bift) -> Forwarder {
        let n = bift.targets().len();
        Forwarder {
            bift,
            counters: Counters {
                tx_frames: vec![0; n],
                tx_bytes: vec![0; n],
                ..Counters::default()
            },
            decision: Decision::default(),
            buf: Vec::with_capacity(MAX_FRAME),
        }
    }

    /// The table.
    pub fn bift(&self) -> &Bift {
        &self.bift
    }

    /// Replaces the table between two frames (the hardware's bank swap); counters stay.
    pub fn set_bift(&mut self, bift: Bift) {
        let n = bift.targets().len();
        self.counters.tx_frames.resize(n, 0);
        self.counters.tx_bytes.resize(n, 0);
        self.bift = bift;
    }

    /// The counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Forwards one frame that arrived from network source `source`, calling `emit(target, copy)` once per copy in
    /// target order.
    pub fn process(
        &mut self,
        frame: &[u8],
        source: usize,
        emit: impl FnMut(usize, &[u8]),
    ) -> Verdict {
        self.process_from(frame, source, Origin::Network, emit)
    }

    /// Forwards one frame that arrived from `source` (the counter index) at `origin` (a network ingress, or the host
    /// ingress with its transmit queue), calling `emit(target, copy)` once per copy in target order.
    pub fn process_from(
        &mut self,
        frame: &[u8],
        source: usize,
        origin: Origin,
        mut emit: impl FnMut(usize, &[u8]),
    ) -> Verdict {
        let c = &mut self.counters;
        if c.rx_frames.len() <= source {
            c.rx_frames.resize(source + 1, 0);
            c.rx_bytes.resize(source + 1, 0);
        }
        c.rx_frames[source] += 1;
        c.rx_bytes[source] += frame.len() as u64;
        let v = self.bift.decide_from(frame, origin, &mut self.decision);
        if let (Origin::Host(q), true) = (origin, self.decision.clipped) {
            if q < self.bift.host_queues() {
                if c.iso_clipped.len() <= q {
                    c.iso_clipped.resize(q + 1, 0);
                }
                c.iso_clipped[q] += 1;
            }
        }
        match v {
            Verdict::Forward(set) => {
                c.forwarded += 1;
                for t in set.iter() {
                    self.bift
                        .write_copy(frame, &self.decision, t, &mut self.buf);
                    c.tx_frames[t] += 1;
                    c.tx_bytes[t] += self.buf.len() as u64;
                    emit(t, &self.buf);
                }
            }
            Verdict::Exception(t) => {
                c.exceptions += 1;
                c.tx_frames[t] += 1;
                c.tx_bytes[t] += frame.len() as u64;
                emit(t, frame);
            }
            Verdict::Drop(r) => c.drops[r as usize] += 1,
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitstring::{BitString, Bsl};
    use crate::config::{Config, Entry, Target, TxQueue};
    use crate::wire::{build_frame, Repr};

    /// BSL 64, two sets; p0 (port) reaches 1..=10 and 65..=70, h (local) 11..=20.
    fn config(tx_queues: Vec<TxQueue>) -> Config {
        let e = |ids: Vec<u16>, t| Entry {
            bfr_ids: ids,
            via: vec![t],
            loc: None,
        };
        Config {
            sub_domain: 0,
            bsl: Bsl::B64,
            ecmp_buckets: 1,
            bift_ids: None,
            targets: vec![Target::port("p0", 0), Target::local("h", 0)],
            entries: vec![
                e((1..=10).chain(65..=70).collect(), 0),
                e((11..=20).collect(), 1),
            ],
            exception: None,
            tx_queues,
        }
    }

    fn frame(set: u32, bits: &[usize], ttl: u8) -> Vec<u8> {
        let mut bs = BitString::zero(Bsl::B64);
        for &b in bits {
            bs.set(b, true);
        }
        let repr = Repr {
            bift_id: 1 << 16 | set,
            tc: 0,
            s: true,
            ttl,
            entropy: 0,
            oam: 0,
            dscp: 0,
            proto: 0,
            bfir_id: 1,
            bitstring: bs,
        };
        build_frame([2; 6], [4; 6], None, &repr, &[0; 30])
    }

    fn q(queue: u8, allow: &[u16]) -> TxQueue {
        TxQueue {
            queue,
            allow: allow.to_vec(),
            loc: None,
        }
    }

    /// The copies (target, BitString positions) of a frame.
    fn run(f: &mut Forwarder, frame: &[u8], origin: Origin) -> (Verdict, Vec<(usize, Vec<usize>)>) {
        let mut out = Vec::new();
        let v = f.process_from(frame, 0, origin, |t, c| {
            let bs = BitString::from_bytes(Bsl::B64, &c[14 + 12..14 + 20]).unwrap();
            out.push((t, bs.iter_ones().collect()));
        });
        (v, out)
    }

    fn c_iso_len(f: &Forwarder) -> usize {
        f.counters().iso_clipped.len()
    }

    #[test]
    fn isolation_off_changes_nothing() {
        let bift = Bift::compile(&config(vec![])).unwrap();
        assert!(!bift.isolation());
        assert_eq!(bift.queue_mask(7, 0), crate::QueueMask::All);
        let mut f = Forwarder::new(bift);
        let fr = frame(0, &[1, 12, 40], 64);
        let net = run(&mut f, &fr, Origin::Network);
        let host = run(&mut f, &fr, Origin::Host(200));
        assert_eq!(net, host);
        assert_eq!(net.1, vec![(0, vec![1]), (1, vec![12])]);
        assert!(f.counters().iso_clipped.is_empty());
    }

    #[test]
    fn host_frames_are_masked_and_counted() {
        // queue 0: 1..=5 and 11 of set 0, 65 of set 1; queue 1: nothing; queue 2 unlisted.
        let mut bift =
            Bift::compile(&config(vec![q(0, &[1, 2, 3, 4, 5, 11, 65]), q(1, &[])])).unwrap();
        bift.set_host_queues(4);
        let mut f = Forwarder::new(bift);
        // partial: bits outside the mask are cleared, copies carry eff AND F-BM
        let (v, c) = run(&mut f, &frame(0, &[1, 6, 11, 12], 64), Origin::Host(0));
        assert_eq!(v, Verdict::Forward(TargetSet(0b11)));
        assert_eq!(c, vec![(0, vec![1]), (1, vec![11])]);
        // only bits outside the mask: isolated
        let (v, c) = run(&mut f, &frame(0, &[6, 12], 64), Origin::Host(0));
        assert_eq!((v, c.len()), (Verdict::Drop(DropReason::Isolated), 0));
        // a target reachable only through masked bits gets no copy
        let (v, c) = run(&mut f, &frame(0, &[2, 13], 64), Origin::Host(0));
        assert_eq!(v, Verdict::Forward(TargetSet(0b01)));
        assert_eq!(c, vec![(0, vec![2])]);
        // set 1 uses its own mask row
        let (v, c) = run(&mut f, &frame(1, &[1, 2], 64), Origin::Host(0));
        assert_eq!(v, Verdict::Forward(TargetSet(0b01)));
        assert_eq!(c, vec![(0, vec![1])]);
        // within the mask: not clipped
        let (v, _) = run(&mut f, &frame(0, &[3, 11], 64), Origin::Host(0));
        assert_eq!(v, Verdict::Forward(TargetSet(0b11)));
        // empty grant, unlisted queue and a queue the device does not have
        for queue in [1, 2, 4, 255] {
            let (v, _) = run(&mut f, &frame(0, &[1], 64), Origin::Host(queue));
            assert_eq!(v, Verdict::Drop(DropReason::Isolated), "queue {queue}");
        }
        // TTL after isolation: the remaining port copy is suppressed
        let (v, _) = run(&mut f, &frame(0, &[1, 12], 1), Origin::Host(0));
        assert_eq!(v, Verdict::Drop(DropReason::TtlExpired));
        // a zero BitString is not the mask's doing
        let (v, _) = run(&mut f, &frame(0, &[], 64), Origin::Host(1));
        assert_eq!(v, Verdict::Drop(DropReason::NoMatchingBit));
        // an allowed bit that no F-BM has: no_matching_bit, not clipped
        let (v, _) = run(&mut f, &frame(1, &[65 - 64], 64), Origin::Host(0));
        assert_eq!(v, Verdict::Forward(TargetSet(0b01)));
        let (v, _) = run(&mut f, &frame(0, &[4, 5], 64), Origin::Host(0));
        assert_eq!(v, Verdict::Forward(TargetSet(0b01)));
        let mut bift2 = Bift::compile(&config(vec![q(0, &[30])])).unwrap();
        bift2.set_host_queues(1);
        let mut f2 = Forwarder::new(bift2);
        let (v, _) = run(&mut f2, &frame(0, &[30], 64), Origin::Host(0));
        assert_eq!(v, Verdict::Drop(DropReason::NoMatchingBit));
        assert_eq!(f2.counters().iso_clipped, Vec::<u64>::new());
        // a disallowed bit alone: isolated
        let (v, _) = run(&mut f, &frame(0, &[30], 64), Origin::Host(0));
        assert_eq!(v, Verdict::Drop(DropReason::Isolated));
        // network frames are never masked
        let (v, _) = run(&mut f, &frame(0, &[6, 12], 64), Origin::Network);
        assert_eq!(v, Verdict::Forward(TargetSet(0b11)));
        let c = f.counters();
        // clipped on q0: [1,6,11,12], [6,12], [2,13], set 1 [1,2], [1,12] with TTL 1, [30]; q1 and q2 once each;
        // queues 4 and 255 do not exist on the device
        assert_eq!(c_iso_len(&f), 3);
        assert_eq!(c.iso_clipped, vec![6, 1, 1]);
        assert_eq!(c.drops[DropReason::Isolated as usize], 6);
        assert_eq!(DropReason::ALL[8], DropReason::Isolated);
        assert_eq!(DropReason::Isolated.name(), "isolated");
    }
}
