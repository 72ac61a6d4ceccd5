"""The HTTP client of the CDR list endpoint.

Async so that the window can drop an in-flight request at once by
cancelling its task; the headless export drives it with ``asyncio.run``.
One ``httpx.AsyncClient`` per object keeps connections alive between pages.
"""

from __future__ import annotations

import asyncio
import email.utils
import ssl
from collections.abc import AsyncGenerator, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import httpx
import orjson

from cdrdesk import __version__
from cdrdesk.api.errors import (
    ApiError,
    BadRequest,
    BadResponse,
    CertificateError,
    Forbidden,
    InvalidFilters,
    NetworkError,
    NotFound,
    RateLimited,
    ServerError,
    Unauthorized,
)
from cdrdesk.api.query import CdrQuery, encode_params
from cdrdesk.api.retry import RetryPolicy, call_with_retries

__all__ = [
    "ENDPOINT_PATH",
    "MAX_LIMIT",
    "CdrClient",
    "Page",
    "RetryPolicy",
    "endless_loop",
    "parse_page",
    "parse_retry_after",
    "peek_next_cursor",
]

ENDPOINT_PATH = "/api/v4/reporting/cdrs"
MAX_LIMIT = 1000
CONNECT_TIMEOUT = 10.0
_METADATA_KEY = b'"metadata"'
_PEEK_LIMIT = 4096  # a metadata object is far smaller; more means it is not at the end


@dataclass(frozen=True, slots=True)
class Page:
    """One answer of the endpoint; ``items`` are the records exactly as received."""

    items: list[dict[str, Any]]
    total: int | None
    limit: int | None
    offset: int | None
    next_cursor: str | None


def page_path(
    query: CdrQuery, *, limit: int, offset: int | None = None, cursor: str | None = None
) -> str:
    """The endpoint path and query string of one page: the filters, then pagination."""
    params = query.to_params()
    params.append(("limit", str(limit)))
    if offset is not None:
        params.append(("offset", str(offset)))
    if cursor is not None:
        params.append(("cursor", cursor))
    return f"{ENDPOINT_PATH}?{encode_params(params)}"


class CdrClient:
    """Requests pages of CDRs for a :class:`CdrQuery`, with bounded retries."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        verify: bool | str = True,
    ) -> None:
        self.base_url = _check_base_url(base_url)
        self._token = _check_token(token)
        self.retry = retry or RetryPolicy()
        self._http = httpx.AsyncClient(
            headers={
                "Authorization": f"Bearer {self._token}",
                "Accept": "application/json",
                "User-Agent": f"cdrdesk/{__version__}",
            },
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
            verify=_ssl_verify(verify),
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"CdrClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def page_url(
        self,
        query: CdrQuery,
        *,
        limit: int,
        offset: int | None = None,
        cursor: str | None = None,
    ) -> str:
        """The full request URL, as sent and as "Copy as curl" shows it."""
        return self.base_url + page_path(query, limit=limit, offset=offset, cursor=cursor)

    async def get_page(
        self,
        query: CdrQuery,
        *,
        limit: int = 100,
        offset: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        _check_query(query)
        _check_limit(limit, 0)
        return parse_page(*await self._get_body(query, limit=limit, offset=offset, cursor=cursor))

    async def count(self, query: CdrQuery) -> int | None:
        """How many records match, from a ``limit=0`` request; None if the server does not say."""
        return (await self.get_page(query, limit=0)).total

    async def iter_pages(
        self,
        query: CdrQuery,
        *,
        page_size: int = MAX_LIMIT,
        cursor: str | None = None,
        max_records: int | None = None,
    ) -> AsyncGenerator[Page, None]:
        """Every page of the result, following ``next_cursor`` past record 10000.

        The next page is requested before this one is even decoded: its
        cursor is read from the small ``metadata`` object at the end of the
        body, so the server prepares it while this client decodes and the
        caller handles the current page. The full decode then checks that
        guess; a wrong one (an odd server) is dropped and the right page
        asked for. A page cut short by ``max_records`` carries
        ``next_cursor=None``: its cursor would resume after records the
        caller never saw. A server that repeats a cursor or sends an empty
        page with a cursor raises ``BadResponse`` after the pages it did
        send, instead of looping. Close the iterator
        (``contextlib.aclosing``) when leaving it early.
        """
        _check_query(query)
        _check_limit(page_size, 1, "page_size")
        remaining = max_records
        if remaining is not None and remaining <= 0:
            return
        seen_cursors = {cursor} if cursor is not None else set()
        limit = _next_limit(page_size, remaining)
        pending: _Request | None = await self._request(
            query, limit, offset=None if cursor is not None else 0, cursor=cursor
        )
        guessed: _Request | None = None
        try:
            while pending is not None:
                body = await pending.task
                pending = None
                remaining_if_full = None if remaining is None else remaining - limit
                guess = peek_next_cursor(body[0])
                if guess is not None and guess not in seen_cursors and remaining_if_full != 0:
                    guessed = await self._request(
                        query, _next_limit(page_size, remaining_if_full), cursor=guess
                    )
                page = parse_page(*body)
                if remaining is not None:
                    if len(page.items) > remaining:
                        page = Page(
                            page.items[:remaining], page.total, page.limit, page.offset, None
                        )
                    remaining -= len(page.items)
                next_cursor = page.next_cursor
                failure: BadResponse | None = None
                if next_cursor is not None and (remaining is None or remaining > 0):
                    failure = endless_loop(page, seen_cursors)
                    if failure is None:
                        seen_cursors.add(next_cursor)
                        limit = _next_limit(page_size, remaining)
                        if guessed is not None and guessed.matches(next_cursor, limit):
                            pending, guessed = guessed, None
                        else:
                            pending = await self._request(query, limit, cursor=next_cursor)
                if guessed is not None:
                    await _cancel(guessed.task)
                    guessed = None
                yield page
                if failure is not None:
                    raise failure
        finally:
            for request in (pending, guessed):
                if request is not None:
                    await _cancel(request.task)

    async def _request(
        self, query: CdrQuery, limit: int, *, offset: int | None = None, cursor: str | None = None
    ) -> _Request:
        """Start a page request and return once it is on the wire (or has failed).

        Waiting for the send matters: the caller goes on with CPU-bound work
        that gives the event loop no turn, and the server should be preparing
        the page meanwhile.
        """
        sent = asyncio.Event()

        async def fetch() -> tuple[bytes, str]:
            try:
                return await self._get_body(
                    query, limit=limit, offset=offset, cursor=cursor, sent=sent
                )
            finally:
                sent.set()

        task = asyncio.ensure_future(fetch())
        try:
            await sent.wait()
        except BaseException:
            task.cancel()
            raise
        return _Request(cursor, limit, task)

    async def _get_body(
        self,
        query: CdrQuery,
        *,
        limit: int,
        offset: int | None,
        cursor: str | None,
        sent: asyncio.Event | None = None,
    ) -> tuple[bytes, str]:
        url = self.page_url(query, limit=limit, offset=offset, cursor=cursor)
        return await call_with_retries(self.retry, lambda: self._fetch(url, sent), "a page of CDRs")

    async def _fetch(self, url: str, sent: asyncio.Event | None = None) -> tuple[bytes, str]:
        """One request: the body of a 200 answer and its content type, or the error it means.

        ``sent`` is set once the request has been written to the connection,
        or once this attempt has failed.
        """
        extensions = {"trace": _SentSignal(sent)} if sent is not None else None
        try:
            response = await self._send(url, extensions)
        except BaseException:
            if sent is not None:
                sent.set()
            raise
        return self._body_of(response)

    async def _send(self, url: str, extensions: dict[str, Any] | None) -> httpx.Response:
        try:
            return await self._http.get(url, extensions=extensions)
        except httpx.TimeoutException as exc:
            raise NetworkError(
                f"no answer from {self._host} in time ({_describe_timeout(exc)})"
            ) from None
        except httpx.TransportError as exc:
            if _certificate_refused(exc):
                raise CertificateError(
                    self._scrub(
                        f"cannot reach {self._host}: its TLS certificate is not trusted "
                        f"({_describe_transport(exc)}); if your organisation signs it, "
                        "give its CA bundle in the connection"
                    )
                ) from None
            raise NetworkError(
                self._scrub(f"cannot reach {self._host}: {_describe_transport(exc)}")
            ) from None
        except httpx.DecodingError:
            raise BadResponse(
                "the answer could not be decoded (its Content-Encoding does not match its body)",
                status=200,
            ) from None
        except httpx.HTTPError as exc:
            raise NetworkError(self._scrub(f"request to {self._host} failed: {exc}")) from None

    def _body_of(self, response: httpx.Response) -> tuple[bytes, str]:
        if response.status_code == 200:
            return response.content, response.headers.get("content-type", "")
        raise self._error_for(response)

    @property
    def _host(self) -> str:
        return urlsplit(self.base_url).netloc

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "[token]")

    def _error_for(self, response: httpx.Response) -> ApiError:
        status = response.status_code
        body = _json_object(response.content)
        said = self._scrub(_server_message(body))
        suffix = f": {said}" if said else ""
        if status == 400:
            return BadRequest(
                f"the server refused the request (400 Bad Request){suffix}", status=400
            )
        if status == 401:
            return Unauthorized(
                "the server refused the API token (401 Unauthorized); check the token", status=401
            )
        if status == 403:
            return Forbidden(
                "the API token may not read CDRs (403 Forbidden); "
                "it needs the reporting.cdrs.read scope",
                status=403,
            )
        if status == 404:
            return NotFound(
                f"no CDR list at {self.base_url}{ENDPOINT_PATH} (404 Not Found); "
                "check the base URL",
                status=404,
            )
        if status == 422:
            errors = body.get("errors") if body else None
            if isinstance(errors, dict) and errors:
                return InvalidFilters(
                    {
                        self._scrub(str(name)): [self._scrub(str(m)) for m in _as_list(messages)]
                        for name, messages in errors.items()
                    },
                    prefix="the server refused filter",
                )
            return InvalidFilters({}, prefix=f"the server refused the filters (422){suffix}")
        if status == 429:
            return RateLimited(
                f"the server is rate limiting requests (429 Too Many Requests){suffix}",
                retry_after=parse_retry_after(response.headers.get("retry-after")),
            )
        if 500 <= status < 600:
            reason = response.reason_phrase or "Server Error"
            return ServerError(f"server error ({status} {reason}){suffix}", status=status)
        if 300 <= status < 400:
            return ApiError(
                f"the server redirected the request ({status}); check the base URL", status=status
            )
        return ApiError(
            f"unexpected answer {status} {response.reason_phrase}{suffix}", status=status
        )


def parse_page(body: bytes, content_type: str = "application/json") -> Page:
    """A 200 answer as a :class:`Page`, or ``BadResponse`` saying what is wrong with it."""
    head = body[:64].lstrip().lower()
    if "html" in content_type.lower() or head.startswith((b"<!doctype", b"<html", b"<")):
        raise BadResponse(
            "the server answered with an HTML page instead of JSON "
            "(a proxy, captive portal or login page?); check the base URL",
            status=200,
        )
    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadResponse(_undecodable(body, content_type, exc), status=200) from None
    if not isinstance(decoded, dict):
        raise BadResponse("the answer is not a JSON object with items and metadata", status=200)
    items = decoded.get("items")
    metadata = decoded.get("metadata")
    if not isinstance(items, list):
        raise BadResponse("the answer has no items list", status=200)
    if not isinstance(metadata, dict):
        raise BadResponse("the answer has no metadata object", status=200)
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise BadResponse(f"items[{index}] is not a JSON object", status=200)
    next_cursor = metadata.get("next_cursor")
    if next_cursor is not None and (not isinstance(next_cursor, str) or not next_cursor):
        raise BadResponse("metadata.next_cursor is neither a string nor null", status=200)
    return Page(
        items=items,
        total=_optional_int(metadata, "total"),
        limit=_optional_int(metadata, "limit"),
        offset=_optional_int(metadata, "offset"),
        next_cursor=next_cursor,
    )


def _undecodable(body: bytes, content_type: str, error: orjson.JSONDecodeError) -> str:
    """Why a 200 answer is no JSON, in words that tell a cut-off page from a foreign one.

    The body itself is never quoted: it may hold anything, the token included.
    """
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as bad:
        return f"the server sent a page that is not valid UTF-8 (byte {bad.start})"
    stripped = body.strip()
    if not stripped:
        return "the server sent an empty answer instead of JSON"
    if stripped[:1] in (b"{", b"[") and error.pos >= len(body.rstrip()):
        return (
            f"the server sent a page that is not valid JSON: it breaks off after "
            f"{len(body):,} bytes (truncated, or the connection was cut)"
        )
    kind = content_type.split(";")[0].strip() or "no content type"
    return (
        f"the server sent a page that is not valid JSON ({kind}; {error.msg} at byte {error.pos})"
    )


def peek_next_cursor(body: bytes) -> str | None:
    """``metadata.next_cursor`` read from the end of a body without decoding its items.

    Only a guess: it works when ``metadata`` is the body's last member, as
    servers send it, and gives None otherwise. The caller checks it against
    the full decode.
    """
    at = body.rfind(_METADATA_KEY)
    if at < 0 or len(body) - at > _PEEK_LIMIT:
        return None
    try:
        tail = orjson.loads(b"{" + body[at:])
    except orjson.JSONDecodeError:
        return None
    metadata = tail.get("metadata") if isinstance(tail, dict) else None
    cursor = metadata.get("next_cursor") if isinstance(metadata, dict) else None
    return cursor if isinstance(cursor, str) and cursor else None


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def _optional_int(metadata: dict[str, Any], key: str) -> int | None:
    value = metadata.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadResponse(f"metadata.{key} is not an integer", status=200)
    return value


@dataclass(frozen=True, slots=True)
class _Request:
    """A page request on its way, and what it asked for."""

    cursor: str | None
    limit: int
    task: asyncio.Future[tuple[bytes, str]]

    def matches(self, cursor: str, limit: int) -> bool:
        return self.cursor == cursor and self.limit == limit


def endless_loop(page: Page, seen_cursors: Collection[str]) -> BadResponse | None:
    """What is wrong with following this page's cursor, if following it would never end.

    ``seen_cursors`` holds every cursor of the walk so far, the one that
    asked for this page included. A last page (no cursor) is never a loop.
    """
    if page.next_cursor is None:
        return None
    if page.next_cursor in seen_cursors:
        return BadResponse(
            "the server sent a next_cursor it had sent before; stopped to avoid an endless loop"
        )
    if not page.items:
        return BadResponse(
            "the server sent an empty page that claims more records follow; "
            "stopped to avoid an endless loop"
        )
    return None


class _SentSignal:
    """An httpcore trace hook that sets an event when the request body has been sent."""

    __slots__ = ("_event",)

    def __init__(self, event: asyncio.Event) -> None:
        self._event = event

    async def __call__(self, name: str, info: dict[str, Any]) -> None:
        if name.endswith("send_request_body.complete"):
            self._event.set()


async def _cancel(task: asyncio.Future[tuple[bytes, str]]) -> None:
    task.cancel()
    await asyncio.wait([task])
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not report it as lost


def _check_limit(value: int, lowest: int, name: str = "limit") -> None:
    if not lowest <= value <= MAX_LIMIT:
        raise ValueError(f"{name} must be from {lowest} to {MAX_LIMIT}, not {value}")


def _next_limit(page_size: int, remaining: int | None) -> int:
    return page_size if remaining is None else min(page_size, remaining)


def _check_query(query: CdrQuery) -> None:
    validation = query.validate()
    if validation.errors:
        raise InvalidFilters(validation.errors, status=None)


def _check_base_url(base_url: str) -> str:
    url = base_url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the base URL must start with https:// or http://, not {url!r}")
    if parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError("the base URL must hold no query, fragment or user name")
    try:
        _ = parts.port
        httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise ValueError(f"the base URL {url!r} is not valid: {exc}") from None
    return url


def _check_token(token: str) -> str:
    token = token.strip()
    if not token:
        raise ValueError("the API token is empty")
    if not all(33 <= ord(char) <= 126 for char in token):
        raise ValueError("the API token holds spaces or characters a header cannot carry")
    return token


def _ssl_verify(verify: bool | str) -> bool | ssl.SSLContext:
    """The TLS check: the system store, or only the CA certificates in the file ``verify``.

    A file that cannot be read or holds no certificate is a ``ValueError``
    naming it, like any other unusable setting of the client.
    """
    if isinstance(verify, bool):
        return verify
    try:
        return ssl.create_default_context(cafile=verify)
    except ssl.SSLError as exc:
        reason = exc.reason or exc.strerror or str(exc)
        raise ValueError(f"the CA bundle {verify} holds no usable certificate ({reason})") from None
    except OSError as exc:
        raise ValueError(f"the CA bundle {verify} cannot be read ({exc.strerror or exc})") from None


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return decoded if isinstance(decoded, dict) else None


def _server_message(body: dict[str, Any] | None) -> str:
    if not body:
        return ""
    for key in ("message", "error"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def _as_list(messages: object) -> list[object]:
    return list(messages) if isinstance(messages, list | tuple) else [messages]


def _describe_timeout(exc: httpx.TimeoutException) -> str:
    kinds = {
        httpx.ConnectTimeout: "connecting",
        httpx.ReadTimeout: "waiting for the answer",
        httpx.WriteTimeout: "sending the request",
        httpx.PoolTimeout: "waiting for a free connection",
    }
    return next((text for kind, text in kinds.items() if isinstance(exc, kind)), "timed out")


def _certificate_refused(exc: BaseException) -> bool:
    """Whether the TLS handshake failed on verifying the server's certificate."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def _describe_transport(exc: httpx.TransportError) -> str:
    detail = str(exc).strip()
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return f"the connection was dropped ({detail or type(exc).__name__})"
    return detail or type(exc).__name__
