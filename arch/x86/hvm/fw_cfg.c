/*
 * QEMU's firmware configuration device, its I/O interface only (QEMU's
 * docs/specs/fw_cfg.rst): a 16-bit selector at port 0x510 and a byte
 * data port at 0x511 that reads the selected item from its start. Test
 * kernels written for QEMU probe it for the signature and the CPU
 * count; Kairos answers those and the RAM size, and an empty file
 * directory. Other items read as zeros, as QEMU's unknown ones do.
 */
#include <asm/hvm/hvm.h>
#include <asm/hvm/platform.h>
#include <domain.h>
#include <errno.h>
#include <string.h>

#define FW_CFG_SIGNATURE      0x0000
#define FW_CFG_ID	      0x0001
#define FW_CFG_RAM_SIZE	      0x0003
#define FW_CFG_NB_CPUS	      0x0005
#define FW_CFG_MAX_CPUS	      0x000f
#define FW_CFG_FILE_DIR	      0x0019
#define FW_CFG_ID_TRADITIONAL 0x1 /* the I/O port interface, no DMA */

/* The selected item's bytes, little-endian as QEMU gives numbers. */
static unsigned int item_bytes(const struct domain *d, u16 key, u8 *buf)
{
	u64 v;

	switch (key) {
	case FW_CFG_SIGNATURE:
		memcpy(buf, "QEMU", 4);
		return 4;
	case FW_CFG_ID:
		v = FW_CFG_ID_TRADITIONAL;
		memcpy(buf, &v, 4);
		return 4;
	case FW_CFG_RAM_SIZE:
		v = d->hvm->mem;
		memcpy(buf, &v, 8);
		return 8;
	case FW_CFG_NB_CPUS:
	case FW_CFG_MAX_CPUS:
		v = d->nr_vcpus;
		memcpy(buf, &v, 2);
		return 2;
	case FW_CFG_FILE_DIR:
		memset(buf, 0, 4); /* a big-endian count of no files */
		return 4;
	default:
		return 0;
	}
}

int fw_cfg_io(struct vcpu *v, u16 port, unsigned int size, bool in, u32 *val)
{
	struct hvm_domain *hd = v->domain->hvm;
	struct hvm_fw_cfg *fc = &hd->fw_cfg;
	unsigned long flags;
	unsigned int i, len;
	u8 item[8];

	if (port == HVM_FW_CFG_PORT) {
		if (in)
			return -ENODEV; /* the selector is write-only */
		flags = spin_lock_irqsave(&hd->io_lock);
		fc->selector = (u16)*val;
		fc->offset = 0;
		spin_unlock_irqrestore(&hd->io_lock, flags);
		return 0;
	}
	if (!in)
		return 0; /* writes to items are not offered */
	flags = spin_lock_irqsave(&hd->io_lock);
	len = item_bytes(v->domain, fc->selector, item);
	*val = 0;
	/* A wider read takes that many bytes in a row (QEMU does the same). */
	for (i = 0; i < size; i++, fc->offset++)
		if (fc->offset < len)
			*val |= (u32)item[fc->offset] << (8 * i);
	spin_unlock_irqrestore(&hd->io_lock, flags);
	return 0;
}
