"""The export dialog on its own: options by format, file name checks, the file chooser."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from cdrdesk.export.writers import ExportFormat
from cdrdesk.ui.export_dialog import ExportDialog

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen dialogs


def make_dialog(qtbot: QtBot, folder: Path) -> ExportDialog:
    dialog = ExportDialog(
        None,
        title="Export",
        summary="3 rows",
        visible_columns=["started_at", "duration"],
        zone=UTC,
        zone_name="UTC",
        directory=folder,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_options_follow_the_format(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot, tmp_path)
    assert dialog.path_edit.text().endswith(".csv")
    column_format = dialog.column_format()
    assert column_format.columns == ("started_at", "duration")
    assert column_format.zone is UTC
    dialog.set_format(ExportFormat.NDJSON)
    assert dialog.path_edit.text().endswith(".ndjson")
    assert not dialog.visible_button.isEnabled()
    assert not dialog.bom_box.isEnabled()
    assert dialog.column_format().columns is None  # records as received
    dialog.set_format(ExportFormat.XLSX)
    assert dialog.visible_button.isEnabled()
    assert not dialog.bom_box.isEnabled()


def test_bad_file_names_are_explained(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot, tmp_path)
    for text, expected in (
        ("", "choose a file"),
        ("relative.csv", "full path"),
        (str(tmp_path), "is a folder"),
        (str(tmp_path / "missing" / "x.csv"), "does not exist"),
    ):
        dialog.set_path(text)
        dialog.accept()
        assert dialog.isVisible(), text
        assert expected in dialog.error.text(), (text, dialog.error.text())
    dialog.set_format(ExportFormat.XLSX)
    dialog.set_path(tmp_path / "book.txt")
    dialog.accept()
    assert ".xlsx" in dialog.error.text()
    assert dialog.choice() is None


def test_file_chooser_adds_the_suffix_and_leaves_the_question_to_the_dialog(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def chooser(*args: Any, **kwargs: Any) -> tuple[str, str]:
        seen.update(kwargs)
        return str(tmp_path / "chosen"), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", chooser)
    dialog = make_dialog(qtbot, tmp_path)
    dialog.set_format(ExportFormat.JSON)
    dialog.browse_button.click()
    assert dialog.path_edit.text() == str(tmp_path / "chosen.json")
    assert seen["options"] & QFileDialog.Option.DontConfirmOverwrite
    dialog.accept()
    choice = dialog.choice()
    assert choice is not None
    assert choice.path == tmp_path / "chosen.json"
    assert choice.export_format is ExportFormat.JSON
    assert not choice.overwrite
