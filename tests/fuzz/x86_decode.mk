# The HVM instruction decoder under libFuzzer (fuzz_x86_decode.c). Its
# seed corpus is the encodings of the unit test's table (GNU as output),
# one file each, a mode byte first, written at build time.
FUZZ_BINS += $(B)/fuzz/fuzz_x86_decode

X86_DECODE_FUZZ_SRCS := tests/fuzz/fuzz_x86_decode.c arch/x86/hvm/x86_decode.c \
	tests/unit/host/host_support.c

$(B)/fuzz/fuzz_x86_decode: $(X86_DECODE_FUZZ_SRCS) $(wildcard include/*.h \
		tests/unit/host/*.h arch/x86/include/asm/hvm/x86_decode.h) \
		| $(B)/fuzz/corpus/fuzz_x86_decode/.stamp
	@mkdir -p $(dir $@)
	$(quiet) FUZZCC $@
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Iarch/x86/include -o $@ $(X86_DECODE_FUZZ_SRCS)

$(B)/fuzz/corpus/fuzz_x86_decode/.stamp: tests/unit/test_x86_decode.c \
		tests/fuzz/gen_x86_decode_seeds.py
	$(quiet) SEEDS $(dir $@)
	$(Q)rm -rf $(dir $@) && mkdir -p $(dir $@) && \
		$(PYTHON) tests/fuzz/gen_x86_decode_seeds.py $< $(dir $@) && touch $@
