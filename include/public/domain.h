/*
 * HYPERCALL_domain_op(cmd, arg): finding other domains.
 *
 *   DOMOP_lookup  arg -> struct domain_lookup: the id of the running
 *                 domain called name (-KERR_ENOENT if there is none).
 *                 How two demo guests find each other for an event
 *                 channel without a directory service.
 */
#ifndef KAIROS_PUBLIC_DOMAIN_H
#define KAIROS_PUBLIC_DOMAIN_H

#include <stdint.h>

#define DOMOP_lookup 0

struct domain_lookup {
	char name[32];	 /* NUL-terminated */
	uint16_t domid;	 /* out */
	uint16_t pad[3]; /* must be 0 */
};

#endif /* KAIROS_PUBLIC_DOMAIN_H */
