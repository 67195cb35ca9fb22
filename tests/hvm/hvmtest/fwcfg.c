/*
 * fwcfg: QEMU's firmware configuration interface as firmware and some
 * OSes probe it (QEMU docs/specs/fw_cfg.rst): a 16-bit selector written to
 * port 0x510, data read a byte at a time from 0x511. Selector 0 is the
 * signature "QEMU", 1 the interface ID (bit 0: the port interface), 5 the
 * CPU count, which must equal the MADT's.
 */
#include "acpi.h"
#include "hvmtest.h"

#define FW_CFG_PORT_SEL	      0x510
#define FW_CFG_PORT_DATA      0x511
#define FW_CFG_SIGNATURE      0x00
#define FW_CFG_ID	      0x01
#define FW_CFG_NB_CPUS	      0x05
#define FW_CFG_ID_TRADITIONAL 0x1
#define FW_CFG_ID_DMA	      0x2

/* Selects key and reads n (<= 8) bytes, little-endian. */
static u64 fw_cfg_read(u16 key, unsigned int n)
{
	u64 v = 0;
	unsigned int i;

	outw(FW_CFG_PORT_SEL, key);
	for (i = 0; i < n; i++)
		v |= (u64)inb(FW_CFG_PORT_DATA) << (8 * i);
	return v;
}

static void signature(struct test *t)
{
	u32 sig = (u32)fw_cfg_read(FW_CFG_SIGNATURE, 4);
	char s[5];

	memcpy(s, &sig, 4);
	s[4] = '\0';
	CHECK(t, !memcmp(s, "QEMU", 4), "signature %#x, expected \"QEMU\"",
	      sig);
}

static void interface_id(struct test *t)
{
	u32 id = (u32)fw_cfg_read(FW_CFG_ID, 4);

	test_diag(t, "interface ID %#x (%s)", id,
		  id & FW_CFG_ID_DMA ? "port and DMA" : "port only");
	CHECK(t, id != 0xffffffff, "ID %#x: nothing at port %#x", id,
	      FW_CFG_PORT_DATA);
	CHECK(t, id & FW_CFG_ID_TRADITIONAL, "ID %#x: no port interface", id);
}

static void cpu_count(struct test *t)
{
	u16 n = (u16)fw_cfg_read(FW_CFG_NB_CPUS, 2);

	CHECK(t, acpi.madt, "no MADT");
	CHECK(t, n == acpi.nr_enabled,
	      "fw_cfg says %u CPUs, the MADT lists %u enabled", n,
	      acpi.nr_enabled);
	CHECK(t, n == nr_cpus_online, "fw_cfg says %u CPUs, %u are online", n,
	      nr_cpus_online);
}

DEFINE_SUITE(fwcfg, false, TEST_CASE(signature), TEST_CASE(interface_id),
	     TEST_CASE(cpu_count));
