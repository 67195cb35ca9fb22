#!/usr/bin/env bash
# Install what building, booting and testing the hypervisor needs on Debian.
#
# Idempotent: checks each requirement first and installs only what is missing.
# As root it uses apt-get (adding Debian's backports suite for a QEMU >= 9);
# otherwise it prints the exact commands to run and fails.
#
# Usage: tools/install-deps.sh [--check] [--linux-guest]
#   --check        report only, never install (nor download)
#   --linux-guest  also download, never install, the Debian 12 packages the
#                  Linux guest images are built from (tools/mklinuxguest.py,
#                  docs/linux-guest.md) into ${KAIROS_CACHE:-~/.cache/kairos}/debian;
#                  what is cached already is not fetched again, so with a
#                  full cache it needs no network
set -euo pipefail

QEMU_MIN_MAJOR=9
check_only=0
linux_guest=0
for arg in "$@"; do
	case "$arg" in
	--check) check_only=1 ;;
	--linux-guest) linux_guest=1 ;;
	*)
		echo "usage: $0 [--check] [--linux-guest]" >&2
		exit 2
		;;
	esac
done

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
	# The framebuffer console's fonts (tools/mkfont.py): Terminus PSF files.
	[console-setup-linux]=file:/usr/share/consolefonts/Lat15-Terminus16.psf.gz
	[pkg-config]=cmd:pkg-config
	[bochs]=cmd:bochs
	[bochs-term]=file:/usr/lib/x86_64-linux-gnu/bochs/plugins/libbx_term_gui.so
	[bochsbios]=file:/usr/share/bochs/BIOS-bochs-latest
	[vgabios]=file:/usr/share/vgabios/vgabios.bin
	[python3]=cmd:python3
	# tools/ktrace.py --plot: matplotlib if python3 can import it, else
	# gnuplot. Debian's python3-matplotlib serves Debian's /usr/bin/python3
	# only, and the python3 on PATH may be another (the build machines'
	# is pyenv's); gnuplot is found on PATH whichever python3 runs the tool.
	# The harness's plot test (tests/harness/test_ktrace.py) draws with it.
	[gnuplot-nox]=cmd:gnuplot
	[gdb]=cmd:gdb
	[clang-format]=cmd:clang-format
	[clang]=cmd:clang
	[libclang-rt-14-dev]=file:/usr/lib/clang/14/lib/linux/libclang_rt.fuzzer-x86_64.a
)
# What --linux-guest needs on the host: dpkg-deb unpacks the packages, ldd
# lists cyclictest's libraries (tools/mklinuxguest.py writes the cpio itself).
if [ $linux_guest -eq 1 ]; then
	probe[dpkg]=cmd:dpkg-deb
	probe[libc-bin]=cmd:ldd
fi

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

apt_updated=0 # set once this run has refreshed the package lists

# ---------------------------------------------------------------------------
# --linux-guest: the Debian packages of the Linux guest images, fetched with
# `apt-get download` (never installed) into DEB_CACHE. A package with a .deb
# in the cache is not fetched again; packages.list there names the files the
# images are built from, "<package> <file>" a line, and is rewritten only
# when that changes, so that make rebuilds the images only then.
DEB_CACHE="${KAIROS_CACHE:-$HOME/.cache/kairos}/debian"
KERNEL_META=linux-image-amd64 # Debian 12's stock kernel: the package it depends on
# busybox for /init and the shell, rt-tests for cyclictest, and the libraries
# cyclictest links that the host's libc6 does not provide (mklinuxguest.py
# takes libc, libpthread, librt and the dynamic loader from the host).
GUEST_PACKAGES=(busybox-static rt-tests libnuma1)

# The versioned kernel package KERNEL_META depends on, from the local
# package lists (no network); empty without lists.
kernel_package() {
	{ apt-cache depends "$KERNEL_META" 2>/dev/null || true; } |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1
}

# The newest cached .deb whose name matches the glob $1 (a package name or
# a pattern of names), or nothing.
cached_deb() {
	local files=()
	shopt -s nullglob
	# shellcheck disable=SC2206 # $1 is a glob on purpose
	files=("$DEB_CACHE"/$1_*.deb)
	shopt -u nullglob
	[ ${#files[@]} -gt 0 ] && printf '%s\n' "${files[@]}" | sort -V | tail -n1
	return 0
}

# Downloads package $1 into the cache (through a private directory, so an
# interrupted download leaves nothing behind); apt's own messages go to
# stderr only on failure.
download_deb() {
	local tmp sandbox=()
	tmp=$(mktemp -d "$DEB_CACHE/.download.XXXXXX")
	# As root apt drops to the _apt user, who may not write here.
	[ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)
	if (cd "$tmp" && apt-get download -q "${sandbox[@]}" "$1" >apt.log 2>&1); then
		mv "$tmp"/*.deb "$DEB_CACHE"/
		rm -rf "$tmp"
		return 0
	fi
	grep '^E:' "$tmp/apt.log" | sed 's/^/  apt-get: /' >&2 || tail -n 2 "$tmp/apt.log" >&2
	rm -rf "$tmp"
	return 1
}

# Refreshes the package lists once (root only; offline it fails quietly).
refresh_lists() {
	[ $apt_updated -eq 0 ] && [ "$(id -u)" -eq 0 ] || return 1
	apt_updated=1
	echo "install-deps: apt-get update"
	apt-get update -qq >/dev/null 2>&1
}

fetch_guest_debs() {
	local kernel pkg deb list wanted=() fetch=() files=()
	mkdir -p "$DEB_CACHE"
	kernel=$(kernel_package)
	if [ -z "$kernel" ] && [ -z "$(cached_deb 'linux-image-[0-9]*')" ] &&
		[ $check_only -eq 0 ] && refresh_lists; then
		kernel=$(kernel_package)
	fi
	if [ -z "$kernel" ]; then
		deb=$(cached_deb 'linux-image-[0-9]*')
		if [ -z "$deb" ]; then
			echo "install-deps: cannot tell which kernel $KERNEL_META depends on (no package lists?)" >&2
			echo "install-deps: as root, run: apt-get update; then: $0 --linux-guest" >&2
			exit 1
		fi
		kernel=$(basename "${deb%%_*}")
		echo "install-deps: no package lists; using the cached $kernel" >&2
	fi
	wanted=("$kernel" "${GUEST_PACKAGES[@]}")
	for pkg in "${wanted[@]}"; do
		[ -n "$(cached_deb "$pkg")" ] || fetch+=("$pkg")
	done
	if [ ${#fetch[@]} -gt 0 ] && [ $check_only -eq 1 ]; then
		echo "install-deps: not in $DEB_CACHE: ${fetch[*]}" >&2
		echo "install-deps: run: $0 --linux-guest" >&2
		exit 1
	fi
	for pkg in ${fetch[@]+"${fetch[@]}"}; do
		echo "install-deps: downloading $pkg into $DEB_CACHE"
		download_deb "$pkg" && continue
		refresh_lists && download_deb "$pkg" && continue
		deb=$(cached_deb 'linux-image-[0-9]*')
		if [ "$pkg" = "$kernel" ] && [ -n "$deb" ]; then
			kernel=$(basename "${deb%%_*}")
			echo "install-deps: warning: could not download $pkg; using the cached $kernel" >&2
			continue
		fi
		echo "install-deps: cannot download $pkg (apt-get download $pkg failed: no network?)" >&2
		echo "install-deps: rerun '$0 --linux-guest' where Debian's mirror is reachable, or put ${pkg}'s .deb in $DEB_CACHE" >&2
		exit 1
	done
	list="$DEB_CACHE/packages.list"
	for pkg in "$kernel" "${GUEST_PACKAGES[@]}"; do
		deb=$(cached_deb "$pkg")
		files+=("$pkg $(basename "$deb")")
	done
	if ! printf '%s\n' "${files[@]}" | cmp -s - "$list"; then
		printf '%s\n' "${files[@]}" >"$list.tmp"
		mv "$list.tmp" "$list"
		echo "install-deps: $list: ${files[*]}"
	fi
}

if [ ${#missing[@]} -eq 0 ] && [ $need_qemu -eq 0 ]; then
	[ $linux_guest -eq 0 ] || fetch_guest_debs
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
apt_updated=1
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

[ $linux_guest -eq 0 ] || fetch_guest_debs
