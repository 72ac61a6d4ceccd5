"""``cdrdesk --self-check``: prove the whole chain works on this machine.

It drives the real window the way a user would (apply the filters, scroll
to the end) and passes only when pages keep arriving: the fastest answer to
"does cdrdesk work here?" for a user, a packager or a CI job.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

from PySide6.QtCore import QObject, QTimer, Signal

if TYPE_CHECKING:
    from cdrdesk.ui.main_window import MainWindow

SELF_CHECK_TIMEOUT_SECONDS = 120.0
EXTRA_PAGES = 3


class SelfCheck(QObject):
    """Emits ``finished(0)`` after the first page and ``EXTRA_PAGES`` more, else non-zero."""

    finished = Signal(int)

    def __init__(
        self,
        window: MainWindow,
        *,
        timeout: float = SELF_CHECK_TIMEOUT_SECONDS,
        extra_pages: int = EXTRA_PAGES,
        out: TextIO | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._extra_pages = extra_pages
        self._out = out if out is not None else sys.stdout
        self._pages = 0
        self._started = False
        self._done = False
        self._timeout = timeout
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._timed_out)
        self._timer.start(int(timeout * 1000))
        window.demoFailed.connect(lambda message: self._fail(message))

    def start_when_connected(self, connection: object) -> None:
        if connection is not None:
            self.start()

    def start(self) -> None:
        """Begin once connected; later calls (a reconnection) are ignored."""
        if self._started:
            return
        self._started = True
        model = self._window.model
        model.pageArrived.connect(self._page_arrived)
        model.loadFailed.connect(lambda error: self._fail(f"loading failed: {error}"))
        QTimer.singleShot(0, self, self._window.sidebar.apply)

    def _page_arrived(self, rows: int) -> None:
        if self._done:
            return
        self._pages += 1
        model = self._window.model
        if self._pages > self._extra_pages:
            self._pass(f"self-check ok: {model.loaded_count} rows")
        elif not model.has_more:
            if model.total is not None and model.loaded_count >= model.total:
                self._pass(f"self-check ok: {model.loaded_count} rows (all matching records)")
            else:
                self._fail(
                    f"no more pages after {model.loaded_count} rows, "
                    f"but the server counts {model.total}"
                )
        else:
            QTimer.singleShot(0, self, self._window.table.scrollToBottom)

    def _timed_out(self) -> None:
        model = self._window.model
        self._fail(
            f"timed out after {self._timeout:.0f} s with {model.loaded_count} rows "
            f"in {self._pages} pages"
        )

    def _pass(self, message: str) -> None:
        self._finish(message, 0)

    def fail(self, message: str) -> None:
        """End the check now as failed, e.g. when there is nothing to connect to."""
        self._fail(message)

    def _fail(self, message: str) -> None:
        self._finish(f"self-check failed: {message}", 1)

    def _finish(self, message: str, code: int) -> None:
        if self._done:
            return
        self._done = True
        self._timer.stop()
        print(message, file=self._out, flush=True)
        self.finished.emit(code)
