/*
 * Spinlocks, reader-writer locks and atomics in the real kernel build (the
 * host tests cover them under threads; this checks the kernel's flags,
 * barriers and code generation), and that the lock debugging stays quiet
 * for correct use. Cross-CPU stress comes with the SMP suites.
 */
#include <atomic.h>
#include <irq.h>
#include <ktest.h>
#include <rwlock.h>
#include <spinlock.h>

/* ---------------------------------------------------------------------------
 * Spinlocks
 */

static DEFINE_SPINLOCK(test_lock);

static void spinlock_lock_unlock_trylock(struct ktest *t)
{
	spinlock_t local;

	spin_lock_init(&local);
	KT_EXPECT_TRUE(t, !spin_is_locked(&test_lock));
	spin_lock(&test_lock);
	KT_EXPECT_TRUE(t, spin_is_locked(&test_lock));
	KT_EXPECT_TRUE(t, !spin_trylock(&test_lock));
	spin_unlock(&test_lock);
	KT_EXPECT_TRUE(t, !spin_is_locked(&test_lock));

	KT_EXPECT_TRUE(t, spin_trylock(&local));
	KT_EXPECT_TRUE(t, spin_is_locked(&local));
	spin_unlock(&local);

	/* Across the 16-bit wrap of the tickets. */
	local.tickets.head = local.tickets.tail = 0xffff;
	spin_lock(&local);
	KT_EXPECT_EQ(t, local.tickets.tail, 0);
	spin_unlock(&local);
	KT_EXPECT_EQ(t, local.tickets.head, 0);
	KT_EXPECT_TRUE(t, spin_trylock(&local));
	spin_unlock(&local);
	/* Nobody holds it: the barrier returns at once. */
	spin_barrier(&local);
}

static void spinlock_irq_variants(struct ktest *t)
{
	DEFINE_SPINLOCK(lock);
	unsigned long flags;

	KT_ASSERT_TRUE(t, local_irq_is_enabled());
	flags = spin_lock_irqsave(&lock);
	KT_EXPECT_TRUE(t, !local_irq_is_enabled());
	spin_unlock_irqrestore(&lock, flags);
	KT_EXPECT_TRUE(t, local_irq_is_enabled());

	local_irq_disable();
	flags = spin_lock_irqsave(&lock);
	spin_unlock_irqrestore(&lock, flags);
	KT_EXPECT_TRUE(t, !local_irq_is_enabled());
	local_irq_enable();

	spin_lock_irq(&lock);
	KT_EXPECT_TRUE(t, !local_irq_is_enabled());
	spin_unlock_irq(&lock);
	KT_EXPECT_TRUE(t, local_irq_is_enabled());
}

/* ---------------------------------------------------------------------------
 * Reader-writer locks
 */

static DEFINE_RWLOCK(test_rwlock);

static void rwlock_readers_share_writer_excludes(struct ktest *t)
{
	rwlock_t irq_lock; /* held with interrupts disabled, unlike the other */
	unsigned long flags;

	read_lock(&test_rwlock);
	KT_EXPECT_TRUE(t, read_trylock(&test_rwlock));
	KT_EXPECT_TRUE(t, !write_trylock(&test_rwlock));
	KT_EXPECT_TRUE(t, !rw_is_write_locked(&test_rwlock));
	read_unlock(&test_rwlock);
	read_unlock(&test_rwlock);
	KT_EXPECT_TRUE(t, !rw_is_locked(&test_rwlock));

	write_lock(&test_rwlock);
	KT_EXPECT_TRUE(t, rw_is_write_locked(&test_rwlock));
	KT_EXPECT_TRUE(t, !read_trylock(&test_rwlock));
	KT_EXPECT_TRUE(t, !write_trylock(&test_rwlock));
	write_unlock(&test_rwlock);
	KT_EXPECT_TRUE(t, write_trylock(&test_rwlock));
	write_unlock(&test_rwlock);
	KT_EXPECT_TRUE(t, !rw_is_locked(&test_rwlock));

	rwlock_init(&irq_lock);
	flags = read_lock_irqsave(&irq_lock);
	KT_EXPECT_TRUE(t, !local_irq_is_enabled());
	read_unlock_irqrestore(&irq_lock, flags);
	KT_EXPECT_TRUE(t, local_irq_is_enabled());
	flags = write_lock_irqsave(&irq_lock);
	KT_EXPECT_TRUE(t, rw_is_write_locked(&irq_lock));
	write_unlock_irqrestore(&irq_lock, flags);
	KT_EXPECT_TRUE(t, local_irq_is_enabled());
	KT_EXPECT_TRUE(t, !rw_is_locked(&irq_lock));
}

/* ---------------------------------------------------------------------------
 * Atomics, bit operations, barriers
 */

static void atomics_behave(struct ktest *t)
{
	atomic_t a = ATOMIC_INIT(1);
	atomic64_t b = ATOMIC_INIT(1LL << 40);
	unsigned long bits[2] = {0, 0};

	atomic_add(4, &a);
	atomic_sub(2, &a);
	atomic_inc(&a);
	atomic_dec(&a);
	KT_EXPECT_EQ(t, atomic_read(&a), 3);
	KT_EXPECT_EQ(t, atomic_inc_return(&a), 4);
	KT_EXPECT_EQ(t, atomic_cmpxchg(&a, 5, 9), 4);
	KT_EXPECT_EQ(t, atomic_cmpxchg(&a, 4, 1), 4);
	KT_EXPECT_TRUE(t, atomic_dec_and_test(&a));
	KT_EXPECT_EQ(t, atomic_xchg(&a, 6), 0);
	KT_EXPECT_EQ(t, atomic_fetch_or(1, &a), 6);
	KT_EXPECT_EQ(t, atomic_fetch_and(3, &a), 7);
	KT_EXPECT_EQ(t, atomic_read(&a), 3);
	atomic_set(&a, -1);
	KT_EXPECT_EQ(t, atomic_read(&a), -1);

	atomic64_add(1LL << 40, &b);
	atomic64_sub(1, &b);
	atomic64_inc(&b);
	atomic64_dec(&b);
	KT_EXPECT_EQ(t, atomic64_read(&b), (2LL << 40) - 1);
	KT_EXPECT_EQ(t, atomic64_inc_return(&b), 2LL << 40);
	KT_EXPECT_EQ(t, atomic64_cmpxchg(&b, 2LL << 40, 1), 2LL << 40);
	KT_EXPECT_TRUE(t, atomic64_dec_and_test(&b));
	KT_EXPECT_EQ(t, atomic64_xchg(&b, 1LL << 33), 0);
	KT_EXPECT_EQ(t, atomic64_fetch_or(1, &b), 1LL << 33);
	KT_EXPECT_EQ(t, atomic64_fetch_and(1, &b), (1LL << 33) | 1);
	atomic64_set(&b, 7);
	KT_EXPECT_EQ(t, atomic64_read(&b), 7);

	set_bit(63, bits);
	set_bit(64, bits);
	KT_EXPECT_EQ(t, bits[0], 1UL << 63);
	KT_EXPECT_EQ(t, bits[1], 1);
	KT_EXPECT_TRUE(t, test_bit(64, bits));
	clear_bit(64, bits);
	KT_EXPECT_TRUE(t, !test_bit(64, bits));
	KT_EXPECT_TRUE(t, !test_and_set_bit(100, bits));
	KT_EXPECT_TRUE(t, test_and_set_bit(100, bits));
	KT_EXPECT_TRUE(t, test_and_clear_bit(100, bits));
	KT_EXPECT_TRUE(t, !test_and_clear_bit(100, bits));
	__set_bit(0, bits);
	__clear_bit(63, bits);
	KT_EXPECT_EQ(t, bits[0], 1);
	KT_EXPECT_EQ(t, bits[1], 0);

	/* The barriers assemble, and clobber nothing the code relies on. */
	smp_mb();
	smp_rmb();
	smp_wmb();
	KT_EXPECT_EQ(t, atomic_read(&a), -1);
}

/* ---------------------------------------------------------------------------
 * Lock debugging: quiet for correct use
 */

static DEFINE_SPINLOCK(irq_safe_lock); /* as if an interrupt handler took it */
static DEFINE_SPINLOCK(irq_unsafe_lock); /* only with interrupts enabled */

/* How an interrupt handler takes a lock: interrupts are already off. */
static void like_an_interrupt_handler(void)
{
	unsigned long flags = local_irq_save();

	spin_lock(&irq_safe_lock);
	spin_unlock(&irq_safe_lock);
	/* A trylock may take an interrupts-enabled lock from here. */
	if (spin_trylock(&irq_unsafe_lock))
		spin_unlock(&irq_unsafe_lock);
	local_irq_restore(flags);
}

static void lock_debug_quiet_for_correct_use(struct ktest *t)
{
	unsigned long flags;

	for (int i = 0; i < 3; i++) {
		like_an_interrupt_handler();
		flags = spin_lock_irqsave(&irq_safe_lock);
		spin_unlock_irqrestore(&irq_safe_lock, flags);
		spin_lock_irq(&irq_safe_lock);
		spin_unlock_irq(&irq_safe_lock);

		spin_lock(&irq_unsafe_lock);
		spin_unlock(&irq_unsafe_lock);
		KT_EXPECT_TRUE(t, spin_trylock(&irq_unsafe_lock));
		spin_unlock(&irq_unsafe_lock);
	}
#ifdef CONFIG_DEBUG_LOCKS
	KT_EXPECT_EQ(t, irq_safe_lock.debug.irq_use, LOCK_IRQ_SAFE);
	KT_EXPECT_EQ(t, irq_unsafe_lock.debug.irq_use, LOCK_IRQ_UNSAFE);
	KT_EXPECT_EQ(t, test_rwlock.debug.irq_use, LOCK_IRQ_UNSAFE);
	KT_EXPECT_EQ(t, sizeof(spinlock_t), 8);
	KT_EXPECT_EQ(t, sizeof(rwlock_t), 16);
#else
	KT_EXPECT_EQ(t, sizeof(spinlock_t), 4);
	KT_EXPECT_EQ(t, sizeof(rwlock_t), 8);
#endif
}

KTEST_SUITE(locks, KTEST_CASE(spinlock_lock_unlock_trylock),
	    KTEST_CASE(spinlock_irq_variants),
	    KTEST_CASE(rwlock_readers_share_writer_excludes),
	    KTEST_CASE(atomics_behave),
	    KTEST_CASE(lock_debug_quiet_for_correct_use));

/* ---------------------------------------------------------------------------
 * Lock debugging: a deliberate mix, run only by test=lock_debug_selftest
 * (the boot must end in a panic that names the mix).
 */

static void mixed_irq_use_panics(struct ktest *t)
{
	DEFINE_SPINLOCK(lock);
	unsigned long flags;

	spin_lock(&lock);
	spin_unlock(&lock);
	flags = spin_lock_irqsave(&lock);
	spin_unlock_irqrestore(&lock, flags);
	ktest_fail(t, __FILE__, __LINE__,
		   "mixing interrupt states on a lock did not panic");
}

KTEST_SUITE_EXPLICIT(lock_debug_selftest, KTEST_CASE(mixed_irq_use_panics));
