# Host tests of the ticket spinlocks (include/spinlock.h), with the lock
# debugging of include/config.h and without it: the two layouts differ.
UNIT_TESTS += spinlock spinlock_nodebug
spinlock_SRCS := tests/unit/test_spinlock.c
spinlock_CFLAGS := -pthread
spinlock_nodebug_SRCS := tests/unit/test_spinlock.c
spinlock_nodebug_CFLAGS := -pthread -DCONFIG_NO_DEBUG_LOCKS
