# Host tests of the reader-writer locks (include/rwlock.h).
UNIT_TESTS += rwlock
rwlock_SRCS := tests/unit/test_rwlock.c
rwlock_CFLAGS := -pthread
