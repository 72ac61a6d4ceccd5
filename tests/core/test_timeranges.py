"""Relative time ranges stay relative until a request is made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cdrdesk.api.query import CdrQuery, RangeValue
from cdrdesk.api.timeranges import FilterState, RelativeRange

BERLIN_WINTER = timezone(timedelta(hours=1))


def test_yesterday_starts_at_midnight_in_the_display_zone() -> None:
    now = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)
    in_utc = RelativeRange.YESTERDAY.resolve(now)
    in_berlin = RelativeRange.YESTERDAY.resolve(now.astimezone(BERLIN_WINTER))
    assert in_utc == RangeValue(
        gte=datetime(2026, 11, 29, tzinfo=UTC), lt=datetime(2026, 11, 30, tzinfo=UTC)
    )
    assert in_berlin == RangeValue(
        gte=datetime(2026, 11, 29, tzinfo=BERLIN_WINTER),
        lt=datetime(2026, 11, 30, tzinfo=BERLIN_WINTER),
    )


def test_a_state_resolves_differently_at_different_moments() -> None:
    state = FilterState(CdrQuery({"type": ("call",)}), {"started_at": RelativeRange.LAST_7_DAYS})
    first = state.resolve(datetime(2026, 11, 1, tzinfo=UTC))
    later = state.resolve(datetime(2026, 11, 2, tzinfo=UTC))
    assert first.get("type") == later.get("type") == ("call",)
    assert first.get("started_at") == RangeValue(
        gte=datetime(2026, 10, 25, tzinfo=UTC), lt=datetime(2026, 11, 1, tzinfo=UTC)
    )
    assert first.get("started_at") != later.get("started_at")
    assert state.active_count == 2


def test_relative_range_overrides_a_fixed_one_and_needs_a_time_filter() -> None:
    fixed = CdrQuery({"ended_at": RangeValue(gte=datetime(2020, 1, 1, tzinfo=UTC))})
    state = FilterState(fixed, {"ended_at": RelativeRange.LAST_HOUR})
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    assert state.resolve(now).get("ended_at") == RangeValue(gte=now - timedelta(hours=1), lt=now)
    assert state.active_count == 1
    with pytest.raises(ValueError, match="not a time filter"):
        FilterState(CdrQuery(), {"duration": RelativeRange.TODAY})
    with pytest.raises(ValueError, match="time zone"):
        RelativeRange.TODAY.resolve(datetime(2026, 11, 30))
