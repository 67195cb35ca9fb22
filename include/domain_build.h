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

/* Builds a domain from every valid module and starts them all; returns
 * how many started. */
unsigned int domains_build_from_modules(const struct boot_info *bi);

#endif /* KAIROS_DOMAIN_BUILD_H */
