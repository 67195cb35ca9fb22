# Host tests of the clocksource registry and the clocksource= option. The
# option is parsed by the real command-line code over the options the
# binary declares: tests/unit/host/params.ld brackets them as linker.ld does.
UNIT_TESTS += clocksource
clocksource_SRCS := tests/unit/test_clocksource.c common/clocksource.c \
	common/cmdline.c common/params.c
clocksource_CFLAGS := -Wl,-T,tests/unit/host/params.ld
$(B)/unit/test_clocksource: tests/unit/host/params.ld
