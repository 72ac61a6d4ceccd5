"""A server that holds a request for 30 seconds: the window never waits for it.

Changing the filters returns at once and the new query's page comes without
the slow one; closing the real main window returns promptly with every worker
thread finished, and no page of an abandoned request lands anywhere.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QThread
from pytestqt.qtbot import QtBot

from cdrdesk.api.query import CdrQuery
from cdrdesk.connections.profiles import Connection, Profile
from cdrdesk.ui.app import create_app, parse_gui_args
from cdrdesk.ui.cdr_model import FIRST_PAGE_SIZE, PAGE_SIZE, CdrTableModel
from tests import hostile_server as hs
from tests.window.conftest import make_stores

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

CALLS = CdrQuery({"type": ("call",)})
SMS = CdrQuery({"type": ("sms",)})
HOLD_SECONDS = 30.0


@pytest.fixture
def typed_server() -> Iterator[hs.HostileServer]:
    """A server whose pages follow the ``type`` filter, so each query's records are its own."""
    with hs.HostileServer(hs.make_records(2_500), filter_by_type=True) as server:
        yield server


@pytest.fixture
def model(qtbot: QtBot) -> Iterator[CdrTableModel]:
    table_model = CdrTableModel()
    yield table_model
    table_model.shutdown()


def types(model: CdrTableModel) -> set[object]:
    return {model.record(row).get("type") for row in range(model.rowCount())}


def ids(model: CdrTableModel) -> list[object]:
    return [model.record(row)["id"] for row in range(model.rowCount())]


def worker_threads() -> list[QThread]:
    """Every QThread object alive in this process, whoever made it."""
    return [thing for thing in gc.get_objects() if isinstance(thing, QThread)]


def test_changing_the_filters_during_a_held_request_returns_at_once(
    qtbot: QtBot, model: CdrTableModel, typed_server: hs.HostileServer
) -> None:
    typed_server.script(hs.hold(HOLD_SECONDS))
    model.set_connection(Connection(Profile("Slow", typed_server.url), typed_server.token))
    model.set_query(CALLS)
    assert typed_server.wait_for_requests(1)
    assert model.is_loading

    with qtbot.waitSignal(model.pageArrived, timeout=2_000):
        started = time.perf_counter()
        model.set_query(SMS)
        elapsed = time.perf_counter() - started
        assert elapsed < 0.1, f"set_query took {elapsed * 1000:.0f} ms"
    assert types(model) == {"sms"}
    sms = typed_server.matching([("type", "sms")])
    assert ids(model) == [record["id"] for record in sms[:FIRST_PAGE_SIZE]]
    # The held request was cancelled: its connection was closed, so the server let go.
    assert typed_server.wait_for_completed(2, timeout=2)
    qtbot.waitUntil(lambda: model.loader.in_flight() == 0, timeout=1_000)


def test_no_late_page_lands_in_a_new_query(
    qtbot: QtBot, model: CdrTableModel, typed_server: hs.HostileServer
) -> None:
    """The slow answer still arrives at the socket, after the new query has its rows."""
    typed_server.script(hs.slow(1.0))
    model.set_connection(Connection(Profile("Slow", typed_server.url), typed_server.token))
    model.set_query(CALLS)
    assert typed_server.wait_for_requests(1)
    with qtbot.waitSignal(model.pageArrived, timeout=2_000):
        model.set_query(SMS)
    assert typed_server.wait_for_completed(2, timeout=5)  # the slow answer has been sent
    # A later page of the new query is a barrier: anything the old request had
    # emitted would have been queued before it.
    with qtbot.waitSignal(model.pageArrived, timeout=5_000):
        model.fetchMore(QModelIndex())
    sms = typed_server.matching([("type", "sms")])
    assert ids(model) == [record["id"] for record in sms[: FIRST_PAGE_SIZE + PAGE_SIZE]]
    assert types(model) == {"sms"}


def test_closing_the_window_during_a_held_request(
    qtbot: QtBot, typed_server: hs.HostileServer, tmp_path: Path
) -> None:
    baseline_threads = threading.active_count()
    typed_server.script(hs.hold(HOLD_SECONDS))
    connection = Connection(Profile("Slow", typed_server.url), typed_server.token)
    _app, window = create_app(
        parse_gui_args([]), stores=make_stores(tmp_path), connection=connection
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert typed_server.wait_for_requests(1)
    assert window.model.is_loading
    threads = worker_threads()
    assert window.model.loader.worker_thread in threads
    assert any(thread.isRunning() for thread in threads)

    started = time.perf_counter()
    window.close()
    elapsed = time.perf_counter() - started

    assert elapsed < 2.0, f"closing took {elapsed:.2f} s"
    assert all(thread.isFinished() for thread in threads)
    assert window.model.loader.in_flight() == 0
    assert window.model.rowCount() == 0  # nothing came, and nothing comes after the close
    assert typed_server.wait_for_completed(1, timeout=2)
    qtbot.waitUntil(lambda: threading.active_count() == baseline_threads, timeout=2_000)
