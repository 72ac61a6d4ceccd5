"""Relative time ranges and the filter state that keeps them relative.

"Last 7 days" in a preset means the 7 days before the moment it is applied,
so the sidebar and presets keep the choice, not its resolved bounds, and
resolve it into a :class:`CdrQuery` only when a request is made.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo

from cdrdesk.api.filters import FILTERS_BY_NAME, FilterKind
from cdrdesk.api.query import CdrQuery, RangeValue


class RelativeRange(enum.Enum):
    """Quick choices of the time filters; values are stored in presets."""

    LAST_HOUR = "last_hour"
    TODAY = "today"
    YESTERDAY = "yesterday"
    LAST_7_DAYS = "last_7_days"
    LAST_30_DAYS = "last_30_days"

    @property
    def label(self) -> str:
        return _LABELS[self]

    def resolve(self, now: datetime) -> RangeValue:
        """Bounds for ``now`` (aware); days start at midnight in ``now``'s zone."""
        if now.tzinfo is None:
            raise ValueError("now must carry a time zone")
        midnight = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
        if self is RelativeRange.LAST_HOUR:
            return RangeValue(gte=now - timedelta(hours=1), lt=now)
        if self is RelativeRange.TODAY:
            return RangeValue(gte=midnight, lt=midnight + timedelta(days=1))
        if self is RelativeRange.YESTERDAY:
            return RangeValue(gte=midnight - timedelta(days=1), lt=midnight)
        days = 7 if self is RelativeRange.LAST_7_DAYS else 30
        return RangeValue(gte=now - timedelta(days=days), lt=now)


_LABELS = {
    RelativeRange.LAST_HOUR: "Last hour",
    RelativeRange.TODAY: "Today",
    RelativeRange.YESTERDAY: "Yesterday",
    RelativeRange.LAST_7_DAYS: "Last 7 days",
    RelativeRange.LAST_30_DAYS: "Last 30 days",
}


@dataclass(frozen=True, slots=True)
class FilterState:
    """What the user chose: fixed filters plus relative ranges of time filters.

    A time filter named in ``relative`` overrides the same filter in ``query``.
    """

    query: CdrQuery = field(default_factory=CdrQuery)
    relative: Mapping[str, RelativeRange] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in self.relative:
            if FILTERS_BY_NAME[name].kind is not FilterKind.TIME_RANGE:
                raise ValueError(f"{name} is not a time filter")
        object.__setattr__(self, "relative", dict(sorted(self.relative.items())))

    def __hash__(self) -> int:
        return hash((self.query, tuple(self.relative.items())))

    def resolve(self, now: datetime, zone: tzinfo | None = None) -> CdrQuery:
        """The query to send at ``now``; ``zone`` decides where a day starts."""
        local_now = now.astimezone(zone) if zone is not None else now
        query = self.query
        for name, choice in self.relative.items():
            query = query.with_filter(name, choice.resolve(local_now))
        return query

    @property
    def active_count(self) -> int:
        """How many filters are set, for the sidebar's badge."""
        return len(set(self.query) | set(self.relative))
