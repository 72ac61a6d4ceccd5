"""A call's phases (dialing, IVR, queue, talk, hold) as one bar drawn to scale.

Reading five durations as numbers hides where a call's time went; one bar
with a colour per phase shows it at a glance. The legend repeats the
numbers, and each part of the bar has a tooltip, so nothing depends on
telling colours apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from cdrdesk.api.records import COLUMNS_BY_KEY, SEGMENT_FIELDS
from cdrdesk.ui.formatting import format_duration

SEGMENT_COLOURS: dict[str, str] = {
    "dialing_duration": "#7f8c9a",
    "ivr_duration": "#8e6cc1",
    "queue_duration": "#e69138",
    "talk_duration": "#3c9d5d",
    "hold_duration": "#c94f4f",
}


@dataclass(frozen=True, slots=True)
class Segment:
    key: str
    label: str
    seconds: int
    colour: str


def segments_of(flat: Mapping[str, Any]) -> list[Segment]:
    """The phases a record reports, in call order; missing or null phases are left out."""
    found: list[Segment] = []
    for key in SEGMENT_FIELDS:
        value = flat.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            continue
        found.append(Segment(key, COLUMNS_BY_KEY[key].label, int(value), SEGMENT_COLOURS[key]))
    return found


class _Bar(QWidget):
    """The painted bar; its width stands for ``span`` seconds."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._segments: list[Segment] = []
        self._span = 0
        self.setMinimumHeight(18)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_segments(self, segments: list[Segment], span: int) -> None:
        self._segments = segments
        self._span = span
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(240, 18)

    def _rects(self) -> list[tuple[Segment, QRectF]]:
        if self._span <= 0:
            return []
        width = float(self.width())
        x = 0.0
        rects: list[tuple[Segment, QRectF]] = []
        for segment in self._segments:
            part = width * segment.seconds / self._span
            rects.append((segment, QRectF(x, 0.0, part, float(self.height()))))
            x += part
        return rects

    def segment_at(self, point: QPoint) -> Segment | None:
        for segment, rect in self._rects():
            if rect.left() <= point.x() < rect.right():
                return segment
        return None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.AlternateBase))
        for segment, rect in self._rects():
            painter.fillRect(rect, QColor(segment.colour))
        painter.setPen(self.palette().color(QPalette.ColorRole.Mid))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()

    def event(self, event: QEvent) -> bool:
        if event.type() is QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            segment = self.segment_at(event.pos())
            if segment is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), _describe(segment, self._span), self)
            return True
        return super().event(event)


def _describe(segment: Segment, span: int) -> str:
    share = f" ({100 * segment.seconds / span:.0f}%)" if span else ""
    return f"{segment.label}: {format_duration(segment.seconds)}{share}"


class SegmentBar(QWidget):
    """The bar and its legend; empty (and hidden by the pane) for records without phases."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("segment_bar")
        self.setAccessibleName("Call segments")
        self._bar = _Bar(self)
        self._legend = QLabel(self)
        self._legend.setWordWrap(True)
        self._legend.setTextFormat(Qt.TextFormat.RichText)
        self._legend.setObjectName("segment_legend")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self._bar)
        layout.addWidget(self._legend)
        self._segments: list[Segment] = []

    @property
    def segments(self) -> list[Segment]:
        return list(self._segments)

    def segment_at(self, x: int) -> Segment | None:
        """The phase drawn at ``x`` pixels from the bar's left edge."""
        return self._bar.segment_at(QPoint(x, 0))

    def set_record(self, flat: Mapping[str, Any]) -> None:
        """Show the phases of a flattened record; the scale is the longer of total and sum."""
        self._segments = segments_of(flat)
        total = flat.get("duration")
        summed = sum(segment.seconds for segment in self._segments)
        span = max(summed, int(total) if isinstance(total, int | float) else 0)
        self._bar.set_segments(self._segments, span)
        self._bar.setToolTip("")
        items = [
            f'<span style="color:{segment.colour}">&#9632;</span>&nbsp;'
            f"{segment.label.replace(' ', '&nbsp;')}&nbsp;{format_duration(segment.seconds)}"
            for segment in self._segments
        ]
        self._legend.setText(" &nbsp; ".join(items))
        summary = ", ".join(_describe(segment, span) for segment in self._segments)
        self.setAccessibleDescription(summary or "no call segments")
