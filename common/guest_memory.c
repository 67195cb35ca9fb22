/*
 * A domain's memory: allocated once at creation, zeroed (a guest never
 * sees what an earlier one left), handed out page by page to the loader
 * and the heap, returned whole when the domain is destroyed.
 */
#include <domain.h>
#include <errno.h>
#include <page.h>
#include <page_alloc.h>
#include <string.h>
#include <xmalloc.h>

/* Largest block asked for: 2 MiB keeps the chunk list short. */
#define GUEST_MEM_MAX_ORDER 9

static int add_chunk(struct guest_memory *m, paddr_t pa, unsigned int order)
{
	if (m->nr_chunks == m->cap_chunks) {
		unsigned int cap = m->cap_chunks ? m->cap_chunks * 2 : 16;
		struct guest_mem_chunk *c =
			xmalloc_array(struct guest_mem_chunk, cap);

		if (!c)
			return -ENOMEM;
		if (m->chunks)
			memcpy(c, m->chunks, m->nr_chunks * sizeof(*c));
		xfree(m->chunks);
		m->chunks = c;
		m->cap_chunks = cap;
	}
	m->chunks[m->nr_chunks++] = (struct guest_mem_chunk){pa, order};
	m->nr_pages += 1UL << order;
	return 0;
}

int guest_memory_alloc(struct domain *d, u64 bytes)
{
	struct guest_memory *m = &d->mem;
	unsigned long want = bytes >> PAGE_SHIFT;
	unsigned int order = GUEST_MEM_MAX_ORDER;

	while (m->nr_pages < want) {
		unsigned long left = want - m->nr_pages;
		paddr_t pa;

		while ((1UL << order) > left)
			order--;
		pa = alloc_pages(order);
		if (pa == INVALID_PADDR) {
			if (order == 0)
				return -ENOMEM;
			order--;
			continue;
		}
		memset(maddr_to_virt(pa), 0, PAGE_SIZE << order);
		if (add_chunk(m, pa, order)) {
			free_pages(pa, order);
			return -ENOMEM;
		}
	}
	return 0;
}

paddr_t guest_memory_take_page(struct domain *d)
{
	struct guest_memory *m = &d->mem;
	struct guest_mem_chunk *c;
	paddr_t pa;

	if (m->cur_chunk >= m->nr_chunks)
		return INVALID_PADDR;
	c = &m->chunks[m->cur_chunk];
	pa = c->pa + (m->cur_page << PAGE_SHIFT);
	if (++m->cur_page == 1UL << c->order) {
		m->cur_chunk++;
		m->cur_page = 0;
	}
	m->used_pages++;
	return pa;
}

void guest_memory_free(struct domain *d)
{
	struct guest_memory *m = &d->mem;
	unsigned int i;

	for (i = 0; i < m->nr_chunks; i++)
		free_pages(m->chunks[i].pa, m->chunks[i].order);
	xfree(m->chunks);
	memset(m, 0, sizeof(*m));
}
