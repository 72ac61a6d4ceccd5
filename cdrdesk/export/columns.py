"""Records as rows of cells for the tabular formats (CSV and XLSX).

Times stay as received (UTC); with a display zone each known time column
gets a neighbour ``<key> (<zone name>)`` holding the same moment as local
wall-clock time ``YYYY-MM-DD HH:MM:SS``, which spreadsheets read as a date
(the zone is in the header, the exact moment in the UTC column beside it).
Durations stay whole seconds, event tags are joined with ``;``, values of
unknown fields that are objects or arrays become their JSON text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

import orjson

from cdrdesk.api.records import COLUMNS, COLUMNS_BY_KEY, ColumnKind, flatten

Cell = str | int | float | datetime | None
LIST_SEPARATOR = ";"
ZONED_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True, slots=True)
class ColumnFormat:
    """How records become rows.

    ``columns`` lists flat keys (``user_id``, ``started_at``, unknown fields
    too); None means every known column followed by any unknown field the
    records hold. ``zone`` adds a display-zone column beside each time
    column, headed with ``zone_name``. ``bom`` starts a CSV with a UTF-8 BOM
    so Excel reads it as UTF-8.
    """

    columns: Sequence[str] | None = None
    zone: tzinfo | None = None
    zone_name: str = ""
    bom: bool = False

    def __post_init__(self) -> None:
        if self.columns is not None:
            object.__setattr__(self, "columns", tuple(self.columns))
            if not self.columns:
                raise ValueError("the column list is empty")
            if any(not key.strip() for key in self.columns):
                raise ValueError("a column name is empty")
        if self.zone is not None and not self.zone_name:
            object.__setattr__(self, "zone_name", str(self.zone))


@dataclass(frozen=True, slots=True)
class OutputColumn:
    """One column of the output: the field it shows and whether it is the zoned copy."""

    key: str
    header: str
    zoned: bool = False


class RowMaker:
    """Turns records into rows for a fixed list of field keys."""

    def __init__(self, keys: Sequence[str], column_format: ColumnFormat) -> None:
        self.format = column_format
        columns: list[OutputColumn] = []
        for key in keys:
            columns.append(OutputColumn(key, key))
            if column_format.zone is not None and _kind(key) is ColumnKind.TIME:
                columns.append(OutputColumn(key, f"{key} ({column_format.zone_name})", zoned=True))
        self.columns = tuple(columns)

    @property
    def header(self) -> list[str]:
        return [column.header for column in self.columns]

    def row(self, record: Mapping[str, Any]) -> list[Cell]:
        flat = flatten(record)
        return [self._cell(column, flat.get(column.key)) for column in self.columns]

    def _cell(self, column: OutputColumn, value: Any) -> Cell:
        if value is None:
            return None
        if column.zoned:
            return _in_zone(value, self.format.zone)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return value
        if isinstance(value, list) and _kind(column.key) is ColumnKind.LIST:
            return LIST_SEPARATOR.join(
                item if isinstance(item, str) else orjson.dumps(item).decode() for item in value
            )
        return orjson.dumps(value).decode()


class ColumnCollector:
    """Field keys in output order: known columns first, then unknown fields as they appear."""

    def __init__(self) -> None:
        self.keys = [column.key for column in COLUMNS]
        self._seen = set(self.keys)

    def add(self, records: Iterable[Mapping[str, Any]]) -> None:
        for record in records:
            for key in flatten(record):
                if key not in self._seen:
                    self._seen.add(key)
                    self.keys.append(key)


def _kind(key: str) -> ColumnKind | None:
    spec = COLUMNS_BY_KEY.get(key)
    return spec.kind if spec else None


def _in_zone(value: Any, zone: tzinfo | None) -> Cell:
    """The moment as wall-clock time in ``zone``; a value that is not a time stays as it is."""
    if not isinstance(value, str) or zone is None:
        return value if isinstance(value, str | int | float) else None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    return moment.astimezone(zone).replace(tzinfo=None)
