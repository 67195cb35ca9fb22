# Host tests of the CPU masks (include/cpumask.h, common/cpumask.c), at the
# kernel's NR_CPUS and at one whose last word is only partly used.
UNIT_TESTS += cpumask cpumask_small
cpumask_SRCS := tests/unit/test_cpumask.c common/cpumask.c
cpumask_CFLAGS := -pthread
cpumask_small_SRCS := tests/unit/test_cpumask.c common/cpumask.c
cpumask_small_CFLAGS := -pthread -DNR_CPUS=130
