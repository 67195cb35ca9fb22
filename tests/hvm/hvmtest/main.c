/*
 * hvmtest: the HVM test kernel. Starts every CPU, then runs the suites
 * test= selects (ktap.h), in the LAPIC modes lapic_mode= names.
 */
#include "console.h"
#include "hvmtest.h"
#include "image.h"
#include "lapic.h"
#include "options.h"
#include "smp.h"
#include "time.h"

#define DEFAULT_MAX_LATENCY_NS (50 * NSEC_PER_MSEC)
#define DEFAULT_IPI_ROUNDS     200

struct expectations expect;

static const struct test_suite *const suites[] = {
	&cpuid_suite, &apic_suite,  &tpr_suite,	    &timer_suite,
	&smp_suite,   &hlt_suite,   &uart_suite,    &ioapic_suite,
	&rtc_suite,   &fwcfg_suite, &pvclock_suite,
};

static const char *const known_options[] = {
	"test",
	"lapic_mode",
	"expect_vcpus",
	"expect_x2apic",
	"expect_x2apic_madt",
	"expect_tsc_deadline",
	"expect_arat",
	"expect_hypervisor",
	"strict",
	"max_latency",
	"ipi_rounds",
	"bench",
	"bench_count",
	"bench_timer_count",
	"expect_kvmclock",
	NULL,
};

bool check_strict(struct test *t, bool ok, const char *fmt, ...)
{
	char msg[160];
	va_list args;

	if (ok)
		return true;
	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	if (expect.strict)
		test_fail(t, __FILE__, __LINE__, "%s (strict=1)", msg);
	else
		test_skip(t, "%s (strict=1 makes this a failure)", msg);
	return false;
}

static struct run_modes parse_modes(void)
{
	const char *s = option_str("lapic_mode", "both");
	struct run_modes m = {.mode = {LAPIC_XAPIC}, .n = 1};

	if (strcmp(s, "x2apic") == 0) {
		m.mode[0] = LAPIC_X2APIC;
	} else if (strcmp(s, "both") == 0) {
		m.mode[1] = LAPIC_X2APIC;
		m.n = 2;
	} else if (strcmp(s, "xapic") != 0) {
		printf("# hvmtest: lapic_mode=%s: expected xapic, x2apic or "
		       "both; using both\n",
		       s);
		m.mode[1] = LAPIC_X2APIC;
		m.n = 2;
	}
	return m;
}

static __noreturn void hvmtest_main(void)
{
	struct run_modes modes = parse_modes();

	expect = (struct expectations){
		.vcpus = (unsigned int)option_u64("expect_vcpus", 0),
		.x2apic = option_bool("expect_x2apic", false),
		.x2apic_madt = option_bool("expect_x2apic_madt", false),
		.tsc_deadline = option_bool("expect_tsc_deadline", false),
		.arat = option_bool("expect_arat", false),
		.hypervisor = option_bool("expect_hypervisor", false),
		.strict = option_bool("strict", false),
		.max_latency_ns = option_ns("max_latency", NSEC_PER_USEC,
					    DEFAULT_MAX_LATENCY_NS),
		.ipi_rounds = (unsigned int)option_u64("ipi_rounds",
						       DEFAULT_IPI_ROUNDS),
	};
	/* The APs start in the first mode of the run. */
	if (modes.mode[0] == LAPIC_X2APIC && x2apic_supported())
		smp_set_lapic_mode(LAPIC_X2APIC);
	sti();
	smp_start_aps();
	printf("hvmtest: SMP: %u CPUs online (%u of %u APs started in %lu ms)\n",
	       nr_cpus_online, smp_boot.started,
	       smp_boot.listed ? smp_boot.listed - 1 : 0,
	       (unsigned long)(smp_boot.elapsed_ns / NSEC_PER_MSEC));
	if (option_bool("bench", false))
		run_bench();
	run_suites(image.name, suites, ARRAY_SIZE(suites), modes);
}

const struct image image = {
	.name = "hvmtest",
	.options = known_options,
	.main = hvmtest_main,
};
