/* Build-time limits. */
#ifndef KAIROS_CONFIG_H
#define KAIROS_CONFIG_H

/* CPUs the hypervisor can manage (x2APIC machines have thousands). */
#define NR_CPUS 4096

#endif /* KAIROS_CONFIG_H */
