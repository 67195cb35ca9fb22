# The guest image validator under libFuzzer (fuzz_elf_image.c), and its
# seed corpus, written at build time by gen_elf_seeds.c into
# build/fuzz/corpus/fuzz_elf_image.
FUZZ_BINS += $(B)/fuzz/fuzz_elf_image

ELF_FUZZ_SRCS := tests/fuzz/fuzz_elf_image.c common/elf_image.c \
	common/reject.c tests/unit/host/host_support.c

$(B)/fuzz/fuzz_elf_image: $(ELF_FUZZ_SRCS) $(wildcard include/*.h tests/unit/host/*.h) \
		| $(B)/fuzz/corpus/fuzz_elf_image/.stamp
	@mkdir -p $(dir $@)
	$(quiet) FUZZCC $@
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(ELF_FUZZ_SRCS)

$(B)/fuzz/gen_elf_seeds: tests/fuzz/gen_elf_seeds.c tests/fuzz/elf_builder.c \
		tests/fuzz/elf_builder.h $(wildcard include/*.h)
	@mkdir -p $(dir $@)
	$(quiet) HOSTCC $@
	$(Q)$(HOSTCC) -std=gnu11 -O1 -g -Wall -Wextra -Werror \
		-Wno-unused-parameter -Iinclude -Itests/fuzz -o $@ \
		tests/fuzz/gen_elf_seeds.c tests/fuzz/elf_builder.c

$(B)/fuzz/corpus/fuzz_elf_image/.stamp: $(B)/fuzz/gen_elf_seeds
	$(quiet) SEEDS $(dir $@)
	$(Q)rm -rf $(dir $@) && mkdir -p $(dir $@) && $< $(dir $@) && touch $@
