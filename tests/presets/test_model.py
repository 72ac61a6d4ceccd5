"""Presets keep every filter, keep relative ranges relative, and keep what they cannot use."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from cdrdesk.api.filters import FILTERS, FilterKind
from cdrdesk.api.query import CdrQuery, RangeValue
from cdrdesk.api.timeranges import FilterState, RelativeRange
from cdrdesk.presets.document import decode_document, encode_document
from cdrdesk.presets.model import Preset, PresetFormatError, preset_from_json, preset_to_json

PARIS_WINTER = timezone(timedelta(hours=1))


def round_trip(preset: Preset) -> Preset:
    text = encode_document([preset], None)
    (loaded,) = decode_document(text).presets
    return loaded


def sample_value(kind: FilterKind, name: str) -> object:
    """A valid value of each kind, with something awkward in it."""
    if kind is FilterKind.ENUM:
        return ("answered", "brand_new_value")
    if kind is FilterKind.MULTI_STRING:
        return ("a,b", "+44 20 & =x", "Zürich")
    if kind is FilterKind.PATTERN:
        return "+44*7*"
    if kind is FilterKind.INTEGER_RANGE:
        return RangeValue(gte=10, lt=60)
    if kind is FilterKind.NUMBER_RANGE:
        return RangeValue(gt=0.25, lte=4)
    return RangeValue(
        gte=datetime(2026, 11, 1, tzinfo=PARIS_WINTER), lt=datetime(2026, 11, 2, tzinfo=UTC)
    )


@pytest.mark.parametrize("spec", FILTERS, ids=lambda spec: spec.name)
def test_every_filter_survives_save_and_load(spec):
    query = CdrQuery({spec.name: sample_value(spec.kind, spec.name)})
    preset = Preset("one filter", FilterState(query))

    loaded = round_trip(preset)

    assert loaded == preset
    assert loaded.state.query.get(spec.name) == query.get(spec.name)
    assert loaded.messages() == []


def test_exact_range_values_survive():
    query = CdrQuery(
        {
            "duration": RangeValue(exact=0),
            "score": RangeValue(exact=3.75),
            "ended_at": RangeValue(exact=datetime(2026, 11, 29, 10, 15, 3, 120000, tzinfo=UTC)),
        }
    )
    assert round_trip(Preset("exact", FilterState(query))).state.query == query


def test_relative_range_stays_relative():
    preset = Preset(
        "Last week's failures",
        FilterState(
            CdrQuery({"disposition": ("failed",)}), {"started_at": RelativeRange.LAST_7_DAYS}
        ),
    )
    stored = preset_to_json(preset)
    assert stored["relative"] == {"started_at": "last_7_days"}
    assert not any(key.startswith("started_at") for key, _ in stored["filters"])

    loaded = round_trip(preset)
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    friday = datetime(2026, 12, 4, 17, 30, tzinfo=UTC)
    on_monday = loaded.state.resolve(monday, UTC).get("started_at")
    on_friday = loaded.state.resolve(friday, UTC).get("started_at")

    assert on_monday == RangeValue(gte=monday - timedelta(days=7), lt=monday)
    assert on_friday == RangeValue(gte=friday - timedelta(days=7), lt=friday)
    assert on_monday != on_friday


def test_today_starts_at_midnight_of_the_zone_it_is_applied_in():
    preset = round_trip(Preset("today", FilterState(relative={"ended_at": RelativeRange.TODAY})))
    now = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)
    in_utc = preset.state.resolve(now, UTC).get("ended_at")
    in_new_york = preset.state.resolve(now, timezone(timedelta(hours=-5))).get("ended_at")
    assert isinstance(in_utc, RangeValue)
    assert isinstance(in_new_york, RangeValue)
    assert in_utc.gte == datetime(2026, 11, 30, tzinfo=UTC)
    assert in_new_york.gte == datetime(2026, 11, 29, 5, 0, tzinfo=UTC)


def test_unknown_filters_are_kept_and_reported():
    stored = {
        "name": "from the future",
        "filters": [
            ["type", "call"],
            ["sentiment", "negative"],
            ["sentiment", "angry"],
            ["silence_duration[gte]", "30"],
            ["limit", "50"],
        ],
        "relative": {"answered_at": "today"},
        "columns": ["id", "sentiment"],
        "colour": {"rgb": [1, 2, 3]},
    }
    preset = preset_from_json(stored)

    assert preset.state.query == CdrQuery({"type": ("call",)})
    assert preset.unknown_filters == (
        ("sentiment", "negative"),
        ("sentiment", "angry"),
        ("silence_duration[gte]", "30"),
        ("limit", "50"),
    )
    assert preset.invalid_relative == (("answered_at", "today"),)
    assert "answered_at" in preset.problems
    report = " ".join(preset.messages())
    assert "sentiment" in report
    assert "silence_duration" in report

    written = preset_to_json(preset)
    assert sorted(map(tuple, written["filters"])) == sorted(map(tuple, stored["filters"]))
    assert written["relative"] == stored["relative"]
    assert written["colour"] == stored["colour"]
    assert written["columns"] == stored["columns"]


def test_invalid_values_are_reported_by_filter_name_and_kept():
    stored = {
        "name": "hand edited",
        "filters": [
            ["duration[gte]", "abc"],
            ["duration[lt]", "60"],
            ["score[gte]", "5"],
            ["score[lt]", "1"],
            ["started_at[gte]", "2026-11-01T00:00:00"],
            ["from_phone_number", "+442071234567"],
            ["from_phone_number_like", "+44*"],
            ["user_id", "u1"],
        ],
        "relative": {"ended_at": "last_fortnight", "duration": "today"},
    }
    preset = preset_from_json(stored)

    assert preset.state.query == CdrQuery(
        {"user_id": ("u1",), "from_phone_number": ("+442071234567",)}
    )
    problems = preset.problems
    assert set(problems) == {
        "duration",
        "score",
        "started_at",
        "from_phone_number_like",
        "ended_at",
    }
    assert "whole number" in problems["duration"][0]
    assert "above upper bound" in problems["score"][0]
    assert "time zone" in problems["started_at"][0]
    assert "from_phone_number" in problems["from_phone_number_like"][0]
    assert "last_fortnight" in problems["ended_at"][0]
    assert any("not a time filter" in message for message in problems["duration"])
    assert all("not applied" in line for line in preset.messages())

    written = preset_to_json(preset)
    assert sorted(map(tuple, written["filters"])) == sorted(map(tuple, stored["filters"]))
    assert written["relative"] == stored["relative"]


@pytest.mark.parametrize(
    ("stored", "complaint"),
    [
        ([], "JSON object"),
        ({"filters": []}, "no name"),
        ({"name": "  "}, "no name"),
        ({"name": "x", "filters": {"type": "call"}}, "list of [name, value] pairs"),
        ({"name": "x", "filters": [["type"]]}, "not a [name, value] pair"),
        ({"name": "x", "filters": [["duration", 5]]}, "not a [name, value] pair"),
        ({"name": "x", "relative": ["today"]}, "relative"),
        ({"name": "x", "columns": "id"}, "columns"),
        ({"name": "x", "description": 3}, "description"),
    ],
)
def test_broken_shapes_say_what_is_wrong(stored, complaint):
    with pytest.raises(PresetFormatError, match=complaint.replace("[", r"\[")):
        preset_from_json(stored)


def test_preset_needs_a_name_and_is_immutable():
    with pytest.raises(ValueError, match="needs a name"):
        Preset("   ")
    preset = Preset("  Spaced  ", columns=["id", "type"])  # type: ignore[arg-type]
    assert preset.name == "Spaced"
    assert preset.columns == ("id", "type")
    with pytest.raises(AttributeError):
        preset.name = "other"  # type: ignore[misc]


def test_columns_and_description_round_trip():
    preset = Preset(
        "layout",
        columns=("started_at", "from_phone_number", "some_new_field"),
        description="Morning check\nwith two lines",
    )
    assert round_trip(preset) == preset
    assert round_trip(Preset("no layout")).columns is None


def test_file_text_is_readable_json():
    preset = Preset("Zürich calls", FilterState(CdrQuery({"destination_country": ("Schweiz",)})))
    text = encode_document([preset], "Zürich calls")
    assert "Zürich" in text
    data = json.loads(text)
    assert data["format"] == "cdrdesk-presets"
    assert data["version"] == 1
    assert data["default"] == "Zürich calls"
    assert data["presets"][0]["filters"] == [["destination_country", "Schweiz"]]


def test_lone_surrogate_in_a_value_is_still_written():
    preset = Preset("odd", FilterState(CdrQuery({"user_id": ("a\udc80b",)})))
    text = encode_document([preset], None)
    text.encode("utf-8")
    assert round_trip(preset) == preset
