/*
 * The guest platform of an HVM domain: a machine that looks enough like a
 * QEMU PC for small Multiboot test kernels to run unchanged. Fixed for
 * every HVM domain; the memory map, the multiboot information block and
 * the ACPI tables that describe it are built by arch/x86/hvm/pc_platform.c
 * (asm/hvm/pc_platform.h), the devices are emulated by the hypervisor.
 *
 * Guest-physical layout of a domain of mem bytes (HVM_MEM_MIN..HVM_MEM_MAX,
 * a multiple of HVM_MEM_ALIGN):
 *
 *   [0, 0x9fc00)          RAM, usable; the multiboot information block
 *                         and what it points to live in [0x9000, 0x10000)
 *   [0x9fc00, 0xa0000)    RAM, reserved: an empty EBDA
 *   [0xa0000, 0xe0000)    not RAM: the VGA and option-ROM hole (accesses
 *                         exit to the hypervisor)
 *   [0xe0000, 0x100000)   the BIOS area: read-only to the guest, holding
 *                         the ACPI tables (RSDP first); reserved
 *   [0x100000, mem)       RAM, usable
 *   0xfec00000            the I/O APIC (one page; accesses exit)
 *   0xfee00000            the local APIC; vCPU i has APIC ID i
 *
 * Only constants: no code, no types, so that any file may include it.
 */
#ifndef ASM_X86_HVM_PLATFORM_H
#define ASM_X86_HVM_PLATFORM_H

/* ---- Memory ------------------------------------------------------------- */

/* Smallest domain: the low MiB and one MiB above it for the kernel. */
#define HVM_MEM_MIN (2UL << 20)
/* Largest domain: RAM stays below the 4th GiB (LAPIC, future PCI holes). */
#define HVM_MEM_MAX (3UL << 30)
/* A domain's memory is a whole number of 4 KiB pages. */
#define HVM_MEM_ALIGN 0x1000UL

/* Conventional memory: usable from 0 up to the EBDA (639 KiB). */
#define HVM_LOW_RAM_END 0x9fc00UL
/* The Extended BIOS Data Area: 1 KiB of RAM, reserved, left empty. */
#define HVM_EBDA_START 0x9fc00UL
#define HVM_EBDA_END   0xa0000UL
/* Not RAM: legacy VGA memory and option ROMs; every access exits. */
#define HVM_VGA_HOLE_START 0xa0000UL
#define HVM_VGA_HOLE_END   0xe0000UL
/*
 * Its option-ROM half reads as all ones without an exit (mapped
 * read-only to pages of 0xff): OSes scan it for ROM signatures and
 * firmware tables with instructions (CMP with memory) that MMIO
 * emulation need not know. Writes exit and are ignored.
 */
#define HVM_OPTION_ROM_START 0xc0000UL
/*
 * The BIOS area, read-only to the guest and built by the hypervisor: the
 * RSDP at its start, where an OS's scan of 0xe0000-0xfffff finds it
 * (ACPI 6.5, 5.2.5.1 "Finding the RSDP on IA-PC Systems"), then the other
 * ACPI tables. Reserved in the memory map.
 */
#define HVM_BIOS_START 0xe0000UL
#define HVM_BIOS_END   0x100000UL
#define HVM_BIOS_SIZE  (HVM_BIOS_END - HVM_BIOS_START) /* 128 KiB */
#define HVM_RSDP_GPA   HVM_BIOS_START
/* Extended memory: usable from 1 MiB up to the domain's size. */
#define HVM_HIGH_RAM_START 0x100000UL

/*
 * The multiboot information block, its memory map, the command line and
 * the boot loader name; no kernel may load here. It starts at the page
 * after 0x8000, where test kernels copy their SMP trampoline (SIPI vector
 * 0x08).
 */
#define HVM_MB1_INFO_START 0x9000UL
#define HVM_MB1_INFO_END   0x10000UL
#define HVM_MB1_INFO_SIZE  (HVM_MB1_INFO_END - HVM_MB1_INFO_START)

/*
 * A Linux kernel's boot data (include/bzimage.h), in the same region: the
 * zero page, then its command line.
 */
#define HVM_LINUX_ZERO_PAGE   HVM_MB1_INFO_START
#define HVM_LINUX_CMDLINE     (HVM_MB1_INFO_START + 0x1000UL)
#define HVM_LINUX_CMDLINE_END HVM_MB1_INFO_END

/* ---- Interrupt controllers ---------------------------------------------- */

/*
 * The local APIC's registers (SDM Vol. 3A, 11.4.1: the power-on default of
 * IA32_APIC_BASE); the MADT gives it. vCPU i has (x2)APIC ID i.
 */
#define HVM_LAPIC_BASE 0xfee00000UL

/*
 * The I/O APIC (arch/x86/hvm/vioapic.c): one, at the address QEMU's PCs
 * and most firmware use, its inputs GSIs 0-23 (the MADT's GSI base 0).
 * Its ID is QEMU's (0): an I/O APIC ID shares no namespace with the
 * local APICs' since the APIC bus went away (front-side-bus messages).
 */
#define HVM_IOAPIC_BASE	    0xfec00000UL
#define HVM_IOAPIC_ID	    0
#define HVM_IOAPIC_GSI_BASE 0
#define HVM_IOAPIC_PINS	    24

/*
 * ISA IRQs are the I/O APIC inputs of the same number (GSI = IRQ), as on
 * a PC without the PIT's IRQ 0 to GSI 2 rerouting (there is no PIT); the
 * MADT needs an override only where the trigger mode or polarity is not
 * ISA's (edge, active high): the SCI below.
 */
#define HVM_COM1_IRQ 4
#define HVM_COM1_GSI HVM_COM1_IRQ

/* ---- ACPI fixed hardware (ACPI 6.5, 4.8 "ACPI Hardware Model") ---------- */

/* PM1a event block: PM1_STS (2 bytes) then PM1_EN (2 bytes), 4.8.3.1. */
#define HVM_PM1A_EVT_BLK 0x600
#define HVM_PM1_EVT_LEN	 4
/* PM1a control block: PM1_CNT, 2 bytes (4.8.3.2). */
#define HVM_PM1A_CNT_BLK 0x604
#define HVM_PM1_CNT_LEN	 2
/*
 * The power management timer (4.8.3.3): 4 bytes at this port, a 24-bit
 * counter at 3.579545 MHz (the FADT's TMR_VAL_EXT flag is clear).
 */
#define HVM_PM_TMR_BLK	0x608
#define HVM_PM_TMR_LEN	4
#define HVM_PM_TMR_BITS 24
#define HVM_PM_TMR_HZ	3579545UL
/*
 * The SCI (5.2.9, SCI_INT): IRQ 9 as on a PC, GSI 9, level-triggered and
 * active high, as QEMU's MADT overrides it (5.2.12.5: without an
 * override an OS takes the SCI as level, active low). Nothing raises it
 * yet: no fixed event or GPE is ever enabled and pending. No SMI command
 * port.
 */
#define HVM_SCI_IRQ 9

/*
 * PM1_CNT bits (4.8.3.2.1, table 4.13 "PM1 Control Registers Fixed
 * Hardware Feature Control Bits"). SCI_EN reads as 1: ACPI mode is always
 * on (the FADT's SMI_CMD is 0, 5.2.9). A write with SLP_EN set and
 * SLP_TYP == HVM_ACPI_S5_SLP_TYP is a power-off.
 */
#define HVM_PM1_CNT_SCI_EN	  (1U << 0)
#define HVM_PM1_CNT_SLP_TYP_SHIFT 10
#define HVM_PM1_CNT_SLP_TYP_MASK  (7U << HVM_PM1_CNT_SLP_TYP_SHIFT)
#define HVM_PM1_CNT_SLP_EN	  (1U << 13)

/*
 * The SLP_TYP of the soft-off state S5, as the DSDT's \_S5 package gives
 * it (7.4.2 "\_Sx (System States)"). Any of 0-7 would do; 5 is the
 * state's own number, and a non-zero value keeps a write of SLP_EN with
 * the field left at 0 from reading as a power-off.
 */
#define HVM_ACPI_S5_SLP_TYP 5

/*
 * The reset control register, as on QEMU's q35 and Intel's chipsets: the
 * FADT's RESET_REG (4.8.3.6), so that an OS's ACPI reboot writes
 * HVM_RESET_VALUE there; any write with RST_CPU set ends the domain
 * with the reboot reason.
 */
#define HVM_RESET_PORT	  0xcf9
#define HVM_RESET_VALUE	  0x06 /* SYS_RST | RST_CPU: a hard reset */
#define HVM_RESET_RST_CPU 0x04

/* ---- Other I/O ports ------------------------------------------------------ */

/* The first 16550A UART (COM1): 8 ports. */
#define HVM_COM1_PORT 0x3f8
/* CMOS/RTC (MC146818): index port, then data at +1. */
#define HVM_CMOS_PORT 0x70
/* QEMU's fw_cfg interface: selector, then data at +1 (DMA at 0x514). */
#define HVM_FW_CFG_PORT 0x510
/*
 * QEMU's isa-debug-exit: a write of v ends the machine (QEMU exits with
 * status (v << 1) | 1); on Kairos it ends the domain.
 */
#define HVM_DEBUG_EXIT_PORT 0xf4

#endif /* ASM_X86_HVM_PLATFORM_H */
