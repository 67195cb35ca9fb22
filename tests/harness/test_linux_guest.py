"""Tests of the Linux guest's log checks and baseline runner (linux_guest.py)
and of the image builder's cpio writer (tools/mklinuxguest.py), without
booting anything: a Python script stands in for QEMU, replaying serial logs
captured from real baseline runs (tests/harness/data/)."""

import importlib.util
import os
import stat
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boot  # noqa: E402
import linux_guest  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
REPO = Path(__file__).resolve().parents[2]


def read(name: str) -> str:
    return (DATA / name).read_text(errors="replace")


def load_mklinuxguest():
    path = REPO / "tools" / "mklinuxguest.py"
    spec = importlib.util.spec_from_file_location("mklinuxguest", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


class JudgeLogTest(unittest.TestCase):
    def test_one_cpu(self):
        g = linux_guest.judge_log(read("linux-baseline-smp1.log"), cpus=1)
        self.assertEqual(g.problems, [])
        self.assertTrue(all(g.checks.values()), g.checks)
        self.assertEqual(set(g.checks), {"init reached", "clocksource", "cpus", "TSC stable",
                                         "no panic, oops or BUG", "cyclictest ran", "histogram",
                                         "powered off"})
        self.assertEqual((g.clocksource, g.clocksources, g.clocksource_after),
                         ("tsc", "tsc hpet acpi_pm", "tsc"))
        self.assertEqual((g.cpus, g.rc, g.poweroff), (1, 0, "cyclictest done"))
        self.assertEqual(g.clocksource_run, "tsc")
        self.assertAlmostEqual(g.tsc_mhz, 2694.867)
        self.assertEqual(g.cyclictest_args, "-q -m -S -p 90 -i 1000 -D 3 -h 20000")
        self.assertEqual(g.cyclictest.threads[0].hist_size, 20000)
        self.assertEqual(g.cyclictest.threads[0].max_us, 4285)

    def test_unstable_tsc(self):
        log = read("linux-baseline-smp2.log")
        g = linux_guest.judge_log(log, cpus=2)
        self.assertEqual(g.problems, ["TSC marked unstable: [    0.000491] tsc: Marking TSC "
                                      "unstable due to TSCs unsynchronized"])
        self.assertEqual(g.clocksource, "hpet")
        allowed = linux_guest.judge_log(log, cpus=2, allow_unstable_tsc=True)
        self.assertEqual(allowed.problems, [])
        self.assertNotIn("TSC stable", allowed.checks)
        self.assertIn("TSC marked unstable (allowed)", allowed.notes[0])
        self.assertEqual(len(allowed.cyclictest.threads), 2)

    def test_clocksource_settling(self):
        log = read("linux-baseline-smp1.log").replace(
            "kairos-guest: clocksource current=tsc available=tsc hpet acpi_pm\n",
            "kairos-guest: clocksource current=tsc-early available=tsc-early hpet acpi_pm\n", 1)
        log = log.replace("kairos-guest: cyclictest begin",
                          "kairos-guest: clocksource current=tsc available=tsc hpet acpi_pm "
                          "(before the run, after waiting 0.4 s for tsc-early to go)\n"
                          "kairos-guest: cyclictest begin")
        g = linux_guest.judge_log(log, cpus=1)
        self.assertEqual((g.clocksource, g.clocksource_run, g.clocksource_after),
                         ("tsc-early", "tsc", "tsc"))
        self.assertEqual(g.notes, [])
        changed = log.replace("current=tsc available=tsc hpet acpi_pm (after the run)",
                              "current=hpet available=hpet acpi_pm (after the run)")
        self.assertEqual(linux_guest.judge_log(changed, cpus=1).notes,
                         ["clocksource changed from tsc to hpet during the run"])

    def test_wrong_cpu_count(self):
        g = linux_guest.judge_log(read("linux-baseline-smp1.log"), cpus=2)
        self.assertEqual(g.problems, ["/init saw 1 CPUs, expected 2"])

    def test_prefixed_lines(self):
        """As a Kairos HVM domain's console shows them."""
        lines = read("linux-baseline-smp1.log").splitlines()
        log = "\n".join(f"[{i // 100:5d}.{i % 100:06d}] (d1) {line}"
                        for i, line in enumerate(lines))
        g = linux_guest.judge_log(log, cpus=1)
        self.assertEqual(g.problems, [])
        self.assertEqual(g.cyclictest.threads[0].max_us, 4285)

    def cut_at(self, marker: str) -> str:
        log = read("linux-baseline-smp1.log")
        return log[:log.index(marker)]

    def test_truncated_runs(self):
        g = linux_guest.judge_log(self.cut_at("kairos-guest: poweroff"), cpus=1)
        self.assertEqual(g.problems, ["no 'kairos-guest: poweroff' line"])
        g = linux_guest.judge_log(self.cut_at("# Max Latencies"), cpus=1)
        self.assertFalse(g.checks["cyclictest ran"])
        self.assertFalse(g.checks["histogram"])
        self.assertIn("no 'kairos-guest: cyclictest end' line", g.problems)
        g = linux_guest.judge_log(self.cut_at("kairos-guest: init reached"), cpus=1)
        self.assertIn("no 'kairos-guest: init reached' line", g.problems)
        self.assertIn("no 'kairos-guest: cyclictest begin' line", g.problems)
        self.assertEqual(linux_guest.judge_log("").cyclictest.found, False)

    def test_failures_in_the_log(self):
        log = read("linux-baseline-smp1.log")
        failed = log.replace("cyclictest end rc=0", "cyclictest end rc=1").replace(
            "poweroff (cyclictest done)", "poweroff (cyclictest failed, rc=1)")
        g = linux_guest.judge_log(failed, cpus=1)
        self.assertIn("cyclictest ended with status 1", g.problems)
        self.assertIn("/init powered off with 'cyclictest failed, rc=1', expected "
                      "'cyclictest done'", g.problems)
        panicked = log + "[    9.9] Kernel panic - not syncing: Attempted to kill init!\n"
        self.assertIn("kernel trouble", linux_guest.judge_log(panicked, cpus=1).problems[0])
        guarded = log.replace("kairos-guest: cyclictest end", "kairos-guest: cyclictest ran past "
                              "kairos.guard=5 s and was stopped\nkairos-guest: cyclictest end")
        self.assertIn("cyclictest overran kairos.guard= and was stopped",
                      linux_guest.judge_log(guarded, cpus=1).problems)
        gone = log.replace("reboot: Power down", "")
        self.assertEqual(linux_guest.judge_log(gone, cpus=1).problems,
                         ["no 'reboot: Power down' from the kernel"])

    def test_shell_workload(self):
        log = ("kairos-guest: init reached\nkairos-guest: clocksource current=tsc available=tsc\n"
               "kairos-guest: cpus 1 (online 0)\nkairos-guest: poweroff (the shell exited)\n"
               "[    9.1] reboot: Power down\n")
        g = linux_guest.judge_log(log, cpus=1, workload="shell")
        self.assertEqual(g.problems, [])
        self.assertNotIn("histogram", g.checks)


class ConfigTest(unittest.TestCase):
    def test_cmdline(self):
        c = linux_guest.BaselineConfig()
        self.assertEqual(c.cmdline(), "console=ttyS0 panic=-1 kairos.workload=cyclictest")
        self.assertEqual(c.run_name(), "linux-baseline-smp1")
        c = linux_guest.BaselineConfig(smp=2, cyclictest="-q -D3,-h 100", append="tsc=reliable")
        self.assertEqual(c.cmdline(), "console=ttyS0 panic=-1 kairos.workload=cyclictest "
                                      "kairos.cyclictest=-q,-D3,-h,100 tsc=reliable")

    def test_qemu_command(self):
        with tempfile.TemporaryDirectory() as tmp:
            c = linux_guest.BaselineConfig(smp=2, kernel=Path("/k/vmlinuz"),
                                           initramfs=Path("/k/initramfs.cpio.gz"))
            cmd = linux_guest.qemu_backend(c, Path(tmp)).command(None)
        joined = " ".join(cmd)
        for part in ("-accel tcg", "-machine q35", "-cpu max", "-smp 2", "-m 256", "-no-reboot",
                     "-kernel /k/vmlinuz", "-initrd /k/initramfs.cpio.gz",
                     f"-serial file:{tmp}/serial.log"):
            self.assertIn(part, joined)
        self.assertEqual(cmd[cmd.index("-append") + 1], c.cmdline())


FAKE_QEMU = """\
#!/usr/bin/env python3
# Stands in for qemu-system-x86_64: writes LOG to the -serial file, exits.
import shutil, sys, time
args = sys.argv[1:]
serial = args[args.index("-serial") + 1]
assert serial.startswith("file:"), serial
assert "-initrd" in args and "-kernel" in args
shutil.copyfile({log!r}, serial[len("file:"):])
time.sleep({sleep})
sys.exit({code})
"""


class RunBaselineTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        for name in ("vmlinuz", "initramfs.cpio.gz"):
            (self.dir / name).touch()

    def tearDown(self):
        self.tmp.cleanup()

    def run_fake(self, log="linux-baseline-smp2.log", sleep=0, code=0, **fields):
        fake = self.dir / "fake-qemu"
        fake.write_text(FAKE_QEMU.format(log=str(DATA / log), sleep=sleep, code=code))
        fake.chmod(0o755)
        config = linux_guest.BaselineConfig(kernel=self.dir / "vmlinuz",
                                            initramfs=self.dir / "initramfs.cpio.gz", **fields)
        with mock.patch.object(boot.Qemu, "binary", str(fake)):
            return linux_guest.run_baseline(config, boots_dir=self.dir / "boots")

    def test_clean_run(self):
        result = self.run_fake(smp=2, allow_unstable_tsc=True)
        self.assertTrue(result.ok, result.problems)
        self.assertEqual(result.exit_code, 0)
        self.assertEqual(result.run_dir, self.dir / "boots" / "linux-baseline-smp2")
        self.assertIn("-initrd", (result.run_dir / "command.sh").read_text())
        self.assertEqual(result.cyclictest.merged().count, 5302)
        text = linux_guest.format_result(result)
        self.assertIn("all threads: n=5302", text)
        self.assertTrue(text.endswith("linux-baseline-smp2: ok (%.1f s)" % result.duration))
        self.assertEqual(result.as_dict()["merged"]["max_us"], 11746)

    def test_unstable_tsc_fails_by_default(self):
        result = self.run_fake(smp=2)
        self.assertFalse(result.ok)
        self.assertIn("TSC marked unstable", result.problems[0])

    def test_timeout(self):
        result = self.run_fake(log="linux-baseline-smp1.log", sleep=30, timeout=0.5)
        self.assertFalse(result.ok)
        self.assertIsNone(result.exit_code)
        self.assertEqual(result.problems, ["no power-off within 0.5 s (QEMU killed)"])
        self.assertLess(result.duration, 10)

    def test_qemu_error(self):
        result = self.run_fake(log="linux-baseline-smp1.log", code=1)
        self.assertEqual(result.problems, ["QEMU exit code 1"])

    def test_missing_images(self):
        (self.dir / "vmlinuz").unlink()
        result = self.run_fake()
        self.assertEqual(result.problems,
                         [f"{self.dir}/vmlinuz not found (make linux-guest builds it)"])


class MkLinuxGuestTest(unittest.TestCase):
    """tools/mklinuxguest.py's pieces that need no Debian packages."""

    def setUp(self):
        self.mk = load_mklinuxguest()

    def unpack(self, archive: bytes) -> list[tuple[str, int, int, bytes]]:
        """(name, mode, mtime, data) of each member of a newc archive."""
        out, pos = [], 0
        while True:
            self.assertEqual(archive[pos:pos + 6], b"070701")
            fields = [int(archive[pos + 6 + 8 * i:pos + 14 + 8 * i], 16) for i in range(13)]
            size, namesize = fields[6], fields[11]
            name = archive[pos + 110:pos + 110 + namesize - 1].decode()
            pos += 110 + namesize
            pos += -pos % 4
            data = archive[pos:pos + size]
            pos += size
            pos += -pos % 4
            if name == "TRAILER!!!":
                self.assertEqual(pos, len(archive))
                return out
            out.append((name, fields[1], fields[5], data))

    def test_newc(self):
        Member = self.mk.Member
        members = {"init": Member(stat.S_IFREG | 0o755, b"#!/bin/sh\n"),
                   "bin": Member(stat.S_IFDIR | 0o755),
                   "bin/sh": Member(stat.S_IFLNK | 0o777, b"/bin/busybox"),
                   "dev/console": Member(stat.S_IFCHR | 0o600, rdev=(5, 1))}
        archive = self.mk.newc(members, 1234)
        self.assertEqual(archive, self.mk.newc(dict(reversed(members.items())), 1234))
        unpacked = self.unpack(archive)
        self.assertEqual([m[0] for m in unpacked], ["bin", "bin/sh", "dev/console", "init"])
        self.assertEqual({m[2] for m in unpacked}, {1234})
        self.assertEqual(unpacked[3][3], b"#!/bin/sh\n")
        self.assertEqual(unpacked[1][3], b"/bin/busybox")
        self.assertTrue(stat.S_ISCHR(unpacked[2][1]))

    def test_missing_cache(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(self.mk.BuildError) as caught:
                self.mk.read_packages(Path(tmp))
            self.assertIn("tools/install-deps.sh --linux-guest", str(caught.exception))
            (Path(tmp) / "packages.list").write_text("busybox-static busybox.deb\n")
            with self.assertRaises(self.mk.BuildError) as caught:
                self.mk.read_packages(Path(tmp))
            self.assertIn("busybox.deb is missing", str(caught.exception))

    def test_init_script_parses(self):
        init = REPO / "tools" / "linux-guest" / "init"
        proc = subprocess.run(["sh", "-n", str(init)], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        text = init.read_text()
        for marker in ("init reached", "cyclictest begin", "cyclictest end rc=", "poweroff -f"):
            self.assertIn(marker, text)


if __name__ == "__main__":
    unittest.main()
