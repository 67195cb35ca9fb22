/*
 * Building a domain from a Multiboot2 module (include/domain_build.h):
 * the command line through domain_config_parse(), the image through
 * elf_image_parse(), then memory, page tables and the start-info page.
 *
 * The guest's virtual layout (public/abi.h): start info and shared info
 * at 2 MiB, the image's segments where its program headers say, then,
 * from the next 2 MiB boundary plus a 2 MiB gap, each vCPU's stack above
 * an unmapped guard page, and the rest of mem= as the heap.
 */
#include <domain.h>
#include <domain_build.h>
#include <domain_config.h>
#include <elf_image.h>
#include <errno.h>
#include <hvm.h>
#include <page.h>
#include <page_alloc.h>
#include <printk.h>
#include <public/abi.h>
#include <string.h>
#include <systime.h>

#define ERR_LEN	     256
#define LAYOUT_ALIGN (2UL << 20)
#define STACK_PAGES  (GUEST_STACK_SIZE / PAGE_SIZE)

/* Where a domain's stacks and heap go, after its image. */
struct guest_layout {
	u64 stacks_start; /* first guard page */
	u64 heap_start;
	u64 heap_pages;
};

static u64 image_end(const struct elf_image_info *img)
{
	u64 end = 0;
	unsigned int s;

	for (s = 0; s < img->nr_segments; s++)
		end = max(end, ROUNDUP(img->segments[s].vaddr +
					       img->segments[s].memsz,
				       (u64)PAGE_SIZE));
	return end;
}

/* Plans the layout; false (with err) if mem= or the address space is short. */
static bool plan_layout(const struct domain_config *cfg,
			const struct elf_image_info *img,
			struct guest_layout *l, char *err, size_t errlen)
{
	u64 mem_pages = cfg->mem / PAGE_SIZE;
	u64 stack_pages = (u64)cfg->vcpus * STACK_PAGES;

	if (img->total_pages + stack_pages > mem_pages) {
		snprintf(
			err, errlen,
			"the image (%lu KiB) and %u vCPU stacks (%lu KiB) do not fit in mem=%lu KiB",
			(unsigned long)(img->total_pages * 4), cfg->vcpus,
			(unsigned long)(stack_pages * 4),
			(unsigned long)(cfg->mem >> 10));
		return false;
	}
	l->stacks_start = ROUNDUP(image_end(img), LAYOUT_ALIGN) + LAYOUT_ALIGN;
	l->heap_start = ROUNDUP(
		l->stacks_start + cfg->vcpus * (STACK_PAGES + 1) * PAGE_SIZE +
			PAGE_SIZE,
		LAYOUT_ALIGN);
	l->heap_pages = mem_pages - img->total_pages - stack_pages;
	if (l->heap_start + l->heap_pages * PAGE_SIZE > GUEST_VADDR_END ||
	    l->heap_start < l->stacks_start) {
		snprintf(
			err, errlen,
			"no room for the stacks and heap above the image (it ends at %#lx)",
			(unsigned long)image_end(img));
		return false;
	}
	return true;
}

/* Maps count fresh pages of d's memory at va with perms; 0 or -errno. */
static int map_fresh(struct domain *d, u64 va, u64 count, unsigned int perms)
{
	for (; count; count--, va += PAGE_SIZE) {
		paddr_t pa = guest_memory_take_page(d);
		int rc;

		if (pa == INVALID_PADDR)
			return -ENOMEM;
		rc = as_map_page(&d->as, va, pa, perms);
		if (rc)
			return rc;
	}
	return 0;
}

static unsigned int segment_perms(u32 flags)
{
	unsigned int perms = AS_READ;

	if (flags & ELF_SEG_W)
		perms |= AS_WRITE;
	if (flags & ELF_SEG_X)
		perms |= AS_EXEC;
	return perms;
}

/* Copies one segment's file bytes into the pages already mapped for it. */
static int load_segment(struct domain *d, const u8 *image,
			const struct elf_segment *seg)
{
	u64 first = ROUNDDOWN(seg->vaddr, (u64)PAGE_SIZE);
	u64 last = ROUNDUP(seg->vaddr + seg->memsz, (u64)PAGE_SIZE);
	u64 va;

	for (va = first; va < last; va += PAGE_SIZE) {
		paddr_t pa = guest_memory_take_page(d);
		u64 lo = max(va, seg->vaddr);
		u64 hi = min(va + PAGE_SIZE, seg->vaddr + seg->filesz);
		int rc;

		if (pa == INVALID_PADDR)
			return -ENOMEM;
		/* Zeroed already: only the file's bytes go in. */
		if (lo < hi)
			memcpy((u8 *)maddr_to_virt(pa) + (lo - va),
			       image + seg->offset + (lo - seg->vaddr),
			       hi - lo);
		rc = as_map_page(&d->as, va, pa, segment_perms(seg->flags));
		if (rc)
			return rc;
	}
	return 0;
}

static void fill_start_info(struct domain *d, const struct guest_layout *l)
{
	struct start_info *si = d->start_info;

	si->magic = START_INFO_MAGIC;
	si->abi_version = KAIROS_ABI_VERSION;
	si->domid = d->domid;
	si->nr_vcpus = d->nr_vcpus;
	si->shared_info = GUEST_SHARED_INFO_VADDR;
	si->heap_start = l->heap_start;
	si->heap_size = l->heap_pages * PAGE_SIZE;
	si->mem_size = d->config.mem;
	si->tsc_hz = tsc_hz();
	strlcpy(si->name, d->name, sizeof(si->name));
	strlcpy(si->cmdline, d->config.args, sizeof(si->cmdline));
	d->shared_info->boot_wallclock = boot_wallclock();
}

/* Everything after domain_create(): memory, mappings, vCPU registers. */
static int populate(struct domain *d, const u8 *image,
		    const struct elf_image_info *img,
		    const struct guest_layout *l)
{
	unsigned int s, i;
	int rc;

	if (guest_memory_alloc(d, d->config.mem))
		return -ENOMEM;
	rc = as_map_page(&d->as, GUEST_START_INFO_VADDR,
			 virt_to_maddr(d->start_info), AS_READ);
	if (!rc)
		rc = as_map_page(&d->as, GUEST_SHARED_INFO_VADDR,
				 virt_to_maddr(d->shared_info),
				 AS_READ | AS_WRITE);
	for (s = 0; !rc && s < img->nr_segments; s++)
		rc = load_segment(d, image, &img->segments[s]);
	for (i = 0; !rc && i < d->nr_vcpus; i++) {
		u64 base = l->stacks_start + i * (STACK_PAGES + 1) * PAGE_SIZE +
			   PAGE_SIZE;

		rc = map_fresh(d, base, STACK_PAGES, AS_READ | AS_WRITE);
		if (!rc)
			rc = arch_vcpu_init(d->vcpus[i], img->entry,
					    base + GUEST_STACK_SIZE);
	}
	if (!rc)
		rc = map_fresh(d, l->heap_start, l->heap_pages,
			       AS_READ | AS_WRITE);
	if (!rc)
		fill_start_info(d, l);
	return rc;
}

/*
 * True if m is an initramfs: its module line is the word "initrd"
 * (docs/hvm.md). It belongs to the HVM module before it.
 */
static bool is_initrd_module(const struct boot_module *m)
{
	return m->cmdline && strcmp(m->cmdline, "initrd") == 0;
}

/*
 * Builds module i's domain, with initrd the module after it when that is
 * an initramfs; NULL (after saying why) if it is refused.
 */
static struct domain *build_module(const struct boot_module *m, unsigned int i,
				   const struct boot_module *initrd)
{
	struct domain_config cfg;
	struct elf_image_info img;
	struct page_alloc_stats st;
	struct guest_layout layout;
	struct domain *d, *other;
	char err[ERR_LEN];
	int rc;

	/* No domain can have more than the memory free now. */
	page_alloc_get_stats(&st);
	if (domain_config_parse(m->cmdline, i, st.free_pages * PAGE_SIZE, &cfg,
				err, sizeof(err))) {
		pr_err("Module %u: refused: %s\n", i, err);
		return NULL;
	}
	other = get_domain_by_name(cfg.name);
	if (other) {
		put_domain(other);
		pr_err("Module %u: refused: a domain named %s exists already\n",
		       i, cfg.name);
		return NULL;
	}
	if (cfg.type == DOMAIN_HVM) {
		struct hvm_boot_image boot = {
			.kernel = maddr_to_virt(m->start),
			.kernel_size = m->end - m->start,
		};

		if (initrd) {
			boot.initrd = maddr_to_virt(initrd->start);
			boot.initrd_size = initrd->end - initrd->start;
		}
		d = hvm_domain_build(&cfg, &boot, i, err, sizeof(err));
		if (!d)
			pr_err("Module %u (%s): refused: %s\n", i, cfg.name,
			       err);
		return d;
	}
	if (initrd) {
		pr_err("Module %u (%s): refused: an initramfs module follows it, but a paravirtual domain takes none\n",
		       i, cfg.name);
		return NULL;
	}
	if (elf_image_parse(maddr_to_virt(m->start), m->end - m->start,
			    &(struct elf_image_limits){GUEST_IMAGE_VADDR_MIN,
						       GUEST_IMAGE_VADDR_END,
						       cfg.mem},
			    &img, err, sizeof(err)) ||
	    !plan_layout(&cfg, &img, &layout, err, sizeof(err))) {
		pr_err("Module %u (%s): refused: %s\n", i, cfg.name, err);
		return NULL;
	}
	d = domain_create(&cfg, err, sizeof(err));
	if (!d) {
		pr_err("Module %u (%s): refused: %s\n", i, cfg.name, err);
		return NULL;
	}
	rc = populate(d, maddr_to_virt(m->start), &img, &layout);
	if (rc) {
		pr_err("Module %u (%s): refused: %s while building it\n", i,
		       cfg.name,
		       rc == -ENOMEM ? "out of memory" : "a mapping failed");
		domain_free_resources(d);
		return NULL;
	}
	pr_info("Domain %u (%s): entry %#lx, %u vCPU%s, %lu KiB (image %lu KiB, heap %lu KiB at %#lx), module %u\n",
		d->domid, d->name, (unsigned long)img.entry, d->nr_vcpus,
		d->nr_vcpus == 1 ? "" : "s", (unsigned long)(cfg.mem >> 10),
		(unsigned long)(img.total_pages * 4),
		(unsigned long)(layout.heap_pages * 4),
		(unsigned long)layout.heap_start, i);
	return d;
}

static struct domain *built[BOOT_MAX_MODULES];
static unsigned int nr_built;

unsigned int domains_build_from_modules(const struct boot_info *bi)
{
	unsigned int i, n = 0, nr_asked = 0;

	domains_record_baseline();
	for (i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *m = &bi->modules[i], *initrd = NULL;
		unsigned int index = i;
		struct domain *d;

		nr_asked++;
		if (is_initrd_module(m)) {
			pr_err("Module %u (initrd): refused: an initramfs must follow the type=hvm kernel module it belongs to\n",
			       i);
			continue;
		}
		if (i + 1 < bi->nr_modules &&
		    is_initrd_module(&bi->modules[i + 1]))
			initrd = &bi->modules[++i];
		d = build_module(m, index, initrd);
		if (d)
			built[n++] = d;
	}
	if (bi->nr_modules)
		pr_info("Domains: %u of %u modules built\n", n, nr_asked);
	nr_built = n;
	return n;
}

void domains_start_built(void)
{
	unsigned int i;

	/* All built before any runs, so they can find each other by name. */
	for (i = 0; i < nr_built; i++)
		domain_start(built[i]);
	nr_built = 0;
}
