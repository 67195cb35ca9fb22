# The Linux bzImage parser and the zero page built from its plan under
# libFuzzer (fuzz_bzimage.c), and its seed corpus, written at build time
# by gen_bz_seeds.c into build/fuzz/corpus/fuzz_bzimage.
FUZZ_BINS += $(B)/fuzz/fuzz_bzimage

BZ_FUZZ_SRCS := tests/fuzz/fuzz_bzimage.c common/bzimage.c \
	arch/x86/hvm/pc_platform.c common/reject.c tests/unit/host/host_support.c

$(B)/fuzz/fuzz_bzimage: $(BZ_FUZZ_SRCS) \
		$(wildcard include/*.h tests/unit/host/*.h arch/x86/include/asm/hvm/*.h) \
		| $(B)/fuzz/corpus/fuzz_bzimage/.stamp
	@mkdir -p $(dir $@)
	$(quiet) FUZZCC $@
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Iarch/x86/include -o $@ $(BZ_FUZZ_SRCS)

$(B)/fuzz/gen_bz_seeds: tests/fuzz/gen_bz_seeds.c tests/fuzz/bz_builder.c \
		tests/fuzz/bz_builder.h $(wildcard include/*.h)
	@mkdir -p $(dir $@)
	$(quiet) HOSTCC $@
	$(Q)$(HOSTCC) -std=gnu11 -O1 -g -Wall -Wextra -Werror \
		-Wno-unused-parameter -Iinclude -Itests/fuzz -o $@ \
		tests/fuzz/gen_bz_seeds.c tests/fuzz/bz_builder.c

$(B)/fuzz/corpus/fuzz_bzimage/.stamp: $(B)/fuzz/gen_bz_seeds
	$(quiet) SEEDS $(dir $@)
	$(Q)rm -rf $(dir $@) && mkdir -p $(dir $@) && $< $(dir $@) && touch $@
