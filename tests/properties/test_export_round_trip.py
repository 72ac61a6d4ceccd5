"""Exports read back as the records: NDJSON and JSON exactly, CSV cell by cell.

Records carry any unicode text, commas, quotes and line breaks, and text
that looks like a spreadsheet formula. In CSV such text comes back with a
leading apostrophe, while plain numbers and E.164 numbers come back as they
were sent.
"""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from cdrdesk.api.records import flatten
from cdrdesk.export.writers import ExportFormat, open_writer

EXAMPLES = settings(max_examples=60, deadline=None)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30)
tricky_text = st.one_of(
    any_text,
    st.sampled_from(["=", "+", "-", "@", "\t", "\r", ",", '"', "\n", "\r\n", "'"]).flatmap(
        lambda start: any_text.map(lambda rest: start + rest)
    ),
    st.lists(st.sampled_from(["a", ",", '"', "\n", "\r", " ", "é", "中", "😀"]), max_size=12).map(
        "".join
    ),
)
e164 = st.from_regex(r"\+[1-9][0-9]{1,14}", fullmatch=True)
plain_numbers = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)
formulas = st.tuples(st.sampled_from(["=", "@"]), any_text).map("".join)

records = st.fixed_dictionaries(
    {
        "id": tricky_text,
        "type": st.one_of(st.sampled_from(["call", "sms"]), tricky_text),
        "started_at": st.sampled_from(["2026-07-01T10:15:03Z", "2026-01-01T00:00:00+02:00"]),
        "data": st.fixed_dictionaries(
            {
                "from_phone_number": st.one_of(e164, tricky_text),
                "to_phone_number": e164,
                "user_id": plain_numbers,
                "wrap_up_code": st.one_of(formulas, tricky_text),
                "duration": st.integers(min_value=0, max_value=2**53),
                "score": st.none() | st.floats(allow_nan=False, allow_infinity=False),
                "event_tags": st.lists(st.text(alphabet="abc_", min_size=1), max_size=3),
            },
            optional={"note": tricky_text, "external_account_id": tricky_text},
        ),
    },
    optional={"region": tricky_text},
)
record_lists = st.lists(records, max_size=6)


def export(records: list[dict[str, Any]], fmt: ExportFormat, folder: Path) -> Path:
    path = folder / f"out.{fmt.value}"
    with open_writer(fmt, path) as writer:
        writer.write_many(records)
    return path


def expected_cell(value: Any) -> str | None:
    """The CSV text of a value, or None for strings, whose rule is checked separately."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, int):
        return str(value)
    return None


def assert_text_cell(cell: str, value: str) -> None:
    if cell == value:
        assert not value.startswith(("=", "@")), f"formula {value!r} not neutralised"
    else:
        assert cell == "'" + value, (cell, value)
        assert value.startswith(FORMULA_STARTS), f"{value!r} neutralised without need"


@EXAMPLES
@given(rows=record_lists)
def test_csv_reads_back_as_the_records(rows: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = export(rows, ExportFormat.CSV, Path(folder))
        with path.open(encoding="utf-8", newline="") as handle:
            read = list(csv.DictReader(handle))
    assert len(read) == len(rows)
    for record, row in zip(rows, read, strict=True):
        flat = flatten(record)
        assert set(flat) <= set(row), set(flat) - set(row)
        for key, value in flat.items():
            cell = row[key]
            if isinstance(value, float):
                assert float(cell) == value, (key, cell, value)
            elif isinstance(value, str):
                assert_text_cell(cell, value)
            else:
                assert cell == expected_cell(value), (key, cell, value)
        assert row["to_phone_number"] == flat["to_phone_number"]  # E.164 as sent
        assert row["user_id"] == flat["user_id"]  # plain numbers as sent
        for key in set(row) - set(flat):
            assert row[key] == "", key


@EXAMPLES
@given(rows=record_lists)
def test_ndjson_and_json_read_back_exactly(rows: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        ndjson = export(rows, ExportFormat.NDJSON, Path(folder)).read_bytes()
        whole = export(rows, ExportFormat.JSON, Path(folder)).read_text(encoding="utf-8")
    assert [orjson.loads(line) for line in ndjson.splitlines()] == rows
    assert json.loads(whole) == rows
