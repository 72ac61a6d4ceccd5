"""Presets when the window starts: the default, ``--preset``, and a damaged or newer file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from cdrdesk.api.query import CdrQuery
from cdrdesk.api.timeranges import FilterState
from cdrdesk.connections.profiles import Connection
from cdrdesk.presets import Preset, PresetNotFound, PresetStore
from cdrdesk.ui.app import create_app, parse_gui_args
from cdrdesk.ui.main_window import MainWindow
from tests.presets_ui.conftest import (
    WindowFactory,
    presets_stores,
    wait_loaded,
    when_dialog_opens,
)

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

SMS = Preset("SMS only", FilterState(CdrQuery({"type": ("sms",)})))
HLR = Preset("HLR", FilterState(CdrQuery({"type": ("hlr_lookup",)})))


def loaded_types(window: MainWindow) -> set[object]:
    return {window.model.record(row)["type"] for row in range(window.model.loaded_count)}


def shown_notice(qtbot: QtBot, window: MainWindow) -> QMessageBox:
    qtbot.waitUntil(
        lambda: window.presets.last_notice is not None and window.presets.last_notice.isVisible()
    )
    notice = window.presets.last_notice
    assert notice is not None
    return notice


def test_the_default_preset_is_applied_at_start(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path, qtbot: QtBot
) -> None:
    stores = presets_stores(tmp_path)
    assert stores.presets is not None
    stores.presets.save(SMS)
    stores.presets.save(HLR)
    stores.presets.default = "SMS only"

    window = open_window([], stores, demo_connection)
    assert window.sidebar.state() == SMS.state
    assert window.presets.current == "SMS only"
    wait_loaded(qtbot, window)
    assert loaded_types(window) == {"sms"}

    # A link wins over the default.
    linked = open_window(["cdrdesk://filters?type=call"], presets_stores(tmp_path), demo_connection)
    assert linked.sidebar.state().query.get("type") == ("call",)
    assert linked.presets.current is None


def test_preset_option_opens_the_window_with_that_preset(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path, qtbot: QtBot
) -> None:
    stores = presets_stores(tmp_path)
    assert stores.presets is not None
    stores.presets.save(SMS)
    stores.presets.save(HLR)
    stores.presets.default = "SMS only"

    window = open_window(["--preset", "HLR"], stores, demo_connection)
    assert window.presets.current == "HLR"
    wait_loaded(qtbot, window)
    assert loaded_types(window) == {"hlr_lookup"}


def test_an_unknown_preset_fails_clearly(tmp_path: Path, qtbot: QtBot) -> None:
    stores = presets_stores(tmp_path)
    assert stores.presets is not None
    stores.presets.save(SMS)
    stores.presets.save(HLR)
    with pytest.raises(PresetNotFound) as raised:
        create_app(parse_gui_args(["--preset", "Weekly"]), stores=stores)
    message = str(raised.value)
    assert "no preset named 'Weekly'" in message
    assert "'SMS only', 'HLR'" in message


def test_a_link_and_a_preset_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_gui_args(["--preset", "HLR", "cdrdesk://filters?type=sms"])
    assert exited.value.code == 2
    assert "either a link or --preset" in capsys.readouterr().err


def test_a_corrupt_presets_file_is_reported_and_the_window_works(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path, qtbot: QtBot
) -> None:
    path = tmp_path / "presets.json"
    path.write_text('{"format": "cdrdesk-presets", "version": 1, "presets": [', encoding="utf-8")
    window = open_window([], presets_stores(tmp_path), demo_connection)

    notice = shown_notice(qtbot, window)
    assert "unusable" in notice.informativeText()
    assert "unusable" in window.statusBar().currentMessage()
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("presets.json.")]
    assert len(kept) == 1
    assert kept[0].read_text(encoding="utf-8").endswith("[")
    wait_loaded(qtbot, window)

    window.sidebar.set_state(SMS.state)
    assert window.presets.save_as("After repair")
    assert PresetStore(path).names() == ["After repair"]


def test_a_file_of_a_newer_version_is_never_overwritten(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path, qtbot: QtBot
) -> None:
    path = tmp_path / "presets.json"
    document = {
        "format": "cdrdesk-presets",
        "version": 2,
        "default": None,
        "presets": [{"name": "Future", "filters": [["type", "sms"]], "relative": {}}],
        "sharing": {"team": "ops"},
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    before = path.read_bytes()
    window = open_window([], presets_stores(tmp_path), demo_connection)

    notice = shown_notice(qtbot, window)
    assert "newer version" in notice.informativeText()
    assert notice.findChild(QPushButton, "notice_action") is not None

    window.sidebar.set_state(HLR.state)
    assert not window.presets.save_as("Mine")
    assert not window.presets.delete("Future", ask=False)
    assert not window.presets.set_default("Future")
    assert not window.presets.rename("Future", "Past")
    assert path.read_bytes() == before

    refusal = shown_notice(qtbot, window)
    assert refusal.windowTitle() == "Presets are read-only"
    button = refusal.findChild(QPushButton, "notice_action")
    assert button is not None
    copy = tmp_path / "elsewhere" / "presets-copy.json"
    copy.parent.mkdir()

    def choose_file(_app: QApplication, dialog: object) -> None:
        assert isinstance(dialog, QFileDialog), dialog
        dialog.selectFile(str(copy))
        dialog.accept()

    dialogs = when_dialog_opens(choose_file)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert len(dialogs) == 1
    assert PresetStore(copy).names() == ["Future"]
    assert path.read_bytes() == before


def test_kept_filters_are_told_once_at_start_and_again_when_applied(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path, qtbot: QtBot
) -> None:
    path = tmp_path / "presets.json"
    document = {
        "format": "cdrdesk-presets",
        "version": 1,
        "default": None,
        "presets": [
            {
                "name": "Mixed",
                "filters": [["type", "sms"], ["duration[gte]", "-5"], ["colour", "red"]],
                "relative": {},
            }
        ],
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    before = path.read_bytes()
    window = open_window([], presets_stores(tmp_path), demo_connection)

    notice = shown_notice(qtbot, window)
    assert "Preset 'Mixed': duration:" in notice.informativeText()
    assert "colour" in notice.informativeText()
    notice.close()

    window.presets.apply_preset("Mixed")
    assert window.sidebar.state() == SMS.state
    again = shown_notice(qtbot, window)
    assert again.text() == "Parts of the preset 'Mixed' are not applied."
    assert "colour" in again.informativeText()
    wait_loaded(qtbot, window)
    assert loaded_types(window) == {"sms"}
    assert path.read_bytes() == before


def test_cdrdesk_with_an_unknown_preset_exits_listing_the_names(tmp_path: Path) -> None:
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for variable in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        environment[variable] = str(tmp_path / variable.lower())
    store = PresetStore(tmp_path / "xdg_config_home" / "cdrdesk" / "presets.json")
    store.save(SMS)
    store.save(HLR)

    result = subprocess.run(
        [sys.executable, "-m", "cdrdesk", "--preset", "Weekly"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "no preset named 'Weekly' (saved presets: 'SMS only', 'HLR')" in result.stderr
