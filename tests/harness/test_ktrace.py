"""Tests of the host trace decoder (tools/ktrace.py) on recorded binary input,
made here by a small encoder of the wire format (include/trace.h), so that a
mistake in the decoder cannot cancel one in a shared encoder."""

import base64
import contextlib
import importlib.util
import io
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[2]
KTRACE_PY = ROOT / "tools" / "ktrace.py"
# A captured trace: the serial log of a q35 boot with 2 CPUs,
# `test=timer.timers_fire_in_order_on_their_cpu,timer.slack_window_is_respected
# trace=timer` (tests/harness/boot.py --smp 2 --name trace-capture): 140
# TIMER_FIRE records whose lateness fills 9 buckets, 10 us to 10 ms.
CAPTURED_TRACE = Path(__file__).resolve().parent / "data" / "ktrace-timers-q35-smp2.log"


def load_ktrace():
    """Imports tools/ktrace.py by path (it is not on sys.path)."""
    spec = importlib.util.spec_from_file_location("kairos_ktrace", KTRACE_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


kt = load_ktrace()

# enum trace_event, written out again here on purpose.
INFO, LOST, IRQ_ENTRY, IRQ_EXIT = 1, 2, 3, 4
SOFTIRQ_RAISE, SOFTIRQ_ENTRY, SOFTIRQ_EXIT = 5, 6, 7
TIMER_SET, TIMER_STOP, TIMER_FIRE, CLOCKEVENT_PROGRAM = 8, 9, 10, 11
IDLE_ENTER, IDLE_EXIT, IPI_SEND, S_TIMER_FIRE = 12, 13, 14, 15
SCHEDULE, CONTEXT_SWITCH, VCPU_WAKE, VCPU_BLOCK, VCPU_POLL = 16, 17, 18, 19, 20
VIRQ_DELIVER, HYPERCALL_ENTRY, HYPERCALL_EXIT = 21, 22, 23
HVM_EXIT, HVM_ENTRY, HVM_INJECT, HVM_VTIMER = 24, 25, 26, 27

# Events the tool knows before include/trace.h has them (the kernel's side
# of HVM domains is written elsewhere): once the header has one, it must
# have this number.
PENDING_EVENTS = {"HVM_EXIT": 24, "HVM_ENTRY": 25, "HVM_INJECT": 26, "HVM_VTIMER": 27}

# HVM exit reasons (HVM_EXIT's a, HVM_ENTRY's c)
INTR, CPUID, HLT, IO, MSR, MMIO = 0, 3, 4, 5, 6, 7
# HVM_INJECT's c
EXTINT, NMI_KIND, EXCEPTION, SOFTINT = 0, 2, 3, 4

GHZ = 1000000000  # a 1 GHz TSC: TSC values are ns
MS = 1000000
S = 1000000000


# ---------------------------------------------------------------------------
# The encoder


def rec(tsc, event, cpu=0, a=0, b=0, c=0):
    """One record as its tuple (what the decoder gives back)."""
    return (tsc, event, cpu, a, b, c)


def pack(records):
    return b"".join(struct.pack("<QHHIQQ", *r) for r in records)


def frame(records, crc=None):
    """One frame line's text for 1 to 8 records (or any payload, for
    corrupt frames), without the newline."""
    payload = records if isinstance(records, bytes) else pack(records)
    crc = zlib.crc32(payload) if crc is None else crc
    return "@KT1 " + base64.b64encode(payload).decode() + f"*{crc:08x}"


def frames(records, per_frame=8):
    """Frame lines for a stream of records, per_frame at a time."""
    return [frame(records[i:i + per_frame]) for i in range(0, len(records), per_frame)]


def info(tsc=0, hz=GHZ, zero=0, cpu=0, version=1):
    return rec(tsc, INFO, cpu, version, hz, zero)


def log(*parts):
    """A serial log: strings are lines, lists of records become frames."""
    lines = []
    for p in parts:
        lines += frames(p) if isinstance(p, list) else [p]
    return "\n".join(lines) + "\n"


def decoded(trace):
    return [(r.tsc, r.event, r.cpu, r.a, r.b, r.c) for r in trace.records]


def run_main(argv, stdin=None):
    """(status, stdout, stderr) of ktrace.main(argv)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = kt.main(argv)
        except SystemExit as e:  # argparse
            status = e.code
    return status, out.getvalue(), err.getvalue()


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = Path(self._tmp.name)
        self.addCleanup(self._tmp.cleanup)

    def write_log(self, text, name="serial.log"):
        path = self.tmp / name
        path.write_text(text)
        return str(path)


# ---------------------------------------------------------------------------
# The tool's tables against the kernel's headers


def c_source(path):
    """A C file without its comments, or None if it is not there."""
    try:
        text = (ROOT / path).read_text()
    except OSError:
        return None
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)


class HeaderTablesTest(unittest.TestCase):
    def test_events_match_trace_h(self):
        src = c_source("include/trace.h")
        if src is None:
            self.skipTest("no include/trace.h")
        body = re.search(r"enum trace_event\s*{(.*?)}", src, re.S).group(1)
        events, value = {}, -1
        for item in filter(None, (i.strip() for i in body.split(","))):
            m = re.fullmatch(r"TRACE_(\w+)(?:\s*=\s*(\d+))?", item)
            self.assertIsNotNone(m, item)
            value = int(m.group(2)) if m.group(2) else value + 1
            events[m.group(1)] = value
        del events["NR_EVENTS"]
        tool = {e.name: e.value for e in kt.Ev}
        for name, value in events.items():  # every kernel event, with its number
            self.assertEqual(tool.get(name), value, name)
        # and no other, but those the kernel is about to gain
        self.assertEqual({n: v for n, v in tool.items() if n not in events},
                         {n: v for n, v in PENDING_EVENTS.items() if n not in events})
        version = re.search(r"#define TRACE_FORMAT_VERSION (\d+)", src).group(1)
        self.assertEqual(int(version), kt.FORMAT_VERSION)

    def test_record_layout_matches_trace_h(self):
        src = c_source("include/trace.h")
        if src is None:
            self.skipTest("no include/trace.h")
        body = re.search(r"struct trace_record\s*{(.*?)}", src, re.S).group(1)
        fields = re.findall(r"\b(u8|u16|u32|u64)\s+(\w+)\s*;", body)
        codes = {"u8": "B", "u16": "H", "u32": "I", "u64": "Q"}
        self.assertEqual([name for _, name in fields], ["tsc", "event", "cpu", "a", "b", "c"])
        self.assertEqual("<" + "".join(codes[t] for t, _ in fields), kt.RECORD.format)
        self.assertEqual(kt.RECORD_SIZE, 32)

    def test_vectors_match_headers(self):
        defines = {}
        for path in list((ROOT / "arch/x86/include/asm").glob("*.h")) + [ROOT / "arch/x86/smp.c"]:
            src = c_source(path.relative_to(ROOT))
            for name, value in re.findall(r"#define (\w+)_VECTOR\s+(0x[0-9a-fA-F]+)\b", src or ""):
                defines[name] = int(value, 16)
        if not defines:
            self.skipTest("no vector definitions found")
        for vector, name in kt.VECTOR_NAMES.items():
            if name in defines:
                self.assertEqual(defines[name], vector, name)
        self.assertEqual(defines.get("LOCAL_TIMER"), kt.LOCAL_TIMER_VECTOR)

    def test_trace_md_names_every_event(self):
        doc = (ROOT / "docs/trace.md").read_text()
        for e in kt.Ev:
            self.assertIn(f"`TRACE_{e.name}`", doc, e.name)
        self.assertIn("`hvm`", doc)

    def test_softirqs_match_softirq_h(self):
        src = c_source("include/softirq.h")
        if src is None:
            self.skipTest("no include/softirq.h")
        body = re.search(r"enum\s*{([^}]*NR_SOFTIRQS[^}]*)}", src, re.S).group(1)
        names = [i.split("=")[0].strip() for i in body.split(",") if i.strip()]
        names = [n.removesuffix("_SOFTIRQ") for n in names if n != "NR_SOFTIRQS"]
        self.assertEqual(names, [kt.SOFTIRQ_NAMES[i] for i in range(len(names))])


# ---------------------------------------------------------------------------
# Frames


EVERY_EVENT = [
    info(0, GHZ, 0),
    rec(1000, LOST, 0, 17),
    rec(2000, IRQ_ENTRY, 0, 0xFA),
    rec(3000, IRQ_EXIT, 0, 0xFA),
    rec(4000, SOFTIRQ_RAISE, 0, 1, 3),
    rec(5000, SOFTIRQ_ENTRY, 0, 0),
    rec(6000, SOFTIRQ_EXIT, 0, 0),
    rec(7000, TIMER_SET, 0, 50000, 0xFFFF800000123450, 1007000),
    rec(8000, TIMER_STOP, 0, 0, 0xFFFF800000123450),
    rec(9000, TIMER_FIRE, 0, 1234, 0xFFFFFFFF80101230, 0xFFFF800000123450),
    rec(10000, CLOCKEVENT_PROGRAM, 0, 1, 0, 2000000),
    rec(11000, IDLE_ENTER, 0),
    rec(12000, IDLE_EXIT, 0),
    rec(13000, IPI_SEND, 0, 0xFC, 2),
    rec(14000, S_TIMER_FIRE, 0),
    rec(15000, SCHEDULE, 0, 30000, 0, 5),
    rec(16000, CONTEXT_SWITCH, 0, 0, 0, 5),
    rec(17000, VCPU_WAKE, 0, 0, 6),
    rec(18000, VCPU_BLOCK, 0, 0, 5),
    rec(19000, VCPU_POLL, 0, 0, 5, 3000000),
    rec(20000, VIRQ_DELIVER, 0, 7, 5),
    rec(21000, HYPERCALL_ENTRY, 0, 3, 5),
    rec(22000, HYPERCALL_EXIT, 0, 3, (1 << 64) - 22),
    rec(23000, HVM_EXIT, 0, CPUID, 1 << 16, 0x100020),
    rec(24000, HVM_ENTRY, 0, 1234, 1 << 16, CPUID),
    rec(25000, HVM_INJECT, 0, 0xEC, 1 << 16, EXTINT),
    rec(26000, HVM_VTIMER, 0, 5000, 1 << 16, 0xEC),
    rec(27000, 99, 0, 1, 2, 3),
]


class FrameTest(TempDirTest):
    def test_round_trip_of_every_event(self):
        self.assertEqual({r[1] for r in EVERY_EVENT} - {99}, {e.value for e in kt.Ev})
        trace = kt.load(log(EVERY_EVENT))
        self.assertEqual(decoded(trace), EVERY_EVENT)
        self.assertEqual((trace.stats.frames, trace.stats.records), (4, len(EVERY_EVENT)))
        self.assertEqual((trace.stats.corrupt, trace.stats.truncated), (0, 0))
        text = list(kt.text_lines(trace))
        body = [line for line in text if not line.startswith("#")]
        self.assertEqual(len(body), len(EVERY_EVENT))
        for line, r in zip(body, EVERY_EVENT):
            name = kt.event_name(r[1])
            self.assertRegex(line, rf"^  +0 \[ +0\.0000\d\d\] {name}:")
        expect = [
            "info: version=1 tsc_hz=1000000000 tsc_at_0=0",
            "lost: 17 records dropped",
            "irq_entry: vector=0xfa (LOCAL_TIMER)",
            "irq_exit: vector=0xfa (LOCAL_TIMER)",
            "softirq_raise: softirq=1 (SCHEDULE) cpu=3",
            "softirq_entry: softirq=0 (TIMER)",
            "timer_set: timer=0xffff800000123450 expires=0.001007000(+1.000ms) slack=50000ns",
            "timer_stop: timer=0xffff800000123450",
            "timer_fire: fn=0xffffffff80101230 timer=0xffff800000123450 lateness=1234ns",
            "clockevent_program: armed deadline=0.002000000(+1.990ms)",
            "idle_enter:",
            "ipi_send: vector=0xfc (EVENT_CHECK) cpu=2",
            "s_timer_fire:",
            "schedule: prev=d0v0 next=d0v5 slice=30000us",
            "context_switch: prev=d0v0 next=d0v5",
            "vcpu_wake: vcpu=d0v6",
            "vcpu_poll: vcpu=d0v5 timeout=0.003000000(+2.981ms)",
            "virq_deliver: port=7 vcpu=d0v5",
            "hypercall_entry: nr=3 vcpu=d0v5",
            "hypercall_exit: nr=3 result=-22",
            "hvm_exit: CPUID vcpu=d1v0 rip=0x100020",
            "hvm_entry: vcpu=d1v0 after CPUID cycles=1234(1.234us)",
            "hvm_inject: vector=0xec (interrupt) vcpu=d1v0",
            "hvm_vtimer: vector=0xec vcpu=d1v0 lateness=5000ns",
            "event_99: a=0x1 b=0x2 c=0x3",
        ]
        for e in expect:
            self.assertTrue(any(line.endswith("] " + e) for line in body), e)

    def test_text_line_format(self):
        trace = kt.load(log([info(), rec(1234567891, IRQ_ENTRY, 3, 0x30)]))
        lines = list(kt.text_lines(trace))
        self.assertEqual(lines[-1], "    3 [    1.234567] irq_entry: vector=0x30 (PLATFORM_TIMER)")
        lines = list(kt.text_lines(trace, ns_digits=True))
        self.assertEqual(lines[-1],
                         "    3 [    1.234567891] irq_entry: vector=0x30 (PLATFORM_TIMER)")

    def test_frames_among_console_text(self):
        a = [info(), rec(100, IRQ_ENTRY, 0, 0xFA)]
        b = [rec(200, IRQ_EXIT, 0, 0xFA)]
        c = [rec(300, IDLE_ENTER, 1)]
        d = [rec(400, IDLE_EXIT, 1)]
        text = ("SeaBIOS (version 1.16)\r\n"
                "[c   1234] console text then " + frame(a) + "\r\n"
                "[    0.000001] a log line\r\n"
                + frame(b) + "\r\n"
                "firmware junk" + frame(c) + " " + frame(d) + "\n"
                "last line without a frame")
        trace = kt.load(text)
        self.assertEqual(decoded(trace), a + b + c + d)
        self.assertEqual((trace.stats.frames, trace.stats.corrupt, trace.stats.truncated),
                         (4, 0, 0))
        self.assertEqual(trace.stats.lines, 6)
        self.assertEqual([r.line for r in trace.records], [2, 2, 4, 5, 5])

    def test_eight_records_fit_a_frame_nine_do_not(self):
        eight = [rec(i, IDLE_ENTER) for i in range(8)]
        trace = kt.load(log([info()], frame(eight), frame(eight + [rec(9, IDLE_EXIT)])))
        self.assertEqual(len(trace.records), 9)
        self.assertEqual((trace.stats.frames, trace.stats.corrupt), (2, 1))
        self.assertEqual(dict(trace.stats.reasons), {"bad length (9 records)": 1})

    def test_corrupt_and_truncated_frames_are_skipped_and_counted(self):
        good = [rec(10, IDLE_ENTER)]
        payload = pack(good)
        b64 = base64.b64encode(payload).decode()
        crc = f"{zlib.crc32(payload):08x}"
        cases = {
            "bad base64 (character)": ("corrupt", "@KT1 " + b64[:10] + "!" + b64[11:] + "*" + crc),
            "bad base64 (padding)": ("corrupt", "@KT1 " + b64[:-4] + "A=AA*" + crc),
            "bad base64 (length)": ("corrupt", "@KT1 " + b64[:-1] + "*" + crc),
            "empty": ("corrupt", frame(b"")),
            "31 bytes": ("corrupt", frame(payload[:31])),
            "33 bytes": ("corrupt", frame(payload + b"\0")),
            "bad CRC": ("corrupt", frame(good, crc=zlib.crc32(payload) ^ 1)),
            "text inside": ("corrupt", "@KT1 " + b64[:20] + "[ 0.1] hi " + b64[20:] + "*" + crc),
            "cut in the base64": ("truncated", "@KT1 " + b64[:17]),
            "cut before the CRC": ("truncated", "@KT1 " + b64 + "*"),
            "cut in the CRC": ("truncated", "@KT1 " + b64 + "*" + crc[:5] + "  \r"),
            "magic only": ("truncated", "text @KT1 "),
        }
        for what, (kind, line) in cases.items():
            with self.subTest(what):
                trace = kt.load(log([info()], line, [rec(20, IDLE_EXIT)]))
                self.assertEqual([r[1] for r in decoded(trace)], [INFO, IDLE_EXIT])
                self.assertEqual(getattr(trace.stats, kind), 1)
                self.assertEqual(trace.stats.corrupt + trace.stats.truncated, 1)
                self.assertEqual(trace.stats.frames, 2)
                self.assertEqual(trace.stats.examples[0][0], 2)  # its line
        # A frame at the very end of the log, with no newline.
        trace = kt.load(log([info()]) + "@KT1 " + b64[:-3])
        self.assertEqual((trace.stats.frames, trace.stats.truncated), (1, 1))

    def test_a_good_frame_after_a_broken_one_on_its_line(self):
        good = [rec(10, IDLE_ENTER)]
        text = "@KT1 AAAA!!" + frame(good) + "\n"
        trace = kt.load(log([info()]) + text)
        self.assertEqual((trace.stats.frames, trace.stats.corrupt), (2, 1))
        self.assertEqual(decoded(trace)[1:], good)

    def test_garbled_lines_never_crash(self):
        rng = random.Random(8)
        lines = frames([rec(i * 10, IDLE_ENTER + i % 2, i % 3, i) for i in range(64)], 4)
        for _ in range(300):
            line = list(rng.choice(lines))
            for _ in range(rng.randint(1, 4)):
                i = rng.randrange(len(line))
                op = rng.randrange(3)
                if op == 0:
                    line[i] = rng.choice("AZaz09+/=*@ \x00\xff\u00e9K1")
                elif op == 1:
                    del line[i:]
                    break
                else:
                    line.insert(i, rng.choice("=*@KT1 "))
            text = "".join(line)
            trace = kt.load("x " + text + "\n", tsc_hz=GHZ)
            st = trace.stats
            self.assertEqual(st.frames + st.corrupt + st.truncated >= 1,
                             "@KT1 " in text, text)
            for r in trace.records:  # a good CRC: the records are what was sent
                self.assertIn(r.event, (IDLE_ENTER, IDLE_EXIT))

    def test_binary_log_through_main(self):
        raw = log([info(), rec(5, IDLE_ENTER)]).encode() + b"\xff\xfe garbage \x00\n"
        path = self.tmp / "serial.log"
        path.write_bytes(raw)
        status, out, err = run_main([str(path)])
        self.assertEqual(status, 0, err)
        self.assertIn("idle_enter", out)


# ---------------------------------------------------------------------------
# Time


BOOT_LOG = """\
[c   1025999887] TSC: against hpet: 2596.093763 MHz, error <= 38 ppm, 10077 us window (chosen)
[c   1032172521] TSC: against acpi_pm: 2596.075630 MHz, error <= 37 ppm, 10146 us window (agrees)
[c   1044498055] TSC: 2596.093 MHz, error <= 38 ppm, reference hpet, calibrated in 10 ms
[c   1054688495] time: system time from tsc (multiply and shift)"""
REFINED = ("[    1.006779] TSC: refined to 2596.117517 MHz, error <= 1 ppm, over 1000 ms "
           "against hpet (9 ppm from the boot value)")


class TimeTest(TempDirTest):
    def test_trace_info_gives_system_time(self):
        hz, zero = 2500000000, 7000
        trace = kt.load(log([info(zero + 100, hz, zero), rec(zero + 2500000000, IDLE_ENTER),
                             rec(zero - 250, IDLE_EXIT)]))
        self.assertEqual([r.ns for r in trace.records], [40, 1000000000, -100])
        self.assertTrue(trace.absolute)
        self.assertEqual(trace.tsc_hz, hz)
        self.assertEqual(trace.time_source, "TRACE_INFO")

    def test_latest_trace_info_before_a_record(self):
        trace = kt.load(log([rec(1000, IDLE_ENTER, 1), info(2000, GHZ, 0),
                             rec(3000, IDLE_EXIT, 1), info(4000, 2 * GHZ, 1000),
                             rec(5000, IDLE_ENTER, 1)]))
        # before the first: the first; then each the latest
        self.assertEqual([r.ns for r in trace.records], [1000, 2000, 3000, 1500, 2000])

    def test_fallback_to_the_boot_log_tsc_line(self):
        text = BOOT_LOG + "\n" + log([rec(5000000, IDLE_ENTER), rec(5000000 + 2596093, IDLE_EXIT),
                                      rec(4000000, IDLE_ENTER, 1)])
        trace = kt.load(text)
        self.assertEqual(trace.tsc_hz, 2596093000)
        self.assertFalse(trace.absolute)
        self.assertIn("TSC: 2596.093 MHz", trace.time_source)
        # relative to the first (earliest) record: 10^6 and 3596093 cycles
        self.assertEqual([r.ns for r in trace.records], [385194, 1385194, 0])
        header = list(kt.text_lines(trace))[1]
        self.assertIn("2596.093000 MHz", header)
        self.assertIn("since the first record", header)

    def test_refined_line_is_preferred(self):
        text = BOOT_LOG + "\n" + REFINED + "\n" + log([rec(2596117517, IDLE_ENTER),
                                                      rec(2 * 2596117517, IDLE_EXIT)])
        trace = kt.load(text)
        self.assertEqual(trace.tsc_hz, 2596117517)
        self.assertEqual([r.ns for r in trace.records], [0, S])

    def test_trace_info_wins_over_the_boot_log(self):
        trace = kt.load(BOOT_LOG + "\n" + log([info(0, GHZ, 0), rec(S, IDLE_ENTER)]))
        self.assertEqual((trace.tsc_hz, trace.records[1].ns), (GHZ, S))

    def test_tsc_hz_overrides(self):
        trace = kt.load(BOOT_LOG + "\n" + log([rec(100, IDLE_ENTER), rec(300, IDLE_EXIT)]),
                        tsc_hz=100 * 1000000)
        self.assertEqual([r.ns for r in trace.records], [0, 2000])
        self.assertEqual(trace.time_source, "--tsc-hz")
        trace = kt.load(log([info(0, GHZ, 100), rec(300, IDLE_EXIT)]), tsc_hz=2 * GHZ)
        self.assertEqual(trace.records[1].ns, 100)
        self.assertTrue(trace.absolute)

    def test_parse_hz(self):
        for text, hz in (("2596093763", 2596093763), ("2596.093763MHz", 2596093763),
                         ("2.6 GHz", 2600000000), ("100e6", 100000000), ("1000kHz", 1000000)):
            self.assertEqual(kt.parse_hz(text), hz, text)
        for bad in ("fast", "0", "-5", "1e", ""):
            with self.assertRaises(Exception, msg=bad):
                kt.parse_hz(bad)

    def test_no_rate_is_an_error(self):
        with self.assertRaises(kt.TraceError):
            kt.load(log([rec(100, IDLE_ENTER)]))
        status, out, err = run_main([self.write_log(log([rec(100, IDLE_ENTER)]))])
        self.assertEqual(status, 2)
        self.assertIn("--tsc-hz", err)
        status, out, err = run_main(["--tsc-hz", "1GHz",
                                     self.write_log(log([rec(100, IDLE_ENTER)]))])
        self.assertEqual(status, 0, err)
        # no records: nothing to convert, not an error
        status, out, err = run_main(["--summary", self.write_log("just a log\n")])
        self.assertEqual(status, 0, err)
        self.assertIn("no records", out)


# ---------------------------------------------------------------------------
# Order, timestamps going backwards, symbols


class OrderTest(TempDirTest):
    def test_sorted_by_time_and_stable_per_cpu(self):
        records = [info(),
                   rec(300, IDLE_ENTER, 0), rec(100, IDLE_EXIT, 0),  # CPU 0 goes back
                   rec(200, IRQ_ENTRY, 1, 0xFA), rec(200, IRQ_EXIT, 1, 0xFA),
                   rec(200, IPI_SEND, 0, 0xFC, 1), rec(400, IDLE_ENTER, 1)]
        trace = kt.load(log(records))
        order = [(r.cpu, r.tsc, r.event) for r in trace.timeline()]
        self.assertEqual(order, [(0, 0, INFO), (1, 200, IRQ_ENTRY), (1, 200, IRQ_EXIT),
                                 (0, 300, IDLE_ENTER), (0, 100, IDLE_EXIT),
                                 (0, 200, IPI_SEND), (1, 400, IDLE_ENTER)])

    def test_backwards_timestamps_are_found_per_cpu(self):
        records = [info(),
                   rec(100, IDLE_ENTER, 0), rec(90, IDLE_EXIT, 0), rec(95, IDLE_ENTER, 0),
                   rec(80, IDLE_EXIT, 0),
                   rec(50, IDLE_ENTER, 1), rec(50, IDLE_EXIT, 1), rec(60, IDLE_ENTER, 1)]
        trace = kt.load(log(records))
        self.assertEqual(list(trace.backsteps), [0])  # CPU 1 only lags CPU 0: fine
        steps = trace.backsteps[0]
        self.assertEqual([(s.position, s.prev.tsc, s.rec.tsc) for s in steps],
                         [(2, 100, 90), (4, 95, 80)])
        status, out, err = run_main([self.write_log(log(records))])
        self.assertEqual(status, 0)
        self.assertIn("CPU 0: timestamps go backwards 2 times", err)
        self.assertNotIn("CPU 1", err)
        status, out, err = run_main(["-q", self.write_log(log(records))])
        self.assertEqual(err, "")
        status, out, err = run_main(["--summary", self.write_log(log(records))])
        self.assertRegex(out, r"\n +0 +5 .* 2\n")  # CPU 0's backwards column

    def test_lost_records_take_the_place_of_their_hole(self):
        # The kernel stamps TRACE_LOST when its drain counts the hole, and
        # sends it where the hole is in the CPU's stream.
        # One stamped in order keeps its time.
        records = [info(), rec(900, LOST, 1, 4), rec(100, IDLE_ENTER, 1),
                   rec(200, IDLE_EXIT, 1), rec(950, LOST, 1, 2), rec(300, IDLE_ENTER, 1),
                   rec(250, IPI_SEND, 0, 0xFC, 1), rec(310, LOST, 1, 1), rec(400, LOST, 1, 8)]
        trace = kt.load(log(records))
        self.assertEqual(trace.backsteps, {})
        self.assertEqual([(r.ns, r.reported_ns) for r in trace.per_cpu[1]],
                         [(100, 900), (100, None), (200, None), (200, 950), (300, None),
                          (310, None), (400, None)])
        self.assertEqual([r.tsc for r in trace.timeline()],
                         [0, 900, 100, 200, 950, 250, 300, 310, 400])
        text = list(kt.text_lines(trace, ns_digits=True))
        self.assertIn("    1 [    0.000000200] lost: 2 records dropped (counted at 0.000000950)",
                      text)
        self.assertEqual(kt.summarize(trace).dropped, 15)

    NM = """\
ffffffff80100000 T _start
ffffffff80101200 0000000000000080 T s_timer_fn
ffffffff80101280 0000000000000010 t helper
ffffffff80200000 0000000000000040 D some_timer
ffffffff80300000 0000000000001000 B percpu_timers
ffffffff80400000 r no_size
"""

    def test_symbols(self):
        syms = kt.Symbols(self.NM)
        self.assertEqual(syms.code(0xFFFFFFFF80101200), "s_timer_fn")
        self.assertEqual(syms.code(0xFFFFFFFF80101230), "s_timer_fn+0x30")
        self.assertEqual(syms.code(0xFFFFFFFF80100004), "_start+0x4")
        self.assertIsNone(syms.code(0xFFFFFFFF80101290))  # past the last one's end
        self.assertIsNone(syms.code(0x1000))
        self.assertEqual(syms.data(0xFFFFFFFF80200000), "some_timer")
        self.assertEqual(syms.data(0xFFFFFFFF80300040), "percpu_timers+0x40")
        self.assertIsNone(syms.data(0xFFFFFFFF80200040))  # past its size
        self.assertIsNone(syms.data(0xFFFF800000123450))

    def test_elf_symbols_through_nm(self):
        nm = self.tmp / "fake-nm"
        (self.tmp / "nm.out").write_text(self.NM)
        nm.write_text(f"#!/bin/sh\n[ \"$1 $2 $3\" = \"-n -S kernel.elf\" ] || exit 1\n"
                      f"cat {self.tmp / 'nm.out'}\n")
        nm.chmod(0o755)
        path = self.write_log(log([info(), rec(10, TIMER_FIRE, 0, 5, 0xFFFFFFFF80101230,
                                              0xFFFFFFFF80200000)]))
        status, out, err = run_main(["--elf", "kernel.elf", "--nm", str(nm), path])
        self.assertEqual(status, 0, err)
        self.assertIn("timer_fire: fn=s_timer_fn+0x30 (0xffffffff80101230) "
                      "timer=0xffffffff80200000 (some_timer) lateness=5ns", out)
        # no nm, or nm failing: numbers, silently
        for missing in (str(self.tmp / "no-such-nm"), "false"):
            status, out, err = run_main(["--elf", "kernel.elf", "--nm", missing, path])
            self.assertEqual((status, err), (0, ""))
            self.assertIn("fn=0xffffffff80101230 timer=0xffffffff80200000 lateness", out)
        with mock.patch.dict(os.environ, {"NM": str(nm)}):
            status, out, err = run_main(["--elf", "kernel.elf", path])
        self.assertIn("fn=s_timer_fn+0x30", out)


# ---------------------------------------------------------------------------
# Chrome trace-event JSON


def two_cpu_trace():
    return [
        info(0, GHZ, 0, cpu=0),
        rec(1 * MS, IDLE_ENTER, 0),
        rec(2 * MS, IRQ_ENTRY, 0, 0xFA),
        rec(2 * MS + 500, TIMER_SET, 0, 100, 0xFFFF800000001000, 5 * MS),
        rec(3 * MS, IRQ_EXIT, 0, 0xFA),
        rec(4 * MS, IDLE_EXIT, 0),
        rec(5 * MS, SOFTIRQ_ENTRY, 0, 0),
        rec(5 * MS + 100, TIMER_FIRE, 0, 2500, 0xFFFFFFFF80101200, 0xFFFF800000001000),
        rec(5 * MS + 200, S_TIMER_FIRE, 0),
        rec(5 * MS + 300, SOFTIRQ_RAISE, 0, 1, 0),
        rec(6 * MS, SOFTIRQ_EXIT, 0, 0),
        rec(6 * MS, SOFTIRQ_ENTRY, 0, 1),
        rec(6 * MS + 100, SCHEDULE, 0, 30000, 0, 1),
        rec(6 * MS + 200, CONTEXT_SWITCH, 0, 0, 0, 1),
        rec(7 * MS, SOFTIRQ_EXIT, 0, 1),
        rec(8 * MS, IRQ_EXIT, 0, 0xFC),  # no entry: ignored
        rec(9 * MS, IPI_SEND, 0, 0xFC, 1),
        rec(9 * MS, CLOCKEVENT_PROGRAM, 0, 1, 0, 10 * MS),
        rec(10 * MS, IRQ_ENTRY, 0, 0xFA),  # no exit: closed at the CPU's end
        rec(11 * MS, IDLE_ENTER, 0),  # idle inside the IRQ
        rec(12 * MS, LOST, 0, 3),
        rec(1 * MS, IDLE_ENTER, 1),
        rec(2 * MS, IRQ_ENTRY, 1, 0xFC),
        rec(2 * MS + 10, IRQ_ENTRY, 1, 0xFE),  # nested IRQ
        rec(2 * MS + 20, IRQ_EXIT, 1, 0xFE),
        rec(2 * MS + 30, IRQ_EXIT, 1, 0xFC),
        rec(3 * MS, IDLE_EXIT, 1),
        rec(3 * MS + 1, IDLE_ENTER, 1),
        rec(3 * MS + 2, IRQ_ENTRY, 1, 0xFA),
        rec(3 * MS + 3, IDLE_EXIT, 1),  # closes the IRQ too (its exit lost)
        rec(3 * MS + 4, SOFTIRQ_ENTRY, 1, 2),
        rec(3 * MS + 5, SOFTIRQ_ENTRY, 1, 3),  # softirqs do not nest: closes TASKLET
        rec(3 * MS + 6, SOFTIRQ_EXIT, 1, 3),
    ]


def check_nesting(test, events):
    """Per tid, X slices must nest (or follow one another)."""
    by_tid = {}
    for e in events:
        if e["ph"] == "X":
            by_tid.setdefault(e["tid"], []).append(e)
    for tid, slices in by_tid.items():
        stack = []
        for e in sorted(slices, key=lambda e: (e["ts"], -e["dur"])):
            start, end = round(e["ts"] * 1000), round((e["ts"] + e["dur"]) * 1000)
            while stack and stack[-1] <= start:
                stack.pop()
            if stack:
                test.assertLessEqual(end, stack[-1], f"tid {tid}: {e} overlaps its parent")
            stack.append(end)
    return by_tid


class JsonTest(TempDirTest):
    def chrome(self, records):
        path = self.write_log(log(records))
        out = self.tmp / "trace.json"
        status, _, err = run_main(["--json", str(out), path])
        self.assertEqual(status, 0, err)
        return json.loads(out.read_text())

    def test_valid_trace_event_json(self):
        doc = self.chrome(two_cpu_trace())
        self.assertIsInstance(doc["traceEvents"], list)
        self.assertEqual(doc["displayTimeUnit"], "ns")
        for e in doc["traceEvents"]:
            self.assertTrue({"ph", "name", "pid", "tid"} <= e.keys(), e)
            self.assertIn(e["ph"], "MXiC")
            if e["ph"] != "M":
                self.assertIsInstance(e["ts"], (int, float))
                self.assertGreaterEqual(e["ts"], 0)
            if e["ph"] == "X":
                self.assertGreaterEqual(e["dur"], 0)
            if e["ph"] == "i":
                self.assertEqual(e["s"], "t")
            if e["ph"] == "C":
                self.assertTrue(all(isinstance(v, (int, float)) for v in e["args"].values()))
        meta = {(e["name"], e["tid"]): e["args"] for e in doc["traceEvents"] if e["ph"] == "M"}
        self.assertEqual(meta[("process_name", 0)], {"name": "Kairos"})
        self.assertEqual(meta[("thread_name", 0)], {"name": "CPU 0"})
        self.assertEqual(meta[("thread_name", 1)], {"name": "CPU 1"})
        self.assertEqual(meta[("thread_name", kt.VCPU_TID_BASE)], {"name": "CPU 0 vCPUs"})
        self.assertEqual(len({e["pid"] for e in doc["traceEvents"]}), 1)
        # metadata first, then by time
        ts = [e["ts"] for e in doc["traceEvents"] if e["ph"] != "M"]
        self.assertEqual(ts, sorted(ts))

    def test_slices(self):
        doc = self.chrome(two_cpu_trace())
        by_tid = check_nesting(self, doc["traceEvents"])
        got = {tid: [(e["name"], e["ts"], e["dur"], e["args"].get("unfinished", False))
                     for e in sorted(s, key=lambda e: (e["ts"], -e["dur"]))]
               for tid, s in by_tid.items()}
        self.assertEqual(got[0], [
            ("idle", 1000.0, 3000.0, False),
            ("LOCAL_TIMER", 2000.0, 1000.0, False),
            ("TIMER", 5000.0, 1000.0, False),
            ("SCHEDULE", 6000.0, 1000.0, False),
            ("LOCAL_TIMER", 10000.0, 2000.0, True),
            ("idle", 11000.0, 1000.0, True),
        ])
        self.assertEqual(got[1], [
            ("idle", 1000.0, 2000.0, False),
            ("EVENT_CHECK", 2000.0, 0.03, False),
            ("APIC_ERROR", 2000.01, 0.01, False),
            ("idle", 3000.001, 0.002, False),
            ("LOCAL_TIMER", 3000.002, 0.001, True),
            ("TASKLET", 3000.004, 0.001, True),
            ("TEST", 3000.005, 0.001, False),
        ])
        # the vCPU track: vCPU 0 ran before the switch (from the CPU's first
        # record), vCPU 1 after it (to the CPU's last)
        self.assertEqual(got[kt.VCPU_TID_BASE], [
            ("vCPU d0v0", 0.0, 6000.2, True),
            ("vCPU d0v1", 6000.2, 5999.8, True),
        ])

    def test_instants_and_counters(self):
        doc = self.chrome(two_cpu_trace())
        inst = {e["name"]: e for e in doc["traceEvents"] if e["ph"] == "i"}
        self.assertEqual(inst["timer_set"]["args"],
                         {"timer": "0xffff800000001000", "expires": 5 * MS, "slack": 100})
        self.assertEqual(inst["timer_fire"]["args"]["lateness"], 2500)
        self.assertEqual(inst["timer_fire"]["ts"], 5000.1)
        self.assertEqual((inst["lost"]["ts"], inst["lost"]["args"]), (12000.0, {"dropped": 3}))
        self.assertEqual(inst["ipi EVENT_CHECK"]["args"], {"vector": "0xfc", "target": "1"})
        self.assertEqual(inst["raise SCHEDULE"]["args"], {"softirq": 1, "target": "0"})
        self.assertEqual(inst["clockevent_program"]["args"],
                         {"result": "armed", "deadline": 10 * MS})
        for name in ("s_timer_fire", "schedule", "context_switch", "lost", "timer_set"):
            self.assertEqual(inst[name]["tid"], 0, name)
        counters = [e for e in doc["traceEvents"] if e["ph"] == "C"]
        self.assertIn({"CPU 0": 3}, [e["args"] for e in counters if e["name"] == "dropped records"])
        self.assertIn({"CPU 0": 2.5}, [e["args"] for e in counters
                                       if e["name"] == "timer lateness us"])
        self.assertEqual(doc["otherData"]["records"], len(two_cpu_trace()))

    def test_negative_times_are_shifted(self):
        doc = self.chrome([info(1000, GHZ, 1000), rec(400, IDLE_ENTER), rec(900, IDLE_EXIT)])
        self.assertEqual(doc["otherData"]["ts_shift_ns"], 600)
        x = [e for e in doc["traceEvents"] if e["ph"] == "X"]
        self.assertEqual([(e["ts"], e["dur"]) for e in x], [(0.0, 0.5)])

    def test_json_to_stdout(self):
        status, out, err = run_main(["--json", "-", self.write_log(log(two_cpu_trace()))])
        self.assertEqual(status, 0, err)
        self.assertIn("traceEvents", json.loads(out))


# ---------------------------------------------------------------------------
# Summary


def summary_trace():
    """Known figures: 2 s traced; see SummaryTest."""
    return [
        info(0, GHZ, 0),
        rec(0, IDLE_ENTER, 0),
        rec(100 * MS, IDLE_EXIT, 0),
        rec(100 * MS, IRQ_ENTRY, 0, 0xFA),
        rec(100 * MS, IRQ_EXIT, 0, 0xFA),
        rec(200 * MS, SOFTIRQ_ENTRY, 0, 0),
        rec(200 * MS + 10, TIMER_FIRE, 0, 0),
        rec(200 * MS + 20, TIMER_FIRE, 0, 1500),
        rec(200 * MS + 10000, SOFTIRQ_EXIT, 0, 0),
        rec(300 * MS, IDLE_EXIT, 0),
        rec(400 * MS, IRQ_ENTRY, 0, 0xFA),
        rec(400 * MS + 1, IRQ_EXIT, 0, 0xFA),
        rec(500 * MS, CONTEXT_SWITCH, 0, 0, 0, 1),
        rec(600 * MS, IDLE_EXIT, 0),
        rec(700 * MS, SOFTIRQ_ENTRY, 0, 0),
        rec(700 * MS + 5, TIMER_FIRE, 0, 1800),
        rec(700 * MS + 6, TIMER_FIRE, 0, 30000),
        rec(700 * MS + 30000, SOFTIRQ_EXIT, 0, 0),
        rec(800 * MS, IRQ_ENTRY, 0, 0xFA),
        rec(800 * MS + 1, IRQ_EXIT, 0, 0xFA),
        rec(900 * MS, IDLE_EXIT, 0),
        rec(1500 * MS, CONTEXT_SWITCH, 0, 0, 1, 0),
        rec(2000 * MS, SOFTIRQ_ENTRY, 0, 2),  # unfinished: not counted
        rec(0, LOST, 1, 5),
        rec(1000 * MS, IRQ_ENTRY, 1, 0xFA),
        rec(1000 * MS, IRQ_EXIT, 1, 0xFA),
        rec(1000 * MS + 1, IRQ_ENTRY, 1, 0xFC),
        rec(1000 * MS + 1, IRQ_EXIT, 1, 0xFC),
        rec(1100 * MS, IDLE_EXIT, 1),
        rec(1200 * MS, TIMER_FIRE, 1, 0xFFFFFFFF),
        rec(1300 * MS, LOST, 1, 2),
        rec(1400 * MS, SOFTIRQ_EXIT, 1, 1),  # unmatched
    ]


class SummaryTest(TempDirTest):
    def summary(self, extra_lines=()):
        text = log(summary_trace(), *extra_lines)
        return kt.summarize(kt.load(text)), text

    def test_known_numbers(self):
        s, _ = self.summary(["@KT1 AAAA*00000000", "@KT1 AAA"])
        self.assertEqual((s.stats.corrupt, s.stats.truncated), (1, 1))
        self.assertEqual((s.start_ns, s.end_ns, s.duration_ns), (0, 2 * S, 2 * S))
        self.assertEqual(s.cpus[0].idle_exits, 4)
        self.assertEqual(s.cpus[0].wakeups_per_s, 2.0)
        self.assertEqual(s.cpus[1].wakeups_per_s, 0.5)
        self.assertEqual((s.cpus[1].first_ns, s.cpus[1].last_ns), (0, 1400 * MS))
        self.assertEqual(s.lateness, [0, 1500, 1800, 30000, 0xFFFFFFFF])
        self.assertEqual([(b.lo, b.hi, b.count) for b in s.histogram],
                         [(0, 1, 1)] + [(lo, hi, 0) for lo, hi in
                                        ((1, 2), (2, 5), (5, 10), (10, 20), (20, 50), (50, 100),
                                         (100, 200), (200, 500), (500, 1000))]
                         + [(1000, 2000, 2), (2000, 5000, 0), (5000, 10000, 0),
                            (10000, 20000, 0), (20000, 50000, 1), (0xFFFFFFFF, None, 1)])
        self.assertEqual(s.histogram[10].label, "1 us - 2 us")
        self.assertEqual(s.histogram[-1].label, ">= 4.29497 s (saturated)")
        self.assertEqual(s.irqs, {0xFA: {0: 3, 1: 1}, 0xFC: {1: 1}})
        self.assertEqual(s.softirq_time, {(0, 0): (2, 40000, 30000)})
        self.assertEqual(s.vcpu_time, {1: (1, S), 0: (1, S)})
        self.assertEqual((s.cpus[1].dropped, s.dropped), (7, 7))
        # idle exits without an idle entry (4), the SCHEDULE softirq exit;
        # the TASKLET softirq still running at the end
        self.assertEqual((s.unmatched_ends, s.unfinished), (5, 1))
        self.assertEqual(s.events["timer_fire"], 5)

    def test_summary_text(self):
        _, text = self.summary(["@KT1 AAAA*00000000"])
        status, out, err = run_main(["--summary", self.write_log(text)])
        self.assertEqual(status, 0, err)
        for expect in ("skipped frames: 1 corrupt, 0 truncated (1 bad length (3 bytes))",
                       "line 5: bad length (3 bytes)",
                       "TSC: 1000.000000 MHz (TRACE_INFO, format version 1)",
                       "traced: 0.000000 .. 2.000000 s (system time), 2.000000 s",
                       "Timer lateness (TIMER_FIRE): 5 timers; min 0 ns, median 1.800 us",
                       "max 4.295 s",
                       "Dropped records (TRACE_LOST): 7 (CPU 1: 7)"):
            self.assertIn(expect, out)
        self.assertRegex(out, r"\n  1 us - 2 us +2  #{40}\n")
        self.assertRegex(out, r"\n  0xfa LOCAL_TIMER +4 +3 +1\n")
        self.assertRegex(out, r"\n +0 +TIMER +2 +40\.000 us +20\.000 us +30\.000 us\n")
        self.assertRegex(out, r"\n +d0v1 +1 +1\.000 s +50\.0%\n")
        self.assertRegex(out, r"\n +0 +23 +0\.000000 +2\.000000 +2\.000000 +2\.0 +0 +0\n")
        self.assertIn("corrupt", err)  # the warning

    def test_percentile(self):
        self.assertEqual(kt.percentile([1, 2, 3, 4], 50), 2)
        self.assertEqual(kt.percentile([1, 2, 3, 4], 99), 4)
        self.assertEqual(kt.percentile([7], 90), 7)
        self.assertEqual(kt.lateness_histogram([]), [])


# ---------------------------------------------------------------------------
# HVM domains: exits and entries, injections, virtual timers

US = 1000
D1V0, D1V1 = 1 << 16, 1 << 16 | 1
IDLE0, IDLE1 = 0x7FFF << 16, 0x7FFF << 16 | 1


def hvm_trace():
    """d1v0 on CPU 0, switched out in a HLT exit, resumed on CPU 1 (1 GHz:
    cycles are ns). Known figures: see HvmTest."""
    return [
        info(0, GHZ, 0),
        rec(10 * US, CONTEXT_SWITCH, 0, 0, IDLE0, D1V0),
        rec(20 * US, HVM_EXIT, 0, CPUID, D1V0, 0x100020),
        rec(22 * US, HVM_ENTRY, 0, 2000, D1V0, CPUID),
        rec(30 * US, HVM_INJECT, 0, 0xEC, D1V0, EXTINT),
        rec(40 * US, HVM_EXIT, 0, INTR, D1V0, 0x100100),
        rec(40 * US + 500, IRQ_ENTRY, 0, 0xFA),  # the host's interrupt, in the exit
        rec(41 * US, IRQ_EXIT, 0, 0xFA),
        rec(41 * US + 500, SOFTIRQ_ENTRY, 0, 0),
        rec(42 * US, HVM_VTIMER, 0, 5000, D1V0, 0xEC),
        rec(43 * US, SOFTIRQ_EXIT, 0, 0),
        rec(45 * US, HVM_ENTRY, 0, 5000, D1V0, INTR),
        rec(50 * US, HVM_EXIT, 0, CPUID, D1V0, 0x100030),
        rec(54 * US, HVM_ENTRY, 0, 4000, D1V0, CPUID),
        rec(60 * US, HVM_EXIT, 0, HLT, D1V0, 0x100200),
        rec(61 * US, SOFTIRQ_ENTRY, 0, 1),
        rec(62 * US, SCHEDULE, 0, 30000, D1V0, IDLE0),
        rec(63 * US, CONTEXT_SWITCH, 0, 0, D1V0, IDLE0),  # ends the HLT exit
        rec(63 * US + 100, SOFTIRQ_EXIT, 0, 1),
        rec(64 * US, IDLE_ENTER, 0),
        rec(70 * US, CONTEXT_SWITCH, 1, 0, IDLE1, D1V0),
        rec(71 * US, HVM_INJECT, 1, 0xEC, D1V0, EXTINT),
        rec(72 * US, HVM_ENTRY, 1, 12000, D1V0, HLT),  # resumed: spans 60..72 us
        rec(80 * US, HVM_EXIT, 1, MSR, D1V0, 0x100300),
        rec(81 * US, HVM_ENTRY, 1, 1000, D1V0, MSR),
        rec(90 * US, HVM_EXIT, 1, IO, D1V0, 0x100400),
        rec(93 * US, HVM_ENTRY, 1, 3000, D1V0, IO),
        rec(95 * US, HVM_VTIMER, 1, 7000, D1V0, 0xEC),
        rec(96 * US, HVM_INJECT, 1, 14, D1V0, EXCEPTION),
        rec(97 * US, HVM_INJECT, 1, 2, D1V0, NMI_KIND),
    ]


def truncated_hvm_trace():
    """Records lost inside one exit, an exit at the end, an entry whose exit
    came before the trace."""
    return [
        info(0, GHZ, 0),
        rec(10 * US, CONTEXT_SWITCH, 0, 0, IDLE0, D1V0),
        rec(20 * US, HVM_EXIT, 0, CPUID, D1V0, 0x100020),
        rec(35 * US, LOST, 0, 4),  # counted at 35 us: placed at 20 us
        rec(30 * US, HVM_ENTRY, 0, 10000, D1V0, CPUID),
        rec(40 * US, HVM_EXIT, 0, MSR, D1V0, 0x100040),
        rec(42 * US, HVM_ENTRY, 0, 2000, D1V0, MSR),
        rec(50 * US, HVM_EXIT, 0, 30, D1V0, 0x100050),  # the trace ends in it
        rec(5 * US, HVM_ENTRY, 1, 900, D1V1, HLT),  # its exit: before the trace
        rec(6 * US, HVM_EXIT, 1, MMIO, D1V1, 0xFEE00000),
    ]


class HvmTest(TempDirTest):
    def test_text(self):
        records = [info(), rec(100, HVM_EXIT, 0, CPUID, D1V0, 0x100020),
                   rec(200, HVM_ENTRY, 0, 1234, D1V0, CPUID),
                   rec(300, HVM_EXIT, 1, 17, 3 << 16 | 2, 0xFFFFFFFF81000000),
                   rec(400, HVM_ENTRY, 1, 0xFFFFFFFF, 3 << 16 | 2, 17),
                   rec(500, HVM_INJECT, 0, 0xEC, D1V0, EXTINT),
                   rec(600, HVM_INJECT, 0, 2, D1V0, NMI_KIND),
                   rec(700, HVM_INJECT, 0, 14, D1V0, EXCEPTION),
                   rec(800, HVM_INJECT, 0, 0x80, D1V0, SOFTINT),
                   rec(900, HVM_INJECT, 0, 0x30, D1V0, 1),
                   rec(1000, HVM_VTIMER, 0, 5000, D1V0, 0xEC),
                   rec(1100, HVM_VTIMER, 0, 0xFFFFFFFF, D1V1, 0xEF)]
        lines = list(kt.text_lines(kt.load(log(records)), ns_digits=True))[4:]
        self.assertEqual(lines, [
            "    0 [    0.000000100] hvm_exit: CPUID vcpu=d1v0 rip=0x100020",
            "    0 [    0.000000200] hvm_entry: vcpu=d1v0 after CPUID cycles=1234(1.234us)",
            "    1 [    0.000000300] hvm_exit: reason 17 vcpu=d3v2 rip=0xffffffff81000000",
            "    1 [    0.000000400] hvm_entry: vcpu=d3v2 after reason 17 "
            "cycles=>=4294967295(saturated)",
            "    0 [    0.000000500] hvm_inject: vector=0xec (interrupt) vcpu=d1v0",
            "    0 [    0.000000600] hvm_inject: vector=0x02 (NMI) vcpu=d1v0",
            "    0 [    0.000000700] hvm_inject: vector=0x0e (exception #PF) vcpu=d1v0",
            "    0 [    0.000000800] hvm_inject: vector=0x80 (software interrupt) vcpu=d1v0",
            "    0 [    0.000000900] hvm_inject: vector=0x30 (type 1) vcpu=d1v0",
            "    0 [    0.000001000] hvm_vtimer: vector=0xec vcpu=d1v0 lateness=5000ns",
            "    0 [    0.000001100] hvm_vtimer: vector=0xef vcpu=d1v1 "
            "lateness=>=4294967295ns(saturated)",
        ])
        self.assertEqual([kt.exit_reason_name(n) for n in (0, 5, 13, 16, 17, 300)],
                         ["INTR", "I/O", "#UD", "other", "reason 17", "reason 300"])

    def test_cycles_at_the_trace_rate(self):
        # 2 GHz: 4000 cycles are 2 us, as long as the slice
        records = [info(0, 2 * GHZ, 0), rec(2000, HVM_EXIT, 0, CPUID, D1V0),
                   rec(6000, HVM_ENTRY, 0, 4000, D1V0, CPUID)]
        trace = kt.load(log(records))
        self.assertIn("hvm_entry: vcpu=d1v0 after CPUID cycles=4000(2.000us)",
                      list(kt.text_lines(trace))[-1])
        (x,) = kt.build_slices(trace).hvm_exits
        self.assertEqual((x.start, x.end, x.cycles_ns), (1000, 3000, 2000.0))
        s = kt.summarize(trace)
        self.assertEqual((s.hvm_compared, s.hvm_disagree, s.hvm_worst_ns), (1, 0, 0))
        # a count that does not fit the slice is reported, the slice kept
        records[-1] = rec(6000, HVM_ENTRY, 0, 40000, D1V0, CPUID)
        s = kt.summarize(kt.load(log(records)))
        self.assertEqual((s.hvm_compared, s.hvm_disagree, s.hvm_worst_ns), (1, 1, 18000))
        self.assertEqual(s.hvm_exits[CPUID].total_ns, 2000)
        self.assertIn("1 disagree by more than 1.000 us + 1% (largest difference 18.000 us)",
                      kt.format_summary(s))
        # a saturated count is not compared
        records[-1] = rec(6000, HVM_ENTRY, 0, 0xFFFFFFFF, D1V0, CPUID)
        s = kt.summarize(kt.load(log(records)))
        self.assertEqual((s.hvm_compared, s.hvm_exits[CPUID].timed), (0, 1))

    def test_slices_on_two_cpus_with_a_switch(self):
        sl = kt.build_slices(kt.load(log(hvm_trace())))
        got = [(x.cpu, x.name, x.start, x.end, x.ended, x.unfinished) for x in sl.hvm_exits]
        self.assertEqual(got, [
            (0, "exit CPUID", 20 * US, 22 * US, "entry", False),
            (0, "exit INTR", 40 * US, 45 * US, "entry", False),
            (0, "exit CPUID", 50 * US, 54 * US, "entry", False),
            (0, "exit HLT", 60 * US, 63 * US, "switched out", False),
            (1, "exit MSR", 80 * US, 81 * US, "entry", False),
            (1, "exit I/O", 90 * US, 93 * US, "entry", False),
        ])
        self.assertEqual([x.timed for x in sl.hvm_exits], [True] * 3 + [False] + [True] * 2)
        for x in sl.hvm_exits:
            if x.timed:
                self.assertEqual(x.cycles_ns, x.duration)
        # the entry on CPU 1 after the switch pairs with nothing
        (entry,) = sl.hvm_entries
        self.assertEqual((entry.rec.cpu, entry.rec.ns, entry.rec.c, entry.resumed),
                         (1, 72 * US, HLT, True))
        # the other slices are as before: the host's IRQ and the softirqs
        self.assertEqual([(s.name, s.start) for s in sorted(sl.slices, key=lambda s: s.start)],
                         [("LOCAL_TIMER", 40 * US + 500), ("TIMER", 41 * US + 500),
                          ("SCHEDULE", 61 * US), ("idle", 64 * US)])
        self.assertEqual((sl.unfinished, sl.unmatched_ends), (1, 0))  # idle, at the end

    def test_inconsistent_pairs(self):
        records = [info(),
                   rec(100, HVM_EXIT, 0, CPUID, D1V0),
                   rec(200, HVM_EXIT, 0, MSR, D1V0),  # the CPUID's entry missing
                   rec(300, HVM_ENTRY, 0, 100, D1V0, CPUID),  # says another reason
                   rec(400, HVM_EXIT, 0, IO, D1V0),
                   rec(500, HVM_ENTRY, 0, 100, D1V1, IO),  # another vCPU's
                   rec(600, HVM_EXIT, 0, HLT, D1V0),
                   rec(700, CONTEXT_SWITCH, 0, 0, D1V1, IDLE0)]  # not d1v0's switch
        sl = kt.build_slices(kt.load(log(records)))
        self.assertEqual([(x.name, x.start, x.end, x.ended, x.unfinished)
                          for x in sl.hvm_exits], [
            ("exit CPUID", 100, 200, "next exit", True),
            ("exit MSR", 200, 300, "entry after another reason", True),
            ("exit I/O", 400, 500, "entry of another vCPU", True),
            ("exit HLT", 600, 700, "switch from another vCPU", True),
        ])
        self.assertEqual([(e.rec.ns, e.resumed) for e in sl.hvm_entries], [(500, False)])
        s = kt.summarize(kt.load(log(records)))
        self.assertEqual((s.hvm_total.exits, s.hvm_total.timed, s.hvm_total.unfinished),
                         (4, 0, 4))

    def test_summary(self):
        s = kt.summarize(kt.load(log(hvm_trace())))
        table = {kt.exit_reason_name(nr): (x.exits, x.timed, x.total_ns, x.mean_ns, x.max_ns,
                                           x.switched, x.unfinished)
                 for nr, x in s.hvm_exits.items()}
        self.assertEqual(table, {
            "INTR": (1, 1, 5000, 5000, 5000, 0, 0),
            "CPUID": (2, 2, 6000, 3000, 4000, 0, 0),
            "HLT": (1, 0, 0, None, 0, 1, 0),
            "I/O": (1, 1, 3000, 3000, 3000, 0, 0),
            "MSR": (1, 1, 1000, 1000, 1000, 0, 0),
        })
        t = s.hvm_total
        self.assertEqual((t.exits, t.timed, t.total_ns, t.mean_ns, t.max_ns, t.switched),
                         (6, 5, 15000, 3000, 5000, 1))
        self.assertEqual((s.hvm_resumed, s.hvm_unpaired), (1, 0))
        self.assertEqual((s.hvm_compared, s.hvm_disagree), (5, 0))
        self.assertEqual(s.hvm_ended, {"switched out": 1})
        self.assertEqual(s.hvm_injections, {"interrupt": {0xEC: 2}, "NMI": {2: 1},
                                            "exception": {14: 1}})
        self.assertEqual(s.vtimer_lateness, [5000, 7000])

        status, out, err = run_main(["--summary", self.write_log(log(hvm_trace()))])
        self.assertEqual((status, err), (0, ""))
        section = out[out.index("HVM exits"):out.index("Dropped records")]
        self.assertEqual(section.splitlines()[1:], [
            "  reason  exits  timed  total us  mean us  max us",
            "  INTR        1      1     5.000    5.000   5.000",
            "  CPUID       2      2     6.000    3.000   4.000",
            "  HLT         1      0         -        -       -",
            "  I/O         1      1     3.000    3.000   3.000",
            "  MSR         1      1     1.000    1.000   1.000",
            "  total       6      5    15.000    3.000   5.000",
            "  not timed: 1 (1 switched out)",
            "  entries ending no exit on their CPU: 1 resumed a vCPU after a switch (cycles "
            "span its time away), 0 without their exit (before the trace or in a hole); "
            "not timed",
            "  HVM_ENTRY cycle counts: 5 compared with their slices, 0 disagree by more "
            "than 1.000 us + 1% (largest difference 0 ns)",
            "",
            "HVM injections (HVM_INJECT): 4",
            "  kind       injections  vectors",
            "  interrupt           2  0xec x2",
            "  NMI                 1  0x02",
            "  exception           1  0x0e",
            "",
            "Virtual timer lateness (HVM_VTIMER): 2 timers; min 5.000 us, median 5.000 us, "
            "p90 7.000 us, p99 7.000 us, max 7.000 us",
            "",
        ])
        # without HVM records, no HVM sections
        status, out, _ = run_main(["--summary", self.write_log(log(summary_trace()))])
        self.assertNotIn("HVM", out)

    def test_truncated_trace(self):
        path = self.write_log(log(truncated_hvm_trace()))
        out_json = self.tmp / "trace.json"
        status, out, err = run_main(["--text", "--summary", "--json", str(out_json), path])
        self.assertEqual(status, 0, err)
        self.assertIn("dropped 4 records", err)
        self.assertIn("hvm_exit: reason 30 vcpu=d1v0 rip=0x100050", out)
        trace = kt.load(log(truncated_hvm_trace()))
        sl = kt.build_slices(trace)
        self.assertEqual([(x.cpu, x.name, x.start, x.end, x.ended, x.unfinished)
                          for x in sl.hvm_exits], [
            (0, "exit CPUID", 20 * US, 20 * US, "records lost", True),
            (0, "exit MSR", 40 * US, 42 * US, "entry", False),
            (0, "exit reason 30", 50 * US, 50 * US, "end of trace", True),
            (1, "exit MMIO", 6 * US, 6 * US, "end of trace", True),
        ])
        # the entry after the hole, and the one whose exit came before the trace
        self.assertEqual([(e.rec.cpu, e.rec.ns, e.resumed) for e in sl.hvm_entries],
                         [(0, 30 * US, False), (1, 5 * US, False)])
        s = kt.summarize(trace, sl)
        self.assertEqual((s.hvm_total.exits, s.hvm_total.timed, s.hvm_total.total_ns),
                         (4, 1, 2000))
        self.assertEqual((s.hvm_resumed, s.hvm_unpaired), (0, 2))
        self.assertIn("  not timed: 3 (2 end of trace, 1 records lost)\n", out)
        self.assertIn("0 resumed a vCPU after a switch (cycles span its time away), "
                      "2 without their exit", out)
        self.assertRegex(out, r"\n  reason 30 +1 +0 +- +- +-\n")
        doc = json.loads(out_json.read_text())
        exits = {e["name"]: e for e in doc["traceEvents"] if e.get("cat") == "hvm"
                 and e["ph"] == "X"}
        self.assertEqual(exits["exit CPUID"]["args"]["ended"], "records lost")
        self.assertTrue(exits["exit CPUID"]["args"]["unfinished"])
        self.assertNotIn("unfinished", exits["exit MSR"]["args"])
        self.assertEqual(exits["exit reason 30"]["dur"], 0)
        entries = [e for e in doc["traceEvents"] if e["name"] == "hvm_entry"]
        self.assertEqual([(e["tid"], e["ts"], e["args"]["resumed"]) for e in entries],
                         [(1, 5.0, False), (0, 30.0, False)])
        check_nesting(self, doc["traceEvents"])
        # an exit as the very last record of the log
        status, out, err = run_main(["--summary", "--json", "-", self.write_log(
            log([info(), rec(100, HVM_EXIT, 0, HLT, D1V0)]), "one.log")])
        self.assertEqual(status, 0, err)
        self.assertIn("not timed: 1 (1 end of trace)", out)

    def test_random_streams_never_break(self):
        rng = random.Random(24)
        vcpus = [D1V0, D1V1, IDLE0]
        for _ in range(200):
            records, t = [info()], 0
            for _ in range(rng.randint(1, 40)):
                t += rng.choice((0, 1, 50, 1000))
                cpu, v = rng.randrange(2), rng.choice(vcpus)
                kind = rng.randrange(7)
                if kind == 0:
                    records.append(rec(t, HVM_EXIT, cpu, rng.randrange(20), v, t))
                elif kind == 1:
                    records.append(rec(t, HVM_ENTRY, cpu, rng.choice((0, 100, 0xFFFFFFFF)),
                                       v, rng.randrange(20)))
                elif kind == 2:
                    records.append(rec(t, CONTEXT_SWITCH, cpu, 0, v, rng.choice(vcpus)))
                elif kind == 3:
                    records.append(rec(t + rng.choice((0, 5000)), LOST, cpu, 1))
                elif kind == 4:
                    records.append(rec(t, SOFTIRQ_ENTRY + rng.randrange(2), cpu, 1))
                else:
                    records.append(rec(t, HVM_INJECT + kind - 5, cpu, 0xEC, v,
                                       rng.randrange(6)))
            trace = kt.load(log(records))
            sl = kt.build_slices(trace)
            self.assertEqual(len(sl.hvm_exits),
                             sum(r[1] == HVM_EXIT for r in records))
            self.assertEqual(len(sl.hvm_entries) + sum(x.finish is not None
                                                       for x in sl.hvm_exits),
                             sum(r[1] == HVM_ENTRY for r in records))
            for x in sl.hvm_exits:
                self.assertGreaterEqual(x.duration, 0)
            check_nesting(self, kt.chrome_trace(trace, sl)["traceEvents"])
            kt.format_summary(kt.summarize(trace, sl))
            list(kt.text_lines(trace))

    def test_json(self):
        out_json = self.tmp / "trace.json"
        status, _, err = run_main(["--json", str(out_json),
                                   self.write_log(log(hvm_trace()))])
        self.assertEqual(status, 0, err)
        doc = json.loads(out_json.read_text())
        by_tid = check_nesting(self, doc["traceEvents"])
        meta = {(e["name"], e["tid"]): e["args"] for e in doc["traceEvents"] if e["ph"] == "M"}
        self.assertEqual(meta[("thread_name", kt.VCPU_TID_BASE + 1)], {"name": "CPU 1 vCPUs"})
        exits = [(e["tid"], e["name"], e["ts"], e["dur"], e["args"]["ended"])
                 for e in doc["traceEvents"] if e["ph"] == "X" and e["cat"] == "hvm"]
        base = kt.VCPU_TID_BASE
        self.assertEqual(exits, [
            (base, "exit CPUID", 20.0, 2.0, "entry"),
            (base, "exit INTR", 40.0, 5.0, "entry"),
            (base, "exit CPUID", 50.0, 4.0, "entry"),
            (base, "exit HLT", 60.0, 3.0, "switched out"),
            (base + 1, "exit MSR", 80.0, 1.0, "entry"),
            (base + 1, "exit I/O", 90.0, 3.0, "entry"),
        ])
        first = next(e for e in doc["traceEvents"] if e["name"] == "exit CPUID")
        self.assertEqual(first["args"], {"vcpu": "d1v0", "reason": "CPUID", "rip": "0x100020",
                                         "ended": "entry", "entry_cycles": 2000,
                                         "entry_cycles_ns": 2000})
        # the exits lie inside d1v0's runs on the same track
        runs = [(e["name"], e["ts"], e["dur"]) for e in by_tid[base] if e["cat"] == "sched"]
        self.assertIn(("vCPU d1v0", 10.0, 53.0), runs)
        inst = [(e["name"], e["tid"], e["ts"], e["args"]) for e in doc["traceEvents"]
                if e["ph"] == "i" and e["cat"] == "hvm"]
        self.assertEqual(inst, [
            ("inject 0xec", 0, 30.0, {"vector": "0xec", "vcpu": "d1v0", "kind": "interrupt"}),
            ("hvm_vtimer", 0, 42.0, {"vector": "0xec", "vcpu": "d1v0", "lateness": 5000}),
            ("inject 0xec", 1, 71.0, {"vector": "0xec", "vcpu": "d1v0", "kind": "interrupt"}),
            ("hvm_entry", 1, 72.0, {"vcpu": "d1v0", "after": "HLT", "cycles": 12000,
                                    "resumed": True}),
            ("hvm_vtimer", 1, 95.0, {"vector": "0xec", "vcpu": "d1v0", "lateness": 7000}),
            ("inject 0x0e", 1, 96.0, {"vector": "0x0e", "vcpu": "d1v0",
                                      "kind": "exception #PF"}),
            ("inject 0x02", 1, 97.0, {"vector": "0x02", "vcpu": "d1v0", "kind": "NMI"}),
        ])
        counters = [(e["ts"], e["args"]) for e in doc["traceEvents"]
                    if e["name"] == "vtimer lateness us"]
        self.assertEqual(counters, [(42.0, {"CPU 0": 5.0}), (95.0, {"CPU 1": 7.0})])


# ---------------------------------------------------------------------------
# Plot


class PlotTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.log_path = self.write_log(log(summary_trace()))
        self.bin = self.tmp / "bin"
        self.bin.mkdir()

    def test_no_backend_is_a_note(self):
        out = self.tmp / "late.png"
        with mock.patch.object(kt, "have_matplotlib", return_value=False), \
                mock.patch.dict(os.environ, {"PATH": str(self.bin)}):
            status, _, err = run_main(["--plot", str(out), self.log_path])
        self.assertEqual(status, 0)
        self.assertIn("neither matplotlib", err)
        self.assertFalse(out.exists())

    def test_gnuplot(self):
        gnuplot = self.bin / "gnuplot"
        gnuplot.write_text("#!/bin/sh\n"
                           f"cat > {self.tmp}/script.gp\n"
                           f"out=$(sed -n \"s/^set output '\\(.*\\)'$/\\1/p\" {self.tmp}/script.gp)\n"
                           "echo '<svg/>' > \"$out\"\n")
        gnuplot.chmod(0o755)
        out = self.tmp / "late.svg"
        with mock.patch.object(kt, "have_matplotlib", return_value=False), \
                mock.patch.dict(os.environ, {"PATH": f"{self.bin}:{os.defpath}"}):
            status, _, err = run_main(["--plot", str(out), self.log_path])
        self.assertEqual(status, 0, err)
        self.assertTrue(out.exists())
        script = (self.tmp / "script.gp").read_text()
        self.assertIn("set terminal svg", script)
        self.assertIn('10 "1 us - 2 us" 2\n', script)
        self.assertIn(f"set output '{out}'", script)

    def test_gnuplot_failure_is_reported(self):
        gnuplot = self.bin / "gnuplot"
        gnuplot.write_text("#!/bin/sh\necho 'no such terminal' >&2\nexit 1\n")
        gnuplot.chmod(0o755)
        with mock.patch.object(kt, "have_matplotlib", return_value=False), \
                mock.patch.dict(os.environ, {"PATH": str(self.bin)}):
            status, _, err = run_main(["--plot", str(self.tmp / "x.png"), self.log_path])
        self.assertEqual(status, 2)
        self.assertIn("gnuplot failed: no such terminal", err)

    def test_nothing_to_plot(self):
        status, _, err = run_main(["--plot", str(self.tmp / "x.png"),
                                   self.write_log(log([info()]), "empty.log")])
        self.assertEqual(status, 0)
        self.assertIn("no TIMER_FIRE records", err)

    def test_only_png_or_svg(self):
        status, _, err = run_main(["--plot", str(self.tmp / "x.pdf"), self.log_path])
        self.assertEqual(status, 2)
        self.assertIn(".png or .svg", err)

    def test_matplotlib_missing(self):
        with mock.patch.dict(sys.modules, {"matplotlib": None}):  # import fails
            self.assertFalse(kt.have_matplotlib())


# A real plot, checked by reading the PNG back with struct and zlib.

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type -> samples per pixel


def png_chunks(data):
    """[(type, body)] of a PNG file, every CRC checked."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError(f"no PNG signature: {data[:8]!r}")
    chunks, pos = [], len(PNG_SIGNATURE)
    while pos < len(data):
        if pos + 12 > len(data):
            raise ValueError(f"chunk header cut short at byte {pos}")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if pos + 12 + length > len(data):
            raise ValueError(f"chunk {kind!r} at byte {pos} cut short")
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise ValueError(f"chunk {kind!r} at byte {pos}: bad CRC")
        chunks.append((kind, body))
        pos += 12 + length
    return chunks


def png_ihdr(chunks):
    """IHDR as a dict; it must be the first chunk and 13 bytes long."""
    kind, body = chunks[0]
    if kind != b"IHDR" or len(body) != 13:
        raise ValueError(f"first chunk {kind!r} ({len(body)} bytes), not a 13-byte IHDR")
    names = ("width", "height", "depth", "colour", "compression", "filter", "interlace")
    return dict(zip(names, struct.unpack(">IIBBBBB", body)))


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def png_pixels(chunks):
    """The image as rows of (r, g, b) tuples: 8-bit, not interlaced, any
    colour type (a palette through PLTE); the IDAT stream unfiltered."""
    h = png_ihdr(chunks)
    if h["depth"] != 8 or h["interlace"] != 0 or h["colour"] not in PNG_CHANNELS:
        raise ValueError(f"cannot decode {h} (8-bit, non-interlaced only)")
    bpp = PNG_CHANNELS[h["colour"]]
    stride = h["width"] * bpp
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    if len(raw) != h["height"] * (stride + 1):
        raise ValueError(f"IDAT holds {len(raw)} bytes, not {h['height']} rows of {stride + 1}")
    palette = next((body for kind, body in chunks if kind == b"PLTE"), b"")
    rows, prev = [], bytearray(stride)
    for y in range(h["height"]):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:  # Sub
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:  # Up
            line = bytearray((x + u) & 255 for x, u in zip(line, prev))
        elif kind == 3:  # Average
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif kind == 4:  # Paeth
            for i in range(stride):
                left, upleft = (line[i - bpp], prev[i - bpp]) if i >= bpp else (0, 0)
                line[i] = (line[i] + _paeth(left, prev[i], upleft)) & 255
        elif kind != 0:
            raise ValueError(f"row {y}: filter type {kind}")
        prev = line
        if h["colour"] == 3:
            rows.append([tuple(palette[3 * i:3 * i + 3]) for i in line])
        elif bpp >= 3:
            rows.append(list(zip(line[0::bpp], line[1::bpp], line[2::bpp])))
        else:  # grey, grey + alpha
            rows.append([(v, v, v) for v in line[0::bpp]])
    return rows


def coloured_runs(row):
    """Stretches of coloured pixels (not grey: the bars, not the axes,
    grid or text) across one row."""
    mask = bytes(max(p) - min(p) > 32 for p in row)
    return len(re.findall(b"\x01+", mask))


class PngPlotTest(TempDirTest):
    """A real plot of a captured trace, with whichever backend is installed
    (tools/install-deps.sh installs gnuplot-nox), and with each backend on
    its own; the PNG is read back: a valid file of a sane size whose bars
    are all there."""

    def setUp(self):
        super().setUp()
        trace = kt.load(CAPTURED_TRACE.read_text(errors="replace"))
        self.buckets = kt.summarize(trace).histogram
        # What the picture must show: every bucket of the capture has timers.
        self.assertEqual(len(self.buckets), 9)
        self.assertTrue(all(b.count for b in self.buckets))

    def check_png(self, path):
        data = path.read_bytes()
        chunks = png_chunks(data)
        h = png_ihdr(chunks)
        # Both backends draw 900 x 450 (matplotlib: 9 x 4.5 in at 100 dpi).
        self.assertTrue(300 <= h["width"] <= 4000 and 200 <= h["height"] <= 4000, h)
        self.assertEqual(chunks[-1][0], b"IEND")
        idat = sum(len(body) for kind, body in chunks if kind == b"IDAT")
        # A blank 900 x 450 image compresses to about 2 KB; these plots to 17-28 KB.
        self.assertGreater(idat, 5000)
        self.assertGreater(len(data), idat)
        rows = png_pixels(chunks)
        self.assertEqual((len(rows), len(rows[0])), (h["height"], h["width"]))
        colours = set()
        for row in rows:
            colours.update(row)
        self.assertGreater(len(colours), 2, "a blank or two-tone image")
        # A row just above the x axis crosses every bar, one coloured
        # stretch each (gaps of 0.2 of a slot between them).
        self.assertEqual(max(coloured_runs(row) for row in rows), len(self.buckets))

    @unittest.skipUnless(kt.have_matplotlib() or shutil.which("gnuplot"),
                         "neither matplotlib nor gnuplot is installed "
                         "(tools/install-deps.sh installs gnuplot-nox)")
    def test_plot_of_a_captured_trace(self):
        out = self.tmp / "lateness.png"
        proc = subprocess.run([sys.executable, str(KTRACE_PY), "--plot", str(out),
                               str(CAPTURED_TRACE)],
                              capture_output=True, text=True, timeout=120, check=False)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertNotIn("no plot", proc.stderr)
        self.check_png(out)

    @unittest.skipUnless(kt.have_matplotlib(),
                         f"matplotlib is not importable by {sys.executable} (Debian's "
                         "python3-matplotlib serves /usr/bin/python3 only)")
    def test_matplotlib_png(self):
        out = self.tmp / "lateness.png"
        self.assertEqual(kt.plot(self.summary(), str(out), backends=("matplotlib",)), "matplotlib")
        self.check_png(out)

    @unittest.skipUnless(shutil.which("gnuplot"), "gnuplot is not installed (Debian: gnuplot-nox)")
    def test_gnuplot_png(self):
        out = self.tmp / "lateness.png"
        self.assertEqual(kt.plot(self.summary(), str(out), backends=("gnuplot",)), "gnuplot")
        self.check_png(out)

    @unittest.skipUnless(shutil.which("gnuplot"), "gnuplot is not installed (Debian: gnuplot-nox)")
    def test_gnuplot_svg(self):
        out = self.tmp / "lateness.svg"
        self.assertEqual(kt.plot(self.summary(), str(out), backends=("gnuplot",)), "gnuplot")
        text = out.read_text()
        self.assertIn("<svg", text)
        for b in self.buckets:  # the x axis is labelled with every bucket
            self.assertIn(b.label, text)

    def summary(self):
        return kt.summarize(kt.load(CAPTURED_TRACE.read_text(errors="replace")))

    def test_the_checks_catch_a_bad_picture(self):
        def png(rows, colour=2):
            def chunk(kind, body):
                return (struct.pack(">I", len(body)) + kind + body
                        + struct.pack(">I", zlib.crc32(kind + body)))
            ihdr = struct.pack(">IIBBBBB", len(rows[0]) // 3, len(rows), 8, colour, 0, 0, 0)
            idat = zlib.compress(b"".join(b"\x00" + bytes(r) for r in rows))
            return (PNG_SIGNATURE + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
                    + chunk(b"IEND", b""))

        path = self.tmp / "bad.png"
        white = [[255] * 900 * 3 for _ in range(450)]
        path.write_bytes(png(white))
        with self.assertRaises(AssertionError):  # blank: too small, one colour
            self.check_png(path)
        # Noise is large and many-coloured, but has no bars.
        rng = random.Random(1)
        path.write_bytes(png([[rng.randrange(256) for _ in range(900 * 3)] for _ in range(450)]))
        with self.assertRaisesRegex(AssertionError, "!= 9"):
            self.check_png(path)
        data = png(white)
        for broken in (b"GIF89a" + data[6:], data[:-5], data[:60],
                       data[:20] + b"\xff" + data[21:]):
            path.write_bytes(broken)
            with self.assertRaises(ValueError):
                self.check_png(path)
        # The decoder against a known image: every filter type, one row each.
        rows = [[10, 20, 30, 40, 50, 60]] * 5
        raw = (b"\x00" + bytes(rows[0]) + b"\x01" + bytes([10, 20, 30, 30, 30, 30])
               + b"\x02" + bytes(6) + b"\x03" + bytes([5, 10, 15, 15, 15, 15])
               + b"\x04" + bytes(6))
        ihdr = struct.pack(">IIBBBBB", 2, 5, 8, 2, 0, 0, 0)
        chunks = [(b"IHDR", ihdr), (b"IDAT", zlib.compress(raw)), (b"IEND", b"")]
        self.assertEqual(png_pixels(chunks), [[(10, 20, 30), (40, 50, 60)]] * 5)


# ---------------------------------------------------------------------------
# --check-path


def path_on(cpu, t0, raise_only=False):
    """The whole path on one CPU from t0, with other records in between."""
    sched = (rec(t0 + 40, SOFTIRQ_RAISE, cpu, 1, cpu) if raise_only
             else rec(t0 + 40, SOFTIRQ_ENTRY, cpu, 1))
    return [
        rec(t0, IDLE_EXIT, cpu),
        rec(t0 + 10, IRQ_ENTRY, cpu, 0xFA),
        rec(t0 + 11, IRQ_EXIT, cpu, 0xFA),
        rec(t0 + 20, SOFTIRQ_ENTRY, cpu, 0),
        rec(t0 + 25, TIMER_FIRE, cpu, 0, 0xFFFFFFFF80101200),
        rec(t0 + 30, S_TIMER_FIRE, cpu),
        rec(t0 + 35, SOFTIRQ_EXIT, cpu, 0),
        sched,
        rec(t0 + 50, SCHEDULE, cpu, 30000, 0, 1),
        rec(t0 + 60, CONTEXT_SWITCH, cpu, 0, 0, 1),
    ]


class CheckPathTest(TempDirTest):
    def check(self, records, *args):
        path = self.write_log(BOOT_LOG + "\n" + log(records))
        return run_main(["--check-path", *args, path])

    def test_pass(self):
        records = [info()] + path_on(0, 1000) + path_on(1, 1005, raise_only=True) \
            + path_on(0, 5000)
        report = kt.check_path(kt.load(log(records)))
        self.assertTrue(report.ok)
        self.assertEqual([(c.cpu, c.ok, c.complete) for c in report.cpus],
                         [(0, True, 2), (1, True, 1)])
        self.assertEqual([r.event for r in report.cpus[0].first],
                         [IRQ_ENTRY, SOFTIRQ_ENTRY, S_TIMER_FIRE, SOFTIRQ_ENTRY, SCHEDULE,
                          CONTEXT_SWITCH])
        status, out, err = self.check(records)
        self.assertEqual(status, 0, out + err)
        self.assertIn("CPU 0: ok, 2 times; first at 0.000001010 .. 0.000001060 (50 ns)", out)
        self.assertTrue(out.endswith("check-path: ok (2 of 2 CPUs pass)\n"))

    def test_a_missing_step_fails(self):
        broken = [r for r in path_on(1, 1000) if r[1] != S_TIMER_FIRE]
        status, out, _ = self.check([info()] + path_on(0, 1000) + broken)
        self.assertEqual(status, 1)
        self.assertIn("CPU 0: ok", out)
        self.assertIn("CPU 1: FAIL: no s_timer's callback (S_TIMER_FIRE) after the "
                      "TIMER_SOFTIRQ (SOFTIRQ_ENTRY 0) at 0.000001020 (steps 1-2 of 6 seen)", out)
        self.assertTrue(out.endswith("check-path: FAIL (1 of 2 CPUs pass)\n"))

    def test_wrong_order_fails(self):
        steps = path_on(0, 1000)
        swapped = steps[:8] + [steps[9], steps[8]]  # switch before schedule()
        swapped = [(1000 + i, *r[1:]) for i, r in enumerate(swapped)]
        status, out, _ = self.check([info()] + swapped)
        self.assertEqual(status, 1)
        self.assertIn("no context switch (CONTEXT_SWITCH) after the schedule()", out)
        # a timer softirq that is not a LAPIC interrupt's does not count
        status, out, _ = self.check([info()] + [r for r in steps if r[1] != IRQ_ENTRY])
        self.assertEqual(status, 1)
        self.assertIn("CPU 0: FAIL: no LAPIC timer interrupt (IRQ_ENTRY 0xfa)", out)

    def test_backwards_timestamps_fail(self):
        records = [info()] + path_on(0, 1000) + [rec(500, IDLE_ENTER, 0)]
        status, out, _ = self.check(records)
        self.assertEqual(status, 1)
        self.assertIn("CPU 0: FAIL: timestamps go backwards 1 time; first idle_enter at "
                      "0.000000500 after context_switch at 0.000001060", out)

    def test_every_cpu_asked_for(self):
        records = [info()] + path_on(0, 1000) + path_on(1, 1000)
        status, out, _ = self.check(records, "--cpus", "3")
        self.assertEqual(status, 1)
        self.assertIn("CPU 2: FAIL: no records", out)
        status, out, _ = self.check(records, "--cpus", "2")
        self.assertEqual(status, 0)

    def test_no_records(self):
        status, out, _ = self.check([])
        self.assertEqual(status, 1)
        self.assertIn("no trace records in the log", out)


# ---------------------------------------------------------------------------
# The command line


class CommandLineTest(TempDirTest):
    def test_help_and_stdin(self):
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        out = subprocess.run([sys.executable, str(KTRACE_PY), "--help"], capture_output=True,
                             text=True, env=env, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        for word in ("--text", "--json", "--summary", "--plot", "--check-path", "--elf",
                     "--tsc-hz", "ui.perfetto.dev"):
            self.assertIn(word, out.stdout)
        out = subprocess.run([sys.executable, str(KTRACE_PY), "-", "--summary", "--text"],
                             input=log([info(), rec(5, IDLE_ENTER, 2)]), capture_output=True,
                             text=True, env=env, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertLess(out.stdout.index("idle_enter"), out.stdout.index("Trace summary"))

    def test_default_is_text(self):
        status, out, err = run_main([self.write_log(log([info(), rec(5, IDLE_ENTER, 2)]))])
        self.assertEqual((status, err), (0, ""))
        self.assertTrue(out.startswith("# ktrace: 2 records on 2 CPUs\n"))
        self.assertIn("    2 [    0.000000] idle_enter", out)

    def test_unreadable_log(self):
        status, _, err = run_main([str(self.tmp / "missing.log")])
        self.assertEqual(status, 2)
        self.assertIn("missing.log", err)


if __name__ == "__main__":
    unittest.main()
