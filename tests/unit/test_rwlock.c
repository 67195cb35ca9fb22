/*
 * Host tests of include/rwlock.h: readers share, writers exclude, the
 * order of service is the order of arrival, and a writer gets in past a
 * stream of readers within a bound. Threads play CPUs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>

#include "lock_test_util.h"

#include <rwlock.h>

#define NR_THREADS 4

static u16 rw_users(const rwlock_t *lock)
{
	return __atomic_load_n(&lock->tickets.users, __ATOMIC_ACQUIRE);
}

/* ---------------------------------------------------------------------------
 * One thread
 */

static void test_single_thread(void **state)
{
	DEFINE_RWLOCK(lock);

	assert_false(rw_is_locked(&lock));
	read_lock(&lock);
	assert_true(rw_is_locked(&lock));
	assert_false(rw_is_write_locked(&lock));
	/* Readers share: with no writer queued, another reader gets in. */
	assert_true(read_trylock(&lock));
	assert_false(write_trylock(&lock));
	read_unlock(&lock);
	assert_true(rw_is_locked(&lock));
	read_unlock(&lock);
	assert_false(rw_is_locked(&lock));

	write_lock(&lock);
	assert_true(rw_is_locked(&lock));
	assert_true(rw_is_write_locked(&lock));
	assert_false(read_trylock(&lock));
	assert_false(write_trylock(&lock));
	write_unlock(&lock);
	assert_false(rw_is_locked(&lock));

	assert_true(write_trylock(&lock));
	assert_true(rw_is_write_locked(&lock));
	write_unlock(&lock);
	assert_true(read_trylock(&lock));
	read_unlock(&lock);
	assert_false(rw_is_locked(&lock));

	write_lock(&lock);
	rwlock_init(&lock);
	assert_false(rw_is_locked(&lock));
}

static void test_tickets_wrap(void **state)
{
	DEFINE_RWLOCK(lock);

	lock.tickets.write = lock.tickets.read = lock.tickets.users = 0xfffe;
	for (int i = 0; i < 2; i++) {
		read_lock(&lock);
		assert_true(read_trylock(&lock));
		assert_false(write_trylock(&lock));
		read_unlock(&lock);
		read_unlock(&lock);
		write_lock(&lock);
		assert_true(rw_is_write_locked(&lock));
		assert_false(read_trylock(&lock));
		write_unlock(&lock);
		assert_true(write_trylock(&lock));
		write_unlock(&lock);
		assert_false(rw_is_locked(&lock));
	}
	/* Eight tickets from 0xfffe; no counter spilled into its neighbour. */
	assert_int_equal(lock.tickets.write, 6);
	assert_int_equal(lock.tickets.read, 6);
	assert_int_equal(lock.tickets.users, 6);
}

static void test_irqsave_variants(void **state)
{
	DEFINE_RWLOCK(lock);
	unsigned long flags;

	local_irq_enable();
	flags = read_lock_irqsave(&lock);
	assert_false(local_irq_is_enabled());
	read_unlock_irqrestore(&lock, flags);
	assert_true(local_irq_is_enabled());

	flags = write_lock_irqsave(&lock);
	assert_false(local_irq_is_enabled());
	assert_true(rw_is_write_locked(&lock));
	write_unlock_irqrestore(&lock, flags);
	assert_true(local_irq_is_enabled());

	local_irq_disable();
	flags = write_lock_irqsave(&lock);
	write_unlock_irqrestore(&lock, flags);
	assert_false(local_irq_is_enabled());
	local_irq_enable();
}

static void test_size(void **state)
{
#ifdef CONFIG_DEBUG_LOCKS
	assert_int_equal(sizeof(rwlock_t), 16);
#else
	assert_int_equal(sizeof(rwlock_t), 8);
#endif
}

/* ---------------------------------------------------------------------------
 * Readers share, writers exclude
 */

static DEFINE_RWLOCK(share_lock);
static int readers_inside;

static void *read_until_all_inside(void *arg)
{
	read_lock(&share_lock);
	__atomic_add_fetch(&readers_inside, 1, __ATOMIC_RELAXED);
	/* Only returns if every reader holds the lock at once. */
	while (__atomic_load_n(&readers_inside, __ATOMIC_RELAXED) < NR_THREADS)
		cpu_relax();
	read_unlock(&share_lock);
	return NULL;
}

static void test_readers_hold_together(void **state)
{
	pthread_t threads[NR_THREADS];

	for (int i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL,
						read_until_all_inside, NULL),
				 0);
	WAIT_FOR(__atomic_load_n(&readers_inside, __ATOMIC_RELAXED) ==
		 NR_THREADS);
	for (int i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
	assert_false(rw_is_locked(&share_lock));
}

#define MIX_ITERS 20000

static DEFINE_RWLOCK(mix_lock);
static unsigned long mix_counter; /* written under the write lock only */
static int mix_readers, mix_writers;
static int mix_errors;

static void *mix_reads_and_writes(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;

	for (unsigned int i = 0; i < MIX_ITERS; i++) {
		/* Thread id writes every (id + 2)th time, reads otherwise. */
		if (i % (id + 2) == 0) {
			if (i % 3 == 0)
				while (!write_trylock(&mix_lock))
					cpu_relax();
			else
				write_lock(&mix_lock);
			if (__atomic_add_fetch(&mix_writers, 1,
					       __ATOMIC_RELAXED) != 1 ||
			    __atomic_load_n(&mix_readers, __ATOMIC_RELAXED))
				__atomic_add_fetch(&mix_errors, 1,
						   __ATOMIC_RELAXED);
			unsigned long v = mix_counter;
			if (i % 32 == 0)
				sched_yield();
			mix_counter = v + 1;
			__atomic_sub_fetch(&mix_writers, 1, __ATOMIC_RELAXED);
			write_unlock(&mix_lock);
		} else {
			if (i % 5 == 0)
				while (!read_trylock(&mix_lock))
					cpu_relax();
			else
				read_lock(&mix_lock);
			__atomic_add_fetch(&mix_readers, 1, __ATOMIC_RELAXED);
			if (__atomic_load_n(&mix_writers, __ATOMIC_RELAXED))
				__atomic_add_fetch(&mix_errors, 1,
						   __ATOMIC_RELAXED);
			if (i % 32 == 1)
				sched_yield();
			__atomic_sub_fetch(&mix_readers, 1, __ATOMIC_RELAXED);
			read_unlock(&mix_lock);
		}
	}
	return NULL;
}

static void test_writers_exclude(void **state)
{
	pthread_t threads[NR_THREADS];
	unsigned long expect = 0;

	for (unsigned int id = 0; id < NR_THREADS; id++) {
		assert_int_equal(pthread_create(&threads[id], NULL,
						mix_reads_and_writes,
						(void *)(uintptr_t)id),
				 0);
		expect += (MIX_ITERS + id + 1) / (id + 2);
	}
	for (int i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
	assert_int_equal(mix_errors, 0);
	assert_int_equal(mix_counter, expect);
	assert_false(rw_is_locked(&mix_lock));
}

/* ---------------------------------------------------------------------------
 * Order of service
 */

static DEFINE_RWLOCK(order_lock);
static char order_log[8];
static int order_len;
static int order_leave; /* a reader stays inside until this is set */

static void log_entry(char who)
{
	int at = __atomic_fetch_add(&order_len, 1, __ATOMIC_RELAXED);

	order_log[at] = who;
}

static void *order_reader(void *arg)
{
	read_lock(&order_lock);
	log_entry(*(const char *)arg);
	while (!__atomic_load_n(&order_leave, __ATOMIC_ACQUIRE))
		cpu_relax();
	read_unlock(&order_lock);
	return NULL;
}

static void *order_writer(void *arg)
{
	write_lock(&order_lock);
	log_entry(*(const char *)arg);
	write_unlock(&order_lock);
	return NULL;
}

/*
 * The main thread holds the lock for writing; readers a, b, a writer W
 * and a reader c queue in that order. On release a and b enter together;
 * W waits for them, not for c, who arrived later; c waits for W.
 */
static void test_fifo_order(void **state)
{
	static const char names[] = "abWc";
	void *(*const fns[])(void *) = {order_reader, order_reader,
					order_writer, order_reader};
	pthread_t threads[4];

	write_lock(&order_lock);
	for (int i = 0; i < 4; i++) {
		u16 before = rw_users(&order_lock);

		assert_int_equal(pthread_create(&threads[i], NULL, fns[i],
						(void *)&names[i]),
				 0);
		WAIT_FOR(rw_users(&order_lock) == (u16)(before + 1));
	}
	/* Nobody gets past the holder, nor does a trylock. */
	let_others_run(20);
	assert_int_equal(__atomic_load_n(&order_len, __ATOMIC_RELAXED), 0);
	assert_false(read_trylock(&order_lock));
	write_unlock(&order_lock);

	WAIT_FOR(__atomic_load_n(&order_len, __ATOMIC_RELAXED) == 2);
	/* W queued before c: c must not join a and b. */
	let_others_run(50);
	assert_int_equal(__atomic_load_n(&order_len, __ATOMIC_RELAXED), 2);
	assert_false(read_trylock(&order_lock));
	__atomic_store_n(&order_leave, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);

	assert_int_equal(order_len, 4);
	assert_true((order_log[0] == 'a' && order_log[1] == 'b') ||
		    (order_log[0] == 'b' && order_log[1] == 'a'));
	assert_int_equal(order_log[2], 'W');
	assert_int_equal(order_log[3], 'c');
	assert_false(rw_is_locked(&order_lock));
}

/* ---------------------------------------------------------------------------
 * A writer against a stream of readers
 */

#define STREAM_READERS 3
#define WRITER_ROUNDS  200

static DEFINE_RWLOCK(stream_lock);
static unsigned long reader_entries; /* reads entered so far */
static int stream_stop;

static void *stream_reader(void *arg)
{
	while (!__atomic_load_n(&stream_stop, __ATOMIC_ACQUIRE)) {
		read_lock(&stream_lock);
		__atomic_add_fetch(&reader_entries, 1, __ATOMIC_RELAXED);
		/* Hold it a while so the readers overlap. */
		sched_yield();
		read_unlock(&stream_lock);
	}
	return NULL;
}

/*
 * Each round the writer counts the reads that entered between its arrival
 * and its entry. Only readers ahead of it may: one read per reader thread,
 * and at most one more each in the instant between the writer reading the
 * count and taking its ticket. A reader-preferring lock would let the
 * overlapping stream run on and the writer never get in.
 */
static unsigned long writer_worst;
static int writer_done;

static void *stream_writer(void *arg)
{
	for (int round = 0; round < WRITER_ROUNDS; round++) {
		unsigned long before =
			__atomic_load_n(&reader_entries, __ATOMIC_RELAXED);
		unsigned long passed;

		write_lock(&stream_lock);
		passed = __atomic_load_n(&reader_entries, __ATOMIC_RELAXED) -
			 before;
		write_unlock(&stream_lock);
		if (passed > writer_worst)
			writer_worst = passed;
		sched_yield();
	}
	__atomic_store_n(&writer_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_writer_not_starved(void **state)
{
	pthread_t readers[STREAM_READERS], writer;
	time_t deadline;
	bool done;

	for (int i = 0; i < STREAM_READERS; i++)
		assert_int_equal(
			pthread_create(&readers[i], NULL, stream_reader, NULL),
			0);
	WAIT_FOR(__atomic_load_n(&reader_entries, __ATOMIC_RELAXED) > 100);
	assert_int_equal(pthread_create(&writer, NULL, stream_writer, NULL), 0);
	deadline = time(NULL) + WAIT_SECONDS;
	while (!(done = __atomic_load_n(&writer_done, __ATOMIC_ACQUIRE)) &&
	       time(NULL) <= deadline)
		let_others_run(10);
	/* Stop the stream either way, so that a starved writer gets in. */
	__atomic_store_n(&stream_stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < STREAM_READERS; i++)
		assert_int_equal(pthread_join(readers[i], NULL), 0);
	assert_int_equal(pthread_join(writer, NULL), 0);
	if (!done)
		fail_msg("the writer starved: %d rounds not done in %d s",
			 WRITER_ROUNDS, WAIT_SECONDS);
	assert_true(writer_worst <= 2 * STREAM_READERS);
}

/* ---------------------------------------------------------------------------
 * Lock debugging
 */

#ifdef CONFIG_DEBUG_LOCKS

static void read_on_then_write_irqsave(void *arg)
{
	DEFINE_RWLOCK(lock);
	unsigned long flags;

	local_irq_enable();
	read_lock(&lock);
	read_unlock(&lock);
	flags = write_lock_irqsave(&lock);
	write_unlock_irqrestore(&lock, flags);
}

static void read_irqsave_then_write_on(void *arg)
{
	DEFINE_RWLOCK(lock);
	unsigned long flags;

	local_irq_enable();
	flags = read_lock_irqsave(&lock);
	read_unlock_irqrestore(&lock, flags);
	write_lock(&lock);
}

static void read_unlock_unheld(void *arg)
{
	DEFINE_RWLOCK(lock);

	read_unlock(&lock);
}

static void read_unlock_while_written(void *arg)
{
	DEFINE_RWLOCK(lock);

	write_lock(&lock);
	read_unlock(&lock);
}

static void write_unlock_while_read(void *arg)
{
	DEFINE_RWLOCK(lock);

	read_lock(&lock);
	write_unlock(&lock);
}

static void write_unlock_unheld(void *arg)
{
	DEFINE_RWLOCK(lock);

	write_unlock(&lock);
}

static void test_debug_checks(void **state)
{
	DEFINE_RWLOCK(lock);

	/* Correct use, including an exempt trylock, passes. */
	local_irq_enable();
	read_lock(&lock);
	read_unlock(&lock);
	write_lock(&lock);
	write_unlock(&lock);
	local_irq_disable();
	assert_true(read_trylock(&lock));
	read_unlock(&lock);
	local_irq_enable();
	assert_int_equal(lock.debug.irq_use, LOCK_IRQ_UNSAFE);

	expect_panic(read_on_then_write_irqsave, NULL,
		     "taken with interrupts disabled, but earlier with them "
		     "enabled");
	expect_panic(read_irqsave_then_write_on, NULL,
		     "taken with interrupts enabled, but earlier with them "
		     "disabled");
	expect_panic(read_unlock_unheld, NULL, "of a lock no reader holds");
	expect_panic(read_unlock_while_written, NULL,
		     "of a lock no reader holds");
	expect_panic(write_unlock_while_read, NULL,
		     "of a lock no writer holds");
	expect_panic(write_unlock_unheld, NULL, "of a lock no writer holds");
}

#endif /* CONFIG_DEBUG_LOCKS */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_thread),
		cmocka_unit_test(test_tickets_wrap),
		cmocka_unit_test(test_irqsave_variants),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_readers_hold_together),
		cmocka_unit_test(test_writers_exclude),
		cmocka_unit_test(test_fifo_order),
		cmocka_unit_test(test_writer_not_starved),
#ifdef CONFIG_DEBUG_LOCKS
		cmocka_unit_test(test_debug_checks),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
