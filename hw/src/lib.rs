//! biernic RTL (RustHDL). Filled by the RTL data-plane issue.
