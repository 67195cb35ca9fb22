# Host tests of the scheduling policies (common/sched/), each booted as
# the kernel boots it (sched=<policy> on the command line) and driven
# through the real core and timers on the simulated machine
# (SIM_MACHINE_SRCS: tests/unit/timer.mk) by tests/unit/sched_sim.c.
SCHED_SIM_SRCS = tests/unit/sched_sim.c common/sched/core.c \
	common/sched/rr.c common/sched/credit.c common/sched/edf.c \
	common/sched/gang.c common/timer.c common/timer_queue.c \
	common/cmdline.c common/params.c common/domain_config.c \
	$(SIM_MACHINE_SRCS)
SCHED_SIM_CFLAGS = $(SIM_MACHINE_CFLAGS) -Wl,-T,tests/unit/host/params.ld
SCHED_SIM_DEPS := tests/unit/sched_sim.h tests/unit/host/percpu.ld \
	tests/unit/host/params.ld

UNIT_TESTS += sched_rr sched_credit sched_edf sched_gang
sched_rr_SRCS = tests/unit/test_sched_rr.c $(SCHED_SIM_SRCS)
sched_rr_CFLAGS = $(SCHED_SIM_CFLAGS)
sched_credit_SRCS = tests/unit/test_sched_credit.c $(SCHED_SIM_SRCS)
sched_credit_CFLAGS = $(SCHED_SIM_CFLAGS)
sched_edf_SRCS = tests/unit/test_sched_edf.c $(SCHED_SIM_SRCS)
sched_edf_CFLAGS = $(SCHED_SIM_CFLAGS)
sched_gang_SRCS = tests/unit/test_sched_gang.c $(SCHED_SIM_SRCS)
sched_gang_CFLAGS = $(SCHED_SIM_CFLAGS)
$(patsubst %,$(B)/unit/test_%,sched_rr sched_credit sched_edf sched_gang): \
	$(SCHED_SIM_DEPS)
