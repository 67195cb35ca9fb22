# Host unit tests of the Linux bzImage parser, and of the zero page an HVM
# domain's kernel finds (arch/x86/hvm/pc_platform.c). The image builder
# is shared with the fuzz target's seed generator (tests/fuzz/).
UNIT_TESTS += bzimage
bzimage_SRCS := tests/unit/test_bzimage.c common/bzimage.c \
	arch/x86/hvm/pc_platform.c common/reject.c tests/fuzz/bz_builder.c
bzimage_CFLAGS := -Itests/fuzz -Iarch/x86/include
$(B)/unit/test_bzimage: tests/fuzz/bz_builder.h \
	$(wildcard arch/x86/include/asm/hvm/*.h)
