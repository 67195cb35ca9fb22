/* Local interrupt control, arch-neutral names (see asm/system.h). */
#ifndef KAIROS_IRQ_H
#define KAIROS_IRQ_H

#include <asm/system.h>

#endif /* KAIROS_IRQ_H */
