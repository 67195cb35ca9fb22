/*
 * Ticket spinlocks: FIFO-fair (CPUs get the lock in the order they asked
 * for it), one cache line of contention.
 *
 * Rules for every lock:
 *   - not recursive: taking a lock this CPU holds spins for ever;
 *   - not from NMI context (the NMI may have interrupted the holder);
 *   - a lock is either always taken with interrupts disabled (it may then
 *     be taken in interrupt handlers, and elsewhere through the _irqsave or
 *     _irq variants) or always with interrupts enabled. Mixing the two
 *     deadlocks as soon as an interrupt handler spins on a lock its own CPU
 *     holds. With CONFIG_DEBUG_LOCKS (include/config.h) each lock latches
 *     the interrupt state of its first acquisition and panics on a later
 *     one that disagrees. A spin_trylock() with interrupts disabled is
 *     exempt: it never waits, so it cannot be the waiting half of such a
 *     deadlock, and it lets a fatal-error path try a lock of either kind.
 *
 * Size: sizeof(spinlock_t) is 4 bytes, 8 with CONFIG_DEBUG_LOCKS.
 */
#ifndef KAIROS_SPINLOCK_H
#define KAIROS_SPINLOCK_H

#include <asm/barrier.h>
#include <asm/system.h>
#include <compiler.h>
#include <config.h>
#include <panic.h>
#include <types.h>

/* ---------------------------------------------------------------------------
 * Lock debugging (shared with include/rwlock.h)
 */

#ifdef CONFIG_DEBUG_LOCKS

/* How a lock has been taken, latched on its first checked acquisition. */
enum lock_irq_use {
	LOCK_IRQ_UNSEEN = 0, /* not taken yet */
	LOCK_IRQ_SAFE,	     /* taken with interrupts disabled */
	LOCK_IRQ_UNSAFE,     /* taken with interrupts enabled */
};

struct lock_debug {
	u32 irq_use; /* enum lock_irq_use; written once, by compare-and-swap */
};

/*
 * The slow path: latches the first use, or panics on a disagreement.
 * Out of line (one copy per object file) so that each lock site only
 * grows by a compare and a call.
 */
static __noinline __unused void lock_debug_latch(struct lock_debug *debug,
						 const void *lock, u32 now)
{
	u32 seen = LOCK_IRQ_UNSEEN;

	if (__atomic_compare_exchange_n(&debug->irq_use, &seen, now, false,
					__ATOMIC_RELAXED, __ATOMIC_RELAXED) ||
	    seen == now)
		return;
	panic("lock %p taken with interrupts %s, but earlier with them %s: "
	      "an interrupt handler spinning on it could deadlock its CPU "
	      "(CONFIG_DEBUG_LOCKS)",
	      lock, now == LOCK_IRQ_UNSAFE ? "enabled" : "disabled",
	      seen == LOCK_IRQ_UNSAFE ? "enabled" : "disabled");
}

/* Checks an acquisition of lock against its latched interrupt state. */
static inline void lock_debug_check(struct lock_debug *debug, const void *lock,
				    bool trylock)
{
	u32 now = local_irq_is_enabled() ? LOCK_IRQ_UNSAFE : LOCK_IRQ_SAFE;

	if (trylock && now == LOCK_IRQ_SAFE)
		return;
	if (unlikely(READ_ONCE(debug->irq_use) != now))
		lock_debug_latch(debug, lock, now);
}

#define LOCK_DEBUG_INIT .debug = {.irq_use = LOCK_IRQ_UNSEEN},
#else
#define LOCK_DEBUG_INIT
#endif /* CONFIG_DEBUG_LOCKS */

/* ---------------------------------------------------------------------------
 * Spinlocks
 */

/* The two ticket counters, as one word for a compare-and-swap. */
typedef union {
	u32 val;
	struct {
		u16 head; /* ticket being served */
		u16 tail; /* next ticket to hand out */
	};
} spin_tickets_t;

typedef struct {
	spin_tickets_t tickets; /* head == tail: unlocked */
#ifdef CONFIG_DEBUG_LOCKS
	struct lock_debug debug;
#endif
} spinlock_t;

/* 16-bit tickets count the CPUs waiting; each CPU waits for one lock. */
BUILD_BUG_ON(NR_CPUS >= (1 << 16));
#ifdef CONFIG_DEBUG_LOCKS
BUILD_BUG_ON(sizeof(spinlock_t) != 8);
#else
BUILD_BUG_ON(sizeof(spinlock_t) != 4);
#endif

#define SPIN_LOCK_UNLOCKED                             \
	{                                              \
		.tickets = {.val = 0}, LOCK_DEBUG_INIT \
	}
#define DEFINE_SPINLOCK(l) spinlock_t l = SPIN_LOCK_UNLOCKED

/* Initialises a lock at run time; nobody may be using it. */
static inline void spin_lock_init(spinlock_t *lock)
{
	*lock = (spinlock_t)SPIN_LOCK_UNLOCKED;
}

/* Takes the lock, spinning until its turn comes. */
static inline void spin_lock(spinlock_t *lock)
{
	u16 ticket;

#ifdef CONFIG_DEBUG_LOCKS
	lock_debug_check(&lock->debug, lock, false);
#endif
	ticket = __atomic_fetch_add(&lock->tickets.tail, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&lock->tickets.head, __ATOMIC_ACQUIRE) != ticket)
		cpu_relax();
}

/* Releases a lock this CPU holds. */
static inline void spin_unlock(spinlock_t *lock)
{
	/* Only the holder writes head, so its own read of head is stable. */
	u16 next = lock->tickets.head + 1;

#ifdef CONFIG_DEBUG_LOCKS
	if (unlikely(READ_ONCE(lock->tickets.tail) ==
		     READ_ONCE(lock->tickets.head)))
		panic("spin_unlock(%p) of a lock nobody holds", lock);
#endif
	__atomic_store_n(&lock->tickets.head, next, __ATOMIC_RELEASE);
}

/*
 * Takes the lock if nobody holds it or waits for it, without spinning.
 * Returns true if it was taken.
 */
static inline bool spin_trylock(spinlock_t *lock)
{
	spin_tickets_t old, new;

#ifdef CONFIG_DEBUG_LOCKS
	lock_debug_check(&lock->debug, lock, true);
#endif
	old.val = READ_ONCE(lock->tickets.val);
	if (old.head != old.tail)
		return false;
	new = old;
	new.tail++;
	return __atomic_compare_exchange_n(&lock->tickets.val, &old.val,
					   new.val, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

/*
 * True if some CPU holds the lock. Only a hint unless the caller holds
 * it (then it is true), or knows nobody can take it.
 */
static inline bool spin_is_locked(const spinlock_t *lock)
{
	spin_tickets_t t = {.val = READ_ONCE(lock->tickets.val)};

	return t.head != t.tail;
}

/*
 * Waits until the CPU holding the lock when spin_barrier() was called (if
 * any) has released it, without taking it. On return every critical
 * section that had begun before the call has ended and its writes are
 * visible to the caller; later ones may be running. The caller's own
 * earlier writes are visible before it looks at the lock, so a critical
 * section that begins after the call sees them (kill_timer() marks a timer
 * dead, then waits out a handler that may not have seen the mark).
 *
 * Any context but NMI; must not be called with the lock held.
 */
static inline void spin_barrier(spinlock_t *lock)
{
	spin_tickets_t t;

	smp_mb();
	t.val = __atomic_load_n(&lock->tickets.val, __ATOMIC_ACQUIRE);
	if (t.head == t.tail)
		return;
	while (__atomic_load_n(&lock->tickets.head, __ATOMIC_ACQUIRE) == t.head)
		cpu_relax();
}

/* Disables interrupts, takes the lock; returns the previous flags. */
static inline unsigned long spin_lock_irqsave(spinlock_t *lock)
{
	unsigned long flags = local_irq_save();

	spin_lock(lock);
	return flags;
}

/* Releases the lock, then restores the flags spin_lock_irqsave() gave. */
static inline void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	spin_unlock(lock);
	local_irq_restore(flags);
}

/*
 * Disables interrupts and takes the lock. Only where interrupts are known
 * to be enabled (spin_unlock_irq() enables them again); otherwise use
 * spin_lock_irqsave().
 */
static inline void spin_lock_irq(spinlock_t *lock)
{
#ifdef CONFIG_DEBUG_LOCKS
	if (unlikely(!local_irq_is_enabled()))
		panic("spin_lock_irq(%p) with interrupts already disabled; "
		      "spin_unlock_irq() would enable them",
		      lock);
#endif
	local_irq_disable();
	spin_lock(lock);
}

/* Releases the lock, then enables interrupts. */
static inline void spin_unlock_irq(spinlock_t *lock)
{
	spin_unlock(lock);
	local_irq_enable();
}

#endif /* KAIROS_SPINLOCK_H */
