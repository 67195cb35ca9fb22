"""Tests of the KTAP parser (ktap.py): python3 -m unittest tests/harness/test_ktap.py"""

import os
import sys
import textwrap
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ktap  # noqa: E402


def stamp(text: str, style: str = "seconds") -> str:
    """Prefixes every line as the kernel log does."""
    out = []
    for i, line in enumerate(textwrap.dedent(text).strip("\n").splitlines()):
        if style == "seconds":
            out.append(f"[{i // 1000:5d}.{i * 137 % 1000000:06d}] {line}")
        else:
            out.append(f"[c {1234567890 + i:12d}] {line}")
    return "\n".join(out) + "\n"


NESTED = """\
    Kairos 0.1.0 booting
    KTAP version 1
    1..3
        KTAP version 1
        # Subtest: timer
        1..2
        ok 1 heap_insert
        # heap_remove: expected 3, got 4
        not ok 2 heap_remove # wrong order
    not ok 1 timer
    ok 2 softirq # SKIP needs two CPUs
        KTAP version 1
        # Subtest: sched
        1..1
            KTAP version 1
            # Subtest: credit
            1..2
            ok 1 weights
            ok 2 - caps
        ok 1 credit
    ok 3 sched
    """


class NestedRunTest(unittest.TestCase):
    """A complete run with nesting, a failure with a reason and a skip."""

    def setUp(self):
        self.report = ktap.parse(stamp(NESTED))

    def test_tree(self):
        root = self.report.root
        self.assertTrue(self.report.found)
        self.assertEqual(root.plan, 3)
        self.assertEqual([c.name for c in root.cases], ["timer", "softirq", "sched"])
        timer = root.cases[0]
        self.assertEqual(timer.status, ktap.FAIL)
        self.assertEqual(timer.subtests.name, "timer")
        self.assertEqual([c.status for c in timer.subtests.cases], [ktap.PASS, ktap.FAIL])
        credit = root.cases[2].subtests.cases[0]
        self.assertEqual(credit.subtests.name, "credit")
        self.assertEqual(credit.subtests.cases[1].name, "caps")  # TAP14's "- " dropped

    def test_reasons_and_diagnostics(self):
        remove = self.report.root.cases[0].subtests.cases[1]
        self.assertEqual(remove.reason, "wrong order")
        self.assertEqual(remove.diagnostics, ["heap_remove: expected 3, got 4"])
        softirq = self.report.root.cases[1]
        self.assertEqual((softirq.status, softirq.reason), (ktap.SKIP, "needs two CPUs"))

    def test_counts_leaves(self):
        paths = [path for path, _ in self.report.leaves()]
        self.assertEqual(paths, ["timer.heap_insert", "timer.heap_remove", "softirq",
                                 "sched.credit.weights", "sched.credit.caps"])
        counts = self.report.counts()
        self.assertEqual((counts.passed, counts.failed, counts.skipped), (3, 1, 1))
        self.assertEqual(str(counts), "3 passed, 1 failed, 1 skipped")
        self.assertEqual(self.report.problems(), [])
        self.assertTrue(self.report.complete)

    def test_format_tree(self):
        tree = self.report.format_tree()
        self.assertIn("FAIL heap_remove  (wrong order)", tree)
        self.assertIn("# heap_remove: expected 3, got 4", tree)
        self.assertIn("skip softirq  (needs two CPUs)", tree)

    def test_cycle_stamps(self):
        again = ktap.parse(stamp(NESTED, style="cycles"))
        self.assertEqual([p for p, _ in again.leaves()], [p for p, _ in self.report.leaves()])


class TimestampTest(unittest.TestCase):
    def test_forms(self):
        self.assertEqual(ktap.clean_line("[    0.012345] ok 1 foo"), "ok 1 foo")
        self.assertEqual(ktap.clean_line("[c   1234567890] KTAP version 1"), "KTAP version 1")
        self.assertEqual(ktap.clean_line("[  12.5]     ok 1 x\r\n"), "    ok 1 x")
        self.assertEqual(ktap.clean_line("ok 1 bare"), "ok 1 bare")

    def test_only_the_prefix(self):
        self.assertEqual(ktap.clean_line("[0.1] ok 1 a [0.2] b"), "ok 1 a [0.2] b")
        self.assertEqual(ktap.clean_line("[abc] ok 1 x"), "[abc] ok 1 x")

    def test_console_noise(self):
        # OVMF/GRUB escape sequences and a carriage return before the first line.
        raw = "\x1b[0m\x1b[37m\x1b[40mWARNING: no console\r[c      1234567] KTAP version 1"
        self.assertEqual(ktap.clean_line(raw), "KTAP version 1")


class RobustnessTest(unittest.TestCase):
    def test_no_ktap(self):
        report = ktap.parse("[0.0] Kairos booting\n[0.1] Memory: 256 MiB\n")
        self.assertFalse(report.found)
        self.assertEqual(report.counts().total, 0)
        self.assertEqual(report.format_tree(), "no KTAP output")
        self.assertFalse(report.complete)

    def test_lines_before_header_ignored(self):
        report = ktap.parse(stamp("""\
            ok 1 not_a_test
            1..7
            KTAP version 1
            1..1
            ok 1 real
            """))
        self.assertEqual([c.name for c in report.root.cases], ["real"])
        self.assertEqual(report.root.plan, 1)

    def test_garbage_interleaved(self):
        report = ktap.parse(stamp("""\
            KTAP version 1
            1..2
            smp: CPU 1 online
              odd indentation ok 9 x
                [<ffffffff80100000>] not a test
            ok 1 first
            \x00\x7f binary noise
            ok 2 second
            """))
        self.assertEqual([c.name for c in report.root.cases], ["first", "second"])
        self.assertEqual(report.problems(), [])

    def test_tap13_header_and_unknown_directive(self):
        report = ktap.parse("TAP version 13\n1..2\nok 1 a # TODO later\nnot ok 2 b # TIMEOUT\n")
        self.assertEqual([c.status for c in report.root.cases], [ktap.PASS, ktap.FAIL])
        self.assertEqual(report.root.cases[1].reason, "TIMEOUT")

    def test_skip_with_not_ok(self):
        report = ktap.parse("KTAP version 1\n1..1\nnot ok 1 x # SKIP no HPET\n")
        self.assertEqual(report.root.cases[0].status, ktap.SKIP)
        self.assertEqual(report.counts().failed, 0)

    def test_subtest_header_before_version(self):
        report = ktap.parse(stamp("""\
            KTAP version 1
            1..1
                # Subtest: old_style
                KTAP version 1
                1..1
                ok 1 a
            ok 1 old_style
            """))
        self.assertEqual(report.root.cases[0].subtests.name, "old_style")
        self.assertEqual(report.problems(), [])

    def test_nested_block_without_header(self):
        report = ktap.parse("KTAP version 1\n1..1\n    1..1\n    ok 1 inner\nok 1 outer\n")
        self.assertEqual([p for p, _ in report.leaves()], ["outer.inner"])

    def test_suite_failure_without_failed_case_counts(self):
        report = ktap.parse(stamp("""\
            KTAP version 1
            1..1
                KTAP version 1
                # Subtest: s
                1..1
                ok 1 a
            not ok 1 s # setup failed
            """))
        counts = report.counts()
        self.assertEqual((counts.passed, counts.failed), (1, 1))

    def test_numbering_problem(self):
        report = ktap.parse("KTAP version 1\n1..2\nok 1 a\nok 3 c\n")
        self.assertEqual(report.problems(), ["top level: result 3 (c) where 2 was expected"])

    def test_second_header_and_bail_out(self):
        report = ktap.parse("KTAP version 1\n1..1\nBail out! no memory\nKTAP version 1\nok 1 a\n")
        problems = report.problems()
        self.assertIn("top level: bailed out: no memory", problems)
        self.assertTrue(any("second top-level" in p for p in problems))


class TruncatedRunTest(unittest.TestCase):
    """A crash mid-run: whatever did not report counts as failed."""

    def test_short_plan(self):
        report = ktap.parse(stamp("""\
            KTAP version 1
            1..4
            ok 1 a
            ok 2 b # SKIP
            FATAL: page fault
            """))
        cases = report.root.cases
        self.assertEqual([c.number for c in cases], [1, 2, 3, 4])
        self.assertEqual([c.reason for c in cases[2:]], [ktap.MISSING_REASON] * 2)
        counts = report.counts()
        self.assertEqual((counts.passed, counts.failed, counts.skipped), (1, 2, 1))
        self.assertFalse(report.complete)

    def test_crash_inside_subtest(self):
        report = ktap.parse(stamp("""\
            KTAP version 1
            1..3
            ok 1 first
                KTAP version 1
                # Subtest: crashy
                1..3
                ok 1 a
            """))
        crashy = report.root.cases[1]
        self.assertEqual((crashy.name, crashy.status, crashy.reason),
                         ("crashy", ktap.FAIL, ktap.NO_RESULT_REASON))
        self.assertEqual([c.status for c in crashy.subtests.cases],
                         [ktap.PASS, ktap.FAIL, ktap.FAIL])
        self.assertEqual(report.root.cases[2].reason, ktap.MISSING_REASON)
        counts = report.counts()
        self.assertEqual((counts.passed, counts.failed), (2, 3))
        self.assertIn("top level: subtest crashy ended without a result line", report.problems())

    def test_crash_after_last_subtest_case(self):
        report = ktap.parse("KTAP version 1\n1..1\n    # Subtest: s\n    1..1\n    ok 1 a\n")
        self.assertEqual(report.counts().failed, 1)  # the suite itself never reported
        self.assertEqual(report.failures()[0][0], "s")

    def test_missing_plan(self):
        report = ktap.parse("KTAP version 1\nok 1 a\nok 2 b\n")
        self.assertEqual(report.counts().passed, 2)
        self.assertEqual(len(report.problems()), 1)
        self.assertIn("no test plan", report.problems()[0])
        self.assertFalse(report.complete)

    def test_more_results_than_plan(self):
        report = ktap.parse("KTAP version 1\n1..1\nok 1 a\nok 2 b\n")
        self.assertIn("top level: plan 1..1 but 2 results", report.problems())

    def test_empty_after_header(self):
        report = ktap.parse("KTAP version 1\n")
        self.assertTrue(report.found)
        self.assertEqual(report.counts().total, 0)
        self.assertFalse(report.complete)


class DomainStreamTest(unittest.TestCase):
    """Guest domains' KTAP in the hypervisor's log: (dN) prefixes."""

    LOG = stamp("""
        Domain 1 (a): entry 0x10000c
        (d1) KTAP version 1
        (d2) KTAP version 1
        (d1) 1..1
        not a guest line (d1) ok 1 x
        (d2) 1..1
        (d1)
        (d1) ok 1 x
        (d2) not ok 1 y # broken
        (d12) noise
        """)

    def test_split_by_prefix(self):
        streams = ktap.domain_streams(self.LOG)
        self.assertEqual(streams[1], ["KTAP version 1", "1..1", "", "ok 1 x"])
        self.assertEqual(streams[2], ["KTAP version 1", "1..1", "not ok 1 y # broken"])
        self.assertEqual(streams[12], ["noise"])
        # The hypervisor's own report ignores the guests' lines.
        self.assertFalse(ktap.parse(self.LOG).found)

    def test_adopt(self):
        streams = ktap.domain_streams(self.LOG)
        kernel = ktap.parse(stamp("""
            KTAP version 1
            1..1
            ok 1 boot
            """))
        merged = ktap.adopt(kernel, {"a": ktap.parse(streams[1]), "b": ktap.parse(streams[2]),
                                     "c": ktap.parse([])})
        self.assertEqual(str(merged.counts()), "2 passed, 2 failed")
        self.assertEqual([p for p, _ in merged.failures()], ["b.y", "c"])
        self.assertEqual(dict(merged.failures())["c"].reason, "no KTAP output")
        self.assertEqual(merged.problems(), [])
        self.assertEqual(len(kernel.root.cases), 1)  # left as it was

    def test_skipped_guest_hides_its_cut_report(self):
        cut = ktap.parse(["KTAP version 1", "1..2", "ok 1 x"])  # #2 never ran
        self.assertEqual(ktap.adopt(ktap.parse(""), {"g": cut}).counts().failed, 1)
        merged = ktap.adopt(ktap.parse(""), {"g": cut}, skipped={"g": "crashed as allowed"})
        self.assertEqual(str(merged.counts()), "0 passed, 0 failed, 1 skipped")
        self.assertEqual(merged.root.cases[0].reason, "crashed as allowed")

    def test_malformed_guest_fails_its_case(self):
        guest = ktap.parse(["KTAP version 1", "ok 1 x"])  # no plan
        merged = ktap.adopt(ktap.parse(""), {"g": guest})
        self.assertTrue(merged.found)
        self.assertEqual(str(merged.counts()), "1 passed, 1 failed")
        self.assertIn("malformed KTAP", dict(merged.failures())["g"].reason)


class CmockaTapTest(unittest.TestCase):
    OUTPUT = textwrap.dedent("""\
        [==========] noise on stdout
        1..3
        ok 1 - a
        not ok 2 - b
        # 0x1 != 0x2
        # t.c:7: error: Failure!
        not ok 3 # SKIP c
        # not ok - first
        1..2
        ok 1 - d
        """)

    def test_groups(self):
        first, second = ktap.parse_cmocka_tap(self.OUTPUT)
        self.assertEqual((first.name, first.finished), ("first", True))
        self.assertEqual([c.name for c in first.cases], ["a", "b", "c"])
        self.assertEqual([c.status for c in first.cases], [ktap.PASS, ktap.FAIL, ktap.SKIP])
        self.assertEqual(first.cases[1].diagnostics, ["0x1 != 0x2", "t.c:7: error: Failure!"])
        self.assertFalse(second.finished)  # the binary died in test 2
        self.assertEqual(second.cases[1].reason, ktap.MISSING_REASON)

    def test_nothing(self):
        self.assertEqual(ktap.parse_cmocka_tap("Segmentation fault\n"), [])


if __name__ == "__main__":
    unittest.main()
