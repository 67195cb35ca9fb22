/*
 * The start-info page: what a domain is told when its vCPUs start.
 *
 * Every vCPU starts at the image's entry point with %rdi = the address of
 * this page (GUEST_START_INFO_VADDR), %rsi = the vCPU's number, %rsp =
 * the top of that vCPU's stack (16-byte aligned), interrupts (events)
 * masked in its vcpu_info, and all other registers zero. The page is
 * read-only for the guest.
 */
#ifndef KAIROS_PUBLIC_START_INFO_H
#define KAIROS_PUBLIC_START_INFO_H

#include <stdint.h>

#define START_INFO_MAGIC       0x534f5249414bull /* "KAIROS" little-endian */
#define START_INFO_NAME_MAX    32		 /* with the NUL */
#define START_INFO_CMDLINE_MAX 1024		 /* with the NUL */
#define GUEST_STACK_SIZE       (64ull * 1024) /* per vCPU, guard page below */

struct start_info {
	uint64_t magic;	      /* START_INFO_MAGIC */
	uint32_t abi_version; /* KAIROS_ABI_VERSION */
	uint16_t domid;	      /* this domain's id */
	uint16_t nr_vcpus;    /* vCPUs 0 .. nr_vcpus - 1 all start */
	uint64_t shared_info; /* GUEST_SHARED_INFO_VADDR */
	uint64_t heap_start;  /* free read-write memory, page aligned */
	uint64_t heap_size;   /* bytes; may be 0 */
	uint64_t mem_size;    /* the domain's whole allotment (mem=) */
	uint64_t tsc_hz;      /* the hypervisor's TSC calibration */
	char name[START_INFO_NAME_MAX];	      /* name= from the module line */
	char cmdline[START_INFO_CMDLINE_MAX]; /* args= from the module line */
};

#endif /* KAIROS_PUBLIC_START_INFO_H */
