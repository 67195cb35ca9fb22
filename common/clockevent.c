/*
 * Clock event devices and the per-CPU "interrupt me at T" layer on top of
 * them (include/clockevent.h): the layer keeps each CPU's deadline,
 * clamps it to what the device can reach, and re-arms on the early
 * interrupts that clamping (or a rate measured slightly low) causes, so
 * that its handler never runs before the deadline.
 */
#include <clockevent.h>
#include <irq.h>
#include <panic.h>
#include <percpu.h>
#include <printk.h>
#include <string.h>
#include <systime.h>
#include <trace.h>

#define CLOCKEVENT_MAX 8

static struct clock_event_device *devices[CLOCKEVENT_MAX];
static unsigned int nr_devices;

struct cpu_clockevent {
	struct clock_event_device *dev;
	s_time_t deadline; /* what was asked for; 0: nothing */
	clockevent_handler_t handler;
	u64 fired;
	u64 early;
	u64 spurious;
};
static DEFINE_PER_CPU(struct cpu_clockevent, cpu_clockevent);

void clockevent_register(struct clock_event_device *dev)
{
	unsigned int i;

	for (i = 0; i < nr_devices; i++)
		if (devices[i] == dev)
			return;
	ASSERT(nr_devices < CLOCKEVENT_MAX);
	devices[nr_devices++] = dev;
}

struct clock_event_device *clockevent_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < nr_devices; i++)
		if (strcmp(devices[i]->name, name) == 0)
			return devices[i];
	return NULL;
}

struct clock_event_device *clockevent_by_index(unsigned int i)
{
	return i < nr_devices ? devices[i] : NULL;
}

/* ------------------------------------------------------------------ */
/* Choosing                                                            */

/* Why clockevent_choose() chose what it chose (hwreport). */
static const char *choice_reason = "not chosen yet";

const char *clockevent_why_not_chosen(const struct clock_event_device *dev)
{
	return dev->why_unusable ? dev->why_unusable : dev->why_refused;
}

/* The candidate of the highest rating, the first registered on a tie. */
static struct clock_event_device *best_candidate(void)
{
	struct clock_event_device *best = NULL;
	unsigned int i;

	for (i = 0; i < nr_devices; i++)
		if (!clockevent_why_not_chosen(devices[i]) &&
		    (!best || devices[i]->rating > best->rating))
			best = devices[i];
	return best;
}

/* Logs each device rated above best (or every one, if none) and why not. */
static void report_passed_over(const struct clock_event_device *best)
{
	unsigned int i;

	for (i = 0; i < nr_devices; i++) {
		const struct clock_event_device *dev = devices[i];

		if (dev == best || (best && dev->rating <= best->rating))
			continue;
		/* Rated above the best candidate: not a candidate. */
		ASSERT(clockevent_why_not_chosen(dev));
		pr_info("clock events: %s (rating %d) not used: %s\n",
			dev->name, dev->rating, clockevent_why_not_chosen(dev));
	}
}

struct clock_event_device *clockevent_choose(void)
{
	struct clock_event_device *best = best_candidate();

	ASSERT(!local_irq_is_enabled() && smp_processor_id() == 0);
	report_passed_over(best);
	if (!best) {
		choice_reason = "no usable device";
		pr_err("clock events: no usable device\n");
		return NULL;
	}
	if (best->per_cpu) {
		choice_reason = "the best-rated usable device, one per CPU";
		pr_info("clock events: every CPU uses its own %s (rating %d)\n",
			best->name, best->rating);
		return best;
	}
	choice_reason = "the best-rated usable device, no per-CPU one: wired "
			"to CPU 0, the others through the broadcast";
	pr_info("clock events: no per-CPU device; every CPU uses %s (rating %d, wired to CPU 0) through the broadcast\n",
		best->name, best->rating);
	return clockevent_broadcast_start(best);
}

const char *clockevent_choice_reason(void)
{
	return choice_reason;
}

/* ------------------------------------------------------------------ */
/* The per-CPU layer                                                   */

/*
 * Arms dev for deadline, or for as far as it reaches; false only if the
 * deadline itself is closer than the device's minimum. A clamped step
 * that passed before the device took it (a long stall between reading
 * NOW() and arming) says nothing about the deadline: take the next step.
 */
static bool arm(struct clock_event_device *dev, s_time_t deadline)
{
	for (;;) {
		s_time_t now = NOW();
		s_time_t t = deadline;

		if (deadline - now < dev->min_delta_ns)
			return false;
		if (dev->max_delta_ns && t - now > dev->max_delta_ns)
			t = now + dev->max_delta_ns;
		if (dev->set_next_event(dev, t))
			return true;
		if (t == deadline)
			return false;
	}
}

/* The bound device's interrupt: on time, run the handler; early, re-arm. */
static void clockevent_interrupt(struct clock_event_device *dev)
{
	struct cpu_clockevent *ce = &this_cpu(cpu_clockevent);
	s_time_t deadline = ce->deadline;

	if (deadline == 0) {
		ce->spurious++; /* cancelled while the interrupt was on its way */
		return;
	}
	if (NOW() < deadline) {
		ce->early++;
		if (arm(dev, deadline))
			return;
		/* Closer than the device can do: the rest is spent here. */
		while (NOW() < deadline)
			cpu_relax();
	}
	ce->deadline = 0;
	ce->fired++;
	if (ce->handler)
		ce->handler();
}

void clockevent_bind_this_cpu(struct clock_event_device *dev)
{
	struct cpu_clockevent *ce = &this_cpu(cpu_clockevent);

	ASSERT(!local_irq_is_enabled());
	ASSERT(dev->per_cpu || smp_processor_id() == 0);
	if (ce->dev && ce->dev != dev)
		ce->dev->shutdown(ce->dev);
	ce->dev = dev;
	ce->deadline = 0;
	dev->event_handler = clockevent_interrupt;
	dev->setup(dev);
}

struct clock_event_device *clockevent_this_cpu(void)
{
	return this_cpu(cpu_clockevent).dev;
}

bool reprogram_timer(s_time_t deadline)
{
	struct cpu_clockevent *ce = &this_cpu(cpu_clockevent);
	struct clock_event_device *dev = ce->dev;

	ASSERT(!local_irq_is_enabled());
	ASSERT(dev);
	ce->deadline = 0;
	if (deadline == 0) {
		dev->shutdown(dev);
		trace(TRACE_CLASS_CLOCKEVENT, TRACE_CLOCKEVENT_PROGRAM, 2, 0,
		      0);
		return true;
	}
	if (!arm(dev, deadline)) {
		dev->shutdown(dev);
		trace(TRACE_CLASS_CLOCKEVENT, TRACE_CLOCKEVENT_PROGRAM, 0, 0,
		      deadline);
		return false;
	}
	ce->deadline = deadline;
	trace(TRACE_CLASS_CLOCKEVENT, TRACE_CLOCKEVENT_PROGRAM, 1, 0, deadline);
	return true;
}

s_time_t clockevent_armed_deadline(void)
{
	return this_cpu(cpu_clockevent).deadline;
}

clockevent_handler_t clockevent_set_handler(clockevent_handler_t fn)
{
	clockevent_handler_t old = this_cpu(cpu_clockevent).handler;

	ASSERT(!local_irq_is_enabled());
	this_cpu(cpu_clockevent).handler = fn;
	return old;
}

u64 clockevent_fired_count(void)
{
	return this_cpu(cpu_clockevent).fired;
}

u64 clockevent_early_count(void)
{
	return this_cpu(cpu_clockevent).early;
}
