#!/bin/sh
# Writes an ISO image to a USB stick: tools/write-usb.sh <iso> <device>
# (make usb DEV=/dev/sdX). Only a whole, removable, unmounted disk is
# accepted, and only after its model and size are shown and "yes" is
# typed; anything else is refused with the reason and nothing is written.
# Exit status: 0 written, 1 refused or not confirmed, 2 usage.
set -eu

SYS_BLOCK=/sys/class/block

die() {
	echo "write-usb: $*" >&2
	exit 1
}

if [ $# -ne 2 ] || [ -z "$2" ]; then
	echo "usage: $0 <iso> <device>   (make usb DEV=/dev/sdX)" >&2
	exit 2
fi
iso=$1
dev=$2

[ -s "$iso" ] || die "$iso: no ISO image there (make iso builds it)"
[ -e "$dev" ] || die "$dev: no such device"
[ -b "$dev" ] || die "$dev: not a block device; give a whole USB disk such as /dev/sdX"

# The kernel's name for it (/dev/disk/by-id/... links resolve to sdX).
name=$(basename "$(readlink -f "$dev")")
sys=$SYS_BLOCK/$name
[ -d "$sys" ] || die "$dev: $name is not in $SYS_BLOCK"
[ ! -e "$sys/partition" ] ||
	die "$dev: a partition; give the whole disk (e.g. /dev/$(basename "$(dirname "$(readlink -f "$sys")")"))"
[ -r "$sys/removable" ] || die "$dev: $sys/removable missing; not a disk"
[ "$(cat "$sys/removable")" = 1 ] ||
	die "$dev: not a removable disk ($sys/removable is $(cat "$sys/removable")); refusing to overwrite it"

# Neither the disk nor any of its partitions may be mounted.
mounted=$(awk -v d="/dev/$name" '$1 == d || index($1, d "p") == 1 || (index($1, d) == 1 && substr($1, length(d) + 1) ~ /^[0-9]+$/) { print $1 " on " $2 }' /proc/mounts)
[ -z "$mounted" ] || die "$dev: mounted ($mounted); unmount it first"

model=$(cat "$sys/device/vendor" "$sys/device/model" 2>/dev/null | tr -s ' \n' ' ' || true)
sectors=$(cat "$sys/size")
mib=$((sectors * 512 / 1048576))
echo "write-usb: $dev: ${model:-unknown model}, $mib MiB"
echo "write-usb: everything on $dev will be replaced by $iso ($(($(wc -c <"$iso") / 1048576)) MiB)."
printf 'Type yes to write: '
read -r answer || answer=
[ "$answer" = yes ] || die "not confirmed; nothing written"

run=
[ -w "$dev" ] || run=sudo
$run dd if="$iso" of="$dev" bs=4M conv=fsync status=progress
echo "write-usb: done; $dev can be removed"
