//! BIER protocol crate.
