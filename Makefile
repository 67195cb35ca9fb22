# Kairos microhypervisor: build, boot and test.
#
#   make            build build/kairos.elf
#   make iso        build build/kairos.iso (BIOS + UEFI, GRUB), ARGS= baked in
#   make usb DEV=/dev/sdX  write it to a USB stick (whole removable disk, asks first)
#   make run        boot it in QEMU, serial on this terminal (Ctrl-A X quits)
#                   SMP=<n> MEM=<MiB> FIRMWARE=bios|uefi MACHINE=q35|pc ARGS="..."
#   make debug      the same, QEMU waiting for gdb (tools/gdbinit loads symbols)
#   make test       host unit tests, then the boot matrix in QEMU
#   make bench      the figures (boot, clocks, timers, guests, policies, HVM, Linux), tables (BENCH_ARGS=--quick)
#   make unit       host unit tests only
#   make linux-guest  the Linux guest images, build/linux/ (docs/linux-guest.md)
#   make linux-baseline  boot them on bare QEMU (SMP=<n>), cyclictest's figures
#   make format     clang-format the tree
#
# CROSS_COMPILE=x86_64-linux-gnu- selects a prefixed toolchain.

VERSION := 0.1.0

CROSS_COMPILE ?=
CC      := $(CROSS_COMPILE)gcc
LD      := $(CROSS_COMPILE)ld
NM      := $(CROSS_COMPILE)nm
OBJCOPY := $(CROSS_COMPILE)objcopy
HOSTCC  ?= gcc
PYTHON  ?= python3

B := build

# V=1 shows the commands.
ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @printf '  %-7s %s\n'
endif

SMP      ?= 2
MEM      ?= 256
FIRMWARE ?= bios
MACHINE  ?= q35
ARGS     ?=

# The kernel is everything under arch/x86, common and tests/kernel.
KSRCS := $(sort $(shell find arch/x86 common tests/kernel -name '*.c' -o -name '*.S' 2>/dev/null))
KOBJS := $(patsubst %,$(B)/obj/%.o,$(basename $(KSRCS)))

# The framebuffer console's fonts, generated from Debian's PSF console
# fonts (console-setup-linux) by tools/mkfont.py, whose FONTS list they are.
FONT_DIR ?= /usr/share/consolefonts
FONT_FILES := $(shell FONT_DIR=$(FONT_DIR) $(PYTHON) -c 'import sys; sys.path.insert(0, "tools"); import mkfont; print(*mkfont.font_paths())')
KOBJS += $(B)/obj/$(B)/gen/fbfont.o

$(B)/gen/fbfont.c: tools/mkfont.py tools/psf.py $(FONT_FILES)
	@mkdir -p $(dir $@)
	$(quiet) FONT $@
	$(Q)$(PYTHON) tools/mkfont.py $@ $(FONT_FILES)

GCC_INCLUDE := $(shell $(CC) -print-file-name=include)

KCFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -nostdinc \
	-isystem $(GCC_INCLUDE) -Iinclude -Iarch/x86/include \
	-m64 -mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
	-fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-fno-optimize-sibling-calls \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing \
	-fno-common -fcf-protection=none \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wstrict-prototypes \
	-Wmissing-prototypes -Wshadow -Wvla -Wpointer-arith \
	-DKAIROS_VERSION='"$(VERSION)"'
KASFLAGS := $(filter-out -std=gnu11,$(KCFLAGS)) -D__ASSEMBLY__
KLDFLAGS := -nostdlib -n -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments -T linker.ld

.PHONY: all iso usb run debug test bench unit format clean deps guests FORCE
all: $(B)/kairos.elf

-include $(KOBJS:.o=.d)

$(B)/obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(quiet) CC $<
	$(Q)$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@

$(B)/obj/%.o: %.S Makefile
	@mkdir -p $(dir $@)
	$(quiet) AS $<
	$(Q)$(CC) $(KASFLAGS) -MMD -MP -c $< -o $@

# The build identity (git revision, compiler) lives in one object only.
GIT_REV := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
$(B)/obj/common/version.o: KCFLAGS += -DKAIROS_GIT='"$(GIT_REV)"' \
	-DKAIROS_COMPILER='"$(shell $(CC) --version | head -n1)"'
$(B)/obj/common/version.o: FORCE

# Two links: the symbol table goes last in the image, so filling it in
# moves no other symbol; tools/gensyms.sh checks that it did not.
$(B)/kairos-pass1.elf: $(KOBJS) $(B)/obj/symbols-empty.o linker.ld
	$(quiet) LD $@
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(B)/obj/symbols-empty.o

$(B)/obj/symbols-empty.o: tools/gensyms.sh
	@mkdir -p $(dir $@)
	$(Q)tools/gensyms.sh --empty > $(B)/symbols-empty.S
	$(Q)$(CC) $(KASFLAGS) -c $(B)/symbols-empty.S -o $@

$(B)/obj/symbols.o: $(B)/kairos-pass1.elf tools/gensyms.sh
	$(quiet) SYMS $@
	$(Q)NM=$(NM) tools/gensyms.sh $< > $(B)/symbols.S
	$(Q)$(CC) $(KASFLAGS) -c $(B)/symbols.S -o $@

$(B)/kairos.elf: $(KOBJS) $(B)/obj/symbols.o linker.ld
	$(quiet) LD $@
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(B)/obj/symbols.o
	$(Q)NM=$(NM) tools/gensyms.sh --compare $(B)/kairos-pass1.elf $@

# The domains `make run` boots: the demo guests (docs/guest-runtime.md),
# each "IMAGE:MODULE COMMAND LINE". RUN_GUESTS= boots none. GUEST=hvm
# boots the HVM test kernel (docs/hvm.md) unmodified beside ping-pong.
# GUEST=linux boots Debian's stock kernel with the guest initramfs
# (docs/linux-guest.md) as a 2-vCPU HVM domain, cyclictest for 3 s, beside
# ping-pong; LINUX_ARGS= adds to its command line (kairos.workload=shell
# gives a shell on COM1: Ctrl-A three times switches the input to it).
ifeq ($(GUEST),hvm)
RUN_GUESTS ?= "$(B)/tests/hvm/hvmtest.elf:name=hvm type=hvm vcpus=2 \
cmdline=\"test=timer,smp\"" "$(B)/guests/ping.elf:name=ping" \
	"$(B)/guests/pong.elf:name=pong"
else ifeq ($(GUEST),linux)
RUN_GUESTS ?= "$(B)/linux/vmlinuz:name=linux type=hvm vcpus=2 mem=192M \
cmdline=\"console=ttyS0 panic=-1 $(LINUX_ARGS)\"" "$(B)/linux/initramfs.cpio.gz:initrd" \
	"$(B)/guests/ping.elf:name=ping" "$(B)/guests/pong.elf:name=pong"
RUN_DEPS := linux-guest
ifeq ($(origin MEM),file)
MEM := 512
endif
else ifneq ($(GUEST),)
$(error GUEST=$(GUEST): expected GUEST=hvm or GUEST=linux, or none for the demo guests)
endif
RUN_GUESTS ?= "$(B)/guests/ticker.elf:name=ticker" \
	"$(B)/guests/sleeper.elf:name=sleeper" \
	"$(B)/guests/spinner.elf:name=spinner vcpus=2 args=seconds=3" \
	"$(B)/guests/ping.elf:name=ping" "$(B)/guests/pong.elf:name=pong" \
	"$(B)/guests/poller.elf:name=poller vcpus=2"

iso: $(B)/kairos.iso
$(B)/kairos.iso: $(B)/kairos.elf tools/mkiso.sh FORCE | guests $(RUN_DEPS)
	$(quiet) ISO $@
	$(Q)tools/mkiso.sh $@ $(B)/kairos.elf "$(ARGS)" $(RUN_GUESTS)

# tools/write-usb.sh refuses anything but a whole, removable, unmounted
# disk, and asks before it writes.
usb: $(B)/kairos.iso
	@tools/write-usb.sh $(B)/kairos.iso "$(DEV)"

deps:
	@tools/install-deps.sh

QEMU_RUN = tests/harness/boot.py --interactive --firmware $(FIRMWARE) \
	--machine $(MACHINE) --smp $(SMP) --mem $(MEM)

run: deps $(B)/kairos.iso
	$(PYTHON) $(QEMU_RUN) --iso $(B)/kairos.iso

debug: deps $(B)/kairos.iso
	@echo "QEMU waits for gdb on :1234; in another terminal: gdb -x tools/gdbinit"
	$(PYTHON) $(QEMU_RUN) --iso $(B)/kairos.iso --gdb

# ---------------------------------------------------------------------------
# Host unit tests: each tests/unit/<name>.mk adds <name> to UNIT_TESTS and
# lists <name>_SRCS (the test and the portable code it covers).
UNIT_TESTS :=
include $(sort $(wildcard tests/unit/*.mk))

UNIT_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Itests/unit/host -Iinclude -DHOST_TEST
UNIT_LIBS := -lcmocka
UNIT_BINS := $(patsubst %,$(B)/unit/test_%,$(UNIT_TESTS))

define unit_rule
$(B)/unit/test_$(1): $$($(1)_SRCS) tests/unit/host/host_support.c $$(wildcard include/*.h tests/unit/host/*.h tests/unit/host/asm/*.h)
	@mkdir -p $$(dir $$@)
	$$(quiet) HOSTCC $$@
	$$(Q)$$(HOSTCC) $$(UNIT_CFLAGS) $$($(1)_CFLAGS) -o $$@ $$($(1)_SRCS) tests/unit/host/host_support.c $$(UNIT_LIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

# ---------------------------------------------------------------------------
# Fuzz targets (libFuzzer, clang): each tests/fuzz/<name>.mk adds a binary
# to FUZZ_BINS and writes its seed corpus to build/fuzz/corpus/<binary>/ at
# build time. `make fuzz` builds them; `make test` runs each for a bounded
# time (tests/run_tests.py, group "fuzz").
FUZZ_CC := clang
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra \
	-Werror -Wno-unused-parameter -Itests/unit/host -Iinclude -DHOST_TEST
FUZZ_BINS :=
include $(sort $(wildcard tests/fuzz/*.mk))

.PHONY: fuzz
fuzz: deps $(FUZZ_BINS)
# ---------------------------------------------------------------------------
# The host TSC's rate against CLOCK_MONOTONIC: under QEMU's TCG the guest's
# TSC is the host's, so tests/harness/boot.py passes it to every QEMU boot
# as test_tsc_hz= (docs/testing.md).
HOST_TOOL_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror

$(B)/host-tsc-hz: tools/host-tsc-hz.c Makefile
	@mkdir -p $(dir $@)
	$(quiet) HOSTCC $@
	$(Q)$(HOSTCC) $(HOST_TOOL_CFLAGS) -o $@ $< -lm
# ---------------------------------------------------------------------------

unit: deps $(UNIT_BINS)
	$(PYTHON) tests/run_tests.py --unit-only $(UNIT_BINS)

# Guest images (guests/): static ELF64 executables linked at the guest
# window's start, built as freestanding code. The paravirtual guests link
# the runtime in guests/lib/ (docs/guest-runtime.md) plus the
# hypervisor's own common/vsnprintf.c and common/string.c; their sources
# see the public ABI headers (include/public/) and the runtime's, never
# the hypervisor's. Guest code may use SSE (the runtime's upcall entry
# saves the FPU/SSE state). guests/spin.c is the bare image of the
# guest-images boot test and links nothing else.
#   demo guests  guests/NAME.c        -> $(B)/guests/NAME.elf
#   test guests  tests/guests/NAME.c  -> $(B)/tests/guests/NAME.elf
GUEST_CC := $(CC)
GUEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pic \
	-fno-pie -fno-stack-protector -mno-red-zone -nostdlib -static -no-pie \
	-Wl,-Ttext-segment=0x400000 -Wl,--build-id=none
GUEST_RT_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdinc \
	-isystem $(GCC_INCLUDE) -m64 -mno-red-zone -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-common \
	-fcf-protection=none -fno-strict-aliasing \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wstrict-prototypes \
	-Wmissing-prototypes -Wshadow -Wvla -Wpointer-arith
GUEST_PROG_CFLAGS := $(GUEST_RT_CFLAGS) -Iguests/lib -Iinclude/public
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,-Ttext-segment=0x400000 \
	-Wl,--build-id=none -Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack \
	-Wl,-z,norelro -Wl,--fatal-warnings
GUEST_RT_SRCS := $(sort $(wildcard guests/lib/*.c guests/lib/*.S))
GUEST_RT_OBJS := $(patsubst %,$(B)/guest-obj/%.o,$(basename $(GUEST_RT_SRCS))) \
	$(B)/guest-obj/common/vsnprintf.o $(B)/guest-obj/common/string.o
GUESTS := $(patsubst guests/%.c,$(B)/guests/%.elf,$(wildcard guests/*.c))
TEST_GUESTS := $(patsubst tests/guests/%.c,$(B)/tests/guests/%.elf,$(wildcard tests/guests/*.c))

-include $(wildcard $(B)/guest-obj/guests/*.d $(B)/guest-obj/guests/lib/*.d \
	$(B)/guest-obj/tests/guests/*.d $(B)/guest-obj/common/*.d)

# The reused hypervisor sources see the hypervisor's headers.
$(B)/guest-obj/common/%.o: common/%.c Makefile
	@mkdir -p $(dir $@)
	$(quiet) GUESTCC $<
	$(Q)$(GUEST_CC) $(GUEST_RT_CFLAGS) -Iinclude -MMD -MP -c $< -o $@

$(B)/guest-obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(quiet) GUESTCC $<
	$(Q)$(GUEST_CC) $(GUEST_PROG_CFLAGS) -MMD -MP -c $< -o $@

$(B)/guest-obj/%.o: %.S Makefile
	@mkdir -p $(dir $@)
	$(quiet) GUESTAS $<
	$(Q)$(GUEST_CC) $(filter-out -std=gnu11,$(GUEST_PROG_CFLAGS)) -D__ASSEMBLY__ -MMD -MP -c $< -o $@

$(B)/guests/spin.elf: guests/spin.c Makefile
	@mkdir -p $(dir $@)
	$(quiet) GUEST $@
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $<

$(B)/guests/%.elf: $(B)/guest-obj/guests/%.o $(GUEST_RT_OBJS)
	@mkdir -p $(dir $@)
	$(quiet) GUEST $@
	$(Q)$(GUEST_CC) $(GUEST_LDFLAGS) -o $@ $^ -lgcc

$(B)/tests/guests/%.elf: $(B)/guest-obj/tests/guests/%.o $(GUEST_RT_OBJS)
	@mkdir -p $(dir $@)
	$(quiet) GUEST $@
	$(Q)$(GUEST_CC) $(GUEST_LDFLAGS) -o $@ $^ -lgcc

# Malformed images the loader must refuse, derived from a good one.
BAD_IMAGES_STAMP := $(B)/tests/guests/.bad-images
$(BAD_IMAGES_STAMP): tests/guests/make_bad_images.py $(B)/guests/ticker.elf
	$(quiet) BADIMG $(dir $@)
	$(Q)$(PYTHON) tests/guests/make_bad_images.py $(B)/guests/ticker.elf $(dir $@)
	@touch $@
TEST_GUESTS += $(BAD_IMAGES_STAMP)

# HVM test kernels (tests/hvm/, docs/hvm.md): Multiboot (v1) images that
# run unchanged on Kairos's HVM domains and under QEMU's own -kernel. Each
# tests/hvm/*.mk adds its images to HVM_GUESTS.
HVM_GUESTS :=
include $(sort $(wildcard tests/hvm/*.mk))
# So that RUN_GUESTS may name them.
$(B)/kairos.iso: | $(HVM_GUESTS)

# Objects stay for incremental builds (make would delete them as intermediate).
.PRECIOUS: $(B)/guest-obj/%.o $(B)/guest-obj/common/%.o
.PHONY: test-guests
guests: $(GUESTS)
test-guests: $(TEST_GUESTS) $(HVM_GUESTS)

# The Linux guest (docs/linux-guest.md): Debian 12's stock kernel and an
# initramfs of busybox, cyclictest and tools/linux-guest/init, made by
# tools/mklinuxguest.py from Debian packages that `tools/install-deps.sh
# --linux-guest` downloads (never installs) into $(DEB_CACHE). That step
# runs first every time, as `deps` does for the other targets: with the
# packages cached it needs no network, and it rewrites packages.list, which
# the images depend on, only when the packages change. The images also
# depend on the host's libc and loader, which the initramfs copies.
KAIROS_CACHE ?= $(HOME)/.cache/kairos
DEB_CACHE := $(KAIROS_CACHE)/debian
LINUX_GUEST := $(B)/linux/vmlinuz $(B)/linux/initramfs.cpio.gz
.PHONY: linux-guest linux-baseline
linux-guest: $(LINUX_GUEST)

$(DEB_CACHE)/packages.list: FORCE
	@KAIROS_CACHE='$(KAIROS_CACHE)' tools/install-deps.sh --linux-guest || { \
		echo "make: the Linux guest's Debian packages are not in $(DEB_CACHE) and could not be fetched;" \
			"run 'tools/install-deps.sh --linux-guest' (as root, where Debian's mirror is reachable)" >&2; \
		exit 1; }

$(LINUX_GUEST) &: tools/mklinuxguest.py tools/linux-guest/init $(DEB_CACHE)/packages.list \
		$(wildcard /lib64/ld-linux-x86-64.so.2 /lib/x86_64-linux-gnu/libc.so.6)
	$(quiet) LINUX $(B)/linux/
	$(Q)$(PYTHON) tools/mklinuxguest.py --cache '$(DEB_CACHE)' --out $(B)/linux >/dev/null

# The images on bare QEMU, SMP=<n> CPUs: the baseline (tests/harness/linux_guest.py;
# BASELINE_ARGS= adds options). Under TCG Linux marks the TSC unstable on
# more than one CPU: here a note, not a failure. (install-deps.sh
# --linux-guest, run for packages.list, installs what `deps` would.)
linux-baseline: $(LINUX_GUEST)
	$(PYTHON) tests/harness/linux_guest.py --smp $(SMP) --allow-unstable-tsc $(BASELINE_ARGS)

test: deps $(B)/kairos.elf $(B)/host-tsc-hz $(GUESTS) $(TEST_GUESTS) $(HVM_GUESTS) \
		$(LINUX_GUEST) $(UNIT_BINS) fuzz
	$(PYTHON) tests/run_tests.py --kernel $(B)/kairos.elf \
		$(addprefix --fuzz ,$(FUZZ_BINS)) $(UNIT_BINS)

# Figures only, never a failure: see docs/bench.md.
bench: deps $(B)/kairos.elf $(B)/host-tsc-hz $(B)/tests/guests/bench.elf $(HVM_GUESTS) \
	$(B)/tests/guests/hog.elf $(LINUX_GUEST)
	$(PYTHON) tests/bench/bench.py --kernel $(B)/kairos.elf $(BENCH_ARGS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(B)
