# The Multiboot (v1) image parser under libFuzzer (fuzz_multiboot1_image.c),
# with an HVM domain's RAM layout (arch/x86/hvm/pc_platform.c), and its
# seed corpus, written at build time by gen_mb1_seeds.c into
# build/fuzz/corpus/fuzz_multiboot1_image.
FUZZ_BINS += $(B)/fuzz/fuzz_multiboot1_image

MB1_FUZZ_SRCS := tests/fuzz/fuzz_multiboot1_image.c common/multiboot1_image.c \
	arch/x86/hvm/pc_platform.c common/reject.c tests/unit/host/host_support.c

$(B)/fuzz/fuzz_multiboot1_image: $(MB1_FUZZ_SRCS) \
		$(wildcard include/*.h tests/unit/host/*.h arch/x86/include/asm/hvm/*.h) \
		| $(B)/fuzz/corpus/fuzz_multiboot1_image/.stamp
	@mkdir -p $(dir $@)
	$(quiet) FUZZCC $@
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Iarch/x86/include -o $@ $(MB1_FUZZ_SRCS)

$(B)/fuzz/gen_mb1_seeds: tests/fuzz/gen_mb1_seeds.c tests/fuzz/mb1_builder.c \
		tests/fuzz/mb1_builder.h $(wildcard include/*.h)
	@mkdir -p $(dir $@)
	$(quiet) HOSTCC $@
	$(Q)$(HOSTCC) -std=gnu11 -O1 -g -Wall -Wextra -Werror \
		-Wno-unused-parameter -Iinclude -Itests/fuzz -o $@ \
		tests/fuzz/gen_mb1_seeds.c tests/fuzz/mb1_builder.c

$(B)/fuzz/corpus/fuzz_multiboot1_image/.stamp: $(B)/fuzz/gen_mb1_seeds
	$(quiet) SEEDS $(dir $@)
	$(Q)rm -rf $(dir $@) && mkdir -p $(dir $@) && $< $(dir $@) && touch $@
