# Host tests of the timers (common/timer.c) on the simulated machine of
# tests/unit/host/sim_machine.c: per-CPU areas from host_percpu.c over the
# template tests/unit/host/percpu.ld brackets, and a simulated clock.
SIM_MACHINE_SRCS := tests/unit/host/sim_machine.c tests/unit/host/host_percpu.c \
	common/softirq.c common/cpumask.c
SIM_MACHINE_CFLAGS := -Iarch/x86/include -Wl,-T,tests/unit/host/percpu.ld

UNIT_TESTS += timer
timer_SRCS := tests/unit/test_timer.c common/timer.c common/timer_queue.c \
	$(SIM_MACHINE_SRCS)
timer_CFLAGS := $(SIM_MACHINE_CFLAGS)
$(B)/unit/test_timer: tests/unit/host/percpu.ld
