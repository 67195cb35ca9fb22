"""Tests of the virtual timer latency breakdown (`tools/ktrace.py latency`,
tools/ktrace_latency.py) on synthetic traces, made with test_ktrace's own
encoder of the wire format, and on two recorded ones."""

import json
import re
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "tools"))

import ktrace_latency as kl  # noqa: E402
import test_ktrace as tk  # noqa: E402
from test_ktrace import (CONTEXT_SWITCH, HVM_EXIT, HVM_INJECT, HVM_VTIMER,  # noqa: E402
                         HYPERCALL_ENTRY, IRQ_ENTRY, IRQ_EXIT, LOST, MSR, S_TIMER_FIRE,
                         SOFTIRQ_ENTRY, SOFTIRQ_EXIT, SOFTIRQ_RAISE, TIMER_FIRE,
                         VCPU_WAKE, VIRQ_DELIVER, info, log, rec)

# Two recorded traces of the same machine, one CPU, round-robin (10 ms
# slices): `trace=irq,softirq,timer,sched,guest`, sleeper (single-shot
# sleeps of 2 to 6 ms) beside a one-second hog; boot text other than the
# guests' lines and the TSC lines left out.
# QEMU q35 (sleeper count=40, cut after its first 110 frames: the last
# expiry's chain is cut short) and Bochs (sleeper count=15, whole).
QEMU_TRACE = HERE / "data" / "ktrace-vtimer-q35-rr.log"
BOCHS_TRACE = HERE / "data" / "ktrace-vtimer-bochs-rr.log"

FN = 0xFFFFFFFF8022C860  # a vCPU timer's callback
OTHER_FN = 0xFFFFFFFF80200000  # some other timer's
TIMER = 0xFFFF800000100000
V1, V2 = 1 << 16, 2 << 16  # d1v0, d2v0
IDLE0, IDLE1 = 0x7FFF << 16, (0x7FFF << 16) | 1
LOCAL_TIMER = 0xFA


def chain(t0, v=V1, cpu=0, prev=IDLE0, to_cpu=None, ack=True):
    """A whole path for an expiry at t0 (1 GHz TSC: ns): each stage 100 ns
    after the one before, schedule and deliver 200 ns."""
    to = cpu if to_cpu is None else to_cpu
    out = [rec(t0 + 100, IRQ_ENTRY, cpu, LOCAL_TIMER), rec(t0 + 150, IRQ_EXIT, cpu, LOCAL_TIMER),
           rec(t0 + 200, SOFTIRQ_ENTRY, cpu, 0), rec(t0 + 300, TIMER_FIRE, cpu, 300, FN, TIMER),
           rec(t0 + 400, VCPU_WAKE, cpu, 0, v), rec(t0 + 450, SOFTIRQ_RAISE, cpu, 1, to),
           rec(t0 + 500, SOFTIRQ_EXIT, cpu, 0)]
    out += [rec(t0 + 600, SOFTIRQ_ENTRY, to, 1), rec(t0 + 700, CONTEXT_SWITCH, to, 0, prev, v),
            rec(t0 + 800, SOFTIRQ_EXIT, to, 1), rec(t0 + 900, VIRQ_DELIVER, to, 0, v)]
    if ack:
        out.append(rec(t0 + 1000, HYPERCALL_ENTRY, to, 1, v))
    return out


def analyze(*parts):
    return kl.analyze(tk.kt.load(log(*parts)))


def one_cpu(records):
    """A log of one CPU's records (TRACE_INFO first)."""
    return [info()] + records


class ChainTest(unittest.TestCase):
    def test_every_stage(self):
        rep = analyze(one_cpu(chain(10000)))
        self.assertEqual(len(rep.chains), 1)
        c = rep.chains[0]
        self.assertTrue(c.done)
        self.assertEqual((c.vcpu, c.expiry, c.total, c.ack - c.times["deliver"]),
                         (V1, 10000, 900, 100))
        self.assertEqual(c.stages(), {"irq": 100, "softirq": 100, "callback": 100, "wake": 100,
                                      "schedule": 200, "switch": 100, "deliver": 200})
        self.assertIn(c.dominant(), ("schedule", "deliver"))
        self.assertEqual(rep.vtimer_fns, {FN: "woke a vCPU"})

    def test_running_vcpu_has_no_wake_or_switch(self):
        recs = chain(10000) + [
            rec(20100, IRQ_ENTRY, 0, LOCAL_TIMER), rec(20150, IRQ_EXIT, 0, LOCAL_TIMER),
            rec(20200, SOFTIRQ_ENTRY, 0, 0), rec(20300, TIMER_FIRE, 0, 300, FN, TIMER),
            rec(20400, SOFTIRQ_EXIT, 0, 0), rec(20600, VIRQ_DELIVER, 0, 0, V1)]
        rep = analyze(one_cpu(recs))
        c = rep.chains[1]
        self.assertEqual((c.vcpu, c.total), (V1, 600))
        self.assertEqual(set(c.stages()), {"irq", "softirq", "callback", "deliver"})

    def test_other_timers_are_not_chains(self):
        recs = chain(10000) + [rec(20200, SOFTIRQ_ENTRY, 0, 0),
                               rec(20300, TIMER_FIRE, 0, 300, OTHER_FN, TIMER + 64),
                               rec(20350, S_TIMER_FIRE, 0), rec(20400, SOFTIRQ_EXIT, 0, 0)]
        self.assertEqual(len(analyze(one_cpu(recs)).chains), 1)

    def test_unknown_vcpu(self):
        # A vCPU timer fires while only the idle vCPU runs and wakes
        # nobody, and it never fired for a vCPU before: it cannot be placed.
        recs = chain(10000) + [rec(20000, CONTEXT_SWITCH, 0, 0, V1, IDLE0),
                               rec(20200, SOFTIRQ_ENTRY, 0, 0),
                               rec(20300, TIMER_FIRE, 0, 300, FN, TIMER + 64),
                               rec(20400, SOFTIRQ_EXIT, 0, 0)]
        rep = analyze(one_cpu(recs))
        self.assertEqual(rep.unknown_vcpu, 1)
        self.assertEqual(list(rep.incomplete), ["vCPU not known (no wake, no guest running)"])

    def test_two_cpus(self):
        rep = analyze([info(), info(cpu=1)] + chain(10000, cpu=0, to_cpu=1, prev=IDLE1))
        c = rep.chains[0]
        self.assertEqual((c.cpu, c.end_cpu, c.total), (0, 1, 900))
        self.assertEqual(c.times["schedule"], 10600)

    def test_hvm_vtimer_to_injection_and_eoi(self):
        recs = [rec(10200, SOFTIRQ_ENTRY, 0, 0), rec(10300, TIMER_FIRE, 0, 300, FN, TIMER),
                rec(10350, HVM_VTIMER, 0, 300, V1, 0xEC), rec(10400, SOFTIRQ_EXIT, 0, 0),
                rec(10500, HVM_INJECT, 0, 2, V1, 2),  # an NMI: not the timer's
                rec(10600, HVM_INJECT, 0, 0xEC, V1, 0), rec(10800, HVM_EXIT, 0, MSR, V1)]
        c = analyze(one_cpu(recs)).chains[0]
        self.assertEqual((c.vcpu, c.deliver_kind, c.total, c.ack), (V1, "inject", 600, 10800))

    def test_named_callbacks(self):
        trace = tk.kt.load(log(one_cpu(
            [rec(100, CONTEXT_SWITCH, 0, 0, IDLE0, V1), rec(10200, SOFTIRQ_ENTRY, 0, 0),
             rec(10300, TIMER_FIRE, 0, 300, FN, TIMER), rec(10400, SOFTIRQ_EXIT, 0, 0),
             rec(10500, IRQ_ENTRY, 0, 0xFC), rec(10550, IRQ_EXIT, 0, 0xFC),
             rec(10600, VIRQ_DELIVER, 0, 0, V1)])))
        # An interrupt before the upcall: not recognised without a name...
        self.assertEqual(kl.analyze(trace).chains, [])
        trace.symbols = tk.kt.Symbols(f"{FN:016x} 000000000000002b t periodic_timer_fn\n")
        rep = kl.analyze(trace)
        self.assertEqual(rep.vtimer_fns, {FN: "by name"})
        self.assertEqual(rep.chains[0].total, 600)
        self.assertIn("periodic_timer_fn (by name)", kl.format_report(trace, rep))


class IncompleteTest(unittest.TestCase):
    def test_cut_at_every_record(self):
        # A trace cut after each record of a chain: never an exception, and
        # either no chain, a complete one, or one counted as incomplete.
        # (A whole chain first, for its callback to be recognised.)
        whole, recs = chain(1000), chain(10000)
        for n in range(len(recs) + 1):
            rep = analyze(one_cpu(whole + recs[:n]))
            done = [c for c in rep.chains if c.done]
            self.assertEqual(len(rep.chains), len(done) + sum(rep.incomplete.values()))
            self.assertEqual(len(rep.chains), 1 if n < 4 else 2, n)
            self.assertEqual(len(done), 2 if n >= 11 else 1, n)
            text = kl.format_report(tk.kt.load(log(one_cpu(whole + recs[:n]))), rep)
            self.assertIn("incomplete:", text)

    def test_cut_before_the_vcpu_is_known(self):
        rep = analyze(one_cpu(chain(1000) + chain(10000)[:4]))
        self.assertEqual(dict(rep.incomplete), {"trace ended before its vCPU was known": 1})

    def test_lost_records(self):
        recs = chain(10000)
        rep = analyze(one_cpu(recs[:6] + [rec(10470, LOST, 0, 12)] + recs[6:]))
        self.assertEqual(dict(rep.incomplete), {"records lost (TRACE_LOST)": 1})
        self.assertFalse(rep.chains[0].done)
        # A hole on another CPU leaves the chain alone.
        rep = analyze([info(), info(cpu=1), rec(10470, LOST, 1, 12)] + recs)
        self.assertTrue(rep.chains[0].done)

    def test_delivered_together(self):
        # Two expiries before one upcall, the second while the vCPU is
        # runnable (no wake), placed by its timer: both end there.
        first = chain(10000)[:7]
        second = [rec(10600, SOFTIRQ_ENTRY, 0, 0), rec(10700, TIMER_FIRE, 0, 100, FN, TIMER),
                  rec(10750, SOFTIRQ_EXIT, 0, 0), rec(10800, CONTEXT_SWITCH, 0, 0, IDLE0, V1),
                  rec(10900, VIRQ_DELIVER, 0, 0, V1)]
        rep = analyze(one_cpu(first + second))
        self.assertEqual([c.total for c in rep.chains], [900, 300])


class RecordedTest(unittest.TestCase):
    def report(self, path, cut=None):
        text = path.read_text()
        if cut:
            text = text[:cut]
        trace = tk.kt.load(text)
        return trace, kl.analyze(trace)

    def test_bochs_agrees_with_the_guest(self):
        trace, rep = self.report(BOCHS_TRACE)
        self.assertEqual(sum(rep.incomplete.values()), 0)
        m = re.search(r"sleeper vCPU 0 lateness: n=(\d+) min=(\d+) median=(\d+) p99=\d+ max=(\d+)",
                      BOCHS_TRACE.read_text())
        n, lo, med, hi = map(int, m.groups())
        # The guest's own sleeps are d1v0's first n chains; it reads the
        # time in its handler, a few microseconds after the upcall.
        totals = sorted([c.total for c in rep.chains if c.vcpu == V1][:n])
        for guest, ours in ((lo, totals[0]), (med, totals[(n - 1) // 2]), (hi, totals[-1])):
            self.assertLessEqual(ours, guest)
            self.assertLess(guest - ours, 20000)
        self.assertEqual(rep.acks, len(rep.chains))

    def test_qemu_cut_short(self):
        trace, rep = self.report(QEMU_TRACE)
        self.assertEqual(len(rep.chains), 15)
        self.assertEqual(dict(rep.incomplete), {"trace ended before the upcall or injection": 1})
        for c in rep.chains[:-1]:
            self.assertTrue(c.done)
            self.assertEqual(c.vcpu, V1)
            self.assertGreater(c.total, 0)
            self.assertLess(c.total, 20 * 10 ** 6)

    def test_truncated_anywhere(self):
        # Cut inside a frame line, at several places of both traces.
        for path in (QEMU_TRACE, BOCHS_TRACE):
            size = len(path.read_text())
            for cut in range(size // 7, size, size // 7):
                trace, rep = self.report(path, cut + 17)
                done = sum(c.done for c in rep.chains)
                self.assertEqual(len(rep.chains), done + sum(rep.incomplete.values()))
                kl.format_report(trace, rep)


class CommandLineTest(tk.TempDirTest):
    def test_text_and_json(self):
        out = self.tmp / "lat.json"
        status, text, err = tk.run_main(["latency", "--worst", "2", "--json", str(out),
                                         str(BOCHS_TRACE)])
        self.assertEqual(status, 0, err)
        for needle in ("Virtual timer latency: 18 expiries", "Stages", "total", "Histograms",
                       "Dominant stage:", "Worst 2", "meanwhile: CPU 0:"):
            self.assertIn(needle, text)
        events = json.loads(out.read_text())["traceEvents"]
        starts = {e["id"]: e for e in events if e.get("ph") == "s"}
        ends = {e["id"]: e for e in events if e.get("ph") == "f"}
        self.assertEqual(len(starts), 18)
        self.assertEqual(set(starts), set(ends))
        for i, s in starts.items():
            self.assertLessEqual(s["ts"], ends[i]["ts"])
            self.assertEqual(ends[i]["bp"], "e")
        self.assertEqual(sum(1 for e in events if e.get("cat") == "latency" and e["ph"] == "X"),
                         18)

    def test_empty_and_missing(self):
        status, text, _ = tk.run_main(["latency", self.write_log("no trace here\n")])
        self.assertEqual(status, 0)
        self.assertIn("0 expiries", text)
        self.assertEqual(tk.run_main(["latency", str(self.tmp / "missing.log")])[0], 2)


if __name__ == "__main__":
    unittest.main()
