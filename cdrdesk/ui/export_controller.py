"""The window's exports: the actions, the dialog, the progress in the status bar.

"Export selected…" writes rows already loaded in the table (no request is
made); "Export all matching…" fetches every record of the query the table
shows (a relative range such as "Today" as resolved when the filters were
applied, so the file matches the table), through the cursors, while the
window stays usable. One export runs at a time; its progress (records, rate
and, when the server gave a total, the time left) and its Cancel button sit
in the status bar.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressBar,
    QStatusBar,
    QToolButton,
    QWidget,
)

from cdrdesk.connections.profiles import Connection
from cdrdesk.export.output import ExportError
from cdrdesk.export.writers import ExportFormat, RecordWriter, open_writer
from cdrdesk.export.zones import parse_zone
from cdrdesk.ui.cdr_model import CdrTableModel
from cdrdesk.ui.export_dialog import ExportChoice, ExportDialog
from cdrdesk.ui.export_worker import (
    ExportOutcome,
    ExportStatus,
    ExportWorker,
    MatchingRecordsExport,
    SelectedRowsExport,
)
from cdrdesk.ui.status import RateMeter
from cdrdesk.ui.table_view import CdrTableView

SHUTDOWN_WAIT_SECONDS = 10.0
_log = logging.getLogger(__name__)


def selected_rows(table: CdrTableView) -> list[int]:
    """Rows with at least one selected cell, in table order."""
    selection = table.selectionModel()
    rows: set[int] = set()
    for selected in (selection.selection().at(i) for i in range(selection.selection().count())):
        rows.update(range(selected.top(), selected.bottom() + 1))
    return sorted(rows)


def visible_columns(table: CdrTableView, model: CdrTableModel) -> list[str]:
    """The keys of the columns on screen, in the order the user arranged them."""
    header = table.horizontalHeader()
    keys = []
    for visual in range(header.count()):
        logical = header.logicalIndex(visual)
        if not header.isSectionHidden(logical):
            keys.append(model.column_key(logical))
    return keys


def format_progress(written: int, total: int | None, rate: float | None) -> str:
    """ "12,000 of 30,000 records · 8,000/s · 3 s left" (what is known of it)."""
    parts = [f"{written:,} of {total:,} records" if total is not None else f"{written:,} records"]
    if rate:
        parts.append(f"{rate:,.0f}/s")
        if total is not None and total >= written:
            parts.append(f"{_duration((total - written) / rate)} left")
    return " · ".join(parts)


def _duration(seconds: float) -> str:
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class ExportProgress(QWidget):
    """Progress bar, counts and Cancel of the running export (objectName ``export_progress``)."""

    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("export_progress")
        self.setAccessibleName("Export progress")
        self.bar = QProgressBar(self)
        self.bar.setObjectName("export_progress_bar")
        self.bar.setAccessibleName("Export progress")
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(True)
        self.label = QLabel(self)
        self.label.setObjectName("export_progress_text")
        self.cancel = QToolButton(self)
        self.cancel.setObjectName("export_cancel")
        self.cancel.setText("Cancel export")
        self.cancel.setAccessibleName("Cancel export")
        self.cancel.clicked.connect(self.cancelRequested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.label)
        layout.addWidget(self.cancel)
        self._meter = RateMeter()
        self._last = 0
        self.hide()

    def begin(self, total: int | None) -> None:
        self._meter.restart(time.monotonic())
        self._last = 0
        self.cancel.setEnabled(True)
        self.update_progress(0, total)
        self.show()

    def update_progress(self, written: int, total: int | None) -> None:
        now = time.monotonic()
        self._meter.add(written - self._last, now)
        self._last = written
        if total:
            self.bar.setRange(0, total)
            self.bar.setValue(min(written, total))
        else:
            self.bar.setRange(0, 0)
        self.label.setText(format_progress(written, total, self._meter.rate(now)))

    def cancelling(self) -> None:
        self.cancel.setEnabled(False)
        self.label.setText(self.label.text() + " · cancelling…")


class ExportController(QObject):
    """Owns the export actions and the one export that may be running.

    ``exportFinished(ExportOutcome)`` tells when it ends; ``last_notice``
    holds the message box of a failure (non-modal, so the window stays usable).
    """

    exportStarted = Signal(object)
    exportFinished = Signal(object)

    def __init__(
        self,
        parent: QWidget,
        model: CdrTableModel,
        table: CdrTableView,
        status_bar: QStatusBar,
        *,
        connection: Callable[[], Connection | None],
        zone_name: Callable[[], str],
        interactive: bool = True,
    ) -> None:
        super().__init__(parent)
        self._window = parent
        self._model = model
        self._table = table
        self._status_bar = status_bar
        self._connection = connection
        self._zone_name = zone_name
        self._interactive = interactive
        self._directory: Path | None = None
        self._format = ExportFormat.CSV
        self.worker: ExportWorker | None = None
        self.dialog: ExportDialog | None = None
        self.last_notice: QMessageBox | None = None
        self.last_outcome: ExportOutcome | None = None

        self.export_selected_action = QAction("Export &selected…", parent)
        self.export_selected_action.setObjectName("action_export_selected")
        self.export_selected_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_selected_action.setToolTip("Export the selected rows to a file (Ctrl+E)")
        self.export_selected_action.triggered.connect(self.export_selected)
        parent.addAction(self.export_selected_action)
        self.export_all_action = QAction("Export all &matching…", parent)
        self.export_all_action.setObjectName("action_export_all")
        self.export_all_action.setToolTip(
            "Export every record matching the current filters, fetched from the server"
        )
        self.export_all_action.triggered.connect(self.export_all)
        parent.addAction(self.export_all_action)

        self.progress = ExportProgress(status_bar)
        status_bar.addPermanentWidget(self.progress)
        self.progress.cancelRequested.connect(self.cancel)

        table.add_cell_menu_action(self.export_selected_action)

    @property
    def running(self) -> bool:
        return self.worker is not None

    # -- the table's context menu ---------------------------------------------------------

    def cell_menu(self, index: QModelIndex) -> QMenu:
        """The table's cell menu, which offers "Export selected…"."""
        return self._table.cell_menu(index)

    # -- starting -------------------------------------------------------------------------

    def export_selected(self) -> None:
        """Ask how and where, then write the selected rows (already loaded) in the background."""
        rows = selected_rows(self._table)
        if not rows:
            self._say("Select the rows to export first (Ctrl+A selects all loaded rows)")
            return
        plural = "s" if len(rows) != 1 else ""
        self._ask(
            "Export selected rows",
            f"{len(rows):,} selected row{plural}, as loaded in the table.",
            lambda choice: self.start_selected(rows, choice),
        )

    def export_all(self) -> None:
        """Ask how and where, then fetch and write every record of the table's query."""
        query = self._model.query
        if self._connection() is None or query is None:
            self._say("Connect and apply the filters first")
            return
        total = self._model.total
        count = f"{total:,} records" if total is not None else "Every record"
        self._ask(
            "Export all matching records",
            f"{count} matching the current filters, fetched from the server.",
            self.start_all,
        )

    def _ask(self, title: str, summary: str, start: Callable[[ExportChoice], object]) -> None:
        if self.worker is not None:
            self._say("An export is already running; wait for it or cancel it")
            return
        if not self._interactive:
            return
        zone, zone_label = parse_zone(self._zone_name())
        dialog = ExportDialog(
            self._window,
            title=title,
            summary=summary,
            visible_columns=visible_columns(self._table, self._model),
            zone=zone,
            zone_name=zone_label,
            directory=self._directory,
            export_format=self._format,
        )
        self.dialog = dialog

        def accepted() -> None:
            choice = dialog.choice()
            if choice is not None:
                self._directory = choice.path.parent
                self._format = choice.export_format
                start(choice)

        def closed() -> None:
            if self.dialog is dialog:
                self.dialog = None
            dialog.deleteLater()

        dialog.accepted.connect(accepted)
        dialog.finished.connect(closed)
        dialog.open()

    def start_selected(self, rows: list[int], choice: ExportChoice) -> ExportWorker | None:
        """Write ``rows`` of the table as ``choice`` (the dialog's answer) says."""
        writer = self._open(choice)
        if writer is None:
            return None
        generation = self._model.generation
        worker = SelectedRowsExport(
            rows,
            self._model.record,
            writer,
            still_valid=lambda: self._model.generation == generation,
            parent=self,
        )
        return self._run(worker)

    def start_all(self, choice: ExportChoice) -> ExportWorker | None:
        """Fetch and write every record of the table's query as ``choice`` says."""
        connection, query = self._connection(), self._model.query
        if connection is None or query is None:
            self._say("Connect and apply the filters first")
            return None
        writer = self._open(choice)
        if writer is None:
            return None
        worker = MatchingRecordsExport(connection, query, writer, parent=self)
        worker.total = self._model.total
        return self._run(worker)

    def _open(self, choice: ExportChoice) -> RecordWriter | None:
        try:
            return open_writer(
                choice.export_format, choice.path, choice.column_format, overwrite=choice.overwrite
            )
        except (ExportError, OSError) as exc:
            text = str(exc) if isinstance(exc, ExportError) else f"{choice.path}: {exc.strerror}"
            self._notify_failure(f"Could not start the export: {text}")
            return None

    def _run(self, worker: ExportWorker) -> ExportWorker:
        self.worker = worker
        worker.progressed.connect(self.progress.update_progress)
        worker.finished.connect(self._finished)
        self.export_selected_action.setEnabled(False)
        self.export_all_action.setEnabled(False)
        self.progress.begin(worker.total)
        worker.start()
        self.exportStarted.emit(worker)
        return worker

    # -- running and ending ---------------------------------------------------------------

    def cancel(self) -> None:
        if self.worker is not None and not self.worker.cancel_requested:
            self.worker.cancel()
            self.progress.cancelling()

    def _finished(self, outcome: ExportOutcome) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.wait(SHUTDOWN_WAIT_SECONDS)
            worker.deleteLater()
        self.last_outcome = outcome
        self.progress.hide()
        self.export_selected_action.setEnabled(True)
        self.export_all_action.setEnabled(True)
        message = outcome.describe()
        if outcome.status is ExportStatus.FAILED:
            _log.warning("%s", message)
            self._notify_failure(message)
        else:
            self._say(message)
        self.exportFinished.emit(outcome)

    def _say(self, text: str) -> None:
        self._status_bar.showMessage(text, 8000)

    def _notify_failure(self, text: str) -> None:
        self._status_bar.showMessage(text, 15000)
        if not self._interactive:
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Export failed",
            text,
            QMessageBox.StandardButton.Ok,
            self._window,
        )
        box.setObjectName("export_failed_notice")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_notice = box
        box.open()

    def shutdown(self) -> None:
        """Cancel a running export (its records stay in ``.partial``) and wait for it."""
        worker = self.worker
        if worker is None:
            return
        worker.cancel()
        if not worker.wait(SHUTDOWN_WAIT_SECONDS):
            _log.warning("the export thread did not stop within %.0f s", SHUTDOWN_WAIT_SECONDS)
