/* Build identity; the Makefile rebuilds this file on every link. */
#include <printk.h>
#include <version.h>

const char kairos_version[] = KAIROS_VERSION;
const char kairos_build_info[] = "git " KAIROS_GIT ", " KAIROS_COMPILER;

void print_banner(void)
{
	pr_notice("Kairos microhypervisor %s (%s)\n", kairos_version,
		  kairos_build_info);
}
