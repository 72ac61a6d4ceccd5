"""Editor of a multi-value string filter (IDs, codes, countries): chips."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QWidget

from cdrdesk.api.filters import FilterSpec
from cdrdesk.api.query import CdrQuery
from cdrdesk.api.timeranges import RelativeRange
from cdrdesk.ui.sidebar.base import FilterEditor, Reading
from cdrdesk.ui.sidebar.chips import ChipInput


class MultiStringEditor(FilterEditor):
    def __init__(self, spec: FilterSpec, parent: QWidget | None = None) -> None:
        super().__init__((spec,), parent)
        self.spec = spec
        self.chips = ChipInput(self.objectName(), spec.label)
        self.chips.changed.connect(self._emit_changed)
        self.title.setBuddy(self.chips.entry)
        self.body.addWidget(self.chips)

    def read(self) -> Reading:
        reading = Reading()
        values = self.chips.values()
        if values:
            reading.values[self.spec.name] = values
        return reading

    def _load(self, query: CdrQuery, relative: Mapping[str, RelativeRange]) -> None:
        value = query.get(self.spec.name)
        if isinstance(value, tuple):
            self.chips.set_values(value)

    def clear(self) -> None:
        self.chips.set_values(())

    def add_value(self, name: str, value: str) -> None:
        self.chips.add_values([value])

    def field_for(self, name: str) -> QWidget:
        return self.chips.entry

    def commit_pending(self) -> None:
        self.chips.commit_pending()
