/*
 * The firmware's ACPI tables, as an OS finds them (ACPI 6.5, 5.2): the
 * RSDP in 0xe0000-0xfffff, the RSDT or XSDT, the MADT's CPUs, first I/O
 * APIC and interrupt source overrides, and the FADT's PM timer. Parsed
 * once by the boot CPU; read-only afterwards.
 */
#ifndef HVM_ACPI_H
#define HVM_ACPI_H

#include "arch.h"

#define ACPI_MAX_CPUS	   64
#define ACPI_MAX_OVERRIDES 16

/* MPS INTI flags of an override (5.2.12.5, table 5.50). */
#define ACPI_MPS_POLARITY_MASK 0x3
#define ACPI_MPS_ACTIVE_LOW    0x3
#define ACPI_MPS_TRIGGER_MASK  0xc
#define ACPI_MPS_LEVEL	       0xc

struct acpi_cpu {
	u32 apic_id;
	u32 uid;      /* ACPI processor UID */
	u8 type;      /* the MADT entry: 0 Local APIC, 9 Local x2APIC */
	bool enabled; /* flags bit 0 */
};

/* An interrupt source override (5.2.12.5): ISA IRQ irq is GSI gsi. */
struct acpi_override {
	u8 bus, irq;
	u16 flags; /* ACPI_MPS_*; 0: as the bus does (ISA: edge, high) */
	u32 gsi;
};

struct acpi_info {
	bool found;	/* an RSDP with a good checksum */
	u64 rsdp;	/* its address */
	u8 revision;	/* the RSDP's: 0 (ACPI 1.0, RSDT only) or 2 */
	char oem_id[7]; /* NUL-terminated */
	bool xsdt;	/* the tables came from the XSDT */
	unsigned int nr_tables;
	char signatures[32][5]; /* the tables listed, in order */
	/* MADT (5.2.12) */
	bool madt;
	u64 lapic_address; /* after any type-5 override */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	unsigned int nr_cpus, nr_enabled;
	unsigned int nr_type0, nr_type9; /* CPU entries of each kind */
	u64 ioapic_address;		 /* the first I/O APIC's, 0 if none */
	u8 ioapic_id;			 /* its ID */
	u32 ioapic_gsi_base;		 /* the GSI of its input 0 */
	unsigned int nr_ioapics;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	unsigned int nr_overrides;
	/* FADT (5.2.9) */
	bool fadt;
	u16 pm_timer_port;	/* 0: none (or not in I/O space) */
	bool pm_timer_32bit;	/* flags.TMR_VAL_EXT */
	bool pm_timer_from_x;	/* X_PM_TMR_BLK gave the port */
	u16 pm1a_cnt, pm1b_cnt; /* PM1 control ports: a write can power off */
	u16 smi_cmd;
	u16 reset_port;	 /* RESET_REG in I/O space, 0 if none */
	u8 century_cmos; /* the RTC's century register, 0 if none */
	/* HPET (IA-PC HPET Specification 1.0a, 3.2.4): its registers, 0 if none */
	u64 hpet_address;
	/* MCFG (PCI Firmware Specification 3.2, 4.1.2): the first ECAM region */
	u64 ecam_base, ecam_size;
	/* What was wrong with the tables (bad checksums, short tables). */
	char problems[160];
};

extern struct acpi_info acpi;

/* Finds and parses the tables (boot CPU, once). */
void acpi_init(void);

/* The MADT entry with this APIC ID, or NULL. */
const struct acpi_cpu *acpi_find_cpu(u32 apic_id);

/*
 * The GSI ISA IRQ irq is wired to: an override's, or irq itself (5.2.12.5:
 * identity where no override says otherwise); *flags its MPS INTI flags
 * (0 without an override).
 */
u32 acpi_isa_irq_gsi(u8 irq, u16 *flags);

#endif /* HVM_ACPI_H */
