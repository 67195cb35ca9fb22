/* A cheap, monotonic-per-CPU cycle counter for timestamps before NOW(). */
#ifndef KAIROS_CYCLES_H
#define KAIROS_CYCLES_H

#include <asm/cycles.h>

#endif /* KAIROS_CYCLES_H */
