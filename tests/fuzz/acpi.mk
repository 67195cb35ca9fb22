# The ACPI table parser under libFuzzer (fuzz_acpi.c), and its seed corpus,
# written at build time by gen_acpi_seeds.c into build/fuzz/corpus/fuzz_acpi.
FUZZ_BINS += $(B)/fuzz/fuzz_acpi

ACPI_FUZZ_SRCS := tests/fuzz/fuzz_acpi.c tests/fuzz/acpi_image.c common/acpi.c \
	tests/unit/host/host_support.c

$(B)/fuzz/fuzz_acpi: $(ACPI_FUZZ_SRCS) tests/fuzz/acpi_image.h \
		$(wildcard include/*.h tests/unit/host/*.h) \
		| $(B)/fuzz/corpus/fuzz_acpi/.stamp
	@mkdir -p $(dir $@)
	$(quiet) FUZZCC $@
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Itests/fuzz -o $@ $(ACPI_FUZZ_SRCS)

$(B)/fuzz/gen_acpi_seeds: tests/fuzz/gen_acpi_seeds.c tests/fuzz/acpi_image.c \
		tests/fuzz/acpi_image.h $(wildcard include/*.h)
	@mkdir -p $(dir $@)
	$(quiet) HOSTCC $@
	$(Q)$(HOSTCC) -std=gnu11 -O1 -g -Wall -Wextra -Werror \
		-Wno-unused-parameter -Iinclude -Itests/fuzz -o $@ \
		tests/fuzz/gen_acpi_seeds.c tests/fuzz/acpi_image.c

$(B)/fuzz/corpus/fuzz_acpi/.stamp: $(B)/fuzz/gen_acpi_seeds
	$(quiet) SEEDS $(dir $@)
	$(Q)rm -rf $(dir $@) && mkdir -p $(dir $@) && $< $(dir $@) && touch $@
