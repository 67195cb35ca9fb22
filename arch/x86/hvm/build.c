/*
 * Building an HVM domain from a boot module (include/hvm.h). Two kinds
 * of kernel, each loaded and entered as QEMU's -kernel does (docs/hvm.md,
 * "Loading"):
 *
 *  - a Multiboot (version 1) kernel: its segments copied to their
 *    guest-physical addresses, the Multiboot information block (memory
 *    map, command line, boot loader name) in low memory, and vCPU 0 in
 *    32-bit protected mode at the entry point with EAX = 0x2BADB002 and
 *    EBX = the block's address;
 *  - a Linux bzImage (include/bzimage.h): its protected-mode part at
 *    1 MiB, the initramfs module high in RAM, the zero page and the
 *    command line in low memory, and vCPU 0 at the 32-bit entry with ESI =
 *    the zero page.
 *
 * Both get the ACPI tables in the BIOS area; the other vCPUs wait for
 * their start-up IPI.
 */
#include <asm/hvm/hvm.h>
#include <asm/hvm/pc_platform.h>
#include <asm/hvm/platform.h>
#include <asm/processor.h>
#include <bzimage.h>
#include <domain.h>
#include <errno.h>
#include <hvm.h>
#include <multiboot1_image.h>
#include <page.h>
#include <printk.h>
#include <reject.h>
#include <string.h>
#include <version.h>
#include <xmalloc.h>

/* A validated kernel, of either kind, and where its parts go. */
struct boot_plan {
	bool is_linux;
	struct mb1_image_info mb1;
	struct bzimage_info bz;
	u64 initrd_gpa;
};

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

/* The option-ROM area and the ACPI tables, read-only to the guest. */
static int build_acpi(struct domain *d, char *err, size_t errlen)
{
	size_t len = HVM_BIOS_END - HVM_BIOS_START;
	size_t rom_len = HVM_BIOS_START - HVM_OPTION_ROM_START;
	u8 *buf = xmalloc_bytes(max(len, rom_len));
	u32 rsdp;
	int rc;

	if (!buf) {
		snprintf(err, errlen, "out of memory for its ACPI tables");
		return -ENOMEM;
	}
	/* No option ROMs: their area reads as an empty bus does. */
	memset(buf, 0xff, rom_len);
	rc = hvm_copy_to_gpa_any(d, HVM_OPTION_ROM_START, buf, rom_len);
	memset(buf, 0, len);
	if (!rc)
		rc = hvm_acpi_build(buf, len, HVM_BIOS_START, d->nr_vcpus, NULL,
				    &rsdp, err, errlen);
	else
		snprintf(err, errlen, "its ROM area does not fit its memory");
	if (!rc && hvm_copy_to_gpa_any(d, HVM_BIOS_START, buf, len)) {
		snprintf(err, errlen, "its ACPI tables do not fit its memory");
		rc = -EFAULT;
	}
	xfree(buf);
	return rc;
}

/* A Multiboot kernel: segments, information block, entry registers. */
static int load_multiboot(struct domain *d, const struct hvm_boot_image *boot,
			  const struct mb1_image_info *img, char *err,
			  size_t errlen)
{
	size_t info_len = HVM_MB1_INFO_END - HVM_MB1_INFO_START;
	char loader[48];
	u8 *buf;
	u32 info_gpa;
	int rc = -EINVAL;

	if (load_segments(d, boot->kernel, img)) {
		snprintf(err, errlen, "a segment does not fit its memory");
		return -EFAULT;
	}
	buf = xzalloc_bytes(info_len);
	if (!buf) {
		snprintf(err, errlen,
			 "out of memory for its information block");
		return -ENOMEM;
	}
	snprintf(loader, sizeof(loader), "Kairos %s", KAIROS_VERSION);
	if (!hvm_mb1_info_build(buf, info_len, HVM_MB1_INFO_START, d->hvm->mem,
				d->config.cmdline, loader, &info_gpa, err,
				errlen)) {
		rc = hvm_copy_to_gpa(d, HVM_MB1_INFO_START, buf, info_len);
		if (rc)
			snprintf(
				err, errlen,
				"its information block does not fit its memory");
	}
	xfree(buf);
	if (!rc)
		svm_vcpu_set_multiboot_entry(d->vcpus[0], (u32)img->entry,
					     MB1_BOOTLOADER_MAGIC, info_gpa);
	return rc;
}

/* A bzImage: kernel, initramfs, zero page, command line, entry. */
static int load_linux(struct domain *d, const struct hvm_boot_image *boot,
		      const struct boot_plan *plan, char *err, size_t errlen)
{
	const struct bzimage_info *bz = &plan->bz;
	const char *cmdline = d->config.cmdline;
	u8 *zp;
	int rc;

	BUILD_BUG_ON(HVM_LINUX_CMDLINE_END - HVM_LINUX_CMDLINE <
		     DOMAIN_CMDLINE_MAX);
	if (hvm_copy_to_gpa(d, bz->load_addr, boot->kernel + bz->kernel_offset,
			    bz->kernel_size) ||
	    (boot->initrd && hvm_copy_to_gpa(d, plan->initrd_gpa, boot->initrd,
					     boot->initrd_size)) ||
	    hvm_copy_to_gpa(d, HVM_LINUX_CMDLINE, cmdline,
			    strlen(cmdline) + 1)) {
		snprintf(err, errlen, "the kernel does not fit its memory");
		return -EFAULT;
	}
	zp = xmalloc_bytes(BZ_ZERO_PAGE_SIZE);
	if (!zp) {
		snprintf(err, errlen, "out of memory for its zero page");
		return -ENOMEM;
	}
	rc = hvm_linux_zero_page_build(zp, boot->kernel, bz, d->hvm->mem,
				       HVM_LINUX_CMDLINE, (u32)plan->initrd_gpa,
				       (u32)boot->initrd_size);
	if (!rc)
		rc = hvm_copy_to_gpa(d, HVM_LINUX_ZERO_PAGE, zp,
				     BZ_ZERO_PAGE_SIZE);
	xfree(zp);
	if (rc) {
		snprintf(err, errlen, "its zero page does not fit its memory");
		return rc;
	}
	svm_vcpu_set_linux_entry(d->vcpus[0], (u32)bz->load_addr,
				 HVM_LINUX_ZERO_PAGE);
	return 0;
}

/* Validates the kernel (and initramfs) for cfg's memory: 0 or -EINVAL. */
static int plan_boot(const struct domain_config *cfg,
		     const struct hvm_boot_image *boot, struct boot_plan *plan,
		     char *err, size_t errlen)
{
	struct mb1_load_limits limits;

	memset(plan, 0, sizeof(*plan));
	if (!bzimage_probe(boot->kernel, boot->kernel_size)) {
		if (boot->initrd)
			return reject_reason(
				err, errlen,
				"an initramfs module follows it, but only a Linux bzImage takes one; this is not a bzImage");
		if (hvm_mb1_load_limits(cfg->mem, &limits))
			return -EINVAL;
		return mb1_image_parse(boot->kernel, boot->kernel_size, &limits,
				       &plan->mb1, err, errlen);
	}
	plan->is_linux = true;
	if (bzimage_parse(boot->kernel, boot->kernel_size, cfg->mem, &plan->bz,
			  err, errlen) ||
	    bzimage_check_cmdline(&plan->bz, strlen(cfg->cmdline), err, errlen))
		return -EINVAL;
	if (boot->initrd &&
	    bzimage_place_initrd(&plan->bz, cfg->mem, boot->initrd_size,
				 &plan->initrd_gpa, err, errlen))
		return -EINVAL;
	return 0;
}

static void report_built(const struct domain *d, const struct boot_plan *plan,
			 const struct hvm_boot_image *boot, unsigned int module)
{
	const struct hvm_domain *hd = d->hvm;
	unsigned long mem_kib = (unsigned long)(hd->mem >> 10);
	const char *s = d->nr_vcpus == 1 ? "" : "s";

	if (!plan->is_linux) {
		const struct mb1_image_info *img = &plan->mb1;

		pr_info("Domain %u (%s): entry %#lx, HVM Multiboot kernel, %u vCPU%s, %lu KiB (image %lu KiB at %#lx, nested tables %lu KiB), module %u\n",
			d->domid, d->name, (unsigned long)img->entry,
			d->nr_vcpus, s, mem_kib,
			(unsigned long)(img->load_end - img->load_start +
					1023) /
				1024,
			(unsigned long)img->load_start, hd->npt_pages * 4,
			module);
		if (img->video_mode)
			pr_info("Domain %u (%s): the kernel asks for a video mode; it gets none (no framebuffer)\n",
				d->domid, d->name);
		return;
	}
	pr_info("Domain %u (%s): entry %#lx, HVM Linux bzImage (boot protocol %u.%02u%s), %u vCPU%s, %lu KiB (kernel %lu KiB, runs at %#lx, initramfs %lu KiB at %#lx, nested tables %lu KiB), module %u\n",
		d->domid, d->name, (unsigned long)plan->bz.load_addr,
		plan->bz.version >> 8, plan->bz.version & 0xff,
		plan->bz.kernel_64 ? ", 64-bit" : "", d->nr_vcpus, s, mem_kib,
		(unsigned long)(plan->bz.kernel_size + 1023) / 1024,
		(unsigned long)plan->bz.runtime_start,
		(unsigned long)(boot->initrd_size + 1023) / 1024,
		(unsigned long)plan->initrd_gpa, hd->npt_pages * 4, module);
}

struct domain *hvm_domain_build(const struct domain_config *cfg,
				const struct hvm_boot_image *boot,
				unsigned int module, char *err, size_t errlen)
{
	struct boot_plan *plan;
	struct hvm_domain *hd;
	struct domain *d = NULL;
	unsigned int i;
	int rc;

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
	plan = xmalloc(struct boot_plan);
	if (!plan) {
		snprintf(err, errlen, "out of memory for the domain");
		return NULL;
	}
	if (plan_boot(cfg, boot, plan, err, errlen))
		goto out;
	d = domain_create(cfg, err, errlen);
	if (!d)
		goto out;
	hd = xzalloc(struct hvm_domain);
	if (!hd)
		goto nomem;
	d->hvm = hd;
	hd->domain = d;
	hd->mem = cfg->mem;
	spin_lock_init(&hd->io_lock);
	/* Guest time starts near zero; the same offset on every vCPU. */
	hd->tsc_offset = -rdtsc();
	hvm_pvclock_init(d);
	if (guest_memory_alloc(d, cfg->mem) || npt_build(d))
		goto nomem;
	for (i = 0; i < d->nr_vcpus; i++)
		if (arch_vcpu_init(d->vcpus[i], 0, 0) ||
		    hvm_vcpu_create(d->vcpus[i]))
			goto nomem;
	vioapic_init(d);
	vuart_init(d);
	vrtc_init(d);
	rc = plan->is_linux ? load_linux(d, boot, plan, err, errlen)
			    : load_multiboot(d, boot, &plan->mb1, err, errlen);
	if (rc || build_acpi(d, err, errlen))
		goto fail;
	report_built(d, plan, boot, module);
	goto out;

nomem:
	snprintf(err, errlen, "out of memory for the domain");
fail:
	domain_free_resources(d);
	d = NULL;
out:
	xfree(plan);
	return d;
}
