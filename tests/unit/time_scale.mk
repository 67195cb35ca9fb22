# Host tests of the multiply-and-shift time scales (include/time_scale.h,
# common/time_scale.c) against a 128-bit reference.
UNIT_TESTS += time_scale
time_scale_SRCS := tests/unit/test_time_scale.c common/time_scale.c
