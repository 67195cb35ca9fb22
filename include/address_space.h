/*
 * Guest address spaces (arch/x86/address_space.c): a top-level page table
 * per domain whose lower half maps the guest's pages with user
 * permissions and whose upper half is the hypervisor's, shared and
 * supervisor-only.
 *
 * Concurrency: a domain's address space is built before the domain runs
 * and torn down after none of its vCPUs runs; the calls below take no
 * locks and must not race with each other on one address space.
 */
#ifndef KAIROS_ADDRESS_SPACE_H
#define KAIROS_ADDRESS_SPACE_H

#include <types.h>

/* Guest page permissions; at most one of W and X (no W+X, ever). */
#define AS_READ	 0x1
#define AS_WRITE 0x2
#define AS_EXEC	 0x4

struct address_space {
	paddr_t root;		 /* the top-level table, 0 if none */
	unsigned long nr_tables; /* page-table pages, for the books */
};

/* Allocates an empty address space. 0 or -ENOMEM. */
int as_create(struct address_space *as);

/*
 * Maps the guest page at va (page aligned, below GUEST_VADDR_END) to the
 * frame pa with perms. 0, -EINVAL (bad va, W+X, already mapped) or
 * -ENOMEM.
 */
int as_map_page(struct address_space *as, u64 va, paddr_t pa,
		unsigned int perms);

/* Frees the page tables (not the mapped frames). as->root becomes 0. */
void as_destroy(struct address_space *as);

/* Loads as (or the idle tables for NULL) on this CPU. */
void as_switch(const struct address_space *as);

#endif /* KAIROS_ADDRESS_SPACE_H */
