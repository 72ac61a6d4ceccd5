"""Import and export of preset files from the window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton
from pytestqt.qtbot import QtBot

from cdrdesk.api.query import CdrQuery, RangeValue
from cdrdesk.api.timeranges import FilterState, RelativeRange
from cdrdesk.connections.profiles import Connection
from cdrdesk.presets import Preset, PresetStore
from tests.presets_ui.conftest import WindowFactory, presets_stores, when_dialog_opens

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

LONG_CALLS = Preset(
    "Long calls",
    FilterState(
        CdrQuery({"type": ("call",), "duration": RangeValue(gte=600)}),
        {"started_at": RelativeRange.LAST_7_DAYS},
    ),
)
SMS = Preset("SMS", FilterState(CdrQuery({"type": ("sms",)})))


def test_export_then_import_into_another_window(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path, qtbot: QtBot
) -> None:
    first_folder, second_folder = tmp_path / "first", tmp_path / "second"
    first_folder.mkdir()
    second_folder.mkdir()
    first_stores = presets_stores(first_folder)
    assert first_stores.presets is not None
    first_stores.presets.save(LONG_CALLS)
    first_stores.presets.save(SMS)
    first = open_window([], first_stores, demo_connection)
    exported = tmp_path / "shared presets.json"
    assert first.presets.export_presets(exported)
    assert "2 presets exported" in first.statusBar().currentMessage()

    second_stores = presets_stores(second_folder)
    assert second_stores.presets is not None
    second_stores.presets.save(Preset("Long calls", FilterState(CdrQuery({"type": ("sms",)}))))
    second_stores.presets.save(SMS)
    second = open_window([], second_stores, demo_connection)

    report = second.presets.import_presets(exported)
    assert report is not None
    assert report.renamed == {"Long calls": "Long calls (2)"}
    assert report.unchanged == ["SMS"]
    notice = second.presets.last_notice
    assert notice is not None
    assert notice.text() == report.summary()
    assert "'Long calls' was imported as 'Long calls (2)'" in notice.text()
    on_disk = PresetStore(second_folder / "presets.json")
    assert on_disk.names() == ["Long calls", "SMS", "Long calls (2)"]
    imported = on_disk.get("Long calls (2)")
    assert imported is not None
    assert imported.state == LONG_CALLS.state

    second.presets.apply_preset("Long calls (2)")
    assert second.sidebar.state() == LONG_CALLS.state


def test_a_file_that_is_not_presets_is_refused(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path, qtbot: QtBot
) -> None:
    stores = presets_stores(tmp_path)
    assert stores.presets is not None
    stores.presets.save(SMS)
    window = open_window([], stores, demo_connection)
    bad = tmp_path / "notes.json"
    bad.write_text('{"hello": "world"}', encoding="utf-8")
    before = (tmp_path / "presets.json").read_bytes()

    assert window.presets.import_presets(bad) is None
    notice = window.presets.last_notice
    assert notice is not None
    assert "Cannot import notes.json" in notice.text()
    assert "not a presets document" in notice.text()
    assert (tmp_path / "presets.json").read_bytes() == before


def test_the_menu_entries_use_file_dialogs(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path, qtbot: QtBot
) -> None:
    stores = presets_stores(tmp_path)
    assert stores.presets is not None
    stores.presets.save(SMS)
    window = open_window([], stores, demo_connection)
    target = tmp_path / "chosen.json"

    def choose_file(_app: QApplication, dialog: object) -> None:
        assert isinstance(dialog, QFileDialog), dialog
        dialog.selectFile(str(target))
        dialog.accept()

    dialogs = when_dialog_opens(choose_file)
    window.presets.export_action.trigger()
    assert len(dialogs) == 1
    assert PresetStore(target).names() == ["SMS"]

    window.presets.delete("SMS", ask=False)
    when_dialog_opens(choose_file)
    window.presets.import_action.trigger()
    assert PresetStore(tmp_path / "presets.json").names() == ["SMS"]
    assert window.presets.last_notice is not None
    assert window.presets.last_notice.text() == "1 preset imported."
    assert window.presets.last_notice.findChild(QPushButton, "notice_action") is None
