# Constraints of the biernic Alveo U250 build (xcu250-figd2104-2L-e).
# Pin sites from corundum's AU250 build (fpga/mqnic/AU250/fpga_100g/fpga.xdc, which follows the
# U250 board files); GT lane pins are placed by the CMAC/XDMA IPs (GT_GROUP_SELECT, pcie_blk_locn).
set_property CFGBVS GND [current_design]
set_property CONFIG_VOLTAGE 1.8 [current_design]
set_property BITSTREAM.GENERAL.COMPRESS true [current_design]
set_property BITSTREAM.CONFIG.CONFIGFALLBACK ENABLE [current_design]
set_property BITSTREAM.CONFIG.EXTMASTERCCLK_EN DISABLE [current_design]
set_property BITSTREAM.CONFIG.CONFIGRATE 63.8 [current_design]
set_property BITSTREAM.CONFIG.SPI_32BIT_ADDR YES [current_design]
set_property BITSTREAM.CONFIG.SPI_BUSWIDTH 4 [current_design]
set_property BITSTREAM.CONFIG.SPI_FALL_EDGE YES [current_design]
set_property BITSTREAM.CONFIG.UNUSEDPIN PULLUP [current_design]

# 300 MHz board clock (DDR 0 bank clock), divided by 3 for the CMAC init/DRP clock.
set_property -dict {LOC AY37 IOSTANDARD LVDS} [get_ports clk_300mhz_0_p]
set_property -dict {LOC AY38 IOSTANDARD LVDS} [get_ports clk_300mhz_0_n]
create_clock -period 3.333 -name clk_300mhz_0 [get_ports clk_300mhz_0_p]

# LEDs
set_property -dict {LOC BC21 IOSTANDARD LVCMOS12 SLEW SLOW DRIVE 8} [get_ports {led[0]}]
set_property -dict {LOC BB21 IOSTANDARD LVCMOS12 SLEW SLOW DRIVE 8} [get_ports {led[1]}]
set_property -dict {LOC BA20 IOSTANDARD LVCMOS12 SLEW SLOW DRIVE 8} [get_ports {led[2]}]
set_false_path -to [get_ports {led[*]}]

# QSFP0: 161.1328125 MHz reference clock (MGTREFCLK1 from the SI5335) and module control
set_property -dict {LOC K11} [get_ports qsfp0_refclk_p]
set_property -dict {LOC K10} [get_ports qsfp0_refclk_n]
create_clock -period 6.206 -name qsfp0_refclk [get_ports qsfp0_refclk_p]
set_property -dict {LOC BE16 IOSTANDARD LVCMOS12} [get_ports qsfp0_modsell]
set_property -dict {LOC BE17 IOSTANDARD LVCMOS12} [get_ports qsfp0_resetl]
set_property -dict {LOC BD18 IOSTANDARD LVCMOS12} [get_ports qsfp0_lpmode]
set_property -dict {LOC AT22 IOSTANDARD LVCMOS12} [get_ports qsfp0_refclk_reset]
set_property -dict {LOC AT20 IOSTANDARD LVCMOS12} [get_ports {qsfp0_fs[0]}]
set_property -dict {LOC AU22 IOSTANDARD LVCMOS12} [get_ports {qsfp0_fs[1]}]
set_false_path -to [get_ports {qsfp0_modsell qsfp0_resetl qsfp0_lpmode qsfp0_refclk_reset qsfp0_fs[*]}]

# QSFP1: 161.1328125 MHz reference clock (MGTREFCLK1 from the SI5335) and module control
set_property -dict {LOC P11} [get_ports qsfp1_refclk_p]
set_property -dict {LOC P10} [get_ports qsfp1_refclk_n]
create_clock -period 6.206 -name qsfp1_refclk [get_ports qsfp1_refclk_p]
set_property -dict {LOC AY20 IOSTANDARD LVCMOS12} [get_ports qsfp1_modsell]
set_property -dict {LOC BC18 IOSTANDARD LVCMOS12} [get_ports qsfp1_resetl]
set_property -dict {LOC AV22 IOSTANDARD LVCMOS12} [get_ports qsfp1_lpmode]
set_property -dict {LOC AR21 IOSTANDARD LVCMOS12} [get_ports qsfp1_refclk_reset]
set_property -dict {LOC AR22 IOSTANDARD LVCMOS12} [get_ports {qsfp1_fs[0]}]
set_property -dict {LOC AU20 IOSTANDARD LVCMOS12} [get_ports {qsfp1_fs[1]}]
set_false_path -to [get_ports {qsfp1_modsell qsfp1_resetl qsfp1_lpmode qsfp1_refclk_reset qsfp1_fs[*]}]

# PCIe: 100 MHz reference clock (MGTREFCLK0 of quad 226) and PERST#
set_property -dict {LOC AM11} [get_ports pcie_refclk_p]
set_property -dict {LOC AM10} [get_ports pcie_refclk_n]
create_clock -period 10.000 -name pcie_refclk [get_ports pcie_refclk_p]
set_property -dict {LOC BD21 IOSTANDARD LVCMOS12 PULLUP true} [get_ports pcie_reset_n]
set_false_path -from [get_ports pcie_reset_n]

# Clock crossings: the xpm_fifo_axis instances carry their own CDC constraints; the clocks of
# the core (XDMA axi_aclk, 250 MHz), the CMACs (322 MHz) and the init clock are asynchronous.
set_clock_groups -asynchronous \
    -group [get_clocks -of_objects [get_pins xdma/axi_aclk]] \
    -group [get_clocks -of_objects [get_pins cmac0/gt_txusrclk2]] \
    -group [get_clocks -of_objects [get_pins cmac1/gt_txusrclk2]] \
    -group [get_clocks -of_objects [get_pins bufg_init/O]]
