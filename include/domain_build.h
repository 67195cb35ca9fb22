/*
 * Building domains from the guest images GRUB passed as Multiboot2
 * modules (common/domain_build.c): each module is one domain's ELF64
 * image, its command line the domain's parameters (docs/guest-images.md).
 * A module that fails any check (its command line, its image, memory)
 * is refused with the reason and the others go on.
 *
 * Concurrency: boot CPU, once, after the scheduler is up, interrupts on.
 */
#ifndef KAIROS_DOMAIN_BUILD_H
#define KAIROS_DOMAIN_BUILD_H

#include <bootinfo.h>

/* Builds a stopped domain from every valid module; returns how many. */
unsigned int domains_build_from_modules(const struct boot_info *bi);

/*
 * Starts the domains just built, all at once: the last thing before the
 * idle loop, so that their first periods (EDF) are not spent waiting for
 * the boot CPU to finish printing.
 */
void domains_start_built(void);

#endif /* KAIROS_DOMAIN_BUILD_H */
