/*
 * The guest page-table walker (arch/x86/hvm/guest_walk.c): page tables
 * built in a host buffer that stands for 4 MiB of guest RAM, in every
 * paging mode, checked for translations, large pages, each permission
 * fault's error code, reserved bits, non-canonical addresses, tables
 * outside RAM and reads across pages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <asm/hvm/guest_walk.h>
#include <errno.h>
#include <string.h>

#define RAM_SIZE (4u << 20)
#define P	 0x1ULL
#define RW	 0x2ULL
#define US	 0x4ULL
#define PS	 0x80ULL
#define NX	 (1ULL << 63)

#define CR0_PE_PG ((1ULL << 31) | 1)
#define CR0_WP	  (1ULL << 16)
#define CR4_PSE	  (1ULL << 4)
#define CR4_PAE	  (1ULL << 5)
#define CR4_LA57  (1ULL << 12)
#define EFER_LMA  ((1ULL << 10) | (1ULL << 8))
#define EFER_NXE  (1ULL << 11)

static u8 ram[RAM_SIZE];

static int read_gpa(void *opaque, u64 gpa, void *buf, size_t len)
{
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	memcpy(buf, ram + gpa, len);
	return 0;
}

static void put64(u64 gpa, u64 v)
{
	memcpy(ram + gpa, &v, 8);
}

static void put32(u64 gpa, u32 v)
{
	memcpy(ram + gpa, &v, 4);
}

static struct guest_walk_ctx ctx(u64 cr0, u64 cr3, u64 cr4, u64 efer)
{
	return (struct guest_walk_ctx){.cr0 = cr0,
				       .cr3 = cr3,
				       .cr4 = cr4,
				       .efer = efer,
				       .read_gpa = read_gpa};
}

static int walk(const struct guest_walk_ctx *c, u64 linear, unsigned int access,
		u64 *gpa, u32 *err)
{
	*gpa = ~0ULL;
	return guest_walk(c, linear, access, gpa, err);
}

/*
 * Long-mode tables: PML4 at 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000.
 * linear 0x400000 -> a 4 KiB page at 0x200000 (flags given);
 * linear 0x600000 -> a 2 MiB page at 0x200000; 0x40000000 -> 1 GiB at 0.
 */
static void build_long(u64 leaf_flags)
{
	memset(ram, 0, 0x10000);
	put64(0x1000, 0x2000 | P | RW | US);
	put64(0x2000, 0x3000 | P | RW | US);
	put64(0x2008, 0x0 | P | RW | US | PS); /* 1 GiB at linear 1 GiB */
	put64(0x3000 + 2 * 8, 0x4000 | P | RW | US);
	put64(0x3000 + 3 * 8, 0x200000 | P | RW | US | PS);
	put64(0x4000, 0x200000 | leaf_flags);
}

static void paging_off_is_identity(void **state)
{
	struct guest_walk_ctx c = ctx(1, 0, 0, 0);
	u64 gpa;
	u32 err;

	assert_int_equal(walk(&c, 0x12345678, GUEST_WALK_WRITE, &gpa, &err), 0);
	assert_int_equal(gpa, 0x12345678);
}

static void long_mode_translations(void **state)
{
	struct guest_walk_ctx c = ctx(CR0_PE_PG, 0x1000, CR4_PAE, EFER_LMA);
	u64 gpa;
	u32 err;

	build_long(P | RW | US);
	assert_int_equal(walk(&c, 0x400abc, 0, &gpa, &err), 0);
	assert_int_equal(gpa, 0x200abc);
	assert_int_equal(walk(&c, 0x7fffff, 0, &gpa, &err), 0);
	assert_int_equal(gpa, 0x3fffff);
	assert_int_equal(walk(&c, 0x40001234, 0, &gpa, &err), 0);
	assert_int_equal(gpa, 0x1234);
	/* not present at the PT: a read from ring 0 */
	assert_int_equal(walk(&c, 0x401000, 0, &gpa, &err), -EFAULT);
	assert_int_equal(err, 0);
	/* not present at the PML4, a user write */
	assert_int_equal(walk(&c, 0x8000000000ULL,
			      GUEST_WALK_USER | GUEST_WALK_WRITE, &gpa, &err),
			 -EFAULT);
	assert_int_equal(err, PF_ERR_USER | PF_ERR_WRITE);
	/* non-canonical */
	assert_int_equal(walk(&c, 0x0000800000000000ULL, 0, &gpa, &err),
			 -EINVAL);
	assert_int_equal(walk(&c, 0xffff800000000000ULL, 0, &gpa, &err),
			 -EFAULT);
}

static void long_mode_permissions(void **state)
{
	struct guest_walk_ctx c =
		ctx(CR0_PE_PG, 0x1000, CR4_PAE, EFER_LMA | EFER_NXE);
	u64 gpa;
	u32 err;

	/* supervisor, read-only, no-execute */
	build_long(P | NX);
	assert_int_equal(walk(&c, 0x400000, 0, &gpa, &err), 0);
	assert_int_equal(walk(&c, 0x400000, GUEST_WALK_USER, &gpa, &err),
			 -EFAULT);
	assert_int_equal(err, PF_ERR_PRESENT | PF_ERR_USER);
	/* supervisor write to read-only: allowed without WP, #PF with it */
	assert_int_equal(walk(&c, 0x400000, GUEST_WALK_WRITE, &gpa, &err), 0);
	c.cr0 |= CR0_WP;
	assert_int_equal(walk(&c, 0x400000, GUEST_WALK_WRITE, &gpa, &err),
			 -EFAULT);
	assert_int_equal(err, PF_ERR_PRESENT | PF_ERR_WRITE);
	/* fetch from NX */
	assert_int_equal(walk(&c, 0x400000, GUEST_WALK_FETCH, &gpa, &err),
			 -EFAULT);
	assert_int_equal(err, PF_ERR_PRESENT | PF_ERR_FETCH);
	/* NX without EFER.NXE is a reserved bit */
	c.efer = EFER_LMA;
	assert_int_equal(walk(&c, 0x400000, 0, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_ERR_PRESENT | PF_ERR_RSVD);
	/* an upper level without U/S makes the page supervisor-only */
	build_long(P | RW | US);
	put64(0x2000, 0x3000 | P | RW);
	c.efer = EFER_LMA;
	assert_int_equal(walk(&c, 0x400000, GUEST_WALK_USER, &gpa, &err),
			 -EFAULT);
}

static void reserved_bits(void **state)
{
	struct guest_walk_ctx c = ctx(CR0_PE_PG, 0x1000, CR4_PAE, EFER_LMA);
	u64 gpa;
	u32 err;

	/* an address bit above MAXPHYADDR = 36 */
	build_long(P | RW | US);
	c.maxphyaddr = 36;
	put64(0x4000, 0x1000200000ULL | P);
	assert_int_equal(walk(&c, 0x400000, 0, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_ERR_PRESENT | PF_ERR_RSVD);
	/* PS in a PML4 entry */
	build_long(P | RW | US);
	put64(0x1000, 0x2000 | P | PS);
	assert_int_equal(walk(&c, 0x400000, 0, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_ERR_PRESENT | PF_ERR_RSVD);
	/* a 2 MiB page with bit 13 of its address set */
	build_long(P | RW | US);
	put64(0x3000 + 3 * 8, 0x202000 | P | PS);
	assert_int_equal(walk(&c, 0x600000, 0, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_ERR_PRESENT | PF_ERR_RSVD);
	/* a table outside RAM */
	build_long(P | RW | US);
	put64(0x3000 + 2 * 8, 0x10000000 | P);
	assert_int_equal(walk(&c, 0x400000, 0, &gpa, &err), -EIO);
}

static void five_level(void **state)
{
	struct guest_walk_ctx c =
		ctx(CR0_PE_PG, 0x5000, CR4_PAE | CR4_LA57, EFER_LMA);
	u64 gpa;
	u32 err;

	build_long(P | RW | US);
	put64(0x5000, 0x1000 | P | RW | US);
	assert_int_equal(walk(&c, 0x400008, 0, &gpa, &err), 0);
	assert_int_equal(gpa, 0x200008);
	/* canonical at 57 bits: bit 48 set is fine there, but not mapped */
	assert_int_equal(walk(&c, 0x0001000000000000ULL, 0, &gpa, &err),
			 -EFAULT);
	assert_int_equal(walk(&c, 0x0100000000000000ULL, 0, &gpa, &err),
			 -EINVAL);
}

static void pae_mode(void **state)
{
	struct guest_walk_ctx c = ctx(CR0_PE_PG, 0x1000, CR4_PAE, 0);
	u64 gpa;
	u32 err;

	memset(ram, 0, 0x10000);
	put64(0x1000, 0x3000 | P); /* PDPTE 0 */
	put64(0x3000 + 2 * 8, 0x4000 | P | RW | US);
	put64(0x3000 + 3 * 8, 0x200000 | P | RW | US | PS);
	put64(0x4000, 0x200000 | P | RW | US);
	assert_int_equal(walk(&c, 0x400123, 0, &gpa, &err), 0);
	assert_int_equal(gpa, 0x200123);
	assert_int_equal(walk(&c, 0x6abcde, 0, &gpa, &err), 0);
	assert_int_equal(gpa, 0x2abcde);
	/* PDPTE 1 not present */
	assert_int_equal(walk(&c, 0x40000000, 0, &gpa, &err), -EFAULT);
	/* a reserved bit in a PDPTE (bit 1, RW) */
	put64(0x1000, 0x3000 | P | RW);
	assert_int_equal(walk(&c, 0x400123, 0, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_ERR_PRESENT | PF_ERR_RSVD);
}

static void thirty_two_bit_mode(void **state)
{
	struct guest_walk_ctx c = ctx(CR0_PE_PG, 0x1000, 0, 0);
	u64 gpa;
	u32 err;

	memset(ram, 0, 0x10000);
	put32(0x1000 + 1 * 4, 0x2000 | P | RW | US); /* 4 MiB - 8 MiB */
	put32(0x1000 + 2 * 4, 0x00000000 | P | PS);  /* a 4 MiB page */
	put32(0x2000 + 5 * 4, 0x300000 | P | US);    /* linear 0x405000 */
	assert_int_equal(walk(&c, 0x405010, GUEST_WALK_USER, &gpa, &err), 0);
	assert_int_equal(gpa, 0x300010);
	assert_int_equal(walk(&c, 0x405010, GUEST_WALK_USER | GUEST_WALK_WRITE,
			      &gpa, &err),
			 -EFAULT);
	assert_int_equal(err, PF_ERR_PRESENT | PF_ERR_USER | PF_ERR_WRITE);
	/* PS without CR4.PSE is a pointer to a page table, not a page */
	assert_int_equal(walk(&c, 0x800000, 0, &gpa, &err), -EFAULT);
	c.cr4 = CR4_PSE;
	assert_int_equal(walk(&c, 0x812345, 0, &gpa, &err), 0);
	assert_int_equal(gpa, 0x12345);
	/* PSE-36: bits 20:13 of the PDE are address bits 39:32 */
	put32(0x1000 + 2 * 4, (1u << 13) | P | PS);
	assert_int_equal(walk(&c, 0x800000, 0, &gpa, &err), 0);
	assert_int_equal(gpa, 0x100000000ULL);
	/* ... and bit 21 is reserved */
	put32(0x1000 + 2 * 4, (1u << 21) | P | PS);
	assert_int_equal(walk(&c, 0x800000, 0, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_ERR_PRESENT | PF_ERR_RSVD);
	/* fetches set no I/D bit without PAE's NX */
	assert_int_equal(walk(&c, 0x0, GUEST_WALK_FETCH, &gpa, &err), -EFAULT);
	assert_int_equal(err, 0);
}

static void reads_across_pages(void **state)
{
	struct guest_walk_ctx c = ctx(CR0_PE_PG, 0x1000, CR4_PAE, EFER_LMA);
	u8 buf[8];
	u32 err;
	u64 at;

	build_long(P | RW | US);
	put64(0x4008, 0x100000 | P | RW | US); /* linear 0x401000 -> 0x100000 */
	memcpy(ram + 0x200ffc, "abcd", 4);
	memcpy(ram + 0x100000, "efgh", 4);
	assert_int_equal(guest_read_linear(&c, 0x400ffc, buf, 8, 0, &err, &at),
			 0);
	assert_memory_equal(buf, "abcdefgh", 8);
	/* the second page missing: the fault names its first byte */
	put64(0x4008, 0);
	assert_int_equal(guest_read_linear(&c, 0x400ffc, buf, 8, 0, &err, &at),
			 -EFAULT);
	assert_int_equal(at, 0x401000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paging_off_is_identity),
		cmocka_unit_test(long_mode_translations),
		cmocka_unit_test(long_mode_permissions),
		cmocka_unit_test(reserved_bits),
		cmocka_unit_test(five_level),
		cmocka_unit_test(pae_mode),
		cmocka_unit_test(thirty_two_bit_mode),
		cmocka_unit_test(reads_across_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
