"""Editor of a number range filter (durations, score).

Min maps to ``gte`` and Max to ``lte`` (both inclusive, which is what "from
10 to 60 seconds" means to a reader); the operator beside each field can
make a bound strict (``gt``/``lt``). An empty field is unbounded. "Exact
value" sends the plain ``name=value`` form instead of bounds.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from cdrdesk.api.filters import FilterKind, FilterSpec
from cdrdesk.api.query import CdrQuery, RangeValue, Scalar, format_scalar, parse_scalar
from cdrdesk.api.timeranges import RelativeRange
from cdrdesk.ui.sidebar.base import FieldProblem, FilterEditor, Reading
from cdrdesk.ui.sidebar.bounds import lower_bound, upper_bound

LOWER_OPERATORS = (("≥", "gte"), (">", "gt"))
UPPER_OPERATORS = (("≤", "lte"), ("<", "lt"))


def operator_combo(
    object_name: str, label: str, operators: tuple[tuple[str, str], ...]
) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(object_name)
    combo.setAccessibleName(label)
    for text, op in operators:
        combo.addItem(text, op)
    combo.setToolTip(" / ".join(f"{text} = {op}" for text, op in operators))
    return combo


def set_operator(combo: QComboBox, op: str) -> None:
    combo.setCurrentIndex(max(0, combo.findData(op)))


class RangeEditor(FilterEditor):
    """Min/max (or an exact value) typed as text and checked with ``parse_scalar``."""

    def __init__(self, spec: FilterSpec, parent: QWidget | None = None) -> None:
        if spec.kind not in (FilterKind.INTEGER_RANGE, FilterKind.NUMBER_RANGE):
            raise TypeError(f"{spec.name} is not a number range filter")
        super().__init__((spec,), parent)
        self.spec = spec
        base = self.objectName()
        hint = "whole number" if spec.kind is FilterKind.INTEGER_RANGE else "number, e.g. 3.5"
        self.exact_mode = QCheckBox("Exact value")
        self.exact_mode.setObjectName(f"{base}_exact_mode")
        self.exact_mode.setAccessibleName(f"{spec.label}: exact value")
        self.min_op = operator_combo(f"{base}_min_op", f"{spec.label}: minimum is", LOWER_OPERATORS)
        self.max_op = operator_combo(f"{base}_max_op", f"{spec.label}: maximum is", UPPER_OPERATORS)
        self.min = self._field(f"{base}_min", f"{spec.label}: minimum", f"Min ({hint})")
        self.max = self._field(f"{base}_max", f"{spec.label}: maximum", f"Max ({hint})")
        self.exact = self._field(f"{base}_exact", f"{spec.label}: exact value", hint)

        self.bounds = QWidget()
        grid = QGridLayout(self.bounds)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel("Min"), 0, 0)
        grid.addWidget(self.min_op, 0, 1)
        grid.addWidget(self.min, 0, 2)
        grid.addWidget(QLabel("Max"), 1, 0)
        grid.addWidget(self.max_op, 1, 1)
        grid.addWidget(self.max, 1, 2)
        grid.setColumnStretch(2, 1)
        self.exact.hide()
        self.title.setBuddy(self.min)
        self.body.addWidget(self.exact_mode)
        self.body.addWidget(self.bounds)
        self.body.addWidget(self.exact)
        self.exact_mode.toggled.connect(self._mode_changed)
        self.min_op.currentIndexChanged.connect(self._emit_changed)
        self.max_op.currentIndexChanged.connect(self._emit_changed)

    def _field(self, object_name: str, accessible: str, placeholder: str) -> QLineEdit:
        field = QLineEdit()
        field.setObjectName(object_name)
        field.setAccessibleName(accessible)
        field.setPlaceholderText(placeholder)
        field.setClearButtonEnabled(True)
        field.textChanged.connect(self._emit_changed)
        field.returnPressed.connect(self.submitRequested)
        return field

    def read(self) -> Reading:
        reading = Reading()
        bounds: dict[str, Scalar] = {}
        if self.exact_mode.isChecked():
            fields = [("exact", self.exact, "")]
        else:
            fields = [
                (str(self.min_op.currentData()), self.min, "Min: "),
                (str(self.max_op.currentData()), self.max, "Max: "),
            ]
        for op, field, prefix in fields:
            text = field.text().strip()
            if not text:
                continue
            try:
                bounds[op] = parse_scalar(self.spec, text)
            except ValueError as exc:
                reading.problems.append(FieldProblem(self.spec.name, field, f"{prefix}{exc}"))
        value = RangeValue(**bounds)
        if not value.is_empty:
            reading.values[self.spec.name] = value
        return reading

    def _load(self, query: CdrQuery, relative: Mapping[str, RelativeRange]) -> None:
        value = query.get(self.spec.name)
        if not isinstance(value, RangeValue):
            return
        if value.exact is not None:
            self.exact_mode.setChecked(True)
            self.exact.setText(format_scalar(self.spec, value.exact))
            return
        for bound, combo, field in (
            (lower_bound(value), self.min_op, self.min),
            (upper_bound(value), self.max_op, self.max),
        ):
            if bound is not None:
                set_operator(combo, bound[0])
                field.setText(format_scalar(self.spec, bound[1]))

    def clear(self) -> None:
        self.exact_mode.setChecked(False)
        for field in (self.min, self.max, self.exact):
            field.clear()
        set_operator(self.min_op, "gte")
        set_operator(self.max_op, "lte")

    def add_value(self, name: str, value: str) -> None:
        self.exact_mode.setChecked(True)
        self.exact.setText(value.strip())

    def field_for(self, name: str) -> QWidget:
        if self.exact_mode.isChecked():
            return self.exact
        return self.max if self.min.text().strip() == "" and self.max.text().strip() else self.min

    def _mode_changed(self, exact: bool) -> None:
        self.bounds.setVisible(not exact)
        self.exact.setVisible(exact)
        self._emit_changed()
