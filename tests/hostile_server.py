"""A small real HTTP server that serves CDRs by the contract's cursors and misbehaves on cue.

Tests script it per request (``server.script(...)``): each request takes the
next action from the script, and once the script is empty the server answers
correctly. Every request is recorded, so a test can check what the client sent.
"""

from __future__ import annotations

import collections
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
        self, records: Sequence[dict[str, Any]], *, token: str = TOKEN, page_cap: int | None = None
    ) -> None:
        """``page_cap`` makes pages shorter than asked for, as a server with a lower maximum."""
        self.records = list(records)
        self.page_cap = page_cap
        self.token = token
        self.requests: list[RecordedRequest] = []
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
        end = min(start + limit, len(self.records))
        items = self.records[start:end]
        next_cursor = f"k{end}" if limit and end < len(self.records) else None
        body = {
            "items": items,
            "metadata": {
                "total": len(self.records),
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
                else:
                    raise ValueError(f"unknown action {kind}")

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
