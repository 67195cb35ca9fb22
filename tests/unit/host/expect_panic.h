/*
 * expect_panic(): the host unit tests' check that a call panics. The host
 * panic() (host_support.c) prints "panic: <message>" and aborts, so the
 * call runs in a child process and the parent reads what it printed.
 */
#ifndef HOST_EXPECT_PANIC_H
#define HOST_EXPECT_PANIC_H

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static inline int expect_panic_contains(const char *text, const char *needle)
{
	size_t n = 0, i;

	while (needle[n])
		n++;
	for (; *text; text++) {
		for (i = 0; i < n && text[i] == needle[i]; i++)
			;
		if (i == n)
			return 1;
	}
	return n == 0;
}

/*
 * Runs fn(arg) in a child process and checks that it panicked with a
 * message containing expect. Call it with no other thread running: the
 * child only inherits the calling one.
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
	    !expect_panic_contains(out, "panic: ") ||
	    !expect_panic_contains(out, expect))
		fail_msg("expected a panic with \"%s\"; child said \"%s\"",
			 expect, out);
}

#endif /* HOST_EXPECT_PANIC_H */
