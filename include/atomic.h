/*
 * Atomic counters, atomic bit operations on bitmaps, and SMP barriers.
 *
 * Types: atomic_t holds an int, atomic64_t an s64; ATOMIC_INIT(i)
 * initialises either statically. Each operation below exists for both, the
 * 64-bit one with the atomic64_ prefix (atomic64_read, atomic64_xchg, ...):
 *
 *   atomic_read(v)            the value
 *   atomic_set(v, i)          stores i
 *   atomic_add(i, v)          adds i
 *   atomic_sub(i, v)          subtracts i
 *   atomic_inc(v)             adds 1
 *   atomic_dec(v)             subtracts 1
 *   atomic_inc_return(v)      adds 1; returns the new value
 *   atomic_dec_and_test(v)    subtracts 1; returns true if it became 0
 *   atomic_cmpxchg(v, o, n)   stores n if the value was o; returns the
 *                             value found (o means it stored)
 *   atomic_xchg(v, n)         stores n; returns the old value
 *   atomic_fetch_or(i, v)     ORs i in; returns the old value
 *   atomic_fetch_and(i, v)    ANDs i in; returns the old value
 *
 * Memory ordering, the same rule as for the bit operations below:
 *   - operations that return nothing, and the plain reads (atomic_read,
 *     test_bit), are relaxed: atomic, but they order no other access, and
 *     the compiler may move other loads and stores across them. Pair them
 *     with smp_*() barriers when ordering matters.
 *   - operations that return a value derived from the old one
 *     (inc_return, dec_and_test, cmpxchg whether or not it stores, xchg,
 *     fetch_or, fetch_and, test_and_set_bit, test_and_clear_bit) are fully
 *     ordered: as if smp_mb() came just before and just after them.
 *
 * Barriers (asm/barrier.h explains what each costs on x86):
 *   smp_mb()   orders every earlier load and store before every later one;
 *   smp_rmb()  orders earlier loads before later loads;
 *   smp_wmb()  orders earlier stores before later stores;
 *   barrier()  (compiler.h) only stops the compiler from moving accesses.
 * Barriers only order this CPU's accesses; the observer pairs them (a
 * writer's smp_wmb() with a reader's smp_rmb()).
 *
 * Bitmaps are arrays of unsigned long, bit nr in word nr / BITS_PER_LONG:
 *   set_bit, clear_bit             atomic, relaxed
 *   test_bit                       a relaxed read of the bit
 *   test_and_set_bit,
 *   test_and_clear_bit             atomic, fully ordered; return the old bit
 *   __set_bit, __clear_bit         not atomic: only for words no other CPU
 *                                  (or interrupt handler) writes meanwhile
 *
 * Concurrency: every atomic operation may be used from any context,
 * including NMI, on any CPU, concurrently with any other atomic operation
 * on the same object. None of them spins.
 */
#ifndef KAIROS_ATOMIC_H
#define KAIROS_ATOMIC_H

#include <asm/barrier.h>
#include <compiler.h>
#include <types.h>

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	s64 counter;
} atomic64_t;

#define ATOMIC_INIT(i) \
	{              \
		(i)    \
	}

/*
 * One definition for both widths, so the two families cannot drift apart
 * in what they promise.
 */
#define DEFINE_ATOMIC_OPS(prefix, atype, ctype)                                \
	static inline ctype prefix##_read(const atype *v)                      \
	{                                                                      \
		return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);         \
	}                                                                      \
	static inline void prefix##_set(atype *v, ctype i)                     \
	{                                                                      \
		__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);            \
	}                                                                      \
	static inline void prefix##_add(ctype i, atype *v)                     \
	{                                                                      \
		__atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED);          \
	}                                                                      \
	static inline void prefix##_sub(ctype i, atype *v)                     \
	{                                                                      \
		__atomic_fetch_sub(&v->counter, i, __ATOMIC_RELAXED);          \
	}                                                                      \
	static inline void prefix##_inc(atype *v)                              \
	{                                                                      \
		prefix##_add(1, v);                                            \
	}                                                                      \
	static inline void prefix##_dec(atype *v)                              \
	{                                                                      \
		prefix##_sub(1, v);                                            \
	}                                                                      \
	static inline ctype prefix##_inc_return(atype *v)                      \
	{                                                                      \
		return __atomic_add_fetch(&v->counter, 1, __ATOMIC_SEQ_CST);   \
	}                                                                      \
	static inline bool prefix##_dec_and_test(atype *v)                     \
	{                                                                      \
		return __atomic_sub_fetch(&v->counter, 1, __ATOMIC_SEQ_CST) == \
		       0;                                                      \
	}                                                                      \
	static inline ctype prefix##_cmpxchg(atype *v, ctype old, ctype new)   \
	{                                                                      \
		__atomic_compare_exchange_n(&v->counter, &old, new, false,     \
					    __ATOMIC_SEQ_CST,                  \
					    __ATOMIC_SEQ_CST);                 \
		return old;                                                    \
	}                                                                      \
	static inline ctype prefix##_xchg(atype *v, ctype new)                 \
	{                                                                      \
		return __atomic_exchange_n(&v->counter, new,                   \
					   __ATOMIC_SEQ_CST);                  \
	}                                                                      \
	static inline ctype prefix##_fetch_or(ctype i, atype *v)               \
	{                                                                      \
		return __atomic_fetch_or(&v->counter, i, __ATOMIC_SEQ_CST);    \
	}                                                                      \
	static inline ctype prefix##_fetch_and(ctype i, atype *v)              \
	{                                                                      \
		return __atomic_fetch_and(&v->counter, i, __ATOMIC_SEQ_CST);   \
	}

DEFINE_ATOMIC_OPS(atomic, atomic_t, int)
DEFINE_ATOMIC_OPS(atomic64, atomic64_t, s64)

#undef DEFINE_ATOMIC_OPS

/* ---------------------------------------------------------------------------
 * Bitmaps
 */

#define BITS_PER_LONG	 (__SIZEOF_LONG__ * 8)
#define BITS_TO_LONGS(n) (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define BIT_WORD(nr)	 ((nr) / BITS_PER_LONG)
#define BIT_MASK(nr)	 (1UL << ((nr) % BITS_PER_LONG))

static inline void set_bit(unsigned int nr, unsigned long *addr)
{
	__atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_RELAXED);
}

static inline void clear_bit(unsigned int nr, unsigned long *addr)
{
	__atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr),
			   __ATOMIC_RELAXED);
}

static inline bool test_bit(unsigned int nr, const unsigned long *addr)
{
	return __atomic_load_n(&addr[BIT_WORD(nr)], __ATOMIC_RELAXED) &
	       BIT_MASK(nr);
}

/* Returns the bit's old value. */
static inline bool test_and_set_bit(unsigned int nr, unsigned long *addr)
{
	return __atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr),
				 __ATOMIC_SEQ_CST) &
	       BIT_MASK(nr);
}

/* Returns the bit's old value. */
static inline bool test_and_clear_bit(unsigned int nr, unsigned long *addr)
{
	return __atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr),
				  __ATOMIC_SEQ_CST) &
	       BIT_MASK(nr);
}

static inline void __set_bit(unsigned int nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static inline void __clear_bit(unsigned int nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

#endif /* KAIROS_ATOMIC_H */
