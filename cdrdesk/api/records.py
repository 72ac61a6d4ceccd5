"""Records as received, and their flattening into columns.

A record stays the dict the server sent (unknown fields included); the
column table below says how the table, the detail pane and the exporters
show each known field. Fields it does not know still flatten, as text.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cdrdesk.api.filters import (
    DISPOSITIONS,
    END_REASONS,
    EVENT_TAGS,
    SUBTYPES,
    TYPES,
)

Record = dict[str, Any]
TOP_LEVEL_FIELDS = ("id", "type", "subtype", "started_at", "ended_at")


class ColumnKind(enum.Enum):
    TEXT = "text"
    ENUM = "enum"
    TIME = "time"
    DURATION = "duration"
    NUMBER = "number"
    LIST = "list"
    URL = "url"
    PHONE = "phone"


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """A record field as a column: ``key`` is its flat name (``user_id``)."""

    key: str
    label: str
    kind: ColumnKind
    group: str
    enum_values: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        """The field's place in the record (``data.user_id``)."""
        return self.key if self.key in TOP_LEVEL_FIELDS else f"data.{self.key}"


K = ColumnKind
# fmt: off
COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("id", "ID", K.TEXT, "Record"),
    ColumnSpec("started_at", "Started at", K.TIME, "Record"),
    ColumnSpec("ended_at", "Ended at", K.TIME, "Record"),
    ColumnSpec("type", "Type", K.ENUM, "Record", TYPES),
    ColumnSpec("subtype", "Subtype", K.ENUM, "Record", SUBTYPES),
    ColumnSpec("from_phone_number", "From", K.PHONE, "Numbers"),
    ColumnSpec("to_phone_number", "To", K.PHONE, "Numbers"),
    ColumnSpec("destination_country", "Country", K.TEXT, "Numbers"),
    ColumnSpec("user_id", "User", K.TEXT, "People and routing"),
    ColumnSpec("team_id", "Team", K.TEXT, "People and routing"),
    ColumnSpec("queue_id", "Queue", K.TEXT, "People and routing"),
    ColumnSpec("campaign_id", "Campaign", K.TEXT, "People and routing"),
    ColumnSpec("external_account_id", "External account", K.TEXT, "People and routing"),
    ColumnSpec("disposition", "Disposition", K.ENUM, "Outcome", DISPOSITIONS),
    ColumnSpec("end_reason", "End reason", K.ENUM, "Outcome", END_REASONS),
    ColumnSpec("wrap_up_code", "Wrap-up code", K.TEXT, "Outcome"),
    ColumnSpec("event_tags", "Event tags", K.LIST, "Outcome", EVENT_TAGS),
    ColumnSpec("duration", "Duration", K.DURATION, "Durations"),
    ColumnSpec("dialing_duration", "Dialing", K.DURATION, "Durations"),
    ColumnSpec("ivr_duration", "IVR", K.DURATION, "Durations"),
    ColumnSpec("queue_duration", "Queue time", K.DURATION, "Durations"),
    ColumnSpec("talk_duration", "Talk", K.DURATION, "Durations"),
    ColumnSpec("hold_duration", "Hold", K.DURATION, "Durations"),
    ColumnSpec("score", "Score", K.NUMBER, "Outcome"),
    ColumnSpec("source_channel_account_id", "Source channel account", K.TEXT, "Channels"),
    ColumnSpec("destination_channel_account_id", "Destination channel account", K.TEXT,
               "Channels"),
    ColumnSpec("source_channel_profile_id", "Source channel profile", K.TEXT, "Channels"),
    ColumnSpec("destination_channel_profile_id", "Destination channel profile", K.TEXT,
               "Channels"),
    ColumnSpec("recording_url", "Recording", K.URL, "Record"),
)
# fmt: on
COLUMNS_BY_KEY: dict[str, ColumnSpec] = {column.key: column for column in COLUMNS}

DEFAULT_VISIBLE_COLUMNS = (
    "started_at", "type", "subtype", "from_phone_number", "to_phone_number", "user_id",
    "queue_id", "disposition", "end_reason", "duration", "talk_duration", "score", "event_tags",
)  # fmt: skip

SEGMENT_FIELDS = (
    "dialing_duration",
    "ivr_duration",
    "queue_duration",
    "talk_duration",
    "hold_duration",
)


def flatten(record: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level fields and ``data.*`` fields side by side, by their flat names.

    A data field that shares a top-level name keeps the ``data.`` prefix so
    neither hides the other.
    """
    flat: dict[str, Any] = {key: value for key, value in record.items() if key != "data"}
    data = record.get("data")
    if isinstance(data, Mapping):
        for key, value in data.items():
            flat[f"data.{key}" if key in flat else key] = value
    return flat


def column_keys(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """Known columns in table order, then any unknown field in order of appearance."""
    keys = [column.key for column in COLUMNS]
    seen = set(keys)
    for record in records:
        for key in flatten(record):
            if key not in seen:
                seen.add(key)
                keys.append(key)
    return keys
