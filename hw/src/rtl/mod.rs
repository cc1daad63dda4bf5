//! RustHDL modules of the data plane (one module per file).

pub mod arbiter;
pub mod axil_regs;
pub mod commit_fifo;
pub mod counters;
pub mod dataplane;
pub mod dma;
pub mod egress;
pub mod fbm_ram;
pub mod fifo;
pub mod lookup;
pub mod mask_ram;
pub mod parser;
pub mod replicator;
pub mod round_robin;
pub mod stream_reg;
