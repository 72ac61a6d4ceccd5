"""The table model: fetch-more by pages, superseded pages dropped, errors, load all, cells."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from cdrdesk.api.errors import BadResponse, InvalidFilters, ServerError, Unauthorized
from cdrdesk.api.query import CdrQuery
from cdrdesk.api.records import COLUMNS
from cdrdesk.connections.profiles import Connection
from cdrdesk.demo.runner import DemoServerThread
from cdrdesk.ui.cdr_model import FIRST_PAGE_SIZE, LOAD_ALL_PAGE_SIZE, PAGE_SIZE, CdrTableModel
from tests import hostile_server as hs
from tests.ui_table.conftest import connection_to, list_ids

CALLS = CdrQuery({"type": ("call",)})
SMS = CdrQuery({"type": ("sms",)})


@pytest.fixture(scope="module")
def slow_demo_server() -> Iterator[DemoServerThread]:
    """The same data as ``demo_server``, answering each request 300 ms late."""
    with DemoServerThread(records=30_000, seed=1, latency_ms=300) as server:
        yield server


def ids(model: CdrTableModel) -> list[str]:
    return [model.record(row)["id"] for row in range(model.rowCount())]


def first_page(qtbot: QtBot, model: CdrTableModel, query: CdrQuery | None = None) -> None:
    with qtbot.waitSignal(model.pageArrived):
        model.set_query(query or CdrQuery())


def next_page(qtbot: QtBot, model: CdrTableModel) -> None:
    """Ask for the next page (unless one is on its way already) and wait for it."""
    with qtbot.waitSignal(model.pageArrived):
        if not model.is_loading:
            assert model.canFetchMore(QModelIndex())
            model.fetchMore(QModelIndex())


def test_pages_arrive_by_offset_then_cursor_and_the_model_stays_consistent(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    model: CdrTableModel,
    demo_connection: Connection,
    demo_server: DemoServerThread,
) -> None:
    model.set_connection(demo_connection)
    assert model.canFetchMore(QModelIndex()) is False  # no query yet
    with qtbot.waitSignal(model.countsChanged, check_params_cb=lambda n, total: n > 0) as counts:
        model.set_query(CdrQuery())
    assert counts.args == [FIRST_PAGE_SIZE, 30_000]
    qtmodeltester.check(model)  # its own fetchMore asks for page two
    assert model.columnCount() == len(COLUMNS)
    next_page(qtbot, model)
    next_page(qtbot, model)
    qtmodeltester.check(model)
    if model.is_loading:
        next_page(qtbot, model)
    expected = model.rowCount()
    assert expected >= FIRST_PAGE_SIZE + 2 * PAGE_SIZE
    assert (expected - FIRST_PAGE_SIZE) % PAGE_SIZE == 0
    assert model.loaded_count == expected
    assert ids(model) == list_ids(demo_server.url, demo_server.token, expected)
    assert model.has_more
    assert not model.is_loading


def test_insertion_signals_match_the_rows_added(
    qtbot: QtBot, model: CdrTableModel, demo_connection: Connection
) -> None:
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    model.set_connection(demo_connection)
    first_page(qtbot, model, CALLS)
    next_page(qtbot, model)
    assert inserted == [
        (0, FIRST_PAGE_SIZE - 1),
        (FIRST_PAGE_SIZE, FIRST_PAGE_SIZE + PAGE_SIZE - 1),
    ]


def test_a_new_query_replaces_the_rows_in_one_reset(
    qtbot: QtBot, model: CdrTableModel, demo_connection: Connection
) -> None:
    """The view lays the new result out once: a reset that brings its rows, no insertion after."""
    model.set_connection(demo_connection)
    first_page(qtbot, model, CALLS)
    signals: list[str] = []
    counts: list[tuple[int, object]] = []
    model.modelReset.connect(lambda: signals.append(f"reset with {model.rowCount()} rows"))
    model.rowsInserted.connect(lambda *_args: signals.append("inserted"))
    model.countsChanged.connect(lambda loaded, total: counts.append((loaded, total)))
    with qtbot.waitSignal(model.pageArrived, check_params_cb=lambda n: n == FIRST_PAGE_SIZE):
        model.set_query(SMS)
    assert signals == [f"reset with {FIRST_PAGE_SIZE} rows"]
    [(loaded, total)] = counts
    assert loaded == FIRST_PAGE_SIZE
    assert isinstance(total, int)
    assert total > FIRST_PAGE_SIZE
    assert {model.record(row)["type"] for row in range(model.rowCount())} == {"sms"}


def test_display_texts_of_a_run_of_rows_are_the_texts_of_its_cells(
    qtbot: QtBot, model: CdrTableModel, demo_connection: Connection
) -> None:
    model.set_connection(demo_connection)
    first_page(qtbot, model, CALLS)
    rows = model.rowCount()
    for column in range(model.columnCount()):
        cells = [model.data(model.index(row, column)) for row in range(rows)]
        assert model.display_texts(column, 0, rows) == cells
        assert model.display_texts(column, 7, 31) == cells[7:31]
        assert model.display_texts(column, rows - 3, rows + 50) == cells[-3:]  # cut at the end
        assert model.display_texts(column, rows, rows + 5) == []
    with pytest.raises(IndexError):
        model.display_texts(0, -1, 5)


def test_a_query_changed_mid_load_drops_the_old_request(
    qtbot: QtBot, model: CdrTableModel, slow_demo_server: DemoServerThread
) -> None:
    model.set_connection(connection_to(slow_demo_server.url, slow_demo_server.token))
    model.set_query(CALLS)
    generation = model.generation
    assert model.is_loading
    with qtbot.waitSignal(model.pageArrived):
        model.set_query(SMS)
    assert model.generation == generation + 1
    next_page(qtbot, model)  # the old request had time to answer, had it not been cancelled
    assert {model.record(row)["type"] for row in range(model.rowCount())} == {"sms"}
    assert model.rowCount() == FIRST_PAGE_SIZE + PAGE_SIZE
    qtbot.waitUntil(lambda: model.loader.in_flight() == 0, timeout=1000)


def test_a_page_that_answered_before_the_query_changed_is_dropped(
    qtbot: QtBot, model: CdrTableModel, demo_connection: Connection
) -> None:
    """The answer is already queued to the GUI thread when the query changes: it must not land."""
    answered = threading.Event()
    model.loader.pageReady.connect(
        lambda *_args: answered.set(), Qt.ConnectionType.DirectConnection
    )
    model.set_connection(demo_connection)
    model.set_query(CALLS)
    assert answered.wait(30), "the first page did not come"
    with qtbot.waitSignal(model.pageArrived) as arrived:
        model.set_query(SMS)
    assert arrived.args == [FIRST_PAGE_SIZE]
    qtbot.waitUntil(lambda: model.loader.in_flight() == 0)
    assert model.rowCount() == FIRST_PAGE_SIZE
    assert {model.record(row)["type"] for row in range(model.rowCount())} == {"sms"}


def test_errors_keep_the_rows_and_retry_asks_again(
    qtbot: QtBot, model: CdrTableModel, hostile: hs.HostileServer, hostile_connection: Connection
) -> None:
    hostile.script(hs.OK, hs.status(501, {"error": "database on fire"}))
    model.set_connection(hostile_connection)
    first_page(qtbot, model)
    with qtbot.waitSignal(model.loadFailed) as failed:
        model.fetchMore(QModelIndex())
    assert isinstance(failed.args[0], ServerError)
    assert model.last_error is failed.args[0]
    assert model.rowCount() == FIRST_PAGE_SIZE
    assert not model.is_loading
    assert not model.canFetchMore(QModelIndex())  # no hammering a failing server on scroll
    with qtbot.waitSignal(model.pageArrived):
        model.retry()
    assert model.last_error is None
    assert ids(model) == [record["id"] for record in hostile.records[: FIRST_PAGE_SIZE + PAGE_SIZE]]
    cursors = [request.param("cursor") for request in hostile.requests]
    assert cursors[0] is None
    assert hostile.requests[0].param("offset") == "0"
    assert cursors[1] is not None
    assert cursors[1] == cursors[2]  # the retry asked for the same page


def test_a_refused_token_fails_the_first_page(
    qtbot: QtBot, model: CdrTableModel, demo_server: DemoServerThread
) -> None:
    model.set_connection(connection_to(demo_server.url, "wrong-token-1234"))
    with qtbot.waitSignal(model.loadFailed) as failed:
        model.set_query(CdrQuery())
    assert isinstance(failed.args[0], Unauthorized)
    assert model.rowCount() == 0
    assert model.has_more


def test_a_server_that_loops_is_stopped_with_rows_kept(
    qtbot: QtBot, model: CdrTableModel, hostile: hs.HostileServer, hostile_connection: Connection
) -> None:
    hostile.script(hs.OK, hs.EMPTY_WITH_CURSOR)
    model.set_connection(hostile_connection)
    first_page(qtbot, model)
    with qtbot.waitSignal(model.loadFailed) as failed:
        model.fetchMore(QModelIndex())
    assert isinstance(failed.args[0], BadResponse)
    assert "endless" in str(failed.args[0])
    assert model.rowCount() == FIRST_PAGE_SIZE
    assert not model.has_more


def test_load_all_reaches_the_end_with_progress(
    qtbot: QtBot, model: CdrTableModel, hostile: hs.HostileServer, hostile_connection: Connection
) -> None:
    progress: list[tuple[int, Any]] = []
    model.loadAllProgress.connect(lambda loaded, total: progress.append((loaded, total)))
    model.set_connection(hostile_connection)
    first_page(qtbot, model)
    with qtbot.waitSignal(model.loadAllFinished, timeout=30_000) as finished:
        model.load_all()
    assert finished.args == [False]
    assert ids(model) == [record["id"] for record in hostile.records]
    assert progress[0] == (FIRST_PAGE_SIZE, 2500)
    assert progress[-1] == (2500, 2500)
    pages = -(-(2500 - FIRST_PAGE_SIZE) // LOAD_ALL_PAGE_SIZE)
    assert [request.param("limit") for request in hostile.requests[1:]] == [
        str(LOAD_ALL_PAGE_SIZE)
    ] * pages
    assert not model.has_more
    assert not model.canFetchMore(QModelIndex())
    assert not model.is_loading


def test_load_all_can_be_cancelled_mid_request(
    qtbot: QtBot, model: CdrTableModel, hostile: hs.HostileServer, hostile_connection: Connection
) -> None:
    hostile.script(hs.OK, hs.slow(30))
    model.set_connection(hostile_connection)
    first_page(qtbot, model)
    model.load_all()
    qtbot.waitUntil(lambda: len(hostile.requests) == 2)
    with qtbot.waitSignal(model.loadAllFinished, timeout=1000) as finished:
        model.cancel_load_all()
    assert finished.args == [True]
    assert not model.is_loading
    qtbot.waitUntil(lambda: model.loader.in_flight() == 0, timeout=1000)
    next_page(qtbot, model)
    assert ids(model) == [record["id"] for record in hostile.records[: FIRST_PAGE_SIZE + PAGE_SIZE]]


def test_cells_display_raw_and_alignment(
    qtbot: QtBot, model: CdrTableModel, hostile: hs.HostileServer, hostile_connection: Connection
) -> None:
    model.set_connection(hostile_connection)
    first_page(qtbot, model)
    record = hostile.records[1]
    column = model.column_of

    def cell(key: str, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> Any:
        return model.data(model.index(1, column(key)), role)

    assert cell("id") == record["id"]
    assert cell("started_at") == record["started_at"].replace("T", " ").removesuffix("Z")
    assert cell("started_at", Qt.ItemDataRole.ToolTipRole) == record["started_at"]
    assert cell("duration") == "0:00:01"
    assert cell("duration", Qt.ItemDataRole.UserRole) == 1
    assert cell("score") == "0.1"
    assert cell("event_tags") == "hold, mute"
    assert cell("event_tags", Qt.ItemDataRole.UserRole) == ["hold", "mute"]
    assert cell("queue_id") == ""
    assert cell("queue_id", Qt.ItemDataRole.UserRole) is None
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    assert cell("duration", Qt.ItemDataRole.TextAlignmentRole) == right
    assert cell("type", Qt.ItemDataRole.TextAlignmentRole) is None
    assert model.data(model.index(0, column("subtype"))) == "brand_new_subtype"
    assert model.headerData(column("duration"), Qt.Orientation.Horizontal) == "Duration"
    assert model.column_key(column("talk_duration")) == "talk_duration"
    with pytest.raises(KeyError, match="nonsense"):
        column("nonsense")


def test_display_zone_repaints_the_time_columns(
    qtbot: QtBot, model: CdrTableModel, hostile: hs.HostileServer, hostile_connection: Connection
) -> None:
    model.set_connection(hostile_connection)
    first_page(qtbot, model)
    changed: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda first, last, _roles: changed.append(
            (first.row(), last.row(), first.column(), last.column())
        )
    )
    before = model.data(model.index(0, model.column_of("started_at")))
    model.set_display_zone(ZoneInfo("Asia/Kolkata"))
    after = model.data(model.index(0, model.column_of("started_at")))
    assert before != after
    assert after.endswith(before[-2:])
    last = FIRST_PAGE_SIZE - 1
    assert sorted(changed) == sorted(
        [
            (0, last, model.column_of(key), model.column_of(key))
            for key in ("started_at", "ended_at")
        ]
    )


def test_without_connection_nothing_is_requested(qtbot: QtBot, model: CdrTableModel) -> None:
    model.set_query(CdrQuery())
    assert not model.is_loading
    assert not model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 0


def test_load_all_that_fails_keeps_every_row_it_got_in_order(
    qtbot: QtBot, model: CdrTableModel, hostile: hs.HostileServer, hostile_connection: Connection
) -> None:
    hostile.script(hs.OK, hs.OK, hs.status(501, {"error": "gone"}))
    model.set_connection(hostile_connection)
    first_page(qtbot, model)
    with (
        qtbot.waitSignal(model.loadFailed) as failed,
        qtbot.waitSignal(model.loadAllFinished) as finished,
    ):
        model.load_all()
    assert isinstance(failed.args[0], ServerError)
    assert finished.args == [True]
    loaded = FIRST_PAGE_SIZE + LOAD_ALL_PAGE_SIZE
    assert ids(model) == [record["id"] for record in hostile.records[:loaded]]
    with qtbot.waitSignal(model.pageArrived):
        model.retry()
    assert ids(model) == [record["id"] for record in hostile.records[: loaded + LOAD_ALL_PAGE_SIZE]]


def test_a_refused_query_keeps_the_rows_and_the_query_on_screen(
    qtbot: QtBot, model: CdrTableModel, demo_connection: Connection
) -> None:
    model.set_connection(demo_connection)
    first_page(qtbot, model, CALLS)
    shown = ids(model)
    with qtbot.waitSignal(model.loadFailed) as failed:
        model.set_query(CdrQuery({"type": ("teleport",)}))  # the demo server knows no such type
        assert ids(model) == shown  # still on screen while the server decides
        assert model.requested_query == CdrQuery({"type": ("teleport",)})
    assert isinstance(failed.args[0], InvalidFilters)
    assert "type" in failed.args[0].errors
    assert ids(model) == shown
    assert model.query == CALLS
    assert model.last_error is None  # the old result goes on loading as the user scrolls
    next_page(qtbot, model)
    assert ids(model)[: len(shown)] == shown
    assert model.rowCount() == len(shown) + PAGE_SIZE


def test_a_new_query_replaces_the_rows_when_its_first_page_arrives(
    qtbot: QtBot, model: CdrTableModel, demo_connection: Connection
) -> None:
    model.set_connection(demo_connection)
    first_page(qtbot, model, CALLS)
    with qtbot.waitSignal(model.modelReset):
        model.set_query(SMS)
    assert model.rowCount() == 0 or model.record(0)["type"] == "sms"
    qtbot.waitUntil(lambda: model.rowCount() > 0)
    assert {model.record(row)["type"] for row in range(model.rowCount())} == {"sms"}
