"""Editors of pattern filters: alone, or sharing one field with their exact twin.

The contract refuses a pattern together with its exact twin, so the twins
share one field with a mode switch and only the active mode reaches the
filter state; what was typed in the other mode stays in its hidden field.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QComboBox, QLineEdit, QStackedWidget, QWidget

from cdrdesk.api.filters import FilterKind, FilterSpec
from cdrdesk.api.query import CdrQuery
from cdrdesk.api.timeranges import RelativeRange
from cdrdesk.ui.sidebar.base import FilterEditor, Reading
from cdrdesk.ui.sidebar.chips import ChipInput

EXACT_MODE = "Exact numbers"
PATTERN_MODE = "Pattern with *"


def _pattern_field(spec: FilterSpec) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(f"filter_{spec.name}")
    field.setAccessibleName(spec.label)
    field.setAccessibleDescription(spec.help)
    field.setPlaceholderText("e.g. +44*  or  *123*")
    field.setToolTip("* matches any run of characters; the pattern must match the whole value")
    field.setClearButtonEnabled(True)
    return field


class PatternEditor(FilterEditor):
    """A pattern filter without an exact twin."""

    def __init__(self, spec: FilterSpec, parent: QWidget | None = None) -> None:
        super().__init__((spec,), parent)
        self.spec = spec
        self.pattern = _pattern_field(spec)
        self.pattern.setObjectName(f"filter_{spec.name}_text")
        self.pattern.textChanged.connect(self._emit_changed)
        self.pattern.returnPressed.connect(self.submitRequested)
        self.title.setBuddy(self.pattern)
        self.body.addWidget(self.pattern)

    def read(self) -> Reading:
        reading = Reading()
        if self.pattern.text().strip():
            reading.values[self.spec.name] = self.pattern.text().strip()
        return reading

    def _load(self, query: CdrQuery, relative: Mapping[str, RelativeRange]) -> None:
        value = query.get(self.spec.name)
        if isinstance(value, str):
            self.pattern.setText(value)

    def clear(self) -> None:
        self.pattern.clear()

    def add_value(self, name: str, value: str) -> None:
        self.pattern.setText(value)

    def field_for(self, name: str) -> QWidget:
        return self.pattern


class ExactOrPatternEditor(FilterEditor):
    """Exact values (chips) or one pattern, for a multi-string filter and its pattern twin."""

    def __init__(self, exact: FilterSpec, pattern: FilterSpec, parent: QWidget | None = None):
        if exact.kind is not FilterKind.MULTI_STRING or pattern.kind is not FilterKind.PATTERN:
            raise TypeError(
                f"{exact.name} and {pattern.name} must be a multi-string filter and its pattern"
            )
        super().__init__((exact, pattern), parent)
        self.exact_spec, self.pattern_spec = exact, pattern
        self.mode = QComboBox()
        self.mode.setObjectName(f"filter_{exact.name}_mode")
        self.mode.setAccessibleName(f"{exact.label}: match")
        self.mode.addItems([EXACT_MODE, PATTERN_MODE])
        self.chips = ChipInput(self.objectName(), exact.label)
        self.pattern = _pattern_field(pattern)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.chips)
        self.stack.addWidget(self.pattern)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.chips.changed.connect(self._emit_changed)
        self.pattern.textChanged.connect(self._emit_changed)
        self.pattern.returnPressed.connect(self.submitRequested)
        self.title.setBuddy(self.mode)
        self.body.addWidget(self.mode)
        self.body.addWidget(self.stack)

    @property
    def pattern_mode(self) -> bool:
        return self.mode.currentIndex() == 1

    def set_pattern_mode(self, on: bool) -> None:
        self.mode.setCurrentIndex(1 if on else 0)

    def read(self) -> Reading:
        reading = Reading()
        if self.pattern_mode:
            if self.pattern.text().strip():
                reading.values[self.pattern_spec.name] = self.pattern.text().strip()
        elif self.chips.values():
            reading.values[self.exact_spec.name] = self.chips.values()
        return reading

    def _load(self, query: CdrQuery, relative: Mapping[str, RelativeRange]) -> None:
        exact = query.get(self.exact_spec.name)
        pattern = query.get(self.pattern_spec.name)
        if isinstance(exact, tuple):
            self.chips.set_values(exact)
        if isinstance(pattern, str):
            self.pattern.setText(pattern)
        self.set_pattern_mode(isinstance(pattern, str))

    def clear(self) -> None:
        self.chips.set_values(())
        self.pattern.clear()
        self.set_pattern_mode(False)

    def add_value(self, name: str, value: str) -> None:
        if name == self.pattern_spec.name:
            self.pattern.setText(value)
            self.set_pattern_mode(True)
        else:
            self.set_pattern_mode(False)
            self.chips.add_values([value])

    def field_for(self, name: str) -> QWidget:
        return self.pattern if self.pattern_mode else self.chips.entry

    def commit_pending(self) -> None:
        if not self.pattern_mode:
            self.chips.commit_pending()

    def _mode_changed(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self._emit_changed()
