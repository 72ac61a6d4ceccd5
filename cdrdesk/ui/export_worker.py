"""Exports that run beside the window: the file is written in a thread of its own.

Two sources feed a :class:`~cdrdesk.export.writers.RecordWriter`:

- :class:`MatchingRecordsExport` walks every page of a query through the
  cursors with its own :class:`~cdrdesk.api.client.CdrClient` on its own
  asyncio loop (the same paging loop as ``cdrdesk export``, so 429
  ``Retry-After`` and the other retries behave the same);
- :class:`SelectedRowsExport` writes rows already loaded in the table: the
  GUI thread reads them from the model in short slices (the model is not
  thread-safe) and hands them over through a bounded queue, so memory stays
  flat and the window keeps painting however many rows are selected.

Either way a failure or a cancel keeps what was written as
``<name>.partial`` (the writer's ``abort``), the same as an interrupted
``cdrdesk export``: records already fetched are never thrown away, and the
final name is only ever given to a complete file.

Unlike ``cdrdesk export``, the cycle collector keeps its usual pace here:
slowed down, the cyclic garbage each request leaves (tasks, futures) piles
up to well over a hundred megabytes in the window's long-lived process
before it is collected, and measured speed is the same either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from cdrdesk.api.client import MAX_LIMIT
from cdrdesk.api.query import CdrQuery
from cdrdesk.connections.profiles import Connection
from cdrdesk.export.run import export_records
from cdrdesk.export.writers import RecordWriter

ReadRecord = Callable[[int], dict[str, Any]]

FEED_SLICE_SECONDS = 0.008
FEED_CHUNK_ROWS = 500
FEED_QUEUE_CHUNKS = 8
FEED_RETRY_MS = 5


class ExportStatus(enum.Enum):
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ExportOutcome:
    """How an export ended; ``partial`` is where the records are kept when it did not finish."""

    status: ExportStatus
    rows_written: int
    path: Path
    partial: Path | None = None
    error: str | None = None

    def describe(self) -> str:
        """One message for the user, naming the file and the number of records."""
        count = f"{self.rows_written:,} record{'s' if self.rows_written != 1 else ''}"
        if self.status is ExportStatus.DONE:
            return f"Exported {count} to {self.path}"
        head = (
            "Export cancelled"
            if self.status is ExportStatus.CANCELLED
            else f"Export failed: {self.error}"
        )
        if self.partial is not None:
            return f"{head}. {count} written so far are kept in {self.partial}"
        return f"{head}. Nothing was written; {self.path.name} was not created"


class _Cancelled(Exception):
    pass


class ExportWorker(QObject):
    """Runs one export in a background thread.

    ``progressed(rows_written, total_or_None)`` while it runs and
    ``finished(ExportOutcome)`` once, both delivered in the GUI thread.
    """

    progressed = Signal(int, object)
    finished = Signal(object)

    def __init__(self, writer: RecordWriter, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.writer = writer
        self.total: int | None = None
        self.outcome: ExportOutcome | None = None
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def path(self) -> Path:
        path = self.writer.output.path
        assert path is not None, "the window exports to files only"
        return path

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("an export worker runs once")
        self._thread = threading.Thread(target=self._main, name="cdrdesk-export", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Stop soon; what was written is kept as ``<name>.partial``."""
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the thread has ended; False on timeout."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _main(self) -> None:
        writer = self.writer
        try:
            self._write()
            if self._cancel.is_set():
                raise _Cancelled
            writer.close()
            outcome = ExportOutcome(ExportStatus.DONE, writer.rows_written, self.path)
        except (_Cancelled, asyncio.CancelledError):
            partial = writer.abort()
            outcome = ExportOutcome(ExportStatus.CANCELLED, writer.rows_written, self.path, partial)
        except Exception as exc:  # every failure ends in an outcome the user sees
            partial = writer.abort()
            message = _message(exc)
            outcome = ExportOutcome(
                ExportStatus.FAILED, writer.rows_written, self.path, partial, message
            )
        self.outcome = outcome
        with contextlib.suppress(RuntimeError):  # the window is gone already
            self.finished.emit(outcome)

    def _report(self, written: int, total: int | None) -> None:
        if total is not None:
            self.total = total
        with contextlib.suppress(RuntimeError):
            self.progressed.emit(written, self.total)

    def _write(self) -> None:
        raise NotImplementedError


class MatchingRecordsExport(ExportWorker):
    """Every record matching ``query``, fetched page by page with a client of its own."""

    def __init__(
        self,
        connection: Connection,
        query: CdrQuery,
        writer: RecordWriter,
        *,
        page_size: int = MAX_LIMIT,
        max_records: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(writer, parent)
        self._connection = connection
        self._query = query
        self._page_size = page_size
        self._max_records = max_records
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[Any] | None = None

    def cancel(self) -> None:
        super().cancel()
        with self._lock:
            loop, task = self._loop, self._task
        if loop is not None and task is not None:
            with contextlib.suppress(RuntimeError):  # the loop has just ended
                loop.call_soon_threadsafe(task.cancel)

    def _write(self) -> None:
        asyncio.run(self._export())

    async def _export(self) -> None:
        with self._lock:
            self._loop = asyncio.get_running_loop()
            self._task = asyncio.current_task()
        try:
            if self._cancel.is_set():
                raise _Cancelled
            async with self._connection.client() as client:
                await export_records(
                    client,
                    self._query,
                    self.writer,
                    page_size=self._page_size,
                    max_records=self._max_records,
                    progress=self._report,
                )
        finally:
            with self._lock:
                self._loop = self._task = None


class SelectedRowsExport(ExportWorker):
    """Rows of the table, read in the GUI thread slice by slice and written in the worker.

    ``still_valid`` is asked before every slice; when it says no (the table
    was cleared for another query) the export stops as failed, since the
    row numbers no longer mean the rows that were selected.
    """

    def __init__(
        self,
        rows: Sequence[int],
        read_record: ReadRecord,
        writer: RecordWriter,
        *,
        still_valid: Callable[[], bool] = lambda: True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(writer, parent)
        self.total = len(rows)
        self._rows = rows
        self._read = read_record
        self._still_valid = still_valid
        self._next = 0
        self._ending = False
        self._last: BaseException | None = None
        self._chunks: queue.Queue[list[dict[str, Any]] | BaseException | None] = queue.Queue(
            maxsize=FEED_QUEUE_CHUNKS
        )
        self._feeder = QTimer(self)
        self._feeder.setSingleShot(True)
        self._feeder.timeout.connect(self._feed)

    def start(self) -> None:
        super().start()
        self._feeder.start(0)

    def cancel(self) -> None:
        super().cancel()
        self._feeder.stop()
        with contextlib.suppress(queue.Full):  # a full queue wakes the writer anyway
            self._chunks.put_nowait(None)

    def _feed(self) -> None:
        """Read rows for a few milliseconds, then let the window paint."""
        if self._cancel.is_set():
            return
        if self._ending:
            self._send_last()
            return
        deadline = time.perf_counter() + FEED_SLICE_SECONDS
        rows, read = self._rows, self._read
        while self._next < len(rows):
            if not self._still_valid():
                self._ending = True
                self._last = RuntimeError("the table was reloaded while its rows were exported")
                self._send_last()
                return
            if self._chunks.full():
                self._feeder.start(FEED_RETRY_MS)
                return
            end = min(self._next + FEED_CHUNK_ROWS, len(rows))
            self._chunks.put_nowait([read(row) for row in rows[self._next : end]])
            self._next = end
            if time.perf_counter() >= deadline:
                self._feeder.start(0)
                return
        self._ending = True
        self._send_last()

    def _send_last(self) -> None:
        """Hand over the end mark (or the reason to stop) without blocking the GUI thread."""
        try:
            self._chunks.put_nowait(self._last)
        except queue.Full:
            self._feeder.start(FEED_RETRY_MS)

    def _write(self) -> None:
        while True:
            item = self._chunks.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            if self._cancel.is_set():
                return
            self.writer.write_many(item)
            self._report(self.writer.rows_written, self.total)


def _message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot write{where}: {exc.strerror}"
    return str(exc) or type(exc).__name__
