/*
 * What the boot sequence promises: boot information parsed, the command
 * line kept, per-CPU data reachable, symbols embedded, interrupts survived.
 */
#include <asm/traps.h>
#include <bootinfo.h>
#include <irq.h>
#include <ktest.h>
#include <param.h>
#include <percpu.h>
#include <printk.h>
#include <string.h>
#include <symbols.h>

void start_hypervisor(u32 mb2_magic, u32 mb2_info_pa);

static bool contains(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack; haystack++)
		if (strncmp(haystack, needle, n) == 0)
			return true;
	return false;
}

static void memory_map_is_sane(struct ktest *t)
{
	u32 i;

	KT_ASSERT_TRUE(t, boot_info.nr_memranges > 0);
	for (i = 0; i < boot_info.nr_memranges; i++) {
		KT_EXPECT_TRUE(t, boot_info.mem[i].len > 0);
		if (i > 0)
			KT_EXPECT_TRUE(
				t, boot_info.mem[i].base >=
					   boot_info.mem[i - 1].base +
						   boot_info.mem[i - 1].len);
	}
	KT_EXPECT_TRUE(t, boot_usable_bytes(&boot_info) >= (16UL << 20));
}

static void loader_is_grub(struct ktest *t)
{
	KT_EXPECT_EQ(t, strncmp(boot_info.loader_name, "GRUB", 4), 0);
}

static void command_line_is_kept(struct ktest *t)
{
	KT_EXPECT_STREQ(t, boot_cmdline(), boot_info.cmdline);
	/* Every harness boot selects tests, so test= must be there. */
	KT_EXPECT_TRUE(t, contains(boot_cmdline(), "test="));
}

extern char __per_cpu_start[], __per_cpu_end[];

static void boot_cpu_is_cpu0(struct ktest *t)
{
	/* this_cpu() is only right for variables inside the template. */
	KT_EXPECT_TRUE(t, (char *)&per_cpu__cpu_id >= __per_cpu_start &&
				  (char *)&per_cpu__cpu_id < __per_cpu_end);
	KT_EXPECT_TRUE(t, &this_cpu(cpu_id) != &per_cpu__cpu_id);
	KT_EXPECT_EQ(t, smp_processor_id(), 0);
	KT_EXPECT_EQ(t, arch_this_cpu_offset(), per_cpu_offset[0]);
	KT_EXPECT_TRUE(t, per_cpu_offset[0] != 0);
}

static void symbols_resolve(struct ktest *t)
{
	unsigned long off, size;
	const char *name;

	name = symbols_lookup((unsigned long)start_hypervisor + 1, &off, &size);
	KT_EXPECT_STREQ(t, name, "start_hypervisor");
	KT_EXPECT_EQ(t, off, 1);
	KT_EXPECT_TRUE(t, size > 1);
	KT_EXPECT_EQ(t, symbols_address("start_hypervisor"),
		     (unsigned long)start_hypervisor);
	KT_EXPECT_TRUE(t, symbols_lookup(0x1000, &off, &size) == NULL);
}

static void software_interrupt_returns(struct ktest *t)
{
	unsigned long before = irq_count(0x80);

	__asm__ __volatile__("int $0x80" ::: "memory");
	KT_EXPECT_EQ(t, irq_count(0x80), before + 1);
	KT_EXPECT_TRUE(t, local_irq_is_enabled());
}

static void snprintf_in_kernel(struct ktest *t)
{
	char buf[32];

	KT_EXPECT_EQ(t,
		     snprintf(buf, sizeof(buf), "%s-%05d-%#x", "ab", -42, 255),
		     13);
	KT_EXPECT_STREQ(t, buf, "ab--0042-0xff");
	KT_EXPECT_EQ(t, snprintf(buf, 4, "%lu", 123456UL), 6);
	KT_EXPECT_STREQ(t, buf, "123");
}

KTEST_SUITE(boot, KTEST_CASE(memory_map_is_sane), KTEST_CASE(loader_is_grub),
	    KTEST_CASE(command_line_is_kept), KTEST_CASE(boot_cpu_is_cpu0),
	    KTEST_CASE(symbols_resolve), KTEST_CASE(software_interrupt_returns),
	    KTEST_CASE(snprintf_in_kernel));
