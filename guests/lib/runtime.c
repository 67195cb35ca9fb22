/*
 * The guest runtime's core: start-up, vCPU identity, shutdown, test
 * conventions, arguments, the heap, locks and small helpers.
 *
 * Start-up: every vCPU enters guest_start() from _start (start.S). Each
 * records its stack top first (guest_vcpu_id() needs it); vCPU 0 checks
 * the start-info page and splits the argument string, then releases the
 * others; every vCPU then runs guest_vcpu_main(). vCPU 0 waits, after its
 * own return, for all the others to return, and shuts the domain down.
 */
#include "guest.h"

#define LINE_MAX 200

const struct start_info *guest_si;
struct shared_info *guest_shared;

static uint64_t stack_tops[SHARED_INFO_MAX_VCPUS];
static unsigned int nr_vcpus = 1;
static volatile int runtime_ready;
static unsigned int vcpus_returned;
static unsigned int failures;

/* Per-vCPU console line. */
struct line {
	char buf[LINE_MAX];
	unsigned int len;
};
static struct line lines[SHARED_INFO_MAX_VCPUS];

/* The argument string, split into NUL-terminated words. */
static char args[START_INFO_CMDLINE_MAX];
static unsigned int nr_words;
static const char *words[START_INFO_CMDLINE_MAX / 2];

void guest_start(const struct start_info *si, unsigned long vcpu,
		 uint64_t stack_top) __noreturn_fn;

/* A message without printf, for when the runtime itself cannot start. */
static void __noreturn_fn early_crash(const char *msg, uint32_t code)
{
	hc_console_write(msg, strlen(msg));
	hc_shutdown(SHUTDOWN_crash, code);
	for (;;)
		__asm__ __volatile__("ud2");
}

static void split_args(const char *cmdline)
{
	unsigned int i = 0;

	strlcpy(args, cmdline, sizeof(args));
	while (args[i] && nr_words < ARRAY_LEN(words)) {
		while (args[i] == ' ' || args[i] == '\t')
			args[i++] = '\0';
		if (!args[i])
			break;
		words[nr_words++] = &args[i];
		while (args[i] && args[i] != ' ' && args[i] != '\t')
			i++;
	}
}

void guest_start(const struct start_info *si, unsigned long vcpu,
		 uint64_t stack_top)
{
	if (vcpu >= SHARED_INFO_MAX_VCPUS)
		early_crash("guest runtime: vCPU number out of range\n", 1);
	WRITE_ONCE(stack_tops[vcpu], stack_top);

	if (vcpu == 0) {
		if (si->magic != START_INFO_MAGIC)
			early_crash("guest runtime: bad start_info magic\n", 2);
		if (KAIROS_ABI_MAJOR(si->abi_version) !=
		    KAIROS_ABI_MAJOR(KAIROS_ABI_VERSION))
			early_crash("guest runtime: ABI major mismatch\n", 3);
		if (si->nr_vcpus == 0 || si->nr_vcpus > SHARED_INFO_MAX_VCPUS)
			early_crash("guest runtime: bad nr_vcpus\n", 4);
		nr_vcpus = si->nr_vcpus;
		guest_shared = (struct shared_info *)si->shared_info;
		split_args(si->cmdline);
		guest_si = si;
		__atomic_store_n(&runtime_ready, 1, __ATOMIC_RELEASE);
	} else {
		while (!__atomic_load_n(&runtime_ready, __ATOMIC_ACQUIRE))
			cpu_relax();
		if (vcpu >= nr_vcpus)
			early_crash("guest runtime: vCPU beyond nr_vcpus\n", 5);
	}
	/*
	 * The upcall entry is registered on every vCPU (the ABI does not say
	 * whether it is per vCPU or per domain) before anything can unmask
	 * events: SCHEDOP_block unmasks them too.
	 */
	if (hc_set_callbacks((uint64_t)guest_upcall_entry) < 0)
		early_crash("guest runtime: HYPERCALL_set_callbacks failed\n",
			    6);

	guest_vcpu_main((unsigned int)vcpu);
	guest_flush();

	if (vcpu != 0) {
		/* Timers off, then sleep for good: block only ever returns. */
		hc_stop_periodic_timer((unsigned int)vcpu);
		hc_set_timer_op(0);
		atomic_add(&vcpus_returned, 1);
		for (;;)
			guest_block();
	}
	while (atomic_load(&vcpus_returned) != nr_vcpus - 1)
		guest_yield();
	if (failures) {
		printf("guest: %u check(s) failed\n", failures);
		guest_exit(SHUTDOWN_crash, failures);
	}
	guest_exit(SHUTDOWN_poweroff, 0);
}

unsigned int guest_nr_vcpus(void)
{
	return nr_vcpus;
}

unsigned int guest_vcpu_id(void)
{
	uint64_t sp;
	unsigned int i;

	__asm__("mov %%rsp, %0" : "=r"(sp));

	for (i = 0; i < SHARED_INFO_MAX_VCPUS; i++) {
		uint64_t top = READ_ONCE(stack_tops[i]);

		if (top && sp < top && sp >= top - GUEST_STACK_SIZE)
			return i;
	}
	return 0;
}

uint64_t guest_stack_top(unsigned int vcpu)
{
	return vcpu < SHARED_INFO_MAX_VCPUS ? stack_tops[vcpu] : 0;
}

struct vcpu_info *guest_vcpu_info(void)
{
	return &guest_shared->vcpu_info[guest_vcpu_id()];
}

void guest_exit(uint32_t reason, uint32_t code)
{
	long ret;

	guest_flush();
	ret = hc_shutdown(reason, code);
	printf("FAIL: SCHEDOP_shutdown returned %ld\n", ret);
	guest_flush();
	for (;;)
		__asm__ __volatile__("ud2");
}

void guest_barrier(void)
{
	static unsigned int count;
	static volatile unsigned int generation;
	unsigned int gen = READ_ONCE(generation);

	if (atomic_add(&count, 1) == nr_vcpus) {
		WRITE_ONCE(count, 0);
		__atomic_store_n(&generation, gen + 1, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&generation, __ATOMIC_ACQUIRE) == gen)
		guest_yield();
}

void *guest_alloc(size_t size, size_t align)
{
	static spinlock_t lock = SPINLOCK_INIT;
	static uint64_t next;
	uint64_t start, end = guest_si->heap_start + guest_si->heap_size;
	bool flags;
	void *p = NULL;

	if (!align || (align & (align - 1)))
		return NULL;
	flags = spin_lock_irqsave(&lock);
	if (!next)
		next = guest_si->heap_start;
	start = (next + align - 1) & ~(uint64_t)(align - 1);
	if (start >= next && start <= end && size <= end - start) {
		next = start + size;
		p = (void *)start;
	}
	spin_unlock_irqrestore(&lock, flags);
	return p;
}

/* ---------------------------------------------------------------------------
 * Console
 */

static void line_flush(struct line *l)
{
	if (l->len) {
		hc_console_write(l->buf, l->len);
		l->len = 0;
	}
}

void guest_flush(void)
{
	bool flags = guest_events_save();

	line_flush(&lines[guest_vcpu_id()]);
	guest_events_restore(flags);
}

int vprintf(const char *fmt, va_list ap)
{
	char tmp[LINE_MAX * 2];
	struct line *l;
	bool flags;
	int n, i, len;

	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	len = n < (int)sizeof(tmp) ? n : (int)sizeof(tmp) - 1;
	/* Masked: a handler's printf must not interleave with ours. */
	flags = guest_events_save();
	l = &lines[guest_vcpu_id()];
	for (i = 0; i < len; i++) {
		l->buf[l->len++] = tmp[i];
		if (tmp[i] == '\n' || l->len == LINE_MAX)
			line_flush(l);
	}
	guest_events_restore(flags);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

/* ---------------------------------------------------------------------------
 * Test conventions
 */

static void vreport(const char *tag, const char *fmt, va_list ap)
{
	char msg[LINE_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	printf("%s: %s\n", tag, msg);
}

void guest_pass(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("PASS", fmt, ap);
	va_end(ap);
}

void guest_fail(const char *fmt, ...)
{
	va_list ap;

	atomic_add(&failures, 1);
	va_start(ap, fmt);
	vreport("FAIL", fmt, ap);
	va_end(ap);
}

bool guest_check(bool ok, const char *what, ...)
{
	va_list ap;

	if (!ok)
		atomic_add(&failures, 1);
	va_start(ap, what);
	vreport(ok ? "PASS" : "FAIL", what, ap);
	va_end(ap);
	return ok;
}

unsigned int guest_failures(void)
{
	return atomic_load(&failures);
}

void guest_panic(const char *fmt, ...)
{
	va_list ap;

	atomic_add(&failures, 1);
	va_start(ap, fmt);
	vreport("FAIL", fmt, ap);
	va_end(ap);
	guest_exit(SHUTDOWN_crash, 0xdead);
}

void guest_assert_fail(const char *cond, const char *file, int line)
{
	guest_panic("assertion `%s' at %s:%d (vCPU %u)", cond, file, line,
		    guest_vcpu_id());
}

const char *guest_strerror(long ret, char *buf, size_t size)
{
	static const struct {
		long err;
		const char *name;
	} names[] = {
		{KERR_EPERM, "EPERM"},	 {KERR_ENOENT, "ENOENT"},
		{KERR_E2BIG, "E2BIG"},	 {KERR_ENOMEM, "ENOMEM"},
		{KERR_EFAULT, "EFAULT"}, {KERR_EBUSY, "EBUSY"},
		{KERR_EEXIST, "EEXIST"}, {KERR_EINVAL, "EINVAL"},
		{KERR_ENOSPC, "ENOSPC"}, {KERR_ENOSYS, "ENOSYS"},
		{KERR_ETIME, "ETIME"},	 {KERR_ETIMEDOUT, "ETIMEDOUT"},
	};
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(names); i++) {
		if (ret == -names[i].err) {
			snprintf(buf, size, "-KERR_%s", names[i].name);
			return buf;
		}
	}
	snprintf(buf, size, "%ld", ret);
	return buf;
}

/* ---------------------------------------------------------------------------
 * Arguments
 */

const char *guest_arg(const char *key)
{
	size_t klen = strlen(key);
	const char *found = NULL;
	unsigned int i;

	for (i = 0; i < nr_words; i++) {
		const char *w = words[i];

		if (strncmp(w, key, klen))
			continue;
		if (w[klen] == '=')
			found = w + klen + 1;
		else if (w[klen] == '\0')
			found = "";
	}
	return found;
}

/* Parses an unsigned number at *p; false if there is none or it overflows. */
static bool parse_u64(const char **p, uint64_t *out)
{
	const char *s = *p;
	unsigned int base = 10;
	uint64_t v = 0;
	bool any = false;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
		any = true;
	}
	*p = s;
	*out = v;
	return any;
}

uint64_t guest_arg_u64(const char *key, uint64_t def)
{
	const char *v = guest_arg(key);
	uint64_t n;

	if (!v)
		return def;
	if (!parse_u64(&v, &n) || *v)
		guest_panic("argument %s=%s: expected a number", key,
			    guest_arg(key));
	return n;
}

int64_t guest_arg_ns(const char *key, int64_t def)
{
	static const struct {
		const char *unit;
		uint64_t mul;
	} units[] = {
		{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000}};
	const char *v = guest_arg(key);
	uint64_t n;
	unsigned int i;

	if (!v)
		return def;
	if (parse_u64(&v, &n)) {
		for (i = 0; i < ARRAY_LEN(units); i++) {
			if (strcmp(v, units[i].unit))
				continue;
			if (n > (uint64_t)INT64_MAX / units[i].mul)
				break;
			return (int64_t)(n * units[i].mul);
		}
	}
	guest_panic("argument %s=%s: expected a time (10ms, 500us, 2s, ...)",
		    key, guest_arg(key));
}

/* ---------------------------------------------------------------------------
 * Locks
 */

void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (READ_ONCE(l->locked))
			cpu_relax();
}

void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

bool spin_lock_irqsave(spinlock_t *l)
{
	bool flags = guest_events_save();

	spin_lock(l);
	return flags;
}

void spin_unlock_irqrestore(spinlock_t *l, bool was_masked)
{
	spin_unlock(l);
	guest_events_restore(was_masked);
}

/* ---------------------------------------------------------------------------
 * Sorting and statistics
 */

static void sift_down(int64_t *v, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;
		int64_t t;

		if (child >= n)
			return;
		if (child + 1 < n && v[child + 1] > v[child])
			child++;
		if (v[root] >= v[child])
			return;
		t = v[root];
		v[root] = v[child];
		v[child] = t;
		root = child;
	}
}

void guest_sort_s64(int64_t *v, size_t n)
{
	size_t i;

	if (n < 2)
		return;
	for (i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (i = n - 1; i > 0; i--) {
		int64_t t = v[0];

		v[0] = v[i];
		v[i] = t;
		sift_down(v, 0, i);
	}
}

void guest_stats_print(const char *what, int64_t *v, size_t n)
{
	if (!n) {
		printf("%s: n=0\n", what);
		return;
	}
	guest_sort_s64(v, n);
	printf("%s: n=%zu min=%lld median=%lld p99=%lld max=%lld ns\n", what, n,
	       (long long)v[0], (long long)v[n / 2],
	       (long long)v[(n * 99) / 100], (long long)v[n - 1]);
}
