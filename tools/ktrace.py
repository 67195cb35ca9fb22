#!/usr/bin/env python3
"""ktrace: decode the trace records that Kairos writes over the serial port.

    tools/ktrace.py [options] LOG

LOG is a serial log (`-` reads stdin): console text with trace frames in it,

    @KT1 <base64 of 1 to 8 records of 32 bytes>*<CRC-32 of them, 8 hex digits>

anywhere in a line (include/trace.h and docs/trace.md give the format).
Frames whose base64, length or CRC is wrong (corrupt) or that stop before
their `*` and 8 hex digits (truncated) are skipped and counted.

Times: each record's TSC value becomes system time in ns with the latest
TRACE_INFO record before it (its TSC rate and the TSC at system time 0; the
records before the first TRACE_INFO use the first). Without any TRACE_INFO
the rate comes from the boot log's `TSC: refined to <MHz> MHz` line, else
its `TSC: <MHz> MHz, error <= ...` line, and times count from the first
record. --tsc-hz overrides the rate.

`tools/ktrace.py latency [--worst N] [--json FILE] LOG` gives the virtual
timer latency breakdown instead (tools/ktrace_latency.py; its --help).

Outputs, any number at once (with none, --text); --text, --summary and
--check-path print to stdout in that order:

  --text            ftrace-like text, one record a line, in time order
                    (each CPU's records keep their order):
                        "  <cpu> [<sec>.<usec>] <event>: <arguments>"
  --json FILE       Chrome trace-event JSON (`-`: stdout): open it in
                    https://ui.perfetto.dev
                    (Open trace file) or chrome://tracing. One process
                    "Kairos"; a track per CPU ("CPU n": IRQ, softirq, idle
                    and hypercall slices; timer, clock event, IPI, softirq
                    raise, s_timer, schedule, HVM injection and virtual
                    timer instants) and, where CONTEXT_SWITCH or HVM_EXIT
                    records exist, a track "CPU n vCPUs" of vCPU run slices
                    and the HVM exit slices inside them ("exit CPUID", from
                    HVM_EXIT to its HVM_ENTRY); counters of dropped records
                    and timer and virtual timer lateness.
  --summary         timer lateness histogram, wakeups per second per CPU,
                    run time per vCPU, softirq time, IRQs per vector, HVM
                    exits per reason with their time in the hypervisor, HVM
                    injections, virtual timer lateness, dropped records,
                    bad frames, per-CPU time spans
  --plot FILE       the lateness histogram as .png or .svg, with matplotlib
                    or else gnuplot; with neither, a note (exit status 0)
  --check-path      checks that every CPU shows, in this order, a LAPIC timer
                    interrupt (IRQ_ENTRY 0xfa), TIMER_SOFTIRQ (SOFTIRQ_ENTRY
                    0), s_timer's callback (S_TIMER_FIRE), SCHEDULE_SOFTIRQ
                    (SOFTIRQ_RAISE or SOFTIRQ_ENTRY 1), schedule() (SCHEDULE)
                    and a context switch (CONTEXT_SWITCH), and that its
                    timestamps never go backwards; exit status 1 if not

Exit status: 0, or 1 when --check-path fails, 2 for a usage error, a log
that cannot be read, or records whose TSC rate is unknown.

Every CPU's timestamps should be non-decreasing in its stream; a warning on
stderr names each CPU where they are not (-q silences warnings).
"""

from __future__ import annotations

import argparse
import binascii
import bisect
import collections
import dataclasses
import decimal
import enum
import heapq
import json
import os
import re
import shutil
import struct
import subprocess
import contextlib
import sys
import zlib
from typing import Callable, Iterable, Iterator

# ---------------------------------------------------------------------------
# The wire format (include/trace.h; tests/harness/test_ktrace.py checks
# that these tables agree with the headers)

FRAME_MAGIC = "@KT1 "
RECORD = struct.Struct("<QHHIQQ")  # tsc, event, cpu, a, b, c
RECORD_SIZE = RECORD.size  # 32
MAX_RECORDS_PER_FRAME = 8
FORMAT_VERSION = 1
U32_MAX = 0xFFFFFFFF
U64_MAX = 0xFFFFFFFFFFFFFFFF


class Ev(enum.IntEnum):
    """enum trace_event, without the TRACE_ prefix."""

    INFO = 1
    LOST = 2
    IRQ_ENTRY = 3
    IRQ_EXIT = 4
    SOFTIRQ_RAISE = 5
    SOFTIRQ_ENTRY = 6
    SOFTIRQ_EXIT = 7
    TIMER_SET = 8
    TIMER_STOP = 9
    TIMER_FIRE = 10
    CLOCKEVENT_PROGRAM = 11
    IDLE_ENTER = 12
    IDLE_EXIT = 13
    IPI_SEND = 14
    S_TIMER_FIRE = 15
    SCHEDULE = 16
    CONTEXT_SWITCH = 17
    VCPU_WAKE = 18
    VCPU_BLOCK = 19
    VCPU_POLL = 20
    VIRQ_DELIVER = 21
    HYPERCALL_ENTRY = 22
    HYPERCALL_EXIT = 23
    HVM_EXIT = 24
    HVM_ENTRY = 25
    HVM_INJECT = 26
    HVM_VTIMER = 27


# Interrupt vectors with a fixed use (arch/x86/include/asm/*.h, arch/x86/smp.c).
VECTOR_NAMES = {
    0x30: "PLATFORM_TIMER",
    0xFA: "LOCAL_TIMER",
    0xFB: "CALL_FUNCTION",
    0xFC: "EVENT_CHECK",
    0xFE: "APIC_ERROR",
    0xFF: "SPURIOUS",
}
LOCAL_TIMER_VECTOR = 0xFA

# Softirq numbers (include/softirq.h), without the _SOFTIRQ suffix.
SOFTIRQ_NAMES = {0: "TIMER", 1: "SCHEDULE", 2: "TASKLET", 3: "TEST"}
TIMER_SOFTIRQ = 0
SCHEDULE_SOFTIRQ = 1

CLOCKEVENT_RESULTS = {0: "refused", 1: "armed", 2: "cancelled"}

# HVM_EXIT's a and HVM_ENTRY's c: why a hardware-assisted guest exited.
HVM_EXIT_REASONS = ["INTR", "NMI", "VINTR", "CPUID", "HLT", "I/O", "MSR", "MMIO", "CR",
                    "XSETBV", "RDTSCP", "IRET", "exception", "#UD", "shutdown", "invalid",
                    "other"]
# HVM_INJECT's c: the kind of event injected at the next VMRUN.
HVM_INJECT_KINDS = {0: "interrupt", 2: "NMI", 3: "exception", 4: "software interrupt"}
# Exception mnemonics, for injected exceptions.
EXCEPTION_NAMES = {0: "#DE", 1: "#DB", 2: "NMI", 3: "#BP", 4: "#OF", 5: "#BR", 6: "#UD",
                   7: "#NM", 8: "#DF", 10: "#TS", 11: "#NP", 12: "#SS", 13: "#GP",
                   14: "#PF", 16: "#MF", 17: "#AC", 18: "#MC", 19: "#XM", 20: "#VE",
                   21: "#CP"}


def event_name(event: int) -> str:
    try:
        return Ev(event).name.lower()
    except ValueError:
        return f"event_{event}"


def vector_name(vector: int) -> str:
    """"LOCAL_TIMER" for 0xfa; "0x31" for a vector without a fixed use."""
    return VECTOR_NAMES.get(vector, f"0x{vector:02x}")


def softirq_name(nr: int) -> str:
    return SOFTIRQ_NAMES.get(nr, f"softirq {nr}")


def exit_reason_name(nr: int) -> str:
    """"CPUID" for 3; "reason 17" for a number the tool does not know."""
    return HVM_EXIT_REASONS[nr] if 0 <= nr < len(HVM_EXIT_REASONS) else f"reason {nr}"


def inject_kind_name(kind: int, vector: int | None = None) -> str:
    """"interrupt", "exception #PF" (with the vector), "type 1" if unknown."""
    name = HVM_INJECT_KINDS.get(kind, f"type {kind}")
    if kind == 3 and vector in EXCEPTION_NAMES:
        name += f" {EXCEPTION_NAMES[vector]}"
    return name


# ---------------------------------------------------------------------------
# Frames


@dataclasses.dataclass(slots=True)
class Record:
    tsc: int
    event: int
    cpu: int
    a: int
    b: int
    c: int
    index: int = 0  # position in the log's stream of records
    line: int = 0  # the log line of its frame (1-based)
    ns: int = 0  # time in ns (system time, or since the first record)
    reported_ns: int | None = None  # TRACE_LOST: the time its own TSC says
    hz: int = 0  # the TSC rate its time was computed with (for cycle counts in it)


@dataclasses.dataclass
class FrameStats:
    lines: int = 0
    frames: int = 0  # good frames
    records: int = 0
    corrupt: int = 0
    truncated: int = 0
    # Why frames were skipped: reason -> count, and the first few (line, reason).
    reasons: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    examples: list = dataclasses.field(default_factory=list)

    MAX_EXAMPLES = 10

    def skip(self, kind: str, line: int, reason: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        self.reasons[reason] += 1
        if len(self.examples) < self.MAX_EXAMPLES:
            self.examples.append((line, reason))


_FRAME_BODY = re.compile(r"([A-Za-z0-9+/=]*)(?:\*([0-9a-fA-F]{8}))?")
_TIMESTAMP_PREFIX = re.compile(r"^\[(?:c\s+\d+|\s*-?\d+\.\d+)\]\s?")
_TSC_BOOT_LINE = re.compile(r"^TSC: (\d+(?:\.\d+)?) MHz, error <=")
_TSC_REFINED_LINE = re.compile(r"^TSC: refined to (\d+(?:\.\d+)?) MHz")


def mhz_to_hz(text: str) -> int:
    return int(decimal.Decimal(text) * 1000000)


def _decode_frame(body: str, crc_hex: str) -> tuple[bytes | None, str]:
    """Returns (payload, "") for a good frame, (None, reason) otherwise."""
    try:
        payload = binascii.a2b_base64(body, strict_mode=True)
    except (binascii.Error, ValueError):
        return None, "bad base64"
    if not payload or len(payload) % RECORD_SIZE:
        return None, f"bad length ({len(payload)} bytes)"
    if len(payload) > MAX_RECORDS_PER_FRAME * RECORD_SIZE:
        return None, f"bad length ({len(payload) // RECORD_SIZE} records)"
    if zlib.crc32(payload) != int(crc_hex, 16):
        return None, "bad CRC"
    return payload, ""


@dataclasses.dataclass
class ParsedLog:
    records: list[Record]
    stats: FrameStats
    boot_tsc_hz: int | None = None  # from the boot log, for want of TRACE_INFO
    boot_tsc_line: str | None = None


def parse_log(text: str) -> ParsedLog:
    """Finds every frame in a serial log, and the boot log's TSC rate."""
    stats = FrameStats()
    records: list[Record] = []
    boot_hz = refined_hz = None
    boot_line = refined_line = None
    for lineno, line in enumerate(text.splitlines(), 1):
        stats.lines += 1
        pos = line.find(FRAME_MAGIC)
        console = line if pos < 0 else line[:pos]
        if "TSC: " in console:
            stripped = _TIMESTAMP_PREFIX.sub("", console.strip())
            m = _TSC_REFINED_LINE.match(stripped)
            if m:
                refined_hz, refined_line = mhz_to_hz(m.group(1)), stripped
            m = _TSC_BOOT_LINE.match(stripped)
            if m:
                boot_hz, boot_line = mhz_to_hz(m.group(1)), stripped
        while pos >= 0:
            start = pos + len(FRAME_MAGIC)
            m = _FRAME_BODY.match(line, start)
            end = m.end()
            if m.group(2) is None:
                # No "*" and 8 hex digits after the base64: either the line
                # ends first (truncated) or something else is there.
                rest = line[m.end(1):]
                if rest.rstrip() == "" or (rest[0] == "*" and re.fullmatch(
                        r"\*[0-9a-fA-F]{0,7}\s*", rest)):
                    stats.skip("truncated", lineno, "truncated")
                    break
                stats.skip("corrupt", lineno, "bad base64")
                end = m.end(1) + 1
            else:
                payload, reason = _decode_frame(m.group(1), m.group(2))
                if payload is None:
                    stats.skip("corrupt", lineno, reason)
                else:
                    stats.frames += 1
                    for fields in RECORD.iter_unpack(payload):
                        records.append(Record(*fields, index=len(records), line=lineno))
            pos = line.find(FRAME_MAGIC, end)
    stats.records = len(records)
    if refined_hz:
        return ParsedLog(records, stats, refined_hz, refined_line)
    return ParsedLog(records, stats, boot_hz, boot_line)


# ---------------------------------------------------------------------------
# Time


class TraceError(Exception):
    """The log cannot be decoded as asked (no TSC rate, ...)."""


@dataclasses.dataclass
class Backstep:
    """A record whose TSC is below the one before it on the same CPU."""

    cpu: int
    position: int  # index in the CPU's stream
    prev: Record
    rec: Record


@dataclasses.dataclass
class Trace:
    records: list[Record]  # in log order
    stats: FrameStats
    per_cpu: dict[int, list[Record]]  # each CPU's records in log order
    tsc_hz: int | None
    time_source: str  # where the rate (and the zero) came from
    absolute: bool  # ns are system time (from TRACE_INFO), else since the first record
    versions: set[int]  # TRACE_INFO format versions seen
    backsteps: dict[int, list[Backstep]]
    start_ns: int = 0  # the earliest record's time
    end_ns: int = 0  # the latest record's time
    symbols: "Symbols | None" = None

    @property
    def cpus(self) -> list[int]:
        return sorted(self.per_cpu)

    def timeline(self) -> Iterator[Record]:
        """Every record in time order; each CPU's records keep their order
        (a merge of the per-CPU streams, lower CPU first on equal times)."""
        return heapq.merge(*(self.per_cpu[c] for c in self.cpus), key=lambda r: r.ns)


def _find_backsteps(per_cpu: dict[int, list[Record]]) -> dict[int, list[Backstep]]:
    """TSC values that go down in a CPU's stream (TRACE_LOST records aside:
    their TSC is when the drain counted the hole, see _place_lost)."""
    out: dict[int, list[Backstep]] = {}
    for cpu, recs in per_cpu.items():
        steps, prev = [], None
        for i, r in enumerate(recs):
            if r.event == Ev.LOST:
                continue
            if prev is not None and r.tsc < prev.tsc:
                steps.append(Backstep(cpu, i, prev, r))
            prev = r
        if steps:
            out[cpu] = steps
    return out


def _place_lost(recs: list[Record]) -> None:
    """Keeps each TRACE_LOST record's time within those of its neighbours
    in the CPU's stream. The kernel stamps it when its drain counts the
    hole, which is later than the records it sends after it; such a record
    takes the time of the record before it (or, first in the stream, of the
    one after it), and reported_ns keeps its own."""
    after: list[int | None] = [None] * len(recs)
    nxt = None
    for i in range(len(recs) - 1, -1, -1):
        after[i] = nxt
        if recs[i].event != Ev.LOST:
            nxt = recs[i].ns
    before = None
    for i, r in enumerate(recs):
        if r.event != Ev.LOST:
            before = r.ns
            continue
        hi = after[i]
        if (hi is not None and r.ns > hi) or (before is not None and r.ns < before):
            r.reported_ns, r.ns = r.ns, before if before is not None else hi


def build_trace(parsed: ParsedLog, tsc_hz: int | None = None) -> Trace:
    """Gives every record its time in ns (see the module's docstring).
    Raises TraceError if there are records and no TSC rate."""
    records = parsed.records
    infos = [r for r in records if r.event == Ev.INFO and r.b > 0]
    versions = {r.a for r in infos}
    absolute = True
    if infos:
        source = "TRACE_INFO"
        info = infos[0]
        for r in records:
            if r.event == Ev.INFO and r.b > 0:
                info = r
            r.hz = tsc_hz or info.b
            r.ns = (r.tsc - info.c) * 1000000000 // r.hz
        rate = tsc_hz or infos[-1].b
        if tsc_hz:
            source = "--tsc-hz, zero from TRACE_INFO"
    else:
        absolute = False
        rate = tsc_hz or parsed.boot_tsc_hz
        if tsc_hz:
            source = "--tsc-hz"
        elif rate:
            source = f"boot log: {parsed.boot_tsc_line}"
        else:
            source = "none"
        if records and not rate:
            raise TraceError("no TSC rate: no TRACE_INFO record and no boot log line "
                             "'TSC: <MHz> MHz, error <= ...'; give --tsc-hz")
        if records:
            zero = min(r.tsc for r in records)
            for r in records:
                r.hz = rate
                r.ns = (r.tsc - zero) * 1000000000 // rate
    per_cpu: dict[int, list[Record]] = collections.defaultdict(list)
    for r in records:
        per_cpu[r.cpu].append(r)
    per_cpu = dict(per_cpu)
    for recs in per_cpu.values():
        _place_lost(recs)
    return Trace(records, parsed.stats, per_cpu, rate, source, absolute, versions,
                 _find_backsteps(per_cpu), min((r.ns for r in records), default=0),
                 max((r.ns for r in records), default=0))


def load(text: str, tsc_hz: int | None = None) -> Trace:
    """A serial log's text to a Trace (the API for tests and scripts)."""
    return build_trace(parse_log(text), tsc_hz)


# ---------------------------------------------------------------------------
# Symbols (`nm -n -S` on the kernel ELF)


class Symbols:
    """Address to "name+0xoff": code symbols for callbacks, data objects
    (when the address falls inside one) for timers."""

    def __init__(self, nm_output: str):
        code, data = [], []
        for line in nm_output.splitlines():
            fields = line.split()
            if len(fields) == 4:
                addr, size, kind, name = fields
            elif len(fields) == 3:
                (addr, kind, name), size = fields, None
            else:
                continue
            try:
                entry = (int(addr, 16), int(size, 16) if size else 0, name)
            except ValueError:
                continue
            if kind in "TtWw":
                code.append(entry)
            elif kind in "DdBbRrVv" and entry[1]:
                data.append(entry)
        code.sort()
        data.sort()
        self._code, self._code_addrs = code, [e[0] for e in code]
        self._data, self._data_addrs = data, [e[0] for e in data]

    def __len__(self) -> int:
        return len(self._code) + len(self._data)

    @staticmethod
    def _lookup(table, addrs, addr: int, inside_only: bool) -> str | None:
        i = bisect.bisect_right(addrs, addr) - 1
        if i < 0:
            return None
        start, size, name = table[i]
        off = addr - start
        if (inside_only or (size and i == len(table) - 1)) and off >= max(size, 1):
            return None
        return name if off == 0 else f"{name}+0x{off:x}"

    def code(self, addr: int) -> str | None:
        return self._lookup(self._code, self._code_addrs, addr, False)

    def data(self, addr: int) -> str | None:
        return self._lookup(self._data, self._data_addrs, addr, True)

    @classmethod
    def from_elf(cls, elf: str, nm: str | None = None) -> "Symbols | None":
        """None if nm is missing or fails (the addresses then stay numbers)."""
        nm = nm or os.environ.get("NM") or "nm"
        try:
            out = subprocess.run([nm, "-n", "-S", elf], capture_output=True, text=True,
                                 timeout=60)
        except (OSError, subprocess.SubprocessError):
            return None
        if out.returncode != 0:
            return None
        return cls(out.stdout)


# ---------------------------------------------------------------------------
# Formatting helpers


def fmt_time(ns: int, digits: int = 6) -> str:
    """ns as seconds with `digits` decimals, truncated: 1234567 -> "0.001234"."""
    sign = "-" if ns < 0 else ""
    sec, rem = divmod(abs(ns), 1000000000)
    return f"{sign}{sec}.{rem // 10 ** (9 - digits):0{digits}d}"


def fmt_dur(ns: float) -> str:
    """A duration for people: "850 ns", "12.345 us", "1.200 ms", "2.000 s"."""
    a = abs(ns)
    if a < 1000:
        return f"{ns:.0f} ns"
    if a < 1000000:
        return f"{ns / 1e3:.3f} us"
    if a < 1000000000:
        return f"{ns / 1e6:.3f} ms"
    return f"{ns / 1e9:.3f} s"


def fmt_si(ns: int) -> str:
    """A bucket edge: 0, 5 ns, 20 us, 1 ms, 2 s."""
    for unit, scale in (("s", 10 ** 9), ("ms", 10 ** 6), ("us", 10 ** 3)):
        if ns >= scale:
            return f"{ns / scale:g} {unit}"
    return f"{ns} ns" if ns else "0"


def fmt_addr(addr: int) -> str:
    return f"0x{addr:x}"


def fmt_cpu_target(b: int) -> str:
    return "mask" if b in (U64_MAX, U32_MAX) else str(b)


DOMID_IDLE = 0x7FFF


def fmt_vcpu(v: int) -> str:
    """A vCPU as the kernel names it in records (include/domain.h,
    trace_vcpu_id(): domain id << 16 | vCPU number): "d1v0", or "idle2"
    for CPU 2's idle vCPU."""
    if v in (U64_MAX, U32_MAX):
        return "none"
    if v >= 1 << 32:
        return fmt_addr(v)
    dom, vcpu = v >> 16, v & 0xFFFF
    return f"idle{vcpu}" if dom == DOMID_IDLE else f"d{dom}v{vcpu}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def signed64(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


def _lateness(a: int) -> str:
    return f">={a}ns(saturated)" if a == U32_MAX else f"{a}ns"


def cycles_to_ns(cycles: int, hz: int) -> float | None:
    """A TSC cycle count (HVM_ENTRY's a) in ns at the rate hz, or None
    without a rate."""
    return cycles * 1e9 / hz if hz else None


def _cycles(r: Record) -> str:
    """HVM_ENTRY's cycle count, with its time: "1234(1.234us)"."""
    if r.a == U32_MAX:
        return f">={r.a}(saturated)"
    ns = cycles_to_ns(r.a, r.hz)
    return f"{r.a}" if ns is None else f"{r.a}({fmt_dur(ns).replace(' ', '')})"


# ---------------------------------------------------------------------------
# (a) Text


def _abs_time(trace: Trace, rec: Record, t: int) -> str:
    """A system time argument, with its distance from the record when the
    record's time is system time too."""
    if trace.absolute:
        d = t - rec.ns
        return f"{fmt_time(t, 9)}({'+' if d >= 0 else '-'}{fmt_dur(abs(d)).replace(' ', '')})"
    return fmt_time(t, 9)


def _callback(trace: Trace, addr: int) -> str:
    name = trace.symbols.code(addr) if trace.symbols else None
    return f"{name} ({fmt_addr(addr)})" if name else fmt_addr(addr)


def _timer(trace: Trace, addr: int) -> str:
    name = trace.symbols.data(addr) if trace.symbols else None
    return f"{fmt_addr(addr)} ({name})" if name else fmt_addr(addr)


def describe(trace: Trace, r: Record) -> str:
    """A record's arguments in words."""
    e = r.event
    if e == Ev.INFO:
        return f"version={r.a} tsc_hz={r.b} tsc_at_0={r.c}"
    if e == Ev.LOST:
        if r.reported_ns is None:
            return f"{r.a} records dropped"
        return f"{r.a} records dropped (counted at {fmt_time(r.reported_ns, 9)})"
    if e in (Ev.IRQ_ENTRY, Ev.IRQ_EXIT):
        return f"vector=0x{r.a:02x} ({vector_name(r.a)})"
    if e == Ev.SOFTIRQ_RAISE:
        return f"softirq={r.a} ({softirq_name(r.a)}) cpu={fmt_cpu_target(r.b)}"
    if e in (Ev.SOFTIRQ_ENTRY, Ev.SOFTIRQ_EXIT):
        return f"softirq={r.a} ({softirq_name(r.a)})"
    if e == Ev.TIMER_SET:
        return f"timer={_timer(trace, r.b)} expires={_abs_time(trace, r, r.c)} slack={r.a}ns"
    if e == Ev.TIMER_STOP:
        return f"timer={_timer(trace, r.b)}"
    if e == Ev.TIMER_FIRE:
        return (f"fn={_callback(trace, r.b)} timer={_timer(trace, r.c)} "
                f"lateness={_lateness(r.a)}")
    if e == Ev.CLOCKEVENT_PROGRAM:
        what = CLOCKEVENT_RESULTS.get(r.a, f"result={r.a}")
        return what if r.a == 2 else f"{what} deadline={_abs_time(trace, r, r.c)}"
    if e in (Ev.IDLE_ENTER, Ev.IDLE_EXIT, Ev.S_TIMER_FIRE):
        return ""
    if e == Ev.IPI_SEND:
        return f"vector=0x{r.a:02x} ({vector_name(r.a)}) cpu={fmt_cpu_target(r.b)}"
    if e == Ev.SCHEDULE:
        slice_ = "none" if r.a == U32_MAX else f"{r.a}us"
        return f"prev={fmt_vcpu(r.b)} next={fmt_vcpu(r.c)} slice={slice_}"
    if e == Ev.CONTEXT_SWITCH:
        return f"prev={fmt_vcpu(r.b)} next={fmt_vcpu(r.c)}"
    if e in (Ev.VCPU_WAKE, Ev.VCPU_BLOCK):
        return f"vcpu={fmt_vcpu(r.b)}"
    if e == Ev.VCPU_POLL:
        return f"vcpu={fmt_vcpu(r.b)} timeout={_abs_time(trace, r, r.c)}"
    if e == Ev.VIRQ_DELIVER:
        return f"port={r.a} vcpu={fmt_vcpu(r.b)}"
    if e == Ev.HYPERCALL_ENTRY:
        return f"nr={r.a} vcpu={fmt_vcpu(r.b)}"
    if e == Ev.HYPERCALL_EXIT:
        return f"nr={r.a} result={signed64(r.b)}"
    if e == Ev.HVM_EXIT:
        return f"{exit_reason_name(r.a)} vcpu={fmt_vcpu(r.b)} rip={fmt_addr(r.c)}"
    if e == Ev.HVM_ENTRY:
        return f"vcpu={fmt_vcpu(r.b)} after {exit_reason_name(r.c)} cycles={_cycles(r)}"
    if e == Ev.HVM_INJECT:
        return f"vector=0x{r.a:02x} ({inject_kind_name(r.c, r.a)}) vcpu={fmt_vcpu(r.b)}"
    if e == Ev.HVM_VTIMER:
        return f"vector=0x{r.c:02x} vcpu={fmt_vcpu(r.b)} lateness={_lateness(r.a)}"
    return f"a=0x{r.a:x} b=0x{r.b:x} c=0x{r.c:x}"


def text_lines(trace: Trace, ns_digits: bool = False) -> Iterator[str]:
    digits, width = (9, 15) if ns_digits else (6, 12)
    zero = "system time 0" if trace.absolute else "the first record"
    yield f"# ktrace: {len(trace.records)} records on {len(trace.per_cpu)} CPUs"
    if trace.tsc_hz:
        yield (f"# TSC {trace.tsc_hz / 1e6:.6f} MHz ({trace.time_source}); "
               f"seconds since {zero}")
    yield f"# cpu [{'time':^{width}}] event: arguments"
    for r in trace.timeline():
        line = f"  {r.cpu:3d} [{fmt_time(r.ns, digits):>{width}}] {event_name(r.event)}: "
        yield (line + describe(trace, r)).rstrip()


# ---------------------------------------------------------------------------
# Slices: IRQ, softirq, idle and hypercall intervals, vCPU runs, HVM exits


@dataclasses.dataclass
class Slice:
    cpu: int
    kind: str  # "irq", "softirq", "idle", "hypercall", "vcpu", "hvm"
    key: int | None  # vector, softirq number, hypercall number, vCPU, exit reason
    start: int  # ns
    end: int
    unfinished: bool = False  # its begin or end is missing from the trace
    begin: Record | None = None
    finish: Record | None = None  # "hvm": the HVM_ENTRY that ended it
    ended: str = ""  # "hvm": what ended it (HVM_ENDED_*)

    @property
    def name(self) -> str:
        if self.kind == "irq":
            return vector_name(self.key)
        if self.kind == "softirq":
            return softirq_name(self.key)
        if self.kind == "hypercall":
            return f"hypercall {self.key}"
        if self.kind == "vcpu":
            return f"vCPU {fmt_vcpu(self.key)}"
        if self.kind == "hvm":
            return f"exit {exit_reason_name(self.key)}"
        return self.kind

    @property
    def duration(self) -> int:
        return self.end - self.start

    @property
    def timed(self) -> bool:
        """An HVM exit whose time in the hypervisor is known: ended by its
        own HVM_ENTRY on the CPU."""
        return self.kind == "hvm" and self.ended == HVM_ENDED_ENTRY

    @property
    def cycles_ns(self) -> float | None:
        """An HVM exit's time by its HVM_ENTRY's cycle count (None without
        one, or when the count saturated)."""
        if self.finish is None or self.finish.a == U32_MAX:
            return None
        return cycles_to_ns(self.finish.a, self.finish.hz)


# What ended an HVM exit slice. Only the first two are expected; the
# others leave it unfinished (the trace misses records, or they disagree).
HVM_ENDED_ENTRY = "entry"  # its HVM_ENTRY (same vCPU and reason) on the CPU
HVM_ENDED_SWITCH = "switched out"  # CONTEXT_SWITCH away from its vCPU
HVM_ENDED_LOST = "records lost"  # TRACE_LOST: its HVM_ENTRY may be in the hole
HVM_ENDED_EXIT = "next exit"  # another HVM_EXIT came first
HVM_ENDED_OTHER_REASON = "entry after another reason"  # its vCPU's, c != its reason
HVM_ENDED_OTHER_ENTRY = "entry of another vCPU"
HVM_ENDED_OTHER_SWITCH = "switch from another vCPU"
HVM_ENDED_END = "end of trace"  # the CPU's last record


# begin event -> (kind, may nest inside another of its kind with another key)
_BEGINS = {Ev.IRQ_ENTRY: ("irq", True), Ev.SOFTIRQ_ENTRY: ("softirq", False),
           Ev.IDLE_ENTER: ("idle", False), Ev.HYPERCALL_ENTRY: ("hypercall", False)}
_ENDS = {Ev.IRQ_EXIT: "irq", Ev.SOFTIRQ_EXIT: "softirq", Ev.IDLE_EXIT: "idle",
         Ev.HYPERCALL_EXIT: "hypercall"}


@dataclasses.dataclass
class HvmEntry:
    """An HVM_ENTRY that ends no exit slice on its CPU."""

    rec: Record
    resumed: bool  # the vCPU's first entry after a switch to it: its cycle
    # count spans the time since its exit, off this CPU (or switched out)


@dataclasses.dataclass
class Slices:
    slices: list[Slice]
    vcpu_runs: list[Slice]
    unmatched_ends: int  # an exit without its entry: ignored
    unfinished: int  # an entry closed without its own exit
    hvm_exits: list[Slice] = dataclasses.field(default_factory=list)
    hvm_entries: list[HvmEntry] = dataclasses.field(default_factory=list)  # unpaired


def _key(kind: str, r: Record) -> int | None:
    return None if kind == "idle" else r.a


def build_slices(trace: Trace) -> Slices:
    """Matches entries with exits on each CPU. Slices always nest: an exit
    closes what opened after its entry (marked unfinished); an entry of a
    kind that cannot nest (softirq, idle, hypercall, or the same vector)
    closes the open one; an exit with no entry is ignored; what is still
    open at the CPU's last record ends there.

    HVM exits (HVM_EXIT .. HVM_ENTRY) are matched on their own: at most
    one is open per CPU, and it nests in the CPU's vCPU runs, not in its
    IRQ and softirq slices (a vCPU is switched out inside SCHEDULE_SOFTIRQ,
    which opened during the exit). It ends at its vCPU's HVM_ENTRY, or at
    a CONTEXT_SWITCH away from its vCPU (the vCPU resumes later, maybe on
    another CPU; that HVM_ENTRY pairs with nothing). It ends unfinished at
    a TRACE_LOST (its entry may be in the hole: pairing across one could
    count guest time as the hypervisor's), at another HVM_EXIT, at an
    entry or switch of another vCPU, at an entry after another reason, or
    at the CPU's last record. An HVM_ENTRY that ends no exit is kept in
    hvm_entries, marked resumed if it is its vCPU's first after a switch to
    it on the CPU."""
    out, runs = [], []
    unmatched = unfinished = 0
    hvm_exits: list[Slice] = []
    hvm_entries: list[HvmEntry] = []
    for cpu in trace.cpus:
        recs = trace.per_cpu[cpu]
        stack: list[Slice] = []
        hvm: Slice | None = None  # the open HVM exit
        switched_in: int | None = None  # a vCPU switched to, not yet entered

        def close_hvm(t: int, ended: str, finish: Record | None = None) -> None:
            nonlocal hvm
            hvm.end = max(t, hvm.start)
            hvm.ended, hvm.finish = ended, finish
            hvm.unfinished = ended not in (HVM_ENDED_ENTRY, HVM_ENDED_SWITCH)
            hvm_exits.append(hvm)
            hvm = None

        def close_from(i: int, t: int) -> None:
            nonlocal unfinished
            while len(stack) > i:
                s = stack.pop()
                s.end, s.unfinished = t, True
                unfinished += 1
                out.append(s)

        run: Slice | None = None
        for r in recs:
            begin = _BEGINS.get(r.event)
            if begin:
                kind, nests = begin
                key = _key(kind, r)
                for i, s in enumerate(stack):
                    if s.kind == kind and (not nests or s.key == key):
                        close_from(i, r.ns)
                        break
                stack.append(Slice(cpu, kind, key, r.ns, r.ns, begin=r))
            elif r.event in _ENDS:
                kind = _ENDS[r.event]
                key = _key(kind, r)
                for i in range(len(stack) - 1, -1, -1):
                    if stack[i].kind == kind and stack[i].key == key:
                        close_from(i + 1, r.ns)
                        s = stack.pop()
                        s.end = r.ns
                        out.append(s)
                        break
                else:
                    unmatched += 1
            elif r.event == Ev.CONTEXT_SWITCH:
                if hvm is not None:
                    close_hvm(r.ns, HVM_ENDED_SWITCH if hvm.begin.b == r.b
                              else HVM_ENDED_OTHER_SWITCH)
                switched_in = r.c
                if run is None:  # prev ran since before the trace began
                    run = Slice(cpu, "vcpu", r.b, recs[0].ns, r.ns, unfinished=True)
                run.end = r.ns
                runs.append(run)
                run = Slice(cpu, "vcpu", r.c, r.ns, r.ns, begin=r)
            elif r.event == Ev.HVM_EXIT:
                if hvm is not None:
                    close_hvm(r.ns, HVM_ENDED_EXIT)
                if switched_in == r.b:  # it ran, so it was entered
                    switched_in = None
                hvm = Slice(cpu, "hvm", r.a, r.ns, r.ns, begin=r)
            elif r.event == Ev.HVM_ENTRY:
                if hvm is not None and hvm.begin.b == r.b:
                    close_hvm(r.ns, HVM_ENDED_ENTRY if hvm.key == r.c
                              else HVM_ENDED_OTHER_REASON, r)
                else:
                    if hvm is not None:
                        close_hvm(r.ns, HVM_ENDED_OTHER_ENTRY)
                    hvm_entries.append(HvmEntry(r, switched_in == r.b))
                if switched_in == r.b:
                    switched_in = None
            elif r.event == Ev.LOST and hvm is not None:
                close_hvm(r.ns, HVM_ENDED_LOST)
        last = recs[-1].ns
        close_from(0, last)
        if hvm is not None:
            close_hvm(last, HVM_ENDED_END)
        if run is not None:
            run.end, run.unfinished = last, True
            runs.append(run)
    return Slices(out, runs, unmatched, unfinished, hvm_exits, hvm_entries)


# ---------------------------------------------------------------------------
# (b) Chrome trace-event JSON
# (https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU)

PID = 1
VCPU_TID_BASE = 1000000  # the vCPU track of CPU n is tid VCPU_TID_BASE + n


def _us(ns: int) -> float:
    return ns / 1000


def _u64(v: int) -> int | str:
    """A u64 argument: a number where Perfetto's int64 holds it, else hex."""
    return v if v < 1 << 63 else fmt_addr(v)


def _instant_args(trace: Trace, r: Record) -> tuple[str, str, dict]:
    """(name, category, args) of a record shown as an instant."""
    e = r.event
    if e == Ev.SOFTIRQ_RAISE:
        return (f"raise {softirq_name(r.a)}", "softirq",
                {"softirq": r.a, "target": fmt_cpu_target(r.b)})
    if e == Ev.TIMER_SET:
        return ("timer_set", "timer", {"timer": _timer(trace, r.b), "expires": _u64(r.c),
                                       "slack": r.a})
    if e == Ev.TIMER_STOP:
        return "timer_stop", "timer", {"timer": _timer(trace, r.b)}
    if e == Ev.TIMER_FIRE:
        return ("timer_fire", "timer", {"fn": _callback(trace, r.b),
                                        "timer": _timer(trace, r.c), "lateness": r.a})
    if e == Ev.CLOCKEVENT_PROGRAM:
        return ("clockevent_program", "clockevent",
                {"result": CLOCKEVENT_RESULTS.get(r.a, r.a), "deadline": _u64(r.c)})
    if e == Ev.IPI_SEND:
        return (f"ipi {vector_name(r.a)}", "irq",
                {"vector": f"0x{r.a:02x}", "target": fmt_cpu_target(r.b)})
    if e == Ev.S_TIMER_FIRE:
        return "s_timer_fire", "sched", {}
    if e == Ev.SCHEDULE:
        return ("schedule", "sched", {"prev": fmt_vcpu(r.b), "next": fmt_vcpu(r.c),
                                      "slice_us": None if r.a == U32_MAX else r.a})
    if e == Ev.CONTEXT_SWITCH:
        return "context_switch", "sched", {"prev": fmt_vcpu(r.b), "next": fmt_vcpu(r.c)}
    if e in (Ev.VCPU_WAKE, Ev.VCPU_BLOCK):
        return event_name(e), "sched", {"vcpu": fmt_vcpu(r.b)}
    if e == Ev.VCPU_POLL:
        return "vcpu_poll", "sched", {"vcpu": fmt_vcpu(r.b), "timeout": _u64(r.c)}
    if e == Ev.VIRQ_DELIVER:
        return "virq_deliver", "guest", {"port": r.a, "vcpu": fmt_vcpu(r.b)}
    if e == Ev.HVM_INJECT:
        return (f"inject 0x{r.a:02x}", "hvm",
                {"vector": f"0x{r.a:02x}", "vcpu": fmt_vcpu(r.b),
                 "kind": inject_kind_name(r.c, r.a)})
    if e == Ev.HVM_VTIMER:
        return ("hvm_vtimer", "hvm", {"vector": f"0x{r.c:02x}", "vcpu": fmt_vcpu(r.b),
                                      "lateness": r.a})
    if e == Ev.HVM_ENTRY:  # one that ends no exit slice
        return ("hvm_entry", "hvm", {"vcpu": fmt_vcpu(r.b), "after": exit_reason_name(r.c),
                                     "cycles": r.a})
    if e == Ev.LOST:
        args = {"dropped": r.a}
        if r.reported_ns is not None:
            args["counted_at_ns"] = r.reported_ns
        return "lost", "trace", args
    return event_name(e), "other", {"a": r.a, "b": fmt_addr(r.b), "c": fmt_addr(r.c)}


_SLICE_CATEGORY = {"irq": "irq", "softirq": "softirq", "idle": "idle",
                   "hypercall": "guest", "vcpu": "sched", "hvm": "hvm"}
# Records that are slices (or nothing) rather than instants; an HVM_ENTRY
# that ends no exit slice is an instant all the same.
_SLICED = set(_BEGINS) | set(_ENDS) | {Ev.INFO, Ev.HVM_EXIT, Ev.HVM_ENTRY}
_VCPU_TRACK = ("vcpu", "hvm")  # the kinds on the "CPU n vCPUs" track


def _hvm_args(s: Slice) -> dict:
    r = s.begin
    args = {"vcpu": fmt_vcpu(r.b), "reason": exit_reason_name(s.key), "rip": fmt_addr(r.c),
            "ended": s.ended}
    if s.finish is not None:
        args["entry_cycles"] = s.finish.a
        ns = s.cycles_ns
        if ns is not None:
            args["entry_cycles_ns"] = round(ns)
    return args


def chrome_trace(trace: Trace, slices: Slices | None = None) -> dict:
    """The trace as a Chrome trace-event JSON object (X slices, i instants,
    C counters; ts and dur in microseconds)."""
    slices = slices or build_slices(trace)
    # Perfetto wants no negative times: shift everything if needed.
    shift = -min(trace.start_ns, 0)
    meta = [{"ph": "M", "name": "process_name", "pid": PID, "tid": 0,
             "args": {"name": "Kairos"}}]
    vcpu_cpus = sorted({s.cpu for s in slices.vcpu_runs + slices.hvm_exits})
    for cpu in trace.cpus:
        meta.append({"ph": "M", "name": "thread_name", "pid": PID, "tid": cpu,
                     "args": {"name": f"CPU {cpu}"}})
        meta.append({"ph": "M", "name": "thread_sort_index", "pid": PID, "tid": cpu,
                     "args": {"sort_index": 2 * cpu}})
    for cpu in vcpu_cpus:
        tid = VCPU_TID_BASE + cpu
        meta.append({"ph": "M", "name": "thread_name", "pid": PID, "tid": tid,
                     "args": {"name": f"CPU {cpu} vCPUs"}})
        meta.append({"ph": "M", "name": "thread_sort_index", "pid": PID, "tid": tid,
                     "args": {"sort_index": 2 * cpu + 1}})

    events = []  # (ts_ns, -dur_ns, order, event)
    for s in slices.slices + slices.vcpu_runs + slices.hvm_exits:
        tid = VCPU_TID_BASE + s.cpu if s.kind in _VCPU_TRACK else s.cpu
        args: dict = {}
        if s.kind == "irq":
            args["vector"] = f"0x{s.key:02x}"
        elif s.kind == "softirq":
            args["softirq"] = s.key
        elif s.kind == "vcpu":
            args["vcpu"] = fmt_vcpu(s.key)
        elif s.kind == "hvm":
            args = _hvm_args(s)
        if s.unfinished:
            args["unfinished"] = True
        ev = {"ph": "X", "name": s.name, "cat": _SLICE_CATEGORY[s.kind], "pid": PID,
              "tid": tid, "ts": _us(s.start + shift), "dur": _us(s.end - s.start),
              "args": args}
        events.append((s.start, s.start - s.end, len(events), ev))

    dropped: collections.Counter = collections.Counter()
    unpaired = {e.rec.index: e.resumed for e in slices.hvm_entries}
    for r in trace.records:
        if r.event in _SLICED and r.index not in unpaired:
            continue
        ts = _us(r.ns + shift)
        name, cat, args = _instant_args(trace, r)
        if r.index in unpaired:
            args["resumed"] = unpaired[r.index]
        events.append((r.ns, 0, len(events), {"ph": "i", "s": "t", "name": name, "cat": cat,
                                              "pid": PID, "tid": r.cpu, "ts": ts,
                                              "args": args}))
        if r.event == Ev.LOST:
            dropped[r.cpu] += r.a
            events.append((r.ns, 0, len(events),
                           {"ph": "C", "name": "dropped records", "pid": PID, "tid": 0,
                            "ts": ts, "args": {f"CPU {r.cpu}": dropped[r.cpu]}}))
        elif r.event == Ev.TIMER_FIRE:
            events.append((r.ns, 0, len(events),
                           {"ph": "C", "name": "timer lateness us", "pid": PID, "tid": 0,
                            "ts": ts, "args": {f"CPU {r.cpu}": r.a / 1000}}))
        elif r.event == Ev.HVM_VTIMER:
            events.append((r.ns, 0, len(events),
                           {"ph": "C", "name": "vtimer lateness us", "pid": PID, "tid": 0,
                            "ts": ts, "args": {f"CPU {r.cpu}": r.a / 1000}}))
    events.sort(key=lambda e: e[:3])
    other = {"tool": "tools/ktrace.py", "records": len(trace.records),
             "frames": trace.stats.frames, "corrupt_frames": trace.stats.corrupt,
             "truncated_frames": trace.stats.truncated, "tsc_hz": trace.tsc_hz,
             "time_source": trace.time_source,
             "time_zero": "system time 0" if trace.absolute else "first record",
             "ts_shift_ns": shift}
    return {"traceEvents": meta + [e[3] for e in events], "displayTimeUnit": "ns",
            "otherData": other}


# ---------------------------------------------------------------------------
# (c) Summary


def lateness_edges() -> list[int]:
    """Bucket edges in ns, 1-2-5 per decade: 0, 1, 2, 5, 10, ... 5 s, 10 s."""
    edges = [0]
    for decade in range(10):
        edges += [m * 10 ** decade for m in (1, 2, 5)]
    return edges + [10 ** 10]


@dataclasses.dataclass
class Bucket:
    lo: int
    hi: int | None  # None: the saturated bucket (the kernel's u32 ns maximum)
    count: int

    @property
    def label(self) -> str:
        if self.hi is None:
            return f">= {fmt_si(U32_MAX)} (saturated)"
        if self.lo == 0:
            return "0"
        return f"{fmt_si(self.lo)} - {fmt_si(self.hi)}"


def lateness_histogram(values: Iterable[int]) -> list[Bucket]:
    """Log-scale buckets [lo, hi), from the first to the last that is not
    empty; saturated values (0xffffffff) in a bucket of their own."""
    edges = lateness_edges()
    counts = [0] * (len(edges) - 1)
    saturated = 0
    for v in values:
        if v >= U32_MAX:
            saturated += 1
            continue
        counts[bisect.bisect_right(edges, v) - 1] += 1
    buckets = [Bucket(edges[i], edges[i + 1], n) for i, n in enumerate(counts)]
    used = [i for i, b in enumerate(buckets) if b.count]
    buckets = buckets[used[0]:used[-1] + 1] if used else []
    if saturated:
        buckets.append(Bucket(U32_MAX, None, saturated))
    return buckets


def percentile(sorted_values: list[int], p: float) -> int:
    """Nearest-rank percentile (p in 0..100) of a sorted, non-empty list."""
    k = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(k) - 1]


@dataclasses.dataclass
class CpuSummary:
    records: int
    first_ns: int
    last_ns: int
    idle_exits: int
    wakeups_per_s: float | None
    dropped: int
    backsteps: int


@dataclasses.dataclass
class HvmExitStats:
    """One exit reason's HVM exits."""

    exits: int = 0  # HVM_EXIT records
    timed: int = 0  # ended by their HVM_ENTRY: time in the hypervisor known
    total_ns: int = 0  # of the timed ones
    max_ns: int = 0
    switched: int = 0  # ended by a switch away from the vCPU
    unfinished: int = 0  # ended otherwise (records lost, end of trace, ...)

    @property
    def mean_ns(self) -> float | None:
        return self.total_ns / self.timed if self.timed else None

    def add(self, s: Slice) -> None:
        self.exits += 1
        if s.timed:
            self.timed += 1
            self.total_ns += s.duration
            self.max_ns = max(self.max_ns, s.duration)
        elif s.ended == HVM_ENDED_SWITCH:
            self.switched += 1
        else:
            self.unfinished += 1


# An exit slice and its HVM_ENTRY's cycle count disagree beyond this much
# (the records' TSC reads are not quite the kernel's exit and entry ones).
CYCLES_TOLERANCE_NS = 1000
CYCLES_TOLERANCE_REL = 0.01


def cycles_disagree(s: Slice) -> bool:
    ns = s.cycles_ns
    return ns is not None and abs(s.duration - ns) > (CYCLES_TOLERANCE_NS
                                                     + CYCLES_TOLERANCE_REL * s.duration)


@dataclasses.dataclass
class Summary:
    stats: FrameStats
    tsc_hz: int | None
    time_source: str
    absolute: bool
    versions: set[int]
    start_ns: int
    end_ns: int
    events: collections.Counter  # event name -> records
    cpus: dict[int, CpuSummary]
    lateness: list[int]  # sorted, ns
    lateness_by_cpu: dict[int, list[int]]
    histogram: list[Bucket]
    irqs: dict[int, collections.Counter]  # vector -> CPU -> IRQ_ENTRY count
    softirq_time: dict[tuple[int, int], tuple[int, int, int]]  # (cpu, nr) -> runs, total ns, max ns
    vcpu_time: dict[int, tuple[int, int]]  # vCPU -> runs, total ns
    dropped: int
    unmatched_ends: int
    unfinished: int
    hvm_exits: dict[int, HvmExitStats] = dataclasses.field(default_factory=dict)  # by reason
    hvm_ended: collections.Counter = dataclasses.field(
        default_factory=collections.Counter)  # what ended the exits that are not timed
    hvm_resumed: int = 0  # HVM_ENTRY: a vCPU's first after a switch to it
    hvm_unpaired: int = 0  # HVM_ENTRY: ends no exit, and not after a switch
    hvm_compared: int = 0  # timed exits whose HVM_ENTRY cycle count was compared
    hvm_disagree: int = 0  # ... that disagree with the slice (CYCLES_TOLERANCE_*)
    hvm_worst_ns: float = 0  # the largest difference seen
    hvm_injections: dict[str, collections.Counter] = dataclasses.field(
        default_factory=dict)  # kind -> vector -> count
    vtimer_lateness: list[int] = dataclasses.field(default_factory=list)  # sorted, ns

    @property
    def duration_ns(self) -> int:
        return self.end_ns - self.start_ns

    @property
    def hvm_total(self) -> HvmExitStats:
        t = HvmExitStats()
        for x in self.hvm_exits.values():
            t.exits += x.exits
            t.timed += x.timed
            t.total_ns += x.total_ns
            t.max_ns = max(t.max_ns, x.max_ns)
            t.switched += x.switched
            t.unfinished += x.unfinished
        return t


def summarize(trace: Trace, slices: Slices | None = None) -> Summary:
    slices = slices or build_slices(trace)
    start, end = trace.start_ns, trace.end_ns
    seconds = (end - start) / 1e9
    cpus = {}
    lateness_by_cpu: dict[int, list[int]] = {}
    irqs: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    events: collections.Counter = collections.Counter()
    for cpu in trace.cpus:
        recs = trace.per_cpu[cpu]
        idle_exits = dropped = 0
        late = []
        for r in recs:
            events[event_name(r.event)] += 1
            if r.event == Ev.IDLE_EXIT:
                idle_exits += 1
            elif r.event == Ev.LOST:
                dropped += r.a
            elif r.event == Ev.TIMER_FIRE:
                late.append(r.a)
            elif r.event == Ev.IRQ_ENTRY:
                irqs[r.a][cpu] += 1
        lateness_by_cpu[cpu] = sorted(late)
        cpus[cpu] = CpuSummary(len(recs), recs[0].ns, recs[-1].ns, idle_exits,
                               idle_exits / seconds if seconds > 0 else None, dropped,
                               len(trace.backsteps.get(cpu, ())))
    softirq: dict[tuple[int, int], list[int]] = {}
    for s in slices.slices:
        if s.kind == "softirq" and not s.unfinished:
            runs_total_max = softirq.setdefault((s.cpu, s.key), [0, 0, 0])
            d = s.end - s.start
            runs_total_max[0] += 1
            runs_total_max[1] += d
            runs_total_max[2] = max(runs_total_max[2], d)
    vcpus: dict[int, list[int]] = {}
    for s in slices.vcpu_runs:
        runs_total = vcpus.setdefault(s.key, [0, 0])
        runs_total[0] += 0 if s.begin is None else 1
        runs_total[1] += s.end - s.start
    lateness = sorted(v for late in lateness_by_cpu.values() for v in late)
    summary = Summary(trace.stats, trace.tsc_hz, trace.time_source, trace.absolute,
                      trace.versions, start, end, events, cpus, lateness, lateness_by_cpu,
                      lateness_histogram(lateness), dict(irqs),
                      {k: tuple(v) for k, v in sorted(softirq.items())},
                      {k: tuple(v) for k, v in sorted(vcpus.items())},
                      sum(c.dropped for c in cpus.values()), slices.unmatched_ends,
                      slices.unfinished)
    _summarize_hvm(trace, slices, summary)
    return summary


def _summarize_hvm(trace: Trace, slices: Slices, s: Summary) -> None:
    exits: dict[int, HvmExitStats] = {}
    for x in slices.hvm_exits:
        exits.setdefault(x.key, HvmExitStats()).add(x)
        if not x.timed:
            s.hvm_ended[x.ended] += 1
        elif x.cycles_ns is not None:
            s.hvm_compared += 1
            s.hvm_disagree += cycles_disagree(x)
            s.hvm_worst_ns = max(s.hvm_worst_ns, abs(x.duration - x.cycles_ns))
    s.hvm_exits = dict(sorted(exits.items()))
    s.hvm_resumed = sum(e.resumed for e in slices.hvm_entries)
    s.hvm_unpaired = len(slices.hvm_entries) - s.hvm_resumed
    injections: dict[int, collections.Counter] = {}
    vtimer = []
    for r in trace.records:
        if r.event == Ev.HVM_INJECT:
            injections.setdefault(r.c, collections.Counter())[r.a] += 1
        elif r.event == Ev.HVM_VTIMER:
            vtimer.append(r.a)
    s.hvm_injections = {HVM_INJECT_KINDS.get(k, f"type {k}"): v
                        for k, v in sorted(injections.items())}
    s.vtimer_lateness = sorted(vtimer)


def _table(rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(c.rjust(w) if i in right else c.ljust(w)
                             for i, (c, w) in enumerate(zip(row, widths))).rstrip()
            for row in rows]


def _late_stats(values: list[int], what: str = "timer") -> str:
    if not values:
        return "none"
    return (f"{plural(len(values), what)}; min {fmt_dur(values[0])}, median "
            f"{fmt_dur(percentile(values, 50))}, p90 {fmt_dur(percentile(values, 90))}, "
            f"p99 {fmt_dur(percentile(values, 99))}, max {fmt_dur(values[-1])}")


def format_summary(s: Summary) -> str:
    st = s.stats
    out = ["Trace summary",
           f"  input: {st.lines} lines, {st.frames} good frames, {st.records} records"]
    bad = [f"{n} {why}" for why, n in sorted(s.stats.reasons.items())]
    out.append(f"  skipped frames: {st.corrupt} corrupt, {st.truncated} truncated"
               + (f" ({', '.join(bad)})" if bad else ""))
    for line, why in st.examples:
        out.append(f"    line {line}: {why}")
    if s.tsc_hz:
        version = ", format version " + ",".join(map(str, sorted(s.versions))) \
            if s.versions else ""
        out.append(f"  TSC: {s.tsc_hz / 1e6:.6f} MHz ({s.time_source}{version})")
    zero = "system time" if s.absolute else "since the first record"
    out.append(f"  traced: {fmt_time(s.start_ns)} .. {fmt_time(s.end_ns)} s ({zero}), "
               f"{fmt_time(s.duration_ns)} s")
    if s.events:
        out.append("  records: " + ", ".join(f"{n} {k}" for k, n in sorted(s.events.items())))

    out += ["", "Per CPU (wakeups: IDLE_EXIT per second of the whole trace)"]
    if s.cpus:
        rows = [["cpu", "records", "first", "last", "span", "wakeups/s", "dropped",
                 "backwards"]]
        for cpu, c in s.cpus.items():
            rows.append([str(cpu), str(c.records), fmt_time(c.first_ns), fmt_time(c.last_ns),
                         fmt_time(c.last_ns - c.first_ns),
                         "-" if c.wakeups_per_s is None else f"{c.wakeups_per_s:.1f}",
                         str(c.dropped), str(c.backsteps)])
        out += _table(rows, right=set(range(8)))
    else:
        out.append("  no records")

    out += ["", f"Timer lateness (TIMER_FIRE): {_late_stats(s.lateness)}"]
    if s.histogram:
        most = max(b.count for b in s.histogram)
        rows = [[b.label, str(b.count), "#" * max(1, round(40 * b.count / most))
                 if b.count else ""] for b in s.histogram]
        out += _table(rows, right={1})
        if len(s.lateness_by_cpu) > 1:
            for cpu, late in s.lateness_by_cpu.items():
                out.append(f"  CPU {cpu}: {_late_stats(late)}")

    out += ["", "IRQs (IRQ_ENTRY) per vector"]
    if s.irqs:
        cpus = sorted(s.cpus)
        rows = [["vector", "total"] + [f"CPU {c}" for c in cpus]]
        for vec in sorted(s.irqs):
            n = s.irqs[vec]
            rows.append([f"0x{vec:02x} {VECTOR_NAMES.get(vec, '')}".rstrip(),
                         str(sum(n.values()))] + [str(n[c]) for c in cpus])
        out += _table(rows, right=set(range(1, len(cpus) + 2)))
    else:
        out.append("  none")

    out += ["", "Softirq time (SOFTIRQ_ENTRY .. EXIT)"]
    if s.softirq_time:
        rows = [["cpu", "softirq", "runs", "total", "mean", "max"]]
        for (cpu, nr), (runs, total, longest) in s.softirq_time.items():
            rows.append([str(cpu), softirq_name(nr), str(runs), fmt_dur(total),
                         fmt_dur(total / runs), fmt_dur(longest)])
        out += _table(rows, right={0, 2, 3, 4, 5})
    else:
        out.append("  none")

    out += ["", "vCPU run time (CONTEXT_SWITCH to the next; the first and last "
            "runs of a CPU count from its first record and to its last)"]
    if s.vcpu_time:
        rows = [["vcpu", "runs", "time", "share"]]
        for vcpu, (runs, total) in s.vcpu_time.items():
            share = f"{100 * total / s.duration_ns:.1f}%" if s.duration_ns else "-"
            rows.append([fmt_vcpu(vcpu), str(runs), fmt_dur(total), share])
        out += _table(rows, right={1, 2, 3})
    else:
        out.append("  none")

    out += _format_hvm(s)

    per_cpu = ", ".join(f"CPU {c}: {v.dropped}" for c, v in s.cpus.items() if v.dropped)
    out += ["", f"Dropped records (TRACE_LOST): {s.dropped}"
            + (f" ({per_cpu})" if per_cpu else "")]
    out.append(f"Slices: {s.unfinished} closed without their own exit, "
               f"{s.unmatched_ends} exits without an entry (ignored)")
    return "\n".join(out) + "\n"


def _us3(ns: float | None) -> str:
    return "-" if ns is None else f"{ns / 1000:.3f}"


def _format_hvm(s: Summary) -> list[str]:
    """The HVM sections: exits by reason, injections, virtual timers."""
    if not (s.hvm_exits or s.hvm_resumed or s.hvm_unpaired or s.hvm_injections
            or s.vtimer_lateness):
        return []
    total = s.hvm_total
    out = ["", "HVM exits (HVM_EXIT to its HVM_ENTRY on the CPU: time in the hypervisor; "
           "timed: ended by their entry)"]
    if s.hvm_exits:
        rows = [["reason", "exits", "timed", "total us", "mean us", "max us"]]
        for nr, x in list(s.hvm_exits.items()) + [(None, total)]:
            rows.append([exit_reason_name(nr) if nr is not None else "total", str(x.exits),
                         str(x.timed), _us3(x.total_ns if x.timed else None),
                         _us3(x.mean_ns), _us3(x.max_ns if x.timed else None)])
        out += _table(rows, right={1, 2, 3, 4, 5})
    else:
        out.append("  none")
    if total.exits > total.timed:
        ended = ", ".join(f"{n} {why}" for why, n in sorted(s.hvm_ended.items()))
        out.append(f"  not timed: {total.exits - total.timed} ({ended})")
    if s.hvm_resumed or s.hvm_unpaired:
        out.append(f"  entries ending no exit on their CPU: {s.hvm_resumed} resumed a vCPU "
                   f"after a switch (cycles span its time away), {s.hvm_unpaired} without "
                   "their exit (before the trace or in a hole); not timed")
    if s.hvm_compared:
        out.append(f"  HVM_ENTRY cycle counts: {s.hvm_compared} compared with their slices, "
                   f"{s.hvm_disagree} disagree by more than "
                   f"{fmt_dur(CYCLES_TOLERANCE_NS)} + {CYCLES_TOLERANCE_REL:.0%} "
                   f"(largest difference {fmt_dur(s.hvm_worst_ns)})")

    n = sum(sum(v.values()) for v in s.hvm_injections.values())
    out += ["", f"HVM injections (HVM_INJECT): {n}"]
    if s.hvm_injections:
        rows = [["kind", "injections", "vectors"]]
        for kind, vectors in s.hvm_injections.items():
            rows.append([kind, str(sum(vectors.values())),
                         " ".join(f"0x{v:02x}" + (f" x{c}" if c > 1 else "")
                                  for v, c in sorted(vectors.items()))])
        out += _table(rows, right={1})
    out += ["", f"Virtual timer lateness (HVM_VTIMER): "
            f"{_late_stats(s.vtimer_lateness, 'timer')}"]
    return out


# ---------------------------------------------------------------------------
# (d) Plot


def _plot_matplotlib(buckets: list[Bucket], title: str, path: str) -> None:
    import matplotlib  # noqa: PLC0415 (optional)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, ax = plt.subplots(figsize=(9, 4.5))
    xs = range(len(buckets))
    ax.bar(xs, [b.count for b in buckets], color="#4477aa")
    ax.set_xticks(list(xs))
    ax.set_xticklabels([b.label for b in buckets], rotation=45, ha="right")
    ax.set_xlabel("lateness")
    ax.set_ylabel("timers")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _gnuplot_quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def gnuplot_script(buckets: list[Bucket], title: str, path: str, terminal: str) -> str:
    data = "\n".join(f'{i} "{b.label}" {b.count}' for i, b in enumerate(buckets))
    return "\n".join([
        f"set terminal {terminal} size 900,450",
        f"set output {_gnuplot_quote(path)}",
        f"set title {_gnuplot_quote(title)}",
        "set style fill solid 0.8",
        "set boxwidth 0.8",
        "set xtics nomirror rotate by 45 right",
        "set xlabel 'lateness'",
        "set ylabel 'timers'",
        "set yrange [0:*]",
        "$data << EOD", data, "EOD",
        "plot $data using 1:3:xtic(2) with boxes notitle",
        ""])


def _plot_gnuplot(buckets: list[Bucket], title: str, path: str, gnuplot: str) -> None:
    terminals = ["svg"] if path.lower().endswith(".svg") else ["pngcairo", "png"]
    error = ""
    for terminal in terminals:
        try:
            os.unlink(path)
        except OSError:
            pass
        out = subprocess.run([gnuplot], input=gnuplot_script(buckets, title, path, terminal),
                             capture_output=True, text=True, timeout=60)
        if out.returncode == 0 and os.path.exists(path) and os.path.getsize(path):
            return
        error = out.stderr.strip().splitlines()[-1:] or [f"status {out.returncode}"]
        error = error[0]
    raise RuntimeError(f"gnuplot failed: {error}")


def have_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401, PLC0415
    except Exception:  # missing, or installed but broken: try gnuplot
        return False
    return True


def plot(summary: Summary, path: str, backends: Iterable[str] = ("matplotlib", "gnuplot"),
         note: Callable[[str], None] = print) -> str | None:
    """Draws the lateness histogram with the first backend available; returns
    its name, or None (with a note) if none is or there is nothing to draw."""
    if not summary.histogram:
        note(f"ktrace: no plot: no TIMER_FIRE records; {path} not written")
        return None
    title = f"Timer lateness, {len(summary.lateness)} timers"
    for backend in backends:
        if backend == "matplotlib" and have_matplotlib():
            _plot_matplotlib(summary.histogram, title, path)
            return backend
        if backend == "gnuplot" and shutil.which("gnuplot"):
            _plot_gnuplot(summary.histogram, title, path, shutil.which("gnuplot"))
            return backend
    note(f"ktrace: no plot: neither matplotlib (Debian: python3-matplotlib) nor gnuplot "
         f"(gnuplot-nox) is installed; {path} not written. The histogram is in --summary.")
    return None


# ---------------------------------------------------------------------------
# --check-path: the timer path of docs/design.md, on every CPU


@dataclasses.dataclass
class PathStep:
    what: str
    matches: Callable[[Record], bool]


PATH_STEPS = [
    PathStep("LAPIC timer interrupt (IRQ_ENTRY 0xfa)",
             lambda r: r.event == Ev.IRQ_ENTRY and r.a == LOCAL_TIMER_VECTOR),
    PathStep("TIMER_SOFTIRQ (SOFTIRQ_ENTRY 0)",
             lambda r: r.event == Ev.SOFTIRQ_ENTRY and r.a == TIMER_SOFTIRQ),
    PathStep("s_timer's callback (S_TIMER_FIRE)", lambda r: r.event == Ev.S_TIMER_FIRE),
    PathStep("SCHEDULE_SOFTIRQ (SOFTIRQ_RAISE or SOFTIRQ_ENTRY 1)",
             lambda r: r.event in (Ev.SOFTIRQ_RAISE, Ev.SOFTIRQ_ENTRY)
             and r.a == SCHEDULE_SOFTIRQ),
    PathStep("schedule() (SCHEDULE)", lambda r: r.event == Ev.SCHEDULE),
    PathStep("context switch (CONTEXT_SWITCH)", lambda r: r.event == Ev.CONTEXT_SWITCH),
]


@dataclasses.dataclass
class CpuPath:
    cpu: int
    ok: bool
    complete: int  # how many times the whole path was seen (one after another)
    first: list[Record]  # the first complete path, or the steps seen before it broke off
    problem: str = ""


@dataclasses.dataclass
class PathReport:
    ok: bool
    cpus: list[CpuPath]
    problem: str = ""

    def text(self) -> str:
        out = ["check-path: " + " -> ".join(s.what.split(" (")[0] for s in PATH_STEPS)]
        for c in self.cpus:
            if c.ok:
                a, b = c.first[0].ns, c.first[-1].ns
                out.append(f"  CPU {c.cpu}: ok, {plural(c.complete, 'time')}; first at "
                           f"{fmt_time(a, 9)} .. {fmt_time(b, 9)} ({fmt_dur(b - a)})")
            else:
                out.append(f"  CPU {c.cpu}: FAIL: {c.problem}")
        if self.problem:
            out.append(f"  {self.problem}")
        failed = sum(not c.ok for c in self.cpus)
        out.append(f"check-path: {'ok' if self.ok else 'FAIL'} "
                   f"({len(self.cpus) - failed} of {len(self.cpus)} CPUs pass)")
        return "\n".join(out) + "\n"


def _check_cpu(trace: Trace, cpu: int) -> CpuPath:
    recs = trace.per_cpu.get(cpu)
    if not recs:
        return CpuPath(cpu, False, 0, [], "no records")
    step, seen, first, complete = 0, [], [], 0
    for r in recs:
        if PATH_STEPS[step].matches(r):
            seen.append(r)
            step += 1
            if step == len(PATH_STEPS):
                complete += 1
                first = first or seen
                step, seen = 0, []
    steps = trace.backsteps.get(cpu, [])
    if steps:
        b = steps[0]
        return CpuPath(cpu, False, complete, first,
                       f"timestamps go backwards {plural(len(steps), 'time')}; first "
                       f"{event_name(b.rec.event)} at {fmt_time(b.rec.ns, 9)} after "
                       f"{event_name(b.prev.event)} at {fmt_time(b.prev.ns, 9)} "
                       f"(log lines {b.prev.line}, {b.rec.line})")
    if complete:
        return CpuPath(cpu, True, complete, first)
    got = len(seen)
    if got == 0:
        problem = f"no {PATH_STEPS[0].what}"
    else:
        problem = (f"no {PATH_STEPS[got].what} after the {PATH_STEPS[got - 1].what} "
                   f"at {fmt_time(seen[-1].ns, 9)} (steps 1-{got} of {len(PATH_STEPS)} seen)")
    return CpuPath(cpu, False, 0, seen, problem)


def check_path(trace: Trace, nr_cpus: int | None = None) -> PathReport:
    """Checks the path on every CPU with records (and on CPUs 0..nr_cpus-1)."""
    cpus = sorted(set(trace.cpus) | set(range(nr_cpus or 0)))
    if not cpus:
        return PathReport(False, [], "no trace records in the log")
    results = [_check_cpu(trace, cpu) for cpu in cpus]
    return PathReport(all(c.ok for c in results), results)


# ---------------------------------------------------------------------------
# Command line


def parse_hz(text: str) -> int:
    """"2596093763", "2596.093763MHz", "2.6 GHz", "100e6" -> Hz."""
    m = re.fullmatch(r"\s*([0-9.eE+]+)\s*([kKmMgG]?)(?:[hH][zZ])?\s*", text)
    try:
        if not m:
            raise ValueError
        hz = decimal.Decimal(m.group(1)) * {"": 1, "k": 10 ** 3, "m": 10 ** 6,
                                             "g": 10 ** 9}[m.group(2).lower()]
        if hz < 1:
            raise ValueError
    except (ValueError, decimal.InvalidOperation):
        raise argparse.ArgumentTypeError(f"not a rate: {text!r} (e.g. 2596093763 or "
                                         "2596.09MHz)") from None
    return int(hz)


def _plot_path(text: str) -> str:
    if not text.lower().endswith((".png", ".svg")):
        raise argparse.ArgumentTypeError(f"{text}: the plot must be a .png or .svg file")
    return text


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ktrace.py", description=__doc__.split("\n\n", 2)[2],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("log", metavar="LOG", help="serial log to decode (- for stdin)")
    out = p.add_argument_group("outputs (none given: --text)")
    out.add_argument("--text", action="store_true", help="ftrace-like text")
    out.add_argument("--json", metavar="FILE",
                     help="Chrome trace-event JSON for Perfetto (-: stdout)")
    out.add_argument("--summary", action="store_true", help="the summary")
    out.add_argument("--plot", type=_plot_path, metavar="FILE.png|FILE.svg",
                     help="the timer lateness histogram")
    out.add_argument("--check-path", action="store_true",
                     help="check the timer-to-context-switch path on every CPU (exit 1 if not)")
    opt = p.add_argument_group("decoding")
    opt.add_argument("--elf", metavar="ELF",
                     help="kernel image (build/kairos.elf): callback and timer symbols by nm")
    opt.add_argument("--nm", metavar="NM", help="the nm to run (default: $NM, else nm)")
    opt.add_argument("--tsc-hz", type=parse_hz, metavar="HZ",
                     help="the TSC rate, over TRACE_INFO's and the boot log's "
                     "(2596093763, 2596.09MHz)")
    opt.add_argument("--ns", action="store_true", help="text times to the nanosecond")
    opt.add_argument("--cpus", type=int, metavar="N",
                     help="--check-path: CPUs 0..N-1 must all pass, with records or not")
    opt.add_argument("-q", "--quiet", action="store_true", help="no warnings on stderr")
    return p


def _open_out(path: str):
    if path == "-":
        return contextlib.nullcontext(sys.stdout)
    return open(path, "w", encoding="utf-8")


def _warnings(trace: Trace) -> list[str]:
    st, out = trace.stats, []
    if st.corrupt or st.truncated:
        out.append(f"skipped {st.corrupt} corrupt and {st.truncated} truncated frames "
                   f"({st.frames} good, {st.records} records)")
    for v in sorted(trace.versions - {FORMAT_VERSION}):
        out.append(f"TRACE_INFO says format version {v}; this tool knows {FORMAT_VERSION}")
    for cpu, steps in sorted(trace.backsteps.items()):
        b = steps[0]
        out.append(f"CPU {cpu}: timestamps go backwards {plural(len(steps), 'time')} (first at log "
                   f"line {b.rec.line}: {fmt_time(b.rec.ns, 9)} after {fmt_time(b.prev.ns, 9)})")
    dropped = sum(r.a for r in trace.records if r.event == Ev.LOST)
    if dropped:
        out.append(f"the kernel dropped {dropped} records (TRACE_LOST)")
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["latency"]:
        # The virtual timer latency breakdown (tools/ktrace_latency.py).
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import ktrace_latency
        return ktrace_latency.main(argv[1:])
    args = make_parser().parse_args(argv)
    warn = (lambda msg: None) if args.quiet else \
        (lambda msg: print(f"ktrace: {msg}", file=sys.stderr))
    try:
        if args.log == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(args.log, "rb") as f:
                raw = f.read()
    except OSError as e:
        print(f"ktrace: {args.log}: {e.strerror}", file=sys.stderr)
        return 2
    try:
        trace = load(raw.decode("utf-8", errors="replace"), args.tsc_hz)
    except TraceError as e:
        print(f"ktrace: {args.log}: {e}", file=sys.stderr)
        return 2
    if args.elf:
        trace.symbols = Symbols.from_elf(args.elf, args.nm)
    for w in _warnings(trace):
        warn(w)

    if not (args.text or args.json or args.summary or args.plot or args.check_path):
        args.text = True
    status = 0
    try:
        slices = build_slices(trace)
        if args.text:
            sys.stdout.writelines(line + "\n" for line in text_lines(trace, args.ns))
        if args.json:
            with _open_out(args.json) as f:
                json.dump(chrome_trace(trace, slices), f, separators=(",", ":"))
                f.write("\n")
        summary = summarize(trace, slices) if args.summary or args.plot else None
        if args.summary:
            sys.stdout.write(format_summary(summary))
        if args.plot:
            try:
                plot(summary, args.plot, note=lambda m: print(m, file=sys.stderr))
            except (OSError, RuntimeError, subprocess.SubprocessError) as e:
                print(f"ktrace: {args.plot}: {e}", file=sys.stderr)
                status = 2
        if args.check_path:
            report = check_path(trace, args.cpus)
            sys.stdout.write(report.text())
            if not report.ok:
                status = 1
        sys.stdout.flush()
    except BrokenPipeError:
        # `ktrace.py log | head`: stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as e:
        print(f"ktrace: {e}", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":
    sys.exit(main())
