/*
 * Shell-style wildcard matching for test selection.
 */
#include <ktest.h>

bool glob_match(const char *pattern, const char *name)
{
	/* Iterative with one backtrack point: linear for one '*' at a time. */
	const char *star = NULL, *resume = NULL;

	while (*name) {
		if (*pattern == '*') {
			star = pattern++;
			resume = name;
		} else if (*pattern == '?' || *pattern == *name) {
			pattern++;
			name++;
		} else if (star) {
			pattern = star + 1;
			name = ++resume;
		} else {
			return false;
		}
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}
