"""Painting the CDR table's visible cells in one Python call.

Qt's table paints cell by cell through the item delegate: for each cell a
call from C++ into Python with three wrapped arguments, and the stock
delegate then asks the model for seven roles, each another call into
Python. A screenful is five hundred cells, so after Apply that overhead,
not the drawing, kept the first rows from appearing. :class:`CellPainter`
draws what :meth:`QTableView.paintEvent` draws (alternating rows, the
selection and the focus frame through the style, the grid) in one pass
over the visible rows and columns, with the texts the model has already
formatted.

Text is measured cheaply: a text whose characters all have a known
advance, and whose advances add up to well inside its column, needs no
eliding and is drawn as it is; any other is elided by the font metrics.
A text drawn a second time is laid out once (``QStaticText``) for all
later paints, as a scrolled table redraws the same texts.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QLineF, QModelIndex, QRect, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QFontMetricsF,
    QPainter,
    QPalette,
    QPen,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import (
    QStyle,
    QStyleOptionFocusRect,
    QStyleOptionViewItem,
    QTableView,
)

from cdrdesk.ui.cdr_model import CdrTableModel

CELL_MARGIN = 4
"""Pixels between a cell's edge and its text, on both sides."""
FITTED_CACHE_SIZE = 20_000
_FIT_SLACK = 2
_ESTIMATE_SHARE = 0.9
"""A text estimated to fill more than this share of its column (less the slack) is measured."""
# Looked up once: attribute access on Qt's enums costs more than a cell's drawing.
_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewItem
_FOCUS_FRAME = QStyle.PrimitiveElement.PE_FrameFocusRect
_GRID_COLOR_HINT = QStyle.StyleHint.SH_Table_GridLineColor
_STATE_SELECTED = QStyle.StateFlag.State_Selected
_STATE_FOCUS = QStyle.StateFlag.State_HasFocus
_STATE_KEYBOARD_FOCUS = QStyle.StateFlag.State_KeyboardFocusChange
_STATE_ITEM = QStyle.StateFlag.State_Item
_STATE_ENABLED = QStyle.StateFlag.State_Enabled
_STATE_ACTIVE = QStyle.StateFlag.State_Active
_ROLE = QPalette.ColorRole
_GROUP = QPalette.ColorGroup
_ELIDE_RIGHT = Qt.TextElideMode.ElideRight
_SOLID_LINE = Qt.PenStyle.SolidLine
_PLAIN_TEXT = Qt.TextFormat.PlainText


@dataclass(slots=True)
class _Fitted:
    """A cell text cut to its column, with its width; laid out once drawn twice."""

    text: str
    width: int
    drawn: bool = False
    static: QStaticText | None = None


@dataclass(frozen=True, slots=True)
class _Column:
    logical: int
    left: int
    width: int
    """The cell's width, without the grid line."""
    right_aligned: bool


class CellPainter:
    """Draws the cells of a :class:`QTableView` showing a :class:`CdrTableModel`.

    Only for what the CDR table is: rows in their own order and none
    hidden, no spans, no word wrap, left-to-right. :meth:`can_paint` says when that holds;
    otherwise the view paints as Qt does.
    """

    def __init__(self, view: QTableView) -> None:
        self._view = view
        self._fitted: dict[int, dict[str, _Fitted]] = {}
        """Fitted texts by the width available to them, then by text."""
        self._fitted_count = 0
        self._font_key = ""
        self._advances: dict[str, float] = {}

    def can_paint(self) -> bool:
        view = self._view
        rows = view.verticalHeader()
        return (
            view.layoutDirection() == Qt.LayoutDirection.LeftToRight
            and not rows.sectionsMoved()
            and not rows.sectionsHidden()
            and not view.wordWrap()
        )

    def paint(self, painter: QPainter, area: QRect, model: CdrTableModel) -> None:
        """Paint the cells that meet ``area`` (viewport coordinates); the base is already filled."""
        view = self._view
        row_count = model.rowCount()
        rows_header = view.verticalHeader()
        columns_header = view.horizontalHeader()
        area = area.intersected(
            QRect(
                0,
                0,
                columns_header.length() - columns_header.offset(),
                rows_header.length() - rows_header.offset(),
            )
        )
        if area.isEmpty():
            return
        top = rows_header.visualIndexAt(area.top())
        if row_count == 0 or top < 0:
            return
        bottom = rows_header.visualIndexAt(area.bottom())
        if bottom < 0:
            bottom = row_count - 1
        grid = 1 if view.showGrid() else 0
        columns = self._columns(area, grid, model)
        if not columns:
            return
        metrics = view.fontMetrics()
        self._check_font()
        option = QStyleOptionViewItem()
        view.initViewItemOption(option)
        palette = view.palette()
        group = _color_group(option)
        text_color = palette.color(group, _ROLE.Text)
        selected_text_color = palette.color(group, _ROLE.HighlightedText)
        alternate = palette.color(group, _ROLE.AlternateBase)
        alternating = view.alternatingRowColors()
        selected = _selected_rows(view, top, bottom)
        focus = _focus_cell(view)
        style = view.style()
        display_texts = model.display_texts
        line_height = metrics.height()
        ascent = metrics.ascent()
        span_left = columns[0].left
        span_width = columns[-1].left + columns[-1].width - span_left
        # Rows may differ in height (setRowHeight), so each is placed as the header has it.
        row_tops: list[int] = []
        row_bottoms: list[int] = []
        text_tops: list[int] = []
        for row in range(top, bottom + 1):
            y = rows_header.sectionViewportPosition(row)
            cell_height = rows_header.sectionSize(row) - grid
            row_tops.append(y)
            row_bottoms.append(y + cell_height)
            text_tops.append(y + (cell_height - line_height) // 2)
            if alternating and row & 1:
                painter.fillRect(span_left, y, span_width, cell_height, alternate)
        no_rows: set[int] = set()
        for column in columns:
            for row in selected.get(column.logical, no_rows):
                y = row_tops[row - top]
                option.rect = QRect(column.left, y, column.width, row_bottoms[row - top] - y)
                option.state = option.state | _STATE_SELECTED
                style.drawPrimitive(_PANEL, option, painter, view)
                option.state = option.state & ~_STATE_SELECTED
        current_color: QColor | None = None
        for column in columns:
            logical = column.logical
            texts = display_texts(logical, top, bottom + 1)
            available = column.width - 2 * CELL_MARGIN
            fitted_texts = self._fitted.setdefault(available, {})
            left = column.left + CELL_MARGIN
            right = column.left + column.width - CELL_MARGIN
            right_aligned = column.right_aligned
            selected_rows = selected.get(logical, no_rows)
            for offset, text in enumerate(texts):
                if not text:
                    continue
                fitted = fitted_texts.get(text)
                if fitted is None:
                    fitted = self._fit(text, available, metrics, fitted_texts)
                color = selected_text_color if top + offset in selected_rows else text_color
                if color is not current_color:
                    painter.setPen(color)
                    current_color = color
                x = max(left, right - fitted.width) if right_aligned else left
                static = fitted.static
                if static is not None:
                    painter.drawStaticText(x, text_tops[offset], static)
                elif fitted.drawn:
                    fitted.static = static = _lay_out(fitted.text, view)
                    painter.drawStaticText(x, text_tops[offset], static)
                else:
                    # Most texts (times, numbers, ids) appear once, and laying
                    # one out costs more than drawing it plainly.
                    fitted.drawn = True
                    painter.drawText(x, text_tops[offset] + ascent, fitted.text)
        if focus is not None and top <= focus[0] <= bottom:
            row, logical = focus
            for column in columns:
                if column.logical == logical:
                    y = row_tops[row - top]
                    frame = QRect(column.left, y, column.width, row_bottoms[row - top] - y)
                    is_selected = row in selected.get(logical, no_rows)
                    _draw_focus_frame(painter, view, palette, group, frame, is_selected)
        if grid:
            self._draw_grid(painter, option, area, columns, row_bottoms)

    def _columns(self, area: QRect, grid: int, model: CdrTableModel) -> list[_Column]:
        """The visible columns that meet ``area``, in on-screen order."""
        header = self._view.horizontalHeader()
        first = header.visualIndexAt(area.left())
        last = header.visualIndexAt(area.right())
        if first < 0:
            first = 0
        if last < 0:
            last = header.count() - 1
        columns: list[_Column] = []
        for visual in range(first, last + 1):
            logical = header.logicalIndex(visual)
            if logical < 0 or header.isSectionHidden(logical):
                continue
            width = header.sectionSize(logical) - grid
            if width <= 0:
                continue
            columns.append(
                _Column(
                    logical,
                    header.sectionViewportPosition(logical),
                    width,
                    model.is_right_aligned(logical),
                )
            )
        return columns

    def _draw_grid(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        area: QRect,
        columns: list[_Column],
        row_edges: list[int],
    ) -> None:
        """Grid lines as QTableView draws them: the right and bottom edge of every cell.

        ``area`` ends where the last row and column end.
        Solid lines are filled rectangles, which the raster engine draws
        several times faster than lines.
        """
        view = self._view
        left, top, right, lowest = area.left(), area.top(), area.right(), area.bottom()
        hint = view.style().styleHint(_GRID_COLOR_HINT, option, view)
        color = QColor.fromRgba(hint & 0xFFFFFFFF)
        column_edges = [column.left + column.width for column in columns]
        if view.gridStyle() == _SOLID_LINE:
            for y in row_edges:
                painter.fillRect(left, y, right - left + 1, 1, color)
            for x in column_edges:
                painter.fillRect(x, top, 1, lowest - top + 1, color)
            return
        painter.setPen(QPen(color, 1, view.gridStyle()))
        lines = [QLineF(left + 0.5, y + 0.5, right + 0.5, y + 0.5) for y in row_edges]
        lines.extend(QLineF(x + 0.5, top + 0.5, x + 0.5, lowest + 0.5) for x in column_edges)
        painter.drawLines(lines)

    def _check_font(self) -> None:
        """Forget measured texts when the font changes."""
        font = self._view.font()
        key = font.key()
        if key != self._font_key:
            self._font_key = key
            self._forget_fitted()
            exact = QFontMetricsF(font)
            printable = map(chr, range(32, 127))
            self._advances = {char: exact.horizontalAdvance(char) for char in printable}

    def _fit(
        self, text: str, available: int, metrics: QFontMetrics, fitted_texts: dict[str, _Fitted]
    ) -> _Fitted:
        """``text`` cut to ``available`` pixels, remembered in ``fitted_texts`` (for that width).

        A printable ASCII text well inside its column is only estimated from
        its characters' advances (kerning and hinting move a text's width by
        a few per cent at most); one near the edge, or any other, is
        measured and, if too wide, elided.
        """
        estimate = -1.0
        if text.isascii():
            try:
                estimate = sum(map(self._advances.__getitem__, text))
            except KeyError:  # a control character
                estimate = -1.0
        if 0 <= estimate <= available * _ESTIMATE_SHARE - _FIT_SLACK:
            found = _Fitted(text, round(estimate))
        else:
            width = metrics.horizontalAdvance(text)
            if width > available:
                cut = metrics.elidedText(text, _ELIDE_RIGHT, max(available, 0))
                found = _Fitted(cut, metrics.horizontalAdvance(cut))
            else:
                found = _Fitted(text, width)
        if self._fitted_count >= FITTED_CACHE_SIZE:
            self._forget_fitted()
        fitted_texts[text] = found
        self._fitted_count += 1
        return found

    def _forget_fitted(self) -> None:
        """Empty every width's texts in place (a paint may hold one of them)."""
        for fitted_texts in self._fitted.values():
            fitted_texts.clear()
        self._fitted_count = 0


def _lay_out(text: str, view: QTableView) -> QStaticText:
    static = QStaticText(text)
    static.setTextFormat(_PLAIN_TEXT)
    static.prepare(QTransform(), view.font())
    return static


def _color_group(option: QStyleOptionViewItem) -> QPalette.ColorGroup:
    """The palette group Qt's item delegate paints with: inactive while the view lacks focus."""
    if not option.state & _STATE_ENABLED:
        return _GROUP.Disabled
    return _GROUP.Active if option.state & _STATE_ACTIVE else _GROUP.Inactive


def _selected_rows(view: QTableView, top: int, bottom: int) -> dict[int, set[int]]:
    """Selected rows by column, for the rows ``top`` to ``bottom`` only."""
    selection_model = view.selectionModel()
    if selection_model is None or not selection_model.hasSelection():
        return {}
    rows_by_column: dict[int, set[int]] = {}
    selection = selection_model.selection()
    for number in range(selection.count()):
        part = selection.at(number)
        first, last = max(part.top(), top), min(part.bottom(), bottom)
        if first > last:
            continue
        for column in range(part.left(), part.right() + 1):
            rows_by_column.setdefault(column, set()).update(range(first, last + 1))
    return rows_by_column


def _focus_cell(view: QTableView) -> tuple[int, int] | None:
    """The current cell, when the view has the keyboard focus."""
    current: QModelIndex = view.currentIndex()
    if not current.isValid() or not (view.hasFocus() or view.viewport().hasFocus()):
        return None
    return current.row(), current.column()


def _draw_focus_frame(
    painter: QPainter,
    view: QTableView,
    palette: QPalette,
    group: QPalette.ColorGroup,
    rect: QRect,
    selected: bool,
) -> None:
    """The style's focus frame around the current cell, as Qt's item delegate draws it."""
    frame = QStyleOptionFocusRect()
    frame.initFrom(view)
    frame.rect = rect
    frame.state = frame.state | _STATE_FOCUS | _STATE_KEYBOARD_FOCUS | _STATE_ITEM
    if selected:
        frame.state = frame.state | _STATE_SELECTED
    frame.backgroundColor = palette.color(group, _ROLE.Highlight if selected else _ROLE.Window)
    view.style().drawPrimitive(_FOCUS_FRAME, frame, painter, view)
