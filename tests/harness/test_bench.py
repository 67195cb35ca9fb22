"""Tests of the benchmark's log parsing, statistics and table
(tests/bench/bench.py), without booting anything."""

import importlib.util
import sys
import tempfile
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


TIMELINE = ("[    0.073664] Boot timeline: early 10.700, memory 14.247, acpi 39.352, "
            "clocks 50.601, aps 17.179, tsc_sync 24.744, rest 15.591; all CPUs online at "
            "144.008, total 172.418 (ms from the first instruction, TSC at 2096020 kHz)\r\n")


class BootFamilyTest(unittest.TestCase):
    def boot_sample(self, log):
        sample = {"run": 0, "ok": False, "error": None}
        return sample, bench.read_boot_sample(sample, log)

    def test_reads_the_timeline(self):
        sample, missing = self.boot_sample("[c 1] Kairos\n" + TIMELINE)
        self.assertIsNone(missing)
        self.assertEqual(sample["online_ms"], 144.008)
        self.assertEqual(sample["phases"]["clocks"], 50.601)

    def test_missing_or_inconsistent(self):
        self.assertIn("no boot timeline", self.boot_sample("nothing\n")[1])
        self.assertIn("add up",
                      self.boot_sample(TIMELINE.replace("rest 15.591", "rest 99.591"))[1])

    def test_summary_and_table(self):
        sample, _ = self.boot_sample(TIMELINE)
        sample.update(ok=True, wall_s=1.0)
        config = next(c for c in bench.CONFIGS if c.name == "boot-q35-2g-smp2")
        summary = bench.boot_summary([sample, {"run": 1, "ok": False, "error": "x"}])
        self.assertEqual(summary["online_ms"]["median"], 144.008)
        self.assertEqual(summary["ok"], 1)
        table = bench.format_boot_table([config], {config.name: [sample]})
        self.assertIn("boot-q35-2g-smp2", table)
        self.assertIn("144.0", table)
        self.assertIn("tsc_sync", table)

    def test_configurations(self):
        names = {c.name for c in bench.CONFIGS if c.family == bench.BOOT}
        self.assertTrue({"boot-q35-256m-smp2", "boot-q35-8g-smp2",
                         "boot-q35-2g-smp300"} <= names)


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

    def test_filter_works_across_families(self):
        names = [c.name for c in bench.select(bench.CONFIGS, "bochs", quick=True)]
        self.assertEqual(names, ["bochs-smp1", "bochs-smp2", "time-bochs-smp1",
                                 "timer-bochs-smp2", "guest-bochs-smp1"])
        names = [c.name for c in bench.select(bench.CONFIGS, "^time-", quick=True)]
        self.assertEqual(names, ["time-q35-smp1", "time-q35-hpet-off", "time-bochs-smp1"])

    def test_boot_configs_are_valid(self):
        for config in bench.CONFIGS:
            with self.subTest(config=config.name):
                boot_config = config.boot_config(1)
                self.assertIn(config.family, bench.FAMILY_TESTS)
                self.assertTrue(boot_config.cmdline.startswith(
                    bench.FAMILY_TESTS[config.family]))
                backend = bench.boot.BACKENDS[boot_config.emulator]
                self.assertTrue(issubclass(backend, bench.boot.Emulator))
                if config.emulator == "bochs":
                    self.assertEqual((config.machine, config.firmware), ("pc", "bios"))


class FamilyTest(unittest.TestCase):
    def test_time_configs(self):
        time = {c.name: c for c in bench.CONFIGS if c.family == bench.TIME}
        self.assertEqual(set(time), {"time-q35-smp1", "time-q35-hpet-off", "time-bochs-smp1"})
        self.assertEqual(time["time-q35-hpet-off"].boot_config(2).cmdline,
                         "test=time_bench hpet=off")
        bochs = time["time-bochs-smp1"].boot_config(1)
        self.assertEqual((bochs.emulator, bochs.machine, bochs.cpu, bochs.smp),
                         ("bochs", "pc", "corei7_skylake_x", 1))
        self.assertEqual(bochs.name, "bench-time-bochs-smp1-1")

    def test_cmdline_replaces_every_familys_tests(self):
        for config in bench.CONFIGS:
            cmdline = config.boot_config(1, "test=x").cmdline
            if config.bare:  # Linux on QEMU: its own command line, no Kairos
                self.assertEqual(cmdline, bench.linux_cmdline(config.cyclictest))
            elif config.family in bench.DOMAIN_FAMILIES:  # the domains' verdict, no tests
                self.assertEqual(cmdline, config.cmdline)
                self.assertNotIn("test=", cmdline)
            else:
                self.assertTrue(cmdline.startswith("test=x"))


# The kernel's lines, as issue 4 and the kernel side give them.
TIME_LOG = """\
[c    1051720138] Kairos microhypervisor 0.1.0 (git 1a2b3c4, gcc 12.2.0)
[c    1569191118] ACPI: HPET at 0xfed00000, 3 comparators, 64-bit
[c    1600000000] TSC: against hpet: 2596.101 MHz, error <= 9 ppm, 10012 us window (chosen)\r
[c    1600000001] TSC: against acpi_pm: 2596.090 MHz, error <= 14 ppm, 10013 us window (agrees)\r
[c    1600000002] TSC: against pit: 2596.3 MHz, error <= 120 ppm, 10010 us window (agrees)\r
[c    1600000003] TSC: 2596.101 MHz, error <= 9 ppm, reference hpet, calibrated in 10 ms\r
[    0.500000] KTAP version 1
[    0.500001] 1..1
[    0.600000] BENCH {"bench":"now_cost","clock":"tsc","unit":"cycles","n":1000,"min":20,\
"median":22,"p99":40,"max":900}
[    0.700000] BENCH {"bench":"reprogram_cost","device":"lapic-oneshot","unit":"cycles",\
"n":1000,"min":300,"median":320,"p99":800,"max":5000}
[    0.800000] BENCH {"bench":"event_latency","device":"hpet","unit":"ns","n":200,"min":15000,\
"median":21000,"p99":60000,"max":250000}
[    1.500000] TSC: refined to 2596.096 MHz, error <= 1 ppm, over 1000 ms against hpet \
(2 ppm from the boot value)
[    1.600000] ok 1 time_bench
[    1.600001] debug_exit: verdict PASS
"""
HOST_HZ = 2596096009


class ParseTimeLogTest(unittest.TestCase):
    def test_sample_log(self):
        figures = bench.parse_time_log(TIME_LOG)
        self.assertEqual(figures["calibrations"], [
            {"reference": "hpet", "mhz": 2596.101, "error_ppm": 9, "window_us": 10012.0,
             "status": "chosen"},
            {"reference": "acpi_pm", "mhz": 2596.09, "error_ppm": 14, "window_us": 10013.0,
             "status": "agrees"},
            {"reference": "pit", "mhz": 2596.3, "error_ppm": 120, "window_us": 10010.0,
             "status": "agrees"}])
        self.assertEqual(figures["tsc"], {"mhz": 2596.101, "error_ppm": 9, "reference": "hpet",
                                          "calibration_ms": 10.0})
        refined = figures["refined"]
        self.assertEqual((refined["mhz"], refined["error_ppm"], refined["window_ms"],
                          refined["reference"], refined["from_boot_ppm"], refined["applied"]),
                         (2596.096, 1, 1000.0, "hpet", 2, True))
        self.assertEqual([e["bench"] for e in figures["bench"]],
                         ["now_cost", "reprogram_cost", "event_latency"])
        self.assertEqual(figures["bench"][0], {"bench": "now_cost", "clock": "tsc",
                                               "unit": "cycles", "n": 1000, "min": 20,
                                               "median": 22, "p99": 40, "max": 900})
        self.assertEqual(figures["bench_errors"], [])

    def test_tolerates_small_format_changes(self):
        figures = bench.parse_time_log(
            "TSC: against acpi_pm: 2.596090 GHz, 10.013 ms window, error < 14.5 ppm\n"
            "TSC: 2596101.5 kHz, reference acpi_pm, error <= 14 ppm, calibrated in 9.5 ms "
            "(agrees with pit)\n"
            "TSC: refined to 100000.000 kHz, error <= 0.5 ppm, over 1 s against hpet "
            "(-3 ppm from the boot value)\n")
        cal = figures["calibrations"][0]
        self.assertAlmostEqual(cal["mhz"], 2596.09)
        self.assertAlmostEqual(cal["window_us"], 10013.0)
        self.assertEqual((cal["error_ppm"], cal["status"]), (14.5, None))
        self.assertAlmostEqual(figures["tsc"]["mhz"], 2596.1015)
        self.assertEqual((figures["tsc"]["reference"], figures["tsc"]["calibration_ms"]),
                         ("acpi_pm", 9.5))
        refined = figures["refined"]
        self.assertEqual((refined["mhz"], refined["window_ms"], refined["from_boot_ppm"]),
                         (100.0, 1000.0, -3))

    def test_refused_refinement(self):
        refined = bench.parse_time_log(
            "TSC: refinement to 2596.300 MHz not applied: 80 ppm from the boot value, "
            "beyond the bound\n")["refined"]
        self.assertFalse(refined["applied"])
        self.assertEqual((refined["mhz"], refined["from_boot_ppm"]), (2596.3, 80))

    def test_a_reference_without_figures(self):
        cal = bench.parse_time_log("TSC: against pit: no reading (timed out)\n")
        self.assertEqual(cal["calibrations"], [{"reference": "pit", "mhz": None,
                                                "error_ppm": None, "window_us": None,
                                                "status": "timed out"}])
        self.assertIsNone(cal["tsc"])

    def test_other_lines_are_not_read(self):
        figures = bench.parse_time_log(
            "Command line: debug_exit test=time_bench test_tsc_hz=2596096009\n"
            "TSC: invariant, CPUID 0x15 says 2600 MHz (not trusted)\n"
            "x BENCH {\"bench\":\"now_cost\"}\n"
            "SMP: 1 CPU\n")
        self.assertEqual(figures, {"calibrations": [], "tsc": None, "refined": None,
                                   "bench": [], "bench_errors": []})

    def test_bad_bench_lines(self):
        figures = bench.parse_time_log(
            "BENCH {\"bench\":\"event_latency\", trunc\n"
            "BENCH [1, 2]\n"
            "BENCH {\"device\":\"hpet\"}\n"
            "BENCH {\"bench\":\"x\",\"min\":\"fast\"}\n"
            "[    0.8] BENCH {\"bench\":\"x\",\"device\":\"pit\",\"n\":3,\"min\":1.5}\r\n")
        self.assertEqual(len(figures["bench_errors"]), 4)
        self.assertIn("min is not a number", figures["bench_errors"][3])
        self.assertEqual(figures["bench"], [{"bench": "x", "device": "pit", "n": 3,
                                             "min": 1.5}])

    def test_subjects(self):
        entry = {"bench": "event_latency", "device": "hpet", "unit": "ns", "cpu": 0}
        self.assertEqual(bench.bench_subject(entry), "hpet")
        self.assertEqual(bench.bench_subject_names(entry), "device")
        self.assertEqual(bench.bench_subject({"bench": "x", "n": 1}), "-")

    def test_ppm_off(self):
        self.assertEqual(bench.ppm_off(100.001, 100_000_000), 10.0)
        self.assertIsNone(bench.ppm_off(None, 100_000_000))
        self.assertIsNone(bench.ppm_off(100.0, None))


def time_sample(run, log=TIME_LOG, expected=HOST_HZ, ok=True, error=None):
    """A time-family sample as run_sample() fills it in from log."""
    s = {"run": run, "ok": ok, "error": error, "wall_s": 1.5, "expected_tsc_hz": None,
         "calibrations": [], "tsc": None, "refined": None, "bench": [], "bench_errors": []}
    missing = bench.read_time_sample(s, log, expected)
    if ok and missing:
        s.update(ok=False, error=missing)
    return s


class TimeSampleTest(unittest.TestCase):
    def test_read(self):
        s = time_sample(1)
        self.assertTrue(s["ok"])
        self.assertEqual(s["expected_tsc_hz"], HOST_HZ)
        self.assertAlmostEqual(s["tsc"]["vs_expected_ppm"], 1.923, places=3)
        self.assertAlmostEqual(s["calibrations"][2]["vs_expected_ppm"], 78.576, places=3)
        self.assertAlmostEqual(s["refined"]["vs_expected_ppm"], -0.003, places=3)

    def test_missing_lines_are_an_error(self):
        s = time_sample(1, log="Kairos\n")
        self.assertFalse(s["ok"])
        self.assertEqual(s["error"], "no TSC calibration line (TSC: <rate> MHz, ...) and "
                                     "no BENCH lines in the serial log")
        s = time_sample(1, log=TIME_LOG.replace("BENCH", "bench"))
        self.assertEqual(s["error"], "no BENCH lines in the serial log")

    def test_no_expected_rate(self):
        s = time_sample(1, expected=None)
        self.assertTrue(s["ok"])
        self.assertIsNone(s["tsc"]["vs_expected_ppm"])

    def test_summary_over_runs(self):
        other = TIME_LOG.replace('"min":20,', '"min":18,').replace('"median":22', '"median":30')
        summary = bench.time_summary([time_sample(1), time_sample(2, log=other),
                                      time_sample(3, ok=False, error="timeout")])
        self.assertEqual((summary["runs"], summary["ok"]), (3, 2))
        self.assertEqual(summary["tsc"]["mhz"]["median"], 2596.101)
        self.assertEqual(summary["calibrations"]["pit"]["status"], "agrees")
        now = summary["bench"]["now_cost"]["tsc"]
        self.assertEqual(now, {"what": "clock", "unit": "cycles", "runs": 2, "n": 2000,
                               "min": 18, "median": 26, "p99": 40, "max": 900})
        self.assertEqual(summary["refined"]["applied"], 2)


class TimeTableTest(unittest.TestCase):
    def configs(self):
        return [c for c in bench.CONFIGS if c.family == bench.TIME]

    def test_tables(self):
        bochs_log = (TIME_LOG.replace("2596.", "100.")
                     .replace("[    0.800000] BENCH", "[    0.800000] BENCH garbled"))
        samples = {"time-q35-smp1": [time_sample(1), time_sample(2, ok=False,
                                                                 error="no verdict")],
                   "time-q35-hpet-off": [time_sample(1, log="Kairos\n")],
                   "time-bochs-smp1": [time_sample(1, log=bochs_log, expected=100_000_000)]}
        text = bench.format_time_tables(self.configs(), samples)
        lines = text.splitlines()
        self.assertIn("TSC calibration", lines[0])
        self.assertEqual(lines[1].split()[:4], ["config", "emulator", "runs", "MHz"])
        row = lines[3].split()
        self.assertEqual(row, ["time-q35-smp1", "qemu", "1/2", "2596.101", "9", "hpet", "10.0",
                               "2596.096", "+1.9"])
        self.assertRegex(lines[4], r"^time-q35-hpet-off +ERROR \(1 of 1 runs\): no TSC "
                                   r"calibration line")
        self.assertEqual(lines[5].split()[:4], ["time-bochs-smp1", "bochs", "1/1", "100.101"])
        self.assertEqual(lines[5].split()[-2:], ["100.000", "+1010.0"])
        self.assertRegex(text, r"\ntime-q35-smp1 +qemu +pit +1/2 +2596.300 +120 +10010 "
                               r"+\+78.6 +agrees\n")
        self.assertIn("time-q35-hpet-off  ERROR (see the first table)", text)
        self.assertRegex(text, r"\ntime-q35-smp1 +qemu +1/2 +1/1 +2596.096 +1 +1000 +hpet "
                               r"+\+2 +\+0.0\n")
        self.assertRegex(text, r"Cost of NOW\(\) \(BENCH now_cost\)\nconfig +emulator +clock "
                               r"+unit +runs +n +min +median +p99 +max\n")
        self.assertRegex(text, r"\ntime-q35-smp1 +qemu +tsc +cycles +1/2 +1000 +20 +22 +40 "
                               r"+900\n")
        self.assertRegex(text, r"\ntime-q35-smp1 +qemu +hpet +ns +1/2 +200 +15000 +21000 "
                               r"+60000 +250000\n")
        self.assertNotRegex(text, r"\ntime-bochs-smp1 +bochs +hpet +ns")  # the garbled line
        self.assertIn("time-bochs-smp1 run 1: Expecting value", text)
        self.assertIn("time-q35-smp1 run 2: no verdict", text)

    def test_every_run_failed(self):
        samples = {c.name: [time_sample(1, ok=False, error="boom")] for c in self.configs()}
        text = bench.format_time_tables(self.configs(), samples)
        self.assertIn("time-q35-smp1      ERROR (1 of 1 runs): boom", text)
        self.assertIn("\n\nLatency from a deadline to its interrupt (BENCH event_latency): "
                      "no figures\n", text)
        self.assertNotIn("see the first table", text)

    def test_report_puts_families_together(self):
        smp = bench.CONFIGS[0]
        time = self.configs()[0]
        samples = {smp.name: [sample(1, ms=10.5, cpus=1)], time.name: [time_sample(1)]}
        text = bench.format_report([smp, time], samples)
        self.assertTrue(text.startswith("AP bring-up\nconfig "))
        self.assertIn("\n\nTSC calibration", text)
        self.assertTrue(bench.format_report([smp], samples).startswith("config "))


class RunSampleTest(unittest.TestCase):
    """run_sample() on a stand-in for boot.run_boot()."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.saved = bench.boot.run_boot

    def tearDown(self):
        bench.boot.run_boot = self.saved
        self.tmp.cleanup()

    def run_with(self, config, log, ok=True, reasons=()):
        run_dir = Path(self.tmp.name) / "run"
        run_dir.mkdir(exist_ok=True)
        (run_dir / "serial.log").write_text(log)
        seen = []

        def fake_run_boot(boot_config, kernel=None):
            seen.append(boot_config)
            return bench.boot.BootResult(
                boot_config, ok, list(reasons), bench.boot.Outcome("pass"),
                bench.ktap.parse(log), 1.25, run_dir, run_dir / "serial.log", HOST_HZ)

        bench.boot.run_boot = fake_run_boot
        sample = bench.run_sample(config, 1, Path("/k.elf"))
        return sample, seen[0]

    def test_time_sample(self):
        config = next(c for c in bench.CONFIGS if c.name == "time-q35-smp1")
        sample, boot_config = self.run_with(config, TIME_LOG)
        self.assertEqual(boot_config.cmdline, "test=time_bench")
        self.assertTrue(sample["ok"], sample["error"])
        self.assertEqual(sample["expected_tsc_hz"], HOST_HZ)
        self.assertEqual(len(sample["bench"]), 3)
        self.assertEqual(sample["kernel"], "Kairos microhypervisor 0.1.0 (git 1a2b3c4, "
                                           "gcc 12.2.0)")
        self.assertIn("TSC 2596.101 MHz against hpet (+1.9 ppm off the expected), 3 BENCH",
                      bench.describe_sample(sample))

    def test_failed_boot_keeps_its_figures(self):
        config = next(c for c in bench.CONFIGS if c.name == "time-q35-smp1")
        sample, _ = self.run_with(config, TIME_LOG, ok=False, reasons=["no verdict"])
        self.assertFalse(sample["ok"])
        self.assertEqual(sample["error"], "no verdict")
        self.assertEqual(sample["tsc"]["reference"], "hpet")  # kept in the JSON

    def test_timer_sample(self):
        config = next(c for c in bench.CONFIGS if c.name == "timer-q35-smp2")
        sample, boot_config = self.run_with(config, TIMER_LOG)  # defined below
        self.assertEqual(boot_config.cmdline, "test=timer_bench")
        self.assertTrue(sample["ok"], sample["error"])
        self.assertEqual(len(sample["bench"]), 12)
        self.assertNotIn("tsc", sample)

    def test_smp_sample(self):
        sample, boot_config = self.run_with(bench.CONFIGS[2], LINE)
        self.assertEqual(boot_config.cmdline, "test=smp.all_listed_cpus_online")
        self.assertTrue(sample["ok"])
        self.assertEqual((sample["cpus_online"], sample["bringup_ms"]), (4, 11.085))
        self.assertNotIn("bench", sample)


# The timer_bench suite's lines (tests/kernel/timer_bench.c), shortened.
TIMER_LOG = """\
[c    1051720138] Kairos microhypervisor 0.1.0 (git 1a2b3c4, gcc 12.2.0)
[    0.038841]     # Subtest: timer_bench
[    1.062400] BENCH {"bench":"timer_idle","cpu":"0","state":"busy wait","unit":"interrupts/s",\
"n":10,"min":0,"median":0,"p99":9,"max":9,"window_ms":100,"interrupts":1,"pending":1}\r
[    1.066083] BENCH {"bench":"timer_idle","cpu":"1","state":"idle loop","unit":"interrupts/s",\
"n":10,"min":0,"median":0,"p99":0,"max":0,"window_ms":100,"interrupts":0,"pending":0}\r
[    1.615881] BENCH {"bench":"timer_latency","slack":"0","unit":"ns","n":500,"min":6833,\
"median":59791,"p99":186740,"max":1560711,"early":0,"lost":0,"delay_min_us":50,\
"delay_max_us":2000}
[    2.638126] BENCH {"bench":"timer_coalescing","slack":"0","unit":"ns","n":9987,"min":495,\
"median":52185,"p99":150174,"max":2887124,"slack_ns":0,"timers":9987,"interrupts":5562,\
"interrupts_per_1000":556,"softirqs":6425,"reprograms":5638,"expired":9987,"early":0,\
"lost":0,"dropped":0,"rate":10000,"rate_achieved":9987,"duration_ms":1008,"delay_max_us":10000}
[    3.660914] BENCH {"bench":"timer_coalescing","slack":"50us","unit":"ns","n":10036,\
"min":637,"median":64038,"p99":171596,"max":2359250,"slack_ns":50000,"timers":10036,\
"interrupts":5281,"reprograms":5330,"early":0,"lost":0,"rate":10000,"rate_achieved":10036}
[    4.707591] BENCH {"bench":"timer_cost","op":"set_timer","pending":10,"unit":"cycles",\
"n":400,"min":765,"median":940,"p99":1061,"max":8973,"batch":16,"heap_limit":128,"in_list":0}
[    4.712848] BENCH {"bench":"timer_cost","op":"stop_timer","pending":10,"unit":"cycles",\
"n":400,"min":745,"median":950,"p99":1121,"max":17733,"batch":16,"heap_limit":128,"in_list":0}
[    4.717902] BENCH {"bench":"timer_cost","op":"expiry","pending":10,"unit":"cycles",\
"n":100,"min":1427,"median":1696,"p99":4530,"max":4530,"batch":64,"heap_limit":128,\
"in_list":0}
[    7.623714] BENCH {"bench":"timer_cost","op":"set_timer","pending":1000000,"unit":"cycles",\
"n":22,"min":5069637,"median":6765833,"p99":10742987,"max":10742987,"heap_limit":262144,\
"in_list":737856}
[    7.626768] BENCH {"bench":"timer_cost","op":"stop_timer","pending":1000000,\
"unit":"cycles","n":0,"skipped":"above timer_bench_max="}
[    7.626769] BENCH {"bench":"timer_cost","op":"expiry","pending":1000000,\
"unit":"cycles","n":0,"skipped":"above timer_bench_max="}
[    7.626770] BENCH {"bench":"timer_wakeups","what":"x","unit":"1","n":1,"min":1,"median":1,\
"p99":1,"max":1}
[    8.008342] ok 1 timer_bench
"""

# The million-timer lines of a run that skipped them (timer_bench_max=).
SKIPPED_1M = """\
BENCH {"bench":"timer_cost","op":"set_timer","pending":1000000,"unit":"cycles","n":0,\
"skipped":"above timer_bench_max="}
"""


def timer_sample(run, log=TIMER_LOG, ok=True, error=None):
    """A timer-family sample as run_sample() fills it in from log."""
    s = {"run": run, "ok": ok, "error": error, "wall_s": 8.8, "bench": [], "bench_errors": []}
    missing = bench.read_timer_sample(s, log)
    if ok and missing:
        s.update(ok=False, error=missing)
    return s


class TimerFamilyTest(unittest.TestCase):
    def configs(self):
        return [c for c in bench.CONFIGS if c.family == bench.TIMER]

    def test_configs(self):
        timer = {c.name: c for c in self.configs()}
        self.assertEqual(set(timer), {"timer-q35-smp2", "timer-bochs-smp2"})
        q35 = timer["timer-q35-smp2"]
        self.assertEqual(q35.boot_config(1).cmdline, "test=timer_bench")
        self.assertEqual(q35.boot_config(1, quick=True).cmdline,
                         "test=timer_bench timer_bench_max=100000")
        self.assertEqual((q35.smp, q35.mem), (2, 1024))
        bochs = timer["timer-bochs-smp2"].boot_config(1)
        self.assertEqual((bochs.emulator, bochs.machine, bochs.cpu, bochs.smp),
                         ("bochs", "pc", "corei7_skylake_x", 2))
        self.assertEqual(bench.select(bench.CONFIGS, "^timer-", quick=True), self.configs())
        self.assertNotIn("timer-q35-smp2",
                         [c.name for c in bench.select(bench.CONFIGS, "^time-", False)])

    def test_parse(self):
        figures = bench.parse_timer_log(TIMER_LOG + "BENCH {broken\n")
        kinds = [e["bench"] for e in figures["bench"]]
        self.assertEqual(kinds.count("timer_cost"), 6)
        self.assertEqual(kinds[:4], ["timer_idle", "timer_idle", "timer_latency",
                                     "timer_coalescing"])
        self.assertEqual(len(figures["bench_errors"]), 1)
        idle = figures["bench"][0]
        self.assertEqual(bench.timer_key(idle), {"cpu": "0", "state": "busy wait"})
        cost = figures["bench"][5]
        self.assertEqual(bench.timer_key(cost), {"op": "set_timer", "pending": 10})
        self.assertEqual(bench.timer_subject(cost), "set_timer,10")
        skipped = figures["bench"][-2]
        self.assertEqual(bench.timer_key(skipped), {"op": "expiry", "pending": 1000000})

    def test_missing_lines_are_an_error(self):
        s = timer_sample(1, log="Kairos\nok 1 timer_bench\n")
        self.assertFalse(s["ok"])
        self.assertEqual(s["error"], "no BENCH lines in the serial log")

    def test_summary_over_runs(self):
        other = TIMER_LOG.replace('"interrupts":5562', '"interrupts":4994')
        summary = bench.timer_summary([timer_sample(1), timer_sample(2, log=other),
                                       timer_sample(3, ok=False, error="timeout")])
        self.assertEqual((summary["runs"], summary["ok"]), (3, 2))
        stream = summary["bench"]["timer_coalescing"]["0"]
        self.assertEqual(stream["runs"], 2)
        self.assertEqual(stream["fields"]["interrupts"]["median"], 5278)
        self.assertAlmostEqual(stream["fields"]["interrupts_per_timer"]["median"],
                               (5562 + 4994) / 2 / 9987)
        skipped = summary["bench"]["timer_cost"]["stop_timer,1000000"]
        self.assertEqual((skipped["runs"], skipped["skipped"], skipped["skipped_why"]),
                         (0, 2, "above timer_bench_max="))
        cost = summary["bench"]["timer_cost"]["set_timer,10"]
        self.assertEqual((cost["n"], cost["median"], cost["key"]),
                         (800, 940, {"op": "set_timer", "pending": 10}))
        self.assertEqual(cost["fields"]["heap_limit"]["median"], 128)

    def test_tables(self):
        q35, bochs = self.configs()
        samples = {q35.name: [timer_sample(1), timer_sample(2, ok=False, error="no verdict")],
                   bochs.name: [timer_sample(1, log="Kairos\n")]}
        text = bench.format_timer_tables([q35, bochs], samples)
        self.assertTrue(text.startswith("Cost of timer operations"), text)
        self.assertRegex(text, r"\ntimer-q35-smp2 +qemu +10 +1/1 +940 +1061 +950 +1121 "
                               r"+1696 +4530 +128 +0\n")
        # 1M: set_timer measured, the others skipped.
        self.assertRegex(text, r"\ntimer-q35-smp2 +qemu +1000000 +1/1 +6765833 +10742987 "
                               r"+- +- +- +- +262144 +737856 +skipped in 2 run\(s\)\n")
        self.assertRegex(text, r"\ntimer-bochs-smp2 +ERROR \(1 of 1 runs\): no BENCH lines")
        self.assertRegex(text, r"\ntimer-q35-smp2 +qemu +0 +1/1 +500 +6833 +59791 +186740 "
                               r"+1560711 +0 +0\n")
        self.assertRegex(text, r"\ntimer-q35-smp2 +qemu +50us +1/1 +10036 +10036 +5281 "
                               r"+0.526 +5330 +64.0 +171.6 +2359.2 +0 +0\n")
        self.assertRegex(text, r"\ntimer-q35-smp2 +qemu +1 +idle loop +1/1 +0 +0 +0 +0\n")
        self.assertIn("timer-bochs-smp2  ERROR (see the first table)", text)
        self.assertIn("\nBENCH timer_wakeups\n", text)
        self.assertIn("timer-q35-smp2 run 2: no verdict", text)

    def test_all_skipped(self):
        q35 = self.configs()[0]
        text = bench.format_timer_tables([q35], {q35.name: [timer_sample(1, log=SKIPPED_1M)]})
        self.assertRegex(text, r"\ntimer-q35-smp2 +qemu +1000000 +0/1 +(- +){8}"
                               r"skipped: above timer_bench_max=\n")
        self.assertIn("Latency from a timer's expiry to its callback (BENCH timer_latency, "
                      "ns; deadlines 50 us to 2 ms ahead, one at a time): no figures", text)

    def test_report_and_progress(self):
        smp = bench.CONFIGS[0]
        timer = self.configs()[0]
        samples = {smp.name: [sample(1, ms=10.5, cpus=1)], timer.name: [timer_sample(1)]}
        text = bench.format_report([smp, timer], samples)
        self.assertTrue(text.startswith("AP bring-up\nconfig "))
        self.assertIn("\n\nCost of timer operations", text)
        self.assertEqual(bench.describe_sample(timer_sample(1)),
                         "12 BENCH lines, 8.8 s to the verdict")


# A guest-family boot (tests/guests/bench.c), as recorded under QEMU, with
# the second vcpu_switch line skipped and two lines the parser must not take:
# a BENCH line with another line's output in front, and broken JSON.
GUEST_LOG = """\
[c    882659570] Kairos microhypervisor 0.1.0 (git 302c72b-dirty, gcc 12.2.0)
[c    892416824] Command line: debug_exit test_tsc_hz=2596096021
[    0.045718] Domain 1 (bench): entry 0x4044ab, 2 vCPUs, 4096 KiB (image 76 KiB, heap 3892 \
KiB at 0xa00000), module 0
[    0.051862] Domains: 2 of 2 modules built; starting them
[    0.061574] (d2) bench peer: waiting for bench (domain 1)
[    0.068136] (d1) bench: hypercall,yield,timer,periodic; count=1000 batch=10 tsc_hz=2596096173
[    1.829818] (d1) BENCH {"bench":"virq_latency","timer":"single-shot","unit":"ns","n":1000,\
"min":44061,"median":93016,"p99":1231311,"max":2915719,"early":0,"ahead_min_ns":100000,\
"ahead_max_ns":2000000}\r
[    2.888205] (d1) BENCH {"bench":"virq_latency","timer":"periodic","unit":"ns","n":1000,\
"min":7122,"median":78597,"p99":795442,"max":942464,"early":0,"missed":55,\
"period_ns":1000000,"phase_ns":14732}\r
[    2.076891] (d1) BENCH {"bench":"hypercall_rtt","call":"version","unit":"ns","n":1000,\
"min":555,"median":580,"p99":860,"max":3086,"batch":10,"tsc_hz":2596096173,\
"cycles_min":1440,"cycles_median":1505,"cycles_p99":2233,"cycles_max":8010,\
"overhead_cycles":26}\r
[    2.095106] (d1) BENCH {"bench":"hypercall_rtt","call":"yield (alone)","unit":"ns",\
"n":1000,"min":1366,"median":1394,"p99":1779,"max":4774,"batch":10,"tsc_hz":2596096173,\
"cycles_min":3546,"cycles_median":3619,"cycles_p99":4617,"cycles_max":12394,\
"overhead_cycles":26}\r
[    2.231929] (d1) BENCH {"bench":"vcpu_switch","between":"vCPUs of one domain","unit":"ns",\
"n":1000,"min":3842,"median":5325,"p99":13414,"max":14900,"batch":10,"tsc_hz":2596096173,\
"cycles_min":9974,"cycles_median":13825,"cycles_p99":34823,"cycles_max":38682,\
"yields":10000,"peer_yields":10100,"waiting_permille":499}\r
[    2.235890] (d1) BENCH {"bench":"vcpu_switch","between":"two domains","unit":"ns","n":0,\
"skipped":"no peer domain"}\r
[    2.236000] TSC: refined to 2596.096 MHz(d1) BENCH {"bench":"x","unit":"ns","n":1}
[    2.236001] (d1) BENCH {"bench":"vcpu_switch","between":"two dom
[    2.640777] (d2) bench peer: 10101 yields
[    2.891189] Domain 1 (bench) shut down: poweroff, code 0, after 2851 ms
[    2.894007] All domains have shut down: 2 poweroff, 0 crashed, 0 other
[    2.897535] debug_exit: verdict PASS
"""


def guest_sample(run, log=GUEST_LOG, ok=True, error=None):
    """A guest-family sample as run_sample() fills it in from log."""
    s = {"run": run, "ok": ok, "error": error, "wall_s": 3.5, "bench": [], "bench_errors": []}
    missing = bench.read_guest_sample(s, log)
    if ok and missing:
        s.update(ok=False, error=missing)
    return s


class GuestFamilyTest(unittest.TestCase):
    def configs(self):
        return [c for c in bench.CONFIGS if c.family == bench.GUEST]

    def test_configs(self):
        guest = {c.name: c for c in self.configs()}
        self.assertEqual(list(guest), ["guest-q35-smp1", "guest-q35-smp2", "guest-bochs-smp1"])
        self.assertEqual([c.smp for c in guest.values()], [1, 2, 1])
        q35 = guest["guest-q35-smp2"].boot_config(1)
        self.assertEqual(q35.cmdline, "")  # no kernel tests: the domains' verdict
        self.assertEqual(q35.domains, (("bench", "poweroff"), ("benchpeer", "poweroff")))
        self.assertEqual(len(q35.modules), 2)
        image, options = q35.modules[0].split(":", 1)
        self.assertEqual(Path(image), bench.REPO / "build/tests/guests/bench.elf")
        self.assertIn("name=bench vcpus=2 affinity=0", options)
        self.assertIn('args="peer=benchpeer count=1000"', options)
        image, options = q35.modules[1].split(":", 1)
        self.assertEqual(Path(image), bench.REPO / "build/tests/guests/bench.elf")
        self.assertIn('name=benchpeer affinity=0', options)
        self.assertIn('args="mode=peer peer=bench"', options)
        quick = guest["guest-q35-smp1"].boot_config(1, quick=True)
        self.assertIn("count=200", quick.modules[0])
        bochs = guest["guest-bochs-smp1"].boot_config(1)
        self.assertEqual((bochs.emulator, bochs.machine, bochs.cpu, bochs.smp),
                         ("bochs", "pc", "corei7_skylake_x", 1))
        self.assertEqual(bench.select(bench.CONFIGS, "guest", quick=True), self.configs())
        self.assertEqual([f.name for f in guest["guest-q35-smp1"].module_files()],
                         ["bench.elf"])

    def test_parse(self):
        figures = bench.parse_guest_log(GUEST_LOG)
        self.assertEqual([bench.timer_subject(e) for e in figures["bench"]],
                         ["single-shot", "periodic", "version", "yield (alone)",
                          "vCPUs of one domain", "two domains"])
        self.assertEqual(figures["bench"][2]["cycles_median"], 1505)
        self.assertEqual(bench.timer_key(figures["bench"][4]),
                         {"between": "vCPUs of one domain"})
        errors = figures["bench_errors"]
        self.assertEqual(len(errors), 2)
        self.assertTrue(errors[0].startswith("not at the start of its line: "), errors[0])
        self.assertIn('"between":"two dom', errors[1])

    def test_prefix_is_optional_and_garbage_never_raises(self):
        log = "\n".join([
            'BENCH {"bench":"a","unit":"ns","n":1,"min":1,"median":1,"p99":1,"max":1}',
            '(d12) BENCH {"bench":"b","unit":"ns","n":0,"skipped":"why"}',
            "(d1) BENCH", "(d1) BENCH ", "(d1) BENCH []", "(d1) BENCH null",
            '(d1) BENCH {"bench":5}', '(d1) BENCH {"bench":"c","n":"many"}',
            '(d1) BENCH {"bench":"c","min":true}', "(d1) BENCH " + "[" * 100000,
            "(d1) BENCH {\x00\xff}", "(dx) BENCH {}", "(d1)BENCH {}",
            "(d1) bench: not a figure", "\x1b[2J(d1) BENCH {\"bench\":1"])
        figures = bench.parse_guest_log(log)
        self.assertEqual([e["bench"] for e in figures["bench"]], ["a", "b"])
        # Every line with BENCH and something after it is an error; a bare
        # "(d1) BENCH" is not a figure line at all.
        self.assertEqual(len(figures["bench_errors"]), 11, figures["bench_errors"])

    def test_missing_lines_are_an_error(self):
        s = guest_sample(1, log="Kairos\n(d1) bench: hello\n")
        self.assertFalse(s["ok"])
        self.assertEqual(s["error"], "no BENCH lines from the guests in the serial log")

    def test_summary_over_runs(self):
        other = GUEST_LOG.replace('"median":580,', '"median":600,').replace(
            '"cycles_median":1505,', '"cycles_median":1557,')
        summary = bench.SUMMARIES[bench.GUEST]([guest_sample(1), guest_sample(2, log=other),
                                                guest_sample(3, ok=False, error="timeout")])
        self.assertEqual((summary["runs"], summary["ok"]), (3, 2))
        version = summary["bench"]["hypercall_rtt"]["version"]
        self.assertEqual((version["runs"], version["n"], version["median"], version["min"]),
                         (2, 2000, 590, 555))
        self.assertEqual(version["fields"]["cycles_median"]["median"], 1531)
        skipped = summary["bench"]["vcpu_switch"]["two domains"]
        self.assertEqual((skipped["runs"], skipped["skipped"], skipped["skipped_why"]),
                         (0, 2, "no peer domain"))
        periodic = summary["bench"]["virq_latency"]["periodic"]
        self.assertEqual(periodic["fields"]["missed"]["max"], 55)

    def test_tables(self):
        q35, _, bochs = self.configs()
        samples = {q35.name: [guest_sample(1), guest_sample(2, ok=False, error="no verdict")],
                   bochs.name: [guest_sample(1, log="Kairos\n")]}
        text = bench.format_guest_tables([q35, bochs], samples)
        self.assertTrue(text.startswith("Hypercall round trip"), text)
        self.assertRegex(text, r"\nguest-q35-smp1 +qemu +version +1/1 +1000 +555 +580 +860 "
                               r"+3086 +1505 +10\n")
        self.assertRegex(text, r"\nguest-q35-smp1 +qemu +yield \(alone\) +1/1 +1000 +1366 "
                               r"+1394 +1779 +4774 +3619 +10\n")
        self.assertRegex(text, r"\nguest-bochs-smp1 +ERROR \(1 of 1 runs\): no BENCH lines")
        self.assertRegex(text, r"\nguest-q35-smp1 +qemu +vCPUs of one domain +1/1 +1000 "
                               r"+3842 +5325 +13414 +14900 +13825 +49.9\n")
        self.assertRegex(text, r"\nguest-q35-smp1 +qemu +two domains +0/1 +(- +){7}"
                               r"skipped: no peer domain\n")
        self.assertRegex(text, r"\nguest-q35-smp1 +qemu +single-shot +1/1 +1000 +44061 "
                               r"+93016 +1231311 +2915719 +0 +-\n")
        self.assertRegex(text, r"\nguest-q35-smp1 +qemu +periodic +1/1 +1000 +7122 +78597 "
                               r"+795442 +942464 +0 +55\n")
        self.assertIn("guest-bochs-smp1  ERROR (see the first table)", text)
        self.assertIn("BENCH lines that could not be read", text)
        self.assertIn("guest-q35-smp1 run 2: no verdict", text)

    def test_no_figures_and_other_kinds(self):
        q35 = self.configs()[0]
        log = '(d1) BENCH {"bench":"evtchn_rtt","what":"x","unit":"ns","n":2,"min":1,' \
              '"median":2,"p99":3,"max":4}\n'
        text = bench.format_guest_tables([q35], {q35.name: [guest_sample(1, log=log)]})
        self.assertIn("Hypercall round trip (BENCH hypercall_rtt; ", text)
        self.assertRegex(text, r"Hypercall round trip \(.*\): no figures\n")
        self.assertRegex(text, r"\nBENCH evtchn_rtt\n.*\n.*\nguest-q35-smp1 +qemu +x +1/1 +ns "
                               r"+2 +1 +2 +3 +4\n?")

    def test_report_and_progress(self):
        smp = bench.CONFIGS[0]
        guest = self.configs()[0]
        samples = {smp.name: [sample(1, ms=10.5, cpus=1)], guest.name: [guest_sample(1)]}
        text = bench.format_report([smp, guest], samples)
        self.assertTrue(text.startswith("AP bring-up\nconfig "))
        self.assertIn("\n\nHypercall round trip", text)
        self.assertEqual(bench.describe_sample(guest_sample(1)),
                         "6 BENCH lines, 3.5 s to the verdict")


class GuestRunSampleTest(RunSampleTest):
    """run_sample() for the guest family: modules, domains, missing images."""

    def test_guest_sample(self):
        config = next(c for c in bench.CONFIGS if c.name == "guest-q35-smp1")
        image = Path(self.tmp.name) / "bench.elf"
        image.write_bytes(b"\x7fELF")
        config = bench.dataclasses.replace(
            config, modules=(f"{image}:name=bench", f"{image}:name=benchpeer"),
            quick_modules=())
        sample, boot_config = self.run_with(config, GUEST_LOG)
        self.assertEqual(boot_config.cmdline, "")
        self.assertEqual(boot_config.modules, (f"{image}:name=bench", f"{image}:name=benchpeer"))
        self.assertEqual(boot_config.domains, bench.GUEST_DOMAINS)
        self.assertTrue(sample["ok"], sample["error"])
        self.assertEqual(len(sample["bench"]), 6)
        self.assertEqual(len(sample["bench_errors"]), 2)

    def test_missing_image_is_an_error_without_a_boot(self):
        config = bench.dataclasses.replace(
            next(c for c in bench.CONFIGS if c.name == "guest-q35-smp1"),
            modules=("build/no-such-dir/bench.elf:name=bench",), quick_modules=())
        bench.boot.run_boot = lambda *a, **k: self.fail("booted without the image")
        sample = bench.run_sample(config, 1, Path("/k.elf"))
        self.assertFalse(sample["ok"])
        self.assertIn("no-such-dir/bench.elf", sample["error"])
        self.assertIn("make test-guests", sample["error"])


# Recorded from a run of hvm-q35-smp2 (build/boots/bench-hvm-q35-smp2-1/
# serial.log), trimmed: the HVM guest's figures, the hypervisor's exits
# line, one of the PV guest's.
HVM_LOG = """\
[    0.087903] Domain 1 (hvmbench): entry 0x10000c, HVM Multiboot kernel, 1 vCPU, 16384 KiB
[    0.301120] (d1) BENCH {"bench":"hvm_exit","exit":"cpuid","mode":"xapic","unit":"ns",\
"n":200,"min":22379,"median":24611,"p99":33247,"max":39334,"tsc_hz":2694889795,"batch":10,\
"cycles_median":66325}
[    0.474715] (d1) BENCH {"bench":"hvm_exit","exit":"hlt","mode":"xapic","unit":"ns","n":200,\
"min":73138,"median":74070,"p99":110639,"max":1104139,"tsc_hz":2694889795,"batch":1,\
"cycles_median":199611}
[    0.697945] (d1) BENCH {"bench":"virq_latency","timer":"HVM one-shot","unit":"ns","n":100,\
"min":77958,"median":92113,"p99":680725,"max":680725,"tsc_hz":2694889795,"early":0,"missed":0}
[    0.836186] (d1) BENCH {"bench":"virq_latency","timer":"HVM TSC-deadline","unit":"ns",\
"n":0,"skipped":"no TSC-deadline timer in CPUID"}
[    0.846442] Domain 1 (hvmbench): 19414 HVM exits: VINTR 200 (mean 3174 cycles), CPUID 2004 \
(mean 18228 cycles), I/O 7440 (mean 36023 cycles), CR 1 (mean 4150359 cycles)
[    1.916496] (d2) BENCH {"bench":"virq_latency","timer":"single-shot","unit":"ns","n":200,\
"min":70330,"median":124300,"p99":929474,"max":2988758,"early":0}
[    2.128308] All domains have shut down: 3 poweroff, 0 crashed, 0 other
"""


def hvm_sample(run, log=HVM_LOG, ok=True):
    """An hvm-family sample as run_sample() fills it in from log."""
    s = {"run": run, "ok": ok, "error": None, "wall_s": 3.0, "bench": [], "bench_errors": []}
    missing = bench.read_guest_sample(s, log)
    s["hvm_exits"] = bench.parse_hvm_exits(log)
    if missing:
        s.update(ok=False, error=missing)
    return s


class HvmFamilyTest(unittest.TestCase):
    def config(self):
        (config,) = [c for c in bench.CONFIGS if c.family == bench.HVM]
        return config

    def test_config(self):
        boot_config = self.config().boot_config(1)
        self.assertEqual(boot_config.cmdline, "")  # the domains' verdict
        self.assertEqual([d for d, _ in boot_config.domains], ["hvmbench", "bench", "benchpeer"])
        self.assertIn("type=hvm affinity=1", boot_config.modules[0])
        self.assertIn('cmdline="bench=1 bench_count=1000 bench_timer_count=500"',
                      boot_config.modules[0])
        self.assertIn("affinity=0", boot_config.modules[1])  # the PV guest on the other CPU
        quick = self.config().boot_config(1, quick=True)
        self.assertIn("bench_count=200 bench_timer_count=100", quick.modules[0])
        self.assertEqual([f.name for f in self.config().module_files()],
                         ["bench.elf", "hvmtest.elf"])

    def test_parse_exits_line(self):
        exits = bench.parse_hvm_exits(HVM_LOG)
        self.assertEqual([(e["reason"], e["count"], e["mean_cycles"]) for e in exits],
                         [("VINTR", 200, 3174), ("CPUID", 2004, 18228), ("I/O", 7440, 36023),
                          ("CR", 1, 4150359)])
        self.assertEqual({e["domain"] for e in exits}, {"hvmbench"})
        self.assertEqual(bench.parse_hvm_exits("Domain 1 (x): 0 HVM exits: none\n"), [])
        self.assertEqual(bench.parse_hvm_exits("Domain 1 (x): 5 HVM exits: CPUID five\n"), [])

    def test_tables_put_hvm_beside_pv(self):
        config = self.config()
        text = bench.format_guest_tables([config], {config.name: [hvm_sample(1)]})
        self.assertRegex(text, r"\nhvm-q35-smp2 +qemu +cpuid,xapic +1/1 +200 +22379 +24611 "
                               r"+33247 +39334 +66325 +10\n")
        # The HVM guest's timers and the PV guest's, in one table.
        latency = text[text.index("Timer deadline"):text.index("HVM exit round trip")]
        self.assertRegex(latency, r"\nhvm-q35-smp2 +qemu +HVM one-shot +1/1 +100 +77958 ")
        self.assertRegex(latency, r"\nhvm-q35-smp2 +qemu +single-shot +1/1 +200 +70330 ")
        self.assertRegex(latency, r"\nhvm-q35-smp2 +qemu +HVM TSC-deadline +0/1 +(- +){7}"
                                  r"skipped: no TSC-deadline timer in CPUID\n")
        # The hypervisor's side: cycles and ns at the guest's TSC rate.
        self.assertRegex(text, r"\nhvm-q35-smp2 +qemu +hvmbench: CPUID +1/1 +2004 +18228 +6764\n")

    def test_guest_family_alone_has_no_hvm_tables(self):
        guest = next(c for c in bench.CONFIGS if c.name == "guest-q35-smp1")
        text = bench.format_guest_tables([guest], {guest.name: [guest_sample(1)]})
        self.assertNotIn("HVM exit", text)


# Recorded from runs of the sched family's workloads (QEMU and Bochs,
# build/boots/bench-sched-*/serial.log), trimmed to the lines read.
SCHED_CREDIT_LOG = """\
[c    402618430] Command line: debug_exit sched=credit test_tsc_hz=100000000
[    0.015939] Scheduler: credit
[    3.657645] (d1) SHARE w1 v0: ran 457 ms of 3000 ms (15.26%), waited 2542 ms, longest gap \
26111 us (bbbd8e43b2de441a)
[    3.662532] Domain 1 (w1): credit: weight 256, cap 0%, 0 migrations by stealing
[    3.747275] (d2) SHARE w2 v0: ran 877 ms of 3000 ms (29.26%), waited 2122 ms, longest gap \
21827 us (92b073305dcce68d)
[    3.750621] Domain 2 (w2): credit: weight 512, cap 0%, 0 migrations by stealing
[    3.823649] (d3) SHARE w4 v0: ran 1684 ms of 3000 ms (56.14%), waited 1315 ms, longest gap \
20061 us (1319696e1cc17968)
[    3.827236] Domain 3 (w4): credit: weight 1024, cap 0%, 0 migrations by stealing
[    3.830000] All domains have shut down: 3 poweroff, 0 crashed, 0 other
[    3.832316] Scheduler credit: 419 schedule() calls, 316 switches; schedule() to the switch: \
mean 645 cycles, max 1113
[    3.836716] debug_exit: verdict PASS
"""
SCHED_EDF_LOG = """\
[    0.032753] Scheduler: EDF
[    4.600213] (d1) SHARE rt1 v0: ran 902 ms of 3000 ms (30.06%), waited 2097 ms, longest gap \
8065 us (4586d3929f52da17)
[    4.617124] Domain 1 (rt1): EDF: budget 3000 us every 10000 us, 305 periods, 0 deadline misses
[    4.703220] (d2) SHARE rt2 v0: ran 1204 ms of 3000 ms (40.13%), waited 1796 ms (909c9402294ccd6c)
[    4.729389] Domain 2 (rt2): EDF: budget 8000 us every 20000 us, 160 periods, 2 deadline misses
[    4.814209] (d3) SHARE bg v0: ran 907 ms of 3000 ms (30.26%), waited 2092 ms, longest gap \
14079 us (cfa06cbe5b641004)
[    4.831015] Domain 3 (bg): EDF: background (no reservation)
[    4.844095] Scheduler EDF: 767 schedule() calls, 616 switches; schedule() to the switch: mean \
657 cycles, max 709
"""
SCHED_GANG_LOG = """\
[    0.032149] Scheduler: gang
[    3.750132] (d1) SHARE g1 v0: ran 992 ms of 3000 ms (33.07%), waited 2007 ms, longest gap \
27776 us (a57f7a6b0cb40fb1)
[    3.760645] (d1) SHARE g1 v1: ran 1000 ms of 3000 ms (33.33%), waited 2000 ms, longest gap \
20056 us (6aeabc7296553d8f)
[    3.786348] Domain 1 (g1): gang g1 of 2 vCPUs: 103 slots all started, 0 partial; start skew \
min 0 ns, median 0 ns, p99 21600 ns, max 7718150 ns
[    3.840186] (d2) SHARE g2 v1: ran 1000 ms of 3000 ms (33.33%), waited 2000 ms, longest gap \
20059 us (d6d262c2f2c9bdaf)
[    3.850786] (d2) SHARE g2 v0: ran 1000 ms of 3000 ms (33.33%), waited 1999 ms, longest gap \
20061 us (6118cfeacfff4baf)
[    3.867964] Domain 2 (g2): gang g2 of 2 vCPUs: 103 slots all started, 3 partial; start skew \
min 100 ns, median 2000 ns, p99 27500 ns, max 1533850 ns
[    3.950203] (d3) SHARE bg v0: ran 1023 ms of 3000 ms (34.10%), waited 1976 ms, longest gap \
22525 us (e77b5ec1bb5914df)
[    3.967093] Domain 3 (bg): gang: background (no gang)
[    3.979660] Scheduler gang: 633 schedule() calls, 625 switches; schedule() to the switch: mean \
625 cycles, max 710
"""
SCHED_SWITCH_LOG = """\
[    0.015848] Scheduler: gang
[    1.750066] (d1) BENCH {"bench":"vcpu_switch","between":"vCPUs of one domain","unit":"ns",\
"n":1000,"min":1877,"median":2141,"p99":509177,"max":1041400,"batch":10,"tsc_hz":2596101013,\
"cycles_min":4873,"cycles_median":5558,"cycles_p99":1321873,"cycles_max":2703578,\
"yields":10000,"peer_yields":13235,"waiting_permille":482}
[    1.942594] Domain 2 (benchpeer): gang: background (no gang)
[    1.944427] (d1) BENCH {"bench":"vcpu_switch","between":"two domains","unit":"ns","n":1000,\
"min":1760,"median":2140,"p99":35685,"max":579779,"batch":10,"tsc_hz":2596101013,\
"cycles_min":4568,"cycles_median":5554,"cycles_p99":92641,"cycles_max":1505164,\
"yields":10000,"waiting_permille":474}
[    1.953400] Domain 1 (bench): gang: background (no gang)
[    1.957632] Scheduler gang: 47739 schedule() calls, 52 switches; schedule() to the switch: \
mean 2930 cycles, max 2069054
[    1.962767] debug_exit: verdict PASS
"""


def sched_config(name):
    return next(c for c in bench.CONFIGS if c.name == name)


def sched_sample(run, config, log, ok=True, error=None, tsc_hz=100_000_000):
    """A sched sample as run_sample() makes it, from a serial log."""
    s = {"run": run, "ok": False, "error": error, "policy": None, "scheduler": None,
         "credit": [], "edf": [], "gang": [], "shares": [], "bench": [], "bench_errors": [],
         "sched_errors": [], "switched": None, "credit_shares": None, "notes": [],
         "tsc_hz": None, "wall_s": 4.5, "kernel": None, "artifacts": None}
    missing = bench.read_sched_sample(s, log, config, tsc_hz)
    if ok and missing is None:
        s["ok"] = True
    elif s["error"] is None:
        s["error"] = missing
    return s


class SchedFamilyTest(unittest.TestCase):
    def configs(self):
        return [c for c in bench.CONFIGS if c.family == bench.SCHED]

    def test_configs(self):
        sched = {c.name: c for c in self.configs()}
        self.assertEqual(list(sched), [
            "sched-switch-rr-q35", "sched-switch-rr-bochs", "sched-switch-credit-q35",
            "sched-switch-credit-bochs", "sched-switch-edf-q35", "sched-switch-edf-bochs",
            "sched-switch-gang-q35", "sched-switch-gang-bochs", "sched-credit-q35",
            "sched-credit-bochs", "sched-edf-q35", "sched-edf-bochs", "sched-gang-q35-smp2",
            "sched-gang-bochs-smp2"])
        switch = sched["sched-switch-edf-q35"].boot_config(1)
        self.assertEqual(switch.cmdline, "sched=edf")  # no kernel tests
        self.assertEqual(switch.smp, 1)
        self.assertEqual(switch.domains, bench.GUEST_DOMAINS)
        self.assertIn('args="mode=yield peer=benchpeer count=1000"', switch.modules[0])
        self.assertIn("count=200", sched["sched-switch-edf-q35"].boot_config(
            1, quick=True).modules[0])
        credit = sched["sched-credit-bochs"].boot_config(1)
        self.assertEqual((credit.emulator, credit.machine, credit.cpu, credit.smp,
                          credit.cmdline), ("bochs", "pc", "corei7_skylake_x", 1,
                                            "sched=credit"))
        self.assertEqual([m.split(":", 1)[1] for m in credit.modules],
                         ['name=w1 weight=256 args="seconds=2"',
                          'name=w2 weight=512 args="seconds=2"',
                          'name=w4 weight=1024 args="seconds=2"'])
        self.assertEqual(Path(credit.modules[0].split(":", 1)[0]),
                         bench.REPO / "build/tests/guests/hog.elf")
        edf = sched["sched-edf-q35"].boot_config(1, quick=True)
        self.assertEqual([m.split(":", 1)[1] for m in edf.modules],
                         ['name=rt1 period=10ms budget=3ms args="start=1500ms seconds=1"',
                          'name=rt2 period=20ms budget=8ms args="start=1500ms seconds=1"',
                          'name=bg args="start=1500ms seconds=1"'])
        gang = sched["sched-gang-q35-smp2"].boot_config(1)
        self.assertEqual((gang.smp, gang.cmdline), (2, "sched=gang"))
        self.assertEqual([m.split(":", 1)[1] for m in gang.modules],
                         ['name=g1 vcpus=2 gang args="seconds=2"',
                          'name=g2 vcpus=2 gang args="seconds=2"',
                          'name=bg affinity=0 args="seconds=2"'])
        self.assertEqual(gang.domains, (("g1", "poweroff"), ("g2", "poweroff"),
                                        ("bg", "poweroff")))
        # --quick: one QEMU configuration per policy and workload, no Bochs.
        self.assertEqual([c.name for c in bench.select(bench.CONFIGS, "^sched-", True)],
                         [n for n in sched if "bochs" not in n])
        self.assertEqual([f.name for f in sched["sched-gang-q35-smp2"].module_files()],
                         ["hog.elf"])

    def test_parse_credit(self):
        figures = bench.parse_sched_log(SCHED_CREDIT_LOG)
        self.assertEqual(figures["policy"], "credit")
        self.assertEqual(figures["scheduler"], {"name": "credit", "calls": 419, "switches": 316,
                                                "mean_cycles": 645, "max_cycles": 1113})
        self.assertEqual([(c["domid"], c["name"], c["weight"], c["cap"], c["migrations"])
                          for c in figures["credit"]],
                         [(1, "w1", 256, 0, 0), (2, "w2", 512, 0, 0), (3, "w4", 1024, 0, 0)])
        self.assertEqual(figures["shares"][0], {
            "dom": 1, "name": "w1", "vcpu": 0, "ran_ms": 457, "window_ms": 3000,
            "percent": 15.26, "waited_ms": 2542, "gap_us": 26111})
        self.assertEqual((figures["sched_errors"], figures["bench"]), ([], []))
        error = bench.credit_share_error(figures["credit"], figures["shares"])
        self.assertEqual([round(d["ideal"], 2) for d in error["domains"]],
                         [14.29, 28.57, 57.14])
        self.assertAlmostEqual(error["error_pp"], 57.142857 - 56.14, places=4)
        self.assertEqual(error["missing"], [])

    def test_parse_edf_and_gang(self):
        edf = bench.parse_sched_log(SCHED_EDF_LOG)
        self.assertEqual([(e["name"], e["budget_us"], e["period_us"], e["periods"],
                           e["misses"]) for e in edf["edf"]],
                         [("rt1", 3000, 10000, 305, 0), ("rt2", 8000, 20000, 160, 2),
                          ("bg", None, None, None, None)])
        # An older hog without "longest gap": the share is still read.
        self.assertEqual((edf["shares"][1]["percent"], edf["shares"][1]["gap_us"]),
                         (40.13, None))
        gang = bench.parse_sched_log(SCHED_GANG_LOG)
        self.assertEqual(gang["scheduler"]["name"], "gang")
        g2 = gang["gang"][1]
        self.assertEqual((g2["name"], g2["gang"], g2["vcpus"], g2["slots"], g2["partial"],
                          g2["skew_min"], g2["skew_median"], g2["skew_p99"], g2["skew_max"]),
                         ("g2", "g2", 2, 103, 3, 100, 2000, 27500, 1533850))
        self.assertIsNone(gang["gang"][2]["gang"])  # bg
        self.assertEqual(bench.domain_shares(gang["shares"]),
                         {"g1": (33.07 + 33.33) / 2, "g2": 33.33, "bg": 34.10})

    def test_scheduler_names_with_blanks_and_no_slot(self):
        log = ("Scheduler round-robin: 5 schedule() calls, 4 switches; schedule() to the "
               "switch: mean 10 cycles, max 20\n"
               "Domain 7 (pair): gang pair of 2 vCPUs: no slot with every member started\n")
        figures = bench.parse_sched_log(log)
        self.assertEqual(figures["scheduler"]["name"], "round-robin")
        self.assertIsNone(figures["policy"])
        pair = figures["gang"][0]
        self.assertEqual((pair["gang"], pair["vcpus"], pair["slots"], pair["skew_median"]),
                         ("pair", 2, 0, None))
        self.assertEqual(figures["sched_errors"], [])

    def test_malformed_lines_are_errors_never_exceptions(self):
        log = "\n".join([
            "Scheduler credit: 419 schedule() calls, 316 switches; schedule() to the switch: "
            "mean 645 cycles",  # cut short
            "Scheduler credit: many schedule() calls",
            "Domain 1 (w1): credit: weight heavy, cap 0%, 0 migrations by stealing",
            "Domain 1 (rt1): EDF: budget 3000 us every 10000 us, 305 periods",
            "Domain 1 (g1): gang g1 of 2 vCPUs: 103 slots all started, 0 partial; start skew "
            "min 0 ns, median 0 ns",
            "(d1) SHARE w1 v0: ran ?? ms of 3000 ms (15.26%)",
            "Domain 2 (w2) shut d(d2) SHARE w2 v0: ran 877 ms of 3000 ms (29.26%)",
            "(d1) SHARE w1 v0: ran 457 ms of 3000 ms (1e400%)",
            "\x00\xff Scheduler: \x1b[2J",
            "Scheduler: credit",  # the boot's line: fine
            "Domain 1 (w1) shut down: poweroff, code 0, after 3692 ms",  # not a policy's
        ])
        figures = bench.parse_sched_log(log)
        self.assertIsNone(figures["scheduler"])
        self.assertEqual((figures["credit"], figures["edf"], figures["gang"]), ([], [], []))
        self.assertEqual(len(figures["sched_errors"]), 8, figures["sched_errors"])
        self.assertTrue(figures["sched_errors"][0].startswith(
            "not a Scheduler summary line: "), figures["sched_errors"][0])
        self.assertTrue(figures["sched_errors"][2].startswith("not a policy's domain line: "))
        self.assertTrue(figures["sched_errors"][5].startswith("not a SHARE line: "))
        self.assertEqual(figures["policy"], "credit")
        self.assertEqual(bench.parse_sched_log("")["sched_errors"], [])
        self.assertEqual(bench.parse_sched_log("\x00" * 1000 + "(" * 10000)["shares"], [])

    def test_credit_sample_and_missing_lines(self):
        config = sched_config("sched-credit-bochs")
        s = sched_sample(1, config, SCHED_CREDIT_LOG)
        self.assertTrue(s["ok"], s["error"])
        self.assertEqual((s["scheduler"]["mean_ns"], s["scheduler"]["max_ns"]),
                         (6450.0, 11130.0))
        self.assertAlmostEqual(s["credit_shares"]["error_pp"], 1.0029, places=3)
        # A domain without its SHARE line: no error figure from the others.
        cut = "\n".join(line for line in SCHED_CREDIT_LOG.splitlines() if "SHARE w2" not in line)
        s = sched_sample(1, config, cut)
        self.assertFalse(s["ok"])
        self.assertEqual(s["error"], "no credit line or no SHARE line for w2 in the serial log")
        s = sched_sample(1, config, "Kairos\n")
        self.assertEqual(s["error"], "no credit domain with both its credit line and a SHARE "
                                     "line in the serial log")
        # The wrong policy ran (sched= ignored): an error, not credit's figures.
        s = sched_sample(1, config, SCHED_CREDIT_LOG.replace("Scheduler credit:", "Scheduler "
                                                             "round-robin:"))
        self.assertEqual(s["error"], "the round-robin scheduler ran, not credit (sched=credit)")
        # No Scheduler summary: a note; the shares stand.
        s = sched_sample(1, config, SCHED_CREDIT_LOG.replace("Scheduler credit:", "Sched:"))
        self.assertTrue(s["ok"], s["error"])
        self.assertEqual(s["notes"], ["no Scheduler summary line (schedule() calls) in the "
                                      "serial log"])

    def test_other_workloads_missing_lines(self):
        s = sched_sample(1, sched_config("sched-edf-q35"), SCHED_GANG_LOG)
        self.assertEqual(s["error"], "the gang scheduler ran, not EDF (sched=edf)")
        s = sched_sample(1, sched_config("sched-edf-q35"), "Scheduler: EDF\n")
        self.assertIn("no EDF reservation line", s["error"])
        s = sched_sample(1, sched_config("sched-gang-q35-smp2"),
                         "Domain 3 (bg): gang: background (no gang)\n")
        self.assertIn("no gang line", s["error"])
        s = sched_sample(1, sched_config("sched-switch-gang-q35"), SCHED_GANG_LOG)
        self.assertEqual(s["error"], "no BENCH vcpu_switch lines from the guests in the "
                                     "serial log")

    def test_switch_sample(self):
        s = sched_sample(1, sched_config("sched-switch-gang-q35"), SCHED_SWITCH_LOG,
                         tsc_hz=2_596_096_006)
        self.assertTrue(s["ok"], s["error"])
        self.assertEqual(len(s["bench"]), 2)
        self.assertEqual(s["switched"], round(52 / 40000, 4))  # gang's yield: no switch
        self.assertAlmostEqual(s["scheduler"]["mean_ns"], 1128.6, places=1)

    def test_summary_over_runs(self):
        config = sched_config("sched-credit-q35")
        other = SCHED_CREDIT_LOG.replace("(15.26%)", "(17.26%)").replace("mean 645", "mean 700")
        summary = bench.SUMMARIES[bench.SCHED]([
            sched_sample(1, config, SCHED_CREDIT_LOG), sched_sample(2, config, other),
            sched_sample(3, config, "", ok=False, error="timeout")])
        self.assertEqual((summary["runs"], summary["ok"]), (3, 2))
        self.assertEqual(summary["scheduler"]["mean_cycles"]["median"], 672.5)
        self.assertEqual(summary["scheduler"]["max_cycles"]["max"], 1113)
        credit = summary["credit"]
        self.assertAlmostEqual(credit["error_pp"]["max"], 17.26 - 100 / 7, places=4)
        self.assertEqual(credit["domains"]["w1"]["share"]["median"], 16.26)
        edf = bench.sched_summary([sched_sample(1, sched_config("sched-edf-q35"),
                                                SCHED_EDF_LOG)])["edf"]
        self.assertEqual((edf["rt2"]["misses"]["max"], edf["rt2"]["reserved"]["median"],
                          edf["rt2"]["share"]["median"]), (2, 40.0, 40.13))
        self.assertIsNone(edf["bg"]["budget_us"])
        self.assertIsNone(edf["bg"]["reserved"])
        bench.json.dumps(summary)  # the JSON report takes it

    def test_tables(self):
        names = ("sched-switch-gang-q35", "sched-credit-q35", "sched-credit-bochs",
                 "sched-edf-bochs", "sched-gang-bochs-smp2", "sched-gang-q35-smp2")
        configs = [sched_config(n) for n in names]
        garbled = SCHED_CREDIT_LOG + "Domain 9 (x): credit: weight ?\n"
        samples = {
            names[0]: [sched_sample(1, configs[0], SCHED_SWITCH_LOG, tsc_hz=2_596_096_006)],
            names[1]: [sched_sample(1, configs[1], garbled),
                       sched_sample(2, configs[1], SCHED_CREDIT_LOG, ok=False,
                                    error="no verdict")],
            names[2]: [sched_sample(1, configs[2], SCHED_CREDIT_LOG.replace(
                "Scheduler credit:", "Sched:"))],
            names[3]: [sched_sample(1, configs[3], SCHED_EDF_LOG)],
            names[4]: [sched_sample(1, configs[4], SCHED_GANG_LOG)],
            names[5]: [sched_sample(1, configs[5], "Kairos\n")],
        }
        text = bench.format_report(configs, samples)
        self.assertTrue(text.startswith("Cost of schedule() under each policy"), text)
        self.assertRegex(text, r"\nsched-switch-gang-q35 +qemu +gang +switch +1/1 +47739 +52 "
                               r"+2930 +2069054 +1129 +796987\n")
        self.assertRegex(text, r"\nsched-credit-q35 +qemu +credit +credit +1/2 +419 +316 +645 "
                               r"+1113 +6450 +11130\n")
        self.assertRegex(text, r"\nsched-credit-bochs +bochs +credit +credit +1/1 +(- +){6}"
                               r"no Scheduler line\n")
        self.assertRegex(text, r"\nsched-gang-q35-smp2 +ERROR \(1 of 1 runs\): no gang line")
        self.assertRegex(text, r"\nsched-switch-gang-q35 +qemu +gang +vCPUs of one domain +1/1 "
                               r"+1000 +1877 +2141 +509177 +1041400 +5558 +48.2 +0.1 +yields "
                               r"did not switch\n")
        self.assertRegex(text, r"\nsched-credit-bochs +bochs +1/1 +256/512/1024 "
                               r"+15.26/29.26/56.14 +14.29/28.57/57.14 +1.00 +1.00 +0/0/0\n")
        self.assertRegex(text, r"\nsched-edf-bochs +bochs +rt1 +3000/10000 us +1/1 +305 +0 "
                               r"+30.06 +30.00\n")
        self.assertRegex(text, r"\nsched-edf-bochs +bochs +rt2 +8000/20000 us +1/1 +160 +2 "
                               r"+40.13 +40.00\n")
        self.assertRegex(text, r"\nsched-edf-bochs +bochs +bg +background +1/1 +- +- +30.26 "
                               r"+-\n")
        self.assertRegex(text, r"\nsched-gang-bochs-smp2 +bochs +g2 +2 +1/1 +103 +3 +100 +2000 "
                               r"+27500 +1533850 +33.33\n")
        self.assertRegex(text, r"\nsched-gang-bochs-smp2 +bochs +bg +- +1/1 +(- +){6}34.10 "
                               r"+background\n")
        self.assertRegex(text, r"\nsched-gang-q35-smp2 +ERROR \(see the first table\)\n")
        self.assertIn("sched-credit-q35 run 2: no verdict", text)
        self.assertIn("sched-credit-q35 run 1: not a policy's domain line: Domain 9 (x): "
                      "credit: weight ?", text)
        self.assertIn("sched-credit-bochs run 1: no Scheduler summary line", text)
        self.assertIn("schedule() mean 2930 cycles, max 2069054, 2 BENCH, 0 SHARE lines, "
                      "4.5 s to the verdict", bench.describe_sample(samples[names[0]][0]))

    def test_no_figures(self):
        config = sched_config("sched-switch-rr-q35")
        text = bench.format_sched_tables([config], {config.name: [
            sched_sample(1, config, SCHED_SWITCH_LOG.replace("gang", "round-robin"))]})
        self.assertRegex(text, r"\nCredit: .*: no figures\n")
        self.assertRegex(text, r"\nEDF: .*: no figures\n")
        self.assertRegex(text, r"\nGang: .*: no figures$")


class SchedRunSampleTest(RunSampleTest):
    """run_sample() for the sched family."""

    def test_sched_sample(self):
        image = Path(self.tmp.name) / "hog.elf"
        image.write_bytes(b"\x7fELF")
        config = bench.dataclasses.replace(
            sched_config("sched-credit-q35"),
            modules=tuple(f"{image}:name={n}" for n in ("w1", "w2", "w4")), quick_modules=())
        sample, boot_config = self.run_with(config, SCHED_CREDIT_LOG)
        self.assertEqual(boot_config.cmdline, "sched=credit")
        self.assertTrue(sample["ok"], sample["error"])
        self.assertEqual(sample["tsc_hz"], HOST_HZ)
        self.assertEqual(len(sample["shares"]), 3)
        self.assertAlmostEqual(sample["scheduler"]["mean_ns"], 645e9 / HOST_HZ, places=1)
        sample, _ = self.run_with(config, SCHED_CREDIT_LOG, ok=False, reasons=["timeout"])
        self.assertEqual((sample["ok"], sample["error"]), (False, "timeout"))
        self.assertEqual(len(sample["credit"]), 3)  # kept in the JSON


# The linux family's logs (tests/harness/data/): a real baseline run on bare
# QEMU (default cyclictest arguments, -D 3), and a real Kairos run of
# linux-kairos-edf-hog cut to what the family reads: the hypervisor's own
# lines, the Linux domain's /init lines and a few of its kernel's, and
# cyclictest's report with its histogram cut to 16 of its 1051 rows (the
# "# Total:" line made to match: 17 samples, with the 6 overflows 23; so
# p99 and p99.9 fall among the overflows).
DATA = Path(__file__).resolve().parent / "data"
LINUX_BARE_LOG = (DATA / "linux-baseline-smp1.log").read_text().replace("-D 3", "-D 5")
LINUX_EDF_LOG = (DATA / "bench-linux-kairos-edf-hog.log").read_text()


def linux_config(name):
    return next(c for c in bench.CONFIGS if c.name == name)


def linux_sample(run, config, log, ok=True, error=None, wall=20.0):
    """A linux-family sample as run_sample() fills it in from log."""
    s = {"run": run, "ok": ok, "error": error, "cyclictest": None, "cyclictest_args": None,
         "clocksource": None, "tsc_mhz": None, "uptime_s": None, "guest": None,
         "policy": None, "scheduler": None, "edf": None, "hvm_exits": [], "hog": None,
         "wall_s": wall, "kernel": None, "artifacts": None}
    missing = bench.read_linux_sample(s, log, config)
    if ok and missing:
        s.update(ok=False, error=missing)
    return s


def later(log, us):
    """The Kairos log with the histogram's buckets and the min and avg
    latencies us later (another run's figures)."""
    def row(m):
        return f"(d1) {int(m.group(1)) + us:06d} {m.group(2)}"

    log = bench.re.sub(r"\(d1\) (\d{6}) (\d{6})$", row, log, flags=bench.re.M)
    for what in ("Min", "Avg"):
        log = bench.re.sub(rf"(# {what} Latencies: )(\d+)",
                           lambda m: f"{m.group(1)}{int(m.group(2)) + us:05d}", log)
    return log


class LinuxFamilyTest(unittest.TestCase):
    def test_configs(self):
        configs = [c for c in bench.CONFIGS if c.family == bench.LINUX]
        self.assertEqual([c.name for c in configs],
                         ["linux-bare-qemu", "linux-kairos-alone", "linux-kairos-credit-hog",
                          "linux-kairos-edf-hog"])
        for config in configs:
            with self.subTest(config=config.name):
                self.assertEqual((config.smp, config.emulator, config.machine), (1, "qemu", "q35"))
                self.assertEqual(config.cyclictest, bench.LINUX_CYCLICTEST)
                self.assertFalse(config.slow)
                boot_config = config.boot_config(1)
                self.assertEqual(boot_config.timeout, 240.0)
                if config.bare:
                    self.assertEqual(boot_config.mem, 192)
                    self.assertTrue(boot_config.kernel_image.endswith("build/linux/vmlinuz"))
                    self.assertEqual(config.module_files()[0].name, "initramfs.cpio.gz")
                    continue
                self.assertEqual(boot_config.mem, 512)
                self.assertEqual(boot_config.linux_guests, (("linux", 1),))
                # The same Linux command line as the baseline's, in the module line.
                self.assertIn(f'cmdline="{bench.linux_cmdline(bench.LINUX_CYCLICTEST)}"',
                              boot_config.modules[0])
                self.assertIn(" vcpus=1 mem=192M", boot_config.modules[0])
                self.assertTrue(boot_config.modules[1].endswith("initramfs.cpio.gz:initrd"))
        bare = configs[0].baseline_config(2, quick=True)
        self.assertEqual((bare.smp, bare.mem, bare.name, bare.cyclictest),
                         (1, 192, "bench-linux-bare-qemu-2", bench.LINUX_CYCLICTEST_QUICK))
        self.assertIn("kairos.cyclictest=-q,-m,-S,-p,90,-i,1000,-D,2,-h,20000", bare.cmdline())
        edf = linux_config("linux-kairos-edf-hog").boot_config(1, quick=True)
        self.assertEqual(edf.cmdline, "sched=edf")
        self.assertIn("period=10ms budget=5ms", edf.modules[0])
        self.assertIn("-D,2,", edf.modules[0])
        self.assertEqual(edf.domains, (("linux", "poweroff"), ("hog", "poweroff")))
        self.assertTrue(edf.modules[2].endswith(
            f'hog.elf:name=hog args="seconds={bench.LINUX_HOG_SECONDS_QUICK}"'))
        self.assertIn(f"seconds={bench.LINUX_HOG_SECONDS}\"",
                      linux_config("linux-kairos-credit-hog").boot_config(1).modules[2])

    def test_work_is_interleaved(self):
        configs = [c for c in bench.CONFIGS if c.family == bench.LINUX
                   or c.name == "q35-smp1"]
        work = bench.work_order(configs, {c.name: 2 for c in configs})
        names = [(c.name, r) for c, r in work]
        self.assertEqual(names[:4], [("linux-kairos-credit-hog", 1), ("linux-kairos-edf-hog", 1),
                                     ("linux-bare-qemu", 1), ("linux-kairos-alone", 1)])
        self.assertEqual([r for _, r in names[4:8]], [2, 2, 2, 2])
        self.assertEqual(names[8:], [("q35-smp1", 1), ("q35-smp1", 2)])

    def test_bare_sample(self):
        s = linux_sample(1, linux_config("linux-bare-qemu"), LINUX_BARE_LOG)
        self.assertTrue(s["ok"], s["error"])
        self.assertEqual(s["cyclictest"], {
            "n": 2952, "overflows": 0, "min": 12, "avg": 173, "median": 151, "p99": 904,
            "p999": 4176, "max": 4285, "hist_size": 20000, "threads": 1, "overflow": []})
        self.assertEqual((s["clocksource"], s["tsc_mhz"], s["uptime_s"]), ("tsc", 2694.867, 7.0317))
        self.assertEqual(s["cyclictest_args"], "-q -m -S -p 90 -i 1000 -D 5 -h 20000")
        self.assertIsNone(s["hog"])
        self.assertTrue(s["guest"]["checks"]["histogram"])
        self.assertIn("cyclictest n=2952 min 12 avg 173 p99 904 max 4285 us on tsc, 20.0 s",
                      bench.describe_sample(s))

    def test_kairos_sample(self):
        s = linux_sample(1, linux_config("linux-kairos-edf-hog"), LINUX_EDF_LOG)
        self.assertTrue(s["ok"], s["error"])
        c = s["cyclictest"]
        self.assertEqual((c["n"], c["overflows"], c["min"], c["avg"], c["median"], c["max"]),
                         (23, 6, 104, 2567, 155, 151426))
        self.assertEqual((c["p99"], c["overflow"]), (20000, ["p99", "p999"]))
        self.assertEqual((s["clocksource"], s["tsc_mhz"], s["uptime_s"]),
                         ("tsc", 2694.868, 22.230743))
        self.assertEqual(s["scheduler"]["name"], "EDF")
        self.assertEqual((s["edf"]["budget_us"], s["edf"]["periods"], s["edf"]["misses"]),
                         (5000, 3611, 53))
        self.assertEqual(s["hvm_exits"][0], {"domain": "linux", "reason": "INTR", "count": 2809,
                                             "mean_cycles": 203472})
        self.assertEqual(s["hog"], {"cyclictest_begin_s": 19.056619,
                                    "cyclictest_end_s": 25.082815, "hog_start_s": 1.56,
                                    "hog_end_s": 61.561, "share": 66.52, "covered": True})

    def test_kairos_sample_problems(self):
        edf = linux_config("linux-kairos-edf-hog")
        s = linux_sample(1, linux_config("linux-kairos-credit-hog"), LINUX_EDF_LOG)
        self.assertEqual(s["error"], "the EDF scheduler ran, not credit (sched=credit)")
        short = LINUX_EDF_LOG.replace("ran 39918 ms of 60001 ms", "ran 9918 ms of 20001 ms")
        short = short.replace("[   61.761492] (d2) SHARE", "[   21.761492] (d2) SHARE")
        s = linux_sample(1, edf, short)
        self.assertFalse(s["hog"]["covered"])
        self.assertEqual(s["error"], "hog spun from 1.6 s to 21.6 s, not throughout "
                                     "cyclictest's run (19.1 s to 25.1 s): its seconds= is "
                                     "too short")
        s = linux_sample(1, edf, LINUX_EDF_LOG.replace("(d2) SHARE", "(d2) SHAR"))
        self.assertIn("no SHARE line from hog", s["error"])
        s = linux_sample(1, edf, LINUX_EDF_LOG.replace("# Total: 000000017",
                                                       "# Total: 000000018"))
        self.assertIn("no complete cyclictest report from the Linux guest (thread 0: "
                      "histogram rows add up to 17", s["error"])
        s = linux_sample(1, edf, "Kairos\n")
        self.assertEqual(s["error"], "no complete cyclictest report from the Linux guest "
                                     "(none in the log)")
        # A domain's lines only: the hypervisor's own are not the guest's.
        s = linux_sample(1, linux_config("linux-kairos-alone"),
                         LINUX_BARE_LOG.replace("Scheduler", "x"))
        self.assertIn("none in the log", s["error"])

    def test_summary_and_ratios(self):
        bare, edf = linux_config("linux-bare-qemu"), linux_config("linux-kairos-edf-hog")
        samples = {
            bare.name: [linux_sample(1, bare, LINUX_BARE_LOG, wall=19.0),
                        linux_sample(2, bare, LINUX_BARE_LOG, ok=False, error="timeout")],
            edf.name: [linux_sample(1, edf, LINUX_EDF_LOG, wall=63.0),
                       linux_sample(2, edf, later(LINUX_EDF_LOG, 100), wall=64.0),
                       linux_sample(3, edf, later(LINUX_EDF_LOG, 200), wall=65.0)],
        }
        summaries = {n: bench.linux_summary(s) for n, s in samples.items()}
        summary = summaries[edf.name]
        self.assertEqual((summary["runs"], summary["ok"]), (3, 3))
        self.assertEqual(summary["cyclictest"]["min"], {"median": 204, "min": 104, "max": 304,
                                                        "n": 3})
        self.assertEqual(summary["cyclictest"]["avg"]["median"], 2667)
        self.assertEqual(summary["cyclictest"]["median"]["median"], 255)
        self.assertEqual(summary["overflow"], {"median": 0, "p99": 3, "p999": 3})
        self.assertEqual((summary["clocksource"], summary["hist_size"]), ("tsc", 20000))
        self.assertEqual(summary["wall_s"]["median"], 64.0)
        self.assertEqual(summary["edf_misses"]["max"], 53)
        self.assertEqual(summary["hog_share"]["median"], 66.52)
        self.assertEqual(summaries[bare.name]["ok"], 1)
        base, ratios = bench.linux_ratios([bare, edf], summaries)
        self.assertEqual(base, "linux-bare-qemu")
        self.assertEqual(ratios[bare.name]["p99"], 1.0)
        self.assertEqual(ratios[edf.name]["avg"], round(2667 / 173, 3))
        self.assertEqual(ratios[edf.name]["p99"], round(20000 / 904, 3))
        self.assertEqual(ratios[edf.name]["max"], round(151426 / 4285, 3))
        bench.json.dumps(summaries)  # the JSON report takes it
        failed = {bare.name: bench.linux_summary(samples[bare.name][1:]),
                  edf.name: summary}
        self.assertEqual(bench.linux_ratios([bare, edf], failed), (None, {}))

    def test_table(self):
        configs = [c for c in bench.CONFIGS if c.family == bench.LINUX]
        bare, alone, credit, edf = configs
        samples = {
            bare.name: [linux_sample(1, bare, LINUX_BARE_LOG, wall=19.3)],
            alone.name: [linux_sample(1, alone, "", ok=False, error="no verdict after 240 s")],
            credit.name: [linux_sample(1, credit, LINUX_EDF_LOG.replace("EDF", "credit"))],
            edf.name: [linux_sample(1, edf, LINUX_EDF_LOG, wall=63.8),
                       linux_sample(2, edf, LINUX_EDF_LOG, ok=False, error="timeout")],
        }
        text = bench.format_report(configs, samples)
        lines = text.splitlines()
        self.assertTrue(lines[0].startswith("Linux guest timer latency (cyclictest -q -m -S -p 90 "
                                            "-i 1000 -D 5 -h 20000 in a guest of one vCPU"), text)
        self.assertEqual(lines[1].split(), [
            "config", "runs", "clocksource", "samples", "overflows", "min", "avg", "median",
            "p99", "max", "avg/bare", "p99/bare", "max/bare", "wall", "s", "note"])
        self.assertRegex(text, r"\nlinux-bare-qemu +1/1 +tsc +2952 +0 +12 +173 +151 +904 +4285 "
                               r"+1\.00 +1\.00 +1\.00 +19\.3 +the baseline\n")
        self.assertRegex(text, r"\nlinux-kairos-alone +ERROR \(1 of 1 runs\): no verdict after "
                               r"240 s\n")
        self.assertRegex(text, r"\nlinux-kairos-edf-hog +1/2 +tsc +23 +6 +104 +2567 +155 "
                               r"+>=20000 +151426 +14\.84 +22\.12 +35\.34 +63\.8 "
                               r"+EDF deadline misses 53\n")
        self.assertRegex(text, r"\nlinux-kairos-credit-hog +1/1 .* +20\.0\n")
        self.assertIn("linux-kairos-edf-hog run 2: timeout", text)
        self.assertIn("build/boots/bench-<config>-<run>/", text)

    def test_table_without_baseline(self):
        configs = [c for c in bench.CONFIGS if c.family == bench.LINUX][:2]
        samples = {configs[0].name: [linux_sample(1, configs[0], "", ok=False, error="x")],
                   configs[1].name: [linux_sample(1, configs[1],
                                                  LINUX_EDF_LOG.replace("EDF", "credit"))]}
        text = bench.format_linux_tables(configs, samples)
        self.assertRegex(text, r"\nlinux-kairos-alone +1/1 +tsc +23 +6 +104 +2567 +155 "
                               r"+>=20000 +151426 +- +- +- +20\.0\n")
        self.assertIn("No ratios: linux-bare-qemu has no successful run.", text)
        other = {configs[0].name: [linux_sample(1, configs[0], LINUX_BARE_LOG.replace(
            "-D 5", "-D 3"))], configs[1].name: samples[configs[1].name]}
        text = bench.format_linux_tables(configs, other)
        self.assertIn("Runs with other cyclictest arguments (the rows do not compare): "
                      "-q -m -S -p 90 -i 1000 -D 3 -h 20000; -q -m -S -p 90 -i 1000 -D 5 -h "
                      "20000", text)


class LinuxRunSampleTest(RunSampleTest):
    """run_sample() for the linux family: Kairos's boots through
    boot.run_boot, the bare ones through linux_guest.run_baseline."""

    def setUp(self):
        super().setUp()
        self.saved_baseline = bench.linux_guest.run_baseline

    def tearDown(self):
        bench.linux_guest.run_baseline = self.saved_baseline
        super().tearDown()

    def images(self, config):
        """config with its images in the temporary directory."""
        tmp = Path(self.tmp.name)
        for name in ("vmlinuz", "initramfs.cpio.gz", "hog.elf"):
            (tmp / name).write_bytes(b"x")
        return bench.dataclasses.replace(config, modules=tuple(
            f"{tmp}/{spec.split(':', 1)[0].rsplit('/', 1)[1]}:{spec.split(':', 1)[1]}"
            for spec in config.modules), quick_modules=())

    def test_kairos_sample(self):
        config = self.images(linux_config("linux-kairos-edf-hog"))
        sample, boot_config = self.run_with(config, LINUX_EDF_LOG)
        self.assertEqual(boot_config.cmdline, "sched=edf")
        self.assertEqual(boot_config.linux_guests, (("linux", 1),))
        self.assertTrue(sample["ok"], sample["error"])
        self.assertEqual(sample["cyclictest"]["median"], 155)
        self.assertEqual(sample["wall_s"], 1.25)
        sample, _ = self.run_with(config, LINUX_EDF_LOG, ok=False,
                                  reasons=["domain linux: cyclictest ended with status 1"])
        self.assertEqual(sample["error"], "domain linux: cyclictest ended with status 1")
        self.assertEqual(sample["cyclictest"]["n"], 23)  # kept in the JSON

    def test_bare_sample(self):
        run_dir = Path(self.tmp.name) / "bare"
        run_dir.mkdir()
        (run_dir / "serial.log").write_text(LINUX_BARE_LOG)
        seen = []

        def fake_run_baseline(config):
            seen.append(config)
            guest = bench.linux_guest.judge_log(LINUX_BARE_LOG, cpus=1)
            return bench.linux_guest.BaselineResult(config, True, [], guest, 9.5, 0, run_dir,
                                                    run_dir / "serial.log")

        bench.linux_guest.run_baseline = fake_run_baseline
        config = linux_config("linux-bare-qemu")
        # The images must exist, not be built: stand-ins in the temporary
        # directory, so that the test runs before `make linux-guest` too.
        kernel, initramfs = Path(self.tmp.name) / "vmlinuz", Path(self.tmp.name) / "initrd"
        kernel.write_bytes(b"x")
        initramfs.write_bytes(b"x")
        saved = bench.LINUX_KERNEL, bench.LINUX_INITRAMFS
        bench.LINUX_KERNEL, bench.LINUX_INITRAMFS = str(kernel), str(initramfs)
        try:
            sample = bench.run_sample(config, 3, Path("/k.elf"), quick=True)
        finally:
            bench.LINUX_KERNEL, bench.LINUX_INITRAMFS = saved
        self.assertTrue(sample["ok"], sample["error"])
        self.assertEqual((seen[0].name, seen[0].smp, seen[0].mem, seen[0].timeout),
                         ("bench-linux-bare-qemu-3", 1, 192, 240.0))
        self.assertEqual(seen[0].cyclictest, bench.LINUX_CYCLICTEST_QUICK)
        self.assertEqual((sample["wall_s"], sample["cyclictest"]["p99"]), (9.5, 904))
        saved, bench.LINUX_KERNEL = bench.LINUX_KERNEL, "build/linux/nowhere"
        try:
            sample = bench.run_sample(config, 1, Path("/k.elf"))
        finally:
            bench.LINUX_KERNEL = saved
        self.assertRegex(sample["error"], r"^no .*build/linux/nowhere \(make linux-guest\)$")
        self.assertEqual(len(seen), 1)  # not booted


class LatencyFamilyTest(unittest.TestCase):
    LOG = ("[    0.100000] (d1) PASS: vCPU 0: no wake before the deadline\n"
           "[    0.517421] (d1) sleeper vCPU 0 lateness: n=60 min=21100 median=21150 "
           "p99=55400 max=55400 ns\n"
           "[    0.600000] (d1) ticker lateness: n=60 min=19600 median=19600 p99=19600 "
           "max=19600 ns\n")

    def configs(self):
        return [c for c in bench.CONFIGS if c.family == bench.LATENCY]

    def test_configs(self):
        configs = self.configs()
        self.assertEqual(len(configs), 2 * 4 * 2 * 3)
        hog3 = next(c for c in configs if c.name == "latency-oneshot-credit-hog3-q35")
        self.assertEqual([d for d, _ in hog3.domains], ["sleeper", "hog1", "hog2", "hog3"])
        self.assertIn("sched=credit", hog3.boot_config(1).cmdline)
        self.assertTrue(all(c.slow == (c.emulator == "bochs") for c in configs))

    def test_parse(self):
        self.assertEqual(bench.parse_latency_line(self.LOG, "sleeper vCPU 0 lateness"),
                         {"n": 60, "min": 21100, "median": 21150, "p99": 55400, "max": 55400})
        self.assertEqual(bench.parse_latency_line(self.LOG, "ticker lateness")["max"], 19600)
        self.assertIsNone(bench.parse_latency_line("no such line\n", "ticker lateness"))

    def test_table_and_ratios(self):
        configs = [c for c in self.configs()
                   if c.name.startswith("latency-oneshot-rr-") and c.emulator == "qemu"]
        late = {0: 20000, 1: 40000, 3: 100000}
        samples = {}
        for c in configs:
            hogs = int(c.workload.split(":")[1])
            samples[c.name] = [{"run": 1, "ok": hogs != 1, "error": None if hogs != 1 else "boom",
                                "lateness": {"n": 10, "min": 1000, "median": late[hogs],
                                             "p99": 2 * late[hogs], "max": 3 * late[hogs]}}]
        text = bench.format_latency_tables(configs, samples)
        self.assertIn("Virtual timer latency, deadline to guest handler (QEMU TCG", text)
        row3 = next(line for line in text.splitlines() if line.startswith(
            "latency-oneshot-rr-hog3-q35 "))
        self.assertEqual(row3.split()[-6:], ["1.0", "100.0", "200.0", "300.0", "5.00", "5.00"])
        self.assertIn("latency-oneshot-rr-hog1-q35  ERROR (1 of 1 runs): boom", text)
        self.assertEqual(bench.latency_summary(samples["latency-oneshot-rr-hog0-q35"])["median"],
                         20000)


if __name__ == "__main__":
    unittest.main()
