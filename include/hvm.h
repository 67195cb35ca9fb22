/*
 * Hardware-assisted (HVM) domains: the vendor-neutral interface between
 * the portable hypervisor and the virtualisation extensions that run
 * unmodified guests (arch/x86/hvm/: AMD SVM with nested paging today;
 * Intel VMX would implement the same calls). docs/hvm.md describes the
 * design and what a guest sees.
 *
 * An HVM vCPU is an ordinary vCPU to the scheduler: it is placed, woken,
 * blocked and switched like a paravirtual one. What differs is the way
 * into the guest (the VMRUN loop instead of IRET to ring 3), the guest's
 * memory (nested page tables instead of a ring-3 address space) and its
 * timer (the virtual local APIC's, backed by a timer of the timer core).
 *
 * Concurrency: each call says where it may run. Calls about a vCPU that
 * touch its hardware state (the VMCB) run on the CPU the vCPU is current
 * on, or while it is off every CPU.
 */
#ifndef KAIROS_HVM_H
#define KAIROS_HVM_H

#include <compiler.h>
#include <types.h>

struct domain;
struct vcpu;
struct domain_config;

/* ---- The platform --------------------------------------------------- */

/*
 * Boot CPU, once, after the page allocator: finds out whether HVM
 * domains can run (the CPU offers the extensions and the firmware left
 * them enabled) and says so in the log.
 */
void hvm_init(void);

/* Allocates what CPU cpu needs (host save area); the boot CPU, per AP. */
int hvm_cpu_prepare(unsigned int cpu);

/* Each CPU, while it comes up (after hvm_cpu_prepare()): enables them. */
void hvm_cpu_init(void);

/* True if hvm_init() found HVM usable on this machine. */
bool hvm_enabled(void);

/* Why HVM domains cannot run here (hvm_enabled() is false), else "". */
const char *hvm_disabled_reason(void);

/* ---- Domains and vCPUs ---------------------------------------------- */

/* is_hvm_domain() and is_hvm_vcpu() are in domain.h. */

/* What an HVM domain boots: a kernel image, and an initramfs or none. */
struct hvm_boot_image {
	const u8 *kernel; /* a Multiboot (v1) kernel or a Linux bzImage */
	size_t kernel_size;
	const u8 *initrd; /* NULL: none; only for a bzImage */
	size_t initrd_size;
};

/*
 * Builds an HVM domain from a boot module's image (and the initramfs
 * module after it) and its parsed module line; returns the domain
 * (stopped, one reference: the list's) or NULL with a one-line reason in
 * err. Boot CPU, interrupts enabled.
 */
struct domain *hvm_domain_build(const struct domain_config *cfg,
				const struct hvm_boot_image *boot,
				unsigned int module, char *err, size_t errlen);

/*
 * Frees what the HVM side holds of d (vCPU state, nested page tables,
 * devices); d runs nowhere. From domain_free_resources(). The small
 * struct hvm_domain stays until the domain's last reference goes
 * (hvm_domain_free(), from the struct's own freeing), so that a holder
 * of a reference may still look at it.
 */
void hvm_domain_destroy(struct domain *d);
void hvm_domain_free(struct domain *d);

/*
 * The scheduler moved v's timers to cpu (v is off every CPU or about to
 * run on cpu): the virtual LAPIC timer follows.
 */
void hvm_vcpu_move_timers(struct vcpu *v, unsigned int cpu);

/*
 * True if a blocked (halted) v has something that ends the halt: an
 * interrupt the guest can take, or an NMI. Any context (a snapshot).
 */
bool hvm_vcpu_has_wake_event(const struct vcpu *v);

/*
 * The context switch's part: save prev's hardware state that the VMRUN
 * loop leaves live (XCR0), load next's. Interrupts off, on the CPU.
 */
void hvm_switch_from(struct vcpu *prev);
void hvm_switch_to(struct vcpu *next);

/* Enters (or resumes) the current HVM vCPU: the VMRUN loop. */
void hvm_resume(void) __noreturn;

/* The 'q' key's lines about an HVM vCPU (registers, APIC, timer). */
void hvm_dump_vcpu(struct vcpu *v);

/*
 * Console input for HVM guests (the debug keys' input switch): the id of
 * the first HVM domain after domid (0: none), and one byte typed into
 * domain domid's UART (false if no such HVM domain lives). Any context
 * but IRQ.
 */
u16 hvm_next_console_domain(u16 domid);
bool hvm_console_input(u16 domid, u8 c);

/* An exit reason's name, as traces and reports give it ("CPUID"). */
const char *hvm_exit_name(unsigned int reason);

/* One line per domain at its end: exits by reason. */
void hvm_report_domain(struct domain *d);

#endif /* KAIROS_HVM_H */
