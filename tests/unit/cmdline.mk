# Host unit tests of the boot command-line parser.
UNIT_TESTS += cmdline
cmdline_SRCS := tests/unit/test_cmdline.c common/params.c
