//! # biernic — host side of the biernic BIER SmartNIC
//!
//! * [`capture`]: streaming pcap/pcapng input and pcap output.
//! * [`engine`]: forwarding engines (the reference model; the verilated RTL).
//! * [`forward`]: `biernic forward`, a capture through an engine into one capture per target.
#![warn(missing_docs)]

pub mod capture;
pub mod engine;
pub mod forward;
