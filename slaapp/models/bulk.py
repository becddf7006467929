"""Bulk helpers: chunked IN queries and dialect-aware INSERT ... ON CONFLICT."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
CHUNK = 900


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Slices short enough for an IN (...) list on every database."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def json_or_none(value: dict[str, Any]) -> dict[str, Any] | None:
    return value or None
