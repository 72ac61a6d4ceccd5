"""Cell text of the CDR table: how each kind of field reads to a person.

Values that are not what a column expects (a string in a duration, an
unknown enum value, a nested object) are shown as they came, never hidden
and never an error: the record is what the server sent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import orjson

from cdrdesk.api.records import ColumnKind, ColumnSpec

MAX_CELL_CHARS = 300
"""Longer text is cut in a cell (with an ellipsis); painting a megabyte string is slow."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LINE_BREAKS = str.maketrans(dict.fromkeys("\r\n\t\v\f\x1c\x1d\x1e\x85\u2028\u2029", " "))
"""Whatever Python or Qt would break a line at, so a cell keeps to one line."""


def format_duration(seconds: int) -> str:
    """``h:mm:ss``; hours are not wrapped at 24 (a 30-hour total reads 30:00:00)."""
    sign = "-" if seconds < 0 else ""
    minutes, secs = divmod(abs(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}"


def format_score(value: float) -> str:
    """At most two decimals, without trailing zeros (4 -> "4", 3.456 -> "3.46")."""
    text = f"{value:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_epoch(seconds: int, zone: tzinfo) -> str:
    """Epoch seconds as ``YYYY-MM-DD HH:MM:SS`` in ``zone``.

    A time the zone's offset would push past year 1 or 9999 is shown in UTC,
    marked so, rather than not at all.
    """
    try:
        return _format_moment(datetime.fromtimestamp(seconds, zone))
    except (OverflowError, ValueError, OSError):
        try:
            return _format_moment(_EPOCH + timedelta(seconds=seconds)) + " UTC"
        except OverflowError:
            return str(seconds)


def format_time(iso: str, zone: tzinfo) -> str:
    """An RFC 3339 time in ``zone``, to the second; text that is no such time is shown as is.

    As in :func:`format_epoch`, a time the zone cannot reach is shown in UTC,
    or as received when UTC cannot hold it either.
    """
    try:
        moment = datetime.fromisoformat(iso.upper())
    except ValueError:
        return plain_text(iso)
    if moment.tzinfo is None:
        return plain_text(iso)
    try:
        return _format_moment(moment.astimezone(zone))
    except OverflowError:
        try:
            return _format_moment(moment.astimezone(UTC)) + " UTC"
        except OverflowError:
            return plain_text(iso)


def _format_moment(moment: datetime) -> str:
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )


def format_cell(column: ColumnSpec, value: Any, zone: tzinfo = UTC) -> str:
    """The text of one cell; None (null or absent) is empty."""
    if value is None:
        return ""
    kind = column.kind
    if type(value) is str:
        if kind is ColumnKind.TIME:
            return format_time(value, zone)
        if len(value) <= MAX_CELL_CHARS and value.isprintable():
            return value  # what plain_text would give, without its work

    if kind is ColumnKind.DURATION and type(value) is int:
        return format_duration(value)
    if kind is ColumnKind.NUMBER and type(value) in (int, float):
        return format_score(value)
    if kind is ColumnKind.LIST and type(value) is list and all(type(v) is str for v in value):
        return plain_text(", ".join(value))
    return plain_text(value)


def plain_text(value: Any, *, limit: int | None = MAX_CELL_CHARS) -> str:
    """Any JSON value as one line of text: strings as is, others as compact JSON."""
    if value is None:
        return ""
    if type(value) is str:
        text = value
    elif type(value) is list and all(type(item) is str for item in value):
        text = ", ".join(value)
    else:
        try:
            text = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")
        except TypeError:  # an integer beyond 64 bits, say
            text = str(value)
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    return text.translate(_LINE_BREAKS)
