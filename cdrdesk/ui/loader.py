"""Pages of CDRs fetched off the GUI thread.

A :class:`PageLoader` owns one QThread running an asyncio event loop and,
inside it, one :class:`~cdrdesk.api.client.CdrClient` (made in that thread
from the current :class:`~cdrdesk.connections.profiles.Connection`, so its
connection pool lives where it is used). Requests go in with
``asyncio.run_coroutine_threadsafe``; answers come back as Qt signals,
queued to the receivers' threads and tagged with the caller's generation
so a receiver can drop answers to questions it no longer asks.

Cancelling a request cancels its task, which interrupts the HTTP read at
once; that is also why :meth:`PageLoader.shutdown` returns promptly even
while a server takes 30 seconds to answer.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import logging
import threading
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal

from cdrdesk.api.client import CdrClient
from cdrdesk.api.errors import ApiError
from cdrdesk.api.query import CdrQuery
from cdrdesk.connections.profiles import Connection

logger = logging.getLogger(__name__)

SHUTDOWN_WAIT_MS = 5000
CLIENT_CLOSE_SECONDS = 1.0


class NotConnected(ApiError):
    """A page was asked for before any connection was set."""


class _LoopThread(QThread):
    """Runs the loop until it is stopped, then cancels what is left and closes it."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.setObjectName("cdr-page-loader")
        self.loop = loop

    def run(self) -> None:
        loop = self.loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            leftovers = asyncio.all_tasks(loop)
            for task in leftovers:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
        return None


class PageLoader(QObject):
    """Fetches pages in a worker thread; see the module docstring.

    ``pageReady(generation, Page)`` answers :meth:`request_page`;
    ``pageFailed(generation, error)`` carries the
    :class:`~cdrdesk.api.errors.ApiError` (or other exception) of a failed
    request. A cancelled request emits nothing.
    """

    pageReady = Signal(int, object)
    pageFailed = Signal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._connection: Connection | None = None
        self._thread: _LoopThread | None = None
        self._lock = threading.Lock()
        self._futures: dict[int, set[concurrent.futures.Future[None]]] = {}
        self._closed = False
        # Touched only in the worker thread:
        self._client: CdrClient | None = None
        self._client_connection: Connection | None = None
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def connection(self) -> Connection | None:
        return self._connection

    def set_connection(self, connection: Connection | None) -> None:
        """Later requests use ``connection``; the worker replaces its client on the next one."""
        self._connection = connection

    def request_page(
        self,
        generation: int,
        query: CdrQuery,
        *,
        limit: int,
        offset: int | None = None,
        cursor: str | None = None,
    ) -> None:
        """Ask for one page; the answer comes by signal, tagged with ``generation``."""
        if self._closed:
            raise RuntimeError("the page loader has been shut down")
        work = self._fetch(generation, self._connection, query, limit, offset, cursor)
        self._submit(generation, work)

    def in_flight(self, generation: int | None = None) -> int:
        """How many requests (of ``generation``, or of all) have not finished yet."""
        with self._lock:
            if generation is not None:
                return len(self._futures.get(generation, ()))
            return sum(len(futures) for futures in self._futures.values())

    def cancel(self, generation: int | None = None) -> None:
        """Cancel the requests of ``generation`` (all when None); they emit nothing."""
        with self._lock:
            if generation is None:
                futures = [future for group in self._futures.values() for future in group]
            else:
                futures = list(self._futures.get(generation, ()))
        for future in futures:
            future.cancel()

    def shutdown(self) -> None:
        """Cancel everything, close the client, stop the loop and wait for the thread.

        Safe to call more than once; later requests raise RuntimeError.
        """
        if self._closed:
            return
        self._closed = True
        thread = self._thread
        if thread is None:
            return
        self.cancel()
        loop = thread.loop
        with contextlib.suppress(RuntimeError):  # the loop may be closed already
            asyncio.run_coroutine_threadsafe(self._close_and_stop(), loop)
        if not thread.wait(SHUTDOWN_WAIT_MS):
            logger.warning("the page loader thread did not stop within %d ms", SHUTDOWN_WAIT_MS)

    @property
    def is_closed(self) -> bool:
        return self._closed

    @property
    def worker_thread(self) -> QThread | None:
        """The thread the requests run in, once the first request started it."""
        return self._thread

    def _loop(self) -> asyncio.AbstractEventLoop:
        if self._thread is None:
            self._thread = _LoopThread(asyncio.new_event_loop())
            self._thread.start()
            application = QCoreApplication.instance()
            if application is not None:
                application.aboutToQuit.connect(self.shutdown)
        return self._thread.loop

    def _submit(self, generation: int, work: Coroutine[Any, Any, None]) -> None:
        future = asyncio.run_coroutine_threadsafe(work, self._loop())
        with self._lock:
            self._futures.setdefault(generation, set()).add(future)
        future.add_done_callback(functools.partial(self._forget, generation))

    def _forget(self, generation: int, future: concurrent.futures.Future[None]) -> None:
        with self._lock:
            group = self._futures.get(generation)
            if group is not None:
                group.discard(future)
                if not group:
                    del self._futures[generation]
        if not future.cancelled() and future.exception() is not None:
            logger.error("page request failed unexpectedly", exc_info=future.exception())

    async def _fetch(
        self,
        generation: int,
        connection: Connection | None,
        query: CdrQuery,
        limit: int,
        offset: int | None,
        cursor: str | None,
    ) -> None:
        try:
            client = self._client_for(connection)
            page = await client.get_page(query, limit=limit, offset=offset, cursor=cursor)
            self._emit(self.pageReady, generation, page)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # every failure is reported to the receiver, none is lost
            self._emit(self.pageFailed, generation, exc)

    def _client_for(self, connection: Connection | None) -> CdrClient:
        if connection is None:
            raise NotConnected("not connected to a CDR server; choose a connection first")
        if self._client is not None and self._client_connection == connection:
            return self._client
        self._close_client()
        self._client = connection.client()
        self._client_connection = connection
        return self._client

    def _close_client(self) -> None:
        if self._client is None:
            return
        task = asyncio.get_running_loop().create_task(self._client.aclose())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)
        self._client = None
        self._client_connection = None

    async def _close_and_stop(self) -> None:
        self._close_client()
        if self._closing:
            await asyncio.wait(self._closing, timeout=CLIENT_CLOSE_SECONDS)
        asyncio.get_running_loop().stop()

    @staticmethod
    def _emit(signal: Any, generation: int, payload: object) -> None:
        with contextlib.suppress(RuntimeError):  # the receiver's C++ object is gone
            signal.emit(generation, payload)
