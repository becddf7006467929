"""Keys of new segments and handoffs derived from the names people give them."""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

_PLACEHOLDER = re.compile(r"^(segment|handoff)_\d+$")


def key_from_name(name: str, taken: Iterable[str], fallback: str = "item") -> str:
    """`Inbound after hours` -> `inbound_after_hours` (`_2`, `_3`, ... when taken)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")[:40].strip("_") or fallback
    if base[0].isdigit():
        base = f"{fallback}_{base}"
    used = set(taken)
    key, number = base, 2
    while key in used:
        key, number = f"{base}_{number}", number + 1
    return key


def is_placeholder(key: str) -> bool:
    """True for the key a new segment or handoff gets before it is named (`segment_3`)."""
    return bool(_PLACEHOLDER.match(key))


def renamed_segment(
    doc: dict[str, Any], row: int, name: str, published: Iterable[str]
) -> dict[str, Any]:
    """The draft with segment `row` named `name`; an unpublished placeholder key follows the
    name, in the segment list and in every handoff's rules."""
    new = copy.deepcopy(doc)
    segment = new["segments"][row]
    segment["name"] = name
    old_key = str(segment.get("key", ""))
    if not is_placeholder(old_key) or old_key in set(published) or not name.strip():
        return new
    others = [str(s.get("key")) for i, s in enumerate(new["segments"]) if i != row]
    key = key_from_name(name, others, "segment")
    segment["key"] = key
    for handoff in new.get("handoffs", []):
        rules = handoff.get("rules") if isinstance(handoff, dict) else None
        if isinstance(rules, dict) and old_key in rules:
            handoff["rules"] = {key if k == old_key else k: v for k, v in rules.items()}
    return new


def renamed_handoff(
    doc: dict[str, Any], row: int, name: str, published: Iterable[str]
) -> dict[str, Any]:
    """The draft with handoff `row` named `name` (an unpublished placeholder key follows it)."""
    new = copy.deepcopy(doc)
    handoff = new["handoffs"][row]
    handoff["name"] = name
    old_key = str(handoff.get("key", ""))
    if is_placeholder(old_key) and old_key not in set(published) and name.strip():
        others = [str(h.get("key")) for i, h in enumerate(new["handoffs"]) if i != row]
        handoff["key"] = key_from_name(name, others, "handoff")
    return new
