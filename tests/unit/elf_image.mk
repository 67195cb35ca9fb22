# Host unit tests of the guest image validator. The ELF image builder is
# shared with the fuzz target's seed generator (tests/fuzz/).
UNIT_TESTS += elf_image
elf_image_SRCS := tests/unit/test_elf_image.c common/elf_image.c common/reject.c \
	tests/fuzz/elf_builder.c
elf_image_CFLAGS := -Itests/fuzz
$(B)/unit/test_elf_image: tests/fuzz/elf_builder.h
