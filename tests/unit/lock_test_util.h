/*
 * Helpers shared by the host lock tests (test_spinlock.c, test_rwlock.c):
 * bounded waits for another thread to reach a state, and running a case
 * that must panic in a child process. Include after cmocka.h.
 */
#ifndef LOCK_TEST_UTIL_H
#define LOCK_TEST_UTIL_H

#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <string.h> /* the kernel's: no strstr() */
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "expect_panic.h"

/* Long enough for a loaded two-core machine, short enough to fail. */
#define WAIT_SECONDS 20

/* Yields until cond holds; fails the case after WAIT_SECONDS. */
#define WAIT_FOR(cond)                                                       \
	do {                                                                 \
		time_t __deadline = time(NULL) + WAIT_SECONDS;               \
		while (!(cond)) {                                            \
			if (time(NULL) > __deadline)                         \
				fail_msg("timed out waiting for %s", #cond); \
			sched_yield();                                       \
		}                                                            \
	} while (0)

/* Lets other threads run for about ms milliseconds. */
static inline void let_others_run(unsigned int ms)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = ms * 1000000L};

	nanosleep(&ts, NULL);
}

#endif /* LOCK_TEST_UTIL_H */
