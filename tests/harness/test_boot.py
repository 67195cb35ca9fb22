"""Tests of the boot harness (boot.py) and the matrix (matrix.py), without
booting anything: a fake emulator (a shell script) stands in for QEMU, and a
Python script for Bochs."""

import contextlib
import io
import os
import re
import shutil
import signal
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

    def test_latency_ratio(self):
        log = ("[    0.1] Domain 1 (loaded): entry 0x400000, 1 vCPU\n"
               "[    0.1] Domain 2 (alone): entry 0x400000, 1 vCPU\n"
               "[    3.5] (d2) sleeper vCPU 0 lateness: n=1000 min=19252 median=19277 "
               "p99=20000 max=20484 ns\n"
               "[    3.6] (d1) sleeper vCPU 0 lateness: n=1000 min=28087 median=34619 "
               "p99={} max=1816471 ns\n")
        self.assertEqual(boot.latency_ratio_problems("loaded", "alone", 2.0,
                                                     log.format(40000)), [])
        self.assertEqual(boot.latency_ratio_problems("loaded", "alone", 2.0,
                                                     log.format(40001)),
                         ["lateness p99 of loaded 40001 ns is more than 2 times alone's "
                          "20000 ns"])
        self.assertEqual(boot.latency_ratio_problems("loaded", "gone", 2.0, log.format(1)),
                         ["no lateness line from gone"])


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

    def test_serial_input_command(self):
        cmd = self.qemu(serial_input=((0, b"h"),)).command(Path("/k.iso"))
        chardev = cmd[cmd.index("-chardev") + 1]
        self.assertEqual(chardev, f"file,id=com1,path={self.run_dir}/serial.log,"
                                  f"input-path={self.run_dir}/serial.in")
        self.assertEqual(cmd[cmd.index("-serial") + 1], "chardev:com1")
        self.assertEqual(cmd.count("-serial"), 1)
        # Interactive runs keep the terminal.
        cmd = self.qemu(serial_input=((0, b"h"),)).command(Path("/k.iso"), interactive=True)
        self.assertIn("mon:stdio", cmd)
        self.assertNotIn("-chardev", cmd)

    def test_serial_input_path_with_a_comma(self):
        run_dir = self.run_dir / "a,b"
        qemu = boot.Qemu(boot.BootConfig("x", serial_input=((0, b"h"),)), run_dir)
        chardev = " ".join(qemu.command(Path("/k.iso")))
        self.assertIn(f"path={self.run_dir}/a,,b/serial.log,", chardev)
        self.assertIn(f"input-path={self.run_dir}/a,,b/serial.in", chardev)


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


class TypingEmulator(FakeEmulator):
    """A fake that reads COM1's input: SCRIPT sees $LOG and $FIFO."""

    name = "typing"
    serial_input = True

    def command(self, iso, interactive=False, gdb=False):
        return ["sh", "-c", f"LOG={self.serial_log}; FIFO={self.serial_fifo}; {self.script}"]


# Reads n bytes from the FIFO one at a time (head would read ahead).
READ_BYTES = "dd bs=1 count={n} < $FIFO 2>/dev/null"


class SerialInputTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.boots = Path(self.tmp.name)
        self.iso = self.boots / "dummy.iso"
        self.iso.touch()
        boot.BACKENDS["typing"] = TypingEmulator
        boot.BACKENDS["fake"] = FakeEmulator

    def tearDown(self):
        del boot.BACKENDS["typing"]
        del boot.BACKENDS["fake"]
        self.tmp.cleanup()

    def run_typing(self, script, steps, emulator="typing", **fields):
        FakeEmulator.script = script
        config = boot.BootConfig("typing-run", emulator=emulator, serial_input=steps, **fields)
        return boot.run_boot(config, iso=self.iso, boots_dir=self.boots)

    def test_steps_reach_the_guest_in_order(self):
        script = ("echo '[    0.1] ready' > $LOG; "
                  f"got=$({READ_BYTES.format(n=3)}); echo \"got $got\" >> $LOG; "
                  f"printf '{KTAP_PASS}' >> $LOG; exit 33")
        result = self.run_typing(script, ((r"^ready$", b"ab"), (0.2, b"c")),
                                 must_match=(r"^got abc$",))
        self.assertTrue(result.ok, result.reasons)
        record = (result.run_dir / "serial-input.log").read_text().splitlines()
        self.assertEqual(len(record), 2)
        self.assertIn("step 1 (wait for /^ready$/): sent b'ab'", record[0])
        self.assertIn("step 2 (wait 0.2 s): sent b'c'", record[1])
        self.assertIn("serial.in", (result.run_dir / "command.sh").read_text())

    def test_each_regex_waits_past_the_last_match(self):
        # The second "mark" comes only after the first byte arrived: were
        # the first "mark" matched again, both bytes would come at once.
        script = ("echo mark > $LOG; " + READ_BYTES.format(n=1) + " >> $LOG; echo >> $LOG; "
                  "sleep 0.3; echo mark >> $LOG; " + READ_BYTES.format(n=1) + " >> $LOG; "
                  f"echo >> $LOG; printf '{KTAP_PASS}' >> $LOG; exit 33")
        result = self.run_typing(script, ((r"^mark$", b"1"), (r"^mark$", b"2")),
                                 must_match=(r"^mark\n1\nmark\n2$",))
        self.assertTrue(result.ok, result.reasons)

    def test_a_step_that_never_comes_fails_the_boot(self):
        result = self.run_typing(f"printf '{KTAP_PASS}' > $LOG; sleep 0.3; exit 33",
                                 ((r"^never$", b"x"),))
        self.assertFalse(result.ok)
        self.assertEqual(result.reasons, ["serial input: step 1 of 1 (wait for /^never$/, "
                                          "then send b'x') never came"])

    def test_back_end_without_input_is_refused(self):
        result = self.run_typing("exit 33", ((0, b"h"),), emulator="fake")
        self.assertFalse(result.ok)
        self.assertEqual(result.reasons, ["the fake back end cannot feed serial_input"])
        bochs = boot.BootConfig("b", emulator="bochs", machine="pc", serial_input=((0, b"h"),))
        self.assertFalse(boot.Bochs(bochs, self.boots).serial_input)

    def test_find(self):
        lines = ["a", "mark", "b", "mark"]
        mark = re.compile(r"^mark$", re.MULTILINE)
        self.assertEqual(boot.SerialFeeder.find(mark, lines, 0), 2)
        self.assertEqual(boot.SerialFeeder.find(mark, lines, 2), 4)
        self.assertIsNone(boot.SerialFeeder.find(mark, lines, 4))
        two = re.compile(r"^b\nmark$", re.MULTILINE)
        self.assertEqual(boot.SerialFeeder.find(two, lines, 0), 4)

    def test_only_complete_lines_count(self):
        log = self.boots / "serial.log"
        log.write_bytes(b"[    0.1] done\r\n[    0.2] hal")
        feeder = boot.SerialFeeder((), self.boots / "in", log, self.boots / "rec")
        self.assertEqual(feeder._complete_lines(), ["done"])


# Bochs's log lines for the ways a run ends (Bochs 2.7, as measured).
BOCHS_SHUTDOWN = "00222448525p[UNMAP ] >>PANIC<< Shutdown port: shutdown requested\n"
BOCHS_TRIPLE = ("00068801679e[CPU0  ] interrupt(): vector must be within IDT table limits\n"
                "00068801679p[CPU0  ] >>PANIC<< exception(): 3rd (13) exception with no "
                "resolution\n")
BOCHS_RESET = ("00068801663i[KBD   ] io write 0x64: command 0xfe: reset cpu\n"
               "00068801663i[SYS   ] bx_pc_system_c::Reset(SOFTWARE) called\n")
BOCHS_START = ("00000000000i[SYS   ] bx_pc_system_c::Reset(HARDWARE) called\n"
               "00000000000i[CPU0  ] cpu hardware reset\n")


class BochsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.run_dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def bochs(self, **fields):
        fields.setdefault("machine", "pc")
        return boot.Bochs(boot.BootConfig("x", emulator="bochs", **fields), self.run_dir)

    def test_bochsrc(self):
        bochs = self.bochs(smp=2, mem=128, cpu="tigerlake", extra_args=("-dbglog", "d.log"))
        cmd = bochs.command(Path("/k.iso"))
        self.assertEqual(cmd, ["bochs", "-q", "-f", str(self.run_dir / "bochsrc"),
                               "-rc", str(self.run_dir / "bochs-debugger.rc"),
                               "-dbglog", "d.log"])
        self.assertEqual((self.run_dir / "bochs-debugger.rc").read_text(), "c\n")
        rc = (self.run_dir / "bochsrc").read_text().splitlines()
        for line in ("megs: 128",
                     f'romimage: file="{bochs.bios}"',
                     f'vgaromimage: file="{bochs.vgabios}"',
                     f"cpu: model=tigerlake, count=2, ips={bochs.IPS}, reset_on_triple_fault=0",
                     f"clock: sync=none, time0={bochs.TIME0}",
                     'ata0-master: type=cdrom, path="/k.iso", status=inserted',
                     "boot: cdrom",
                     f'com1: enabled=1, mode=file, dev="{self.run_dir}/serial.log"',
                     "display_library: term",
                     f'log: "{self.run_dir}/bochs.log"',
                     "panic: action=fatal"):
            self.assertIn(line, rc)

    def test_default_model_and_interactive(self):
        bochs = self.bochs()
        bochs.command(Path("/k.iso"), interactive=True)
        rc = (self.run_dir / "bochsrc").read_text()
        self.assertIn("cpu: model=corei7_skylake_x, count=1,", rc)
        self.assertIn('com1: enabled=1, mode=file, dev="/dev/stdout"', rc)
        with self.assertRaisesRegex(ValueError, "not a gdb stub"):
            bochs.command(Path("/k.iso"), interactive=True, gdb=True)
        with self.assertRaisesRegex(ValueError, "quote"):
            bochs.command(Path('/a"b.iso'))

    def test_check_refuses_uefi_and_q35(self):
        self.assertIn("BIOS only", self.bochs(firmware="uefi").check())
        self.assertIn("machine='pc'", self.bochs(machine="q35").check())

    def test_find_verdict(self):
        self.assertIsNone(boot.find_verdict("no verdict\nverdict PASS\n"))
        self.assertEqual(boot.find_verdict("[c 12] debug_exit: verdict PASS\r\n"), "PASS")
        # Bochs may quit before the UART sent the line's end; the last one wins.
        self.assertEqual(boot.find_verdict("[  1.0] debug_exit: verdict PASS\n"
                                           "[  2.0] debug_exit: verdict FAIL"), "FAIL")
        self.assertIsNone(boot.find_verdict("x debug_exit: verdict PASS\n"))

    def outcome(self, log, serial="", returncode=1, stderr=""):
        (self.run_dir / "bochs.log").write_text(BOCHS_START + log)
        (self.run_dir / "serial.log").write_text(serial)
        (self.run_dir / "bochs.stderr").write_text(stderr)
        return self.bochs().outcome(returncode)

    def test_verdicts(self):
        passed = self.outcome(BOCHS_SHUTDOWN, "[c 1] debug_exit: verdict PASS")
        self.assertEqual((passed.kind, passed.detail), ("pass", "PASS verdict"))
        self.assertEqual(self.outcome(BOCHS_SHUTDOWN, "debug_exit: verdict FAIL\n").kind,
                         "fail")

    def test_shutdown_without_verdict(self):
        result = self.outcome(BOCHS_SHUTDOWN, "Kairos\n")
        self.assertEqual(result.kind, "stopped")
        self.assertIn("without a verdict line", result.detail)

    def test_verdict_needs_the_shutdown(self):
        # The verdict line alone: Bochs stopped some other way before the port.
        result = self.outcome("00000001000p[TERM  ] >>PANIC<< Received SIGHUP: quit simulation\n",
                              "debug_exit: verdict PASS\n")
        self.assertEqual(result.kind, "stopped")
        self.assertEqual(result.detail, "Bochs was stopped (SIGHUP) before a verdict")
        result = self.outcome("00000001000p[CPU0  ] >>PANIC<< RDMSR: unknown register\n",
                              "debug_exit: verdict PASS\n")
        self.assertEqual(result.kind, "error")
        self.assertEqual(result.detail, "Bochs stopped: RDMSR: unknown register")

    def test_triple_fault(self):
        result = self.outcome(BOCHS_TRIPLE)
        self.assertEqual(result.kind, "stopped")
        self.assertTrue(result.triple_fault)
        self.assertIn("triple-faulted before a verdict (Bochs: exception(): 3rd (13)",
                      result.detail)

    def test_reset(self):
        result = self.outcome(BOCHS_RESET + BOCHS_SHUTDOWN, "debug_exit: verdict PASS\n")
        self.assertEqual(result.kind, "stopped")
        self.assertEqual(result.detail, "the machine reset before a verdict (io write 0x64: "
                         "command 0xfe: reset cpu), then booted again to a PASS verdict "
                         "(not trusted)")
        self.assertIn("then the CPU triple-faulted", self.outcome(BOCHS_RESET + BOCHS_TRIPLE)
                      .detail)

    def test_errors(self):
        self.assertIn("signal 9", self.outcome("", returncode=-9).detail)
        result = self.outcome("00000000000e[      ] bochsrc:7: cpu directive malformed.\n")
        self.assertEqual(result.kind, "error")
        self.assertEqual(result.detail, "Bochs exit code 1: bochsrc:7: cpu directive malformed.")
        result = self.outcome("", stderr="bochs: cannot open display\n")
        self.assertEqual(result.detail, "Bochs exit code 1: bochs: cannot open display")
        self.assertEqual(self.outcome("", returncode=0).kind, "stopped")


# Stands in for Bochs: names a pseudo-terminal on stderr as the term display
# does and writes more to it than its buffer holds (so that it blocks unless
# the harness reads it), then writes the serial and Bochs logs from argv
# and exits like Bochs after a panic.
FAKE_BOCHS = """
import os, sys, tty
serial, log, text, bochs_log = sys.argv[1:5]
master, slave = os.openpty()
tty.setraw(slave)  # like curses' cbreak and noecho: no echo back
print('Bochs connected to screen "%s"' % os.ttyname(slave), file=sys.stderr, flush=True)
for _ in range(64):
    os.write(master, b"x" * 16384)
open(serial, "w").write(text)
open(log, "w").write(bochs_log)
sys.exit(1)
"""


class FakeBochs(boot.Bochs):
    """Runs FAKE_BOCHS instead of Bochs."""

    name = "fakebochs"
    serial_text = ""
    log_text = ""

    def check(self):
        return None

    def command(self, iso, interactive=False, gdb=False):
        script = self.run_dir / "fake_bochs.py"
        script.write_text(FAKE_BOCHS)
        return [sys.executable, str(script), str(self.serial_log), str(self.log),
                self.serial_text, self.log_text]


class BochsRunTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.boots = Path(self.tmp.name)
        self.iso = self.boots / "dummy.iso"
        self.iso.touch()
        boot.BACKENDS["fakebochs"] = FakeBochs

    def tearDown(self):
        del boot.BACKENDS["fakebochs"]
        self.tmp.cleanup()

    def test_pass_run_drains_the_screen(self):
        FakeBochs.serial_text = KTAP_PASS + "[    0.4] debug_exit: verdict PASS"
        FakeBochs.log_text = BOCHS_START + BOCHS_SHUTDOWN
        config = boot.BootConfig("bochs-run", emulator="fakebochs", machine="pc", timeout=20)
        result = boot.run_boot(config, iso=self.iso, boots_dir=self.boots)
        self.assertTrue(result.ok, result.reasons)
        self.assertEqual(result.outcome.detail, "PASS verdict")
        self.assertLess(result.duration, 15)

    def test_stop_signal_is_sent_first(self):
        self.assertEqual(boot.Bochs.stop_signal, signal.SIGHUP)
        # SIGHUP's default action, whatever the runner left (nohup ignores it).
        proc = subprocess.Popen([sys.executable, "-c", "import signal, time\n"
                                 "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                                 "signal.signal(signal.SIGHUP, signal.SIG_DFL)\n"
                                 "print('up', flush=True)\ntime.sleep(30)"],
                                stdout=subprocess.PIPE, start_new_session=True)
        proc.stdout.readline()
        start = time.monotonic()
        boot._kill_group(proc, signal.SIGHUP)
        proc.stdout.close()
        self.assertEqual(proc.returncode, -signal.SIGHUP)
        self.assertLess(time.monotonic() - start, 4)  # no wait for a KILL


class HostTscTest(unittest.TestCase):
    """test_tsc_hz=: the host TSC's rate (build/host-tsc-hz) for QEMU, ips for
    Bochs; a shell script stands in for the tool."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.saved_tool = boot.HOST_TSC_TOOL
        boot.forget_host_tsc()

    def tearDown(self):
        boot.HOST_TSC_TOOL = self.saved_tool
        boot.forget_host_tsc()
        self.tmp.cleanup()

    def fake_tool(self, body):
        """A tool that counts its runs in ./runs, then runs body."""
        tool = self.dir / "host-tsc-hz"
        tool.write_text(f"#!/bin/sh\necho run >> {self.dir}/runs\n{body}\n")
        tool.chmod(0o755)
        boot.HOST_TSC_TOOL = tool
        return tool

    def measure(self):
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            measured = boot.host_tsc()
        return measured, stderr.getvalue()

    def test_parse(self):
        self.assertEqual(boot.parse_host_tsc("2596096009 0.420\n"),
                         boot.HostTsc(2596096009, 0.42))
        for bad in ("", "2596096009", "2.5e9 1", "x 1", "0 1", "100 -1", "1 2 3"):
            with self.subTest(text=bad), self.assertRaises(ValueError):
                boot.parse_host_tsc(bad)

    def test_measured_once_per_process(self):
        self.fake_tool("echo '2596096009 0.420'")
        measured, note = self.measure()
        self.assertEqual(measured, boot.HostTsc(2596096009, 0.42))
        self.assertEqual(note, "")
        self.assertEqual(self.measure()[0], measured)
        self.assertEqual((self.dir / "runs").read_text(), "run\n")
        qemu = boot.Qemu(boot.BootConfig("q"), self.dir)
        self.assertEqual(qemu.tsc_hz(), 2596096009)
        self.assertEqual((self.dir / "runs").read_text(), "run\n")

    def test_missing_tool_is_a_note(self):
        boot.HOST_TSC_TOOL = self.dir / "nowhere"
        measured, note = self.measure()
        self.assertIsNone(measured)
        self.assertIn("not found", note)
        self.assertIn("no test_tsc_hz=", note)
        self.assertIn("not found", boot.host_tsc_note)
        self.assertEqual(self.measure(), (None, ""))  # said once
        self.assertIsNone(boot.Qemu(boot.BootConfig("q"), self.dir).tsc_hz())

    def test_failing_tool(self):
        self.fake_tool("echo 'no usable reading' >&2; exit 1")
        measured, note = self.measure()
        self.assertIsNone(measured)
        self.assertIn("failed (exit status 1): no usable reading", note)
        boot.forget_host_tsc()
        self.fake_tool("echo 'garbage'")
        measured, note = self.measure()
        self.assertIsNone(measured)
        self.assertIn("expected '<hz> <error_ppm>'", note)

    def test_bochs_runs_at_ips(self):
        boot.HOST_TSC_TOOL = self.dir / "nowhere"  # not needed for Bochs
        bochs = boot.Bochs(boot.BootConfig("b", emulator="bochs", machine="pc"), self.dir)
        self.assertEqual(bochs.tsc_hz(), boot.Bochs.IPS)
        self.assertFalse((self.dir / "runs").exists())

    def test_harness_cmdline(self):
        self.assertEqual(boot.harness_cmdline("test=time", 2596096009),
                         "debug_exit test=time test_tsc_hz=2596096009")
        self.assertEqual(boot.harness_cmdline("", 100000000),
                         "debug_exit test_tsc_hz=100000000")
        self.assertEqual(boot.harness_cmdline("test=time", None), "debug_exit test=time")
        # A config that names its own rate keeps it.
        self.assertEqual(boot.harness_cmdline("test=time test_tsc_hz=5", 7),
                         "debug_exit test=time test_tsc_hz=5")
        self.assertEqual(boot.harness_cmdline("ktest_test_tsc_hz=5", 7),
                         "debug_exit ktest_test_tsc_hz=5 test_tsc_hz=7")

    def test_harness_cmdline_options(self):
        # A back end's options go after the config's line, test_tsc_hz= last.
        options = {"ktest_latency_bound": "60us"}
        self.assertEqual(boot.harness_cmdline("test=timer", 100000000, options),
                         "debug_exit test=timer ktest_latency_bound=60us test_tsc_hz=100000000")
        self.assertEqual(boot.harness_cmdline("", None, options),
                         "debug_exit ktest_latency_bound=60us")
        # A config that names one keeps its own; a longer name is another option.
        self.assertEqual(boot.harness_cmdline("test=timer ktest_latency_bound=1us", 7, options),
                         "debug_exit test=timer ktest_latency_bound=1us test_tsc_hz=7")
        self.assertEqual(boot.harness_cmdline("x_ktest_latency_bound=1us", None, options),
                         "debug_exit x_ktest_latency_bound=1us ktest_latency_bound=60us")

    def test_bochs_passes_the_latency_bound(self):
        bochs = boot.Bochs(boot.BootConfig("b", emulator="bochs", machine="pc"), self.dir)
        options = bochs.kernel_options()
        self.assertEqual(options, {"ktest_latency_bound": boot.Bochs.LATENCY_BOUND})
        # The kernel's time_param form: digits and a unit (a bare number is refused).
        self.assertRegex(options["ktest_latency_bound"], r"^[1-9][0-9]*(ns|us|ms|s)$")
        self.assertEqual(boot.Qemu(boot.BootConfig("q"), self.dir).kernel_options(), {})
        for config in matrix.MATRIX:
            with self.subTest(config=config.name):
                # The harness adds it: a machine names its own only on
                # purpose, listed (with its reason) in matrix.OWN_LATENCY_BOUND.
                self.assertEqual(boot.names_option(config.cmdline, "ktest_latency_bound"),
                                 config.name in matrix.OWN_LATENCY_BOUND)

    def test_every_booted_iso_gets_it(self):
        class RatedFake(FakeEmulator):
            def tsc_hz(self):
                return 123456789

            def kernel_options(self):
                return {"ktest_latency_bound": "5us"}

        built = []
        saved_build = boot.build_iso
        boot.BACKENDS["ratedfake"] = RatedFake
        boot.build_iso = lambda out, kernel, cmdline, modules=(), gfxpayload="": (
            built.append(cmdline), out.touch())
        try:
            RatedFake.script = f"printf '{KTAP_PASS}' > $LOG; exit 33"
            config = boot.BootConfig("rated", emulator="ratedfake", cmdline="test=time")
            result = boot.run_boot(config, kernel=Path("/k.elf"), boots_dir=self.dir)
        finally:
            boot.build_iso = saved_build
            del boot.BACKENDS["ratedfake"]
        self.assertTrue(result.ok, result.reasons)
        self.assertEqual(built, ["debug_exit test=time ktest_latency_bound=5us "
                                 "test_tsc_hz=123456789"])
        self.assertEqual(result.tsc_hz, 123456789)


class MatrixTest(unittest.TestCase):
    def test_valid(self):
        matrix.check_matrix(matrix.MATRIX)
        names = {c.name for c in matrix.MATRIX}
        self.assertLessEqual({"bios-q35", "uefi-q35", "bios-pc-smp2", "fault", "bad-options",
                              "idle", "bochs-skylake", "bochs-smp2"}, names)

    def test_bochs_configs_can_run_in_bochs(self):
        for config in matrix.MATRIX:
            if config.emulator == "bochs":
                with self.subTest(config=config.name):
                    self.assertEqual((config.firmware, config.machine), ("bios", "pc"))
                    self.assertGreaterEqual(config.timeout, 60)

    def test_check_catches_duplicates(self):
        with self.assertRaises(ValueError):
            matrix.check_matrix([boot.BootConfig("a"), boot.BootConfig("a")])

    def test_check_catches_unknown_emulators(self):
        with self.assertRaisesRegex(ValueError, "emulator 'vmware'"):
            matrix.check_matrix([boot.BootConfig("a", emulator="vmware")])

    def test_no_hpet_machine(self):
        # QEMU merges a later -machine into the first: pc, without an HPET.
        config = next(c for c in matrix.MATRIX if c.name == "no-hpet")
        with tempfile.TemporaryDirectory() as tmp:
            cmd = boot.Qemu(config, Path(tmp)).command(Path("/k.iso"))
        self.assertEqual(cmd[cmd.index("-machine") + 1], "pc")
        self.assertEqual(cmd[-2:], ["-machine", "hpet=off"])

    def test_time_configs(self):
        names = {c.name: c for c in matrix.MATRIX}
        for name in ("bios-q35-time-smp4", "uefi-q35-time", "clocksource-hpet",
                     "clocksource-acpi_pm", "clocksource-pit-refused", "tsc-unstable",
                     "hpet-32bit", "no-hpet", "lapic-deadline-refused", "bochs-time",
                     "bochs-oneshot", "bochs-tsc-warp", "tsc-skew-refused"):
            with self.subTest(config=name):
                self.assertIn(name, names)
                # The harness adds the expected rate itself.
                self.assertNotIn("test_tsc_hz", names[name].cmdline)
                self.assertLessEqual(names[name].timeout, 300)

    def test_patterns_compile(self):
        for config in matrix.MATRIX:
            for pattern in config.must_match + config.must_not_match:
                re.compile(pattern)
            for wait, data in config.serial_input:
                if isinstance(wait, str):
                    re.compile(wait)
                self.assertIsInstance(data, bytes)

    def test_serial_input_only_where_the_back_end_takes_it(self):
        for config in matrix.MATRIX:
            if config.serial_input:
                with self.subTest(config=config.name):
                    self.assertTrue(boot.BACKENDS[config.emulator].serial_input)

    def test_keys_and_panic_machines(self):
        names = {c.name: c for c in matrix.MATRIX}
        keys, panic = names["keys"], names["panic-ap"]
        self.assertIn("test=keys", keys.cmdline)
        # Every built-in key is typed (the keys suite waits for each).
        typed = b"".join(data for _, data in keys.serial_input)
        for key in b"hartdqsTz":
            self.assertIn(key, typed)
        self.assertEqual((panic.expect, panic.smp), ("fail", 4))
        for cpu in range(4):
            self.assertTrue(any(f"CPU {cpu}  RIP" in p for p in panic.must_match), cpu)


# ---------------------------------------------------------------------------
# Direct-kernel boots (kernel_image) and guest KTAP (guest_ktap)

# A guest run: two domains print KTAP, their lines interleaved, one of
# them with an empty line; the hypervisor's own lines around them.
GUEST_LOG = """\
[    0.090000] Domain 1 (hvm-a): entry 0x10000c, 1 vCPU, 16384 KiB
[    0.091000] Domain 2 (hvm-b): entry 0x10000c, 2 vCPUs, 16384 KiB
[    0.100000] (d1) hvmtest: Kairos HVM test kernel; command line: test=cpuid
[    0.100001] (d1) KTAP version 1
[    0.100002] (d2) KTAP version 1
[    0.100003] (d1) 1..1
[    0.100004] (d2) 1..1
[    0.100005] (d1)     KTAP version 1
[    0.100006] (d2)     KTAP version 1
[    0.100007] (d1)     # Subtest: cpuid
[    0.100008] (d2)     # Subtest: cpuid
[    0.100009] (d1)     1..2
[    0.100010] (d2)     1..1
[    0.100011] (d1)     ok 1 vendor
[    0.100012] (d2)
[    0.100013] (d2)     ok 1 vendor
[    0.100014] (d1)     ok 2 x2apic # SKIP absent
[    0.100015] (d2) ok 1 cpuid
[    0.100016] (d1) ok 1 cpuid
[    0.200000] Domain 1 (hvm-a) shut down: poweroff, code 0, after 100 ms
[    0.200001] Domain 2 (hvm-b) shut down: poweroff, code 0, after 100 ms
[    0.200002] All domains have shut down: 2 poweroff, 0 crashed, 0 other
"""
GUEST_DOMAINS = (("hvm-a", "poweroff"), ("hvm-b", "poweroff"))


def guest_config(**fields):
    return boot.BootConfig("g", domains=GUEST_DOMAINS, guest_ktap=("hvm-a", "hvm-b"), **fields)


class GuestKtapTest(unittest.TestCase):
    def judge(self, config, log):
        return boot.judge(config, outcome("pass"), ktap.parse(log), log)

    def test_clean_guests(self):
        self.assertEqual(self.judge(guest_config(), GUEST_LOG), [])

    def test_each_domain_is_its_own_report(self):
        reports = boot.guest_reports(("hvm-a", "hvm-b", "nobody"), GUEST_LOG)
        self.assertEqual(str(reports["hvm-a"].counts()), "1 passed, 0 failed, 1 skipped")
        self.assertEqual(str(reports["hvm-b"].counts()), "1 passed, 0 failed")
        self.assertFalse(reports["nobody"].found)

    def test_a_failed_case_is_the_domains(self):
        log = GUEST_LOG.replace("(d2)     ok 1 vendor", "(d2)     not ok 1 vendor")
        self.assertEqual(self.judge(guest_config(), log),
                         ["domain hvm-b: KTAP reports 1 failed"])

    def test_missing_and_truncated_output(self):
        log = "\n".join(line for line in GUEST_LOG.splitlines()
                        if "(d1)" not in line and "(d2) ok 1" not in line)
        self.assertEqual(self.judge(guest_config(), log),
                         ["domain hvm-a: no KTAP output",
                          "domain hvm-b: KTAP: top level: subtest cpuid ended without a "
                          "result line",
                          "domain hvm-b: KTAP reports 1 failed"])

    def test_only_pass_boots_judge_guest_ktap(self):
        config = guest_config(expect="fail")
        reasons = boot.judge(config, outcome("fail"), ktap.parse(""), GUEST_LOG)
        self.assertEqual(reasons, [])

    def test_either_outcome(self):
        crashed = GUEST_LOG.replace(
            "[    0.200000] Domain 1 (hvm-a) shut down: poweroff, code 0, after 100 ms",
            "[    0.199999] Domain 1 (hvm-a) crashed: triple fault (shutdown) (vCPU 0 on CPU 0)\n"
            "[    0.200000] Domain 1 (hvm-a) shut down: crash, code 0, after 100 ms").replace(
            "(d1) ok 1 cpuid", "(d1) cut short")
        either = (("hvm-a", "poweroff or crash:^triple fault"), ("hvm-b", "poweroff"))
        config = boot.BootConfig("g", domains=either, guest_ktap=("hvm-a", "hvm-b"))
        self.assertEqual(self.judge(config, GUEST_LOG), [])
        self.assertEqual(self.judge(config, crashed), [])
        # The cut report is a skipped case in the boot's report, not a failure.
        merged = boot.boot_report(config, ktap.parse(crashed), crashed)
        self.assertEqual(str(merged.counts()), "1 passed, 0 failed, 1 skipped")
        merged = boot.boot_report(guest_config(), ktap.parse(crashed), crashed)
        self.assertEqual(merged.counts().failed, 1)
        # A crash of another kind, or a crash not offered, still fails.
        other = crashed.replace("triple fault (shutdown)", "#GP general protection")
        self.assertEqual(self.judge(config, other),
                         ["domain hvm-a ended with crash (#GP general protection (vCPU 0 on "
                          "CPU 0)), expected poweroff or domain hvm-a crashed with '#GP general "
                          "protection (vCPU 0 on CPU 0)', expected /^triple fault/"])
        self.assertEqual(self.judge(guest_config(), crashed),
                         ["domain hvm-a ended with crash (triple fault (shutdown) (vCPU 0 on "
                          "CPU 0)), expected poweroff",
                          "domain hvm-a: KTAP: top level: subtest cpuid ended without a "
                          "result line", "domain hvm-a: KTAP reports 1 failed"])

    def test_names_must_be_domains(self):
        with self.assertRaisesRegex(ValueError, "not in domains"):
            self.judge(boot.BootConfig("g", domains=GUEST_DOMAINS, guest_ktap=("x",)),
                       GUEST_LOG)
        with self.assertRaisesRegex(ValueError, "needs the domains"):
            self.judge(boot.BootConfig("g", guest_ktap=("hvm-a",)), GUEST_LOG)


class KernelImageTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.image = self.dir / "hvmtest.elf"
        self.image.write_bytes(b"\x7fELF")

    def tearDown(self):
        self.tmp.cleanup()

    def qemu(self, **fields):
        fields.setdefault("kernel_image", str(self.image))
        return boot.Qemu(boot.BootConfig("k", **fields), self.dir)

    def test_command(self):
        cmd = self.qemu(smp=2, mem=128, cmdline="test=apic,timer lapic_mode=x2apic").command(None)
        self.assertEqual(cmd[cmd.index("-kernel") + 1], str(self.image))
        # Passed as it is: no debug_exit, no test_tsc_hz=, no doubled commas.
        self.assertEqual(cmd[cmd.index("-append") + 1], "test=apic,timer lapic_mode=x2apic")
        self.assertNotIn("-cdrom", cmd)
        self.assertIn("isa-debug-exit,iobase=0xf4,iosize=0x04", cmd)

    def test_relative_to_the_tree(self):
        qemu = self.qemu(kernel_image="build/tests/hvm/hvmtest.elf")
        cmd = qemu.command(None)
        self.assertEqual(cmd[cmd.index("-kernel") + 1],
                         str(boot.REPO / "build/tests/hvm/hvmtest.elf"))

    def test_checks(self):
        if shutil.which(boot.Qemu.binary) is None:
            self.skipTest("no QEMU")
        self.assertIsNone(self.qemu().check())
        self.assertIn("BIOS only", self.qemu(firmware="uefi").check())
        self.assertIn("make test-guests", self.qemu(kernel_image=str(self.dir / "no.elf")).check())
        bochs = boot.Bochs(boot.BootConfig("k", emulator="bochs", machine="pc",
                                           kernel_image=str(self.image)), self.dir)
        self.assertIn("cannot boot a kernel_image", bochs.check())

    def test_run_builds_no_iso(self):
        saved_build, saved_check = boot.build_iso, FakeEmulator.check
        boot.build_iso = lambda *args: self.fail("an ISO was built")
        boot.BACKENDS["fake"] = FakeEmulator
        try:
            FakeEmulator.script = f"printf '{KTAP_PASS}' > $LOG; exit 33"
            config = boot.BootConfig("kimg", emulator="fake", kernel_image=str(self.image),
                                     cmdline="test=cpuid")
            result = boot.run_boot(config, boots_dir=self.dir)
        finally:
            boot.build_iso = saved_build
            del boot.BACKENDS["fake"]
        self.assertTrue(result.ok, result.reasons)
        self.assertIsNone(result.tsc_hz)
        self.assertEqual(result.report.counts().passed, 1)
        self.assertFalse((result.run_dir / "kairos.iso").exists())

    def test_guest_cases_count_under_the_domain(self):
        log = GUEST_LOG.replace("(d2)     ok 1 vendor", "(d2)     not ok 1 vendor # bad")
        boot.BACKENDS["fake"] = FakeEmulator
        try:
            (self.dir / "guest.log").write_text(log)
            FakeEmulator.script = f"cat {self.dir / 'guest.log'} > $LOG; exit 33"
            config = guest_config(emulator="fake")
            result = boot.run_boot(config, iso=self.image, boots_dir=self.dir)
        finally:
            del boot.BACKENDS["fake"]
        self.assertFalse(result.ok)
        self.assertEqual(result.reasons, ["domain hvm-b: KTAP reports 1 failed"])
        self.assertEqual(str(result.report.counts()), "1 passed, 1 failed, 1 skipped")
        self.assertEqual([path for path, _ in result.report.failures()], ["hvm-b.cpuid.vendor"])
        self.assertIn("FAIL hvm-b", result.report.format_tree())


class HvmMatrixTest(unittest.TestCase):
    def test_hvm_kernels_on_bare_qemu(self):
        hvm = [c for c in matrix.MATRIX if c.kernel_image]
        images = {c.kernel_image for c in hvm}
        self.assertEqual(images, {"build/tests/hvm/hvmtest.elf", "build/tests/hvm/hvmfuzz.elf"})
        for config in hvm:
            with self.subTest(config=config.name):
                self.assertEqual((config.emulator, config.firmware), ("qemu", "bios"))
                self.assertNotIn("debug_exit", config.cmdline)
        modes = {(c.smp, m) for c in hvm for m in ("xapic", "x2apic")
                 if f"lapic_mode={m}" in c.cmdline and "hvmtest" in c.kernel_image}
        self.assertLessEqual({(1, "xapic"), (1, "x2apic"), (2, "xapic"), (2, "x2apic")}, modes)


class CliTest(unittest.TestCase):
    def test_gdb_needs_interactive(self):
        proc = subprocess.run([sys.executable, boot.__file__, "--iso", "x.iso", "--gdb"],
                              capture_output=True, text=True, check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--gdb needs --interactive", proc.stderr)

    def test_kernel_image_takes_no_module(self):
        proc = subprocess.run([sys.executable, boot.__file__, "--kernel-image", "k.elf",
                               "--module", "m.elf"],
                              capture_output=True, text=True, check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--module needs --kernel", proc.stderr)


if __name__ == "__main__":
    unittest.main()
