/*
 * The guest images GRUB passed as Multiboot2 modules (common/
 * guest_images.c): each module is one domain's ELF64 image, its command
 * line the domain's parameters (docs/guest-images.md). At boot each is
 * checked and reported; a bad one is refused with the reason and the
 * others go on.
 *
 * Concurrency: boot CPU, once, after memory_init().
 */
#ifndef KAIROS_GUEST_IMAGES_H
#define KAIROS_GUEST_IMAGES_H

#include <bootinfo.h>

/* Checks every module; returns how many are valid guest images. */
unsigned int guest_images_check(const struct boot_info *bi);

#endif /* KAIROS_GUEST_IMAGES_H */
