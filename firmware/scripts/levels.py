#!/usr/bin/env python3
"""Logic levels of a flattened Xilinx netlist written by Yosys (`write_json` after
`synth_xilinx -flatten`), as Vivado counts them in report_design_analysis: the number of
LUT, MUXF and carry cells on a path from a register (or block RAM, or input port) to a
register (or RAM, or output port).

Why not `ltp -noff`: it only cuts paths at Yosys' internal flip-flop types, not at the mapped
FDRE/FDSE cells, so on a mapped netlist it follows every register's feedback loop and reports
nonsense. This script cuts at every sequential cell instead:

  * LUT1..LUT6, MUXF7/8/9: one logic level each;
  * CARRY4 (Yosys maps carries as CARRY4 on every family; Vivado retargets them to CARRY8):
    one carry cell each, counted apart;
  * INV, IBUF, OBUF, BUFG: no level (Vivado absorbs inverters into LUTs);
  * FDRE/FDSE/FDCE/FDPE, RAMB18E2/RAMB36E2, URAM288, DSP48E2: start and end of paths;
  * LUTRAM (RAM32M16, RAM32M, RAM64M, RAM64M8, RAM32X1D, RAM64X1D, ...): the asynchronous read
    (read address -> data out) is one logic level; write ports end paths;
  * SRL16E/SRLC32E: the address -> Q read is one logic level; D and CE end paths.

levels.py NETLIST.json [MODULE] [--endpoints N] prints the two longest paths (most LUT+MUXF
levels; most levels counting carry cells too), the cells on them, the deepest path ending in each
block, and with --endpoints the N registers with the deepest paths into them. In a flattened
netlist only the longest path is a tight number: ABC maps for the design's critical path and
then recovers area on the others, which may grow up to that depth.
(A hierarchical synthesis, one ABC run per module, would give tight per-module numbers, but
synth_xilinx without -flatten took over 30 minutes on the 512-bit core here, in ABC9 alone
over 20 minutes for the first ~180 of its 643 RustHDL modules, and was stopped. The
xcup-estimate target instead synthesizes the two big blocks, the DMA engine and the data
plane, each as its own flattened top, in a few minutes each.)
"""
import collections
import json
import re
import sys

LUT = re.compile(r"LUT[1-6]$")
MUXF = ("MUXF7", "MUXF8", "MUXF9")
CARRY = ("CARRY4", "CARRY8")
ZERO = ("INV", "IBUF", "OBUF", "BUFG", "IBUFG", "OBUFT", "IOBUF")
SEQ = re.compile(r"(FD[RSCP]E|RAMB(18|36)E[12]|URAM288.*|DSP48E[12])$")
# LUTRAM and SRL: combinational (read) input ports -> outputs.
READ_PORTS = {
    "SRL16E": ("A0", "A1", "A2", "A3"),
    "SRLC32E": ("A",),
    "RAM32M16": tuple(f"ADDR{c}" for c in "ABCDEFG"),
    "RAM64M8": tuple(f"ADDR{c}" for c in "ABCDEFG"),
    "RAM32M": tuple(f"ADDR{c}" for c in "ABC"),
    "RAM64M": tuple(f"ADDR{c}" for c in "ABC"),
    "RAM32X1D": ("A0", "A1", "A2", "A3", "A4", "DPRA0", "DPRA1", "DPRA2", "DPRA3", "DPRA4"),
    "RAM64X1D": ("A0", "A1", "A2", "A3", "A4", "A5",
                 "DPRA0", "DPRA1", "DPRA2", "DPRA3", "DPRA4", "DPRA5"),
    "RAM128X1D": ("A", "DPRA"),
    "RAM256X1D": ("A", "DPRA"),
}


def weight(t):
    """(logic levels, carry cells) a cell of type t adds."""
    if LUT.match(t) or t in MUXF or t in READ_PORTS:
        return (1, 0)
    if t in CARRY:
        return (0, 1)
    return (0, 0)


def analyse(path, top=None, j=None):
    if j is None:
        j = json.load(open(path))
    if top is None:
        top = next(n for n, m in j["modules"].items() if m.get("attributes", {}).get("top"))
    m = j["modules"][top]
    cells = m["cells"]
    names = {}
    for n, nn in m["netnames"].items():
        for b in nn["bits"]:
            if isinstance(b, int) and (b not in names or (names[b].startswith("$") and not n.startswith("$"))):
                names[b] = n
    driver = {}
    for cn, c in cells.items():
        for p, d in c.get("port_directions", {}).items():
            if d == "output":
                for b in c["connections"][p]:
                    if isinstance(b, int):
                        driver[b] = cn
    unknown = collections.Counter()
    comb = {}  # cell -> input bits on combinational arcs
    ends = {}  # sequential cell -> input bits that end paths
    for cn, c in cells.items():
        t = c["type"]
        dirs = c.get("port_directions", {})
        ins = [(p, c["connections"][p]) for p, d in dirs.items() if d == "input"]
        if t in READ_PORTS:
            comb[cn] = [b for p, bs in ins if p in READ_PORTS[t] for b in bs if isinstance(b, int)]
            ends[cn] = [b for p, bs in ins if p not in READ_PORTS[t] for b in bs if isinstance(b, int)]
        elif LUT.match(t) or t in MUXF or t in CARRY or t in ZERO:
            comb[cn] = [b for _, bs in ins for b in bs if isinstance(b, int)]
        elif SEQ.match(t):
            ends[cn] = [b for _, bs in ins for b in bs if isinstance(b, int)]
        elif not t.startswith("$scopeinfo"):
            if t not in j["modules"] or j["modules"][t].get("attributes", {}).get("blackbox"):
                unknown[t] += 1
            ends[cn] = [b for _, bs in ins for b in bs if isinstance(b, int)]
    # Sorted, so that ties between equally deep paths break the same way in every run.
    preds = {cn: sorted({driver[b] for b in bs if b in driver and driver[b] in comb})
             for cn, bs in comb.items()}
    succs = collections.defaultdict(list)
    for cn, ps in preds.items():
        for p in ps:
            succs[p].append(cn)
    # Longest paths in the DAG of combinational cells (Kahn's order), for two metrics.
    indeg = {cn: len(ps) for cn, ps in preds.items()}
    order = [cn for cn, d in indeg.items() if d == 0]
    i = 0
    while i < len(order):
        for s in succs[order[i]]:
            indeg[s] -= 1
            if indeg[s] == 0:
                order.append(s)
        i += 1
    loops = len(comb) - len(order)
    res = {}
    for metric in ("lut", "all"):
        lvl, back = {}, {}
        for cn in order:
            w = weight(cells[cn]["type"])
            wv = w[0] if metric == "lut" else w[0] + w[1]
            best, arg = 0, None
            for p in preds[cn]:
                if lvl[p] > best:
                    best, arg = lvl[p], p
            lvl[cn] = best + wv
            back[cn] = arg
        res[metric] = (lvl, back)
    return j, m, cells, names, comb, ends, driver, res, loops, unknown


def trace(cn, back):
    path = []
    while cn is not None:
        path.append(cn)
        cn = back[cn]
    return path[::-1]


def out_name(cells, names, cn):
    c = cells[cn]
    for p, d in c.get("port_directions", {}).items():
        if d == "output":
            for b in c["connections"][p]:
                if isinstance(b, int) and b in names:
                    return names[b]
    return "?"


def main():
    args = sys.argv[1:]
    endpoints = 0
    if "--endpoints" in args:
        i = args.index("--endpoints")
        endpoints = int(args[i + 1])
        del args[i:i + 2]
    path = args[0]
    top = args[1] if len(args) > 1 else None
    j, m, cells, names, comb, ends, driver, res, loops, unknown = analyse(path, top)
    lines = []
    if unknown:
        lines.append("cell types treated as path ends (not modelled): "
                     + ", ".join(f"{t} x{n}" for t, n in unknown.items()))
    if loops:
        lines.append(f"WARNING: {loops} combinational cells on loops (left out)")
    for metric, title in (("lut", "Most LUT+MUXF levels"), ("all", "Most levels counting carry cells")):
        lvl, back = res[metric]
        worst = max(lvl, key=lambda c: lvl[c]) if lvl else None
        if worst is None:
            continue
        p = trace(worst, back)
        luts = sum(weight(cells[c]["type"])[0] for c in p)
        carries = sum(weight(cells[c]["type"])[1] for c in p)
        starts = sorted({out_name(cells, names, driver[b]) if b in driver else names.get(b, "?")
                         for b in comb[p[0]] if driver.get(b) not in comb})
        lines.append(f"{title}: {luts} LUT/MUXF levels + {carries} carry cells "
                     f"({luts + carries} logic levels)")
        lines.append("  from " + ", ".join(s.lstrip("\\") for s in starts[:4])
                     + (", ..." if len(starts) > 4 else ""))
        outs = {b for pn, d in cells[p[-1]].get("port_directions", {}).items() if d == "output"
                for b in cells[p[-1]]["connections"][pn] if isinstance(b, int)}
        sinks = sorted({out_name(cells, names, e).lstrip("\\") for e, bs in ends.items()
                        if outs.intersection(bs)})
        lines.append("  to   " + (", ".join(sinks[:4]) + (", ..." if len(sinks) > 4 else "")
                                  if sinks else "an output port"))
        lines.append("  cells: " + " ".join(cells[c]["type"] for c in p))
        named = [out_name(cells, names, c) for c in p]
        named = [n.lstrip("\\") for n in named if not n.startswith("$")]
        if named:
            lines.append("  named nets on the path: " + ", ".join(dict.fromkeys(named)))
    # Deepest path (LUT+MUXF levels) ending at a register of each top-level block.
    lvl, _ = res["lut"]
    per_block = {}
    for cn, bs in ends.items():
        depth = max((lvl.get(driver.get(b), 0) for b in bs), default=0)
        q = out_name(cells, names, cn).lstrip("\\")
        # The block: the instance path of the endpoint (its name less the register's), at
        # most three levels deep.
        block = ".".join(q.split(".")[:-1][:3]) if not q.startswith("$") else "(unnamed registers)"
        block = block or "(top level)"
        if depth > per_block.get(block, (-1, ""))[0]:
            per_block[block] = (depth, q)
    lines.append("Deepest LUT+MUXF path into each block's registers/RAMs (block: levels, endpoint):")
    for block, (d, q) in sorted(per_block.items(), key=lambda kv: -kv[1][0])[:25]:
        lines.append(f"  {block:32s} {d:3d}  {q}")
    if endpoints:
        # Deepest path into each register (bits of one register merged), the deepest first.
        per_reg = {}
        for cn, bs in ends.items():
            depth = max((lvl.get(driver.get(b), 0) for b in bs), default=0)
            q = re.sub(r"(\$q|\[\d+\])$", "", out_name(cells, names, cn).lstrip("\\"))
            if depth > per_reg.get(q, -1):
                per_reg[q] = depth
        lines.append(f"Deepest LUT+MUXF path into each register (the {endpoints} deepest):")
        for q, d in sorted(per_reg.items(), key=lambda kv: (-kv[1], kv[0]))[:endpoints]:
            lines.append(f"  {d:3d}  {q}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
