"""Tests of tools/write-usb.sh (make usb DEV=...): what it refuses.

No real disk is touched: each case points the script at something that
is not a whole removable disk and checks the refusal's exit status and
message, that it never asked for confirmation, and that nothing was
written. "yes" waits on stdin all along, so a script that went as far as
asking would go on to write.
"""

import subprocess
import tempfile
import unittest
from pathlib import Path

WRITE_USB = Path(__file__).resolve().parents[2] / "tools" / "write-usb.sh"
ISO_BYTES = b"not really an ISO, but not empty\n"


class WriteUsbRefusalTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.iso = Path(self.tmp.name) / "kairos.iso"
        self.iso.write_bytes(ISO_BYTES)

    def run_script(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(WRITE_USB), *args], input="yes\n", capture_output=True,
                              text=True, timeout=30, check=False)

    def assert_refused(self, result: subprocess.CompletedProcess, message: str,
                       status: int = 1) -> None:
        self.assertEqual(result.returncode, status, result.stderr)
        self.assertIn(message, result.stderr)
        self.assertNotIn("Type yes", result.stdout)
        self.assertNotIn("records out", result.stderr)  # dd never ran

    def test_regular_file(self):
        target = Path(self.tmp.name) / "disk.img"
        target.write_bytes(b"precious\n")
        result = self.run_script(str(self.iso), str(target))
        self.assert_refused(result, f"write-usb: {target}: not a block device; give a whole "
                                    "USB disk such as /dev/sdX")
        self.assertEqual(target.read_bytes(), b"precious\n")

    def test_dev_null(self):
        # A character device: refused before anything is opened for writing.
        result = self.run_script(str(self.iso), "/dev/null")
        self.assert_refused(result, "write-usb: /dev/null: not a block device")

    def test_missing_path(self):
        target = Path(self.tmp.name) / "sdz"
        result = self.run_script(str(self.iso), str(target))
        self.assert_refused(result, f"write-usb: {target}: no such device")
        self.assertFalse(target.exists())

    def test_fixed_disk(self):
        # Any non-removable whole disk of this machine (a loop device, the
        # system disk): only read, since the script refuses it.
        for sys_dir in sorted(Path("/sys/class/block").glob("*")):
            dev = Path("/dev") / sys_dir.name
            removable = sys_dir / "removable"
            if (dev.is_block_device() and removable.exists()
                    and not (sys_dir / "partition").exists()
                    and removable.read_text().strip() == "0"):
                break
        else:
            self.skipTest("no fixed disk to point the script at")
        result = self.run_script(str(self.iso), str(dev))
        self.assert_refused(result, f"write-usb: {dev}: not a removable disk")

    def test_missing_iso(self):
        target = Path(self.tmp.name) / "disk.img"
        target.write_bytes(b"precious\n")
        result = self.run_script(str(Path(self.tmp.name) / "none.iso"), str(target))
        self.assert_refused(result, "no ISO image there (make iso builds it)")
        self.assertEqual(target.read_bytes(), b"precious\n")

    def test_no_device_given(self):
        # make usb without DEV= passes an empty word.
        result = self.run_script(str(self.iso), "")
        self.assert_refused(result, "usage:", status=2)


if __name__ == "__main__":
    unittest.main()
