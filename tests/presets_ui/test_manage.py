"""Saving, applying and managing presets through the window's own actions and dialogs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QMenu, QToolButton
from pytestqt.qtbot import QtBot

from cdrdesk.api.query import CdrQuery, RangeValue
from cdrdesk.api.timeranges import FilterState, RelativeRange
from cdrdesk.connections.profiles import Connection
from cdrdesk.presets import Preset, PresetStore
from cdrdesk.ui.main_window import MainWindow
from tests.presets_ui.conftest import (
    WindowFactory,
    answer_question,
    presets_stores,
    type_name,
    wait_loaded,
)
from tests.window.conftest import WAIT_MS, check_enum_value

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def stored(path: Path) -> dict[str, dict[str, object]]:
    """The presets file's presets by name, as written on disk."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return {entry["name"]: entry for entry in document["presets"]}


def menu_action(menu: QMenu, preset: str, object_name: str) -> QAction:
    """The action ``object_name`` of ``preset``'s submenu in the Presets menu."""
    for action in menu.actions():
        submenu = action.menu()
        if isinstance(submenu, QMenu) and action.data() == preset:
            for entry in submenu.actions():
                if entry.objectName() == object_name:
                    return entry
    raise AssertionError(f"the Presets menu has no {object_name} for {preset!r}")


def preset_titles(window: MainWindow) -> list[str]:
    return [
        action.text()
        for action in window.presets.menu.actions()
        if isinstance(action.menu(), QMenu)
    ]


def combo(window: MainWindow) -> QComboBox:
    choice = window.sidebar.findChild(QComboBox, "preset_choice")
    assert choice is not None
    return choice


def test_save_apply_rename_duplicate_overwrite_and_delete(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path, qtbot: QtBot
) -> None:
    stores = presets_stores(tmp_path)
    window = open_window([], stores, demo_connection)
    wait_loaded(qtbot, window)
    path = tmp_path / "presets.json"
    check_enum_value(window, "type", "sms")

    # Ctrl+S asks for a name and saves the sidebar's filters.
    window.table.setFocus()
    dialogs = type_name(qtbot, "Only SMS")
    qtbot.keyClick(window.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert len(dialogs) == 1
    assert stored(path)["Only SMS"]["filters"] == [["type", "sms"]]
    assert window.presets.current == "Only SMS"
    assert combo(window).currentText() == "Only SMS"
    qtbot.waitUntil(lambda: preset_titles(window) == ["Only SMS"])

    # The sidebar's Save button, then a name that is taken: Cancel keeps the old filters.
    check_enum_value(window, "type", "call")
    save = window.sidebar.findChild(QToolButton, "save_preset")
    assert save is not None
    type_name(qtbot, "Only SMS")
    question = answer_question(qtbot, yes=False)
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert len(question) == 1
    assert stored(path)["Only SMS"]["filters"] == [["type", "sms"]]
    assert window.presets.modified

    # Overwrite from the Presets menu, confirmed.
    answer_question(qtbot, yes=True)
    menu_action(window.presets.menu, "Only SMS", "preset_overwrite").trigger()
    assert stored(path)["Only SMS"]["filters"] == [["type", "sms"], ["type", "call"]]
    assert not window.presets.modified

    # Rename and duplicate.
    qtbot.waitUntil(lambda: preset_titles(window) == ["Only SMS"])
    type_name(qtbot, "Calls and SMS")
    menu_action(window.presets.menu, "Only SMS", "preset_rename").trigger()
    assert list(stored(path)) == ["Calls and SMS"]
    assert window.presets.current == "Calls and SMS"
    qtbot.waitUntil(lambda: preset_titles(window) == ["Calls and SMS"])
    menu_action(window.presets.menu, "Calls and SMS", "preset_duplicate").trigger()
    assert list(stored(path)) == ["Calls and SMS", "Calls and SMS (2)"]
    qtbot.waitUntil(lambda: preset_titles(window) == ["Calls and SMS", "Calls and SMS (2)"])

    # Apply another preset from the sidebar's list: its records are loaded.
    window.sidebar.set_state(FilterState(CdrQuery({"event_tag": ("hold",)})))
    assert window.presets.save_as("Hold")
    window.sidebar.reset()
    choice = combo(window)
    generation = window.model.generation
    choice.activated.emit(choice.findData("Hold"))
    assert window.sidebar.state().query.get("event_tag") == ("hold",)
    assert window.model.generation > generation
    wait_loaded(qtbot, window)
    assert all(
        "hold" in window.model.record(row)["data"]["event_tags"]
        for row in range(window.model.loaded_count)
    )

    # Delete asks first; Cancel keeps it.
    qtbot.waitUntil(lambda: "Hold" in preset_titles(window))
    answer_question(qtbot, yes=False)
    menu_action(window.presets.menu, "Hold", "preset_delete").trigger()
    assert "Hold" in stored(path)
    answer_question(qtbot, yes=True)
    menu_action(window.presets.menu, "Hold", "preset_delete").trigger()
    assert "Hold" not in stored(path)
    assert window.presets.current is None
    assert choice.currentIndex() == -1
    assert PresetStore(path).names() == ["Calls and SMS", "Calls and SMS (2)"]


def test_the_modified_marker_follows_the_filters(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path, qtbot: QtBot
) -> None:
    stores = presets_stores(tmp_path)
    assert stores.presets is not None
    stores.presets.save(
        Preset(
            "Abandoned yesterday",
            FilterState(
                CdrQuery({"disposition": ("abandoned",)}),
                {"started_at": RelativeRange.YESTERDAY},
            ),
        )
    )
    window = open_window([], stores, demo_connection)
    window.presets.apply_preset("Abandoned yesterday")
    choice = combo(window)
    assert choice.currentText() == "Abandoned yesterday"
    assert not choice.font().italic()

    check_enum_value(window, "disposition", "busy")
    assert window.presets.modified
    assert choice.currentText() == "Abandoned yesterday •"
    assert choice.font().italic()
    assert "differ" in choice.toolTip()
    qtbot.waitUntil(lambda: preset_titles(window) == ["Abandoned yesterday •"])

    check_enum_value(window, "disposition", "busy", checked=False)
    assert not window.presets.modified
    assert choice.currentText() == "Abandoned yesterday"
    assert not choice.font().italic()

    window.sidebar.reset()
    assert choice.currentText() == "Abandoned yesterday •"
    window.presets.overwrite("Abandoned yesterday", ask=False)
    assert choice.currentText() == "Abandoned yesterday"
    assert stores.presets.get("Abandoned yesterday") == Preset("Abandoned yesterday")


def test_a_relative_range_stays_relative(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path, qtbot: QtBot
) -> None:
    stores = presets_stores(tmp_path)
    window = open_window([], stores, demo_connection)
    wait_loaded(qtbot, window)
    window.sidebar.set_state(FilterState(relative={"started_at": RelativeRange.LAST_HOUR}))
    assert window.presets.save_as("Last hour")

    entry = stored(tmp_path / "presets.json")["Last hour"]
    assert entry["relative"] == {"started_at": "last_hour"}
    assert entry["filters"] == []

    window.sidebar.reset()
    window.presets.apply_preset("Last hour")
    first = window.model.requested_query
    assert first is not None
    first_range = first.get("started_at")
    assert isinstance(first_range, RangeValue)
    first_end = first_range.lt
    assert isinstance(first_end, datetime)
    qtbot.waitUntil(lambda: datetime.now(UTC) > first_end, timeout=WAIT_MS)

    window.presets.apply_preset("Last hour")
    second = window.model.requested_query
    assert second is not None
    second_range = second.get("started_at")
    assert isinstance(second_range, RangeValue)
    second_start, second_end = second_range.gte, second_range.lt
    assert isinstance(second_start, datetime)
    assert isinstance(second_end, datetime)
    assert second_end > first_end
    assert second_end - second_start == timedelta(hours=1)
    assert window.sidebar.state() == FilterState(relative={"started_at": RelativeRange.LAST_HOUR})
    assert not window.presets.modified


def test_set_and_clear_the_default(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path, qtbot: QtBot
) -> None:
    stores = presets_stores(tmp_path)
    assert stores.presets is not None
    stores.presets.save(Preset("SMS", FilterState(CdrQuery({"type": ("sms",)}))))
    window = open_window([], stores, demo_connection)
    menu_action(window.presets.menu, "SMS", "preset_set_default").trigger()
    assert PresetStore(tmp_path / "presets.json").default == "SMS"
    qtbot.waitUntil(lambda: preset_titles(window) == ["SMS (default)"])
    menu_action(window.presets.menu, "SMS", "preset_clear_default").trigger()
    assert PresetStore(tmp_path / "presets.json").default is None


def test_the_sidebar_menu_acts_on_the_current_preset(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path, qtbot: QtBot
) -> None:
    stores = presets_stores(tmp_path)
    assert stores.presets is not None
    stores.presets.save(Preset("SMS", FilterState(CdrQuery({"type": ("sms",)}))))
    window = open_window([], stores, demo_connection)
    bar_menu = window.sidebar.findChild(QMenu, "preset_bar_menu")
    assert bar_menu is not None
    bar_menu.aboutToShow.emit()
    names = [action.objectName() for action in bar_menu.actions()]
    assert "preset_delete" not in names  # no preset applied yet
    assert {"action_save_preset", "action_copy_link", "action_copy_curl"} <= set(names)

    window.presets.apply_preset("SMS")
    bar_menu.aboutToShow.emit()
    duplicate = next(a for a in bar_menu.actions() if a.objectName() == "preset_duplicate")
    duplicate.trigger()
    assert stores.presets.names() == ["SMS", "SMS (2)"]


def test_names_that_are_empty_or_taken_are_refused_clearly(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path, qtbot: QtBot
) -> None:
    stores = presets_stores(tmp_path)
    assert stores.presets is not None
    stores.presets.save(Preset("SMS", FilterState(CdrQuery({"type": ("sms",)}))))
    stores.presets.save(Preset("Calls", FilterState(CdrQuery({"type": ("call",)}))))
    before = (tmp_path / "presets.json").read_bytes()
    window = open_window([], stores, demo_connection)

    assert not window.presets.save_as("   ")
    assert window.statusBar().currentMessage() == "A preset needs a name"
    assert not window.presets.rename("SMS", " ")
    assert window.presets.duplicate("SMS", "") is None
    assert not window.presets.rename("SMS", "Calls")
    notice = window.presets.last_notice
    assert notice is not None
    assert notice.text() == "A preset named 'Calls' already exists."
    assert (tmp_path / "presets.json").read_bytes() == before
