/* Build identity (common/version.c). */
#ifndef KAIROS_VERSION_H
#define KAIROS_VERSION_H

extern const char kairos_version[];    /* "0.1.0" */
extern const char kairos_build_info[]; /* git revision and compiler */

/* Prints the banner: the first line of the hypervisor's own output. */
void print_banner(void);

#endif /* KAIROS_VERSION_H */
