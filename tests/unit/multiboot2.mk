# Host unit tests of the multiboot2 boot-information parser.
UNIT_TESTS += multiboot2
multiboot2_SRCS := tests/unit/test_multiboot2.c common/multiboot2.c
