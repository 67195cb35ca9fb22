/*
 * The AMD SVM virtual machine control block (AMD64 APM Vol. 2, appendix B,
 * "Layout of VMCB"): a control area at offset 0 and the guest's save
 * state at 0x400, in one page. Every field's offset is checked at build
 * time against the manual's table.
 */
#ifndef ASM_X86_HVM_VMCB_H
#define ASM_X86_HVM_VMCB_H

#include <compiler.h>
#include <types.h>

/* A segment register as the VMCB keeps it (APM B.2). */
struct vmcb_seg {
	u16 sel;
	u16 attrib; /* descriptor bits 8-15 and 20-23, packed: type..P, AVL..G */
	u32 limit;
	u64 base;
};

struct vmcb {
	/* ---- Control area (APM table B-1) ---- */
	u16 cr_read_intercepts;	  /* 0x000: bit n, MOV from CRn */
	u16 cr_write_intercepts;  /* 0x002: bit n, MOV to CRn */
	u16 dr_read_intercepts;	  /* 0x004 */
	u16 dr_write_intercepts;  /* 0x006 */
	u32 exception_intercepts; /* 0x008: bit n, exception vector n */
	u32 intercepts1;	  /* 0x00c: SVM_INTERCEPT1_* */
	u32 intercepts2;	  /* 0x010: SVM_INTERCEPT2_* */
	u32 intercepts3;	  /* 0x014 */
	u8 reserved1[0x3c - 0x18];
	u16 pause_filter_threshold; /* 0x03c */
	u16 pause_filter_count;	    /* 0x03e */
	u64 iopm_base_pa;	    /* 0x040: I/O permission map, 12 KiB */
	u64 msrpm_base_pa;	    /* 0x048: MSR permission map, 8 KiB */
	u64 tsc_offset; /* 0x050: added to the TSC the guest reads */
	u32 asid;	/* 0x058 */
	u8 tlb_control; /* 0x05c: SVM_TLB_* */
	u8 reserved2[3];
	u32 int_ctl;	/* 0x060: V_TPR, V_IRQ, V_INTR_PRIO, ... (SVM_INT_*) */
	u32 int_vector; /* 0x064: V_INTR_VECTOR */
	u64 int_state;	/* 0x068: bit 0 the guest is in an interrupt shadow */
	u64 exitcode;	/* 0x070: SVM_EXIT_* */
	u64 exitinfo1;	/* 0x078 */
	u64 exitinfo2;	/* 0x080 */
	u64 exitintinfo; /* 0x088: an event the exit interrupted (EVENTINJ form) */
	u64 np_enable;	   /* 0x090: bit 0 nested paging */
	u64 avic_apic_bar; /* 0x098 */
	u64 ghcb_pa;	   /* 0x0a0 */
	u64 eventinj;	/* 0x0a8: the event to inject at VMRUN (SVM_EVTINJ_*) */
	u64 n_cr3;	/* 0x0b0: the nested page tables' root */
	u64 lbr_ctl;	/* 0x0b8 */
	u32 clean_bits; /* 0x0c0 */
	u32 reserved3;
	u64 next_rip;	   /* 0x0c8: only with NRIP save (not relied upon) */
	u8 insn_len;	   /* 0x0d0: only with decode assists */
	u8 insn_bytes[15]; /* 0x0d1 */
	u8 reserved4[0x400 - 0xe0];

	/* ---- State save area (APM table B-2), at 0x400 ---- */
	struct vmcb_seg es, cs, ss, ds, fs, gs; /* 0x400 .. 0x45f */
	struct vmcb_seg gdtr, ldtr, idtr, tr;	/* 0x460 .. 0x49f */
	u8 reserved5[0x4cb - 0x4a0];
	u8 cpl; /* 0x4cb */
	u32 reserved6;
	u64 efer; /* 0x4d0 */
	u8 reserved7[0x540 - 0x4d8];
	u64 xss;    /* 0x540 */
	u64 cr4;    /* 0x548 */
	u64 cr3;    /* 0x550 */
	u64 cr0;    /* 0x558 */
	u64 dr7;    /* 0x560 */
	u64 dr6;    /* 0x568 */
	u64 rflags; /* 0x570 */
	u64 rip;    /* 0x578 */
	u8 reserved8[0x5d8 - 0x580];
	u64 rsp; /* 0x5d8 */
	u8 reserved9[0x5f8 - 0x5e0];
	u64 rax;	    /* 0x5f8 */
	u64 star;	    /* 0x600 */
	u64 lstar;	    /* 0x608 */
	u64 cstar;	    /* 0x610 */
	u64 sfmask;	    /* 0x618 */
	u64 kernel_gs_base; /* 0x620 */
	u64 sysenter_cs;    /* 0x628 */
	u64 sysenter_esp;   /* 0x630 */
	u64 sysenter_eip;   /* 0x638 */
	u64 cr2;	    /* 0x640 */
	u8 reserved10[0x668 - 0x648];
	u64 g_pat;	  /* 0x668: the guest's PAT under nested paging */
	u64 dbgctl;	  /* 0x670 */
	u64 br_from;	  /* 0x678 */
	u64 br_to;	  /* 0x680 */
	u64 lastexcpfrom; /* 0x688 */
	u64 lastexcpto;	  /* 0x690 */
	u8 reserved11[4096 - 0x698];
} __aligned(4096);

BUILD_BUG_ON(offsetof(struct vmcb, iopm_base_pa) != 0x40);
BUILD_BUG_ON(offsetof(struct vmcb, asid) != 0x58);
BUILD_BUG_ON(offsetof(struct vmcb, int_ctl) != 0x60);
BUILD_BUG_ON(offsetof(struct vmcb, exitcode) != 0x70);
BUILD_BUG_ON(offsetof(struct vmcb, exitintinfo) != 0x88);
BUILD_BUG_ON(offsetof(struct vmcb, eventinj) != 0xa8);
BUILD_BUG_ON(offsetof(struct vmcb, n_cr3) != 0xb0);
BUILD_BUG_ON(offsetof(struct vmcb, next_rip) != 0xc8);
BUILD_BUG_ON(offsetof(struct vmcb, es) != 0x400);
BUILD_BUG_ON(offsetof(struct vmcb, tr) != 0x490);
BUILD_BUG_ON(offsetof(struct vmcb, cpl) != 0x4cb);
BUILD_BUG_ON(offsetof(struct vmcb, efer) != 0x4d0);
BUILD_BUG_ON(offsetof(struct vmcb, cr4) != 0x548);
BUILD_BUG_ON(offsetof(struct vmcb, rip) != 0x578);
BUILD_BUG_ON(offsetof(struct vmcb, rsp) != 0x5d8);
BUILD_BUG_ON(offsetof(struct vmcb, rax) != 0x5f8);
BUILD_BUG_ON(offsetof(struct vmcb, cr2) != 0x640);
BUILD_BUG_ON(offsetof(struct vmcb, g_pat) != 0x668);
BUILD_BUG_ON(sizeof(struct vmcb) != 4096);

/* intercepts1 (APM table B-1, offset 0x0c) */
#define SVM_INTERCEPT1_INTR	   (1U << 0)
#define SVM_INTERCEPT1_NMI	   (1U << 1)
#define SVM_INTERCEPT1_SMI	   (1U << 2)
#define SVM_INTERCEPT1_INIT	   (1U << 3)
#define SVM_INTERCEPT1_VINTR	   (1U << 4)
#define SVM_INTERCEPT1_RDPMC	   (1U << 15)
#define SVM_INTERCEPT1_CPUID	   (1U << 18)
#define SVM_INTERCEPT1_RSM	   (1U << 19)
#define SVM_INTERCEPT1_IRET	   (1U << 20)
#define SVM_INTERCEPT1_INVD	   (1U << 22)
#define SVM_INTERCEPT1_HLT	   (1U << 24)
#define SVM_INTERCEPT1_INVLPGA	   (1U << 26)
#define SVM_INTERCEPT1_IOIO	   (1U << 27)
#define SVM_INTERCEPT1_MSR	   (1U << 28)
#define SVM_INTERCEPT1_TASK_SWITCH (1U << 29)
#define SVM_INTERCEPT1_SHUTDOWN	   (1U << 31)

/* intercepts2 (offset 0x10) */
#define SVM_INTERCEPT2_VMRUN	  (1U << 0)
#define SVM_INTERCEPT2_VMMCALL	  (1U << 1)
#define SVM_INTERCEPT2_VMLOAD	  (1U << 2)
#define SVM_INTERCEPT2_VMSAVE	  (1U << 3)
#define SVM_INTERCEPT2_STGI	  (1U << 4)
#define SVM_INTERCEPT2_CLGI	  (1U << 5)
#define SVM_INTERCEPT2_SKINIT	  (1U << 6)
#define SVM_INTERCEPT2_RDTSCP	  (1U << 7)
#define SVM_INTERCEPT2_ICEBP	  (1U << 8)
#define SVM_INTERCEPT2_MONITOR	  (1U << 10)
#define SVM_INTERCEPT2_MWAIT	  (1U << 11)
#define SVM_INTERCEPT2_MWAIT_COND (1U << 12)
#define SVM_INTERCEPT2_XSETBV	  (1U << 13)
#define SVM_INTERCEPT2_RDPRU	  (1U << 14)

/* cr_write_intercepts */
#define SVM_CR_INTERCEPT_CR4 (1U << 4)
#define SVM_CR_INTERCEPT_CR8 (1U << 8)

/* tlb_control */
#define SVM_TLB_NOTHING	  0
#define SVM_TLB_FLUSH_ALL 1 /* every ASID's entries (no flush-by-ASID needed) */

/* int_ctl */
#define SVM_INT_V_TPR_MASK	  0xfU
#define SVM_INT_V_IRQ		  (1U << 8)
#define SVM_INT_V_INTR_PRIO_SHIFT 16
#define SVM_INT_V_INTR_PRIO_MASK  (0xfU << 16)
#define SVM_INT_V_IGN_TPR	  (1U << 20)
#define SVM_INT_V_INTR_MASKING	  (1U << 24)

/* int_state */
#define SVM_INT_STATE_SHADOW (1ULL << 0)

/* eventinj and exitintinfo (APM 15.20) */
#define SVM_EVTINJ_VECTOR_MASK 0xffULL
#define SVM_EVTINJ_TYPE_SHIFT  8
#define SVM_EVTINJ_TYPE_INTR   (0ULL << 8)
#define SVM_EVTINJ_TYPE_NMI    (2ULL << 8)
#define SVM_EVTINJ_TYPE_EXC    (3ULL << 8)
#define SVM_EVTINJ_TYPE_SOFT   (4ULL << 8)
#define SVM_EVTINJ_TYPE_MASK   (7ULL << 8)
#define SVM_EVTINJ_EV	       (1ULL << 11) /* an error code is pushed */
#define SVM_EVTINJ_VALID       (1ULL << 31)
#define SVM_EVTINJ_ERR_SHIFT   32

/* Exit codes (APM appendix C) */
#define SVM_EXIT_CR0_READ    0x000
#define SVM_EXIT_CR0_WRITE   0x010
#define SVM_EXIT_CR4_WRITE   0x014
#define SVM_EXIT_CR8_WRITE   0x018
#define SVM_EXIT_EXCP_BASE   0x040
#define SVM_EXIT_INTR	     0x060
#define SVM_EXIT_NMI	     0x061
#define SVM_EXIT_SMI	     0x062
#define SVM_EXIT_INIT	     0x063
#define SVM_EXIT_VINTR	     0x064
#define SVM_EXIT_RDPMC	     0x06f
#define SVM_EXIT_CPUID	     0x072
#define SVM_EXIT_RSM	     0x073
#define SVM_EXIT_IRET	     0x074
#define SVM_EXIT_INVD	     0x076
#define SVM_EXIT_HLT	     0x078
#define SVM_EXIT_INVLPGA     0x07a
#define SVM_EXIT_IOIO	     0x07b
#define SVM_EXIT_MSR	     0x07c
#define SVM_EXIT_TASK_SWITCH 0x07d
#define SVM_EXIT_SHUTDOWN    0x07f
#define SVM_EXIT_VMRUN	     0x080
#define SVM_EXIT_VMMCALL     0x081
#define SVM_EXIT_VMLOAD	     0x082
#define SVM_EXIT_VMSAVE	     0x083
#define SVM_EXIT_STGI	     0x084
#define SVM_EXIT_CLGI	     0x085
#define SVM_EXIT_SKINIT	     0x086
#define SVM_EXIT_RDTSCP	     0x087
#define SVM_EXIT_ICEBP	     0x088
#define SVM_EXIT_MONITOR     0x08a
#define SVM_EXIT_MWAIT	     0x08b
#define SVM_EXIT_MWAIT_COND  0x08c
#define SVM_EXIT_XSETBV	     0x08d
#define SVM_EXIT_RDPRU	     0x08e
#define SVM_EXIT_NPF	     0x400
#define SVM_EXIT_INVALID     (~0ULL)

/* EXITINFO1 of an I/O exit (APM 15.10.2, figure 15-2) */
#define SVM_IOIO_IN	     (1U << 0)
#define SVM_IOIO_STR	     (1U << 2)
#define SVM_IOIO_REP	     (1U << 3)
#define SVM_IOIO_SIZE_SHIFT  4	/* bits 4-6: 1, 2 or 4 bytes, one-hot */
#define SVM_IOIO_ASIZE_SHIFT 7	/* bits 7-9: 16, 32 or 64-bit addresses */
#define SVM_IOIO_SEG_SHIFT   10 /* bits 10-12: the segment of OUTS */
#define SVM_IOIO_PORT_SHIFT  16

/* EXITINFO1 of a nested page fault (APM 15.25.6) */
#define SVM_NPF_PRESENT	   (1ULL << 0)
#define SVM_NPF_WRITE	   (1ULL << 1)
#define SVM_NPF_USER	   (1ULL << 2)
#define SVM_NPF_RSVD	   (1ULL << 3)
#define SVM_NPF_FETCH	   (1ULL << 4)
#define SVM_NPF_FINAL_GPA  (1ULL << 32)
#define SVM_NPF_GUEST_WALK (1ULL << 33)

/* MSRs */
#define MSR_VM_CR	0xc0010114
#define MSR_VM_HSAVE_PA 0xc0010117
#define VM_CR_SVMDIS	(1ULL << 4)
#define EFER_SVME	(1ULL << 12)

#endif /* ASM_X86_HVM_VMCB_H */
