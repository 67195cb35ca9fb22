/*
 * Guest domain parameters from a multiboot2 module's command line
 * (common/domain_config.c). docs/guest-images.md is the reference for
 * the keys; this header is the reference for the API.
 *
 * The command line holds options only. GRUB 2 passes, for
 * `module2 /boot/guest.elf vcpus=2 mem=32M`, the words after the path
 * ("vcpus=2 mem=32M": grub-core/loader/multiboot.c hands argv + 1 to
 * add_module), and that is what boot_info.modules[].cmdline holds. A
 * first word that looks like a path (it starts with '/') is refused with
 * a message saying so, in case some other loader puts it there.
 *
 * Syntax, as for the hypervisor's own command line (include/param.h):
 * blank-separated key=value words; a double quote toggles quoting and is
 * dropped, a backslash makes the next byte literal; a key given twice
 * takes its last value. Unlike the hypervisor's command line, any unknown
 * key or bad value refuses the whole configuration: a domain built from
 * half of what was asked for would be a surprise.
 *
 * Concurrency: pure functions of their arguments (no globals, nothing
 * printed); any context, any CPU.
 */
#ifndef KAIROS_DOMAIN_CONFIG_H
#define KAIROS_DOMAIN_CONFIG_H

#include <cpumask.h>
#include <types.h>

/* name=: 1 to 31 of [A-Za-z0-9_-]; the default is "dom<index>". */
#define DOMAIN_NAME_MAX 31
/* vcpus=: 1 to 64, default 1. */
#define DOMAIN_MAX_VCPUS 64
/* mem=: a multiple of 4 KiB from 1 MiB to the caller's limit. */
#define DOMAIN_MEM_MIN	   (1UL << 20)
#define DOMAIN_MEM_DEFAULT (16UL << 20)
#define DOMAIN_MEM_ALIGN   4096UL
/*
 * args=: up to 255 bytes handed to the guest in its start-info page,
 * e.g. args="mode=cli count=5" (the quotes keep the blanks in one value;
 * the guest runtime splits at blanks).
 */
#define DOMAIN_ARGS_MAX 256
/*
 * type=: pv (the default: an ELF64 image for the Kairos ABI in ring 3)
 * or hvm (an unmodified kernel on hardware-assisted virtualisation,
 * include/hvm.h; its command line is cmdline=, up to 1023 bytes).
 */
enum domain_type { DOMAIN_PV, DOMAIN_HVM };
#define DOMAIN_CMDLINE_MAX 1024
/* weight=: 1 to 65535, default 256 (Xen's credit scheduler default). */
#define DOMAIN_WEIGHT_DEFAULT 256
#define DOMAIN_WEIGHT_MAX     65535
/* cap=: percent of one CPU, 0 (no cap) to 100 per vCPU. */
#define DOMAIN_CAP_PER_VCPU 100
/*
 * period= and budget=: both or neither, budget <= period. The floors keep
 * the scheduler timer from firing more often than every 100 us for one
 * vCPU's replenishments, and a budget from being mostly switching
 * overhead; the ceiling bounds how long an unused reservation lasts.
 */
#define DOMAIN_PERIOD_MIN_NS (100 * 1000LL)	 /* 100 us */
#define DOMAIN_PERIOD_MAX_NS (10 * 1000000000LL) /* 10 s */
#define DOMAIN_BUDGET_MIN_NS (10 * 1000LL)	 /* 10 us */

/* What one module's command line asks for, defaults filled in. */
struct domain_config {
	char name[DOMAIN_NAME_MAX + 1]; /* NUL-terminated, 1..31 chars */
	unsigned int vcpus;		/* 1..DOMAIN_MAX_VCPUS */
	u64 mem;			/* bytes, DOMAIN_MEM_ALIGN multiple */
	cpumask_t affinity;		/* CPUs the vCPUs may run on */
	bool affinity_given;		/* false: every CPU (the default) */
	unsigned int weight;		/* 1..DOMAIN_WEIGHT_MAX */
	unsigned int cap;		/* percent, 0 = uncapped */
	s64 period_ns;			/* 0 = no real-time reservation */
	s64 budget_ns;			/* 0 iff period_ns is 0; <= period */
	bool gang;			/* co-schedule all vCPUs together */
	char gang_name[DOMAIN_NAME_MAX + 1]; /* the gang; "" unless gang */
	char args[DOMAIN_ARGS_MAX];	     /* args=: for the guest, "" */
	enum domain_type type;		     /* type= */
	char cmdline[DOMAIN_CMDLINE_MAX];    /* cmdline=: an HVM kernel's, "" */
};

/*
 * Fills *cfg with the defaults: name "dom<index>", 1 vCPU,
 * DOMAIN_MEM_DEFAULT, every CPU, weight 256, no cap, no period and
 * budget, no gang. index is the module's number (boot_info.modules[]).
 */
void domain_config_defaults(struct domain_config *cfg, unsigned int index);

/*
 * Parses a module command line (NULL counts as "") into *cfg, starting
 * from domain_config_defaults(cfg, index). mem_limit is the most memory
 * the domain may have, in bytes (mem= above it is refused, and so is the
 * default if it is above). Returns 0, or -EINVAL with a one-line reason
 * in err (always NUL-terminated if errlen > 0; "" on success) that names
 * the option as typed and the form it accepts (256 bytes hold any
 * message whole); on failure *cfg holds the defaults. Checks that need several keys (cap against vcpus, period with
 * budget, a gang's vCPUs against its affinity) run after the whole line.
 *
 * Not checked here, since they need the rest of the system: that the name
 * is unique, that the affinity meets the online CPUs, that the image fits
 * in mem (pass cfg->mem as elf_image_limits.mem_limit for that).
 */
int domain_config_parse(const char *cmdline, unsigned int index, u64 mem_limit,
			struct domain_config *cfg, char *err, size_t errlen);

/*
 * Parses a CPU list into *mask: comma-separated items, each a CPU number
 * or an inclusive range "first-last" (decimal), or the single word "all"
 * (every CPU below NR_CPUS). "0-3,6" is CPUs 0, 1, 2, 3 and 6. Returns 0,
 * -EINVAL if the list is empty or malformed (a range backwards, a stray
 * character), or -ERANGE if it names a CPU at or above NR_CPUS; *mask is
 * only written on success. (A general cpumask facility: it lives here
 * until common/cpumask.c grows a parser of its own.)
 */
int cpulist_parse(const char *list, cpumask_t *mask);

#endif /* KAIROS_DOMAIN_CONFIG_H */
