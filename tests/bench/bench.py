#!/usr/bin/env python3
"""Benchmarks: what `make bench` runs.

    tests/bench/bench.py --kernel build/kairos.elf [--runs N] [--bochs-runs N]
                         [--filter REGEX] [--quick] [--jobs N] [--json PATH]
                         [--cmdline "test=..."] [--list]

Boots the kernel on each configuration of CONFIGS, several times, at most
--jobs emulators at once, through the boot harness (tests/harness/boot.py),
and reads figures out of each serial log. The configurations come in eight
families, each with its own test selection (--cmdline replaces it for all but
guest, sched, hvm and linux):

smp   AP bring-up, with `test=smp.all_listed_cpus_online` (one quick case,
      so that every boot ends with a verdict soon after bring-up). From the
      kernel's line

          SMP: <n> CPUs online (<a> of <w> APs started in <ms>.<frac> ms, <m> Mcycles)

      (`SMP: 1 CPU` or `SMP: disabled by ...; 1 CPU` count as 0 ms), and the
      harness's wall time from the emulator's start to the verdict.
boot  the boot timeline, with the smp family's test selection, at 256 MiB,
      2 GiB and 8 GiB (2 CPUs) and at 1, 2, 4, 8 and 300 CPUs (2 GiB): the
      kernel's one line (tests/harness/boot_timeline.py)

          Boot timeline: early <ms>, memory <ms>, acpi <ms>, clocks <ms>,
          aps <ms>, tsc_sync <ms>, rest <ms>; all CPUs online at <ms>,
          total <ms> (ms from the first instruction, TSC at <n> kHz)

      checked for consistency; the table gives hand-off (the entry
      point's first instruction) to every CPU online, and each phase.
time  the clock, with `test=time_bench`: the TSC's calibration against each
      reference, its result and its later refinement (the kernel's `TSC:`
      lines), and the `BENCH {json}` lines of the time_bench suite (the cost
      of NOW(), of reprogramming each clock event device, and the latency
      from a deadline to its interrupt). Every figure is set beside the rate
      the harness passed as test_tsc_hz= (the host's TSC under QEMU, ips
      under Bochs). The line formats are in TIME_LINES below.
timer the timer core, with `test=timer_bench`: the `BENCH {json}` lines of
      the timer_bench suite (tests/kernel/timer_bench.c): cycles per
      set_timer, stop_timer and expiry with 10 to 1,000,000 timers pending,
      deadline-to-callback latency, hardware interrupts per expired timer on
      a stream of timers with three slacks, and timer interrupts per second
      on idle CPUs. --quick stops at 100,000 pending timers.
guest the guest interface, from paravirtual guests in ring 3 (no test
      selection: the verdict is every domain shutting down): the `BENCH
      {json}` lines, prefixed "(dN) " by the hypervisor, of the bench test
      guest (tests/guests/bench.c): the round trip of HYPERCALL_version and
      of a SCHEDOP_yield that switches nothing, the cost of a switch between
      two vCPUs of one domain and of two domains that yield to each other on
      one CPU, and the latency from a single-shot or periodic timer's
      deadline to the guest's VIRQ_TIMER handler. --quick takes 200 samples
      of each instead of 1000. The guest is built (make) before the boots.
sched the scheduling policies (sched=rr|credit|edf|gang; no test selection:
      the verdict is every domain shutting down), from guests and from the
      hypervisor's own lines at the end of the run: the cost of schedule()
      (its `Scheduler <name>: ...` line, under every workload below), the
      vCPU switch of the bench guest's mode=yield under each policy (BENCH
      vcpu_switch, and how many of the yields switched), the credit
      scheduler's share error (three hogs of weights 256/512/1024 on one
      CPU against their ideal 1/7, 2/7, 4/7), EDF's deadline misses (two
      reservations, 3 ms every 10 ms and 8 ms every 20 ms, beside a
      background hog) and the gang scheduler's start skew (two gangs of two
      vCPUs and a background hog on two CPUs). The line formats are in
      SCHED_LINES below. Bochs's configurations are slow (left out by
      --quick, which also halves the hogs' time and takes 200 samples of
      each switch). The guests are built (make) before the boots.
hvm   HVM domains on SVM, in QEMU (no test selection: the verdict is every
      domain shutting down): the HVM test kernel with bench=1
      (tests/hvm/hvmtest/bench.c) on CPU 1 and the guest family's domains on
      CPU 0, in the same run. The HVM guest's `BENCH {json}` lines give the
      round trip of an exit by reason as the guest sees it (CPUID, the
      cheapest, is the VMRUN round trip; RDMSR, OUT, xAPIC MMIO, x2APIC
      RDMSR, HLT with an interrupt pending) and the latency from its local
      APIC timer's deadline to its handler, one-shot and TSC-deadline, which
      the tables set beside the PV guest's VIRQ_TIMER figures of the same
      boot. --quick takes 200 samples per exit and 100 per timer instead of
      1000 and 500.
linux a Linux guest's timer latency: the Linux guest images (Debian 12's
      kernel, an initramfs whose /init runs cyclictest and powers off; make
      linux-guest builds them, docs/linux-guest.md) in a guest of one vCPU,
      cyclictest -q -m -S -p 90 -i 1000 -D 5 -h 20000 everywhere (--quick:
      -D 2), booted four ways in the same invocation, round by round:
      linux-bare-qemu (QEMU alone, no Kairos: linux_guest.run_baseline, the
      baseline), and as an HVM domain on a one-CPU Kairos machine,
      linux-kairos-alone (sched=credit), linux-kairos-credit-hog (beside a
      hog guest spinning throughout the run) and linux-kairos-edf-hog
      (sched=edf, the Linux domain reserved 5 ms every 10 ms, the hog in the
      background). From the guest's lines (linux_guest.judge_log) each
      run's cyclictest figures (tests/harness/cyclictest.py: samples,
      overflows, min, avg, median, p99, p99.9, max), the clocksource and
      the wall time; one table, medians over the runs, with each Kairos
      row's avg, p99 and max over the baseline's.
latency a virtual timer's deadline to the guest's handler (no test
      selection): sleeper's single-shot or ticker's periodic timer on one
      CPU, alone and beside 1 and 3 hog domains, under each policy, in
      Bochs (slow) and QEMU; from the guest's `... lateness: n= min= median=
      p99= max= ns` line; one table per emulator, each row's median and
      p99 also over the same policy and timer alone.

It prints tables to stdout (progress goes to stderr) and writes every raw
sample, the emulator versions, the host, its TSC and the git revision to
build/bench/bench.json.

A benchmark never fails on a number. A boot that fails (no PASS verdict, or
none of the lines its family reads) is an error row, or a note under the
tables if other runs of the same configuration succeeded, and the rest goes
on. The exit status is 0 unless the benchmark could not run at all (no
kernel, no configuration selected). Each run's artifacts stay in
build/boots/bench-<config>-<run>/.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import dataclasses
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HARNESS = Path(__file__).resolve().parents[1] / "harness"
sys.path.insert(0, str(HARNESS))

import boot  # noqa: E402
import boot_timeline  # noqa: E402
import cyclictest  # noqa: E402
import ktap  # noqa: E402
import linux_guest  # noqa: E402

REPO = boot.REPO
JSON_OUT = REPO / "build" / "bench" / "bench.json"
SMP, TIME, TIMER, GUEST, SCHED, HVM, LINUX, LATENCY = (
    "smp", "time", "timer", "guest", "sched", "hvm", "linux", "latency")
BOOT = "boot"
# What each family boots (--cmdline replaces it for all). smp: one quick
# case of the smp suite (tests/kernel/smp_test.c), so that the boot ends with
# a verdict soon after bring-up (the whole suite holds stress cases that take
# seconds to minutes under TCG with many CPUs). time and timer: the
# explicit-only time_bench and timer_bench suites, which print BENCH lines.
# guest, sched, hvm and linux: no kernel tests; the domains print BENCH,
# SHARE or cyclictest's lines and the run ends when they have all shut down
# (--cmdline does not apply).
FAMILY_TESTS = {SMP: "test=smp.all_listed_cpus_online", BOOT: "test=smp.all_listed_cpus_online",
                TIME: "test=time_bench",
                TIMER: "test=timer_bench", GUEST: "", SCHED: "", HVM: "", LINUX: "",
                LATENCY: ""}
DOMAIN_FAMILIES = (GUEST, SCHED, HVM, LINUX, LATENCY)  # families whose verdict is the domains'
CMDLINE = FAMILY_TESTS[SMP]
MAX_JOBS = 2  # emulators at once: the build machine has two cores
DEFAULT_RUNS = 3  # per QEMU configuration
DEFAULT_BOCHS_RUNS = 1  # per Bochs configuration: Bochs is slow (and deterministic)
BUSY_WARNING = 0.25  # warn when the host is busier than this before the first boot


@dataclasses.dataclass(frozen=True)
class BenchConfig:
    """One machine to measure; boot_config() turns it into the harness's."""

    name: str  # the table's first column; artifacts in build/boots/bench-<name>-<run>/
    smp: int
    emulator: str = "qemu"  # qemu | bochs
    machine: str = "q35"  # Bochs: pc only
    firmware: str = "bios"  # bios | uefi (Bochs: bios only)
    cpu: str = "max"  # QEMU's -cpu max has x2APIC under TCG; Bochs: corei7_skylake_x
    mem: int = 256  # MiB
    cmdline: str = ""  # added after the test selection (FAMILY_TESTS)
    timeout: float = 60.0  # seconds; only matters when a boot hangs
    slow: bool = False  # left out by --quick
    family: str = SMP  # what is measured: smp (bring-up), time (the clock), timer, guest,
    #                    sched, hvm, linux
    quick_cmdline: str = ""  # added after cmdline with --quick
    # Guest domains: multiboot2 modules "PATH:MODULE CMDLINE" (PATH relative
    # to the repository), their --quick replacements (if any), and how each
    # domain must end (boot.BootConfig.domains).
    modules: tuple[str, ...] = ()
    quick_modules: tuple[str, ...] = ()
    domains: tuple[tuple[str, str], ...] = ()
    # The sched family: the policy (sched=, also in cmdline) and what the
    # guests do (SCHED_WORKLOADS: switch, credit, edf, gang). The linux
    # family: the policy that must have run (none for the baseline).
    policy: str = ""
    workload: str = ""
    # The linux family: the Linux domains (name, vCPUs) judged as
    # boot.BootConfig.linux_guests are; bare: the images booted by QEMU
    # itself, without Kairos (linux_guest.run_baseline, the baseline);
    # cyclictest's arguments (kairos.cyclictest=, commas for spaces; also in
    # the Linux domain's module line) and their --quick replacement; hog:
    # the domain that must spin throughout cyclictest's run.
    linux_guests: tuple[tuple[str, int], ...] = ()
    bare: bool = False
    cyclictest: str = ""
    quick_cyclictest: str = ""
    hog: str = ""

    def tests(self, override: str | None = None) -> str:
        """The test selection this configuration boots with (the guest
        and sched families have none, and keep it: their verdict is the
        domains')."""
        if self.family in DOMAIN_FAMILIES or override is None:
            return FAMILY_TESTS[self.family]
        return override

    def module_specs(self, quick: bool = False) -> tuple[str, ...]:
        """The modules to boot, with absolute paths."""
        specs = self.quick_modules if quick and self.quick_modules else self.modules
        return tuple(str(REPO / spec) for spec in specs)

    def module_files(self) -> list[Path]:
        """The image files the modules (or a bare Linux boot) need."""
        files = {REPO / spec.split(":", 1)[0] for spec in self.modules + self.quick_modules}
        if self.bare:
            files |= {REPO / LINUX_KERNEL, REPO / LINUX_INITRAMFS}
        return sorted(files)

    def baseline_config(self, run: int, quick: bool = False) -> linux_guest.BaselineConfig:
        """A bare configuration's boot (linux_guest.run_baseline): the
        images on QEMU without Kairos, cyclictest's arguments as the Linux
        domains of the Kairos configurations have them."""
        return linux_guest.BaselineConfig(
            smp=self.smp, mem=self.mem, cyclictest=(self.quick_cyclictest if quick and
                                                    self.quick_cyclictest else self.cyclictest)
            or None, timeout=self.timeout, name=f"bench-{self.name}-{run}",
            kernel=REPO / LINUX_KERNEL, initramfs=REPO / LINUX_INITRAMFS, cpu=self.cpu,
            machine=self.machine)

    def boot_config(self, run: int, tests: str | None = None,
                    quick: bool = False) -> boot.BootConfig:
        """The harness's config for run number `run` (1-based); tests is the
        command line's test selection (default: the family's), before the
        config's own options (and, with quick, its quick_cmdline)."""
        if self.bare:  # the QEMU boot run_baseline makes (the Linux kernel's command line)
            baseline = self.baseline_config(run, quick)
            return linux_guest.qemu_backend(baseline, boot.BOOTS_DIR / baseline.run_name()).config
        options = [self.tests(tests), self.cmdline, self.quick_cmdline if quick else ""]
        return boot.BootConfig(
            f"bench-{self.name}-{run}", machine=self.machine, smp=self.smp, mem=self.mem,
            firmware=self.firmware, cpu=self.cpu, emulator=self.emulator,
            cmdline=" ".join(o for o in options if o), timeout=self.timeout,
            modules=self.module_specs(quick), domains=self.domains,
            linux_guests=self.linux_guests)

    def expected_seconds(self) -> float:
        """A rough boot time on the build machine, to start long boots first."""
        if self.family == TIME:  # the benchmark loops come on top of the boot
            return 10.0 if self.emulator == "bochs" else 3.0
        if self.family == TIMER:  # 10 s of QEMU, 40-60 s of Bochs (1M timers)
            return 50.0 if self.emulator == "bochs" else 10.0
        if self.family == GUEST:  # 1.5 s of boot, then ~3 s of figures
            return 6.0 if self.emulator == "bochs" else 5.0
        if self.family == HVM:  # the guest family's run, the HVM guest beside it
            return 8.0
        if self.family == LINUX:  # measured: a Linux boot and 5 s of cyclictest, or the hog
            return LINUX_HOG_SECONDS + 3.0 if self.hog else 15.0
        if self.family == LATENCY:  # measured: 2 s of QEMU, 4 to 8 s of Bochs
            return 8.0 if self.emulator == "bochs" else 2.5
        if self.family == SCHED:  # measured on the build machine (2 s hogs)
            bochs = {"switch": 5.0, "credit": 7.0, "edf": 10.0, "gang": 15.0}
            return (bochs if self.emulator == "bochs" else {}).get(self.workload, 5.0)
        if self.emulator == "bochs":
            return 3.0 * self.smp
        if self.firmware == "uefi":
            return 5.0
        return 1.0 + self.smp / 25  # SeaBIOS starts every CPU too: 300 take ~12 s


# The guest family's domains. bench measures (mode= unset: every figure)
# with 1000 samples each; its peer domain, benchpeer, is the other end of
# the two-domain switch, booted from the same image.
GUEST_IMAGE = "build/tests/guests/bench.elf"


def guest_modules(count: int) -> tuple[str, ...]:
    """The bench and benchpeer modules, with count samples per figure."""
    return (f'{GUEST_IMAGE}:name=bench vcpus=2 affinity=0 mem=4M '
            f'args="peer=benchpeer count={count}"',
            f'{GUEST_IMAGE}:name=benchpeer affinity=0 mem=2M '
            f'args="mode=peer peer=bench"')


GUEST_MODULES = guest_modules(1000)
GUEST_MODULES_QUICK = guest_modules(200)
GUEST_DOMAINS = (("bench", "poweroff"), ("benchpeer", "poweroff"))

# The hvm family's domains: the HVM test kernel's figures (bench=1,
# tests/hvm/hvmtest/bench.c) on CPU 1, the guest family's PV domains on
# CPU 0, in the same run, so that their timer figures sit side by side.
HVM_IMAGE = "build/tests/hvm/hvmtest.elf"


def hvm_modules(count: int, timer_count: int) -> tuple[str, ...]:
    """The HVM bench domain and the guest family's, with count samples
    per exit and timer_count per timer figure."""
    return (f'{HVM_IMAGE}:name=hvmbench type=hvm affinity=1 mem=16M '
            f'cmdline="bench=1 bench_count={count} bench_timer_count={timer_count}"',
            *guest_modules(count))


HVM_MODULES = hvm_modules(1000, 500)
HVM_MODULES_QUICK = hvm_modules(200, 100)
HVM_DOMAINS = (("hvmbench", "poweroff"), *GUEST_DOMAINS)

# The sched family's domains (the shapes of tests/harness/matrix.py's
# sched-* machines, without expect=: a figure never fails a run). hog.c
# spins for seconds= and prints its share (SHARE lines); bench.c's
# mode=yield measures the switches as the guest family's does.
HOG_IMAGE = "build/tests/guests/hog.elf"
SCHED_POLICIES = ("rr", "credit", "edf", "gang")
# The name each policy prints (its Scheduler lines), by sched= option.
SCHED_NAMES = {"rr": "round-robin", "credit": "credit", "edf": "EDF", "gang": "gang"}
SCHED_WORKLOADS = ("switch", "credit", "edf", "gang")
SCHED_HOG_SECONDS = 2  # --quick: 1
CREDIT_WEIGHTS = (("w1", 256), ("w2", 512), ("w4", 1024))


def hog_module(name: str, options: str, args: str) -> str:
    return f'{HOG_IMAGE}:name={name} {options}'.rstrip() + f' args="{args}"'


def sched_switch_modules(count: int) -> tuple[str, ...]:
    """bench with mode=yield: its two vCPUs and its peer on CPU 0."""
    return (f'{GUEST_IMAGE}:name=bench vcpus=2 affinity=0 mem=4M '
            f'args="mode=yield peer=benchpeer count={count}"',
            f'{GUEST_IMAGE}:name=benchpeer affinity=0 mem=2M '
            f'args="mode=peer peer=bench"')


def sched_hog_modules(workload: str, seconds: int) -> tuple[str, ...]:
    """The hogs of a workload, each spinning seconds."""
    spin = f"seconds={seconds}"
    if workload == "credit":  # 1:2:4 on one CPU
        return tuple(hog_module(name, f"weight={weight}", spin)
                     for name, weight in CREDIT_WEIGHTS)
    if workload == "edf":  # 30% and 40% reserved, the rest to bg; past the boot's work
        late = f"start=1500ms {spin}"
        return (hog_module("rt1", "period=10ms budget=3ms", late),
                hog_module("rt2", "period=20ms budget=8ms", late),
                hog_module("bg", "", late))
    if workload == "gang":  # slots g1, g2, background in turn on two CPUs
        return (hog_module("g1", "vcpus=2 gang", spin), hog_module("g2", "vcpus=2 gang", spin),
                hog_module("bg", "affinity=0", spin))
    raise ValueError(f"no hogs for workload {workload!r}")


SCHED_DOMAINS = {
    "switch": GUEST_DOMAINS,
    "credit": tuple((name, "poweroff") for name, _ in CREDIT_WEIGHTS),
    "edf": (("rt1", "poweroff"), ("rt2", "poweroff"), ("bg", "poweroff")),
    "gang": (("g1", "poweroff"), ("g2", "poweroff"), ("bg", "poweroff")),
}


def sched_configs() -> list[BenchConfig]:
    """Per policy, QEMU's q35 then Bochs's Skylake (slow: --quick leaves it
    out): the switch under every policy on one CPU, then the credit shares
    (one CPU), the EDF reservations (one CPU) and the gangs (two CPUs)."""
    machines = (("q35", dict(emulator="qemu", machine="q35", cpu="max", timeout=60.0)),
                ("bochs", dict(emulator="bochs", machine="pc", cpu="corei7_skylake_x",
                               timeout=180.0, slow=True)))
    out = []
    for policy in SCHED_POLICIES:
        for suffix, machine in machines:
            out.append(BenchConfig(
                f"sched-switch-{policy}-{suffix}", smp=1, family=SCHED, policy=policy,
                workload="switch", cmdline=f"sched={policy}",
                modules=sched_switch_modules(1000), quick_modules=sched_switch_modules(200),
                domains=SCHED_DOMAINS["switch"], **machine))
    for workload, smp in (("credit", 1), ("edf", 1), ("gang", 2)):
        for suffix, machine in machines:
            out.append(BenchConfig(
                f"sched-{workload}-{suffix}" + (f"-smp{smp}" if smp > 1 else ""), smp=smp,
                family=SCHED, policy=workload, workload=workload, cmdline=f"sched={workload}",
                modules=sched_hog_modules(workload, SCHED_HOG_SECONDS),
                quick_modules=sched_hog_modules(workload, max(1, SCHED_HOG_SECONDS // 2)),
                domains=SCHED_DOMAINS[workload], **machine))
    return out


# The latency family: a virtual timer's deadline to the guest's handler,
# as the guest measures it (guest_now() in its VIRQ_TIMER handler minus
# the deadline): sleeper's single-shot sleeps (1 to 3 ms each) or ticker's
# periodic ticks (every 2 ms), on one CPU, alone and beside 1 and 3 hogs
# (spinning vCPUs of other domains) under each policy. Each hog spins for
# LATENCY_HOG_SECONDS from the start, longer than the measurement takes.
LATENCY_TIMERS = {
    "oneshot": ("build/guests/sleeper.elf", "sleeper", "count=60 sleep=2ms",
                "sleeper vCPU 0 lateness"),
    "periodic": ("build/guests/ticker.elf", "ticker", "count=60 period=2ms", "ticker lateness"),
}
LATENCY_HOGS = (0, 1, 3)
LATENCY_HOG_SECONDS = 1
LATENCY_LINE_RE = re.compile(r"^\(d\d+\) (?P<what>.+? lateness): n=(?P<n>\d+) min=(?P<min>-?\d+) "
                             r"median=(?P<median>-?\d+) p99=(?P<p99>-?\d+) max=(?P<max>-?\d+) ns")


def latency_modules(timer: str, hogs: int) -> tuple[str, ...]:
    image, name, args, _ = LATENCY_TIMERS[timer]
    return ((f'{image}:name={name} args="{args}"',)
            + tuple(hog_module(f"hog{i}", "", f"seconds={LATENCY_HOG_SECONDS}")
                    for i in range(1, hogs + 1)))


def latency_configs() -> list[BenchConfig]:
    """Per emulator (Bochs first: deterministic; slow, --quick leaves it
    out), policy, timer kind and number of hogs, one CPU."""
    machines = (("bochs", dict(emulator="bochs", machine="pc", cpu="corei7_skylake_x",
                               timeout=120.0, slow=True)),
                ("q35", dict(emulator="qemu", machine="q35", cpu="max", timeout=60.0)))
    out = []
    for suffix, machine in machines:
        for policy in SCHED_POLICIES:
            for timer in LATENCY_TIMERS:
                for hogs in LATENCY_HOGS:
                    name = LATENCY_TIMERS[timer][1]
                    out.append(BenchConfig(
                        f"latency-{timer}-{policy}-hog{hogs}-{suffix}", smp=1,
                        family=LATENCY, policy=policy, workload=f"{timer}:{hogs}",
                        cmdline=f"sched={policy}", modules=latency_modules(timer, hogs),
                        domains=((name, "poweroff"),)
                        + tuple((f"hog{i}", "poweroff") for i in range(1, hogs + 1)),
                        **machine))
    return out


def parse_latency_line(log: str, what: str) -> dict | None:
    """The guest's lateness line (guest_stats_print, in ns), or None."""
    for raw in log.splitlines():
        m = LATENCY_LINE_RE.match(re.sub(r"^\[[^]]*\] ", "", raw.strip()))
        if m and m["what"] == what:
            return {k: int(m[k]) for k in ("n", "min", "median", "p99", "max")}
    return None


def latency_summary(samples: list[dict]) -> dict:
    """Over the successful runs: the lowest min, the median of the medians,
    the highest p99 and max (ns), and the sample count."""
    good = [s["lateness"] for s in samples if s["ok"]]
    if not good:
        return {"runs": len(samples), "ok": 0}
    meds = sorted(g["median"] for g in good)
    return {"runs": len(samples), "ok": len(good), "n": sum(g["n"] for g in good),
            "min": min(g["min"] for g in good), "median": meds[(len(meds) - 1) // 2],
            "p99": max(g["p99"] for g in good), "max": max(g["max"] for g in good)}


# The linux family (docs/linux-guest.md; docs/hvm.md "A Linux kernel"): the
# Linux guest images (Debian 12's stock kernel and an initramfs whose /init
# runs cyclictest and powers off; make linux-guest), in a guest of one vCPU,
# booted by QEMU itself (the baseline) and as an HVM domain of Kairos on a
# one-CPU machine: alone, then beside a hog under credit and under EDF. The
# same kernel, initramfs, command line and guest memory everywhere, so that
# a row's figures over the baseline's are what Kairos adds.
LINUX_KERNEL = "build/linux/vmlinuz"
LINUX_INITRAMFS = "build/linux/initramfs.cpio.gz"
LINUX_BASELINE = "linux-bare-qemu"
LINUX_DOMAIN = "linux"
# cyclictest's arguments (kairos.cyclictest=, commas for spaces): /init's
# default (SCHED_FIFO 90, a wake-up every 1000 us, a histogram of 1-us
# buckets up to 20 ms) for 5 s instead of 3 (--quick: 2 s); one thread, the
# guest having one vCPU.
LINUX_CYCLICTEST = "-q,-m,-S,-p,90,-i,1000,-D,5,-h,20000"
LINUX_CYCLICTEST_QUICK = "-q,-m,-S,-p,90,-i,1000,-D,2,-h,20000"
LINUX_GUEST_MEM = 192  # MiB: the domain's mem= (as tests/harness/matrix.py's), the bare -m
LINUX_KAIROS_MEM = 512  # MiB: the Kairos machine's
LINUX_TIMEOUT = 240.0
# The hog spins from the start for this long; it must outlast cyclictest's
# run, which ends 20 to 35 s into the boot beside it (the Linux guest boots
# at half speed, a busy host slows it more): each run checks
# (linux_hog_window), and one the hog did not cover is a failed run.
LINUX_HOG_SECONDS = 60  # --quick: LINUX_HOG_SECONDS_QUICK, with 2 s of cyclictest
LINUX_HOG_SECONDS_QUICK = 45
LINUX_EDF = "period=10ms budget=5ms"  # the Linux domain's reservation under sched=edf


def linux_cmdline(args: str) -> str:
    """The Linux kernel's command line, the baseline's (linux_guest's) for
    the Kairos domains too: console, panic=-1, the workload and cyclictest's
    arguments."""
    return linux_guest.BaselineConfig(cyclictest=args).cmdline()


def linux_modules(args: str, options: str = "", hog_seconds: int = 0) -> tuple[str, ...]:
    """The Linux domain's module lines (tests/harness/matrix.py's
    linux_guest(), one vCPU) with cyclictest's arguments and the domain's
    options, then a hog spinning hog_seconds (if any)."""
    spaced = f" {options}" if options else ""
    out = (f'{LINUX_KERNEL}:name={LINUX_DOMAIN} type=hvm vcpus=1 mem={LINUX_GUEST_MEM}M'
           f'{spaced} cmdline="{linux_cmdline(args)}"', f"{LINUX_INITRAMFS}:initrd")
    if hog_seconds:
        out += (hog_module("hog", "", f"seconds={hog_seconds}"),)
    return out


def linux_configs() -> list[BenchConfig]:
    """The baseline, then Kairos: alone (credit), beside a hog under
    credit, and under EDF with the Linux domain's reservation."""
    common = dict(smp=1, family=LINUX, timeout=LINUX_TIMEOUT, cyclictest=LINUX_CYCLICTEST,
                  quick_cyclictest=LINUX_CYCLICTEST_QUICK)
    alone = ((LINUX_DOMAIN, "poweroff"),)
    both = (*alone, ("hog", "poweroff"))
    kairos = dict(mem=LINUX_KAIROS_MEM, linux_guests=((LINUX_DOMAIN, 1),), **common)
    return [
        BenchConfig(LINUX_BASELINE, mem=LINUX_GUEST_MEM, bare=True, **common),
        BenchConfig("linux-kairos-alone", cmdline="sched=credit", policy="credit",
                    modules=linux_modules(LINUX_CYCLICTEST),
                    quick_modules=linux_modules(LINUX_CYCLICTEST_QUICK), domains=alone,
                    **kairos),
        BenchConfig("linux-kairos-credit-hog", cmdline="sched=credit", policy="credit",
                    hog="hog", modules=linux_modules(LINUX_CYCLICTEST, "", LINUX_HOG_SECONDS),
                    quick_modules=linux_modules(LINUX_CYCLICTEST_QUICK, "",
                                                LINUX_HOG_SECONDS_QUICK),
                    domains=both, **kairos),
        BenchConfig("linux-kairos-edf-hog", cmdline="sched=edf", policy="edf", hog="hog",
                    modules=linux_modules(LINUX_CYCLICTEST, LINUX_EDF, LINUX_HOG_SECONDS),
                    quick_modules=linux_modules(LINUX_CYCLICTEST_QUICK, LINUX_EDF,
                                                LINUX_HOG_SECONDS_QUICK),
                    domains=both, **kairos),
    ]


# q35 takes up to 4096 CPUs in QEMU 10 (pc/i440FX: 255). More than 255 need
# x2APIC, which QEMU's TCG offers with -cpu max; SeaBIOS enables it. Nothing
# else is needed under TCG (kernel-irqchip and intel-iommu's eim=on are KVM's).
CONFIGS = [
    BenchConfig("q35-smp1", smp=1),
    BenchConfig("q35-smp2", smp=2),
    BenchConfig("q35-smp4", smp=4),
    BenchConfig("q35-smp8", smp=8),
    BenchConfig("q35-smp64", smp=64, mem=512),
    BenchConfig("q35-smp300", smp=300, mem=512, timeout=180.0, slow=True),
    BenchConfig("q35-smp8-xapic", smp=8, cmdline="x2apic=off"),
    BenchConfig("q35-uefi-smp4", smp=4, firmware="uefi"),
    BenchConfig("bochs-smp1", smp=1, emulator="bochs", machine="pc", cpu="corei7_skylake_x",
                timeout=120.0),
    BenchConfig("bochs-smp2", smp=2, emulator="bochs", machine="pc", cpu="corei7_skylake_x",
                timeout=120.0),
    BenchConfig("bochs-smp4", smp=4, emulator="bochs", machine="pc", cpu="corei7_skylake_x",
                timeout=180.0, slow=True),
    # The boot timeline (common/boot_timeline.c): each phase from the first
    # instruction, per memory size (2 CPUs) and per CPU count (2 GiB); 300
    # CPUs need x2APIC, which SeaBIOS turns on under q35 as the matrix does.
    *[BenchConfig(f"boot-q35-{mem // 1024 or mem}{'g' if mem >= 1024 else 'm'}-smp{n}", smp=n,
                  mem=mem, family=BOOT, timeout=120.0)
      for mem, n in ((256, 2), (2048, 1), (2048, 2), (2048, 4), (2048, 8), (8192, 2))],
    BenchConfig("boot-q35-2g-smp300", smp=300, mem=2048, family=BOOT, timeout=240.0,
                cmdline="smp_callin_timeout=20s", slow=True),
    # The clock: calibration, NOW(), clock event devices. Under QEMU the HPET
    # is the best reference; hpet=off makes the kernel do without it (the
    # ACPI PM timer and the PIT remain). Bochs's Skylake has TSC-deadline.
    BenchConfig("time-q35-smp1", smp=1, family=TIME),
    BenchConfig("time-q35-hpet-off", smp=1, cmdline="hpet=off", family=TIME),
    BenchConfig("time-bochs-smp1", smp=1, emulator="bochs", machine="pc",
                cpu="corei7_skylake_x", family=TIME, timeout=120.0),
    # The timer core (tests/kernel/timer_bench.c). Two CPUs, so that an idle
    # AP is measured too; 1 GiB for the 1,000,000 pending timers (56 MiB of
    # them). Bochs's run is about 22 s of emulated time (40 s of the host's,
    # two thirds of it for the million timers); --quick stops both at 100,000.
    BenchConfig("timer-q35-smp2", smp=2, mem=1024, family=TIMER, timeout=180.0,
                quick_cmdline="timer_bench_max=100000"),
    BenchConfig("timer-bochs-smp2", smp=2, emulator="bochs", machine="pc",
                cpu="corei7_skylake_x", mem=1024, family=TIMER, timeout=300.0,
                quick_cmdline="timer_bench_max=100000"),
    # The guest interface (tests/guests/bench.c, GUEST_MODULES): the bench
    # domain's two vCPUs and its peer domain alone on CPU 0 (with two CPUs,
    # CPU 1 stays idle). The guest waits for system time 1.5 s (after the TSC
    # refinement), then measures for about 3 s: 5 s of QEMU, 6 s of Bochs.
    *[BenchConfig(name, smp=smp, emulator=emulator, machine=machine, cpu=cpu, family=GUEST,
                  timeout=timeout, modules=GUEST_MODULES, quick_modules=GUEST_MODULES_QUICK,
                  domains=GUEST_DOMAINS)
      for name, smp, emulator, machine, cpu, timeout in (
          ("guest-q35-smp1", 1, "qemu", "q35", "max", 60.0),
          ("guest-q35-smp2", 2, "qemu", "q35", "max", 60.0),
          ("guest-bochs-smp1", 1, "bochs", "pc", "corei7_skylake_x", 120.0))],
    # HVM domains (tests/hvm/hvmtest/bench.c, HVM_MODULES): exits by
    # reason and the virtual LAPIC timer, the PV bench guest beside it. QEMU
    # only: Bochs's CPU models have no SVM that Kairos drives.
    BenchConfig("hvm-q35-smp2", smp=2, family=HVM, timeout=90.0, modules=HVM_MODULES,
                quick_modules=HVM_MODULES_QUICK, domains=HVM_DOMAINS),
    # The scheduling policies (sched_configs): about 5 s a QEMU boot, 5 to
    # 15 s a Bochs one (the gangs' two CPUs are one Bochs thread).
    *sched_configs(),
    # A Linux guest's timer latency (linux_configs): 15 s a boot, 60 s
    # with the hog.
    *linux_configs(),
    # Virtual timer latency (latency_configs): 48 boots, about 2 s a QEMU
    # one and 4 to 8 s a Bochs one.
    *latency_configs(),
]


# ---------------------------------------------------------------------------
# Reading the serial log

# arch/x86/smpboot.c, smp_boot_cpus(): the bring-up summary.
SMP_ONLINE_RE = re.compile(r"^SMP: (\d+) CPUs online \((\d+) of (\d+) APs started "
                           r"in (\d+)\.(\d+) ms, (\d+) Mcycles\)")
# One CPU: nothing to bring up (no APs listed, or nosmp / maxcpus=1).
SMP_SINGLE_RE = re.compile(r"^SMP: (?:1 CPU|disabled by .*; 1 CPU)\s*$")


@dataclasses.dataclass
class SmpLine:
    """The figures of the kernel's SMP summary line."""

    cpus_online: int  # the boot CPU included
    aps_started: int
    aps_wanted: int
    bringup_ms: float  # first INIT IPI to the last AP checking in (0 for one CPU)
    mcycles: int  # the same interval in TSC cycles >> 20


def parse_smp_line(log: str) -> SmpLine | None:
    """The last SMP summary line of a serial log, or None if there is none.
    Timestamps and terminal escapes are ignored (ktap.clean_line)."""
    found = None
    for raw in log.splitlines():
        line = ktap.clean_line(raw)
        if (m := SMP_ONLINE_RE.match(line)) is not None:
            ms = float(f"{m.group(4)}.{m.group(5)}")
            found = SmpLine(int(m.group(1)), int(m.group(2)), int(m.group(3)), ms,
                            int(m.group(6)))
        elif SMP_SINGLE_RE.match(line):
            found = SmpLine(1, 0, 0, 0.0, 0)
    return found


# The time family's lines (arch/x86/tsc.c, tests/kernel's time_bench), as
# the kernel prints them, e.g.
#
#   TSC: against hpet: 2596.101 MHz, error <= 9 ppm, 10012 us window (chosen)
#   TSC: against pit: 2596.3 MHz, error <= 120 ppm, 10010 us window (agrees)
#   TSC: 2596.101 MHz, error <= 9 ppm, reference hpet, calibrated in 10 ms
#   TSC: refined to 2596.096 MHz, error <= 1 ppm, over 1000 ms against hpet (2 ppm
#        from the boot value)                                          (one line)
#   BENCH {"bench":"now_cost","clock":"tsc","unit":"cycles","n":1000,"min":20,
#          "median":22,"p99":40,"max":900}                             (one line)
#
# and the other BENCH kinds: {"bench":"reprogram_cost","device":"lapic-oneshot",
# "unit":"cycles",...} and {"bench":"event_latency","device":"hpet","unit":"ns",...}
# with the same statistics (n, min, median, p99, max).
#
# A line is recognised by its start; its figures are then looked for one by
# one, so that their order, a rate in kHz or GHz, or a window in ms do not
# matter. A figure that is not found is None.
TIME_LINES = {
    "reference": re.compile(r"^TSC: against (?P<ref>[\w.-]+):\s*(?P<rest>.*)$"),
    "summary": re.compile(r"^TSC: (?P<rest>\d+(?:\.\d+)?\s*[kMG]?Hz\b.*)$"),
    "refined": re.compile(r"^TSC: (?P<rest>refine.*)$"),
    "bench": re.compile(r"^BENCH (?P<json>.*?)\s*$"),
}
TIME_FIGURES = {
    "rate": re.compile(r"(\d+(?:\.\d+)?)\s*([kMG]?Hz)\b"),
    "error_ppm": re.compile(r"error\s*(?:<=|<|≤|~|of|:)?\s*(\d+(?:\.\d+)?)\s*ppm"),
    "window": re.compile(r"(\d+(?:\.\d+)?)\s*(ns|us|ms|s)\s+window"
                         r"|window\s+(?:of\s+)?(\d+(?:\.\d+)?)\s*(ns|us|ms|s)\b"),
    "status": re.compile(r"\(([^()]*)\)\s*$"),
    "reference": re.compile(r"reference\s+([\w.-]+)"),
    "calibrated": re.compile(r"calibrated in\s+(\d+(?:\.\d+)?)\s*(ns|us|ms|s)\b"),
    "over": re.compile(r"over\s+(\d+(?:\.\d+)?)\s*(ns|us|ms|s)\b"),
    "against": re.compile(r"against\s+([\w.-]+)"),
    "from_boot_ppm": re.compile(r"([-+]?\d+(?:\.\d+)?)\s*ppm (?:from|off|away from) the boot"),
}
RATE_SCALE = {"Hz": 1.0, "kHz": 1e3, "MHz": 1e6, "GHz": 1e9}
TIME_SCALE_US = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
# A refinement line with one of these words was not applied.
REFINE_REFUSED_RE = re.compile(r"\b(?:not applied|rejected|refused|inconsistent|discarded|"
                               r"ignored|kept)\b")
# The statistics of a BENCH line (the rest of its fields name what it measured).
BENCH_STATS = ("n", "min", "median", "p99", "max")


def _number(text: str) -> float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def _mhz(rest: str) -> float | None:
    m = TIME_FIGURES["rate"].search(rest)
    return None if m is None else float(m.group(1)) * RATE_SCALE[m.group(2)] / 1e6


def _ppm(rest: str) -> float | None:
    m = TIME_FIGURES["error_ppm"].search(rest)
    return None if m is None else _number(m.group(1))


def _duration_us(pattern: re.Pattern, rest: str) -> float | None:
    """The first duration pattern finds, in microseconds."""
    m = pattern.search(rest)
    if m is None:
        return None
    value, unit = [g for g in m.groups() if g is not None][:2]
    return float(value) * TIME_SCALE_US[unit]


def _word(pattern: re.Pattern, rest: str) -> str | None:
    m = pattern.search(rest)
    return None if m is None else m.group(1)


def bench_subject(entry: dict) -> str:
    """What a BENCH entry measured: its string fields but bench and unit
    ("tsc", "lapic-oneshot", "hpet"), joined by commas."""
    return ",".join(str(v) for k, v in entry.items()
                    if k not in ("bench", "unit") and isinstance(v, str)) or "-"


def bench_subject_names(entry: dict) -> str:
    """The names of those fields ("clock", "device")."""
    return "/".join(k for k, v in entry.items()
                    if k not in ("bench", "unit") and isinstance(v, str)) or "what"


def parse_bench_line(text: str) -> dict:
    """The object of one `BENCH {json}` line; raises ValueError if it is not
    an object with a "bench" name and numeric statistics."""
    entry = json.loads(text)  # json.JSONDecodeError is a ValueError
    if not isinstance(entry, dict) or not isinstance(entry.get("bench"), str):
        raise ValueError("not an object with a \"bench\" name")
    for key in BENCH_STATS:
        value = entry.get(key)
        if value is not None and (isinstance(value, bool)
                                  or not isinstance(value, (int, float))):
            raise ValueError(f"{key} is not a number: {value!r}")
    return entry


def parse_time_log(log: str) -> dict:
    """The time family's figures in a serial log:

        calibrations  [{reference, mhz, error_ppm, window_us, status}], one
                      per reference (the last line for each), in log order
        tsc           {mhz, error_ppm, reference, calibration_ms} or None
        refined       {mhz, error_ppm, window_ms, reference, from_boot_ppm,
                      applied, line} or None
        bench         every BENCH object, in log order
        bench_errors  BENCH lines that could not be read, with the reason
    Timestamps and terminal escapes are ignored (ktap.clean_line)."""
    calibrations: dict[str, dict] = {}
    out = {"calibrations": [], "tsc": None, "refined": None, "bench": [], "bench_errors": []}
    for raw in log.splitlines():
        line = ktap.clean_line(raw)
        if (m := TIME_LINES["bench"].match(line)) is not None:
            try:
                out["bench"].append(parse_bench_line(m.group("json")))
            except ValueError as err:
                out["bench_errors"].append(f"{err}: {line[:200]}")
        elif (m := TIME_LINES["reference"].match(line)) is not None:
            rest = m.group("rest")
            status = _word(TIME_FIGURES["status"], rest)
            calibrations[m.group("ref")] = {
                "reference": m.group("ref"), "mhz": _mhz(rest), "error_ppm": _ppm(rest),
                "window_us": _duration_us(TIME_FIGURES["window"], rest),
                "status": status.strip() if status else None}
        elif (m := TIME_LINES["refined"].match(line)) is not None:
            rest = m.group("rest")
            window = _duration_us(TIME_FIGURES["over"], rest)
            from_boot = _word(TIME_FIGURES["from_boot_ppm"], rest)
            out["refined"] = {
                "mhz": _mhz(rest), "error_ppm": _ppm(rest),
                "window_ms": None if window is None else window / 1e3,
                "reference": _word(TIME_FIGURES["against"], rest),
                "from_boot_ppm": None if from_boot is None else _number(from_boot),
                "applied": (rest.startswith("refined to")
                            and REFINE_REFUSED_RE.search(rest) is None),
                "line": line.strip()}
        elif (m := TIME_LINES["summary"].match(line)) is not None:
            rest = m.group("rest")
            took = _duration_us(TIME_FIGURES["calibrated"], rest)
            out["tsc"] = {"mhz": _mhz(rest), "error_ppm": _ppm(rest),
                          "reference": _word(TIME_FIGURES["reference"], rest),
                          "calibration_ms": None if took is None else took / 1e3}
    out["calibrations"] = list(calibrations.values())
    return out


# The timer family's lines (tests/kernel/timer_bench.c), one per figure:
#
#   BENCH {"bench":"timer_cost","op":"set_timer","pending":1000,"unit":"cycles",
#          "n":400,"min":..,"median":..,"p99":..,"max":..,"batch":16,"heap_limit":1024,
#          "in_list":0,...}                       (op: set_timer, stop_timer, expiry)
#   BENCH {"bench":"timer_latency","slack":"0","unit":"ns",...,"early":0,"lost":0}
#   BENCH {"bench":"timer_coalescing","slack":"50us","unit":"ns",...,"timers":10036,
#          "interrupts":6745,"rate":10000,"rate_achieved":10036,...}
#   BENCH {"bench":"timer_idle","cpu":"1","state":"idle loop","unit":"interrupts/s",
#          ...,"interrupts":0,"pending":0}
#
# A figure the kernel could not measure has "n":0 and a "skipped" reason. What
# a line measured is named by its string fields (other than bench, unit and
# skipped) and, for timer_cost, its "pending" count: see timer_key().
TIMER_KEY_NUMBERS = {"timer_cost": ("pending",)}  # numeric fields that name a variant


def parse_timer_log(log: str) -> dict:
    """The timer family's figures in a serial log: bench (every BENCH
    object, in log order) and bench_errors (lines that could not be read)."""
    out = {"bench": [], "bench_errors": []}
    for raw in log.splitlines():
        line = ktap.clean_line(raw)
        if (m := TIME_LINES["bench"].match(line)) is not None:
            try:
                out["bench"].append(parse_bench_line(m.group("json")))
            except ValueError as err:
                out["bench_errors"].append(f"{err}: {line[:200]}")
    return out


# The guest family's lines (tests/guests/bench.c), each a guest console line
# that the hypervisor prefixed with the domain's number:
#
#   (d1) BENCH {"bench":"hypercall_rtt","call":"version","unit":"ns","n":1000,
#               "min":..,"median":..,"p99":..,"max":..,"batch":10,"tsc_hz":..,
#               "cycles_min":..,"cycles_median":..,"cycles_p99":..,"cycles_max":..,
#               "overhead_cycles":..}           (call: version, yield (alone))
#   (d1) BENCH {"bench":"vcpu_switch","between":"two domains","unit":"ns",...,
#               "yields":10000,"waiting_permille":500}
#                                  (between: vCPUs of one domain, two domains)
#   (d1) BENCH {"bench":"virq_latency","timer":"single-shot","unit":"ns",...,
#               "early":0}                       (timer: single-shot, periodic)
#
# A figure the guest could not measure has "n":0 and a "skipped" reason, as
# the timer family's. What a line measured is named by its string fields
# (timer_key). A line with "BENCH {" that does not start so (another line's
# output got in front of it) is counted as unreadable, as is bad JSON.
GUEST_BENCH_RE = re.compile(r"^(?:\(d(?P<dom>\d+)\) )?BENCH (?P<json>.*?)\s*$")


def parse_guest_log(log: str) -> dict:
    """The guest family's figures in a serial log: bench (every BENCH
    object, in log order, with or without the "(dN) " prefix) and
    bench_errors (lines that could not be read). Never raises."""
    out = {"bench": [], "bench_errors": []}
    for raw in log.splitlines():
        line = ktap.clean_line(raw)
        if (m := GUEST_BENCH_RE.match(line)) is not None:
            try:
                out["bench"].append(parse_bench_line(m.group("json")))
            except (ValueError, RecursionError) as err:
                out["bench_errors"].append(f"{err}: {line[:200]}")
        elif "BENCH {" in line:
            out["bench_errors"].append(f"not at the start of its line: {line[:200]}")
    return out


# The sched family's lines: the hypervisor's, at the end of the run (the
# Scheduler line once all domains are down, common/sched/core.c; a policy's
# line per domain as it shuts down, common/sched/*.c's dump_domain), and the
# hogs' (tests/guests/hog.c), e.g.
#
#   Scheduler: credit                                     (at boot: the policy)
#   Scheduler credit: 419 schedule() calls, 316 switches; schedule() to the
#             switch: mean 645 cycles, max 1113                      (one line)
#   Domain 1 (w1): credit: weight 256, cap 0%, 0 migrations by stealing
#   Domain 1 (rt1): EDF: budget 3000 us every 10000 us, 305 periods, 0 deadline
#             misses                                                 (one line)
#   Domain 3 (bg): EDF: background (no reservation)
#   Domain 1 (g1): gang g1 of 2 vCPUs: 103 slots all started, 0 partial; start
#             skew min 0 ns, median 0 ns, p99 21600 ns, max 7718150 ns
#   Domain 1 (g1): gang g1 of 2 vCPUs: no slot with every member started
#   Domain 3 (bg): gang: background (no gang)
#   (d1) SHARE w1 v0: ran 457 ms of 3000 ms (15.26%), waited 2542 ms[, longest
#             gap 26111 us] (bbbd8e43b2de441a)
#
# with the bench guest's BENCH lines (parse_guest_log). A line that starts
# as one of these (SCHED_LINE_STARTS) but does not match its pattern is
# counted as unreadable, its figures missing: never a crash.
_DOMAIN = r"^Domain (?P<domid>\d+) \((?P<name>[^()]*)\): "
SCHED_LINES = {
    "policy": re.compile(r"^Scheduler: (?P<name>\S.*?)\s*$"),
    "scheduler": re.compile(
        r"^Scheduler (?P<name>[^:]+?): (?P<calls>\d+) schedule\(\) calls, (?P<switches>\d+) "
        r"switches; schedule\(\) to the switch: mean (?P<mean_cycles>\d+) cycles, "
        r"max (?P<max_cycles>\d+)\s*$"),
    "credit": re.compile(_DOMAIN + r"credit: weight (?P<weight>\d+), cap (?P<cap>\d+)%, "
                         r"(?P<migrations>\d+) migrations by stealing\s*$"),
    "edf": re.compile(_DOMAIN + r"EDF: budget (?P<budget_us>\d+) us every (?P<period_us>\d+) "
                      r"us, (?P<periods>\d+) periods, (?P<misses>\d+) deadline misses\s*$"),
    "edf_background": re.compile(_DOMAIN + r"EDF: background\b.*$"),
    "gang": re.compile(
        _DOMAIN + r"gang (?P<gang>\S+) of (?P<vcpus>\d+) vCPUs: (?P<slots>\d+) slots all "
        r"started, (?P<partial>\d+) partial; start skew min (?P<skew_min>-?\d+) ns, median "
        r"(?P<skew_median>-?\d+) ns, p99 (?P<skew_p99>-?\d+) ns, max (?P<skew_max>-?\d+) ns\s*$"),
    "gang_no_slot": re.compile(_DOMAIN + r"gang (?P<gang>\S+) of (?P<vcpus>\d+) vCPUs: no slot "
                               r"with every member started\s*$"),
    "gang_background": re.compile(_DOMAIN + r"gang: background\b.*$"),
    "share": re.compile(
        r"^(?:\(d(?P<dom>\d+)\) )?SHARE (?P<name>\S+) v(?P<vcpu>\d+): ran (?P<ran_ms>\d+) ms "
        r"of (?P<window_ms>\d+) ms \((?P<percent>\d+(?:\.\d+)?)%\)"
        r"(?:, waited (?P<waited_ms>\d+) ms)?(?:, longest gap (?P<gap_us>\d+) us)?"),
}
# A line that starts so must match one of the patterns above (the boot's
# "Scheduler: <name>" and "Scheduler <name>: ..." told apart by the colon).
SCHED_LINE_STARTS = {
    "scheduler": re.compile(r"^Scheduler [^:]+:|schedule\(\) calls"),
    "domain": re.compile(_DOMAIN + r"(?:credit|EDF|gang)\b"),
    "share": re.compile(r"\bSHARE \S+ v\d"),
}
SCHED_DOMAIN_LINES = ("credit", "edf", "edf_background", "gang", "gang_no_slot",
                      "gang_background")


def _ints(m: re.Match, skip: tuple[str, ...] = ("name", "gang")) -> dict:
    """A match's named groups, numbers as int or float (None where absent)."""
    return {k: (v if k in skip or v is None else _number(v)) for k, v in m.groupdict().items()}


def parse_sched_log(log: str) -> dict:
    """The sched family's figures in a serial log:

        policy        the boot's `Scheduler: <name>`, or None
        scheduler     {name, calls, switches, mean_cycles, max_cycles} of the
                      last Scheduler line, or None
        credit        [{domid, name, weight, cap, migrations}]
        edf           [{domid, name, budget_us, period_us, periods, misses}],
                      background domains with budget_us None
        gang          [{domid, name, gang, vcpus, slots, partial, skew_min,
                      skew_median, skew_p99, skew_max}], background domains
                      with gang None, a gang without a full slot with slots 0
                      and skews None
        shares        [{dom, name, vcpu, ran_ms, window_ms, percent,
                      waited_ms, gap_us}] (SHARE lines)
        bench, bench_errors   the BENCH lines (parse_guest_log)
        sched_errors  the lines above that could not be read, with the reason
    Each domain's last line counts (a debug key may print them again).
    Never raises."""
    out = {"policy": None, "scheduler": None, "credit": [], "edf": [], "gang": [],
           "shares": [], "sched_errors": [], **parse_guest_log(log)}
    domains: dict[str, dict[int, dict]] = {"credit": {}, "edf": {}, "gang": {}}
    shares: dict[tuple, dict] = {}
    for raw in log.splitlines():
        line = ktap.clean_line(raw).strip()
        if (m := SCHED_LINES["scheduler"].match(line)) is not None:
            out["scheduler"] = _ints(m)
        elif (m := SCHED_LINES["policy"].match(line)) is not None:
            out["policy"] = m.group("name")
        elif (m := SCHED_LINES["share"].match(line)) is not None:
            share = _ints(m)
            share["percent"] = float(share["percent"])
            shares[(share["dom"], share["name"], share["vcpu"])] = share
        elif SCHED_LINE_STARTS["domain"].match(line):
            for kind in SCHED_DOMAIN_LINES:
                if (m := SCHED_LINES[kind].match(line)) is not None:
                    break
            else:
                out["sched_errors"].append(f"not a policy's domain line: {line[:200]}")
                continue
            entry = _ints(m)
            family = kind.split("_")[0]
            if kind == "edf_background":
                entry.update(budget_us=None, period_us=None, periods=None, misses=None)
            elif kind == "gang_background":
                entry.update(gang=None, vcpus=None, slots=None, partial=None)
            if kind.startswith("gang") and kind != "gang":
                entry.update(**({"slots": 0, "partial": None} if kind == "gang_no_slot"
                                else {}),
                             skew_min=None, skew_median=None, skew_p99=None, skew_max=None)
            domains[family][entry["domid"]] = entry
        elif SCHED_LINE_STARTS["scheduler"].match(line):
            out["sched_errors"].append(f"not a Scheduler summary line: {line[:200]}")
        elif SCHED_LINE_STARTS["share"].search(line):
            out["sched_errors"].append(f"not a SHARE line: {line[:200]}")
    for family, by_id in domains.items():
        out[family] = [by_id[k] for k in sorted(by_id)]
    out["shares"] = list(shares.values())
    return out


def domain_shares(shares: list[dict]) -> dict[str, float]:
    """Each domain's share of one CPU, percent: the mean over its vCPUs
    (hog.c's vCPUs each report their own)."""
    by_name: dict[str, list[float]] = {}
    for share in shares:
        by_name.setdefault(share["name"], []).append(share["percent"])
    return {name: sum(v) / len(v) for name, v in by_name.items()}


def credit_share_error(credit: list[dict], shares: list[dict]) -> dict | None:
    """The credit workload's figure: each weighted domain's share against
    its ideal (its weight over the sum of the weights, of one CPU: the
    workload's domains share CPU 0), and the largest absolute difference in
    percentage points. None without a domain that has both a weight and a
    SHARE line; a domain missing either is listed in missing."""
    got = domain_shares(shares)
    weighted = [c for c in credit if c["name"] in got]
    if not weighted:
        return None
    total = sum(c["weight"] for c in weighted)
    domains = []
    for c in weighted:
        ideal = 100.0 * c["weight"] / total if total else 0.0
        domains.append({"name": c["name"], "weight": c["weight"], "share": got[c["name"]],
                        "ideal": ideal, "error": got[c["name"]] - ideal,
                        "migrations": c["migrations"]})
    missing = sorted({c["name"] for c in credit} ^ set(got))
    return {"domains": domains, "error_pp": max(abs(d["error"]) for d in domains),
            "missing": missing}


def timer_key(entry: dict) -> dict:
    """The fields of a timer BENCH entry that name what it measured
    ({"op": "set_timer", "pending": 1000}, {"slack": "50us"})."""
    numbers = TIMER_KEY_NUMBERS.get(entry.get("bench"), ())
    return {k: v for k, v in entry.items()
            if (k not in ("bench", "unit", "skipped") and isinstance(v, str))
            or (k in numbers and isinstance(v, (int, float)) and not isinstance(v, bool))}


def timer_subject(entry: dict) -> str:
    """timer_key()'s values joined by commas ("set_timer,1000", "50us")."""
    return ",".join(str(v) for v in timer_key(entry).values()) or "-"


def ppm_off(mhz: float | None, expected_hz: int | None) -> float | None:
    """How far a rate is from the expected one, in ppm (positive: faster)."""
    if mhz is None or not expected_hz:
        return None
    return round((mhz * 1e6 / expected_hz - 1) * 1e6, 3)


# ---------------------------------------------------------------------------
# Statistics


def summarize(values: list[float]) -> dict | None:
    """{"median", "min", "max", "n"} of the values, or None if there are none."""
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def sample_summary(samples: list[dict]) -> dict:
    """The statistics of a configuration's successful samples."""
    good = [s for s in samples if s["ok"]]
    return {
        "runs": len(samples),
        "ok": len(good),
        "bringup_ms": summarize([s["bringup_ms"] for s in good]),
        "mcycles": summarize([s["mcycles"] for s in good]),
        "wall_s": summarize([s["wall_s"] for s in good]),
        "cpus_online": summarize([s["cpus_online"] for s in good]),
    }


def _present(values) -> list:
    return [v for v in values if v is not None]


def _most_common(values) -> str | None:
    values = _present(values)
    return collections.Counter(values).most_common(1)[0][0] if values else None


def combine_bench(entries: list[dict]) -> dict:
    """One BENCH measurement over several runs: the smallest minimum, the
    largest maximum, the median of the medians and of the p99s, n summed."""
    def pick(key, how):
        values = _present(e.get(key) for e in entries)
        return how(values) if values else None

    return {"what": bench_subject_names(entries[0]),
            "unit": _most_common(e.get("unit") for e in entries), "runs": len(entries),
            "n": pick("n", sum), "min": pick("min", min),
            "median": pick("median", statistics.median),
            "p99": pick("p99", statistics.median), "max": pick("max", max)}


def time_summary(samples: list[dict]) -> dict:
    """The statistics of a time configuration's successful samples: each
    figure's median, min, max and n over the runs, per reference and per
    BENCH measurement (kind, then subject: see combine_bench)."""
    good = [s for s in samples if s["ok"]]
    references: dict[str, list[dict]] = {}
    for s in good:
        for cal in s["calibrations"]:
            references.setdefault(cal["reference"], []).append(cal)
    tscs = [s["tsc"] for s in good if s["tsc"]]
    refined = [s["refined"] for s in good if s["refined"]]
    bench: dict[str, dict[str, list[dict]]] = {}
    for s in good:
        for entry in s["bench"]:
            bench.setdefault(entry["bench"], {}).setdefault(bench_subject(entry), []).append(entry)

    def figures(items: list[dict], keys: tuple[str, ...]) -> dict:
        return {k: summarize(_present(i.get(k) for i in items)) for k in keys}

    return {
        "runs": len(samples),
        "ok": len(good),
        "wall_s": summarize([s["wall_s"] for s in good]),
        "expected_tsc_hz": _most_common(s.get("expected_tsc_hz") for s in good),
        "calibrations": {
            ref: {"runs": len(cals), "status": _most_common(c["status"] for c in cals),
                  **figures(cals, ("mhz", "error_ppm", "window_us", "vs_expected_ppm"))}
            for ref, cals in references.items()},
        "tsc": None if not tscs else {
            "runs": len(tscs), "reference": _most_common(t["reference"] for t in tscs),
            **figures(tscs, ("mhz", "error_ppm", "calibration_ms", "vs_expected_ppm"))},
        "refined": None if not refined else {
            "runs": len(refined), "applied": sum(1 for r in refined if r["applied"]),
            "reference": _most_common(r["reference"] for r in refined),
            **figures(refined, ("mhz", "error_ppm", "window_ms", "from_boot_ppm",
                                "vs_expected_ppm"))},
        "bench": {kind: {subject: combine_bench(entries) for subject, entries in by.items()}
                  for kind, by in bench.items()},
    }


def combine_timer(entries: list[dict]) -> dict:
    """One timer BENCH measurement over several runs: combine_bench()'s
    statistics (over the runs that measured it), its key, how many runs
    skipped it and why, and every other numeric field summarized."""
    measured = [e for e in entries if e.get("n")]
    out = combine_bench(measured or entries)
    out["runs"] = len(measured)
    out["n"] = sum(e.get("n") or 0 for e in entries)
    out["key"] = timer_key(entries[0])
    out["skipped"] = len(entries) - len(measured)
    out["skipped_why"] = _most_common(e.get("skipped") for e in entries
                                      if not e.get("n"))
    fields: dict[str, list] = {}
    for e in measured:
        for k, v in e.items():
            if (k not in BENCH_STATS and k not in out["key"] and isinstance(v, (int, float))
                    and not isinstance(v, bool)):
                fields.setdefault(k, []).append(v)
        if e.get("timers"):  # timer_coalescing: hardware interrupts per expired timer
            fields.setdefault("interrupts_per_timer", []).append(
                (e.get("interrupts") or 0) / e["timers"])
    out["fields"] = {k: summarize(v) for k, v in fields.items()}
    return out


def timer_summary(samples: list[dict]) -> dict:
    """The statistics of a timer configuration's successful samples: per
    BENCH kind, then subject (timer_subject), combine_timer() over the runs."""
    good = [s for s in samples if s["ok"]]
    bench: dict[str, dict[str, list[dict]]] = {}
    for s in good:
        for entry in s["bench"]:
            bench.setdefault(entry["bench"], {}).setdefault(timer_subject(entry), []).append(
                entry)
    return {
        "runs": len(samples),
        "ok": len(good),
        "wall_s": summarize([s["wall_s"] for s in good]),
        "bench": {kind: {subject: combine_timer(entries) for subject, entries in by.items()}
                  for kind, by in bench.items()},
    }


def sched_summary(samples: list[dict]) -> dict:
    """The statistics of a sched configuration's successful samples:
    timer_summary()'s of the BENCH lines, then each figure summarized over
    the runs that have it (summarize(): median, min, max, n):

        scheduler  calls, switches, mean_cycles, max_cycles, mean_ns, max_ns
        switched   the share of the yields that switched (switch workload)
        credit     error_pp, and per domain its weight, ideal and share
        edf        per domain: budget_us, period_us, reserved (percent),
                   periods, misses, share
        gang       per domain: gang, vcpus, slots, partial, the skews, share
    """
    out = timer_summary(samples)
    good = [s for s in samples if s["ok"]]

    def figures(items: list[dict], keys: tuple[str, ...]) -> dict:
        return {k: summarize(_present(i.get(k) for i in items)) for k in keys}

    schedulers = [s["scheduler"] for s in good if s.get("scheduler")]
    out["scheduler"] = None if not schedulers else {
        "runs": len(schedulers), "name": _most_common(x["name"] for x in schedulers),
        **figures(schedulers, ("calls", "switches", "mean_cycles", "max_cycles", "mean_ns",
                               "max_ns"))}
    out["switched"] = summarize(_present(s.get("switched") for s in good))
    credits = [s["credit_shares"] for s in good if s.get("credit_shares")]
    per_domain: dict[str, list[dict]] = {}
    for c in credits:
        for d in c["domains"]:
            per_domain.setdefault(d["name"], []).append(d)
    out["credit"] = None if not credits else {
        "runs": len(credits), "error_pp": summarize([c["error_pp"] for c in credits]),
        "domains": {name: {"weight": ds[0]["weight"], "ideal": ds[0]["ideal"],
                           **figures(ds, ("share", "error", "migrations"))}
                    for name, ds in per_domain.items()}}

    def per_domain_lines(kind: str, keys: tuple[str, ...], fixed: tuple[str, ...]) -> dict:
        found: dict[str, list[dict]] = {}
        for s in good:
            shares = domain_shares(s.get("shares") or [])
            for entry in s.get(kind) or []:
                entry = dict(entry, share=shares.get(entry["name"]))
                if kind == "edf" and entry.get("budget_us") is not None:
                    entry["reserved"] = (100.0 * entry["budget_us"] / entry["period_us"]
                                         if entry["period_us"] else None)
                found.setdefault(entry["name"], []).append(entry)
        return {name: {"runs": len(es), **{k: _most_common(e.get(k) for e in es)
                                           for k in fixed},
                       **figures(es, keys)}
                for name, es in found.items()}

    out["edf"] = per_domain_lines("edf", ("periods", "misses", "share", "reserved"),
                                  ("budget_us", "period_us"))
    out["gang"] = per_domain_lines("gang", ("slots", "partial", "skew_min", "skew_median",
                                            "skew_p99", "skew_max", "share"),
                                   ("gang", "vcpus"))
    return out


def linux_summary(samples: list[dict]) -> dict:
    """The statistics of a linux configuration's successful samples: each
    of cyclictest's figures (LINUX_FIGURES, us) summarized over the runs
    (summarize(): median, min, max, n), how many runs had each percentile
    among the overflows, the clocksource most runs measured on (and every
    one seen), the wall time, the guest's uptime at its power-off, the
    Linux domain's EDF periods and misses and the hog's share."""
    good = [s for s in samples if s["ok"]]
    figures = [s["cyclictest"] for s in good if s.get("cyclictest")]
    edf = [s["edf"] for s in good if s.get("edf") and s["edf"].get("budget_us") is not None]
    return {
        "runs": len(samples),
        "ok": len(good),
        "cyclictest": {k: summarize(_present(f.get(k) for f in figures)) for k in LINUX_FIGURES},
        "overflow": {k: sum(1 for f in figures if k in f["overflow"])
                     for k in LINUX_PERCENTILES},
        "hist_size": _most_common(f.get("hist_size") for f in figures),
        "cyclictest_args": sorted({s["cyclictest_args"] for s in good
                                   if s.get("cyclictest_args")}),
        "clocksource": _most_common(s.get("clocksource") for s in good),
        "clocksources": sorted({s["clocksource"] for s in good if s.get("clocksource")}),
        "wall_s": summarize([s["wall_s"] for s in good]),
        "uptime_s": summarize(_present(s.get("uptime_s") for s in good)),
        "edf_periods": summarize([e["periods"] for e in edf]),
        "edf_misses": summarize([e["misses"] for e in edf]),
        "hog_share": summarize(_present((s.get("hog") or {}).get("share") for s in good)),
    }


def linux_ratios(configs: list[BenchConfig], summaries: dict[str, dict]
                 ) -> tuple[str | None, dict[str, dict[str, float | None]]]:
    """The baseline (the first bare configuration with a successful run)
    and, for each linux configuration, each of LINUX_RATIOS's figures over
    the baseline's: the medians over the runs divided (None where either
    is missing or the baseline's is 0)."""
    base = next((c.name for c in configs if c.bare and summaries[c.name]["ok"]), None)
    out: dict[str, dict[str, float | None]] = {}
    for config in configs:
        if base is None or not summaries[config.name]["ok"]:
            continue
        ratios = {}
        for key in LINUX_RATIOS:
            mine = summaries[config.name]["cyclictest"][key]
            theirs = summaries[base]["cyclictest"][key]
            ratios[key] = (round(mine["median"] / theirs["median"], 3)
                           if mine and theirs and theirs["median"] else None)
        out[config.name] = ratios
    return base, out


def boot_summary(samples: list[dict]) -> dict:
    """The boot family's statistics: hand-off to every CPU online, the
    total, and each phase, over the successful samples."""
    good = [s for s in samples if s["ok"]]
    return {"runs": len(samples), "ok": len(good),
            "online_ms": summarize([s["online_ms"] for s in good]),
            "total_ms": summarize([s["total_ms"] for s in good]),
            "phases": {p: summarize([s["phases"][p] for s in good])
                       for p in boot_timeline.PHASES}}


# The guest family's BENCH lines are summarized as the timer family's.
SUMMARIES = {SMP: sample_summary, BOOT: boot_summary, TIME: time_summary, TIMER: timer_summary,
             GUEST: timer_summary, SCHED: sched_summary, HVM: timer_summary,
             LINUX: linux_summary, LATENCY: latency_summary}


# ---------------------------------------------------------------------------
# Running


def run_sample(config: BenchConfig, run: int, kernel: Path, tests: str | None = None,
               quick: bool = False) -> dict:
    """Boots one run of a configuration; returns its raw sample."""
    boot_config = config.boot_config(run, tests, quick)
    sample: dict = {"run": run, "ok": False, "error": None}
    if config.family == TIME:
        sample.update(expected_tsc_hz=None, calibrations=[], tsc=None, refined=None,
                      bench=[], bench_errors=[])
    elif config.family in (TIMER, GUEST, HVM):
        sample.update(bench=[], bench_errors=[])
    elif config.family == SCHED:
        sample.update(policy=None, scheduler=None, credit=[], edf=[], gang=[], shares=[],
                      bench=[], bench_errors=[], sched_errors=[], switched=None,
                      credit_shares=None, notes=[], tsc_hz=None)
    elif config.family == BOOT:
        sample.update(phases=None, online_ms=None, total_ms=None, tsc_khz=None)
    elif config.family == LATENCY:
        sample.update(lateness=None, scheduler=None)
    elif config.family == LINUX:
        sample.update(cyclictest=None, cyclictest_args=None, clocksource=None, tsc_mhz=None,
                      uptime_s=None, guest=None, policy=None, scheduler=None, edf=None,
                      hvm_exits=[], hog=None)
    else:
        sample.update(cpus_online=None, aps_started=None, aps_wanted=None, bringup_ms=None,
                      mcycles=None)
    sample.update(wall_s=None, kernel=None, artifacts=None)
    missing_files = [display_path(f) for f in config.module_files() if not f.is_file()]
    if missing_files:
        make = ("make linux-guest" if all(f.startswith(display_path(REPO / "build" / "linux"))
                                         for f in missing_files) else "make test-guests")
        sample["error"] = (f"no {', '.join(missing_files)} ({make})")
        return sample
    if config.bare:
        return run_bare_sample(config, run, sample, quick)
    try:
        result = boot.run_boot(boot_config, kernel=kernel)
    except Exception as err:  # noqa: BLE001 (a broken run must not stop the rest)
        sample["error"] = f"harness error: {err}"
        return sample
    sample["artifacts"] = os.path.relpath(result.run_dir, REPO)
    sample["wall_s"] = round(result.duration, 3)
    try:
        log = result.serial_log.read_text(errors="replace")
    except OSError:
        log = ""
    sample["kernel"] = kernel_banner(log)
    if config.family == TIME:
        missing = read_time_sample(sample, log, result.tsc_hz)
    elif config.family == TIMER:
        missing = read_timer_sample(sample, log)
    elif config.family in (GUEST, HVM):
        missing = read_guest_sample(sample, log)
        if config.family == HVM:
            sample["hvm_exits"] = parse_hvm_exits(log)
    elif config.family == SCHED:
        missing = read_sched_sample(sample, log, config, result.tsc_hz)
    elif config.family == LINUX:
        missing = read_linux_sample(sample, log, config)
    elif config.family == LATENCY:
        missing = read_latency_sample(sample, log, config)
    elif config.family == BOOT:
        missing = read_boot_sample(sample, log)
    else:
        missing = read_smp_sample(sample, log)
    if not result.ok:
        sample["error"] = "; ".join(result.reasons)
    elif missing:
        sample["error"] = missing
    else:
        sample["ok"] = True
    return sample


def read_latency_sample(sample: dict, log: str, config: BenchConfig) -> str | None:
    """Fills in a latency sample (the guest's lateness, ns); returns what
    the log lacks, or None."""
    what = LATENCY_TIMERS[config.workload.split(":")[0]][3]
    sample["lateness"] = parse_latency_line(log, what)
    m = re.search(r"Scheduler: (.+)", log)
    sample["scheduler"] = m[1].strip() if m else None
    return None if sample["lateness"] else f"no '{what}: n=...' line in the serial log"


def read_smp_sample(sample: dict, log: str) -> str | None:
    """Fills in an smp sample; returns what the log lacks, or None."""
    smp = parse_smp_line(log)
    if smp is None:
        return "no SMP summary line in the serial log"
    sample.update(cpus_online=smp.cpus_online, aps_started=smp.aps_started,
                  aps_wanted=smp.aps_wanted, bringup_ms=smp.bringup_ms, mcycles=smp.mcycles)
    return None


def read_boot_sample(sample: dict, log: str) -> str | None:
    """Fills in a boot sample from the timeline line; returns what the log
    lacks or what is inconsistent in it, or None."""
    timeline = boot_timeline.parse(log)
    trouble = boot_timeline.problems(timeline)
    if timeline is not None:
        sample.update(phases=timeline.phases, online_ms=timeline.online_ms,
                      total_ms=timeline.total_ms, tsc_khz=timeline.tsc_khz)
    return "; ".join(trouble) if trouble else None


def read_time_sample(sample: dict, log: str, expected_hz: int | None) -> str | None:
    """Fills in a time sample (the figures, each rate also as ppm off the
    expected rate, test_tsc_hz=); returns what the log lacks, or None."""
    figures = parse_time_log(log)
    for item in figures["calibrations"] + [figures["tsc"], figures["refined"]]:
        if item is not None:
            item["vs_expected_ppm"] = ppm_off(item["mhz"], expected_hz)
    sample.update(figures, expected_tsc_hz=expected_hz)
    missing = []
    if figures["tsc"] is None:
        missing.append("no TSC calibration line (TSC: <rate> MHz, ...)")
    if not figures["bench"]:
        missing.append("no BENCH lines")
    return f"{' and '.join(missing)} in the serial log" if missing else None


def read_timer_sample(sample: dict, log: str) -> str | None:
    """Fills in a timer sample; returns what the log lacks, or None."""
    sample.update(parse_timer_log(log))
    return None if sample["bench"] else "no BENCH lines in the serial log"


# The hypervisor's account of an HVM domain's exits, printed as it ends
# (arch/x86/hvm/hvm.c, hvm_report_domain):
#   Domain 1 (hvmbench): 75328 HVM exits: CPUID 10004 (mean 15843 cycles), ...
HVM_EXITS_RE = re.compile(r"^Domain (?P<dom>\d+) \((?P<name>[^)]*)\): \d+ HVM exits:(?P<rest>.*)$")
HVM_EXIT_REASON_RE = re.compile(r"(?P<reason>[A-Za-z/ ]+?) (?P<count>\d+) \(mean (?P<mean>\d+) cycles\)")


def parse_hvm_exits(log: str) -> list[dict]:
    """Every HVM domain's exits line: one entry per reason, with the domain's
    name, the count and the mean cycles spent in the hypervisor."""
    out = []
    for raw in log.splitlines():
        if (m := HVM_EXITS_RE.match(ktap.clean_line(raw))) is None:
            continue
        for r in HVM_EXIT_REASON_RE.finditer(m.group("rest")):
            out.append({"domain": m.group("name"), "reason": r.group("reason").strip(" ,"),
                        "count": int(r.group("count")), "mean_cycles": int(r.group("mean"))})
    return out


def read_guest_sample(sample: dict, log: str) -> str | None:
    """Fills in a guest sample; returns what the log lacks, or None."""
    sample.update(parse_guest_log(log))
    return None if sample["bench"] else "no BENCH lines from the guests in the serial log"


def read_sched_sample(sample: dict, log: str, config: BenchConfig,
                      tsc_hz: int | None) -> str | None:
    """Fills in a sched sample (the Scheduler line's cycles also in ns at
    tsc_hz, the switch workload's share of yields that switched, the credit
    workload's share error); returns what the log lacks for the config's
    workload, or None. A missing Scheduler line is a note (sample["notes"]),
    not an error: the workload's own figures stand without it."""
    sample.update(parse_sched_log(log), tsc_hz=tsc_hz)
    notes = sample["notes"]
    scheduler = sample["scheduler"]
    want = SCHED_NAMES.get(config.policy, config.policy)
    ran = scheduler["name"] if scheduler else sample["policy"]
    if ran is not None and want and ran != want:
        return f"the {ran} scheduler ran, not {want} (sched={config.policy})"
    if scheduler is None:
        notes.append("no Scheduler summary line (schedule() calls) in the serial log")
    else:
        for key in ("mean", "max"):
            cycles = scheduler[f"{key}_cycles"]
            scheduler[f"{key}_ns"] = (round(cycles * 1e9 / tsc_hz, 1) if tsc_hz else None)
    if config.workload == "switch":
        switches = [e for e in sample["bench"] if e.get("bench") == "vcpu_switch"]
        if not switches:
            return "no BENCH vcpu_switch lines from the guests in the serial log"
        yields = sum(e.get("yields") or 0 for e in switches if e.get("n"))
        if scheduler is not None and yields:
            # Each yield of the measuring vCPU and its answer: two switches.
            sample["switched"] = round(min(1.0, scheduler["switches"] / (2 * yields)), 4)
        return None
    if config.workload == "credit":
        figure = credit_share_error(sample["credit"], sample["shares"])
        sample["credit_shares"] = figure
        if figure is None:
            return ("no credit domain with both its credit line and a SHARE line "
                    "in the serial log")
        if figure["missing"]:
            return ("no credit line or no SHARE line for "
                    + ", ".join(figure["missing"]) + " in the serial log")
        return None
    if config.workload == "edf":
        if not any(e["budget_us"] is not None for e in sample["edf"]):
            return "no EDF reservation line (Domain ...: EDF: budget ...) in the serial log"
        return None
    if config.workload == "gang":
        if not any(g["gang"] is not None for g in sample["gang"]):
            return "no gang line (Domain ...: gang <name> of <n> vCPUs: ...) in the serial log"
        return None
    return None


def run_bare_sample(config: BenchConfig, run: int, sample: dict, quick: bool) -> dict:
    """Boots one run of a bare linux configuration (the Linux guest images
    on QEMU without Kairos: linux_guest.run_baseline) into sample."""
    try:
        result = linux_guest.run_baseline(config.baseline_config(run, quick))
    except Exception as err:  # noqa: BLE001 (a broken run must not stop the rest)
        sample["error"] = f"harness error: {err}"
        return sample
    sample["artifacts"] = os.path.relpath(result.run_dir, REPO)
    sample["wall_s"] = round(result.duration, 3)
    try:
        log = result.serial_log.read_text(errors="replace")
    except OSError:
        log = ""
    missing = read_linux_sample(sample, log, config)
    if not result.ok:
        sample["error"] = "; ".join(result.problems)
    elif missing:
        sample["error"] = missing
    else:
        sample["ok"] = True
    return sample


# The linux family's lines: the Linux guest's console (tools/linux-guest/init,
# docs/linux-guest.md), as printed on bare QEMU, under Kairos each line
# prefixed "(dN) " by the hypervisor (boot.domain_lines() takes it off), read
# by linux_guest.judge_log() (its checks, the clocksource, cyclictest's
# histogram through tests/harness/cyclictest.py), e.g.
#
#   kairos-guest: clocksource current=tsc available=tsc kvm-clock acpi_pm (before the run)
#   kairos-guest: cyclictest begin -q -m -S -p 90 -i 1000 -D 5 -h 20000
#   # Histogram ... # Max Latencies: 10539 ...
#   kairos-guest: cyclictest end rc=0
#   [    7.512345] reboot: Power down               (the guest kernel's uptime)
#
# and the hypervisor's (SCHED_LINES, HVM_EXITS_RE): the policy, the Linux
# domain's EDF line, its HVM exits, and the hog's SHARE line, whose time
# stamp (the hypervisor's system time, as the markers') tells when the hog
# spun (linux_hog_window).
LINUX_FIGURES = ("n", "overflows", "min", "avg", "median", "p99", "p999", "max")
LINUX_PERCENTILES = ("median", "p99", "p999")
LINUX_RATIOS = ("min", "avg", "median", "p99", "p999", "max")  # over the baseline's
STAMP_RE = re.compile(r"^\[\s*(\d+\.\d+)\] ")
POWER_DOWN_RE = re.compile(r"^\[\s*(\d+\.\d+)\] reboot: Power down")
HOG_REPORT_DELAY_S = 0.1  # hog.c prints its SHARE line 100 ms per domain id after its window


def cyclictest_figures(result: cyclictest.Result) -> dict | None:
    """All threads' figures, us (cyclictest.Result.merged()): n (every
    sample, overflows included), overflows, min, avg, median, p99, p999,
    max, hist_size, threads, and overflow: the percentiles that fell among
    the overflows (then the histogram's size, a lower bound). None without
    a thread."""
    if not result.threads:
        return None
    merged = result.merged()
    out = {"n": merged.count, "overflows": merged.overflows, "min": merged.min_us,
           "avg": merged.avg_us}
    overflow = []
    for name, value in zip(LINUX_PERCENTILES, (merged.median, merged.p99, merged.p999)):
        out[name] = None if value is None else value.us
        if value is not None and value.overflow:
            overflow.append(name)
    out.update(max=merged.max_us, hist_size=merged.hist_size, threads=len(result.threads),
               overflow=overflow)
    return out


def stamped_lines(log: str) -> list[tuple[float | None, str]]:
    """Each line's time stamp (seconds, None for none or a cycle count) and
    its text (ktap.clean_line)."""
    out = []
    for raw in log.splitlines():
        m = STAMP_RE.match(ktap.ANSI_RE.sub("", raw.rstrip("\r\n").split("\r")[-1]))
        out.append((float(m.group(1)) if m else None, ktap.clean_line(raw)))
    return out


def linux_hog_window(log: str, linux: str, hog: str) -> dict:
    """When cyclictest ran in the Linux domain and when the hog spun, in
    the hypervisor's seconds: cyclictest_begin_s (the time stamp of /init's
    begin marker) and cyclictest_end_s (of the report's "# Histogram" line,
    which /init prints once cyclictest has ended; without one, of the end
    marker, printed after the report: beside a hog the report takes some
    20 s to print), hog_start_s and hog_end_s (from its SHARE line: printed
    100 ms per domain id after its window, which it gives), share (percent
    of the CPU the hog had over its window) and covered: the hog spun
    throughout (None if a line is missing)."""
    ids: dict[str, int] = {}
    report = ended = None
    out = {"cyclictest_begin_s": None, "cyclictest_end_s": None, "hog_start_s": None,
           "hog_end_s": None, "share": None, "covered": None}
    for stamp, line in stamped_lines(log):
        if (m := boot.DOMAIN_BUILT_RE.search(line)) is not None:
            ids[m.group(2)] = int(m.group(1))
            continue
        if (m := ktap.DOMAIN_LINE_RE.match(line)) is None or stamp is None:
            continue
        dom, text = int(m.group(1)), m.group(2) or ""
        if dom == ids.get(linux):
            if linux_guest.BEGIN_RE.search(text) and out["cyclictest_begin_s"] is None:
                out["cyclictest_begin_s"] = stamp
            elif out["cyclictest_begin_s"] is None:
                continue
            elif cyclictest.HEADER_RE.search(text) and report is None:
                report = stamp
            elif linux_guest.END_RE.search(text) and ended is None:
                ended = stamp
        elif dom == ids.get(hog) and (share := SCHED_LINES["share"].match(line)) is not None:
            end = stamp - dom * HOG_REPORT_DELAY_S
            out.update(hog_end_s=round(end, 3), share=float(share.group("percent")),
                       hog_start_s=round(end - int(share.group("window_ms")) / 1e3, 3))
    out["cyclictest_end_s"] = report if report is not None else ended
    if None not in (out["cyclictest_begin_s"], out["cyclictest_end_s"], out["hog_end_s"]):
        out["covered"] = (out["hog_start_s"] <= out["cyclictest_begin_s"]
                          and out["hog_end_s"] >= out["cyclictest_end_s"])
    return out


def read_linux_sample(sample: dict, log: str, config: BenchConfig) -> str | None:
    """Fills in a linux sample from a bare boot's serial log or a Kairos
    boot's (the Linux domain's lines); returns what it lacks, or None: a
    complete cyclictest report, under Kairos the policy the configuration
    names, and beside a hog a hog that spun throughout cyclictest's run."""
    text = log if config.bare else "\n".join(boot.domain_lines(LINUX_DOMAIN, log))
    guest = linux_guest.judge_log(text, cpus=dict(config.linux_guests).get(LINUX_DOMAIN,
                                                                           config.smp))
    uptime = [float(m.group(1)) for line in text.splitlines()
              if (m := POWER_DOWN_RE.match(cyclictest.ANSI_RE.sub("", line).strip("\r\n")))]
    sample.update(cyclictest=cyclictest_figures(guest.cyclictest),
                  cyclictest_args=guest.cyclictest_args, clocksource=guest.clocksource_run,
                  tsc_mhz=guest.tsc_mhz, uptime_s=uptime[-1] if uptime else None,
                  guest=guest.as_dict())
    if not config.bare:
        sched = parse_sched_log(log)
        sample.update(policy=sched["policy"], scheduler=sched["scheduler"],
                      edf=next((e for e in sched["edf"] if e["name"] == LINUX_DOMAIN), None),
                      hvm_exits=[e for e in parse_hvm_exits(log)
                                 if e["domain"] == LINUX_DOMAIN])
        if config.hog:
            sample["hog"] = linux_hog_window(log, LINUX_DOMAIN, config.hog)
    if sample["cyclictest"] is None or not guest.cyclictest.complete:
        why = "; ".join(guest.cyclictest.problems) or "none in the log"
        return f"no complete cyclictest report from the Linux guest ({why})"
    want = SCHED_NAMES.get(config.policy, config.policy)
    ran = sample["scheduler"]["name"] if sample["scheduler"] else sample["policy"]
    if ran is not None and want and ran != want:
        return f"the {ran} scheduler ran, not {want} (sched={config.policy})"
    hog = sample["hog"]
    if config.hog and (hog is None or hog["covered"] is None):
        return (f"no SHARE line from {config.hog} or no cyclictest begin or end marker "
                "in the serial log")
    if config.hog and not hog["covered"]:
        return (f"{config.hog} spun from {hog['hog_start_s']:.1f} s to {hog['hog_end_s']:.1f} s, "
                f"not throughout cyclictest's run ({hog['cyclictest_begin_s']:.1f} s to "
                f"{hog['cyclictest_end_s']:.1f} s): its seconds= is too short")
    return None


def prepare_guests(configs: list[BenchConfig]) -> None:
    """Brings the guest images the configurations boot up to date (make; a
    failure is only reported: the runs then use what is there, or fail
    without it). Not the Linux guest's (make linux-guest: it may fetch
    Debian's packages)."""
    images = sorted({spec.split(":", 1)[0] for c in configs
                     for spec in c.modules + c.quick_modules} - {LINUX_KERNEL, LINUX_INITRAMFS})
    if not images:
        return
    try:
        proc = subprocess.run(["make", "--no-print-directory", "-s", *images], cwd=REPO,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=300, check=False)
        if proc.returncode != 0:
            print(f"bench: warning: make {' '.join(images)} failed:\n{proc.stdout.strip()}",
                  file=sys.stderr, flush=True)
    except (OSError, subprocess.TimeoutExpired) as err:
        print(f"bench: warning: make {' '.join(images)}: {err}", file=sys.stderr, flush=True)


BANNER_RE = re.compile(r"^Kairos microhypervisor .*")


def kernel_banner(log: str) -> str | None:
    """The kernel's first line (version, git revision, compiler), if printed."""
    for raw in log.splitlines():
        if (m := BANNER_RE.match(ktap.clean_line(raw))) is not None:
            return m.group(0).strip()
    return None


# Families whose configurations are read against each other (the linux
# family's ratios to its bare-QEMU baseline): their runs go round by round,
# run 1 of each, then run 2 of each..., so that the baseline and the others
# meet the same host load.
INTERLEAVED_FAMILIES = (LINUX,)


def work_order(configs: list[BenchConfig], runs: dict[str, int]) -> list[tuple[BenchConfig, int]]:
    """Every (config, run) to boot: the interleaved families' rounds first
    (they are the longest), then the others' runs, longest boots first."""
    ordered = sorted(configs, key=BenchConfig.expected_seconds, reverse=True)
    rounds = [c for c in ordered if c.family in INTERLEAVED_FAMILIES]
    most = max((runs[c.name] for c in rounds), default=0)
    work = [(c, r) for r in range(1, most + 1) for c in rounds if r <= runs[c.name]]
    return work + [(c, r) for c in ordered if c.family not in INTERLEAVED_FAMILIES
                   for r in range(1, runs[c.name] + 1)]


def run_all(configs: list[BenchConfig], runs: dict[str, int], kernel: Path,
            jobs: int, tests: str | None = None, quick: bool = False) -> dict[str, list[dict]]:
    """Runs every sample (work_order); returns samples by config name."""
    work = work_order(configs, runs)
    samples: dict[str, list[dict]] = {c.name: [] for c in configs}
    total = len(work)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(run_sample, c, r, kernel, tests, quick): (c, r)
                   for c, r in work}
        try:
            for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
                config, run = futures[future]
                sample = future.result()
                samples[config.name].append(sample)
                print(f"  [{done}/{total}] {config.name} run {run}: {describe_sample(sample)}",
                      file=sys.stderr, flush=True)
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            boot.kill_running()
            raise
    for name in samples:
        samples[name].sort(key=lambda s: s["run"])
    return samples


def describe_sample(sample: dict) -> str:
    """One progress line's worth about a sample."""
    if not sample["ok"]:
        return f"error: {sample['error']}"
    if "lateness" in sample:  # the latency family
        late = sample["lateness"]
        return (f"lateness median {late['median'] / 1000:.1f} us, max {late['max'] / 1000:.1f} us"
                f" ({late['n']} samples), {sample['wall_s']:.1f} s to the verdict")
    if "cyclictest" in sample:  # the linux family
        c = sample["cyclictest"]
        return (f"cyclictest n={c['n']} min {c['min']} avg {c['avg']} p99 {c['p99']} max "
                f"{c['max']} us on {sample['clocksource']}, {sample['wall_s']:.1f} s")
    if "online_ms" in sample:  # the boot family
        return (f"all CPUs online {sample['online_ms']:.3f} ms after the first instruction, "
                f"total {sample['total_ms']:.3f} ms, {sample['wall_s']:.1f} s to the verdict")
    if "sched_errors" in sample:  # the sched family
        sched = sample["scheduler"]
        cost = (f"schedule() mean {sched['mean_cycles']} cycles, max {sched['max_cycles']}"
                if sched else "no Scheduler line")
        return (f"{cost}, {len(sample['bench'])} BENCH, {len(sample['shares'])} SHARE lines, "
                f"{sample['wall_s']:.1f} s to the verdict")
    if "bench" in sample and "tsc" not in sample:  # the timer family
        return f"{len(sample['bench'])} BENCH lines, {sample['wall_s']:.1f} s to the verdict"
    if "bench" in sample:  # the time family
        tsc = sample["tsc"]
        rate = f"TSC {tsc['mhz']:.3f} MHz" if tsc["mhz"] is not None else "TSC"
        off = (f" ({tsc['vs_expected_ppm']:+.1f} ppm off the expected)"
               if tsc.get("vs_expected_ppm") is not None else "")
        return (f"{rate} against {tsc['reference']}{off}, {len(sample['bench'])} BENCH "
                f"lines, {sample['wall_s']:.1f} s to the verdict")
    return (f"{sample['cpus_online']} CPUs, {sample['bringup_ms']:.3f} ms, "
            f"{sample['wall_s']:.1f} s to the verdict")


# ---------------------------------------------------------------------------
# Environment


def first_line(cmd: list[str], pattern: str = r".+") -> str | None:
    """The first line of a command's output matching pattern, or None."""
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=20, check=False,
                              cwd=REPO)
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in proc.stdout.splitlines():
        if (m := re.search(pattern, line)) is not None:
            return m.group(0).strip()
    return None


def cpu_times() -> tuple[int, int] | None:
    """(idle, total) jiffies of all CPUs since boot, from /proc/stat."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return fields[3] + fields[4], sum(fields[:8])  # idle + iowait; up to steal


def host_busy(interval: float = 0.5) -> float | None:
    """The share of the host's CPU time in use over interval seconds (0 to 1):
    another emulator running meanwhile skews every figure."""
    before = cpu_times()
    time.sleep(interval)
    after = cpu_times()
    if before is None or after is None or after[1] == before[1]:
        return None
    return round(1 - (after[0] - before[0]) / (after[1] - before[1]), 3)


def bochs_version(samples: dict[str, list[dict]]) -> str | None:
    """Bochs's version from a run's bochs.log, else from `bochs --help`."""
    for runs in samples.values():
        for sample in runs:
            if sample["artifacts"] is None:
                continue
            try:
                log = (REPO / sample["artifacts"] / "bochs.log").read_text(errors="replace")
            except OSError:
                continue
            if (m := re.search(r"Bochs x86 Emulator \S+", log)) is not None:
                return m.group(0)
    return first_line(["bochs", "--help"], r"Bochs x86 Emulator \S+")


def environment(samples: dict[str, list[dict]], configs: list[BenchConfig]) -> dict:
    """What the figures depend on, besides the kernel."""
    emulators = {c.emulator for c in configs}
    versions = {}
    if "qemu" in emulators:
        versions["qemu"] = first_line([boot.Qemu.binary, "--version"])
    if "bochs" in emulators:
        versions["bochs"] = bochs_version(samples)
    # The host TSC's rate (boot.py measured it for the QEMU boots; cached).
    host_tsc = boot.host_tsc() if "qemu" in emulators else None
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "git": first_line(["git", "describe", "--always", "--dirty"]),
        "host_nproc": os.cpu_count(),
        "host": first_line(["uname", "-srm"]),
        "host_tsc": dataclasses.asdict(host_tsc) if host_tsc is not None else None,
        "emulators": versions,
    }


# ---------------------------------------------------------------------------
# Output


class TableBook:
    """The tables of one family's report: each after a blank line, a table
    without a figure as one "no figures" line; a configuration that failed
    gets its error in the first table that names it, a pointer after."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.out: list[str] = []
        self.errors = errors
        self.unwritten = set(errors)

    def add(self, title: str, header: tuple[str, ...], rows: list,
            left: tuple[int, ...]) -> None:
        if self.out:
            self.out.append("")
        if all(len(r) != len(header) for r in rows) and not any(
                r[0] in self.errors for r in rows):
            self.out.append(f"{title}: no figures")
        else:
            self.out.extend([title] + render_table(header, rows, left))

    def error_row(self, name: str) -> tuple[str, str]:
        """A failed configuration's row: its error once, then a pointer."""
        if name in self.unwritten:
            self.unwritten.discard(name)
            return (name, self.errors[name])
        return (name, "ERROR (see the first table)")


def render_table(header: tuple[str, ...], rows: list[tuple[str, ...]],
                 left: tuple[int, ...] = (0,)) -> list[str]:
    """Aligned lines: the header, a rule, the rows. A row of two cells
    (config name, text) is an error or a note, written across the columns."""
    full = [header] + [r for r in rows if len(r) == len(header)]
    widths = [max(len(r[i]) for r in full) for i in range(len(header))]
    widths[0] = max(len(r[0]) for r in [header] + rows)

    def line(row: tuple[str, ...]) -> str:
        if len(row) != len(header):
            return f"{row[0]:<{widths[0]}}  {row[1]}"
        cells = [cell.ljust(widths[i]) if i in left else cell.rjust(widths[i])
                 for i, cell in enumerate(row)]
        return "  ".join(cells).rstrip()

    return [line(header), "  ".join("-" * w for w in widths)] + [line(r) for r in rows]


def failed_runs_notes(notes: list[str], samples: dict[str, list[dict]]) -> list[str]:
    """The lines under a family's tables: failed runs, where their logs are."""
    out = []
    if notes:
        out += ["", "failed runs (left out of the figures above):"]
        out += [f"  {note}" for note in notes]
    if any(not s["ok"] for runs in samples.values() for s in runs):
        out += ["", "A failed run's logs are in build/boots/bench-<config>-<run>/ "
                "(serial.log, the emulator's own logs, command.sh)."]
    return out


def sort_runs(configs: list[BenchConfig], samples: dict[str, list[dict]],
              summaries: dict[str, dict], unreadable: tuple[str, ...] = ("bench_errors",)
              ) -> tuple[dict[str, str], list[str], list[str]]:
    """A family's runs sorted for its report: an ERROR text for each
    configuration without one successful run, a note for each failed run of
    the others, and every line of every run that could not be read (the
    lists its samples keep under the keys unreadable names)."""
    errors: dict[str, str] = {}
    notes: list[str] = []
    garbled: list[str] = []
    for config in configs:
        runs = samples[config.name]
        if not summaries[config.name]["ok"]:
            errors[config.name] = (f"ERROR ({len(runs)} of {len(runs)} runs): "
                                   + " | ".join(sorted({str(s["error"]) for s in runs})))
        else:
            notes += [f"{config.name} run {s['run']}: {s['error']}" for s in runs if not s["ok"]]
        for s in runs:
            garbled += [f"{config.name} run {s['run']}: {e}"
                        for key in unreadable for e in s.get(key) or []]
    return errors, notes, garbled


def closing_notes(notes: list[str], garbled: list[str], samples: dict[str, list[dict]],
                  what: str = "BENCH lines") -> list[str]:
    """The lines under a family's tables: unreadable lines, then failed runs."""
    out = []
    if garbled:
        out += ["", f"{what} that could not be read (their figures are missing above):"]
        out += [f"  {line}" for line in garbled]
    return out + failed_runs_notes(notes, samples)


def format_table(configs: list[BenchConfig], samples: dict[str, list[dict]]) -> str:
    """The smp family's table: one row per configuration, notes on failed
    runs below it."""
    header = ("config", "CPUs", "runs", "bring-up ms", "min", "max", "Mcycles",
              "to verdict s")
    rows = []
    notes = []
    for config in configs:
        runs = samples[config.name]
        summary = sample_summary(runs)
        for s in runs:
            if not s["ok"] and summary["ok"]:
                notes.append(f"{config.name} run {s['run']}: {s['error']}")
        if not summary["ok"]:
            errors = sorted({s["error"] for s in runs})
            rows.append((config.name, f"ERROR ({len(runs)} of {len(runs)} runs): "
                         + " | ".join(errors)))
            continue
        online = summary["cpus_online"]
        cpus = (f"{online['min']:.0f}" if online["min"] == online["max"]
                else f"{online['min']:.0f}-{online['max']:.0f}") + f"/{config.smp}"
        ms = summary["bringup_ms"]
        rows.append((config.name, cpus, f"{summary['ok']}/{summary['runs']}",
                     f"{ms['median']:.3f}", f"{ms['min']:.3f}", f"{ms['max']:.3f}",
                     f"{summary['mcycles']['median']:.0f}",
                     f"{summary['wall_s']['median']:.1f}"))
    return "\n".join(render_table(header, rows) + failed_runs_notes(
        notes, {c.name: samples[c.name] for c in configs}))


# The BENCH kinds the time_bench suite prints, in table order, with titles;
# other kinds get a table of their own after these.
BENCH_TITLES = {
    "now_cost": "Cost of NOW()",
    "reprogram_cost": "Cost of reprogramming a clock event device",
    "event_latency": "Latency from a deadline to its interrupt",
}


def _fmt(value, spec: str) -> str:
    """A figure, or "-" when there is none."""
    return "-" if value is None else format(value, spec)


def _median(figure: dict | None, spec: str) -> str:
    """The median of a summarize() result, or "-"; never a negative zero."""
    if figure is None:
        return "-"
    text = format(figure["median"], spec)
    return text.replace("-", "+") if "+" in spec and float(text) == 0 else text


def _stat(value) -> str:
    """A BENCH statistic: integers as they are, others to one decimal."""
    if value is None:
        return "-"
    if isinstance(value, int) or float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.1f}"


def format_time_tables(configs: list[BenchConfig], samples: dict[str, list[dict]]) -> str:
    """The time family's tables: the TSC's calibration, each reference, the
    refinement, then one table per BENCH kind; medians over the runs."""
    summaries = {c.name: time_summary(samples[c.name]) for c in configs}
    errors, notes, garbled = sort_runs(configs, samples, summaries)

    def error_row(name: str, first: bool) -> tuple[str, str]:
        return (name, errors[name] if first else "ERROR (see the first table)")

    out = ["TSC calibration (medians over the runs; vs expected: ppm off test_tsc_hz=, "
           "the host's TSC under QEMU, ips under Bochs)"]
    rows = []
    for config in configs:
        summary = summaries[config.name]
        if config.name in errors:
            rows.append(error_row(config.name, True))
            continue
        tsc = summary["tsc"]
        expected = summary["expected_tsc_hz"]
        rows.append((config.name, config.emulator, f"{tsc['runs']}/{summary['runs']}",
                     _median(tsc["mhz"], ".3f"), _median(tsc["error_ppm"], "g"),
                     tsc["reference"] or "-", _median(tsc["calibration_ms"], ".1f"),
                     _fmt(expected and expected / 1e6, ".3f"),
                     _median(tsc["vs_expected_ppm"], "+.1f")))
    out += render_table(("config", "emulator", "runs", "MHz", "error ppm", "reference",
                         "took ms", "expected MHz", "vs expected ppm"), rows, left=(0, 1, 5))

    def table(title: str, header: tuple[str, ...], rows: list, left: tuple[int, ...]) -> None:
        """Adds a table after the first; without a figure in it, one line."""
        if all(len(r) != len(header) for r in rows):
            out.extend(["", f"{title}: no figures"])
        else:
            out.extend(["", title] + render_table(header, rows, left))

    rows = []
    for config in configs:
        summary = summaries[config.name]
        if config.name in errors:
            rows.append(error_row(config.name, False))
            continue
        if not summary["calibrations"]:
            rows.append((config.name, "(no per-reference lines)"))
        for ref, cal in summary["calibrations"].items():
            rows.append((config.name, config.emulator, ref, f"{cal['runs']}/{summary['runs']}",
                         _median(cal["mhz"], ".3f"), _median(cal["error_ppm"], "g"),
                         _median(cal["window_us"], ".0f"),
                         _median(cal["vs_expected_ppm"], "+.1f"), cal["status"] or "-"))
    table("Calibration against each reference",
          ("config", "emulator", "reference", "runs", "MHz", "error ppm", "window us",
           "vs expected ppm", "status"), rows, left=(0, 1, 2, 8))

    rows = []
    for config in configs:
        summary = summaries[config.name]
        if config.name in errors:
            rows.append(error_row(config.name, False))
            continue
        ref = summary["refined"]
        if ref is None:
            rows.append((config.name, "(no refinement line)"))
            continue
        rows.append((config.name, config.emulator, f"{ref['runs']}/{summary['runs']}",
                     f"{ref['applied']}/{ref['runs']}",
                     _median(ref["mhz"], ".3f"), _median(ref["error_ppm"], "g"),
                     _median(ref["window_ms"], ".0f"), ref["reference"] or "-",
                     _median(ref["from_boot_ppm"], "+g"),
                     _median(ref["vs_expected_ppm"], "+.1f")))
    table("Refinement (over a longer window, after boot)",
          ("config", "emulator", "runs", "applied", "MHz", "error ppm", "over ms", "against",
           "vs boot ppm", "vs expected ppm"), rows, left=(0, 1, 7))

    kinds = list(BENCH_TITLES)
    for summary in summaries.values():
        kinds += sorted(k for k in summary["bench"] if k not in kinds)
    for kind in kinds:
        title = BENCH_TITLES.get(kind, f"BENCH {kind}")
        rows = []
        subject_names = None
        for config in configs:
            summary = summaries[config.name]
            if config.name in errors:
                rows.append(error_row(config.name, False))
                continue
            for subject, stats in summary["bench"].get(kind, {}).items():
                rows.append((config.name, config.emulator, subject, stats["unit"] or "-",
                             f"{stats['runs']}/{summary['runs']}", _stat(stats["n"]),
                             _stat(stats["min"]), _stat(stats["median"]),
                             _stat(stats["p99"]), _stat(stats["max"])))
                subject_names = subject_names or stats["what"]
        table(f"{title} (BENCH {kind})",
              ("config", "emulator", subject_names or "what", "unit", "runs", "n", "min",
               "median", "p99", "max"), rows, left=(0, 1, 2, 3))
    out += closing_notes(notes, garbled, {c.name: samples[c.name] for c in configs})
    return "\n".join(out)


# The timer family's tables, in order; other kinds get a generic table after.
TIMER_TITLES = {
    "timer_cost": "Cost of timer operations with N timers pending on the CPU",
    "timer_latency": "Latency from a timer's expiry to its callback",
    "timer_coalescing": "Hardware timer interrupts per expired timer on a stream of timers",
    "timer_idle": "Timer interrupts per second on a CPU without timers",
}
TIMER_COST_OPS = ("set_timer", "stop_timer", "expiry")


def _field(stats: dict | None, name: str, spec: str = "g", how: str = "median") -> str:
    """A combine_timer() result's summarized extra field, or "-"."""
    figure = None if stats is None else stats["fields"].get(name)
    return "-" if figure is None else format(figure[how], spec)


def _us(value) -> str:
    """Nanoseconds as microseconds, one decimal."""
    return "-" if value is None else f"{value / 1e3:.1f}"


def format_timer_tables(configs: list[BenchConfig], samples: dict[str, list[dict]]) -> str:
    """The timer family's tables: one per BENCH kind (TIMER_TITLES first),
    medians over the runs, then notes on failed runs."""
    summaries = {c.name: timer_summary(samples[c.name]) for c in configs}
    errors, notes, garbled = sort_runs(configs, samples, summaries)
    book = TableBook(errors)
    out, table = book.out, book.add

    def rows_for(kind: str, build) -> list:
        rows = []
        for config in configs:
            if config.name in errors:
                rows.append(book.error_row(config.name))
                continue
            summary = summaries[config.name]
            rows += build(config, summary, summary["bench"].get(kind, {}))
        return rows

    def cost_rows(config, summary, by_subject) -> list:
        by_pending: dict = {}
        for stats in by_subject.values():
            key = stats["key"]
            by_pending.setdefault(key.get("pending"), {})[key.get("op")] = stats
        rows = []
        for pending in sorted(by_pending, key=lambda p: (p is None, p or 0)):
            ops = by_pending[pending]
            measured = [st for st in ops.values() if st["runs"]]
            if not measured:
                why = _most_common(st["skipped_why"] for st in ops.values()) or "no samples"
                rows.append((config.name, config.emulator, _stat(pending), "0/"
                             f"{summary['ok']}", *["-"] * 8, f"skipped: {why}"))
                continue
            cells = []
            for op in TIMER_COST_OPS:
                st = ops.get(op)
                ran = st is not None and st["runs"]
                cells += [_stat(st["median"]) if ran else "-", _stat(st["p99"]) if ran else "-"]
            first = measured[0]
            skipped = sum(st["skipped"] for st in ops.values())
            rows.append((config.name, config.emulator, _stat(pending),
                         f"{max(st['runs'] for st in measured)}/{summary['ok']}", *cells,
                         _field(first, "heap_limit", ".0f"), _field(first, "in_list", ".0f"),
                         f"skipped in {skipped} run(s)" if skipped else ""))
        return rows

    table(f"{TIMER_TITLES['timer_cost']} (BENCH timer_cost; cycles per call, medians over "
          "the runs; expiry: one softirq running 64 due timers, per timer)",
          ("config", "emulator", "pending", "runs", "set_timer", "p99", "stop_timer", "p99",
           "expiry", "p99", "heap limit", "in list", "note"),
          rows_for("timer_cost", cost_rows), left=(0, 1, 12))

    def latency_rows(config, summary, by_subject) -> list:
        rows = []
        for subject, st in by_subject.items():
            if not st["runs"]:
                rows.append((config.name, config.emulator, st["key"].get("slack", subject),
                             *["-"] * 8, f"skipped: {st['skipped_why']}"))
                continue
            rows.append((config.name, config.emulator, st["key"].get("slack", subject),
                         f"{st['runs']}/{summary['ok']}", _stat(st["n"]), _stat(st["min"]),
                         _stat(st["median"]), _stat(st["p99"]), _stat(st["max"]),
                         _field(st, "early", ".0f", "max"), _field(st, "lost", ".0f", "max"),
                         ""))
        return rows

    table(f"{TIMER_TITLES['timer_latency']} (BENCH timer_latency, ns; deadlines 50 us to "
          "2 ms ahead, one at a time)",
          ("config", "emulator", "slack", "runs", "n", "min", "median", "p99", "max", "early",
           "lost", "note"), rows_for("timer_latency", latency_rows), left=(0, 1, 2, 11))

    def coalescing_rows(config, summary, by_subject) -> list:
        rows = []
        for subject, st in by_subject.items():
            slack = st["key"].get("slack", subject)
            if not st["runs"]:
                rows.append((config.name, config.emulator, slack, *["-"] * 11,
                             f"skipped: {st['skipped_why']}"))
                continue
            rows.append((config.name, config.emulator, slack, f"{st['runs']}/{summary['ok']}",
                         _field(st, "rate_achieved", ".0f"), _field(st, "timers", ".0f"),
                         _field(st, "interrupts", ".0f"),
                         _field(st, "interrupts_per_timer", ".3f"),
                         _field(st, "reprograms", ".0f"),
                         _us(st["median"]), _us(st["p99"]), _us(st["max"]),
                         _field(st, "early", ".0f", "max"), _field(st, "lost", ".0f", "max"),
                         ""))
        return rows

    table(f"{TIMER_TITLES['timer_coalescing']} (BENCH timer_coalescing; delays uniform in "
          "0-10 ms; lateness: callback after expiry)",
          ("config", "emulator", "slack", "runs", "timers/s", "timers", "interrupts",
           "irq/timer", "reprograms", "late med us", "p99 us", "max us", "early", "lost",
           "note"), rows_for("timer_coalescing", coalescing_rows), left=(0, 1, 2, 14))

    def idle_rows(config, summary, by_subject) -> list:
        rows = []
        for subject, st in by_subject.items():
            key = st["key"]
            if not st["runs"]:
                rows.append((config.name, config.emulator, key.get("cpu", subject),
                             key.get("state", "-"), *["-"] * 5,
                             f"skipped: {st['skipped_why']}"))
                continue
            rows.append((config.name, config.emulator, key.get("cpu", subject),
                         key.get("state", "-"), f"{st['runs']}/{summary['ok']}",
                         _field(st, "pending", ".0f", "max"),
                         _field(st, "interrupts", ".0f", "max"),
                         _stat(st["median"]), _stat(st["max"]), ""))
        return rows

    table(f"{TIMER_TITLES['timer_idle']} (BENCH timer_idle; ten 100 ms windows; pending: "
          "timers queued there at the start)",
          ("config", "emulator", "cpu", "state", "runs", "pending", "interrupts",
           "median /s", "max /s", "note"), rows_for("timer_idle", idle_rows),
          left=(0, 1, 2, 3, 9))

    others = []
    for summary in summaries.values():
        others += sorted(k for k in summary["bench"] if k not in TIMER_TITLES and k not in others)

    def generic_rows(config, summary, by_subject) -> list:
        return [(config.name, config.emulator, subject, st["unit"] or "-",
                 f"{st['runs']}/{summary['ok']}", _stat(st["n"]), _stat(st["min"]),
                 _stat(st["median"]), _stat(st["p99"]), _stat(st["max"]))
                for subject, st in by_subject.items()]

    for kind in others:
        table(f"BENCH {kind}", ("config", "emulator", "what", "unit", "runs", "n", "min",
                                "median", "p99", "max"),
              rows_for(kind, generic_rows), left=(0, 1, 2, 3))
    out += closing_notes(notes, garbled, {c.name: samples[c.name] for c in configs})
    return "\n".join(out)


# The guest family's tables, in order; other kinds get a generic table after.
GUEST_TITLES = {
    "hypercall_rtt": "Hypercall round trip",
    "vcpu_switch": "vCPU-to-vCPU switch on one CPU",
    "virq_latency": "Timer deadline to the guest's VIRQ_TIMER handler",
    "hvm_exit": "HVM exit round trip",
}


def format_guest_tables(configs: list[BenchConfig], samples: dict[str, list[dict]]) -> str:
    """The guest family's tables: one per BENCH kind (GUEST_TITLES first),
    medians over the runs, then notes on failed runs and unreadable lines."""
    summaries = {c.name: timer_summary(samples[c.name]) for c in configs}
    errors, notes, garbled = sort_runs(configs, samples, summaries)
    book = TableBook(errors)
    out, table = book.out, book.add

    def rows_for(kind: str, build) -> list:
        rows = []
        for config in configs:
            if config.name in errors:
                rows.append(book.error_row(config.name))
                continue
            summary = summaries[config.name]
            for subject, st in summary["bench"].get(kind, {}).items():
                what = ",".join(str(v) for v in st["key"].values()) or subject
                row = build(config, what, st)
                if not st["runs"]:  # skipped by every run: dashes and the reason
                    row = (*row[:3], f"0/{summary['ok']}", *["-"] * (len(row) - 5),
                           f"skipped: {st['skipped_why'] or 'no samples'}")
                else:
                    row = (*row[:3], f"{st['runs']}/{summary['ok']}", *row[4:])
                rows.append(row)
        return rows

    def stats(st: dict) -> tuple[str, ...]:
        return (_stat(st["n"]), _stat(st["min"]), _stat(st["median"]), _stat(st["p99"]),
                _stat(st["max"]))

    def skipped_note(st: dict) -> str:
        return f"skipped in {st['skipped']} run(s)" if st["skipped"] else ""

    # Each row: config, emulator, what, runs (filled in by rows_for), ..., note.
    def rtt_row(config, what, st) -> tuple:
        return (config.name, config.emulator, what, "", *stats(st),
                _field(st, "cycles_median", ".0f"), _field(st, "batch", ".0f"),
                skipped_note(st))

    table(f"{GUEST_TITLES['hypercall_rtt']} (BENCH hypercall_rtt; ns per call over batches "
          "timed with rdtsc, medians over the runs; cycles: the median batch's TSC cycles "
          "per call)",
          ("config", "emulator", "call", "runs", "n", "min", "median", "p99", "max", "cycles",
           "batch", "note"), rows_for("hypercall_rtt", rtt_row), left=(0, 1, 2, 11))

    def switch_row(config, what, st) -> tuple:
        waiting = st["fields"].get("waiting_permille")
        return (config.name, config.emulator, what, "", *stats(st),
                _field(st, "cycles_median", ".0f"),
                "-" if waiting is None else f"{waiting['median'] / 10:.1f}",
                skipped_note(st))

    table(f"{GUEST_TITLES['vcpu_switch']} (BENCH vcpu_switch; ns per switch: batches of "
          "SCHEDOP_yield between two vCPUs, each yield two switches; other %: the time the "
          "measuring vCPU waited while the other ran, 50 when they alternate)",
          ("config", "emulator", "between", "runs", "n", "min", "median", "p99", "max",
           "cycles", "other %", "note"), rows_for("vcpu_switch", switch_row),
          left=(0, 1, 2, 11))

    def latency_row(config, what, st) -> tuple:
        return (config.name, config.emulator, what, "", *stats(st),
                _field(st, "early", ".0f", "max"), _field(st, "missed", ".0f", "max"),
                skipped_note(st))

    table(f"{GUEST_TITLES['virq_latency']} (BENCH virq_latency, ns; single-shot: "
          "set_timer_op 100 us to 2 ms ahead, then SCHEDOP_block; periodic: 1 ms, spinning; "
          "early and missed: the largest over the runs)",
          ("config", "emulator", "timer", "runs", "n", "min", "median", "p99", "max", "early",
           "missed", "note"), rows_for("virq_latency", latency_row), left=(0, 1, 2, 11))

    if any(c.family == HVM for c in configs):
        table(f"{GUEST_TITLES['hvm_exit']} (BENCH hvm_exit; ns per intercepted instruction as "
              "the HVM guest sees it: the exit, its handling and VMRUN, over batches timed with "
              "rdtsc; cpuid is the cheapest round trip; hlt and self-IPI: one interrupt each, "
              "sent with interrupts off, from the send to the handler, with and without an "
              "HLT in between)",
              ("config", "emulator", "exit", "runs", "n", "min", "median", "p99", "max", "cycles",
               "batch", "note"), rows_for("hvm_exit", rtt_row), left=(0, 1, 2, 11))

    def handler_rows() -> list:
        rows = []
        for config in configs:
            if config.family != HVM or config.name in errors:
                continue
            ok = [s for s in samples[config.name] if s["ok"]]
            by_reason: dict[str, list[dict]] = collections.defaultdict(list)
            for s in ok:
                for e in s.get("hvm_exits") or []:
                    by_reason[e["reason"]].append(e)
            hz = [b["tsc_hz"] for s in ok for b in s["bench"] if b.get("tsc_hz")]
            for reason, es in by_reason.items():
                mean = statistics.median(e["mean_cycles"] for e in es)
                ns = f"{mean * 1e9 / statistics.median(hz):.0f}" if hz else "-"
                rows.append((config.name, config.emulator, f"{es[0]['domain']}: {reason}",
                             f"{len(es)}/{len(ok)}",
                             f"{statistics.median(e['count'] for e in es):.0f}",
                             f"{mean:.0f}", ns))
        return rows

    if any(c.family == HVM for c in configs):
        table("HVM exits as the hypervisor counts them (its exits line as each HVM domain "
              "ends: how many of each, and the mean TSC cycles from the exit to the next "
              "VMRUN, medians over the runs; the guest's round trip less this is the "
              "VMRUN and the exit themselves)",
              ("config", "emulator", "exit", "runs", "count", "cycles", "ns"),
              handler_rows(), left=(0, 1, 2))

    others = []
    for summary in summaries.values():
        others += sorted(k for k in summary["bench"] if k not in GUEST_TITLES
                         and k not in others)

    def generic_row(config, what, st) -> tuple:
        return (config.name, config.emulator, what, "", st["unit"] or "-", *stats(st),
                skipped_note(st))

    for kind in others:
        table(f"BENCH {kind}", ("config", "emulator", "what", "runs", "unit", "n", "min",
                                "median", "p99", "max", "note"),
              rows_for(kind, generic_row), left=(0, 1, 2, 4, 10))
    out += closing_notes(notes, garbled, {c.name: samples[c.name] for c in configs})
    return "\n".join(out)


def _pct(figure: dict | None, how: str = "median", spec: str = ".2f") -> str:
    """A summarize() result's statistic, or "-"."""
    return "-" if figure is None else format(figure[how], spec)


def _ratio(value: float | None) -> str:
    """A share (0 to 1) as a percentage: whole above 10%, else one decimal."""
    if value is None:
        return "-"
    pct = 100.0 * value
    return f"{pct:.0f}" if pct >= 10 else f"{pct:.1f}"


def format_sched_tables(configs: list[BenchConfig], samples: dict[str, list[dict]]) -> str:
    """The sched family's tables: the cost of schedule() for every
    configuration, the switch under each policy, then the credit shares,
    the EDF reservations and the gangs; medians over the runs, then notes
    on failed runs, missing Scheduler lines and unreadable lines."""
    summaries = {c.name: sched_summary(samples[c.name]) for c in configs}
    errors, notes, garbled = sort_runs(configs, samples, summaries,
                                       ("bench_errors", "sched_errors"))
    missing = [f"{config.name} run {s['run']}: {n}" for config in configs
               for s in samples[config.name] if s["ok"] for n in s.get("notes") or []]
    book = TableBook(errors)
    out, table = book.out, book.add

    def rows_for(workloads: tuple[str, ...], build) -> list:
        rows = []
        for config in configs:
            if config.workload not in workloads:
                continue
            if config.name in errors:
                rows.append(book.error_row(config.name))
                continue
            summary = summaries[config.name]
            rows += build(config, summary, f"{summary['ok']}/{summary['runs']}")
        return rows

    def cost_rows(config, summary, runs) -> list:
        sched = summary["scheduler"]
        if sched is None:
            return [(config.name, config.emulator, config.policy, config.workload, runs,
                     *["-"] * 6, "no Scheduler line")]
        return [(config.name, config.emulator, config.policy, config.workload,
                 f"{sched['runs']}/{summary['runs']}", _median(sched["calls"], ".0f"),
                 _median(sched["switches"], ".0f"), _median(sched["mean_cycles"], ".0f"),
                 _pct(sched["max_cycles"], "max", ".0f"), _median(sched["mean_ns"], ".0f"),
                 _pct(sched["max_ns"], "max", ".0f"), "")]

    table("Cost of schedule() under each policy (Scheduler line at the end of the run: TSC "
          "cycles from schedule()'s entry to the switch, all CPUs; mean: median over the runs, "
          "max: the largest; ns at test_tsc_hz=, ips under Bochs)",
          ("config", "emulator", "policy", "workload", "runs", "calls", "switches",
           "mean cycles", "max cycles", "mean ns", "max ns", "note"),
          rows_for(SCHED_WORKLOADS, cost_rows), left=(0, 1, 2, 3, 11))

    def switch_rows(config, summary, runs) -> list:
        rows = []
        switched = _ratio(summary["switched"] and summary["switched"]["median"])
        for subject, st in summary["bench"].get("vcpu_switch", {}).items():
            what = ",".join(str(v) for v in st["key"].values()) or subject
            if not st["runs"]:
                rows.append((config.name, config.emulator, config.policy, what,
                             f"0/{summary['ok']}", *["-"] * 8,
                             f"skipped: {st['skipped_why'] or 'no samples'}"))
                continue
            waiting = st["fields"].get("waiting_permille")
            note = "yields did not switch" if (
                summary["switched"] and summary["switched"]["median"] < 0.5) else ""
            rows.append((config.name, config.emulator, config.policy, what,
                         f"{st['runs']}/{summary['ok']}", _stat(st["n"]), _stat(st["min"]),
                         _stat(st["median"]), _stat(st["p99"]), _stat(st["max"]),
                         _field(st, "cycles_median", ".0f"),
                         "-" if waiting is None else f"{waiting['median'] / 10:.1f}",
                         switched, note))
        return rows

    table("vCPU-to-vCPU switch under each policy (bench.c mode=yield, BENCH vcpu_switch: ns "
          "per switch, batches of SCHEDOP_yield between two vCPUs on one CPU; other %: the "
          "time the measuring vCPU waited, 50 when they alternate; switched %: the Scheduler "
          "line's switches per two yields, 100 when every yield switches)",
          ("config", "emulator", "policy", "between", "runs", "n", "min", "median", "p99",
           "max", "cycles", "other %", "switched %", "note"),
          rows_for(("switch",), switch_rows), left=(0, 1, 2, 3, 13))

    def credit_rows(config, summary, runs) -> list:
        credit = summary["credit"]
        if credit is None:
            return [(config.name, "(no shares)")]
        domains = sorted(credit["domains"].values(), key=lambda d: d["weight"])
        return [(config.name, config.emulator, runs,
                 "/".join(str(d["weight"]) for d in domains),
                 "/".join(_pct(d["share"]) for d in domains),
                 "/".join(f"{d['ideal']:.2f}" for d in domains),
                 _pct(credit["error_pp"]), _pct(credit["error_pp"], "max"),
                 "/".join(_pct(d["migrations"], "max", ".0f") for d in domains))]

    table("Credit: three hogs of weights 1:2:4 on one CPU (SHARE lines: percent of the CPU "
          "over their window, medians over the runs; ideal: weight over the sum; error: the "
          "largest |share - ideal| of a run, percentage points, median and max over the runs)",
          ("config", "emulator", "runs", "weights", "shares %", "ideal %", "error pp",
           "max pp", "migrations"), rows_for(("credit",), credit_rows), left=(0, 1, 3, 4, 5))

    def edf_rows(config, summary, runs) -> list:
        rows = []
        for name, d in summary["edf"].items():
            reserved = d["budget_us"] is not None
            rows.append((config.name, config.emulator, name,
                         f"{d['budget_us']}/{d['period_us']} us" if reserved else "background",
                         f"{d['runs']}/{summary['ok']}",
                         _median(d["periods"], ".0f") if reserved else "-",
                         _pct(d["misses"], "max", ".0f") if reserved else "-",
                         _median(d["share"], ".2f"),
                         _median(d["reserved"], ".2f") if reserved else "-"))
        return rows or [(config.name, "(no EDF lines)")]

    table("EDF: reservations of 3 ms every 10 ms and 8 ms every 20 ms beside a background hog "
          "on one CPU (Domain ...: EDF lines; periods: median over the runs; misses: deadline "
          "misses, the most of a run, expected 0; share: SHARE lines, percent of the CPU)",
          ("config", "emulator", "domain", "budget/period", "runs", "periods", "misses",
           "share %", "reserved %"), rows_for(("edf",), edf_rows), left=(0, 1, 2, 3))

    def gang_rows(config, summary, runs) -> list:
        rows = []
        for name, d in summary["gang"].items():
            if d["gang"] is None:
                rows.append((config.name, config.emulator, name, "-", f"{d['runs']}/"
                             f"{summary['ok']}", *["-"] * 6, _median(d["share"], ".2f"),
                             "background"))
                continue
            no_slot = d["skew_median"] is None
            rows.append((config.name, config.emulator, name, _stat(d["vcpus"]),
                         f"{d['runs']}/{summary['ok']}", _median(d["slots"], ".0f"),
                         _pct(d["partial"], "max", ".0f"),
                         _median(d["skew_min"], ".0f"), _median(d["skew_median"], ".0f"),
                         _median(d["skew_p99"], ".0f"), _pct(d["skew_max"], "max", ".0f"),
                         _median(d["share"], ".2f"),
                         "no slot with every member started" if no_slot else ""))
        return rows or [(config.name, "(no gang lines)")]

    table("Gang: two gangs of two vCPUs and a background hog on two CPUs, 10 ms slots in turn "
          "(Domain ...: gang lines; slots: all members started, median over the runs; partial: "
          "the most of a run; start skew in ns, the spread of the members' switch-in times in "
          "a slot: medians over the runs, max the largest; share: SHARE lines, mean of the "
          "vCPUs)",
          ("config", "emulator", "domain", "vCPUs", "runs", "slots", "partial", "skew min",
           "median", "p99", "max", "share %", "note"), rows_for(("gang",), gang_rows),
          left=(0, 1, 2, 12))

    if missing:
        out += ["", "Runs without some lines (their figures are missing above):"]
        out += [f"  {line}" for line in missing]
    out += closing_notes(notes, garbled, {c.name: samples[c.name] for c in configs},
                         what="Lines")
    return "\n".join(out)


def format_linux_tables(configs: list[BenchConfig], samples: dict[str, list[dict]]) -> str:
    """The linux family's table: a row per configuration, cyclictest's
    figures (medians over the runs) and the Kairos rows' over the
    baseline's; then notes on failed runs."""
    summaries = {c.name: linux_summary(samples[c.name]) for c in configs}
    errors, notes, _ = sort_runs(configs, samples, summaries, ())
    base, ratios = linux_ratios(configs, summaries)
    book = TableBook(errors)
    out = book.out

    def figure(summary: dict, key: str) -> str:
        value = summary["cyclictest"][key]
        if value is None:
            return "-"
        text = _stat(value["median"])
        # A percentile among the overflows is the histogram's size, a bound.
        if summary["overflow"].get(key) and value["median"] >= (summary["hist_size"] or 0):
            return f">={text}"
        return text

    rows = []
    for config in configs:
        if config.name in errors:
            rows.append(book.error_row(config.name))
            continue
        summary = summaries[config.name]
        mine = ratios.get(config.name, {})
        note = []
        if config.bare:
            note.append("the baseline" if config.name == base else "")
        if summary["edf_misses"] is not None:
            note.append(f"EDF deadline misses {_pct(summary['edf_misses'], 'max', '.0f')}")
        if len(summary["clocksources"]) > 1:
            note.append("clocksources " + "/".join(summary["clocksources"]))
        rows.append((config.name, f"{summary['ok']}/{summary['runs']}",
                     summary["clocksource"] or "-", figure(summary, "n"),
                     figure(summary, "overflows"),
                     *[figure(summary, k) for k in ("min", "avg", "median", "p99", "max")],
                     *[_fmt(mine.get(k), ".2f") for k in ("avg", "p99", "max")],
                     _median(summary["wall_s"], ".1f"), ", ".join(n for n in note if n)))
    args = next((a for s in summaries.values() for a in s["cyclictest_args"]),
                configs[0].cyclictest.replace(",", " "))
    book.add(f"Linux guest timer latency (cyclictest {args} in a guest of one vCPU: the "
             "wake-ups' lateness in us, all the run's samples; medians over the runs; /bare: "
             f"the median over {base or LINUX_BASELINE}'s, Linux on QEMU without Kairos, "
             "booted in the same invocation)",
             ("config", "runs", "clocksource", "samples", "overflows", "min", "avg", "median",
              "p99", "max", "avg/bare", "p99/bare", "max/bare", "wall s", "note"),
             rows, left=(0, 2, 14))
    if base is None and any(c.bare for c in configs):
        out += ["", f"No ratios: {LINUX_BASELINE} has no successful run."]
    arguments = {a for s in summaries.values() for a in s["cyclictest_args"]}
    if len(arguments) > 1:
        out += ["", "Runs with other cyclictest arguments (the rows do not compare): "
                + "; ".join(sorted(arguments))]
    out += failed_runs_notes(notes, {c.name: samples[c.name] for c in configs})
    return "\n".join(out)


def format_boot_table(configs: list[BenchConfig], samples: dict[str, list[dict]]) -> str:
    """The boot family's table: per configuration, hand-off (the first
    instruction) to every CPU online, median with min and max, then the
    median of each phase and of the total, in ms."""
    header = ("config", "CPUs", "MiB", "runs", "online ms", "min", "max",
              *boot_timeline.PHASES, "total")
    rows = []
    notes = []
    for config in configs:
        runs = samples[config.name]
        summary = boot_summary(runs)
        notes += [f"{config.name} run {s['run']}: {s['error']}" for s in runs
                  if not s["ok"] and summary["ok"]]
        if not summary["ok"]:
            rows.append((config.name, f"ERROR ({len(runs)} of {len(runs)} runs): "
                         + " | ".join(sorted({str(s["error"]) for s in runs}))))
            continue
        online = summary["online_ms"]
        rows.append((config.name, str(config.smp), str(config.mem),
                     f"{summary['ok']}/{summary['runs']}", f"{online['median']:.1f}",
                     f"{online['min']:.1f}", f"{online['max']:.1f}",
                     *(_median(summary["phases"][p], ".1f") for p in boot_timeline.PHASES),
                     _median(summary["total_ms"], ".1f")))
    return "\n".join(["Boot timeline (ms from the first instruction)"]
                     + render_table(header, rows)
                     + failed_runs_notes(notes, {c.name: samples[c.name] for c in configs}))


def _us1(ns: int) -> str:
    return f"{ns / 1000:.1f}"


def _lat_ratio(x: int, base: int | None) -> str:
    return f"{x / base:.2f}" if base and base > 0 else "-"


def format_latency_tables(configs: list[BenchConfig], samples: dict[str, list[dict]]) -> str:
    """The latency family's table: per emulator, policy and timer, a row per
    number of hogs, in us, with the median and p99 over the alone row's."""
    summaries = {c.name: latency_summary(samples[c.name]) for c in configs}
    errors, notes, garbled = sort_runs(configs, samples, summaries, ())
    table = TableBook(errors)
    header = ("config", "timer", "policy", "hogs", "n", "min us", "median us", "p99 us",
              "max us", "median x", "p99 x")
    for emulator in ("bochs", "qemu"):
        rows: list = []
        for c in configs:
            if c.emulator != emulator:
                continue
            timer, hogs = c.workload.split(":")
            s = summaries[c.name]
            if c.name in errors:
                rows.append(table.error_row(c.name))
                continue
            alone = summaries.get(c.name.replace(f"-hog{hogs}-", "-hog0-"), {})
            rows.append((c.name, timer, c.policy, hogs, str(s["n"]), _us1(s["min"]),
                         _us1(s["median"]), _us1(s["p99"]), _us1(s["max"]),
                         _lat_ratio(s["median"], alone.get("median")),
                         _lat_ratio(s["p99"], alone.get("p99"))))
        if rows:
            title = ("Virtual timer latency, deadline to guest handler "
                     f"({'Bochs, deterministic' if emulator == 'bochs' else 'QEMU TCG'}; "
                     "x: over the same policy and timer alone)")
            table.add(title, header, rows, (0, 1, 2))
    return "\n".join(table.out + closing_notes(notes, garbled, samples))


def format_report(configs: list[BenchConfig], samples: dict[str, list[dict]]) -> str:
    """Every family's tables: smp, time, timer, guest, sched, then linux."""
    smp = [c for c in configs if c.family == SMP]
    boot_ = [c for c in configs if c.family == BOOT]
    time_ = [c for c in configs if c.family == TIME]
    timer = [c for c in configs if c.family == TIMER]
    guest = [c for c in configs if c.family in (GUEST, HVM)]
    sched = [c for c in configs if c.family == SCHED]
    linux = [c for c in configs if c.family == LINUX]
    latency = [c for c in configs if c.family == LATENCY]
    sections = []
    if smp:
        sections.append(("AP bring-up\n" if time_ or timer or guest or sched or linux else "")
                        + format_table(smp, samples))
    if boot_:
        sections.append(format_boot_table(boot_, samples))
    if time_:
        sections.append(format_time_tables(time_, samples))
    if timer:
        sections.append(format_timer_tables(timer, samples))
    if guest:
        sections.append(format_guest_tables(guest, samples))
    if sched:
        sections.append(format_sched_tables(sched, samples))
    if linux:
        sections.append(format_linux_tables(linux, samples))
    if latency:
        sections.append(format_latency_tables(latency, samples))
    return "\n\n".join(sections)


def write_json(path: Path, env: dict, args: argparse.Namespace, configs: list[BenchConfig],
               samples: dict[str, list[dict]]) -> None:
    """Writes the report: the environment, then each config with its samples."""
    report = dict(env)
    report["cmdline"] = args.cmdline  # None: each family's own selection
    report["quick"] = args.quick
    report["tests"] = {c.family: c.tests(args.cmdline) for c in configs}
    report["jobs"] = args.jobs
    report["configs"] = [
        {**dataclasses.asdict(c), "tests": c.tests(args.cmdline), "samples": samples[c.name],
         "summary": SUMMARIES[c.family](samples[c.name])}
        for c in configs
    ]
    linux = [c for c in configs if c.family == LINUX]
    if linux:  # each figure over the baseline's
        base, ratios = linux_ratios(linux, {c["name"]: c["summary"] for c in report["configs"]
                                            if c["family"] == LINUX})
        for entry in report["configs"]:
            if entry["family"] == LINUX:
                entry["summary"]["baseline"] = base
                entry["summary"]["vs_baseline"] = ratios.get(entry["name"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")


# ---------------------------------------------------------------------------


def display_path(path: Path) -> str:
    """path relative to the current directory if it is under it, else absolute."""
    path = path.resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def select(configs: list[BenchConfig], pattern: str | None, quick: bool) -> list[BenchConfig]:
    """The configurations --filter and --quick keep, in table order."""
    return [c for c in configs
            if (pattern is None or re.search(pattern, c.name)) and not (quick and c.slow)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kernel", type=Path, required=True, help="the kernel ELF")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS,
                        help=f"runs per QEMU configuration (default {DEFAULT_RUNS})")
    parser.add_argument("--bochs-runs", type=int, default=DEFAULT_BOCHS_RUNS,
                        help=f"runs per Bochs configuration (default {DEFAULT_BOCHS_RUNS})")
    parser.add_argument("--filter", metavar="REGEX", help="configurations whose name matches")
    parser.add_argument("--quick", action="store_true",
                        help="1 run each, without the slow configurations (300 CPUs, Bochs 4, "
                        "the sched family's Bochs runs), the timer family up to 100,000 "
                        "pending timers, the guest family and the sched family's switches "
                        "200 samples per figure, the sched family's hogs 1 s, the linux "
                        "family's cyclictest 2 s and its hog 45 s")
    parser.add_argument("--jobs", type=int, default=MAX_JOBS,
                        help=f"emulators at once (default {MAX_JOBS})")
    parser.add_argument("--cmdline", default=None,
                        help="the test selection before each config's options, for every "
                        "family but guest, sched, hvm and linux (default: "
                        + ", ".join(f"{f}: {t}" for f, t in FAMILY_TESTS.items() if t)
                        + "); it must end in a PASS verdict")
    parser.add_argument("--json", type=Path, default=JSON_OUT, help="where the report goes")
    parser.add_argument("--list", action="store_true", help="list the configurations and stop")
    args = parser.parse_args(argv)
    args.jobs = max(1, args.jobs)

    configs = select(CONFIGS, args.filter, args.quick)
    if args.list:
        for c in configs:
            print(c.name)
        return 0
    if not configs:
        print(f"bench.py: no configuration matches {args.filter!r}", file=sys.stderr)
        return 2
    if not args.kernel.is_file():
        print(f"bench.py: {args.kernel} does not exist (make build/kairos.elf)",
              file=sys.stderr)
        return 1
    runs = {c.name: 1 if args.quick else max(1, args.bochs_runs if c.emulator == "bochs"
                                             else args.runs)
            for c in configs}

    print(f"bench: {sum(runs.values())} boots of {len(configs)} configurations, "
          f"{args.jobs} at a time", file=sys.stderr, flush=True)
    busy = host_busy()
    if busy is not None and busy > BUSY_WARNING:
        print(f"bench: warning: the host is {busy:.0%} busy before the first boot; "
              "the figures will show it", file=sys.stderr, flush=True)
    prepare_guests(configs)
    try:
        samples = run_all(configs, runs, args.kernel.resolve(), args.jobs, args.cmdline,
                          args.quick)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    env = environment(samples, configs)
    env["host_busy_before"] = busy
    print(format_report(configs, samples))
    versions = "; ".join(f"{v}" for v in env["emulators"].values() if v)
    tsc = env["host_tsc"]
    host_tsc = (f"; host TSC {tsc['hz'] / 1e6:.3f} MHz (error <= {tsc['error_ppm']:g} ppm)"
                if tsc else "")
    print(f"\n{versions}; host nproc {env['host_nproc']}{host_tsc}; git {env['git']}; "
          f"{env['date']}")
    write_json(args.json, env, args, configs, samples)
    print(f"raw samples: {display_path(args.json)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
