"""The CDR table's model: rows fetched page by page as the user scrolls.

Qt's fetch-more pattern, made asynchronous: ``canFetchMore`` says whether
another page exists and none is on its way, ``fetchMore`` only asks the
:class:`~cdrdesk.ui.loader.PageLoader` for it, and the rows are inserted
in the GUI thread when the page arrives. The first page is asked for by
``offset=0``, every later one by the previous page's ``next_cursor``, so
scrolling goes on past the 10,000 records that offsets reach.

Every request carries a serial number and only the answer to the one
request in flight is taken, so pages of an older query (or of a cancelled
"load all") can never slip in. ``generation`` counts result sets: it goes
up with every new query, connection or reload.

"Load all" converts records between events and adds them to the table
every half second rather than page by page: every addition repaints the
view, and the records are turned into columns on the GUI thread because a
worker busy with Python code makes each of the thousands of Python calls of
a repaint wait for the interpreter lock.

A new query keeps the rows of the old one on screen until its first page
arrives: if the server refuses it (a 422 on a filter, a 401), the rows and
the old query stay, and scrolling goes on where it was. That first page is
shown from its records as decoded (:mod:`cdrdesk.ui.received_rows`) and
turned into columns right after the paint it asks for, which is sooner than
converting first.

After a failure the loaded rows stay and nothing more is fetched until
:meth:`CdrTableModel.retry` (or a new query), so a broken server is not
asked again on every scroll step.

No sorting: the API has no sort parameter and sorting the loaded part of
a result would show an order that is not the result's.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from cdrdesk.api.client import Page, endless_loop
from cdrdesk.api.errors import BadResponse
from cdrdesk.api.query import CdrQuery
from cdrdesk.api.records import COLUMNS, COLUMNS_BY_KEY, ColumnKind, ColumnSpec
from cdrdesk.connections.profiles import Connection
from cdrdesk.ui.formatting import MAX_CELL_CHARS, format_cell, format_epoch, plain_text
from cdrdesk.ui.loader import PageLoader
from cdrdesk.ui.received_rows import ReceivedRows, Rows
from cdrdesk.ui.rowstore import RowStore, TextReader

FIRST_PAGE_SIZE = 100
"""Small, so the first rows are painted about as soon as one request returns."""
PAGE_SIZE = 200
LOAD_ALL_PAGE_SIZE = 500
"""Decoding a page holds the interpreter lock; a smaller page keeps the GUI thread's waits short."""
LOAD_ALL_FLUSH_SECONDS = 0.1
"""How often "load all" adds the rows it has to the table (each addition repaints it)."""
MAX_BACKLOG_PAGES = 2
"""Pages of "load all" received but not yet converted before the next is asked for."""
DRAIN_SLICE_SECONDS = 0.005
DRAIN_SLICE_ROWS = 50
TOOLTIP_CHARS = 2000

DISPLAY_CACHE_SIZE = 50_000

_KEYS = tuple(column.key for column in COLUMNS)
_COLUMN_COUNT = len(COLUMNS)
_COLUMN_OF = {key: index for index, key in enumerate(_KEYS)}
_RIGHT_ALIGNED_COLUMNS = frozenset(
    i for i, column in enumerate(COLUMNS) if column.kind in (ColumnKind.DURATION, ColumnKind.NUMBER)
)
_TIME_COLUMNS = tuple(i for i, column in enumerate(COLUMNS) if column.kind is ColumnKind.TIME)
_ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
# Plain ints: data() is called thousands of times a paint, and enum members compare slower.
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole.value
_USER = Qt.ItemDataRole.UserRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value

AnyIndex = QModelIndex | QPersistentModelIndex


TextMemo = dict[Any, str]
"""Texts of one column by value, kept across results: a new query shows many of the same."""

TEXT_MEMO_SIZE = 20_000
MEMO_CHARS = 64
"""Longer strings are not remembered: they are few, and would keep a large memo large."""
_MEMO_TYPES = frozenset({str, int})
"""Values whose text depends on the equal-comparing value alone (0.0 and -0.0 read apart)."""


def new_text_memos() -> list[TextMemo]:
    return [{} for _ in COLUMNS]


def text_readers(
    store: Rows, zone: tzinfo, memos: list[TextMemo] | None = None
) -> list[TextReader]:
    """A text reader per column of ``store`` (in ``COLUMNS`` order), times shown in ``zone``.

    ``memos`` (one per column, from :func:`new_text_memos`) remember texts
    by value; pass the same ones to the readers of later stores shown in
    the same zone.
    """
    if memos is None:
        memos = new_text_memos()
    readers: list[TextReader] = []
    for spec, memo in zip(COLUMNS, memos, strict=True):

        def fallback(row: int, spec: ColumnSpec = spec) -> str:
            return format_cell(spec, store.value(row, spec.key), zone)

        def format_value(value: Any, spec: ColumnSpec = spec, memo: TextMemo = memo) -> str:
            if type(value) not in _MEMO_TYPES or (type(value) is str and len(value) > MEMO_CHARS):
                return format_cell(spec, value, zone)
            text = memo.get(value)
            if text is None:
                if spec.kind is ColumnKind.TIME and type(value) is int:
                    text = format_epoch(value, zone)
                else:
                    text = format_cell(spec, value, zone)
                if len(memo) >= TEXT_MEMO_SIZE:
                    memo.clear()
                memo[value] = text
            return text

        readers.append(store.text_reader(spec.key, format_value, fallback))
    return readers


def _as_store(rows: Rows) -> RowStore:
    """``rows`` as a row store: itself, or the records of a page as received, converted."""
    if isinstance(rows, RowStore):
        return rows
    assert isinstance(rows, ReceivedRows)
    store = RowStore()
    store.append_page(rows.records)
    return store


@dataclass(frozen=True, slots=True)
class _Request:
    serial: int
    limit: int
    offset: int | None
    cursor: str | None


class CdrTableModel(QAbstractTableModel):
    """The loaded records of the current query, one row each; columns are ``COLUMNS``.

    DisplayRole is the formatted text, UserRole the value as received (None
    when null or absent), ToolTipRole the exact time or the uncut text.
    """

    loadingChanged = Signal(bool)
    countsChanged = Signal(int, object)
    loadFailed = Signal(object)
    pageArrived = Signal(int)
    loadAllProgress = Signal(int, object)
    loadAllFinished = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, loader: PageLoader | None = None) -> None:
        super().__init__(parent)
        self._loader = loader if loader is not None else PageLoader(self)
        self._loader.pageReady.connect(self._on_page, Qt.ConnectionType.QueuedConnection)
        self._loader.pageFailed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self._store: Rows = RowStore()
        self._zone: tzinfo = UTC
        self._text_memos = new_text_memos()
        self._readers = self._make_readers()
        self._display_cache: dict[tuple[int, int], str] = {}
        self._query: CdrQuery | None = None
        self._incoming: CdrQuery | None = None
        self._refused_query: CdrQuery | None = None
        self._serial = 0
        self._pending: _Request | None = None
        self._failed: _Request | None = None
        self._first_loaded = False
        self._next_cursor: str | None = None
        self._seen_cursors: set[str] = set()
        self._loading_all = False
        self._load_all_complete = False
        self._backlog: deque[list[dict[str, Any]]] = deque()
        self._backlog_start = 0
        self._staged = RowStore()
        self._last_flush = 0.0
        self._drain_timer = QTimer(self)
        self._drain_timer.setSingleShot(True)
        self._drain_timer.timeout.connect(self._drain)
        self._convert_timer = QTimer(self)
        self._convert_timer.setSingleShot(True)
        self._convert_timer.timeout.connect(self._converted_store)
        self._loading_shown = False
        self._inserting = False
        self.generation = 0
        self.total: int | None = None
        self.last_error: Exception | None = None

    # --- state -----------------------------------------------------------------------------

    @property
    def loader(self) -> PageLoader:
        return self._loader

    @property
    def query(self) -> CdrQuery | None:
        """The query of the rows on screen."""
        return self._query

    @property
    def requested_query(self) -> CdrQuery | None:
        """The query last asked for: the one on screen or the one whose first page is due."""
        return self._incoming or self._query

    @property
    def loaded_count(self) -> int:
        return len(self._store)

    @property
    def is_loading(self) -> bool:
        return self._pending is not None

    @property
    def is_loading_all(self) -> bool:
        return self._loading_all

    @property
    def has_more(self) -> bool:
        """Whether the server has records not loaded yet (unknown counts as yes)."""
        return self._query is not None and (not self._first_loaded or self._next_cursor is not None)

    @property
    def display_zone(self) -> tzinfo:
        return self._zone

    def column_key(self, column: int) -> str:
        return _KEYS[column]

    def is_right_aligned(self, column: int) -> bool:
        """Numbers and durations line up on the right, in the table and its alignment role."""
        return column in _RIGHT_ALIGNED_COLUMNS

    def column_of(self, key: str) -> int:
        """The column of a field key; KeyError names an unknown key."""
        try:
            return _COLUMN_OF[key]
        except KeyError:
            raise KeyError(f"no column for {key!r}") from None

    def record(self, row: int) -> dict[str, Any]:
        """The record of a row as received, unknown fields included."""
        return self._store.record(row)

    # --- commands --------------------------------------------------------------------------

    def set_connection(self, connection: Connection | None) -> None:
        """Use another server; the rows of the last one are dropped and the query reloaded."""
        self._cancel_pending()
        self._loader.set_connection(connection)
        query = self._incoming or self._query
        self._incoming = self._query = None
        self._clear()
        if query is not None:
            self.set_query(query)

    def set_query(self, query: CdrQuery) -> None:
        """Show the result of ``query``: drop what was on its way and ask for its page one.

        The rows on screen stay until that page arrives, and stay for good
        if the server refuses the query.
        """
        self._cancel_pending()
        stopped_loading_all = self._loading_all
        self._loading_all = False
        self._flush_backlog()  # rows already received belong to the rows on screen
        self.generation += 1
        self._refused_query = None
        self.last_error = None
        self._failed = None
        if stopped_loading_all:
            self.loadAllFinished.emit(True)
        if self._query is None:
            self._query = query
            self.countsChanged.emit(0, None)
        else:
            self._incoming = query
        if self._loader.connection is not None:
            self._send(self._next_request(FIRST_PAGE_SIZE))
        self._show_loading()

    def reload(self) -> None:
        query = self._incoming or self._query
        if query is not None:
            self.set_query(query)

    def retry(self) -> None:
        """Ask again for the page that failed (or continue, if nothing failed)."""
        if self._refused_query is not None:
            self.set_query(self._refused_query)
            return
        if self._query is None or self._pending is not None:
            return
        failed = self._failed
        self._failed = None
        self.last_error = None
        if failed is not None:
            self._send(self._next_request(failed.limit))
        elif self.has_more:
            self._send(self._next_request(PAGE_SIZE))
        self._show_loading()

    def load_all(self) -> None:
        """Keep loading big pages until the end; ``loadAllProgress`` reports, cancel stops."""
        if self._query is None or self._loading_all:
            return
        self._loading_all = True
        self._load_all_complete = False
        self._last_flush = time.perf_counter()
        self._failed = None
        self.last_error = None
        self.loadAllProgress.emit(len(self._store), self.total)
        if self._pending is not None:
            return  # the page on its way continues the load when it arrives
        if self.has_more:
            self._send(self._next_request(LOAD_ALL_PAGE_SIZE))
            self._show_loading()
        else:
            self._finish_load_all(cancelled=False)

    def cancel_load_all(self) -> None:
        if not self._loading_all:
            return
        self._cancel_pending()
        self._flush_backlog()  # what arrived stays: the cursor continues after it
        self._finish_load_all(cancelled=True)
        self._show_loading()

    def set_display_zone(self, zone: tzinfo) -> None:
        """Show times in ``zone``; the time columns are repainted."""
        self._zone = zone
        self._text_memos = new_text_memos()
        self._readers = self._make_readers()
        self._display_cache.clear()
        rows = len(self._store)
        if rows:
            for column in _TIME_COLUMNS:
                self.dataChanged.emit(
                    self.index(0, column),
                    self.index(rows - 1, column),
                    [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole],
                )

    def shutdown(self) -> None:
        """Stop loading and end the worker thread (call before the application quits)."""
        self._cancel_pending()
        self._drop_backlog()
        self._loading_all = False
        self._loader.shutdown()
        self._show_loading()

    # --- Qt's fetch-more -------------------------------------------------------------------

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return (
            not parent.isValid()
            and self._pending is None
            and not self._inserting
            and self.last_error is None
            and not self._loading_all
            and self._loader.connection is not None
            and self._incoming is None
            and self.has_more
        )

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._send(self._next_request(PAGE_SIZE))
            self._show_loading()

    # --- table data ------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._store)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        row, column = index.row(), index.column()
        if 0 <= row < len(self._store) and 0 <= column < _COLUMN_COUNT:
            if role == _DISPLAY:
                return self.display_text(row, column)
            if role == _ALIGNMENT:
                if column in _RIGHT_ALIGNED_COLUMNS:
                    return _ALIGN_RIGHT
            elif role == _USER:
                value = self._store.value(row, _KEYS[column])
                if value is not None:
                    return value
            elif role == _TOOLTIP:
                tip = self._tooltip(row, _KEYS[column])
                if tip is not None:
                    return tip
        return None

    def display_texts(self, column: int, first: int, stop: int) -> list[str]:
        """The texts of rows ``first`` to ``stop - 1`` in ``column``, for painting a screenful.

        Rows past the last are left out.
        """
        if first < 0:
            raise IndexError(f"row {first} is before the first")
        stop = min(stop, len(self._store))
        return self._readers[column].rows(first, stop) if first < stop else []

    def display_text(self, row: int, column: int) -> str:
        """Formatted once, then served from a bounded cache (rows are repainted often)."""
        key = (row, column)
        text = self._display_cache.get(key)
        if text is None:
            text = self._readers[column](row)
            if len(self._display_cache) >= DISPLAY_CACHE_SIZE:
                self._display_cache.clear()
            self._display_cache[key] = text
        return text

    def _make_readers(self) -> list[TextReader]:
        return text_readers(self._store, self._zone, self._text_memos)

    def _tooltip(self, row: int, key: str) -> str | None:
        value = self._store.value(row, key)
        if value is None:
            return None
        spec = COLUMNS_BY_KEY[key]
        if spec.kind is ColumnKind.TIME and isinstance(value, str):
            return value
        text = plain_text(value, limit=None)
        if len(text) > MAX_CELL_CHARS:
            return plain_text(value, limit=TOOLTIP_CHARS)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < _COLUMN_COUNT:
                if role == _DISPLAY:
                    return COLUMNS[section].label
                if role == _TOOLTIP:
                    return COLUMNS[section].path
                if role == _USER:
                    return COLUMNS[section].key
        elif role == _DISPLAY:
            return str(section + 1)
        return None

    # --- requests and answers --------------------------------------------------------------

    def _next_request(self, limit: int) -> _Request:
        self._serial += 1
        if self._incoming is not None or not self._first_loaded:
            return _Request(self._serial, limit, 0, None)
        return _Request(self._serial, limit, None, self._next_cursor)

    def _send(self, request: _Request) -> None:
        query = self._incoming or self._query
        assert query is not None
        if self._loader.is_closed:
            return  # shut down: the application is quitting
        self._pending = request
        self._loader.request_page(
            request.serial,
            query,
            limit=request.limit,
            offset=request.offset,
            cursor=request.cursor,
        )

    def _show_loading(self) -> None:
        """Emit ``loadingChanged`` on real changes only (a page that leads to the next is none)."""
        if self._loading_shown != self.is_loading:
            self._loading_shown = self.is_loading
            self.loadingChanged.emit(self._loading_shown)

    def _cancel_pending(self) -> None:
        pending = self._pending
        if pending is not None:
            self._pending = None
            self._loader.cancel(pending.serial)

    def _on_page(self, serial: int, page: Page) -> None:
        request = self._pending
        if request is None or serial != request.serial:
            return  # superseded: another query, a cancelled load, a reload
        self._pending = None
        if self._incoming is not None:
            self._query, self._incoming = self._incoming, None
            if not self._loading_all:
                self._show_new_result(request, page)
                return
            self._clear()
        problem = self._note_page(request, page)
        if self._loading_all and problem is None:
            self._stage_for_load_all(page)
            return
        self._flush_backlog()  # rows of "load all" before those of this page
        self._insert(ReceivedRows(page.items))
        if problem is not None:
            self._fail(None, problem)  # asking again would loop the same way
            return
        self._show_loading()

    def _note_page(self, request: _Request, page: Page) -> BadResponse | None:
        """Take the page's total and cursor; a page that would loop is the problem returned."""
        problem = self._check_page(request, page)
        self._first_loaded = True
        if page.total is not None:
            self.total = page.total
        self._next_cursor = None if problem else page.next_cursor
        if self._next_cursor is not None:
            self._seen_cursors.add(self._next_cursor)
        return problem

    def _show_new_result(self, request: _Request, page: Page) -> None:
        """Replace the rows on screen with the new query's first page, in one reset.

        One reset rather than a reset and an insertion: the view lays out
        and paints the new rows once, sooner after Apply.
        """
        self._clear(ReceivedRows(page.items))
        self._convert_timer.start(0)  # after the paint the reset has asked for
        problem = self._note_page(request, page)
        self.countsChanged.emit(len(self._store), self.total)
        self.pageArrived.emit(len(page.items))
        if problem is not None:
            self._fail(None, problem)  # asking again would loop the same way
            return
        self._show_loading()

    def _converted_store(self) -> RowStore:
        """The rows as a row store, converting a page shown as received (no signal: same rows)."""
        store = self._store
        if isinstance(store, RowStore):
            return store
        converted = _as_store(store)
        self._store = converted
        self._readers = self._make_readers()
        return converted

    def _stage_for_load_all(self, page: Page) -> None:
        """Queue a page of "load all"; the next request goes out before it is converted.

        Records are converted in slices between events and added to the
        table at most every ``LOAD_ALL_FLUSH_SECONDS``, because each addition
        repaints the view and the window must stay responsive meanwhile.
        """
        if page.items:
            self._backlog.append(page.items)
        unflushed = len(self._staged) + sum(map(len, self._backlog)) - self._backlog_start
        self.loadAllProgress.emit(len(self._store) + unflushed, self.total)
        if self._next_cursor is None:
            self._load_all_complete = True
        else:
            self._request_next_for_load_all()
        self._drain_timer.start(0)

    def _request_next_for_load_all(self) -> None:
        """Ask for the next page unless enough records wait to be converted.

        Pages waiting as Python dicts cost the garbage collector a pass over
        each of them, so the load goes no faster than the table takes rows in.
        """
        waiting = len(self._backlog) >= MAX_BACKLOG_PAGES
        if self._loading_all and self._pending is None and not waiting:
            self._send(self._next_request(LOAD_ALL_PAGE_SIZE))

    def _drain(self) -> None:
        deadline = time.perf_counter() + DRAIN_SLICE_SECONDS
        while self._backlog and time.perf_counter() < deadline:
            self._convert_slice()
        since_flush = time.perf_counter() - self._last_flush
        finished = self._load_all_complete and not self._backlog
        if len(self._staged) and (since_flush >= LOAD_ALL_FLUSH_SECONDS or finished):
            self._insert_staged()
        if self._next_cursor is not None and not self._load_all_complete:
            self._request_next_for_load_all()
        if self._backlog:
            self._drain_timer.start(0)
        elif len(self._staged):
            self._drain_timer.start(max(1, round((LOAD_ALL_FLUSH_SECONDS - since_flush) * 1000)))
        elif finished and self._loading_all:
            self._finish_load_all(cancelled=False)
            self._show_loading()

    def _convert_slice(self) -> None:
        records = self._backlog[0]
        end = min(self._backlog_start + DRAIN_SLICE_ROWS, len(records))
        self._staged.append_page(records[self._backlog_start : end])
        if end >= len(records):
            self._backlog.popleft()
            self._backlog_start = 0
        else:
            self._backlog_start = end

    def _insert_staged(self) -> None:
        staged, self._staged = self._staged, RowStore()
        self._last_flush = time.perf_counter()
        self._insert(staged)

    def _flush_backlog(self) -> None:
        """Convert and add everything queued now (the load stops or fails)."""
        self._drain_timer.stop()
        while self._backlog:
            self._convert_slice()
        if len(self._staged):
            self._insert_staged()

    def _drop_backlog(self) -> None:
        self._drain_timer.stop()
        self._backlog.clear()
        self._backlog_start = 0
        self._staged = RowStore()

    def _clear(self, rows: Rows | None = None) -> None:
        """Forget every row and where the result stood; ``rows`` (if any) are shown instead.

        Counts are reported only when the table is left empty: with rows,
        the caller knows the total and reports it.
        """
        self._drop_backlog()
        self.beginResetModel()
        self._store = rows if rows is not None else RowStore()
        self._readers = self._make_readers()
        self._display_cache.clear()
        self._first_loaded = False
        self._next_cursor = None
        self._seen_cursors = set()
        self.total = None
        self.endResetModel()
        if rows is None:
            self.countsChanged.emit(0, None)

    def _insert(self, rows: Rows) -> None:
        """Append rows (never zero of them to the view) and report the new counts.

        Rows into an empty table are taken as they are (a page as received
        is converted after it is painted); others are converted and merged.
        """
        count = len(rows)
        if count:
            first = len(self._store)
            self._inserting = True  # no fetchMore from a slot of the insert signals
            try:
                if first == 0:
                    self.beginInsertRows(QModelIndex(), 0, count - 1)
                    self._store = rows
                    self._readers = self._make_readers()
                    self._convert_timer.start(0)
                else:
                    store, added = self._converted_store(), _as_store(rows)
                    self.beginInsertRows(QModelIndex(), first, first + count - 1)
                    store.extend(added)
                self.endInsertRows()
            finally:
                self._inserting = False
        self.countsChanged.emit(len(self._store), self.total)
        self.pageArrived.emit(count)

    def _check_page(self, request: _Request, page: Page) -> BadResponse | None:
        """A server that would make the table ask forever is stopped, keeping its rows.

        The cursor that asked for this page is among the seen ones already:
        every cursor followed was noted when its page arrived.
        """
        assert request.cursor is None or request.cursor in self._seen_cursors
        return endless_loop(page, self._seen_cursors)

    def _on_failed(self, serial: int, error: Exception) -> None:
        request = self._pending
        if request is None or serial != request.serial:
            return
        self._pending = None
        self._fail(request, error)

    def _fail(self, request: _Request | None, error: Exception) -> None:
        if self._incoming is not None:
            # Refused: the old query, its rows and its scrolling stay as they were.
            self._refused_query, self._incoming = self._incoming, None
            self._show_loading()
            self.loadFailed.emit(error)
            return
        self._failed = request
        self.last_error = error
        if self._loading_all:
            self._flush_backlog()
            self._finish_load_all(cancelled=True)
        self._show_loading()
        self.loadFailed.emit(error)

    def _finish_load_all(self, *, cancelled: bool) -> None:
        """``loadAllFinished(True)`` when it stopped before the end (cancelled or failed)."""
        self._loading_all = False
        self.loadAllFinished.emit(cancelled)
