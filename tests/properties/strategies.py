"""Filter states a strict server accepts: the preset strategies, with known enum values only.

The demo server parses with ``strict_enums=True``, so an enum value outside
the table is a 422 there by design; every other kind reuses the presets'
strategies, which are driven by the filter table per ``FilterKind``.
"""

from __future__ import annotations

from hypothesis import strategies as st

from cdrdesk.api.filters import FILTERS, FilterKind, FilterSpec
from cdrdesk.api.query import AnyFilterValue, CdrQuery
from cdrdesk.api.timeranges import FilterState
from tests.presets.strategies import filter_values, relatives


def strict_filter_values(spec: FilterSpec) -> st.SearchStrategy[AnyFilterValue]:
    if spec.kind is FilterKind.ENUM:
        return st.lists(st.sampled_from(spec.known_values), min_size=1, max_size=4).map(tuple)
    return filter_values(spec)


@st.composite
def strict_queries(draw: st.DrawFn) -> CdrQuery:
    chosen = draw(st.lists(st.sampled_from(FILTERS), max_size=8, unique_by=lambda s: s.name))
    filters = {spec.name: draw(strict_filter_values(spec)) for spec in chosen}
    for spec in chosen:
        if spec.kind is FilterKind.PATTERN and spec.exclusive_with in filters:
            del filters[spec.name]
    return CdrQuery(filters)


strict_filter_states = st.builds(FilterState, strict_queries(), relatives)
