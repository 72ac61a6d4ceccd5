"""A "Loading…" mark that appears only when loading takes a while.

Most pages arrive within a few tens of milliseconds; a mark shown and
hidden again in that time is a flicker, not information. Showing it also
costs the GUI thread a layout and a paint at the moment a request has just
gone out, which is when the page loader's thread needs the interpreter
to send it. So the mark waits :data:`BUSY_MARK_DELAY_MS` before it shows.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

BUSY_MARK_DELAY_MS = 300
"""About the time after which a wait starts to be noticed."""


class BusyMark(QObject):
    """Shows ``widget`` once :meth:`set_busy` has said True for ``delay_ms`` without a False."""

    def __init__(
        self,
        widget: QWidget,
        *,
        delay_ms: int = BUSY_MARK_DELAY_MS,
        before_show: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(widget)
        self._widget = widget
        self._before_show = before_show
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._show)
        self._busy = False
        widget.hide()

    @property
    def is_busy(self) -> bool:
        """Whether busy was said last (the mark may still be waiting to show)."""
        return self._busy

    def set_busy(self, busy: bool) -> None:
        """Busy starts the wait (a second busy does not restart it); not busy hides the mark."""
        if busy == self._busy:
            return
        self._busy = busy
        if busy:
            self._timer.start()
        else:
            self._timer.stop()
            self._widget.hide()

    def _show(self) -> None:
        if self._before_show is not None:
            self._before_show()
        self._widget.show()
