/*
 * Guest memory access (include/uaccess.h) and the exception table behind
 * it (asm/extable.h).
 *
 * At boot nothing is mapped below GUEST_VADDR_END, so every guest address
 * faults: the copies must return what they did not copy and leave the
 * hypervisor's buffer alone. Hypervisor addresses, and ranges that cross
 * GUEST_VADDR_END or wrap, must be refused before any access: a mapped,
 * writable hypervisor buffer shows that nothing was written. Then a guest
 * address space (include/address_space.h) with a read-write and a
 * read-only page is loaded, as a hypercall would find it: copies succeed,
 * stop exactly at a fault, respect write protection, and with SMAP an
 * access that does not go through the accessors faults.
 */
#include <address_space.h>
#include <asm/boot.h>
#include <asm/cpu_protect.h>
#include <asm/extable.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/system.h>
#include <atomic.h>
#include <errno.h>
#include <ktest.h>
#include <page.h>
#include <page_alloc.h>
#include <public/abi.h>
#include <smp.h>
#include <string.h>
#include <uaccess.h>

#include "every_cpu.h"

#define POISON	 0x5a
#define BUF_SIZE 64

#define RFLAGS_AC (1UL << 18)

/* The copy loop uaccess.S uses without SMAP: no stac. */
unsigned long __copy_guest_nosmap(void *dst, const void *src,
				  unsigned long len);

/* Lower-half addresses nothing maps at boot. */
static const u64 unmapped[] = {0x0, 0x1000, 0x400000, 0x7fffdeadb000,
			       GUEST_VADDR_END - BUF_SIZE};

/* A mapped, writable hypervisor buffer a guest must never reach. */
static u8 hv_buf[BUF_SIZE];

static u8 dst[BUF_SIZE * 2];
static u8 src[BUF_SIZE * 2];

static void fill(u8 *p, u8 v, unsigned long len)
{
	memset(p, v, len);
}

static bool all(const u8 *p, u8 v, unsigned long len)
{
	while (len--)
		if (*p++ != v)
			return false;
	return true;
}

static void fill_pattern(u8 *p, unsigned long len, u8 seed)
{
	unsigned long i;

	for (i = 0; i < len; i++)
		p[i] = (u8)(seed + i * 7);
}

static bool is_pattern(const u8 *p, unsigned long len, u8 seed)
{
	unsigned long i;

	for (i = 0; i < len; i++)
		if (p[i] != (u8)(seed + i * 7))
			return false;
	return true;
}

static unsigned long rflags(void)
{
	unsigned long f;

	__asm__ __volatile__("pushf; pop %0" : "=r"(f));
	return f;
}

/* Reads one byte at va through an exception-table entry: true if it faulted. */
static bool read_faults(u64 va)
{
	unsigned long faulted = 1;

	__asm__ __volatile__("1:	movb (%1), %%al\n"
			     "	movq $0, %0\n"
			     "2:\n" _ASM_EXTABLE(1b, 2b)
			     : "+r"(faulted)
			     : "r"(va)
			     : "rax", "memory");
	return faulted;
}

/* CR4 has what CPUID offers of SMEP and UMIP, SMAP as decided; EFER.NXE. */
static bool protections_here(void)
{
	struct cpuid_regs r = {0};
	unsigned long cr4 = read_cr4();

	cpuid(0, &r);
	if (r.eax >= 7)
		cpuid_count(7, 0, &r);
	else
		r = (struct cpuid_regs){0};
	return !!(cr4 & X86_CR4_SMEP) == !!(r.ebx & (1U << 7)) &&
	       !!(cr4 & X86_CR4_UMIP) == !!(r.ecx & (1U << 2)) &&
	       !!(cr4 & X86_CR4_SMAP) == cpu_has_smap() &&
	       (rdmsr(MSR_EFER) & EFER_NXE);
}

static void protections_on_every_cpu(struct ktest *t)
{
	KT_EXPECT_EQ(t, cpus_failing(protections_here), 0);
}

static void copy_from_unmapped_returns_len(struct ktest *t)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(unmapped); i++) {
		fill(dst, POISON, sizeof(dst));
		KT_EXPECT_EQ(t, copy_from_guest(dst, unmapped[i], BUF_SIZE),
			     BUF_SIZE);
		KT_EXPECT_TRUE(t, all(dst, POISON, sizeof(dst)));
		KT_EXPECT_EQ(t, copy_from_guest(dst, unmapped[i], 1), 1);
		KT_EXPECT_TRUE(t, all(dst, POISON, sizeof(dst)));
	}
	KT_EXPECT_EQ(t, rflags() & RFLAGS_AC, 0);
}

static void copy_to_unmapped_returns_len(struct ktest *t)
{
	unsigned int i;

	fill_pattern(src, sizeof(src), 1);
	for (i = 0; i < ARRAY_SIZE(unmapped); i++)
		KT_EXPECT_EQ(t, copy_to_guest(unmapped[i], src, BUF_SIZE),
			     BUF_SIZE);
	KT_EXPECT_EQ(t, rflags() & RFLAGS_AC, 0);
}

static void hypervisor_addresses_refused(struct ktest *t)
{
	/* hv_buf in the image and through the direct map; the first non-guest address. */
	u64 targets[] = {
		(u64)hv_buf,
		(u64)maddr_to_virt(mm_lookup((unsigned long)hv_buf).pa),
		GUEST_VADDR_END,
	};
	unsigned int i;

	KT_ASSERT_TRUE(t, mm_lookup((unsigned long)hv_buf).present);
	fill_pattern(src, sizeof(src), 3);
	for (i = 0; i < ARRAY_SIZE(targets); i++) {
		fill(hv_buf, POISON, sizeof(hv_buf));
		fill(dst, POISON, sizeof(dst));
		KT_EXPECT_EQ(t, copy_to_guest(targets[i], src, BUF_SIZE),
			     BUF_SIZE);
		KT_EXPECT_TRUE(t, all(hv_buf, POISON, sizeof(hv_buf)));
		KT_EXPECT_TRUE(t, all(dst, POISON, sizeof(dst)));
		KT_EXPECT_EQ(t, copy_from_guest(dst, targets[i], BUF_SIZE),
			     BUF_SIZE);
		KT_EXPECT_TRUE(t, all(dst, POISON, sizeof(dst)));
	}
}

static void crossing_and_wrapping_refused(struct ktest *t)
{
	static const struct {
		u64 addr;
		unsigned long len;
	} bad[] = {
		{GUEST_VADDR_END - 8, 16},	/* crosses the end */
		{GUEST_VADDR_END - 1, 2},	/* by one byte */
		{GUEST_VADDR_END, 1},		/* starts at it */
		{~0UL - 7, 16},			/* wraps to 8 */
		{0x1000, ~0UL},			/* wraps far */
		{0x1000, GUEST_VADDR_END},	/* ends past it */
		{(u64)hv_buf - 0x1000, 0x2000}, /* ends in the hypervisor */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KT_EXPECT_TRUE(t, !guest_range_ok(bad[i].addr, bad[i].len));
		fill(hv_buf, POISON, sizeof(hv_buf));
		/* Not a byte: the range check comes first, src is hv_buf. */
		KT_EXPECT_EQ(t, copy_to_guest(bad[i].addr, hv_buf, bad[i].len),
			     bad[i].len);
		KT_EXPECT_EQ(t,
			     copy_from_guest(hv_buf, bad[i].addr, bad[i].len),
			     bad[i].len);
		KT_EXPECT_TRUE(t, all(hv_buf, POISON, sizeof(hv_buf)));
	}
	/* The last bytes of the guest's half, and all of it, are in range. */
	KT_EXPECT_TRUE(t, guest_range_ok(GUEST_VADDR_END - 16, 16));
	KT_EXPECT_TRUE(t, guest_range_ok(0, GUEST_VADDR_END));
	KT_EXPECT_TRUE(t, guest_range_ok(GUEST_VADDR_END, 0));
}

static void zero_length_copies_nothing(struct ktest *t)
{
	fill(dst, POISON, sizeof(dst));
	KT_EXPECT_EQ(t, copy_from_guest(dst, 0x1000, 0), 0);
	KT_EXPECT_EQ(t, copy_from_guest(dst, (u64)hv_buf, 0), 0);
	KT_EXPECT_EQ(t, copy_to_guest(0x1000, src, 0), 0);
	KT_EXPECT_EQ(t, copy_to_guest(~0UL, src, 0), 0);
	KT_EXPECT_TRUE(t, all(dst, POISON, sizeof(dst)));
}

static void get_put_report_efault(struct ktest *t)
{
	u32 v32 = 0xfeedf00d;
	u64 v64 = 0xfeedf00dcafef00dULL;

	KT_EXPECT_EQ(t, get_guest_u32(&v32, 0x1000), -EFAULT);
	KT_EXPECT_EQ(t, v32, 0xfeedf00d);
	KT_EXPECT_EQ(t, get_guest_u64(&v64, 0x400000), -EFAULT);
	KT_EXPECT_EQ(t, v64, 0xfeedf00dcafef00dULL);
	KT_EXPECT_EQ(t, get_guest_u64(&v64, (u64)hv_buf), -EFAULT);
	KT_EXPECT_EQ(t, v64, 0xfeedf00dcafef00dULL);
	KT_EXPECT_EQ(t, put_guest_u32(0x1000, 1), -EFAULT);
	KT_EXPECT_EQ(t, put_guest_u64(GUEST_VADDR_END - 4, 1), -EFAULT);
	fill(hv_buf, POISON, sizeof(hv_buf));
	KT_EXPECT_EQ(t, put_guest_u64((u64)hv_buf, 1), -EFAULT);
	KT_EXPECT_TRUE(t, all(hv_buf, POISON, sizeof(hv_buf)));
}

/* A #PF and a #GP (non-canonical address) in ring 0, both fixed up. */
static void extable_fixes_pf_and_gp(struct ktest *t)
{
	KT_EXPECT_TRUE(t, read_faults(0x1000));
	KT_EXPECT_TRUE(t, read_faults(0x800000000000UL));
	KT_EXPECT_TRUE(t, read_faults(0xdead000000000000UL));
	KT_EXPECT_TRUE(t, !read_faults((u64)hv_buf));
	KT_EXPECT_EQ(t, search_exception_table((unsigned long)hv_buf), 0);
}

/* The guest layout the positive cases use. */
#define RW_VA  0x400000UL		     /* read-write */
#define RO_VA  (RW_VA + PAGE_SIZE)	     /* read-only, then a hole */
#define TOP_VA (GUEST_VADDR_END - PAGE_SIZE) /* the last page, read-write */

static void guest_space_copies(struct ktest *t)
{
	struct address_space as = {0};
	u8 *rw = alloc_pages_virt(0), *ro = alloc_pages_virt(0);
	u8 *top = alloc_pages_virt(0);
	bool oom = !rw || !ro || !top || as_create(&as);
	u32 v32 = 0;
	u64 v64 = 0;

	if (oom)
		goto out;
	fill(rw, 0, PAGE_SIZE);
	fill_pattern(ro, PAGE_SIZE, 11);
	fill(top, POISON, PAGE_SIZE);
	if (!KT_EXPECT_EQ(t,
			  as_map_page(&as, RW_VA, virt_to_maddr(rw),
				      AS_READ | AS_WRITE),
			  0) ||
	    !KT_EXPECT_EQ(t,
			  as_map_page(&as, RO_VA, virt_to_maddr(ro), AS_READ),
			  0) ||
	    !KT_EXPECT_EQ(t,
			  as_map_page(&as, TOP_VA, virt_to_maddr(top),
				      AS_READ | AS_WRITE),
			  0))
		goto out;
	/* The guest's page table, as a hypercall finds it. */
	as_switch(&as);

	/* Round trips. */
	fill_pattern(src, sizeof(src), 5);
	KT_EXPECT_EQ(t, copy_to_guest(RW_VA + 100, src, BUF_SIZE), 0);
	KT_EXPECT_TRUE(t, memcmp(rw + 100, src, BUF_SIZE) == 0);
	fill(dst, POISON, sizeof(dst));
	KT_EXPECT_EQ(t, copy_from_guest(dst, RW_VA + 100, BUF_SIZE), 0);
	KT_EXPECT_TRUE(t, memcmp(dst, src, BUF_SIZE) == 0);
	KT_EXPECT_EQ(t, rflags() & RFLAGS_AC, 0);
	KT_EXPECT_EQ(t, put_guest_u64(RW_VA + 8, 0x1122334455667788ULL), 0);
	KT_EXPECT_EQ(t, get_guest_u64(&v64, RW_VA + 8), 0);
	KT_EXPECT_EQ(t, v64, 0x1122334455667788ULL);
	KT_EXPECT_EQ(t, get_guest_u32(&v32, RW_VA + 8), 0);
	KT_EXPECT_EQ(t, v32, 0x55667788);
	KT_EXPECT_EQ(t, put_guest_u32(RW_VA + 12, 0xabcdef01), 0);
	KT_EXPECT_EQ(t, *(u64 *)(rw + 8), 0xabcdef0155667788ULL);

	/* A read stops exactly at the hole after the read-only page. */
	fill(dst, POISON, sizeof(dst));
	KT_EXPECT_EQ(t, copy_from_guest(dst, RO_VA + PAGE_SIZE - 10, 30), 20);
	KT_EXPECT_TRUE(t, memcmp(dst, ro + PAGE_SIZE - 10, 10) == 0);
	KT_EXPECT_TRUE(t, all(dst + 10, POISON, sizeof(dst) - 10));
	KT_EXPECT_EQ(t, get_guest_u64(&v64, RO_VA + PAGE_SIZE - 4), -EFAULT);
	KT_EXPECT_EQ(t, v64, 0x1122334455667788ULL);
	KT_EXPECT_EQ(t, rflags() & RFLAGS_AC, 0);

	/* Writes: the read-only page is refused, a crossing write stops. */
	fill_pattern(ro, PAGE_SIZE, 11);
	KT_EXPECT_EQ(t, copy_to_guest(RO_VA, src, 8), 8);
	KT_EXPECT_EQ(t, put_guest_u32(RO_VA + 64, 0), -EFAULT);
	KT_EXPECT_EQ(t, copy_to_guest(RO_VA - 4, src, 8), 4);
	KT_EXPECT_TRUE(t, memcmp(rw + PAGE_SIZE - 4, src, 4) == 0);
	KT_EXPECT_TRUE(t, is_pattern(ro, PAGE_SIZE, 11));
	KT_EXPECT_EQ(t, rflags() & RFLAGS_AC, 0);

	/* The last page is reachable; past its end nothing is touched. */
	KT_EXPECT_EQ(t, copy_to_guest(GUEST_VADDR_END - 8, src, 8), 0);
	KT_EXPECT_TRUE(t, memcmp(top + PAGE_SIZE - 8, src, 8) == 0);
	fill(top, POISON, PAGE_SIZE);
	KT_EXPECT_EQ(t, copy_to_guest(GUEST_VADDR_END - 8, src, 9), 9);
	KT_EXPECT_EQ(t, put_guest_u64(GUEST_VADDR_END - 4, 0), -EFAULT);
	KT_EXPECT_TRUE(t, all(top, POISON, PAGE_SIZE));

	/* SMAP: ring 0 reaches guest pages only through the accessors. */
	if (cpu_has_smap()) {
		KT_EXPECT_TRUE(t, read_faults(RW_VA));
		KT_EXPECT_EQ(t, __copy_guest_nosmap(dst, (void *)RW_VA, 16),
			     16);
	} else {
		KT_EXPECT_TRUE(t, !read_faults(RW_VA));
	}

	as_switch(NULL);
out:
	as_destroy(&as);
	if (rw)
		free_pages_virt(rw, 0);
	if (ro)
		free_pages_virt(ro, 0);
	if (top)
		free_pages_virt(top, 0);
	if (oom)
		KT_SKIP(t, "out of memory");
}

KTEST_SUITE(uaccess, KTEST_CASE(protections_on_every_cpu),
	    KTEST_CASE(copy_from_unmapped_returns_len),
	    KTEST_CASE(copy_to_unmapped_returns_len),
	    KTEST_CASE(hypervisor_addresses_refused),
	    KTEST_CASE(crossing_and_wrapping_refused),
	    KTEST_CASE(zero_length_copies_nothing),
	    KTEST_CASE(get_put_report_efault),
	    KTEST_CASE(extable_fixes_pf_and_gp),
	    KTEST_CASE(guest_space_copies));
