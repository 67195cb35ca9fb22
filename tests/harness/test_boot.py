"""Tests of the boot harness (boot.py) and the matrix (matrix.py), without
booting anything: a fake emulator (a shell script) stands in for QEMU."""

import os
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boot  # noqa: E402
import ktap  # noqa: E402
import matrix  # noqa: E402

KTAP_PASS = "[    0.1] KTAP version 1\n[    0.2] 1..1\n[    0.3] ok 1 a\n"


def alive(pid: int) -> bool:
    """True if pid runs (a zombie, waiting for a reaper, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def outcome(kind: str, detail: str = "") -> boot.Outcome:
    return boot.Outcome(kind, detail or kind)


class JudgeTest(unittest.TestCase):
    def judge(self, config, kind, log=KTAP_PASS):
        return boot.judge(config, outcome(kind), ktap.parse(log), log)

    def test_pass(self):
        self.assertEqual(self.judge(boot.BootConfig("x"), "pass"), [])

    def test_wrong_ending(self):
        config = boot.BootConfig("x")
        for kind in ("fail", "stopped", "running", "error"):
            with self.subTest(kind=kind):
                reasons = self.judge(config, kind)
                self.assertEqual(len(reasons), 1)
                self.assertIn("expected a PASS exit", reasons[0])

    def test_pass_needs_clean_ktap(self):
        config = boot.BootConfig("x")
        self.assertEqual(self.judge(config, "pass", "no tests here\n"),
                         ["PASS exit but no KTAP output"])
        self.assertEqual(self.judge(config, "pass", "KTAP version 1\n1..2\nok 1 a\n"),
                         ["PASS exit but KTAP reports 1 failed"])  # #2 did not run
        self.assertEqual(self.judge(config, "pass", "KTAP version 1\nok 1 a\n"),
                         ["KTAP: top level: no test plan (1..N): cannot tell whether every "
                          "test ran"])

    def test_fail_and_idle(self):
        fault = boot.BootConfig("f", expect="fail")
        self.assertEqual(self.judge(fault, "fail", "KTAP version 1\n1..1\n"), [])
        idle = boot.BootConfig("i", expect="idle")
        self.assertEqual(self.judge(idle, "running", ""), [])
        self.assertIn("still running", self.judge(idle, "stopped", "")[0])

    def test_patterns(self):
        config = boot.BootConfig("x", must_match=(r"^Kairos\b", "Memory:"),
                                 must_not_match=(r"WARN",))
        log = KTAP_PASS + "[c 123] Kairos 0.1\n[c 124] WARNING: odd thing\n"
        self.assertEqual(self.judge(config, "pass", log),
                         ["log does not match /Memory:/",
                          "log matches /WARN/: WARNING: odd thing"])

    def test_bad_expect(self):
        with self.assertRaises(ValueError):
            self.judge(boot.BootConfig("x", expect="maybe"), "pass")


class QemuTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.run_dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def qemu(self, **fields):
        return boot.Qemu(boot.BootConfig("x", **fields), self.run_dir)

    def test_bios_command(self):
        cmd = self.qemu(machine="pc", smp=2, mem=128).command(Path("/k.iso"))
        joined = " ".join(cmd)
        for part in ("-accel tcg", "-machine pc", "-smp 2", "-m 128", "-cpu max",
                     "-display none", "-no-reboot", "-d cpu_reset",
                     "isa-debug-exit,iobase=0xf4,iosize=0x04", "-cdrom /k.iso",
                     f"-serial file:{self.run_dir}/serial.log"):
            self.assertIn(part, joined)
        self.assertNotIn("pflash", joined)
        self.assertNotIn("kvm", joined)

    def test_uefi_command_copies_vars(self):
        qemu = self.qemu(firmware="uefi")
        if qemu.check():
            self.skipTest(qemu.check())
        joined = " ".join(qemu.command(Path("/k.iso")))
        self.assertIn(f"readonly=on,file={qemu.ovmf_code}", joined)
        self.assertIn(f"file={self.run_dir}/OVMF_VARS.fd", joined)
        self.assertTrue((self.run_dir / "OVMF_VARS.fd").exists())

    def test_interactive_and_gdb(self):
        cmd = self.qemu(extra_args=("-foo",)).command(Path("/k.iso"), interactive=True, gdb=True)
        self.assertIn("mon:stdio", cmd)
        self.assertEqual(cmd[-3:], ["-s", "-S", "-foo"])

    def test_bad_firmware(self):
        with self.assertRaises(ValueError):
            self.qemu(firmware="coreboot").command(Path("/k.iso"))

    def test_exit_codes(self):
        qemu = self.qemu()
        self.assertEqual(qemu.outcome(33).kind, "pass")
        self.assertEqual(qemu.outcome(35).kind, "fail")
        stopped = qemu.outcome(0)
        self.assertEqual(stopped.detail, "the machine reset or powered off before a verdict")
        self.assertIn("isa-debug-exit value 0x2", qemu.outcome(5).detail)
        self.assertIn("signal 9", qemu.outcome(-9).detail)
        (self.run_dir / "qemu.stderr").write_text("qemu: could not load PC BIOS\n")
        self.assertIn("could not load PC BIOS", qemu.outcome(1).detail)

    def test_triple_fault(self):
        (self.run_dir / "qemu-debug.log").write_text("CPU Reset (CPU 0)\nTriple fault\n")
        result = self.qemu().outcome(0)
        self.assertTrue(result.triple_fault)
        self.assertIn("(triple fault)", result.detail)


class FakeEmulator(boot.Emulator):
    """Runs a shell script instead of an emulator; SCRIPT sees $LOG."""

    name = "fake"
    script = ""

    def check(self):
        return None

    def command(self, iso, interactive=False, gdb=False):
        return ["sh", "-c", f"LOG={self.serial_log}; {self.script}"]

    def outcome(self, returncode):
        return boot.Qemu(self.config, self.run_dir).outcome(returncode)


class RunBootTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.boots = Path(self.tmp.name)
        self.iso = self.boots / "dummy.iso"
        self.iso.touch()
        boot.BACKENDS["fake"] = FakeEmulator

    def tearDown(self):
        del boot.BACKENDS["fake"]
        self.tmp.cleanup()

    def run_fake(self, script, **fields):
        FakeEmulator.script = script
        config = boot.BootConfig(fields.pop("name", "fake-run"), emulator="fake", **fields)
        return boot.run_boot(config, iso=self.iso, boots_dir=self.boots)

    def test_pass_run(self):
        result = self.run_fake(f"printf '{KTAP_PASS}' > $LOG; exit 33")
        self.assertTrue(result.ok, result.reasons)
        self.assertEqual(result.report.counts().passed, 1)
        self.assertEqual(result.run_dir, self.boots / "fake-run")
        self.assertIn("LOG=", (result.run_dir / "command.sh").read_text())

    def test_timeout_kills_the_process_group(self):
        pidfile = self.boots / "child.pid"
        start = time.monotonic()
        result = self.run_fake(f"sleep 30 & echo $! > {pidfile}; wait", timeout=0.5)
        self.assertLess(time.monotonic() - start, 10)
        self.assertFalse(result.ok)
        self.assertEqual(result.reasons, ["expected a PASS exit, got: no verdict after 0.5 s"])
        child = int(pidfile.read_text())
        time.sleep(0.2)
        self.assertFalse(alive(child), "the emulator's child survived the timeout")

    def test_idle_success(self):
        result = self.run_fake("echo Kairos > $LOG; sleep 30", expect="idle", timeout=0.5,
                               must_match=("Kairos",))
        self.assertTrue(result.ok, result.reasons)
        self.assertEqual(result.outcome.detail, "still running after 0.5 s")

    def test_failure_description(self):
        result = self.run_fake("seq 1 100 > $LOG; exit 0")
        text = boot.describe_failure(result)
        self.assertIn("the machine reset or powered off before a verdict", text)
        self.assertIn("\n100\n", text)
        self.assertNotIn("\n60\n", text)  # only the last 40 lines
        self.assertIn(str(result.serial_log), text)

    def test_rerun_empties_the_directory(self):
        self.run_fake("echo one > $LOG; touch $LOG.extra; exit 33")
        result = self.run_fake("echo two > $LOG; exit 33")
        self.assertFalse(Path(str(result.serial_log) + ".extra").exists())

    def test_bad_name(self):
        with self.assertRaises(ValueError):
            self.run_fake("exit 33", name="../escape")


class MatrixTest(unittest.TestCase):
    def test_valid(self):
        matrix.check_matrix(matrix.MATRIX)
        names = {c.name for c in matrix.MATRIX}
        self.assertLessEqual({"bios-q35", "uefi-q35", "bios-pc-smp2", "fault", "bad-options",
                              "idle"}, names)

    def test_check_catches_duplicates(self):
        with self.assertRaises(ValueError):
            matrix.check_matrix([boot.BootConfig("a"), boot.BootConfig("a")])

    def test_patterns_compile(self):
        import re
        for config in matrix.MATRIX:
            for pattern in config.must_match + config.must_not_match:
                re.compile(pattern)


class CliTest(unittest.TestCase):
    def test_gdb_needs_interactive(self):
        proc = subprocess.run([sys.executable, boot.__file__, "--iso", "x.iso", "--gdb"],
                              capture_output=True, text=True, check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--gdb needs --interactive", proc.stderr)


if __name__ == "__main__":
    unittest.main()
