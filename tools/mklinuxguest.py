#!/usr/bin/env python3
"""Build the Linux guest images from Debian 12's own packages.

    tools/mklinuxguest.py [--cache DIR] [--out DIR] [--init FILE]

Reads DIR/packages.list (default ${KAIROS_CACHE:-~/.cache/kairos}/debian,
written by `tools/install-deps.sh --linux-guest`: "<package> <file.deb>" a
line) and writes, in --out (default build/linux):

  vmlinuz             the stock kernel's bzImage, as the linux-image package
                      ships it (boot/vmlinuz-*)
  initramfs.cpio.gz   a newc cpio, gzipped: busybox-static with a symlink
                      per applet, cyclictest (rt-tests), the shared
                      libraries `ldd` lists for it (libnuma from its
                      package, libc and the rest from the host, the
                      dynamic loader at its own path), /dev/console, the
                      mount points, and /init (--init, default
                      tools/linux-guest/init)

Nothing is installed on the host: each package is unpacked into a temporary
directory (only the kernel's boot/vmlinuz-* is taken from the kernel
package, whose modules stay in the archive). The cpio is reproducible:
members sorted by path, owner 0:0, inode numbers in that order, every
mtime SOURCE_DATE_EPOCH (default 0), and a gzip header without name or
time; so the same packages and the same host libc give the same bytes.
See docs/linux-guest.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CACHE = Path(os.environ.get("KAIROS_CACHE", Path.home() / ".cache" / "kairos")) / "debian"
FETCH_HINT = "tools/install-deps.sh --linux-guest (make linux-guest runs it)"
LIB_DIR = "lib/x86_64-linux-gnu"  # where the image keeps the libraries (ld.so searches it)


class BuildError(Exception):
    """A reason the images cannot be built, for one line on stderr."""


@dataclasses.dataclass
class Member:
    """One cpio member: a directory, a file (data), a symlink (target) or a
    character device (rdev)."""

    mode: int  # st_mode: type and permissions
    data: bytes = b""
    rdev: tuple[int, int] = (0, 0)


def read_packages(cache: Path) -> dict[str, Path]:
    """The package -> .deb map of cache/packages.list; raises BuildError."""
    listing = cache / "packages.list"
    if not listing.exists():
        raise BuildError(f"{listing} not found: run {FETCH_HINT}")
    debs: dict[str, Path] = {}
    for number, line in enumerate(listing.read_text().splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != 2:
            raise BuildError(f"{listing}:{number}: expected '<package> <file>', got {line!r}")
        deb = cache / fields[1]
        if not deb.exists():
            raise BuildError(f"{deb} is missing: run {FETCH_HINT}")
        debs[fields[0]] = deb
    kernels = [p for p in debs if p.startswith("linux-image-")]
    if len(kernels) != 1:
        raise BuildError(f"{listing}: expected one linux-image-* package, found {kernels}")
    for needed in ("busybox-static", "rt-tests"):
        if needed not in debs:
            raise BuildError(f"{listing}: no {needed}: run {FETCH_HINT}")
    return debs


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Runs cmd; raises BuildError with its stderr if it fails."""
    try:
        proc = subprocess.run(cmd, capture_output=True, check=False, **kwargs)
    except OSError as err:
        raise BuildError(f"{cmd[0]}: {err}") from err
    if proc.returncode != 0:
        err = proc.stderr if isinstance(proc.stderr, str) else proc.stderr.decode(errors="replace")
        raise BuildError(f"{' '.join(cmd)} failed (exit status {proc.returncode}): "
                         f"{err.strip()[-300:]}")
    return proc


def kernel_image(deb: Path) -> bytes:
    """boot/vmlinuz-* of a linux-image package, read from the archive's data
    as it streams by (the kernel's modules are never written out)."""
    proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    found: bytes | None = None
    try:
        with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
            for entry in archive:
                if re.fullmatch(r"(\./)?boot/vmlinuz-[^/]+", entry.name) and entry.isfile():
                    found = archive.extractfile(entry).read()
                    break
    finally:
        proc.stdout.close()
        proc.kill()  # the rest of the archive is not needed
        proc.wait()
    if found is None:
        raise BuildError(f"{deb.name}: no boot/vmlinuz-* in the package")
    return found


def ldd(binary: Path, library_path: list[Path]) -> list[tuple[str, Path]]:
    """(the path the image needs, the file to take) for each library ldd
    lists for binary, libraries found first in library_path; the dynamic
    loader keeps its absolute path, the others go to LIB_DIR."""
    env = dict(os.environ, LD_LIBRARY_PATH=":".join(str(p) for p in library_path))
    out = run(["ldd", str(binary)], env=env, text=True).stdout
    needed: list[tuple[str, Path]] = []
    for line in out.splitlines():
        line = line.strip()
        if m := re.fullmatch(r"(\S+) => not found", line):
            raise BuildError(f"{binary.name} needs {m.group(1)}, which neither the host nor "
                             "the cached packages provide")
        if m := re.fullmatch(r"(\S+) => (\S+) \(0x[0-9a-f]+\)", line):
            needed.append((f"{LIB_DIR}/{m.group(1)}", Path(m.group(2)).resolve()))
        elif m := re.fullmatch(r"(/\S+) \(0x[0-9a-f]+\)", line):  # the loader
            needed.append((m.group(1).lstrip("/"), Path(m.group(1)).resolve()))
        elif not re.fullmatch(r"linux-vdso\.so\.\d+ \(0x[0-9a-f]+\)", line):
            raise BuildError(f"ldd {binary.name}: unexpected line {line!r}")
    if not any(path.startswith(("lib64/", "lib/ld-")) for path, _ in needed):
        raise BuildError(f"ldd {binary.name}: no dynamic loader listed")
    return needed


def image_members(debs: dict[str, Path], init: Path, work: Path) -> dict[str, Member]:
    """Every member of the initramfs by path (no leading slash)."""
    root = work / "root"
    for package, deb in debs.items():
        if not package.startswith("linux-image-"):
            run(["dpkg-deb", "-x", str(deb), str(root)])
    busybox = root / "bin" / "busybox"
    cyclictest = root / "usr" / "bin" / "cyclictest"
    for path, package in ((busybox, "busybox-static"), (cyclictest, "rt-tests")):
        if not path.is_file():
            raise BuildError(f"{debs[package].name}: no {path.relative_to(root)}")

    directory = stat.S_IFDIR | 0o755
    members: dict[str, Member] = {
        name: Member(directory)
        for name in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "lib", LIB_DIR, "lib64",
                     "dev", "proc", "sys", "tmp", "run", "root", "etc")
    }
    members["tmp"] = Member(stat.S_IFDIR | 0o1777)
    # The kernel opens /dev/console for init before anything is mounted;
    # /init then mounts devtmpfs over /dev.
    members["dev/console"] = Member(stat.S_IFCHR | 0o600, rdev=(5, 1))
    members["bin/busybox"] = Member(stat.S_IFREG | 0o755, busybox.read_bytes())
    applets = run([str(busybox), "--list-full"], text=True).stdout.split()
    if "bin/sh" not in applets:
        raise BuildError("busybox --list-full has no bin/sh")
    for applet in applets:
        if applet != "bin/busybox":
            members[applet] = Member(stat.S_IFLNK | 0o777, b"/bin/busybox")
    members["usr/bin/cyclictest"] = Member(stat.S_IFREG | 0o755, cyclictest.read_bytes())
    library_path = sorted({p.parent for p in root.rglob("*.so*")})
    for path, source in ldd(cyclictest, library_path):
        members[path] = Member(stat.S_IFREG | 0o755, source.read_bytes())
    members["etc/passwd"] = Member(stat.S_IFREG | 0o644, b"root:x:0:0:root:/root:/bin/sh\n")
    members["etc/group"] = Member(stat.S_IFREG | 0o644, b"root:x:0:\n")
    members["init"] = Member(stat.S_IFREG | 0o755, init.read_bytes())
    for name in list(members):  # every parent directory is there
        parent = os.path.dirname(name)
        while parent and parent not in members:
            members[parent] = Member(directory)
            parent = os.path.dirname(parent)
    return members


def newc(members: dict[str, Member], mtime: int) -> bytes:
    """The cpio archive (SVR4 "newc", no checksums) of members, sorted."""
    out = bytearray()

    def put(name: str, ino: int, member: Member) -> None:
        encoded = name.encode() + b"\0"
        nlink = 2 if stat.S_ISDIR(member.mode) else 1
        fields = (ino, member.mode, 0, 0, nlink, mtime, len(member.data), 0, 0,
                  member.rdev[0], member.rdev[1], len(encoded), 0)
        out.extend(b"070701" + b"".join(b"%08X" % f for f in fields) + encoded)
        out.extend(b"\0" * (-len(out) % 4))
        out.extend(member.data)
        out.extend(b"\0" * (-len(out) % 4))

    for ino, name in enumerate(sorted(members), 1):
        put(name, ino, members[name])
    put("TRAILER!!!", 0, Member(0))
    return bytes(out)


def write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def build(cache: Path, out: Path, init: Path) -> tuple[Path, Path]:
    """Writes out/vmlinuz and out/initramfs.cpio.gz; raises BuildError."""
    debs = read_packages(cache)
    if not init.is_file():
        raise BuildError(f"{init} not found")
    for tool in ("dpkg-deb", "ldd"):
        if shutil.which(tool) is None:
            raise BuildError(f"{tool} not found (run tools/install-deps.sh --linux-guest)")
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    out.mkdir(parents=True, exist_ok=True)
    kernel_deb = next(deb for package, deb in debs.items() if package.startswith("linux-image-"))
    with tempfile.TemporaryDirectory(prefix="mklinuxguest.") as work:
        members = image_members(debs, init, Path(work))
        archive = newc(members, mtime)
    vmlinuz, initramfs = out / "vmlinuz", out / "initramfs.cpio.gz"
    write_atomically(initramfs, gzip.compress(archive, compresslevel=9, mtime=0))
    write_atomically(vmlinuz, kernel_image(kernel_deb))
    return vmlinuz, initramfs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="the .deb cache with packages.list (default %(default)s)")
    parser.add_argument("--out", type=Path, default=REPO / "build" / "linux")
    parser.add_argument("--init", type=Path, default=REPO / "tools" / "linux-guest" / "init")
    args = parser.parse_args(argv)
    try:
        vmlinuz, initramfs = build(args.cache, args.out, args.init)
    except BuildError as err:
        print(f"mklinuxguest: {err}", file=sys.stderr)
        return 1
    for path in (vmlinuz, initramfs):
        print(f"mklinuxguest: {path} ({path.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
