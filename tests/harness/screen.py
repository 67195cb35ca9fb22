"""Reading the framebuffer console off a screenshot.

QEMU's `screendump FILE` writes the display as a binary PPM (P6). The
framebuffer console (common/fbcon.c) draws cells from the top-left corner,
light grey on black, with one of the fonts the kernel was built with
(tools/mkfont.py FONTS). read_text() cuts the picture into cells of each
font's size and looks every cell up among that font's glyphs, rendered
from the same PSF files: a cell that is not exactly one glyph reads as
'\\0'. The font that reads the most cells wins. So the text comes from the
kernel's drawing and the font's bits, never from a stored image.

Concurrency: none; pure functions over bytes.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[2] / "tools"
sys.path.insert(0, str(TOOLS))

import mkfont  # noqa: E402
import psf  # noqa: E402

UNKNOWN = "\0"
# Green channel above this is a set pixel: the console draws 0xaa on 0.
ON_LEVEL = 0x55
_ON = bytes(1 if v > ON_LEVEL else 0 for v in range(256))


@dataclasses.dataclass
class Picture:
    width: int
    height: int
    on: bytes  # width * height bytes, 1 where the pixel is set


def parse_ppm(data: bytes) -> Picture:
    """The set pixels of a binary PPM (P6, maxval 255); raises ValueError."""
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:
        while pos < len(data) and data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while end < len(data) and not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError(f"not a P6 PPM with maxval 255: {fields[0]!r} {fields[3]!r}")
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:pos + 1 + width * height * 3]
    if len(pixels) != width * height * 3:
        raise ValueError(f"PPM cut short: {len(pixels)} of {width * height * 3} bytes")
    return Picture(width, height, pixels[1::3].translate(_ON))


def glyph_key(font: psf.Font, glyph: bytes) -> bytes:
    """glyph as the picture shows it: width * height bytes of 0 or 1."""
    return bytes(font.pixel(glyph, x, y) for y in range(font.height) for x in range(font.width))


def glyph_table(font: psf.Font) -> dict[bytes, str]:
    """Each printable ASCII glyph's picture -> its character (first wins)."""
    table: dict[bytes, str] = {}
    for code in range(mkfont.FIRST, mkfont.LAST + 1):
        glyph = font.glyph_for(chr(code))
        if glyph is not None:
            table.setdefault(glyph_key(font, glyph), chr(code))
    return table


def read_with(picture: Picture, font: psf.Font) -> list[str]:
    """The screen's lines read as cells of font, trailing blanks removed."""
    table = glyph_table(font)
    cols, rows = picture.width // font.width, picture.height // font.height
    lines = []
    for row in range(rows):
        chars = []
        for col in range(cols):
            x0 = col * font.width
            cell = b"".join(
                picture.on[(row * font.height + y) * picture.width + x0:
                           (row * font.height + y) * picture.width + x0 + font.width]
                for y in range(font.height))
            chars.append(table.get(cell, UNKNOWN))
        lines.append("".join(chars).rstrip(" "))
    return lines


def read_text(picture: Picture, fonts: list[psf.Font] | None = None) -> tuple[str, list[str]]:
    """(font name, lines) for the font that reads the most non-blank cells."""
    if fonts is None:
        fonts = [psf.load(p) for p in mkfont.font_paths()]
    best: tuple[int, str, list[str]] = (-1, "", [])
    for font in fonts:
        lines = read_with(picture, font)
        known = sum(1 for line in lines for c in line if c not in (" ", UNKNOWN))
        if known > best[0]:
            best = (known, font.name, lines)
    return best[1], best[2]


def read_file(path: Path | str) -> tuple[str, list[str]]:
    return read_text(parse_ppm(Path(path).read_bytes()))


if __name__ == "__main__":
    name, text = read_file(sys.argv[1] if len(sys.argv) > 1 else os.devnull)
    print(f"# font {name}")
    print("\n".join(line.replace(UNKNOWN, "?") for line in text))
