"""Export selected rows: the dialog, every format read back, the overwrite question."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from cdrdesk.api.records import COLUMNS_BY_KEY, ColumnKind
from cdrdesk.export.writers import ExportFormat
from cdrdesk.export.zones import parse_zone
from cdrdesk.ui.export_controller import selected_rows
from cdrdesk.ui.export_worker import ExportStatus
from cdrdesk.ui.main_window import MainWindow
from tests.export_ui.conftest import export_through_dialog, fill_and_accept, open_export_dialog

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen dialogs
CHOSEN_ROWS = [*range(3, 13), 20, 41]


def select_rows(window: MainWindow, rows: list[int]) -> None:
    model, selection = window.model, window.table.selectionModel()
    selection.clearSelection()
    last = model.columnCount() - 1
    for row in rows:
        selection.select(
            QItemSelection(model.index(row, 0), model.index(row, last)),
            QItemSelectionModel.SelectionFlag.Select,
        )


def arrange_columns(window: MainWindow) -> list[str]:
    """Move "Duration" to the front and hide "Subtype"; returns the visible keys on screen."""
    header = window.table.horizontalHeader()
    model = window.model
    header.moveSection(header.visualIndex(model.column_of("duration")), 0)
    header.setSectionHidden(model.column_of("subtype"), True)
    keys = []
    for visual in range(header.count()):
        logical = header.logicalIndex(visual)
        if not header.isSectionHidden(logical):
            keys.append(model.column_key(logical))
    return keys


def expected_header(keys: list[str], zone_label: str) -> list[str]:
    header = []
    for key in keys:
        header.append(key)
        if COLUMNS_BY_KEY[key].kind is ColumnKind.TIME:
            header.append(f"{key} ({zone_label})")
    return header


def flat(record: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in record.items() if k != "data"}, **record.get("data", {})}


def csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


@pytest.mark.parametrize("export_format", list(ExportFormat))
def test_selected_rows_read_back(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, export_format: ExportFormat
) -> None:
    keys = arrange_columns(window)
    assert keys[0] == "duration"
    assert "subtype" not in keys
    select_rows(window, CHOSEN_ROWS)
    assert selected_rows(window.table) == CHOSEN_ROWS
    records = [window.model.record(row) for row in CHOSEN_ROWS]
    path = tmp_path / f"chosen.{export_format.value}"

    outcome = export_through_dialog(
        qtbot, window, window.exports.export_selected_action, export_format, path
    )

    assert outcome.status is ExportStatus.DONE, outcome
    assert outcome.rows_written == len(CHOSEN_ROWS)
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temp or partial file
    zone_label = parse_zone(window.sidebar.display_zone_name())[1]
    if export_format is ExportFormat.JSON:
        assert json.loads(path.read_text("utf-8")) == records
    elif export_format is ExportFormat.NDJSON:
        lines = path.read_text("utf-8").splitlines()
        assert [json.loads(line) for line in lines] == records
    elif export_format is ExportFormat.CSV:
        with path.open(newline="", encoding="utf-8") as stream:
            rows = list(csv.reader(stream))
        header = expected_header(keys, zone_label)
        assert rows[0] == header
        assert len(rows) == 1 + len(records)
        for row, record in zip(rows[1:], records, strict=True):
            cells = dict(zip(header, row, strict=True))
            values = flat(record)
            for key in keys:
                assert cells[key] == csv_text(values.get(key)), (key, record["id"])
    else:
        sheet = openpyxl.load_workbook(path, read_only=True).active
        assert sheet is not None
        table = [list(row) for row in sheet.iter_rows(values_only=True)]
        header = expected_header(keys, zone_label)
        assert table[0] == header
        assert len(table) == 1 + len(records)
        ids = header.index("started_at")
        durations = header.index("duration")
        for row, record in zip(table[1:], records, strict=True):
            assert row[ids] == record["started_at"]
            assert row[durations] == record["data"].get("duration")


def test_all_fields_and_bom(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    select_rows(window, [0, 1, 2])
    dialog = open_export_dialog(qtbot, window, window.exports.export_selected_action)
    dialog.all_button.setChecked(True)
    dialog.bom_box.setChecked(True)
    dialog.zone_box.setChecked(False)
    path = tmp_path / "all-fields.csv"
    with qtbot.waitSignal(window.exports.exportFinished, timeout=30_000):
        fill_and_accept(qtbot, dialog, ExportFormat.CSV, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert header[:3] == ["id", "started_at", "ended_at"]
    assert not any("(" in name for name in header)  # no zoned columns


def test_context_menu_offers_export(window: MainWindow) -> None:
    menu = window.exports.cell_menu(window.model.index(0, 0))
    assert window.exports.export_selected_action in menu.actions()
    assert window.exports.export_selected_action.shortcut().toString() == "Ctrl+E"


def test_existing_file_is_not_replaced_without_yes(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "precious.csv"
    path.write_text("keep me\n", encoding="utf-8")
    asked: list[str] = []

    def answer(answer: QMessageBox.StandardButton) -> Any:
        def question(_parent: object, _title: str, text: str, *_args: object) -> Any:
            asked.append(text)
            return answer

        return question

    select_rows(window, [0, 1])
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    dialog = open_export_dialog(qtbot, window, window.exports.export_selected_action)
    fill_and_accept(qtbot, dialog, ExportFormat.CSV, path)
    assert len(asked) == 1
    assert "precious.csv" in asked[0]
    assert dialog.isVisible()
    assert dialog.error.isVisible()
    assert window.exports.worker is None
    assert path.read_text("utf-8") == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious.csv"]

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    with qtbot.waitSignal(window.exports.exportFinished, timeout=30_000):
        fill_and_accept(qtbot, dialog, ExportFormat.CSV, path)
    assert len(asked) == 2
    rows = list(csv.reader(path.read_text("utf-8").splitlines()))
    assert len(rows) == 3
    assert rows[1][0] != "keep me"


def test_nothing_selected_says_so(qtbot: QtBot, window: MainWindow) -> None:
    window.table.selectionModel().clearSelection()
    window.exports.export_selected_action.trigger()
    assert window.exports.dialog is None
    assert "Select the rows" in window.statusBar().currentMessage()


def test_many_selected_rows_go_through_in_slices(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    with qtbot.waitSignal(window.model.loadAllFinished, timeout=120_000):
        window.model.load_all()
    loaded = window.model.loaded_count
    assert loaded == 30_000
    window.table.selectAll()
    path = tmp_path / "everything.ndjson"
    outcome = export_through_dialog(
        qtbot, window, window.exports.export_selected_action, ExportFormat.NDJSON, path
    )
    assert outcome.status is ExportStatus.DONE, outcome
    with path.open("rb") as stream:
        ids = [json.loads(line)["id"] for line in stream]
    assert ids == [window.model.record(row)["id"] for row in range(loaded)]


def test_reloading_the_table_stops_a_selected_export(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    with qtbot.waitSignal(window.model.loadAllFinished, timeout=120_000):
        window.model.load_all()
    window.table.selectAll()
    path = tmp_path / "reloaded.ndjson"
    dialog = open_export_dialog(qtbot, window, window.exports.export_selected_action)
    with qtbot.waitSignal(window.exports.exportStarted, timeout=10_000):
        fill_and_accept(qtbot, dialog, ExportFormat.NDJSON, path)
    with qtbot.waitSignal(window.exports.exportFinished, timeout=60_000) as finished:
        window.model.reload()
    outcome = finished.args[0]
    assert outcome.status is ExportStatus.FAILED
    assert "reloaded" in (outcome.error or "")
    assert not path.exists()
    notice = window.exports.last_notice
    assert notice is not None
    notice.close()
