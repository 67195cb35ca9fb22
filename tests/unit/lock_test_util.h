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

static inline bool text_contains(const char *text, const char *part)
{
	size_t n = strlen(part);

	for (; *text; text++)
		if (strncmp(text, part, n) == 0)
			return true;
	return false;
}

/*
 * Runs fn(arg) in a child process and checks that it panicked (the host
 * panic() prints "panic: <message>" and aborts) with a message containing
 * expect. Call it with no other thread running: the child only inherits
 * the calling one.
 */
static inline void expect_panic(void (*fn)(void *), void *arg,
				const char *expect)
{
	char out[4096];
	size_t len = 0;
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGABRT, SIG_DFL);
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		fn(arg);
		_exit(0);
	}
	close(fds[1]);
	while ((n = read(fds[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT ||
	    !text_contains(out, "panic: ") || !text_contains(out, expect))
		fail_msg("expected a panic with \"%s\"; child said \"%s\"",
			 expect, out);
}

#endif /* LOCK_TEST_UTIL_H */
