#!/usr/bin/env python3
"""Boot a Kairos ISO in an emulator and judge the run.

As a library: run_boot(BootConfig(...), kernel=...) -> BootResult.
As a program:

    boot.py --kernel build/kairos.elf --cmdline "test=*" [--firmware uefi] ...
    boot.py --iso build/kairos.iso --expect idle --timeout 8
    boot.py --interactive --iso build/kairos.iso [--gdb]      (make run / debug)

A boot ends in one of these ways, and the config's `expect` says which one
is a success:
  pass  the kernel wrote PASS (0x10) to the isa-debug-exit port; its KTAP
        output must then be complete and free of failures
  fail  the kernel wrote FAIL (0x11): a deliberate failure (the fault test)
  idle  the kernel was still running at the deadline (it boots and idles)
Everything else (a reset or power-off, a triple fault, a timeout, an
emulator error) is a failure with a reason. In every case the log patterns
must match: `must_match` regexes must all appear in the serial log,
`must_not_match` ones must not (searched line by line, timestamps removed).

The kernel's command line gets `debug_exit` first (except in interactive
runs), so that machine_exit() reports through the isa-debug-exit device.
Artifacts of a run stay in build/boots/<name>/: the ISO, serial.log, the
emulator's own logs and command.sh, which reruns the same machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ktap  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
MKISO = REPO / "tools" / "mkiso.sh"
BOOTS_DIR = REPO / "build" / "boots"

EXPECT_PASS, EXPECT_FAIL, EXPECT_IDLE = "pass", "fail", "idle"

# Values the kernel writes to the isa-debug-exit port (include/shutdown.h,
# enum exit_status, offset by 0x10 so that no value maps to exit code 1).
DEBUG_EXIT_PASS = 0x10
DEBUG_EXIT_FAIL = 0x11

LOG_TAIL_LINES = 40  # serial log lines shown when a boot fails


@dataclasses.dataclass
class BootConfig:
    """One machine to boot and what its run must show."""

    name: str  # also the artifact directory, build/boots/<name>
    machine: str = "q35"  # q35 | pc
    smp: int = 1
    mem: int = 256  # MiB
    firmware: str = "bios"  # bios | uefi
    cmdline: str = ""  # kernel command line (debug_exit is added)
    timeout: float = 60.0  # seconds; for expect=idle, how long it must stay up
    expect: str = EXPECT_PASS  # pass | fail | idle (see the module docstring)
    must_match: tuple[str, ...] = ()  # regexes that must appear in the log
    must_not_match: tuple[str, ...] = ()  # regexes that must not
    cpu: str = "max"  # emulated CPU model
    modules: tuple[str, ...] = ()  # multiboot2 modules, "PATH[:CMDLINE]"
    extra_args: tuple[str, ...] = ()  # appended to the emulator's command line
    emulator: str = "qemu"  # a key of BACKENDS


@dataclasses.dataclass
class Outcome:
    """How the emulator run ended, in back-end-neutral terms."""

    kind: str  # "pass" | "fail" (the kernel's verdict), "running" (still
    #            up at the deadline), "stopped" (reset or power-off without
    #            a verdict), "error" (anything else)
    detail: str = ""  # a human-readable explanation
    exit_code: int | None = None  # the emulator's exit status, if it exited
    triple_fault: bool = False  # the emulator saw the CPU triple-fault


@dataclasses.dataclass
class BootResult:
    """The judged run: ok, and the reasons why not."""

    config: BootConfig
    ok: bool
    reasons: list[str]  # empty when ok
    outcome: Outcome
    report: ktap.Report  # KTAP found in the serial log
    duration: float  # seconds from emulator start to its end (or the kill)
    run_dir: Path
    serial_log: Path

    def summary(self) -> str:
        """One line: name, verdict, time, and the first reason if any."""
        state = "ok" if self.ok else "FAILED"
        text = f"{self.config.name}: {state} ({self.outcome.detail}, {self.duration:.1f} s)"
        return text if self.ok else f"{text}: {'; '.join(self.reasons)}"


# ---------------------------------------------------------------------------
# Back ends: each knows one emulator's command line and how its runs end.


class Emulator:
    """What run_boot() needs from a back end. A Bochs back end would write a
    bochsrc in run_dir (serial port to serial_log, ATA CD-ROM, cpu count,
    memory) and return "bochs -q -f bochsrc" from command(); with no
    isa-debug-exit device it would need another way to get the verdict out
    (its log's "shutdown" or port-0xe9 output), mapped to an Outcome."""

    name = "emulator"  # names its files in run_dir

    def __init__(self, config: BootConfig, run_dir: Path):
        self.config = config
        self.run_dir = run_dir
        self.serial_log = run_dir / "serial.log"  # the guest's COM1 output
        self.stderr_log = run_dir / f"{self.name}.stderr"  # the emulator's own output

    def check(self) -> str | None:
        """Returns why this back end cannot run here, or None."""
        raise NotImplementedError

    def command(self, iso: Path, interactive: bool = False, gdb: bool = False) -> list[str]:
        """The command line that boots iso (serial on the terminal if interactive)."""
        raise NotImplementedError

    def outcome(self, returncode: int) -> Outcome:
        """Interprets the emulator's exit status once it has exited."""
        raise NotImplementedError


class Qemu(Emulator):
    """qemu-system-x86_64 under TCG (never KVM: runs must be reproducible)."""

    name = "qemu"
    binary = "qemu-system-x86_64"
    ovmf_code = Path(os.environ.get("OVMF_CODE", "/usr/share/OVMF/OVMF_CODE_4M.fd"))
    ovmf_vars = Path(os.environ.get("OVMF_VARS", "/usr/share/OVMF/OVMF_VARS_4M.fd"))

    def __init__(self, config: BootConfig, run_dir: Path):
        super().__init__(config, run_dir)
        self.debug_log = run_dir / "qemu-debug.log"  # -d cpu_reset: resets, triple faults

    def check(self) -> str | None:
        if shutil.which(self.binary) is None:
            return f"{self.binary} not found (run tools/install-deps.sh)"
        if self.config.firmware == "uefi":
            for image in (self.ovmf_code, self.ovmf_vars):
                if not image.exists():
                    return f"OVMF image {image} not found (Debian: ovmf)"
        return None

    def command(self, iso: Path, interactive: bool = False, gdb: bool = False) -> list[str]:
        """The command line; copies OVMF's variable store for UEFI boots."""
        c = self.config
        cmd = [self.binary, "-accel", "tcg", "-machine", c.machine, "-cpu", c.cpu,
               "-smp", str(c.smp), "-m", str(c.mem), "-display", "none", "-no-reboot",
               "-nic", "none",  # no NIC: its option ROM costs OVMF ~0.5 s
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
               "-d", "cpu_reset", "-D", str(self.debug_log)]
        if c.firmware == "uefi":
            private_vars = self.run_dir / "OVMF_VARS.fd"
            shutil.copyfile(self.ovmf_vars, private_vars)
            cmd += ["-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={self.ovmf_code}",
                    "-drive", f"if=pflash,format=raw,unit=1,file={private_vars}"]
        elif c.firmware != "bios":
            raise ValueError(f"{c.name}: firmware must be bios or uefi, not {c.firmware!r}")
        cmd += ["-serial", "mon:stdio" if interactive else f"file:{self.serial_log}"]
        cmd += ["-cdrom", str(iso)]
        if gdb:
            cmd += ["-s", "-S"]
        return cmd + list(c.extra_args)

    def outcome(self, returncode: int) -> Outcome:
        if returncode == (DEBUG_EXIT_PASS << 1) | 1:
            return Outcome("pass", "PASS exit", returncode)
        if returncode == (DEBUG_EXIT_FAIL << 1) | 1:
            return Outcome("fail", "FAIL exit", returncode)
        if returncode == 0:
            detail = "the machine reset or powered off before a verdict"
            triple = self.triple_fault()
            return Outcome("stopped", detail + (" (triple fault)" if triple else ""),
                           returncode, triple)
        if returncode < 0:
            return Outcome("error", f"QEMU killed by signal {-returncode}", returncode)
        detail = f"QEMU exit code {returncode}"
        if returncode & 1 and returncode > 1:
            detail += f" (isa-debug-exit value {returncode >> 1:#x}, neither PASS nor FAIL)"
        stderr = self._stderr_tail()
        return Outcome("error", f"{detail}: {stderr}" if stderr else detail, returncode)

    def triple_fault(self) -> bool:
        try:
            return "Triple fault" in self.debug_log.read_text(errors="replace")
        except OSError:
            return False

    def _stderr_tail(self) -> str:
        try:
            lines = self.stderr_log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return " / ".join(lines[-3:])


BACKENDS: dict[str, type[Emulator]] = {"qemu": Qemu}


# ---------------------------------------------------------------------------
# Running


def build_iso(out: Path, kernel: Path, cmdline: str, modules: tuple[str, ...] = ()) -> None:
    """Runs tools/mkiso.sh; raises RuntimeError with its output on failure."""
    proc = subprocess.run([str(MKISO), str(out), str(kernel), cmdline, *modules],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"mkiso.sh failed:\n{proc.stdout.strip()}")


def harness_cmdline(cmdline: str) -> str:
    """The command line with debug_exit first, so the verdict can get out."""
    return f"debug_exit {cmdline}".strip()


def prepare_run_dir(name: str, boots_dir: Path = BOOTS_DIR) -> Path:
    """Empties and returns build/boots/<name>."""
    if not re.fullmatch(r"[A-Za-z0-9._-]+", name):
        raise ValueError(f"boot name {name!r}: use letters, digits and ._- only")
    run_dir = boots_dir / name
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    return run_dir


# Emulators running under run_boot(), so that a driver running boots in
# threads can stop them all when it is interrupted (they run in their own
# process groups, out of the terminal's reach).
_running: set[subprocess.Popen] = set()
_running_lock = threading.Lock()
_stopping = threading.Event()  # set by kill_running(): start no more emulators


def kill_running() -> None:
    """Stops every emulator that run_boot() started, and makes later
    run_boot() calls in this process fail at once ("interrupted")."""
    with _running_lock:
        _stopping.set()
        procs = list(_running)
    for proc in procs:
        _kill_group(proc)


def _kill_group(proc: subprocess.Popen) -> None:
    """Stops the emulator and anything it started: TERM, then KILL."""
    for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(grace)
            return
        except subprocess.TimeoutExpired:
            continue


def run_boot(config: BootConfig, kernel: Path | None = None, iso: Path | None = None,
             boots_dir: Path = BOOTS_DIR) -> BootResult:
    """Builds the ISO (from kernel, unless iso is given), boots it, judges it."""
    run_dir = prepare_run_dir(config.name, boots_dir)
    backend = BACKENDS[config.emulator](config, run_dir)

    def failed_early(reason: str) -> BootResult:
        return BootResult(config, False, [reason], Outcome("error", reason),
                          ktap.parse(""), 0.0, run_dir, backend.serial_log)

    problem = backend.check()
    if problem:
        return failed_early(problem)
    if iso is None:
        if kernel is None:
            raise ValueError("run_boot needs a kernel or an ISO")
        iso = run_dir / "kairos.iso"
        try:
            build_iso(iso, kernel, harness_cmdline(config.cmdline), config.modules)
        except RuntimeError as err:
            return failed_early(str(err))
    cmd = backend.command(iso)
    (run_dir / "command.sh").write_text("#!/bin/sh\n# Reruns this boot.\n"
                                        + shlex.join(cmd) + "\n")
    backend.serial_log.touch()
    start = time.monotonic()
    with open(backend.stderr_log, "wb") as stderr:
        with _running_lock:
            if _stopping.is_set():
                return failed_early("interrupted")
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stderr,
                                    stderr=stderr, start_new_session=True)
            _running.add(proc)
        try:
            returncode = proc.wait(config.timeout)
        except subprocess.TimeoutExpired:
            returncode = None
            _kill_group(proc)
        finally:
            if proc.poll() is None:  # interrupted
                _kill_group(proc)
            with _running_lock:
                _running.discard(proc)
    duration = time.monotonic() - start
    if returncode is not None:
        outcome = backend.outcome(returncode)
    elif config.expect == EXPECT_IDLE:
        outcome = Outcome("running", f"still running after {config.timeout:g} s")
    else:
        outcome = Outcome("running", f"no verdict after {config.timeout:g} s")
    log = backend.serial_log.read_text(errors="replace")
    report = ktap.parse(log)
    reasons = judge(config, outcome, report, log)
    return BootResult(config, not reasons, reasons, outcome, report, duration, run_dir,
                      backend.serial_log)


# ---------------------------------------------------------------------------
# Judging


def judge(config: BootConfig, outcome: Outcome, report: ktap.Report, log: str) -> list[str]:
    """Returns why the run does not meet the config's expectations ([] if it does)."""
    reasons: list[str] = []
    wanted = {EXPECT_PASS: "pass", EXPECT_FAIL: "fail", EXPECT_IDLE: "running"}
    if config.expect not in wanted:
        raise ValueError(f"{config.name}: expect must be pass, fail or idle, not {config.expect!r}")
    if outcome.kind != wanted[config.expect]:
        reasons.append(f"expected {_describe_expect(config.expect)}, got: {outcome.detail}")
    if config.expect == EXPECT_PASS and outcome.kind == "pass":
        if not report.found:
            reasons.append("PASS exit but no KTAP output")
        else:
            reasons += [f"KTAP: {p}" for p in report.problems()]
            failed = report.counts().failed
            if failed:
                reasons.append(f"PASS exit but KTAP reports {failed} failed")
    lines = "\n".join(ktap.clean_line(line) for line in log.splitlines())
    for pattern in config.must_match:
        if not re.search(pattern, lines, re.MULTILINE):
            reasons.append(f"log does not match /{pattern}/")
    for pattern in config.must_not_match:
        if (m := re.search(pattern, lines, re.MULTILINE)) is not None:
            line = lines[lines.rfind("\n", 0, m.start()) + 1:].split("\n", 1)[0]
            reasons.append(f"log matches /{pattern}/: {line.strip()[:120]}")
    return reasons


def _describe_expect(expect: str) -> str:
    return {EXPECT_PASS: "a PASS exit", EXPECT_FAIL: "a FAIL exit",
            EXPECT_IDLE: "the kernel still running at the deadline"}[expect]


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last lines of a serial log, without terminal escape sequences."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no serial log)"
    tail = [ktap.ANSI_RE.sub("", line).rstrip("\r").split("\r")[-1]
            for line in text.splitlines()[-lines:]]
    return "\n".join(tail) if tail else "(the serial log is empty)"


def describe_failure(result: BootResult) -> str:
    """The reasons, the end of the serial log and where the artifacts are."""
    out = [f"--- {result.config.name} failed:"]
    out += [f"    {reason}" for reason in result.reasons]
    if result.report.found and result.report.failures():
        out.append("    KTAP failures:")
        out += [f"      {path}: {case.reason}" for path, case in result.report.failures()]
    out.append(f"--- last {LOG_TAIL_LINES} lines of {result.serial_log}:")
    out.append(log_tail(result.serial_log))
    out.append(f"--- artifacts in {result.run_dir} (command.sh reruns the machine)")
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Interactive runs (make run, make debug)


def run_interactive(config: BootConfig, iso: Path, gdb: bool, boots_dir: Path = BOOTS_DIR) -> int:
    """Runs the emulator with the serial port on this terminal; no timeout."""
    run_dir = prepare_run_dir(config.name, boots_dir)
    backend = BACKENDS[config.emulator](config, run_dir)
    problem = backend.check()
    if problem:
        print(f"boot.py: {problem}", file=sys.stderr)
        return 1
    cmd = backend.command(iso, interactive=True, gdb=gdb)
    print("boot.py: " + shlex.join(cmd), file=sys.stderr)
    print("boot.py: serial console follows; Ctrl-A X quits, Ctrl-A C is QEMU's monitor",
          file=sys.stderr)
    proc = subprocess.Popen(cmd)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the guest's
    try:
        returncode = proc.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
    outcome = backend.outcome(returncode)
    if outcome.kind == "stopped" and not outcome.triple_fault:
        outcome.detail = "the emulator exited"  # Ctrl-A X, or a power-off
    print(f"\nboot.py: {outcome.detail}", file=sys.stderr)
    return 0 if outcome.kind in ("pass", "stopped") else 1


# ---------------------------------------------------------------------------
# Command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--iso", type=Path,
                        help="boot this ISO as it is (for a verdict, built with debug_exit)")
    source.add_argument("--kernel", type=Path, help="build an ISO from this kernel ELF")
    parser.add_argument("--cmdline", default="", help="kernel command line (with --kernel)")
    parser.add_argument("--module", action="append", default=[], metavar="PATH[:CMDLINE]",
                        help="a multiboot2 module (with --kernel; repeatable)")
    parser.add_argument("--name", help="run name, the directory under build/boots/")
    parser.add_argument("--firmware", choices=("bios", "uefi"), default="bios")
    parser.add_argument("--machine", choices=("q35", "pc"), default="q35")
    parser.add_argument("--smp", type=int, default=1)
    parser.add_argument("--mem", type=int, default=256, help="MiB")
    parser.add_argument("--cpu", default="max")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds")
    parser.add_argument("--expect", choices=(EXPECT_PASS, EXPECT_FAIL, EXPECT_IDLE),
                        default=EXPECT_PASS)
    parser.add_argument("--match", action="append", default=[], metavar="REGEX",
                        help="the log must match (repeatable)")
    parser.add_argument("--no-match", action="append", default=[], metavar="REGEX",
                        help="the log must not match (repeatable)")
    parser.add_argument("--interactive", action="store_true",
                        help="serial port on this terminal, no timeout, no debug_exit")
    parser.add_argument("--gdb", action="store_true", help="QEMU waits for gdb on :1234")
    parser.add_argument("--emulator-arg", action="append", default=[], metavar="ARG",
                        help="extra emulator argument (repeatable)")
    args = parser.parse_args(argv)
    if args.gdb and not args.interactive:
        parser.error("--gdb needs --interactive")
    if args.iso and (args.cmdline or args.module):
        parser.error("--cmdline and --module need --kernel (an ISO has its command line)")

    config = BootConfig(
        name=args.name or ("interactive" if args.interactive else "manual"),
        machine=args.machine, smp=args.smp, mem=args.mem, firmware=args.firmware,
        cmdline=args.cmdline, timeout=args.timeout, expect=args.expect,
        must_match=tuple(args.match), must_not_match=tuple(args.no_match), cpu=args.cpu,
        modules=tuple(args.module), extra_args=tuple(args.emulator_arg))

    if args.interactive:
        iso = args.iso
        if iso is None:
            iso = BOOTS_DIR / f"{config.name}.iso"
            iso.parent.mkdir(parents=True, exist_ok=True)
            try:
                build_iso(iso, args.kernel, args.cmdline, config.modules)
            except RuntimeError as err:
                print(f"boot.py: {err}", file=sys.stderr)
                return 1
        return run_interactive(config, iso.resolve(), args.gdb)

    result = run_boot(config, kernel=args.kernel, iso=args.iso.resolve() if args.iso else None)
    if result.report.found:
        print(result.report.format_tree())
        print(f"KTAP: {result.report.counts()}")
    if not result.ok:
        print(describe_failure(result))
    print(result.summary())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
