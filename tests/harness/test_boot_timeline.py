"""Tests of the boot timeline's parsing and consistency checks
(tests/harness/boot_timeline.py), without booting anything."""

import unittest

import boot_timeline

LINE = ("[    0.073664] Boot timeline: early 10.700, memory 14.247, acpi 39.352, "
        "clocks 50.601, aps 17.179, tsc_sync 24.744, rest 15.591; all CPUs online at "
        "144.008, total 172.418 (ms from the first instruction, TSC at 2096020 kHz)\r\n")


class ParseTest(unittest.TestCase):
    def test_line(self):
        t = boot_timeline.parse("[c 1] Kairos\n" + LINE + "[    0.1] ok\n")
        self.assertEqual(tuple(t.phases), boot_timeline.PHASES)
        self.assertEqual(t.phases["memory"], 14.247)
        self.assertEqual(t.online_ms, 144.008)
        self.assertEqual(t.total_ms, 172.418)
        self.assertEqual(t.tsc_khz, 2096020)

    def test_none(self):
        self.assertIsNone(boot_timeline.parse("SMP: 2 CPUs online\n"))
        self.assertEqual(boot_timeline.problems(None), ["no boot timeline line in the log"])

    def test_garbled_phase_is_unreadable(self):
        self.assertIsNone(boot_timeline.parse(LINE.replace("acpi 39.352", "acpi 39")))

    def test_last_line_wins(self):
        t = boot_timeline.parse(LINE + LINE.replace("2096020", "1000000"))
        self.assertEqual(t.tsc_khz, 1000000)


class ProblemsTest(unittest.TestCase):
    def test_consistent(self):
        self.assertEqual(boot_timeline.problems(boot_timeline.parse(LINE)), [])

    def test_sum_over_total(self):
        t = boot_timeline.parse(LINE.replace("rest 15.591", "rest 25.591"))
        self.assertIn("add up to", " ".join(boot_timeline.problems(t)))

    def test_online_before_its_phases(self):
        t = boot_timeline.parse(LINE.replace("online at 144.008", "online at 100.000"))
        self.assertIn("before every CPU is online", " ".join(boot_timeline.problems(t)))

    def test_online_after_the_end(self):
        t = boot_timeline.parse(LINE.replace("online at 144.008", "online at 180.000"))
        self.assertIn("after the end", " ".join(boot_timeline.problems(t)))

    def test_missing_phase(self):
        t = boot_timeline.parse(LINE.replace("tsc_sync 24.744, ", ""))
        self.assertIn("expected", " ".join(boot_timeline.problems(t)))


if __name__ == "__main__":
    unittest.main()
