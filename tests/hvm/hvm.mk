# HVM test kernels (docs/hvm-test-kernels.md): Multiboot (v1) kernels that
# check, from inside, what a real OS relies on in an HVM domain, and run
# unchanged under QEMU's own -kernel. The runtime is tests/hvm/lib/ plus
# the hypervisor's common/vsnprintf.c, string.c and glob.c, built for the
# guest: -mgeneral-regs-only, since no handler saves FPU state.
#
#   tests/hvm/NAME/*.c, *.S -> $(B)/tests/hvm/NAME.elf
#
# The link makes an ELF64 image at physical 1 MiB ($(B)/tests/hvm/NAME.elf64,
# with symbols, for gdb); objcopy turns it into the ELF32 file QEMU's
# -kernel wants (it refuses ELF64 Multiboot kernels).

HVM_IMAGES := hvmtest hvmfuzz

HVM_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdinc -isystem $(GCC_INCLUDE) \
	-m64 -mno-red-zone -mgeneral-regs-only -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-common \
	-fcf-protection=none -fno-strict-aliasing -fno-omit-frame-pointer \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wstrict-prototypes \
	-Wmissing-prototypes -Wshadow -Wvla -Wpointer-arith
HVM_LDS := tests/hvm/lib/hvm.lds
HVM_LDFLAGS := -nostdlib -n -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments --fatal-warnings -T $(HVM_LDS)
HVM_LIBGCC := $(shell $(CC) -print-libgcc-file-name)

HVM_LIB_SRCS := $(sort $(wildcard tests/hvm/lib/*.c tests/hvm/lib/*.S))
HVM_LIB_OBJS := $(patsubst %,$(B)/hvm-obj/%.o,$(basename $(HVM_LIB_SRCS))) \
	$(addprefix $(B)/hvm-obj/common/,vsnprintf.o string.o glob.o)

-include $(wildcard $(B)/hvm-obj/tests/hvm/*/*.d $(B)/hvm-obj/common/*.d)

# The reused hypervisor sources see the hypervisor's headers; ours do not.
$(B)/hvm-obj/common/%.o: common/%.c Makefile tests/hvm/hvm.mk
	@mkdir -p $(dir $@)
	$(quiet) HVMCC $<
	$(Q)$(CC) $(HVM_CFLAGS) -Iinclude -MMD -MP -c $< -o $@

$(B)/hvm-obj/tests/hvm/%.o: tests/hvm/%.c Makefile tests/hvm/hvm.mk
	@mkdir -p $(dir $@)
	$(quiet) HVMCC $<
	$(Q)$(CC) $(HVM_CFLAGS) -Itests/hvm/lib -MMD -MP -c $< -o $@

$(B)/hvm-obj/tests/hvm/%.o: tests/hvm/%.S Makefile tests/hvm/hvm.mk
	@mkdir -p $(dir $@)
	$(quiet) HVMAS $<
	$(Q)$(CC) $(filter-out -std=gnu11,$(HVM_CFLAGS)) -Itests/hvm/lib -D__ASSEMBLY__ \
		-MMD -MP -c $< -o $@

define hvm_image_rule
HVM_$(1)_OBJS := $$(patsubst %,$(B)/hvm-obj/%.o,$$(basename $$(sort \
	$$(wildcard tests/hvm/$(1)/*.c tests/hvm/$(1)/*.S))))

$(B)/tests/hvm/$(1).elf64: $$(HVM_$(1)_OBJS) $$(HVM_LIB_OBJS) $$(HVM_LDS)
	@mkdir -p $$(dir $$@)
	$$(quiet) LD $$@
	$$(Q)$$(LD) $$(HVM_LDFLAGS) -o $$@ $$(HVM_$(1)_OBJS) $$(HVM_LIB_OBJS) $$(HVM_LIBGCC)

$(B)/tests/hvm/$(1).elf: $(B)/tests/hvm/$(1).elf64
	$$(quiet) OBJCOPY $$@
	$$(Q)$$(OBJCOPY) -O elf32-i386 $$< $$@
endef
$(foreach i,$(HVM_IMAGES),$(eval $(call hvm_image_rule,$(i))))

HVM_GUESTS += $(patsubst %,$(B)/tests/hvm/%.elf,$(HVM_IMAGES))
.PRECIOUS: $(B)/hvm-obj/%.o
