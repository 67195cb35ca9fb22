"""ktrace latency: the path of every virtual timer interrupt, stage by stage.

    tools/ktrace.py latency [--worst N] [--json FILE] [--elf ELF] ... LOG

For each expiry of a vCPU's timer (its single-shot, periodic or poll
timer, or an HVM vCPU's virtual local-APIC timer), the chain of records
from the expiry to the guest's handler, like rtla timerlat's
auto-analysis:

  expiry     the timer's expiry: TIMER_FIRE's time minus its lateness
  irq        the timer interrupt (IRQ_ENTRY LOCAL_TIMER or PLATFORM_TIMER)
             that started the TIMER_SOFTIRQ run
  softirq    TIMER_SOFTIRQ starts (SOFTIRQ_ENTRY 0)
  callback   the timer's callback (TIMER_FIRE)
  wake       the vCPU wakes (VCPU_WAKE); absent if it was not blocked
  schedule   SCHEDULE_SOFTIRQ starts on the CPU that switches to it
  switch     the switch to the vCPU (CONTEXT_SWITCH); absent if it ran
  deliver    the upcall (VIRQ_DELIVER) or the injected interrupt
             (HVM_INJECT): the guest handler starts; the chain's end
  ack        the guest's first hypercall after the upcall, or its first
             MSR or MMIO exit after the injection (its EOI as a rule);
             optional, reported apart

A stage's time is from the stage present before it. The kernel has no
record of its own for the guest's acknowledgement; the deliver record
is where the hypervisor's part of the path ends.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import sys
from typing import Iterable

import ktrace
from ktrace import Ev, Record, Trace

STAGES = ["irq", "softirq", "callback", "wake", "schedule", "switch", "deliver"]
# The kernel's callbacks of vCPU timers (common/sched/core.c, arch/x86/hvm/vlapic.c).
VTIMER_FNS = {"singleshot_timer_fn", "periodic_timer_fn", "poll_timer_fn", "vlapic_timer_fn"}
TIMER_VECTORS = {ktrace.LOCAL_TIMER_VECTOR, 0x30}
IDLE_DOMAIN = 0x7FFF
HVM_EOI_EXITS = {6, 7}  # MSR (x2APIC EOI), MMIO (xAPIC EOI)
FLOW_CAT = "latency"


@dataclasses.dataclass
class Chain:
    """One virtual timer's path; times in ns, None for a stage not seen."""

    expiry: int
    cpu: int  # where the timer fired
    fn: int  # callback address
    timer: int  # timer address
    vcpu: int | None = None
    times: dict = dataclasses.field(default_factory=dict)
    end_cpu: int | None = None  # where the deliver happened
    deliver_kind: str = ""  # "upcall" or "inject"
    ack: int | None = None
    incomplete: str = ""  # why it never reached its deliver

    @property
    def done(self) -> bool:
        return "deliver" in self.times

    @property
    def total(self) -> int:
        return self.times["deliver"] - self.expiry

    def stages(self) -> dict[str, int]:
        """Each present stage's time since the one before it."""
        out, prev = {}, self.expiry
        for s in STAGES:
            t = self.times.get(s)
            if t is not None:
                out[s] = max(t - prev, 0)
                prev = max(t, prev)
        return out

    def dominant(self) -> str:
        st = self.stages()
        return max(st, key=lambda s: st[s]) if st else "-"


@dataclasses.dataclass
class CpuState:
    current: int | None = None  # vCPU from the last CONTEXT_SWITCH
    last_timer_irq: int | None = None
    softirq_irq: int | None = None  # the interrupt of this TIMER_SOFTIRQ run
    softirq_start: int | None = None
    last_schedule: int | None = None
    pending: Chain | None = None  # fired, vCPU not known yet


@dataclasses.dataclass
class Report:
    chains: list[Chain]
    vtimer_fns: dict[int, str]  # callback address: how it was recognised
    incomplete: collections.Counter
    unknown_vcpu: int = 0
    acks: int = 0


def _is_guest(v: int | None) -> bool:
    return v is not None and v != (1 << 64) - 1 and (v >> 16) != IDLE_DOMAIN


def _fire_followers(recs: list[Record], i: int) -> Iterable[Record]:
    """The records after the TIMER_FIRE at i on its CPU, up to the next
    TIMER_FIRE or the end of the TIMER_SOFTIRQ run."""
    for r in recs[i + 1:]:
        if r.event == Ev.TIMER_FIRE or r.event == Ev.LOST or (
                r.event == Ev.SOFTIRQ_EXIT and r.a == ktrace.TIMER_SOFTIRQ):
            return
        yield r


def find_vtimer_fns(trace: Trace) -> dict[int, str]:
    """Callback addresses of vCPU timers: by name with symbols, else those
    whose callback woke a vCPU or raised a virtual timer, or (the periodic
    timer, which fires only while its vCPU runs) which most often reach an
    upcall of the running vCPU with no other interrupt first."""
    fns: dict[int, str] = {}
    named = set()
    for r in trace.records:
        if r.event == Ev.TIMER_FIRE and trace.symbols:
            name = trace.symbols.code(r.b)
            if name:
                named.add(r.b)
                if name.split("+")[0] in VTIMER_FNS:
                    fns[r.b] = "by name"
    upcall = collections.Counter()
    fires = collections.Counter()
    for cpu, recs in trace.per_cpu.items():
        current = None
        for i, r in enumerate(recs):
            if r.event == Ev.CONTEXT_SWITCH:
                current = r.c
            if r.event != Ev.TIMER_FIRE or r.b in named:
                continue
            fires[r.b] += 1
            followers = list(_fire_followers(recs, i))
            if any(f.event in (Ev.VCPU_WAKE, Ev.HVM_VTIMER) for f in followers):
                fns.setdefault(r.b, "woke a vCPU")
            elif any(f.event == Ev.S_TIMER_FIRE for f in followers) or not _is_guest(current):
                continue
            else:
                for f in recs[i + 1:]:
                    if f.event == Ev.VIRQ_DELIVER and f.b == current:
                        upcall[r.b] += 1
                        break
                    if f.event in (Ev.IRQ_ENTRY, Ev.CONTEXT_SWITCH, Ev.TIMER_FIRE, Ev.LOST):
                        break
    for fn, n in upcall.items():
        if fn not in fns and 2 * n > fires[fn]:
            fns[fn] = "reached the running vCPU's upcall"
    return fns


def analyze(trace: Trace) -> Report:
    """Matches every vCPU timer's expiry with the records that follow it,
    in time order over all CPUs."""
    fns = find_vtimer_fns(trace)
    cpus: dict[int, CpuState] = collections.defaultdict(CpuState)
    open_chains: dict[int, list[Chain]] = collections.defaultdict(list)  # per vCPU
    vcpu_cpu: dict[int, int] = {}
    chains: list[Chain] = []
    why = collections.Counter()
    rep = Report(chains, fns, why)
    ack_open: list[Chain] = []  # delivered, waiting for the guest's ack

    def close(c: Chain, reason: str) -> None:
        c.incomplete = reason
        why[reason] += 1

    timer_vcpu: dict[int, int] = {}  # timer address: its vCPU, once seen

    def assign(st: CpuState, c: Chain, v: int | None, sure: bool = True) -> None:
        """Gives the chain its vCPU: sure (from a wake, a virtual timer or
        the upcall) or else guessed, from what the timer fired for before,
        else the running guest vCPU."""
        st.pending = None
        if not sure:
            v = timer_vcpu.get(c.timer, v)
        if not _is_guest(v):
            rep.unknown_vcpu += 1
            close(c, "vCPU not known (no wake, no guest running)")
            return
        c.vcpu = v
        timer_vcpu[c.timer] = v
        open_chains[v].append(c)

    for r in trace.timeline():
        st = cpus[r.cpu]
        if st.pending and (r.event == Ev.TIMER_FIRE or r.event == Ev.LOST or (
                r.event == Ev.SOFTIRQ_EXIT and r.a == ktrace.TIMER_SOFTIRQ)):
            assign(st, st.pending, st.current, sure=False)
        e = r.event
        if e == Ev.LOST:
            for v, lst in open_chains.items():
                if vcpu_cpu.get(v) == r.cpu or any(c.cpu == r.cpu for c in lst):
                    for c in lst:
                        close(c, "records lost (TRACE_LOST)")
                    lst.clear()
            st.last_timer_irq = st.softirq_irq = st.softirq_start = st.last_schedule = None
        elif e == Ev.IRQ_ENTRY and r.a in TIMER_VECTORS:
            st.last_timer_irq = r.ns
        elif e == Ev.SOFTIRQ_ENTRY and r.a == ktrace.TIMER_SOFTIRQ:
            st.softirq_start, st.softirq_irq, st.last_timer_irq = r.ns, st.last_timer_irq, None
        elif e == Ev.SOFTIRQ_EXIT and r.a == ktrace.TIMER_SOFTIRQ:
            st.softirq_start = st.softirq_irq = None
        elif e == Ev.SOFTIRQ_ENTRY and r.a == ktrace.SCHEDULE_SOFTIRQ:
            st.last_schedule = r.ns
        elif e == Ev.TIMER_FIRE and r.b in fns:
            c = Chain(r.ns - r.a, r.cpu, r.b, r.c)
            c.times["callback"] = r.ns
            if st.softirq_start is not None:
                c.times["softirq"] = st.softirq_start
                if st.softirq_irq is not None:
                    c.times["irq"] = st.softirq_irq
            chains.append(c)
            st.pending = c
        elif e == Ev.VCPU_WAKE:
            vcpu_cpu.setdefault(r.b, r.cpu)
            if st.pending:
                st.pending.times["wake"] = r.ns
                assign(st, st.pending, r.b)
        elif e == Ev.HVM_VTIMER and st.pending:
            assign(st, st.pending, r.b)
        elif e == Ev.CONTEXT_SWITCH:
            st.current = r.c
            vcpu_cpu[r.c] = r.cpu
            for c in open_chains.get(r.c, ()):
                if "switch" not in c.times:
                    c.times["switch"] = r.ns
                    if st.last_schedule is not None and st.last_schedule >= c.expiry:
                        c.times["schedule"] = st.last_schedule
        elif e in (Ev.VIRQ_DELIVER, Ev.HVM_INJECT):
            if e == Ev.HVM_INJECT and r.c != 0:
                continue  # NMIs and exceptions are not the timer
            if st.pending and e == Ev.VIRQ_DELIVER and st.current == r.b:
                assign(st, st.pending, r.b)
            for c in open_chains.pop(r.b, []):
                c.times["deliver"] = r.ns
                c.end_cpu = r.cpu
                c.deliver_kind = "upcall" if e == Ev.VIRQ_DELIVER else "inject"
                ack_open.append(c)
        elif e == Ev.HYPERCALL_ENTRY or (e == Ev.HVM_EXIT and r.a in HVM_EOI_EXITS):
            kind = "upcall" if e == Ev.HYPERCALL_ENTRY else "inject"
            keep = []
            for c in ack_open:
                if c.vcpu == r.b and c.deliver_kind == kind:
                    c.ack = r.ns
                    rep.acks += 1
                else:
                    keep.append(c)
            ack_open[:] = keep
    for st in cpus.values():
        if st.pending:
            close(st.pending, "trace ended before its vCPU was known")
    for lst in open_chains.values():
        for c in lst:
            close(c, "trace ended before the upcall or injection")
    return rep



# ---------------------------------------------------------------------------
# What ran meanwhile


@dataclasses.dataclass
class Meanwhile:
    vcpus: list[str]  # vCPUs that ran, in order, per CPU ("CPU 0: d2v0, d1v0")
    softirqs: collections.Counter  # name: runs started
    irqs: collections.Counter  # vector name: interrupts


def meanwhile(trace: Trace, c: Chain) -> Meanwhile:
    """The vCPUs, softirqs and interrupts on the chain's CPUs between its
    expiry and its deliver."""
    lo, hi = c.expiry, c.times["deliver"]
    out = Meanwhile([], collections.Counter(), collections.Counter())
    for cpu in sorted({c.cpu, c.end_cpu}):
        recs = trace.per_cpu[cpu]
        ran: list[str] = []
        for r in recs:
            if r.ns > hi:
                break
            if r.event == Ev.CONTEXT_SWITCH:
                if r.ns >= lo:
                    ran.append(ktrace.fmt_vcpu(r.c))
            if r.ns < lo:
                continue
            if r.event == Ev.SOFTIRQ_ENTRY:
                out.softirqs[ktrace.softirq_name(r.a)] += 1
            elif r.event == Ev.IRQ_ENTRY:
                out.irqs[ktrace.vector_name(r.a)] += 1
        before = None  # the vCPU running at the expiry
        for r in recs:
            if r.ns >= lo:
                break
            if r.event == Ev.CONTEXT_SWITCH:
                before = r.c
        seq = ([ktrace.fmt_vcpu(before)] if before is not None else []) + ran
        if seq:
            out.vcpus.append(f"CPU {cpu}: " + " > ".join(seq))
    return out


# ---------------------------------------------------------------------------
# Text


def _stats_row(name: str, values: list[int]) -> list[str]:
    v = sorted(values)
    if not v:
        return [name, "0", "-", "-", "-", "-"]
    return [name, str(len(v)), ktrace.fmt_dur(v[0]), ktrace.fmt_dur(ktrace.percentile(v, 50)),
            ktrace.fmt_dur(ktrace.percentile(v, 99)), ktrace.fmt_dur(v[-1])]


def _histogram(values: list[int], indent: str = "    ") -> list[str]:
    """The 1-2-5 buckets of the summary's lateness histogram; empty ones
    left out, to keep a stage to a few lines."""
    buckets = [b for b in ktrace.lateness_histogram(values) if b.count]
    if not buckets:
        return []
    width = max(len(b.label) for b in buckets)
    top = max(b.count for b in buckets)
    return [f"{indent}{b.label:<{width}}  {b.count:>5}  {'#' * max(1, round(40 * b.count / top))}"
            for b in buckets]


def format_report(trace: Trace, rep: Report, worst: int = 5) -> str:
    done = [c for c in rep.chains if c.done]
    out = [f"Virtual timer latency: {len(rep.chains)} expiries of vCPU timers, "
           f"{len(done)} reached the guest handler"]
    if rep.vtimer_fns:
        names = ", ".join(sorted(
            f"{(trace.symbols and trace.symbols.code(a)) or ktrace.fmt_addr(a)} ({how})"
            for a, how in rep.vtimer_fns.items()))
        out.append(f"  callbacks: {names}")
    else:
        out.append("  callbacks: none recognised (give --elf to name them)")
    inc = sum(rep.incomplete.values())
    out.append(f"  incomplete: {inc}" + (" (" + ", ".join(
        f"{n} {why}" for why, n in rep.incomplete.most_common()) + ")" if inc else ""))
    kinds = collections.Counter(c.deliver_kind for c in done)
    out.append(f"  ended by: {kinds['upcall']} upcalls (VIRQ_DELIVER), "
               f"{kinds['inject']} injections (HVM_INJECT); guest ack seen for {rep.acks}")
    if not done:
        return "\n".join(out) + "\n"
    out.append("")
    out.append("Stages (each from the stage before it; n: chains where it was seen)")
    rows = [["stage", "n", "min", "median", "p99", "max"]]
    per_stage = {s: [c.stages()[s] for c in done if s in c.stages()] for s in STAGES}
    for s in STAGES:
        rows.append(_stats_row(s, per_stage[s]))
    rows.append(_stats_row("total", [c.total for c in done]))
    acks = [c.ack - c.times["deliver"] for c in done if c.ack is not None]
    rows.append(_stats_row("(ack)", acks))
    out += ktrace._table(rows, right={1, 2, 3, 4, 5})
    out.append("")
    out.append("Histograms")
    for s in STAGES + ["total"]:
        vals = per_stage.get(s) if s != "total" else [c.total for c in done]
        if vals:
            out.append(f"  {s}:")
            out += _histogram(vals)
    dom = collections.Counter(c.dominant() for c in done)
    out.append("")
    out.append("Dominant stage: " + ", ".join(f"{s} {n}" for s, n in dom.most_common()))
    out.append("")
    out.append(f"Worst {min(worst, len(done))} (expiry to handler)")
    for c in sorted(done, key=lambda c: -c.total)[:worst]:
        st = c.stages()
        d = c.dominant()
        out.append(f"  {ktrace.fmt_dur(c.total)} {ktrace.fmt_vcpu(c.vcpu)} expiry "
                   f"{ktrace.fmt_time(c.expiry, 9)} CPU {c.cpu}"
                   + (f" -> CPU {c.end_cpu}" if c.end_cpu != c.cpu else "")
                   + f": {d} {ktrace.fmt_dur(st[d])} ({100 * st[d] // max(c.total, 1)}%)")
        out.append("    " + ", ".join(f"{s} {ktrace.fmt_dur(st[s])}" for s in STAGES if s in st))
        m = meanwhile(trace, c)
        out.append("    meanwhile: " + "; ".join(m.vcpus or ["no switch records"]))
        out.append("      softirqs: " + (", ".join(f"{k} x{n}" for k, n in m.softirqs.most_common())
                                         or "none")
                   + "; irqs: " + (", ".join(f"{k} x{n}" for k, n in m.irqs.most_common())
                                   or "none"))
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# Perfetto


def chrome_flows(trace: Trace, rep: Report) -> list[dict]:
    """One flow arrow per complete chain, from an instant at its expiry (on
    the CPU where it fired) to an instant at its deliver, plus a slice per
    chain on a "virtual timer latency" track."""
    shift = -min(trace.start_ns, 0)
    tid = ktrace.VCPU_TID_BASE * 2
    ev = [{"ph": "M", "name": "thread_name", "pid": ktrace.PID, "tid": tid,
           "args": {"name": "virtual timer latency"}}]
    for n, c in enumerate(c for c in rep.chains if c.done):
        args = {"vcpu": ktrace.fmt_vcpu(c.vcpu), "total_ns": c.total, "dominant": c.dominant()}
        args.update({f"{s}_ns": v for s, v in c.stages().items()})
        name = f"vtimer {ktrace.fmt_vcpu(c.vcpu)}"
        ev.append({"ph": "X", "name": name, "cat": FLOW_CAT, "pid": ktrace.PID, "tid": tid,
                   "ts": ktrace._us(c.expiry + shift), "dur": ktrace._us(c.total), "args": args})
        ev.append({"ph": "i", "s": "t", "name": "vtimer expiry", "cat": FLOW_CAT,
                   "pid": ktrace.PID, "tid": c.cpu, "ts": ktrace._us(c.expiry + shift),
                   "args": args})
        ev.append({"ph": "s", "id": n + 1, "name": "vtimer", "cat": FLOW_CAT,
                   "pid": ktrace.PID, "tid": c.cpu, "ts": ktrace._us(c.expiry + shift)})
        t = c.times["deliver"] + shift
        ev.append({"ph": "i", "s": "t", "name": "vtimer handler", "cat": FLOW_CAT,
                   "pid": ktrace.PID, "tid": c.end_cpu, "ts": ktrace._us(t), "args": args})
        ev.append({"ph": "f", "bp": "e", "id": n + 1, "name": "vtimer", "cat": FLOW_CAT,
                   "pid": ktrace.PID, "tid": c.end_cpu, "ts": ktrace._us(t)})
    return ev


# ---------------------------------------------------------------------------
# Command line


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ktrace.py latency", description=__doc__.split("\n\n", 2)[2],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("log", metavar="LOG", help="serial log to decode (- for stdin)")
    p.add_argument("--worst", type=int, default=5, metavar="N",
                   help="detail the N worst chains (default 5)")
    p.add_argument("--json", metavar="FILE",
                   help="Chrome trace-event JSON for Perfetto with a flow arrow per chain")
    p.add_argument("--elf", metavar="ELF", help="kernel image: callbacks by name")
    p.add_argument("--nm", metavar="NM", help="the nm to run (default: $NM, else nm)")
    p.add_argument("--tsc-hz", type=ktrace.parse_hz, metavar="HZ", help="the TSC rate")
    p.add_argument("-q", "--quiet", action="store_true", help="no warnings on stderr")
    return p


def main(argv: list[str]) -> int:
    args = make_parser().parse_args(argv)
    try:
        if args.log == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(args.log, "rb") as f:
                raw = f.read()
        trace = ktrace.load(raw.decode("utf-8", errors="replace"), args.tsc_hz)
    except OSError as e:
        print(f"ktrace: {args.log}: {e.strerror}", file=sys.stderr)
        return 2
    except ktrace.TraceError as e:
        print(f"ktrace: {args.log}: {e}", file=sys.stderr)
        return 2
    if args.elf:
        trace.symbols = ktrace.Symbols.from_elf(args.elf, args.nm)
    if not args.quiet:
        for w in ktrace._warnings(trace):
            print(f"ktrace: {w}", file=sys.stderr)
    rep = analyze(trace)
    sys.stdout.write(format_report(trace, rep, args.worst))
    if args.json:
        doc = ktrace.chrome_trace(trace)
        doc["traceEvents"] += chrome_flows(trace, rep)
        with ktrace._open_out(args.json) as f:
            json.dump(doc, f, separators=(",", ":"))
            f.write("\n")
    return 0
