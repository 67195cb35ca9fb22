/*
 * Building an HVM domain from a boot module (include/hvm.h): a Multiboot
 * (version 1) kernel, loaded and entered as QEMU's -kernel loads and
 * enters one (docs/hvm.md, "Loading"): its segments copied to their
 * guest-physical addresses, the Multiboot information block (memory map,
 * command line, boot loader name) in low memory, the ACPI tables in the
 * BIOS area, and vCPU 0 in 32-bit protected mode at the entry point with
 * EAX = 0x2BADB002 and EBX = the block's address; the other vCPUs wait
 * for their start-up IPI.
 */
#include <asm/hvm/hvm.h>
#include <asm/hvm/pc_platform.h>
#include <asm/hvm/platform.h>
#include <asm/processor.h>
#include <domain.h>
#include <errno.h>
#include <hvm.h>
#include <multiboot1_image.h>
#include <page.h>
#include <printk.h>
#include <string.h>
#include <version.h>
#include <xmalloc.h>

static int load_segments(struct domain *d, const u8 *image,
			 const struct mb1_image_info *img)
{
	unsigned int i;

	/* Guest memory is zeroed: the part of memsz past filesz is too. */
	for (i = 0; i < img->nr_segments; i++) {
		const struct mb1_segment *s = &img->segments[i];

		if (hvm_copy_to_gpa(d, s->paddr, image + s->offset, s->filesz))
			return -EFAULT;
	}
	return 0;
}

/* The firmware side: the Multiboot information block and ACPI. */
static int build_firmware_data(struct domain *d, u32 *info_gpa, char *err,
			       size_t errlen)
{
	size_t info_len = HVM_MB1_INFO_END - HVM_MB1_INFO_START;
	size_t bios_len = HVM_BIOS_END - HVM_BIOS_START;
	char loader[48];
	u8 *buf = xmalloc_bytes(max(info_len, bios_len));
	u32 rsdp;
	int rc = -EINVAL;

	if (!buf) {
		snprintf(err, errlen, "out of memory for its firmware tables");
		return -ENOMEM;
	}
	snprintf(loader, sizeof(loader), "Kairos %s", KAIROS_VERSION);
	memset(buf, 0, info_len);
	if (hvm_mb1_info_build(buf, info_len, HVM_MB1_INFO_START, d->hvm->mem,
			       d->config.cmdline, loader, info_gpa, err,
			       errlen))
		goto out;
	if (hvm_copy_to_gpa(d, HVM_MB1_INFO_START, buf, info_len))
		goto fault;
	memset(buf, 0, bios_len);
	if (hvm_acpi_build(buf, bios_len, HVM_BIOS_START, d->nr_vcpus, NULL,
			   &rsdp, err, errlen))
		goto out;
	if (hvm_copy_to_gpa_any(d, HVM_BIOS_START, buf, bios_len))
		goto fault;
	rc = 0;
	goto out;
fault:
	snprintf(err, errlen, "its firmware tables do not fit its memory");
out:
	xfree(buf);
	return rc;
}

struct domain *hvm_domain_build(const struct domain_config *cfg,
				const u8 *image, size_t size,
				unsigned int module, char *err, size_t errlen)
{
	struct mb1_load_limits limits;
	struct mb1_image_info img;
	struct hvm_domain *hd;
	struct domain *d;
	u32 info_gpa;
	unsigned int i;

	if (!hvm_enabled()) {
		snprintf(err, errlen,
			 "type=hvm needs AMD SVM with nested paging: %s",
			 hvm_disabled_reason());
		return NULL;
	}
	if (cfg->mem < HVM_MEM_MIN || cfg->mem > HVM_MEM_MAX) {
		snprintf(
			err, errlen,
			"mem=%lu KiB: an HVM domain has from %lu KiB to %lu MiB",
			(unsigned long)(cfg->mem >> 10),
			(unsigned long)(HVM_MEM_MIN >> 10),
			(unsigned long)(HVM_MEM_MAX >> 20));
		return NULL;
	}
	if (hvm_mb1_load_limits(cfg->mem, &limits) ||
	    mb1_image_parse(image, size, &limits, &img, err, errlen))
		return NULL;
	d = domain_create(cfg, err, errlen);
	if (!d)
		return NULL;
	hd = xzalloc(struct hvm_domain);
	if (!hd)
		goto nomem;
	d->hvm = hd;
	hd->domain = d;
	hd->mem = cfg->mem;
	spin_lock_init(&hd->io_lock);
	/* Guest time starts near zero; the same offset on every vCPU. */
	hd->tsc_offset = -rdtsc();
	if (guest_memory_alloc(d, cfg->mem) || npt_build(d))
		goto nomem;
	for (i = 0; i < d->nr_vcpus; i++)
		if (arch_vcpu_init(d->vcpus[i], 0, 0) ||
		    hvm_vcpu_create(d->vcpus[i]))
			goto nomem;
	vioapic_init(d);
	vuart_init(d);
	vrtc_init(d);
	if (load_segments(d, image, &img)) {
		snprintf(err, errlen, "a segment does not fit its memory");
		goto fail;
	}
	if (build_firmware_data(d, &info_gpa, err, errlen))
		goto fail;
	svm_vcpu_set_multiboot_entry(d->vcpus[0], (u32)img.entry,
				     MB1_BOOTLOADER_MAGIC, info_gpa);
	pr_info("Domain %u (%s): entry %#lx, HVM Multiboot kernel, %u vCPU%s, %lu KiB (image %lu KiB at %#lx, nested tables %lu KiB), module %u\n",
		d->domid, d->name, (unsigned long)img.entry, d->nr_vcpus,
		d->nr_vcpus == 1 ? "" : "s", (unsigned long)(cfg->mem >> 10),
		(unsigned long)(img.load_end - img.load_start + 1023) / 1024,
		(unsigned long)img.load_start, hd->npt_pages * 4, module);
	if (img.video_mode)
		pr_info("Domain %u (%s): the kernel asks for a video mode; it gets none (no framebuffer)\n",
			d->domid, d->name);
	return d;

nomem:
	snprintf(err, errlen, "out of memory for the domain");
fail:
	domain_free_resources(d);
	return NULL;
}
