"""The real window on the demo server, and helpers that drive its export dialog."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from cdrdesk.export.writers import ExportFormat
from cdrdesk.ui.export_dialog import ExportDialog
from cdrdesk.ui.export_worker import ExportOutcome
from cdrdesk.ui.main_window import MainWindow
from tests.window.conftest import (  # noqa: F401 (fixtures)
    demo_connection,
    open_window,
    stores,
    window,
)

EXPORT_WAIT_MS = 120_000


def open_export_dialog(qtbot: QtBot, main_window: MainWindow, action: QAction) -> ExportDialog:
    action.trigger()
    qtbot.waitUntil(lambda: main_window.exports.dialog is not None, timeout=5000)
    dialog = main_window.exports.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    return dialog


def fill_and_accept(
    qtbot: QtBot, dialog: ExportDialog, export_format: ExportFormat, path: Path
) -> None:
    dialog.set_format(export_format)
    dialog.set_path(path)
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def export_through_dialog(
    qtbot: QtBot,
    main_window: MainWindow,
    action: QAction,
    export_format: ExportFormat,
    path: Path,
) -> ExportOutcome:
    dialog = open_export_dialog(qtbot, main_window, action)
    with qtbot.waitSignal(main_window.exports.exportFinished, timeout=EXPORT_WAIT_MS) as finished:
        fill_and_accept(qtbot, dialog, export_format, path)
    outcome = finished.args[0] if finished.args else None
    assert isinstance(outcome, ExportOutcome)
    return outcome
