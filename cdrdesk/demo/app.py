"""The demo server's HTTP side: the contract's endpoint over a DemoStore.

Checks run in the contract's order of precedence: authentication, then
``limit`` (400), then the filters (422), then the cursor and ``offset``
(400), so a client sees the same error the real service would give first.

Two choices where the contract is silent:

- When an offset page is empty because it starts at the 10,000 window's
  edge (``offset=10000``) and more records match, ``next_cursor`` continues
  right after record 10,000 (index 9,999), the last record offset paging can
  reach, so a client can always go on past the window.
- A repeated or empty ``cursor`` is treated as an invalid cursor (the request
  falls back to ``offset``); a repeated or empty ``limit`` or ``offset`` is
  a 400, as nothing says which of the values was meant.
"""

from __future__ import annotations

import asyncio
import collections
import hmac
import importlib.resources
import math
import random
import re
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cdrdesk.api.query import CdrQuery, parse_params
from cdrdesk.demo.cursor import CursorCodec, CursorKey
from cdrdesk.demo.store import DemoStore

API_PATH = "/api/v4/reporting/cdrs"
READ_SCOPE = "reporting.cdrs.read"
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
MAX_OFFSET = 10_000
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """Who may call, and which faults to inject (for the client's resilience tests)."""

    token: str
    unscoped_token: str | None = None
    latency_ms: int = 0
    error_rate: float = 0.0
    rate_limit: int | None = None


class _BadRequest(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status, headers, media_type="application/json")


def error_response(status: int, headers: dict[str, str] | None = None) -> Response:
    return json_response({"error": HTTPStatus(status).phrase}, status, headers)


def _pagination_number(items: list[tuple[str, str]], name: str, maximum: int) -> int | None:
    """A strictly written integer in range, None when absent; _BadRequest otherwise."""
    values = [value for key, value in items if key == name]
    if not values:
        return None
    message = f"{name} must be an integer from 0 to {maximum}"
    if len(values) > 1:
        raise _BadRequest(f"{message}, given once (it was given {len(values)} times)")
    text = values[0]
    if not _DIGITS.fullmatch(text) or len(text.lstrip("0")) > len(str(maximum)):
        raise _BadRequest(message)
    number = int(text)
    if number > maximum:
        raise _BadRequest(message)
    return number


class _RateLimiter:
    """At most ``per_second`` requests in any sliding second."""

    def __init__(self, per_second: int) -> None:
        self.per_second = per_second
        self._recent: collections.deque[float] = collections.deque()

    def retry_after(self) -> int | None:
        """Seconds to wait when over the limit; None admits the request."""
        now = time.monotonic()
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        if len(self._recent) >= self.per_second:
            return max(1, math.ceil(self._recent[0] + 1.0 - now))
        self._recent.append(now)
        return None


class CdrEndpoint:
    def __init__(self, store: DemoStore, settings: ServerSettings) -> None:
        self.store = store
        self.settings = settings
        self.cursors = CursorCodec()
        self._limiter = _RateLimiter(settings.rate_limit) if settings.rate_limit else None
        self._faults = random.Random()

    async def __call__(self, request: Request) -> Response:
        injected = await self._inject_faults()
        if injected is not None:
            return injected
        denied = self._authorise(request.headers.get("authorization", ""))
        if denied is not None:
            return denied
        items = request.query_params.multi_items()
        try:
            limit = _pagination_number(items, "limit", MAX_LIMIT)
        except _BadRequest as exc:
            return json_response({"error": "Bad Request", "message": exc.message}, 400)
        parsed = parse_params(items, strict_enums=True)
        if parsed.errors:
            return json_response({"errors": parsed.errors}, 422)
        return self._page(parsed.query, items, DEFAULT_LIMIT if limit is None else limit)

    async def _inject_faults(self) -> Response | None:
        if self._limiter is not None:
            wait = self._limiter.retry_after()
            if wait is not None:
                return error_response(429, {"Retry-After": str(wait)})
        if self.settings.latency_ms > 0:
            await asyncio.sleep(self.settings.latency_ms / 1000)
        if self.settings.error_rate > 0 and self._faults.random() < self.settings.error_rate:
            if self._faults.random() < 0.5:
                return error_response(500)
            return error_response(503, {"Retry-After": "1"})
        return None

    def _authorise(self, header: str) -> Response | None:
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return error_response(401, {"WWW-Authenticate": "Bearer"})
        if hmac.compare_digest(token.encode(), self.settings.token.encode()):
            return None
        unscoped = self.settings.unscoped_token
        if unscoped and hmac.compare_digest(token.encode(), unscoped.encode()):
            return error_response(403)
        return error_response(401, {"WWW-Authenticate": "Bearer"})

    def _page(self, query: CdrQuery, items: list[tuple[str, str]], limit: int) -> Response:
        cursors = [value for key, value in items if key == "cursor"]
        key = self.cursors.decode(query, cursors[0]) if len(cursors) == 1 else None
        total = self.store.count(query)
        offset: int | None
        if key is not None:
            offset = None
            page = self.store.page_after(query, key.started_at, key.record_id, limit)
            more = bool(page.more)
            last = page.last_rowid
        else:
            try:
                given = _pagination_number(items, "offset", MAX_OFFSET)
            except _BadRequest as exc:
                return json_response({"error": "Bad Request", "message": exc.message}, 400)
            offset = given or 0
            size = max(0, min(offset + limit, MAX_OFFSET) - offset)
            page = self.store.page_at(query, offset, size)
            more = limit > 0 and total > offset + len(page.bodies)
            last = page.last_rowid
            if more and last is None and offset > 0:
                last = self.store.rowid_at(query, offset - 1)
        next_cursor = None
        if more and last is not None:
            started_at, record_id = self.store.key(last)
            next_cursor = self.cursors.encode(query, CursorKey(started_at, record_id))
        metadata = {"total": total, "limit": limit, "offset": offset, "next_cursor": next_cursor}
        return Response(_page_body(page.bodies, metadata), 200, media_type="application/json")


def _page_body(bodies: list[bytes], metadata: dict[str, Any]) -> bytes:
    """The response, joined from the stored JSON texts rather than re-serialised."""
    items = b",".join(bodies)
    return b'{"items":[' + items + b'],"metadata":' + orjson.dumps(metadata) + b"}"


def openapi_document() -> bytes:
    return importlib.resources.files("cdrdesk.demo").joinpath("openapi.json").read_bytes()


def create_app(store: DemoStore, settings: ServerSettings) -> Starlette:
    endpoint = CdrEndpoint(store, settings)
    spec = openapi_document()

    async def list_cdrs(request: Request) -> Response:
        return await endpoint(request)

    async def openapi(request: Request) -> Response:
        return Response(spec, media_type="application/json")

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        return error_response(status, getattr(exc, "headers", None))

    async def server_error(request: Request, exc: Exception) -> Response:
        return error_response(500)

    return Starlette(
        routes=[
            Route(API_PATH, list_cdrs, methods=["GET"]),
            Route("/openapi.json", openapi, methods=["GET"]),
        ],
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )
