"""Tests of the benchmark's log parsing, statistics and table
(tests/bench/bench.py), without booting anything."""

import importlib.util
import sys
import unittest
from pathlib import Path

BENCH_PY = Path(__file__).resolve().parents[1] / "bench" / "bench.py"


def load_bench():
    """Imports tests/bench/bench.py by path (it is not on sys.path)."""
    spec = importlib.util.spec_from_file_location("kairos_bench", BENCH_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


bench = load_bench()

LINE = "[c   1044360112] SMP: 4 CPUs online (3 of 3 APs started in 11.085 ms, 27 Mcycles)\r\n"


def sample(run, ok=True, ms=1.0, wall=0.5, cpus=4, error=None, mcycles=3):
    return {"run": run, "ok": ok, "error": error, "bringup_ms": ms if ok else None,
            "wall_s": wall, "cpus_online": cpus if ok else None,
            "mcycles": mcycles if ok else None}


class ParseSmpLineTest(unittest.TestCase):
    def test_online_line(self):
        smp = bench.parse_smp_line("[c 1] Kairos\r\n" + LINE + "[c 2] ok\n")
        self.assertEqual(smp, bench.SmpLine(4, 3, 3, 11.085, 27))

    def test_fraction_keeps_leading_zeros(self):
        smp = bench.parse_smp_line(
            "SMP: 2 CPUs online (1 of 1 APs started in 0.005 ms, 0 Mcycles)\n")
        self.assertEqual(smp.bringup_ms, 0.005)

    def test_seconds_timestamp_and_missing_aps(self):
        smp = bench.parse_smp_line(
            "[    1.234567] SMP: 299 CPUs online (298 of 299 APs started in 2035.569 ms, "
            "91 Mcycles)\n")
        self.assertEqual((smp.cpus_online, smp.aps_started, smp.aps_wanted),
                         (299, 298, 299))
        self.assertAlmostEqual(smp.bringup_ms, 2035.569)

    def test_one_cpu(self):
        for text in ("[c 5] SMP: 1 CPU\r\n", "SMP: disabled by nosmp; 1 CPU\n",
                     "SMP: disabled by maxcpus=1; 1 CPU\n"):
            with self.subTest(text=text):
                self.assertEqual(bench.parse_smp_line(text), bench.SmpLine(1, 0, 0, 0.0, 0))

    def test_no_line(self):
        self.assertIsNone(bench.parse_smp_line(""))
        self.assertIsNone(bench.parse_smp_line(
            "SMP: 2 of 4 firmware CPUs used (maxcpus=2)\nSMP: CPU 3 (APIC ID 3) did not "
            "start within 2000 ms; skipped\n"))

    def test_garbled_line_is_not_read(self):
        # Two CPUs printing at once (a fault on an AP): no figure from that.
        self.assertIsNone(bench.parse_smp_line(
            "[c 3F9A1T2A7L8:6 9f0a]u ltSM Pi:n s4 iCdePU s\nrted in 0.205 ms, 0 Mcycles)\n"))

    def test_old_format_is_not_read(self):
        self.assertIsNone(bench.parse_smp_line(
            "SMP: 2 CPUs online (1 of 1 APs started, 30 Mcycles, about 12 ms by the PIT)\n"))


class SummaryTest(unittest.TestCase):
    def test_summarize(self):
        self.assertEqual(bench.summarize([3.0, 1.0, 2.0]),
                         {"median": 2.0, "min": 1.0, "max": 3.0, "n": 3})
        self.assertEqual(bench.summarize([4.0, 1.0])["median"], 2.5)
        self.assertIsNone(bench.summarize([]))

    def test_failed_samples_are_left_out(self):
        summary = bench.sample_summary([sample(1, ms=5.0), sample(2, ok=False, error="x"),
                                        sample(3, ms=7.0, wall=1.5)])
        self.assertEqual((summary["runs"], summary["ok"]), (3, 2))
        self.assertEqual(summary["bringup_ms"], {"median": 6.0, "min": 5.0, "max": 7.0, "n": 2})
        self.assertEqual(summary["wall_s"]["median"], 1.0)

    def test_all_failed(self):
        summary = bench.sample_summary([sample(1, ok=False, error="x")])
        self.assertEqual(summary["ok"], 0)
        self.assertIsNone(summary["bringup_ms"])


class TableTest(unittest.TestCase):
    def test_rows_errors_and_notes(self):
        configs = [bench.BenchConfig("a", smp=4), bench.BenchConfig("b", smp=2)]
        samples = {"a": [sample(1, ms=1.5), sample(2, ok=False, error="timeout")],
                   "b": [sample(1, ok=False, error="no verdict")]}
        table = bench.format_table(configs, samples)
        lines = table.splitlines()
        self.assertEqual(lines[0].split(), ["config", "CPUs", "runs", "bring-up", "ms",
                                            "min", "max", "Mcycles", "to", "verdict", "s"])
        self.assertEqual(lines[2].split(),
                         ["a", "4/4", "1/2", "1.500", "1.500", "1.500", "3", "0.5"])
        self.assertIn("b", lines[3])
        self.assertIn("ERROR (1 of 1 runs): no verdict", lines[3])
        self.assertIn("a run 2: timeout", table)


class SelectTest(unittest.TestCase):
    def test_quick_drops_slow_configs(self):
        names = [c.name for c in bench.select(bench.CONFIGS, None, quick=True)]
        self.assertNotIn("q35-smp300", names)
        self.assertNotIn("bochs-smp4", names)
        self.assertIn("bochs-smp2", names)

    def test_filter(self):
        names = [c.name for c in bench.select(bench.CONFIGS, "^bochs", quick=False)]
        self.assertEqual(names, ["bochs-smp1", "bochs-smp2", "bochs-smp4"])

    def test_boot_configs_are_valid(self):
        for config in bench.CONFIGS:
            with self.subTest(config=config.name):
                boot_config = config.boot_config(1)
                self.assertTrue(boot_config.cmdline.startswith("test=smp."))
                backend = bench.boot.BACKENDS[boot_config.emulator]
                self.assertTrue(issubclass(backend, bench.boot.Emulator))
                if config.emulator == "bochs":
                    self.assertEqual((config.machine, config.firmware), ("pc", "bios"))


if __name__ == "__main__":
    unittest.main()
