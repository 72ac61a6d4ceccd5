"""TokenStore on a working keyring, on broken ones, and the token's secrecy."""

from __future__ import annotations

import logging

import pytest
from keyring.backends import chainer, fail

from cdrdesk.connections import TokenStore, TokenStoreError
from tests.connections.memory_keyring import ForgetfulKeyring, LockedKeyring, MemoryKeyring

TOKEN = "tok-9f2c4e7a-secret"


def test_tokens_go_to_the_keyring_under_service_cdrdesk(memory_keyring: MemoryKeyring) -> None:
    store = TokenStore()
    store.set("prod", TOKEN)
    assert store.available
    assert store.unavailable_reason is None
    assert memory_keyring.entries == {("cdrdesk", "prod"): TOKEN}
    assert TokenStore().get("prod") == TOKEN


def test_delete_removes_the_keyring_entry(memory_keyring: MemoryKeyring) -> None:
    store = TokenStore()
    store.set("prod", TOKEN)
    store.delete("prod")
    assert memory_keyring.entries == {}
    assert store.get("prod") is None
    store.delete("prod")  # deleting twice is harmless


def test_session_only_tokens_stay_out_of_the_keyring(memory_keyring: MemoryKeyring) -> None:
    store = TokenStore()
    store.set("prod", TOKEN, session_only=True)
    assert memory_keyring.entries == {}
    assert store.get("prod") == TOKEN
    assert TokenStore().get("prod") is None


@pytest.mark.parametrize(
    ("backend", "reason"),
    [
        (fail.Keyring(), "no keyring backend"),
        (chainer.ChainerBackend(), "no keyring backend"),
    ],
)
def test_a_missing_backend_keeps_tokens_in_memory(
    backend: object, reason: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if isinstance(backend, chainer.ChainerBackend):
        monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    store = TokenStore(backend)  # type: ignore[arg-type]
    assert not store.available
    assert store.unavailable_reason is not None
    assert reason in store.unavailable_reason
    store.set("prod", TOKEN)
    assert store.get("prod") == TOKEN
    store.delete("prod")
    assert store.get("prod") is None


def test_a_locked_keyring_switches_to_memory_and_keeps_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    store = TokenStore(LockedKeyring())
    assert store.available
    store.set("prod", TOKEN)
    assert not store.available
    assert store.unavailable_reason is not None
    assert "KeyringLocked" in store.unavailable_reason
    assert store.get("prod") == TOKEN
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(store)


def test_a_failing_read_switches_to_memory() -> None:
    store = TokenStore(LockedKeyring())
    assert store.get("prod") is None
    assert not store.available
    assert "reading from the keyring failed" in (store.unavailable_reason or "")


def test_a_keyring_that_drops_tokens_is_detected() -> None:
    store = TokenStore(ForgetfulKeyring())
    store.set("prod", TOKEN)
    assert not store.available
    assert store.unavailable_reason == "the keyring did not keep the token it was given"
    assert store.get("prod") == TOKEN


def test_a_failing_delete_says_so_without_the_token() -> None:
    store = TokenStore(MemoryKeyring())
    store.set("prod", TOKEN)
    store._backend = LockedKeyring()  # the keyring gets locked mid-session
    with pytest.raises(TokenStoreError) as raised:
        store.delete("prod")
    assert "prod" in str(raised.value)
    assert TOKEN not in str(raised.value)
    assert raised.value.__cause__ is None


def test_empty_tokens_and_names_are_refused(memory_keyring: MemoryKeyring) -> None:
    store = TokenStore()
    with pytest.raises(ValueError, match="empty"):
        store.set("prod", "")
    with pytest.raises(ValueError, match="profile name"):
        store.set("", TOKEN)
    assert memory_keyring.entries == {}
