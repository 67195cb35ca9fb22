/*
 * The kernel's side of ACPI discovery: where the RSDP comes from, and how
 * the parser (common/acpi.c) reads physical memory.
 *
 * Tables in RAM (ACPI data, ACPI NVS, the low megabyte) are read through
 * the direct map; anything else (firmware often keeps its tables in
 * "reserved" memory, SeaBIOS among them) through ioremap(). ioremap()
 * mappings are never undone, so the windows already mapped are remembered
 * and reused: the parser maps each table twice (header, then the whole),
 * and neighbouring tables usually share pages.
 */
#include <acpi.h>
#include <asm/acpi_boot.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <bootinfo.h>
#include <efi_tables.h>
#include <errno.h>
#include <page.h>
#include <param.h>
#include <printk.h>
#include <string.h>

struct acpi_info acpi_info;
bool acpi_disabled;

static int __init parse_acpi(const char *value)
{
	if (value && strcmp(value, "off") == 0)
		acpi_disabled = true;
	else if (value && strcmp(value, "on") == 0)
		acpi_disabled = false;
	else
		return -EINVAL;
	return 0;
}
custom_param("acpi", parse_acpi, "acpi=off|on");

/* acpi_rsdp=efi: pass over the multiboot2 ACPI tags for the EFI path. */
static bool opt_rsdp_efi;

static int __init parse_acpi_rsdp(const char *value)
{
	if (value && strcmp(value, "efi") == 0)
		opt_rsdp_efi = true;
	else if (value && strcmp(value, "auto") == 0)
		opt_rsdp_efi = false;
	else
		return -EINVAL;
	return 0;
}
custom_param("acpi_rsdp", parse_acpi_rsdp, "acpi_rsdp=auto|efi");

/* ---------------------------------------------------------------------------
 * Reading physical memory
 */

/* Windows remembered; an older one is forgotten (not unmapped) when full. */
#define ACPI_WINDOWS 32
/*
 * What ACPI may ioremap() in all: far above real tables (a few hundred
 * KiB), it bounds the page tables a corrupt length field can cost.
 */
#define ACPI_IOREMAP_BUDGET (128UL << 20)
/* Physical addresses the direct map can express (it ends at ioremap's). */
#define DIRECTMAP_SPAN (IOREMAP_VIRT_START - DIRECTMAP_VIRT_START)
/* SDM Vol. 2A, CPUID leaf 80000008H: EAX[7:0] is the physical width. */
#define CPUID_ADDR_SIZES    0x80000008U
#define MAXPHYADDR_FALLBACK 36

struct acpi_window {
	paddr_t start; /* page-aligned */
	paddr_t end;
	u8 *va; /* of start */
};

static struct acpi_window windows[ACPI_WINDOWS] __initdata;
static unsigned int nr_windows __initdata, next_window __initdata;
static u64 ioremapped __initdata;
static paddr_t phys_limit __initdata; /* 2^MAXPHYADDR */

static paddr_t __init max_phys_addr(void)
{
	struct cpuid_regs r;
	unsigned int bits = MAXPHYADDR_FALLBACK;

	cpuid(0x80000000U, &r);
	if (r.eax >= CPUID_ADDR_SIZES) {
		cpuid(CPUID_ADDR_SIZES, &r);
		if ((r.eax & 0xff) >= 32 && (r.eax & 0xff) <= 52)
			bits = r.eax & 0xff;
	}
	return 1UL << bits;
}

/* True if every page of [pa, pa + len) is in the direct map. */
static bool __init direct_mapped(paddr_t pa, u64 len)
{
	paddr_t page;

	if (pa + len > DIRECTMAP_SPAN)
		return false;
	/* Ask the live page tables rather than re-deriving mm.c's rules. */
	for (page = ROUNDDOWN(pa, PAGE_SIZE); page < pa + len;
	     page += PAGE_SIZE) {
		struct mapping_info m =
			mm_lookup((unsigned long)maddr_to_virt(page));

		if (!m.present || m.pa != page)
			return false;
	}
	return true;
}

static const void *__init acpi_map(void *ctx, u64 pa, u64 len)
{
	struct acpi_window *w;
	paddr_t start, end;
	unsigned int i;
	u8 *va;

	/* A PTE beyond the physical address width would fault (RSVD). */
	if (pa >= phys_limit || len > phys_limit - pa)
		return NULL;
	if (direct_mapped(pa, len))
		return maddr_to_virt(pa);
	for (i = 0; i < nr_windows; i++)
		if (pa >= windows[i].start && pa + len <= windows[i].end)
			return windows[i].va + (pa - windows[i].start);

	start = ROUNDDOWN(pa, PAGE_SIZE);
	end = ROUNDUP(pa + len, PAGE_SIZE);
	if (end - start > ACPI_IOREMAP_BUDGET - ioremapped)
		return NULL;
	va = ioremap(start, end - start);
	if (!va)
		return NULL;
	ioremapped += end - start;
	if (nr_windows < ACPI_WINDOWS)
		w = &windows[nr_windows++];
	else
		w = &windows[next_window++ % ACPI_WINDOWS];
	*w = (struct acpi_window){.start = start, .end = end, .va = va};
	return va + (pa - start);
}

/* ---------------------------------------------------------------------------
 * Finding the RSDP
 */

/* The boot memory map's type of the range holding pa; 0 if none does. */
static u32 __init boot_mem_type_at(paddr_t pa)
{
	u32 i;

	for (i = 0; i < boot_info.nr_memranges; i++)
		if (pa >= boot_info.mem[i].base &&
		    pa - boot_info.mem[i].base < boot_info.mem[i].len)
			return boot_info.mem[i].type;
	return 0;
}

static const char *__init efi_error(int err)
{
	switch (err) {
	case -EFAULT:
		return "cannot be read";
	case -ENOENT:
		return "lists no ACPI table";
	default:
		return "malformed (signature, header size or entry count)";
	}
}

/*
 * UEFI 2.10, 4.6: the RSDP through the EFI system table's configuration
 * table. The loader exited boot services, so only memory the firmware
 * kept (runtime services data, which the map shows as reserved) still
 * holds the table; in usable RAM it may already be reused.
 */
static int __init rsdp_from_efi(const struct acpi_mem *mem)
{
	paddr_t st = boot_info.efi_system_table;
	enum efi_rsdp_guid which;
	u32 type = boot_mem_type_at(st);
	u64 pa;
	int err;

	if (type == BOOT_MEM_USABLE) {
		pr_warn("ACPI: the EFI system table at %#lx is in usable RAM (reclaimed by the loader?); not read\n",
			st);
		return -ENOENT;
	}
	err = efi_find_rsdp(mem, st, boot_info.efi_system_table_64bit, &pa,
			    &which);
	if (err) {
		pr_warn("ACPI: the EFI system table at %#lx %s\n", st,
			efi_error(err));
		return err;
	}
	pr_info("ACPI: EFI system table at %#lx (%u-bit, memory map type %u): RSDP at %#lx\n",
		st, boot_info.efi_system_table_64bit ? 64 : 32, type,
		(unsigned long)pa);
	err = acpi_parse_at(mem, pa, &acpi_info);
	acpi_info.rsdp_source =
		which == EFI_RSDP_ACPI_20 ? ACPI_RSDP_EFI_V2 : ACPI_RSDP_EFI_V1;
	return err;
}

int __init acpi_boot_init(void)
{
	const struct acpi_mem mem = {.map = acpi_map};
	bool use_tag = boot_info.rsdp != NULL;
	int err = -ENOENT;
	u64 pa;

	if (acpi_disabled) {
		pr_notice(
			"ACPI disabled by acpi=off: one CPU, no HPET/PM timer\n");
		return -ENODEV;
	}
	phys_limit = max_phys_addr();
	if (opt_rsdp_efi && !boot_info.efi_system_table)
		pr_warn("ACPI: acpi_rsdp=efi: no EFI system table tag; ignored\n");
	else if (opt_rsdp_efi && use_tag) {
		pr_info("ACPI: acpi_rsdp=efi: the multiboot2 ACPI tag is passed over\n");
		use_tag = false;
	}

	/* 5.2.5.2: UEFI firmware has no BIOS area; GRUB passes the copy. */
	if (use_tag) {
		err = acpi_parse(&mem, boot_info.rsdp, boot_info.rsdp_len,
				 &acpi_info);
		acpi_info.rsdp_source = boot_info.rsdp_revision >= 2
						? ACPI_RSDP_MB2_V2
						: ACPI_RSDP_MB2_V1;
	}
	/* A loader without the ACPI tag: the system table's copy pointer. */
	if (err && boot_info.efi_system_table)
		err = rsdp_from_efi(&mem);
	/* 5.2.5.1: a BIOS keeps it in the EBDA or the BIOS ROM area. */
	if (err && !boot_info.efi_boot && acpi_find_rsdp_bios(&mem, &pa) == 0) {
		err = acpi_parse_at(&mem, pa, &acpi_info);
		acpi_info.rsdp_source = ACPI_RSDP_BIOS;
	}
	if (err) {
		memset(&acpi_info, 0, sizeof(acpi_info));
		pr_warn("ACPI: %s: one CPU, no HPET/PM timer\n",
			err == -ENOENT ? "no RSDP found" : "tables unusable");
		return err;
	}
	acpi_info_print(&acpi_info);
	return 0;
}
