"""Cell text: durations, times in the display zone, scores, tags, and odd values as they came."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

import pytest

from cdrdesk.api.records import COLUMNS_BY_KEY
from cdrdesk.ui.formatting import (
    MAX_CELL_CHARS,
    format_cell,
    format_duration,
    format_epoch,
    format_score,
    format_time,
    plain_text,
)

RIGA = ZoneInfo("Europe/Riga")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00:00"), (59, "0:00:59"), (61, "0:01:01"), (3725, "1:02:05"), (108_000, "30:00:00"),
     (-5, "-0:00:05")],
)  # fmt: skip
def test_duration(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(4, "4"), (4.0, "4"), (4.5, "4.5"), (3.456, "3.46"), (0.004, "0"), (10, "10")],
)
def test_score(value: float, text: str) -> None:
    assert format_score(value) == text


def test_time_in_display_zone() -> None:
    assert format_time("2026-11-29T10:15:03Z", UTC) == "2026-11-29 10:15:03"
    assert format_time("2026-11-29T10:15:03Z", RIGA) == "2026-11-29 12:15:03"
    assert format_time("2026-07-01T10:15:03Z", RIGA) == "2026-07-01 13:15:03"  # summer time
    assert format_time("2026-11-29T12:15:03.75+02:00", UTC) == "2026-11-29 10:15:03"
    assert format_epoch(0, UTC) == "1970-01-01 00:00:00"
    assert format_epoch(1_782_900_903, RIGA) == format_time("2026-07-01T10:15:03Z", RIGA)


def test_time_that_is_no_time_is_shown_as_is() -> None:
    assert format_time("yesterday", UTC) == "yesterday"
    assert format_time("2026-11-29T10:15:03", UTC) == "2026-11-29T10:15:03"


def test_cells_by_column_kind() -> None:
    zone = RIGA
    assert format_cell(COLUMNS_BY_KEY["duration"], 3725, zone) == "1:02:05"
    assert format_cell(COLUMNS_BY_KEY["started_at"], "2026-11-29T10:15:03Z", zone) == (
        "2026-11-29 12:15:03"
    )
    assert format_cell(COLUMNS_BY_KEY["score"], 4.25, zone) == "4.25"
    assert format_cell(COLUMNS_BY_KEY["event_tags"], ["hold", "recording"], zone) == (
        "hold, recording"
    )
    assert format_cell(COLUMNS_BY_KEY["event_tags"], [], zone) == ""
    assert format_cell(COLUMNS_BY_KEY["subtype"], "brand_new_subtype", zone) == "brand_new_subtype"
    assert format_cell(COLUMNS_BY_KEY["user_id"], None, zone) == ""


def test_unexpected_values_are_shown_as_they_came() -> None:
    assert format_cell(COLUMNS_BY_KEY["duration"], "61", UTC) == "61"
    assert format_cell(COLUMNS_BY_KEY["duration"], True, UTC) == "true"
    assert format_cell(COLUMNS_BY_KEY["score"], "4.5", UTC) == "4.5"
    assert format_cell(COLUMNS_BY_KEY["event_tags"], ["hold", 3], UTC) == '["hold",3]'
    assert format_cell(COLUMNS_BY_KEY["user_id"], {"id": 7}, UTC) == '{"id":7}'
    assert format_cell(COLUMNS_BY_KEY["user_id"], 2**70, UTC) == str(2**70)
    assert format_cell(COLUMNS_BY_KEY["started_at"], 1_764_000_000, UTC) == "1764000000"


def test_long_and_multiline_text_stays_one_short_line() -> None:
    text = format_cell(COLUMNS_BY_KEY["wrap_up_code"], "a\nb\tc" + "x" * 1_000_000, UTC)
    assert text.startswith("a b c")
    assert len(text) == MAX_CELL_CHARS + 1
    assert text.endswith("…")
    assert plain_text("x" * 1000, limit=None) == "x" * 1000
