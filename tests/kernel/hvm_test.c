/*
 * HVM domains from the inside of the hypervisor (include/hvm.h,
 * docs/hvm.md): whether SVM was found as the harness expects
 * (ktest_hvm=on|off), and what building a domain leaves behind before it
 * ever runs: the nested page tables map exactly the domain's own RAM
 * (holes and the APIC page unmapped, the BIOS area read-only, large
 * pages where the memory allows), the firmware tables are in place, the
 * application processors wait for their SIPI, refused configurations say
 * why, and destroying the domain returns every page and byte.
 *
 * The guest kernels that check the platform from inside are tests/hvm/.
 */
#include <asm/hvm/hvm.h>
#include <asm/hvm/platform.h>
#include <domain.h>
#include <domain_config.h>
#include <hvm.h>
#include <ktest.h>
#include <page.h>
#include <page_alloc.h>
#include <param.h>
#include <string.h>
#include <xmalloc.h>

static char expected_hvm[8];
string_param("ktest_hvm", expected_hvm);

#define ERR_LEN	  256
#define MB1_MAGIC 0x1badb002
#define MB1_FLAGS 0x3 /* page-aligned modules, memory information */
#define LOAD_ADDR 0x100000
/* xmalloc keeps a pool page per size class (common/domain.c allows 16). */
#define POOL_PAGES_KEPT 16

/*
 * The smallest Multiboot kernel: an ELF32 header, one PT_LOAD program
 * header and a segment that holds the Multiboot header and a HLT loop.
 */
struct tiny_kernel {
	/* Elf32_Ehdr */
	u8 ident[16];
	u16 type, machine;
	u32 version, entry, phoff, shoff, flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
	/* Elf32_Phdr */
	u32 p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags,
		p_align;
	/* The segment */
	u32 mb_magic, mb_flags, mb_checksum;
	u8 code[4];
} __attribute__((packed));

static void make_tiny_kernel(struct tiny_kernel *k)
{
	u32 seg = offsetof(struct tiny_kernel, mb_magic);

	memset(k, 0, sizeof(*k));
	memcpy(k->ident,
	       "\x7f"
	       "ELF\x01\x01\x01",
	       7);
	k->type = 2;	/* ET_EXEC */
	k->machine = 3; /* EM_386 */
	k->version = 1;
	k->phoff = offsetof(struct tiny_kernel, p_type);
	k->ehsize = offsetof(struct tiny_kernel, p_type);
	k->phentsize = 32;
	k->phnum = 1;
	k->p_type = 1; /* PT_LOAD */
	k->p_offset = seg;
	k->p_vaddr = k->p_paddr = LOAD_ADDR;
	k->p_filesz = k->p_memsz = sizeof(*k) - seg;
	k->p_flags = 5; /* R + X */
	k->p_align = 4;
	k->entry = LOAD_ADDR + offsetof(struct tiny_kernel, code) - seg;
	k->mb_magic = MB1_MAGIC;
	k->mb_flags = MB1_FLAGS;
	k->mb_checksum = -(MB1_MAGIC + MB1_FLAGS);
	k->code[0] = 0xf4; /* hlt */
	k->code[1] = 0xeb; /* jmp . - 1 */
	k->code[2] = 0xfd;
}

#define SKIP_UNLESS_HVM(t)                             \
	do {                                           \
		if (!hvm_enabled())                    \
			KT_SKIP(t, "HVM unavailable"); \
	} while (0)

static void availability_as_expected(struct ktest *t)
{
	KT_EXPECT_EQ(t, hvm_enabled(), hvm_disabled_reason()[0] == '\0');
	if (!expected_hvm[0])
		KT_SKIP(t, "no ktest_hvm= on the command line");
	KT_EXPECT_STREQ(t, hvm_enabled() ? "on" : "off", expected_hvm);
}

/* Builds a domain of the tiny kernel; NULL with err on refusal. */
static struct domain *build(const char *line, char *err)
{
	static struct tiny_kernel k;
	struct domain_config cfg;

	make_tiny_kernel(&k);
	if (domain_config_parse(line, 0, 64UL << 30, &cfg, err, ERR_LEN))
		return NULL;
	return hvm_domain_build(
		&cfg,
		&(struct hvm_boot_image){.kernel = (const u8 *)&k,
					 .kernel_size = sizeof(k)},
		0, err, ERR_LEN);
}

/* True if the host frame pa is one of d's memory blocks. */
static bool owned_by(const struct domain *d, paddr_t pa)
{
	unsigned int i;

	for (i = 0; i < d->mem.nr_chunks; i++)
		if (pa >= d->mem.chunks[i].pa &&
		    pa < d->mem.chunks[i].pa +
				    (PAGE_SIZE << d->mem.chunks[i].order))
			return true;
	return false;
}

static void nested_tables_map_own_memory_only(struct ktest *t)
{
	struct page_alloc_stats before, after;
	struct xmalloc_stats heap_before, heap_after;
	char err[ERR_LEN];
	struct domain *d;
	u64 gpa, mem = 6UL << 20;
	unsigned int holes_mapped = 0, foreign = 0, ro_wrong = 0, rw_wrong = 0;
	unsigned int alive;
	bool writable;
	char sig[8];

	SKIP_UNLESS_HVM(t);
	alive = domains_alive();
	page_alloc_get_stats(&before);
	xmalloc_get_stats(&heap_before);
	d = build("name=npt type=hvm vcpus=2 mem=6M", err);
	if (!d) {
		ktest_fail(t, __FILE__, __LINE__, "refused: %s", err);
		return;
	}
	for (gpa = 0; gpa < mem + (2UL << 20); gpa += PAGE_SIZE) {
		paddr_t pa = npt_translate(d, gpa, &writable);
		bool hole = (gpa >= HVM_VGA_HOLE_START &&
			     gpa < HVM_OPTION_ROM_START) ||
			    gpa >= mem;
		bool bios = gpa >= HVM_OPTION_ROM_START && gpa < HVM_BIOS_END;

		if (hole) {
			holes_mapped += pa != INVALID_PADDR;
			continue;
		}
		if (pa == INVALID_PADDR || !owned_by(d, pa))
			foreign++;
		else if (bios && writable)
			ro_wrong++;
		else if (!bios && !writable)
			rw_wrong++;
	}
	KT_EXPECT_EQ(t, holes_mapped, 0);
	KT_EXPECT_EQ(t, foreign, 0);
	KT_EXPECT_EQ(t, ro_wrong, 0);
	KT_EXPECT_EQ(t, rw_wrong, 0);
	KT_EXPECT_EQ(t, npt_translate(d, HVM_LAPIC_BASE, NULL), INVALID_PADDR);
	KT_EXPECT_EQ(t, npt_translate(d, HVM_IOAPIC_BASE, NULL), INVALID_PADDR);
	/* 6 MiB: the first 2 MiB in 4 KiB pages (the holes), the rest in two
	 * large pages if the allocator gave whole 2 MiB blocks. */
	KT_EXPECT_TRUE(t, d->hvm->npt_pages <= 5);
	/* The firmware's part: the RSDP, the Multiboot block, vCPU states. */
	KT_EXPECT_EQ(t, hvm_copy_from_gpa(d, sig, HVM_BIOS_START, 8), 0);
	KT_EXPECT_TRUE(t, memcmp(sig, "RSD PTR ", 8) == 0);
	KT_EXPECT_EQ(t, d->vcpus[0]->user_regs.rax, 0x2badb002);
	KT_EXPECT_EQ(t,
		     d->vcpus[0]->user_regs.rbx >= HVM_MB1_INFO_START &&
			     d->vcpus[0]->user_regs.rbx < HVM_MB1_INFO_END,
		     true);
	KT_EXPECT_TRUE(t, !test_bit(VPF_WAIT_SIPI, &d->vcpus[0]->pause_flags));
	KT_EXPECT_TRUE(t, test_bit(VPF_WAIT_SIPI, &d->vcpus[1]->pause_flags));
	/* A guest write to the BIOS area would fault: it is not writable. */
	KT_EXPECT_TRUE(t, hvm_copy_to_gpa(d, HVM_BIOS_START, sig, 8) != 0);
	domain_free_resources(d);
	page_alloc_get_stats(&after);
	xmalloc_get_stats(&heap_after);
	/* Every byte back; the heap may keep a few pool pages for later. */
	KT_EXPECT_EQ(t, heap_after.bytes_in_use, heap_before.bytes_in_use);
	KT_EXPECT_TRUE(t,
		       before.free_pages - after.free_pages <= POOL_PAGES_KEPT);
	KT_EXPECT_EQ(t, domains_alive(), alive);
}

static bool contains(const char *s, const char *part)
{
	size_t n = strlen(part);

	for (; *s; s++)
		if (!strncmp(s, part, n))
			return true;
	return false;
}

static void refused_configurations_say_why(struct ktest *t)
{
	static const struct {
		const char *line, *why;
	} cases[] = {
		{"type=hvm mem=1M", "an HVM domain has from"},
		{"type=hvm mem=4G", "an HVM domain has from"},
	};
	char err[ERR_LEN];
	unsigned int i;

	SKIP_UNLESS_HVM(t);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct domain *d = build(cases[i].line, err);

		if (!KT_EXPECT_TRUE(t, d == NULL)) {
			domain_free_resources(d);
			continue;
		}
		if (!contains(err, cases[i].why))
			ktest_fail(t, __FILE__, __LINE__,
				   "%s: refused with \"%s\", expected \"%s\"",
				   cases[i].line, err, cases[i].why);
	}
}

/* A kernel that is not Multiboot: the parser's reason comes back. */
static void refused_image_says_why(struct ktest *t)
{
	static const u8 junk[64] = {0x7f, 'E', 'L', 'F', 2};
	struct domain_config cfg;
	char err[ERR_LEN];
	struct domain *d;

	SKIP_UNLESS_HVM(t);
	KT_ASSERT_EQ(t,
		     domain_config_parse("type=hvm", 0, 64UL << 30, &cfg, err,
					 sizeof(err)),
		     0);
	d = hvm_domain_build(
		&cfg,
		&(struct hvm_boot_image){.kernel = junk,
					 .kernel_size = sizeof(junk)},
		0, err, sizeof(err));
	KT_EXPECT_TRUE(t, d == NULL);
	KT_EXPECT_TRUE(t, err[0] != '\0');
	if (d)
		domain_free_resources(d);
}

KTEST_SUITE(hvm, KTEST_CASE(availability_as_expected),
	    KTEST_CASE(nested_tables_map_own_memory_only),
	    KTEST_CASE(refused_configurations_say_why),
	    KTEST_CASE(refused_image_says_why));
