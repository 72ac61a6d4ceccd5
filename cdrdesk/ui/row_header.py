"""The row numbers beside the CDR table.

Qt's header asks the model for seven roles of every section it paints and
has the style draw each one anew, which made the forty row numbers of a
screen cost more than the cells beside them after Apply. Here each section
is drawn by the style once, into a pixmap kept by its text, size and state,
and a screenful of sections is kept as one strip: the first rows of a new
result carry the numbers the last one had, so they cost a single blit. The state (selected, pressed,
under the mouse) is worked out as :class:`QHeaderView` does.

Qt's header also works out its width from the contents of its first and
last hundred sections, and forgets it whenever rows are added: two hundred
sections measured on every page. Row numbers are only as wide as the
largest one, so the size hint measures the last section, once per count.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import (
    QHeaderView,
    QStyle,
    QStyleOption,
    QStyleOptionHeader,
    QStyleOptionHeaderV2,
    QWidget,
)

PIXMAP_CACHE_SIZE = 1024
"""Sections kept drawn: a few screens of row numbers in their few states."""
STRIP_CACHE_SIZE = 16
"""Screens of sections kept drawn, each in one pixmap."""

_STATE_ON = QStyle.StateFlag.State_On
_STATE_SUNKEN = QStyle.StateFlag.State_Sunken
_STATE_MOUSE_OVER = QStyle.StateFlag.State_MouseOver
_STATE_ACTIVE = QStyle.StateFlag.State_Active
_HEADER = QStyle.ControlElement.CE_Header
_EMPTY_AREA = QStyle.ControlElement.CE_HeaderEmptyArea
_POSITION = QStyleOptionHeader.SectionPosition
_SELECTED_POSITION = QStyleOptionHeader.SelectedPosition
_HOVER_EVENTS = (QEvent.Type.HoverEnter, QEvent.Type.HoverMove)
_LEAVE_EVENTS = (QEvent.Type.HoverLeave, QEvent.Type.Leave)
_LOOK_CHANGES = (QEvent.Type.PaletteChange, QEvent.Type.FontChange, QEvent.Type.StyleChange)


@dataclass(frozen=True, slots=True)
class _Look:
    """What a drawn section's pixels depend on besides its own number, size and state."""

    width: int
    ratio: float
    palette: int
    font: str
    style: str


class RowNumberHeader(QHeaderView):
    """A vertical header that paints its sections from a pixmap cache; see the module docstring."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setSectionsClickable(True)  # as QTableView's own: a click selects the row
        self.setHighlightSections(True)
        self._hint_key: tuple[int, int, int] | None = None
        self._hint = QSize()
        self._pixmaps: dict[tuple[object, ...], QPixmap] = {}
        self._strips: dict[tuple[object, ...], tuple[QPixmap, int]] = {}
        self._hover = -1
        self._pressed = -1

    # --- size ------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        count = self.count()
        metrics = self.fontMetrics()
        key = (count, metrics.height(), metrics.averageCharWidth())
        if key != self._hint_key:
            self._hint_key = key
            self._hint = self.sectionSizeFromContents(count - 1) if count else QSize(0, 0)
        return QSize(self._hint)

    # --- the state Qt's header keeps to itself ---------------------------------------------

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in _HOVER_EVENTS:
            position = event.position().toPoint()  # type: ignore[attr-defined]
            self._set_hover(self.logicalIndexAt(position))
        elif kind in _LEAVE_EVENTS:
            self._set_hover(-1)
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._set_pressed(self.logicalIndexAt(event.position().toPoint()))
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pressed >= 0 and event.buttons() & Qt.MouseButton.LeftButton:
            self._set_pressed(self.logicalIndexAt(event.position().toPoint()))
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._set_pressed(-1)
        super().mouseReleaseEvent(event)

    def _set_hover(self, section: int) -> None:
        self._hover = self._moved_mark(self._hover, section)

    def _set_pressed(self, section: int) -> None:
        self._pressed = self._moved_mark(self._pressed, section)

    def _moved_mark(self, old: int, new: int) -> int:
        """Repaint the section a mark leaves and the one it comes to (-1: none); returns ``new``."""
        if new != old:
            for changed in (old, new):
                if changed >= 0:
                    self.updateSection(changed)
        return new

    # --- painting --------------------------------------------------------------------------

    def _can_paint(self) -> bool:
        return (
            self.model() is not None
            and not self.sectionsMoved()
            and not self.sectionsHidden()
            and self.layoutDirection() == Qt.LayoutDirection.LeftToRight
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        count = self.count()
        if count == 0 or not self._can_paint():
            super().paintEvent(event)
            return
        area = event.rect()
        first = self.visualIndexAt(area.top())
        last = self.visualIndexAt(area.bottom())
        first = 0 if first < 0 else first
        last = count - 1 if last < 0 else last
        width = self.viewport().width()
        painter = QPainter(self.viewport())
        try:
            top = self.sectionViewportPosition(first)
            strip, height = self._strip(first, last, width)
            painter.drawPixmap(0, top, strip)
            bottom = top + height - 1
            if bottom < area.bottom():
                empty = QStyleOption()
                empty.initFrom(self)
                empty.rect = QRect(0, bottom + 1, width, self.viewport().height() - bottom - 1)
                self.style().drawControl(_EMPTY_AREA, empty, painter, self)
        finally:
            painter.end()

    def _template(self) -> QStyleOptionHeaderV2:
        option = QStyleOptionHeaderV2()
        self.initStyleOption(option)
        if self.window().isActiveWindow():
            option.state = option.state | _STATE_ACTIVE
        option.textAlignment = self.defaultAlignment()
        option.iconAlignment = Qt.AlignmentFlag.AlignVCenter
        option.textElideMode = self.textElideMode()
        option.orientation = Qt.Orientation.Vertical
        return option

    def _strip(self, first: int, last: int, width: int) -> tuple[QPixmap, int]:
        """The sections from ``first`` to ``last`` in one pixmap, and its height.

        After Apply the new rows carry the numbers the old ones had, in the
        same states: the strip painted last time is painted again, in one blit.
        """
        template = self._template()
        selected = self._selection_states(first - 1, last + 1)
        count = self.count()
        look = _Look(
            width,
            self.devicePixelRatioF(),
            template.palette.cacheKey(),
            self.font().key(),
            self.style().objectName(),
        )
        key = (
            first,
            last,
            tuple(map(self.sectionSize, range(first, last + 1))),
            template.state.value,
            self._hover if first <= self._hover <= last else -1,
            self._pressed if first <= self._pressed <= last else -1,
            tuple(sorted(selected.items())),
            self.sectionsClickable(),
            self.highlightSections(),
            (first == 0, last == count - 1, count == 1),
            look,
        )
        found = self._strips.get(key)
        if found is None:
            found = self._draw_strip(first, last, template, selected, look)
            if len(self._strips) >= STRIP_CACHE_SIZE:
                self._strips.clear()
            self._strips[key] = found
        return found

    def _draw_strip(
        self,
        first: int,
        last: int,
        template: QStyleOptionHeaderV2,
        selected: dict[int, tuple[bool, bool]],
        look: _Look,
    ) -> tuple[QPixmap, int]:
        sections = list(self._section_pixmaps(first, last, template, selected, look))
        height = sum(section_height for _, section_height, _ in sections)
        strip = _blank_pixmap(QSize(look.width, height), look.ratio)
        painter = QPainter(strip)
        try:
            for top, _, pixmap in sections:
                painter.drawPixmap(0, top, pixmap)
        finally:
            painter.end()
        return strip, height

    def _section_pixmaps(
        self,
        first: int,
        last: int,
        template: QStyleOptionHeaderV2,
        selected: dict[int, tuple[bool, bool]],
        look: _Look,
    ) -> Iterator[tuple[int, int, QPixmap]]:
        """(top within the strip, height, pixmap) of the sections from ``first`` to ``last``."""
        count = self.count()
        clickable, highlight = self.sectionsClickable(), self.highlightSections()
        top = 0
        not_selected = (False, False)
        for section in range(first, last + 1):
            height = self.sectionSize(section)
            state = template.state
            if clickable:
                if section == self._hover:
                    state = state | _STATE_MOUSE_OVER
                if section == self._pressed:
                    state = state | _STATE_SUNKEN
                elif highlight:
                    intersects, whole = selected.get(section, not_selected)
                    if intersects:
                        state = state | _STATE_ON
                    if whole:
                        state = state | _STATE_SUNKEN
            position = _section_position(section, count)
            selected_position = _selected_position(
                selected.get(section - 1, not_selected)[1],
                selected.get(section + 1, not_selected)[1],
            )
            key = (section, height, state.value, position, selected_position, look)
            pixmap = self._pixmaps.get(key)
            if pixmap is None:
                option = QStyleOptionHeaderV2(template)
                option.rect = QRect(0, 0, look.width, height)
                option.state = state
                option.section = section
                option.text = str(section + 1)
                option.position = position
                option.selectedPosition = selected_position
                pixmap = self._draw_section(option, look.ratio)
                if len(self._pixmaps) >= PIXMAP_CACHE_SIZE:
                    self._pixmaps.clear()
                self._pixmaps[key] = pixmap
            yield top, height, pixmap
            top += height

    def _draw_section(self, option: QStyleOptionHeaderV2, ratio: float) -> QPixmap:
        pixmap = _blank_pixmap(option.rect.size(), ratio)
        painter = QPainter(pixmap)
        try:
            painter.setFont(self.font())
            self.style().drawControl(_HEADER, option, painter, self)
        finally:
            painter.end()
        return pixmap

    def _selection_states(self, first: int, last: int) -> dict[int, tuple[bool, bool]]:
        """(row has a selected cell, whole row selected) for the rows from first to last."""
        selection = self.selectionModel()
        if selection is None or not selection.hasSelection() or not self.highlightSections():
            return {}
        root = self.rootIndex()
        states: dict[int, tuple[bool, bool]] = {}
        for row in range(max(first, 0), min(last, self.count() - 1) + 1):
            if selection.rowIntersectsSelection(row, root):
                states[row] = (True, selection.isRowSelected(row, root))
        return states

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in _LOOK_CHANGES:
            # A style sheet changes neither the style's name nor the palette's key.
            self._pixmaps.clear()
            self._strips.clear()
            self._hint_key = None
        super().changeEvent(event)


def _blank_pixmap(size: QSize, ratio: float) -> QPixmap:
    """A transparent pixmap of ``size`` logical pixels at the device pixel ``ratio``."""
    pixmap = QPixmap(QSize(round(size.width() * ratio), round(size.height() * ratio)))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    return pixmap


def _section_position(section: int, count: int) -> QStyleOptionHeader.SectionPosition:
    if count == 1:
        return _POSITION.OnlyOneSection
    if section == 0:
        return _POSITION.Beginning
    if section == count - 1:
        return _POSITION.End
    return _POSITION.Middle


def _selected_position(previous: bool, following: bool) -> QStyleOptionHeader.SelectedPosition:
    if previous and following:
        return _SELECTED_POSITION.NextAndPreviousAreSelected
    if previous:
        return _SELECTED_POSITION.PreviousIsSelected
    if following:
        return _SELECTED_POSITION.NextIsSelected
    return _SELECTED_POSITION.NotAdjacent
