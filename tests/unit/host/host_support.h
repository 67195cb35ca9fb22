/* Helpers shared by the host unit tests (tests/unit/host/host_support.c). */
#ifndef HOST_SUPPORT_H
#define HOST_SUPPORT_H

/* Everything printk'd since the last reset, without level prefixes. */
const char *host_printk_output(void);
void host_printk_reset(void);

#endif /* HOST_SUPPORT_H */
