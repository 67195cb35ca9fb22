/*
 * hvmfuzz: the hostile HVM guest. mode= picks what it does (default
 * fuzz); the modes that pass print one KTAP result and end with the PASS
 * verdict, the others say what the hypervisor should do and then do what
 * ends the domain.
 */
#include "console.h"
#include "exit.h"
#include "hvmfuzz.h"
#include "image.h"
#include "lapic.h"
#include "options.h"
#include "time.h"

#define DEFAULT_COUNT	 1000000
#define DEFAULT_STORM_NS (1000 * NSEC_PER_MSEC)

struct fuzz_options fuzz_opts;

static const char *const known_options[] = {
	"mode", "count",      "seed",	    "ops", "bare",
	"time", "lapic_mode", "trace_from", NULL,
};

struct mode {
	const char *name;
	bool (*run)(void); /* a mode with a verdict */
	void (*end)(void); /* a mode that ends the domain */
};

static const struct mode modes[] = {
	{"fuzz", run_fuzz, NULL},
	{"ipi_storm", run_ipi_storm, NULL},
	{"noncanonical", run_noncanonical, NULL},
	{"triple", NULL, run_triple},
	{"init_self", NULL, run_init_self},
	{"halt_forever", NULL, run_halt_forever},
};

static unsigned int parse_ops(const char *s)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} names[] = {{"msr", OP_MSR},
		     {"io", OP_IO},
		     {"cpuid", OP_CPUID},
		     {"mmio", OP_MMIO}};
	unsigned int ops = 0, i;

	while (*s) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);

		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (strlen(names[i].name) == len &&
			    !strncmp(s, names[i].name, len))
				ops |= names[i].bit;
		s += len + (end != NULL);
	}
	return ops ? ops : OP_ALL;
}

static __noreturn void fuzz_main(void)
{
	const char *name = option_str("mode", "fuzz");
	const struct mode *m = NULL;
	unsigned int i;
	bool pass;

	fuzz_opts = (struct fuzz_options){
		.count = option_u64("count", DEFAULT_COUNT),
		.seed = option_u64("seed", 1),
		.ops = parse_ops(option_str("ops", "")),
		.bare = option_bool("bare", false),
		.storm_ns = option_ns("time", NSEC_PER_MSEC, DEFAULT_STORM_NS),
		.trace_from = option_u64("trace_from", ~0ULL),
	};
	for (i = 0; i < ARRAY_SIZE(modes); i++)
		if (!strcmp(modes[i].name, name))
			m = &modes[i];
	if (!m) {
		printf("FAIL: hvmfuzz: mode=%s: expected fuzz, ipi_storm, "
		       "noncanonical, triple, init_self or halt_forever\n",
		       name);
		machine_exit(false);
	}
	if (!strcmp(option_str("lapic_mode", "xapic"), "x2apic") &&
	    x2apic_supported())
		lapic_init(LAPIC_X2APIC);
	sti();
	if (m->end) {
		m->end();
		machine_exit(false);
	}
	printf("KTAP version 1\n1..1\n");
	pass = m->run();
	printf("%sok 1 %s\n", pass ? "" : "not ", m->name);
	machine_exit(pass);
}

const struct image image = {
	.name = "hvmfuzz",
	.options = known_options,
	.main = fuzz_main,
};
