""" "Copy as curl": the same request as the client's, valid shell, and never the token."""

from __future__ import annotations

import asyncio
import http.server
import inspect
import os
import shlex
import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import ClassVar
from urllib.parse import urlsplit

import pytest

from cdrdesk.api.client import CdrClient
from cdrdesk.api.query import CdrQuery, RangeValue
from cdrdesk.presets.curl import curl_command

TOKEN = "sk_live_9f8e7d6c5b4a"
QUERY = CdrQuery(
    {
        "type": ("call",),
        "wrap_up_code": ("it's done", 'say "hi" $HOME `id`', "a&b;c|d"),
        "to_phone_number_like": "+4420*",
        "duration": RangeValue(gte=30),
        "started_at": RangeValue(
            gte=datetime(2026, 11, 1, tzinfo=timezone(timedelta(hours=2))),
            lt=datetime(2026, 11, 2, tzinfo=UTC),
        ),
    }
)
PAGES = [
    {"limit": 100},
    {"limit": 0},
    {"limit": 1000, "offset": 9000},
    {"limit": 50, "cursor": "eyJrIjoiMjAyNi0xMS0yOSJ9+/="},
]


def client_url(base_url: str, query: CdrQuery, **page: object) -> str:
    client = CdrClient(base_url, TOKEN)
    try:
        return client.page_url(query, **page)  # type: ignore[arg-type]
    finally:
        asyncio.run(client.aclose())


def command_url(command: str) -> str:
    argv = shlex.split(command)
    assert argv[:7] == [
        "curl",
        "-sS",
        "--globoff",
        "-H",
        "Accept: application/json",
        "-H",
        "Authorization: Bearer $CDRDESK_TOKEN",
    ]
    assert len(argv) == 8
    return argv[7]


@pytest.mark.parametrize("page", PAGES, ids=str)
@pytest.mark.parametrize(
    "base_url", ["https://c1.voiso.com", "http://127.0.0.1:8080/", " https://x.example/root/ "]
)
@pytest.mark.parametrize("query", [QUERY, CdrQuery()], ids=["filters", "none"])
def test_url_is_the_clients_url(base_url, query, page):
    command = curl_command(base_url, query, **page)
    assert command_url(command) == client_url(base_url, query, **page)


def test_token_is_a_variable_and_never_an_argument():
    command = curl_command("https://c1.voiso.com", QUERY, limit=100)
    assert '-H "Authorization: Bearer $CDRDESK_TOKEN"' in command
    assert TOKEN not in command
    assert "token" not in inspect.signature(curl_command).parameters


def test_bad_base_url_is_refused():
    with pytest.raises(ValueError, match="https://"):
        curl_command("c1.voiso.com", QUERY, limit=10)


def run_in_bash(command: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CDRDESK_TOKEN": TOKEN}
    return subprocess.run(
        ["bash", "-c", f"{prelude}\n{command}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_bash_runs_it_with_the_token_from_the_environment():
    command = curl_command("https://c1.voiso.com", QUERY, limit=100, offset=200)
    fake_curl = "curl() { printf '%s\\n' \"$@\"; }"

    result = run_in_bash(command, fake_curl)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "-sS",
        "--globoff",
        "-H",
        "Accept: application/json",
        "-H",
        f"Authorization: Bearer {TOKEN}",
        client_url("https://c1.voiso.com", QUERY, limit=100, offset=200),
    ]


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str | None, str | None]]] = []

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers["Authorization"], self.headers["Accept"]))
        body = b'{"items": [], "metadata": {"total": 0, "next_cursor": null}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[tuple[str, str | None, str | None]]]]:
    seen: ClassVar[list[tuple[str, str | None, str | None]]] = []
    handler = type("Recorder", (_Recorder,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.skipif(
    shutil.which("curl") is None and os.environ.get("CI") != "true",
    reason="curl is not installed (on CI it must be: .ci/run installs it)",
)
def test_real_curl_sends_the_exact_request(recorder):
    base_url, seen = recorder
    command = curl_command(base_url, QUERY, limit=100, cursor="abc+/=")

    result = run_in_bash(command)

    assert result.returncode == 0, result.stderr
    assert '"items": []' in result.stdout
    expected = urlsplit(client_url(base_url, QUERY, limit=100, cursor="abc+/="))
    assert seen == [(f"{expected.path}?{expected.query}", f"Bearer {TOKEN}", "application/json")]
