/*
 * The clock event broadcast (include/clockevent.h): where no per-CPU
 * device is usable, one global device, wired to the boot CPU, serves the
 * deadlines of every CPU, as Linux's tick broadcast does. Each CPU
 * publishes the deadline it asks for; the global device is kept armed for
 * the earliest one; its interrupt hands each deadline that has come to
 * its CPU.
 *
 * The invariant, whenever bcast_lock is free: armed_for is the earliest
 * published deadline (0 if none), and the global device is armed for
 * armed_for, or for as far towards it as the device reaches (its
 * interrupt then re-arms), or disarmed if armed_for is 0. So no CPU's
 * deadline is delivered before it has come (nor closer to it than the
 * device's minimum, which the per-CPU layer spins out), and the earliest
 * one is delivered by the device's own interrupt, not by luck.
 */
#include <clockevent.h>
#include <cpumask.h>
#include <irq.h>
#include <panic.h>
#include <percpu.h>
#include <printk.h>
#include <smp.h>
#include <spinlock.h>
#include <string.h>
#include <systime.h>

/* Everything below but the counters is written under bcast_lock. */
static DEFINE_SPINLOCK(bcast_lock);
static struct clock_event_device *global_dev;
static cpumask_t bcast_cpus; /* CPUs that have bound the broadcast */
static s_time_t armed_for;   /* the earliest published deadline */
static DEFINE_PER_CPU(s_time_t, published); /* 0: nothing asked */

static u64 nr_interrupts, nr_ipis, nr_stray;

static char bcast_name[32];
static struct clock_event_device broadcast_device;

/* ------------------------------------------------------------------ */
/* Arming the global device                                            */

/* Arms the global device for t or as far as it reaches; its answer. */
static bool arm_global(s_time_t t)
{
	struct clock_event_device *dev = global_dev;
	s_time_t now = NOW();

	if (dev->max_delta_ns && t - now > dev->max_delta_ns)
		t = now + dev->max_delta_ns;
	return dev->set_next_event(dev, t);
}

/*
 * Restores the invariant from the published deadlines: takes out every
 * deadline closer than the device can reach (passed, or passing while we
 * arm) and adds its CPU to *due, and arms the device for the earliest of
 * the rest. bcast_lock held.
 */
static void rearm_locked(cpumask_t *due)
{
	struct clock_event_device *dev = global_dev;

	for (;;) {
		s_time_t now = NOW(), next = 0;
		unsigned int cpu;

		for_each_cpu (cpu, &bcast_cpus) {
			s_time_t d = per_cpu(published, cpu);

			if (!d)
				continue;
			if (d - now < dev->min_delta_ns) {
				per_cpu(published, cpu) = 0;
				__cpumask_set_cpu(cpu, due);
			} else if (!next || d < next) {
				next = d;
			}
		}
		armed_for = next;
		if (!next) {
			dev->shutdown(dev);
			return;
		}
		if (arm_global(next))
			return;
		/* It passed while we armed: take it out on the next pass. */
	}
}

/* Sends the IPI to the CPUs of due but the caller; true if it is in due. */
static bool deliver_others(cpumask_t *due)
{
	bool mine = cpumask_test_and_clear_cpu(smp_processor_id(), due);
	unsigned int n = cpumask_weight(due);

	if (n) {
		__atomic_fetch_add(&nr_ipis, n, __ATOMIC_RELAXED);
		smp_send_timer_broadcast(due);
	}
	return mine;
}

/* ------------------------------------------------------------------ */
/* The broadcast device each CPU binds                                 */

/*
 * Publishes t as the calling CPU's deadline. False if t turned out to be
 * closer than the global device reaches by the time it was published
 * (then it is withdrawn and the caller runs the work, as the device
 * contract says); deadlines of other CPUs found due on the way get their
 * IPI.
 */
static bool bcast_set_next_event(struct clock_event_device *dev, s_time_t t)
{
	s_time_t old;
	cpumask_t due;

	spin_lock(&bcast_lock);
	old = this_cpu(published);
	this_cpu(published) = t;
	/* Not the earliest and not what the device waits for: it waits. */
	if (armed_for && t >= armed_for && old != armed_for) {
		spin_unlock(&bcast_lock);
		return true;
	}
	/* The new earliest: arm for it, if it has not passed meanwhile. */
	if ((!armed_for || t < armed_for) && t - NOW() >= dev->min_delta_ns &&
	    arm_global(t)) {
		armed_for = t;
		spin_unlock(&bcast_lock);
		return true;
	}
	/* Ours was the earliest and moved later, or arming failed. */
	cpumask_clear(&due);
	rearm_locked(&due);
	spin_unlock(&bcast_lock);
	return !deliver_others(&due);
}

/* Withdraws the calling CPU's deadline; the device re-arms if it was it. */
static void bcast_shutdown(struct clock_event_device *dev)
{
	s_time_t old;
	cpumask_t due;

	spin_lock(&bcast_lock);
	old = this_cpu(published);
	this_cpu(published) = 0;
	if (!old || old != armed_for) {
		spin_unlock(&bcast_lock);
		return;
	}
	cpumask_clear(&due);
	rearm_locked(&due);
	spin_unlock(&bcast_lock);
	/* Ours is withdrawn, so it cannot be in due. */
	deliver_others(&due);
}

/* Joins the broadcast, with nothing published (a rebind withdraws). */
static void bcast_setup(struct clock_event_device *dev)
{
	ASSERT(global_dev);
	bcast_shutdown(dev);
	spin_lock(&bcast_lock);
	__cpumask_set_cpu(smp_processor_id(), &bcast_cpus);
	spin_unlock(&bcast_lock);
}

static struct clock_event_device broadcast_device = {
	.name = "broadcast",
	.per_cpu = true,
	.setup = bcast_setup,
	.set_next_event = bcast_set_next_event,
	.shutdown = bcast_shutdown,
};

/* ------------------------------------------------------------------ */
/* The global device's interrupt and the IPI                           */

/* The global device fired (boot CPU, IRQ context). */
static void bcast_global_interrupt(struct clock_event_device *dev)
{
	cpumask_t due;

	__atomic_fetch_add(&nr_interrupts, 1, __ATOMIC_RELAXED);
	cpumask_clear(&due);
	spin_lock(&bcast_lock);
	rearm_locked(&due);
	spin_unlock(&bcast_lock);
	if (deliver_others(&due))
		clockevent_broadcast_receive();
}

void clockevent_broadcast_receive(void)
{
	ASSERT(!local_irq_is_enabled());
	if (!clockevent_on_broadcast()) {
		__atomic_fetch_add(&nr_stray, 1, __ATOMIC_RELAXED);
		return;
	}
	broadcast_device.event_handler(&broadcast_device);
}

/* ------------------------------------------------------------------ */
/* Start-up and reports                                                */

struct clock_event_device *
clockevent_broadcast_start(struct clock_event_device *global)
{
	ASSERT(!local_irq_is_enabled() && smp_processor_id() == 0);
	ASSERT(!global->per_cpu && !global->why_unusable);
	/* One global device for good: CPUs may be waiting on it. */
	ASSERT(!global_dev || global_dev == global);
	if (global_dev)
		return &broadcast_device;
	snprintf(bcast_name, sizeof(bcast_name), "%s-broadcast", global->name);
	broadcast_device.name = bcast_name;
	broadcast_device.rating = global->rating;
	broadcast_device.min_delta_ns = global->min_delta_ns;
	global->event_handler = bcast_global_interrupt;
	global->setup(global);
	global_dev = global;
	return &broadcast_device;
}

struct clock_event_device *clockevent_broadcast_global(void)
{
	return READ_ONCE(global_dev);
}

bool clockevent_on_broadcast(void)
{
	return clockevent_this_cpu() == &broadcast_device;
}

void clockevent_broadcast_get_stats(struct clockevent_broadcast_stats *st)
{
	unsigned long flags = local_irq_save();

	spin_lock(&bcast_lock);
	st->cpus = cpumask_weight(&bcast_cpus);
	st->armed_for = armed_for;
	spin_unlock(&bcast_lock);
	local_irq_restore(flags);
	st->interrupts = __atomic_load_n(&nr_interrupts, __ATOMIC_RELAXED);
	st->ipis = __atomic_load_n(&nr_ipis, __ATOMIC_RELAXED);
	st->stray = __atomic_load_n(&nr_stray, __ATOMIC_RELAXED);
}

bool clockevent_broadcast_consistent(void)
{
	unsigned long flags = local_irq_save();
	s_time_t earliest = 0;
	unsigned int cpu;
	bool ok;

	spin_lock(&bcast_lock);
	for_each_cpu (cpu, &bcast_cpus) {
		s_time_t d = per_cpu(published, cpu);

		if (d && (!earliest || d < earliest))
			earliest = d;
	}
	ok = armed_for == earliest;
	spin_unlock(&bcast_lock);
	local_irq_restore(flags);
	return ok;
}

void clockevent_broadcast_report(void)
{
	struct clockevent_broadcast_stats st;

	if (!global_dev)
		return;
	clockevent_broadcast_get_stats(&st);
	pr_info("clock events: %u of %u CPUs on the %s broadcast: CPU 0 takes its interrupt, the others get the timer broadcast IPI\n",
		st.cpus, num_online_cpus(), global_dev->name);
}
