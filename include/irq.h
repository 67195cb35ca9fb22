/* Local interrupt control, arch-neutral names (see asm/system.h). */
#ifndef KAIROS_IRQ_H
#define KAIROS_IRQ_H

#include <asm/system.h>
#include <types.h>

/* True while the calling CPU handles an NMI (arch/x86/traps.c). */
bool in_nmi(void);

#endif /* KAIROS_IRQ_H */
