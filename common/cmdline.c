/*
 * The boot command line (include/param.h): parses it against every option
 * declared with the *_param() macros and keeps a copy for later readers.
 * The parser itself is common/params.c; this file only knows where the
 * options live.
 */
#include <compiler.h>
#include <param.h>
#include <printk.h>
#include <string.h>

/*
 * The linker script brackets the .data.param input sections with these.
 * The macros align every entry to 8 and the struct is a multiple of 8, so
 * the section is a plain array with no padding between entries.
 */
extern const struct kernel_param __param_start[], __param_end[];
BUILD_BUG_ON(sizeof(struct kernel_param) % 8 != 0);

/* Room for the saved copy; the boot loader's copy may be reclaimed. */
#define CMDLINE_SAVE_SIZE 1024

static char saved_cmdline[CMDLINE_SAVE_SIZE];
static unsigned int cmdline_warning_count;

/*
 * Saves cmdline for boot_cmdline(). Returns 1 if it did not fit (a warning
 * was printed and the copy holds its beginning), else 0.
 */
static unsigned int __init save_cmdline(const char *cmdline)
{
	size_t len = strnlen(cmdline, sizeof(saved_cmdline));

	if (len < sizeof(saved_cmdline)) {
		memcpy(saved_cmdline, cmdline, len + 1);
		return 0;
	}
	len = sizeof(saved_cmdline) - 1;
	memcpy(saved_cmdline, cmdline, len);
	saved_cmdline[len] = '\0';
	/* The options were all parsed; only the copy is short. Say so. */
	printk(KERN_WARNING "cmdline: command line is %llu bytes, longer than "
			    "the %u kept for boot_cmdline(); the copy is "
			    "truncated, all options were parsed\n",
	       (unsigned long long)strlen(cmdline),
	       (unsigned int)sizeof(saved_cmdline) - 1);
	return 1;
}

unsigned int __init cmdline_parse(const char *cmdline)
{
	unsigned int warnings;

	if (!cmdline)
		cmdline = "";
	warnings = save_cmdline(cmdline);
	warnings += parse_params(cmdline, __param_start, __param_end);
	cmdline_warning_count = warnings;
	return warnings;
}

const char *boot_cmdline(void)
{
	return saved_cmdline;
}

unsigned int cmdline_warnings(void)
{
	return cmdline_warning_count;
}
