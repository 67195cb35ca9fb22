#include "acpi.h"
#include "console.h"
#include "lapic.h"
#include "smp.h"
#include "time.h"
#include "traps.h"

/* Waits of the INIT-SIPI-SIPI sequence (SDM Vol. 3A 8.4.4.1). */
#define INIT_DELAY_NS (10 * NSEC_PER_MSEC)
#define SIPI_DELAY_NS (200 * NSEC_PER_USEC)
/* How long an AP may take to reach C: generous, emulators are slow. */
#define AP_ONLINE_TIMEOUT_NS   (1000 * NSEC_PER_MSEC)
#define MODE_SWITCH_TIMEOUT_NS (1000 * NSEC_PER_MSEC)

extern const u8 ap_trampoline_start[], ap_trampoline_end[], ap_gdt_pointer[];
extern const u8 gdt_pointer[];
extern volatile u32 ap_next_slot;

struct cpu cpus[MAX_CPUS];
unsigned int nr_cpus_online = 1;
struct smp_boot_report smp_boot;
static enum lapic_mode ap_start_mode;

void ap_main(unsigned int slot);

static void work_interrupt(struct trap_frame *f)
{
	lapic_eoi();
}

static void ap_idle(struct cpu *c)
{
	for (;;) {
		cli();
		if (READ_ONCE(c->work_seq) != READ_ONCE(c->done_seq)) {
			u32 seq =
				__atomic_load_n(&c->work_seq, __ATOMIC_ACQUIRE);

			sti();
			c->work_fn(c->work_arg);
			__atomic_store_n(&c->done_seq, seq, __ATOMIC_RELEASE);
			continue;
		}
		sti_hlt();
	}
}

void ap_main(unsigned int slot)
{
	struct cpu *c = &cpus[slot];

	c->slot = slot;
	traps_init_cpu();
	lapic_init(ap_start_mode);
	__atomic_add_fetch(&nr_cpus_online, 1, __ATOMIC_SEQ_CST);
	WRITE_ONCE(c->online, true);
	ap_idle(c);
}

int slot_of_apic_id(u32 apic_id)
{
	unsigned int i;

	for (i = 0; i < MAX_CPUS; i++)
		if (cpus[i].online && cpus[i].apic_id == apic_id)
			return (int)i;
	return -1;
}

static void copy_trampoline(void)
{
	u8 *dst = (u8 *)AP_TRAMPOLINE_BASE;
	size_t size = (size_t)(ap_trampoline_end - ap_trampoline_start);

	memcpy(dst, ap_trampoline_start, size);
	memcpy(dst + (ap_gdt_pointer - ap_trampoline_start), gdt_pointer, 6);
}

/* Starts the AP with apic_id; true once it is online. */
static bool start_ap(u32 apic_id)
{
	unsigned int before = READ_ONCE(nr_cpus_online);
	u64 start = rdtsc_ordered();

	lapic_send_ipi(apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
	delay_ns(INIT_DELAY_NS);
	lapic_send_ipi(apic_id, ICR_STARTUP | AP_SIPI_VECTOR);
	delay_ns(SIPI_DELAY_NS);
	if (READ_ONCE(nr_cpus_online) == before)
		lapic_send_ipi(apic_id, ICR_STARTUP | AP_SIPI_VECTOR);
	while (READ_ONCE(nr_cpus_online) == before) {
		if (rdtsc_ordered() - start > ns_to_tsc(AP_ONLINE_TIMEOUT_NS))
			return false;
		cpu_relax();
	}
	smp_boot.ap_ns[before] = tsc_to_ns(rdtsc_ordered() - start);
	return true;
}

void smp_start_aps(void)
{
	u32 self = lapic_id();
	u64 start = rdtsc_ordered();
	unsigned int i;

	set_irq_handler(VECTOR_WORK, work_interrupt);
	ap_start_mode = lapic_mode();
	copy_trampoline();
	for (i = 0; i < acpi.nr_cpus; i++) {
		const struct acpi_cpu *c = &acpi.cpus[i];

		if (!c->enabled)
			continue;
		smp_boot.listed++;
		if (c->apic_id == self)
			continue;
		if (READ_ONCE(ap_next_slot) >= MAX_CPUS) {
			smp_boot.over_limit++;
			continue;
		}
		if (start_ap(c->apic_id))
			smp_boot.started++;
		else
			smp_boot.missing[smp_boot.nr_missing++] = c->apic_id;
	}
	smp_boot.elapsed_ns = tsc_to_ns(rdtsc_ordered() - start);
}

void smp_call(unsigned int slot, work_fn_t fn, void *arg)
{
	struct cpu *c = &cpus[slot];

	while (READ_ONCE(c->work_seq) != READ_ONCE(c->done_seq))
		cpu_relax();
	c->work_fn = fn;
	c->work_arg = arg;
	__atomic_add_fetch(&c->work_seq, 1, __ATOMIC_RELEASE);
	lapic_send_ipi(c->apic_id, ICR_FIXED | ICR_LEVEL_ASSERT | VECTOR_WORK);
}

bool smp_wait(unsigned int slot, u64 timeout_ns)
{
	struct cpu *c = &cpus[slot];
	u64 start = rdtsc_ordered(), ticks = ns_to_tsc(timeout_ns);

	while (__atomic_load_n(&c->done_seq, __ATOMIC_ACQUIRE) !=
	       READ_ONCE(c->work_seq)) {
		if (rdtsc_ordered() - start > ticks)
			return false;
		cpu_relax();
	}
	return true;
}

bool smp_call_all(work_fn_t fn, void *arg, u64 timeout_ns)
{
	unsigned int i;
	bool ok = true;

	for (i = 1; i < MAX_CPUS; i++)
		if (cpus[i].online)
			smp_call(i, fn, arg);
	fn(arg);
	for (i = 1; i < MAX_CPUS; i++)
		if (cpus[i].online)
			ok &= smp_wait(i, timeout_ns);
	return ok;
}

static void switch_mode_work(void *arg)
{
	enum lapic_mode mode = *(enum lapic_mode *)arg;

	cli();
	lapic_init(mode);
	sti();
}

void smp_set_lapic_mode(enum lapic_mode mode)
{
	unsigned int i;
	bool was_on = irqs_enabled();

	for (i = 1; i < MAX_CPUS; i++) {
		if (!cpus[i].online || cpus[i].mode == mode)
			continue;
		smp_call(i, switch_mode_work, &mode);
		if (!smp_wait(i, MODE_SWITCH_TIMEOUT_NS))
			fatal("CPU %u did not switch its LAPIC to %s mode", i,
			      lapic_mode_name(mode));
	}
	cli();
	lapic_init(mode);
	if (was_on)
		sti();
}
