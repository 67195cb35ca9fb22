/* VGA text-mode console (arch/x86/vga.c). */
#ifndef ASM_X86_VGA_H
#define ASM_X86_VGA_H

#include <bootinfo.h>

/*
 * Registers the 80x25 text screen as a console if the boot loader left the
 * display in EGA text mode. Returns true if registered. Boot CPU only.
 */
bool vga_console_init(const struct boot_framebuffer *fb);

#endif /* ASM_X86_VGA_H */
