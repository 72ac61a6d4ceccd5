"""Export all matching records: equal to the API's own listing, cancel, failure, responsiveness."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from cdrdesk.connections.profiles import Connection, Profile
from cdrdesk.demo.runner import DemoServerThread
from cdrdesk.export.writers import ExportFormat
from cdrdesk.ui.app import Stores
from cdrdesk.ui.cdr_model import PAGE_SIZE
from cdrdesk.ui.export_worker import ExportStatus
from cdrdesk.ui.main_window import MainWindow
from cdrdesk.ui.table_view import PREFETCH_PAGES
from tests import hostile_server as hs
from tests.export.test_cli import direct_listing
from tests.export_ui.conftest import (
    EXPORT_WAIT_MS,
    export_through_dialog,
    fill_and_accept,
    open_export_dialog,
)
from tests.window.conftest import WAIT_MS, WindowFactory, check_enum_value, click_apply

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen dialogs
MATCHING_TYPES = ("call", "conversation", "sms")


def ids_of(path: Path) -> list[str]:
    with path.open("rb") as stream:
        return [json.loads(line)["id"] for line in stream]


def wait_loaded(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: window.model.loaded_count > 0 and not window.model.is_loading, timeout=WAIT_MS
    )


def table_settled(window: MainWindow) -> bool:
    """Loaded, and far enough ahead of the view that the table asks for no more pages."""
    table = window.table
    last_visible = table.rowAt(table.viewport().height() - 1)
    ahead = window.model.loaded_count - 1 - last_visible
    return not window.model.is_loading and last_visible >= 0 and ahead > PREFETCH_PAGES * PAGE_SIZE


class TickWatch:
    """A 10 ms timer in the GUI thread; the longest gap between ticks shows any stall."""

    def __init__(self) -> None:
        self.ticks = 0
        self.longest_gap = 0.0
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest_gap = max(self.longest_gap, now - self._last)
        self._last = now
        self.ticks += 1

    def __enter__(self) -> TickWatch:
        self._last = time.perf_counter()
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.stop()


def test_export_all_equals_api_listing_and_window_stays_responsive(
    qtbot: QtBot, window: MainWindow, demo_server: DemoServerThread, tmp_path: Path
) -> None:
    for value in MATCHING_TYPES:
        check_enum_value(window, "type", value)
    click_apply(qtbot, window)
    qtbot.waitUntil(
        lambda: window.model.query is not None and "type" in window.model.query, timeout=WAIT_MS
    )
    wait_loaded(qtbot, window)
    expected = [
        record["id"]
        for record in direct_listing(demo_server, [("type", t) for t in MATCHING_TYPES])
    ]
    assert len(expected) >= 25_000
    path = tmp_path / "matching.ndjson"

    started = time.perf_counter()
    with TickWatch() as watch:
        outcome = export_through_dialog(
            qtbot, window, window.exports.export_all_action, ExportFormat.NDJSON, path
        )
    elapsed = time.perf_counter() - started

    assert outcome.status is ExportStatus.DONE, outcome
    assert outcome.rows_written == len(expected)
    written = ids_of(path)
    assert written == expected
    assert len(set(written)) == len(written)
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    # The GUI thread kept running its timers during the whole export.
    assert watch.ticks >= elapsed / 0.010 * 0.3, (watch.ticks, elapsed)
    assert watch.longest_gap < 0.5, watch.longest_gap
    assert f"{len(expected):,}" in window.statusBar().currentMessage()


@pytest.fixture
def slow_server() -> Iterator[DemoServerThread]:
    """The same 30,000 records, answered 150 ms late, so an export is still running to cancel."""
    with DemoServerThread(records=30_000, seed=1, latency_ms=150) as server:
        yield server


def test_cancel_keeps_partial(
    qtbot: QtBot,
    open_window: WindowFactory,
    stores: Stores,
    slow_server: DemoServerThread,
    tmp_path: Path,
) -> None:
    connection = Connection(Profile("Slow demo", slow_server.url), slow_server.token)
    window = open_window([], stores, connection)
    wait_loaded(qtbot, window)
    path = tmp_path / "cancelled.ndjson"
    dialog = open_export_dialog(qtbot, window, window.exports.export_all_action)
    fill_and_accept(qtbot, dialog, ExportFormat.NDJSON, path)
    worker = window.exports.worker
    assert worker is not None
    with qtbot.waitSignal(worker.progressed, timeout=WAIT_MS):
        pass
    assert window.exports.progress.isVisible()
    assert "records" in window.exports.progress.label.text()
    with qtbot.waitSignal(window.exports.exportFinished, timeout=EXPORT_WAIT_MS) as finished:
        qtbot.mouseClick(window.exports.progress.cancel, Qt.MouseButton.LeftButton)
    outcome = finished.args[0]

    assert outcome.status is ExportStatus.CANCELLED
    assert 0 < outcome.rows_written < 30_000
    partial = tmp_path / "cancelled.ndjson.partial"
    assert outcome.partial == partial
    assert not path.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [partial.name]
    assert len(ids_of(partial)) == outcome.rows_written
    assert not window.exports.progress.isVisible()
    assert "cancelled" in window.statusBar().currentMessage()
    assert window.exports.export_all_action.isEnabled()


def test_failure_midway_reports_rows_and_keeps_partial(
    qtbot: QtBot, open_window: WindowFactory, stores: Stores, tmp_path: Path
) -> None:
    records = hs.make_records(5_000)
    with hs.HostileServer(records) as server:
        connection = Connection(Profile("Hostile", server.url), server.token)
        window = open_window([], stores, connection)
        qtbot.waitUntil(lambda: table_settled(window), timeout=WAIT_MS)
        # Two pages of 1,000 arrive, then a proxy's error page: a failure no retry mends.
        server.script(hs.OK, hs.OK, hs.HTML)
        path = tmp_path / "broken.ndjson"
        outcome = export_through_dialog(
            qtbot, window, window.exports.export_all_action, ExportFormat.NDJSON, path
        )

    assert outcome.status is ExportStatus.FAILED, outcome
    assert outcome.rows_written == 2_000
    partial = tmp_path / "broken.ndjson.partial"
    assert outcome.partial == partial
    assert not path.exists()
    assert ids_of(partial) == [record["id"] for record in records[:2_000]]
    notice = window.exports.last_notice
    assert notice is not None
    assert notice.isVisible()
    assert "2,000 records" in notice.text()
    assert str(partial) in notice.text()
    assert outcome.error
    assert outcome.error in notice.text()
    notice.close()


def test_rate_limit_is_waited_out(
    qtbot: QtBot, open_window: WindowFactory, stores: Stores, tmp_path: Path
) -> None:
    records = hs.make_records(3_000)
    with hs.HostileServer(records) as server:
        connection = Connection(Profile("Hostile", server.url), server.token)
        window = open_window([], stores, connection)
        qtbot.waitUntil(lambda: table_settled(window), timeout=WAIT_MS)
        before = len(server.requests)
        server.script(hs.OK, hs.rate_limited("1"))
        path = tmp_path / "limited.ndjson"
        started = time.perf_counter()
        outcome = export_through_dialog(
            qtbot, window, window.exports.export_all_action, ExportFormat.NDJSON, path
        )
        elapsed = time.perf_counter() - started
        export_requests = server.requests[before:]

    assert outcome.status is ExportStatus.DONE, outcome
    assert ids_of(path) == [record["id"] for record in records]
    assert elapsed >= 1.0  # the Retry-After of the 429 was honoured
    cursors = [request.param("cursor") for request in export_requests]
    assert cursors[1] == cursors[2] is not None  # the refused page was asked for again
