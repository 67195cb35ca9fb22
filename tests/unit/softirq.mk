# Host tests of the softirqs (common/softirq.c) on the simulated machine
# (SIM_MACHINE_SRCS: tests/unit/timer.mk).
UNIT_TESTS += softirq
softirq_SRCS = tests/unit/test_softirq.c $(SIM_MACHINE_SRCS)
softirq_CFLAGS = $(SIM_MACHINE_CFLAGS)
$(B)/unit/test_softirq: tests/unit/host/percpu.ld
