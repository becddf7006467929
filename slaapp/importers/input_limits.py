"""Limits on input files, checked before parsing: regular files only, sizes, XLSX zip bombs."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

MiB = 1024 * 1024
MAX_FILE = 512 * MiB
"""The largest CSV or XLSX read (a 1,000,000-row export is about 200 MB of CSV)."""
MAX_UNPACKED = 2048 * MiB
"""The largest an XLSX may unpack to."""
MAX_RATIO = 200
"""How many times larger than itself an XLSX may unpack (real workbooks: 5 to 30)."""


def _size(n: int) -> str:
    return f"{n / MiB:,.0f} MB" if n >= MiB else f"{n:,} bytes"


def file_problem(file: Path, limit: int = MAX_FILE) -> str:
    """Why `file` is not read ("" when it may be): missing, not a regular file, too large."""
    try:
        found = file.stat()  # follows a symlink: what counts is what it points to
    except FileNotFoundError:
        return "file not found"
    except OSError as exc:
        return f"cannot read the file: {exc.strerror or exc}"
    if stat.S_ISDIR(found.st_mode):
        return "this is a folder, not a file"
    if not stat.S_ISREG(found.st_mode):
        return "this is not a regular file (a device, a pipe or a socket): give an export file"
    if found.st_size > limit:
        return (
            f"the file is {_size(found.st_size)}, more than the {_size(limit)} this program reads"
        )
    return ""


def workbook_problem(file: Path) -> str:
    """Why an XLSX is not opened ("" when it may be): not a zip, or unpacking far too large."""
    try:
        with zipfile.ZipFile(file) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return ""  # the workbook reader says what is wrong with it
    packed = max(file.stat().st_size, 1)
    if unpacked > MAX_UNPACKED or (unpacked > 64 * MiB and unpacked / packed > MAX_RATIO):
        return (
            f"the workbook unpacks to {_size(unpacked)} from {_size(packed)}: too large to be "
            "an export (save it again from Excel, or export CSV)"
        )
    return ""
