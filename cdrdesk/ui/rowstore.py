"""Loaded records kept column by column, compact enough for a million rows.

A list of dicts costs about 3 KB a record; here every known field lives in
a typed array (numbers, times as epoch seconds, small codes for the few
distinct values of enums and IDs, packed UTF-8 for the many distinct
strings), so a record costs a few hundred bytes. Nothing is lost: which
keys a record had, and in what order, is kept as an interned *shape*; any
value a column cannot hold exactly (an unknown field, a string where a
number belongs, a huge string, a nested object) is kept as received in a
sparse per-row dict of extras, so :meth:`RowStore.record` gives back a dict
equal to the one received.

A field that is absent and a field that is null are told apart: the shape
says whether the key was there, the column holds null.

The store is not thread-safe. A worker thread may build a store of its own
for one page (:meth:`RowStore.append_page`) and hand it over; the GUI thread
then merges it with :meth:`RowStore.extend`, which only copies arrays.
"""

from __future__ import annotations

import abc
import copy
import re
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import accumulate, islice
from operator import itemgetter
from typing import Any, Final

from cdrdesk.api.records import COLUMNS, TOP_LEVEL_FIELDS, ColumnKind, ColumnSpec

MISSING: Final = object()
"""What a column gives for a row whose value it does not hold (absent, or kept in extras)."""
_NO_DATA: Final[Mapping[str, Any]] = {}
_UNFIT: Final = object()
"""Stands for a value an interned list column cannot hold."""

RowText = Callable[[int], str]
"""A row's text in one column."""
ValueFormatter = Callable[[Any], str]


@dataclass(frozen=True, slots=True)
class TextReader:
    """A column's cell texts: a row's by calling it, a run of rows' by :attr:`rows`.

    A run is read in one call because a paint reads a screenful of rows
    per column, and a call per cell costs more than finding its text.
    """

    read: RowText
    rows: Callable[[int, int], list[str]]
    """``rows(first, stop)``: the texts of rows ``first`` to ``stop - 1``."""

    def __call__(self, row: int) -> str:
        return self.read(row)


def _row_by_row(read: RowText) -> TextReader:
    def rows(first: int, stop: int) -> list[str]:
        return [read(row) for row in range(first, stop)]

    return TextReader(read, rows)


def _cached_runs(
    read: RowText, keys: Callable[[int, int], Sequence[int]], texts: dict[int, str]
) -> TextReader:
    """Rows whose key (a value or a code) has a text in ``texts`` are read by one lookup each.

    ``read`` gives the text of any row (and fills ``texts`` where it may).
    """

    def rows(first: int, stop: int) -> list[str]:
        found = list(map(texts.get, keys(first, stop)))
        if None in found:
            for position, text in enumerate(found):
                if text is None:
                    found[position] = read(first + position)
        return found  # type: ignore[return-value]  # no None left

    return TextReader(read, rows)


MAX_TEXT_CHARS = 4096
"""Longer strings are kept in the extras rather than in a column."""

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_FLOAT_INT_LIMIT = 2**53
_PACKED_KEYS = frozenset({"id", "from_phone_number", "to_phone_number", "recording_url"})
_TIME_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z")
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_TEXT_CACHE_LIMIT = 20_000


class _Column(abc.ABC):
    """One field of every row; ``append`` returns False when the value must go to extras."""

    @abc.abstractmethod
    def append(self, value: Any) -> bool: ...

    @abc.abstractmethod
    def append_missing(self) -> None: ...

    def append_values(self, values: Sequence[Any]) -> list[int]:
        """Append a page's values (``MISSING`` for absent); returns where extras are due."""
        rejected: list[int] = []
        append, append_missing = self.append, self.append_missing
        for position, value in enumerate(values):
            if value is MISSING:
                append_missing()
            elif not append(value):
                rejected.append(position)
        return rejected

    @abc.abstractmethod
    def get(self, row: int) -> Any: ...

    def text_reader(self, format_value: ValueFormatter, fallback: RowText) -> TextReader:
        """Rows' texts: ``format_value`` of what the column holds, ``fallback`` for the rest."""
        get = self.get

        def text(row: int) -> str:
            value = get(row)
            return fallback(row) if value is MISSING else format_value(value)

        return _row_by_row(text)

    @abc.abstractmethod
    def extend(self, other: Any, row_offset: int) -> None: ...

    @abc.abstractmethod
    def clear(self) -> None: ...


class _IntColumn(_Column):
    """Whole numbers (durations) in ``array('q')``; two reserved values mark null and missing."""

    NULL = _INT64_MIN
    GONE = _INT64_MIN + 1

    def __init__(self) -> None:
        self.values = array("q")

    def append(self, value: Any) -> bool:
        if type(value) is int and self.GONE < value <= _INT64_MAX:
            self.values.append(value)
            return True
        if value is None:
            self.values.append(self.NULL)
            return True
        self.values.append(self.GONE)
        return False

    def append_missing(self) -> None:
        self.values.append(self.GONE)

    def append_values(self, values: Sequence[Any]) -> list[int]:
        """A page goes in with one array copy; a value it cannot hold sends it one by one."""
        null, gone = self.NULL, self.GONE
        page = [
            value
            if type(value) is int and gone < value <= _INT64_MAX
            else null
            if value is None
            else gone
            if value is MISSING
            else None
            for value in values
        ]
        if None in page:
            return super().append_values(values)
        self.values.extend(array("q", page))  # type: ignore[arg-type]  # no None: checked
        return []

    def get(self, row: int) -> Any:
        value = self.values[row]
        if value > self.GONE:
            return value
        return None if value == self.NULL else MISSING

    def text_reader(self, format_value: ValueFormatter, fallback: RowText) -> TextReader:
        """Durations repeat a lot: each distinct one is formatted once."""
        null_text = format_value(None)
        texts: dict[int, str] = {}
        null, gone = self.NULL, self.GONE

        def text(row: int) -> str:
            value = self.values[row]
            found = texts.get(value)
            if found is None:
                if value == gone:
                    return fallback(row)
                if value == null:
                    return null_text
                if len(texts) >= _TEXT_CACHE_LIMIT:
                    texts.clear()
                found = texts[value] = format_value(value)
            return found

        return _cached_runs(text, lambda first, stop: self.values[first:stop], texts)

    def extend(self, other: _IntColumn, row_offset: int) -> None:
        self.values.extend(other.values)

    def clear(self) -> None:
        self.values = array("q")


class _ScoreColumn(_Column):
    """Non-negative numbers in ``array('d')``, keeping int and float apart.

    A float ``x >= 0`` is stored as is; an int ``k`` as ``-(k + 1)`` (so 4 and
    4.0 come back as received); ``-inf`` is null and NaN is missing. JSON has
    no NaN or infinity, and negative scores are outside the contract, so they
    go to the extras.
    """

    NULL = float("-inf")

    def __init__(self) -> None:
        self.values = array("d")

    def append(self, value: Any) -> bool:
        kind = type(value)
        if kind is float and 0.0 <= value < float("inf"):
            self.values.append(value)
            return True
        if kind is int and 0 <= value < _FLOAT_INT_LIMIT:
            self.values.append(-(value + 1.0))
            return True
        if value is None:
            self.values.append(self.NULL)
            return True
        self.values.append(float("nan"))
        return False

    def append_missing(self) -> None:
        self.values.append(float("nan"))

    def append_values(self, values: Sequence[Any]) -> list[int]:
        """A page goes in with one array copy; a value it cannot hold sends it one by one."""
        null, gone, infinity = self.NULL, float("nan"), float("inf")
        page = [
            value
            if type(value) is float and 0.0 <= value < infinity
            else -(value + 1.0)
            if type(value) is int and 0 <= value < _FLOAT_INT_LIMIT
            else null
            if value is None
            else gone
            if value is MISSING
            else None
            for value in values
        ]
        if None in page:
            return super().append_values(values)
        self.values.extend(array("d", page))  # type: ignore[arg-type]  # no None: checked
        return []

    def get(self, row: int) -> Any:
        value = self.values[row]
        if value >= 0.0:
            return value
        if value != value:
            return MISSING
        if value == self.NULL:
            return None
        return int(-value) - 1

    def extend(self, other: _ScoreColumn, row_offset: int) -> None:
        self.values.extend(other.values)

    def clear(self) -> None:
        self.values = array("d")


class _TimeColumn(_Column):
    """Times as epoch seconds when they are exactly ``YYYY-MM-DDTHH:MM:SSZ``.

    Any other valid spelling (fractions, an offset) is kept as its original
    string in a sparse dict, so the text round-trips exactly.
    """

    NULL = _INT64_MIN
    GONE = _INT64_MIN + 1
    TEXT = _INT64_MIN + 2

    def __init__(self) -> None:
        self.values = array("q")
        self.texts: dict[int, str] = {}

    def append(self, value: Any) -> bool:
        if type(value) is str:
            seconds = parse_utc_seconds(value)
            if seconds is not None:
                self.values.append(seconds)
            elif len(value) <= MAX_TEXT_CHARS:
                self.texts[len(self.values)] = value
                self.values.append(self.TEXT)
            else:
                self.values.append(self.GONE)
                return False
            return True
        if value is None:
            self.values.append(self.NULL)
            return True
        self.values.append(self.GONE)
        return False

    def append_missing(self) -> None:
        self.values.append(self.GONE)

    def append_values(self, values: Sequence[Any]) -> list[int]:
        """A page of plain UTC times goes in as one array of seconds."""
        null, gone = self.NULL, self.GONE
        seconds = [
            parse_utc_seconds(value)
            if type(value) is str
            else null
            if value is None
            else gone
            if value is MISSING
            else None
            for value in values
        ]
        if None in seconds:  # another spelling, or no time at all
            return super().append_values(values)
        self.values.extend(array("q", seconds))  # type: ignore[arg-type]  # no None: checked
        return []

    def seconds(self, row: int) -> int | None:
        value = self.values[row]
        return value if value > self.TEXT else None

    def get(self, row: int) -> Any:
        value = self.values[row]
        if value > self.TEXT:
            return format_utc_seconds(value)
        if value == self.TEXT:
            return self.texts[row]
        return None if value == self.NULL else MISSING

    def text_reader(self, format_value: ValueFormatter, fallback: RowText) -> TextReader:
        """``format_value`` gets the epoch seconds (an int) when the column holds them.

        Each time's text is remembered for a run of rows read again.
        """
        text_mark = self.TEXT
        texts: dict[int, str] = {}

        def text(row: int) -> str:
            value = self.values[row]
            if value > text_mark:
                found = texts.get(value)
                if found is None:
                    if len(texts) >= _TEXT_CACHE_LIMIT:
                        texts.clear()
                    found = texts[value] = format_value(value)
                return found
            held = self.get(row)
            return fallback(row) if held is MISSING else format_value(held)

        return _cached_runs(text, lambda first, stop: self.values[first:stop], texts)

    def extend(self, other: _TimeColumn, row_offset: int) -> None:
        self.values.extend(other.values)
        for row, text in other.texts.items():
            self.texts[row + row_offset] = text

    def clear(self) -> None:
        self.values = array("q")
        self.texts = {}


class _CodeTable:
    """Distinct keys numbered as they first come, and one code a row naming its key.

    Codes start in ``array('H')`` and widen to ``array('I')`` past 65,535
    distinct keys. ``reserved`` keys take the first codes.
    """

    def __init__(self, reserved: tuple[Any, ...] = ()) -> None:
        self.codes = array("H")
        self.keys: list[Any] = list(reserved)
        self.index: dict[Any, int] = {key: code for code, key in enumerate(reserved)}
        self._reserved = len(reserved)

    def code(self, key: Any) -> int:
        found = self.index.get(key)
        if found is None:
            found = len(self.keys)
            self.keys.append(key)
            self.index[key] = found
            if found > 0xFFFF and self.codes.typecode == "H":
                self.codes = array("I", self.codes)
        return found

    def append(self, key: Any) -> None:
        self.codes.append(self.code(key))

    def key(self, row: int) -> Any:
        return self.keys[self.codes[row]]

    def extend(self, other: _CodeTable) -> None:
        """Append ``other``'s rows, its keys renumbered into this table."""
        translation = list(range(self._reserved))
        translation.extend(self.code(key) for key in other.keys[self._reserved :])
        self.codes.extend(array(self.codes.typecode, map(translation.__getitem__, other.codes)))


class _InternedColumn(_Column):
    """Few distinct values (enums, IDs, tag lists) as small codes into a value list.

    Code 0 is null, 1 is missing. A tag list is kept as a tuple and given
    back as a new list.
    """

    NULL = 0
    GONE = 1

    def __init__(self, *, holds_lists: bool) -> None:
        self.holds_lists = holds_lists
        self.values = _CodeTable((None, MISSING))

    def _key(self, value: Any) -> Any:
        if self.holds_lists:
            if type(value) is list and all(
                type(item) is str and len(item) <= MAX_TEXT_CHARS for item in value
            ):
                return tuple(value)
        elif type(value) is str and len(value) <= MAX_TEXT_CHARS:
            return value
        return MISSING

    def append(self, value: Any) -> bool:
        values = self.values
        if value is None:
            values.codes.append(self.NULL)
            return True
        # Most values were seen before: the index holds only keys that passed _key.
        if type(value) is str and not self.holds_lists:
            code = values.index.get(value)
            if code is not None:
                values.codes.append(code)
                return True
        key = self._key(value)
        if key is MISSING:
            values.codes.append(self.GONE)
            return False
        values.append(key)
        return True

    def append_missing(self) -> None:
        self.values.codes.append(self.GONE)

    def append_values(self, values: Sequence[Any]) -> list[int]:
        """Each distinct value of the page is coded once, then every row by one lookup."""
        table = self.values
        if self.holds_lists:
            keys = [
                tuple(value)
                if type(value) is list
                else value
                if value is None or value is MISSING
                else _UNFIT
                for value in values
            ]
        else:
            keys = list(values)
        try:
            for key in dict.fromkeys(keys):
                if key not in table.index and self._fits(key):
                    table.code(key)
            codes = list(map(table.index.get, keys))
        except TypeError:  # an unhashable value: a list inside a list, a dict
            return super().append_values(values)
        rejected = [position for position, code in enumerate(codes) if code is None]
        for position in rejected:
            codes[position] = self.GONE
        table.codes.extend(array(table.codes.typecode, codes))  # type: ignore[arg-type]
        return rejected

    def _fits(self, key: Any) -> bool:
        if self.holds_lists:
            return type(key) is tuple and all(
                type(item) is str and len(item) <= MAX_TEXT_CHARS for item in key
            )
        return type(key) is str and len(key) <= MAX_TEXT_CHARS

    def get(self, row: int) -> Any:
        value = self.values.key(row)
        if self.holds_lists and type(value) is tuple:
            return list(value)
        return value

    def text_reader(self, format_value: ValueFormatter, fallback: RowText) -> TextReader:
        """Each distinct value is formatted once (codes never change meaning until cleared)."""
        texts: dict[int, str] = {}
        values = self.values

        def current_codes() -> array[int]:
            nonlocal values
            if self.values is not values:  # cleared since
                values = self.values
                texts.clear()
            return values.codes

        def text(row: int) -> str:
            code = current_codes()[row]
            found = texts.get(code)
            if found is None:
                if code == self.GONE:
                    return fallback(row)
                found = texts[code] = format_value(self.get(row))
            return found

        return _cached_runs(text, lambda first, stop: current_codes()[first:stop], texts)

    def extend(self, other: _InternedColumn, row_offset: int) -> None:
        self.values.extend(other.values)

    def clear(self) -> None:
        self.values = _CodeTable((None, MISSING))


class _PackedTextColumn(_Column):
    """Many distinct strings (ids, numbers, URLs) as one UTF-8 buffer and end offsets.

    ``states`` holds one byte a row: 0 a string, 1 null, 2 missing.
    """

    TEXT = 0
    NULL = 1
    GONE = 2

    def __init__(self) -> None:
        self.data = bytearray()
        self.ends = array("q")
        self.states = bytearray()

    def append(self, value: Any) -> bool:
        if type(value) is str and len(value) <= MAX_TEXT_CHARS:
            try:
                encoded = value.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate from a JSON escape
                return self._append_state(self.GONE, stored=False)
            self.data += encoded
            self.ends.append(len(self.data))
            self.states.append(self.TEXT)
            return True
        if value is None:
            return self._append_state(self.NULL, stored=True)
        return self._append_state(self.GONE, stored=False)

    def append_values(self, values: Sequence[Any]) -> list[int]:
        """A page's strings are encoded and joined in one go."""
        text, null, gone = self.TEXT, self.NULL, self.GONE
        states = [
            text
            if type(value) is str and len(value) <= MAX_TEXT_CHARS
            else null
            if value is None
            else gone
            if value is MISSING
            else None
            for value in values
        ]
        if None in states:
            return super().append_values(values)
        try:
            encoded = [value.encode("utf-8") if type(value) is str else b"" for value in values]
        except UnicodeEncodeError:  # a lone surrogate from a JSON escape
            return super().append_values(values)
        self.ends.extend(islice(accumulate(map(len, encoded), initial=len(self.data)), 1, None))
        self.data += b"".join(encoded)
        self.states += bytes(states)  # type: ignore[arg-type]  # no None: checked
        return []

    def _append_state(self, state: int, *, stored: bool) -> bool:
        self.ends.append(len(self.data))
        self.states.append(state)
        return stored

    def append_missing(self) -> None:
        self._append_state(self.GONE, stored=False)

    def get(self, row: int) -> Any:
        state = self.states[row]
        if state == self.TEXT:
            start = self.ends[row - 1] if row else 0
            return self.data[start : self.ends[row]].decode("utf-8")
        return None if state == self.NULL else MISSING

    def extend(self, other: _PackedTextColumn, row_offset: int) -> None:
        base = len(self.data)
        self.data += other.data
        self.ends.extend(array("q", [end + base for end in other.ends]))
        self.states += other.states

    def clear(self) -> None:
        self.data = bytearray()
        self.ends = array("q")
        self.states = bytearray()


def _column_for(spec: ColumnSpec) -> _Column:
    if spec.key in _PACKED_KEYS:
        return _PackedTextColumn()
    if spec.kind is ColumnKind.TIME:
        return _TimeColumn()
    if spec.kind is ColumnKind.DURATION:
        return _IntColumn()
    if spec.kind is ColumnKind.NUMBER:
        return _ScoreColumn()
    return _InternedColumn(holds_lists=spec.kind is ColumnKind.LIST)


Shape = tuple[tuple[str, ...], tuple[str, ...] | None]
"""A record's top-level keys in order, and its ``data`` keys (None when data is no object)."""


ValuesGetter = Callable[[Mapping[str, Any]], tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class _ShapeReader:
    """How a record of one shape is read: its values in column order, and its stray keys."""

    top_values: ValuesGetter
    data_values: ValuesGetter
    stray_top: tuple[str, ...]
    """Top-level keys no column holds (and ``data`` when it is no object)."""
    stray_data: tuple[str, ...]


def _values_getter(columns: tuple[str, ...], keys: tuple[str, ...] | None) -> ValuesGetter:
    """Reads ``columns`` from a mapping with ``keys`` (None: no mapping), MISSING for absent."""
    if keys is not None and len(columns) > 1 and set(columns) <= set(keys):
        return itemgetter(*columns)
    absent = (MISSING,) * len(columns)

    def values(mapping: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(map(mapping.get, columns, absent))

    return values


class RowStore:
    """Records as typed columns; see the module docstring."""

    def __init__(self) -> None:
        self._top = {
            spec.key: _column_for(spec) for spec in COLUMNS if spec.key in TOP_LEVEL_FIELDS
        }
        self._data = {
            spec.key: _column_for(spec) for spec in COLUMNS if spec.key not in TOP_LEVEL_FIELDS
        }
        self._columns: dict[str, _Column] = {**self._top, **self._data}
        self._shapes = _CodeTable()
        self._readers: dict[int, _ShapeReader] = {}
        self._top_extras: dict[int, dict[str, Any]] = {}
        self._data_extras: dict[int, dict[str, Any]] = {}
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def clear(self) -> None:
        for column in self._columns.values():
            column.clear()
        self._shapes = _CodeTable()
        self._readers = {}
        self._top_extras = {}
        self._data_extras = {}
        self._count = 0

    def append_page(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Append records as received; returns how many were added.

        A page goes in column by column: each record is read into a row of
        values in column order (by one ``itemgetter`` call when it has every
        field), the rows are turned into columns, and each column takes its
        values in one call. That is about a third faster than a record at a
        time, which "load all" does two hundred thousand times over. Keys no column
        knows, and values a column cannot hold, go to the extras.
        """
        page = records if isinstance(records, list) else list(records)
        if not page:
            return 0
        first = self._count
        top_rows: list[tuple[Any, ...]] = []
        data_rows: list[tuple[Any, ...]] = []
        strays: list[tuple[int, _ShapeReader]] = []
        shapes = self._shapes
        readers = self._readers
        for position, record in enumerate(page):
            data = record.get("data")
            if type(data) is not dict:
                data = None
            code = shapes.code((tuple(record), None if data is None else tuple(data)))
            shapes.codes.append(code)
            reader = readers.get(code) or self._reader_for(code)
            top_rows.append(reader.top_values(record))
            data_rows.append(reader.data_values(_NO_DATA if data is None else data))
            if reader.stray_top or reader.stray_data:
                strays.append((position, reader))
        for (key, column), values in zip(
            self._top.items(), zip(*top_rows, strict=True), strict=True
        ):
            for position in column.append_values(values):
                self._top_extras.setdefault(first + position, {})[key] = values[position]
        for (key, column), values in zip(
            self._data.items(), zip(*data_rows, strict=True), strict=True
        ):
            for position in column.append_values(values):
                self._data_extras.setdefault(first + position, {})[key] = values[position]
        for position, reader in strays:
            record = page[position]
            if reader.stray_top:
                extra = self._top_extras.setdefault(first + position, {})
                extra.update((key, record[key]) for key in reader.stray_top)
            if reader.stray_data:
                data = record["data"]
                extra = self._data_extras.setdefault(first + position, {})
                extra.update((key, data[key]) for key in reader.stray_data)
        self._count += len(page)
        return len(page)

    def _reader_for(self, code: int) -> _ShapeReader:
        top_keys, data_keys = self._shapes.keys[code]
        reader = self._readers[code] = _ShapeReader(
            _values_getter(tuple(self._top), top_keys),
            _values_getter(tuple(self._data), data_keys),
            tuple(
                key
                for key in top_keys
                if key not in self._top and not (key == "data" and data_keys is not None)
            ),
            tuple(key for key in data_keys or () if key not in self._data),
        )
        return reader

    def extend(self, other: RowStore) -> None:
        """Append every row of ``other`` (typically built by a worker thread for one page)."""
        offset = self._count
        for key, column in self._columns.items():
            column.extend(other._columns[key], offset)
        self._shapes.extend(other._shapes)
        for row, extra in other._top_extras.items():
            self._top_extras[row + offset] = extra
        for row, extra in other._data_extras.items():
            self._data_extras[row + offset] = extra
        self._count += other._count

    def value(self, row: int, key: str) -> Any:
        """A field by its flat column name (as ``records.flatten`` names it); None when absent."""
        self._check_row(row)
        column = self._columns.get(key)
        if column is not None:
            value = column.get(row)
            if value is not MISSING:
                return value
            extras = self._top_extras if key in self._top else self._data_extras
            return _copied(extras.get(row, {}).get(key))
        top = self._top_extras.get(row, {})
        if key in top:
            return _copied(top[key])
        data_key = key.removeprefix("data.")
        return _copied(self._data_extras.get(row, {}).get(data_key))

    def text_reader(self, key: str, format_value: ValueFormatter, fallback: RowText) -> TextReader:
        """A fast ``row -> text`` for a column, for painting many cells.

        ``format_value`` turns what the column holds into text (a time
        column passes its epoch seconds as an int); ``fallback`` gives the
        text of a row whose value the column does not hold (absent, or in
        the extras). Rows are not range-checked. The reader follows rows
        appended later and stays right after :meth:`clear`.
        """
        return self._columns[key].text_reader(format_value, fallback)

    def time_seconds(self, row: int, key: str) -> int | None:
        """A time column's epoch seconds when held as such (else read :meth:`value`)."""
        column = self._columns[key]
        if not isinstance(column, _TimeColumn):
            raise KeyError(f"{key!r} is not a time column")
        return column.seconds(row)

    def record(self, row: int) -> dict[str, Any]:
        """The record as received (a new dict; equal to the original, key order kept)."""
        self._check_row(row)
        top_keys, data_keys = self._shapes.key(row)
        top_extra = self._top_extras.get(row, {})
        record: dict[str, Any] = {}
        for key in top_keys:
            if key in top_extra:
                record[key] = _copied(top_extra[key])
            elif key == "data" and data_keys is not None:
                record[key] = self._data_record(row, data_keys)
            else:
                record[key] = self._top[key].get(row)
        return record

    def _data_record(self, row: int, keys: tuple[str, ...]) -> dict[str, Any]:
        extra = self._data_extras.get(row, {})
        data: dict[str, Any] = {}
        for key in keys:
            data[key] = _copied(extra[key]) if key in extra else self._data[key].get(row)
        return data

    def _check_row(self, row: int) -> None:
        if not 0 <= row < self._count:
            raise IndexError(f"row {row} is outside 0..{self._count - 1}")


def parse_utc_seconds(text: str) -> int | None:
    """Epoch seconds of ``YYYY-MM-DDTHH:MM:SSZ`` exactly, else None (any other spelling).

    The pattern admits only that spelling (so the text comes back from the
    seconds unchanged); the C parser then checks the date and converts.
    """
    if len(text) != 20 or not _TIME_RE.fullmatch(text):
        return None
    try:
        return int(datetime.fromisoformat(text).timestamp())
    except ValueError:  # no such day: 2026-02-30
        return None


def format_utc_seconds(seconds: int) -> str:
    """The inverse of :func:`parse_utc_seconds`."""
    days, rest = divmod(seconds, 86_400)
    day = date.fromordinal(days + _EPOCH_ORDINAL)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}T{hours:02d}:{minutes:02d}:{secs:02d}Z"


def _copied(value: Any) -> Any:
    """Nested values are copied so a caller cannot change what the store holds."""
    return copy.deepcopy(value) if isinstance(value, dict | list) else value
