# Host tests of the wall-clock conversions (include/wallclock.h,
# common/wallclock.c): BCD, 12-hour clocks, leap years, centuries, dates
# to seconds since 1970, and the CMOS decode with invalid registers.
UNIT_TESTS += wallclock
wallclock_SRCS := tests/unit/test_wallclock.c common/wallclock.c
