#!/usr/bin/env python3
"""Benchmark AP bring-up: what `make bench` runs.

    tests/bench/bench.py --kernel build/kairos.elf [--runs N] [--bochs-runs N]
                         [--filter REGEX] [--quick] [--jobs N] [--json PATH]
                         [--cmdline "test=..."] [--list]

Boots the kernel with `test=smp.all_listed_cpus_online` (one quick case, so
that every boot ends with a verdict soon after bring-up; --cmdline changes
it) on each configuration of CONFIGS, several times, at
most --jobs emulators at once, through the boot harness
(tests/harness/boot.py). From each serial log it reads the kernel's line

    SMP: <n> CPUs online (<a> of <w> APs started in <ms>.<frac> ms, <m> Mcycles)

(`SMP: 1 CPU` or `SMP: disabled by ...; 1 CPU` count as 0 ms), and from the
harness the wall time from the emulator's start to the verdict. It prints a
table to stdout (progress goes to stderr) and writes every raw sample, the
emulator versions, the host and the git revision to build/bench/bench.json.

A benchmark never fails on a number. A boot that fails (no PASS verdict, no
SMP line) is an error row, or a note under the table if other runs of the
same configuration succeeded, and the rest goes on. The exit status is 0
unless the benchmark could not run at all (no kernel, no configuration
selected). Each run's artifacts stay in build/boots/bench-<config>-<run>/.
"""

from __future__ import annotations

import argparse
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
import ktap  # noqa: E402

REPO = boot.REPO
JSON_OUT = REPO / "build" / "bench" / "bench.json"
# One quick case of the smp suite (tests/kernel/smp_test.c): the boot ends
# with a verdict soon after bring-up. The whole suite (test=smp) holds stress
# cases that take seconds to minutes under TCG with many CPUs; --cmdline
# picks another selection.
CMDLINE = "test=smp.all_listed_cpus_online"
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
    cmdline: str = ""  # added after CMDLINE
    timeout: float = 60.0  # seconds; only matters when a boot hangs
    slow: bool = False  # left out by --quick

    def boot_config(self, run: int, tests: str = CMDLINE) -> boot.BootConfig:
        """The harness's config for run number `run` (1-based); tests is the
        command line's test selection, before the config's own options."""
        return boot.BootConfig(
            f"bench-{self.name}-{run}", machine=self.machine, smp=self.smp, mem=self.mem,
            firmware=self.firmware, cpu=self.cpu, emulator=self.emulator,
            cmdline=f"{tests} {self.cmdline}".strip(), timeout=self.timeout)

    def expected_seconds(self) -> float:
        """A rough boot time on the build machine, to start long boots first."""
        if self.emulator == "bochs":
            return 3.0 * self.smp
        if self.firmware == "uefi":
            return 5.0
        return 1.0 + self.smp / 25  # SeaBIOS starts every CPU too: 300 take ~12 s


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


# ---------------------------------------------------------------------------
# Running


def run_sample(config: BenchConfig, run: int, kernel: Path, tests: str = CMDLINE) -> dict:
    """Boots one run of a configuration; returns its raw sample."""
    boot_config = config.boot_config(run, tests)
    sample = {"run": run, "ok": False, "error": None, "cpus_online": None,
              "aps_started": None, "aps_wanted": None, "bringup_ms": None, "mcycles": None,
              "wall_s": None, "kernel": None, "artifacts": None}
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
    smp = parse_smp_line(log)
    if smp is not None:
        sample.update(cpus_online=smp.cpus_online, aps_started=smp.aps_started,
                      aps_wanted=smp.aps_wanted, bringup_ms=smp.bringup_ms,
                      mcycles=smp.mcycles)
    if not result.ok:
        sample["error"] = "; ".join(result.reasons)
    elif smp is None:
        sample["error"] = "no SMP summary line in the serial log"
    else:
        sample["ok"] = True
    return sample


BANNER_RE = re.compile(r"^Kairos microhypervisor .*")


def kernel_banner(log: str) -> str | None:
    """The kernel's first line (version, git revision, compiler), if printed."""
    for raw in log.splitlines():
        if (m := BANNER_RE.match(ktap.clean_line(raw))) is not None:
            return m.group(0).strip()
    return None


def run_all(configs: list[BenchConfig], runs: dict[str, int], kernel: Path,
            jobs: int, tests: str = CMDLINE) -> dict[str, list[dict]]:
    """Runs every sample, longest boots first; returns samples by config name."""
    work = [(c, r) for c in sorted(configs, key=BenchConfig.expected_seconds, reverse=True)
            for r in range(1, runs[c.name] + 1)]
    samples: dict[str, list[dict]] = {c.name: [] for c in configs}
    total = len(work)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(run_sample, c, r, kernel, tests): (c, r) for c, r in work}
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
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "git": first_line(["git", "describe", "--always", "--dirty"]),
        "host_nproc": os.cpu_count(),
        "host": first_line(["uname", "-srm"]),
        "emulators": versions,
    }


# ---------------------------------------------------------------------------
# Output


def format_table(configs: list[BenchConfig], samples: dict[str, list[dict]]) -> str:
    """The table: one row per configuration, notes on failed runs below it."""
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
    full = [header] + [r for r in rows if len(r) == len(header)]
    widths = [max(len(r[i]) for r in full) for i in range(len(header))]
    widths[0] = max(len(r[0]) for r in [header] + rows)
    right = set(range(1, len(header)))

    def line(row: tuple[str, ...]) -> str:
        if len(row) != len(header):  # an error row
            return f"{row[0]:<{widths[0]}}  {row[1]}"
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
                 for i, cell in enumerate(row)]
        return "  ".join(cells).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)] + [line(r) for r in rows]
    if notes:
        out += ["", "failed runs (left out of the figures above):"]
        out += [f"  {note}" for note in notes]
    if any(not s["ok"] for runs in samples.values() for s in runs):
        out += ["", "A failed run's logs are in build/boots/bench-<config>-<run>/ "
                "(serial.log, the emulator's own logs, command.sh)."]
    return "\n".join(out)


def write_json(path: Path, env: dict, args: argparse.Namespace, configs: list[BenchConfig],
               samples: dict[str, list[dict]]) -> None:
    """Writes the report: the environment, then each config with its samples."""
    report = dict(env)
    report["cmdline"] = args.cmdline
    report["jobs"] = args.jobs
    report["configs"] = [
        {**dataclasses.asdict(c), "samples": samples[c.name],
         "summary": sample_summary(samples[c.name])}
        for c in configs
    ]
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
                        help="1 run each, without the slow configurations (300 CPUs, Bochs 4)")
    parser.add_argument("--jobs", type=int, default=MAX_JOBS,
                        help=f"emulators at once (default {MAX_JOBS})")
    parser.add_argument("--cmdline", default=CMDLINE,
                        help=f"the kernel's command line before each config's options "
                        f"(default {CMDLINE}); it must end in a PASS verdict")
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
    try:
        samples = run_all(configs, runs, args.kernel.resolve(), args.jobs, args.cmdline)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    env = environment(samples, configs)
    env["host_busy_before"] = busy
    print(format_table(configs, samples))
    versions = "; ".join(f"{v}" for v in env["emulators"].values() if v)
    print(f"\n{versions}; host nproc {env['host_nproc']}; git {env['git']}; {env['date']}")
    write_json(args.json, env, args, configs, samples)
    print(f"raw samples: {display_path(args.json)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
