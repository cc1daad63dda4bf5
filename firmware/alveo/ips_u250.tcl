# IP configurations of the biernic Alveo U250 build (sourced by build_u250.tcl; in-memory
# project, non-project mode). Property names per AMD PG194 (XDMA / AXI bridge for PCIe),
# PG203 (CMAC), PG059 (AXI data width and protocol converters). CMAC sites and GT groups of
# the U250's QSFP cages as in corundum's AU250 build (fpga/mqnic/AU250/fpga_100g/ip).

# XDMA in AXI bridge mode: Gen3 x16, 512-bit AXI at 250 MHz. BAR0 (64 KiB) -> m_axib (the
# core's registers); s_axib -> host memory (the core's DMA master), 64-bit addresses.
create_ip -name xdma -vendor xilinx.com -library ip -module_name xdma_0
set_property -dict [list \
    CONFIG.functional_mode {AXI_Bridge} \
    CONFIG.mode_selection {Advanced} \
    CONFIG.pcie_blk_locn {PCIE4C_X1Y0} \
    CONFIG.pl_link_cap_max_link_width {X16} \
    CONFIG.pl_link_cap_max_link_speed {8.0_GT/s} \
    CONFIG.axi_data_width {512_bit} \
    CONFIG.axisten_freq {250} \
    CONFIG.axi_addr_width {64} \
    CONFIG.pf0_device_id {903F} \
    CONFIG.pf0_bar0_enabled {true} \
    CONFIG.pf0_bar0_64bit {true} \
    CONFIG.pf0_bar0_size {64} \
    CONFIG.pf0_bar0_scale {Kilobytes} \
    CONFIG.pciebar2axibar_0 {0x0000000000000000} \
    CONFIG.axibar_num {1} \
    CONFIG.axibar2pciebar_0 {0x0000000000000000} \
    CONFIG.BASEADDR {0x0000000000000000} \
    CONFIG.HIGHADDR {0xFFFFFFFFFFFFFFFF} \
] [get_ips xdma_0]

# Two CMACs: CAUI-4 (4 x 25.78 Gb/s) with RS-FEC, AXI4-Stream user interface, 161.13 MHz
# reference clock from the SI5335 (qsfp*_fs = 2'b10 in the top), 100 MHz init/DRP clock.
foreach {name core group l1 l2 l3 l4} {
    cmac_usplus_0 CMACE4_X0Y8 X1Y44~X1Y47 X1Y44 X1Y45 X1Y46 X1Y47
    cmac_usplus_1 CMACE4_X0Y7 X1Y40~X1Y43 X1Y40 X1Y41 X1Y42 X1Y43
} {
    create_ip -name cmac_usplus -vendor xilinx.com -library ip -module_name $name
    set_property -dict [list \
        CONFIG.CMAC_CAUI4_MODE {1} \
        CONFIG.NUM_LANES {4x25} \
        CONFIG.GT_REF_CLK_FREQ {161.1328125} \
        CONFIG.USER_INTERFACE {AXIS} \
        CONFIG.GT_DRP_CLK {100} \
        CONFIG.TX_FLOW_CONTROL {0} \
        CONFIG.RX_FLOW_CONTROL {0} \
        CONFIG.INCLUDE_RS_FEC {1} \
        CONFIG.CMAC_CORE_SELECT $core \
        CONFIG.GT_GROUP_SELECT $group \
        CONFIG.LANE1_GT_LOC $l1 \
        CONFIG.LANE2_GT_LOC $l2 \
        CONFIG.LANE3_GT_LOC $l3 \
        CONFIG.LANE4_GT_LOC $l4 \
        CONFIG.ENABLE_PIPELINE_REG {1} \
    ] [get_ips $name]
}

# BAR0 path: 512-bit AXI4 -> 32-bit AXI4 -> AXI4-Lite (the core's register port).
create_ip -name axi_dwidth_converter -vendor xilinx.com -library ip -module_name axi_dwidth_converter_0
set_property -dict [list \
    CONFIG.PROTOCOL {AXI4} \
    CONFIG.ADDR_WIDTH {64} \
    CONFIG.SI_DATA_WIDTH {512} \
    CONFIG.MI_DATA_WIDTH {32} \
    CONFIG.SI_ID_WIDTH {4} \
] [get_ips axi_dwidth_converter_0]

create_ip -name axi_protocol_converter -vendor xilinx.com -library ip -module_name axi_protocol_converter_0
set_property -dict [list \
    CONFIG.SI_PROTOCOL {AXI4} \
    CONFIG.MI_PROTOCOL {AXI4LITE} \
    CONFIG.ADDR_WIDTH {64} \
    CONFIG.DATA_WIDTH {32} \
    CONFIG.TRANSLATION_MODE {2} \
] [get_ips axi_protocol_converter_0]
