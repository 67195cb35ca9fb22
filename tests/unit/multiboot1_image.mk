# Host unit tests of the Multiboot (v1) image parser, under an HVM
# domain's RAM layout (arch/x86/hvm/pc_platform.c). The image builder is
# shared with the fuzz target's seed generator (tests/fuzz/); the ELF64
# one makes the image that must be refused.
UNIT_TESTS += multiboot1_image
multiboot1_image_SRCS := tests/unit/test_multiboot1_image.c \
	common/multiboot1_image.c arch/x86/hvm/pc_platform.c common/reject.c \
	tests/fuzz/mb1_builder.c tests/fuzz/elf_builder.c
multiboot1_image_CFLAGS := -Itests/fuzz -Iarch/x86/include
$(B)/unit/test_multiboot1_image: tests/fuzz/mb1_builder.h \
	tests/fuzz/elf_builder.h $(wildcard arch/x86/include/asm/hvm/*.h)
