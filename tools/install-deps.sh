#!/usr/bin/env bash
# Install what building, booting and testing the hypervisor needs on Debian.
#
# Idempotent: checks each requirement first and installs only what is missing.
# As root it uses apt-get (adding Debian's backports suite for a QEMU >= 9);
# otherwise it prints the exact commands to run and fails.
#
# Usage: tools/install-deps.sh [--check]   (--check: report only, never install)
set -euo pipefail

QEMU_MIN_MAJOR=9
check_only=0
[ "${1:-}" = "--check" ] && check_only=1

# package -> a file or command that proves it is installed
declare -A probe=(
	[gcc]=cmd:gcc
	[make]=cmd:make
	[binutils]=cmd:objcopy
	[grub-common]=cmd:grub-mkrescue
	[grub-pc-bin]=file:/usr/lib/grub/i386-pc/multiboot2.mod
	[grub-efi-amd64-bin]=file:/usr/lib/grub/x86_64-efi/multiboot2.mod
	[xorriso]=cmd:xorriso
	[mtools]=cmd:mformat
	[ovmf]=file:/usr/share/OVMF/OVMF_CODE_4M.fd
	[libcmocka-dev]=file:/usr/include/cmocka.h
	[pkg-config]=cmd:pkg-config
	[bochs]=cmd:bochs
	[bochs-term]=file:/usr/lib/x86_64-linux-gnu/bochs/plugins/libbx_term_gui.so
	[bochsbios]=file:/usr/share/bochs/BIOS-bochs-latest
	[vgabios]=file:/usr/share/vgabios/vgabios.bin
	[python3]=cmd:python3
	[gdb]=cmd:gdb
	[clang-format]=cmd:clang-format
	[clang]=cmd:clang
	[libclang-rt-14-dev]=file:/usr/lib/clang/14/lib/linux/libclang_rt.fuzzer-x86_64.a
)

have() {
	case "${probe[$1]}" in
	cmd:*) command -v "${probe[$1]#cmd:}" >/dev/null 2>&1 ;;
	file:*) [ -e "${probe[$1]#file:}" ] ;;
	esac
}

qemu_major() {
	command -v qemu-system-x86_64 >/dev/null 2>&1 || { echo 0; return; }
	qemu-system-x86_64 --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p' | head -n1
}

missing=()
for pkg in "${!probe[@]}"; do
	have "$pkg" || missing+=("$pkg")
done
need_qemu=0
[ "$(qemu_major)" -ge "$QEMU_MIN_MAJOR" ] || need_qemu=1

if [ ${#missing[@]} -eq 0 ] && [ $need_qemu -eq 0 ]; then
	exit 0
fi

codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
backports="${codename}-backports"

if [ $check_only -eq 1 ] || [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing: ${missing[*]}$([ $need_qemu -eq 1 ] && echo " qemu-system-x86(>=$QEMU_MIN_MAJOR)")" >&2
	echo "install-deps: as root, run:" >&2
	[ $need_qemu -eq 1 ] && echo "  echo 'deb http://deb.debian.org/debian $backports main' > /etc/apt/sources.list.d/backports.list" >&2
	echo "  apt-get update" >&2
	[ ${#missing[@]} -gt 0 ] && echo "  apt-get install -y --no-install-recommends ${missing[*]}" >&2
	[ $need_qemu -eq 1 ] && echo "  apt-get install -y --no-install-recommends -t $backports qemu-system-x86" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ $need_qemu -eq 1 ] && [ -n "$codename" ] &&
	! grep -rqs "$backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo "install-deps: adding Debian's $backports suite for QEMU >= $QEMU_MIN_MAJOR"
	echo "deb http://deb.debian.org/debian $backports main" >/etc/apt/sources.list.d/backports.list
fi
echo "install-deps: apt-get update"
apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ $need_qemu -eq 1 ]; then
	echo "install-deps: installing qemu-system-x86 from $backports"
	apt-get install -y -qq --no-install-recommends -t "$backports" qemu-system-x86 >/dev/null ||
		apt-get install -y -qq --no-install-recommends qemu-system-x86 >/dev/null
	if [ "$(qemu_major)" -lt "$QEMU_MIN_MAJOR" ]; then
		echo "install-deps: warning: QEMU $(qemu_major) < $QEMU_MIN_MAJOR; x2APIC tests will be skipped" >&2
	fi
fi
