/*
 * ACPI tables, parsed (common/acpi.c): what the firmware says about the
 * CPUs, the interrupt controllers, the timers and PCI configuration space,
 * in a form that needs no ACPI knowledge to use. Section numbers refer to
 * the ACPI Specification 6.5 unless another document is named.
 *
 * The parser reaches physical memory only through struct acpi_mem, so host
 * unit tests and the fuzz target feed it synthetic memory, and the kernel's
 * glue (arch/x86/acpi_boot.c) maps the real tables. Nothing a table says can
 * make it read outside what the accessor handed out: a table that fails a
 * check is reported with a warning and skipped, and the rest still count.
 *
 * Concurrency: acpi_info is written once by the boot CPU, in
 * acpi_boot_init(), before any other CPU starts, and is read-only after
 * that. The functions below touch only their arguments and printk, so they
 * are reentrant; the kernel calls them at boot only.
 */
#ifndef KAIROS_ACPI_H
#define KAIROS_ACPI_H

#include <config.h>
#include <types.h>

/*
 * Fixed caps; what does not fit is counted and reported with a warning.
 * Firmware often lists one local APIC NMI entry per processor UID, so that
 * cap follows the number of CPUs.
 */
#define ACPI_MAX_CPUS	     NR_CPUS
#define ACPI_MAX_IOAPICS     16
#define ACPI_MAX_OVERRIDES   32
#define ACPI_MAX_NMI_SOURCES 16
#define ACPI_MAX_LAPIC_NMIS  NR_CPUS
#define ACPI_MAX_MCFG	     16
#define ACPI_MAX_TABLES	     32 /* entries of the root table remembered */

/* 5.2.5.3: the ACPI 1.0 RSDP and the 2.0+ one with the XSDT address. */
#define ACPI_RSDP_V1_LEN 20
#define ACPI_RSDP_V2_LEN 36

/* Processor UID of an NMI entry that applies to every processor. */
#define ACPI_UID_ALL 0xffffffffU

/*
 * MPS INTI flags of overrides and NMI entries (5.2.12.5, "MPS INTI Flags"):
 * "conforms" means the bus's default (ISA: active high, edge triggered).
 */
#define ACPI_MPS_POLARITY_MASK	   0x3
#define ACPI_MPS_POLARITY_CONFORMS 0x0
#define ACPI_MPS_POLARITY_HIGH	   0x1
#define ACPI_MPS_POLARITY_LOW	   0x3
#define ACPI_MPS_TRIGGER_MASK	   0xc
#define ACPI_MPS_TRIGGER_CONFORMS  0x0
#define ACPI_MPS_TRIGGER_EDGE	   0x4
#define ACPI_MPS_TRIGGER_LEVEL	   0xc

/* Where the RSDP came from; set by whoever found it, not by acpi_parse(). */
enum acpi_rsdp_source {
	ACPI_RSDP_UNKNOWN = 0,
	ACPI_RSDP_MB2_V1, /* copy in the multiboot2 ACPI 1.0 tag */
	ACPI_RSDP_MB2_V2, /* copy in the multiboot2 ACPI 2.0+ tag */
	ACPI_RSDP_BIOS,	  /* the BIOS area scan, at rsdp_pa */
	ACPI_RSDP_EFI_V1, /* EFI configuration table, ACPI 1.0 GUID, at rsdp_pa */
	ACPI_RSDP_EFI_V2, /* EFI configuration table, ACPI 2.0 GUID, at rsdp_pa */
};

/* A table the root table lists, as its header describes it. */
struct acpi_table_ref {
	char sig[5]; /* signature, NUL-terminated; '?' for unprintables */
	u8 revision; /* the header's revision */
	char oem_id
		[7];  /* the header's OEMID, NUL-terminated; "" if unreadable */
	bool ignored; /* parsed by us but failed a check (or a duplicate) */
	u32 length;   /* the header's length; 0 if the header was unreadable */
	u64 pa;	      /* physical address */
};

/* A processor from a Processor Local APIC or x2APIC entry (5.2.12.2/12). */
struct acpi_cpu {
	u32 apic_id;	     /* local APIC ID (the x2APIC ID for type 9) */
	u32 uid;	     /* ACPI processor UID, as NMI entries name it */
	bool enabled;	     /* usable now */
	bool online_capable; /* not enabled, may be brought online later */
	bool x2apic_entry;   /* from a type-9 entry, not a type-0 one */
};

/* An I/O APIC (5.2.12.3). */
struct acpi_ioapic {
	u32 id;	      /* I/O APIC ID (8 bits in the table) */
	u32 addr;     /* physical address of its registers */
	u32 gsi_base; /* global system interrupt of its input 0 */
};

/* An interrupt source override (5.2.12.5): bus IRQ irq is GSI gsi. */
struct acpi_irq_override {
	u8 bus;	   /* 0, ISA: the only bus the specification defines */
	u8 irq;	   /* the IRQ on that bus */
	u16 flags; /* ACPI_MPS_* polarity and trigger */
	u32 gsi;
};

/* An NMI source (5.2.12.6): a GSI that must be programmed as NMI. */
struct acpi_nmi_source {
	u32 gsi;
	u16 flags; /* ACPI_MPS_* */
};

/* A local APIC NMI entry (5.2.12.7, 5.2.12.13): LINT# is wired to NMI. */
struct acpi_lapic_nmi {
	u32 uid;   /* ACPI processor UID, or ACPI_UID_ALL */
	u16 flags; /* ACPI_MPS_* */
	u8 lint;   /* 0 or 1 */
};

/*
 * A PCI Express ECAM region (PCI Firmware Specification 3.3, 4.1.2): bus b
 * of the segment is configured at base + (b << 20).
 */
struct acpi_mcfg_region {
	u64 base; /* ECAM address of bus 0 of the segment */
	u16 segment;
	u8 bus_start;
	u8 bus_end; /* inclusive, >= bus_start */
};

/* The first event timer block (IA-PC HPET Specification 1.0a, 3.2.4). */
struct acpi_hpet_info {
	bool present;
	u64 address;		 /* MMIO base, system memory */
	u8 hw_rev;		 /* hardware revision ID */
	u8 comparators;		 /* 1-32 */
	bool counter_64bit;	 /* COUNT_SIZE_CAP */
	bool legacy_replacement; /* LegacyReplacement IRQ routing capable */
	u16 pci_vendor;		 /* PCI vendor ID of the block */
	u8 number;		 /* HPET sequence number */
	u16 min_tick;		 /* minimum clock tick in periodic mode */
	u8 page_protection;	 /* page protection and OEM attribute */
	u32 nr_extra;		 /* further HPET tables, not used */
};

/* What the FADT says (5.2.9); a field the table is too short for is 0. */
struct acpi_fadt_info {
	bool present;
	u8 revision;
	u32 length;
	u32 flags;	      /* fixed feature flags (5.2.9, "FADT Flags") */
	u16 pm_timer_port;    /* I/O port of the PM timer; 0: none */
	bool pm_timer_32bit;  /* TMR_VAL_EXT: 32-bit counter, else 24 */
	bool pm_timer_from_x; /* port came from X_PM_TMR_BLK */
	bool hw_reduced;      /* HW_REDUCED_ACPI: no fixed hardware */
	u16 sci_irq;	      /* SCI_INT */
	u8 century;	      /* CMOS RAM index of the century; 0: none */
	/*
	 * IAPC_BOOT_ARCH (5.2.9.3) exists from FADT revision 2 on; an older
	 * FADT gets the PC/AT defaults: legacy devices and an 8042 present.
	 */
	bool boot_arch_valid;
	u16 boot_arch; /* the raw field; 0 if not valid */
	bool legacy_devices;
	bool i8042;
	bool vga_not_present;
	bool cmos_rtc_not_present;
};

struct acpi_info {
	/* The RSDP and the root table (5.2.5, 5.2.7, 5.2.8). */
	u8 rsdp_revision;		   /* 0 (ACPI 1.0) or 2 and up */
	enum acpi_rsdp_source rsdp_source; /* set by the caller */
	u64 rsdp_pa;			   /* 0 when a copy was parsed */
	char oem_id[7]; /* the RSDP's OEMID, NUL-terminated */
	bool root_is_xsdt;
	u64 root_pa;
	u32 nr_tables; /* entries the root table lists */
	struct acpi_table_ref tables[ACPI_MAX_TABLES]; /* the first ones */

	/* MADT (5.2.12). */
	bool madt_present;
	u64 lapic_addr;		  /* local APIC base, after any override */
	bool lapic_addr_override; /* from a type-5 entry */
	bool pcat_compat;	  /* dual 8259 PICs present */
	u32 nr_cpus;		  /* in cpus[], in table order */
	u32 nr_cpus_enabled;
	u32 nr_cpus_online_capable;
	u32 nr_cpus_absent;  /* entries neither enabled nor online-capable */
	u32 nr_cpus_dropped; /* over ACPI_MAX_CPUS */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	u32 nr_ioapics;
	u32 nr_ioapics_dropped;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	u32 nr_overrides;
	u32 nr_overrides_dropped;
	struct acpi_irq_override overrides[ACPI_MAX_OVERRIDES];
	u32 nr_nmi_sources;
	u32 nr_nmi_sources_dropped;
	struct acpi_nmi_source nmi_sources[ACPI_MAX_NMI_SOURCES];
	u32 nr_lapic_nmis;
	u32 nr_lapic_nmis_dropped;
	struct acpi_lapic_nmi lapic_nmis[ACPI_MAX_LAPIC_NMIS];

	struct acpi_hpet_info hpet;
	struct acpi_fadt_info fadt;

	/* MCFG (PCI Firmware Specification 3.3, 4.1.2). */
	bool mcfg_present;
	u32 nr_mcfg;
	u32 nr_mcfg_dropped;
	struct acpi_mcfg_region mcfg[ACPI_MAX_MCFG];
};

/* Filled by acpi_boot_init(); all zero if ACPI is off or unusable. */
extern struct acpi_info acpi_info;

/*
 * Physical memory as the parser sees it. map() returns a pointer through
 * which len bytes at physical address pa can be read, or NULL if they
 * cannot (not backed, out of mapping space, beyond the address width). The
 * pointer must stay valid until the parse returns. The parser never asks
 * for len 0 or for a range that wraps past 2^64.
 */
struct acpi_mem {
	const void *(*map)(void *ctx, u64 pa, u64 len);
	void *ctx;
};

/*
 * Scans the BIOS areas for a valid RSDP (5.2.5.1): the first KiB of the
 * EBDA (segment in the word at 0x40e), then 0xe0000-0xfffff, on 16-byte
 * boundaries; a candidate needs the signature, the 20-byte checksum and,
 * for revision 2 and up, a sane length and the extended checksum. Returns 0
 * with *rsdp_pa set, or -ENOENT. Reentrant.
 */
int acpi_find_rsdp_bios(const struct acpi_mem *m, u64 *rsdp_pa);

/*
 * Parses the RSDP at rsdp (rsdp_len readable bytes; it may be a copy, as in
 * the multiboot2 tags) and every table its root table lists into *out,
 * which is cleared first. Warns about and skips every bad table. Returns 0
 * if the RSDP and a root table were usable, even if some tables were
 * skipped; -EINVAL otherwise (with a warning saying why). Reentrant.
 */
int acpi_parse(const struct acpi_mem *m, const void *rsdp, size_t rsdp_len,
	       struct acpi_info *out);

/*
 * acpi_parse() for an RSDP in memory at rsdp_pa (e.g. from
 * acpi_find_rsdp_bios()); sets out->rsdp_pa. Returns as acpi_parse(), or
 * -EFAULT if the RSDP cannot be read. Reentrant.
 */
int acpi_parse_at(const struct acpi_mem *m, u64 rsdp_pa, struct acpi_info *out);

/* Prints one line per table to the boot log (pr_info). Reentrant. */
void acpi_info_print(const struct acpi_info *info);

#endif /* KAIROS_ACPI_H */
