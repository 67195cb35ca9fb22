#!/usr/bin/env python3
"""Boot a Kairos ISO in an emulator and judge the run.

As a library: run_boot(BootConfig(...), kernel=...) -> BootResult.
As a program:

    boot.py --kernel build/kairos.elf --cmdline "test=*" [--firmware uefi] ...
    boot.py --iso build/kairos.iso --expect idle --timeout 8
    boot.py --emulator bochs --kernel build/kairos.elf --cmdline "test=*"
    boot.py --interactive --iso build/kairos.iso [--gdb]      (make run / debug)
    boot.py --kernel-image build/tests/hvm/hvmtest.elf --cmdline "test=apic" --smp 2

A boot ends in one of these ways, and the config's `expect` says which one
is a success:
  pass  the kernel's verdict was PASS; its KTAP output must then be
        complete and free of failures
  fail  the kernel's verdict was FAIL: a deliberate failure (the fault test)
  idle  the kernel was still running at the deadline (it boots and idles)
Everything else (a reset or power-off, a triple fault, a timeout, an
emulator error) is a failure with a reason. In every case the log patterns
must match: `must_match` regexes must all appear in the serial log,
`must_not_match` ones must not (searched line by line, timestamps removed).

The kernel's command line gets `debug_exit` first (except in interactive
runs), so that machine_exit() reports its verdict: under QEMU (`emulator`
"qemu", the default) through the isa-debug-exit device, whose value becomes
QEMU's exit status; under Bochs ("bochs", BIOS only), which has no such
device, as a "debug_exit: verdict PASS|FAIL" line in the serial log, after
which the kernel writes "Shutdown" to Bochs's port 0x8900 and Bochs quits.
It also gets `test_tsc_hz=<Hz>` last, the rate the guest's TSC runs at, for
the kernel's time tests: under QEMU's TCG the host TSC's rate against
CLOCK_MONOTONIC (measured once per process by build/host-tsc-hz), under
Bochs exactly its `ips`; a command line that names test_tsc_hz= keeps its own.
Before it come the back end's test-only options (kernel_options()): Bochs
passes `ktest_latency_bound=`, the timer suite's bound on lateness there,
tight because its clocks follow the instruction count (Bochs.LATENCY_BOUND);
again a command line that names it keeps its own.
A config's `serial_input` types on the guest's COM1 while it runs (QEMU
only): steps of (a delay in seconds, or a regex to wait for in the log,
then the bytes to send); see SerialFeeder. The debug keys are tested so.
Artifacts of a run stay in build/boots/<name>/: the ISO, serial.log, the
emulator's own logs (and bochsrc), serial-input.log (what was typed, and
when) and command.sh, which reruns the same machine.

A config with `kernel_image` boots that Multiboot (v1) kernel directly with
QEMU's -kernel (BIOS only, no ISO), its `cmdline` passed by -append as it
is: no debug_exit, no test_tsc_hz=. The HVM test kernels (tests/hvm/) run
on bare QEMU so; their verdict is the isa-debug-exit status and their whole
serial log is KTAP, judged as a Kairos boot's.

A guest run's `guest_ktap` names domains whose console output is KTAP: the
lines of each (`(dN) <line>` in the log, N from the "Domain N (name): ..."
line) are parsed as a report of their own, and a PASS boot needs each
complete and free of failures; the report's cases count as tests, under
the domain's name (ktap.adopt()).
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
    machine: str = "q35"  # q35 | pc (Bochs: pc, its i440FX, only)
    smp: int = 1
    mem: int = 256  # MiB
    firmware: str = "bios"  # bios | uefi (Bochs: bios only)
    cmdline: str = ""  # kernel command line (debug_exit is added)
    timeout: float = 60.0  # seconds; for expect=idle, how long it must stay up
    expect: str = EXPECT_PASS  # pass | fail | idle (see the module docstring)
    must_match: tuple[str, ...] = ()  # regexes that must appear in the log
    must_not_match: tuple[str, ...] = ()  # regexes that must not
    cpu: str = "max"  # CPU model: QEMU's -cpu, or Bochs's cpu: model= ("max":
    #                   Bochs.DEFAULT_MODEL); `bochs --help cpu` lists them
    modules: tuple[str, ...] = ()  # multiboot2 modules, "PATH[:CMDLINE]"
    extra_args: tuple[str, ...] = ()  # appended to the emulator's command line
    # QEMU's -accel: "tcg,thread=single" runs every vCPU in one host
    # thread, so a many-CPU boot leaves the other host core to the boot
    # beside it (300 vCPU threads starve a 2-thread neighbour to ~1%).
    accel: str = "tcg"
    emulator: str = "qemu"  # a key of BACKENDS: qemu | bochs
    # With trace frames in the log: check them (tests/harness/tracecheck.py),
    # and the timer path on CPUs 0..trace_cpus-1; 0: no check.
    trace_cpus: int = 0
    # The same for the whole scheduling path (s_timer, SCHEDULE_SOFTIRQ,
    # schedule(), the switch) on CPUs 0..trace_path_cpus-1; guests needed.
    trace_path_cpus: int = 0
    # Typed on COM1, in order: (seconds after the previous step, or a regex
    # that a log line after the previous step's match must match; then the
    # bytes to send). QEMU only. A step that never comes fails the boot.
    serial_input: tuple[tuple[float | str, bytes], ...] = ()
    # Guest runs: how each domain (by name) must end, "poweroff" or
    # "crash" optionally followed by ":<regex>" that the crash report
    # ("Domain N (name) crashed: <why>") must match, or several such
    # outcomes joined by " or " (any one will do; a guest_ktap domain that
    # ended in an accepted crash has no report to judge). With this set a PASS
    # exit needs no KTAP: the verdict is every domain ending as listed,
    # no "(dN) FAIL:" line from any guest, and the all-domains-done line.
    domains: tuple[tuple[str, str], ...] = ()
    # A Multiboot (v1) kernel to boot directly with QEMU's -kernel (BIOS
    # only; relative to the top of the tree), `cmdline` its -append: no
    # ISO, and the harness adds nothing to the command line.
    # With trace frames (trace=hvm,irq,softirq): some CPU shows the HVM
    # guest's timer path (tracecheck.hvm_timer_path_problems()).
    trace_hvm_path: bool = False
    kernel_image: str = ""
    # Guest runs: the domains (by name, each also in `domains`) whose
    # console output is KTAP, judged and counted as the kernel's is.
    guest_ktap: tuple[str, ...] = ()
    # Guest runs: Linux domains (name, vCPUs; each also in `domains`) whose
    # console is the guest images' (docs/linux-guest.md): judged by
    # linux_guest.judge_log(), and the TSC rate the kernel found must be
    # Kairos's calibrated one within its error bound.
    linux_guests: tuple[tuple[str, int], ...] = ()
    # The kernel's boot timeline line (tests/harness/boot_timeline.py) must
    # be there and consistent: its phases add up to its total, those before
    # every CPU is online fit before it, and the total comes last.
    boot_timeline: bool = False
    # The framebuffer console (QEMU only): regexes that the screen's lines,
    # read cell by cell with the kernel's fonts (tests/harness/screen.py)
    # from `screendump` on QEMU's monitor, must all match. The screen is
    # read every SCREEN_POLL s; the run ends as soon as all match (an idle
    # boot then counts as still running at its deadline).
    screen_must_show: tuple[str, ...] = ()
    # Keys typed on the PS/2 keyboard by the monitor's `sendkey` (QEMU
    # only): steps as serial_input's, each a QEMU key name ("h", "shift-t").
    keyboard_input: tuple[tuple[float | str, str], ...] = ()
    serial: bool = True  # False: -serial none, the machine has no COM1
    gfxpayload: str = ""  # GOP mode asked of GRUB under UEFI (tools/mkiso.sh)
    # Guest runs: (loaded, alone, ratio): the p99 of the first lateness
    # line ("...lateness: n=.. p99=<ns>", guests/sleeper.c, ticker.c) of
    # the domain called loaded must be at most ratio times alone's.
    latency_ratio: tuple[tuple[str, str, float], ...] = ()


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
    tsc_hz: int | None = None  # the test_tsc_hz= the kernel got, if any

    def summary(self) -> str:
        """One line: name, verdict, time, and the first reason if any."""
        state = "ok" if self.ok else "FAILED"
        text = f"{self.config.name}: {state} ({self.outcome.detail}, {self.duration:.1f} s)"
        return text if self.ok else f"{text}: {'; '.join(self.reasons)}"


# ---------------------------------------------------------------------------
# Back ends: each knows one emulator's command line and how its runs end.


class Emulator:
    """What run_boot() needs from a back end: check(), command() and
    outcome(); started() and finished() bracket the emulator's run."""

    name = "emulator"  # names its files in run_dir
    stop_signal = signal.SIGTERM  # asks the emulator to quit (KILL follows)
    interactive_hint = ""  # how to leave an interactive run
    ctrl_c_stops = False  # interactive Ctrl-C sends stop_signal (else the guest's)
    serial_input = False  # command() reads COM1's input from serial_fifo

    def __init__(self, config: BootConfig, run_dir: Path):
        self.config = config
        self.run_dir = run_dir
        self.serial_log = run_dir / "serial.log"  # the guest's COM1 output
        self.serial_fifo = run_dir / "serial.in"  # COM1's input (serial_input)
        self.stderr_log = run_dir / f"{self.name}.stderr"  # the emulator's own output

    def check(self) -> str | None:
        """Returns why this back end cannot run here, or None."""
        raise NotImplementedError

    def command(self, iso: Path | None, interactive: bool = False,
                gdb: bool = False) -> list[str]:
        """The command line that boots iso, or the config's kernel_image
        (iso None); the serial port on the terminal if interactive."""
        raise NotImplementedError

    def outcome(self, returncode: int) -> Outcome:
        """Interprets the emulator's exit status once it has exited."""
        raise NotImplementedError

    def tsc_hz(self) -> int | None:
        """The rate of the guest's TSC in Hz, if known (test_tsc_hz=)."""
        return None

    def kernel_options(self) -> dict[str, str]:
        """Test-only options for what this back end knows of the machine
        (name: value), which harness_cmdline() adds to every command line
        it builds unless the config's names them itself."""
        return {}

    def started(self, proc: subprocess.Popen) -> None:
        """Called once the emulator runs (non-interactive runs only)."""

    def finished(self) -> None:
        """Called once the emulator has exited or been stopped."""


class Qemu(Emulator):
    """qemu-system-x86_64 under TCG (never KVM: runs must be reproducible)."""

    name = "qemu"
    interactive_hint = "Ctrl-A X quits, Ctrl-A C is QEMU's monitor"
    binary = "qemu-system-x86_64"
    serial_input = True
    ovmf_code = Path(os.environ.get("OVMF_CODE", "/usr/share/OVMF/OVMF_CODE_4M.fd"))
    ovmf_vars = Path(os.environ.get("OVMF_VARS", "/usr/share/OVMF/OVMF_VARS_4M.fd"))

    def __init__(self, config: BootConfig, run_dir: Path):
        super().__init__(config, run_dir)
        self.debug_log = run_dir / "qemu-debug.log"  # -d cpu_reset: resets, triple faults
        self.monitor_socket = run_dir / "monitor.sock"  # HMP: screendump, sendkey

    def check(self) -> str | None:
        if shutil.which(self.binary) is None:
            return f"{self.binary} not found (run tools/install-deps.sh)"
        if self.config.kernel_image:
            if self.config.firmware != "bios":
                return (f"a kernel_image boots with QEMU's -kernel, BIOS only, "
                        f"not firmware={self.config.firmware!r}")
            if not kernel_image_path(self.config).exists():
                return (f"kernel image {self.config.kernel_image} not found "
                        "(make test-guests builds it)")
        if self.config.firmware == "uefi":
            for image in (self.ovmf_code, self.ovmf_vars):
                if not image.exists():
                    return f"OVMF image {image} not found (Debian: ovmf)"
        return None

    def command(self, iso: Path | None, interactive: bool = False,
                gdb: bool = False) -> list[str]:
        """The command line; copies OVMF's variable store for UEFI boots."""
        c = self.config
        cmd = [self.binary, "-accel", c.accel, "-machine", c.machine, "-cpu", c.cpu,
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
        if c.screen_must_show or c.keyboard_input:
            cmd += ["-monitor", f"unix:{qemu_opt(self.monitor_socket)},server=on,wait=off"]
        if interactive:
            cmd += ["-serial", "mon:stdio"]
        elif not c.serial:
            cmd += ["-serial", "none"]
        elif c.serial_input:
            # The file back end writes the log as file: does, and reads
            # the guest's input from input-path: a FIFO the harness feeds.
            cmd += ["-chardev", f"file,id=com1,path={qemu_opt(self.serial_log)},"
                                f"input-path={qemu_opt(self.serial_fifo)}",
                    "-serial", "chardev:com1"]
        else:
            cmd += ["-serial", f"file:{self.serial_log}"]
        if c.kernel_image:
            # -append is taken as it is: no comma doubling.
            cmd += ["-kernel", str(kernel_image_path(c)), "-append", c.cmdline]
        else:
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

    def tsc_hz(self) -> int | None:
        # TCG's RDTSC returns the host's TSC (cpu_get_host_ticks), and its
        # HPET and PM timer follow the host's CLOCK_MONOTONIC.
        measured = host_tsc()
        return measured.hz if measured is not None else None

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


def qemu_opt(value: object) -> str:
    """value as one QEMU option value: a comma is written twice."""
    return str(value).replace(",", ",,")


def kernel_image_path(config: BootConfig) -> Path:
    """The config's kernel_image, relative to the top of the tree."""
    return REPO / config.kernel_image


# The kernel's verdict line under debug_exit (arch/x86/shutdown.c). Bochs
# may quit before its UART has sent the line's "\r\n": the end is optional.
VERDICT_RE = re.compile(r"^debug_exit: verdict (PASS|FAIL)\s*$")


def find_verdict(log: str) -> str | None:
    """The last verdict ("PASS" or "FAIL") in a serial log, or None."""
    verdict = None
    for line in log.splitlines():
        if (m := VERDICT_RE.match(ktap.clean_line(line))) is not None:
            verdict = m.group(1)
    return verdict


class Bochs(Emulator):
    """Bochs 2.7 as Debian builds it (with its debugger), BIOS only: the
    paths QEMU's TCG cannot run, such as the TSC-deadline timer and x2APIC
    on Intel CPU models. With `clock: sync=none` every clock follows the
    instruction count (the TSC runs at exactly IPS Hz), so runs repeat
    exactly. Bochs has no isa-debug-exit device: the verdict is the kernel's
    "debug_exit: verdict" line in the serial log, and only counts when Bochs
    then quit through its shutdown port (port 0x8900, "Shutdown")."""

    name = "bochs"
    binary = "bochs"
    bios = Path(os.environ.get("BOCHS_BIOS", "/usr/share/bochs/BIOS-bochs-latest"))
    vgabios = Path(os.environ.get("BOCHS_VGABIOS", "/usr/share/vgabios/vgabios.bin"))
    # Debian puts Bochs's display libraries in plugins; `term` is its own
    # package (bochs-term). A build without this directory has them inside.
    plugin_dir = Path("/usr/lib/x86_64-linux-gnu/bochs/plugins")
    DEFAULT_MODEL = "corei7_skylake_x"  # x2APIC, TSC-deadline, invariant TSC
    IPS = 100_000_000  # instructions per emulated second: a 100 MHz TSC
    # ktest_latency_bound=, how late past its window (expiry + slack) a
    # timer callback may run in the timer suite. With sync=none lateness is
    # the instructions run between the deadline and the callback, at IPS:
    # no host noise, and a run of one kernel repeats byte for byte.
    # Measured (the suite's "worst N ns past the window" lines on
    # bochs-skylake, bochs-smp2 and bochs-timers; several runs of each of
    # four builds): at most 14.2 us, timers through the overflow list on 2 CPUs
    # (6.1 us on 1); 12.7 us with slacks of 0 to 10 ms; 3.5-5.6 us in the
    # other cases. A rebuild that only moved code shifted them by up to
    # 0.25 us. About four times the worst, rounded up: room for the path to
    # grow, while a deadline served by a later interrupt (a lost reprogram,
    # a tick) still fails. Scales as 1/IPS; a machine whose cmdline names
    # its own keeps it.
    LATENCY_BOUND = "60us"
    TIME0 = 1704067200  # the RTC's start, 2024-01-01 00:00 UTC: runs repeat
    # The term display library quits on SIGHUP; it ignores SIGTERM.
    stop_signal = signal.SIGHUP
    interactive_hint = "Ctrl-C stops Bochs"
    ctrl_c_stops = True  # else Ctrl-C stops in Bochs's debugger prompt

    # The term display draws the VGA screen, with curses, into a pseudo-
    # terminal of its own (the debugger keeps stdin and stdout) and names it
    # on stderr. Once that terminal's buffer is full, Bochs blocks (measured:
    # after ~2,100 lines of kernel log on the VGA console), so started()
    # reads it, and drops what it reads, for the whole run.
    SCREEN_RE = re.compile(rb'Bochs connected to screen "(/dev/[^"]+)"')
    SCREEN_WAIT = 30.0  # seconds to wait for that line

    # Lines of bochs.log that tell how a run ended (2.7 logs the deliberate
    # quits as panics too; later versions as fatal errors).
    SHUTDOWN_RE = re.compile(r"\] (?:>>PANIC<< )?Shutdown port: shutdown requested")
    TRIPLE_FAULT_RE = re.compile(r">>PANIC<< (exception\(\): 3rd \(\d+\) exception "
                                 r"with no resolution)")
    RESET_RE = re.compile(r"bx_pc_system_c::Reset\(SOFTWARE\) called")
    POWER_OFF_RE = re.compile(r"\] (?:>>PANIC<< )?ACPI control: soft power off")
    HANGUP_RE = re.compile(r">>PANIC<< Received SIGHUP: quit simulation")
    PANIC_RE = re.compile(r">>PANIC<< (.*)")
    ERROR_RE = re.compile(r"^\d+e\[[^]]*\] (.*)")

    def __init__(self, config: BootConfig, run_dir: Path):
        super().__init__(config, run_dir)
        self.bochsrc = run_dir / "bochsrc"
        self.rc_file = run_dir / "bochs-debugger.rc"  # commands for the debugger
        self.log = run_dir / "bochs.log"
        self._drain: threading.Thread | None = None

    def model(self) -> str:
        return self.DEFAULT_MODEL if self.config.cpu == "max" else self.config.cpu

    def tsc_hz(self) -> int | None:
        return self.IPS  # clock: sync=none: the TSC counts ips per second

    def kernel_options(self) -> dict[str, str]:
        return {"ktest_latency_bound": self.LATENCY_BOUND}

    def check(self) -> str | None:
        c = self.config
        if c.kernel_image:
            return "Bochs cannot boot a kernel_image directly: use emulator='qemu'"
        if c.firmware != "bios":
            return (f"Bochs boots with its BIOS only, not firmware={c.firmware!r}: "
                    "use emulator='qemu' for UEFI")
        if c.machine != "pc":
            return (f"Bochs emulates an i440FX PC only: use machine='pc', "
                    f"not {c.machine!r}")
        if shutil.which(self.binary) is None:
            return f"{self.binary} not found (run tools/install-deps.sh)"
        for image, package in ((self.bios, "bochsbios"), (self.vgabios, "vgabios")):
            if not image.exists():
                return f"Bochs ROM image {image} not found (Debian: {package})"
        if self.plugin_dir.is_dir() and not any(self.plugin_dir.glob("libbx_term_gui.so*")):
            return ("Bochs's term display library is not installed "
                    "(Debian: bochs-term; run tools/install-deps.sh)")
        return None

    def bochsrc_text(self, iso: Path, serial: str) -> str:
        """The configuration of one run; serial is the COM1 output file."""
        c = self.config
        for path in (iso, serial, self.log):
            if '"' in str(path):
                raise ValueError(f"{c.name}: Bochs cannot take a path with a quote: {path}")
        lines = [
            "# Written by tests/harness/boot.py for this run (see command.sh).",
            f"megs: {c.mem}",
            f'romimage: file="{self.bios}"',
            f'vgaromimage: file="{self.vgabios}"',
            # An exception while delivering a double fault panics (and
            # Bochs quits) instead of resetting into a second boot.
            f"cpu: model={self.model()}, count={c.smp}, ips={self.IPS}, "
            "reset_on_triple_fault=0",
            f"clock: sync=none, time0={self.TIME0}",
            f'ata0-master: type=cdrom, path="{iso}", status=inserted',
            "boot: cdrom",
            f'com1: enabled=1, mode=file, dev="{serial}"',
            # Headless: see SCREEN_RE. (Debian's Bochs has no nogui.)
            "display_library: term",
            # The default sound driver probes ALSA, and crashes without it.
            "sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy",
            "speaker: enabled=0",
            f'log: "{self.log}"',
            # Never ask: a panic quits, everything else goes to the log.
            "panic: action=fatal",
            "error: action=report",
            "info: action=report",
            "debug: action=ignore",
        ]
        return "\n".join(lines) + "\n"

    def command(self, iso: Path | None, interactive: bool = False,
                gdb: bool = False) -> list[str]:
        """The command line; writes bochsrc and the debugger's commands."""
        if gdb:
            raise ValueError("this Bochs has its own debugger, not a gdb stub: "
                             "run command.sh without -rc to get its prompt")
        # /dev/stdout: the serial output on this terminal, as with QEMU.
        serial = "/dev/stdout" if interactive else str(self.serial_log)
        self.bochsrc.write_text(self.bochsrc_text(iso, serial))
        self.rc_file.write_text("c\n")  # continue: start the machine at once
        return [self.binary, "-q", "-f", str(self.bochsrc),
                "-rc", str(self.rc_file)] + list(self.config.extra_args)

    def started(self, proc: subprocess.Popen) -> None:
        self._drain = threading.Thread(target=self._drain_screen, args=(proc,),
                                       name=f"{self.config.name}-screen", daemon=True)
        self._drain.start()

    def finished(self) -> None:
        if self._drain is not None:
            self._drain.join(5)

    def _drain_screen(self, proc: subprocess.Popen) -> None:
        """Reads the term display's terminal until Bochs closes it."""
        deadline = time.monotonic() + self.SCREEN_WAIT
        screen = None
        while screen is None and proc.poll() is None and time.monotonic() < deadline:
            try:
                m = self.SCREEN_RE.search(self.stderr_log.read_bytes())
            except OSError:
                m = None
            if m is None:
                time.sleep(0.05)
            else:
                screen = os.fsdecode(m.group(1))
        if screen is None:
            return
        try:
            fd = os.open(screen, os.O_RDONLY | os.O_NOCTTY)
        except OSError:
            return
        try:
            while os.read(fd, 65536):
                pass
        except OSError:  # EIO: Bochs closed its side
            pass
        finally:
            os.close(fd)

    def outcome(self, returncode: int) -> Outcome:
        try:
            log = self.log.read_text(errors="replace")
        except OSError:
            log = ""
        try:
            verdict = find_verdict(self.serial_log.read_text(errors="replace"))
        except OSError:
            verdict = None
        shutdown = self.SHUTDOWN_RE.search(log) is not None
        triple = self.TRIPLE_FAULT_RE.search(log)
        reset = self.RESET_RE.search(log)
        if reset is not None:
            # Bochs reboots on a reset: whatever follows is a second boot.
            why = self._line_before(log, reset.start())
            detail = "the machine reset before a verdict" + (f" ({why})" if why else "")
            if triple is not None:
                detail += ", then the CPU triple-faulted"
            elif verdict is not None:
                detail += f", then booted again to a {verdict} verdict (not trusted)"
            return Outcome("stopped", detail, returncode, triple is not None)
        if triple is not None:
            return Outcome("stopped", f"the CPU triple-faulted before a verdict "
                           f"(Bochs: {triple.group(1)})", returncode, True)
        if shutdown and verdict is not None:
            return Outcome(verdict.lower(), f"{verdict} verdict", returncode)
        if shutdown or self.POWER_OFF_RE.search(log):
            how = "port 0x8900" if shutdown else "ACPI"
            return Outcome("stopped", f"the machine powered off ({how}) without a "
                           "verdict line in the serial log", returncode)
        if self.HANGUP_RE.search(log):  # stop_signal: Ctrl-C in an interactive run
            return Outcome("stopped", "Bochs was stopped (SIGHUP) before a verdict", returncode)
        if returncode < 0:
            return Outcome("error", f"Bochs killed by signal {-returncode}", returncode)
        panic = self.PANIC_RE.search(log)
        if panic is not None:
            return Outcome("error", f"Bochs stopped: {panic.group(1).strip()}", returncode)
        if returncode == 0:
            return Outcome("stopped", "Bochs exited without a verdict", returncode)
        detail = f"Bochs exit code {returncode}"
        why = self._last_error(log) or self._stderr_tail()
        return Outcome("error", f"{detail}: {why}" if why else detail, returncode)

    @staticmethod
    def _line_before(log: str, pos: int) -> str:
        """The log line before the one at pos (what caused it), unstamped."""
        start = log.rfind("\n", 0, log.rfind("\n", 0, pos)) + 1
        line = log[start:log.find("\n", start)]
        return re.sub(r"^\d+[a-z]\[[^]]*\] ", "", line).strip()

    def _last_error(self, log: str) -> str:
        errors = [m.group(1).strip() for m in map(self.ERROR_RE.match, log.splitlines()) if m]
        return errors[-1] if errors else ""

    def _stderr_tail(self) -> str:
        try:
            lines = self.stderr_log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return " / ".join(lines[-3:])


BACKENDS: dict[str, type[Emulator]] = {"qemu": Qemu, "bochs": Bochs}


# ---------------------------------------------------------------------------
# Typing on the guest's serial port


class SerialFeeder:
    """Types a config's serial_input into the guest's COM1 while it runs.

    QEMU reads COM1's input from a FIFO (-chardev file,input-path=, see
    Qemu.command()); open() makes the FIFO and opens it read-write before
    the emulator starts, so that QEMU's read-only open returns at once and
    QEMU never sees end-of-file, then start() runs the steps in a thread:
    each waits (a delay in seconds after the previous step, or until a
    regex matches a complete log line, timestamps removed, after the line
    that matched the previous regex) and writes its bytes. stop(), once the
    emulator is gone, ends the thread; problems() says which step never
    came. What was sent, and when, goes to serial-input.log."""

    POLL = 0.05  # seconds between looks at the log

    def __init__(self, steps: tuple[tuple[float | str, bytes], ...], fifo: Path,
                 serial_log: Path, record: Path):
        self.steps = steps
        self.fifo = fifo
        self.serial_log = serial_log
        self.record = record
        self.sent = 0  # steps done
        self._fd: int | None = None
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def find(pattern: re.Pattern, lines: list[str], first: int) -> int | None:
        """Index past the line where pattern matches lines[first:] (joined
        by newlines), or None."""
        text = "\n".join(lines[first:])
        m = pattern.search(text)
        if m is None:
            return None
        return first + text.count("\n", 0, m.end()) + 1

    @staticmethod
    def describe(wait: float | str) -> str:
        return f"wait for /{wait}/" if isinstance(wait, str) else f"wait {wait:g} s"

    def open(self) -> None:
        os.mkfifo(self.fifo)
        self._fd = os.open(self.fifo, os.O_RDWR)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="serial-input", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join(5)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def problems(self) -> list[str]:
        if self.sent == len(self.steps):
            return []
        wait, data = self.steps[self.sent]
        return [f"serial input: step {self.sent + 1} of {len(self.steps)} "
                f"({self.describe(wait)}, then send {data!r}) never came"]

    def _send(self, data: bytes) -> None:
        assert self._fd is not None
        os.write(self._fd, data)

    def _complete_lines(self) -> list[str]:
        try:
            text = self.serial_log.read_bytes().decode(errors="replace")
        except OSError:
            return []
        return [ktap.clean_line(line) for line in text.split("\n")[:-1]]

    def _run(self) -> None:
        start = time.monotonic()
        first = 0  # log lines before this one belong to earlier steps
        with open(self.record, "w") as record:
            for i, (wait, data) in enumerate(self.steps):
                if isinstance(wait, str):
                    pattern = re.compile(wait, re.MULTILINE)
                    while (past := self.find(pattern, self._complete_lines(), first)) is None:
                        if self._done.wait(self.POLL):
                            return
                    first = past
                elif self._done.wait(float(wait)):
                    return
                self._send(data)
                self.sent = i + 1
                record.write(f"{time.monotonic() - start:8.3f} s  step {i + 1} "
                             f"({self.describe(wait)}): sent {data!r}\n")
                record.flush()


class Monitor:
    """QEMU's human monitor (HMP) on a Unix socket: one command at a time."""

    PROMPT = b"(qemu) "

    def __init__(self, path: Path):
        self.path = path
        self._sock = None
        self._lock = threading.Lock()

    def _connect(self, timeout: float) -> None:
        import socket  # noqa: PLC0415

        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.socket(socket.AF_UNIX)
                sock.settimeout(timeout)
                sock.connect(str(self.path))
                break
            except OSError:
                sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self._sock = sock
        self._read_prompt()

    def _read_prompt(self) -> bytes:
        assert self._sock is not None
        got = b""
        while not got.endswith(self.PROMPT):
            chunk = self._sock.recv(4096)
            if not chunk:
                raise OSError("QEMU closed its monitor")
            got += chunk
        return got

    def command(self, line: str, timeout: float = 10) -> str:
        """Runs line; returns what QEMU printed (terminal echo included)."""
        with self._lock:
            if self._sock is None:
                self._connect(timeout)
            assert self._sock is not None
            self._sock.sendall(line.encode() + b"\n")
            return self._read_prompt().decode(errors="replace")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


class KeyboardFeeder(SerialFeeder):
    """Types a config's keyboard_input on the PS/2 keyboard with `sendkey`,
    its steps waiting as SerialFeeder's do (on the serial log)."""

    def __init__(self, steps: tuple[tuple[float | str, str], ...], monitor: Monitor,
                 serial_log: Path, record: Path):
        super().__init__(tuple((w, k.encode()) for w, k in steps), Path(os.devnull),
                         serial_log, record)
        self.monitor = monitor

    def open(self) -> None:
        pass

    def _send(self, data: bytes) -> None:
        self.monitor.command(f"sendkey {data.decode()}")


class ScreenWatcher:
    """Reads the screen every SCREEN_POLL s (screendump, then screen.py)
    until every regex of screen_must_show matches one of its lines; the
    last reading is kept in screen.txt, the last picture in screen.ppm."""

    def __init__(self, patterns: tuple[str, ...], monitor: Monitor, run_dir: Path):
        self.patterns = [re.compile(p) for p in patterns]
        self.monitor = monitor
        self.ppm = run_dir / "screen.ppm"
        self.text = run_dir / "screen.txt"
        self.matched = threading.Event()
        self.missing: list[str] = list(patterns)
        self.error = ""
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="screen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join(15)

    def problems(self) -> list[str]:
        if self.matched.is_set():
            return []
        why = f" ({self.error})" if self.error else ""
        return [f"screen does not show /{p}/{why}; see {self.text.name}" for p in self.missing]

    def _run(self) -> None:
        import screen  # noqa: PLC0415 (only the framebuffer machines need it)

        while not self._done.wait(SCREEN_POLL):
            try:
                self.monitor.command(f"screendump {self.ppm}")
                font, lines = screen.read_file(self.ppm)
            except (OSError, ValueError) as err:
                self.error = str(err)
                continue
            self.text.write_text(f"# read with {font}\n" + "\n".join(
                line.replace(screen.UNKNOWN, "?") for line in lines) + "\n")
            self.missing = [p.pattern for p in self.patterns
                            if not any(p.search(line) for line in lines)]
            if not self.missing:
                self.matched.set()
                return


SCREEN_POLL = 2.0  # seconds between screen readings


# ---------------------------------------------------------------------------
# Running


def build_iso(out: Path, kernel: Path, cmdline: str, modules: tuple[str, ...] = (),
              gfxpayload: str = "") -> None:
    """Runs tools/mkiso.sh; raises RuntimeError with its output on failure."""
    env = dict(os.environ, GFXPAYLOAD=gfxpayload)
    proc = subprocess.run([str(MKISO), str(out), str(kernel), cmdline, *modules],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          check=False, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"mkiso.sh failed:\n{proc.stdout.strip()}")


def names_option(cmdline: str, name: str) -> bool:
    """True if cmdline sets the option name (name=...)."""
    return re.search(rf"(?:^|\s){re.escape(name)}=", cmdline) is not None


def harness_cmdline(cmdline: str, tsc_hz: int | None = None,
                    options: dict[str, str] | None = None) -> str:
    """The command line with debug_exit first, so the verdict can get out,
    then each of options (a back end's kernel_options()) and
    test_tsc_hz=<tsc_hz> last, each unless cmdline names it (or tsc_hz is
    None)."""
    line = f"debug_exit {cmdline}".strip()
    for name, value in (options or {}).items():
        if not names_option(cmdline, name):
            line += f" {name}={value}"
    if tsc_hz is not None and not names_option(cmdline, "test_tsc_hz"):
        line += f" test_tsc_hz={tsc_hz}"
    return line


def cmdline_tsc_hz(cmdline: str) -> int | None:
    """The last test_tsc_hz=<integer> of a command line, or None."""
    found = re.findall(r"(?:^|\s)test_tsc_hz=(\d+)(?=\s|$)", cmdline)
    return int(found[-1]) if found else None


# ---------------------------------------------------------------------------
# The host TSC's rate (test_tsc_hz= for QEMU boots)

HOST_TSC_TOOL = REPO / "build" / "host-tsc-hz"  # tools/host-tsc-hz.c, built by make
HOST_TSC_TIMEOUT = 30.0  # seconds; the tool takes about 0.7 s


@dataclasses.dataclass(frozen=True)
class HostTsc:
    """The host TSC's rate against CLOCK_MONOTONIC, as build/host-tsc-hz saw it."""

    hz: int
    error_ppm: float  # a bound on the error of hz


_host_tsc_lock = threading.Lock()
_host_tsc_cache: dict[str, HostTsc | None] = {}  # by tool path: measured once
host_tsc_note: str | None = None  # why host_tsc() has no figure, once it has none


def parse_host_tsc(text: str) -> HostTsc:
    """Reads the tool's output, "<hz> <error_ppm>"; raises ValueError."""
    fields = text.split()
    if len(fields) != 2:
        raise ValueError(f"expected '<hz> <error_ppm>', got {text.strip()[:80]!r}")
    hz, ppm = int(fields[0]), float(fields[1])
    if hz <= 0 or not 0 <= ppm < 1e6:
        raise ValueError(f"implausible figures {text.strip()[:80]!r}")
    return HostTsc(hz, ppm)


def host_tsc() -> HostTsc | None:
    """The host TSC's rate, measured by HOST_TSC_TOOL once per process; None
    (with a note on stderr, the first time, and in host_tsc_note) when the
    tool is missing or fails. Building it is the Makefile's job."""
    global host_tsc_note
    tool = HOST_TSC_TOOL
    with _host_tsc_lock:
        if str(tool) in _host_tsc_cache:
            return _host_tsc_cache[str(tool)]
        measured, note = None, None
        if not tool.exists():
            try:
                target = tool.relative_to(REPO)
            except ValueError:
                target = tool
            note = f"{tool} not found (make {target} builds it)"
        else:
            try:
                proc = subprocess.run([str(tool)], stdin=subprocess.DEVNULL,
                                      capture_output=True, text=True,
                                      timeout=HOST_TSC_TIMEOUT, check=False)
                if proc.returncode != 0:
                    why = proc.stderr.strip().splitlines()
                    note = (f"{tool} failed (exit status {proc.returncode})"
                            + (f": {why[-1]}" if why else ""))
                else:
                    measured = parse_host_tsc(proc.stdout)
            except subprocess.TimeoutExpired:
                note = f"{tool} did not finish in {HOST_TSC_TIMEOUT:g} s"
            except (OSError, ValueError) as err:
                note = f"{tool}: {err}"
        if note is not None:
            host_tsc_note = note
            print(f"boot.py: note: {note}; QEMU boots get no test_tsc_hz=",
                  file=sys.stderr, flush=True)
        _host_tsc_cache[str(tool)] = measured
        return measured


def forget_host_tsc() -> None:
    """Drops the cached measurement (for tests): the next call measures again."""
    global host_tsc_note
    with _host_tsc_lock:
        _host_tsc_cache.clear()
        host_tsc_note = None


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
# process groups, out of the terminal's reach), with their stop signals.
_running: dict[subprocess.Popen, signal.Signals] = {}
_running_lock = threading.Lock()
_stopping = threading.Event()  # set by kill_running(): start no more emulators


def kill_running() -> None:
    """Stops every emulator that run_boot() started, and makes later
    run_boot() calls in this process fail at once ("interrupted")."""
    with _running_lock:
        _stopping.set()
        procs = list(_running.items())
    for proc, stop_signal in procs:
        _kill_group(proc, stop_signal)


def _kill_group(proc: subprocess.Popen, stop_signal: signal.Signals = signal.SIGTERM) -> None:
    """Stops the emulator and anything it started: stop_signal, then KILL."""
    for sig, grace in ((stop_signal, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(grace)
            return
        except subprocess.TimeoutExpired:
            continue


def wait_or_screen(proc: subprocess.Popen, timeout: float, watcher: ScreenWatcher | None,
                   keyboard: KeyboardFeeder | None) -> int | None:
    """proc's exit status, or None at the deadline or once the screen
    showed everything it must (and every key was typed)."""
    if watcher is None:
        return proc.wait(timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return proc.wait(0.5)
        except subprocess.TimeoutExpired:
            if watcher.matched.is_set() and (keyboard is None or
                                             keyboard.sent == len(keyboard.steps)):
                return None
    return None


def run_boot(config: BootConfig, kernel: Path | None = None, iso: Path | None = None,
             boots_dir: Path = BOOTS_DIR) -> BootResult:
    """Builds the ISO (from kernel, unless iso is given), boots it, judges it.
    A config with a kernel_image boots that instead, needing neither."""
    run_dir = prepare_run_dir(config.name, boots_dir)
    backend = BACKENDS[config.emulator](config, run_dir)

    def failed_early(reason: str) -> BootResult:
        return BootResult(config, False, [reason], Outcome("error", reason),
                          ktap.parse(""), 0.0, run_dir, backend.serial_log)

    problem = backend.check()
    if problem is None and config.serial_input and not backend.serial_input:
        problem = f"the {backend.name} back end cannot feed serial_input"
    if problem is None and (config.screen_must_show or config.keyboard_input) \
            and not isinstance(backend, Qemu):
        problem = f"the {backend.name} back end has no monitor for the screen and keyboard"
    if problem:
        return failed_early(problem)
    tsc_hz = None
    if config.kernel_image:
        iso = None
    elif iso is None:
        if kernel is None:
            raise ValueError("run_boot needs a kernel or an ISO")
        iso = run_dir / "kairos.iso"
        cmdline = harness_cmdline(config.cmdline, backend.tsc_hz(),
                                  backend.kernel_options())
        tsc_hz = cmdline_tsc_hz(cmdline)
        try:
            build_iso(iso, kernel, cmdline, config.modules, config.gfxpayload)
        except RuntimeError as err:
            return failed_early(str(err))
    cmd = backend.command(iso)
    note = ""
    if config.serial_input:
        note = (f"# It reads COM1's input from the FIFO {backend.serial_fifo.name}: "
                "write to it (QEMU waits for a writer).\n")
    (run_dir / "command.sh").write_text("#!/bin/sh\n# Reruns this boot.\n" + note
                                        + shlex.join(cmd) + "\n")
    backend.serial_log.touch()
    feeder = None
    if config.serial_input:
        feeder = SerialFeeder(config.serial_input, backend.serial_fifo, backend.serial_log,
                              run_dir / "serial-input.log")
        feeder.open()
    monitor = watcher = keyboard = None
    if config.screen_must_show or config.keyboard_input:
        monitor = Monitor(backend.monitor_socket)
    if config.screen_must_show:
        watcher = ScreenWatcher(config.screen_must_show, monitor, run_dir)
    if config.keyboard_input:
        keyboard = KeyboardFeeder(config.keyboard_input, monitor, backend.serial_log,
                                  run_dir / "keyboard-input.log")
    start = time.monotonic()
    with open(backend.stderr_log, "wb") as stderr:
        with _running_lock:
            if _stopping.is_set():
                if feeder is not None:
                    feeder.stop()
                return failed_early("interrupted")
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stderr,
                                    stderr=stderr, start_new_session=True)
            _running[proc] = backend.stop_signal
        try:
            backend.started(proc)
            if feeder is not None:
                feeder.start()
            for helper in (watcher, keyboard):
                if helper is not None:
                    helper.start()
            returncode = wait_or_screen(proc, config.timeout, watcher, keyboard)
            if returncode is None:
                _kill_group(proc, backend.stop_signal)
        except subprocess.TimeoutExpired:
            returncode = None
            _kill_group(proc, backend.stop_signal)
        finally:
            if proc.poll() is None:  # interrupted
                _kill_group(proc, backend.stop_signal)
            with _running_lock:
                _running.pop(proc, None)
            if feeder is not None:
                feeder.stop()
            for helper in (watcher, keyboard):
                if helper is not None:
                    helper.stop()
            if monitor is not None:
                monitor.close()
            backend.finished()
    duration = time.monotonic() - start
    if returncode is not None:
        outcome = backend.outcome(returncode)
    elif watcher is not None and watcher.matched.is_set():
        outcome = Outcome("running", f"running, screen checked after {duration:.1f} s")
    elif config.expect == EXPECT_IDLE:
        outcome = Outcome("running", f"still running after {config.timeout:g} s")
    else:
        outcome = Outcome("running", f"no verdict after {config.timeout:g} s")
    log = backend.serial_log.read_text(errors="replace")
    report = ktap.parse(log)
    reasons = judge(config, outcome, report, log)
    report = boot_report(config, report, log)
    for helper in (feeder, watcher, keyboard):
        if helper is not None:
            reasons += helper.problems()
    return BootResult(config, not reasons, reasons, outcome, report, duration, run_dir,
                      backend.serial_log, tsc_hz)


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
    if config.domains:
        reasons += domain_problems(config.domains, log)
        if config.guest_ktap and config.expect == EXPECT_PASS:
            reasons += guest_ktap_problems(config, log)
    elif config.guest_ktap:
        raise ValueError(f"{config.name}: guest_ktap needs the domains it names in domains")
    elif config.expect == EXPECT_PASS and outcome.kind == "pass":
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
    if config.trace_cpus:
        import tracecheck  # noqa: PLC0415 (only the trace machines need it)

        reasons += tracecheck.timer_path_problems(log, config.trace_cpus)
    if config.trace_path_cpus:
        import tracecheck  # noqa: PLC0415

        reasons += tracecheck.schedule_path_problems(log, config.trace_path_cpus)
    if config.trace_hvm_path:
        import tracecheck  # noqa: PLC0415

        reasons += tracecheck.hvm_timer_path_problems(log)
    if config.linux_guests:
        reasons += linux_guest_problems(config, log)
    if config.boot_timeline:
        import boot_timeline  # noqa: PLC0415 (only the boot-time machines need it)

        reasons += boot_timeline.problems(boot_timeline.parse(log))
    for loaded, alone, ratio in config.latency_ratio:
        reasons += latency_ratio_problems(loaded, alone, ratio, log)
    for pattern in config.must_not_match:
        if (m := re.search(pattern, lines, re.MULTILINE)) is not None:
            line = lines[lines.rfind("\n", 0, m.start()) + 1:].split("\n", 1)[0]
            reasons.append(f"log matches /{pattern}/: {line.strip()[:120]}")
    return reasons


DOMAIN_BUILT_RE = re.compile(r"Domain (\d+) \(([\w-]+)\): entry ")
DOMAIN_DOWN_RE = re.compile(r"Domain (\d+) \(([\w-]+)\) shut down: (\w+), code (\d+)")
DOMAIN_CRASH_RE = re.compile(r"Domain (\d+) \(([\w-]+)\) crashed: (.*)")
GUEST_FAIL_RE = re.compile(r"\(d(\d+)\) (FAIL: .*)")


def outcome_problem(name: str, ended: str, crash: str | None, want: str) -> str:
    """Why a domain that ended so (crash: its report, if any) does not
    match one expected outcome ("poweroff", "crash[:regex]"); "" if it does."""
    reason, _, pattern = want.partition(":")
    if ended != reason:
        why = f" ({crash[:80]})" if crash else ""
        return f"domain {name} ended with {ended}{why}, expected {reason}"
    if pattern and not re.search(pattern, crash or ""):
        return (f"domain {name} crashed with {(crash or '(no report)')[:80]!r}, "
                f"expected /{pattern}/")
    return ""


def domain_problems(expected: tuple[tuple[str, str], ...], log: str) -> list[str]:
    """Why the domains did not end as expected ([] if they did)."""
    lines = [ktap.clean_line(line) for line in log.splitlines()]
    names: dict[str, str] = {}
    ended: dict[str, str] = {}
    crashes: dict[str, str] = {}
    problems: list[str] = []
    for line in lines:
        if m := DOMAIN_BUILT_RE.search(line):
            names[m.group(1)] = m.group(2)
        elif m := DOMAIN_DOWN_RE.search(line):
            ended[m.group(2)] = m.group(3)
        elif m := DOMAIN_CRASH_RE.search(line):
            crashes[m.group(2)] = m.group(3)
        elif m := GUEST_FAIL_RE.search(line):
            problems.append(f"domain {names.get(m.group(1), 'd' + m.group(1))}: {m.group(2)[:100]}")
    for name, want in expected:
        if name not in names.values():
            problems.append(f"domain {name} was not built")
        elif name not in ended:
            problems.append(f"domain {name} did not shut down")
        else:
            misses = [outcome_problem(name, ended[name], crashes.get(name), alternative)
                      for alternative in want.split(" or ")]
            if all(misses):
                problems.append(" or ".join(misses) if len(misses) > 1 else misses[0])
    for name in names.values():
        if name not in dict(expected):
            problems.append(f"domain {name} is not in the expected list")
    if not any("All domains have shut down" in line for line in lines):
        problems.append("no 'All domains have shut down' line")
    return problems


def guest_reports(names: tuple[str, ...], log: str) -> dict[str, ktap.Report]:
    """The KTAP report of each named domain's console lines (empty if the
    domain was never built or printed none)."""
    ids: dict[str, int] = {}
    for line in log.splitlines():
        if m := DOMAIN_BUILT_RE.search(ktap.clean_line(line)):
            ids[m.group(2)] = int(m.group(1))
    streams = ktap.domain_streams(log)
    return {name: ktap.parse(streams.get(ids[name], []) if name in ids else [])
            for name in names}


LATENESS_P99_RE = re.compile(r"lateness: n=\d+ .*\bp99=(\d+) ")


def lateness_p99(name: str, log: str) -> int | None:
    """The p99 (ns) of the domain called name's first lateness line."""
    for line in domain_lines(name, log):
        if m := LATENESS_P99_RE.search(line):
            return int(m.group(1))
    return None


def latency_ratio_problems(loaded: str, alone: str, ratio: float, log: str) -> list[str]:
    """Why loaded's lateness p99 is not within ratio times alone's."""
    p99 = {name: lateness_p99(name, log) for name in (loaded, alone)}
    missing = [name for name, value in p99.items() if value is None]
    if missing:
        return [f"no lateness line from {' or '.join(missing)}"]
    if p99[loaded] > ratio * max(p99[alone], 1):
        return [f"lateness p99 of {loaded} {p99[loaded]} ns is more than {ratio:g} times "
                f"{alone}'s {p99[alone]} ns"]
    return []


KAIROS_TSC_RE = re.compile(r"^TSC: ([\d.]+) MHz, error <= (\d+) ppm")
LINUX_CLOCKSOURCES = ("tsc", "kvm-clock")


def domain_lines(name: str, log: str) -> list[str]:
    """The console lines of the domain called name, without their "(dN) "."""
    ids = {m.group(2): int(m.group(1)) for line in log.splitlines()
           if (m := DOMAIN_BUILT_RE.search(ktap.clean_line(line)))}
    return ktap.domain_streams(log).get(ids[name], []) if name in ids else []


def kairos_tsc(log: str) -> tuple[float, int] | None:
    """Kairos's calibrated TSC rate (MHz) and its error bound (ppm)."""
    for line in log.splitlines():
        if m := KAIROS_TSC_RE.search(ktap.clean_line(line)):
            return float(m.group(1)), int(m.group(2))
    return None


def tsc_rate_problem(guest_mhz: float | None, kairos: tuple[float, int] | None) -> str:
    """Why the guest's "tsc: Detected" rate is not Kairos's ("" if it is):
    within Kairos's error bound, plus 1 kHz for the two printed roundings."""
    if guest_mhz is None:
        return "no 'tsc: Detected N MHz' line"
    if kairos is None:
        return "no 'TSC: N MHz, error <= P ppm' line from Kairos"
    mhz, ppm = kairos
    bound = mhz * ppm * 1e-6 + 0.001
    if abs(guest_mhz - mhz) > bound:
        return (f"the guest found {guest_mhz:.3f} MHz, Kairos calibrated {mhz:.3f} MHz "
                f"(+-{ppm} ppm)")
    return ""


def linux_guest_problems(config: BootConfig, log: str) -> list[str]:
    """Why the linux_guests' runs are not clean ([] if they are)."""
    import linux_guest  # noqa: PLC0415 (only the Linux machines need it)

    problems: list[str] = []
    for name, vcpus in config.linux_guests:
        if name not in dict(config.domains):
            raise ValueError(f"{config.name}: linux_guests names {name}, not in domains")
        lines = domain_lines(name, log)
        if not lines:
            problems.append(f"domain {name}: no console output")
            continue
        guest = linux_guest.judge_log("\n".join(lines), cpus=vcpus)
        problems += [f"domain {name}: {p}" for p in guest.problems]
        if guest.clocksource_run not in LINUX_CLOCKSOURCES:
            problems.append(f"domain {name}: clocksource {guest.clocksource_run}, expected "
                            f"one of {', '.join(LINUX_CLOCKSOURCES)}")
        if why := tsc_rate_problem(guest.tsc_mhz, kairos_tsc(log)):
            problems.append(f"domain {name}: {why}")
    return problems


def boot_report(config: BootConfig, kernel: ktap.Report, log: str) -> ktap.Report:
    """The kernel's report with the guest_ktap domains' reports under it; a
    domain that crashed as allowed is a skipped case (its report is cut)."""
    if not config.guest_ktap:
        return kernel
    return ktap.adopt(kernel, guest_reports(config.guest_ktap, log),
                      skipped={name: "crashed as allowed, no report to judge"
                               for name in allowed_crashes(config, log)})


def allowed_crashes(config: BootConfig, log: str) -> set[str]:
    """The domains that crashed where their config allows a crash
    (domain_problems judges whether it was the crash allowed)."""
    crashed = {m.group(2) for line in log.splitlines()
               if (m := DOMAIN_DOWN_RE.search(ktap.clean_line(line))) and m.group(3) == "crash"}
    return {name for name, wants in config.domains
            if name in crashed and any(w.startswith("crash") for w in wants.split(" or "))}


def guest_ktap_problems(config: BootConfig, log: str) -> list[str]:
    """Why the guest_ktap domains' reports are not clean ([] if they are)."""
    listed = {name for name, _ in config.domains}
    unknown = [name for name in config.guest_ktap if name not in listed]
    if unknown:
        raise ValueError(f"{config.name}: guest_ktap names {unknown}, not in domains")
    problems = []
    allowed = allowed_crashes(config, log)
    for name, report in guest_reports(config.guest_ktap, log).items():
        if name in allowed:
            continue  # domain_problems judges which crash it was: no report
        if not report.found:
            problems.append(f"domain {name}: no KTAP output")
            continue
        problems += [f"domain {name}: KTAP: {p}" for p in report.problems()]
        failed = report.counts().failed
        if failed:
            problems.append(f"domain {name}: KTAP reports {failed} failed")
    return problems


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


def run_interactive(config: BootConfig, iso: Path | None, gdb: bool,
                    boots_dir: Path = BOOTS_DIR) -> int:
    """Runs the emulator with the serial port on this terminal; no timeout.
    iso is None for a config with a kernel_image."""
    run_dir = prepare_run_dir(config.name, boots_dir)
    backend = BACKENDS[config.emulator](config, run_dir)
    problem = backend.check()
    if problem:
        print(f"boot.py: {problem}", file=sys.stderr)
        return 1
    try:
        cmd = backend.command(iso, interactive=True, gdb=gdb)
    except ValueError as err:
        print(f"boot.py: {err}", file=sys.stderr)
        return 1
    print("boot.py: " + shlex.join(cmd), file=sys.stderr)
    print(f"boot.py: serial console follows; {backend.interactive_hint}", file=sys.stderr)
    proc = subprocess.Popen(cmd)

    def stop_emulator(signum, frame):
        proc.send_signal(backend.stop_signal)

    # Ctrl-C is the guest's, unless the back end makes it stop the emulator.
    previous = signal.signal(signal.SIGINT,
                             stop_emulator if backend.ctrl_c_stops else signal.SIG_IGN)
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
    source.add_argument("--kernel-image", metavar="PATH",
                        help="boot this Multiboot (v1) kernel with QEMU's -kernel "
                             "(BIOS; --cmdline is its -append, as it is)")
    parser.add_argument("--cmdline", default="",
                        help="kernel command line (with --kernel or --kernel-image)")
    parser.add_argument("--module", action="append", default=[], metavar="PATH[:CMDLINE]",
                        help="a multiboot2 module (with --kernel; repeatable)")
    parser.add_argument("--domain", action="append", default=[], metavar="NAME=OUTCOME",
                        help="how domain NAME must end: poweroff, crash or crash:REGEX "
                             "(repeatable; replaces the KTAP check)")
    parser.add_argument("--name", help="run name, the directory under build/boots/")
    parser.add_argument("--firmware", choices=("bios", "uefi"), default="bios")
    parser.add_argument("--emulator", choices=sorted(BACKENDS), default="qemu")
    parser.add_argument("--machine", choices=("q35", "pc"),
                        help="default q35 (QEMU), pc (Bochs)")
    parser.add_argument("--smp", type=int, default=1)
    parser.add_argument("--mem", type=int, default=256, help="MiB")
    parser.add_argument("--cpu", default="max",
                        help=f"CPU model (Bochs: max is {Bochs.DEFAULT_MODEL})")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds")
    parser.add_argument("--expect", choices=(EXPECT_PASS, EXPECT_FAIL, EXPECT_IDLE),
                        default=EXPECT_PASS)
    parser.add_argument("--match", action="append", default=[], metavar="REGEX",
                        help="the log must match (repeatable)")
    parser.add_argument("--no-match", action="append", default=[], metavar="REGEX",
                        help="the log must not match (repeatable)")
    parser.add_argument("--interactive", action="store_true",
                        help="serial port on this terminal, no timeout, no debug_exit")
    parser.add_argument("--gdb", action="store_true",
                        help="QEMU waits for gdb on :1234 (not with Bochs)")
    parser.add_argument("--emulator-arg", action="append", default=[], metavar="ARG",
                        help="extra emulator argument (repeatable)")
    args = parser.parse_args(argv)
    if args.gdb and not args.interactive:
        parser.error("--gdb needs --interactive")
    if args.iso and (args.cmdline or args.module):
        parser.error("--cmdline and --module need --kernel (an ISO has its command line)")

    config = BootConfig(
        name=args.name or ("interactive" if args.interactive else "manual"),
        machine=args.machine or ("pc" if args.emulator == "bochs" else "q35"),
        smp=args.smp, mem=args.mem, firmware=args.firmware, emulator=args.emulator,
        cmdline=args.cmdline, timeout=args.timeout, expect=args.expect,
        must_match=tuple(args.match), must_not_match=tuple(args.no_match), cpu=args.cpu,
        modules=tuple(args.module), extra_args=tuple(args.emulator_arg),
        domains=tuple(tuple(d.split("=", 1)) for d in args.domain),
        kernel_image=str(Path(args.kernel_image).resolve()) if args.kernel_image else "")

    if args.kernel_image and args.module:
        parser.error("--module needs --kernel (a kernel image boots alone)")
    if args.interactive and args.kernel_image:
        return run_interactive(config, None, args.gdb)
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
