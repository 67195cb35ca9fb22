/* The I/O APIC's registers (ioapic.h): each access a 32-bit MMIO one. */
#include "acpi.h"
#include "ioapic.h"

u64 ioapic_base(void)
{
	return acpi.ioapic_address;
}

u32 ioapic_read(u8 reg)
{
	mmio_write32(ioapic_base() + IOAPIC_IOREGSEL, reg);
	return mmio_read32(ioapic_base() + IOAPIC_IOWIN);
}

void ioapic_write(u8 reg, u32 value)
{
	mmio_write32(ioapic_base() + IOAPIC_IOREGSEL, reg);
	mmio_write32(ioapic_base() + IOAPIC_IOWIN, value);
}

u64 ioapic_read_rte(unsigned int pin)
{
	u8 reg = (u8)(IOAPIC_REG_REDIR + 2 * pin);

	return ioapic_read(reg) | (u64)ioapic_read(reg + 1) << 32;
}

void ioapic_write_rte(unsigned int pin, u64 rte)
{
	u8 reg = (u8)(IOAPIC_REG_REDIR + 2 * pin);

	if (rte & RTE_MASKED) {
		ioapic_write(reg, (u32)rte);
		ioapic_write(reg + 1, (u32)(rte >> 32));
	} else {
		ioapic_write(reg + 1, (u32)(rte >> 32));
		ioapic_write(reg, (u32)rte);
	}
}

unsigned int ioapic_nr_pins(void)
{
	return ((ioapic_read(IOAPIC_REG_VER) >> 16) & 0xff) + 1;
}
