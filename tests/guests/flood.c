/*
 * flood: writes to the console as fast as it can, to check that the
 * hypervisor's per-domain console budget (public/console.h) holds: a
 * burst of GUEST_CONSOLE_BURST bytes is printed, the rest of the flood is
 * dropped, counted and reported, and every write says how much of it was
 * taken.
 *
 * Args: bytes=<n> (default 1 MiB), in writes of CONSOLEIO_WRITE_MAX;
 * min=<n>, the fewest bytes that must be taken (default half a burst;
 * 0 when other floods may keep the console congested, so that the
 * hypervisor drops everything this one writes).
 */
#include <guest.h>

static char chunk[CONSOLEIO_WRITE_MAX];

void guest_vcpu_main(unsigned int vcpu)
{
	uint64_t bytes = guest_arg_u64("bytes", 1 << 20);
	uint64_t min = guest_arg_u64("min", GUEST_CONSOLE_BURST / 2);
	uint64_t sent = 0, taken = 0, short_writes = 0;
	unsigned int i;
	long ret;

	if (vcpu != 0)
		return;
	for (i = 0; i < sizeof(chunk); i++)
		chunk[i] = (i % 64 == 63) ? '\n' : 'a' + i % 26;
	while (sent < bytes) {
		ret = hc_console_write(chunk, sizeof(chunk));
		if (ret < 0)
			guest_panic("CONSOLEIO_write: %ld", ret);
		if ((uint64_t)ret > sizeof(chunk))
			guest_fail("a write took %ld bytes of %zu", ret,
				   sizeof(chunk));
		if ((uint64_t)ret < sizeof(chunk))
			short_writes++;
		taken += (uint64_t)ret;
		sent += sizeof(chunk);
	}
	/* The budget refills at GUEST_CONSOLE_RATE: room for the report. */
	guest_sleep_until(guest_now() + 500 * NSEC_PER_MSEC);
	printf("\nflood: %llu bytes written, %llu taken, %llu short writes\n",
	       (unsigned long long)sent, (unsigned long long)taken,
	       (unsigned long long)short_writes);
	guest_check(taken >= min, "at least %llu bytes were taken (%llu)",
		    (unsigned long long)min, (unsigned long long)taken);
	guest_check(taken < sent, "the flood was cut (%llu of %llu bytes)",
		    (unsigned long long)taken, (unsigned long long)sent);
}
