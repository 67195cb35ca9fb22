/*
 * What an HVM vCPU is owed at each VMRUN (after Xen's svm_intr_assist):
 * an exception or an interrupted event first, then an NMI, then the
 * virtual APIC's highest interrupt.
 *
 * An interrupt goes in by EVENTINJ when the guest can take it now (IF
 * set, no STI/MOV SS shadow, TPR below it); the APIC then moves it from
 * IRR to ISR, as a real one does when the CPU acknowledges. Otherwise
 * V_IRQ is raised with the vector's priority class and the VINTR exit
 * armed: the CPU exits as soon as the guest could take it (IF set, the
 * shadow over, or CR8 lowered below its class without any exit), and the
 * next VMRUN injects it. This is the seed's path for an unmodified guest:
 * LAPIC interrupt -> TIMER_SOFTIRQ -> the virtual timer's callback ->
 * IRR -> injected here -> the guest's handler.
 */
#include <asm/hvm/hvm.h>
#include <asm/hvm/vmcb.h>
#include <domain.h>
#include <hvm.h>
#include <sched.h>
#include <smp.h>
#include <trace.h>

#define X86_EFLAGS_IF_BIT (1ULL << 9)

/*
 * Arms the exit that comes when vector (-1: none pending) can be taken:
 * the VINTR exit at the guest's next interrupt window, or, if only the
 * task priority holds it back, the exit at the guest's next CR8 write
 * (MMIO and MSR writes to TPR exit anyway). V_IRQ is never prioritised
 * against V_TPR: CPUs differ on whether equal classes pass.
 */
static void request_window(struct vmcb *vmcb, int vector, bool blocked_by_tpr)
{
	vmcb->int_ctl &=
		~(SVM_INT_V_IRQ | SVM_INT_V_INTR_PRIO_MASK | SVM_INT_V_IGN_TPR);
	vmcb->intercepts1 &= ~SVM_INTERCEPT1_VINTR;
	vmcb->cr_write_intercepts &= ~SVM_CR_INTERCEPT_CR8;
	if (vector < 0)
		return;
	if (blocked_by_tpr) {
		vmcb->cr_write_intercepts |= SVM_CR_INTERCEPT_CR8;
		return;
	}
	vmcb->int_ctl |= SVM_INT_V_IRQ | SVM_INT_V_IGN_TPR |
			 ((u32)(vector >> 4) << SVM_INT_V_INTR_PRIO_SHIFT);
	vmcb->int_vector = (u32)vector;
	vmcb->intercepts1 |= SVM_INTERCEPT1_VINTR;
}

void hvm_intr_assist(struct vcpu *v)
{
	struct hvm_vcpu *hv = v->hvm;
	struct vmcb *vmcb = hv->svm.vmcb;
	bool shadow = vmcb->int_state & SVM_INT_STATE_SHADOW;
	bool blocked_by_tpr;
	int vector;

	vmcb->int_ctl =
		(vmcb->int_ctl & ~SVM_INT_V_TPR_MASK) | vlapic_tpr_class(v);
	vector = vlapic_pending_vector(v, &blocked_by_tpr);

	if (hv->pending_event & SVM_EVTINJ_VALID) {
		vmcb->eventinj = hv->pending_event;
		hv->pending_event = 0;
		trace(TRACE_CLASS_HVM, TRACE_HVM_INJECT,
		      (u32)(vmcb->eventinj & SVM_EVTINJ_VECTOR_MASK),
		      trace_vcpu_id(v),
		      (vmcb->eventinj & SVM_EVTINJ_TYPE_MASK) >>
			      SVM_EVTINJ_TYPE_SHIFT);
		request_window(vmcb, vector, blocked_by_tpr);
		return;
	}
	if (READ_ONCE(hv->nmi_pending) && !hv->nmi_blocked && !shadow) {
		WRITE_ONCE(hv->nmi_pending, false);
		hv->nmi_blocked = true;
		vmcb->eventinj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_NMI | 2;
		/* Its IRET tells when the next NMI may come. */
		vmcb->intercepts1 |= SVM_INTERCEPT1_IRET;
		trace(TRACE_CLASS_HVM, TRACE_HVM_INJECT, 2, trace_vcpu_id(v),
		      2);
		request_window(vmcb, vector, blocked_by_tpr);
		return;
	}
	if (vector >= 0 && !blocked_by_tpr &&
	    (vmcb->rflags & X86_EFLAGS_IF_BIT) && !shadow) {
		vlapic_accept(v, (u8)vector);
		vmcb->eventinj =
			SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_INTR | (u64)vector;
		hv->injections++;
		trace(TRACE_CLASS_HVM, TRACE_HVM_INJECT, (u32)vector,
		      trace_vcpu_id(v), 0);
		request_window(vmcb, -1, false);
		return;
	}
	request_window(vmcb, vector, blocked_by_tpr);
}

bool hvm_vcpu_has_wake_event(const struct vcpu *v)
{
	struct hvm_vcpu *hv = v->hvm;
	bool blocked_by_tpr;
	int vector;

	if (READ_ONCE(hv->nmi_pending) ||
	    (hv->pending_event & SVM_EVTINJ_VALID))
		return true;
	if (!(hv->svm.vmcb->rflags & X86_EFLAGS_IF_BIT))
		return false;
	vector = vlapic_pending_vector((struct vcpu *)v, &blocked_by_tpr);
	return vector >= 0 && !blocked_by_tpr;
}

void hvm_vcpu_kick(struct vcpu *v)
{
	bool running = READ_ONCE(v->is_running);

	smp_mb(); /* the request before the look at the blocked flag */
	if (test_bit(VPF_BLOCKED, &v->pause_flags) &&
	    hvm_vcpu_has_wake_event(v) &&
	    test_and_clear_bit(VPF_BLOCKED, &v->pause_flags)) {
		v->hvm->halted_irq_off = false;
		vcpu_wake(v);
	} else if (running && v->processor != smp_processor_id()) {
		/* It exits at the IPI and injects on the way back in. */
		smp_send_event_check_cpu(v->processor);
	}
}
