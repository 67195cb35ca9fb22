"""Read cyclictest's histogram output (-q -h N) out of a serial log.

    result = cyclictest.parse(log_text, hist_size=20000)
    for thread in result.threads:
        print(thread.summary())          # n, min, avg, median, p99, p99.9, max
    result.merged().p99                  # all threads' samples together

What cyclictest (rt-tests 2.4) prints at the end of a run with -q -h N,
one column per thread (counts of one thread are tab-separated from the
next's; the bucket and the first count by a space):

    # Histogram
    000015 000001	000000          bucket (us), then each thread's count
    ...
    # Total: 000001952 000001795     samples within the histogram
    # Min Latencies: 00015 00019
    # Avg Latencies: 00033 00039     over every sample, overflows included
    # Max Latencies: 00615 01082
    # Histogram Overflows: 00048 00202   samples of N us or more
    # Histogram Overflow at cycle number:
    # Thread 0: 00018 00132 ...      (at most 100 listed, then "# 00152 others")

Bucket b counts the wake-ups that came b to b+1 us late (cyclictest
truncates to whole microseconds). A thread's samples are its "Total" plus
its overflows. Rows may be missing (the Kairos guest's /init drops the
all-zero ones): a missing row counts zero.

Percentiles use the nearest-rank method over all samples: the p-th
percentile is the smallest bucket b such that at least ceil(p/100 * n)
samples fall at or below b. Overflows count as beyond the last bucket; a
percentile that falls among them is marked so (Percentile.overflow), with
the histogram's size as its lower bound when known.

Serial logs put something before each line: a timestamp, a domain tag
such as "(d1) ", both. By default any prefix is accepted, each line being
matched by its end (a histogram row is its last "<digits> <digits>[<tab>
<digits>...]"); with prefix=REGEX only the lines that start with a match
are read, with the match removed.
"""

from __future__ import annotations

import dataclasses
import math
import re
from fractions import Fraction
from typing import Iterable

ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

# The patterns, each matching the end of a line; with a prefix regex they
# must also start where the prefix ended.
HEADER_RE = re.compile(r"# Histogram[ \t]*$")
ROW_RE = re.compile(r"(?<!\d)(\d+) (\d+(?:\t\d+)*)[ \t]*$")
SUMMARY_RE = re.compile(r"# (Total|Min Latencies|Avg Latencies|Max Latencies|Histogram Overflows):"
                        r"((?:[ \t]+\d+)+)[ \t]*$")
CYCLES_HEADER_RE = re.compile(r"# Histogram Overflow at cycle number:[ \t]*$")
CYCLES_RE = re.compile(r"# Thread (\d+):((?:[ \t]+\d+)*)(?:[ \t]+# (\d+) others)?[ \t]*$")

SUMMARY_FIELDS = {"Total": "total", "Min Latencies": "min_us", "Avg Latencies": "avg_us",
                  "Max Latencies": "max_us", "Histogram Overflows": "overflows"}


@dataclasses.dataclass(frozen=True)
class Percentile:
    """A percentile of a thread's latencies, in whole microseconds."""

    q: float  # the percentile asked for, e.g. 99.9
    us: int | None  # the bucket it falls in; with overflow, the histogram's size (None: unknown)
    overflow: bool = False  # it falls among the overflows: at least `us`, beyond the last bucket

    def __str__(self) -> str:
        if not self.overflow:
            return str(self.us)
        return f">={self.us} (overflow)" if self.us is not None else ">histogram (overflow)"


@dataclasses.dataclass
class ThreadResult:
    """One thread's figures (or all threads merged: thread -1)."""

    thread: int
    buckets: dict[int, int] = dataclasses.field(default_factory=dict)  # us -> count (non-zero)
    total: int | None = None  # samples within the histogram ("# Total:")
    overflows: int | None = None  # samples at or beyond hist_size ("# Histogram Overflows:")
    min_us: int | None = None
    avg_us: int | None = None
    max_us: int | None = None
    hist_size: int | None = None  # the histogram's buckets (-h), if known
    overflow_cycles: list[int] = dataclasses.field(default_factory=list)  # as listed
    overflow_cycles_unlisted: int = 0  # "# N others"

    @property
    def count(self) -> int:
        """Every sample: those in the histogram plus the overflows."""
        inside = self.total if self.total is not None else sum(self.buckets.values())
        return inside + (self.overflows or 0)

    def percentile(self, q: float) -> Percentile | None:
        """The q-th percentile (0 < q <= 100); None without samples."""
        if not 0 < q <= 100:
            raise ValueError(f"percentile {q} out of (0, 100]")
        n = self.count
        if n == 0:
            return None
        rank = max(1, math.ceil(Fraction(str(q)) * n / 100))  # exact: no float rounding
        seen = 0
        for bucket in sorted(self.buckets):
            seen += self.buckets[bucket]
            if seen >= rank:
                return Percentile(q, bucket)
        return Percentile(q, self.hist_size, overflow=True)

    @property
    def median(self) -> Percentile | None:
        return self.percentile(50)

    @property
    def p99(self) -> Percentile | None:
        return self.percentile(99)

    @property
    def p999(self) -> Percentile | None:
        return self.percentile(99.9)

    def summary(self) -> str:
        """One line: n, min, avg, median, p99, p99.9, max (us), overflows."""
        who = "all threads" if self.thread < 0 else f"thread {self.thread}"
        return (f"{who}: n={self.count} min={self.min_us} avg={self.avg_us} "
                f"median={self.median} p99={self.p99} p99.9={self.p999} max={self.max_us} us, "
                f"{self.overflows or 0} overflows"
                + (f" (>= {self.hist_size} us)" if self.hist_size and self.overflows else ""))

    def as_dict(self) -> dict:
        def pct(p: Percentile | None):
            return None if p is None else {"us": p.us, "overflow": p.overflow}

        return {"thread": self.thread, "count": self.count, "total": self.total,
                "overflows": self.overflows, "min_us": self.min_us, "avg_us": self.avg_us,
                "max_us": self.max_us, "median": pct(self.median), "p99": pct(self.p99),
                "p99.9": pct(self.p999), "hist_size": self.hist_size}


@dataclasses.dataclass
class Result:
    """One cyclictest histogram report, as found in a log."""

    threads: list[ThreadResult] = dataclasses.field(default_factory=list)
    found: bool = False  # a "# Histogram" line was seen
    problems: list[str] = dataclasses.field(default_factory=list)  # why it is not complete

    @property
    def complete(self) -> bool:
        """Found, every summary line read, and their counts consistent."""
        return self.found and bool(self.threads) and not self.problems

    def merged(self) -> ThreadResult:
        """Every thread's samples as one (thread -1): buckets and counts
        added, min and max over threads, avg weighted by sample counts."""
        out = ThreadResult(-1, hist_size=self.threads[0].hist_size if self.threads else None)
        for t in self.threads:
            for bucket, n in t.buckets.items():
                out.buckets[bucket] = out.buckets.get(bucket, 0) + n
        for name in ("total", "overflows"):
            values = [getattr(t, name) for t in self.threads]
            setattr(out, name, sum(values) if values and None not in values else None)
        mins = [t.min_us for t in self.threads if t.min_us is not None]
        maxs = [t.max_us for t in self.threads if t.max_us is not None]
        out.min_us = min(mins) if mins else None
        out.max_us = max(maxs) if maxs else None
        weighted = [(t.avg_us, t.count) for t in self.threads if t.avg_us is not None]
        samples = sum(n for _, n in weighted)
        if weighted and samples:
            out.avg_us = round(sum(avg * n for avg, n in weighted) / samples)
        return out

    def summary(self) -> str:
        if not self.found:
            return "no cyclictest histogram"
        lines = [t.summary() for t in self.threads]
        if len(self.threads) > 1:
            lines.append(self.merged().summary())
        lines += [f"problem: {p}" for p in self.problems]
        return "\n".join(lines)


def _clean(raw: str) -> str:
    """A line as last written on a terminal: no CR-overwritten start, no escapes."""
    return ANSI_RE.sub("", raw.rstrip("\r\n").split("\r")[-1])


def _numbers(text: str) -> list[int]:
    return [int(x) for x in text.split()]


def histogram_size(args: str | Iterable[str]) -> int | None:
    """The -h/--histogram size in cyclictest's arguments (a string of
    words, commas allowed for spaces as in kairos.cyclictest=), or None."""
    words = args.replace(",", " ").split() if isinstance(args, str) else list(args)
    size = None
    for i, word in enumerate(words):
        value = None
        if m := re.fullmatch(r"(?:-h|--histogram=?)(\d+)", word):
            value = m.group(1)
        elif word in ("-h", "--histogram") and i + 1 < len(words):
            value = words[i + 1]
        elif m := re.fullmatch(r"-[a-zA-Z]*h(\d+)", word):  # e.g. -qh1000 (short options bundled)
            value = m.group(1)
        if value is not None and value.isdigit():
            size = int(value)
    return size


class _Block:
    """The report being read: rows, then summary lines."""

    def __init__(self, hist_size: int | None):
        self.hist_size = hist_size
        self.rows: dict[int, list[int]] = {}
        self.width: int | None = None  # threads per row
        self.summary: dict[str, list[int]] = {}
        self.cycles: dict[int, tuple[list[int], int]] = {}
        self.problems: list[str] = []
        self.in_cycles = False

    def add_row(self, bucket: int, counts: list[int]) -> None:
        if self.width is None:
            self.width = len(counts)
        elif len(counts) != self.width:
            self.problems.append(f"histogram row {bucket:06d} has {len(counts)} counts, "
                                 f"earlier rows {self.width}")
            return
        if bucket in self.rows:
            self.problems.append(f"histogram row {bucket:06d} appears twice")
        self.rows[bucket] = counts

    def result(self) -> Result:
        problems = list(self.problems)
        widths = {len(v) for v in self.summary.values()}
        if self.width is not None:
            widths.add(self.width)
        if len(widths) > 1:
            problems.append(f"thread counts disagree: {sorted(widths)}")
        nthreads = max(widths) if widths else 0
        missing = [name for name in SUMMARY_FIELDS if name not in self.summary]
        if missing:
            problems.append("truncated: no " + ", ".join(f"'# {m}:'" for m in missing)
                            + " line" + ("s" if len(missing) > 1 else ""))
        threads = []
        for j in range(nthreads):
            t = ThreadResult(j, hist_size=self.hist_size)
            t.buckets = {b: c[j] for b, c in self.rows.items() if j < len(c) and c[j]}
            for name, attr in SUMMARY_FIELDS.items():
                values = self.summary.get(name, [])
                if j < len(values):
                    setattr(t, attr, values[j])
            if j in self.cycles:
                t.overflow_cycles, t.overflow_cycles_unlisted = self.cycles[j]
            inside = sum(t.buckets.values())
            if t.total is not None and inside != t.total:
                problems.append(f"thread {j}: histogram rows add up to {inside}, "
                                f"'# Total:' says {t.total} (rows lost?)")
            if self.hist_size is not None and t.buckets and max(t.buckets) >= self.hist_size:
                problems.append(f"thread {j}: bucket {max(t.buckets)} beyond the histogram's "
                                f"size {self.hist_size}")
            threads.append(t)
        if nthreads == 0:
            problems.append("no thread in the histogram")
        return Result(threads, True, problems)


def parse_all(log: str | Iterable[str], prefix: str | re.Pattern | None = None,
              hist_size: int | None = None) -> list[Result]:
    """Every histogram report in the log, in order (see the module's doc)."""
    lines = log.splitlines() if isinstance(log, str) else log
    prefix_re = re.compile(prefix) if isinstance(prefix, str) else prefix
    find = (lambda pattern, text: pattern.match(text)) if prefix_re else \
        (lambda pattern, text: pattern.search(text))
    blocks: list[_Block] = []
    block: _Block | None = None
    for raw in lines:
        line = _clean(raw)
        if prefix_re is not None:
            m = prefix_re.match(line)
            if m is None:
                continue
            line = line[m.end():]
        if find(HEADER_RE, line):
            block = _Block(hist_size)
            blocks.append(block)
            continue
        if block is None:
            continue
        if m := find(SUMMARY_RE, line):
            name = m.group(1)
            if name in block.summary:  # a second report without its header: stop this one
                block = None
                continue
            block.summary[name] = _numbers(m.group(2))
        elif find(CYCLES_HEADER_RE, line):
            block.in_cycles = True
        elif block.in_cycles and (m := find(CYCLES_RE, line)):
            block.cycles[int(m.group(1))] = (_numbers(m.group(2)), int(m.group(3) or 0))
        elif not block.summary and (m := find(ROW_RE, line)):
            block.add_row(int(m.group(1)), _numbers(m.group(2)))
    return [b.result() for b in blocks]


def parse(log: str | Iterable[str], prefix: str | re.Pattern | None = None,
          hist_size: int | None = None) -> Result:
    """The last histogram report in the log (Result.found False if none).
    hist_size: the -h the run had, if known (histogram_size() reads it from
    the arguments), so that overflows have a bound."""
    results = parse_all(log, prefix, hist_size)
    return results[-1] if results else Result()
