"""A page of records as received, read as the row store reads, until it is converted.

After Apply the user waits for the first page; turning its records into
columns (:class:`~cdrdesk.ui.rowstore.RowStore`) takes longer than painting
a screenful of them straight from the decoded dicts. So the model shows a
new result's first page from :class:`ReceivedRows` and converts it right
after that paint. Everything read here reads as it will from the store:
the same values, records and cell texts.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from cdrdesk.api.records import COLUMNS, COLUMNS_BY_KEY, TOP_LEVEL_FIELDS, ColumnKind, flatten
from cdrdesk.ui.rowstore import RowText, TextReader, ValueFormatter

_TOP_KEYS = frozenset(column.key for column in COLUMNS if column.key in TOP_LEVEL_FIELDS)
_DATA_KEYS = frozenset(column.key for column in COLUMNS if column.key not in TOP_LEVEL_FIELDS)


class Rows(Protocol):
    """What the table reads of its rows, from a row store or from a page as received."""

    def __len__(self) -> int: ...

    def value(self, row: int, key: str) -> Any: ...

    def record(self, row: int) -> dict[str, Any]: ...

    def text_reader(
        self, key: str, format_value: ValueFormatter, fallback: RowText
    ) -> TextReader: ...


class ReceivedRows:
    """Records as decoded from a page; see the module docstring. Not to be changed."""

    def __init__(self, records: Sequence[Mapping[str, Any]]) -> None:
        self.records = records

    def __len__(self) -> int:
        return len(self.records)

    def value(self, row: int, key: str) -> Any:
        """A column's value (None when absent); other keys as ``records.flatten`` names them."""
        record = self.records[self._checked(row)]
        if key in _TOP_KEYS:
            value = record.get(key)
        elif key in _DATA_KEYS:
            data = record.get("data")
            value = data.get(key) if type(data) is dict else None
        else:
            value = flatten(record).get(key)
        return _copied(value)

    def record(self, row: int) -> dict[str, Any]:
        """The record as received (a new dict, nested values copied)."""
        return copy.deepcopy(dict(self.records[self._checked(row)]))

    def text_reader(self, key: str, format_value: ValueFormatter, fallback: RowText) -> TextReader:
        """Texts as the row store's reader gives them.

        The store hands a time column's value to ``format_value`` as epoch
        seconds (an int) or as its string; a time that is neither (a number,
        say) it leaves to ``fallback``. So does this reader; any other value
        goes to ``format_value`` as received.
        """
        records = self.records
        is_time = COLUMNS_BY_KEY[key].kind is ColumnKind.TIME
        if key in _TOP_KEYS:

            def value_of(record: Mapping[str, Any]) -> Any:
                return record.get(key)

        else:

            def value_of(record: Mapping[str, Any]) -> Any:
                data = record.get("data")
                return data.get(key) if type(data) is dict else None

        def text(row: int) -> str:
            value = value_of(records[row])
            if is_time and value is not None and type(value) is not str:
                return fallback(row)
            return format_value(value)

        def rows(first: int, stop: int) -> list[str]:
            if is_time:
                return [text(row) for row in range(first, stop)]
            return [format_value(value_of(record)) for record in records[first:stop]]

        return TextReader(text, rows)

    def _checked(self, row: int) -> int:
        if not 0 <= row < len(self.records):
            raise IndexError(f"row {row} is outside 0..{len(self.records) - 1}")
        return row


def _copied(value: Any) -> Any:
    return copy.deepcopy(value) if isinstance(value, dict | list) else value
