"""Tests of tools/mkiso.sh: the grub.cfg it writes and how a command line
gets through GRUB to the kernel.

Two steps stand between the command line given to mkiso.sh and the string
the kernel finds in its multiboot2 command-line tag:

1. GRUB's script parser reads the words mkiso.sh wrote into grub.cfg
   (grub_script_words below models the part mkiso.sh uses: single quotes
   and backslashes).
2. GRUB's loader joins those words into the tag (grub_loader_cmdline below
   models grub_create_loader_cmdline() of GRUB 2.06): a backslash goes
   before each \\ ' and ", and a word with a space is wrapped in "...".

The expected strings were checked end to end: a stand-in kernel printed
the tag it received, booted from mkiso.sh's ISO in QEMU under both SeaBIOS
and OVMF (see KERNEL_SAW).
"""

import shutil
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

MKISO = Path(__file__).resolve().parents[2] / "tools" / "mkiso.sh"

# A command line with GRUB-script metacharacters, quoted values, a quote, a
# backslash, a tab, runs of blanks and an unbalanced quote ...
TRICKY = ("debug_exit  test=* a=$x;y q=\"a b\" it's back\\slash\ttab "
          "\"whole word\" unbal=\"x y")
# ... and what the stand-in kernel printed for it (GRUB 2.06, BIOS and UEFI).
KERNEL_SAW = ("debug_exit test=* a=$x;y \"q=a b\" it\\'s back\\\\slash tab "
              "\"whole word\" \"unbal=x y\"")


def print_grub_cfg(cmdline: str, *modules: str) -> str:
    proc = subprocess.run([str(MKISO), "--print-grub-cfg", "kernel.elf", cmdline, *modules],
                          capture_output=True, text=True, check=True)
    return proc.stdout


def grub_script_words(line: str) -> list[str]:
    """Splits one grub.cfg command line into words (quotes and escapes only)."""
    words, word, i, in_word = [], "", 0, False
    while i < len(line):
        c = line[i]
        if c == "'":
            end = line.index("'", i + 1)  # nothing escapes inside single quotes
            word, in_word, i = word + line[i + 1:end], True, end + 1
            continue
        if c == "\\":
            word, in_word, i = word + line[i + 1], True, i + 2
            continue
        if c == '"':
            raise AssertionError("mkiso.sh writes no double-quoted words: " + line)
        if c in " \t":
            if in_word:
                words.append(word)
            word, in_word = "", False
        else:
            word, in_word = word + c, True
        i += 1
    if in_word:
        words.append(word)
    return words


def grub_loader_cmdline(args: list[str]) -> str:
    """What GRUB 2.06's grub_create_loader_cmdline() makes of its arguments."""
    out = []
    for arg in args:
        escaped = "".join("\\" + c if c in "\\'\"" else c for c in arg)
        out.append(f'"{escaped}"' if " " in arg else escaped)
    return " ".join(out)


def kernel_words(cmdline: str) -> list[str]:
    """A reference tokenizer that reads GRUB's output back into words:
    spaces outside double quotes separate (only spaces: GRUB wraps a word
    in quotes for a space but not for a tab), a double quote toggles
    quoting and is dropped, a backslash takes the next character literally."""
    words, word, quoted, in_word, i = [], "", False, False, 0
    while i < len(cmdline):
        c = cmdline[i]
        if c == "\\" and i + 1 < len(cmdline):
            word, in_word, i = word + cmdline[i + 1], True, i + 2
            continue
        if c == '"':
            quoted, in_word = not quoted, True
        elif c == " " and not quoted:
            if in_word and word:
                words.append(word)
            word, in_word = "", False
        else:
            word, in_word = word + c, True
        i += 1
    if in_word and word:
        words.append(word)
    return words


def typed_words(cmdline: str) -> list[str]:
    """The words as typed (what mkiso.sh hands GRUB): blanks outside double
    quotes separate, the quotes are dropped, a backslash is just a backslash."""
    words, word, quoted, in_word = [], "", False, False
    for c in cmdline:
        if c == '"':
            quoted, in_word = not quoted, True
        elif c in " \t\n" and not quoted:
            if in_word and word:
                words.append(word)
            word, in_word = "", False
        else:
            word, in_word = word + c, True
    if in_word and word:
        words.append(word)
    return words


def kernel_cmdline(cfg: str, command: str = "multiboot2") -> str:
    """The command-line tag the kernel (or module) gets from this grub.cfg."""
    for line in cfg.splitlines():
        if line.startswith(command + " "):
            return grub_loader_cmdline(grub_script_words(line)[2:])
    raise AssertionError(f"no {command} line in:\n{cfg}")


class GrubCfgTest(unittest.TestCase):
    def test_no_menu_and_boots(self):
        cfg = print_grub_cfg("test=*")
        self.assertNotIn("menuentry", cfg)
        self.assertIn("set timeout=0\n", cfg)
        lines = [line for line in cfg.splitlines() if line and not line.startswith("#")]
        self.assertEqual(lines[2], "multiboot2 /boot/kairos.elf 'test=*'")
        self.assertEqual(lines[3], 'if [ "$grub_platform" = pc ]; then set gfxpayload=text; fi')
        self.assertEqual(lines[4], "boot")

    def test_gfxpayload_sets_the_mode_on_both_platforms(self):
        env = dict(os.environ, GFXPAYLOAD="1280x1024x32")
        cfg = subprocess.run([str(MKISO), "--print-grub-cfg", "kernel.elf", "x"], env=env,
                             capture_output=True, text=True, check=True).stdout
        lines = [line for line in cfg.splitlines() if line and not line.startswith("#")]
        # GRUB's multiboot2 loader sets gfxpayload itself: ours comes after.
        self.assertEqual(lines[1:4], ["insmod all_video", "multiboot2 /boot/kairos.elf 'x'",
                                      "set gfxpayload=1280x1024x32"])
        self.assertNotIn("gfxpayload=1280", print_grub_cfg("x"))
        env["GFXPAYLOAD"] = "1024x768; halt"
        proc = subprocess.run([str(MKISO), "--print-grub-cfg", "kernel.elf", "x"], env=env,
                              capture_output=True, text=True, check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("give WIDTHxHEIGHT[xDEPTH]", proc.stderr)

    def test_grub_silent_on_serial_until_failure(self):
        lines = print_grub_cfg("x").splitlines()
        boot = lines.index("boot")
        self.assertFalse(any("serial" in line or "terminal" in line for line in lines[:boot]))

    def test_each_word_single_quoted(self):
        cfg = print_grub_cfg(TRICKY)
        line = next(x for x in cfg.splitlines() if x.startswith("multiboot2"))
        self.assertEqual(line, "multiboot2 /boot/kairos.elf 'debug_exit' 'test=*' 'a=$x;y' "
                               "'q=a b' 'it'\\''s' 'back\\slash' 'tab' 'whole word' 'unbal=x y'")

    def test_empty_cmdline(self):
        self.assertIn("multiboot2 /boot/kairos.elf\n", print_grub_cfg(""))
        self.assertIn("multiboot2 /boot/kairos.elf\n", print_grub_cfg(' \t "" '))

    def test_modules(self):
        cfg = print_grub_cfg("", "/a/dom0.elf", "guests/dom1.elf:vcpus=2 name=\"my guest\"")
        self.assertIn("module2 /boot/dom0.elf\n", cfg)
        self.assertEqual(kernel_cmdline(cfg.replace("module2 /boot/dom0.elf\n", ""), "module2"),
                         'vcpus=2 "name=my guest"')

    def test_bad_module_name(self):
        proc = subprocess.run([str(MKISO), "--print-grub-cfg", "k", "", "a b/x y.elf"],
                              capture_output=True, text=True, check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("letters, digits", proc.stderr)


class ThroughGrubTest(unittest.TestCase):
    """What the kernel receives, and that it can read back the typed words."""

    CMDLINES = [
        "test=*",
        "a=$x;y b=${HOME} c=`id` d=|&<>(){}",
        'q="a b"  r="" s="x\ty"',
        "it's o'clock 'quoted'",
        "back\\slash trail\\",
        "loglvl=banana frobnicate com1=nonsense test=cmdline",
        "unicode=\u00e9t\u00e9 emoji=\u2603",
        TRICKY,
    ]

    def test_matches_what_the_kernel_saw(self):
        self.assertEqual(kernel_cmdline(print_grub_cfg(TRICKY)), KERNEL_SAW)

    def test_plain_options_arrive_unchanged(self):
        for cmdline in ("test=*", "a=$x;y b=${HOME} c=`id` d=|&<>(){}",
                        "loglvl=banana frobnicate com1=nonsense test=cmdline"):
            with self.subTest(cmdline=cmdline):
                self.assertEqual(kernel_cmdline(print_grub_cfg(cmdline)), cmdline)

    def test_tab_in_quotes_is_not_wrapped(self):
        # GRUB quotes a word for a space only: the kernel must split on spaces.
        self.assertEqual(kernel_cmdline(print_grub_cfg('s="x\ty" u="a b\tc"')),
                         's=x\ty "u=a b\tc"')

    def test_words_survive(self):
        for cmdline in self.CMDLINES:
            with self.subTest(cmdline=cmdline):
                received = kernel_cmdline(print_grub_cfg(cmdline))
                self.assertEqual(kernel_words(received), typed_words(cmdline))


@unittest.skipUnless(shutil.which("grub-mkrescue") and shutil.which("xorriso"),
                     "grub-mkrescue or xorriso missing")
class BuildTest(unittest.TestCase):
    def test_iso_contents(self):
        with tempfile.TemporaryDirectory() as tmp:
            kernel, module, iso = Path(tmp, "k.elf"), Path(tmp, "guest.elf"), Path(tmp, "o.iso")
            kernel.write_bytes(b"\x7fELF not really")
            module.write_bytes(b"guest")
            subprocess.run([str(MKISO), str(iso), str(kernel), "test=*", f"{module}:x=1"],
                           check=True, capture_output=True)
            listing = subprocess.run(["xorriso", "-indev", str(iso), "-find", "/boot",
                                      "-maxdepth", "1"], capture_output=True, text=True,
                                     check=True).stdout
            for path in ("/boot/kairos.elf", "/boot/guest.elf", "/boot/grub"):
                self.assertIn(f"'{path}'", listing)
            self.assertLess(iso.stat().st_size, 8 << 20)

    def test_missing_grub_mkrescue(self):
        with tempfile.TemporaryDirectory() as empty:
            proc = subprocess.run(["/bin/bash", str(MKISO), f"{empty}/o.iso", "k", ""],
                                  env={"PATH": empty}, capture_output=True, text=True,
                                  check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("grub-mkrescue not found", proc.stderr)

    def test_missing_kernel(self):
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.run([str(MKISO), f"{tmp}/o.iso", f"{tmp}/nope.elf", ""],
                                  capture_output=True, text=True, check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("nope.elf not found", proc.stderr)


if __name__ == "__main__":
    unittest.main()
