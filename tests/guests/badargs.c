/*
 * badargs: bad arguments to every hypercall and sub-command; each must
 * come back with the documented error and change nothing.
 *
 * Args: none. Runs on vCPU 0 (more vCPUs add the "another vCPU" cases).
 *
 * Each check prints PASS or FAIL; where the ABI headers leave the error
 * open (a bad port number: -KERR_EINVAL or -KERR_ENOENT), any of the
 * candidates passes and the line says which came back; where the ABI
 * says nothing at all, a NOTE line shows what the hypervisor did without
 * judging it. The bad-shutdown checks come last: a hypervisor that took
 * one would end the run (and the missing summary tells).
 *
 * Pointer classes: NULL; unmapped user addresses (0x1000, 0x300000,
 * 0x7fff00000000); the hypervisor's (0xffffffff80000000,
 * 0xffff800000000000); non-canonical (0x0000800000000000 =
 * GUEST_VADDR_END, 0x8000000000000000); the last user bytes
 * (0x7ffffffffffe, straddling GUEST_VADDR_END); a wrap-around
 * (0xfffffffffffffffc); a buffer straddling the end of the shared-info
 * page (0x202000 is unmapped: the layout in abi.h has nothing between it
 * and the image at 0x400000); a buffer straddling the stack's guard page;
 * (those three start 2 bytes before the boundary, so even a 4-byte
 * struct straddles it); the read-only start-info page and our own R-X
 * text as output buffers
 * (the hypervisor writes with the guest's permissions: -KERR_EFAULT).
 */
#include <guest.h>

#define HV_ADDR	   0xffffffff80000000ull
#define DIRECTMAP  0xffff800000000000ull
#define SHARED_END (GUEST_SHARED_INFO_VADDR + GUEST_PAGE_SIZE)
#define E(x)	   (-(long)KERR_##x)

static const struct bad_ptr {
	const char *name;
	uint64_t addr;
} bad_ptrs[] = {
	{"NULL", 0},
	{"0x1000", 0x1000},
	{"0x300000", 0x300000},
	{"0x7fff00000000", 0x7fff00000000ull},
	{"hypervisor", HV_ADDR},
	{"directmap", DIRECTMAP},
	{"non-canonical 0x800000000000", GUEST_VADDR_END},
	{"non-canonical 1<<63", 0x8000000000000000ull},
	{"straddling GUEST_VADDR_END", GUEST_VADDR_END - 2},
	{"wrapping", 0xfffffffffffffffcull},
	{"straddling the shared-info end", SHARED_END - 2},
};

static unsigned int nr_checks;
static uint64_t stack_bottom;
static char text[] = "badargs: console write check\n";
static char big[CONSOLEIO_WRITE_MAX + 16];

static const char *err(long ret)
{
	static char buf[4][24];
	static unsigned int i;

	i = (i + 1) % 4;
	return guest_strerror(ret, buf[i], sizeof(buf[i]));
}

static void vexpect_set(long ret, const long *want, unsigned int n,
			const char *fmt, va_list ap)
{
	char what[160];
	unsigned int i;
	bool ok = false;

	vsnprintf(what, sizeof(what), fmt, ap);
	for (i = 0; i < n; i++)
		ok |= ret == want[i];
	nr_checks++;
	if (ok)
		guest_pass("%s: %s", what, err(ret));
	else if (n == 1)
		guest_fail("%s: got %s, want %s", what, err(ret), err(want[0]));
	else
		guest_fail("%s: got %s, want %s or %s%s", what, err(ret),
			   err(want[0]), err(want[1]), n > 2 ? " or ..." : "");
}

static void __printf_like(3, 4)
	expect(long ret, long want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vexpect_set(ret, &want, 1, fmt, ap);
	va_end(ap);
}

static void __printf_like(4, 5)
	expect2(long ret, long w1, long w2, const char *fmt, ...)
{
	long want[2] = {w1, w2};
	va_list ap;

	va_start(ap, fmt);
	vexpect_set(ret, want, 2, fmt, ap);
	va_end(ap);
}

static void __printf_like(5, 6)
	expect3(long ret, long w1, long w2, long w3, const char *fmt, ...)
{
	long want[3] = {w1, w2, w3};
	va_list ap;

	va_start(ap, fmt);
	vexpect_set(ret, want, 3, fmt, ap);
	va_end(ap);
}

/* The ABI says nothing: show what happened. */
static void __printf_like(2, 3) note(long ret, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	printf("NOTE: %s: %s (unspecified by the ABI)\n", what, err(ret));
}

/* Every bad pointer class as arg of hypercall nr(a1, a2, ptr...). */
static void bad_ptr_sweep(const char *call, uint64_t nr, uint64_t a1,
			  int ptr_arg, uint64_t a2)
{
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad_ptrs); i++) {
		uint64_t p = bad_ptrs[i].addr;
		long ret = ptr_arg == 1 ? hypercall3(nr, a1, p, 0)
					: hypercall3(nr, a1, a2, p);

		expect(ret, E(EFAULT), "%s, arg %s", call, bad_ptrs[i].name);
	}
	/* Straddling into this vCPU's stack guard page. */
	{
		uint64_t p = stack_bottom - 2;
		long ret = ptr_arg == 1 ? hypercall3(nr, a1, p, 0)
					: hypercall3(nr, a1, a2, p);

		expect(ret, E(EFAULT), "%s, arg straddling the stack guard",
		       call);
	}
}

/* ---------------------------------------------------------------------------
 * Registers: everything but %rax survives a hypercall, DF included.
 */
static void regdump_check(const char *what, uint64_t nr, uint64_t a1,
			  uint64_t a2, long want, int set_df)
{
	uint64_t in[REGDUMP_N], out[REGDUMP_N];
	unsigned int i, bad = 0;
	long ret;

	for (i = 0; i < REGDUMP_N; i++)
		in[i] = 0x5a5a000000000000ull | ((uint64_t)i << 32) |
			(0x1234567u * (i + 1));
	in[REGDUMP_RAX] = nr;
	in[REGDUMP_RDI] = a1;
	in[REGDUMP_RSI] = a2;
	ret = hypercall_regdump(in, out, set_df);
	for (i = REGDUMP_RDI; i < REGDUMP_RFLAGS; i++) {
		if (out[i] != in[i]) {
			if (!bad)
				printf("  register %u: %#llx -> %#llx\n", i,
				       (unsigned long long)in[i],
				       (unsigned long long)out[i]);
			bad++;
		}
	}
	nr_checks++;
	guest_check(ret == want && !bad &&
			    !!(out[REGDUMP_RFLAGS] & 0x400) == !!set_df,
		    "registers across %s%s: %s, %u changed, DF %s", what,
		    set_df ? " with DF set" : "", err(ret), bad,
		    (out[REGDUMP_RFLAGS] & 0x400) ? "set" : "clear");
}

/* ---------------------------------------------------------------------------
 * The calls
 */

static void check_numbers(void)
{
	static const uint64_t nrs[] = {
		NR_HYPERCALLS, NR_HYPERCALLS + 1, 255,	 256,
		1000,	       0xffffffffull,	  ~0ull, 1ull << 32,
		1ull << 63};
	unsigned int i;

	expect(hc_version(), KAIROS_ABI_VERSION, "HYPERCALL_version");
	expect(hypercall5(HYPERCALL_version, ~0ull, HV_ADDR, 1, 2, 3),
	       KAIROS_ABI_VERSION, "HYPERCALL_version ignores its arguments");
	for (i = 0; i < ARRAY_LEN(nrs); i++)
		expect(hypercall5(nrs[i], 0, 0, 0, 0, 0), E(ENOSYS),
		       "hypercall number %#llx", (unsigned long long)nrs[i]);

	regdump_check("HYPERCALL_version", HYPERCALL_version, 0, 0,
		      KAIROS_ABI_VERSION, 0);
	regdump_check("HYPERCALL_version", HYPERCALL_version, 0, 0,
		      KAIROS_ABI_VERSION, 1);
	regdump_check("an unknown hypercall", 1000, 0, 0, E(ENOSYS), 1);
	regdump_check("SCHEDOP_yield", HYPERCALL_sched_op, SCHEDOP_yield, 0, 0,
		      1);
	regdump_check("a faulting EVTCHNOP_send", HYPERCALL_event_channel_op,
		      EVTCHNOP_send, 0, E(EFAULT), 1);
}

static void check_console(void)
{
	static const uint64_t cmds[] = {1, 2, 0xffffffffull, ~0ull};
	unsigned int i;
	long ret;

	expect(hc_console_write(text, strlen(text)), (long)strlen(text),
	       "CONSOLEIO_write of %zu bytes", strlen(text));
	expect2(hc_console_io(CONSOLEIO_write, 0, NULL), 0, E(EFAULT),
		"CONSOLEIO_write of 0 bytes from NULL");
	for (i = 0; i < ARRAY_LEN(cmds); i++)
		expect(hypercall3(HYPERCALL_console_io, cmds[i], strlen(text),
				  (uint64_t)text),
		       E(ENOSYS), "console_io command %#llx",
		       (unsigned long long)cmds[i]);
	ret = hypercall3(HYPERCALL_console_io, (1ull << 32) | CONSOLEIO_write,
			 strlen(text), (uint64_t)text);
	note(ret, "console_io command 1<<32 | CONSOLEIO_write");

	memset(big, 'x', sizeof(big));
	expect(hc_console_io(CONSOLEIO_write, CONSOLEIO_WRITE_MAX + 1, big),
	       E(E2BIG), "CONSOLEIO_write of CONSOLEIO_WRITE_MAX + 1 bytes");
	expect(hc_console_io(CONSOLEIO_write, 1ull << 32, big), E(E2BIG),
	       "CONSOLEIO_write of 1<<32 bytes (no truncation to 32 bits)");
	expect(hc_console_io(CONSOLEIO_write, ~0ull, big), E(E2BIG),
	       "CONSOLEIO_write of ~0 bytes");
	bad_ptr_sweep("CONSOLEIO_write 16 bytes", HYPERCALL_console_io,
		      CONSOLEIO_write, 2, 16);
}

static void check_set_timer_op(void)
{
	int64_t now = guest_now();

	expect(hc_set_timer_op(-1), E(EINVAL), "set_timer_op(-1)");
	expect(hc_set_timer_op(INT64_MIN), E(EINVAL),
	       "set_timer_op(INT64_MIN)");
	expect(hc_set_timer_op(INT64_MAX), E(EINVAL),
	       "set_timer_op(INT64_MAX)");
	expect(hc_set_timer_op(now + TIMER_MAX_HORIZON_NS + NSEC_PER_SEC),
	       E(EINVAL), "set_timer_op(now + TIMER_MAX_HORIZON_NS + 1 s)");
	expect(hc_set_timer_op(now + TIMER_MAX_HORIZON_NS - NSEC_PER_SEC), 0,
	       "set_timer_op(now + TIMER_MAX_HORIZON_NS - 1 s)");
	expect(hc_set_timer_op(0), 0, "set_timer_op(0) stops the timer");
}

static void check_vcpu_op(void)
{
	static const uint64_t cmds[] = {6, 7, 1000, 0xffffffffull, ~0ull};
	static const unsigned int cmds_with_arg[] = {
		VCPUOP_set_periodic_timer, VCPUOP_set_singleshot_timer,
		VCPUOP_get_runstate};
	unsigned int nr = guest_nr_vcpus(), i;
	uint64_t bad_ids[] = {nr, SHARED_INFO_MAX_VCPUS, 0xffffffffull,
			      1ull << 32, ~0ull};
	struct vcpu_set_periodic_timer per = {.period_ns = NSEC_PER_MSEC};
	struct vcpu_set_singleshot_timer sst = {0};
	struct vcpu_runstate_info rs;
	int64_t t1, t2;
	long ret;
	char name[64];

	for (i = 0; i < ARRAY_LEN(cmds); i++)
		expect(hypercall3(HYPERCALL_vcpu_op, cmds[i], 0, (uint64_t)&rs),
		       E(ENOSYS), "vcpu_op command %#llx",
		       (unsigned long long)cmds[i]);
	for (i = 0; i < ARRAY_LEN(cmds_with_arg); i++) {
		snprintf(name, sizeof(name), "vcpu_op command %u",
			 cmds_with_arg[i]);
		bad_ptr_sweep(name, HYPERCALL_vcpu_op, cmds_with_arg[i], 2, 0);
	}

	/* Periodic timer. */
	per.period_ns = 0;
	expect(hc_vcpu_op(VCPUOP_set_periodic_timer, 0, &per), E(EINVAL),
	       "periodic timer of 0 ns");
	per.period_ns = 1;
	expect(hc_vcpu_op(VCPUOP_set_periodic_timer, 0, &per), E(EINVAL),
	       "periodic timer of 1 ns");
	per.period_ns = VCPU_PERIODIC_MIN_NS - 1;
	expect(hc_vcpu_op(VCPUOP_set_periodic_timer, 0, &per), E(EINVAL),
	       "periodic timer of VCPU_PERIODIC_MIN_NS - 1");
	per.period_ns = VCPU_PERIODIC_MIN_NS;
	expect(hc_vcpu_op(VCPUOP_set_periodic_timer, 0, &per), 0,
	       "periodic timer of VCPU_PERIODIC_MIN_NS");
	expect(hypercall3(HYPERCALL_vcpu_op, VCPUOP_stop_periodic_timer, 0,
			  HV_ADDR),
	       0, "stop_periodic_timer ignores its arg");
	per.period_ns = ~0ull;
	note(hc_vcpu_op(VCPUOP_set_periodic_timer, 0, &per),
	     "periodic timer of 2^64-1 ns");
	per.period_ns = 1ull << 63;
	note(hc_vcpu_op(VCPUOP_set_periodic_timer, 0, &per),
	     "periodic timer of 2^63 ns");
	expect(hc_stop_periodic_timer(0), 0, "stop_periodic_timer");

	/* Single-shot timer. */
	sst.timeout_abs_ns = (uint64_t)(guest_now() + NSEC_PER_SEC);
	sst.pad = 1;
	expect(hc_vcpu_op(VCPUOP_set_singleshot_timer, 0, &sst), E(EINVAL),
	       "set_singleshot_timer with pad 1");
	sst.pad = 0;
	sst.flags = 0x2;
	note(hc_vcpu_op(VCPUOP_set_singleshot_timer, 0, &sst),
	     "set_singleshot_timer with unknown flag 0x2");
	sst.flags = VCPU_SSHOTTMR_future;
	sst.timeout_abs_ns = 1;
	expect(hc_vcpu_op(VCPUOP_set_singleshot_timer, 0, &sst), E(ETIME),
	       "set_singleshot_timer, passed deadline, VCPU_SSHOTTMR_future");
	sst.timeout_abs_ns = ~0ull;
	note(hc_vcpu_op(VCPUOP_set_singleshot_timer, 0, &sst),
	     "set_singleshot_timer at 2^64-1 ns (negative as int64)");
	sst.timeout_abs_ns = (uint64_t)(guest_now() + NSEC_PER_SEC);
	expect(hc_vcpu_op(VCPUOP_set_singleshot_timer, 0, &sst), 0,
	       "set_singleshot_timer in 1 s");
	expect(hc_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL), 0,
	       "stop_singleshot_timer");

	/* Other and nonexistent vCPUs. */
	if (nr >= 2) {
		expect(hc_vcpu_op(VCPUOP_set_periodic_timer, 1, &per), E(EPERM),
		       "set_periodic_timer on vCPU 1");
		expect(hc_vcpu_op(VCPUOP_stop_periodic_timer, 1, NULL),
		       E(EPERM), "stop_periodic_timer on vCPU 1");
		expect(hc_vcpu_op(VCPUOP_set_singleshot_timer, 1, &sst),
		       E(EPERM), "set_singleshot_timer on vCPU 1");
		expect(hc_vcpu_op(VCPUOP_stop_singleshot_timer, 1, NULL),
		       E(EPERM), "stop_singleshot_timer on vCPU 1");
		ret = hc_vcpu_op(VCPUOP_get_runstate, 1, &rs);
		guest_check(ret == 0 && rs.state <= RUNSTATE_offline,
			    "get_runstate of vCPU 1: %s, state %u", err(ret),
			    rs.state);
		ret = hc_get_time(1);
		guest_check(ret > 0, "get_time of vCPU 1: %ld", ret);
	} else {
		printf("NOTE: 1 vCPU: the other-vCPU cases are not run\n");
	}
	for (i = 0; i < ARRAY_LEN(bad_ids); i++) {
		unsigned long long id = bad_ids[i];

		per.period_ns = NSEC_PER_MSEC;
		expect3(hypercall3(HYPERCALL_vcpu_op, VCPUOP_set_periodic_timer,
				   id, (uint64_t)&per),
			E(EPERM), E(EINVAL), E(ENOENT),
			"set_periodic_timer on vCPU %#llx", id);
		expect3(hypercall3(HYPERCALL_vcpu_op,
				   VCPUOP_stop_singleshot_timer, id, 0),
			E(EPERM), E(EINVAL), E(ENOENT),
			"stop_singleshot_timer on vCPU %#llx", id);
		expect2(hypercall3(HYPERCALL_vcpu_op, VCPUOP_get_runstate, id,
				   (uint64_t)&rs),
			E(EINVAL), E(ENOENT), "get_runstate of vCPU %#llx", id);
		expect2(hypercall3(HYPERCALL_vcpu_op, VCPUOP_get_time, id, 0),
			E(EINVAL), E(ENOENT), "get_time of vCPU %#llx", id);
	}
	hc_stop_periodic_timer(0);

	/* get_runstate output buffers. */
	ret = hc_vcpu_op(VCPUOP_get_runstate, 0, &rs);
	guest_check(ret == 0 && rs.state == RUNSTATE_running,
		    "get_runstate of ourselves: %s, state %u", err(ret),
		    rs.state);
	expect(hc_vcpu_op(VCPUOP_get_runstate, 0,
			  (void *)GUEST_START_INFO_VADDR),
	       E(EFAULT), "get_runstate into the read-only start-info page");
	expect(hc_vcpu_op(VCPUOP_get_runstate, 0, (void *)guest_vcpu_main),
	       E(EFAULT), "get_runstate into our own text");
	expect(hc_vcpu_op(VCPUOP_get_runstate, 0, (void *)(SHARED_END - 8)),
	       E(EFAULT), "get_runstate straddling the shared-info end");

	/* get_time agrees with vcpu_time_info. */
	t1 = guest_now();
	ret = hc_get_time(0);
	t2 = guest_now();
	guest_check(ret >= t1 - NSEC_PER_MSEC && ret <= t2 + NSEC_PER_MSEC,
		    "VCPUOP_get_time %ld within 1 ms of [%lld, %lld]", ret,
		    (long long)t1, (long long)t2);
}

/* port is the pending end of a loopback pair, a its sending end. */
static void check_sched_op(uint32_t a, uint32_t port)
{
	static const uint64_t cmds[] = {4, 5, 1000, 0xffffffffull, ~0ull};
	uint32_t ports[2] = {port, port};
	uint32_t odd_ports[] = {0, EVTCHN_PORTS, 0xffffffffu};
	struct sched_poll p;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(cmds); i++)
		expect(hypercall2(HYPERCALL_sched_op, cmds[i], 0), E(ENOSYS),
		       "sched_op command %#llx", (unsigned long long)cmds[i]);
	expect(hc_sched_op(SCHEDOP_yield, (void *)HV_ADDR), 0,
	       "SCHEDOP_yield ignores its arg");
	bad_ptr_sweep("SCHEDOP_poll", HYPERCALL_sched_op, SCHEDOP_poll, 1, 0);

#define POLL(ptr, n, pad_, t)                              \
	(p = (struct sched_poll){.ports = (uint64_t)(ptr), \
				 .nr_ports = (n),          \
				 .pad = (pad_),            \
				 .timeout_ns = (t)},       \
	 hc_sched_op(SCHEDOP_poll, &p))
	expect(POLL(ports, 0, 0, guest_now() + NSEC_PER_MSEC), E(EINVAL),
	       "SCHEDOP_poll of 0 ports");
	expect(POLL(ports, SCHED_POLL_MAX_PORTS + 1, 0,
		    guest_now() + NSEC_PER_MSEC),
	       E(E2BIG), "SCHEDOP_poll of SCHED_POLL_MAX_PORTS + 1 ports");
	expect(POLL(ports, 0xffffffffu, 0, guest_now() + NSEC_PER_MSEC),
	       E(E2BIG), "SCHEDOP_poll of 0xffffffff ports");
	expect(POLL(ports, 1, 1, guest_now() + NSEC_PER_MSEC), E(EINVAL),
	       "SCHEDOP_poll with pad 1");
	for (i = 0; i < ARRAY_LEN(bad_ptrs); i++)
		expect(POLL(bad_ptrs[i].addr, 2, 0,
			    guest_now() + NSEC_PER_MSEC),
		       E(EFAULT), "SCHEDOP_poll, port list %s",
		       bad_ptrs[i].name);
	expect(POLL(stack_bottom - 4, 2, 0, guest_now() + NSEC_PER_MSEC),
	       E(EFAULT), "SCHEDOP_poll, port list straddling the guard page");
	expect(POLL(ports, 2, 0, guest_now() + NSEC_PER_MSEC), E(ETIMEDOUT),
	       "SCHEDOP_poll of a valid list times out");
	for (i = 0; i < ARRAY_LEN(odd_ports); i++) {
		ports[1] = odd_ports[i];
		note(POLL(ports, 2, 0, guest_now() + NSEC_PER_MSEC),
		     "SCHEDOP_poll with port %#x in the list", odd_ports[i]);
	}
	ports[1] = port;
	/* Pending first: a hypervisor taking -1 for "no timeout" cannot hang. */
	evtchn_send(a);
	note(POLL(ports, 1, 0, -1), "SCHEDOP_poll (port pending), timeout -1");
	note(POLL(ports, 1, 0, INT64_MIN),
	     "SCHEDOP_poll (port pending), timeout INT64_MIN");
	evtchn_test_and_clear(port);
#undef POLL
}

static void check_shutdown(void)
{
	struct sched_shutdown s = {.reason = SHUTDOWN_MAX + 1};

	/* Any of these that is taken ends the run here. */
	bad_ptr_sweep("SCHEDOP_shutdown", HYPERCALL_sched_op, SCHEDOP_shutdown,
		      1, 0);
	expect(hc_sched_op(SCHEDOP_shutdown, &s), E(EINVAL),
	       "SCHEDOP_shutdown reason SHUTDOWN_MAX + 1");
	s.reason = 0xffffffffu;
	expect(hc_sched_op(SCHEDOP_shutdown, &s), E(EINVAL),
	       "SCHEDOP_shutdown reason 0xffffffff");
}

static const uint32_t bad_ports[] = {0, EVTCHN_PORTS, EVTCHN_PORTS + 1,
				     0xffffffffu};

static void check_port_ops(uint32_t loop_a, uint32_t free_port)
{
	static const unsigned int cmds[] = {EVTCHNOP_send, EVTCHNOP_close,
					    EVTCHNOP_mask, EVTCHNOP_unmask};
	static const char *const names[] = {"send", "close", "mask", "unmask"};
	struct evtchn_port_op op;
	struct evtchn_bind_vcpu bv;
	unsigned int i, j;
	uint64_t bit = 1ull << (loop_a % 64);

	for (i = 0; i < ARRAY_LEN(cmds); i++) {
		for (j = 0; j < ARRAY_LEN(bad_ports); j++) {
			op.port = bad_ports[j];
			expect2(hc_evtchn_op(cmds[i], &op), E(EINVAL),
				E(ENOENT), "EVTCHNOP_%s on port %#x", names[i],
				bad_ports[j]);
		}
		op.port = free_port;
		if (cmds[i] == EVTCHNOP_mask || cmds[i] == EVTCHNOP_unmask)
			note(hc_evtchn_op(cmds[i], &op),
			     "EVTCHNOP_%s on unallocated port %u", names[i],
			     free_port);
		else
			expect2(hc_evtchn_op(cmds[i], &op), E(EINVAL),
				E(ENOENT), "EVTCHNOP_%s on unallocated port %u",
				names[i], free_port);
	}
	for (j = 0; j < ARRAY_LEN(bad_ports); j++) {
		bv = (struct evtchn_bind_vcpu){.port = bad_ports[j]};
		expect2(hc_evtchn_op(EVTCHNOP_bind_vcpu, &bv), E(EINVAL),
			E(ENOENT), "EVTCHNOP_bind_vcpu of port %#x",
			bad_ports[j]);
	}
	bv = (struct evtchn_bind_vcpu){.port = loop_a,
				       .vcpu = guest_nr_vcpus()};
	expect2(hc_evtchn_op(EVTCHNOP_bind_vcpu, &bv), E(EINVAL), E(ENOENT),
		"EVTCHNOP_bind_vcpu to vCPU nr_vcpus");
	bv.vcpu = 0xffffffffu;
	expect2(hc_evtchn_op(EVTCHNOP_bind_vcpu, &bv), E(EINVAL), E(ENOENT),
		"EVTCHNOP_bind_vcpu to vCPU 0xffffffff");
	bv.vcpu = 0;
	expect(hc_evtchn_op(EVTCHNOP_bind_vcpu, &bv), 0,
	       "EVTCHNOP_bind_vcpu of a loopback port to vCPU 0");

	expect(evtchn_mask(loop_a), 0, "EVTCHNOP_mask");
	guest_check(guest_shared->evtchn_mask[loop_a / 64] & bit,
		    "EVTCHNOP_mask sets the mask bit");
	expect(evtchn_unmask(loop_a), 0, "EVTCHNOP_unmask");
	guest_check(!(guest_shared->evtchn_mask[loop_a / 64] & bit),
		    "EVTCHNOP_unmask clears the mask bit");
}

static void check_evtchn(void)
{
	static const uint64_t cmds[] = {8, 9, 1000, 0xffffffffull, ~0ull};
	static const uint16_t no_doms[] = {0x7fef, 0x7ff1, 0x7ff2, 0xffff,
					   4000};
	unsigned int nr = guest_nr_vcpus(), i, n;
	struct evtchn_bind_virq bvq;
	struct evtchn_alloc_unbound au;
	struct evtchn_bind_interdomain bi;
	struct evtchn_port_op op = {0};
	uint16_t self = guest_si->domid;
	const char *cmdline = guest_si->cmdline;
	char name[48];
	long ret, virq_port, a, b, u, free_port;
	uint32_t *all;

	for (i = 0; i < ARRAY_LEN(cmds); i++)
		expect(hypercall2(HYPERCALL_event_channel_op, cmds[i],
				  (uint64_t)&op),
		       E(ENOSYS), "event_channel_op command %#llx",
		       (unsigned long long)cmds[i]);
	for (i = 0; i <= EVTCHNOP_bind_vcpu; i++) {
		snprintf(name, sizeof(name), "event_channel_op command %u", i);
		bad_ptr_sweep(name, HYPERCALL_event_channel_op, i, 1, 0);
	}

	/* bind_virq */
	bvq = (struct evtchn_bind_virq){.virq = NR_VIRQS};
	expect(hc_evtchn_op(EVTCHNOP_bind_virq, &bvq), E(EINVAL),
	       "EVTCHNOP_bind_virq of virq NR_VIRQS");
	bvq.virq = 0xffffffffu;
	expect(hc_evtchn_op(EVTCHNOP_bind_virq, &bvq), E(EINVAL),
	       "EVTCHNOP_bind_virq of virq 0xffffffff");
	bvq = (struct evtchn_bind_virq){.virq = VIRQ_TIMER, .vcpu = nr};
	expect2(hc_evtchn_op(EVTCHNOP_bind_virq, &bvq), E(EINVAL), E(ENOENT),
		"EVTCHNOP_bind_virq for vCPU nr_vcpus");
	bvq.vcpu = 0xffffffffu;
	expect2(hc_evtchn_op(EVTCHNOP_bind_virq, &bvq), E(EINVAL), E(ENOENT),
		"EVTCHNOP_bind_virq for vCPU 0xffffffff");
	/* Output straddling the shared-info end: virq 0, vCPU 0, port beyond. */
	{
		struct evtchn_bind_virq *s = (void *)(SHARED_END - 8);

		s->virq = VIRQ_TIMER;
		s->vcpu = 0;
		expect(hc_evtchn_op(EVTCHNOP_bind_virq, s), E(EFAULT),
		       "EVTCHNOP_bind_virq, port straddling the shared-info "
		       "end");
	}
	/* Output in the read-only page: the zero tail of cmdline reads 0, 0. */
	if (strnlen(cmdline, START_INFO_CMDLINE_MAX) <
	    START_INFO_CMDLINE_MAX - 32) {
		const struct evtchn_bind_virq *ro =
			(const void *)&cmdline[START_INFO_CMDLINE_MAX - 16];

		if (ro->virq == 0 && ro->vcpu == 0 && ro->port == 0)
			expect(hc_evtchn_op(EVTCHNOP_bind_virq, (void *)ro),
			       E(EFAULT),
			       "EVTCHNOP_bind_virq into the read-only page");
	}
	expect(hypercall2(HYPERCALL_event_channel_op, EVTCHNOP_bind_virq,
			  (uint64_t)guest_vcpu_main),
	       E(EFAULT), "EVTCHNOP_bind_virq with its struct in our text");
	virq_port = evtchn_bind_virq_timer(0, NULL, NULL);
	guest_check(virq_port > 0,
		    "EVTCHNOP_bind_virq after the failed ones: %s (nothing "
		    "leaked)",
		    err(virq_port));
	bvq = (struct evtchn_bind_virq){.virq = VIRQ_TIMER, .vcpu = 0};
	expect(hc_evtchn_op(EVTCHNOP_bind_virq, &bvq), E(EEXIST),
	       "EVTCHNOP_bind_virq twice");
	if (nr >= 2) {
		ret = evtchn_bind_virq_timer(1, NULL, NULL);
		guest_check(ret > 0, "EVTCHNOP_bind_virq for vCPU 1: %s",
			    err(ret));
		if (ret > 0)
			evtchn_close((uint32_t)ret);
	}

	/* alloc_unbound */
	for (i = 0; i < ARRAY_LEN(no_doms); i++) {
		au = (struct evtchn_alloc_unbound){.remote_dom = no_doms[i]};
		expect(hc_evtchn_op(EVTCHNOP_alloc_unbound, &au), E(ENOENT),
		       "EVTCHNOP_alloc_unbound for domain %#x", no_doms[i]);
	}
	au = (struct evtchn_alloc_unbound){.remote_dom = DOMID_SELF, .pad = 1};
	ret = hc_evtchn_op(EVTCHNOP_alloc_unbound, &au);
	note(ret, "EVTCHNOP_alloc_unbound with pad 1");
	if (ret == 0)
		evtchn_close(au.port);
	{
		struct evtchn_alloc_unbound *s = (void *)(SHARED_END - 4);

		s->remote_dom = DOMID_SELF;
		s->pad = 0;
		expect(hc_evtchn_op(EVTCHNOP_alloc_unbound, s), E(EFAULT),
		       "EVTCHNOP_alloc_unbound, port straddling the "
		       "shared-info end");
	}

	/* A loopback pair, and an unallocated port number. */
	a = evtchn_alloc_unbound(DOMID_SELF, NULL, NULL);
	guest_check(a > 0, "EVTCHNOP_alloc_unbound(DOMID_SELF): %s", err(a));
	b = evtchn_bind_interdomain(self, (uint32_t)a, NULL, NULL);
	guest_check(b > 0, "EVTCHNOP_bind_interdomain(self, %ld): %s", a,
		    err(b));
	if (a <= 0 || b <= 0)
		return;
	bi = (struct evtchn_bind_interdomain){.remote_dom = self,
					      .remote_port = (uint32_t)a};
	expect2(hc_evtchn_op(EVTCHNOP_bind_interdomain, &bi), E(EINVAL),
		E(EBUSY), "EVTCHNOP_bind_interdomain to a bound port");
	bi.remote_port = (uint32_t)virq_port;
	expect2(hc_evtchn_op(EVTCHNOP_bind_interdomain, &bi), E(EINVAL),
		E(EBUSY), "EVTCHNOP_bind_interdomain to a VIRQ port");
	for (i = 0; i < ARRAY_LEN(bad_ports); i++) {
		bi.remote_port = bad_ports[i];
		expect2(hc_evtchn_op(EVTCHNOP_bind_interdomain, &bi), E(EINVAL),
			E(ENOENT), "EVTCHNOP_bind_interdomain to port %#x",
			bad_ports[i]);
	}
	for (i = 0; i < ARRAY_LEN(no_doms); i++) {
		bi = (struct evtchn_bind_interdomain){.remote_dom = no_doms[i],
						      .remote_port = 1};
		expect(hc_evtchn_op(EVTCHNOP_bind_interdomain, &bi), E(ENOENT),
		       "EVTCHNOP_bind_interdomain to domain %#x", no_doms[i]);
	}
	u = evtchn_alloc_unbound(DOMID_SELF, NULL, NULL);
	if (u > 0) {
		struct evtchn_bind_interdomain *s = (void *)(SHARED_END - 8);

		s->remote_dom = self;
		s->pad = 0;
		s->remote_port = (uint32_t)u;
		expect(hc_evtchn_op(EVTCHNOP_bind_interdomain, s), E(EFAULT),
		       "EVTCHNOP_bind_interdomain, local port straddling the "
		       "shared-info end");
		bi = (struct evtchn_bind_interdomain){.remote_dom = self,
						      .pad = 1,
						      .remote_port =
							      (uint32_t)u};
		ret = hc_evtchn_op(EVTCHNOP_bind_interdomain, &bi);
		note(ret, "EVTCHNOP_bind_interdomain with pad 1");
		if (ret == 0)
			evtchn_close(bi.local_port);
		op.port = (uint32_t)u;
		note(hc_evtchn_op(EVTCHNOP_send, &op),
		     "EVTCHNOP_send on an unbound port");
		ret = evtchn_bind_interdomain(self, (uint32_t)u, NULL, NULL);
		guest_check(
			ret > 0,
			"EVTCHNOP_bind_interdomain after the failed ones: %s",
			err(ret));
		if (ret > 0)
			evtchn_close((uint32_t)ret);
		evtchn_close((uint32_t)u);
	}
	free_port = EVTCHN_PORTS - 1;
	while (free_port == a || free_port == b || free_port == virq_port)
		free_port--;
	expect(evtchn_send((uint32_t)a), 0, "EVTCHNOP_send on a loopback port");
	guest_check(evtchn_test_and_clear((uint32_t)b),
		    "the loopback send made the other end pending");
	check_port_ops((uint32_t)a, (uint32_t)free_port);
	check_sched_op((uint32_t)a, (uint32_t)b);
	expect(evtchn_close((uint32_t)b), 0, "EVTCHNOP_close");
	op.port = (uint32_t)b;
	expect2(hc_evtchn_op(EVTCHNOP_close, &op), E(EINVAL), E(ENOENT),
		"EVTCHNOP_close twice");
	evtchn_close((uint32_t)a);

	/* Exhaustion: ENOSPC, then everything back. */
	all = guest_alloc(EVTCHN_PORTS * sizeof(uint32_t), 4);
	if (!all)
		return;
	for (n = 0; n < EVTCHN_PORTS; n++) {
		ret = evtchn_alloc_unbound(DOMID_SELF, NULL, NULL);
		if (ret <= 0)
			break;
		all[n] = (uint32_t)ret;
	}
	expect(ret, E(ENOSPC),
	       "EVTCHNOP_alloc_unbound until none are left "
	       "(%u allocated)",
	       n);
	while (n)
		evtchn_close(all[--n]);
	ret = evtchn_alloc_unbound(DOMID_SELF, NULL, NULL);
	guest_check(ret > 0, "EVTCHNOP_alloc_unbound after closing them: %s",
		    err(ret));
	if (ret > 0)
		evtchn_close((uint32_t)ret);
	evtchn_close((uint32_t)virq_port);
}

static void check_callbacks(void)
{
	static const uint64_t bad[] = {HV_ADDR, DIRECTMAP, GUEST_VADDR_END,
				       0x8000000000000000ull, ~0ull};
	unsigned int i;
	int64_t deadline, woke;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		expect2(hc_set_callbacks(bad[i]), E(EINVAL), E(EFAULT),
			"set_callbacks(%#llx)", (unsigned long long)bad[i]);
		hc_set_callbacks((uint64_t)guest_upcall_entry);
	}
	expect(hc_set_callbacks(0), 0, "set_callbacks(0) unregisters");
	expect(hc_set_callbacks((uint64_t)guest_upcall_entry), 0,
	       "set_callbacks(our entry)");

	/* The upcall still works. */
	guest_events_enable();
	deadline = guest_now() + NSEC_PER_MSEC;
	woke = guest_sleep_until(deadline);
	guest_check(woke >= deadline, "an upcall after all that (%lld ns late)",
		    (long long)(woke - deadline));
	guest_events_save();
}

static void check_domain_op(void)
{
	static const uint64_t cmds[] = {1, 2, 1000, 0xffffffffull, ~0ull};
	struct domain_lookup l = {.domid = 0};
	uint16_t domid = 0xffff;
	unsigned int i;
	long ret;

	for (i = 0; i < ARRAY_LEN(cmds); i++)
		expect(hypercall2(HYPERCALL_domain_op, cmds[i], (uint64_t)&l),
		       E(ENOSYS), "domain_op command %#llx",
		       (unsigned long long)cmds[i]);
	bad_ptr_sweep("DOMOP_lookup", HYPERCALL_domain_op, DOMOP_lookup, 1, 0);
	ret = hc_domain_lookup(guest_si->name, &domid);
	guest_check(ret == 0 && domid == guest_si->domid,
		    "DOMOP_lookup of our own name %s: %s, domain %u (want %u)",
		    guest_si->name, err(ret), domid, guest_si->domid);
	expect(hc_domain_lookup("no-such-domain-here", &domid), E(ENOENT),
	       "DOMOP_lookup of an unknown name");
	expect2(hc_domain_lookup("", &domid), E(ENOENT), E(EINVAL),
		"DOMOP_lookup of the empty name");
	memset(l.name, 'A', sizeof(l.name));
	expect2(hc_domain_op(DOMOP_lookup, &l), E(EINVAL), E(ENOENT),
		"DOMOP_lookup of an unterminated name");
	strlcpy(l.name, guest_si->name, sizeof(l.name));
	l.pad[0] = 1;
	note(hc_domain_op(DOMOP_lookup, &l), "DOMOP_lookup with pad 1");
	expect(hc_domain_op(DOMOP_lookup, (void *)guest_si->name), E(EFAULT),
	       "DOMOP_lookup with domid in the read-only page");
	{
		struct domain_lookup *s = (void *)(SHARED_END - 32);

		strlcpy(s->name, guest_si->name, sizeof(s->name));
		expect(hc_domain_op(DOMOP_lookup, s), E(EFAULT),
		       "DOMOP_lookup, domid straddling the shared-info end");
	}
}

void guest_vcpu_main(unsigned int vcpu)
{
	if (vcpu != 0)
		return;
	stack_bottom = guest_stack_top(0) - GUEST_STACK_SIZE;
	printf("badargs: domain %u (%s), %u vCPU(s)\n", guest_si->domid,
	       guest_si->name, guest_nr_vcpus());

	check_numbers();
	check_console();
	check_set_timer_op();
	check_vcpu_op();
	check_evtchn();
	check_domain_op();
	check_callbacks();
	check_shutdown();
	printf("badargs: %u checks, %u failed\n", nr_checks, guest_failures());
}
