/*
 * The x86-64 instructions, registers and constants the HVM test kernels
 * use, each a thin inline wrapper. The kernels see only tests/hvm/lib/,
 * never the hypervisor's headers: they are guests, built like any other
 * operating system would be.
 */
#ifndef HVM_ARCH_H
#define HVM_ARCH_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#define __packed       __attribute__((__packed__))
#define __aligned(n)   __attribute__((__aligned__(n)))
#define __section(s)   __attribute__((__section__(s)))
#define __used	       __attribute__((__used__))
#define __noreturn     __attribute__((__noreturn__))
#define __printf(a, b) __attribute__((__format__(__printf__, a, b)))

#define BUILD_BUG_ON(cond) _Static_assert(!(cond), "BUILD_BUG_ON: " #cond)
#define ARRAY_SIZE(a)	   (sizeof(a) / sizeof((a)[0]))
#define barrier()	   __asm__ __volatile__("" ::: "memory")
#define READ_ONCE(x)	   (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)   (*(volatile __typeof__(x) *)&(x) = (v))

#include "layout.h"

/* IA32_APIC_BASE (SDM Vol. 3A 10.4.4, 10.12.1) */
#define APIC_BASE_BSP	  (1ULL << 8)
#define APIC_BASE_EXTD	  (1ULL << 10) /* x2APIC mode */
#define APIC_BASE_ENABLE  (1ULL << 11)
#define APIC_BASE_ADDRESS 0xfffff000ULL

/* ---- Port I/O ------------------------------------------------------- */

static inline void outb(u16 port, u8 v)
{
	__asm__ __volatile__("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline void outw(u16 port, u16 v)
{
	__asm__ __volatile__("outw %0, %1" ::"a"(v), "Nd"(port));
}

static inline void outl(u16 port, u32 v)
{
	__asm__ __volatile__("outl %0, %1" ::"a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;

	__asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;

	__asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* ---- Memory-mapped I/O: one access of exactly the size named -------- */

static inline u8 mmio_read8(u64 addr)
{
	return *(volatile u8 *)addr;
}

static inline void mmio_write8(u64 addr, u8 v)
{
	*(volatile u8 *)addr = v;
}

static inline void mmio_write16(u64 addr, u16 v)
{
	*(volatile u16 *)addr = v;
}

static inline u32 mmio_read32(u64 addr)
{
	return *(volatile u32 *)addr;
}

static inline void mmio_write32(u64 addr, u32 v)
{
	*(volatile u32 *)addr = v;
}

/* ---- MSRs, CPUID, TSC ----------------------------------------------- */

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ __volatile__("wrmsr" ::"c"(msr), "a"((u32)v),
			     "d"((u32)(v >> 32))
			     : "memory");
}

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid_count(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;

	__asm__ __volatile__("cpuid"
			     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx),
			       "=d"(r.edx)
			     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline struct cpuid_regs cpuid(u32 leaf)
{
	return cpuid_count(leaf, 0);
}

/* RDTSC after every earlier instruction has completed (LFENCE: SDM RDTSC). */
static inline u64 rdtsc_ordered(void)
{
	u32 lo, hi;

	__asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((u64)hi << 32) | lo;
}

/* ---- Interrupts, halting, control registers ------------------------- */

static inline void cli(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

static inline void sti(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}

/* STI's one-instruction shadow: an interrupt pending before the HLT wakes it. */
static inline void sti_hlt(void)
{
	__asm__ __volatile__("sti; hlt" ::: "memory");
}

static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

static inline bool irqs_enabled(void)
{
	u64 flags;

	__asm__ __volatile__("pushfq; popq %0" : "=r"(flags));
	return flags & (1UL << 9);
}

static inline u64 read_cr2(void)
{
	u64 v;

	__asm__ __volatile__("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline u64 read_cr8(void)
{
	u64 v;

	__asm__ __volatile__("mov %%cr8, %0" : "=r"(v));
	return v;
}

static inline void write_cr8(u64 v)
{
	__asm__ __volatile__("mov %0, %%cr8" ::"r"(v) : "memory");
}

/* ---- Arithmetic ----------------------------------------------------- */

/* a * b / c without overflow of the product (c != 0; the result fits). */
static inline u64 muldiv64(u64 a, u64 b, u64 c)
{
	return (u64)((unsigned __int128)a * b / c);
}

/* ---- Atomics -------------------------------------------------------- */

static inline u32 atomic_inc_return(volatile u32 *v)
{
	return __atomic_add_fetch(v, 1, __ATOMIC_SEQ_CST);
}

struct spinlock {
	volatile u32 locked;
};

static inline bool spin_trylock(struct spinlock *l)
{
	return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_lock(struct spinlock *l)
{
	while (!spin_trylock(l))
		while (READ_ONCE(l->locked))
			cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/* ---- The C library subset (common/string.c, vsnprintf.c, glob.c) ---- */

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
bool glob_match(const char *pattern, const char *name);

#endif /* HVM_ARCH_H */
