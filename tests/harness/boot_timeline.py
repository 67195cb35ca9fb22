"""The kernel's boot timeline line (common/boot_timeline.c): parsing and
its consistency, for the boot matrix (boot.BootConfig.boot_timeline) and
the benchmark's boot family (tests/bench/bench.py).

    Boot timeline: early 3.012, memory 0.812, acpi 4.100, clocks 12.010,
    aps 0.933, tsc_sync 10.102, rest 7.443; all CPUs online at 24.101,
    total 38.412 (ms from the first instruction, TSC at 2096018 kHz)

(one line). Every figure is in milliseconds since the first instruction of
the hypervisor's entry point; "rest" is the total minus the named phases.
"""

from __future__ import annotations

import dataclasses
import re

import ktap

# The phases in the order the kernel prints them (enum boot_phase, then rest).
PHASES = ("early", "memory", "acpi", "clocks", "aps", "tsc_sync", "rest")
# The phases that end before every CPU is online, in boot order.
BEFORE_ONLINE = ("early", "memory", "acpi", "clocks", "aps")
# Each figure is rounded down to a microsecond: sums may be off by that much
# per term.
ROUNDING_MS = 0.001 * (len(PHASES) + 1)

_MS = r"(\d+\.\d{3})"
TIMELINE_RE = re.compile(
    r"^Boot timeline: (?P<phases>.*); all CPUs online at " + _MS + r", total " + _MS
    + r" \(ms from the first instruction, TSC at (\d+) kHz\)\s*$")
PHASE_RE = re.compile(r"^([a-z_]+) " + _MS + r"$")


@dataclasses.dataclass
class Timeline:
    """The figures of one timeline line, in milliseconds."""

    phases: dict[str, float]  # name -> ms, in the printed order
    online_ms: float  # first instruction to every CPU online
    total_ms: float  # first instruction to the end of the boot
    tsc_khz: int  # the rate the cycles were converted with


def parse(log: str) -> Timeline | None:
    """The last timeline line of a serial log, or None if there is none or
    it cannot be read. Timestamps and terminal escapes are ignored."""
    found = None
    for raw in log.splitlines():
        m = TIMELINE_RE.match(ktap.clean_line(raw))
        if m is None:
            continue
        phases = {}
        for part in m.group("phases").split(", "):
            pm = PHASE_RE.match(part)
            if pm is None:
                phases = None
                break
            phases[pm.group(1)] = float(pm.group(2))
        if phases is not None:
            found = Timeline(phases, float(m.group(2)), float(m.group(3)), int(m.group(4)))
    return found


def problems(timeline: Timeline | None) -> list[str]:
    """What is inconsistent in a timeline: missing or unknown phases, a sum
    of phases over the total, every CPU online before the phases that come
    first have ended, or after the end; [] if none."""
    if timeline is None:
        return ["no boot timeline line in the log"]
    out = []
    names = tuple(timeline.phases)
    if names != PHASES:
        out.append(f"boot timeline phases {', '.join(names)}; expected {', '.join(PHASES)}")
    if timeline.tsc_khz <= 0:
        out.append("boot timeline: no calibrated TSC rate")
    total = sum(timeline.phases.values())
    if abs(total - timeline.total_ms) > ROUNDING_MS:
        out.append(f"boot timeline: phases add up to {total:.3f} ms, total "
                   f"{timeline.total_ms:.3f} ms")
    before = sum(timeline.phases.get(p, 0.0) for p in BEFORE_ONLINE)
    if before > timeline.online_ms + ROUNDING_MS:
        out.append(f"boot timeline: the phases before every CPU is online take {before:.3f} ms, "
                   f"more than the {timeline.online_ms:.3f} ms to online")
    if timeline.online_ms > timeline.total_ms:
        out.append(f"boot timeline: every CPU online at {timeline.online_ms:.3f} ms, after the "
                   f"end at {timeline.total_ms:.3f} ms")
    return out
