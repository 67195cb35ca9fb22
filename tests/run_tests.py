#!/usr/bin/env python3
"""Run every Kairos test and print one summary: what `make test` runs.

    tests/run_tests.py [--unit-only] [--kernel build/kairos.elf]
                       [--fuzz FUZZ_BIN]... [--filter REGEX] [--jobs N]
                       [--verbose] UNIT_BIN...

Five groups, in order:
  unit     each cmocka binary, run with CMOCKA_MESSAGE_OUTPUT=TAP; every
           TAP case is a test; a binary that crashes or exits non-zero
           without failing a case is one more failed test
  fuzz     each libFuzzer binary for FUZZ_SECONDS on a copy of its seed
           corpus (build/fuzz/corpus/<binary>/); one test per binary, failed
           by a crash, whose reproducer is kept in build/fuzz/artifacts/
  style    every tracked C file, checked with clang-format --dry-run
           against .clang-format (skipped without clang-format or git)
  harness  the harness's own unittest tests (tests/harness/test_*.py)
  boot     every config of the boot matrix (tests/harness/matrix.py) that
           --filter selects, at most --jobs emulators at once; a boot that
           expects a PASS counts each KTAP case as a test, and every boot
           counts one test for its own verdict and log patterns
--unit-only runs the unit group only. The last line printed is always
`N passed, N failed` (`, N skipped` added when some were skipped); the exit
status is 1 if anything failed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

HARNESS = Path(__file__).resolve().parent / "harness"
sys.path.insert(0, str(HARNESS))

import boot  # noqa: E402
import ktap  # noqa: E402
import matrix  # noqa: E402

UNIT_TIMEOUT = 300  # seconds per unit-test binary (sanitizers are slow)
MAX_JOBS = 2  # emulators at once: the build machine has two cores
OUTPUT_LINES = 40  # lines of a failing unit binary's stderr shown (half that of stdout)
FUZZ_SECONDS = 10  # per fuzz target: bounded, so `make test` stays quick
FUZZ_RSS_MB = 1024


def indent(text: str, pad: str = "      ") -> str:
    return "\n".join(pad + line for line in text.splitlines())


def tail(text: str, lines: int) -> str:
    kept = text.rstrip().splitlines()
    cut = len(kept) - lines
    return (f"(... {cut} lines cut)\n" if cut > 0 else "") + "\n".join(kept[-lines:])


def head(text: str, lines: int) -> str:
    kept = text.rstrip().splitlines()
    cut = len(kept) - lines
    return "\n".join(kept[:lines]) + (f"\n(... {cut} lines cut)" if cut > 0 else "")


# ---------------------------------------------------------------------------
# Unit tests (cmocka)


def exit_problem(returncode: int | None, groups: list[ktap.TapGroup],
                 any_failed: bool) -> str | None:
    """Why a binary that ran to its end is broken beyond its TAP, or None."""
    if not groups:
        return f"no TAP output (exit status {returncode})"
    if any(not group.finished for group in groups):
        return f"stopped in the middle of a group (exit status {returncode})"
    if returncode != 0 and not any_failed:
        return f"exit status {returncode} although every case passed"
    return None


def run_unit_binary(path: str, verbose: bool) -> ktap.Counts:
    """Runs one cmocka binary, prints its line (and details on failure)."""
    counts = ktap.Counts()
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP")
    start = time.monotonic()
    problem = None
    try:
        proc = subprocess.run([path], env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=UNIT_TIMEOUT, check=False)
        stdout = proc.stdout.decode(errors="replace")
        stderr = proc.stderr.decode(errors="replace")
        returncode: int | None = proc.returncode
    except subprocess.TimeoutExpired as err:
        stdout = (err.stdout or b"").decode(errors="replace")
        stderr = (err.stderr or b"").decode(errors="replace")
        returncode = None
        problem = f"did not finish in {UNIT_TIMEOUT} s"
    except OSError as err:
        stdout, stderr, returncode = "", "", None
        problem = f"cannot run it: {err}"
    elapsed = time.monotonic() - start

    groups = ktap.parse_cmocka_tap(stdout)
    failures = []
    for group in groups:
        for case in group.cases:
            counts.add(case.status)
            if case.status == ktap.FAIL:
                failures.append((group, case))
    if problem is None:
        problem = exit_problem(returncode, groups, bool(failures))
    if problem and not failures:
        counts.failed += 1  # the binary itself, so that the failure shows

    name = Path(path).name
    state = "FAILED" if problem or failures else "ok"
    print(f"  {name:<28} {state:<6} {counts}  ({elapsed:.1f} s)")
    for group, case in failures:
        print(f"    FAIL {group.name + '.' if group.name else ''}{case.name}"
              + (f"  ({case.reason})" if case.reason else ""))
        if case.diagnostics:
            print(indent("\n".join(case.diagnostics), "        # "))
    if problem:
        print(f"    {problem}")
    if problem or failures or verbose:
        if stdout.strip():
            print(f"    --- stdout of {path} (the end):")
            print(indent(tail(stdout, OUTPUT_LINES // 2)))
        if stderr.strip():  # sanitizer reports put the essentials first
            print(f"    --- stderr of {path} (the start):")
            print(indent(head(stderr, OUTPUT_LINES)))
    return counts


def run_unit_group(binaries: list[str], verbose: bool) -> ktap.Counts:
    total = ktap.Counts()
    print(f"== unit tests ({len(binaries)} binaries)")
    for path in binaries:
        total += run_unit_binary(path, verbose)
    return total


# ---------------------------------------------------------------------------
# Fuzz targets (libFuzzer)


def run_fuzz_target(path: str, verbose: bool) -> ktap.Counts:
    """Fuzzes one binary for FUZZ_SECONDS; one test, failed by a crash."""
    binary = Path(path)
    seeds = binary.parent / "corpus" / binary.name
    artifacts = binary.parent / "artifacts" / binary.name
    artifacts.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    problem = None
    # New inputs go to a scratch copy: the seed corpus stays as generated.
    with tempfile.TemporaryDirectory(prefix=f"{binary.name}-") as corpus:
        if seeds.is_dir():
            for seed in seeds.iterdir():
                if seed.is_file() and not seed.name.startswith("."):
                    shutil.copy(seed, corpus)
        command = [str(binary), f"-max_total_time={FUZZ_SECONDS}",
                   f"-rss_limit_mb={FUZZ_RSS_MB}", f"-artifact_prefix={artifacts}/",
                   "-print_final_stats=1", corpus]
        try:
            proc = subprocess.run(command, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  timeout=FUZZ_SECONDS * 3 + 60, check=False)
            output = proc.stdout.decode(errors="replace")
            if proc.returncode != 0:
                problem = f"exit status {proc.returncode}"
        except subprocess.TimeoutExpired as err:
            output = (err.stdout or b"").decode(errors="replace")
            problem = "did not stop on time"
        except OSError as err:
            output = ""
            problem = f"cannot run it: {err}"
    elapsed = time.monotonic() - start

    runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", output)
    rate = re.search(r"stat::average_exec_per_sec:\s*(\d+)", output)
    stats = f"{runs.group(1)} runs, {rate.group(1)} exec/s" if runs and rate else "no stats"
    print(f"  {binary.name:<28} {'FAILED' if problem else 'ok':<6} {stats}  ({elapsed:.1f} s)")
    if problem:
        print(f"    {problem}")
        for reproducer in re.findall(r"Test unit written to (\S+)", output):
            print(f"    reproducer: {reproducer}  (rerun: {binary} {reproducer})")
    if problem or verbose:
        print(f"    --- output of {binary.name} (the start):")
        print(indent(head(output, OUTPUT_LINES)))
    return ktap.Counts(failed=1) if problem else ktap.Counts(passed=1)


def run_fuzz_group(binaries: list[str], verbose: bool) -> ktap.Counts:
    total = ktap.Counts()
    print(f"== fuzz targets ({len(binaries)} binaries, {FUZZ_SECONDS} s each)")
    for path in binaries:
        total += run_fuzz_target(path, verbose)
    return total


# ---------------------------------------------------------------------------
# Style: every C file as the project's .clang-format has it


def run_style_group(verbose: bool) -> ktap.Counts:
    """One case per tracked C file: clang-format would leave it as it is."""
    print("== style (clang-format --dry-run on the tracked C files)")
    root = HARNESS.parent.parent
    listed = subprocess.run(["git", "ls-files", "*.c", "*.h"], cwd=root,
                            capture_output=True, text=True)
    if shutil.which("clang-format") is None or listed.returncode != 0:
        why = "clang-format not installed" if listed.returncode == 0 else "not a git checkout"
        print(f"  skipped: {why}")
        return ktap.Counts(skipped=1)
    counts = ktap.Counts()
    for name in listed.stdout.split():
        check = subprocess.run(["clang-format", "--dry-run", "-Werror", name], cwd=root,
                               capture_output=True, text=True)
        if check.returncode == 0:
            counts.passed += 1
        else:
            counts.failed += 1
            print(f"  {name}: not formatted (make format)")
            if verbose:
                print(indent(head(check.stderr, 20), "    "))
    print(f"  {counts}")
    return counts


# ---------------------------------------------------------------------------
# The harness's own tests


class _CountingResult(unittest.TextTestResult):
    """Counts passes too (unittest only keeps failures and skips)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.passed = 0

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1


def run_harness_group(verbose: bool) -> ktap.Counts:
    print("== harness self-tests (tests/harness/test_*.py)")
    suite = unittest.defaultTestLoader.discover(str(HARNESS), pattern="test_*.py",
                                                top_level_dir=str(HARNESS))
    stream = io.StringIO()
    runner = unittest.TextTestRunner(stream=stream, resultclass=_CountingResult,
                                     verbosity=2 if verbose else 1)
    result = runner.run(suite)
    counts = ktap.Counts(passed=result.passed, skipped=len(result.skipped),
                         failed=len(result.failures) + len(result.errors)
                         + len(result.unexpectedSuccesses))
    print(f"  {counts}")
    if counts.failed or verbose:
        print(indent(stream.getvalue().rstrip(), "    "))
    return counts


# ---------------------------------------------------------------------------
# The boot matrix


def expected_seconds(config: boot.BootConfig) -> float:
    """A rough boot time, to start the long boots first (TCG, measured:
    SeaBIOS to a verdict ~0.7 s, OVMF ~5 s, of which ~4.5 s in OVMF)."""
    if config.expect == boot.EXPECT_IDLE:
        return config.timeout
    if config.emulator == "bochs":
        return 3.0 * config.smp
    return 5.0 if config.firmware == "uefi" else 1.0


def boot_counts(result: boot.BootResult) -> ktap.Counts:
    """KTAP cases (for boots that expect a PASS) plus the boot's own verdict."""
    counts = result.report.counts() if result.config.expect == boot.EXPECT_PASS else ktap.Counts()
    counts.add(ktap.PASS if result.ok else ktap.FAIL)
    return counts


def run_boot_group(kernel: Path | None, pattern: str | None, jobs: int,
                   verbose: bool) -> ktap.Counts:
    matrix.check_matrix(matrix.MATRIX)
    configs = [c for c in matrix.MATRIX if pattern is None or re.search(pattern, c.name)]
    print(f"== boot matrix ({len(configs)} of {len(matrix.MATRIX)} machines, "
          f"{jobs} at a time)")
    total = ktap.Counts()
    if kernel is None or not kernel.exists():
        why = "no --kernel given" if kernel is None else f"{kernel} does not exist"
        print(f"  skipped: {why}")
        total.skipped = len(configs)
        return total

    results: dict[str, boot.BootResult] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(boot.run_boot, c, kernel=kernel): c
                   for c in sorted(configs, key=expected_seconds, reverse=True)}
        try:
            for future in concurrent.futures.as_completed(futures):
                result = future.result()
                results[result.config.name] = result
                ktap_text = (f"  KTAP {result.report.counts()}"
                             if result.config.expect == boot.EXPECT_PASS
                             and result.report.found else "")
                print(f"  {result.config.name:<16} {'ok' if result.ok else 'FAILED':<6} "
                      f"{result.outcome.detail} ({result.duration:.1f} s){ktap_text}",
                      flush=True)
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            boot.kill_running()
            raise

    for config in configs:  # details in matrix order, after the progress lines
        result = results[config.name]
        total += boot_counts(result)
        if verbose and result.report.found:
            print(f"--- {config.name} KTAP:")
            print(indent(result.report.format_tree(), "    "))
        if not result.ok:
            print(boot.describe_failure(result))
        elif result.report.failures() and config.expect == boot.EXPECT_PASS:
            print(f"--- {config.name}: KTAP failures")
            print(indent(result.report.format_tree(), "    "))
    return total


# ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("unit_binaries", nargs="*", metavar="UNIT_BIN")
    parser.add_argument("--unit-only", action="store_true", help="run the unit tests only")
    parser.add_argument("--kernel", type=Path, help="kernel ELF for the boot matrix")
    parser.add_argument("--fuzz", action="append", default=[], metavar="FUZZ_BIN",
                        help="libFuzzer binary to run for a bounded time (repeatable)")
    parser.add_argument("--filter", metavar="REGEX", help="boot only configs whose name matches")
    parser.add_argument("--jobs", type=int, default=MAX_JOBS, help="emulators at once")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)

    groups: list[tuple[str, ktap.Counts]] = []
    try:
        groups.append(("unit tests", run_unit_group(args.unit_binaries, args.verbose)))
        if not args.unit_only:
            if args.fuzz:
                groups.append(("fuzz targets", run_fuzz_group(args.fuzz, args.verbose)))
            groups.append(("style", run_style_group(args.verbose)))
            groups.append(("harness self-tests", run_harness_group(args.verbose)))
            groups.append(("boot matrix", run_boot_group(args.kernel, args.filter,
                                                         max(1, args.jobs), args.verbose)))
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130

    total = ktap.Counts()
    print("== summary")
    for name, counts in groups:
        print(f"  {name:<20} {counts}")
        total += counts
    print(total)
    return 1 if total.failed else 0


if __name__ == "__main__":
    sys.exit(main())
