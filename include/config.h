/* Build-time limits and debug switches. */
#ifndef KAIROS_CONFIG_H
#define KAIROS_CONFIG_H

/*
 * CPUs the hypervisor can manage (x2APIC machines have thousands). A host
 * unit test may build with a smaller -DNR_CPUS to exercise a cpumask whose
 * last word is only partly used.
 */
#ifndef NR_CPUS
#define NR_CPUS 4096
#endif

/*
 * Lock debugging (include/spinlock.h, include/rwlock.h): every lock latches
 * whether it was first taken with interrupts enabled or disabled and panics
 * on a later acquisition that disagrees, since mixing the two deadlocks
 * when an interrupt handler spins on a lock its own CPU holds. It costs a
 * flags read per acquisition, and four bytes per spinlock (eight per
 * rwlock, for alignment). On while the tree is young;
 * -DCONFIG_NO_DEBUG_LOCKS builds without it (for measurement runs).
 */
#ifndef CONFIG_NO_DEBUG_LOCKS
#define CONFIG_DEBUG_LOCKS
#endif

#endif /* KAIROS_CONFIG_H */
