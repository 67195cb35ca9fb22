"""The boot matrix: every machine `make test` boots, as data.

Each entry is a boot.BootConfig; tests/run_tests.py boots them all (two at
a time) and `--filter REGEX` picks some by name. To add a machine, add an
entry. Field reference: boot.BootConfig. In short:

    expect="pass"  the run ends with the PASS exit and complete KTAP output;
                   every KTAP case counts as a test, the boot as one more
    expect="fail"  the run ends with the FAIL exit (a deliberate failure);
                   only the boot counts, its KTAP is not judged
    expect="idle"  the kernel is still running at `timeout`; only the boot
                   counts
    must_match / must_not_match: regexes over the serial log, timestamps
                   removed, matched line by line (re.MULTILINE)

Timeouts are generous for TCG: an OVMF boot alone takes ~4-5 s.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from boot import BootConfig  # noqa: E402

ALL_TESTS = "test=*"

MATRIX = [
    BootConfig("bios-q35", machine="q35", smp=1, firmware="bios", cmdline=ALL_TESTS),
    BootConfig("uefi-q35", machine="q35", smp=1, firmware="uefi", cmdline=ALL_TESTS),
    BootConfig("bios-pc-smp2", machine="pc", smp=2, firmware="bios", cmdline=ALL_TESTS),
    # A deliberate page fault: the fatal-error path must explain itself.
    BootConfig("fault", machine="q35", firmware="bios", cmdline="test=selftest_fault",
               expect="fail",
               must_match=(r"^FATAL TRAP: vector 14, #PF page fault",
                           r"^Page fault at CR2=000000000dead000: page not present, write",
                           r"^RAX [0-9a-f]{16}", r"^Backtrace:",
                           r"\] selftest_fault_trigger\+0x[0-9a-f]+/",
                           r"\] page_fault_is_fatal\+0x[0-9a-f]+/",
                           r"^System stopped; exiting with the failure code")),
    # Bad options are reported by name and the boot goes on. The patterns
    # look for the warnings, not the echoed command line; the cmdline suite
    # checks the number of warnings.
    BootConfig("bad-options", machine="q35", firmware="bios",
               cmdline="loglvl=banana frobnicate com1=nonsense test=cmdline "
                       "ktest_cmdline_warnings=3 "
                       "ktest_cmdline_string=\"a b;$x it's\"",
               must_match=(r"^cmdline: frobnicate\b", r"^cmdline: loglvl=banana\b")),
    # No tests selected: the kernel comes up and idles.
    BootConfig("idle", machine="q35", firmware="uefi", cmdline="", expect="idle", timeout=8,
               must_match=("Kairos", "Memory:")),
]


def check_matrix(matrix: list[BootConfig]) -> None:
    """Raises ValueError on a duplicate name or an unknown field value."""
    names = [config.name for config in matrix]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise ValueError(f"boot matrix: duplicate names {sorted(duplicates)}")
    for config in matrix:
        if config.expect not in ("pass", "fail", "idle"):
            raise ValueError(f"{config.name}: expect {config.expect!r}")
        if config.firmware not in ("bios", "uefi") or config.machine not in ("q35", "pc"):
            raise ValueError(f"{config.name}: firmware {config.firmware!r}, "
                             f"machine {config.machine!r}")
