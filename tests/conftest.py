"""Fixtures every test shares: an in-memory keyring, so no test touches the machine's own."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest

from tests.memory_keyring import MemoryKeyring


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """The keyring of the test: empty at its start, the previous one restored after."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
