# Host tests of the TSC rate from CPUID leaves 15h and 16h.
UNIT_TESTS += tsc_cpuid
tsc_cpuid_SRCS := tests/unit/test_tsc_cpuid.c arch/x86/tsc_cpuid.c
tsc_cpuid_CFLAGS := -Iarch/x86/include
