"""Tests of screen.py: text drawn with a kernel font reads back as it was
drawn; a cell that is not a glyph, or another font's drawing, does not."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import screen  # noqa: E402
from screen import mkfont, psf  # noqa: E402


def draw_ppm(font: psf.Font, lines: list[str], cols: int, rows: int) -> bytes:
    """A P6 picture of lines drawn as the kernel's console draws them."""
    width, height = cols * font.width, rows * font.height
    pixels = bytearray(width * height * 3)
    for row, text in enumerate(lines):
        for col, char in enumerate(text):
            glyph = font.glyph_for(char)
            for y in range(font.height):
                for x in range(font.width):
                    if font.pixel(glyph, x, y):
                        at = ((row * font.height + y) * width + col * font.width + x) * 3
                        pixels[at:at + 3] = b"\xaa\xaa\xaa"
    return f"P6\n# test\n{width} {height}\n255\n".encode() + bytes(pixels)


@unittest.skipUnless(all(p.exists() for p in mkfont.font_paths()),
                     "no console fonts (tools/install-deps.sh installs console-setup-linux)")
class ScreenTest(unittest.TestCase):
    def setUp(self):
        self.fonts = [psf.load(p) for p in mkfont.font_paths()]

    def test_every_font_reads_back(self):
        lines = ["[c   1234] Kairos microhypervisor 0.1.0", "SMP: 2 CPUs online ~!@#$%^&*()_+{}|"]
        for font in self.fonts:
            picture = screen.parse_ppm(draw_ppm(font, lines, 40, 3))
            name, text = screen.read_text(picture, self.fonts)
            self.assertEqual(name, font.name)
            self.assertEqual(text, lines + [""])

    def test_a_smudged_cell_is_unknown(self):
        font = self.fonts[0]
        data = bytearray(draw_ppm(font, ["abc"], 4, 1))
        header = len(data) - 4 * font.width * font.height * 3
        data[header + (font.width + 1) * 3 + 1] ^= 0xff  # a pixel of 'b', top row
        _, text = screen.read_text(screen.parse_ppm(bytes(data)), [font])
        self.assertEqual(text, ["a" + screen.UNKNOWN + "c"])

    def test_not_a_ppm(self):
        with self.assertRaises(ValueError):
            screen.parse_ppm(b"P5\n1 1\n255\n\0")
        with self.assertRaises(ValueError):
            screen.parse_ppm(b"P6\n2 2\n255\n\0\0\0")


if __name__ == "__main__":
    unittest.main()
