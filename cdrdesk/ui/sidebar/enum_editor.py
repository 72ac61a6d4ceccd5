"""Editor of an enum filter: a checkable list of the known values plus any others.

None checked means any value. The vendor adds values, so a value that is not
in the table can be typed in; it is kept, shown as it is and flagged.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QWidget,
)

from cdrdesk.api.filters import FilterSpec
from cdrdesk.api.query import CdrQuery
from cdrdesk.api.timeranges import RelativeRange
from cdrdesk.ui.sidebar.base import FilterEditor, Reading

VALUE_ROLE = Qt.ItemDataRole.UserRole


class EnumEditor(FilterEditor):
    def __init__(self, spec: FilterSpec, parent: QWidget | None = None) -> None:
        super().__init__((spec,), parent)
        self.spec = spec
        self._checked: list[str] = []  # in the order they were checked, so round trips are exact
        self.list = QListWidget()
        self.list.setObjectName(f"filter_{spec.name}_list")
        self.list.setAccessibleName(f"{spec.label}: values")
        self.list.setAccessibleDescription(f"{spec.help}. None checked means any.")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for value in spec.known_values:
            self._add_item(value, known=True)
        self.list.itemChanged.connect(self._item_changed)
        self.title.setBuddy(self.list)

        self.other = QLineEdit()
        self.other.setObjectName(f"filter_{spec.name}_other")
        self.other.setPlaceholderText("Other value…")
        self.other.setAccessibleName(f"{spec.label}: other value")
        self.other.setToolTip("A value not in the list; Enter adds and checks it")
        self.other.returnPressed.connect(self.commit_pending)
        add = QPushButton("Add")
        add.setObjectName(f"filter_{spec.name}_add")
        add.setAccessibleName(f"Add other {spec.label} value")
        add.clicked.connect(self.commit_pending)
        row = QHBoxLayout()
        row.addWidget(self.other, 1)
        row.addWidget(add)
        self.body.addWidget(self.list)
        self.body.addLayout(row)
        self._fit_height()

    def checked(self) -> tuple[str, ...]:
        return tuple(self._checked)

    def item(self, value: str) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(VALUE_ROLE) == value:
                return item
        return None

    def set_checked(self, value: str, checked: bool = True) -> None:
        item = self.item(value) or self._add_item(value, known=value in self.spec.known_values)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def read(self) -> Reading:
        reading = Reading()
        if self._checked:
            reading.values[self.spec.name] = tuple(self._checked)
        return reading

    def _load(self, query: CdrQuery, relative: Mapping[str, RelativeRange]) -> None:
        value = query.get(self.spec.name)
        if isinstance(value, tuple):
            for item_value in value:
                self.set_checked(item_value)

    def clear(self) -> None:
        self.other.clear()
        for row in reversed(range(self.list.count())):
            item = self.list.item(row)
            if item.data(VALUE_ROLE) not in self.spec.known_values:
                self.list.takeItem(row)
            else:
                item.setCheckState(Qt.CheckState.Unchecked)
        self._checked = []
        self._fit_height()
        self._emit_changed()

    def add_value(self, name: str, value: str) -> None:
        if value.strip():
            self.set_checked(value)

    def field_for(self, name: str) -> QWidget:
        return self.list

    def commit_pending(self) -> None:
        text = self.other.text().strip()
        if text:
            self.other.clear()
            self.set_checked(text)

    def _add_item(self, value: str, *, known: bool) -> QListWidgetItem:
        item = QListWidgetItem(value if known else f"{value} (unknown)")
        item.setData(VALUE_ROLE, value)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        if not known:
            item.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
            item.setToolTip(f"{value!r} is not a value cdrdesk knows; the server may refuse it")
        self.list.addItem(item)
        self._fit_height()
        return item

    def _item_changed(self, item: QListWidgetItem) -> None:
        value = str(item.data(VALUE_ROLE))
        checked = item.checkState() == Qt.CheckState.Checked
        if checked and value not in self._checked:
            self._checked.append(value)
        elif not checked and value in self._checked:
            self._checked.remove(value)
        else:
            return
        self._emit_changed()

    def _fit_height(self) -> None:
        """Show every value: the list grows instead of scrolling inside the sidebar."""
        rows = sum(self.list.sizeHintForRow(row) for row in range(self.list.count()))
        self.list.setFixedHeight(rows + 2 * self.list.frameWidth() + 2)
