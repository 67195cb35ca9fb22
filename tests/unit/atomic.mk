# Host tests of the atomics and bit operations (include/atomic.h).
UNIT_TESTS += atomic
atomic_SRCS := tests/unit/test_atomic.c
atomic_CFLAGS := -pthread
