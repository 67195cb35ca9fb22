/*
 * The x86 side of HVM domains (arch/x86/hvm/): what a domain and a vCPU
 * hold beyond the portable struct domain and struct vcpu, and the calls
 * between the files of arch/x86/hvm/. include/hvm.h is what the rest of
 * the hypervisor sees.
 *
 * Files: svm.c (the vendor core: VMCB, the VMRUN loop, exit dispatch),
 * svm_entry.S, intr.c (what to inject before each VMRUN), npt.c (guest
 * memory by nested paging), vlapic.c, vioapic.c (the I/O APIC),
 * emulate.c (MMIO and the exits that need the instruction), io.c and the
 * devices (vuart.c, vrtc.c, fw_cfg.c, acpi_pm.c), cpuid.c, msr.c,
 * build.c (loading a Multiboot kernel), hvm.c (include/hvm.h's calls).
 */
#ifndef ASM_X86_HVM_HVM_H
#define ASM_X86_HVM_HVM_H

#include <asm/hvm/vioapic.h>
#include <asm/hvm/vlapic.h>
#include <asm/regs.h>
#include <spinlock.h>
#include <timer.h>
#include <types.h>

struct domain;
struct vcpu;
struct vmcb;

/*
 * Exit reasons, vendor-neutral, for the statistics, the trace
 * (TRACE_HVM_EXIT's a) and the bench. Keep hvm_exit_names[] in step.
 */
enum hvm_exit_reason {
	HVM_EXIT_INTR,	/* a physical interrupt for the hypervisor */
	HVM_EXIT_NMI,	/* a physical NMI */
	HVM_EXIT_VINTR, /* the guest opened its interrupt window */
	HVM_EXIT_CPUID,
	HVM_EXIT_HLT,
	HVM_EXIT_IO,   /* IN, OUT, INS, OUTS */
	HVM_EXIT_MSR,  /* RDMSR, WRMSR */
	HVM_EXIT_MMIO, /* a nested page fault: the APIC page or a hole */
	HVM_EXIT_CR,   /* MOV to CR4 */
	HVM_EXIT_XSETBV,
	HVM_EXIT_RDTSCP,
	HVM_EXIT_IRET,	    /* the end of an injected NMI's handler */
	HVM_EXIT_EXCEPTION, /* an intercepted exception, reflected */
	HVM_EXIT_UD,	    /* an instruction the guest may not use: #UD */
	HVM_EXIT_SHUTDOWN,  /* triple fault */
	HVM_EXIT_INVALID,   /* VMRUN refused the guest state */
	HVM_EXIT_OTHER,
	HVM_EXIT_NR
};

extern const char *const hvm_exit_names[HVM_EXIT_NR];

struct hvm_exit_stat {
	u64 count;
	u64 cycles; /* from the exit to the next VMRUN, summed */
	u64 cycles_max;
};

/* The AMD SVM part of a vCPU (svm.c). */
struct svm_vcpu {
	struct vmcb *vmcb;
	paddr_t vmcb_pa;
	u32 asid;	       /* 0: none assigned yet */
	unsigned int asid_cpu; /* the CPU the ASID belongs to */
	u64 asid_generation;   /* that CPU's generation when it was assigned */
};

/* A vCPU of an HVM domain: vcpu->hvm. */
struct hvm_vcpu {
	struct vcpu *vcpu;
	struct svm_vcpu svm;
	struct vlapic vlapic;
	u64 xcr0;	 /* the guest's XCR0, live in the CPU while it runs */
	u64 dr[4];	 /* DR0-DR3, not switched by VMRUN */
	u64 tsc_aux;	 /* what RDTSCP returns in ECX */
	u64 pvclock_msr; /* MSR_KVM_SYSTEM_TIME_NEW as written */
	u32 pvclock_version; /* of its record: even, bumped twice a write */

	/* Events (on the vCPU's CPU, except the flags set by IPIs). */
	u64 pending_event; /* an exception or re-injection, EVENTINJ form */
	bool nmi_pending;  /* an NMI IPI arrived (atomic flag) */
	bool nmi_blocked;  /* in the guest's NMI handler (until IRET) */
	bool sipi_pending; /* a start-up IPI arrived; sipi_vector says where */
	u8 sipi_vector;
	bool reset_pending;  /* INIT arrived while running: reset at entry */
	bool halted_irq_off; /* blocked in HLT with RFLAGS.IF clear */

	/* Statistics. */
	u64 exit_tsc;		  /* TSC at the last exit */
	unsigned int exit_reason; /* of the last exit (enum hvm_exit_reason) */
	bool exit_open;		  /* an exit is being handled (for the stats) */
	struct hvm_exit_stat exits[HVM_EXIT_NR];
	u64 injections; /* interrupts injected */
};

/* The guest's COM1 (vuart.c). */
struct hvm_vuart {
	u8 ier, lcr, mcr, scr, dll, dlm;
	u8 fcr;		 /* what sticks of FCR: FIFO enable, trigger level */
	u8 lsr_errors;	 /* LSR.OE until LSR is read */
	u8 msr_delta;	 /* MSR bits 3:0 until MSR is read */
	bool thre_latch; /* the THR empty interrupt is pending (IIR 0x2) */
	bool irq_line;	 /* what the UART drives on its GSI */
	char line[256];	 /* output not yet printed (a partial line) */
	unsigned int line_len;
	struct timer flush_timer; /* prints a partial line after a pause */
	u8 rx[64];		  /* input the 'u' key typed, a ring */
	unsigned int rx_head, rx_tail;
};

/* The CMOS/RTC (vrtc.c). */
struct hvm_vrtc {
	u8 index;      /* selected by port 0x70 */
	u8 nvram[128]; /* register B and what the guest wrote beyond the clock */
};

/* QEMU's fw_cfg I/O interface (fw_cfg.c). */
struct hvm_fw_cfg {
	u16 selector;
	u32 offset;
};

/* An HVM domain: domain->hvm. */
struct hvm_domain {
	struct domain *domain;
	paddr_t npt_root;	 /* nested page tables (npt.c) */
	unsigned long npt_pages; /* their pages, for the books */
	u64 mem;		 /* guest-physical RAM size */
	u64 tsc_offset;		 /* guest TSC = host TSC + tsc_offset */
	u32 pvclock_mul;	 /* guest ns = (TSC << shift) * mul >> 32 */
	s8 pvclock_shift;
	u64 pvclock_wall_msr; /* MSR_KVM_WALL_CLOCK_NEW as written */

	struct vioapic vioapic; /* its own lock, taken inside io_lock */
	spinlock_t io_lock;	/* the devices below */
	struct hvm_vuart uart;
	struct hvm_vrtc rtc;
	struct hvm_fw_cfg fw_cfg;
	u16 pm1_status, pm1_enable, pm1_control;

	unsigned long *ports_reported; /* 65536 bits: unknown ports logged */
	unsigned int nr_ports_reported;
	unsigned int nr_mmio_reported; /* unknown-MMIO lines printed */
	unsigned int nr_msrs_reported; /* unknown-MSR lines printed */
	bool sleep_refused_reported;   /* an S1-S4 request was logged */
	unsigned int debug_exit_code;  /* written to port 0xf4 */
};

/* Prints the guest's control state (a crash report, the 'q' key). */
void hvm_show_state(struct vcpu *v);

/*
 * Crashes d if none of its vCPUs can ever run again (all halted with
 * interrupts off or waiting for a start-up IPI): hvm.c.
 */
void hvm_check_stuck(struct domain *d);

/*
 * INIT and start-up IPIs (hvm.c): INIT puts target in wait-for-SIPI
 * (off the CPUs, its state reset when the SIPI comes); a SIPI to a vCPU
 * that waits starts it in real mode at vector << 12 (SDM Vol. 3A 9.4.4).
 * Any CPU.
 */
void hvm_vcpu_init_signal(struct vcpu *target);
void hvm_vcpu_startup_signal(struct vcpu *target, u8 vector);

/* The vCPU's register frame while it is current (at its CPU's stack top). */
struct cpu_user_regs *hvm_guest_regs(void);

/* ---- hvm.c ---- */
/* Gives v its HVM state (APIC, VMCB); APs start waiting for a SIPI. */
int hvm_vcpu_create(struct vcpu *v);

/* ---- pvclock.c: KVM's paravirtual clock (kvmclock) ---- */
/* Fixes d's guest-time scale from the calibrated TSC rate. At build. */
void hvm_pvclock_init(struct domain *d);
/* Fills the KVM leaves 0x40000100-0x40000101; false for any other. */
bool hvm_pvclock_cpuid(struct vcpu *v, u32 leaf, u32 out[4]);
/* The kvmclock MSRs; the calls below are v's own exits, on its CPU. */
bool hvm_pvclock_msr_owned(u32 msr);
int hvm_pvclock_msr_read(struct vcpu *v, u32 msr, u64 *val);
/* -EINVAL (#GP) for a record that is not in one page of RAM. */
int hvm_pvclock_msr_write(struct vcpu *v, u32 msr, u64 val);

/* ---- svm.c ---- */
int svm_vcpu_init(struct vcpu *v);
void svm_vcpu_destroy(struct vcpu *v);
/* Sets the vCPU's state to a Multiboot entry (32-bit protected mode). */
void svm_vcpu_set_multiboot_entry(struct vcpu *v, u32 entry, u32 eax, u32 ebx);
/* ... or to Linux's 32-bit boot protocol entry, ESI the zero page. */
void svm_vcpu_set_linux_entry(struct vcpu *v, u32 entry, u32 zero_page);
/* The INIT/SIPI state: real mode at vector << 12 (SDM Vol. 3A 9.4.4.2). */
void svm_vcpu_set_sipi_state(struct vcpu *v, u8 vector);
/* Ends the statistics of v's open exit as it leaves the CPU. */
void hvm_exit_close(struct vcpu *v);
/* Queues an exception for the next VMRUN (error code if has_error). */
void hvm_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error);
#define hvm_inject_gp(v) hvm_inject_exception((v), 13, true, 0)
#define hvm_inject_ud(v) hvm_inject_exception((v), 6, false, 0)

/* The guest's RIP, CPL, mode and control registers (the current vCPU). */
struct hvm_guest_state {
	u64 cr0, cr3, cr4, efer;
	u64 cs_base;
	unsigned int cpl;
	unsigned int mode; /* enum x86_mode */
	bool long_mode;
};
void hvm_get_guest_state(struct vcpu *v, struct hvm_guest_state *st);
u64 hvm_seg_base(struct vcpu *v, unsigned int seg);
void hvm_advance_rip(struct vcpu *v, struct cpu_user_regs *regs,
		     unsigned int len);

/* ---- intr.c ---- */
/* Decides what to inject at this VMRUN (interrupts off, v current). */
void hvm_intr_assist(struct vcpu *v);
/* Makes v notice an event: wake it from HLT, or prod its CPU. */
void hvm_vcpu_kick(struct vcpu *v);

/* ---- npt.c ---- */
int npt_build(struct domain *d);
void npt_destroy(struct domain *d);
/* The host frame behind guest-physical gpa, or INVALID_PADDR (not RAM). */
paddr_t npt_translate(struct domain *d, u64 gpa, bool *writable);
/* guest_walk_ctx.read_gpa for the domain passed as opaque. */
int hvm_walk_read_gpa(void *domain, u64 gpa, void *buf, size_t len);
/* Copies between guest-physical memory and the hypervisor; 0 or -EFAULT. */
int hvm_copy_from_gpa(struct domain *d, void *dst, u64 gpa, size_t len);
int hvm_copy_to_gpa(struct domain *d, u64 gpa, const void *src, size_t len);
/* The same, for the build: also into the read-only BIOS area. */
int hvm_copy_to_gpa_any(struct domain *d, u64 gpa, const void *src, size_t len);

/* ---- emulate.c ---- */
/* A nested page fault at gpa: MMIO emulation or a domain crash. */
void hvm_handle_npf(struct vcpu *v, struct cpu_user_regs *regs, u64 gpa,
		    u64 error);
/* MOV to CR4 (its exit carries no decode information here). */
void hvm_handle_cr_write(struct vcpu *v, struct cpu_user_regs *regs,
			 unsigned int cr);
/*
 * The length of the instruction at the guest's RIP if it is one with
 * the given opcode bytes (after prefixes), or 0 after crashing or
 * faulting the guest with the reason.
 */
unsigned int hvm_insn_length(struct vcpu *v, struct cpu_user_regs *regs,
			     const u8 *opcode, unsigned int opcode_len,
			     const char *what);

/* ---- io.c ---- */
/* An I/O exit: IN, OUT, or their string forms; next_rip from the exit. */
void hvm_handle_io(struct vcpu *v, struct cpu_user_regs *regs, u64 info,
		   u64 next_rip);

/* ---- cpuid.c, msr.c ---- */
void hvm_cpuid(struct vcpu *v, u32 leaf, u32 subleaf, u32 out[4]);
int hvm_msr_read(struct vcpu *v, u32 msr, u64 *val);
int hvm_msr_write(struct vcpu *v, u32 msr, u64 val);

/* ---- devices ---- */
int vuart_io(struct vcpu *v, u16 port, bool in, u32 *val);
void vuart_init(struct domain *d);
void vuart_destroy(struct domain *d);
/* Prints the line the guest left unfinished (before the domain ends). */
void vuart_flush(struct domain *d);
/* A byte typed for the guest (the hypervisor's console input). */
void vuart_input(struct domain *d, u8 c);
int vrtc_io(struct vcpu *v, u16 port, bool in, u32 *val);
void vrtc_init(struct domain *d);
int fw_cfg_io(struct vcpu *v, u16 port, unsigned int size, bool in, u32 *val);
int acpi_pm_io(struct vcpu *v, u16 port, unsigned int size, bool in, u32 *val);

#endif /* ASM_X86_HVM_HVM_H */
