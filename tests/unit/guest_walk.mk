# Host tests of the HVM guest page-table walker (arch/x86/hvm/guest_walk.c).
UNIT_TESTS += guest_walk
guest_walk_SRCS := tests/unit/test_guest_walk.c arch/x86/hvm/guest_walk.c
guest_walk_CFLAGS := -Iarch/x86/include
