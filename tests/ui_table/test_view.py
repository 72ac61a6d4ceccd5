"""The real table view: scrolling loads pages past 10,000 rows, columns, copy, cell menu."""

from __future__ import annotations

import json
import sys

import pytest
from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QModelIndex, QObject
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QHeaderView, QLabel, QWidget
from pytestqt.qtbot import QtBot

from cdrdesk.api.query import CdrQuery
from cdrdesk.api.records import COLUMNS, DEFAULT_VISIBLE_COLUMNS
from cdrdesk.connections.profiles import Connection
from cdrdesk.demo.runner import DemoServerThread
from cdrdesk.ui.busy_mark import BUSY_MARK_DELAY_MS
from cdrdesk.ui.cdr_model import CdrTableModel
from cdrdesk.ui.table_view import CdrTableView
from tests import hostile_server as hs
from tests.ui_table.conftest import list_ids

KEYS = [column.key for column in COLUMNS]


@pytest.fixture
def view(qtbot: QtBot, model: CdrTableModel) -> CdrTableView:
    table = CdrTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    table.resize(1000, 600)
    table.show()
    return table


def visible_keys(view: CdrTableView) -> list[str]:
    header = view.horizontalHeader()
    logical = [header.logicalIndex(visual) for visual in range(header.count())]
    return [KEYS[index] for index in logical if not header.isSectionHidden(index)]


def test_scrolling_to_the_end_loads_past_ten_thousand_rows(
    qtbot: QtBot,
    view: CdrTableView,
    model: CdrTableModel,
    demo_connection: Connection,
    demo_server: DemoServerThread,
) -> None:
    model.set_connection(demo_connection)
    with qtbot.waitSignal(model.pageArrived):
        model.set_query(CdrQuery())
    scrollbar = view.verticalScrollBar()
    while model.rowCount() <= 10_000:
        loaded = model.rowCount()
        with qtbot.waitSignal(model.pageArrived, timeout=20_000):
            scrollbar.setValue(scrollbar.maximum())
        assert model.rowCount() > loaded
        assert model.last_error is None
    ids = [model.record(row)["id"] for row in range(model.rowCount())]
    assert ids == list_ids(demo_server.url, demo_server.token, len(ids))
    assert len(set(ids)) == len(ids)


def test_the_view_is_set_up_for_many_rows(view: CdrTableView) -> None:
    assert view.objectName() == "cdr_table"
    assert not view.isSortingEnabled()
    assert view.verticalHeader().sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed
    assert view.horizontalHeader().sectionsMovable()
    assert visible_keys(view) == list(DEFAULT_VISIBLE_COLUMNS)


def test_loading_indicator_follows_the_model(
    qtbot: QtBot,
    view: CdrTableView,
    model: CdrTableModel,
    hostile: hs.HostileServer,
    hostile_connection: Connection,
) -> None:
    hostile.script(hs.slow(1.0))
    label = view.findChild(QLabel, "cdr_table_loading")
    assert label is not None
    model.set_connection(hostile_connection)
    model.set_query(CdrQuery())
    assert not label.isVisible()  # not for a load that may well be over at once
    qtbot.waitUntil(label.isVisible, timeout=BUSY_MARK_DELAY_MS + 600)
    assert model.is_loading
    viewport = view.viewport().rect()
    assert viewport.contains(label.geometry())
    qtbot.waitUntil(lambda: not model.is_loading and model.rowCount() > 0)
    assert not label.isVisible()


class ShowCounter(QObject):
    """Counts the Show events of a widget."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:
            self.count += 1
        return False


def test_a_fast_page_never_shows_the_loading_indicator(
    qtbot: QtBot, view: CdrTableView, model: CdrTableModel, hostile_connection: Connection
) -> None:
    label = view.findChild(QLabel, "cdr_table_loading")
    assert label is not None
    shown = ShowCounter(label)
    model.set_connection(hostile_connection)
    model.set_query(CdrQuery())
    qtbot.waitUntil(lambda: not model.is_loading and model.rowCount() > 0)
    qtbot.wait(BUSY_MARK_DELAY_MS + 100)  # past the moment it would have shown
    assert not model.is_loading
    assert shown.count == 0


def test_prefetch_keeps_two_pages_ahead_of_the_last_visible_row(
    qtbot: QtBot,
    view: CdrTableView,
    model: CdrTableModel,
    hostile: hs.HostileServer,
    hostile_connection: Connection,
) -> None:
    model.set_connection(hostile_connection)
    model.set_query(CdrQuery())
    qtbot.waitUntil(lambda: model.rowCount() >= 500 and not model.is_loading)
    last_visible = view.rowAt(view.viewport().height() - 1)
    assert model.rowCount() - 1 - last_visible > 2 * 200
    assert model.rowCount() == 500  # and no further: nothing is loaded without need


def test_header_menu_hides_and_shows_columns(view: CdrTableView) -> None:
    menu = view._header_menu()
    actions = [action for action in menu.actions() if action.isCheckable()]
    assert len(actions) == len(COLUMNS)
    by_key = {action.data(): action for action in actions}
    assert by_key["talk_duration"].isChecked()
    assert not by_key["recording_url"].isChecked()
    by_key["talk_duration"].setChecked(False)
    by_key["recording_url"].setChecked(True)
    assert "talk_duration" not in visible_keys(view)
    assert "recording_url" in visible_keys(view)
    reset = next(action for action in menu.actions() if action.objectName() == "reset_columns")
    reset.trigger()
    assert visible_keys(view) == list(DEFAULT_VISIBLE_COLUMNS)


def test_the_last_visible_column_cannot_be_hidden(view: CdrTableView) -> None:
    for key in DEFAULT_VISIBLE_COLUMNS[1:]:
        view.setColumnHidden(KEYS.index(key), True)
    menu = view._header_menu()
    checked = [action for action in menu.actions() if action.isCheckable() and action.isChecked()]
    assert len(checked) == 1
    assert not checked[0].isEnabled()


def test_column_layout_survives_save_and_restore(qtbot: QtBot, model: CdrTableModel) -> None:
    first = CdrTableView()
    qtbot.addWidget(first)
    first.setModel(model)
    header = first.horizontalHeader()
    header.moveSection(header.visualIndex(KEYS.index("score")), 0)
    first.setColumnHidden(KEYS.index("type"), True)
    first.setColumnHidden(KEYS.index("id"), False)
    header.resizeSection(KEYS.index("duration"), 123)
    state = first.save_columns()

    second = CdrTableView()
    qtbot.addWidget(second)
    second.setModel(model)
    assert second.restore_columns(state)
    assert visible_keys(second) == visible_keys(first)
    assert visible_keys(second)[0] == "score"
    assert second.horizontalHeader().sectionSize(KEYS.index("duration")) == 123


@pytest.mark.parametrize(
    "state",
    [b"", b"\xff\xfe garbage", b"[]", b'{"version": 99}', b'{"version": 1, "order": "x"}',
     json.dumps({"version": 1, "order": ["id", "id"], "hidden": [], "widths": {}}).encode(),
     json.dumps({"version": 1, "order": [], "hidden": [], "widths": {"id": -5}}).encode()],
)  # fmt: skip
def test_a_damaged_layout_gives_the_default(view: CdrTableView, state: bytes) -> None:
    view.setColumnHidden(KEYS.index("started_at"), True)
    assert view.restore_columns(state) is False
    assert visible_keys(view) == list(DEFAULT_VISIBLE_COLUMNS)


def test_a_layout_from_another_version_keeps_what_it_can(view: CdrTableView) -> None:
    state = json.dumps(
        {"version": 1, "order": ["gone_column", "user_id", "type"], "hidden": ["type"],
         "widths": {"user_id": 250}}
    ).encode()  # fmt: skip
    assert view.restore_columns(state)
    shown = visible_keys(view)
    assert shown[0] == "user_id"
    assert "type" not in shown
    assert set(shown) == (set(DEFAULT_VISIBLE_COLUMNS) | {"user_id"}) - {"type"}
    assert view.horizontalHeader().sectionSize(KEYS.index("user_id")) == 250


def select(view: CdrTableView, top: int, left: str, bottom: int, right: str) -> None:
    model = view.model()
    selection = QItemSelection(
        model.index(top, KEYS.index(left)), model.index(bottom, KEYS.index(right))
    )
    view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)


def test_copy_gives_tsv_in_the_on_screen_column_order(
    qtbot: QtBot,
    view: CdrTableView,
    model: CdrTableModel,
    hostile: hs.HostileServer,
    hostile_connection: Connection,
) -> None:
    model.set_connection(hostile_connection)
    with qtbot.waitSignal(model.pageArrived):
        model.set_query(CdrQuery())
    header = view.horizontalHeader()
    header.moveSection(header.visualIndex(KEYS.index("duration")), 0)
    select(view, 1, "id", 2, "subtype")  # id is hidden: not copied
    view.selectionModel().select(
        model.index(2, KEYS.index("duration")), QItemSelectionModel.SelectionFlag.Select
    )
    records = hostile.records
    assert view.copy_selection(include_header=True).split("\n") == [
        "Duration\tStarted at\tType\tSubtype",
        f"\t{records[1]['started_at']}\t{records[1]['type']}\t{records[1]['subtype']}",
        f"{records[2]['data']['duration']}\t{records[2]['started_at']}\t"
        f"{records[2]['type']}\t{records[2]['subtype']}",
    ]
    select(view, 0, "end_reason", 1, "event_tags")  # wrap-up code is hidden
    assert view.copy_selection() == "\t\n\thold, mute"


def test_cell_menu_filters_by_value(
    qtbot: QtBot,
    view: CdrTableView,
    model: CdrTableModel,
    hostile: hs.HostileServer,
    hostile_connection: Connection,
) -> None:
    model.set_connection(hostile_connection)
    with qtbot.waitSignal(model.pageArrived):
        model.set_query(CdrQuery())

    def filter_actions(row: int, key: str) -> list[tuple[str, bool]]:
        menu = view.cell_menu(model.index(row, KEYS.index(key)))
        return [
            (action.text(), action.isEnabled())
            for action in menu.actions()
            if action.objectName() == "filter_by_value"
        ]

    with qtbot.waitSignal(view.filterByValueRequested) as requested:
        menu = view.cell_menu(model.index(0, KEYS.index("subtype")))
        next(a for a in menu.actions() if a.objectName() == "filter_by_value").trigger()
    assert requested.args == ["subtype", "brand_new_subtype"]
    with qtbot.waitSignal(view.filterByValueRequested) as requested:
        menu = view.cell_menu(model.index(3, KEYS.index("event_tags")))
        tags = [a for a in menu.actions() if a.objectName() == "filter_by_value"]
        assert len(tags) == 2
        tags[1].trigger()
    assert requested.args == ["event_tag", "mute"]
    with qtbot.waitSignal(view.filterByValueRequested) as requested:
        menu = view.cell_menu(model.index(7, KEYS.index("duration")))
        next(a for a in menu.actions() if a.objectName() == "filter_by_value").trigger()
    assert requested.args == ["duration", "7"]
    assert filter_actions(0, "id") == [("Filter by this value", False)]
    assert filter_actions(0, "queue_id") == [("Filter by this value", False)]  # absent
    assert view.selectionModel().isSelected(model.index(0, KEYS.index("queue_id")))


def test_painting_and_signals_keep_the_reference_counts_of_none_and_true(
    qtbot: QtBot,
    view: CdrTableView,
    model: CdrTableModel,
    hostile: hs.HostileServer,
    hostile_connection: Connection,
) -> None:
    """Guards the pinned binding: one that drops references would abort the app at exit."""
    model.set_connection(hostile_connection)
    with qtbot.waitSignal(model.pageArrived):
        model.set_query(CdrQuery())
    qtbot.waitUntil(lambda: not model.is_loading and model.loader.in_flight() == 0)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for width in range(900, 960, 2):
        view.resize(width, 600)
        view.viewport().repaint()
        model.countsChanged.emit(model.loaded_count, model.total)
    assert sys.getrefcount(None) - none_before > -500
    assert sys.getrefcount(True) - true_before > -20


class _FullRepaints(QObject):
    """Counts paint events of the viewport that cover its whole height."""

    def __init__(self, viewport: QWidget) -> None:
        super().__init__(viewport)
        self.viewport = viewport
        self.count = 0
        viewport.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(event, QPaintEvent):
            self.count += event.rect().height() >= self.viewport.height()
        return False


def test_rows_appended_below_a_full_view_do_not_repaint_it(
    qtbot: QtBot,
    view: CdrTableView,
    model: CdrTableModel,
    hostile: hs.HostileServer,
    hostile_connection: Connection,
) -> None:
    model.set_connection(hostile_connection)
    model.set_query(CdrQuery())
    qtbot.waitUntil(lambda: model.rowCount() >= 500 and not model.is_loading)
    QApplication.processEvents()  # the first rows' own paints
    repaints = _FullRepaints(view.viewport())
    maximum = view.verticalScrollBar().maximum()
    with qtbot.waitSignal(model.pageArrived):
        model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: view.verticalScrollBar().maximum() > maximum)
    QApplication.processEvents()
    assert repaints.count == 0
    view.scrollToBottom()  # what is on screen changes: painted as usual
    qtbot.waitUntil(lambda: repaints.count > 0)
