# The kernel's string routines are checked against glibc's, so they are
# built under other names into objects of their own: k_* is the kernel's
# build (rep movsb/stosb on x86-64), kg_* the portable C fallback, which
# AddressSanitizer can see into.
UNIT_TESTS += string
string_SRCS := tests/unit/test_string.c $(B)/unit/kstring.o \
	$(B)/unit/kstring_generic.o

KSTRING_FUNCS := memcpy memmove memset memcmp strlen strnlen strcmp strncmp \
	strchr strlcpy
kstring_rename = $(foreach f,$(KSTRING_FUNCS),-D$(f)=$(1)$(f))

$(B)/unit/kstring.o: KSTRING_DEFS = $(call kstring_rename,k_)
$(B)/unit/kstring_generic.o: KSTRING_DEFS = $(call kstring_rename,kg_) \
	-DKAIROS_STRING_GENERIC
$(B)/unit/kstring.o $(B)/unit/kstring_generic.o: common/string.c \
		tests/unit/string.mk $(wildcard include/*.h)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(UNIT_CFLAGS) -ffreestanding -fno-builtin $(KSTRING_DEFS) \
		-c $< -o $@
