#!/usr/bin/env python3
"""Writes the decoder's seed corpus: one file per encoding of the unit
test's table (tests/unit/test_x86_decode.c), a mode byte first.

    gen_x86_decode_seeds.py tests/unit/test_x86_decode.c OUTDIR
"""
import re
import sys
from pathlib import Path

MODES = {"X86_MODE_16": 0, "X86_MODE_32": 1, "X86_MODE_64": 2}
ROW = re.compile(r'\{(X86_MODE_\d+), "((?:\\x[0-9a-f]{2})+)", \d+,')


def main() -> int:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    n = 0
    for mode, hexbytes in ROW.findall(source.read_text()):
        data = bytes([MODES[mode]]) + bytes.fromhex(hexbytes.replace("\\x", ""))
        (out / f"seed-{n:04d}").write_bytes(data)
        n += 1
    if n == 0:
        sys.exit(f"{source}: no encodings found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
