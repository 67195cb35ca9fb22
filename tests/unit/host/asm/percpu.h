/*
 * Host unit-test stand-in for arch/x86/include/asm/percpu.h: the calling
 * thread's per-CPU offset is a thread-local variable rather than %gs:0, so
 * a test switches the CPU it plays with percpu_enter()
 * (tests/unit/host/host_percpu.c).
 */
#ifndef HOST_ASM_PERCPU_H
#define HOST_ASM_PERCPU_H

extern _Thread_local unsigned long host_this_cpu_offset;

static inline unsigned long arch_this_cpu_offset(void)
{
	return host_this_cpu_offset;
}

#endif /* HOST_ASM_PERCPU_H */
