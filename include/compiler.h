/* Compiler attributes and helpers used throughout the tree. */
#ifndef KAIROS_COMPILER_H
#define KAIROS_COMPILER_H

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define __packed       __attribute__((__packed__))
#define __aligned(n)   __attribute__((__aligned__(n)))
#define __section(s)   __attribute__((__section__(s)))
#define __used	       __attribute__((__used__))
#define __unused       __attribute__((__unused__))
#define __noreturn     __attribute__((__noreturn__))
#define __printf(a, b) __attribute__((__format__(__printf__, a, b)))
#define __weak	       __attribute__((__weak__))
#ifndef __always_inline
#define __always_inline inline __attribute__((__always_inline__))
#endif
#define __noinline __attribute__((__noinline__))

/* Code and data only needed while booting (see the linker script). */
#define __init	   __section(".init.text")
#define __initdata __section(".init.data")

#define BUILD_BUG_ON(cond) _Static_assert(!(cond), "BUILD_BUG_ON: " #cond)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

#define barrier() __asm__ __volatile__("" ::: "memory")

#define READ_ONCE(x)	 (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define ROUNDUP(x, a)	 (((x) + (a)-1) & ~((__typeof__(x))(a)-1))
#define ROUNDDOWN(x, a)	 ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)

#define min(a, b)                       \
	({                              \
		__typeof__(a) _a = (a); \
		__typeof__(b) _b = (b); \
		_a < _b ? _a : _b;      \
	})
#define max(a, b)                       \
	({                              \
		__typeof__(a) _a = (a); \
		__typeof__(b) _b = (b); \
		_a > _b ? _a : _b;      \
	})

#define PASTE_(a, b) a##b
#define PASTE(a, b)  PASTE_(a, b)

#define STRINGIFY_(x) #x
#define STRINGIFY(x)  STRINGIFY_(x)

#endif /* KAIROS_COMPILER_H */
