"""Reading PC Screen Fonts (PSF 1 and 2, plain or gzipped), as the Linux
console's fonts are packaged (Debian's console-setup-linux ships the
Terminus faces in /usr/share/consolefonts).

Used twice, so that both sides see the same bits: tools/mkfont.py turns
fonts into the kernel's C tables, and the boot harness renders the text it
expects on a screenshot from the same files (tests/harness/screen.py).

Formats (the kbd project's psf.h): PSF1 starts 36 04, then a mode byte
(0x01: 512 glyphs, else 256; 0x02 or 0x04: a Unicode table follows the
glyphs) and the glyph height; glyphs are 8 pixels wide, one byte a row.
The table holds, for each glyph, little-endian u16 code points, 0xFFFE
before a sequence, 0xFFFF after the glyph's entry. PSF2 starts 72 b5 4a
86, then u32 version, header size, flags (1: Unicode table), glyph count,
bytes per glyph, height, width; rows are padded to whole bytes; its table
is UTF-8, 0xFE before a sequence, 0xFF after each glyph's entry.
"""

from __future__ import annotations

import dataclasses
import gzip
import struct
from pathlib import Path

PSF1_MAGIC = b"\x36\x04"
PSF1_MODE512 = 0x01
PSF1_MODEHASTAB = 0x02
PSF1_MODESEQ = 0x04
PSF1_SEPARATOR = 0xFFFF
PSF1_STARTSEQ = 0xFFFE

PSF2_MAGIC = b"\x72\xb5\x4a\x86"
PSF2_HAS_UNICODE_TABLE = 0x01
PSF2_SEPARATOR = 0xFF
PSF2_STARTSEQ = 0xFE


@dataclasses.dataclass
class Font:
    """A bitmap font: glyph rows as bytes, stride bytes a row, the leftmost
    pixel in the top bit of a row's first byte."""

    name: str
    width: int
    height: int
    glyphs: list[bytes]  # height * stride bytes each
    unicode: dict[int, int]  # code point -> glyph index (single code points)

    @property
    def stride(self) -> int:
        return (self.width + 7) // 8

    def glyph_for(self, char: str) -> bytes | None:
        """The glyph that draws char, or None if the font has none."""
        index = self.unicode.get(ord(char))
        return None if index is None else self.glyphs[index]

    def pixel(self, glyph: bytes, x: int, y: int) -> bool:
        """True if the pixel at column x, row y of glyph is set."""
        return bool(glyph[y * self.stride + x // 8] & (0x80 >> (x % 8)))


class PsfError(ValueError):
    pass


def _psf1(name: str, data: bytes) -> Font:
    if len(data) < 4:
        raise PsfError(f"{name}: PSF1 header cut short")
    mode, height = data[2], data[3]
    count = 512 if mode & PSF1_MODE512 else 256
    end = 4 + count * height
    if height == 0 or len(data) < end:
        raise PsfError(f"{name}: PSF1 glyphs cut short ({len(data)} bytes)")
    glyphs = [data[4 + i * height:4 + (i + 1) * height] for i in range(count)]
    unicode: dict[int, int] = {}
    if mode & (PSF1_MODEHASTAB | PSF1_MODESEQ):
        index, in_seq, pos = 0, False, end
        while index < count and pos + 2 <= len(data):
            (value,) = struct.unpack_from("<H", data, pos)
            pos += 2
            if value == PSF1_SEPARATOR:
                index, in_seq = index + 1, False
            elif value == PSF1_STARTSEQ:
                in_seq = True
            elif not in_seq:
                unicode.setdefault(value, index)
    else:
        unicode = {i: i for i in range(count)}
    return Font(name, 8, height, glyphs, unicode)


def _psf2(name: str, data: bytes) -> Font:
    if len(data) < 32:
        raise PsfError(f"{name}: PSF2 header cut short")
    _version, header, flags, count, size, height, width = struct.unpack_from("<7I", data, 4)
    if width == 0 or height == 0 or size != height * ((width + 7) // 8):
        raise PsfError(f"{name}: PSF2 glyph size {size} does not fit {width}x{height}")
    end = header + count * size
    if len(data) < end:
        raise PsfError(f"{name}: PSF2 glyphs cut short ({len(data)} bytes)")
    glyphs = [data[header + i * size:header + (i + 1) * size] for i in range(count)]
    unicode: dict[int, int] = {}
    if flags & PSF2_HAS_UNICODE_TABLE:
        index, pos = 0, end
        while index < count and pos < len(data):
            stop = data.find(bytes([PSF2_SEPARATOR]), pos)
            if stop < 0:
                stop = len(data)
            entry = data[pos:stop].split(bytes([PSF2_STARTSEQ]), 1)[0]
            for char in entry.decode("utf-8", errors="ignore"):
                unicode.setdefault(ord(char), index)
            index, pos = index + 1, stop + 1
    else:
        unicode = {i: i for i in range(count)}
    return Font(name, width, height, glyphs, unicode)


def load(path: Path | str) -> Font:
    """Reads the font at path (.psf or .psf.gz); raises PsfError if it is
    not a PSF font."""
    path = Path(path)
    raw = path.read_bytes()
    data = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    name = path.name.split(".psf")[0]
    if data[:2] == PSF1_MAGIC:
        return _psf1(name, data)
    if data[:4] == PSF2_MAGIC:
        return _psf2(name, data)
    raise PsfError(f"{path}: not a PSF font")
