"""Files shipped with slaapp (`slaapp.resources`): the default matrix, mappings and samples."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def bundled(*parts: str) -> Path:
    """A file of the installed `slaapp.resources` package, as a path on disk."""
    found = files("slaapp.resources").joinpath(*parts)
    if not isinstance(found, Path):
        raise RuntimeError(f"slaapp.resources is not installed as files on disk ({found})")
    return found


RESOURCES = bundled()
DEFAULT_MATRIX = bundled("matrices", "revenue-default.json")
