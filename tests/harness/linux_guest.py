#!/usr/bin/env python3
"""Boot the Linux guest images on bare QEMU: the baseline that the same
images on Kairos's HVM domains are compared to (docs/linux-guest.md).

As a library:

    result = run_baseline(BaselineConfig(smp=2))
    result.ok, result.problems, result.cyclictest.merged().p99

    judge_log(log_text, cpus=2)   # the same checks on any serial log,
                                  # e.g. a Kairos boot's "(d1) " lines

As a program:

    tests/harness/linux_guest.py [--smp N] [--mem MiB] [--cyclictest ARGS]
        [--workload cyclictest|shell] [--append WORDS] [--timeout S]
        [--allow-unstable-tsc] [--json] [--name NAME]

It boots build/linux/vmlinuz with build/linux/initramfs.cpio.gz (make
linux-guest builds them) in qemu-system-x86_64 under TCG, q35, -cpu max,
no reboot, the serial port to build/boots/<name>/serial.log, the kernel
command line

    console=ttyS0 panic=-1 kairos.workload=cyclictest [kairos.cyclictest=ARGS] [WORDS]

and a timeout; then checks the log (judge_log): /init reached, the
clocksource line, the CPU count, cyclictest begun and ended with status 0,
its histogram complete, the clean power-off (QEMU exits with status 0
after "reboot: Power down"), no "Marking TSC unstable" (unless allowed),
no panic, oops or BUG. The shell workload (--workload shell) runs
interactively: the serial port on this terminal, no timeout.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boot  # noqa: E402
import cyclictest  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
KERNEL = REPO / "build" / "linux" / "vmlinuz"
INITRAMFS = REPO / "build" / "linux" / "initramfs.cpio.gz"
BUILD_HINT = "make linux-guest builds it"

MARK = "kairos-guest: "
INIT_RE = re.compile(r"kairos-guest: init reached")
CLOCKSOURCE_RE = re.compile(r"kairos-guest: clocksource current=(\S*) available=(.*?)"
                            r"(?: \(((?:after|before) .*)\))?\s*$")
CPUS_RE = re.compile(r"kairos-guest: cpus (\d+) \(online ([^)]*)\)")
BEGIN_RE = re.compile(r"kairos-guest: cyclictest begin (.*?)\s*$")
END_RE = re.compile(r"kairos-guest: cyclictest end rc=(\d+)")
POWEROFF_RE = re.compile(r"kairos-guest: poweroff \((.*)\)")
GUARD_RE = re.compile(r"kairos-guest: cyclictest ran past kairos.guard")
POWER_DOWN_RE = re.compile(r"reboot: Power down")
TSC_DETECTED_RE = re.compile(r"tsc: Detected ([\d.]+) MHz")
TSC_UNSTABLE_RE = re.compile(r"Marking TSC unstable|Marking clocksource 'tsc' as unstable")
BAD_RE = re.compile(r"Kernel panic|\bOops\b|\bBUG: |WARNING: CPU: |Attempted to kill init")


@dataclasses.dataclass
class GuestLog:
    """What a Linux guest's serial log shows (see judge_log)."""

    checks: dict[str, bool]  # check name -> passed
    problems: list[str]  # one line per failed check
    notes: list[str]  # what is worth knowing but failed nothing
    cyclictest: cyclictest.Result
    clocksource: str | None = None  # at /init
    clocksource_run: str | None = None  # as cyclictest began (tsc-early gone)
    clocksource_after: str | None = None  # after the run
    clocksources: str | None = None  # available at /init
    cpus: int | None = None
    tsc_mhz: float | None = None  # "tsc: Detected N MHz"
    rc: int | None = None  # cyclictest's exit status
    poweroff: str | None = None  # why /init powered off
    cyclictest_args: str | None = None

    def as_dict(self) -> dict:
        return {"checks": self.checks, "problems": self.problems, "notes": self.notes,
                "clocksource": self.clocksource, "clocksource_run": self.clocksource_run,
                "clocksource_after": self.clocksource_after,
                "clocksources": self.clocksources, "cpus": self.cpus,
                "tsc_mhz": self.tsc_mhz, "rc": self.rc, "poweroff": self.poweroff,
                "cyclictest_args": self.cyclictest_args,
                "threads": [t.as_dict() for t in self.cyclictest.threads],
                "merged": (self.cyclictest.merged().as_dict()
                           if self.cyclictest.threads else None)}


def _clean(raw: str) -> str:
    return cyclictest.ANSI_RE.sub("", raw.rstrip("\r\n").split("\r")[-1])


def judge_log(log: str, cpus: int | None = None, allow_unstable_tsc: bool = False,
              workload: str = "cyclictest") -> GuestLog:
    """Checks a Linux guest's serial log, whatever prefixes its lines carry.
    cpus: the CPU count /init must report (None: any)."""
    lines = [_clean(raw) for raw in log.splitlines()]
    out = GuestLog({}, [], [], cyclictest.Result())

    def first(pattern: re.Pattern) -> re.Match | None:
        return next((m for line in lines if (m := pattern.search(line))), None)

    def check(name: str, passed: bool, problem: str) -> None:
        out.checks[name] = passed
        if not passed:
            out.problems.append(problem)

    check("init reached", first(INIT_RE) is not None, "no 'kairos-guest: init reached' line")
    found = [m for line in lines if (m := CLOCKSOURCE_RE.search(line))]
    at_init = [m for m in found if m.group(3) is None]
    after = [m for m in found if m.group(3) and m.group(3).startswith("after the run")]
    if at_init:
        out.clocksource, out.clocksources = at_init[0].group(1), at_init[0].group(2).strip()
    if after:
        out.clocksource_after = after[-1].group(1)
    before = [m for m in found if m.group(3) and m.group(3).startswith("before the run")]
    out.clocksource_run = before[-1].group(1) if before else out.clocksource
    check("clocksource", bool(at_init) and out.clocksource not in ("", "unknown"),
          "no 'kairos-guest: clocksource current=...' line with a clocksource")
    if (m := first(CPUS_RE)) is not None:
        out.cpus = int(m.group(1))
    check("cpus", out.cpus is not None and (cpus is None or out.cpus == cpus),
          f"/init saw {out.cpus} CPUs, expected {cpus}" if out.cpus is not None
          else "no 'kairos-guest: cpus N' line")
    if (m := first(TSC_DETECTED_RE)) is not None:
        out.tsc_mhz = float(m.group(1))
    unstable = [line for line in lines if TSC_UNSTABLE_RE.search(line)]
    if allow_unstable_tsc:  # no check, a note
        if unstable:
            out.notes.append(f"TSC marked unstable (allowed): {unstable[0].strip()[:120]}")
    else:
        check("TSC stable", not unstable,
              f"TSC marked unstable: {unstable[0].strip()[:120]}" if unstable else "")
    bad = [line for line in lines if BAD_RE.search(line)]
    check("no panic, oops or BUG", not bad, f"kernel trouble: {bad[0].strip()[:120]}"
          if bad else "")

    if workload == "cyclictest":
        begin = first(BEGIN_RE)
        end = first(END_RE)
        out.cyclictest_args = begin.group(1) if begin else None
        out.rc = int(end.group(1)) if end else None
        guarded = first(GUARD_RE) is not None
        check("cyclictest ran", begin is not None and end is not None and out.rc == 0
              and not guarded,
              "no 'kairos-guest: cyclictest begin' line" if begin is None
              else "no 'kairos-guest: cyclictest end' line" if end is None
              else "cyclictest overran kairos.guard= and was stopped" if guarded
              else f"cyclictest ended with status {out.rc}")
        # Only the lines between the markers are cyclictest's.
        start = next((i for i, line in enumerate(lines) if BEGIN_RE.search(line)), 0)
        stop = next((i for i, line in enumerate(lines) if END_RE.search(line)), len(lines))
        hist = cyclictest.histogram_size(out.cyclictest_args or "")
        out.cyclictest = cyclictest.parse(lines[start:stop], hist_size=hist)
        check("histogram", out.cyclictest.complete,
              "cyclictest histogram: " + ("; ".join(out.cyclictest.problems)
                                          or "none in the log (no -h?)"))
        if out.clocksource_after and out.clocksource_run != out.clocksource_after:
            out.notes.append(f"clocksource changed from {out.clocksource_run} to "
                             f"{out.clocksource_after} during the run")
        if hist is not None and out.cyclictest.threads:
            over = out.cyclictest.merged().overflows or 0
            if over:
                out.notes.append(f"{over} samples beyond the histogram (>= {hist} us)")
    if (m := next((m for line in lines if (m := POWEROFF_RE.search(line))), None)) is not None:
        out.poweroff = m.group(1)
    wanted = {"cyclictest": "cyclictest done", "shell": "the shell exited"}.get(workload)
    power_down = any(POWER_DOWN_RE.search(line) for line in lines)
    if out.poweroff == wanted:
        why = "no 'reboot: Power down' from the kernel"
    elif out.poweroff is None:
        why = "no 'kairos-guest: poweroff' line"
    else:
        why = f"/init powered off with '{out.poweroff}', expected '{wanted}'"
    check("powered off", out.poweroff == wanted and power_down, why)
    return out


# ---------------------------------------------------------------------------
# The baseline: the images on bare QEMU


@dataclasses.dataclass
class BaselineConfig:
    """One bare-QEMU boot of the Linux guest."""

    smp: int = 1
    mem: int = 256  # MiB
    cyclictest: str | None = None  # kairos.cyclictest= (commas or spaces); None: /init's default
    workload: str = "cyclictest"
    append: str = ""  # more kernel parameters, after the harness's
    timeout: float = 120.0  # seconds, the whole boot
    allow_unstable_tsc: bool = False  # "Marking TSC unstable" a note, not a failure
    name: str = ""  # build/boots/<name>; default linux-baseline-smp<N>
    kernel: Path = KERNEL
    initramfs: Path = INITRAMFS
    cpu: str = "max"
    machine: str = "q35"

    def cmdline(self) -> str:
        words = ["console=ttyS0", "panic=-1", f"kairos.workload={self.workload}"]
        if self.cyclictest is not None:
            words.append("kairos.cyclictest=" + ",".join(self.cyclictest.replace(",", " ").split()))
        return " ".join(words + self.append.split())

    def run_name(self) -> str:
        return self.name or f"linux-baseline-smp{self.smp}"


@dataclasses.dataclass
class BaselineResult:
    config: BaselineConfig
    ok: bool
    problems: list[str]
    guest: GuestLog
    duration: float  # wall seconds, QEMU start to exit (or kill)
    exit_code: int | None  # QEMU's; None if killed at the timeout
    run_dir: Path
    serial_log: Path

    @property
    def cyclictest(self) -> cyclictest.Result:
        return self.guest.cyclictest

    def summary(self) -> str:
        state = "ok" if self.ok else "FAILED"
        text = f"{self.config.run_name()}: {state} ({self.duration:.1f} s)"
        return text if self.ok else f"{text}: {'; '.join(self.problems)}"

    def as_dict(self) -> dict:
        return {"name": self.config.run_name(), "ok": self.ok, "problems": self.problems,
                "smp": self.config.smp, "cmdline": self.config.cmdline(),
                "duration_s": round(self.duration, 3), "exit_code": self.exit_code,
                "serial_log": str(self.serial_log), **self.guest.as_dict()}


def qemu_backend(config: BaselineConfig, run_dir: Path) -> boot.Qemu:
    """boot.py's QEMU back end, booting the bzImage with -kernel and the
    initramfs with -initrd (the serial port, -no-reboot, TCG: as every
    harness boot has them)."""
    boot_config = boot.BootConfig(name=config.run_name(), machine=config.machine,
                                  smp=config.smp, mem=config.mem, cpu=config.cpu,
                                  cmdline=config.cmdline(), timeout=config.timeout,
                                  kernel_image=str(config.kernel),
                                  extra_args=("-initrd", str(config.initramfs)))
    return boot.Qemu(boot_config, run_dir)


def missing_images(config: BaselineConfig) -> list[str]:
    return [f"{path} not found ({BUILD_HINT})" for path in (config.kernel, config.initramfs)
            if not Path(path).exists()]


def run_baseline(config: BaselineConfig, boots_dir: Path = boot.BOOTS_DIR) -> BaselineResult:
    """Boots the images on bare QEMU, bounded by config.timeout, and judges
    the serial log (judge_log) and QEMU's exit."""
    run_dir = boot.prepare_run_dir(config.run_name(), boots_dir)
    backend = qemu_backend(config, run_dir)
    serial_log = backend.serial_log

    def failed(problems: list[str], duration: float = 0.0, code: int | None = None,
               guest: GuestLog | None = None) -> BaselineResult:
        guest = guest or GuestLog({}, [], [], cyclictest.Result())
        return BaselineResult(config, False, problems, guest, duration, code, run_dir, serial_log)

    problem = missing_images(config) or ([p] if (p := backend.check()) else [])
    if problem:
        return failed(problem)
    cmd = backend.command(None)
    (run_dir / "command.sh").write_text("#!/bin/sh\n# Reruns this boot.\n" + shlex.join(cmd) + "\n")
    serial_log.touch()
    start = time.monotonic()
    with open(backend.stderr_log, "wb") as stderr:
        # Registered as run_boot() registers its emulators, so that
        # boot.kill_running() (a driver's Ctrl-C) stops this one too.
        with boot._running_lock:
            if boot._stopping.is_set():
                return failed(["interrupted"])
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stderr,
                                    stderr=stderr, start_new_session=True)
            boot._running[proc] = backend.stop_signal
        try:
            code: int | None = proc.wait(config.timeout)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            if proc.poll() is None:  # the timeout, or an interrupt
                boot._kill_group(proc, backend.stop_signal)
            with boot._running_lock:
                boot._running.pop(proc, None)
    duration = time.monotonic() - start
    log = serial_log.read_text(errors="replace")
    guest = judge_log(log, config.smp, config.allow_unstable_tsc, config.workload)
    problems = list(guest.problems)
    if code is None:
        problems.insert(0, f"no power-off within {config.timeout:g} s (QEMU killed)")
    elif code != 0:
        problems.insert(0, backend.outcome(code).detail)
    elif backend.triple_fault():
        problems.insert(0, "the machine reset (triple fault)")
    return BaselineResult(config, not problems, problems, guest, duration, code, run_dir,
                          serial_log)


def run_shell(config: BaselineConfig) -> int:
    """The shell workload, the serial port on this terminal (Ctrl-A X quits)."""
    problem = missing_images(config)
    if problem:
        print(f"linux_guest.py: {problem[0]}", file=sys.stderr)
        return 1
    run_dir = boot.prepare_run_dir(config.run_name())
    cmd = qemu_backend(config, run_dir).command(None, interactive=True)
    print("linux_guest.py: " + shlex.join(cmd), file=sys.stderr)
    return subprocess.call(cmd)


def format_result(result: BaselineResult) -> str:
    g = result.guest
    out = [f"{result.config.run_name()}: {result.config.smp} CPU(s), cmdline: "
           f"{result.config.cmdline()}",
           f"  wall time {result.duration:.1f} s, QEMU exit status {result.exit_code}",
           f"  clocksource {g.clocksource} at /init (available: {g.clocksources})"
           + (f", {g.clocksource_run} when cyclictest began"
              if g.clocksource_run != g.clocksource else "")
           + (f", {g.clocksource_after} after the run" if g.clocksource_after else "")
           + (f"; tsc: Detected {g.tsc_mhz} MHz" if g.tsc_mhz else ""),
           f"  cyclictest {g.cyclictest_args}: rc={g.rc}"]
    out += ["    " + line for line in g.cyclictest.summary().splitlines()]
    out += [f"  check {name}: {'ok' if ok else 'FAILED'}" for name, ok in g.checks.items()]
    out += [f"  note: {note}" for note in g.notes]
    if not result.ok:
        out.append(f"--- last lines of {result.serial_log}:")
        out.append(boot.log_tail(result.serial_log, 25))
    out.append(result.summary())
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smp", type=int, default=1)
    parser.add_argument("--mem", type=int, default=256, help="MiB")
    parser.add_argument("--cyclictest", metavar="ARGS",
                        help="cyclictest's arguments, as --cyclictest=ARGS (kairos.cyclictest=; "
                             "commas or spaces); default /init's: -q -m -S -p 90 -i 1000 -D 3 "
                             "-h 20000")
    parser.add_argument("--workload", choices=("cyclictest", "shell"), default="cyclictest")
    parser.add_argument("--append", default="", metavar="WORDS",
                        help="more kernel parameters (e.g. tsc=reliable)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds")
    parser.add_argument("--allow-unstable-tsc", action="store_true",
                        help="'Marking TSC unstable' is a note, not a failure")
    parser.add_argument("--name", default="", help="run name, the directory under build/boots/")
    parser.add_argument("--kernel", type=Path, default=KERNEL)
    parser.add_argument("--initramfs", type=Path, default=INITRAMFS)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    config = BaselineConfig(smp=args.smp, mem=args.mem, cyclictest=args.cyclictest,
                            workload=args.workload, append=args.append, timeout=args.timeout,
                            allow_unstable_tsc=args.allow_unstable_tsc, name=args.name,
                            kernel=args.kernel.resolve(), initramfs=args.initramfs.resolve())
    if args.workload == "shell":
        return run_shell(config)
    result = run_baseline(config)
    print(json.dumps(result.as_dict(), indent=2) if args.json else format_result(result))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
