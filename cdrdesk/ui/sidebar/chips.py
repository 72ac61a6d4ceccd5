"""A field of removable chips, one per value, for filters that take many values.

Splitting rule (the contract never splits at commas, so a value such as
``Korea, Republic of`` is legal): text of several lines gives one value per
line, commas kept; a single line is split at commas, and double quotes keep
a comma inside a value (``"Korea, Republic of", France``).
"""

from __future__ import annotations

import csv

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from superqt import QFlowLayout


def split_values(text: str) -> list[str]:
    """The values a typed or pasted text stands for, stripped, empty ones dropped."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) != 1:
        return lines
    row = next(csv.reader([lines[0]], skipinitialspace=True))
    return [value.strip() for value in row if value.strip()]


class _ChipEntry(QLineEdit):
    """The typing field: Enter and paste turn text into chips, Backspace removes the last."""

    submitted = Signal()
    pasted = Signal(str)
    backspaceOnEmpty = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            text = QGuiApplication.clipboard().text()
            if "\n" in text or "," in text:
                self.pasted.emit(text)
                return
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            if self.text().strip():
                self.submitted.emit()
                return
        elif event.key() == Qt.Key.Key_Backspace and not self.text():
            self.backspaceOnEmpty.emit()
            return
        super().keyPressEvent(event)


class Chip(QFrame):
    """One value with a × button that removes it."""

    removeRequested = Signal(str)

    def __init__(self, value: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.value = value
        self.setObjectName("chip")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(value)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.setSpacing(2)
        label = QLabel(value)
        label.setTextFormat(Qt.TextFormat.PlainText)
        self.remove_button = QToolButton()
        self.remove_button.setText("×")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.remove_button.setAccessibleName(f"Remove {value}")
        self.remove_button.setToolTip(f"Remove {value}")
        self.remove_button.clicked.connect(lambda: self.removeRequested.emit(self.value))
        layout.addWidget(label)
        layout.addWidget(self.remove_button)


class ChipInput(QWidget):
    """Chips above a line edit; ``values()`` also counts text typed but not yet entered."""

    changed = Signal()

    def __init__(self, object_name: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._chips: list[Chip] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.chip_area = QWidget()
        self.chip_area.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._flow = QFlowLayout(self.chip_area)
        self._flow.setContentsMargins(0, 0, 0, 0)
        self.chip_area.hide()
        self.entry = _ChipEntry()
        self.entry.setObjectName(f"{object_name}_entry")
        self.entry.setAccessibleName(f"{label}: add values")
        self.entry.setPlaceholderText("Type and press Enter; paste many")
        self.entry.setClearButtonEnabled(True)
        self.entry.setToolTip(
            "Enter adds the text as values: commas separate values (quote a value that "
            "holds a comma); pasted lines give one value each."
        )
        self.entry.submitted.connect(self.commit_pending)
        self.entry.pasted.connect(self._add_pasted)
        self.entry.backspaceOnEmpty.connect(self._remove_last)
        self.entry.textChanged.connect(self._text_changed)
        layout.addWidget(self.chip_area)
        layout.addWidget(self.entry)

    def chips(self) -> tuple[str, ...]:
        return tuple(chip.value for chip in self._chips)

    def values(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.chips(), *split_values(self.entry.text()))))

    def chip_widgets(self) -> list[Chip]:
        return list(self._chips)

    def set_values(self, values: tuple[str, ...]) -> None:
        for chip in self._chips:
            self._flow.removeWidget(chip)
            chip.deleteLater()
        self._chips = []
        self.entry.blockSignals(True)
        self.entry.clear()
        self.entry.blockSignals(False)
        self._append(values)
        self.changed.emit()

    def add_values(self, values: list[str] | tuple[str, ...]) -> None:
        if self._append(values):
            self.changed.emit()

    def remove_value(self, value: str) -> None:
        for index, chip in enumerate(self._chips):
            if chip.value == value:
                self._flow.removeWidget(chip)
                chip.deleteLater()
                del self._chips[index]
                self.chip_area.setVisible(bool(self._chips))
                self.entry.setFocus()
                self.changed.emit()
                return

    def commit_pending(self) -> None:
        """Turn the typed text into chips."""
        text = self.entry.text()
        if not text.strip():
            return
        self.entry.blockSignals(True)
        self.entry.clear()
        self.entry.blockSignals(False)
        self._append(split_values(text))
        self.changed.emit()

    def _add_pasted(self, text: str) -> None:
        self.entry.insert(text)
        self.commit_pending()

    def _text_changed(self, text: str) -> None:
        if "\n" in text or "\r" in text:
            self.commit_pending()
        else:
            self.changed.emit()

    def _remove_last(self) -> None:
        if self._chips:
            self.remove_value(self._chips[-1].value)

    def _append(self, values: list[str] | tuple[str, ...]) -> bool:
        present = set(self.chips())
        added = False
        for value in values:
            if value in present:
                continue
            present.add(value)
            chip = Chip(value)
            chip.removeRequested.connect(self.remove_value)
            self._chips.append(chip)
            self._flow.addWidget(chip)
            added = True
        self.chip_area.setVisible(bool(self._chips))
        return added
