"""RowStore keeps every record exactly as received, in compact columns."""

from __future__ import annotations

import math
import tracemalloc
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdrdesk.api.records import COLUMNS, TOP_LEVEL_FIELDS
from cdrdesk.demo.data import DemoSpec, current_anchor, generate
from cdrdesk.ui.rowstore import MAX_TEXT_CHARS, RowStore, format_utc_seconds, parse_utc_seconds


def demo_records(count: int) -> list[dict[str, Any]]:
    return [row.record for row in generate(DemoSpec(count, 7, current_anchor()))]


def stored(records: list[dict[str, Any]]) -> RowStore:
    store = RowStore()
    assert store.append_page(records) == len(records)
    return store


def assert_round_trip(store: RowStore, records: list[dict[str, Any]]) -> None:
    assert len(store) == len(records)
    for row, record in enumerate(records):
        again = store.record(row)
        assert again == record, (row, record, again)
        assert list(again) == list(record)  # key order kept too
        if isinstance(record.get("data"), dict):
            assert list(again["data"]) == list(record["data"])


def test_demo_records_round_trip() -> None:
    records = demo_records(3000)
    assert_round_trip(stored(records), records)


def test_pages_built_apart_and_merged_round_trip() -> None:
    records = demo_records(2500)
    store = RowStore()
    for start in range(0, len(records), 700):
        chunk = RowStore()
        chunk.append_page(records[start : start + 700])
        store.extend(chunk)
    assert_round_trip(store, records)


HUGE = "x" * 1_000_000

ODD_RECORDS: list[dict[str, Any]] = [
    {  # unknown fields at both levels, a data field named like a top-level one
        "id": "cdr_1",
        "type": "call",
        "subtype": "brand_new_subtype",
        "started_at": "2026-11-29T10:15:03Z",
        "ended_at": "2026-11-29T10:19:44Z",
        "shard": {"id": 7, "zone": ["a", "b"]},
        "data": {"type": "inner", "disposition": "vendor_new_value", "surprise": [1, 2, 3]},
    },
    {  # wrong types everywhere
        "id": 12345,
        "type": None,
        "subtype": ["inbound"],
        "started_at": 1_764_000_000,
        "ended_at": {"at": "later"},
        "data": {
            "duration": "61",
            "talk_duration": 12.5,
            "hold_duration": True,
            "ivr_duration": 2**70,
            "queue_duration": -(2**63),
            "score": "4.5",
            "event_tags": ["hold", 3, None],
            "user_id": 77,
            "from_phone_number": 447700900123,
            "recording_url": {"href": "https://example.invalid/r.mp3"},
        },
    },
    {  # a megabyte in a text column, an enum column, a time column and a tag
        "id": HUGE,
        "type": "call",
        "subtype": HUGE,
        "started_at": HUGE,
        "data": {"wrap_up_code": HUGE, "event_tags": [HUGE], "to_phone_number": "+44" + HUGE},
    },
    {  # nulls everywhere, and absent fields
        "id": None,
        "type": None,
        "subtype": None,
        "started_at": None,
        "ended_at": None,
        "data": {column.key: None for column in COLUMNS if column.key not in TOP_LEVEL_FIELDS},
    },
    {"id": "cdr_only"},
    {},
    {"id": "cdr_data_null", "data": None},
    {"id": "cdr_data_text", "data": "not an object"},
    {"id": "cdr_data_list", "data": [{"duration": 5}]},
    {"id": "cdr_empty_data", "data": {}},
    {  # times that are valid but not the plain Z form, and invalid ones
        "id": "cdr_times",
        "started_at": "2026-11-29T10:15:03.250Z",
        "ended_at": "2026-11-29T12:15:03+02:00",
        "data": {},
    },
    {
        "id": "cdr_bad_times",
        "started_at": "2026-02-30T00:00:00Z",
        "ended_at": "2026-11-29 10:15:03",
    },
    {"id": "cdr_lower_z", "started_at": "2026-11-29t10:15:03z", "ended_at": "0001-01-01T00:00:00Z"},
    {  # scores: int and float apart, zero, negative, huge
        "id": "cdr_scores",
        "data": {"score": 4, "duration": 0, "talk_duration": 2**63 - 1},
    },
    {"id": "cdr_score_float", "data": {"score": 4.0}},
    {"id": "cdr_score_zero", "data": {"score": 0}},
    {"id": "cdr_score_neg_zero", "data": {"score": -0.0}},
    {"id": "cdr_score_negative", "data": {"score": -1.5}},
    {"id": "cdr_score_big_int", "data": {"score": 2**60}},
    {"id": "cdr_unicode", "data": {"destination_country": "Côte d'Ivoire", "user_id": "ü🙂"}},
    {"id": "cdr_surrogate\ud800", "data": {"from_phone_number": "\udfff"}},
    {"id": "", "type": "", "data": {"event_tags": [], "wrap_up_code": ""}},
]


def test_odd_records_round_trip() -> None:
    assert_round_trip(stored(ODD_RECORDS), ODD_RECORDS)


def test_odd_records_round_trip_after_merge() -> None:
    store = RowStore()
    store.append_page(demo_records(50))
    chunk = stored(ODD_RECORDS)
    store.extend(chunk)
    for row, record in enumerate(ODD_RECORDS):
        assert store.record(50 + row) == record


def test_int_and_float_scores_keep_their_type() -> None:
    store = stored(ODD_RECORDS)
    rows = {store.value(row, "id"): row for row in range(len(store))}
    assert type(store.value(rows["cdr_scores"], "score")) is int
    assert type(store.value(rows["cdr_score_float"], "score")) is float
    negative_zero = store.value(rows["cdr_score_neg_zero"], "score")
    assert negative_zero == 0.0
    assert math.copysign(1.0, negative_zero) == -1.0


def test_value_tells_nothing_apart_from_null_through_record() -> None:
    store = stored([{"id": "a", "data": {"user_id": None}}, {"id": "b", "data": {}}])
    assert store.value(0, "user_id") is None
    assert store.value(1, "user_id") is None
    assert "user_id" in store.record(0)["data"]
    assert "user_id" not in store.record(1)["data"]


def test_value_reads_columns_extras_and_unknown_fields() -> None:
    store = stored(ODD_RECORDS)
    assert store.value(0, "subtype") == "brand_new_subtype"
    assert store.value(0, "shard") == {"id": 7, "zone": ["a", "b"]}
    assert store.value(0, "surprise") == [1, 2, 3]
    assert store.value(0, "data.type") == "inner"
    assert store.value(1, "duration") == "61"
    assert store.value(1, "user_id") == 77
    assert store.value(1, "event_tags") == ["hold", 3, None]
    assert store.value(2, "id") == HUGE
    assert store.value(0, "no_such_field") is None


def test_time_seconds_only_for_plain_utc_times() -> None:
    store = stored(ODD_RECORDS)
    assert store.time_seconds(0, "started_at") == parse_utc_seconds("2026-11-29T10:15:03Z")
    times_row = next(row for row in range(len(store)) if store.value(row, "id") == "cdr_times")
    assert store.time_seconds(times_row, "started_at") is None
    assert store.value(times_row, "started_at") == "2026-11-29T10:15:03.250Z"
    with pytest.raises(KeyError, match="duration"):
        store.time_seconds(0, "duration")


def test_returned_values_are_copies() -> None:
    records = [*ODD_RECORDS, {"data": {"event_tags": ["hold"]}}]
    store = stored(records)
    store.record(0)["shard"]["id"] = 8
    store.value(0, "surprise").append(4)
    store.value(len(store) - 1, "event_tags").append("mute")
    store.record(len(store) - 1)["data"]["event_tags"].append("mute")
    assert store.record(0) == ODD_RECORDS[0]
    assert store.record(len(store) - 1) == {"data": {"event_tags": ["hold"]}}


def test_rows_out_of_range_are_refused() -> None:
    store = stored(demo_records(3))
    with pytest.raises(IndexError, match="row 3"):
        store.record(3)
    with pytest.raises(IndexError):
        store.value(-1, "id")


def test_clear_empties_every_column() -> None:
    store = stored(ODD_RECORDS)
    store.clear()
    assert len(store) == 0
    records = demo_records(10)
    store.append_page(records)
    assert_round_trip(store, records)


def test_long_strings_go_to_extras_not_columns() -> None:
    text = "y" * (MAX_TEXT_CHARS + 1)
    store = stored([{"id": text, "type": text}])
    assert store.record(0) == {"id": text, "type": text}


def test_utc_seconds_round_trip() -> None:
    for text in ("1970-01-01T00:00:00Z", "2026-11-29T23:59:59Z", "0001-01-01T00:00:00Z",
                 "9999-12-31T23:59:59Z", "2024-02-29T12:00:00Z"):  # fmt: skip
        seconds = parse_utc_seconds(text)
        assert seconds is not None
        assert format_utc_seconds(seconds) == text
    for text in ("2026-11-29T24:00:00Z", "2026-13-01T00:00:00Z", "2026-11-29T10:15:03+00:00",
                 "2026-11-29T10:15:3Z", "２０２６-11-29T10:15:03Z",
                 "2023-02-29T00:00:00Z"):  # fmt: skip
        assert parse_utc_seconds(text) is None


def test_memory_per_demo_row_is_small() -> None:
    records = demo_records(10_000)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        store = RowStore()
        for start in range(0, len(records), 1000):
            chunk = RowStore()
            chunk.append_page(records[start : start + 1000])
            store.extend(chunk)
        del chunk
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert used / len(records) < 300, f"{used / len(records):.0f} bytes a row"


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["2026-11-29T10:15:03Z", "2026-11-29T10:15:03.5+01:00", "call", "hold"])
)
json_values = (
    json_scalars
    | st.lists(json_scalars, max_size=3)
    | st.dictionaries(st.text(max_size=4), json_scalars, max_size=3)
)
field_names = st.sampled_from([column.key for column in COLUMNS] + ["data", "extra"])
records = st.dictionaries(
    field_names,
    json_values | st.dictionaries(field_names, json_values, max_size=8),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(records, max_size=5), st.lists(records, max_size=5))
def test_any_json_records_round_trip(
    first: list[dict[str, Any]], second: list[dict[str, Any]]
) -> None:
    store = stored(first)
    chunk = stored(second)
    store.extend(chunk)
    for row, record in enumerate(first + second):
        assert store.record(row) == record
