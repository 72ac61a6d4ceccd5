"""Every field of the current record, grouped, with its call phases drawn to scale.

The table shows a dozen columns; the pane shows the whole record, including
fields this version does not know (under "Other"), so nothing the server
sent is out of reach. Values are formatted as in the table; "Copy as JSON"
gives the record exactly as received.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from cdrdesk.api.records import COLUMNS, COLUMNS_BY_KEY, ColumnKind, ColumnSpec, flatten
from cdrdesk.ui.formatting import format_cell
from cdrdesk.ui.segment_bar import SegmentBar

GROUP_ORDER = ("Record", "Numbers", "People and routing", "Outcome", "Durations", "Channels")
OTHER_GROUP = "Other"
EMPTY_VALUE = "—"
_CHIP_STYLE = (
    "QLabel { border: 1px solid palette(mid); border-radius: 8px; padding: 1px 7px;"
    " background: palette(alternate-base); }"
)


def record_json(record: Mapping[str, Any]) -> str:
    """The record as received, pretty-printed; key order is the server's."""
    return json.dumps(record, indent=2, ensure_ascii=False)


def _value_label(parent: QWidget | None, name: str, accessible: str) -> QLabel:
    """A value that wraps at spaces; a long unbroken one (an ID, a URL) is clipped, not
    allowed to widen the pane, and its tooltip has it whole."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


def _other_text(value: Any) -> str:
    if value is None:
        return EMPTY_VALUE
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


class _Chips(QWidget):
    """Event tags as separate rounded labels, so each reads as one tag."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._layout.addStretch(1)
        self.tags: list[str] = []

    def set_tags(self, tags: list[str]) -> None:
        while self._layout.count() > 1:
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.tags = list(tags)
        for position, tag in enumerate(self.tags or [EMPTY_VALUE]):
            chip = QLabel(tag, self)
            if self.tags:
                chip.setStyleSheet(_CHIP_STYLE)
                chip.setObjectName(f"event_tag_chip_{position}")
            chip.setAccessibleName(f"Event tag {tag}" if self.tags else "No event tags")
            self._layout.insertWidget(position, chip)
        self.setAccessibleDescription(", ".join(self.tags) or "no event tags")


class DetailPane(QWidget):
    """The current record in full; ``set_record(None)`` shows a hint instead."""

    jsonCopied = Signal(str)

    def __init__(self, zone: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detail_pane")
        self.setAccessibleName("Record detail")
        self._zone = zone
        self._record: dict[str, Any] | None = None
        self._values: dict[str, QLabel] = {}
        self._rows: dict[str, tuple[QFormLayout, QWidget]] = {}
        self._groups: dict[str, QGroupBox] = {}
        self._present: set[str] = set()

        self._title = QLabel(self)
        self._title.setObjectName("detail_title")
        self._title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._title.setWordWrap(True)
        self._title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._copy = QPushButton("Copy as JSON", self)
        self._copy.setObjectName("copy_json")
        self._copy.setAccessibleName("Copy record as JSON")
        self._copy.setToolTip("Copy the record as received from the server, as JSON")
        self._copy.clicked.connect(self.copy_as_json)
        header = QHBoxLayout()
        header.addWidget(self._title, 1)
        header.addWidget(self._copy)

        self._hint = QLabel("Select a record to see all its fields.", self)
        self._hint.setObjectName("detail_hint")
        self._hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._hint.setWordWrap(True)

        body = QWidget()
        self._body_layout = QVBoxLayout(body)
        self._segments = SegmentBar(body)
        self._chips = _Chips(body)
        self._build_groups(body)
        self._other_form = self._add_group(body, OTHER_GROUP)
        self._body_layout.addStretch(1)
        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setWidget(body)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self._hint)
        layout.addWidget(self._scroll, 1)
        self.set_record(None)

    def _add_group(self, body: QWidget, name: str) -> QFormLayout:
        box = QGroupBox(name, body)
        box.setObjectName(f"detail_group_{name.lower().replace(' ', '_')}")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._groups[name] = box
        self._body_layout.addWidget(box)
        return form

    def _build_groups(self, body: QWidget) -> None:
        forms = {name: self._add_group(body, name) for name in GROUP_ORDER}
        forms["Durations"].addRow(self._segments)
        for column in COLUMNS:
            form = forms.get(column.group) or forms["Record"]
            widget: QWidget
            if column.kind is ColumnKind.LIST and column.key == "event_tags":
                widget = self._chips
            else:
                label = _value_label(body, f"detail_{column.key}", column.label)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
                if column.kind is ColumnKind.URL:
                    label.setTextFormat(Qt.TextFormat.RichText)
                    label.setOpenExternalLinks(True)
                else:
                    label.setTextFormat(Qt.TextFormat.PlainText)
                self._values[column.key] = label
                widget = label
            form.addRow(f"{column.label}:", widget)
            self._rows[column.key] = (form, widget)

    @property
    def record(self) -> dict[str, Any] | None:
        return self._record

    def value_text(self, key: str) -> str | None:
        """The text shown for a known field, or None when its row is hidden."""
        if key not in self._present:
            return None
        if key == "event_tags":
            return ", ".join(self._chips.tags)
        return self._values[key].text()

    def other_fields(self) -> dict[str, str]:
        """Unknown fields as shown under "Other"."""
        shown: dict[str, str] = {}
        for row in range(self._other_form.rowCount()):
            label = self._other_form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = self._other_form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label is None or field is None:
                continue
            name, value = label.widget(), field.widget()
            if isinstance(name, QLabel) and isinstance(value, QLabel):
                shown[name.text().removesuffix(":")] = value.text()
        return shown

    def set_display_zone(self, zone: tzinfo) -> None:
        self._zone = zone
        self.set_record(self._record)

    def set_record(self, record: Mapping[str, Any] | None) -> None:
        self._record = dict(record) if record is not None else None
        self._hint.setVisible(record is None)
        self._scroll.setVisible(record is not None)
        self._copy.setEnabled(record is not None)
        while self._other_form.rowCount():
            self._other_form.removeRow(0)
        if record is None:
            self._title.setText("")
            self._present = set()
            return
        flat = flatten(record)
        self._title.setText(
            " · ".join(str(flat[key]) for key in ("type", "subtype") if flat.get(key))
        )
        self._present = {column.key for column in COLUMNS if column.key in flat}
        for column in COLUMNS:
            form, widget = self._rows[column.key]
            form.setRowVisible(widget, column.key in self._present)
            if column.key in self._present:
                self._show_value(column, flat[column.key])
        self._segments.set_record(flat)
        form = self._rows["duration"][0]
        form.setRowVisible(self._segments, bool(self._segments.segments))
        self._show_groups(self._present)
        for key, value in flat.items():
            if key in COLUMNS_BY_KEY:
                continue
            label = _value_label(None, f"detail_other_{key}", key)
            label.setText(_other_text(value))
            label.setToolTip(label.text())
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._other_form.addRow(f"{key}:", label)
        self._groups[OTHER_GROUP].setVisible(self._other_form.rowCount() > 0)

    def _show_groups(self, present: set[str]) -> None:
        for name in GROUP_ORDER:
            shown = any(column.group == name and column.key in present for column in COLUMNS)
            self._groups[name].setVisible(shown)

    def _show_value(self, column: ColumnSpec, value: Any) -> None:
        if column.key == "event_tags":
            tags = [str(tag) for tag in value] if isinstance(value, list) else []
            if value is not None and not isinstance(value, list):
                tags = [str(value)]
            self._chips.set_tags(tags)
            return
        label = self._values[column.key]
        if column.kind is ColumnKind.URL:
            if isinstance(value, str) and value:
                link = html.escape(value, quote=True)
                label.setText(f'<a href="{link}">{html.escape(value)}</a>')
                label.setToolTip(value)
            else:
                label.setText(EMPTY_VALUE)
                label.setToolTip("")
            return
        text = format_cell(column, value, self._zone) if value is not None else ""
        label.setText(text or EMPTY_VALUE)
        label.setToolTip(text)

    def copy_as_json(self) -> str:
        """Put the record as received on the clipboard; returns the text copied."""
        if self._record is None:
            return ""
        text = record_json(self._record)
        QGuiApplication.clipboard().setText(text)
        self.jsonCopied.emit(text)
        return text
