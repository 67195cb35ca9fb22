/*
 * A deliberate page fault, run only as test=selftest_fault: the harness
 * checks that the fatal-trap report (vector, CR2, registers, a backtrace
 * naming selftest_fault_trigger) appears and that QEMU exits with the
 * failure code.
 */
#include <compiler.h>
#include <ktest.h>

/* Non-canonical addresses raise #GP; this one is canonical and unmapped. */
#define UNMAPPED_ADDRESS 0xdead000UL

static __noinline void selftest_fault_trigger(void)
{
	*(volatile unsigned long *)UNMAPPED_ADDRESS = 0x6b6b6b6b;
}

static void page_fault_is_fatal(struct ktest *t)
{
	selftest_fault_trigger();
	ktest_fail(t, __FILE__, __LINE__, "survived a write to %#lx",
		   UNMAPPED_ADDRESS);
}

KTEST_SUITE_EXPLICIT(selftest_fault, KTEST_CASE(page_fault_is_fatal));
