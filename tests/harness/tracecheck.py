"""Checks a boot's trace frames (the trace machines of tests/harness/matrix.py).

judge() in boot.py calls timer_path_problems() for a BootConfig with
`trace_cpus` set: the frames decode without damage, every CPU's
timestamps go forward, the Perfetto JSON is valid, and on each of the first
`trace_cpus` CPUs the timer path of docs/design.md appears in order:
the LAPIC timer interrupt (vector 0xfa), TIMER_SOFTIRQ, a timer callback.
With `trace_path_cpus` set, schedule_path_problems() checks the whole path
with guests running (tools/ktrace.py --check-path): the LAPIC interrupt,
TIMER_SOFTIRQ, s_timer's callback, SCHEDULE_SOFTIRQ, schedule() and the
context switch, in that order, on each of those CPUs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import ktrace  # noqa: E402

LOCAL_TIMER_VECTOR = 0xFA
TIMER_SOFTIRQ = 0


def _has_timer_path(records: list[ktrace.Record]) -> bool:
    """IRQ entry 0xfa, then TIMER_SOFTIRQ's entry, then a timer firing."""
    step = 0
    for r in records:
        if step == 0 and r.event == ktrace.Ev.IRQ_ENTRY and r.a == LOCAL_TIMER_VECTOR:
            step = 1
        elif step == 1 and r.event == ktrace.Ev.SOFTIRQ_ENTRY and r.a == TIMER_SOFTIRQ:
            step = 2
        elif step == 2 and r.event == ktrace.Ev.TIMER_FIRE:
            return True
    return False


def _trace_problems(log: str) -> tuple[ktrace.Trace | None, list[str]]:
    """The decoded trace and what is wrong with it as a whole: damaged
    frames, timestamps going back, JSON that is not trace-event JSON."""
    try:
        trace = ktrace.load(log)
    except ktrace.TraceError as e:
        return None, [f"trace: {e}"]
    problems = []
    if not trace.records:
        return None, ["trace: no frames in the log"]
    if trace.stats.corrupt or trace.stats.truncated:
        problems.append(f"trace: {trace.stats.corrupt} corrupt and "
                        f"{trace.stats.truncated} truncated frames")
    for cpu, steps in trace.backsteps.items():
        if steps:
            problems.append(f"trace: CPU {cpu}'s timestamps go back {len(steps)} times")
    try:
        doc = json.loads(json.dumps(ktrace.chrome_trace(trace)))
        if not doc.get("traceEvents"):
            problems.append("trace: the Perfetto JSON has no events")
    except (TypeError, ValueError) as e:
        problems.append(f"trace: the Perfetto JSON is not valid: {e}")
    return trace, problems


def timer_path_problems(log: str, cpus: int) -> list[str]:
    """Why the log's trace does not show the timer path ([] if it does)."""
    trace, problems = _trace_problems(log)
    if trace is None:
        return problems
    for cpu in range(cpus):
        if not _has_timer_path(trace.per_cpu.get(cpu, [])):
            problems.append(f"trace: CPU {cpu} shows no LAPIC interrupt -> "
                            "TIMER_SOFTIRQ -> timer callback sequence")
    return problems


def schedule_path_problems(log: str, cpus: int) -> list[str]:
    """Why the log's trace does not show, on each of CPUs 0..cpus-1, the
    LAPIC interrupt -> TIMER_SOFTIRQ -> s_timer -> SCHEDULE_SOFTIRQ ->
    schedule() -> switch path ([] if it does)."""
    trace, problems = _trace_problems(log)
    if trace is None:
        return problems
    report = ktrace.check_path(trace, cpus)
    for cpu in report.cpus:
        if not cpu.ok:
            problems.append(f"trace: CPU {cpu.cpu}: {cpu.problem}")
    return problems


def _has_hvm_timer_path(records: list[ktrace.Record]) -> bool:
    """The seed's path for an unmodified guest on one CPU: the LAPIC
    interrupt (0xfa), TIMER_SOFTIRQ, a vCPU's virtual-timer callback, that
    vector injected into that vCPU, then an exit of that vCPU (its handler
    acknowledging with an EOI, or any exit after the handler ran)."""
    step, vcpu, vector = 0, None, None
    for r in records:
        if step == 0 and r.event == ktrace.Ev.IRQ_ENTRY and r.a == LOCAL_TIMER_VECTOR:
            step = 1
        elif step == 1 and r.event == ktrace.Ev.SOFTIRQ_ENTRY and r.a == TIMER_SOFTIRQ:
            step = 2
        elif step == 2 and r.event == ktrace.Ev.HVM_VTIMER:
            step, vcpu, vector = 3, r.b, r.c
        elif step == 3 and r.event == ktrace.Ev.HVM_INJECT and r.b == vcpu and \
                r.a == vector and r.c == 0:
            step = 4
        elif step == 4 and r.event == ktrace.Ev.HVM_EXIT and r.b == vcpu:
            return True
        elif step > 0 and r.event == ktrace.Ev.IRQ_ENTRY and r.a == LOCAL_TIMER_VECTOR \
                and step < 3:
            step = 1  # a new interrupt before the callback: start from it
    return False


def hvm_timer_path_problems(log: str) -> list[str]:
    """Why no CPU's trace shows the HVM timer path above ([] if one does)."""
    trace, problems = _trace_problems(log)
    if trace is None:
        return problems
    if not any(_has_hvm_timer_path(recs) for recs in trace.per_cpu.values()):
        problems.append("trace: no CPU shows LAPIC interrupt -> TIMER_SOFTIRQ -> "
                        "virtual timer -> injection -> the vCPU's next exit")
    return problems
