//! Verilated biernic NIC. Filled by the RTL data-plane issue.
