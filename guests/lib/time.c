/*
 * System time from the calling vCPU's vcpu_time_info
 * (include/public/shared_info.h):
 *
 *   d = (int64_t)(rdtsc - tsc_timestamp)
 *   now = system_time +- ((|d| * tsc_to_system_mul) >> tsc_shift)
 *
 * with a 128-bit product (the hypervisor's own NOW(), bit for bit), read under the version protocol: the TSC is
 * read inside the loop, so a record rewritten meanwhile (the vCPU moved
 * to another CPU, say) makes us read everything again.
 */
#include "guest.h"

int64_t guest_now(void)
{
	unsigned int vcpu = guest_vcpu_id();
	const volatile struct vcpu_time_info *t =
		&guest_shared->vcpu_info[vcpu].time;
	uint32_t v1, v2;
	uint64_t tsc, stamp, mul, delta;
	int64_t sys;
	uint8_t shift, flags;
	bool neg;
	unsigned __int128 prod;

	do {
		v1 = t->version;
		barrier();
		shift = t->tsc_shift;
		flags = t->flags;
		stamp = t->tsc_timestamp;
		sys = t->system_time;
		mul = t->tsc_to_system_mul;
		tsc = guest_rdtsc();
		barrier();
		v2 = t->version;
	} while ((v1 & 1) || v1 != v2);

	if (flags & TIME_INFO_TSC_UNRELIABLE)
		return hc_get_time(vcpu);
	if (shift >= 128)
		return sys;
	/*
	 * Signed, as the hypervisor's NOW(): the record may have been stamped
	 * on a CPU whose TSC is a hair ahead of this one.
	 */
	neg = (int64_t)(tsc - stamp) < 0;
	delta = neg ? stamp - tsc : tsc - stamp;
	prod = ((unsigned __int128)delta * mul) >> shift;
	if (prod >> 63)
		prod = INT64_MAX;
	return neg ? sys - (int64_t)prod : sys + (int64_t)prod;
}

uint64_t guest_tsc_hz(void)
{
	return guest_si->tsc_hz;
}

void guest_spin_until(int64_t deadline)
{
	while (guest_now() < deadline)
		cpu_relax();
}
