/*
 * The guest page-table walker of asm/hvm/guest_walk.h. One loop serves
 * PAE and long mode (8-byte entries, 9 bits a level); 32-bit paging has
 * its own two levels of 4-byte entries. Permissions are gathered on the
 * way down (a page is writable, user or executable only if every level
 * says so) and judged at the leaf, as the CPU does.
 *
 * Portable (the host unit tests run it).
 */
#include <asm/hvm/guest_walk.h>
#include <errno.h>

#define CR0_WP	 (1ULL << 16)
#define CR0_PG	 (1ULL << 31)
#define CR4_PSE	 (1ULL << 4)
#define CR4_PAE	 (1ULL << 5)
#define CR4_LA57 (1ULL << 12)
#define EFER_LMA (1ULL << 10)
#define EFER_NXE (1ULL << 11)

#define PTE_P	(1ULL << 0)
#define PTE_RW	(1ULL << 1)
#define PTE_US	(1ULL << 2)
#define PTE_PS	(1ULL << 7)
#define PTE_NX	(1ULL << 63)
#define PAGE_4K 4096ULL

/* What the walk found: the address, and the permissions of every level. */
struct walk {
	u64 gpa;
	bool writable, user, executable;
	bool rsvd; /* a reserved bit was set */
	bool not_present;
};

/* The bits at and above MAXPHYADDR in an 8-byte entry's address field. */
static u64 high_address_bits(const struct guest_walk_ctx *ctx)
{
	unsigned int bits = ctx->maxphyaddr ? ctx->maxphyaddr : 52;

	return bits >= 52 ? 0 : (((1ULL << 52) - 1) & ~((1ULL << bits) - 1));
}

static int read_entry(const struct guest_walk_ctx *ctx, u64 gpa, void *e,
		      size_t len)
{
	return ctx->read_gpa(ctx->opaque, gpa, e, len) ? -EIO : 0;
}

/* Adds one level's permissions to what the walk gathered. */
static void gather(struct walk *w, u64 entry, bool nxe)
{
	w->writable &= !!(entry & PTE_RW);
	w->user &= !!(entry & PTE_US);
	if (nxe && (entry & PTE_NX))
		w->executable = false;
}

/* PAE and long mode: levels 5/4 .. 1, or PAE's PDPT then 2 .. 1. */
static int walk_64(const struct guest_walk_ctx *ctx, u64 linear, struct walk *w)
{
	bool nxe = ctx->efer & EFER_NXE, lma = ctx->efer & EFER_LMA;
	u64 high = high_address_bits(ctx), table, entry;
	unsigned int level;
	int rc;

	if (lma) {
		level = (ctx->cr4 & CR4_LA57) ? 5 : 4;
		table = ctx->cr3 & 0x000ffffffffff000ULL;
	} else {
		/* PAE: the PDPT at CR3[31:5], indexed by linear[31:30]. */
		table = (ctx->cr3 & 0xffffffe0ULL) + ((linear >> 30) & 3) * 8;
		rc = read_entry(ctx, table, &entry, 8);
		if (rc)
			return rc;
		if (!(entry & PTE_P)) {
			w->not_present = true;
			return 0;
		}
		/* PDPTEs: bits 1, 2, 5-8 and the high ones are reserved. */
		if (entry & (0x1e6ULL | high | PTE_NX)) {
			w->rsvd = true;
			return 0;
		}
		table = entry & 0x000ffffffffff000ULL;
		level = 2;
	}
	for (;; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		u64 rsvd = high | (nxe ? 0 : PTE_NX);

		rc = read_entry(ctx, table + ((linear >> shift) & 511) * 8,
				&entry, 8);
		if (rc)
			return rc;
		if (!(entry & PTE_P)) {
			w->not_present = true;
			return 0;
		}
		gather(w, entry, nxe);
		if ((entry & PTE_PS) && level >= 4)
			rsvd |= PTE_PS; /* no 512 GiB pages */
		if ((entry & PTE_PS) && (level == 2 || level == 3)) {
			u64 size = 1ULL << shift;

			/* A large page's address bits below its size, but PAT. */
			rsvd |= (size - 1) & ~0x1fffULL;
			if (entry & rsvd) {
				w->rsvd = true;
				return 0;
			}
			w->gpa = (entry & 0x000ffffffffff000ULL & ~(size - 1)) |
				 (linear & (size - 1));
			return 0;
		}
		if (entry & rsvd) {
			w->rsvd = true;
			return 0;
		}
		if (level == 1) {
			w->gpa = (entry & 0x000ffffffffff000ULL) |
				 (linear & (PAGE_4K - 1));
			return 0;
		}
		table = entry & 0x000ffffffffff000ULL;
	}
}

/* 32-bit paging: a page directory and page tables of 4-byte entries. */
static int walk_32(const struct guest_walk_ctx *ctx, u64 linear, struct walk *w)
{
	unsigned int bits = ctx->maxphyaddr ? ctx->maxphyaddr : 52;
	u32 pde, pte;
	int rc;

	rc = read_entry(
		ctx, (ctx->cr3 & 0xfffff000ULL) + ((linear >> 22) & 1023) * 4,
		&pde, 4);
	if (rc)
		return rc;
	if (!(pde & PTE_P)) {
		w->not_present = true;
		return 0;
	}
	gather(w, pde, false);
	if ((pde & PTE_PS) && (ctx->cr4 & CR4_PSE)) {
		/* PSE-36: address bits 39:32 in bits 20:13; bit 21 reserved. */
		u64 high = (u64)((pde >> 13) & 0xff) << 32;

		if ((pde & (1U << 21)) || (bits < 40 && (high >> bits))) {
			w->rsvd = true;
			return 0;
		}
		w->gpa = high | (pde & 0xffc00000U) | (linear & 0x3fffff);
		return 0;
	}
	rc = read_entry(ctx, (pde & 0xfffff000U) + ((linear >> 12) & 1023) * 4,
			&pte, 4);
	if (rc)
		return rc;
	if (!(pte & PTE_P)) {
		w->not_present = true;
		return 0;
	}
	gather(w, pte, false);
	w->gpa = (pte & 0xfffff000U) | (linear & 0xfff);
	return 0;
}

/* True if linear is canonical for the long-mode paging depth. */
static bool canonical(const struct guest_walk_ctx *ctx, u64 linear)
{
	unsigned int bits = (ctx->cr4 & CR4_LA57) ? 57 : 48;
	s64 s = (s64)(linear << (64 - bits)) >> (64 - bits);

	return (u64)s == linear;
}

int guest_walk(const struct guest_walk_ctx *ctx, u64 linear,
	       unsigned int access, u64 *gpa, u32 *pf_error)
{
	struct walk w = {.writable = true, .user = true, .executable = true};
	bool user = access & GUEST_WALK_USER, write = access & GUEST_WALK_WRITE;
	bool fetch = access & GUEST_WALK_FETCH;
	bool nx_paging = (ctx->cr4 & CR4_PAE) && (ctx->efer & EFER_NXE);
	u32 err;
	int rc;

	*pf_error = 0;
	if (!(ctx->cr0 & CR0_PG)) {
		*gpa = linear & 0xffffffffULL;
		return 0;
	}
	if (ctx->efer & EFER_LMA) {
		if (!canonical(ctx, linear))
			return -EINVAL;
		rc = walk_64(ctx, linear, &w);
	} else if (ctx->cr4 & CR4_PAE) {
		rc = walk_64(ctx, linear & 0xffffffffULL, &w);
	} else {
		rc = walk_32(ctx, linear & 0xffffffffULL, &w);
	}
	if (rc)
		return rc;
	err = (write ? PF_ERR_WRITE : 0) | (user ? PF_ERR_USER : 0) |
	      (fetch && nx_paging ? PF_ERR_FETCH : 0);
	if (w.not_present) {
		*pf_error = err;
		return -EFAULT;
	}
	if (w.rsvd) {
		*pf_error = err | PF_ERR_PRESENT | PF_ERR_RSVD;
		return -EFAULT;
	}
	if ((user && !w.user) ||
	    (write && !w.writable && (user || (ctx->cr0 & CR0_WP))) ||
	    (fetch && !w.executable)) {
		*pf_error = err | PF_ERR_PRESENT;
		return -EFAULT;
	}
	*gpa = w.gpa;
	return 0;
}

int guest_read_linear(const struct guest_walk_ctx *ctx, u64 linear, void *buf,
		      size_t len, unsigned int access, u32 *pf_error,
		      u64 *fault_linear)
{
	u8 *p = buf;

	*pf_error = 0;
	while (len) {
		size_t n = PAGE_4K - (linear & (PAGE_4K - 1));
		u64 gpa;
		int rc;

		if (n > len)
			n = len;
		rc = guest_walk(ctx, linear, access, &gpa, pf_error);
		if (!rc && ctx->read_gpa(ctx->opaque, gpa, p, n))
			rc = -EIO;
		if (rc) {
			*fault_linear = linear;
			return rc;
		}
		linear += n;
		p += n;
		len -= n;
	}
	return 0;
}
