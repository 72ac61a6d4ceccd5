"""The filter sidebar: sections of editors generated from the filter table.

Input is checked as it is typed, with the same rules the server applies
(``CdrQuery.validate``), so a bad value is marked beside its field and never
sent; Apply emits the state only when every field is valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, tzinfo
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from cdrdesk.api.filters import FILTERS, FilterGroup, filter_spec
from cdrdesk.api.query import CdrQuery
from cdrdesk.api.timeranges import FilterState, RelativeRange
from cdrdesk.export.zones import local_zone
from cdrdesk.ui.settings import ZONE_LOCAL, ZONE_UTC
from cdrdesk.ui.sidebar.base import ERROR_COLOR, INVALID_STYLE, FieldProblem, FilterEditor
from cdrdesk.ui.sidebar.factory import build_editors
from cdrdesk.ui.sidebar.section import CollapsibleSection

APPLY_SHORTCUTS = ("Ctrl+Return", "Ctrl+Enter")
EXPANDED_AT_START = (FilterGroup.TIME, FilterGroup.TYPE_AND_OUTCOME)


class FilterSidebar(QWidget):
    applyRequested = Signal(object)
    stateChanged = Signal()
    displayZoneChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, display_zone: str = ZONE_LOCAL) -> None:
        super().__init__(parent)
        self.setObjectName("filter_sidebar")
        self.setAccessibleName("Filters")
        self.setStyleSheet(INVALID_STYLE)
        local, local_name = local_zone()
        self._zones: dict[str, tzinfo] = {ZONE_LOCAL: local, ZONE_UTC: UTC}
        self._server_errors: dict[str, list[str]] = {}
        self._loading = False

        self.zone_choice = QComboBox()
        self.zone_choice.setObjectName("display_zone")
        self.zone_choice.setAccessibleName("Display time zone")
        self.zone_choice.setToolTip("Times are shown and custom times are read in this zone")
        self.zone_choice.addItem(f"Local ({local_name})", ZONE_LOCAL)
        self.zone_choice.addItem("UTC", ZONE_UTC)
        self.zone_choice.setCurrentIndex(max(0, self.zone_choice.findData(display_zone)))

        self.editors = build_editors(FILTERS, self.display_zone())
        self._editor_of: dict[str, FilterEditor] = {
            name: editor for editor in self.editors for name in editor.names
        }
        self.sections: dict[FilterGroup, CollapsibleSection] = {}
        self._section_of: dict[FilterEditor, CollapsibleSection] = {}
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(4, 4, 4, 4)
        for group in FilterGroup:
            section = CollapsibleSection(group.value, f"filter_section_{group.name.lower()}")
            self.sections[group] = section
            if group is FilterGroup.TIME:
                zone_row = QWidget()
                zone_form = QFormLayout(zone_row)
                zone_form.setContentsMargins(0, 0, 0, 0)
                zone_label = QLabel("Time zone")
                zone_label.setBuddy(self.zone_choice)
                zone_form.addRow(zone_label, self.zone_choice)
                section.add_widget(zone_row)
            content_layout.addWidget(section)
        for editor in self.editors:
            section = self.sections[editor.specs[0].group]
            section.add_widget(editor)
            self._section_of[editor] = section
            editor.changed.connect(partial(self._editor_changed, editor))
            editor.submitRequested.connect(self.apply)
        for group, section in self.sections.items():
            section.setVisible(any(s is section for s in self._section_of.values()))
            section.set_expanded(group in EXPANDED_AT_START)
        content_layout.addStretch(1)

        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("filter_scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(content)

        title = QLabel("Filters")
        title.setStyleSheet("font-weight: bold;")
        self.badge = QLabel()
        self.badge.setObjectName("active_filter_count")
        self.general_errors = QLabel()
        self.general_errors.setObjectName("filter_general_errors")
        self.general_errors.setWordWrap(True)
        self.general_errors.setStyleSheet(f"color: {ERROR_COLOR};")
        self.general_errors.hide()
        self.reset_button = QPushButton("Reset")
        self.reset_button.setObjectName("reset_filters")
        self.reset_button.setToolTip("Clear every filter (Apply to search again)")
        self.apply_button = QPushButton("Apply")
        self.apply_button.setObjectName("apply_filters")
        self.apply_button.setToolTip("Search with these filters (Ctrl+Return)")
        self.apply_button.setDefault(True)
        self.reset_button.clicked.connect(self.reset)
        self.apply_button.clicked.connect(self.apply)
        for keys in APPLY_SHORTCUTS:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.apply)

        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.badge)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.general_errors)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(buttons)

        self.zone_choice.currentIndexChanged.connect(self._zone_changed)
        self._refresh()

    # -- the interface the window uses -------------------------------------------------

    def state(self) -> FilterState:
        return self._refresh()[0]

    def set_state(self, state: FilterState) -> None:
        self._loading = True
        try:
            for editor in self.editors:
                editor.load(state.query, state.relative)
        finally:
            self._loading = False
        self._server_errors = {}
        current, _ = self._refresh()
        for section in self._sections_with(set(current.query) | set(current.relative)):
            section.set_expanded(True)
        self.stateChanged.emit()

    def display_zone(self) -> tzinfo:
        return self._zones[str(self.zone_choice.currentData())]

    def display_zone_name(self) -> str:
        """``local`` or ``UTC``, as the window settings store it."""
        return str(self.zone_choice.currentData())

    def set_display_zone(self, name: str) -> None:
        if name not in self._zones:
            raise ValueError(f"display zone must be one of {', '.join(self._zones)}, not {name!r}")
        self.zone_choice.setCurrentIndex(self.zone_choice.findData(name))

    def set_server_errors(self, errors: Mapping[str, list[str]]) -> None:
        """Show the server's 422 messages beside their filters; the filters stay as they are."""
        self._server_errors = {name: list(messages) for name, messages in errors.items()}
        self._refresh()
        named = [name for name in self._server_errors if name in self._editor_of]
        for section in self._sections_with(set(named)):
            section.set_expanded(True)
        if named:
            self.scroll_area.ensureWidgetVisible(self._editor_of[named[0]])

    def clear_server_errors(self) -> None:
        self._server_errors = {}
        self._refresh()

    def add_filter_value(self, name: str, value: str) -> None:
        """Filter by this value: add to a multi filter, set a range's exact value or a pattern."""
        editor = self._editor_of.get(filter_spec(name).name)
        if editor is None:
            raise KeyError(f"the sidebar has no editor for {name!r}")
        self._section_of[editor].set_expanded(True)
        editor.add_value(name, value)
        self.scroll_area.ensureWidgetVisible(editor)

    def focus_filters(self) -> None:
        editor = self.editors[0]
        self._section_of[editor].set_expanded(True)
        field = editor.field_for(editor.names[0])
        self.scroll_area.ensureWidgetVisible(field)
        field.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def reset(self) -> None:
        """Clear every filter; nothing is requested until Apply."""
        self.set_state(FilterState())

    def apply(self) -> None:
        """Emit ``applyRequested`` with the state, or focus the first invalid field."""
        self._loading = True
        try:
            for editor in self.editors:
                editor.commit_pending()
        finally:
            self._loading = False
        state, problems = self._refresh()
        if problems:
            self._focus(problems[0])
            return
        self.applyRequested.emit(state)

    def editor(self, name: str) -> FilterEditor:
        """The editor that owns filter ``name`` (the shared one for exclusive twins)."""
        return self._editor_of[filter_spec(name).name]

    def is_valid(self) -> bool:
        """Whether every field holds a value Apply would send (problems are marked)."""
        return not self._refresh()[1]

    def add_top_widget(self, widget: QWidget) -> None:
        """Put ``widget`` (the preset bar) above the filters' header."""
        layout = self.layout()
        if not isinstance(layout, QVBoxLayout):
            raise TypeError("the sidebar's layout is not a column")
        layout.insertWidget(0, widget)

    # -- inside --------------------------------------------------------------------------

    def _editor_changed(self, editor: FilterEditor) -> None:
        if self._loading:
            return
        for name in editor.names:
            self._server_errors.pop(name, None)
        self._refresh()
        self.stateChanged.emit()

    def _zone_changed(self) -> None:
        zone = self.display_zone()
        for editor in self.editors:
            editor.set_display_zone(zone)
        self.displayZoneChanged.emit(zone)

    def _refresh(self) -> tuple[FilterState, list[FieldProblem]]:
        """Read every editor, validate, and show each problem beside its field."""
        values = {}
        relative: dict[str, RelativeRange] = {}
        problems: list[FieldProblem] = []
        for editor in self.editors:
            reading = editor.read()
            values.update(reading.values)
            relative.update(reading.relative)
            problems.extend(reading.problems)
        query = CdrQuery(values)
        state = FilterState(query, relative)
        validation = query.validate()
        for name, messages in validation.errors.items():
            field = self._editor_of[name].field_for(name)
            problems.extend(FieldProblem(name, field, message) for message in messages)
        order = {editor: index for index, editor in enumerate(self.editors)}
        problems.sort(key=lambda problem: order[self._editor_of[problem.name]])

        for editor in self.editors:
            shown = [problem for problem in problems if problem.name in editor.names]
            shown += [
                FieldProblem(name, editor.field_for(name), message)
                for name in editor.names
                for message in self._server_errors.get(name, [])
            ]
            warnings = [m for name in editor.names for m in validation.warnings.get(name, [])]
            editor.show_feedback(shown, warnings)
        general = [
            f"{name}: {message}"
            for name, messages in self._server_errors.items()
            if name not in self._editor_of
            for message in messages
        ]
        self.general_errors.setText("\n".join(general))
        self.general_errors.setVisible(bool(general))
        self._show_counts(state)
        return state, problems

    def _show_counts(self, state: FilterState) -> None:
        active = set(state.query) | set(state.relative)
        count = state.active_count
        self.badge.setText(f"{count} active" if count else "")
        self.badge.setVisible(bool(count))
        self.badge.setAccessibleName(f"{count} filter{'s' if count != 1 else ''} active")
        for section in self.sections.values():
            section.set_count(
                sum(
                    1
                    for editor, owner in self._section_of.items()
                    if owner is section
                    for name in editor.names
                    if name in active
                )
            )

    def _sections_with(self, names: set[str]) -> list[CollapsibleSection]:
        return [
            section
            for section in self.sections.values()
            if any(
                owner is section and set(editor.names) & names
                for editor, owner in self._section_of.items()
            )
        ]

    def _focus(self, problem: FieldProblem) -> None:
        editor = self._editor_of[problem.name]
        self._section_of[editor].set_expanded(True)
        self.scroll_area.ensureWidgetVisible(problem.field)
        problem.field.setFocus(Qt.FocusReason.OtherFocusReason)
