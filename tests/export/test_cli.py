"""``cdrdesk export`` end to end, as a subprocess against real servers on loopback."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import pty
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import orjson
import pytest

from cdrdesk import cli
from cdrdesk.demo.runner import DemoServerThread
from tests import hostile_server as hs


def run_export(
    base_url: str, token: str | None, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    environment = {key: value for key, value in os.environ.items() if key != "CDRDESK_TOKEN"}
    if token is not None:
        environment["CDRDESK_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "cdrdesk", "export", "--base-url", base_url, *args],
        env=environment,
        capture_output=True,
        timeout=240,
        cwd=cwd,
        check=False,
    )


def direct_listing(
    server: DemoServerThread, params: Sequence[tuple[str, str]] = ()
) -> list[dict[str, Any]]:
    """Every record by following cursors with plain httpx, independently of the client."""
    records: list[dict[str, Any]] = []
    headers = {"Authorization": f"Bearer {server.token}"}
    cursor: str | None = None
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
        while True:
            page_params: list[tuple[str, str | int | float | bool | None]] = [
                *params,
                ("limit", "1000"),
            ]
            page_params.append(("cursor", cursor) if cursor else ("offset", "0"))
            response = http.get("/api/v4/reporting/cdrs", params=page_params)
            response.raise_for_status()
            body = response.json()
            records.extend(body["items"])
            cursor = body["metadata"]["next_cursor"]
            if cursor is None:
                return records


@pytest.fixture(scope="module")
def everything(demo_server: DemoServerThread) -> list[dict[str, Any]]:
    return direct_listing(demo_server)


def assert_clean(result: subprocess.CompletedProcess[bytes], token: str, *files: Path) -> None:
    """One line on stderr at most, no traceback, and the token nowhere."""
    stderr = result.stderr.decode()
    assert "Traceback" not in stderr
    assert len(stderr.splitlines()) <= 1, stderr
    assert token.encode() not in result.stdout
    assert token not in stderr
    for path in files:
        if path.exists():
            assert token.encode() not in path.read_bytes()


def test_ndjson_export_is_the_direct_listing_past_10000(
    demo_server: DemoServerThread, everything: list[dict[str, Any]], tmp_path: Path
) -> None:
    out = tmp_path / "all.ndjson"
    result = run_export(demo_server.url, demo_server.token, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert_clean(result, demo_server.token, out)
    assert result.stderr == b""  # not a terminal: no progress
    exported = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert len(everything) == 30_000
    assert exported == everything
    assert list(tmp_path.iterdir()) == [out]


def test_csv_with_filters_matches_the_server(demo_server: DemoServerThread, tmp_path: Path) -> None:
    out = tmp_path / "calls.csv"
    filters = [("type", "call"), ("duration[gte]", "60"), ("from_phone_number_like", "+4*")]
    expected = direct_listing(demo_server, filters)
    assert expected
    args = [arg for key, value in filters for arg in ("--filter", f"{key}={value}")]
    result = run_export(demo_server.url, demo_server.token, *args, "-o", str(out), "--bom")
    assert result.returncode == 0, result.stderr
    assert_clean(result, demo_server.token, out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["id"] for row in rows] == [record["id"] for record in expected]
    assert {row["type"] for row in rows} == {"call"}
    assert all(int(row["duration"]) >= 60 for row in rows)
    assert all(row["from_phone_number"].startswith("+4") for row in rows)


def test_json_with_max_rows(
    demo_server: DemoServerThread, everything: list[dict[str, Any]], tmp_path: Path
) -> None:
    out = tmp_path / "some.json"
    result = run_export(
        demo_server.url, demo_server.token, "-o", str(out), "--max-rows", "2500",
        "--page-size", "700",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text("utf-8")) == everything[:2500]


def test_xlsx_with_columns_and_zone(
    demo_server: DemoServerThread, everything: list[dict[str, Any]], tmp_path: Path
) -> None:
    out = tmp_path / "some.xlsx"
    result = run_export(
        demo_server.url, demo_server.token, "-o", str(out), "--max-rows", "300",
        "--columns", "id,started_at,from_phone_number,duration", "--zone", "America/New_York",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert_clean(result, demo_server.token, out)
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "id", "started_at", "started_at (America/New_York)", "from_phone_number", "duration",
    )  # fmt: skip
    assert len(rows) == 301
    assert [row[0] for row in rows[1:]] == [record["id"] for record in everything[:300]]
    assert rows[1][1] == everything[0]["started_at"]
    assert rows[1][3] == everything[0]["data"].get("from_phone_number")


def test_stdout(demo_server: DemoServerThread, everything: list[dict[str, Any]]) -> None:
    result = run_export(demo_server.url, demo_server.token, "-o", "-", "--max-rows", "10")
    assert result.returncode == 0, result.stderr
    assert [orjson.loads(line) for line in result.stdout.splitlines()] == everything[:10]


def test_progress_only_on_a_terminal(demo_server: DemoServerThread, tmp_path: Path) -> None:
    out = tmp_path / "some.ndjson"
    controller, terminal = pty.openpty()
    environment = dict(os.environ, CDRDESK_TOKEN=demo_server.token)
    command = [
        sys.executable, "-m", "cdrdesk", "export", "--base-url", demo_server.url,
        "-o", str(out), "--max-rows", "3000",
    ]  # fmt: skip
    try:
        process = subprocess.run(
            command, env=environment, stderr=terminal, timeout=120, check=False
        )
        os.close(terminal)
        shown = b""
        with contextlib.suppress(OSError):  # EIO once the terminal side is closed and drained
            while chunk := os.read(controller, 65536):
                shown += chunk
    finally:
        os.close(controller)
    assert process.returncode == 0
    assert b"1,000 of 3,000 records" in shown
    assert b"3,000 records written to" in shown
    assert demo_server.token.encode() not in shown


def test_wrong_token_exits_3_with_one_line(demo_server: DemoServerThread, tmp_path: Path) -> None:
    out = tmp_path / "x.ndjson"
    result = run_export(demo_server.url, "wrong-token-value", "-o", str(out))
    assert result.returncode == 3
    assert_clean(result, "wrong-token-value", out)
    assert b"401" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_server_refused_filter_exits_4_naming_it(demo_server: DemoServerThread) -> None:
    result = run_export(demo_server.url, demo_server.token, "--filter", "type=fax")
    assert result.returncode == 4
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 2  # the client's warning about the unknown value, then the error
    assert "warning: type" in lines[0]
    assert "refused filter type" in lines[1]
    assert "Traceback" not in result.stderr.decode()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--filter", "duration[gte]=60", "--filter", "duration[lt]=10"], "duration"),
        (["--filter", "started_at[gte]=2026-11-01T00:00:00"], "started_at"),
        (["--filter", "durration=5"], "durration"),
        (["--filter", "type"], "KEY=VALUE"),
        (["--filter", "cursor=abc"], "--page-size"),
        (["--page-size", "1001"], "--page-size"),
        (["--format", "xlsx"], "stdout"),
        (["--format", "csv", "--zone", "Mars/Olympus"], "Mars/Olympus"),
        (["--bom", "-o", "x.ndjson"], "--bom"),
        (["--columns", "id,,type", "-o", "x.csv"], "--columns"),
    ],
)
def test_usage_errors_exit_2_naming_the_option(
    args: list[str],
    words: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """In-process (the subprocess path is covered above) to keep the suite quick."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CDRDESK_TOKEN", hs.TOKEN)
    with hs.HostileServer([]) as server:
        code: int | str | None
        try:
            code = cli.main(["export", "--base-url", server.url, *args])
        except SystemExit as exit_:
            code = exit_.code
        assert server.requests == []
    captured = capsys.readouterr()
    assert code == 2
    assert words in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""
    assert list(tmp_path.iterdir()) == []


def test_missing_token_is_a_clear_error() -> None:
    result = run_export("http://127.0.0.1:9", None)
    assert result.returncode == 2
    assert b"CDRDESK_TOKEN" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_no_token_option_on_the_command_line() -> None:
    result = run_export("http://127.0.0.1:9", "t", "--token", "secret")
    assert result.returncode == 2
    assert b"unrecognized arguments: --token" in result.stderr


@pytest.fixture
def hostile() -> Iterator[hs.HostileServer]:
    with hs.HostileServer(hs.make_records(3000)) as server:
        yield server


@pytest.mark.parametrize(
    ("failure", "code", "words"),
    [
        (hs.status(401, {"error": "Unauthorized"}), 3, "401"),
        (hs.status(422, {"errors": {"duration": ["lower bound 9 is above 1"]}}), 4, "duration"),
        (hs.status(501, {"error": "boom"}), 1, "server error (501"),
        (hs.HTML, 1, "HTML page"),
    ],
)
def test_failure_mid_export_keeps_partial_and_existing_file(
    hostile: hs.HostileServer, tmp_path: Path, failure: hs.Action, code: int, words: str
) -> None:
    out = tmp_path / "out.csv"
    out.write_text("precious\n")
    hostile.script(hs.OK, hs.OK, failure)
    result = run_export(
        hostile.url, hostile.token, "-o", str(out), "--overwrite", "--page-size", "500"
    )
    assert result.returncode == code
    assert_clean(result, hostile.token, out, tmp_path / "out.csv.partial")
    stderr = result.stderr.decode()
    assert words in stderr
    assert "out.csv.partial" in stderr
    assert out.read_text() == "precious\n"
    with (tmp_path / "out.csv.partial").open(newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 1000
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out.csv", "out.csv.partial"]


def test_existing_file_needs_overwrite(hostile: hs.HostileServer, tmp_path: Path) -> None:
    out = tmp_path / "out.ndjson"
    out.write_text("precious\n")
    result = run_export(hostile.url, hostile.token, "-o", str(out))
    assert result.returncode == 1
    assert b"already exists" in result.stderr
    assert out.read_text() == "precious\n"
    assert hostile.requests == []


def test_transient_failures_do_not_lose_or_repeat_records(
    hostile: hs.HostileServer, tmp_path: Path
) -> None:
    out = tmp_path / "out.ndjson"
    hostile.script(hs.OK, hs.rate_limited("0"), hs.DROP, hs.OK, hs.status(502))
    result = run_export(hostile.url, hostile.token, "-o", str(out), "--page-size", "1000")
    assert result.returncode == 0, result.stderr
    exported = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert exported == hostile.records


@pytest.mark.slow
def test_failure_that_outlasts_the_retries(hostile: hs.HostileServer, tmp_path: Path) -> None:
    out = tmp_path / "out.ndjson"
    hostile.script(hs.OK, *[hs.status(503)] * 20)
    result = run_export(hostile.url, hostile.token, "-o", str(out), "--page-size", "1000")
    assert result.returncode == 1
    assert_clean(result, hostile.token, out)
    assert b"503" in result.stderr
    assert b"gave up after 6 attempts" in result.stderr
    assert len((tmp_path / "out.ndjson.partial").read_bytes().splitlines()) == 1000
