/*
 * Boot-time check of the guest images (include/guest_images.h): the
 * module's command line through domain_config_parse(), the image through
 * elf_image_parse(), one log line each way.
 */
#include <domain_config.h>
#include <elf_image.h>
#include <guest_images.h>
#include <page.h>
#include <page_alloc.h>
#include <printk.h>
#include <string.h>

#define ERR_LEN 256

/* Checks module i; true if it is a valid guest image. */
static bool check_module(const struct boot_module *m, unsigned int i)
{
	struct domain_config cfg;
	struct elf_image_info img;
	struct page_alloc_stats st;
	char err[ERR_LEN];
	unsigned int s;

	/* No domain can have more than the memory free now. */
	page_alloc_get_stats(&st);
	if (domain_config_parse(m->cmdline, i, st.free_pages * PAGE_SIZE, &cfg,
				err, sizeof(err))) {
		pr_err("Module %u: refused: %s\n", i, err);
		return false;
	}
	if (elf_image_parse(maddr_to_virt(m->start), m->end - m->start,
			    &(struct elf_image_limits){GUEST_IMAGE_VADDR_MIN,
						       GUEST_IMAGE_VADDR_END,
						       cfg.mem},
			    &img, err, sizeof(err))) {
		pr_err("Module %u (%s): refused: %s\n", i, cfg.name, err);
		return false;
	}
	pr_info("Module %u: guest %s: ELF64, entry %#lx, %u vCPU%s, %lu KiB of %lu KiB memory, weight %u\n",
		i, cfg.name, (unsigned long)img.entry, cfg.vcpus,
		cfg.vcpus == 1 ? "" : "s",
		(unsigned long)(img.total_pages * GUEST_PAGE_SIZE / 1024),
		(unsigned long)(cfg.mem / 1024), cfg.weight);
	for (s = 0; s < img.nr_segments; s++)
		pr_info("Module %u:   %s [%#lx-%#lx) %lu bytes from the file\n",
			i, elf_segment_perms(img.segments[s].flags),
			(unsigned long)img.segments[s].vaddr,
			(unsigned long)(img.segments[s].vaddr +
					img.segments[s].memsz),
			(unsigned long)img.segments[s].filesz);
	return true;
}

unsigned int guest_images_check(const struct boot_info *bi)
{
	unsigned int i, valid = 0;

	for (i = 0; i < bi->nr_modules; i++)
		valid += check_module(&bi->modules[i], i);
	if (bi->nr_modules)
		pr_info("Guests: %u of %u images valid; domains do not run yet\n",
			valid, bi->nr_modules);
	return valid;
}
