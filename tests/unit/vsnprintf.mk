# vsnprintf is checked byte for byte against glibc's snprintf, so the
# kernel's copy is built under other names (k_vsnprintf, k_snprintf) into
# its own object: a -D on vsnprintf_CFLAGS would rename glibc's too.
UNIT_TESTS += vsnprintf
vsnprintf_SRCS := tests/unit/test_vsnprintf.c $(B)/unit/kvsnprintf.o

$(B)/unit/kvsnprintf.o: common/vsnprintf.c tests/unit/vsnprintf.mk \
		$(wildcard include/*.h)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(UNIT_CFLAGS) -ffreestanding -fno-builtin \
		-Dvsnprintf=k_vsnprintf -Dsnprintf=k_snprintf -c $< -o $@
