# Vivado non-project flow of the biernic Alveo U250 build (xcu250-figd2104-2L-e).
# Usage (from the repository root, after `make alveo-sources`):
#   vivado -mode batch -source firmware/alveo/build_u250.tcl -tclargs out/alveo
# Reads out/alveo/biernic_u250.v and out/alveo/biernic_core.v (written by biernic-firmware),
# creates the IPs (ips_u250.tcl), synthesizes, places, routes, and writes the bitstream, the
# flash image and the reports into out/alveo/.
set out [lindex $argv 0]
if {$out eq ""} {
    set out out/alveo
}
set here [file dirname [file normalize [info script]]]
set part xcu250-figd2104-2L-e
file mkdir $out/ip $out/reports
set_part $part
set_property target_language Verilog [current_project]

# IPs: XDMA (AXI bridge), two CMACs, BAR0 width and protocol converters.
source [file join $here ips_u250.tcl]
foreach ip [get_ips] {
    generate_target all $ip
    synth_ip $ip
}

read_verilog [file join $out biernic_core.v]
read_verilog [file join $out biernic_u250.v]
read_xdc [file join $here u250.xdc]

synth_design -top biernic_u250 -part $part
report_utilization -file [file join $out reports synth_utilization.txt]
opt_design
place_design
phys_opt_design
route_design
report_timing_summary -max_paths 20 -file [file join $out reports timing_summary.txt]
report_utilization -hierarchical -file [file join $out reports utilization.txt]
report_clock_utilization -file [file join $out reports clock_utilization.txt]
write_checkpoint -force [file join $out biernic_u250_routed.dcp]

# Fail loudly when timing is not met (WNS < 0), rather than writing a bitstream silently.
set wns [get_property SLACK [get_timing_paths -max_paths 1 -nworst 1 -setup]]
puts "biernic: worst setup slack $wns ns"
if {$wns < 0} {
    error "biernic: timing not met (WNS $wns ns); see [file join $out reports timing_summary.txt]"
}
write_bitstream -force [file join $out biernic_u250.bit]
write_cfgmem -force -format mcs -size 1024 -interface SPIx4 \
    -loadbit "up 0x01002000 [file join $out biernic_u250.bit]" \
    -file [file join $out biernic_u250.mcs]
