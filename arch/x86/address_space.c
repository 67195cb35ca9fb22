/*
 * Guest address spaces: 4-level page tables whose lower half maps guest
 * frames with _PAGE_USER and whose upper half is a copy of the
 * hypervisor's top-level entries (supervisor-only, so SMEP/SMAP and the
 * U/S bit keep the guest out of them).
 */
#include <address_space.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/pte.h>
#include <errno.h>
#include <page.h>
#include <page_alloc.h>
#include <panic.h>
#include <public/abi.h>
#include <string.h>

/* Intermediate levels allow everything; the leaf decides (SDM 5.6). */
#define GUEST_TABLE_FLAGS (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER)

static unsigned int slot(u64 va, unsigned int level)
{
	return (va >> (12 + 9 * (level - 1))) & 511;
}

static u64 *table_of(u64 entry)
{
	return maddr_to_virt(entry & PTE_ADDR_MASK);
}

int as_create(struct address_space *as)
{
	u64 *pml4 = alloc_pages_virt(0);

	if (!pml4)
		return -ENOMEM;
	memset(pml4, 0, PAGE_SIZE);
	copy_hypervisor_mappings(pml4);
	as->root = virt_to_maddr(pml4);
	as->nr_tables = 1;
	return 0;
}

/* The level-1 table for va, created on the way; NULL when out of memory. */
static u64 *walk_create(struct address_space *as, u64 va)
{
	u64 *table = maddr_to_virt(as->root);
	unsigned int level;

	for (level = 4; level > 1; level--) {
		u64 *entry = &table[slot(va, level)];

		if (!(*entry & _PAGE_PRESENT)) {
			u64 *next = alloc_pages_virt(0);

			if (!next)
				return NULL;
			memset(next, 0, PAGE_SIZE);
			*entry = virt_to_maddr(next) | GUEST_TABLE_FLAGS;
			as->nr_tables++;
		}
		table = table_of(*entry);
	}
	return table;
}

int as_map_page(struct address_space *as, u64 va, paddr_t pa,
		unsigned int perms)
{
	u64 *l1, pte;

	ASSERT(as->root);
	if ((va | pa) & (PAGE_SIZE - 1) || va >= GUEST_VADDR_END)
		return -EINVAL;
	if ((perms & AS_WRITE) && (perms & AS_EXEC))
		return -EINVAL; /* W^X: never both */
	l1 = walk_create(as, va);
	if (!l1)
		return -ENOMEM;
	if (l1[slot(va, 1)] & _PAGE_PRESENT)
		return -EINVAL;
	pte = pa | _PAGE_PRESENT | _PAGE_USER;
	if (perms & AS_WRITE)
		pte |= _PAGE_RW;
	if (!(perms & AS_EXEC))
		pte |= _PAGE_NX;
	l1[slot(va, 1)] = pte;
	return 0;
}

/* Frees the table at level and everything it points to below level 1. */
static void free_table(u64 *table, unsigned int level)
{
	unsigned int i;

	if (level > 1)
		for (i = 0; i < 512; i++)
			if (table[i] & _PAGE_PRESENT)
				free_table(table_of(table[i]), level - 1);
	free_pages_virt(table, 0);
}

void as_destroy(struct address_space *as)
{
	u64 *pml4;
	unsigned int i;

	if (!as->root)
		return;
	/* Never the live tables: the caller switched every CPU away. */
	ASSERT((read_cr3() & PTE_ADDR_MASK) != as->root);
	pml4 = maddr_to_virt(as->root);
	for (i = 0; i < PML4_FIRST_HYPERVISOR_SLOT; i++)
		if (pml4[i] & _PAGE_PRESENT)
			free_table(table_of(pml4[i]), 3);
	free_pages_virt(pml4, 0);
	as->root = 0;
	as->nr_tables = 0;
}

void as_switch(const struct address_space *as)
{
	paddr_t root = as ? as->root : idle_page_table();

	/* Hypervisor pages are global: only the guest's leave the TLB. */
	if ((read_cr3() & PTE_ADDR_MASK) != root)
		write_cr3(root);
}
