#!/usr/bin/env python3
"""Formats the build reports of firmware/reports/ from tool output (never edited by hand).

report.py ecp5 OUTDIR REPORT   -- nextpnr-ecp5 report JSON + Yosys stat + run times
report.py xcup OUTDIR REPORT [BLOCK ...] -- Yosys synth_xilinx -family xcup stat + levels.py (logic
                                    levels), and per-block runs in OUTDIR/BLOCK/levels.txt
"""
import json
import os
import re
import sys
import datetime


# nextpnr's names of the ECPIX-5 clock nets -> what they are.
ECP5_CLOCKS = [
    ("eth_rx_clk", "eth_clk: RGMII RX clock, MAC and Ethernet side (1000BASE-T needs 125 MHz)"),
    ("dp.", "dp_clk: PLL output, data plane, register bridge, bad-frame filter"),
]


def clock_label(net):
    for key, label in ECP5_CLOCKS:
        if key in net:
            return label
    return net


def path_summary(cp):
    """Start, end, total delay, logic/routing split and LUT levels of a nextpnr critical path."""
    els = cp["path"]
    total = sum(e["delay"] for e in els)
    logic = sum(e["delay"] for e in els if e["type"] in ("logic", "clk-to-q", "setup"))
    # LUT levels: logic steps other than the carry-chain hops (FCI -> FCO) of CCU2C cells.
    luts = sum(1 for e in els if e["type"] == "logic" and e["from"]["port"] != "FCI")
    carry = sum(1 for e in els if e["type"] == "logic" and e["from"]["port"] == "FCI")
    return (f"{total:.2f} ns ({logic:.2f} logic, {total - logic:.2f} routing), "
            f"{luts} logic cells + {carry} carry hops\n"
            f"      from {els[0]['from']['cell']}.{els[0]['from']['port']}\n"
            f"      to   {els[-1]['to']['cell']}.{els[-1]['to']['port']}")


def ecp5(outdir, report):
    rep = json.load(open(f"{outdir}/nextpnr_report.json"))
    util = rep["utilization"]
    times = dict(l.strip().split("=", 1) for l in open(f"{outdir}/times.txt") if "=" in l)
    vers = dict(l.strip().split("=", 1) for l in open(f"{outdir}/versions.txt") if "=" in l)
    log = open(f"{outdir}/nextpnr.log").read()
    lines = [
        "biernic ECP5 build: LambdaConcept ECPIX-5 85F (LFE5UM5G-85F-8BG554I, speed 8)",
        "Flow: yosys synth_ecp5 -> nextpnr-ecp5 -> ecppack (firmware/scripts/build_ecp5.sh)",
        f"  yosys:   {vers.get('yosys', '?')}",
        f"  nextpnr: {vers.get('nextpnr', '?')}, --seed {vers.get('seed', '?')}",
        f"Generated: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        "Logic (nextpnr, before packing):",
    ]
    for m in re.finditer(r"^Info:\s+(Total LUT4s|logic LUTs|carry LUTs|RAM LUTs|RAMW LUTs|Total DFFs):"
                         r"\s+(\d+)/\s*(\d+)", log, re.M):
        lines.append(f"  {m.group(1):32s} {m.group(2):>7} / {m.group(3)}")
    lines += ["", "Resources (nextpnr, placed design):"]
    names = {
        "TRELLIS_COMB": "LUT4 slices' halves (all uses)",
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
        lines.append(f"  {clock_label(clk)}")
        lines.append(f"    achieved {f['achieved']:7.2f} MHz, needed {f['constraint']:7.2f} MHz"
                     f"  {'MET' if met else 'MISSED'} (margin {100.0 * (f['achieved'] / f['constraint'] - 1):+.0f} %)")
    lines += ["", f"All clocks met: {'yes' if ok else 'NO'}", "", "Critical path per clock:"]
    for cp in rep["critical_paths"]:
        if cp["from"] == cp["to"] and cp["path"]:
            lines.append(f"  {clock_label(cp['from'])}")
            lines.append("    " + path_summary(cp))
    lines += ["", f"Run times on this machine: yosys {times.get('synth_s')} s, nextpnr {times.get('pnr_s')} s, "
              f"ecppack {times.get('pack_s')} s"]
    os.makedirs(os.path.dirname(report) or ".", exist_ok=True)
    open(report, "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if ok else 1


BLOCK_NAMES = {"biernic_dma": "DMA engine", "biernic_core": "data plane"}


def blocks_section(outdir, blocks):
    """Per-block syntheses (each block its own flattened top): their longest paths and deepest
    registers, from OUTDIR/BLOCK/levels.txt."""
    if not blocks:
        return []
    lines = [
        "",
        "Each big block synthesized on its own (same flow, the block as top): ABC maps it for its",
        "own critical path, so these depths are the block's own (in the whole core, ABC's area",
        "recovery lets any path grow up to the core's longest):",
    ]
    for b in blocks:
        lv = open(f"{outdir}/{b}/levels.txt").read().rstrip("\n").splitlines()
        lines.append("")
        lines.append(f"  {b} ({BLOCK_NAMES.get(b, b)}):")
        keep = False
        for l in lv:
            if l.startswith("Most ") or l.startswith("  from") or l.startswith("  to"):
                lines.append(f"    {l.strip()}")
            if l.startswith("Deepest LUT+MUXF path into each register"):
                keep = True
                lines.append(f"    {l.strip()}")
                continue
            if keep:
                lines.append(f"    {l}")
    return lines


def xcup(outdir, report, blocks=()):
    stat = open(f"{outdir}/stat.txt").read()
    levels = open(f"{outdir}/levels.txt").read().rstrip("\n").splitlines()
    cells = {}
    for m in re.finditer(r"^\s+(\d+)\s+(\S+)\s*$", stat, re.M):
        cells[m.group(2)] = cells.get(m.group(2), 0) + int(m.group(1))
    luts = sum(v for k, v in cells.items() if re.fullmatch(r"LUT[1-6]", k))
    lutram = sum(v for k, v in cells.items() if k.startswith("RAM") and k[3:4].isdigit())
    srl = sum(v for k, v in cells.items() if k.startswith("SRL"))
    ffs = sum(v for k, v in cells.items() if k in ("FDRE", "FDSE", "FDCE", "FDPE"))
    bram36 = cells.get("RAMB36E2", 0)
    bram18 = cells.get("RAMB18E2", 0)
    uram = cells.get("URAM288", 0)
    dsp = cells.get("DSP48E2", 0)
    carry = cells.get("CARRY4", 0) + cells.get("CARRY8", 0)
    mux = sum(v for k, v in cells.items() if k in ("MUXF7", "MUXF8", "MUXF9"))
    t = open(f"{outdir}/time.txt").read().strip().splitlines()
    real = next((l.split()[1] for l in t if l.startswith("real")), "?")
    head = [l for l in levels if l.startswith("Most ")]
    lines = [
        "biernic 512-bit core (biernic_nic: data plane + DMA engine), UltraScale+ estimate",
        "(Alveo U250 build, xcu250). Yosys estimate, not Vivado: Vivado (firmware/alveo/build_u250.tcl)",
        "is the real check of area and of the 250 MHz clock.",
        "Flow: Yosys 0.70 (pyosys, native) synth_xilinx -family xcup -flatten -noiopad -noclkbuf; stat;",
        "write_json; firmware/scripts/levels.py (firmware/firmware.mk target xcup-estimate)",
        f"Generated: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        f"  LUTs (LUT1..LUT6)               {luts:>8}",
        f"  LUTRAM cells (RAM32M16 ...)     {lutram:>8}",
        f"  SRL16E/SRLC32E                  {srl:>8}",
        f"  flip-flops                      {ffs:>8}",
        f"  block RAMs RAMB36E2 / RAMB18E2  {bram36:>8} / {bram18}  ({bram36 + bram18 / 2:.1f} RAMB36 equivalents)",
        f"  UltraRAM / DSP48E2              {uram:>8} / {dsp}",
        f"  carry cells / MUXF7-9           {carry:>8} / {mux}  (Yosys maps carries as CARRY4)",
        "",
        "Longest combinational paths, register (or RAM, or port) to register, in logic levels:",
    ] + [f"  {l}" for l in head] + [
        "",
        "A logic level is one LUT or MUXF cell; carry cells are counted apart (each CARRY4 holds 4",
        "bits: a 32-bit adder is 1 LUT + 8 CARRY4, ~4 CARRY8 in Vivado, and a carry hop costs far",
        "less than a LUT plus its routing). Rule of thumb for the 250 MHz target (4 ns) on",
        "UltraScale+ -2: about 0.1-0.2 ns per LUT plus 0.3-0.6 ns of routing per level, so some",
        "6-8 LUT levels between registers; deeper paths need pipelining. Yosys' ABC9 maps with a",
        "7-series delay model; Vivado's own mapping will differ. Only the longest path is a firm",
        "number: ABC maps for the design's critical path, then recovers area on the other paths,",
        "which may then grow up to that depth, so the per-block depths in the detail are upper",
        "bounds.",
        "",
        f"Run time on this machine: {real}",
        "",
        "Detail (firmware/scripts/levels.py):",
    ] + [f"  {l}" for l in levels] + blocks_section(outdir, blocks) + [
        "",
        "All cell types:",
    ] + [f"  {k:24s} {v}" for k, v in sorted(cells.items())]
    os.makedirs(os.path.dirname(report) or ".", exist_ok=True)
    open(report, "w").write("\n".join(lines) + "\n")
    print("\n".join(lines[:18 + len(head)]))
    return 0


if __name__ == "__main__":
    kind, outdir, report = sys.argv[1:4]
    sys.exit(ecp5(outdir, report) if kind == "ecp5" else xcup(outdir, report, sys.argv[4:]))
