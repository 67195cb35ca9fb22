# Host tests of the HVM instruction decoder (arch/x86/hvm/x86_decode.c).
UNIT_TESTS += x86_decode
x86_decode_SRCS := tests/unit/test_x86_decode.c arch/x86/hvm/x86_decode.c
x86_decode_CFLAGS := -Iarch/x86/include
