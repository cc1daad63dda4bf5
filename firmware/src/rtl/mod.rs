//! RustHDL blocks of the board builds.

pub mod axis_reg;
pub mod crc32;
pub mod drop_fifo;
pub mod ecpix5;
pub mod gmii_rx;
pub mod gmii_tx;
pub mod uart_axil;
