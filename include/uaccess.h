/*
 * Guest memory access from hypercalls. While a hypercall runs, the guest's
 * page table is live, so a guest pointer is reached at its own virtual
 * address; these accessors make that safe:
 *
 *  - the whole range [addr, addr + len) must lie below GUEST_VADDR_END
 *    (include/public/abi.h) without wrapping, else nothing is touched:
 *    a guest cannot name hypervisor memory, mapped or not;
 *  - the copy itself may fault (the page is not mapped, or the guest may
 *    not write it): the fault is caught and the copy stops there.
 *
 * The copies return the number of bytes NOT copied: 0 on success, len if
 * the range check refused it, and in between if a fault stopped it part
 * way (the first len - result bytes arrived). A zero len copies nothing
 * and returns 0 whatever the address. Any context in which the current
 * page table is the guest's (or has nothing below GUEST_VADDR_END); they
 * may sleep on nothing and take no lock.
 *
 * The get/put helpers move one value and return 0 or -EFAULT; a failed
 * get leaves *out unchanged, a failed put may have written a prefix.
 * Every accessor takes its destination first, as memcpy() does:
 * get_guest_u64(&v, addr), put_guest_u64(addr, v).
 */
#ifndef KAIROS_UACCESS_H
#define KAIROS_UACCESS_H

#include <compiler.h>
#include <errno.h>
#include <public/abi.h>
#include <types.h>

/* True if [addr, addr + len) lies wholly in the guest's half. */
static inline bool guest_range_ok(u64 addr, unsigned long len)
{
	return addr <= GUEST_VADDR_END && len <= GUEST_VADDR_END - addr;
}

unsigned long copy_from_guest(void *dst, u64 guest_src, unsigned long len);
unsigned long copy_to_guest(u64 guest_dst, const void *src, unsigned long len);

static inline int get_guest_u32(u32 *out, u64 addr)
{
	u32 v;

	if (copy_from_guest(&v, addr, sizeof(v)))
		return -EFAULT;
	*out = v;
	return 0;
}

static inline int get_guest_u64(u64 *out, u64 addr)
{
	u64 v;

	if (copy_from_guest(&v, addr, sizeof(v)))
		return -EFAULT;
	*out = v;
	return 0;
}

static inline int put_guest_u32(u64 addr, u32 val)
{
	return copy_to_guest(addr, &val, sizeof(val)) ? -EFAULT : 0;
}

static inline int put_guest_u64(u64 addr, u64 val)
{
	return copy_to_guest(addr, &val, sizeof(val)) ? -EFAULT : 0;
}

#endif /* KAIROS_UACCESS_H */
