"""Editor of a time range filter: quick relative choices, a custom range or an exact time.

A quick choice ("Last 7 days") stays relative in the filter state and is
resolved only when a request is made. A custom range's "From" maps to
``gte`` and "Until" to ``lt`` (the quick choices use the same half-open
form, so "until 2026-11-30 00:00:00" does not take in that midnight); the
operator beside each field can change that. Times are read in the display
zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta, tzinfo

from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QWidget

from cdrdesk.api.filters import FilterKind, FilterSpec
from cdrdesk.api.query import CdrQuery, RangeValue, Scalar, parse_time
from cdrdesk.api.timeranges import RelativeRange
from cdrdesk.ui.sidebar.base import FieldProblem, FilterEditor, Reading
from cdrdesk.ui.sidebar.bounds import lower_bound, upper_bound
from cdrdesk.ui.sidebar.moment_edit import MomentEdit, wall_time_to_moment
from cdrdesk.ui.sidebar.range_editor import operator_combo, set_operator

ANY_TIME = "any"
CUSTOM = "custom"
EXACT = "exact"
LOWER_OPERATORS = (("≥ at or after", "gte"), ("> after", "gt"))
UPPER_OPERATORS = (("< before", "lt"), ("≤ at or before", "lte"))


class TimeRangeEditor(FilterEditor):
    def __init__(self, spec: FilterSpec, zone: tzinfo, parent: QWidget | None = None) -> None:
        if spec.kind is not FilterKind.TIME_RANGE:
            raise TypeError(f"{spec.name} is not a time filter")
        super().__init__((spec,), parent)
        self.spec = spec
        self._zone = zone
        self._value_problem: str | None = None
        base = self.objectName()
        self.choice = QComboBox()
        self.choice.setObjectName(f"{base}_choice")
        self.choice.setAccessibleName(f"{spec.label}: period")
        self.choice.addItem("Any time", ANY_TIME)
        for relative in RelativeRange:
            self.choice.addItem(relative.label, relative)
        self.choice.addItem("Custom range", CUSTOM)
        self.choice.addItem("Exact time", EXACT)
        self.title.setBuddy(self.choice)

        self.from_enabled = QCheckBox("From")
        self.from_enabled.setObjectName(f"{base}_from_enabled")
        self.from_enabled.setAccessibleName(f"{spec.label}: use a start")
        self.from_op = operator_combo(f"{base}_from_op", f"{spec.label}: start is", LOWER_OPERATORS)
        self.from_edit = self._moment_edit(f"{base}_from", f"{spec.label}: from")
        self.to_enabled = QCheckBox("Until")
        self.to_enabled.setObjectName(f"{base}_to_enabled")
        self.to_enabled.setAccessibleName(f"{spec.label}: use an end")
        self.to_op = operator_combo(f"{base}_to_op", f"{spec.label}: end is", UPPER_OPERATORS)
        self.to_edit = self._moment_edit(f"{base}_to", f"{spec.label}: until")
        self.exact_edit = self._moment_edit(f"{base}_exact", f"{spec.label}: exact time")

        self.custom = QWidget()
        grid = QGridLayout(self.custom)
        grid.setContentsMargins(0, 0, 0, 0)
        for row, (enabled, op, edit) in enumerate(
            ((self.from_enabled, self.from_op, self.from_edit),
             (self.to_enabled, self.to_op, self.to_edit))
        ):  # fmt: skip
            grid.addWidget(enabled, 2 * row, 0)
            grid.addWidget(op, 2 * row, 1)
            grid.addWidget(edit, 2 * row + 1, 0, 1, 2)
            enabled.toggled.connect(edit.setEnabled)
            enabled.toggled.connect(op.setEnabled)
            enabled.toggled.connect(self._emit_changed)
            op.currentIndexChanged.connect(self._emit_changed)
        self.body.addWidget(self.choice)
        self.body.addWidget(self.custom)
        self.body.addWidget(self.exact_edit)
        self.choice.currentIndexChanged.connect(self._choice_changed)
        self.clear()

    def _moment_edit(self, object_name: str, accessible: str) -> MomentEdit:
        edit = MomentEdit(self._zone)
        edit.setObjectName(object_name)
        edit.setAccessibleName(accessible)
        edit.edited.connect(self._edited)
        return edit

    def current_choice(self) -> str | RelativeRange:
        data = self.choice.currentData()
        return data if isinstance(data, RelativeRange) else str(data)

    def set_choice(self, choice: str | RelativeRange) -> None:
        self.choice.setCurrentIndex(self.choice.findData(choice))

    def read(self) -> Reading:
        reading = Reading()
        choice = self.current_choice()
        name = self.spec.name
        if isinstance(choice, RelativeRange):
            reading.relative[name] = choice
        elif choice == EXACT:
            if self._value_problem is not None:
                reading.problems.append(FieldProblem(name, self.exact_edit, self._value_problem))
            else:
                reading.values[name] = RangeValue(exact=self.exact_edit.moment())
        elif choice == CUSTOM:
            bounds: dict[str, Scalar] = {}
            if self.from_enabled.isChecked():
                bounds[str(self.from_op.currentData())] = self.from_edit.moment()
            if self.to_enabled.isChecked():
                bounds[str(self.to_op.currentData())] = self.to_edit.moment()
            if bounds:
                reading.values[name] = RangeValue(**bounds)
        return reading

    def _load(self, query: CdrQuery, relative: Mapping[str, RelativeRange]) -> None:
        if self.spec.name in relative:
            self.set_choice(relative[self.spec.name])
            return
        value = query.get(self.spec.name)
        if not isinstance(value, RangeValue):
            return
        if isinstance(value.exact, datetime):
            self._set_exact(value.exact)
            return
        self.set_choice(CUSTOM)
        for bound, enabled, combo, edit in (
            (lower_bound(value), self.from_enabled, self.from_op, self.from_edit),
            (upper_bound(value), self.to_enabled, self.to_op, self.to_edit),
        ):
            enabled.setChecked(bound is not None)
            if bound is not None and isinstance(bound[1], datetime):
                set_operator(combo, bound[0])
                edit.set_moment(bound[1])

    def clear(self) -> None:
        self._value_problem = None
        self.set_choice(ANY_TIME)
        midnight = wall_time_to_moment(
            datetime.combine(datetime.now(UTC).astimezone(self._zone).date(), time()), self._zone
        )
        self.from_edit.set_moment(midnight)
        self.to_edit.set_moment(midnight + timedelta(days=1))
        self.exact_edit.set_moment(datetime.now(UTC).replace(microsecond=0))
        set_operator(self.from_op, "gte")
        set_operator(self.to_op, "lt")
        self.from_enabled.setChecked(True)
        self.to_enabled.setChecked(True)
        self._choice_changed()

    def add_value(self, name: str, value: str) -> None:
        try:
            moment = parse_time(value.strip())
        except ValueError as exc:
            self.set_choice(EXACT)
            self._value_problem = f"cannot filter by this value: {exc}"
            self._emit_changed()
            return
        self._set_exact(moment)

    def field_for(self, name: str) -> QWidget:
        choice = self.current_choice()
        if choice == EXACT:
            return self.exact_edit
        if choice == CUSTOM:
            return self.from_edit if self.from_enabled.isChecked() else self.to_edit
        return self.choice

    def set_display_zone(self, zone: object) -> None:
        if not isinstance(zone, tzinfo):
            raise TypeError("the display zone must be a tzinfo")
        self._zone = zone
        for edit in (self.from_edit, self.to_edit, self.exact_edit):
            edit.set_zone(zone)

    def _set_exact(self, moment: datetime) -> None:
        self._value_problem = None
        self.exact_edit.set_moment(moment)
        self.set_choice(EXACT)
        self._emit_changed()

    def _edited(self) -> None:
        self._value_problem = None
        self._emit_changed()

    def _choice_changed(self) -> None:
        choice = self.current_choice()
        self.custom.setVisible(choice == CUSTOM)
        self.exact_edit.setVisible(choice == EXACT)
        self._emit_changed()
