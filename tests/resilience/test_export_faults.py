"""The fault matrix for the headless ``cdrdesk export``, run as a subprocess with the token in
``CDRDESK_TOKEN``, against a scripted hostile server and the demo server with injected faults.

For every fault: exit status and one clean line on stderr; every record once
and in order when the export could get past the fault; otherwise the final
file never appears, the records fetched so far are kept in ``.partial`` and
the message names both the problem and the count.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from cdrdesk.demo.runner import DemoServerThread
from tests import hostile_server as hs
from tests.resilience.conftest import Fault, expected_records, fault_params

PAGE_SIZE = 500


def run_export(base_url: str, token: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    environment = dict(os.environ, CDRDESK_TOKEN=token)
    return subprocess.run(
        [sys.executable, "-m", "cdrdesk", "export", "--base-url", base_url, *args],
        env=environment,
        capture_output=True,
        timeout=240,
        check=False,
    )


def ndjson(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def one_clean_line(result: subprocess.CompletedProcess[bytes], token: str) -> str:
    stderr = result.stderr.decode()
    assert "Traceback" not in stderr
    assert len(stderr.splitlines()) <= 1, stderr
    assert token not in stderr
    return stderr


@pytest.mark.parametrize("fault", fault_params())
def test_fault_on_the_third_page(hostile: hs.HostileServer, tmp_path: Path, fault: Fault) -> None:
    out = tmp_path / "out.ndjson"
    hostile.script(hs.OK, hs.OK, *fault.actions)
    result = run_export(hostile.url, hostile.token, "-o", str(out), "--page-size", str(PAGE_SIZE))
    stderr = one_clean_line(result, hostile.token)
    if fault.message is None:
        assert result.returncode == 0, stderr
        assert ndjson(out) == expected_records(hostile, fault)
        assert [path.name for path in tmp_path.iterdir()] == ["out.ndjson"]
        return
    assert result.returncode == 1
    assert fault.message in stderr
    fetched = 2 * PAGE_SIZE
    partial = tmp_path / "out.ndjson.partial"
    assert f"the {fetched:,} records fetched so far are in {partial}" in stderr
    assert ndjson(partial) == hostile.records[:fetched]
    assert [path.name for path in tmp_path.iterdir()] == [partial.name]


@pytest.mark.parametrize(
    "action",
    [pytest.param(hs.MALFORMED_ITEMS, id="malformed"), pytest.param(hs.HUGE_FIELD, id="1 MB")],
)
def test_odd_records_reach_a_csv_whole(
    hostile: hs.HostileServer, tmp_path: Path, action: hs.Action
) -> None:
    """CSV turns each record into one row whatever its fields hold; nothing is cut or lost."""
    out = tmp_path / "out.csv"
    hostile.script(hs.OK, hs.OK, action)
    result = run_export(hostile.url, hostile.token, "-o", str(out), "--page-size", str(PAGE_SIZE))
    assert result.returncode == 0, result.stderr
    csv.field_size_limit(2_000_000)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    sent = (
        hostile.records[: PAGE_SIZE * 2]
        + (hs.malformed if action is hs.MALFORMED_ITEMS else hs.with_huge_field)(
            hostile.records[PAGE_SIZE * 2 : PAGE_SIZE * 3]
        )
        + hostile.records[PAGE_SIZE * 3 :]
    )
    assert [row["id"] for row in rows] == [str(record.get("id", "")) for record in sent]
    if action is hs.HUGE_FIELD:
        assert rows[PAGE_SIZE * 2]["wrap_up_code"] == hs.HUGE_TEXT


def test_demo_server_with_errors_and_rate_limit(
    faulty_demo: DemoServerThread, demo_server: DemoServerThread, tmp_path: Path
) -> None:
    """10% 500/503 and 429 past 5 requests a second: the export is the clean listing."""
    from tests.export.test_cli import direct_listing

    out = tmp_path / "sms.ndjson"
    result = run_export(
        faulty_demo.url, faulty_demo.token, "--filter", "type=sms", "-o", str(out),
        "--page-size", "200",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    one_clean_line(result, faulty_demo.token)
    expected = direct_listing(demo_server, [("type", "sms")])
    assert len(expected) > 2_000
    assert ndjson(out) == expected


def test_a_server_two_seconds_slow(demo_server: DemoServerThread, tmp_path: Path) -> None:
    from tests.export.test_cli import direct_listing

    out = tmp_path / "few.ndjson"
    with DemoServerThread(records=30_000, seed=1, latency_ms=2_000) as slow:
        result = run_export(
            slow.url, slow.token, "-o", str(out), "--max-rows", "150", "--page-size", "100"
        )
    assert result.returncode == 0, result.stderr
    assert ndjson(out) == direct_listing(demo_server)[:150]
