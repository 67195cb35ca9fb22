"""Tests of the cyclictest histogram parser (cyclictest.py):
python3 -m unittest tests/harness/test_cyclictest.py

The real output comes from tests/harness/data/: serial logs of the Linux
guest on bare QEMU (tests/harness/linux_guest.py, -smp 1 and 2: one and two
threads, the all-zero rows dropped by /init) and cyclictest run on a host
with -h 50 (every row kept, overflows, an overflow list cut at 50 with
"# 00152 others").
"""

import math
import os
import sys
import unittest
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cyclictest  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"


def read(name: str) -> str:
    return (DATA / name).read_text(errors="replace")


def samples(thread: cyclictest.ThreadResult) -> list[float]:
    """Every sample, sorted: each bucket's value, then the overflows as inf."""
    out: list[float] = []
    for bucket in sorted(thread.buckets):
        out += [bucket] * thread.buckets[bucket]
    return out + [math.inf] * (thread.overflows or 0)


def nearest_rank(values: list[float], q: float) -> float:
    return values[max(1, math.ceil(q * len(values) / 100 - 1e-9)) - 1]


def block(text: str) -> list[str]:
    """The lines from "# Histogram" to the last "# Thread" line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.rstrip("\r") == "# Histogram")
    end = max(i for i, line in enumerate(lines) if line.startswith("# Thread "))
    return lines[start:end + 1]


class RealOutputTest(unittest.TestCase):
    """The figures of captured runs, and percentiles checked against the
    samples spelt out."""

    def check_percentiles(self, thread):
        values = samples(thread)
        self.assertEqual(len(values), thread.count)
        for q in (50, 90, 99, 99.9, 100):
            want = nearest_rank(values, q)
            got = thread.percentile(q)
            if want == math.inf:
                self.assertTrue(got.overflow, q)
            else:
                self.assertEqual((got.us, got.overflow), (want, False), q)

    def test_two_threads(self):
        result = cyclictest.parse(read("linux-baseline-smp2.log"), hist_size=20000)
        self.assertTrue(result.complete, result.problems)
        self.assertEqual(len(result.threads), 2)
        t0, t1 = result.threads
        self.assertEqual((t0.total, t0.min_us, t0.avg_us, t0.max_us, t0.overflows),
                         (2659, 36, 287, 11746, 0))
        self.assertEqual((t1.total, t1.min_us, t1.avg_us, t1.max_us, t1.overflows),
                         (2643, 16, 305, 9668, 0))
        self.assertEqual(min(t0.buckets), 36)
        self.assertEqual(max(t0.buckets), 11746)
        for thread in result.threads:
            self.check_percentiles(thread)
        merged = result.merged()
        self.assertEqual((merged.thread, merged.count, merged.min_us, merged.max_us),
                         (-1, 5302, 16, 11746))
        self.assertEqual(merged.avg_us, round((287 * 2659 + 305 * 2643) / 5302))
        self.check_percentiles(merged)
        self.assertIn("all threads: n=5302 min=16", result.summary())

    def test_one_thread(self):
        result = cyclictest.parse(read("linux-baseline-smp1.log"), hist_size=20000)
        self.assertTrue(result.complete, result.problems)
        (t0,) = result.threads
        self.assertEqual((t0.count, t0.min_us, t0.avg_us, t0.max_us), (2952, 12, 173, 4285))
        self.check_percentiles(t0)
        self.assertEqual(t0.overflow_cycles, [])
        self.assertNotIn("all threads", result.summary())

    def test_overflows_and_every_row(self):
        result = cyclictest.parse(read("cyclictest-host-h50.txt"), hist_size=50)
        self.assertTrue(result.complete, result.problems)
        t0, t1 = result.threads
        self.assertEqual((t0.total, t0.overflows, t0.count), (1952, 48, 2000))
        self.assertEqual((t1.total, t1.overflows, t1.count), (1795, 202, 1997))
        self.assertNotIn(0, t0.buckets)  # the all-zero rows leave no bucket
        self.assertEqual(len(t0.overflow_cycles), 48)
        self.assertEqual((len(t1.overflow_cycles), t1.overflow_cycles_unlisted), (50, 152))
        # 48 of 2000 overflow: p99 is among them, the median is not.
        self.assertEqual(t0.median, cyclictest.Percentile(50, 32))
        self.assertEqual(t0.p99, cyclictest.Percentile(99, 50, overflow=True))
        self.assertEqual(str(t0.p99), ">=50 (overflow)")
        self.assertIn("48 overflows (>= 50 us)", t0.summary())
        for thread in result.threads:
            self.check_percentiles(thread)

    def test_size_unknown(self):
        t0 = cyclictest.parse(read("cyclictest-host-h50.txt")).threads[0]
        self.assertEqual(str(t0.p99), ">histogram (overflow)")


class PrefixTest(unittest.TestCase):
    """Serial-log prefixes before cyclictest's lines."""

    def setUp(self):
        self.lines = block(read("linux-baseline-smp2.log"))
        self.want = cyclictest.parse(self.lines, hist_size=20000)
        self.assertTrue(self.want.complete)

    def same(self, result):
        self.assertTrue(result.complete, result.problems)
        self.assertEqual([t.as_dict() for t in result.threads],
                         [t.as_dict() for t in self.want.threads])

    def test_any_prefix(self):
        for prefix in ("(d1) ", "[    1.234567] (d1) ", "[c    941815163] ", "1700000000 ",
                       "123456 ", "2026-01-01T00:00:00.123456Z guest: "):
            with self.subTest(prefix=prefix):
                self.same(cyclictest.parse([prefix + line for line in self.lines],
                                           hist_size=20000))

    def test_timestamps_vary(self):
        lines = [f"[{i // 1000:5d}.{i * 7919 % 1000000:06d}] {line}"
                 for i, line in enumerate(self.lines)]
        self.same(cyclictest.parse(lines, hist_size=20000))

    def test_given_prefix_picks_one_stream(self):
        mixed = []
        for line in self.lines:
            mixed += [f"(d1) {line}", "(d2) 000001 999999", "(d2) # Total: 000000007"]
        self.same(cyclictest.parse(mixed, prefix=r"\(d1\) ", hist_size=20000))

    def test_carriage_returns_and_escapes(self):
        lines = [f"\x1b[0m{line}\r" for line in self.lines]
        self.same(cyclictest.parse(lines, hist_size=20000))
        lines = [f"T: 0 (  123) P:90 C: 17\r{line}" for line in self.lines]
        self.same(cyclictest.parse(lines, hist_size=20000))

    def test_interleaved_kernel_messages(self):
        lines = list(self.lines)
        lines.insert(5, "[    3.141592] random: crng init done")
        self.same(cyclictest.parse(lines, hist_size=20000))


class EdgeTest(unittest.TestCase):
    def test_empty(self):
        for text in ("", "\n\n", "kairos-guest: cyclictest begin -q\nno histogram here\n"):
            result = cyclictest.parse(text)
            self.assertFalse(result.found)
            self.assertFalse(result.complete)
            self.assertEqual(result.threads, [])
            self.assertEqual(result.summary(), "no cyclictest histogram")

    def test_truncated_in_the_summary(self):
        lines = block(read("linux-baseline-smp2.log"))
        cut = next(i for i, line in enumerate(lines) if line.startswith("# Avg"))
        result = cyclictest.parse(lines[:cut])
        self.assertTrue(result.found)
        self.assertFalse(result.complete)
        self.assertEqual(result.problems, ["truncated: no '# Avg Latencies:', "
                                           "'# Max Latencies:', '# Histogram Overflows:' lines"])
        self.assertEqual(result.threads[1].min_us, 16)
        self.assertIsNone(result.threads[1].max_us)

    def test_truncated_in_the_rows(self):
        lines = block(read("linux-baseline-smp2.log"))[:40]
        result = cyclictest.parse(lines)
        self.assertFalse(result.complete)
        self.assertIn("truncated: no '# Total:'", result.problems[0])
        self.assertEqual(len(result.threads), 2)
        self.assertIsNotNone(result.threads[0].median)  # from the rows read so far

    def test_header_only(self):
        result = cyclictest.parse("# Histogram\n")
        self.assertFalse(result.complete)
        self.assertIn("no thread in the histogram", result.problems)

    def test_lost_row(self):
        lines = block(read("linux-baseline-smp2.log"))
        del lines[10]
        result = cyclictest.parse(lines)
        self.assertFalse(result.complete)
        self.assertTrue(any("rows add up to" in p for p in result.problems), result.problems)

    def test_rows_of_different_widths(self):
        text = ("# Histogram\n000001 000002\t000003\n000002 000004\n# Total: 000000002 000000003\n"
                "# Min Latencies: 00001 00001\n# Avg Latencies: 00001 00001\n"
                "# Max Latencies: 00001 00001\n# Histogram Overflows: 00000 00000\n")
        result = cyclictest.parse(text)
        self.assertIn("histogram row 000002 has 1 counts, earlier rows 2", result.problems)

    def test_bucket_beyond_the_size(self):
        text = ("# Histogram\n000100 000001\n# Total: 000000001\n# Min Latencies: 00100\n"
                "# Avg Latencies: 00100\n# Max Latencies: 00100\n# Histogram Overflows: 00000\n")
        self.assertTrue(cyclictest.parse(text).complete)
        self.assertFalse(cyclictest.parse(text, hist_size=100).complete)

    def test_two_reports_the_last_wins(self):
        one = "\n".join(block(read("linux-baseline-smp1.log")))
        two = "\n".join(block(read("linux-baseline-smp2.log")))
        results = cyclictest.parse_all(f"{one}\nkernel noise 1 2\n{two}\n")
        self.assertEqual([len(r.threads) for r in results], [1, 2])
        self.assertEqual(len(cyclictest.parse(f"{one}\n{two}\n").threads), 2)


class PercentileTest(unittest.TestCase):
    def thread(self, buckets, overflows=0, hist_size=None):
        return cyclictest.ThreadResult(0, dict(buckets), sum(buckets.values()), overflows,
                                       hist_size=hist_size)

    def test_nearest_rank(self):
        t = self.thread({1: 50, 2: 49, 3: 1})
        self.assertEqual((t.median.us, t.p99.us, t.p999.us, t.percentile(100).us), (1, 2, 3, 3))
        self.assertEqual(t.percentile(0.001).us, 1)
        # 99% of 1000 is rank 990 exactly: no float rounding up to 991.
        t = self.thread({5: 990, 6: 10})
        self.assertEqual(t.p99.us, 5)

    def test_overflows_are_beyond_the_last_bucket(self):
        t = self.thread({10: 99}, overflows=1, hist_size=1000)
        self.assertEqual(t.count, 100)
        self.assertEqual(t.p99, cyclictest.Percentile(99, 10))
        self.assertEqual(t.p999, cyclictest.Percentile(99.9, 1000, overflow=True))
        only = self.thread({}, overflows=5, hist_size=10)
        self.assertTrue(only.median.overflow)

    def test_no_samples(self):
        self.assertIsNone(self.thread({}).median)
        with self.assertRaises(ValueError):
            self.thread({1: 1}).percentile(0)


class HistogramSizeTest(unittest.TestCase):
    def test_forms(self):
        for args, want in (("-q -h 1000", 1000), ("-q,-D3,-i1000,-h1000,-m", 1000),
                           ("--histogram=500 -q", 500), ("--histogram 300", 300),
                           ("-qh200", 200), (["-h", "7"], 7), ("-q -m -S", None), ("", None),
                           ("-h 10 -h 20", 20)):
            with self.subTest(args=args):
                self.assertEqual(cyclictest.histogram_size(args), want)


if __name__ == "__main__":
    unittest.main()
