"""The export dialog: format, columns, time zone, BOM and the file to write.

JSON and NDJSON keep every record exactly as received, so the column and
zone choices apply to CSV and XLSX only (as in ``cdrdesk export``). In
those, times stay in UTC as received and, when asked, each time gets a
neighbour column in the display zone; durations are whole seconds and
event tags are joined with ``;``.

An existing file is never replaced without the user saying so: the
dialog asks itself (the file chooser is told not to, so the question comes
once), since the path can also be typed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from cdrdesk.export.columns import LIST_SEPARATOR, ColumnFormat
from cdrdesk.export.writers import ExportFormat

FORMAT_LABELS = {
    ExportFormat.CSV: "CSV (spreadsheets)",
    ExportFormat.XLSX: "Excel workbook (XLSX)",
    ExportFormat.JSON: "JSON (one array)",
    ExportFormat.NDJSON: "NDJSON (one record per line)",
}
_FILTERS = {
    ExportFormat.CSV: "CSV files (*.csv)",
    ExportFormat.XLSX: "Excel workbooks (*.xlsx)",
    ExportFormat.JSON: "JSON files (*.json)",
    ExportFormat.NDJSON: "NDJSON files (*.ndjson *.jsonl)",
}


@dataclass(frozen=True, slots=True)
class ExportChoice:
    """What the user chose; ``overwrite`` is True only when they agreed to replace the file."""

    export_format: ExportFormat
    path: Path
    column_format: ColumnFormat
    overwrite: bool


def default_directory() -> Path:
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    directory = Path(found) if found else Path.home()
    return directory if directory.is_dir() else Path.home()


def default_file_name(export_format: ExportFormat, now: datetime | None = None) -> str:
    moment = now or datetime.now()
    return f"cdrs-{moment:%Y%m%d-%H%M%S}.{export_format.value}"


def confirm_overwrite(parent: QWidget, path: Path) -> bool:
    answer = QMessageBox.question(
        parent,
        "Replace file?",
        f"{path.name} already exists in {path.parent}.\nReplace it?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


class ExportDialog(QDialog):
    """Asks how and where to export; :meth:`choice` is set once it is accepted.

    ``visible_columns`` are the table's visible column keys in view order;
    ``zone``/``zone_name`` the display zone for the extra time columns.
    """

    def __init__(
        self,
        parent: QWidget | None,
        *,
        title: str,
        summary: str,
        visible_columns: Sequence[str],
        zone: tzinfo,
        zone_name: str,
        directory: Path | None = None,
        export_format: ExportFormat = ExportFormat.CSV,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("export_dialog")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self._visible_columns = tuple(visible_columns)
        self._zone = zone
        self._zone_name = zone_name
        self._choice: ExportChoice | None = None

        self.summary = QLabel(summary, self)
        self.summary.setObjectName("export_summary")
        self.summary.setWordWrap(True)

        self.format_box = QComboBox(self)
        self.format_box.setObjectName("export_format")
        self.format_box.setAccessibleName("Format")
        for fmt in (ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.JSON, ExportFormat.NDJSON):
            self.format_box.addItem(FORMAT_LABELS[fmt], fmt)

        self.visible_button = QRadioButton(
            f"Visible columns in view order ({len(self._visible_columns)})", self
        )
        self.visible_button.setObjectName("export_columns_visible")
        self.all_button = QRadioButton("All fields, unknown ones included", self)
        self.all_button.setObjectName("export_columns_all")
        self._columns_group = QButtonGroup(self)
        self._columns_group.addButton(self.visible_button)
        self._columns_group.addButton(self.all_button)
        self.visible_button.setChecked(True)

        self.zone_box = QCheckBox(f"Add a column in {zone_name} beside each UTC time", self)
        self.zone_box.setObjectName("export_zone_columns")
        self.zone_box.setChecked(True)
        self.bom_box = QCheckBox("UTF-8 with BOM for Excel", self)
        self.bom_box.setObjectName("export_bom")
        self.notes = QLabel(
            f"Durations are whole seconds; lists are joined with “{LIST_SEPARATOR}”; "
            "cells that a spreadsheet would run as formulas start with an apostrophe.",
            self,
        )
        self.notes.setObjectName("export_notes")
        self.notes.setWordWrap(True)

        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("export_path")
        self.path_edit.setAccessibleName("File")
        start = directory if directory is not None else default_directory()
        self.path_edit.setText(str(start / default_file_name(export_format)))
        self.browse_button = QPushButton("Browse…", self)
        self.browse_button.setObjectName("export_browse")
        self.browse_button.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)

        self.error = QLabel(self)
        self.error.setObjectName("export_error")
        self.error.setStyleSheet("QLabel { color: #c0392b; }")
        self.error.setWordWrap(True)
        self.error.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Export")
        ok.setObjectName("export_ok")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Format:", self.format_box)
        columns = QVBoxLayout()
        columns.addWidget(self.visible_button)
        columns.addWidget(self.all_button)
        form.addRow("Columns:", columns)
        form.addRow("Times:", self.zone_box)
        form.addRow("Encoding:", self.bom_box)
        form.addRow("File:", path_row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(self.notes)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self.format_box.currentIndexChanged.connect(self._format_changed)
        self.set_format(export_format)
        self._format_changed()

    # -- state ----------------------------------------------------------------------------

    def export_format(self) -> ExportFormat:
        fmt = self.format_box.currentData()
        assert isinstance(fmt, ExportFormat)
        return fmt

    def set_format(self, export_format: ExportFormat) -> None:
        self.format_box.setCurrentIndex(self.format_box.findData(export_format))

    def set_path(self, path: Path | str) -> None:
        self.path_edit.setText(str(path))

    def choice(self) -> ExportChoice | None:
        return self._choice

    def column_format(self) -> ColumnFormat:
        fmt = self.export_format()
        if fmt not in (ExportFormat.CSV, ExportFormat.XLSX):
            return ColumnFormat()
        columns = self._visible_columns if self.visible_button.isChecked() else None
        zoned = self.zone_box.isChecked()
        return ColumnFormat(
            columns or None,
            self._zone if zoned else None,
            self._zone_name if zoned else "",
            bom=fmt is ExportFormat.CSV and self.bom_box.isChecked(),
        )

    # -- reactions ------------------------------------------------------------------------

    def _format_changed(self) -> None:
        fmt = self.export_format()
        tabular = fmt in (ExportFormat.CSV, ExportFormat.XLSX)
        for widget in (self.visible_button, self.all_button, self.zone_box):
            widget.setEnabled(tabular)
        self.visible_button.setEnabled(tabular and bool(self._visible_columns))
        if not self._visible_columns:
            self.all_button.setChecked(True)
        self.bom_box.setEnabled(fmt is ExportFormat.CSV)
        self.notes.setVisible(tabular)
        text = self.path_edit.text().strip()
        if text:
            path = Path(text)
            if ExportFormat.from_path(path) is not None:
                self.path_edit.setText(str(path.with_suffix(f".{fmt.value}")))

    def _browse(self) -> None:
        fmt = self.export_format()
        # The question about an existing file comes once, from accept(), for typed names too.
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            "Export to",
            self.path_edit.text(),
            _FILTERS[fmt],
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if chosen:
            path = Path(chosen)
            if not path.suffix:
                path = path.with_suffix(f".{fmt.value}")
            self.path_edit.setText(str(path))

    def accept(self) -> None:
        """Check the file name; an existing file is replaced only after a Yes."""
        problem, path = self._checked_path()
        if problem is not None or path is None:
            self._show_error(problem or "choose a file")
            return
        overwrite = False
        if path.exists():
            if not confirm_overwrite(self, path):
                self._show_error(f"{path.name} exists; choose another name or agree to replace it")
                return
            overwrite = True
        self._choice = ExportChoice(self.export_format(), path, self.column_format(), overwrite)
        super().accept()

    def _checked_path(self) -> tuple[str | None, Path | None]:
        text = self.path_edit.text().strip()
        if not text:
            return "choose a file to export to", None
        path = Path(text).expanduser()
        if not path.is_absolute():
            return "give the full path of the file (or use Browse…)", None
        if path.is_dir():
            return f"{path} is a folder; give a file name", None
        if not path.parent.is_dir():
            return f"the folder {path.parent} does not exist", None
        if self.export_format() is ExportFormat.XLSX and path.suffix.lower() != ".xlsx":
            return "an Excel workbook needs a name ending in .xlsx", None
        return None, path

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
