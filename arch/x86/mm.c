/*
 * Memory set-up: the hypervisor's final page tables and the hand-over of
 * the firmware memory map to the page allocator.
 *
 * The boot page tables (arch/x86/boot/head.S) map the first 4 GiB twice and
 * the image with 2 MiB pages, all writable and executable. Here they are
 * replaced by tables that map RAM once (the direct map, not executable),
 * the image section by section (text read-only and executable, the rest
 * not executable, read-only data read-only), and nothing at address 0.
 */
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/pte.h>
#include <page_alloc.h>
#include <panic.h>
#include <printk.h>
#include <spinlock.h>
#include <string.h>
#include <xmalloc.h>

#define PAGE_HYPERVISOR_RX (_PAGE_PRESENT | _PAGE_GLOBAL)
#define PAGE_HYPERVISOR_RO (_PAGE_PRESENT | _PAGE_GLOBAL | _PAGE_NX)
#define PAGE_HYPERVISOR_RW (_PAGE_PRESENT | _PAGE_RW | _PAGE_GLOBAL | _PAGE_NX)
#define PAGE_HYPERVISOR_UC (PAGE_HYPERVISOR_RW | _PAGE_PCD | _PAGE_PWT)

#define L1_SHIFT       12
#define L2_SHIFT       21
#define SUPERPAGE_SIZE (1UL << L2_SHIFT)
/* What the boot page tables let us write to before the switch. */
#define EARLY_MAP_LIMIT (4UL << 30)

extern char __image_phys_start[], __image_phys_end[];
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_end[], __image_end[];
extern char __per_cpu_start[];
extern void *const boot_guard_pages[];
extern const unsigned int nr_boot_guard_pages;

static u64 *idle_pml4;
static bool page_allocator_up;
static unsigned long page_table_pages;
static DEFINE_SPINLOCK(ioremap_lock);
static unsigned long ioremap_next = IOREMAP_VIRT_START;
static DEFINE_SPINLOCK(stacks_lock);
static unsigned long stacks_next = STACKS_VIRT_START;

/* A zeroed page for a page table, from boot memory or the allocator. */
static u64 *alloc_page_table(void)
{
	void *va;

	if (page_allocator_up) {
		va = alloc_pages_virt(0);
	} else {
		paddr_t pa =
			bootmem_alloc(PAGE_SIZE, PAGE_SIZE, EARLY_MAP_LIMIT);

		va = pa == INVALID_PADDR ? NULL : maddr_to_virt(pa);
	}
	if (!va)
		panic("out of memory for page tables");
	memset(va, 0, PAGE_SIZE);
	page_table_pages++;
	return va;
}

static unsigned int table_index(unsigned long va, unsigned int level)
{
	return (va >> (L1_SHIFT + 9 * (level - 1))) & 511;
}

/*
 * Returns the table at level (1 = page table, 2 = page directory) that
 * maps va, creating the levels above it as needed.
 */
static u64 *walk_create(unsigned long va, unsigned int level)
{
	u64 *table = idle_pml4;
	unsigned int l;

	for (l = 4; l > level; l--) {
		u64 *entry = &table[table_index(va, l)];

		if (!(*entry & _PAGE_PRESENT))
			*entry = virt_to_maddr(alloc_page_table()) |
				 _PAGE_PRESENT | _PAGE_RW;
		ASSERT(!(*entry & _PAGE_PSE));
		table = maddr_to_virt(*entry & PTE_ADDR_MASK);
	}
	return table;
}

/* Maps [va, va + size) to pa with flags, using 2 MiB pages where it can. */
static void map_range(unsigned long va, paddr_t pa, u64 size, u64 flags)
{
	ASSERT(IS_ALIGNED(va | pa | size, PAGE_SIZE));
	while (size) {
		if (IS_ALIGNED(va | pa, SUPERPAGE_SIZE) &&
		    size >= SUPERPAGE_SIZE) {
			walk_create(va, 2)[table_index(va, 2)] =
				pa | flags | _PAGE_PSE;
			va += SUPERPAGE_SIZE;
			pa += SUPERPAGE_SIZE;
			size -= SUPERPAGE_SIZE;
		} else {
			walk_create(va, 1)[table_index(va, 1)] = pa | flags;
			va += PAGE_SIZE;
			pa += PAGE_SIZE;
			size -= PAGE_SIZE;
		}
	}
}

/* Maps the image's section [start, end) with 4 KiB pages and flags. */
static void map_image_section(const char *start, const char *end, u64 flags)
{
	unsigned long va = (unsigned long)start, pa = va - KERNEL_VIRT_BASE;
	u64 size = ROUNDUP((unsigned long)end, PAGE_SIZE) - va;

	for (; size; va += PAGE_SIZE, pa += PAGE_SIZE, size -= PAGE_SIZE)
		walk_create(va, 1)[table_index(va, 1)] = pa | flags;
}

static void unmap_page(const void *p)
{
	unsigned long va = (unsigned long)p;

	walk_create(va, 1)[table_index(va, 1)] = 0;
	invlpg(p);
}

static bool is_ram(u32 type)
{
	return type == BOOT_MEM_USABLE || type == BOOT_MEM_ACPI_RECLAIMABLE ||
	       type == BOOT_MEM_ACPI_NVS;
}

static void __init build_page_tables(const struct boot_info *bi)
{
	unsigned int i;

	idle_pml4 = alloc_page_table();

	/* The low megabyte holds firmware tables and the VGA text screen. */
	map_range(DIRECTMAP_VIRT_START, 0, LOW_MEMORY_RESERVED,
		  PAGE_HYPERVISOR_RW);
	for (i = 0; i < bi->nr_memranges; i++) {
		const struct boot_memrange *r = &bi->mem[i];
		paddr_t start = ROUNDDOWN(r->base, PAGE_SIZE);
		paddr_t end = ROUNDUP(r->base + r->len, PAGE_SIZE);

		if (!is_ram(r->type) || end <= LOW_MEMORY_RESERVED)
			continue;
		start = max(start, (paddr_t)LOW_MEMORY_RESERVED);
		map_range(DIRECTMAP_VIRT_START + start, start, end - start,
			  PAGE_HYPERVISOR_RW);
	}

	map_image_section(__text_start, __text_end, PAGE_HYPERVISOR_RX);
	map_image_section(__rodata_start, __rodata_end, PAGE_HYPERVISOR_RO);
	map_image_section(__data_start, __bss_end, PAGE_HYPERVISOR_RW);
	map_image_section(__bss_end, __image_end, PAGE_HYPERVISOR_RO);
	for (i = 0; i < nr_boot_guard_pages; i++)
		unmap_page(boot_guard_pages[i]);

	/*
	 * Every top-level slot the hypervisor will ever use exists from now
	 * on, so the copies guest address spaces take of the upper half
	 * (copy_hypervisor_mappings()) never miss a later ioremap or stack.
	 */
	walk_create(IOREMAP_VIRT_START, 3);
	walk_create(STACKS_VIRT_START, 3);

	write_cr3(virt_to_maddr(idle_pml4));
	/* Global pages survive CR3 reloads; setting PGE flushes them once. */
	write_cr4(read_cr4() | (1UL << 7));
}

static void __init describe_memory_map(const struct boot_info *bi)
{
	static const char *const names[] = {
		[BOOT_MEM_USABLE] = "usable",
		[BOOT_MEM_RESERVED] = "reserved",
		[BOOT_MEM_ACPI_RECLAIMABLE] = "ACPI data",
		[BOOT_MEM_ACPI_NVS] = "ACPI NVS",
		[BOOT_MEM_BAD] = "bad",
	};
	unsigned int i;

	/*
	 * The ranges only with loglvl=7: a UEFI map has forty or more, which
	 * on a screen-only machine scroll the banner and the first lines
	 * away, and each costs its line on every console.
	 */
	pr_info("Memory map (%s, %u ranges%s):\n",
		bi->mem_from_efi ? "EFI" : "multiboot2", bi->nr_memranges,
		console_loglevel >= LOGLEVEL_DEBUG ? ""
						   : "; loglvl=7 lists them");
	for (i = 0; i < bi->nr_memranges; i++) {
		const struct boot_memrange *r = &bi->mem[i];

		pr_debug("  [mem 0x%016lx-0x%016lx] %s\n", r->base,
			 r->base + r->len - 1,
			 r->type < ARRAY_SIZE(names) && names[r->type]
				 ? names[r->type]
				 : "reserved");
	}
}

static void __init reserve_boot_ranges(const struct boot_info *bi,
				       paddr_t info_pa, u64 *module_bytes)
{
	unsigned int i;

	bootmem_reserve(0, LOW_MEMORY_RESERVED);
	bootmem_reserve((paddr_t)__image_phys_start, (paddr_t)__image_phys_end);
	/* boot_info points into the block: it must outlive the boot. */
	bootmem_reserve(info_pa, info_pa + bi->info_size);
	*module_bytes = 0;
	for (i = 0; i < bi->nr_modules; i++) {
		bootmem_reserve(bi->modules[i].start, bi->modules[i].end);
		*module_bytes += bi->modules[i].end - bi->modules[i].start;
	}
}

void __init memory_init(const struct boot_info *bi, paddr_t info_pa)
{
	struct page_alloc_stats stats;
	u64 usable = 0, module_bytes;
	unsigned int i;

	describe_memory_map(bi);
	if (bi->nr_memranges == 0)
		panic("the boot loader gave no memory map");
	for (i = 0; i < bi->nr_memranges; i++) {
		if (bi->mem[i].type != BOOT_MEM_USABLE)
			continue;
		bootmem_add_free(bi->mem[i].base,
				 bi->mem[i].base + bi->mem[i].len);
		usable += bi->mem[i].len;
	}
	reserve_boot_ranges(bi, info_pa, &module_bytes);

	build_page_tables(bi);
	page_alloc_init();
	page_allocator_up = true;

	page_alloc_get_stats(&stats);
	pr_info("Memory: %lu MiB usable, %lu MiB free; image %lu KiB, modules %lu KiB, page tables %lu KiB\n",
		usable >> 20, (stats.free_pages * PAGE_SIZE) >> 20,
		((unsigned long)__image_phys_end -
		 (unsigned long)__image_phys_start) >>
			10,
		module_bytes >> 10, page_table_pages * PAGE_SIZE >> 10);
}

void *alloc_guarded_stack(void)
{
	void *pages = alloc_pages_virt(STACK_ORDER);
	unsigned long flags, slot, off;

	if (!pages)
		return NULL;
	flags = spin_lock_irqsave(&stacks_lock);
	if (stacks_next >= STACKS_VIRT_START + STACKS_VIRT_SIZE) {
		spin_unlock_irqrestore(&stacks_lock, flags);
		free_pages_virt(pages, STACK_ORDER);
		return NULL;
	}
	slot = stacks_next;
	stacks_next += STACK_SLOT_SIZE;
	/* Page-table updates share the lock: walk_create() is not reentrant. */
	for (off = 0; off < STACK_SIZE; off += PAGE_SIZE)
		walk_create(slot + STACK_SIZE + off,
			    1)[table_index(slot + STACK_SIZE + off, 1)] =
			(virt_to_maddr(pages) + off) | PAGE_HYPERVISOR_RW;
	spin_unlock_irqrestore(&stacks_lock, flags);
	return (void *)(slot + STACK_SIZE);
}

bool guarded_stack_bounds(unsigned long addr, unsigned long *lo,
			  unsigned long *hi)
{
	unsigned long slot;

	if (addr < STACKS_VIRT_START || addr >= READ_ONCE(stacks_next))
		return false;
	slot = ROUNDDOWN(addr - STACKS_VIRT_START, STACK_SLOT_SIZE) +
	       STACKS_VIRT_START;
	if (addr < slot + STACK_SIZE)
		return false; /* the guard half */
	*lo = slot + STACK_SIZE;
	*hi = slot + STACK_SLOT_SIZE;
	return true;
}

void copy_hypervisor_mappings(u64 *pml4)
{
	unsigned int i;

	for (i = PML4_FIRST_HYPERVISOR_SLOT; i < 512; i++)
		pml4[i] = idle_pml4[i];
}

paddr_t idle_page_table(void)
{
	return virt_to_maddr(idle_pml4);
}

/* In the image, so below 4 GiB wherever the allocators' memory lies. */
static u64 trampoline_pml4[512] __aligned(PAGE_SIZE);
static u64 trampoline_pdpt[512] __aligned(PAGE_SIZE);
static u64 trampoline_pd[512] __aligned(PAGE_SIZE);

static paddr_t image_va_to_pa(const void *va)
{
	return (unsigned long)va - KERNEL_VIRT_BASE;
}

paddr_t __init trampoline_page_tables(void)
{
	/*
	 * Shares every lower level with the hypervisor's own tables; the APs
	 * leave it for idle_pml4 before touching anything mapped later.
	 */
	memcpy(trampoline_pml4, idle_pml4, PAGE_SIZE);
	trampoline_pd[0] = _PAGE_PRESENT | _PAGE_RW | _PAGE_PSE;
	trampoline_pdpt[0] =
		image_va_to_pa(trampoline_pd) | _PAGE_PRESENT | _PAGE_RW;
	trampoline_pml4[0] =
		image_va_to_pa(trampoline_pdpt) | _PAGE_PRESENT | _PAGE_RW;
	return image_va_to_pa(trampoline_pml4);
}

struct mapping_info mm_lookup(unsigned long va)
{
	struct mapping_info info = {.writable = true, .executable = true};
	const u64 *table = maddr_to_virt(read_cr3() & PTE_ADDR_MASK);
	unsigned int level;

	for (level = 4; level >= 1; level--) {
		u64 entry = table[table_index(va, level)];

		if (!(entry & _PAGE_PRESENT))
			return (struct mapping_info){0};
		/* Permissions are the intersection of every level's. */
		info.writable &= !!(entry & _PAGE_RW);
		info.executable &= !(entry & _PAGE_NX);
		if (level == 1 || (level <= 3 && (entry & _PAGE_PSE))) {
			unsigned long page_mask =
				(1UL << (L1_SHIFT + 9 * (level - 1))) - 1;

			info.present = true;
			info.pa = (entry & PTE_ADDR_MASK & ~page_mask) |
				  (va & page_mask);
			return info;
		}
		table = maddr_to_virt(entry & PTE_ADDR_MASK);
	}
	return (struct mapping_info){0};
}

void *ioremap(paddr_t pa, size_t size)
{
	paddr_t base = ROUNDDOWN(pa, PAGE_SIZE);
	u64 len = ROUNDUP(pa + size, PAGE_SIZE) - base;
	unsigned long flags, va;

	if (size == 0 || pa + size < pa)
		return NULL;
	flags = spin_lock_irqsave(&ioremap_lock);
	if (len > IOREMAP_VIRT_START + IOREMAP_VIRT_SIZE - ioremap_next) {
		spin_unlock_irqrestore(&ioremap_lock, flags);
		return NULL;
	}
	va = ioremap_next;
	ioremap_next += len;
	spin_unlock_irqrestore(&ioremap_lock, flags);

	/* 4 KiB pages only: MMIO neighbours need not share a cache type. */
	for (u64 off = 0; off < len; off += PAGE_SIZE)
		walk_create(va + off, 1)[table_index(va + off, 1)] =
			(base + off) | PAGE_HYPERVISOR_UC;
	return (void *)(va + (pa - base));
}
