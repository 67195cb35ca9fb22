/*
 * Reader-writer spinlocks: any number of readers, or one writer.
 *
 * Fairness: strictly first come, first served. Every acquisition takes a
 * ticket; a writer enters once every earlier ticket has left, a reader once
 * every earlier writer has left and every earlier reader has entered, so
 * consecutive readers hold the lock together. A writer therefore waits for
 * the readers that came before it, never for those that came after, and
 * readers behind a waiting writer wait for it: nobody starves, and a
 * waiter is served after at most one critical section per CPU ahead of it.
 * The price is that readers enter one after another (each lets the next
 * one in), so a burst of N readers pays N cache-line transfers to enter.
 *
 * Rules, as for spinlocks (include/spinlock.h):
 *   - not recursive, for readers either: a second read_lock() on a CPU
 *     that holds the lock for reading waits behind any writer that arrived
 *     in between, and that writer waits for the first read_lock();
 *   - not from NMI context;
 *   - every acquisition of a lock, read or write, is made with interrupts
 *     disabled, or every one with them enabled (checked with
 *     CONFIG_DEBUG_LOCKS; trylocks with interrupts disabled are exempt).
 *
 * Size: sizeof(rwlock_t) is 8 bytes, 16 with CONFIG_DEBUG_LOCKS.
 */
#ifndef KAIROS_RWLOCK_H
#define KAIROS_RWLOCK_H

#include <spinlock.h>

/* Ticket counters; all three advance modulo 2^16. */
typedef union {
	u64 val; /* everything, for the trylocks' compare-and-swap */
	struct {
		u32 turns; /* write and read together, for write_unlock() */
		u16 users; /* the next ticket to hand out */
	};
	struct {
		u16 write; /* tickets before this one have all left */
		u16 read; /* ... have all left (writers) or entered (readers) */
	};
} rw_tickets_t;

typedef struct {
	rw_tickets_t tickets; /* write == users: unlocked */
#ifdef CONFIG_DEBUG_LOCKS
	struct lock_debug debug;
#endif
} rwlock_t;

#ifdef CONFIG_DEBUG_LOCKS
BUILD_BUG_ON(sizeof(rwlock_t) != 16);
#else
BUILD_BUG_ON(sizeof(rwlock_t) != 8);
#endif

#define RW_LOCK_UNLOCKED                               \
	{                                              \
		.tickets = {.val = 0}, LOCK_DEBUG_INIT \
	}
#define DEFINE_RWLOCK(l) rwlock_t l = RW_LOCK_UNLOCKED

static inline void rwlock_debug_check(rwlock_t *lock, bool trylock)
{
#ifdef CONFIG_DEBUG_LOCKS
	lock_debug_check(&lock->debug, lock, trylock);
#endif
}

/* Initialises a lock at run time; nobody may be using it. */
static inline void rwlock_init(rwlock_t *lock)
{
	*lock = (rwlock_t)RW_LOCK_UNLOCKED;
}

/* Takes the lock for reading, waiting for earlier writers to leave. */
static inline void read_lock(rwlock_t *lock)
{
	u16 ticket;

	rwlock_debug_check(lock, false);
	ticket = __atomic_fetch_add(&lock->tickets.users, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&lock->tickets.read, __ATOMIC_ACQUIRE) != ticket)
		cpu_relax();
	/* Only the reader whose turn it is writes read: let the next in. */
	__atomic_store_n(&lock->tickets.read, (u16)(ticket + 1),
			 __ATOMIC_RELAXED);
}

/* Releases a read hold this CPU has. */
static inline void read_unlock(rwlock_t *lock)
{
#ifdef CONFIG_DEBUG_LOCKS
	rw_tickets_t t = {.val = READ_ONCE(lock->tickets.val)};

	/* Readers inside keep read ahead of write. */
	if (unlikely(t.read == t.write))
		panic("read_unlock(%p) of a lock no reader holds", lock);
#endif
	__atomic_fetch_add(&lock->tickets.write, 1, __ATOMIC_RELEASE);
}

/* Takes the lock for writing, waiting for every earlier holder to leave. */
static inline void write_lock(rwlock_t *lock)
{
	u16 ticket;

	rwlock_debug_check(lock, false);
	ticket = __atomic_fetch_add(&lock->tickets.users, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&lock->tickets.write, __ATOMIC_ACQUIRE) !=
	       ticket)
		cpu_relax();
}

/* Releases the write hold this CPU has. */
static inline void write_unlock(rwlock_t *lock)
{
	/* Nobody else moves write or read while a writer is inside. */
	rw_tickets_t t = {.turns = lock->tickets.turns};

#ifdef CONFIG_DEBUG_LOCKS
	if (unlikely(t.read != t.write ||
		     READ_ONCE(lock->tickets.users) == t.write))
		panic("write_unlock(%p) of a lock no writer holds", lock);
#endif
	t.write++;
	t.read++;
	/* One store: a reader leaving later must not race a second one. */
	__atomic_store_n(&lock->tickets.turns, t.turns, __ATOMIC_RELEASE);
}

/*
 * Takes the lock for reading if that needs no waiting (no writer inside
 * or queued). Returns true if it was taken.
 */
static inline bool read_trylock(rwlock_t *lock)
{
	rw_tickets_t old, new;

	rwlock_debug_check(lock, true);
	old.val = READ_ONCE(lock->tickets.val);
	if (old.read != old.users)
		return false;
	new = old;
	new.users++;
	new.read++;
	return __atomic_compare_exchange_n(&lock->tickets.val, &old.val,
					   new.val, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

/*
 * Takes the lock for writing if nobody holds it or waits for it. Returns
 * true if it was taken.
 */
static inline bool write_trylock(rwlock_t *lock)
{
	rw_tickets_t old, new;

	rwlock_debug_check(lock, true);
	old.val = READ_ONCE(lock->tickets.val);
	if (old.write != old.users)
		return false;
	new = old;
	new.users++;
	return __atomic_compare_exchange_n(&lock->tickets.val, &old.val,
					   new.val, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

/*
 * True if some CPU holds the lock (either way) or waits for it. A hint,
 * as for spin_is_locked().
 */
static inline bool rw_is_locked(const rwlock_t *lock)
{
	rw_tickets_t t = {.val = READ_ONCE(lock->tickets.val)};

	return t.write != t.users;
}

/* True if a writer holds the lock. A hint, as for spin_is_locked(). */
static inline bool rw_is_write_locked(const rwlock_t *lock)
{
	rw_tickets_t t = {.val = READ_ONCE(lock->tickets.val)};

	return t.write != t.users && t.read == t.write;
}

/* Disables interrupts, takes the lock for reading; returns the flags. */
static inline unsigned long read_lock_irqsave(rwlock_t *lock)
{
	unsigned long flags = local_irq_save();

	read_lock(lock);
	return flags;
}

static inline void read_unlock_irqrestore(rwlock_t *lock, unsigned long flags)
{
	read_unlock(lock);
	local_irq_restore(flags);
}

/* Disables interrupts, takes the lock for writing; returns the flags. */
static inline unsigned long write_lock_irqsave(rwlock_t *lock)
{
	unsigned long flags = local_irq_save();

	write_lock(lock);
	return flags;
}

static inline void write_unlock_irqrestore(rwlock_t *lock, unsigned long flags)
{
	write_unlock(lock);
	local_irq_restore(flags);
}

#endif /* KAIROS_RWLOCK_H */
