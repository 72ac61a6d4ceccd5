"""The token stays out of exception texts, the debug log, the CLI's output, exports and argv.

Every server here knows the token, and the hostile one echoes it back in
every place a server could: messages, filter names, error details and
broken bodies. Nothing is registered with the log redaction, so a clean log
shows the client never wrote the token in the first place.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from cdrdesk import logs
from cdrdesk.api.client import CdrClient
from cdrdesk.api.errors import ApiError, InvalidFilters, Unauthorized
from cdrdesk.api.query import CdrQuery
from cdrdesk.api.retry import RetryPolicy
from cdrdesk.connections.profiles import Connection, Profile
from cdrdesk.demo.runner import DemoServerThread
from cdrdesk.export.cli import Connection as ExportConnection
from tests import hostile_server as hs
from tests.secrets.scan import all_files, distinctive_token, files_holding, processes_holding

FAST = RetryPolicy(
    attempts=3, total_timeout=5.0, wait_initial=0.01, wait_max=0.02, wait_jitter=0.0,
    retry_after_max=0.05,
)  # fmt: skip
TOKEN = distinctive_token()
RECORDS = hs.make_records(1500)


def raw(code: int, body: bytes, content_type: str = "application/json") -> hs.Action:
    return hs.Action("status", status=code, body=body, headers=(("Content-Type", content_type),))


def echoing_failures(token: str) -> dict[str, hs.Action]:
    """Answers that carry the token in every field a client might quote."""
    said = f"Authorization: Bearer {token} was refused; token={token}"
    return {
        "400 message": hs.status(400, {"message": said}),
        "400 error": hs.status(400, {"error": token}),
        "403": hs.status(403, {"message": said}),
        "404": hs.status(404, {"message": said}),
        "418": hs.status(418, {"message": said}),
        "422 filter names": hs.status(422, {"errors": {f"type_{token}": [said]}}),
        "422 message": hs.status(422, {"message": said}),
        "429": hs.status(429, {"message": said}, **{"Retry-After": "0"}),
        "500": hs.status(500, {"message": said}),
        "503": hs.status(503, {"error": said}, **{"Retry-After": "0"}),
        "302": hs.status(302, {"message": said}, Location=f"https://elsewhere/?t={token}"),
        "truncated JSON": raw(200, f'{{"items": [], "note": "{token}'.encode()),
        "not JSON": raw(200, f"{token} {token}".encode(), "text/plain"),
        "HTML": raw(200, f"<html><body>{token}</body></html>".encode(), "text/html"),
        "bad shape": raw(200, orjson.dumps({"items": token, "metadata": {}})),
        "bad cursor": raw(200, orjson.dumps({"items": [], "metadata": {"next_cursor": 7}})),
    }


def every_text_of(error: BaseException) -> str:
    """What any caller could show or log of an error: str, repr, args, details, traceback."""
    parts = [str(error), repr(error), repr(error.args)]
    if isinstance(error, InvalidFilters):
        parts.append(repr(error.errors))
    parts.extend(traceback.format_exception(error))
    return "\n".join(parts)


def fetch_error(client: CdrClient, query: CdrQuery | None = None) -> ApiError:
    async def fetch() -> None:
        async with client:
            await client.get_page(query or CdrQuery(), limit=10)

    with pytest.raises(ApiError) as caught:
        asyncio.run(fetch())
    return caught.value


@pytest.fixture
def hostile() -> Iterator[hs.HostileServer]:
    with hs.HostileServer(RECORDS, token=TOKEN) as server:
        yield server


@pytest.fixture
def debug_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The real log set-up at DEBUG, writing into this test's own state folder."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    root = logging.getLogger()
    level = root.level
    path = logs.setup_logging(debug=True)
    assert path is not None
    assert tmp_path in path.parents
    yield path
    logs.shutdown_logging()
    root.setLevel(level)


def test_no_error_text_holds_the_token(capsys: pytest.CaptureFixture[str], debug_log: Path) -> None:
    """(``capsys`` first: the log's stderr handler then writes to the captured stream.)"""
    texts: dict[str, str] = {}
    for name, action in echoing_failures(TOKEN).items():
        with hs.HostileServer(RECORDS, token=TOKEN) as server:
            server.script(*[action] * FAST.attempts)
            error = fetch_error(CdrClient(server.url, TOKEN, retry=FAST))
        logging.getLogger("cdrdesk.ui.loader").exception("page failed: %s", error, exc_info=error)
        texts[name] = every_text_of(error)
    leaking = {name: text for name, text in texts.items() if TOKEN in text}
    assert leaking == {}
    assert "[token]" in texts["400 message"]  # the server's words are quoted, scrubbed

    log_text = debug_log.read_text(encoding="utf-8")
    assert "Retrying a page of CDRs" in log_text  # the 5xx and 429 answers were retried
    assert "page failed: the server refused the request (400" in log_text
    assert files_holding(TOKEN, debug_log.parents[2]) == []
    terminal = capsys.readouterr()
    assert "page failed" in terminal.err
    assert TOKEN not in terminal.out + terminal.err


def test_a_wrong_token_is_not_echoed(
    hostile: hs.HostileServer, demo_server: DemoServerThread, debug_log: Path
) -> None:
    """A mistyped token may be a real token of another account."""
    wrong = distinctive_token()
    for url in (hostile.url, demo_server.url):
        error = fetch_error(CdrClient(url, wrong, retry=FAST))
        assert isinstance(error, Unauthorized)
        logging.getLogger("cdrdesk.ui.loader").warning("failed: %r", error)
        assert wrong not in every_text_of(error)
    assert wrong not in debug_log.read_text(encoding="utf-8")


def test_retries_at_debug_keep_the_token_out_of_the_log(
    hostile: hs.HostileServer, debug_log: Path
) -> None:
    hostile.script(
        hs.status(500, {"message": TOKEN}), hs.DROP, hs.rate_limited("0"), hs.DROP_MID_BODY
    )
    client = CdrClient(hostile.url, TOKEN, retry=RetryPolicy(
        attempts=5, wait_initial=0.01, wait_max=0.02, wait_jitter=0.0, retry_after_max=0.05
    ))  # fmt: skip

    async def fetch_all() -> int:
        async with client:
            return sum([len(page.items) async for page in client.iter_pages(CdrQuery())])

    assert asyncio.run(fetch_all()) == len(RECORDS)
    text = debug_log.read_text(encoding="utf-8")
    assert text.count("Retrying a page of CDRs") == 4
    assert TOKEN not in text


def test_reprs_hide_the_token(hostile: hs.HostileServer) -> None:
    client = CdrClient(hostile.url, TOKEN)
    profile = Profile("prod", hostile.url)
    shown = [
        repr(client),
        repr(Connection(profile, TOKEN)),
        str(Connection(profile, TOKEN)),
        repr(ExportConnection(hostile.url, TOKEN)),
    ]
    asyncio.run(client.aclose())
    assert all(TOKEN not in text for text in shown), shown


def export_command(base_url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "cdrdesk", "export", "--base-url", base_url, *args]


def export_environment(token: str) -> dict[str, str]:
    return dict(os.environ, CDRDESK_TOKEN=token)


def run_export(base_url: str, token: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        export_command(base_url, *args),
        env=export_environment(token),
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_exports_in_every_format_hold_no_token(hostile: hs.HostileServer, tmp_path: Path) -> None:
    for fmt in ("ndjson", "json", "csv", "xlsx"):
        result = run_export(hostile.url, TOKEN, "--format", fmt, "-o", str(tmp_path / f"x.{fmt}"))
        assert result.returncode == 0, result.stderr
        assert TOKEN.encode() not in result.stdout + result.stderr
    streamed = run_export(hostile.url, TOKEN, "--format", "csv", "--max-rows", "5")
    assert streamed.returncode == 0, streamed.stderr
    assert streamed.stdout.count(b"\n") == 6
    assert TOKEN.encode() not in streamed.stdout + streamed.stderr
    assert sorted(p.name for p in all_files(tmp_path)) == [
        "x.csv", "x.json", "x.ndjson", "x.xlsx",
    ]  # fmt: skip
    assert files_holding(TOKEN, tmp_path) == []


@pytest.mark.parametrize("failure", ["400 message", "422 filter names", "404", "HTML"])
def test_cli_failures_do_not_print_the_token(
    hostile: hs.HostileServer, tmp_path: Path, failure: str
) -> None:
    hostile.script(echoing_failures(TOKEN)[failure])
    result = run_export(hostile.url, TOKEN, "-o", str(tmp_path / "x.ndjson"))
    assert result.returncode != 0
    assert result.stderr.strip(), "the failure is reported"
    assert TOKEN.encode() not in result.stdout + result.stderr
    assert files_holding(TOKEN, tmp_path) == []


def test_cli_wrong_token_is_not_printed(demo_server: DemoServerThread, tmp_path: Path) -> None:
    wrong = distinctive_token()
    result = run_export(demo_server.url, wrong, "-o", str(tmp_path / "x.csv"))
    assert result.returncode == 3
    assert b"401" in result.stderr
    assert wrong.encode() not in result.stdout + result.stderr


def test_a_running_export_shows_no_token_in_any_argv(
    hostile: hs.HostileServer, tmp_path: Path
) -> None:
    hostile.script(hs.slow(30))
    process = subprocess.Popen(
        export_command(hostile.url, "-o", str(tmp_path / "x.ndjson")),
        env=export_environment(TOKEN),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert hostile.wait_for_requests(1, timeout=60), "the export never asked for a page"
        assert hostile.requests[0].headers["authorization"] == f"Bearer {TOKEN}"
        assert process.poll() is None
        assert processes_holding(TOKEN) == {}
        our_export = processes_holding(hostile.url)
        assert process.pid in our_export, "the scan sees the export's own argv"
    finally:
        process.kill()
        process.communicate(timeout=30)
