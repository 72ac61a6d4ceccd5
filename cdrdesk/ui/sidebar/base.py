"""What every generated filter editor offers the sidebar.

An editor owns one filter, or a pair of exclusive twins, and turns its
widgets into filter values. The sidebar validates the whole query and hands
each editor the problems that concern it, so messages appear beside the
field they are about.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from cdrdesk.api.filters import FilterSpec
from cdrdesk.api.query import AnyFilterValue, CdrQuery
from cdrdesk.api.timeranges import RelativeRange

ERROR_COLOR = "#d32f2f"
WARNING_COLOR = "#b26a00"
INVALID_STYLE = f'*[invalid="true"] {{ border: 1px solid {ERROR_COLOR}; }}'


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """A message about filter ``name`` shown beside ``field``."""

    name: str
    field: QWidget
    message: str


@dataclass(slots=True)
class Reading:
    """What an editor's widgets say: filter values, relative ranges and input problems."""

    values: dict[str, AnyFilterValue] = field(default_factory=dict)
    relative: dict[str, RelativeRange] = field(default_factory=dict)
    problems: list[FieldProblem] = field(default_factory=list)


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    """Give a field the red border of :data:`INVALID_STYLE` (or take it away)."""
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class FilterEditor(QWidget):
    """Base of the editors; subclasses fill ``body`` and implement the value methods."""

    changed = Signal()
    submitRequested = Signal()  # Enter in a single-value field: apply, as a form would

    def __init__(self, specs: tuple[FilterSpec, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.specs = specs
        primary = specs[0]
        self.setObjectName(f"filter_{primary.name}")
        self.setAccessibleName(primary.label)
        self.setAccessibleDescription(primary.help)
        self.setToolTip(primary.help)
        self._marked: list[QWidget] = []
        self._loading = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(2)
        self.title = QLabel(primary.label)
        self.title.setObjectName(f"filter_{primary.name}_label")
        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(2)
        self.error_label = _message_label(f"filter_{primary.name}_errors", ERROR_COLOR)
        self.warning_label = _message_label(f"filter_{primary.name}_warnings", WARNING_COLOR)
        layout.addWidget(self.title)
        layout.addLayout(self.body)
        layout.addWidget(self.error_label)
        layout.addWidget(self.warning_label)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.specs)

    def read(self) -> Reading:
        raise NotImplementedError

    def load(self, query: CdrQuery, relative: Mapping[str, RelativeRange]) -> None:
        """Show the filters of ``query``/``relative`` that this editor owns."""
        self._loading = True
        try:
            self.clear()
            self._load(query, relative)
        finally:
            self._loading = False

    def _load(self, query: CdrQuery, relative: Mapping[str, RelativeRange]) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def add_value(self, name: str, value: str) -> None:
        """Narrow filter ``name`` to ``value`` ("Filter by this value")."""
        raise NotImplementedError

    def field_for(self, name: str) -> QWidget:
        """The input that problems of filter ``name`` point at and focus goes to."""
        raise NotImplementedError

    def commit_pending(self) -> None:
        """Turn text typed but not yet entered into values (before Apply)."""

    def set_display_zone(self, zone: object) -> None:
        """Time editors show their moments in the display zone; others ignore it."""

    def show_feedback(self, problems: list[FieldProblem], warnings: list[str]) -> None:
        for widget in self._marked:
            mark_invalid(widget, False)
        self._marked = list(dict.fromkeys(problem.field for problem in problems))
        for widget in self._marked:
            mark_invalid(widget, True)
        _set_messages(self.error_label, [problem.message for problem in problems])
        _set_messages(self.warning_label, warnings)
        self.setAccessibleDescription(
            " ".join([self.specs[0].help, *(problem.message for problem in problems)]).strip()
        )

    def _emit_changed(self) -> None:
        if not self._loading:
            self.changed.emit()


def _message_label(object_name: str, color: str) -> QLabel:
    label = QLabel()
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {color};")
    label.hide()
    return label


def _set_messages(label: QLabel, messages: list[str]) -> None:
    unique = list(dict.fromkeys(messages))
    label.setText("\n".join(unique))
    label.setVisible(bool(unique))
