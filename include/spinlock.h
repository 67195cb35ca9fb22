/*
 * Ticket spinlocks: FIFO-fair, one cache line of contention.
 *
 * spin_lock() may be used from any context except NMI. A lock taken from an
 * interrupt handler must be taken with the _irqsave variant everywhere else.
 * Locks are not recursive.
 */
#ifndef KAIROS_SPINLOCK_H
#define KAIROS_SPINLOCK_H

#include <asm/system.h>
#include <compiler.h>
#include <types.h>

typedef struct {
	u16 head; /* ticket being served */
	u16 tail; /* next ticket to hand out */
} spinlock_t;

#define SPIN_LOCK_UNLOCKED \
	{                  \
		0, 0       \
	}
#define DEFINE_SPINLOCK(l) spinlock_t l = SPIN_LOCK_UNLOCKED

static inline void spin_lock_init(spinlock_t *lock)
{
	lock->head = 0;
	lock->tail = 0;
}

static inline void spin_lock(spinlock_t *lock)
{
	u16 ticket = __atomic_fetch_add(&lock->tail, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&lock->head, __ATOMIC_ACQUIRE) != ticket)
		cpu_relax();
}

static inline void spin_unlock(spinlock_t *lock)
{
	__atomic_store_n(&lock->head, (u16)(lock->head + 1), __ATOMIC_RELEASE);
}

/* Returns true if the lock was taken. */
static inline bool spin_trylock(spinlock_t *lock)
{
	spinlock_t old = {.head = READ_ONCE(lock->head)};
	u32 expect, want;

	old.tail = old.head;
	__builtin_memcpy(&expect, &old, sizeof(expect));
	old.tail++;
	__builtin_memcpy(&want, &old, sizeof(want));
	return __atomic_compare_exchange_n((u32 *)lock, &expect, want, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline bool spin_is_locked(const spinlock_t *lock)
{
	return READ_ONCE(lock->head) != READ_ONCE(lock->tail);
}

/* Disables interrupts, takes the lock; returns the previous flags. */
static inline unsigned long spin_lock_irqsave(spinlock_t *lock)
{
	unsigned long flags = local_irq_save();

	spin_lock(lock);
	return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	spin_unlock(lock);
	local_irq_restore(flags);
}

BUILD_BUG_ON(sizeof(spinlock_t) != sizeof(u32));

#endif /* KAIROS_SPINLOCK_H */
