"""The CDR table: a QTableView tuned for a million lazily loaded rows.

Rows have one fixed height (the view never measures them), sorting is off
(see :mod:`cdrdesk.ui.cdr_model`), and the next page is asked for while
the last visible row is still about two pages from the end, so scrolling
rarely waits. Columns can be hidden from the header's context menu and
dragged into another order; :meth:`CdrTableView.save_columns` keeps both,
with the widths, by column key, so a saved layout survives new columns.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import (
    QAction,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QMenu,
    QTableView,
    QWidget,
)

from cdrdesk.api.filters import FILTERS_BY_NAME, FilterKind
from cdrdesk.api.records import COLUMNS, DEFAULT_VISIBLE_COLUMNS, ColumnKind
from cdrdesk.ui.busy_mark import BusyMark
from cdrdesk.ui.cdr_model import PAGE_SIZE, CdrTableModel
from cdrdesk.ui.cell_painter import CELL_MARGIN, CellPainter
from cdrdesk.ui.formatting import plain_text
from cdrdesk.ui.row_header import RowNumberHeader

PREFETCH_PAGES = 2
LAYOUT_VERSION = 1
_KEYS = tuple(column.key for column in COLUMNS)
_LABELS = {column.key: column.label for column in COLUMNS}
_FILTER_OF_COLUMN = {"event_tags": "event_tag"} | {
    key: key for key in _KEYS if key in FILTERS_BY_NAME
}
_DEFAULT_CHARS = {
    ColumnKind.TIME: 20,
    ColumnKind.DURATION: 9,
    ColumnKind.NUMBER: 7,
    ColumnKind.PHONE: 16,
    ColumnKind.ENUM: 14,
    ColumnKind.LIST: 24,
    ColumnKind.URL: 30,
    ColumnKind.TEXT: 14,
}
_WIDE_KEYS = {"id": 30, "destination_country": 18}


def _relayout_signals(model: CdrTableModel) -> tuple[SignalInstance, ...]:
    """Model changes after which the whole view must be laid out and repainted."""
    return (
        model.modelAboutToBeReset,
        model.layoutAboutToBeChanged,
        model.rowsAboutToBeRemoved,
        model.columnsAboutToBeInserted,
        model.columnsAboutToBeRemoved,
        model.rowsAboutToBeMoved,
    )


class CdrTableView(QTableView):
    """The record table (objectName ``cdr_table``); see the module docstring.

    ``filterByValueRequested(filter_name, value)`` asks for a cell's value
    to be added to the filters (the sidebar's ``add_filter_value``).
    """

    filterByValueRequested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cdr_table")
        self.setAccessibleName("Call detail records")
        self.setSortingEnabled(False)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self._cell_painter = CellPainter(self)
        rows = RowNumberHeader(self)
        self.setVerticalHeader(rows)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        # Wide enough for seven-digit row numbers from the start: a header that
        # widens at row 10,000 or 100,000 shifts and repaints the whole table.
        rows.setMinimumWidth(self.fontMetrics().horizontalAdvance("0000000") + 2 * CELL_MARGIN)
        columns = self.horizontalHeader()
        columns.setSectionsMovable(True)
        columns.setHighlightSections(False)
        columns.setStretchLastSection(False)
        columns.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        columns.customContextMenuRequested.connect(self._show_header_menu)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._show_cell_menu)
        self._extra_cell_actions: list[QAction] = []
        self.verticalScrollBar().valueChanged.connect(self._prefetch_if_near_end)
        self._loading_label = QLabel("Loading…", self.viewport())
        self._loading_label.setObjectName("cdr_table_loading")
        self._loading_label.setAccessibleName("Loading more records")
        self._loading_label.setAutoFillBackground(True)
        self._loading_label.setMargin(4)
        self._loading_mark = BusyMark(self._loading_label, before_show=self._raise_loading_label)
        self._layout_applied = False
        self._appended_below = False
        self._needs_full_layout = False

    # --- model -----------------------------------------------------------------------------

    def cdr_model(self) -> CdrTableModel | None:
        model = self.model()
        return model if isinstance(model, CdrTableModel) else None

    def setModel(self, model: QAbstractItemModel | None) -> None:
        old = self.cdr_model()
        if old is not None:
            old.loadingChanged.disconnect(self._show_loading)
            old.pageArrived.disconnect(self._on_page_arrived)
            old.rowsAboutToBeInserted.disconnect(self._rows_coming)
            for signal in _relayout_signals(old):
                signal.disconnect(self._full_relayout_due)
        super().setModel(model)
        new = self.cdr_model()
        if new is not None:
            new.loadingChanged.connect(self._show_loading)
            new.pageArrived.connect(self._on_page_arrived)
            new.rowsAboutToBeInserted.connect(self._rows_coming)
            for signal in _relayout_signals(new):
                signal.connect(self._full_relayout_due)
            self._show_loading(new.is_loading)
            if not self._layout_applied:
                self.reset_columns()

    # --- rows appended below the view ----------------------------------------------------

    def _rows_coming(self, _parent: QModelIndex, first: int, _last: int) -> None:
        """Note whether rows about to be added all fall below a full view."""
        last_visible = self.rowAt(self.viewport().height() - 1)
        if last_visible >= 0 and first > last_visible:
            self._appended_below = True
        else:
            self._needs_full_layout = True

    def _full_relayout_due(self) -> None:
        self._needs_full_layout = True

    def doItemsLayout(self) -> None:
        """Qt's layout, without repainting every cell when only rows below the view came.

        Qt relays out and repaints the whole viewport after any insertion.
        Rows appended below a full view change nothing on screen but the
        scroll bar, and "load all" appends every half second: repainting a
        screenful of cells each time (tens of milliseconds of Python calls)
        is what would stall the window, so then only the geometry is updated.
        """
        partial = self._appended_below and not self._needs_full_layout
        self._appended_below = self._needs_full_layout = False
        if not partial:
            super().doItemsLayout()
            return
        self.updateGeometries()
        rows = self.verticalHeader()
        if self.verticalScrollMode() is QAbstractItemView.ScrollMode.ScrollPerItem:
            rows.setOffsetToSectionPosition(self.verticalScrollBar().value())
        else:
            rows.setOffset(self.verticalScrollBar().value())

    def _on_page_arrived(self, count: int) -> None:
        """Prefetch after the new rows are painted, so parsing the next page cannot delay them."""
        del count
        QTimer.singleShot(0, self._prefetch_if_near_end)

    def _prefetch_if_near_end(self) -> None:
        """Ask for the next page once the last visible row is within two pages of the end."""
        model = self.cdr_model()
        if model is None or not model.canFetchMore(QModelIndex()):
            return
        rows = model.rowCount()
        last_visible = self.rowAt(self.viewport().height() - 1)
        if last_visible < 0:
            last_visible = rows - 1  # the rows do not fill the view yet
        if rows - 1 - last_visible <= PREFETCH_PAGES * PAGE_SIZE:
            model.fetchMore(QModelIndex())

    def _show_loading(self, loading: bool) -> None:
        self._loading_mark.set_busy(loading)

    def _raise_loading_label(self) -> None:
        self._place_loading_label()
        self._loading_label.raise_()

    def _place_loading_label(self) -> None:
        label = self._loading_label
        label.adjustSize()
        viewport = self.viewport()
        label.move(
            max(0, viewport.width() - label.width() - 8),
            max(0, viewport.height() - label.height() - 8),
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        """The CDR model's cells in one Python call (see :mod:`cdrdesk.ui.cell_painter`)."""
        model = self.cdr_model()
        if model is None or not self._cell_painter.can_paint():
            super().paintEvent(event)
            return
        painter = QPainter(self.viewport())
        try:
            self._cell_painter.paint(painter, event.rect(), model)
        finally:
            painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_loading_label()
        self._prefetch_if_near_end()

    # --- columns ---------------------------------------------------------------------------

    def reset_columns(self) -> None:
        """The default layout: the usual columns in their usual order, the rest hidden."""
        header = self.horizontalHeader()
        if header.count() != len(_KEYS):
            return
        order = [*DEFAULT_VISIBLE_COLUMNS, *(k for k in _KEYS if k not in DEFAULT_VISIBLE_COLUMNS)]
        digit = self.fontMetrics().horizontalAdvance("0")
        widths = {
            column.key: digit * _WIDE_KEYS.get(column.key, _DEFAULT_CHARS[column.kind])
            for column in COLUMNS
        }
        self._apply_layout(order, set(_KEYS) - set(DEFAULT_VISIBLE_COLUMNS), widths)
        self._layout_applied = True

    def save_columns(self) -> bytes:
        """Order, visibility and widths of the columns, by key (for the settings)."""
        header = self.horizontalHeader()
        logical = [header.logicalIndex(visual) for visual in range(header.count())]
        layout = {
            "version": LAYOUT_VERSION,
            "order": [_KEYS[index] for index in logical if index < len(_KEYS)],
            "hidden": [key for index, key in enumerate(_KEYS) if header.isSectionHidden(index)],
            "widths": {
                key: header.sectionSize(index)
                for index, key in enumerate(_KEYS)
                if not header.isSectionHidden(index)
            },
        }
        return json.dumps(layout, separators=(",", ":")).encode("utf-8")

    def restore_columns(self, state: bytes) -> bool:
        """Apply a saved layout; a damaged one gives the default layout and False.

        Keys the layout does not know (columns added since) keep their
        default visibility and come last; keys it names that no longer exist
        are ignored.
        """
        layout = _parse_layout(state)
        if layout is None:
            self.reset_columns()
            return False
        order, hidden, widths = layout
        known_order = [key for key in order if key in _LABELS]
        new_keys = [key for key in _KEYS if key not in known_order]
        hidden |= {key for key in new_keys if key not in DEFAULT_VISIBLE_COLUMNS}
        self._apply_layout(known_order + new_keys, hidden & set(_KEYS), widths)
        self._layout_applied = True
        return True

    def _apply_layout(self, order: list[str], hidden: set[str], widths: dict[str, int]) -> None:
        header = self.horizontalHeader()
        if header.count() != len(_KEYS):
            return
        for visual, key in enumerate(order):
            logical = _KEYS.index(key)
            current = header.visualIndex(logical)
            if current != visual:
                header.moveSection(current, visual)
        if len(hidden) >= len(_KEYS):
            hidden = hidden - {order[0]}
        for logical, key in enumerate(_KEYS):
            header.setSectionHidden(logical, key in hidden)
            width = widths.get(key)
            if width is not None:
                header.resizeSection(logical, width)

    def _show_header_menu(self, position: QPoint) -> None:
        menu = self._header_menu()
        menu.exec(self.horizontalHeader().mapToGlobal(position))

    def _header_menu(self) -> QMenu:
        """A checkable entry per column in the current order, then "Reset columns"."""
        header = self.horizontalHeader()
        menu = QMenu(self)
        menu.setObjectName("cdr_table_columns_menu")
        visible = sum(not header.isSectionHidden(i) for i in range(header.count()))
        for visual in range(header.count()):
            logical = header.logicalIndex(visual)
            if logical >= len(_KEYS):
                continue
            action = QAction(_LABELS[_KEYS[logical]], menu)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(logical))
            action.setData(_KEYS[logical])
            if action.isChecked() and visible <= 1:
                action.setEnabled(False)  # the last visible column stays
            action.toggled.connect(
                lambda shown, section=logical: self.setColumnHidden(section, not shown)
            )
            menu.addAction(action)
        menu.addSeparator()
        reset = menu.addAction("Reset columns")
        reset.setObjectName("reset_columns")
        reset.triggered.connect(self.reset_columns)
        return menu

    # --- copy and cell menu ----------------------------------------------------------------

    def copy_selection(self, include_header: bool = False) -> str:
        """The selected cells as TSV, in the columns' on-screen order; values as received."""
        model: QAbstractItemModel | None = self.model()
        selection_model: QItemSelectionModel | None = self.selectionModel()
        if model is None or selection_model is None:
            return ""
        selection = selection_model.selection()
        ranges = [
            (r.top(), r.bottom(), r.left(), r.right())
            for r in (selection.at(i) for i in range(selection.count()))
        ]
        if not ranges:
            return ""
        header = self.horizontalHeader()
        columns = sorted(
            {c for _, _, left, right in ranges for c in range(left, right + 1)},
            key=header.visualIndex,
        )
        columns = [c for c in columns if not self.isColumnHidden(c)]
        rows = sorted({row for top, bottom, _, _ in ranges for row in range(top, bottom + 1)})
        lines: list[str] = []
        if include_header:
            lines.append(
                "\t".join(
                    plain_text(model.headerData(c, Qt.Orientation.Horizontal), limit=None)
                    for c in columns
                )
            )
        for row in rows:
            cells = []
            for column in columns:
                chosen = any(
                    top <= row <= bottom and left <= column <= right
                    for top, bottom, left, right in ranges
                )
                value = model.data(model.index(row, column), Qt.ItemDataRole.UserRole)
                cells.append(plain_text(value, limit=None) if chosen else "")
            lines.append("\t".join(cells))
        return "\n".join(lines)

    def copy_to_clipboard(self, include_header: bool = False) -> None:
        text = self.copy_selection(include_header)
        if text:
            QApplication.clipboard().setText(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_to_clipboard()
            event.accept()
        else:
            super().keyPressEvent(event)

    def _show_cell_menu(self, position: QPoint) -> None:
        index = self.indexAt(position)
        if not index.isValid():
            return
        menu = self.cell_menu(index)
        menu.exec(self.viewport().mapToGlobal(position))

    def cell_menu(self, index: QModelIndex) -> QMenu:
        """ "Filter by this value" (one entry per event tag) and "Copy" for a cell."""
        if not self.selectionModel().isSelected(index):
            self.selectionModel().select(
                QItemSelection(index, index),
                self.selectionModel().SelectionFlag.ClearAndSelect,
            )
            self.setCurrentIndex(index)
        menu = QMenu(self)
        menu.setObjectName("cdr_table_cell_menu")
        for label, name, value in self._filter_choices(index):
            action = menu.addAction(label)
            action.setObjectName("filter_by_value")
            if name is None:
                action.setEnabled(False)
            else:
                action.triggered.connect(
                    lambda _=False, n=name, v=value: self.filterByValueRequested.emit(n, v)
                )
        menu.addSeparator()
        copy = menu.addAction("Copy")
        copy.setObjectName("copy_cells")
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.triggered.connect(lambda: self.copy_to_clipboard())
        copy_with_header = menu.addAction("Copy with header")
        copy_with_header.setObjectName("copy_cells_with_header")
        copy_with_header.triggered.connect(lambda: self.copy_to_clipboard(include_header=True))
        if self._extra_cell_actions:
            menu.addSeparator()
            menu.addActions(self._extra_cell_actions)
        return menu

    def add_cell_menu_action(self, action: QAction) -> None:
        """Offer ``action`` (of the window, such as "Export selected…") in every cell menu."""
        self._extra_cell_actions.append(action)

    def _filter_choices(self, index: QModelIndex) -> list[tuple[str, str | None, str]]:
        """(label, filter name or None when not possible, value) for a cell."""
        key = _KEYS[index.column()] if index.column() < len(_KEYS) else ""
        name = _FILTER_OF_COLUMN.get(key)
        value = index.data(Qt.ItemDataRole.UserRole)
        if name is None or value is None:
            return [("Filter by this value", None, "")]
        if key == "event_tags":
            tags = [tag for tag in value if isinstance(tag, str)] if isinstance(value, list) else []
            if not tags:
                return [("Filter by this value", None, "")]
            return [(f"Filter by event tag “{tag}”", name, tag) for tag in tags]
        text = _filter_text(FILTERS_BY_NAME[name].kind, value)
        if text is None:
            return [("Filter by this value", None, "")]
        return [("Filter by this value", name, text)]


def _filter_text(kind: FilterKind, value: Any) -> str | None:
    """A value as the filter takes it, or None when it cannot be one (a nested object)."""
    if kind in (FilterKind.INTEGER_RANGE, FilterKind.NUMBER_RANGE):
        if type(value) in (int, float) and value >= 0:
            return str(value)
        return None
    return value if isinstance(value, str) and value.strip() else None


def _parse_layout(state: bytes) -> tuple[list[str], set[str], dict[str, int]] | None:
    try:
        layout = json.loads(bytes(state).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, TypeError):
        return None
    if not isinstance(layout, dict) or layout.get("version") != LAYOUT_VERSION:
        return None
    order, hidden, widths = layout.get("order"), layout.get("hidden"), layout.get("widths")
    if not (
        isinstance(order, list)
        and all(isinstance(key, str) for key in order)
        and len(set(order)) == len(order)
        and isinstance(hidden, list)
        and all(isinstance(key, str) for key in hidden)
        and isinstance(widths, dict)
        and all(
            isinstance(key, str) and type(width) is int and 0 < width <= 10_000
            for key, width in widths.items()
        )
    ):
        return None
    return order, set(hidden), widths
