"""Opaque, signed keyset cursors bound to one filter set.

A cursor carries the (started_at, id) key of the last record of a page and
a digest of the filters' canonical form, signed with HMAC-SHA256 under a
secret that lives only as long as the server; anything that does not verify
is simply not a cursor, and the request falls back to ``offset``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from cdrdesk.api.query import CdrQuery

_MAC_BYTES = 16
_FILTER_DIGEST_BYTES = 12


@dataclass(frozen=True, slots=True)
class CursorKey:
    """Where the previous page stopped: its last record's sort key."""

    started_at: int
    record_id: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii"))


class CursorCodec:
    """Issues and checks cursors under one secret."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)

    def _filter_digest(self, query: CdrQuery) -> str:
        digest = hashlib.sha256(query.canonical().encode("utf-8")).digest()
        return _b64(digest[:_FILTER_DIGEST_BYTES])

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, query: CdrQuery, key: CursorKey) -> str:
        payload = f"{key.started_at}|{key.record_id}|{self._filter_digest(query)}".encode()
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def decode(self, query: CdrQuery, cursor: str) -> CursorKey | None:
        """The key of a cursor issued for these filters, or None for anything else."""
        try:
            payload_text, mac_text = cursor.split(".")
            payload = _unb64(payload_text)
            mac = _unb64(mac_text)
        except (ValueError, binascii.Error, UnicodeEncodeError):
            return None
        if not hmac.compare_digest(mac, self._mac(payload)):
            return None
        try:
            started_text, record_id, filter_digest = payload.decode("utf-8").split("|")
            started_at = int(started_text)
        except ValueError:
            return None
        if not hmac.compare_digest(filter_digest, self._filter_digest(query)):
            return None
        return CursorKey(started_at, record_id)
