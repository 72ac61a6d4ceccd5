"""API tokens in the desktop keyring, never in a file of ours.

When no keyring works (no Secret Service on the session bus, a locked or
broken backend), tokens are kept in this process's memory only, and the
store says so through ``available`` and ``unavailable_reason`` so the user
can be told that the token will have to be entered again next time.
"""

from __future__ import annotations

import logging

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import PasswordDeleteError

SERVICE = "cdrdesk"

_log = logging.getLogger(__name__)


class TokenStoreError(RuntimeError):
    """The keyring refused an operation; the message never holds the token."""


class TokenStore:
    """Tokens by profile name: keyring service ``cdrdesk``, user name = profile name."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend = backend if backend is not None else keyring.get_keyring()
        self._memory: dict[str, str] = {}
        self.unavailable_reason: str | None = _why_unusable(self._backend)

    @property
    def available(self) -> bool:
        """Whether tokens outlive this session (a working keyring backend)."""
        return self.unavailable_reason is None

    @property
    def backend_name(self) -> str:
        return type(self._backend).__module__ + "." + type(self._backend).__qualname__

    def __repr__(self) -> str:
        return f"TokenStore(available={self.available}, session_tokens={len(self._memory)})"

    def get(self, name: str) -> str | None:
        if name in self._memory:
            return self._memory[name]
        if not self.available:
            return None
        try:
            token: str | None = self._backend.get_password(SERVICE, name)
        except Exception as exc:
            self._give_up(f"reading from the keyring failed ({_describe(exc)})")
            return None
        return token

    def set(self, name: str, token: str, *, session_only: bool = False) -> None:
        """Keep ``token`` for profile ``name``.

        With ``session_only``, or when no keyring works, it is kept in memory
        for this session only. A backend that fails or does not give the
        token back is abandoned for the rest of the session.
        """
        if not name:
            raise ValueError("a token needs a profile name")
        if not token:
            raise ValueError(f"the token for {name!r} is empty")
        if session_only or not self.available:
            self._memory[name] = token
            return
        try:
            self._backend.set_password(SERVICE, name, token)
            stored = self._backend.get_password(SERVICE, name)
        except Exception as exc:
            self._give_up(f"saving to the keyring failed ({_describe(exc)})")
            self._memory[name] = token
            return
        if stored != token:
            self._give_up("the keyring did not keep the token it was given")
            self._memory[name] = token
            return
        self._memory.pop(name, None)

    def delete(self, name: str) -> None:
        """Forget the token of ``name`` in memory and in the keyring."""
        self._memory.pop(name, None)
        if not self.available:
            return
        try:
            self._backend.delete_password(SERVICE, name)
        except PasswordDeleteError:
            return
        except Exception as exc:
            raise TokenStoreError(
                f"could not remove the token of {name!r} from the keyring ({_describe(exc)})"
            ) from None

    def _give_up(self, reason: str) -> None:
        _log.warning("keyring unusable, keeping tokens for this session only: %s", reason)
        self.unavailable_reason = reason


def _why_unusable(backend: KeyringBackend) -> str | None:
    if isinstance(backend, fail.Keyring):
        return "no keyring backend is available on this system"
    if isinstance(backend, null.Keyring):
        return "the keyring is switched off (null backend)"
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return "no keyring backend is available on this system"
    return None


def _describe(exc: Exception) -> str:
    """An error's type and text; backends do not echo passwords in their messages."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
