"""The demo data in SQLite: built once per (records, seed, anchor hour), then only read.

Rows are numbered oldest first with ties broken by id, so ``rowid`` order is
the contract's order (``started_at`` then ``id``) and every page is a walk
down the primary key. Filter columns live in ``cdrs``; the record's JSON,
exactly as served, lives in ``bodies`` so filter scans stay small.
"""

from __future__ import annotations

import collections
import contextlib
import math
import os
import sqlite3
import tempfile
import threading
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import platformdirs

from cdrdesk.api.filters import (
    EVENT_TAGS,
    FILTERS,
    FILTERS_BY_NAME,
    FilterKind,
    FilterSpec,
    expand_event_tags,
)
from cdrdesk.api.query import CdrQuery, RangeValue, Scalar
from cdrdesk.demo.data import DemoRow, DemoSpec, event_tag_mask, generate

SCHEMA_VERSION = 3
_BATCH = 20_000
_TOP_LEVEL_COLUMNS = frozenset({"type", "subtype", "started_at", "ended_at"})
# Pages walk the primary key (rowid order is the served order), so an index
# only pays for itself where a filter matches few rows: numbers and people.
# Counts are cached, so other filters cost one scan per filter set.
_INDEXED = ("from_phone_number", "to_phone_number", "user_id", "campaign_id", "ended_at")

Progress = Callable[[int, int], None]


def column_name(spec: FilterSpec) -> str:
    """The ``cdrs`` column a filter reads: the last part of its field path."""
    return spec.field_name


FILTER_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys(column_name(spec) for spec in FILTERS))
_SPEC_BY_COLUMN: dict[str, FilterSpec] = {}
for _spec in FILTERS:
    _SPEC_BY_COLUMN.setdefault(column_name(_spec), _spec)


def _sql_type(spec: FilterSpec) -> str:
    if spec.list_field or spec.kind in (FilterKind.INTEGER_RANGE, FilterKind.TIME_RANGE):
        return "INTEGER"
    if spec.kind is FilterKind.NUMBER_RANGE:
        return "REAL"
    return "TEXT"


def default_directory() -> Path:
    return Path(platformdirs.user_cache_dir("cdrdesk")) / "demo"


def database_name(spec: DemoSpec) -> str:
    stamp = spec.anchor.strftime("%Y%m%dT%HZ")
    return f"cdrs-v{SCHEMA_VERSION}-{stamp}-{spec.records}-{spec.seed}.sqlite3"


_TOP_LEVEL_POSITIONS = tuple(
    (index, column)
    for index, column in enumerate(FILTER_COLUMNS)
    if column in _TOP_LEVEL_COLUMNS - {"started_at", "ended_at"}
)
_STARTED_POSITION = FILTER_COLUMNS.index("started_at")
_ENDED_POSITION = FILTER_COLUMNS.index("ended_at")
_LIST_POSITIONS = tuple(
    index for index, column in enumerate(FILTER_COLUMNS) if _SPEC_BY_COLUMN[column].list_field
)
_CASEFOLD_POSITIONS = tuple(
    index for index, column in enumerate(FILTER_COLUMNS) if _SPEC_BY_COLUMN[column].case_insensitive
)


def _column_values(row: DemoRow) -> list[Any]:
    """The filter columns of a record, in ``FILTER_COLUMNS`` order (hot path of a build)."""
    record = row.record
    get = record["data"].get
    values: list[Any] = [get(column) for column in FILTER_COLUMNS]
    for index, column in _TOP_LEVEL_POSITIONS:
        values[index] = record[column]
    values[_STARTED_POSITION] = row.started_at
    values[_ENDED_POSITION] = row.ended_at
    for index in _LIST_POSITIONS:
        values[index] = event_tag_mask(values[index])
    for index in _CASEFOLD_POSITIONS:
        if isinstance(values[index], str):
            values[index] = values[index].casefold()
    return values


def _create_schema(connection: sqlite3.Connection) -> None:
    columns = ", ".join(
        f"{column} {_sql_type(_SPEC_BY_COLUMN[column])}" for column in FILTER_COLUMNS
    )
    connection.execute(
        f"CREATE TABLE cdrs (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, {columns})"
    )
    connection.execute("CREATE TABLE bodies (rowid INTEGER PRIMARY KEY, json BLOB NOT NULL)")
    connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def _create_indexes(connection: sqlite3.Connection) -> None:
    connection.execute("CREATE UNIQUE INDEX cdrs_order ON cdrs (started_at, id)")
    for column in _INDEXED:
        connection.execute(f"CREATE INDEX cdrs_{column} ON cdrs ({column})")


def build_database(spec: DemoSpec, path: Path, progress: Progress | None = None) -> None:
    """Write the data set to ``path``; an interrupted build leaves no file there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".building", dir=path.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        connection = sqlite3.connect(temp, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=OFF")
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute("PRAGMA cache_size=-200000")
            connection.execute("PRAGMA temp_store=MEMORY")
            _create_schema(connection)
            placeholders = ", ".join("?" for _ in range(len(FILTER_COLUMNS) + 2))
            insert_cdr = f"INSERT INTO cdrs VALUES ({placeholders})"
            insert_body = "INSERT INTO bodies VALUES (?, ?)"
            connection.execute("BEGIN")
            done = 0
            for batch in _batches(generate(spec), _BATCH):
                cdr_rows = []
                body_rows = []
                for row in batch:
                    done += 1
                    cdr_rows.append([done, row.record["id"], *_column_values(row)])
                    body_rows.append((done, orjson.dumps(row.record)))
                connection.executemany(insert_cdr, cdr_rows)
                connection.executemany(insert_body, body_rows)
                if progress is not None:
                    progress(done, spec.records)
            _create_indexes(connection)
            meta = {
                "schema": str(SCHEMA_VERSION),
                "records": str(spec.records),
                "seed": str(spec.seed),
                "anchor": str(spec.anchor_epoch),
            }
            connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            connection.execute("COMMIT")
            connection.execute("ANALYZE")
        finally:
            connection.close()
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _batches(rows: Iterable[DemoRow], size: int) -> Iterator[list[DemoRow]]:
    batch: list[DemoRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _is_complete(path: Path, spec: DemoSpec) -> bool:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return meta.get("records") == str(spec.records) and meta.get("seed") == str(spec.seed)


def _remove_stale(directory: Path, keep: str) -> None:
    """Remove databases of other anchors, and builds abandoned over an hour ago."""
    current_stamp = keep.split("-")[2]
    now = time.time()
    for candidate in directory.glob("cdrs-*.sqlite3"):
        parts = candidate.name.split("-")
        if len(parts) > 2 and parts[2] != current_stamp:
            with contextlib.suppress(OSError):
                candidate.unlink()
    for candidate in directory.glob(".cdrs-*.building"):
        with contextlib.suppress(OSError):
            if now - candidate.stat().st_mtime > 3600:
                candidate.unlink()


def ensure_database(
    spec: DemoSpec, directory: Path | None = None, progress: Progress | None = None
) -> tuple[Path, bool]:
    """The database file of ``spec``, built if missing; also says whether it was built."""
    folder = directory or default_directory()
    path = folder / database_name(spec)
    built = False
    if not (path.exists() and _is_complete(path, spec)):
        path.unlink(missing_ok=True)
        build_database(spec, path, progress)
        built = True
    _remove_stale(folder, path.name)
    return path, built


@dataclass(frozen=True, slots=True)
class Page:
    """Records' JSON texts in served order, the rowid of the last, and whether more follow.

    ``more`` is None when the store did not look (offset pages: the caller
    knows from the count).
    """

    bodies: list[bytes]
    last_rowid: int | None
    more: bool | None = None


def _glob_pattern(pattern: str) -> str:
    """The contract's ``*`` wildcard as a GLOB, every other character literal."""
    return pattern.replace("[", "[[]").replace("?", "[?]")


_SQLITE_MAX_INTEGER = 2**63 - 1


def _sql_scalar(value: Scalar) -> int | float:
    """A bound as SQLite takes it; a whole number past SQLite's range compares as infinity."""
    if isinstance(value, datetime):
        stamp = value.timestamp()
        return int(stamp) if stamp.is_integer() else stamp
    if isinstance(value, int) and value > _SQLITE_MAX_INTEGER:
        return math.inf
    return value


_RANGE_SQL = {"exact": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def where_clause(query: CdrQuery) -> tuple[str, list[Any]]:
    """SQL for a filter set; a filter on a field excludes rows where it is NULL.

    Every comparison with NULL is unknown in SQL, so rows lacking the field
    drop out without a special case.
    """
    clauses: list[str] = []
    params: list[Any] = []
    for name, value in query.items:
        spec = FILTERS_BY_NAME[name]
        column = column_name(spec)
        if isinstance(value, RangeValue):
            if value.exact is not None:
                clauses.append(f"{column} = ?")
                params.append(_sql_scalar(value.exact))
            for op, bound in value.bounds():
                clauses.append(f"{column} {_RANGE_SQL[op]} ?")
                params.append(_sql_scalar(bound))
        elif isinstance(value, str):
            clauses.append(f"{column} GLOB ?")
            params.append(_glob_pattern(value))
        elif spec.list_field:
            tags = [tag for tag in expand_event_tags(value) if tag in EVENT_TAGS]
            clauses.append(f"({column} & ?) != 0")
            params.append(event_tag_mask(tags))
        else:
            values = [item.casefold() for item in value] if spec.case_insensitive else list(value)
            clauses.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    return (" AND ".join(clauses) or "1"), params


class DemoStore:
    """Read access to a built database.

    The data never change, so per filter set the count and the rowids of the
    offset window (the first ``window`` matches) are computed once and
    cached: an offset page then costs its own rows only, however deep.
    """

    def __init__(self, path: Path, window: int = 10_000, cached_sets: int = 64) -> None:
        self.path = path
        self.window = window
        self._connection = sqlite3.connect(
            f"file:{path}?mode=ro", uri=True, check_same_thread=False
        )
        self._connection.execute("PRAGMA cache_size=-100000")
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._windows: collections.OrderedDict[str, array[int]] = collections.OrderedDict()
        self._cached_sets = cached_sets

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def count(self, query: CdrQuery) -> int:
        key = query.canonical()
        cached = self._counts.get(key)
        if cached is not None:
            return cached
        where, params = where_clause(query)
        with self._lock:
            (total,) = self._connection.execute(
                f"SELECT count(*) FROM cdrs WHERE {where}", params
            ).fetchone()
        self._counts[key] = int(total)
        return int(total)

    def key(self, rowid: int) -> tuple[int, str]:
        """The (started_at, id) sort key of a row, for a cursor."""
        with self._lock:
            started_at, record_id = self._connection.execute(
                "SELECT started_at, id FROM cdrs WHERE rowid = ?", (rowid,)
            ).fetchone()
        return int(started_at), str(record_id)

    def rowid_at(self, query: CdrQuery, position: int) -> int | None:
        """The rowid of the record at ``position`` of the ordered result, if any."""
        found = self._rowids(query, position, 1)
        return found[0] if found else None

    def page_at(self, query: CdrQuery, offset: int, limit: int) -> Page:
        """Up to ``limit`` records from position ``offset`` of the ordered result."""
        rowids = self._rowids(query, offset, limit) if limit > 0 else []
        return Page(self._bodies(rowids), rowids[-1] if rowids else None)

    def page_after(self, query: CdrQuery, started_at: int, record_id: str, limit: int) -> Page:
        """Up to ``limit`` records after the record keyed (started_at, id)."""
        with self._lock:
            found = self._connection.execute(
                "SELECT rowid FROM cdrs WHERE (started_at, id) < (?, ?) "
                "ORDER BY started_at DESC, id DESC LIMIT 1",
                (started_at, record_id),
            ).fetchone()
        if found is None or limit <= 0:
            return Page([], None, more=None if limit <= 0 else False)
        where, params = where_clause(query)
        with self._lock:
            rowids = [
                rowid
                for (rowid,) in self._connection.execute(
                    f"SELECT rowid FROM cdrs WHERE rowid <= ? AND {where} "
                    "ORDER BY rowid DESC LIMIT ?",
                    [found[0], *params, limit + 1],
                )
            ]
        more = len(rowids) > limit
        rowids = rowids[:limit]
        return Page(self._bodies(rowids), rowids[-1] if rowids else None, more)

    def _rowids(self, query: CdrQuery, offset: int, limit: int) -> list[int]:
        window = self._window(query)
        if offset + limit <= len(window) or len(window) < self.window:
            return list(window[offset : offset + limit])
        where, params = where_clause(query)
        with self._lock:
            return [
                rowid
                for (rowid,) in self._connection.execute(
                    f"SELECT rowid FROM cdrs WHERE {where} ORDER BY rowid DESC LIMIT ? OFFSET ?",
                    [*params, limit, offset],
                )
            ]

    def _window(self, query: CdrQuery) -> array[int]:
        key = query.canonical()
        found = self._windows.get(key)
        if found is not None:
            self._windows.move_to_end(key)
            return found
        where, params = where_clause(query)
        with self._lock:
            cursor = self._connection.execute(
                f"SELECT rowid FROM cdrs WHERE {where} ORDER BY rowid DESC LIMIT ?",
                [*params, self.window],
            )
            rowids = array("q", (rowid for (rowid,) in cursor))
        self._windows[key] = rowids
        while len(self._windows) > self._cached_sets:
            self._windows.popitem(last=False)
        return rowids

    def _bodies(self, rowids: Sequence[int]) -> list[bytes]:
        if not rowids:
            return []
        marks = ", ".join("?" for _ in rowids)
        with self._lock:
            rows = self._connection.execute(
                f"SELECT json FROM bodies WHERE rowid IN ({marks}) ORDER BY rowid DESC",
                list(rowids),
            ).fetchall()
        return [body for (body,) in rows]
