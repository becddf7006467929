"""Files a command writes: never through a symlink, never over a file of another kind, atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from slaapp.engine.errors import BadInputError


def is_xlsx(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04")


def is_json(head: bytes) -> bool:
    return head.lstrip().startswith((b"{", b"["))


def check_output(path: Path, what: str, looks_like: Callable[[bytes], bool]) -> None:
    """Refuse a symlink, a folder or device, or an existing file that is not `what`."""
    if path.is_symlink():
        raise BadInputError(f"{path} is a symbolic link: give the file itself")
    if not path.exists():
        if not path.parent.is_dir():
            raise BadInputError(f"the folder {path.parent} does not exist")
        return
    if not path.is_file():
        raise BadInputError(f"{path} is not a regular file")
    with path.open("rb") as existing:
        head = existing.read(64)
    if head and not looks_like(head):
        raise BadInputError(
            f"{path} exists and is not {what}: refusing to replace it (choose another name, "
            "or delete it first)"
        )


def write_atomically(
    path: Path, data: bytes, what: str, looks_like: Callable[[bytes], bool]
) -> None:
    """Write `data` to `path` through a temporary file in the same folder (0600), then rename."""
    check_output(path, what, looks_like)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
