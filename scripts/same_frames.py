#!/usr/bin/env python3
"""Compares the frames (bytes, order) of pairs of classic pcap files, ignoring timestamps.

usage: same_frames.py A.pcap B.pcap [A2.pcap B2.pcap ...]; exit 1 and a message on the first difference.
"""
import struct
import sys


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise SystemExit(f"{path}: not a pcap file")
    magic = data[:4]
    endian = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",
              b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}.get(magic)
    if endian is None:
        raise SystemExit(f"{path}: not a classic pcap file")
    out, off = [], 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


def main(args):
    if len(args) % 2 or not args:
        raise SystemExit(__doc__)
    total = 0
    for a, b in zip(args[::2], args[1::2]):
        fa, fb = frames(a), frames(b)
        if len(fa) != len(fb):
            raise SystemExit(f"{a}: {len(fa)} frames, {b}: {len(fb)}")
        for i, (x, y) in enumerate(zip(fa, fb)):
            if x != y:
                raise SystemExit(f"{a} and {b} differ at frame {i}")
        total += len(fa)
    print(f"{len(args) // 2} pairs of captures, {total} frames, identical")


if __name__ == "__main__":
    main(sys.argv[1:])
