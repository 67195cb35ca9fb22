/*
 * What the firmware of an HVM domain's PC (asm/hvm/platform.h) would have
 * left for its kernel, built into buffers (arch/x86/hvm/pc_platform.c):
 * the memory map, the Multiboot (v1) information block and the ACPI
 * tables. The hypervisor copies each buffer to the guest-physical address
 * it was built for; every address inside is guest-physical.
 *
 * ACPI section numbers refer to the ACPI Specification 6.5; Multiboot ones
 * to the Multiboot Specification 0.6.96.
 *
 * Concurrency: every function is a pure function of its arguments (no
 * globals, no allocation, nothing printed), writing only the buffers it
 * is given; any context, any CPU.
 */
#ifndef ASM_X86_HVM_PC_PLATFORM_H
#define ASM_X86_HVM_PC_PLATFORM_H

#include <asm/hvm/platform.h>
#include <compiler.h>
#include <multiboot1_image.h>
#include <types.h>

/* ---- The memory map --------------------------------------------------------- */

/* E820 types (15.1 "INT 15H, E820H - Query System Address Map"). */
#define HVM_E820_RAM	  1 /* AddressRangeMemory: usable */
#define HVM_E820_RESERVED 2 /* AddressRangeReserved */

/* Entries hvm_e820_build() writes, for every mem. */
#define HVM_E820_NR_ENTRIES 4

/*
 * One range of the map. Packed: the layout of an entry of the Linux boot
 * protocol's zero-page e820 table (struct boot_e820_entry), so the map can
 * be copied there as it is.
 */
struct hvm_e820_entry {
	u64 addr; /* first byte */
	u64 size; /* bytes, > 0 */
	u32 type; /* HVM_E820_* */
} __packed;
BUILD_BUG_ON(sizeof(struct hvm_e820_entry) != 20);

/*
 * Writes the map of a domain of mem bytes into out[0..max), sorted by
 * address, non-overlapping: low RAM, the EBDA (reserved), the BIOS area
 * (reserved), RAM from 1 MiB to mem; the VGA hole is in none. Returns the
 * number of entries (HVM_E820_NR_ENTRIES), or -EINVAL if mem is not a
 * valid domain size (HVM_MEM_MIN..HVM_MEM_MAX, a multiple of
 * HVM_MEM_ALIGN), -ENOSPC if max is too small.
 */
int hvm_e820_build(u64 mem, struct hvm_e820_entry *out, unsigned int max);

/* ---- Multiboot (v1) ---------------------------------------------------------- */

/*
 * Where a kernel may load in a domain of mem bytes, for mb1_image_parse():
 * below mem, and clear of the multiboot information region, the EBDA, the
 * VGA hole and the BIOS area. Returns 0, or -EINVAL if mem is not a valid
 * domain size.
 */
int hvm_mb1_load_limits(u64 mem, struct mb1_load_limits *out);

/*
 * Builds the multiboot information block (3.3) into buf, which stands for
 * guest-physical [region_gpa, region_gpa + buflen) (normally the
 * HVM_MB1_INFO_* region; any 8-byte aligned range of usable RAM below
 * 4 GiB will do): the struct mb1_info at its start, then the memory map
 * (the e820 map above, in the 3.3 format), the boot loader name and the
 * command line, each NUL-terminated. flags: MEMORY
 * (mem_lower 639 KiB, mem_upper (mem - 1 MiB) / 1 KiB), CMDLINE, MODS (no
 * modules), MMAP, BOOT_LOADER_NAME; nothing else (no boot device, no
 * framebuffer). NULL strings are taken as "". The rest of buf is zeroed.
 * Returns 0 with *info_gpa set (what EBX holds at entry), or -EINVAL with
 * a one-line reason in err (256 bytes hold it whole): a bad mem or
 * region, or strings that do not fit; nothing is ever truncated.
 */
int hvm_mb1_info_build(u8 *buf, size_t buflen, u32 region_gpa, u64 mem,
		       const char *cmdline, const char *loader_name,
		       u32 *info_gpa, char *err, size_t errlen);

/* ---- Linux (boot.rst, the 32-bit boot protocol) ------------------------------ */

struct bzimage_info;

/*
 * What a Linux kernel finds at its entry, beside the ACPI tables: the
 * zero page (struct boot_params) into zp (BZ_ZERO_PAGE_SIZE bytes,
 * zeroed first): the image's setup header copied from it, then the
 * loader's fields: type_of_loader 0xff (no assigned ID), cmd_line_ptr,
 * the initramfs (ramdisk_image and _size; none if initrd_size is 0), the
 * ACPI RSDP's address, and the e820 map of a domain of mem bytes (the
 * one hvm_e820_build() gives). The screen_info is left zero, which tells
 * Linux there is no video. image is the validated bzImage info describes.
 * Returns 0, or -EINVAL if mem is not a valid domain size.
 */
int hvm_linux_zero_page_build(u8 *zp, const u8 *image,
			      const struct bzimage_info *info, u64 mem,
			      u32 cmdline_gpa, u32 initrd_gpa, u32 initrd_size);

/* ---- ACPI tables ------------------------------------------------------------- */

/*
 * Identification (5.2.6, "System Description Table Header"): every table
 * carries the OEM ID (the RSDP too; a caller may give another), the OEM
 * table ID "KAIROSHV" (Kairos hypervisor) with OEM revision 1, and the
 * creator ID "KAIR" (Kairos's table builder, pc_platform.c) with
 * creator revision 1.
 */
#define HVM_ACPI_OEM_ID		  "KAIROS"
#define HVM_ACPI_OEM_TABLE_ID	  "KAIROSHV"
#define HVM_ACPI_OEM_REVISION	  1
#define HVM_ACPI_CREATOR_ID	  "KAIR"
#define HVM_ACPI_CREATOR_REVISION 1

/*
 * Revisions: the RSDP's 2 (ACPI 2.0+, with the XSDT), the FADT of ACPI
 * 6.5 (major 6, minor 5, 276 bytes: 5.2.9 "FADT Format"), the MADT's 5
 * (5.2.12), the DSDT's 2 (64-bit AML integers, 5.2.11.1), the FACS's 2
 * (5.2.10), the root tables' 1.
 */
#define HVM_ACPI_RSDP_REVISION 2
#define HVM_ACPI_FADT_REVISION 6
#define HVM_ACPI_FADT_MINOR    5
#define HVM_ACPI_MADT_REVISION 5
#define HVM_ACPI_DSDT_REVISION 2
#define HVM_ACPI_FACS_VERSION  2

/* 5.2.3.2, "Generic Address Structure". */
#define HVM_ACPI_GAS_SYSTEM_IO	1 /* address space ID */
#define HVM_ACPI_GAS_ACCESS_U8	1 /* access size: byte */
#define HVM_ACPI_GAS_ACCESS_U16 2 /* access size: word */
#define HVM_ACPI_GAS_ACCESS_U32 3 /* access size: dword */

struct hvm_acpi_gas {
	u8 space_id;	/* HVM_ACPI_GAS_SYSTEM_IO, or 0: memory */
	u8 bit_width;	/* of the register (block) */
	u8 bit_offset;	/* of the register in the address */
	u8 access_size; /* HVM_ACPI_GAS_ACCESS_*, 0: undefined */
	u64 address;	/* port or physical address; 0: none */
} __packed;
BUILD_BUG_ON(sizeof(struct hvm_acpi_gas) != 12);

/* 5.2.5.3, "Root System Description Pointer (RSDP) Structure". */
struct hvm_acpi_rsdp {
	char signature[8];    /* "RSD PTR " */
	u8 checksum;	      /* of the first 20 bytes */
	char oem_id[6];	      /* OEM ID */
	u8 revision;	      /* 2 */
	u32 rsdt_address;     /* the RSDT */
	u32 length;	      /* 36 */
	u64 xsdt_address;     /* the XSDT */
	u8 extended_checksum; /* of all 36 bytes */
	u8 reserved[3];
} __packed;
BUILD_BUG_ON(sizeof(struct hvm_acpi_rsdp) != 36);

/* 5.2.6, "System Description Table Header". */
struct hvm_acpi_header {
	char signature[4];    /* "FACP", "APIC", ... */
	u32 length;	      /* of the whole table, header included */
	u8 revision;	      /* of the table's layout */
	u8 checksum;	      /* all length bytes sum to 0 */
	char oem_id[6];	      /* OEM ID */
	char oem_table_id[8]; /* HVM_ACPI_OEM_TABLE_ID */
	u32 oem_revision;     /* HVM_ACPI_OEM_REVISION */
	char creator_id[4];   /* HVM_ACPI_CREATOR_ID */
	u32 creator_revision; /* HVM_ACPI_CREATOR_REVISION */
} __packed;
BUILD_BUG_ON(sizeof(struct hvm_acpi_header) != 36);

/* 5.2.9, "Fixed ACPI Description Table (FADT)", "FADT Format". */
struct hvm_acpi_fadt {
	struct hvm_acpi_header header; /* "FACP" */
	u32 firmware_ctrl;	       /* the FACS (below 4 GiB) */
	u32 dsdt;		       /* the DSDT */
	u8 reserved0;		       /* INT_MODEL in ACPI 1.0 */
	u8 preferred_pm_profile;       /* 0: unspecified */
	u16 sci_int;		       /* the SCI's IRQ */
	u32 smi_cmd;		       /* 0: no SMI command port */
	u8 acpi_enable;		       /* 0 without SMI_CMD */
	u8 acpi_disable;	       /* 0 without SMI_CMD */
	u8 s4bios_req;		       /* 0: no S4BIOS */
	u8 pstate_cnt;		       /* 0: no P-state control */
	u32 pm1a_evt_blk;	       /* PM1a event block port */
	u32 pm1b_evt_blk;	       /* 0: none */
	u32 pm1a_cnt_blk;	       /* PM1a control block port */
	u32 pm1b_cnt_blk;	       /* 0: none */
	u32 pm2_cnt_blk;	       /* 0: none */
	u32 pm_tmr_blk;		       /* PM timer port */
	u32 gpe0_blk;		       /* 0: no general-purpose events */
	u32 gpe1_blk;		       /* 0: none */
	u8 pm1_evt_len;		       /* bytes of the PM1 event block */
	u8 pm1_cnt_len;		       /* bytes of the PM1 control block */
	u8 pm2_cnt_len;		       /* 0 */
	u8 pm_tmr_len;		       /* 4 */
	u8 gpe0_blk_len;	       /* 0 */
	u8 gpe1_blk_len;	       /* 0 */
	u8 gpe1_base;		       /* 0 */
	u8 cst_cnt;		       /* 0: no _CST notification */
	u16 p_lvl2_lat;		       /* > 100 us: no C2 */
	u16 p_lvl3_lat;		       /* > 1000 us: no C3 */
	u16 flush_size;		       /* 0: WBINVD is used */
	u16 flush_stride;	       /* 0 */
	u8 duty_offset;		       /* 0: no throttling */
	u8 duty_width;		       /* 0 */
	u8 day_alrm;		       /* 0: no RTC day alarm */
	u8 mon_alrm;		       /* 0: no RTC month alarm */
	u8 century;		       /* 0: no RTC century register */
	u16 iapc_boot_arch;	       /* 5.2.9.3 */
	u8 reserved1;
	u32 flags;		       /* 5.2.9, "FADT Flags" */
	struct hvm_acpi_gas reset_reg; /* port HVM_RESET_PORT, 1 byte */
	u8 reset_value;		       /* HVM_RESET_VALUE */
	u16 arm_boot_arch;	       /* 0 */
	u8 minor_version;	       /* HVM_ACPI_FADT_MINOR */
	u64 x_firmware_ctrl;	       /* 0: FIRMWARE_CTRL is set */
	u64 x_dsdt;		       /* the DSDT */
	struct hvm_acpi_gas x_pm1a_evt_blk;
	struct hvm_acpi_gas x_pm1b_evt_blk; /* none */
	struct hvm_acpi_gas x_pm1a_cnt_blk;
	struct hvm_acpi_gas x_pm1b_cnt_blk; /* none */
	struct hvm_acpi_gas x_pm2_cnt_blk;  /* none */
	struct hvm_acpi_gas x_pm_tmr_blk;
	struct hvm_acpi_gas x_gpe0_blk;	       /* none */
	struct hvm_acpi_gas x_gpe1_blk;	       /* none */
	struct hvm_acpi_gas sleep_control_reg; /* none: not hardware-reduced */
	struct hvm_acpi_gas sleep_status_reg;  /* none */
	u64 hypervisor_vendor_id;	       /* "KAIROS\0\0" */
} __packed;
BUILD_BUG_ON(sizeof(struct hvm_acpi_fadt) != 276);
BUILD_BUG_ON(__builtin_offsetof(struct hvm_acpi_fadt, pm_tmr_blk) != 76);
BUILD_BUG_ON(__builtin_offsetof(struct hvm_acpi_fadt, iapc_boot_arch) != 109);
BUILD_BUG_ON(__builtin_offsetof(struct hvm_acpi_fadt, flags) != 112);
BUILD_BUG_ON(__builtin_offsetof(struct hvm_acpi_fadt, x_firmware_ctrl) != 132);
BUILD_BUG_ON(__builtin_offsetof(struct hvm_acpi_fadt, x_pm_tmr_blk) != 208);
BUILD_BUG_ON(__builtin_offsetof(struct hvm_acpi_fadt, sleep_control_reg) !=
	     244);

/*
 * FADT flags (5.2.9, "Fixed ACPI Description Table Fixed Feature Flags")
 * and IA-PC boot flags (5.2.9.3, "IA-PC Boot Architecture Flags").
 */
#define HVM_ACPI_FADT_WBINVD	      (1U << 0)	 /* WBINVD flushes caches */
#define HVM_ACPI_FADT_PROC_C1	      (1U << 2)	 /* C1 (HLT) on every CPU */
#define HVM_ACPI_FADT_PWR_BUTTON      (1U << 4)	 /* no fixed power button */
#define HVM_ACPI_FADT_SLP_BUTTON      (1U << 5)	 /* no fixed sleep button */
#define HVM_ACPI_FADT_FIX_RTC	      (1U << 6)	 /* no RTC wake status bits */
#define HVM_ACPI_FADT_TMR_VAL_EXT     (1U << 8)	 /* 32-bit PM timer (clear) */
#define HVM_ACPI_FADT_RESET_REG_SUP   (1U << 10) /* RESET_REG resets */
#define HVM_ACPI_FADT_HW_REDUCED      (1U << 20)
#define HVM_ACPI_BOOT_LEGACY_DEVICES  (1U << 0) /* ISA devices: COM1, RTC */
#define HVM_ACPI_BOOT_8042	      (1U << 1) /* (clear: no 8042) */
#define HVM_ACPI_BOOT_VGA_NOT_PRESENT (1U << 2)

/* 5.2.10, "Firmware ACPI Control Structure (FACS)". */
struct hvm_acpi_facs {
	char signature[4];	      /* "FACS" */
	u32 length;		      /* 64 */
	u32 hardware_signature;	      /* 0 */
	u32 firmware_waking_vector;   /* 0: no S3 */
	u32 global_lock;	      /* 0: free */
	u32 flags;		      /* 0: no S4BIOS, no 64-bit wake */
	u64 x_firmware_waking_vector; /* 0 */
	u8 version;		      /* HVM_ACPI_FACS_VERSION */
	u8 reserved0[3];
	u32 ospm_flags; /* written by OSPM only */
	u8 reserved1[24];
} __packed;
BUILD_BUG_ON(sizeof(struct hvm_acpi_facs) != 64);

/* 5.2.12, "Multiple APIC Description Table (MADT)". */
struct hvm_acpi_madt {
	struct hvm_acpi_header header; /* "APIC" */
	u32 lapic_address;	       /* HVM_LAPIC_BASE */
	u32 flags;		       /* 0: no PCAT_COMPAT, no 8259s */
} __packed;
BUILD_BUG_ON(sizeof(struct hvm_acpi_madt) != 44);

/* 5.2.12.3, "I/O APIC Structure". */
#define HVM_ACPI_MADT_IOAPIC 1
struct hvm_acpi_madt_ioapic {
	u8 type;      /* HVM_ACPI_MADT_IOAPIC */
	u8 length;    /* 12 */
	u8 ioapic_id; /* HVM_IOAPIC_ID */
	u8 reserved;  /* 0 */
	u32 address;  /* HVM_IOAPIC_BASE */
	u32 gsi_base; /* HVM_IOAPIC_GSI_BASE: its input 0 */
} __packed;
BUILD_BUG_ON(sizeof(struct hvm_acpi_madt_ioapic) != 12);

/*
 * 5.2.12.5, "Interrupt Source Override Structure", with the MPS INTI
 * flags of table 5.50: polarity in bits 1:0, trigger mode in bits 3:2.
 */
#define HVM_ACPI_MADT_OVERRIDE	   2
#define HVM_ACPI_MADT_BUS_ISA	   0
#define HVM_ACPI_MPS_ACTIVE_HIGH   0x1
#define HVM_ACPI_MPS_ACTIVE_LOW	   0x3
#define HVM_ACPI_MPS_TRIGGER_EDGE  0x4
#define HVM_ACPI_MPS_TRIGGER_LEVEL 0xc
struct hvm_acpi_madt_override {
	u8 type;   /* HVM_ACPI_MADT_OVERRIDE */
	u8 length; /* 10 */
	u8 bus;	   /* HVM_ACPI_MADT_BUS_ISA */
	u8 source; /* the ISA IRQ */
	u32 gsi;   /* what it is wired to */
	u16 flags; /* HVM_ACPI_MPS_* */
} __packed;
BUILD_BUG_ON(sizeof(struct hvm_acpi_madt_override) != 10);

/* 5.2.12.12, "Processor Local x2APIC Structure". */
#define HVM_ACPI_MADT_X2APIC  9
#define HVM_ACPI_MADT_ENABLED (1U << 0)
struct hvm_acpi_madt_x2apic {
	u8 type;       /* HVM_ACPI_MADT_X2APIC */
	u8 length;     /* 16 */
	u16 reserved;  /* 0 */
	u32 x2apic_id; /* the vCPU number */
	u32 flags;     /* HVM_ACPI_MADT_ENABLED */
	u32 uid;       /* ACPI processor UID: the vCPU number */
} __packed;
BUILD_BUG_ON(sizeof(struct hvm_acpi_madt_x2apic) != 16);

/*
 * The DSDT's AML (its body after the header): \_S5, the soft-off state,
 * as Package () { SLP_TYP, SLP_TYP, 0, 0 } with SLP_TYP =
 * HVM_ACPI_S5_SLP_TYP; byte by byte in pc_platform.c. Nothing else: no
 * processor objects, no devices.
 */
#define HVM_ACPI_DSDT_AML_LEN 15

/*
 * Builds the ACPI tables into buf, which stands for guest-physical
 * [area_gpa, area_gpa + buflen) (the BIOS area: 16-byte aligned, below
 * 4 GiB), in this order: the RSDP at the start (revision 2, both
 * checksums, RSDT and XSDT addresses); the RSDT and XSDT, each listing
 * the FADT ("FACP") then the MADT ("APIC"); the FACS (64-byte aligned);
 * the FADT (SCI 9, no SMI command port, PM1a event/control blocks and
 * the 24-bit PM timer with their X_ forms, no reset register, boot flags
 * legacy devices and no VGA, no 8042; DSDT and X_DSDT, FIRMWARE_CTRL only
 * as 5.2.9 asks when the FACS is below 4 GiB); the DSDT (\_S5); the MADT
 * (LAPIC at HVM_LAPIC_BASE, flags 0; the I/O APIC, HVM_IOAPIC_ID at
 * HVM_IOAPIC_BASE from GSI 0; one interrupt source override, ISA IRQ
 * HVM_SCI_IRQ to the same GSI, level-triggered and active high, every
 * other ISA IRQ being its GSI as ISA wires it; one enabled Local x2APIC
 * entry per vCPU: x2APIC ID and processor UID = the vCPU number). oem_id: NULL for
 * HVM_ACPI_OEM_ID, else 1 to 6 printable ASCII characters (padded with
 * spaces). Every checksum is right; the rest of buf is zeroed. Returns 0
 * with *rsdp_gpa = area_gpa, or -EINVAL with a one-line reason in err
 * (256 bytes hold it whole): nr_vcpus 0 or more than the area holds, a bad
 * OEM ID or area.
 */
int hvm_acpi_build(u8 *buf, size_t buflen, u32 area_gpa, unsigned int nr_vcpus,
		   const char *oem_id, u32 *rsdp_gpa, char *err, size_t errlen);

#endif /* ASM_X86_HVM_PC_PLATFORM_H */
