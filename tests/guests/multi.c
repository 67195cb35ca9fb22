/*
 * multi: every vCPU (start_info nr_vcpus of them) works, sleeps and
 * yields, and checks that its FPU/SSE state survives.
 *
 * Args: rounds=<n> (default 5), spin=<time> per spin (default 50ms),
 * lock=<n> lock-protected increments per vCPU (default 2000).
 *
 * Each round, on each vCPU, loads xmm0-xmm15 and MXCSR with values unique
 * to the vCPU and the round, then, inside one asm statement (so the
 * compiler cannot spill them), either (a) calls SCHEDOP_yield, (b) spins
 * on the TSC for spin= (the hypervisor preempts it when vCPUs outnumber
 * CPUs), or (c) calls SCHEDOP_block with the single-shot timer 1 ms ahead,
 * so the upcall runs inside the call - and the timer handler deliberately
 * scribbles on every xmm register and MXCSR, which the runtime's upcall
 * entry must undo (fxsave/fxrstor). Then it stores the registers and
 * compares. Also: the block's timer event comes no earlier than its
 * deadline, a spinlock-protected counter adds up, and, after a barrier,
 * vCPU 0 checks that every vCPU completed every round.
 */
#include <guest.h>

#define NO_CALL (~0ull)

static unsigned int rounds_done[SHARED_INFO_MAX_VCPUS];
static spinlock_t lock = SPINLOCK_INIT;
static uint64_t shared_counter;

#define XMM_LOAD(n)  "movdqa " #n "*16(%[in]), %%xmm" #n "\n\t"
#define XMM_STORE(n) "movdqa %%xmm" #n ", " #n "*16(%[out])\n\t"
#define XMM_ALL(m)                                                          \
	m(0) m(1) m(2) m(3) m(4) m(5) m(6) m(7) m(8) m(9) m(10) m(11) m(12) \
		m(13) m(14) m(15)

/*
 * Loads the registers, spins for cycles TSC cycles, makes hypercall nr
 * (unless NO_CALL) with %rdi = a1, stores the registers. Returns the
 * hypercall's result.
 */
static long xmm_run(const uint64_t *in, uint64_t *out, uint32_t mx_in,
		    uint32_t *mx_out, uint64_t cycles, uint64_t nr, uint64_t a1)
{
	static const uint32_t mx_default = 0x1f80;
	long ret;

	__asm__ __volatile__(
		"ldmxcsr %[mxin]\n\t" XMM_ALL(
			XMM_LOAD) "test %[cyc], %[cyc]\n\t"
				  "jz 3f\n\t"
				  "rdtsc\n\t"
				  "shl $32, %%rdx\n\t"
				  "or %%rdx, %%rax\n\t"
				  "add %%rax, %[cyc]\n\t"
				  "2: pause\n\t"
				  "rdtsc\n\t"
				  "shl $32, %%rdx\n\t"
				  "or %%rdx, %%rax\n\t"
				  "cmp %[cyc], %%rax\n\t"
				  "jb 2b\n\t"
				  "3: mov %[nr], %%rax\n\t"
				  "cmp $-1, %%rax\n\t"
				  "je 4f\n\t"
				  "int $0x82\n\t"
				  "4:\n\t" XMM_ALL(
					  XMM_STORE) "stmxcsr %[mxout]\n\t"
						     "ldmxcsr %[mxdef]"
		: "=&a"(ret), [cyc] "+&r"(cycles), [mxout] "=m"(*mx_out)
		: [in] "r"(in), [out] "r"(out), [mxin] "m"(mx_in),
		  [mxdef] "m"(mx_default), [nr] "r"(nr), "D"(a1), "S"(0ull)
		: "rdx", "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
		  "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
		  "xmm12", "xmm13", "xmm14", "xmm15");
	return ret;
}

/* The timer handler, in the upcall: wrecks the SSE state on purpose. */
static void scribble(unsigned int vcpu, int64_t now, void *arg)
{
	static const uint32_t mx_odd = 0x7f80; /* round toward zero */

	__asm__ __volatile__("pcmpeqd %%xmm0, %%xmm0\n\t"
			     "pcmpeqd %%xmm1, %%xmm1\n\t"
			     "pxor %%xmm2, %%xmm2\n\t"
			     "movdqa %%xmm0, %%xmm3\n\t"
			     "movdqa %%xmm0, %%xmm4\n\t"
			     "movdqa %%xmm0, %%xmm5\n\t"
			     "movdqa %%xmm0, %%xmm6\n\t"
			     "movdqa %%xmm0, %%xmm7\n\t"
			     "movdqa %%xmm0, %%xmm8\n\t"
			     "movdqa %%xmm0, %%xmm9\n\t"
			     "movdqa %%xmm0, %%xmm10\n\t"
			     "movdqa %%xmm0, %%xmm11\n\t"
			     "movdqa %%xmm0, %%xmm12\n\t"
			     "movdqa %%xmm0, %%xmm13\n\t"
			     "movdqa %%xmm0, %%xmm14\n\t"
			     "movdqa %%xmm0, %%xmm15\n\t"
			     "ldmxcsr %[mx]" ::[mx] "m"(mx_odd)
			     : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
			       "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
			       "xmm12", "xmm13", "xmm14", "xmm15");
}

/* One test; returns false (after a FAIL line) if a register changed. */
static bool sse_test(unsigned int vcpu, unsigned int round, const char *how,
		     uint64_t cycles, uint64_t nr, uint64_t a1, long *ret)
{
	uint64_t in[32] __attribute__((aligned(16)));
	uint64_t out[32] __attribute__((aligned(16)));
	/* Flush-to-zero and denormals-are-zero on, all exceptions masked. */
	uint32_t mx_in = 0x1f80 | 0x8000 | 0x0040 | ((round & 3u) << 13);
	uint32_t mx_out = 0;
	uint64_t seed = ((uint64_t)vcpu << 40) ^ ((uint64_t)round << 20) ^
			(uint64_t)(uintptr_t)how;
	unsigned int i;

	for (i = 0; i < 32; i++)
		in[i] = xorshift64s(&seed);
	memset(out, 0, sizeof(out));
	*ret = xmm_run(in, out, mx_in, &mx_out, cycles, nr, a1);
	for (i = 0; i < 32; i++) {
		if (out[i] != in[i]) {
			guest_fail("vCPU %u round %u: xmm%u changed across %s "
				   "(%#llx -> %#llx)",
				   vcpu, round, i / 2, how,
				   (unsigned long long)in[i],
				   (unsigned long long)out[i]);
			return false;
		}
	}
	if (mx_out != mx_in) {
		guest_fail("vCPU %u round %u: MXCSR changed across %s (%#x -> "
			   "%#x)",
			   vcpu, round, how, mx_in, mx_out);
		return false;
	}
	return true;
}

void guest_vcpu_main(unsigned int vcpu)
{
	uint64_t rounds = guest_arg_u64("rounds", 5);
	int64_t spin = guest_arg_ns("spin", 50 * NSEC_PER_MSEC);
	uint64_t lock_n = guest_arg_u64("lock", 2000);
	uint64_t cycles = (uint64_t)((unsigned __int128)guest_tsc_hz() *
				     (uint64_t)spin / NSEC_PER_SEC);
	unsigned int nr = guest_nr_vcpus(), r, ok = 0, early = 0, v;
	uint64_t i;
	long ret;

	if (vcpu == 0)
		printf("multi: %u vCPUs, %llu rounds, %lld ns spins (%llu "
		       "cycles)\n",
		       nr, (unsigned long long)rounds, (long long)spin,
		       (unsigned long long)cycles);
	ret = guest_timer_init(scribble, NULL);
	if (ret < 0)
		guest_panic("vCPU %u: binding VIRQ_TIMER: %ld", vcpu, ret);
	guest_events_enable();
	guest_barrier();

	for (r = 0; r < rounds; r++) {
		int64_t deadline;
		uint64_t c0;
		bool flags, good = true;

		good &= sse_test(vcpu, r, "SCHEDOP_yield", 0,
				 HYPERCALL_sched_op, SCHEDOP_yield, &ret);
		good &= sse_test(vcpu, r, "a spin", cycles, NO_CALL, 0, &ret);

		flags = guest_events_save();
		c0 = guest_timer_count();
		deadline = guest_now() + NSEC_PER_MSEC;
		hc_set_timer_op(deadline);
		/* Blocks until the timer (or some other event) comes. */
		while (guest_timer_count() == c0) {
			good &= sse_test(vcpu, r, "SCHEDOP_block and an upcall",
					 0, HYPERCALL_sched_op, SCHEDOP_block,
					 &ret);
			guest_events_save();
		}
		if (guest_timer_last() < deadline)
			early++;
		guest_events_restore(flags);

		for (i = 0; i < lock_n / (rounds ? rounds : 1); i++) {
			spin_lock(&lock);
			shared_counter++;
			spin_unlock(&lock);
		}
		if (good)
			ok++;
		atomic_add(&rounds_done[vcpu], 1);
		guest_yield();
	}
	guest_check(ok == rounds,
		    "vCPU %u: SSE state intact in %u of %llu "
		    "rounds",
		    vcpu, ok, (unsigned long long)rounds);
	guest_check(early == 0,
		    "vCPU %u: no timer event before its deadline "
		    "(%u early)",
		    vcpu, early);

	guest_barrier();
	if (vcpu != 0)
		return;
	for (v = 0; v < nr; v++)
		guest_check(atomic_load(&rounds_done[v]) == rounds,
			    "vCPU %u ran all %llu rounds (%u)", v,
			    (unsigned long long)rounds,
			    atomic_load(&rounds_done[v]));
	guest_check(shared_counter == (uint64_t)nr *
					      (lock_n / (rounds ? rounds : 1)) *
					      rounds,
		    "the lock-protected counter adds up (%llu)",
		    (unsigned long long)shared_counter);
}
