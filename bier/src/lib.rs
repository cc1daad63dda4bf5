//! # bier — the BIER protocol library of biernic
//!
//! * [`wire`]: the RFC 8296 header (non-MPLS Ethernet framing, Ethertype 0xAB37) as a checked zero-copy view and
//!   an owned representation.
//! * [`bitstring`]: BitStrings up to 4096 bits and the BFR-id ↔ (SI, bit position) mapping.
//! * [`config`]: the BIFT configuration file (TOML) with validation that names the place of every error.
//! * [`bift`]: the compiled BIFT: per set and ECMP bucket, one F-BM per target.
//! * [`forward`]: the reference forwarder, the golden model of the RTL (`docs/forwarding.md`).
//! * [`rfc8279`]: the literal RFC 8279 §6.5 loop, an independent oracle for tests.
//! * [`gen`]: example and test traffic.
#![warn(missing_docs)]

pub mod bift;
pub mod bitstring;
pub mod config;
pub mod forward;
pub mod gen;
pub mod rfc8279;
pub mod wire;

pub use bift::{Bift, QueueMask};
pub use bitstring::{BitString, Bsl};
pub use config::{Config, ConfigError, Target, TargetKind, TxQueue};
pub use forward::{Counters, Decision, DropReason, Forwarder, Origin, TargetSet, Verdict};
