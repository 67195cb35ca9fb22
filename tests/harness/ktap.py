"""Parse KTAP v1 test output from a serial log (and cmocka's TAP).

KTAP (https://docs.kernel.org/dev-tools/ktap.html) is what the in-kernel test
suites print:

    KTAP version 1
    1..2
        KTAP version 1
        # Subtest: timer
        1..2
        ok 1 heap_insert
        not ok 2 heap_remove # expected 3, got 4
    not ok 1 timer
    ok 2 softirq # SKIP needs two CPUs

The kernel prints each line through its log, so every console line may carry
a timestamp prefix, `[    0.012345] ` or `[c   1234567890] ` (raw cycles before
the clock is calibrated); it is stripped. Lines before the first version line
and lines that are not KTAP (the rest of the kernel log) are ignored.

A run that stops early (a crash, a hang cut off by the harness) leaves fewer
results than its plan: each missing test is reported as failed with the
reason "did not run (crash?)", and a suite whose own result line never came
fails with "no result (crash?)".

Directives: `# SKIP` (after ok or not ok) is a skip; `# TODO` and `# XFAIL`
are expected failures and count as passes; any other text after `#` (KTAP's
TIMEOUT, ERROR, or a free-form reason) is kept as the reason and the result
stands. `TAP version N` headers, TAP14's `ok 1 - name` and `Bail out!` lines
are accepted too. Malformed output (numbering gaps, a missing top-level plan,
extra results) is listed by Report.problems().

Guest domains on Kairos print KTAP too: each line a domain writes on its
console appears in the hypervisor's log as `(dN) <line>` (N the domain id,
after the log's own timestamp), and the streams of several domains
interleave. domain_streams() splits them by that prefix; each stream is
then parsed on its own, and adopt() hangs the guests' reports under the
kernel's, one case per domain, so that they count like the kernel's.

Usage: parse(text) -> Report; report.counts(), report.format_tree().
parse_cmocka_tap() reads cmocka's flavour of TAP for the host unit tests.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Iterable, Iterator

PASS, FAIL, SKIP = "pass", "fail", "skip"

MISSING_REASON = "did not run (crash?)"
NO_RESULT_REASON = "no result (crash?)"

# `[` + digits, blanks and dots (or `c` then those) + `] `: the log's stamp.
TIMESTAMP_RE = re.compile(r"^\[c?[0-9 .]*\] ")
# Terminal control sequences (OVMF and GRUB paint the UEFI console with them).
ANSI_RE = re.compile(r"\x1b(?:\[[0-9;=?]*[ -/]*[@-~]|[@-Z\\-_])")

VERSION_RE = re.compile(r"^K?TAP version (\d+)\s*$")
PLAN_RE = re.compile(r"^1\.\.(\d+)\s*(?:#\s*(.*))?$")
RESULT_RE = re.compile(r"^(ok|not ok) (\d+)\b\s*(.*)$")
SUBTEST_RE = re.compile(r"^# Subtest: (.*)$")
BAIL_RE = re.compile(r"^Bail out!\s*(.*)$")
# A guest domain's console line in the hypervisor's log, stamp removed:
# `(d4) text`; an empty guest line may lose the blank after the prefix.
DOMAIN_LINE_RE = re.compile(r"^\(d(\d+)\)(?: (.*))?$")
INDENT = 4  # spaces per nesting level


@dataclasses.dataclass
class Case:
    """One result line: a test case, or a suite when it has subtests."""

    number: int  # N of `ok N`; for a missing test, the number it should have had
    name: str
    status: str  # PASS, FAIL or SKIP
    reason: str = ""  # directive text or `# reason` after the name
    diagnostics: list[str] = dataclasses.field(default_factory=list)  # `#` lines before it
    subtests: Suite | None = None  # the nested KTAP block it closes, if any


@dataclasses.dataclass
class Suite:
    """A KTAP block: an optional plan and the results at one indentation."""

    name: str = ""  # from `# Subtest:`; "" for the top level
    plan: int | None = None  # N of `1..N`, None if no plan line came
    cases: list[Case] = dataclasses.field(default_factory=list)
    # `#` lines that no result line followed (those before one go to its Case)
    diagnostics: list[str] = dataclasses.field(default_factory=list)
    problems: list[str] = dataclasses.field(default_factory=list)  # malformed or truncated output
    headers: set[str] = dataclasses.field(default_factory=set, repr=False)  # header kinds seen


@dataclasses.dataclass
class Counts:
    """Leaf results: one per test case (a suite counts through its cases)."""

    passed: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.skipped

    def __iadd__(self, other: Counts) -> Counts:
        self.passed += other.passed
        self.failed += other.failed
        self.skipped += other.skipped
        return self

    def add(self, status: str) -> None:
        if status == PASS:
            self.passed += 1
        elif status == SKIP:
            self.skipped += 1
        else:
            self.failed += 1

    def __str__(self) -> str:
        text = f"{self.passed} passed, {self.failed} failed"
        return text + (f", {self.skipped} skipped" if self.skipped else "")


@dataclasses.dataclass
class Report:
    """Everything parse() found; found is False if no KTAP header came."""

    found: bool
    root: Suite

    def leaves(self) -> Iterator[tuple[str, Case]]:
        """Yields (dotted path, case) for every test case, depth first."""
        return _leaves(self.root, "")

    def counts(self) -> Counts:
        counts = Counts()
        for _, case in self.leaves():
            counts.add(case.status)
        return counts

    @property
    def complete(self) -> bool:
        """True if the run reached its end: a plan, and every result in."""
        return (self.found and self.root.plan is not None
                and all(c.reason not in (MISSING_REASON, NO_RESULT_REASON)
                        for _, c in self.leaves()))

    def problems(self) -> list[str]:
        """Malformed or truncated output, each prefixed by its suite's path."""
        return list(_problems(self.root, ""))

    def failures(self) -> list[tuple[str, Case]]:
        return [(path, case) for path, case in self.leaves() if case.status == FAIL]

    def format_tree(self) -> str:
        """The suites and cases as an indented, human-readable tree."""
        if not self.found:
            return "no KTAP output"
        lines: list[str] = []
        _format_suite(self.root, 0, lines)
        return "\n".join(lines)


# ---------------------------------------------------------------------------
# Lines


def clean_line(raw: str) -> str:
    """Returns a console line as the kernel printed it: no stamp, no escapes.

    A carriage return inside the line means the text after it overwrote the
    text before it on a terminal, so only the last piece is kept.
    """
    line = raw.rstrip("\r\n")
    line = line.split("\r")[-1]
    line = ANSI_RE.sub("", line)
    return TIMESTAMP_RE.sub("", line, count=1)


def _split_indent(line: str) -> tuple[int, str] | None:
    """Returns (depth, text) or None if the indentation is not KTAP's."""
    text = line.lstrip(" ")
    spaces = len(line) - len(text)
    if spaces % INDENT:
        return None
    return spaces // INDENT, text.rstrip()


def _parse_result(match: re.Match) -> Case:
    """Builds a Case from a RESULT_RE match."""
    ok = match.group(1) == "ok"
    rest = match.group(3)
    name, _, directive = rest.partition("#")
    name = name.strip()
    if name.startswith("- "):
        name = name[2:]
    directive = directive.strip()
    keyword, _, text = directive.partition(" ")
    keyword = keyword.upper()
    if keyword == "SKIP":
        return Case(int(match.group(2)), name, SKIP, text.strip())
    if keyword in ("TODO", "XFAIL"):  # an expected failure is not a failure
        return Case(int(match.group(2)), name, PASS, directive)
    return Case(int(match.group(2)), name, PASS if ok else FAIL, directive)


# ---------------------------------------------------------------------------
# The parser


class _Parser:
    """A stack of open suites, one per nesting level, fed line by line."""

    def __init__(self) -> None:
        self.root = Suite()
        self.found = False
        self.stack: list[Suite] = []  # stack[d] is the open suite at depth d
        self.pending: list[list[str]] = []  # diagnostics awaiting a result, per depth

    def feed(self, raw: str) -> None:
        line = clean_line(raw)
        if not self.found:
            if VERSION_RE.match(line):
                self.found = True
                self.stack = [self.root]
                self.pending = [[]]
            return
        split = _split_indent(line)
        if split is None:
            return
        depth, text = split
        if depth > len(self.stack):  # deeper than any open block: not ours
            return
        if VERSION_RE.match(text):
            self._version(depth)
        elif (m := SUBTEST_RE.match(text)) is not None and depth > 0:
            self._begin(depth, "subtest").name = m.group(1).strip()
        elif (m := PLAN_RE.match(text)) is not None:
            self._plan(depth, int(m.group(1)), m.group(2) or "")
        elif (m := RESULT_RE.match(text)) is not None:
            self._result(depth, _parse_result(m))
        elif (m := BAIL_RE.match(text)) is not None:
            self._open(depth).problems.append("bailed out: " + (m.group(1) or "no reason"))
        elif text.startswith("#") and depth < len(self.stack):
            self.pending[depth].append(text[1:].strip())

    def _version(self, depth: int) -> None:
        if depth == 0:
            self.root.problems.append("a second top-level KTAP header (did the machine restart?)")
        else:
            self._begin(depth, "version")

    def _begin(self, depth: int, header: str) -> Suite:
        """Returns the suite a header line at depth belongs to.

        A block starts with a version line and a `# Subtest:` line, in either
        order; a header kind the open block already has, or a block that has
        results already, means a new block.
        """
        if depth < len(self.stack):
            suite = self.stack[depth]
            if not suite.cases and suite.plan is None and header not in suite.headers:
                self._close_to(depth + 1)
                suite.headers.add(header)
                return suite
            self._close_to(depth)
        suite = self._open(depth)
        suite.headers.add(header)
        return suite

    def _open(self, depth: int) -> Suite:
        """Returns the suite open at depth, opening a new one if needed."""
        if depth == 0:
            return self.root
        self._close_to(depth + 1)
        if depth == len(self.stack):
            self.stack.append(Suite())
            self.pending.append([])
        return self.stack[depth]

    def _close_to(self, depth: int) -> None:
        """Closes suites deeper than depth - 1 that lack their result line."""
        while len(self.stack) > max(depth, 1):
            orphan = self.stack.pop()
            orphan.diagnostics += self.pending.pop()
            parent = self.stack[-1]
            parent.problems.append(f"subtest {orphan.name or '?'} ended without a result line")
            self._finish(orphan)
            parent.cases.append(Case(len(parent.cases) + 1, orphan.name, FAIL,
                                     NO_RESULT_REASON, subtests=orphan))

    def _plan(self, depth: int, count: int, directive: str) -> None:
        suite = self._open(depth)
        if suite.plan is not None:
            suite.problems.append(f"a second plan 1..{count}")
            return
        suite.plan = count
        if count == 0 and directive.upper().startswith("SKIP"):
            suite.diagnostics.append(directive)

    def _result(self, depth: int, case: Case) -> None:
        if depth == len(self.stack):  # a result with no header: an unnamed block
            self._open(depth)
        child = None
        if depth + 1 < len(self.stack):  # this result closes the nested block
            child = self.stack[depth + 1]
            self._close_to(depth + 2)
            self.stack.pop()
            child.diagnostics += self.pending.pop()
            self._finish(child)
            case.subtests = child
            if not child.name:
                child.name = case.name
        suite = self.stack[depth]
        case.diagnostics = self.pending[depth]
        self.pending[depth] = []
        expected = len(suite.cases) + 1
        if case.number != expected:
            suite.problems.append(
                f"result {case.number} ({case.name}) where {expected} was expected")
        suite.cases.append(case)

    def finish(self) -> Report:
        if self.found:
            self._close_to(1)
            self.root.diagnostics += self.pending[0]
            self._finish(self.root)
            if self.root.plan is None:
                self.root.problems.append("no test plan (1..N): cannot tell whether every test ran")
        return Report(self.found, self.root)

    @staticmethod
    def _finish(suite: Suite) -> None:
        """Adds the planned cases that never reported, as failures."""
        if suite.plan is None:
            return
        ran = len(suite.cases)
        if ran > suite.plan:
            suite.problems.append(f"plan 1..{suite.plan} but {ran} results")
        for number in range(ran + 1, suite.plan + 1):
            suite.cases.append(Case(number, f"#{number}", FAIL, MISSING_REASON))


def parse(text: str | Iterable[str]) -> Report:
    """Parses a log (a string, or an iterable of lines) for KTAP output."""
    lines = text.splitlines() if isinstance(text, str) else text
    parser = _Parser()
    for line in lines:
        parser.feed(line)
    return parser.finish()


def domain_streams(text: str | Iterable[str]) -> dict[int, list[str]]:
    """Each guest domain's console lines (by domain id), prefix removed."""
    lines = text.splitlines() if isinstance(text, str) else text
    streams: dict[int, list[str]] = {}
    for raw in lines:
        if (m := DOMAIN_LINE_RE.match(clean_line(raw))) is not None:
            streams.setdefault(int(m.group(1)), []).append(m.group(2) or "")
    return streams


def adopt(report: Report, guests: dict[str, Report],
          skipped: dict[str, str] | None = None) -> Report:
    """report with one more top-level case per guest, named by the guest
    (a domain), its subtests the guest's whole report. The case fails if
    the guest printed no KTAP, malformed KTAP or a failed case; a guest
    named in skipped (with the reason) is a skipped case without subtests,
    whatever it printed (a domain that ended in a crash its test allows
    cut its report short). report itself is left as it was."""
    root = dataclasses.replace(report.root, cases=list(report.root.cases))
    skipped = skipped or {}
    for name, guest in guests.items():
        if name in skipped:
            root.cases.append(Case(len(root.cases) + 1, name, SKIP, skipped[name]))
            continue
        if not guest.found:
            status, reason = FAIL, "no KTAP output"
        elif guest.problems():
            status, reason = FAIL, f"malformed KTAP ({len(guest.problems())} problems)"
        elif guest.counts().failed:
            status, reason = FAIL, ""
        else:
            status, reason = PASS, ""
        root.cases.append(Case(len(root.cases) + 1, name, status, reason,
                               subtests=guest.root))
    return Report(report.found or any(g.found for g in guests.values()), root)


# ---------------------------------------------------------------------------
# Walking and formatting


def _leaves(suite: Suite, prefix: str) -> Iterator[tuple[str, Case]]:
    for case in suite.cases:
        path = prefix + (case.name or f"#{case.number}")
        if case.subtests is None or not case.subtests.cases:
            yield path, case
            continue
        leaves = list(_leaves(case.subtests, path + "."))
        yield from leaves
        # A suite that failed although none of its cases did (its setup
        # failed, say) must not vanish from the count.
        if case.status == FAIL and all(c.status != FAIL for _, c in leaves):
            yield path, case


def _problems(suite: Suite, prefix: str) -> Iterator[str]:
    for problem in suite.problems:
        yield f"{prefix or 'top level'}: {problem}"
    for case in suite.cases:
        if case.subtests is not None:
            yield from _problems(case.subtests, prefix + (case.name or f"#{case.number}") + ".")


STATUS_LABEL = {PASS: "ok  ", FAIL: "FAIL", SKIP: "skip"}


def _format_suite(suite: Suite, depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    for problem in suite.problems:
        lines.append(f"{pad}!! {problem}")
    for case in suite.cases:
        text = f"{pad}{STATUS_LABEL[case.status]} {case.name or '#' + str(case.number)}"
        if case.reason:
            text += f"  ({case.reason})"
        lines.append(text)
        if case.status == FAIL:
            lines.extend(f"{pad}       # {d}" for d in case.diagnostics)
        if case.subtests is not None:
            _format_suite(case.subtests, depth + 1, lines)


# ---------------------------------------------------------------------------
# cmocka's TAP (CMOCKA_MESSAGE_OUTPUT=TAP), for the host unit tests
#
# Each group prints `1..N`, its results (`ok 1 - name`, `not ok 2 - name`
# followed by `# message` lines, `not ok 3 # SKIP name`) and `# ok - group`.


@dataclasses.dataclass
class TapGroup:
    """One cmocka group: its plan, its results and whether it finished."""

    name: str = ""  # from the `# ok - name` trailer; "" if it never came
    plan: int = 0
    cases: list[Case] = dataclasses.field(default_factory=list)
    finished: bool = False


def parse_cmocka_tap(text: str) -> list[TapGroup]:
    """Parses cmocka's TAP output into groups; missing results are failures."""
    groups: list[TapGroup] = []
    last: Case | None = None
    for raw in text.splitlines():
        line = raw.rstrip()
        if (m := PLAN_RE.match(line)) is not None:
            groups.append(TapGroup(plan=int(m.group(1))))
            last = None
        elif not groups:
            continue
        elif (m := RESULT_RE.match(line)) is not None:
            last = _parse_result(m)
            if not last.name:  # `not ok 3 # SKIP name`
                last.name, last.reason = last.reason, ""
            groups[-1].cases.append(last)
        elif (m := re.match(r"^# (?:not )?ok - (.*)$", line)) is not None:
            groups[-1].name, groups[-1].finished = m.group(1), True
            last = None
        elif line.startswith("#") and last is not None:
            last.diagnostics.append(line[1:].strip())
    for group in groups:
        for number in range(len(group.cases) + 1, group.plan + 1):
            group.cases.append(Case(number, f"#{number}", FAIL, MISSING_REASON))
    return groups
