//! The BIFT configuration file (TOML) and its validation.
//!
//! ```toml
//! sub_domain = 0
//! bsl = 256                 # 64, 128, 256, 512, 1024, 2048 or 4096
//! ecmp_buckets = 1          # optional, a power of two
//!
//! [[target]]                # an egress: a network port ...
//! name = "p0"
//! kind = "port"
//! port = 0
//! mac = "02:00:00:00:00:01"           # optional: source MAC written into copies
//! next_hop_mac = "02:00:00:00:01:01"  # optional: destination MAC written into copies
//!
//! [[target]]                # ... or local delivery into a host receive queue
//! name = "gpu0"
//! kind = "local"
//! queue = 0
//!
//! [[entry]]                 # BFR-ids (1..65535, any set) reached through a target
//! bfr_ids = "2-64, 70"
//! via = ["p0"]              # several targets = ECMP over them
//!
//! [[entry]]
//! bfr_ids = "1"
//! via = ["gpu0"]
//! ```
//!
//! Optional keys beyond the example: `bift_ids = [..]` (explicit BIFT-id per set, index = SI), `exception = "name"`
//! (where non-BIER frames go), and per target `on_stall = "backpressure" | "drop"` (used by the hardware).
//!
//! Tenant isolation of the host transmit queues (optional):
//!
//! ```toml
//! [[tx_queue]]              # frames a host transmit queue sends may only reach these BFR-ids
//! queue = 0                 # 0..255 (the queue id the host ingress carries)
//! allow = ["2-64", 70]      # BFR-ids: numbers, or strings with ranges and lists ("2-64, 70")
//! ```
//!
//! Without any `[[tx_queue]]` isolation is off and every host queue may reach every BFR-id. With at least one, a
//! queue that is not listed may reach none (`docs/forwarding.md`, rule 9).

use core::fmt;
use std::collections::HashMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::bitstring::{bfr_position, Bsl};

/// Most targets one BIFT may have.
pub const MAX_TARGETS: usize = 64;
/// Most ECMP buckets.
pub const MAX_BUCKETS: usize = 1024;
/// Most 64-bit F-BM words a compiled BIFT may hold (sets x buckets x targets x BSL/64): 128 MiB.
pub const MAX_FBM_WORDS: usize = 16 << 20;

/// A place in a config file (1-based line and column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loc {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub col: usize,
}

/// A configuration error, naming the file and place when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// The file, when the config came from one.
    pub file: Option<String>,
    /// Where in the file.
    pub loc: Option<Loc>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.loc) {
            (Some(file), Some(l)) => write!(f, "{file}:{}:{}: {}", l.line, l.col, self.message),
            (Some(file), None) => write!(f, "{file}: {}", self.message),
            (None, Some(l)) => write!(f, "line {}, column {}: {}", l.line, l.col, self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

impl ConfigError {
    /// An error at an optional place.
    pub fn new(loc: Option<Loc>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: None,
            loc,
            message: message.into(),
        }
    }

    /// The same error, naming a file.
    pub fn in_file(mut self, file: impl Into<String>) -> ConfigError {
        self.file = Some(file.into());
        self
    }
}

/// What a target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetKind {
    /// A network port (copies get TTL-1 and the MAC rewrite).
    Port(u16),
    /// Local delivery into a host receive queue.
    Local(u16),
}

/// What the hardware does when a target's output FIFO is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnStall {
    /// Back-pressure the pipeline (lossless).
    #[default]
    Backpressure,
    /// Drop the copy for this target alone, counted.
    Drop,
}

/// An egress target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Unique name; copies go to `<name>.pcap`.
    pub name: String,
    /// Port or local queue.
    pub kind: TargetKind,
    /// Source MAC written into port copies.
    pub mac: Option<[u8; 6]>,
    /// Destination MAC written into port copies.
    pub next_hop_mac: Option<[u8; 6]>,
    /// Full-FIFO behaviour (hardware).
    pub on_stall: OnStall,
}

impl Target {
    /// A port target without MAC rewrite.
    pub fn port(name: &str, port: u16) -> Target {
        Target {
            name: name.into(),
            kind: TargetKind::Port(port),
            mac: None,
            next_hop_mac: None,
            on_stall: OnStall::Backpressure,
        }
    }

    /// A local-delivery target.
    pub fn local(name: &str, queue: u16) -> Target {
        Target {
            kind: TargetKind::Local(queue),
            ..Target::port(name, 0)
        }
    }

    /// True for network ports.
    pub fn is_port(&self) -> bool {
        matches!(self.kind, TargetKind::Port(_))
    }
}

/// A set of BFR-ids reached through one or more targets (ECMP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The BFR-ids (1..=65535).
    pub bfr_ids: Vec<u16>,
    /// Indices into [`Config::targets`].
    pub via: Vec<usize>,
    /// Where the entry was written, for messages.
    pub loc: Option<Loc>,
}

/// The BFR-ids one host transmit queue may reach (`[[tx_queue]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxQueue {
    /// The queue id (the host ingress's `tuser`).
    pub queue: u8,
    /// BFR-ids the queue may reach (1..=65535; may name BFR-ids that no entry configures).
    pub allow: Vec<u16>,
    /// Where the section was written, for messages.
    pub loc: Option<Loc>,
}

/// A validated BIFT configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// BIER sub-domain (0..=255).
    pub sub_domain: u8,
    /// BitString length.
    pub bsl: Bsl,
    /// ECMP buckets (a power of two).
    pub ecmp_buckets: usize,
    /// Explicit BIFT-ids, one per set (index = SI); `None` uses the default encoding.
    pub bift_ids: Option<Vec<u32>>,
    /// Targets; target `i` is egress `i` of the hardware.
    pub targets: Vec<Target>,
    /// Entries.
    pub entries: Vec<Entry>,
    /// Where non-BIER frames go (index into `targets`).
    pub exception: Option<usize>,
    /// Tenant isolation of host transmit queues; empty = isolation off (every queue may reach every BFR-id).
    pub tx_queues: Vec<TxQueue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    sub_domain: Spanned<i64>,
    bsl: Spanned<i64>,
    ecmp_buckets: Option<Spanned<i64>>,
    bift_ids: Option<Spanned<Vec<Spanned<i64>>>>,
    exception: Option<Spanned<String>>,
    #[serde(default)]
    target: Vec<Spanned<RawTarget>>,
    #[serde(default)]
    entry: Vec<Spanned<RawEntry>>,
    #[serde(default)]
    tx_queue: Vec<Spanned<RawTxQueue>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTxQueue {
    queue: Spanned<i64>,
    allow: Spanned<Vec<Spanned<IdList>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    name: Spanned<String>,
    kind: Spanned<String>,
    port: Option<Spanned<i64>>,
    queue: Option<Spanned<i64>>,
    mac: Option<Spanned<String>>,
    next_hop_mac: Option<Spanned<String>>,
    on_stall: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum IdList {
    Text(String),
    One(i64),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    bfr_ids: Spanned<IdList>,
    via: Spanned<Vec<Spanned<String>>>,
}

struct Locator<'a> {
    text: &'a str,
}

impl Locator<'_> {
    fn at(&self, span: Range<usize>) -> Option<Loc> {
        let start = span.start.min(self.text.len());
        let before = &self.text[..start];
        let line = before.matches('\n').count() + 1;
        let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        Some(Loc { line, col })
    }
    fn err<T>(&self, span: Range<usize>, msg: impl Into<String>) -> Result<T, ConfigError> {
        Err(ConfigError::new(self.at(span), msg))
    }
}

/// Parses a MAC address `aa:bb:cc:dd:ee:ff` (or with `-`).
pub fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let mut mac = [0u8; 6];
    let mut parts = s.split([':', '-']);
    for b in &mut mac {
        let p = parts.next()?;
        if p.len() != 2 {
            return None;
        }
        *b = u8::from_str_radix(p, 16).ok()?;
    }
    parts.next().is_none().then_some(mac)
}

/// Formats a MAC address as `aa:bb:cc:dd:ee:ff`.
pub fn format_mac(m: &[u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Parses a BFR-id list such as `"2-64, 70"`.
pub fn parse_bfr_ids(s: &str) -> Result<Vec<u16>, String> {
    let mut out = Vec::new();
    for part in s.split(',') {
        let part = part.trim();
        if part.is_empty() {
            return Err(format!("empty item in BFR-id list \"{s}\""));
        }
        let (lo, hi) = match part.split_once('-') {
            Some((a, b)) => (parse_id(a.trim())?, parse_id(b.trim())?),
            None => {
                let v = parse_id(part)?;
                (v, v)
            }
        };
        if lo > hi {
            return Err(format!("range {part} runs backwards"));
        }
        out.extend(lo..=hi);
    }
    Ok(out)
}

fn parse_id(s: &str) -> Result<u16, String> {
    let v: u64 = s
        .parse()
        .map_err(|_| format!("\"{s}\" is not a BFR-id (a number 1..65535)"))?;
    match v {
        0 => Err("BFR-id 0 is not valid (BFR-ids are 1..65535)".into()),
        1..=65535 => Ok(v as u16),
        _ => Err(format!("BFR-id {v} is above 65535")),
    }
}

impl Config {
    /// Parses and validates TOML text. `file` only names the file in messages.
    pub fn from_toml(text: &str, file: Option<&str>) -> Result<Config, ConfigError> {
        let r = Config::parse_inner(text).and_then(|c| c.validate().map(|()| c));
        r.map_err(|e| match file {
            Some(f) => e.in_file(f),
            None => e,
        })
    }

    /// Reads, parses and validates a config file.
    pub fn from_file(path: &std::path::Path) -> Result<Config, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::new(None, format!("cannot read: {e}")).in_file(&name))?;
        Config::from_toml(&text, Some(&name))
    }

    fn parse_inner(text: &str) -> Result<Config, ConfigError> {
        let l = Locator { text };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let loc = e.span().and_then(|s| l.at(s));
            ConfigError::new(loc, e.message().trim().to_string())
        })?;
        let sub_domain = match u8::try_from(*raw.sub_domain.get_ref()) {
            Ok(v) => v,
            Err(_) => return l.err(raw.sub_domain.span(), "sub_domain must be 0..255"),
        };
        let bsl = match usize::try_from(*raw.bsl.get_ref())
            .ok()
            .and_then(Bsl::from_bits)
        {
            Some(b) => b,
            None => {
                return l.err(
                    raw.bsl.span(),
                    format!(
                        "bsl = {} is not one of 64, 128, 256, 512, 1024, 2048, 4096",
                        raw.bsl.get_ref()
                    ),
                )
            }
        };
        let ecmp_buckets = match &raw.ecmp_buckets {
            None => 1,
            Some(b) => match usize::try_from(*b.get_ref()) {
                Ok(v) if v.is_power_of_two() && v <= MAX_BUCKETS => v,
                _ => {
                    return l.err(
                        b.span(),
                        format!(
                            "ecmp_buckets = {} must be a power of two from 1 to {MAX_BUCKETS}",
                            b.get_ref()
                        ),
                    )
                }
            },
        };
        let bift_ids = match &raw.bift_ids {
            None => None,
            Some(list) => {
                let mut ids = Vec::new();
                for v in list.get_ref() {
                    match u32::try_from(*v.get_ref()) {
                        Ok(id) if id < 1 << 20 => ids.push(id),
                        _ => {
                            return l.err(
                                v.span(),
                                format!("BIFT-id {} does not fit in 20 bits", v.get_ref()),
                            )
                        }
                    }
                }
                Some(ids)
            }
        };

        let mut targets = Vec::new();
        let mut names: HashMap<String, usize> = HashMap::new();
        for t in &raw.target {
            let t = t.get_ref();
            let name = t.name.get_ref().clone();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
            {
                return l.err(
                    t.name.span(),
                    format!("target name \"{name}\" must be non-empty and use only letters, digits, '_', '-', '.'"),
                );
            }
            if names.contains_key(&name) {
                return l.err(t.name.span(), format!("target \"{name}\" is defined twice"));
            }
            let num = |v: &Option<Spanned<i64>>, key: &str| -> Result<u16, ConfigError> {
                match v {
                    None => l.err(
                        t.kind.span(),
                        format!(
                            "target \"{name}\" of kind \"{}\" needs `{key}`",
                            t.kind.get_ref()
                        ),
                    ),
                    Some(v) => u16::try_from(*v.get_ref()).or_else(|_| {
                        l.err(
                            v.span(),
                            format!("{key} = {} is out of range 0..65535", v.get_ref()),
                        )
                    }),
                }
            };
            let kind = match t.kind.get_ref().as_str() {
                "port" => {
                    if let Some(q) = &t.queue {
                        return l.err(q.span(), "`queue` is for kind = \"local\" targets");
                    }
                    TargetKind::Port(num(&t.port, "port")?)
                }
                "local" => {
                    if let Some(p) = &t.port {
                        return l.err(p.span(), "`port` is for kind = \"port\" targets");
                    }
                    TargetKind::Local(num(&t.queue, "queue")?)
                }
                other => {
                    return l.err(
                        t.kind.span(),
                        format!("kind = \"{other}\" must be \"port\" or \"local\""),
                    )
                }
            };
            let mac = |v: &Option<Spanned<String>>| -> Result<Option<[u8; 6]>, ConfigError> {
                match v {
                    None => Ok(None),
                    Some(s) => match parse_mac(s.get_ref()) {
                        Some(m) => Ok(Some(m)),
                        None => l.err(
                            s.span(),
                            format!(
                                "\"{}\" is not a MAC address (aa:bb:cc:dd:ee:ff)",
                                s.get_ref()
                            ),
                        ),
                    },
                }
            };
            let on_stall = match &t.on_stall {
                None => OnStall::Backpressure,
                Some(s) => match s.get_ref().as_str() {
                    "backpressure" => OnStall::Backpressure,
                    "drop" => OnStall::Drop,
                    other => {
                        return l.err(
                            s.span(),
                            format!("on_stall = \"{other}\" must be \"backpressure\" or \"drop\""),
                        )
                    }
                },
            };
            names.insert(name.clone(), targets.len());
            targets.push(Target {
                name,
                kind,
                mac: mac(&t.mac)?,
                next_hop_mac: mac(&t.next_hop_mac)?,
                on_stall,
            });
        }

        let mut entries = Vec::new();
        for e in &raw.entry {
            let loc = l.at(e.span());
            let e = e.get_ref();
            let bfr_ids = match e.bfr_ids.get_ref() {
                IdList::Text(s) => match parse_bfr_ids(s) {
                    Ok(v) => v,
                    Err(m) => return l.err(e.bfr_ids.span(), m),
                },
                IdList::One(v) => match parse_id(&v.to_string()) {
                    Ok(v) => vec![v],
                    Err(m) => return l.err(e.bfr_ids.span(), m),
                },
            };
            let mut via = Vec::new();
            for name in e.via.get_ref() {
                match names.get(name.get_ref()) {
                    Some(&i) => via.push(i),
                    None => {
                        return l.err(
                            name.span(),
                            format!("unknown target \"{}\" in via", name.get_ref()),
                        )
                    }
                }
            }
            entries.push(Entry { bfr_ids, via, loc });
        }
        let mut tx_queues: Vec<TxQueue> = Vec::new();
        for q in &raw.tx_queue {
            let loc = l.at(q.span());
            let q = q.get_ref();
            let queue = match u8::try_from(*q.queue.get_ref()) {
                Ok(v) => v,
                Err(_) => {
                    return l.err(
                        q.queue.span(),
                        format!("queue = {} is out of range 0..255", q.queue.get_ref()),
                    )
                }
            };
            if let Some(prev) = tx_queues.iter().find(|p| p.queue == queue) {
                let first = prev
                    .loc
                    .map_or(String::new(), |p| format!(" (first at line {})", p.line));
                return l.err(
                    q.queue.span(),
                    format!("tx_queue {queue} is defined twice{first}"),
                );
            }
            let mut allow = Vec::new();
            for item in q.allow.get_ref() {
                let ids = match item.get_ref() {
                    IdList::Text(s) => parse_bfr_ids(s),
                    IdList::One(v) => parse_id(&v.to_string()).map(|v| vec![v]),
                };
                match ids {
                    Ok(v) => allow.extend(v),
                    Err(m) => return l.err(item.span(), m),
                }
            }
            allow.sort_unstable();
            allow.dedup();
            tx_queues.push(TxQueue { queue, allow, loc });
        }
        let exception = match &raw.exception {
            None => None,
            Some(n) => match names.get(n.get_ref()) {
                Some(&i) => Some(i),
                None => {
                    return l.err(
                        n.span(),
                        format!("unknown target \"{}\" in exception", n.get_ref()),
                    )
                }
            },
        };
        Ok(Config {
            sub_domain,
            bsl,
            ecmp_buckets,
            bift_ids,
            targets,
            entries,
            exception,
            tx_queues,
        })
    }

    /// Number of sets the BIFT needs: enough for every BFR-id in the entries, or one per explicit BIFT-id.
    pub fn sets(&self) -> usize {
        let needed = self
            .entries
            .iter()
            .flat_map(|e| e.bfr_ids.iter())
            .filter_map(|&id| bfr_position(id, self.bsl))
            .map(|p| usize::from(p.si) + 1)
            .max()
            .unwrap_or(1);
        match &self.bift_ids {
            Some(ids) => ids.len().max(needed),
            None => needed,
        }
    }

    /// Checks everything that TOML parsing cannot: limits, duplicates, references.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let err = |loc, m: String| Err(ConfigError::new(loc, m));
        if self.targets.len() > MAX_TARGETS {
            return err(
                None,
                format!("{} targets; at most {MAX_TARGETS}", self.targets.len()),
            );
        }
        if !self.ecmp_buckets.is_power_of_two() || self.ecmp_buckets > MAX_BUCKETS {
            return err(
                None,
                format!(
                    "ecmp_buckets = {} is not a power of two up to {MAX_BUCKETS}",
                    self.ecmp_buckets
                ),
            );
        }
        let mut names = HashMap::new();
        let mut ports = HashMap::new();
        let mut queues = HashMap::new();
        for t in &self.targets {
            if names.insert(t.name.as_str(), ()).is_some() {
                return err(None, format!("target \"{}\" is defined twice", t.name));
            }
            let (map, what, n) = match t.kind {
                TargetKind::Port(p) => (&mut ports, "port", p),
                TargetKind::Local(q) => (&mut queues, "queue", q),
            };
            if let Some(other) = map.insert(n, t.name.as_str()) {
                return err(
                    None,
                    format!("targets \"{other}\" and \"{}\" both use {what} {n}", t.name),
                );
            }
        }
        if let Some(x) = self.exception {
            if x >= self.targets.len() {
                return err(None, format!("exception target index {x} does not exist"));
            }
        }
        let mut seen: HashMap<u16, Option<Loc>> = HashMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            let place = match e.loc {
                Some(l) => format!("entry at line {}", l.line),
                None => format!("entry #{}", i + 1),
            };
            if e.bfr_ids.is_empty() {
                return err(e.loc, format!("{place} lists no BFR-id"));
            }
            if e.via.is_empty() {
                return err(e.loc, format!("{place} has an empty via"));
            }
            if let Some(&t) = e.via.iter().find(|&&t| t >= self.targets.len()) {
                return err(
                    e.loc,
                    format!("{place} names target index {t}, which does not exist"),
                );
            }
            if e.via.len() > self.ecmp_buckets {
                return err(
                    e.loc,
                    format!(
                        "{place} lists {} targets for ECMP but ecmp_buckets = {}; raise ecmp_buckets",
                        e.via.len(),
                        self.ecmp_buckets
                    ),
                );
            }
            for &id in &e.bfr_ids {
                if id == 0 {
                    return err(e.loc, format!("{place}: BFR-id 0 is not valid"));
                }
                if let Some(prev) = seen.insert(id, e.loc) {
                    let first = prev.map_or("another entry".to_string(), |l| {
                        format!("the entry at line {}", l.line)
                    });
                    return err(
                        e.loc,
                        format!("BFR-id {id} is given twice ({place} and {first})"),
                    );
                }
            }
        }
        let mut queues = HashMap::new();
        for q in &self.tx_queues {
            if queues.insert(q.queue, ()).is_some() {
                return err(q.loc, format!("tx_queue {} is defined twice", q.queue));
            }
            if q.allow.contains(&0) {
                return err(
                    q.loc,
                    format!("tx_queue {}: BFR-id 0 is not valid", q.queue),
                );
            }
        }
        let sets = self.sets();
        match &self.bift_ids {
            None if sets > 256 => {
                return err(
                    None,
                    format!("BFR-ids need {sets} sets but the default BIFT-id encoding has 8 bits of SI; list explicit bift_ids"),
                )
            }
            Some(ids) => {
                if ids.len() < sets {
                    return err(
                        None,
                        format!("bift_ids lists {} BIFT-ids but the BFR-ids need {sets} sets", ids.len()),
                    );
                }
                let mut u = HashMap::new();
                for (si, id) in ids.iter().enumerate() {
                    if *id >= 1 << 20 {
                        return err(None, format!("BIFT-id {id} does not fit in 20 bits"));
                    }
                    if let Some(o) = u.insert(*id, si) {
                        return err(None, format!("BIFT-id {id} is used by sets {o} and {si}"));
                    }
                }
            }
            None => {}
        }
        let words = sets
            .saturating_mul(self.ecmp_buckets)
            .saturating_mul(self.targets.len().max(1))
            .saturating_mul(self.bsl.words());
        if words > MAX_FBM_WORDS {
            return err(
                None,
                format!(
                    "the BIFT would need {} MiB of F-BMs; at most {} MiB",
                    words / (1 << 17),
                    MAX_FBM_WORDS / (1 << 17)
                ),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const EXAMPLE: &str = r#"
sub_domain = 0
bsl = 256                 # 64, 128, 256, 512, 1024, 2048 or 4096
ecmp_buckets = 1          # optional, a power of two

[[target]]                # an egress: a network port ...
name = "p0"
kind = "port"
port = 0
mac = "02:00:00:00:00:01"           # optional: source MAC written into copies
next_hop_mac = "02:00:00:00:01:01"  # optional: destination MAC written into copies

[[target]]                # ... or local delivery into a host receive queue
name = "gpu0"
kind = "local"
queue = 0

[[entry]]                 # BFR-ids (1..65535, any set) reached through a target
bfr_ids = "2-64, 70"
via = ["p0"]              # several targets = ECMP over them

[[entry]]
bfr_ids = "1"
via = ["gpu0"]
"#;

    #[test]
    fn example_parses() {
        let c = Config::from_toml(EXAMPLE, None).unwrap();
        assert_eq!(c.bsl, Bsl::B256);
        assert_eq!(c.targets.len(), 2);
        assert_eq!(c.targets[0].mac, Some([2, 0, 0, 0, 0, 1]));
        assert_eq!(c.targets[1].kind, TargetKind::Local(0));
        assert_eq!(c.entries[0].bfr_ids.len(), 64);
        assert_eq!(c.entries[1].via, vec![1]);
        assert_eq!(c.sets(), 1);
    }

    fn err_of(text: &str) -> String {
        Config::from_toml(text, Some("x.toml"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn errors_name_the_place() {
        let e = err_of(&EXAMPLE.replace("via = [\"gpu0\"]", "via = [\"gpu9\"]"));
        assert!(e.starts_with("x.toml:24:"), "{e}");
        assert!(e.contains("unknown target \"gpu9\""), "{e}");
        let e = err_of(&EXAMPLE.replace("bfr_ids = \"1\"", "bfr_ids = \"1, 70\""));
        assert!(e.contains("BFR-id 70 is given twice"), "{e}");
        let e = err_of(&EXAMPLE.replace("bfr_ids = \"1\"", "bfr_ids = \"0\""));
        assert!(e.contains("BFR-id 0"), "{e}");
        let e = err_of(&EXAMPLE.replace("bfr_ids = \"1\"", "bfr_ids = \"65536\""));
        assert!(e.contains("above 65535"), "{e}");
        let e = err_of(&EXAMPLE.replace("bsl = 256", "bsl = 300"));
        assert!(
            e.starts_with("x.toml:3:7:") && e.contains("bsl = 300"),
            "{e}"
        );
        let e = err_of(&EXAMPLE.replace("02:00:00:00:00:01", "02:00:00:00:00"));
        assert!(
            e.contains("not a MAC address") && e.starts_with("x.toml:10:"),
            "{e}"
        );
        let e = err_of("sub_domain = [");
        assert!(e.starts_with("x.toml:1:"), "{e}");
        let e = err_of(&EXAMPLE.replace("ecmp_buckets = 1", "ecmp_buckets = 3"));
        assert!(e.contains("power of two"), "{e}");
        let e = err_of(&EXAMPLE.replace("kind = \"local\"", "kind = \"gpu\""));
        assert!(e.contains("must be \"port\" or \"local\""), "{e}");
        let e = err_of(&EXAMPLE.replace("name = \"gpu0\"", "name = \"p0\""));
        assert!(e.contains("defined twice"), "{e}");
        let e = err_of(&EXAMPLE.replace("via = [\"p0\"]", "via = [\"p0\", \"gpu0\"]"));
        assert!(e.contains("raise ecmp_buckets"), "{e}");
        let e = err_of(&format!("{EXAMPLE}\nbogus = 1\n"));
        assert!(e.contains("bogus"), "{e}");
        let e = err_of(&EXAMPLE.replace("bfr_ids = \"1\"", "bfr_ids = \"9-3\""));
        assert!(e.contains("backwards"), "{e}");
    }

    #[test]
    fn optional_keys() {
        let text = format!("bift_ids = [100, 101]\nexception = \"gpu0\"\n{EXAMPLE}")
            .replace("queue = 0", "queue = 0\non_stall = \"drop\"");
        let c = Config::from_toml(&text, None).unwrap();
        assert_eq!(c.bift_ids, Some(vec![100, 101]));
        assert_eq!(c.exception, Some(1));
        assert_eq!(c.targets[1].on_stall, OnStall::Drop);
        assert_eq!(c.sets(), 2);
        let e = Config::from_toml(&text.replace("[100, 101]", "[100, 100]"), None).unwrap_err();
        assert!(e.message.contains("used by sets 0 and 1"), "{e}");
    }

    #[test]
    fn tx_queues_parse_and_errors_name_the_place() {
        let c = Config::from_toml(EXAMPLE, None).unwrap();
        assert!(c.tx_queues.is_empty());
        let text = format!(
            "{EXAMPLE}\n[[tx_queue]]\nqueue = 3\nallow = [\"2-4\", 70, \"9, 11\", 3]\n\n[[tx_queue]]\nqueue = 0\nallow = []\n"
        );
        let c = Config::from_toml(&text, None).unwrap();
        assert_eq!(c.tx_queues.len(), 2);
        assert_eq!(c.tx_queues[0].queue, 3);
        assert_eq!(c.tx_queues[0].allow, vec![2, 3, 4, 9, 11, 70]);
        assert_eq!(c.tx_queues[1].queue, 0);
        assert!(c.tx_queues[1].allow.is_empty());
        // line and column of the first occurrence of `what` in `text`
        let place = |text: &str, what: &str| {
            let plain = what.replace('^', "");
            let at = text.find(&plain).expect("marker in text") + what.find('^').unwrap_or(0);
            let line = text[..at].matches('\n').count() + 1;
            let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("x.toml:{line}:{col}:")
        };
        let bad = text.replace("queue = 3", "queue = 256");
        let e = err_of(&bad);
        assert!(e.starts_with(&place(&bad, "queue = ^256")), "{e}");
        assert!(e.contains("out of range 0..255"), "{e}");
        let bad = text.replace("queue = 0", "queue = 3");
        let e = err_of(&bad);
        assert!(e.contains("tx_queue 3 is defined twice"), "{e}");
        let bad = text.replace("\"9, 11\"", "\"11-9\"");
        let e = err_of(&bad);
        assert!(e.starts_with(&place(&bad, "\"11-9\"")), "{e}");
        assert!(e.contains("backwards"), "{e}");
        let bad = text.replace(", 70,", ", 0,");
        let e = err_of(&bad);
        assert!(e.contains("BFR-id 0"), "{e}");
        let bad = text.replace("allow = []", "allow = [\"gpu\"]");
        let e = err_of(&bad);
        assert!(e.starts_with(&place(&bad, "\"gpu\"")), "{e}");
        let bad = text.replace("allow = []", "deny = []");
        let e = err_of(&bad);
        assert!(e.contains("deny"), "{e}");
        let bad = text.replace("allow = []", "");
        let e = err_of(&bad);
        assert!(e.contains("allow"), "{e}");
    }

    #[test]
    fn macs_and_ids() {
        assert_eq!(
            parse_mac("aa-bb-cc-dd-ee-ff"),
            Some([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff])
        );
        assert_eq!(parse_mac("aa:bb:cc:dd:ee:ff:00"), None);
        assert_eq!(parse_mac("aa:bb:cc:dd:ee:fg"), None);
        assert_eq!(format_mac(&[2, 0, 0, 0, 1, 0xab]), "02:00:00:00:01:ab");
        assert_eq!(parse_bfr_ids("1, 3-5").unwrap(), vec![1, 3, 4, 5]);
        assert!(parse_bfr_ids("1,,2").is_err());
        assert!(parse_bfr_ids("x").is_err());
    }
}
