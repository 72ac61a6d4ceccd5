"""Editors generated from the filter table: one editor class per filter kind.

A pattern filter with an exact twin (``exclusive_with``) shares one editor
with the twin, placed where the first of the two stands in the table.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo

from cdrdesk.api.filters import FILTERS_BY_NAME, FilterKind, FilterSpec
from cdrdesk.ui.sidebar.base import FilterEditor
from cdrdesk.ui.sidebar.enum_editor import EnumEditor
from cdrdesk.ui.sidebar.multi_editor import MultiStringEditor
from cdrdesk.ui.sidebar.pattern_editor import ExactOrPatternEditor, PatternEditor
from cdrdesk.ui.sidebar.range_editor import RangeEditor
from cdrdesk.ui.sidebar.time_editor import TimeRangeEditor


def build_editor(spec: FilterSpec, zone: tzinfo) -> FilterEditor:
    """The editor of one filter without a twin."""
    if spec.kind is FilterKind.ENUM:
        return EnumEditor(spec)
    if spec.kind is FilterKind.MULTI_STRING:
        return MultiStringEditor(spec)
    if spec.kind is FilterKind.PATTERN:
        return PatternEditor(spec)
    if spec.kind in (FilterKind.INTEGER_RANGE, FilterKind.NUMBER_RANGE):
        return RangeEditor(spec)
    if spec.kind is FilterKind.TIME_RANGE:
        return TimeRangeEditor(spec, zone)
    raise TypeError(f"no editor for filters of kind {spec.kind.value}")


def build_editors(specs: Iterable[FilterSpec], zone: tzinfo) -> list[FilterEditor]:
    editors: list[FilterEditor] = []
    done: set[str] = set()
    for spec in specs:
        if spec.name in done:
            continue
        twin = FILTERS_BY_NAME.get(spec.exclusive_with) if spec.exclusive_with else None
        if twin is not None:
            exact, pattern = (twin, spec) if spec.kind is FilterKind.PATTERN else (spec, twin)
            editors.append(ExactOrPatternEditor(exact, pattern))
            done.update((exact.name, pattern.name))
        else:
            editors.append(build_editor(spec, zone))
            done.add(spec.name)
    return editors
