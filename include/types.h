/* Fixed-width types shared by the hypervisor and its host unit tests. */
#ifndef KAIROS_TYPES_H
#define KAIROS_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

/* A machine (physical) address; never dereferenced directly. */
typedef u64 paddr_t;
#define PRIpaddr "016lx"

/* Signed nanoseconds of system time, as NOW() returns (docs/time.md). */
typedef s64 s_time_t;

#endif /* KAIROS_TYPES_H */
