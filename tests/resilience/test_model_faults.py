"""The fault matrix for the window's table: CdrTableModel and its PageLoader, scrolling and
"load all", against a scripted hostile server and the demo server with injected faults.

For every fault: no crash, every record once and in order in the end, the rows
already loaded kept, and a failure that a retry cannot mend named in words.
The loader's client uses the product's default retry policy (short waits, a
``Retry-After`` of one second honoured), as the window does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from cdrdesk.api.errors import BadResponse
from cdrdesk.api.query import CdrQuery
from cdrdesk.demo.runner import DemoServerThread
from cdrdesk.ui.cdr_model import FIRST_PAGE_SIZE, CdrTableModel
from cdrdesk.ui.formatting import MAX_CELL_CHARS
from tests import hostile_server as hs
from tests.resilience.conftest import Fault, expected_records, fault_params, page_bounds
from tests.ui_table.conftest import connection_to, list_ids

WAIT_MS = 30_000
SMS = CdrQuery({"type": ("sms",)})


@pytest.fixture
def model(qtbot: QtBot) -> Iterator[CdrTableModel]:
    table_model = CdrTableModel()
    yield table_model
    table_model.shutdown()


def records(model: CdrTableModel) -> list[dict[str, Any]]:
    return [model.record(row) for row in range(model.rowCount())]


def ids(model: CdrTableModel) -> list[Any]:
    return [record.get("id") for record in records(model)]


def wait_idle(qtbot: QtBot, model: CdrTableModel) -> None:
    qtbot.waitUntil(lambda: not model.is_loading, timeout=WAIT_MS)


def scroll_to_the_end(qtbot: QtBot, model: CdrTableModel, failures: list[object]) -> None:
    """Fetch page after page as the view does on scrolling, until the end or a failure."""
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        wait_idle(qtbot, model)
    if not failures:
        assert not model.has_more


def load_all_to_the_end(qtbot: QtBot, model: CdrTableModel) -> bool:
    """Run "load all"; True when it reached the end, False when a failure stopped it."""
    with qtbot.waitSignal(model.loadAllFinished, timeout=WAIT_MS) as finished:
        model.load_all()
    wait_idle(qtbot, model)
    return finished.args == [False]


def every_cell_renders(model: CdrTableModel, rows: range) -> None:
    """Display and tooltip of every cell of ``rows``, as a repaint and a hover ask for them."""
    for row in rows:
        for column in range(model.columnCount()):
            index = model.index(row, column)
            text = model.data(index, Qt.ItemDataRole.DisplayRole)
            assert isinstance(text, str)
            assert len(text) <= MAX_CELL_CHARS + 1
            model.data(index, Qt.ItemDataRole.ToolTipRole)
            model.data(index, Qt.ItemDataRole.UserRole)


@pytest.mark.parametrize("mode", ["scroll", "load all"])
@pytest.mark.parametrize("fault", fault_params())
def test_fault_on_the_third_page(
    qtbot: QtBot, model: CdrTableModel, hostile: hs.HostileServer, fault: Fault, mode: str
) -> None:
    hostile.script(hs.OK, hs.OK, *fault.actions)
    failures: list[object] = []
    model.loadFailed.connect(failures.append)
    model.set_connection(connection_to(hostile.url, hostile.token))
    with qtbot.waitSignal(model.pageArrived, timeout=WAIT_MS):
        model.set_query(CdrQuery())

    if mode == "scroll":
        scroll_to_the_end(qtbot, model, failures)
    else:
        load_all_to_the_end(qtbot, model)

    if fault.message is None:
        assert failures == [], f"{fault.name} should have been got past: {failures}"
    else:
        assert len(failures) == 1
        error = failures[0]
        assert isinstance(error, BadResponse)
        assert fault.message in str(error)
        assert hostile.token not in str(error)
        assert model.last_error is error
        kept = model.rowCount()
        assert kept >= FIRST_PAGE_SIZE  # the pages before the fault stay on screen
        assert records(model) == hostile.records[:kept]
        assert not model.canFetchMore(QModelIndex())  # no hammering on every scroll step
        model.retry()
        wait_idle(qtbot, model)
        assert model.last_error is None
        assert records(model)[:kept] == hostile.records[:kept]
        if mode == "scroll":
            scroll_to_the_end(qtbot, model, [])
        else:
            assert load_all_to_the_end(qtbot, model)

    assert not model.has_more
    assert records(model) == expected_records(hostile, fault)
    if fault.sent is not None:
        every_cell_renders(model, range(*page_bounds(hostile, hostile.requests[2])))
    qtbot.waitUntil(lambda: model.loader.in_flight() == 0, timeout=WAIT_MS)


def test_demo_server_with_errors_and_rate_limit_scroll_and_load_all(
    qtbot: QtBot,
    model: CdrTableModel,
    faulty_demo: DemoServerThread,
    demo_server: DemoServerThread,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """10% 500/503 (503 with ``Retry-After: 1``) and 429 past 5 requests a second."""
    caplog.set_level(logging.INFO, logger="cdrdesk.api.retry")
    failures: list[object] = []
    model.loadFailed.connect(failures.append)
    model.set_connection(connection_to(faulty_demo.url, faulty_demo.token))
    with qtbot.waitSignal(model.pageArrived, timeout=WAIT_MS):
        model.set_query(CdrQuery())
    for _ in range(12):
        model.fetchMore(QModelIndex())
        wait_idle(qtbot, model)
    assert failures == []
    scrolled = ids(model)
    assert len(scrolled) == FIRST_PAGE_SIZE + 12 * 200
    assert scrolled == list_ids(demo_server.url, demo_server.token, len(scrolled))

    with qtbot.waitSignal(model.pageArrived, timeout=WAIT_MS):
        model.set_query(SMS)
    assert load_all_to_the_end(qtbot, model)
    assert failures == []
    loaded = ids(model)
    expected = list_ids(demo_server.url, demo_server.token, 30_000, [("type", "sms")])
    assert len(expected) > 2_000
    assert loaded == expected
    retried = [
        record.getMessage() for record in caplog.records if record.name == "cdrdesk.api.retry"
    ]
    assert retried, "no fault was injected: the test proved nothing"


def test_a_server_two_seconds_slow_still_pages_correctly(
    qtbot: QtBot, model: CdrTableModel, demo_server: DemoServerThread
) -> None:
    with DemoServerThread(records=30_000, seed=1, latency_ms=2_000) as slow:
        model.set_connection(connection_to(slow.url, slow.token))
        with qtbot.waitSignal(model.pageArrived, timeout=WAIT_MS):
            model.set_query(CdrQuery())
        model.fetchMore(QModelIndex())
        assert model.is_loading
        wait_idle(qtbot, model)
    assert ids(model) == list_ids(demo_server.url, demo_server.token, model.rowCount())
    assert model.rowCount() == FIRST_PAGE_SIZE + 200
