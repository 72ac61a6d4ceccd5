"""A process-wide in-memory keyring, restored after each test that uses it."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest

from tests.connections.memory_keyring import MemoryKeyring


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
