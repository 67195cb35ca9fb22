# Host tests of the per-CPU timer queue (include/timer_queue.h): heap,
# overflow list and deadline choice against a reference model, and a
# simulation of the coalescing rule (prints interrupts per timer).
UNIT_TESTS += timer_queue
timer_queue_SRCS := tests/unit/test_timer_queue.c common/timer_queue.c
