/*
 * hvmfuzz: the hostile guest (docs/hvm-test-kernels.md). main.c parses
 * the options and runs one mode; fuzz.c is mode=fuzz, random privileged
 * operations; modes.c the modes that end the domain on purpose, or
 * nearly so.
 */
#ifndef HVMFUZZ_H
#define HVMFUZZ_H

#include "arch.h"

/* The operation kinds of mode=fuzz (ops=). */
#define OP_MSR	 0x1
#define OP_IO	 0x2
#define OP_CPUID 0x4
#define OP_MMIO	 0x8
#define OP_ALL	 (OP_MSR | OP_IO | OP_CPUID | OP_MMIO)

struct fuzz_options {
	u64 count;	  /* count=: operations */
	u64 seed;	  /* seed= */
	unsigned int ops; /* ops=: OP_* */
	bool bare;	  /* bare=1: also spare what would end a bare QEMU */
	u64 storm_ns;	  /* time=: how long mode=ipi_storm lasts */
	u64 trace_from;	  /* trace_from=: print operations from this one on */
};

extern struct fuzz_options fuzz_opts;

/* Each mode returns true for PASS; the ending ones do not return. */
bool run_fuzz(void);
bool run_ipi_storm(void);
bool run_noncanonical(void);
__noreturn void run_triple(void);
__noreturn void run_init_self(void);
__noreturn void run_halt_forever(void);

/* Interrupts the fuzzing may cause are counted, not fatal. */
void catch_all_interrupts(void);
extern volatile u32 stray_interrupts;

#endif /* HVMFUZZ_H */
