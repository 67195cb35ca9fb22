/*
 * Host tests of include/spinlock.h. Threads play CPUs, each with its own
 * interrupt flag (tests/unit/host/asm/system.h). Built twice: with the
 * lock debugging of include/config.h, and without (-DCONFIG_NO_DEBUG_LOCKS,
 * test_spinlock_nodebug), so that both layouts are exercised.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>

#include "lock_test_util.h"

#include <spinlock.h>

#define NR_THREADS	 4
#define ITERS_PER_THREAD 20000

/* ---------------------------------------------------------------------------
 * One thread
 */

static void test_lock_unlock_trylock(void **state)
{
	DEFINE_SPINLOCK(lock);

	assert_false(spin_is_locked(&lock));
	spin_lock(&lock);
	assert_true(spin_is_locked(&lock));
	assert_false(spin_trylock(&lock));
	spin_unlock(&lock);
	assert_false(spin_is_locked(&lock));

	assert_true(spin_trylock(&lock));
	assert_true(spin_is_locked(&lock));
	assert_false(spin_trylock(&lock));
	spin_unlock(&lock);
	assert_false(spin_is_locked(&lock));

	/* spin_lock_init() forgets whatever state the lock was in. */
	spin_lock(&lock);
	spin_lock_init(&lock);
	assert_false(spin_is_locked(&lock));
	assert_true(spin_trylock(&lock));
	spin_unlock(&lock);
}

static void test_tickets_wrap(void **state)
{
	DEFINE_SPINLOCK(lock);

	lock.tickets.head = lock.tickets.tail = 0xfffe;
	for (int i = 0; i < 3; i++) {
		spin_lock(&lock);
		assert_true(spin_is_locked(&lock));
		spin_unlock(&lock);
		assert_false(spin_is_locked(&lock));
	}
	assert_int_equal(lock.tickets.head, 1);
	assert_int_equal(lock.tickets.tail, 1);

	/* trylock's compare-and-swap must not carry tail into head. */
	lock.tickets.head = lock.tickets.tail = 0xffff;
	assert_true(spin_trylock(&lock));
	assert_int_equal(lock.tickets.head, 0xffff);
	assert_int_equal(lock.tickets.tail, 0);
	assert_false(spin_trylock(&lock));
	spin_unlock(&lock);
	assert_int_equal(lock.tickets.head, 0);
	assert_false(spin_is_locked(&lock));
}

static void test_irq_variants(void **state)
{
	DEFINE_SPINLOCK(saved);
	DEFINE_SPINLOCK(plain);
	unsigned long flags;

	local_irq_enable();
	flags = spin_lock_irqsave(&saved);
	assert_false(local_irq_is_enabled());
	spin_unlock_irqrestore(&saved, flags);
	assert_true(local_irq_is_enabled());

	/* With interrupts already off, the restore leaves them off. */
	local_irq_disable();
	flags = spin_lock_irqsave(&saved);
	assert_false(local_irq_is_enabled());
	spin_unlock_irqrestore(&saved, flags);
	assert_false(local_irq_is_enabled());
	local_irq_enable();

	spin_lock_irq(&plain);
	assert_false(local_irq_is_enabled());
	assert_true(spin_is_locked(&plain));
	spin_unlock_irq(&plain);
	assert_true(local_irq_is_enabled());
	assert_false(spin_is_locked(&plain));
}

static void test_size(void **state)
{
#ifdef CONFIG_DEBUG_LOCKS
	assert_int_equal(sizeof(spinlock_t), 8);
#else
	assert_int_equal(sizeof(spinlock_t), 4);
#endif
}

/* ---------------------------------------------------------------------------
 * Threads
 */

static DEFINE_SPINLOCK(counter_lock);
static unsigned long counter; /* only touched under counter_lock */
static int inside;	      /* threads inside the critical section */

enum lock_style { BY_LOCK, BY_IRQSAVE, BY_TRYLOCK };

static void *count_under_lock(void *arg)
{
	enum lock_style style = (enum lock_style)(uintptr_t)arg;
	unsigned long flags = 0;

	for (int i = 0; i < ITERS_PER_THREAD; i++) {
		if (style == BY_IRQSAVE)
			flags = spin_lock_irqsave(&counter_lock);
		else if (style == BY_TRYLOCK)
			while (!spin_trylock(&counter_lock))
				cpu_relax();
		else
			spin_lock(&counter_lock);

		if (__atomic_add_fetch(&inside, 1, __ATOMIC_RELAXED) != 1)
			abort();
		/* A torn read-modify-write if two threads were in here. */
		unsigned long v = counter;
		if (i % 64 == 0)
			sched_yield();
		counter = v + 1;
		__atomic_sub_fetch(&inside, 1, __ATOMIC_RELAXED);

		if (style == BY_IRQSAVE)
			spin_unlock_irqrestore(&counter_lock, flags);
		else
			spin_unlock(&counter_lock);
	}
	return NULL;
}

static void run_counters(enum lock_style styles[NR_THREADS])
{
	pthread_t threads[NR_THREADS];

	counter = 0;
	spin_lock_init(&counter_lock);
	for (int i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL,
						count_under_lock,
						(void *)(uintptr_t)styles[i]),
				 0);
	for (int i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
	assert_int_equal(counter, NR_THREADS * ITERS_PER_THREAD);
	assert_false(spin_is_locked(&counter_lock));
}

static void test_mutual_exclusion(void **state)
{
	enum lock_style plain[NR_THREADS] = {BY_LOCK, BY_LOCK, BY_LOCK,
					     BY_TRYLOCK};
	enum lock_style irqsave[NR_THREADS] = {BY_IRQSAVE, BY_IRQSAVE,
					       BY_IRQSAVE, BY_IRQSAVE};

	run_counters(plain);
	run_counters(irqsave);
}

/* Threads queue in a known order, then record the order they got in. */
static DEFINE_SPINLOCK(fifo_lock);
static int fifo_order[NR_THREADS];
static int fifo_next;

static void *take_fifo_lock(void *arg)
{
	spin_lock(&fifo_lock);
	fifo_order[fifo_next++] = (int)(uintptr_t)arg;
	spin_unlock(&fifo_lock);
	return NULL;
}

static u16 fifo_waiters(void)
{
	spin_tickets_t t = {.val = READ_ONCE(fifo_lock.tickets.val)};

	return (u16)(t.tail - t.head - 1);
}

static void test_fifo_order(void **state)
{
	pthread_t threads[NR_THREADS];

	/* Start near the wrap, which must not disturb the order. */
	fifo_lock.tickets.head = fifo_lock.tickets.tail = 0xfffe;
	spin_lock(&fifo_lock);
	for (int i = 0; i < NR_THREADS; i++) {
		assert_int_equal(pthread_create(&threads[i], NULL,
						take_fifo_lock,
						(void *)(uintptr_t)i),
				 0);
		WAIT_FOR(fifo_waiters() == i + 1);
	}
	/* Waiters never get ahead of the holder. */
	assert_int_equal(fifo_next, 0);
	assert_false(spin_trylock(&fifo_lock));
	spin_unlock(&fifo_lock);
	for (int i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
	for (int i = 0; i < NR_THREADS; i++)
		assert_int_equal(fifo_order[i], i);
	assert_false(spin_is_locked(&fifo_lock));
}

static DEFINE_SPINLOCK(barrier_lock);
static int barrier_passed;

static void *wait_at_barrier(void *arg)
{
	spin_barrier(&barrier_lock);
	__atomic_store_n(&barrier_passed, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_spin_barrier(void **state)
{
	pthread_t waiter;

	/* Nobody holds it: no wait. */
	spin_barrier(&barrier_lock);

	spin_lock(&barrier_lock);
	assert_int_equal(pthread_create(&waiter, NULL, wait_at_barrier, NULL),
			 0);
	let_others_run(50);
	assert_int_equal(__atomic_load_n(&barrier_passed, __ATOMIC_ACQUIRE), 0);
	/*
	 * Let go and take it again at once: the barrier waits for the
	 * holder it saw, not for the lock to be free.
	 */
	spin_unlock(&barrier_lock);
	spin_lock(&barrier_lock);
	WAIT_FOR(__atomic_load_n(&barrier_passed, __ATOMIC_ACQUIRE));
	spin_unlock(&barrier_lock);
	assert_int_equal(pthread_join(waiter, NULL), 0);
}

/* ---------------------------------------------------------------------------
 * Lock debugging
 */

#ifdef CONFIG_DEBUG_LOCKS

static void test_debug_latches_first_use(void **state)
{
	DEFINE_SPINLOCK(on);
	DEFINE_SPINLOCK(off);
	DEFINE_SPINLOCK(tried);
	unsigned long flags;

	local_irq_enable();
	assert_int_equal(on.debug.irq_use, LOCK_IRQ_UNSEEN);
	spin_lock(&on);
	spin_unlock(&on);
	assert_int_equal(on.debug.irq_use, LOCK_IRQ_UNSAFE);

	flags = spin_lock_irqsave(&off);
	spin_unlock_irqrestore(&off, flags);
	assert_int_equal(off.debug.irq_use, LOCK_IRQ_SAFE);
	spin_lock_irq(&off);
	spin_unlock_irq(&off);

	/* A trylock with interrupts off neither latches nor checks... */
	local_irq_disable();
	assert_true(spin_trylock(&tried));
	spin_unlock(&tried);
	assert_int_equal(tried.debug.irq_use, LOCK_IRQ_UNSEEN);
	assert_true(spin_trylock(&on));
	spin_unlock(&on);
	local_irq_enable();
	/* ...one with them on does. */
	assert_true(spin_trylock(&tried));
	spin_unlock(&tried);
	assert_int_equal(tried.debug.irq_use, LOCK_IRQ_UNSAFE);
	spin_lock(&tried);
	spin_unlock(&tried);

	/* spin_lock_init() forgets what it saw. */
	spin_lock_init(&on);
	assert_int_equal(on.debug.irq_use, LOCK_IRQ_UNSEEN);
}

static void on_then_irqsave(void *arg)
{
	DEFINE_SPINLOCK(lock);
	unsigned long flags;

	local_irq_enable();
	spin_lock(&lock);
	spin_unlock(&lock);
	flags = spin_lock_irqsave(&lock);
	spin_unlock_irqrestore(&lock, flags);
}

static void irqsave_then_on(void *arg)
{
	DEFINE_SPINLOCK(lock);
	unsigned long flags;

	local_irq_enable();
	flags = spin_lock_irqsave(&lock);
	spin_unlock_irqrestore(&lock, flags);
	spin_lock(&lock);
	spin_unlock(&lock);
}

static void irq_then_trylock_on(void *arg)
{
	DEFINE_SPINLOCK(lock);

	local_irq_enable();
	spin_lock_irq(&lock);
	spin_unlock_irq(&lock);
	if (spin_trylock(&lock))
		spin_unlock(&lock);
}

static DEFINE_SPINLOCK(shared_lock);

static void *take_shared_with_irqs_off(void *arg)
{
	local_irq_disable();
	spin_lock(&shared_lock);
	spin_unlock(&shared_lock);
	return NULL;
}

/* The latch is per lock, not per CPU: two CPUs can disagree. */
static void two_threads_disagree(void *arg)
{
	pthread_t other;

	local_irq_enable();
	spin_lock(&shared_lock);
	spin_unlock(&shared_lock);
	pthread_create(&other, NULL, take_shared_with_irqs_off, NULL);
	pthread_join(other, NULL);
}

static void test_debug_mixed_use_panics(void **state)
{
	expect_panic(on_then_irqsave, NULL,
		     "taken with interrupts disabled, but earlier with them "
		     "enabled");
	expect_panic(irqsave_then_on, NULL,
		     "taken with interrupts enabled, but earlier with them "
		     "disabled");
	expect_panic(irq_then_trylock_on, NULL,
		     "taken with interrupts enabled, but earlier with them "
		     "disabled");
	expect_panic(two_threads_disagree, NULL,
		     "taken with interrupts disabled, but earlier with them "
		     "enabled");
}

static void unlock_unheld(void *arg)
{
	DEFINE_SPINLOCK(lock);

	spin_unlock(&lock);
}

static void lock_irq_with_irqs_off(void *arg)
{
	DEFINE_SPINLOCK(lock);

	local_irq_disable();
	spin_lock_irq(&lock);
}

static void test_debug_misuse_panics(void **state)
{
	expect_panic(unlock_unheld, NULL, "of a lock nobody holds");
	expect_panic(lock_irq_with_irqs_off, NULL,
		     "with interrupts already disabled");
}

#endif /* CONFIG_DEBUG_LOCKS */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_unlock_trylock),
		cmocka_unit_test(test_tickets_wrap),
		cmocka_unit_test(test_irq_variants),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_mutual_exclusion),
		cmocka_unit_test(test_fifo_order),
		cmocka_unit_test(test_spin_barrier),
#ifdef CONFIG_DEBUG_LOCKS
		cmocka_unit_test(test_debug_latches_first_use),
		cmocka_unit_test(test_debug_mixed_use_panics),
		cmocka_unit_test(test_debug_misuse_panics),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
