#!/usr/bin/env python3
"""Writes malformed guest images, each derived from one good one.

    make_bad_images.py GOOD.elf OUTDIR

The loader must refuse each with a message and let the other domains run
(the guest-images machine in tests/harness/matrix.py boots them):

    bad-truncated.elf   the file stops inside its first loadable segment
    bad-overlap.elf     the second PT_LOAD moved onto the first one's pages
    bad-entry.elf       the entry point outside every executable segment
    bad-huge.elf        a segment of 64 MiB in memory (mem= is smaller)
    bad-wx.elf          a segment both writable and executable
"""
import struct
import sys
from pathlib import Path

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
PT_LOAD, PF_X, PF_W = 1, 1, 2


def phdrs(image: bytes) -> tuple[int, int, list[list[int]]]:
    """(phoff, phentsize, [fields of each program header])."""
    e = EHDR.unpack_from(image)
    phoff, phentsize, phnum = e[5], e[9], e[10]
    return phoff, phentsize, [list(PHDR.unpack_from(image, phoff + i * phentsize))
                              for i in range(phnum)]


def with_phdr(image: bytes, index: int, fields: list[int]) -> bytes:
    phoff, phentsize, _ = phdrs(image)
    out = bytearray(image)
    PHDR.pack_into(out, phoff + index * phentsize, *fields)
    return bytes(out)


def main() -> int:
    good, outdir = Path(sys.argv[1]).read_bytes(), Path(sys.argv[2])
    outdir.mkdir(parents=True, exist_ok=True)
    _, _, ph = phdrs(good)
    loads = [i for i, p in enumerate(ph) if p[0] == PT_LOAD]
    text = next(i for i in loads if ph[i][1] & PF_X)
    first, second = loads[0], loads[1]

    (outdir / "bad-truncated.elf").write_bytes(good[:ph[text][2] + 64])

    moved = list(ph[second])
    moved[3] = moved[4] = ph[first][3]  # p_vaddr, p_paddr onto the first
    moved[2] = ph[first][2]             # keep vaddr and offset congruent
    (outdir / "bad-overlap.elf").write_bytes(with_phdr(good, second, moved))

    out = bytearray(good)
    e = list(EHDR.unpack_from(good))
    e[4] = 0x10000000                   # e_entry: nowhere
    EHDR.pack_into(out, 0, *e)
    (outdir / "bad-entry.elf").write_bytes(bytes(out))

    huge = list(ph[loads[-1]])
    huge[6] = 64 << 20                  # p_memsz
    (outdir / "bad-huge.elf").write_bytes(with_phdr(good, loads[-1], huge))

    wx = list(ph[text])
    wx[1] |= PF_W
    (outdir / "bad-wx.elf").write_bytes(with_phdr(good, text, wx))
    return 0


if __name__ == "__main__":
    sys.exit(main())
