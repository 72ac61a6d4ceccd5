"""A small real HTTP server that serves CDRs by the contract's cursors and misbehaves on cue.

Tests script it per request (``server.script(...)``): each request takes the
next action from the script, and once the script is empty the server answers
correctly. Every request is recorded, so a test can check what the client sent.
"""

from __future__ import annotations

import collections
import select
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson

TOKEN = "hostile-secret-token-0123456789"
PATH = "/api/v4/reporting/cdrs"


@dataclass(frozen=True, slots=True)
class Action:
    """What to do with one request; ``kind`` is one of the names in ``HostileServer._act``."""

    kind: str
    status: int = 200
    delay: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


def status(code: int, body: Any = None, **headers: str) -> Action:
    payload = orjson.dumps(body if body is not None else {"error": f"status {code}"})
    return Action("status", status=code, body=payload, headers=tuple(headers.items()))


def rate_limited(retry_after: str | None = "0") -> Action:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return status(429, {"error": "Too Many Requests"}, **headers)


OK = Action("ok")  # answer correctly
DROP = Action("drop")  # close the connection without answering
DROP_MID_BODY = Action("drop_mid_body")  # promise a body, send half of it, close
TRUNCATED = Action("truncated")  # a consistent Content-Length but half a JSON document
NOT_JSON = Action("not_json")
HTML = Action("html")  # a proxy's error page with status 200
BAD_UTF8 = Action("bad_utf8")
BAD_GZIP = Action("bad_gzip")  # claims gzip, sends plain bytes
NO_TOTAL = Action("no_total")
UNKNOWN_FIELDS = Action("unknown_fields")
METADATA_FIRST = Action("metadata_first")  # metadata before the items
REPEAT_CURSOR = Action("repeat_cursor")  # answer with the cursor it was given
EMPTY_WITH_CURSOR = Action("empty_with_cursor")
MALFORMED_ITEMS = Action("malformed_items")  # items lacking fields or with wrong types
HUGE_FIELD = Action("huge_field")  # one item carries a 1 MB string
BAD_UTF8_IN_RECORD = Action("bad_utf8_in_record")  # an invalid byte inside a record's string
HUGE_TEXT = "x" * 1_000_000


def proxy_error(code: int) -> Action:
    """A proxy's HTML error page with status ``code`` (a 502 or 503 a retry may get past)."""
    page = f"<!DOCTYPE html><html><body><h1>{code} from the proxy</h1></body></html>".encode()
    return Action("status", status=code, body=page, headers=(("Content-Type", "text/html"),))


def hold(seconds: float) -> Action:
    """Answer correctly after ``seconds``, or stop at once when the client hangs up."""
    return Action("hold", delay=seconds)


def malformed(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items of a page with fields removed or of the wrong type (what MALFORMED_ITEMS sends)."""
    changed: list[dict[str, Any]] = orjson.loads(orjson.dumps(items))
    breakages = (
        lambda item: item.pop("type"),
        lambda item: item.update(started_at=1_800_000_000, ended_at="yesterday"),
        lambda item: item.update(data="not an object"),
        lambda item: item["data"].update(duration="long", score=[1], event_tags="hold"),
        lambda item: item.pop("data"),
        lambda item: item.update(id=12345, subtype=None),
        lambda item: item["data"].update(to_phone_number={"nested": True}, duration=-7.5),
    )
    for index, item in enumerate(changed):
        breakages[index % len(breakages)](item)
    return changed


def with_huge_field(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items of a page, the first with a 1 MB wrap-up code (what HUGE_FIELD sends)."""
    changed: list[dict[str, Any]] = orjson.loads(orjson.dumps(items))
    if changed:
        changed[0]["data"]["wrap_up_code"] = HUGE_TEXT
    return changed


def slow(seconds: float) -> Action:
    return Action("slow", delay=seconds)


@dataclass
class RecordedRequest:
    path: str
    query: str
    params: list[tuple[str, str]]
    headers: dict[str, str] = field(default_factory=dict)

    def param(self, name: str) -> str | None:
        return next((value for key, value in self.params if key == name), None)


class HostileServer:
    """Serves ``records`` in the given order to a bearer ``TOKEN`` on 127.0.0.1."""

    def __init__(
        self,
        records: Sequence[dict[str, Any]],
        *,
        token: str = TOKEN,
        page_cap: int | None = None,
        filter_by_type: bool = False,
    ) -> None:
        """``page_cap`` makes pages shorter than asked for, as a server with a lower maximum.

        ``filter_by_type`` honours the ``type`` filter (the only one it knows), so a
        test can tell the pages of one query from another's.
        """
        self.records = list(records)
        self.page_cap = page_cap
        self.filter_by_type = filter_by_type
        self.token = token
        self.requests: list[RecordedRequest] = []
        self.completed = 0  # requests whose handling has ended, answered or not
        self._script: collections.deque[Action] = collections.deque()
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, *actions: Action) -> None:
        with self._lock:
            self._script.extend(actions)

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> bool:
        """Block until ``count`` requests have arrived; False on timeout."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.requests) >= count, timeout)

    def wait_for_completed(self, count: int, timeout: float = 5.0) -> bool:
        """Block until ``count`` requests have been handled to the end; False on timeout."""
        with self._arrived:
            return self._arrived.wait_for(lambda: self.completed >= count, timeout)

    def matching(self, params: list[tuple[str, str]]) -> list[dict[str, Any]]:
        """The records a request with these parameters pages through."""
        types = {value for key, value in params if key in ("type", "type[]")}
        if not self.filter_by_type or not types:
            return self.records
        return [record for record in self.records if record.get("type") in types]

    def script_left(self) -> int:
        with self._lock:
            return len(self._script)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _next_action(self) -> Action | None:
        with self._lock:
            return self._script.popleft() if self._script else None

    def _page(self, params: list[tuple[str, str]]) -> tuple[dict[str, Any], str | None]:
        values = dict(params)
        limit = int(values.get("limit", "100"))
        if self.page_cap is not None:
            limit = min(limit, self.page_cap)
        cursor = values.get("cursor")
        start = (
            int(cursor[1:]) if cursor and cursor.startswith("k") else int(values.get("offset", "0"))
        )
        records = self.matching(params)
        end = min(start + limit, len(records))
        items = records[start:end]
        next_cursor = f"k{end}" if limit and end < len(records) else None
        body = {
            "items": items,
            "metadata": {
                "total": len(records),
                "limit": limit,
                "offset": None if cursor else start,
                "next_cursor": next_cursor,
            },
        }
        return body, cursor

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                try:
                    self._handle()
                finally:
                    with server._arrived:
                        server.completed += 1
                        server._arrived.notify_all()

            def _handle(self) -> None:
                parts = urlsplit(self.path)
                params = parse_qsl(parts.query, keep_blank_values=True)
                headers = {key.lower(): value for key, value in self.headers.items()}
                with server._arrived:
                    server.requests.append(
                        RecordedRequest(parts.path, parts.query, params, headers)
                    )
                    server._arrived.notify_all()
                if headers.get("authorization") != f"Bearer {server.token}":
                    self._send(401, orjson.dumps({"error": "Unauthorized"}))
                    return
                if parts.path != PATH:
                    self._send(404, orjson.dumps({"error": "Not Found"}))
                    return
                action = server._next_action()
                if action is None:
                    self._send(200, orjson.dumps(server._page(params)[0]))
                    return
                self._act(action, params)

            def _act(self, action: Action, params: list[tuple[str, str]]) -> None:
                body, cursor = server._page(params)
                kind = action.kind
                if kind == "ok":
                    self._send(200, orjson.dumps(body))
                elif kind == "status":
                    self._send(action.status, action.body, action.headers)
                elif kind == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                elif kind == "drop_mid_body":
                    payload = orjson.dumps(body)
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload[: len(payload) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                elif kind == "truncated":
                    payload = orjson.dumps(body)
                    self._send(200, payload[: len(payload) // 2])
                elif kind == "not_json":
                    self._send(200, b"OK then", content_type="text/plain")
                elif kind == "html":
                    page = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
                    self._send(200, page, content_type="text/html")
                elif kind == "bad_utf8":
                    self._send(200, b'{"items": [], "metadata": {"note": "\xff\xfe"}}')
                elif kind == "bad_gzip":
                    self._send(200, orjson.dumps(body), (("Content-Encoding", "gzip"),))
                elif kind == "no_total":
                    del body["metadata"]["total"]
                    self._send(200, orjson.dumps(body))
                elif kind == "unknown_fields":
                    body["metadata"]["shard"] = {"id": 7}
                    body["served_by"] = "edge-3"
                    body["items"] = orjson.loads(orjson.dumps(body["items"]))
                    for item in body["items"]:
                        item["surprise"] = [1, 2, 3]
                    self._send(200, orjson.dumps(body))
                elif kind == "metadata_first":
                    reordered = {"metadata": body["metadata"], "items": body["items"]}
                    self._send(200, orjson.dumps(reordered))
                elif kind == "repeat_cursor":
                    body["metadata"]["next_cursor"] = cursor or "k0"
                    self._send(200, orjson.dumps(body))
                elif kind == "empty_with_cursor":
                    body["items"] = []
                    body["metadata"]["next_cursor"] = "kx-empty"
                    self._send(200, orjson.dumps(body))
                elif kind == "slow":
                    server._stopping.wait(action.delay)
                    self._send(200, orjson.dumps(body))
                elif kind == "hold":
                    if self._client_stays(action.delay):
                        self._send(200, orjson.dumps(body))
                    else:
                        self.close_connection = True
                elif kind == "malformed_items":
                    body["items"] = malformed(body["items"])
                    self._send(200, orjson.dumps(body))
                elif kind == "huge_field":
                    body["items"] = with_huge_field(body["items"])
                    self._send(200, orjson.dumps(body))
                elif kind == "bad_utf8_in_record":
                    payload = orjson.dumps(body)
                    at = payload.index(b'"id":"') + len(b'"id":"')
                    self._send(200, payload[:at] + b"\xc3\x28" + payload[at:])
                else:
                    raise ValueError(f"unknown action {kind}")

            def _client_stays(self, seconds: float) -> bool:
                """Wait ``seconds``; False once the client hangs up (or the server stops)."""
                deadline = time.monotonic() + seconds
                while not server._stopping.is_set():
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return True
                    readable, _, _ = select.select([self.connection], [], [], min(left, 0.05))
                    if readable:
                        try:
                            if self.connection.recv(1, socket.MSG_PEEK) == b"":
                                return False
                        except OSError:
                            return False
                        return not server._stopping.wait(left)  # more bytes: it is still there
                return False

            def _send(
                self,
                code: int,
                payload: bytes,
                headers: Iterable[tuple[str, str]] = (),
                content_type: str = "application/json",
            ) -> None:
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    for key, value in headers:
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        return Handler


def make_records(count: int) -> list[dict[str, Any]]:
    """Records newest first, the way the contract orders them, with a few odd values."""
    base = 1_800_000_000
    records = []
    for index in range(count):
        started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base - index * 60))
        ended = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base - index * 60 + 30))
        records.append(
            {
                "id": f"cdr_{count - index:08d}",
                "type": "call" if index % 3 else "sms",
                "subtype": "inbound" if index % 5 else "brand_new_subtype",
                "started_at": started,
                "ended_at": ended,
                "data": {
                    "from_phone_number": "+447700900123",
                    "to_phone_number": f"+1555000{index % 10000:04d}",
                    "duration": index % 300,
                    "score": None if index % 4 == 0 else (index % 50) / 10,
                    "event_tags": ["hold", "mute"] if index % 2 else [],
                    "wrap_up_code": "=1+1" if index % 7 == 0 else "sale",
                },
            }
        )
    return records
