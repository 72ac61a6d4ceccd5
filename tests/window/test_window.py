"""The window's detail pane, keys, title and settings, against the demo server."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QListWidget, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from cdrdesk.connections.profiles import Connection
from cdrdesk.demo.runner import DemoServerThread
from cdrdesk.ui.app import Stores
from cdrdesk.ui.main_window import MainWindow
from cdrdesk.ui.settings import ZONE_UTC
from tests.window.conftest import WAIT_MS, WindowFactory, api_page, make_stores

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def select_row(qtbot: QtBot, window: MainWindow, row: int) -> None:
    table = window.table
    column = window.model.column_of("type")
    rect = table.visualRect(window.model.index(row, column))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_detail_pane_shows_the_current_record_and_copies_it_as_received(
    window: MainWindow, qtbot: QtBot, demo_server: DemoServerThread
) -> None:
    select_row(qtbot, window, 2)
    received = api_page(demo_server, [("limit", "3")])["items"][2]

    assert window.detail.record == received
    title = window.detail.findChild(QLabel, "detail_title")
    assert title is not None
    assert title.text() == f"{received['type']} · {received['subtype']}"
    assert window.detail.value_text("type") == received["type"]
    copy = window.detail.findChild(QPushButton, "copy_json")
    assert copy is not None
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(copy, Qt.MouseButton.LeftButton)
    assert json.loads(QGuiApplication.clipboard().text()) == received


def test_space_in_the_table_toggles_the_detail(window: MainWindow, qtbot: QtBot) -> None:
    select_row(qtbot, window, 0)
    window.table.setFocus()
    assert window.detail_dock.isVisible()
    qtbot.keyClick(window.table, Qt.Key.Key_Space)
    assert not window.detail_dock.isVisible()
    qtbot.keyClick(window.table, Qt.Key.Key_Space)
    assert window.detail_dock.isVisible()


def test_ctrl_c_copies_the_selected_cells_as_tsv(window: MainWindow, qtbot: QtBot) -> None:
    model = window.model
    top_left = model.index(0, model.column_of("type"))
    bottom_right = model.index(2, model.column_of("subtype"))
    window.table.selectionModel().select(
        QItemSelection(top_left, bottom_right), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    window.table.setFocus()
    QGuiApplication.clipboard().clear()

    qtbot.keyClick(window.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)

    expected = "\n".join(
        f"{model.record(row)['type']}\t{model.record(row)['subtype']}" for row in range(3)
    )
    assert QGuiApplication.clipboard().text() == expected


def test_filter_by_this_value_adds_the_cell_to_the_sidebar(
    window: MainWindow, qtbot: QtBot
) -> None:
    value = str(window.model.record(0)["subtype"])
    window.table.filterByValueRequested.emit("subtype", value)
    window.filter_by_value("user_id", "usr_0042")

    state = window.sidebar.state()
    assert state.query.get("subtype") == (value,)
    assert state.query.get("user_id") == ("usr_0042",)
    values = window.sidebar.findChild(QListWidget, "filter_subtype_list")
    assert values is not None


def test_the_title_names_the_profile_never_the_token(
    window: MainWindow, stores: Stores, demo_connection: Connection
) -> None:
    assert window.windowTitle() == "cdrdesk — Loopback demo"
    texts = [label.text() for label in window.findChildren(QLabel)]
    assert all(demo_connection.token not in text for text in [window.windowTitle(), *texts])
    window.shutdown()
    assert demo_connection.token not in stores.settings.path.read_text(encoding="latin-1")


def test_settings_survive_a_restart(
    open_window: WindowFactory,
    demo_connection: Connection,
    tmp_path: Path,
    qtbot: QtBot,
) -> None:
    first = open_window([], make_stores(tmp_path), demo_connection)
    first.set_display_zone(ZONE_UTC)
    assert first.model.display_zone == UTC
    first.detail_dock.hide()
    first.table.setColumnHidden(first.model.column_of("score"), True)
    first.resize(701, 523)
    first.close()

    second = open_window([], make_stores(tmp_path), demo_connection)
    assert second.sidebar.display_zone_name() == ZONE_UTC
    assert second.zone_actions[ZONE_UTC].isChecked()
    assert not second.detail_dock.isVisible()
    assert second.table.isColumnHidden(second.model.column_of("score"))
    assert (second.width(), second.height()) == (701, 523)


def test_a_corrupt_settings_file_does_not_stop_the_window(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path, qtbot: QtBot
) -> None:
    (tmp_path / "window.ini").write_bytes(b"\x00\xff\xfe\x89garbage")
    window = open_window([], make_stores(tmp_path), demo_connection)

    qtbot.waitUntil(lambda: window.model.loaded_count > 0, timeout=WAIT_MS)
    assert window.detail_dock.isVisible()
    assert any(path.name.startswith("window.ini.corrupt-") for path in tmp_path.iterdir())
    window.shutdown()
    assert b"\x00\xff\xfe" not in (tmp_path / "window.ini").read_bytes()


def test_keys_of_the_table_reach_the_filters_and_the_loader(
    window: MainWindow, qtbot: QtBot
) -> None:
    table = window.table
    table.setFocus()
    generation = window.model.generation

    qtbot.keyClick(table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert window.model.generation == generation + 1  # reloaded

    qtbot.keyClick(table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.model.generation == generation + 2  # applied

    qtbot.keyClick(table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    focused = QGuiApplication.focusObject()
    assert isinstance(focused, QWidget)
    assert window.sidebar.isAncestorOf(focused)

    # Inside the sidebar Ctrl+Return is the sidebar's own: it applies once, without ambiguity.
    qtbot.keyClick(focused, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.model.generation == generation + 3
