"""The status bar: what is loaded, how fast, what failed, and whether this is demo data.

Loading happens in the background, so the status bar is where the user sees
it happen: a count that grows, a rate, a "Loading…" mark, an error with a
Retry that keeps the rows already loaded, and the progress of "Load all".
"""

from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QToolButton, QWidget

from cdrdesk.ui.busy_mark import BusyMark

RATE_WINDOW_SECONDS = 5.0


def format_counts(loaded: int, total: int | None) -> str:
    if total is None:
        return f"{loaded:,} loaded"
    return f"{loaded:,} loaded of {total:,}"


class RateMeter:
    """Rows per second over the last few seconds, so a stall shows as a falling rate."""

    def __init__(self, window: float = RATE_WINDOW_SECONDS) -> None:
        self.window = window
        self._events: deque[tuple[float, int]] = deque()
        self._origin = 0.0

    def restart(self, now: float) -> None:
        self._events.clear()
        self._origin = now

    def add(self, rows: int, now: float) -> None:
        self._events.append((now, rows))

    def rate(self, now: float) -> float | None:
        while self._events and self._events[0][0] < now - self.window:
            self._events.popleft()
        if not self._events:
            return None
        span = now - max(self._origin, now - self.window)
        if span <= 0:
            return None
        return sum(rows for _, rows in self._events) / span


def _label(parent: QWidget, name: str, accessible: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    return label


class StatusWidgets(QObject):
    """The permanent widgets of the main window's status bar."""

    retryRequested = Signal()
    cancelLoadAllRequested = Signal()

    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self._bar = bar
        self.demo_badge = _label(bar, "demo_badge", "Demo data")
        self.demo_badge.setText(" Demo data ")
        self.demo_badge.setStyleSheet(
            "QLabel { background: #e69138; color: black; border-radius: 3px; font-weight: bold; }"
        )
        self.demo_badge.setToolTip("Synthetic records from the embedded demo server")
        self.demo_badge.hide()
        self.connection = _label(bar, "status_connection", "Connection")
        self.counts = _label(bar, "status_counts", "Rows loaded")
        self.rate = _label(bar, "status_rate", "Load rate")
        self.loading = _label(bar, "status_loading", "Loading")
        self.loading.setText("Loading…")
        self._loading_mark = BusyMark(self.loading)
        self.error = _label(bar, "status_error", "Load error")
        self.error.setStyleSheet("QLabel { color: #c0392b; }")
        self.error.setWordWrap(False)
        self.error.hide()
        self.retry = QToolButton(bar)
        self.retry.setObjectName("status_retry")
        self.retry.setText("Retry")
        self.retry.setAccessibleName("Retry loading")
        self.retry.clicked.connect(self.retryRequested)
        self.retry.hide()
        self.load_all = QProgressBar(bar)
        self.load_all.setObjectName("load_all_progress")
        self.load_all.setAccessibleName("Load all progress")
        self.load_all.setMaximumWidth(160)
        self.load_all.hide()
        self.cancel_load_all = QToolButton(bar)
        self.cancel_load_all.setObjectName("status_cancel_load_all")
        self.cancel_load_all.setText("Cancel")
        self.cancel_load_all.setAccessibleName("Cancel load all")
        self.cancel_load_all.clicked.connect(self.cancelLoadAllRequested)
        self.cancel_load_all.hide()

        bar.addWidget(self.demo_badge)
        bar.addWidget(self.connection)
        bar.addWidget(self.error, 1)
        bar.addWidget(self.retry)
        for widget in (self.load_all, self.cancel_load_all, self.loading, self.rate, self.counts):
            bar.addPermanentWidget(widget)

        self._loading = False
        self._meter = RateMeter()
        self._rate_timer = QTimer(self)
        self._rate_timer.setInterval(500)
        self._rate_timer.timeout.connect(self._show_rate)
        self.set_counts(0, None)

    def set_demo(self, demo: bool) -> None:
        self.demo_badge.setVisible(demo)

    def set_connection_text(self, text: str) -> None:
        self.connection.setText(text)

    def set_counts(self, loaded: int, total: int | None) -> None:
        self.counts.setText(format_counts(loaded, total))

    def restart_rate(self) -> None:
        """A new query: the rate measures its pages only."""
        self._meter.restart(time.monotonic())
        self.rate.setText("")

    def rows_arrived(self, rows: int) -> None:
        self._meter.add(rows, time.monotonic())
        self._show_rate()

    def set_loading(self, loading: bool) -> None:
        """Show "Loading…"; the rate keeps updating until it has faded out of its window."""
        self._loading = loading
        self._loading_mark.set_busy(loading)
        self._rate_timer.start()
        self._show_rate()

    def _show_rate(self) -> None:
        rate = self._meter.rate(time.monotonic())
        self.rate.setText("" if rate is None else f"{rate:,.0f} rows/s")
        if rate is None and not self._loading:
            self._rate_timer.stop()

    def show_message(self, text: str) -> None:
        """A passing note (the transient area), e.g. "Copied 3 rows"."""
        self._bar.showMessage(text, 4000)

    def show_error(self, message: str, *, retry: bool = True) -> None:
        self.error.setText(message)
        self.error.setToolTip(message)
        self.error.show()
        self.retry.setVisible(retry)

    def clear_error(self) -> None:
        self.error.hide()
        self.error.setText("")
        self.retry.hide()

    def show_load_all(self, loaded: int, total: int | None) -> None:
        self.load_all.show()
        self.cancel_load_all.show()
        if total:
            self.load_all.setRange(0, total)
            self.load_all.setValue(min(loaded, total))
            self.load_all.setFormat(f"Load all %p% ({loaded:,})")
        else:
            self.load_all.setRange(0, 0)
        self.load_all.setToolTip(format_counts(loaded, total))

    def hide_load_all(self) -> None:
        self.load_all.hide()
        self.cancel_load_all.hide()
