//! # biernic — host side of the biernic BIER SmartNIC
//!
//! * [`backend`]: the device backend trait (registers, DMA memory) shared by vfio and sim.
//! * [`capture`]: streaming pcap/pcapng input and pcap output.
//! * [`engine`]: forwarding engines (the reference model; the verilated RTL).
//! * [`forward`]: `biernic forward`, a capture through an engine into one capture per target.
//! * [`nic`]: the device API over any backend: identification, hitless BIFT load and readback,
//!   DMA buffer pools, transmit/receive queues (phase-bit completions, one doorbell per batch),
//!   counters, DMA-safe shutdown.
//! * [`program`]: loading a BIFT into the data plane's registers (hitless bank swap).
//! * [`simdev`]: the `sim` backend, the verilated NIC core in process.
//! * [`rtl`]: the verilated data plane as an engine.
//! * [`vfio`]: the `vfio` backend, a biernic card behind vfio-pci (sysfs checks, BAR0, DMA memory).
//! * [`soft`]: `SoftNic`, a software device implementing the register map and ring protocol
//!   (the device side of the driver's tests and benchmark; not the product's device).
#![warn(missing_docs)]

pub mod backend;
pub mod capture;
pub mod engine;
pub mod forward;
pub mod nic;
pub mod program;
pub mod rtl;
pub mod simdev;
pub mod soft;
pub mod vfio;
