"""Fast per-column cell texts: the same text as formatting the stored value, always.

``RowStore.text_reader`` reads a column's texts without going through
``RowStore.value``; whatever the records hold, and however the store grows
or is cleared, each text must be ``format_cell`` of the value the store
gives back for that cell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from cdrdesk.api.query import CdrQuery
from cdrdesk.api.records import COLUMNS, COLUMNS_BY_KEY, TOP_LEVEL_FIELDS, ColumnKind, ColumnSpec
from cdrdesk.ui import cdr_model, rowstore
from cdrdesk.ui.cdr_model import FIRST_PAGE_SIZE, CdrTableModel, new_text_memos, text_readers
from cdrdesk.ui.formatting import MAX_CELL_CHARS, format_cell, plain_text
from cdrdesk.ui.rowstore import MAX_TEXT_CHARS, RowStore, TextReader
from tests import hostile_server as hs
from tests.ui_table.conftest import connection_to

Record = dict[str, Any]
DATA_KEYS = [column.key for column in COLUMNS if column.key not in TOP_LEVEL_FIELDS]
ZONES: list[tzinfo] = [
    UTC,
    ZoneInfo("Europe/Riga"),
    ZoneInfo("America/St_Johns"),
    ZoneInfo("Asia/Kathmandu"),
    timezone(timedelta(hours=-12)),
]


KEYS_IN_ORDER = [spec.key for spec in COLUMNS]


def readers_for(store: RowStore, zone: tzinfo) -> dict[str, TextReader]:
    """A reader per column, as the table uses them (times handed over as epoch seconds)."""
    return dict(zip(KEYS_IN_ORDER, text_readers(store, zone), strict=True))


def outcome(read: Callable[[int], str], row: int) -> str | type[Exception]:
    """``read(row)``, or the kind of its error (a time outside datetime's range in some zones)."""
    try:
        return read(row)
    except (OverflowError, ValueError, OSError) as error:
        return type(error)


def assert_readers_agree(
    store: RowStore, readers: dict[str, TextReader], zone: tzinfo, records: list[Record]
) -> None:
    assert len(store) == len(records)
    for row in range(len(store)):
        for spec in COLUMNS:
            expected = outcome(partial(slow_text, store, spec, zone), row)
            got = outcome(readers[spec.key], row)
            assert got == expected, (row, spec.key, records[row])
    assert_runs_read_as_rows(store, readers)


def assert_runs_read_as_rows(store: RowStore, readers: dict[str, TextReader]) -> None:
    """A run of rows read at once gives each row's own text, from any start to any stop."""
    count = len(store)
    for spec in COLUMNS:
        read = readers[spec.key]
        try:
            one_by_one = [read(row) for row in range(count)]
        except (OverflowError, ValueError, OSError):
            continue  # a time outside datetime's range: the row reader raises as well
        for first in range(count + 1):
            for stop in range(first, count + 1):
                assert read.rows(first, stop) == one_by_one[first:stop], (spec.key, first, stop)


def slow_text(store: RowStore, spec: ColumnSpec, zone: tzinfo, row: int) -> str:
    """The cell's text the long way: the value as the store gives it back, formatted."""
    return format_cell(spec, store.value(row, spec.key), zone)


# --- any record ------------------------------------------------------------------------------

SPECIAL_TEXTS = [
    "",
    " ",
    "call",
    "sms",
    "hold",
    "a\r\nb\tc",
    "line\u2028break",
    "nul\x00byte",
    "bell\x07",
    "\x85next",
    "ü🙂 Ελένη",
    "lone \ud800 surrogate",
    "=1+1",
    "x" * MAX_CELL_CHARS,
    "x" * (MAX_CELL_CHARS + 1),
    "é" * (MAX_CELL_CHARS - 1) + "\n",
    "y" * MAX_TEXT_CHARS,
    "y" * (MAX_TEXT_CHARS + 1),
    "東京\t" * 2000,
]
TIMES = [
    "2026-11-29T10:15:03Z",
    "1970-01-01T00:00:00Z",
    "2024-02-29T23:59:59Z",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2026-11-29T10:15:03.250Z",
    "2026-11-29T12:15:03+02:00",
    "2026-11-29t10:15:03z",
    "2026-02-30T00:00:00Z",
    "2026-11-29 10:15:03",
    "yesterday",
]
INTEGERS = [0, 1, -1, 59, 3600, 2**53, 2**53 - 1, 2**63 - 1, 2**63, -(2**63), -(2**63) + 1]
INTEGERS += [-(2**63) + 2, 2**70]

texts = st.text(max_size=24) | st.sampled_from(SPECIAL_TEXTS)
plain_times = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(
    lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ").rjust(20, "0")
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**65), max_value=2**65)
    | st.sampled_from(INTEGERS)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([-0.0, 0.0, 4.0, 4.005, 1e300, 5e-324])
    | texts
)
values = (
    scalars
    | st.lists(texts, max_size=4)
    | st.lists(scalars, max_size=3)
    | st.dictionaries(st.text(max_size=3), scalars, max_size=3)
)
by_kind: dict[ColumnKind, st.SearchStrategy[Any]] = {
    ColumnKind.TIME: st.sampled_from(TIMES) | plain_times,
    ColumnKind.DURATION: st.integers(min_value=-10, max_value=400) | st.sampled_from(INTEGERS),
    ColumnKind.NUMBER: st.integers(min_value=0, max_value=60) | st.floats(0, 10),
    ColumnKind.LIST: st.lists(st.sampled_from(["hold", "mute", "transfer", "ü"]), max_size=3),
    ColumnKind.ENUM: st.sampled_from(["call", "sms", "inbound", "brand_new", "x" * 5000]),
}


def field(spec: ColumnSpec) -> st.SearchStrategy[Any]:
    fitting = by_kind.get(spec.kind, texts)
    return fitting | fitting | values  # mostly what the column holds, sometimes anything


records = st.fixed_dictionaries(
    {},
    optional={
        **{key: field(COLUMNS_BY_KEY[key]) for key in TOP_LEVEL_FIELDS},
        "data": st.fixed_dictionaries(
            {}, optional={key: field(COLUMNS_BY_KEY[key]) for key in DATA_KEYS}
        )
        | values,
        "duration": values,  # an unknown top-level field named like a data column
        "extra": values,
    },
)
pages = st.lists(records, max_size=6)


@settings(max_examples=120, deadline=None)
@given(pages, pages, pages, pages, st.sampled_from(ZONES))
def test_readers_give_what_format_cell_gives_as_the_store_grows_and_is_cleared(
    first: list[Record],
    second: list[Record],
    merged: list[Record],
    after_clear: list[Record],
    zone: tzinfo,
) -> None:
    store = RowStore()
    early = readers_for(store, zone)  # made on the empty store, as the model makes them
    store.append_page(first)
    assert_readers_agree(store, early, zone, first)
    late = readers_for(store, zone)
    store.append_page(second)
    assert_readers_agree(store, early, zone, first + second)
    assert_readers_agree(store, late, zone, first + second)
    page = RowStore()
    page.append_page(merged)
    store.extend(page)
    assert_readers_agree(store, early, zone, first + second + merged)
    store.clear()
    store.append_page(after_clear)
    assert_readers_agree(store, early, zone, after_clear)
    assert_readers_agree(store, late, zone, after_clear)


@settings(max_examples=120, deadline=None)
@given(st.lists(pages, min_size=2, max_size=4), st.sampled_from(ZONES))
def test_texts_remembered_across_stores_are_the_texts_of_each_store(
    results: list[list[Record]], zone: tzinfo
) -> None:
    """The model hands one set of memos to the readers of every result shown in a zone."""
    memos = new_text_memos()
    for records in results:
        store = stored(records)
        readers = dict(zip(KEYS_IN_ORDER, text_readers(store, zone, memos), strict=True))
        assert_readers_agree(store, readers, zone, records)


def test_memos_fill_up_and_start_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cdr_model, "TEXT_MEMO_SIZE", 5)
    memos = new_text_memos()
    duration = KEYS_IN_ORDER.index("duration")
    for start in range(0, 60, 12):
        store = stored([{"data": {"duration": start + row}} for row in range(12)])
        read = text_readers(store, UTC, memos)[duration]
        assert [read(row) for row in range(12)] == [
            format_cell(COLUMNS_BY_KEY["duration"], start + row) for row in range(12)
        ]
        assert 0 < len(memos[duration]) <= 5


# --- what the readers ask for ------------------------------------------------------------


class Spy:
    """A format_value and fallback that note what they were asked."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        self.fallback_rows: list[int] = []

    def format_value(self, value: Any) -> str:
        self.values.append(value)
        return f"v:{value!r}"

    def fallback(self, row: int) -> str:
        self.fallback_rows.append(row)
        return f"fallback:{row}"


def stored(records: list[Record]) -> RowStore:
    store = RowStore()
    assert store.append_page(records) == len(records)
    return store


def test_time_columns_hand_over_epoch_seconds_or_the_string_as_received() -> None:
    store = stored(
        [
            {"started_at": "1970-01-01T01:00:00Z"},
            {"started_at": "2026-11-29T10:15:03.250Z"},
            {"started_at": None},
            {},
            {"started_at": 1_764_000_000},
            {"started_at": "z" * (MAX_TEXT_CHARS + 1)},
        ]
    )
    spy = Spy()
    read = store.text_reader("started_at", spy.format_value, spy.fallback)
    assert [read(row) for row in range(6)] == [
        "v:3600",
        "v:'2026-11-29T10:15:03.250Z'",
        "v:None",
        "fallback:3",
        "fallback:4",
        "fallback:5",
    ]
    assert type(spy.values[0]) is int


def test_the_fallback_serves_only_rows_whose_value_the_column_does_not_hold() -> None:
    records: list[Record] = [
        {"type": "call", "data": {"duration": 5, "score": 4, "user_id": "u1"}},
        {"type": None, "data": {"duration": None, "score": None, "user_id": None}},
        {"data": {}},  # absent
        {"type": ["call"], "data": {"duration": "61", "score": -1, "user_id": {"id": 7}}},
        {"type": "t" * (MAX_TEXT_CHARS + 1), "data": "not an object"},
        {"type": "sms", "data": {"duration": 2**63, "score": 2.5, "user_id": "u2"}},
    ]
    store = stored(records)
    expected = {
        "type": ["v:'call'", "v:None", "fallback:2", "fallback:3", "fallback:4", "v:'sms'"],
        "duration": ["v:5", "v:None", "fallback:2", "fallback:3", "fallback:4", "fallback:5"],
        "score": ["v:4", "v:None", "fallback:2", "fallback:3", "fallback:4", "v:2.5"],
        "user_id": ["v:'u1'", "v:None", "fallback:2", "fallback:3", "fallback:4", "v:'u2'"],
        "from_phone_number": ["fallback:0", *(f"fallback:{row}" for row in range(1, 6))],
    }
    for key, texts in expected.items():
        spy = Spy()
        read = store.text_reader(key, spy.format_value, spy.fallback)
        assert [read(row) for row in range(len(records))] == texts, key


def test_interned_columns_format_each_distinct_value_once() -> None:
    kinds = ["call", "sms", "chat"]
    tags = [["hold"], [], ["hold", "mute"]]
    store = stored(
        [
            {"type": kinds[row % 3], "data": {"event_tags": tags[row % 3], "queue_id": None}}
            for row in range(3000)
        ]
    )
    for key, expected in (
        ("type", kinds),
        ("event_tags", tags),
        ("queue_id", [None]),
    ):
        spy = Spy()
        read = store.text_reader(key, spy.format_value, spy.fallback)
        for _ in range(2):
            assert [read(row) for row in range(3000)][:3] == [
                f"v:{value!r}" for value in (expected * 3)[:3]
            ]
        assert sorted(map(repr, spy.values)) == sorted(map(repr, expected)), key
        assert spy.fallback_rows == []


def test_durations_format_each_distinct_value_once() -> None:
    store = stored([{"data": {"duration": row % 7}} for row in range(2000)])
    spy = Spy()
    read = store.text_reader("duration", spy.format_value, spy.fallback)
    texts = [read(row) for row in range(2000)] + [read(row) for row in range(2000)]
    assert texts[:8] == [f"v:{row % 7}" for row in range(8)]
    assert sorted(value for value in spy.values if value is not None) == list(range(7))


def test_a_null_duration_reads_empty_after_the_value_cache_was_cleared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rowstore, "_TEXT_CACHE_LIMIT", 4)
    records: list[Record] = []
    for second in range(40):
        records.append({"data": {"duration": second * 61}})
        records.append({"data": {"duration": None}})
        records.append({"data": {}})
    store = stored(records)
    read = readers_for(store, UTC)["duration"]
    for _ in range(3):  # the cache is filled past its limit, and cleared, many times over
        for row, record in enumerate(records):
            seconds = record["data"].get("duration")
            expected = "" if seconds is None else format_cell(COLUMNS_BY_KEY["duration"], seconds)
            assert read(row) == expected, row
    assert read(1) == ""
    assert read(2) == ""
    assert read(3 * 39) == "0:39:39"


def test_readers_follow_rows_appended_and_merged_later() -> None:
    store = stored([{"type": "call", "started_at": "2026-11-29T10:15:03.5Z"}])
    readers = readers_for(store, UTC)
    assert readers["type"](0) == "call"
    store.append_page([{"type": "sms", "started_at": "2026-11-29T10:15:04Z"}])
    page = stored(
        [
            {"type": "chat", "started_at": "2026-11-29T12:00:00+02:00"},
            {"type": "call", "data": {"duration": 3725}},
        ]
    )
    store.extend(page)
    assert [readers["type"](row) for row in range(4)] == ["call", "sms", "chat", "call"]
    assert [readers["started_at"](row) for row in range(4)] == [
        "2026-11-29 10:15:03",
        "2026-11-29 10:15:04",
        "2026-11-29 10:00:00",
        "",
    ]
    assert [readers["duration"](row) for row in range(4)] == ["", "", "", "1:02:05"]


def test_readers_after_clear_read_the_new_rows_not_the_old_values() -> None:
    store = stored(
        [
            {"type": "call", "data": {"event_tags": ["hold"], "user_id": "old"}},
            {"type": "sms", "started_at": "2026-11-29T12:15:03+02:00", "data": {"duration": 1}},
        ]
    )
    readers = readers_for(store, UTC)
    assert [readers["type"](row) for row in range(2)] == ["call", "sms"]
    assert readers["event_tags"](0) == "hold"
    assert readers["started_at"](1) == "2026-11-29 10:15:03"
    store.clear()
    # the same first codes, and a time once kept as text now held as seconds
    store.append_page(
        [
            {"type": "voicemail", "data": {"event_tags": ["mute", "transfer"], "user_id": None}},
            {"type": None, "started_at": "2026-11-29T23:00:00Z", "data": {"duration": None}},
        ]
    )
    assert [readers["type"](row) for row in range(2)] == ["voicemail", ""]
    assert readers["event_tags"](0) == "mute, transfer"
    assert readers["user_id"](0) == ""
    assert readers["started_at"](1) == "2026-11-29 23:00:00"
    assert readers["duration"](1) == ""


def test_a_time_at_the_edge_of_the_calendar_still_reads() -> None:
    store = stored([{"started_at": "0001-01-01T00:00:00Z", "ended_at": "9999-12-31T23:59:59Z"}])
    readers = readers_for(store, ZoneInfo("America/New_York"))
    assert "0001" in readers["started_at"](0)
    readers = readers_for(store, ZoneInfo("Asia/Kolkata"))
    assert "9999" in readers["ended_at"](0)


# --- format_cell's shortcut for short printable strings ----------------------------------

CONTROL = "".join(map(chr, range(32))) + "\x7f\x85\xa0\u2028\u2029\u200b\ufeff"
tricky_strings = (
    st.text(max_size=12)
    | st.text(alphabet=st.sampled_from([*CONTROL, "a", "é", "🙂", " "]), max_size=12)
    | st.builds(
        lambda body, tail: body + tail,
        st.text(alphabet="ab\u00e9", min_size=MAX_CELL_CHARS - 3, max_size=MAX_CELL_CHARS + 2),
        st.sampled_from(["", "\n", "\r\n", "\t", "\x00", "é", "🙂", "\u2028"]),
    )
)
TEXT_COLUMNS = [spec for spec in COLUMNS if spec.kind is not ColumnKind.TIME]


@settings(max_examples=300, deadline=None)
@given(tricky_strings, st.sampled_from(TEXT_COLUMNS))
def test_format_cell_gives_what_plain_text_gives_for_any_string(
    text: str, spec: ColumnSpec
) -> None:
    assert format_cell(spec, text) == plain_text(text)


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("a\r\nb\tc", "a  b c"),
        ("x" * MAX_CELL_CHARS, "x" * MAX_CELL_CHARS),
        ("x" * (MAX_CELL_CHARS + 1), "x" * MAX_CELL_CHARS + "…"),
        ("é" * (MAX_CELL_CHARS - 1) + "\n", "é" * (MAX_CELL_CHARS - 1) + " "),
        ("\t" * (MAX_CELL_CHARS + 5), " " * MAX_CELL_CHARS + "…"),
        ("ü🙂 Ελένη", "ü🙂 Ελένη"),
        ("", ""),
    ],
)
def test_format_cell_of_strings(text: str, cell: str) -> None:
    for spec in (COLUMNS_BY_KEY["user_id"], COLUMNS_BY_KEY["duration"], COLUMNS_BY_KEY["type"]):
        assert format_cell(spec, text) == cell


# --- the model's readers -----------------------------------------------------------------


def odd_records(count: int) -> list[Record]:
    """Records of every sort the server might send, by the hundred."""
    rows = hs.make_records(count)
    odd: list[Record] = [
        {"id": "only an id"},
        {},
        {"id": None, "type": None, "started_at": None, "data": None},
        {"subtype": ["inbound"], "started_at": 1_764_000_000, "data": "not an object"},
        {"started_at": "2026-11-29T10:15:03.250Z", "ended_at": "2026-11-29T12:15:03+02:00"},
        {"started_at": "yesterday", "data": {"duration": "61", "score": "4.5", "user_id": 77}},
        {"type": "t" * 5000, "data": {"wrap_up_code": "w" * 5000, "event_tags": ["h" * 5000]}},
        {"data": {"event_tags": ["hold", 3, None], "to_phone_number": {"nested": True}}},
        {"data": {"user_id": "a\r\nb\tc", "queue_id": "bell\x07", "team_id": "line\u2028sep"}},
        {"data": {"duration": 2**63, "talk_duration": -(2**63), "hold_duration": True}},
        {"data": {"score": -0.0, "destination_country": "Côte d'Ivoire", "campaign_id": "ü🙂"}},
        {"type": "sms", "duration": 5, "data": {"duration": None, "score": None}},
    ]
    for index, record in enumerate(odd):
        rows[index * 7] = record
    return rows


def assert_model_texts(model: CdrTableModel) -> None:
    zone = model.display_zone
    for row in range(model.rowCount()):
        for column, spec in enumerate(COLUMNS):
            index = model.index(row, column)
            value = model.data(index, Qt.ItemDataRole.UserRole)
            assert model.data(index) == format_cell(spec, value, zone), (row, spec.key)


@pytest.fixture
def odd_server() -> Iterator[hs.HostileServer]:
    with hs.HostileServer(odd_records(150), filter_by_type=True) as server:
        yield server


def test_the_model_shows_what_format_cell_gives_through_pages_zones_and_queries(
    qtbot: QtBot, model: CdrTableModel, odd_server: hs.HostileServer
) -> None:
    model.set_connection(connection_to(odd_server.url, odd_server.token))
    with qtbot.waitSignal(model.pageArrived):
        model.set_query(CdrQuery())
    assert model.rowCount() == FIRST_PAGE_SIZE
    assert_model_texts(model)
    with qtbot.waitSignal(model.pageArrived):
        model.fetchMore(model.index(-1, -1))
    assert model.rowCount() == 150
    assert_model_texts(model)  # rows appended after the readers were made
    model.set_display_zone(ZoneInfo("Asia/Kathmandu"))
    assert model.data(model.index(1, 1)) == "2027-01-15 13:44:00"
    assert_model_texts(model)
    with qtbot.waitSignal(model.pageArrived):
        model.set_query(CdrQuery({"type": ("sms",)}))  # a new store, new readers
    assert 0 < model.rowCount() < 100
    assert {model.data(model.index(row, 3)) for row in range(model.rowCount())} == {"sms"}
    assert_model_texts(model)
