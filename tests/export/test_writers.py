"""The writers on real files: formats, columns, neutralisation, atomic publication."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import orjson
import pytest

from cdrdesk.api.records import COLUMNS
from cdrdesk.export.columns import ColumnFormat
from cdrdesk.export.output import OutputExists, partial_path
from cdrdesk.export.writers import ExportFormat, RecordWriter, open_writer

RECORDS: list[dict[str, Any]] = [
    {
        "id": "cdr_2",
        "type": "call",
        "subtype": "inbound",
        "started_at": "2026-07-01T10:15:03Z",
        "ended_at": "2026-07-01T10:19:44Z",
        "data": {
            "from_phone_number": "+447700900123",
            "to_phone_number": "+15551234567",
            "duration": 281,
            "score": 4.5,
            "event_tags": ["hold", "warm_transfer"],
            "wrap_up_code": '=HYPERLINK("http://evil","x")',
            "disposition": "answered",
            "user_id": "-12.5",
        },
    },
    {
        "id": "cdr_1",
        "type": "teleport",
        "subtype": "quantum",
        "started_at": "2026-01-01T00:00:00Z",
        "ended_at": None,
        "data": {
            "from_phone_number": "@home",
            "duration": 0,
            "event_tags": [],
            "sentiment": {"mood": "calm"},
            "external_account_id": "+44 20 7946 0000",
        },
        "region": "eu",
    },
]


def write(fmt: ExportFormat, path: Path, column_format: ColumnFormat | None = None) -> int:
    with open_writer(fmt, path, column_format) as writer:
        writer.write_many(RECORDS[:1])
        writer.write(RECORDS[1])
    return writer.rows_written


def test_ndjson_keeps_every_record_as_received(tmp_path: Path) -> None:
    path = tmp_path / "out.ndjson"
    assert write(ExportFormat.NDJSON, path) == 2
    lines = path.read_bytes().splitlines()
    assert [orjson.loads(line) for line in lines] == RECORDS
    assert list(tmp_path.iterdir()) == [path]


def test_json_is_one_array(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    write(ExportFormat.JSON, path)
    assert json.loads(path.read_text("utf-8")) == RECORDS


def test_json_without_records_is_an_empty_array(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    with open_writer(ExportFormat.JSON, path):
        pass
    assert json.loads(path.read_text("utf-8")) == []


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_has_every_known_column_then_unknown_fields(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write(ExportFormat.CSV, path)
    rows = read_csv(path)
    assert list(rows[0]) == [column.key for column in COLUMNS] + ["region", "sentiment"]
    first, second = rows
    assert first["from_phone_number"] == "+447700900123"
    assert first["duration"] == "281"
    assert first["score"] == "4.5"
    assert first["event_tags"] == "hold;warm_transfer"
    assert first["wrap_up_code"] == '\'=HYPERLINK("http://evil","x")'
    assert first["user_id"] == "-12.5"
    assert first["started_at"] == "2026-07-01T10:15:03Z"
    assert second["type"] == "teleport"
    assert second["from_phone_number"] == "'@home"
    assert second["external_account_id"] == "'+44 20 7946 0000"
    assert second["ended_at"] == ""
    assert second["sentiment"] == '{"mood":"calm"}'
    assert second["region"] == "eu"
    assert first["region"] == ""


def test_csv_given_columns_with_zone_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    fmt = ColumnFormat(("id", "started_at", "duration", "region"), ZoneInfo("Europe/Berlin"),
                       "Europe/Berlin", bom=True)  # fmt: skip
    write(ExportFormat.CSV, path, fmt)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows == [
        ["id", "started_at", "started_at (Europe/Berlin)", "duration", "region"],
        ["cdr_2", "2026-07-01T10:15:03Z", "2026-07-01 12:15:03", "281", ""],
        ["cdr_1", "2026-01-01T00:00:00Z", "2026-01-01 01:00:00", "0", "eu"],
    ]


def test_xlsx_same_columns_bold_frozen_header(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    write(ExportFormat.XLSX, path, ColumnFormat(zone=UTC, zone_name="UTC"))
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:3] == ["id", "started_at", "started_at (UTC)"]
    assert header[-2:] == ["region", "sentiment"]
    first = dict(zip(header, rows[1], strict=True))
    assert first["from_phone_number"] == "+447700900123"
    assert first["duration"] == 281
    assert first["score"] == 4.5
    assert first["user_id"] == "-12.5"
    assert first["wrap_up_code"] == '\'=HYPERLINK("http://evil","x")'
    assert first["started_at (UTC)"].isoformat() == "2026-07-01T10:15:03"
    second = dict(zip(header, rows[2], strict=True))
    assert second["from_phone_number"] == "'@home"
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"


def test_existing_file_is_not_overwritten_without_permission(tmp_path: Path) -> None:
    path = tmp_path / "out.ndjson"
    path.write_text("precious\n")
    with pytest.raises(OutputExists, match="already exists"):
        open_writer(ExportFormat.NDJSON, path)
    assert path.read_text() == "precious\n"
    write_with = open_writer(ExportFormat.NDJSON, path, overwrite=True)
    write_with.write(RECORDS[0])
    write_with.close()
    assert orjson.loads(path.read_bytes()) == RECORDS[0]


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_failure_keeps_partial_and_leaves_final_name_alone(
    tmp_path: Path, fmt: ExportFormat
) -> None:
    path = tmp_path / f"out.{fmt.value}"
    path.write_text("precious\n")
    writer = open_writer(fmt, path, overwrite=True)
    with pytest.raises(RuntimeError, match="connection lost"):
        feed_then_fail(writer)
    assert path.read_text() == "precious\n"
    partial = partial_path(path)
    assert writer.kept_partial == partial
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, partial.name])
    if fmt is ExportFormat.NDJSON:
        assert len(partial.read_bytes().splitlines()) == 2
    if fmt is ExportFormat.JSON:
        assert json.loads(partial.read_text("utf-8")) == RECORDS
    if fmt is ExportFormat.CSV:
        assert len(read_csv(partial)) == 2
    if fmt is ExportFormat.XLSX:
        with partial.open("rb") as handle:
            sheet = openpyxl.load_workbook(handle).active
        assert sheet is not None
        assert sheet.max_row == 3


def feed_then_fail(writer: RecordWriter) -> None:
    with writer:
        writer.write_many(RECORDS)
        raise RuntimeError("connection lost")


def test_failure_before_any_record_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), open_writer(ExportFormat.CSV, path):
        raise RuntimeError("401")
    assert list(tmp_path.iterdir()) == []


def test_format_from_file_name() -> None:
    assert ExportFormat.from_path(Path("a.CSV")) is ExportFormat.CSV
    assert ExportFormat.from_path(Path("a.jsonl")) is ExportFormat.NDJSON
    assert ExportFormat.from_path(Path("a.txt")) is None
