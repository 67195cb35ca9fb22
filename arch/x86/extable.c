/*
 * The exception table (asm/extable.h): a linear search. The table has one
 * entry per guest-memory access instruction, a handful in all, and is
 * consulted only on a ring-0 #PF or #GP, which is otherwise fatal.
 *
 * Also the guest-memory copies built on it (include/uaccess.h): the range
 * check here, the copy loops in uaccess.S.
 */
#include <asm/cpu_protect.h>
#include <asm/extable.h>
#include <uaccess.h>

unsigned long __copy_guest_smap(void *dst, const void *src, unsigned long len);
unsigned long __copy_guest_nosmap(void *dst, const void *src,
				  unsigned long len);

extern const struct exception_table_entry __start_ex_table[], __stop_ex_table[];

unsigned long search_exception_table(unsigned long addr)
{
	const struct exception_table_entry *e;

	for (e = __start_ex_table; e < __stop_ex_table; e++)
		if (e->insn == addr)
			return e->fixup;
	return 0;
}

bool fixup_exception(struct cpu_user_regs *regs)
{
	unsigned long fixup = search_exception_table(regs->rip);

	if (!fixup)
		return false;
	regs->rip = fixup;
	return true;
}

static unsigned long copy_guest(void *dst, const void *src, unsigned long len)
{
	return cpu_has_smap() ? __copy_guest_smap(dst, src, len)
			      : __copy_guest_nosmap(dst, src, len);
}

unsigned long copy_from_guest(void *dst, u64 guest_src, unsigned long len)
{
	if (!len)
		return 0;
	if (!guest_range_ok(guest_src, len))
		return len;
	return copy_guest(dst, (const void *)guest_src, len);
}

unsigned long copy_to_guest(u64 guest_dst, const void *src, unsigned long len)
{
	if (!len)
		return 0;
	if (!guest_range_ok(guest_dst, len))
		return len;
	return copy_guest((void *)guest_dst, src, len);
}
