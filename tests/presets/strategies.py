"""Hypothesis strategies for valid filter sets, driven by the filter table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import strategies as st

from cdrdesk.api.filters import FILTERS, FilterKind, FilterSpec
from cdrdesk.api.query import AnyFilterValue, CdrQuery, RangeValue, Scalar
from cdrdesk.api.timeranges import FilterState, RelativeRange

TIME_FILTERS = [spec.name for spec in FILTERS if spec.kind is FilterKind.TIME_RANGE]

texts = st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12).filter(
    lambda text: text.strip() != ""
)

zones = st.one_of(
    st.just(UTC),
    st.integers(min_value=-23 * 60, max_value=23 * 60).map(
        lambda minutes: timezone(timedelta(minutes=minutes))
    ),
)
times = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1), timezones=zones
)
non_negative_numbers = st.one_of(
    st.integers(min_value=0, max_value=10**12),
    st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False),
)


def _scalars(spec: FilterSpec) -> st.SearchStrategy[Scalar]:
    if spec.kind is FilterKind.TIME_RANGE:
        return times
    if spec.kind is FilterKind.INTEGER_RANGE:
        return st.integers(min_value=0, max_value=10**9)
    return non_negative_numbers


def _sort_key(value: Scalar) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


@st.composite
def range_values(draw: st.DrawFn, spec: FilterSpec) -> RangeValue:
    scalars = _scalars(spec)
    if draw(st.booleans()):
        return RangeValue(exact=draw(scalars))
    lower = draw(st.sampled_from([None, "gt", "gte"]))
    upper = draw(st.sampled_from([None, "lt", "lte"] if lower else ["lt", "lte"]))
    low, high = sorted([draw(scalars), draw(scalars)], key=_sort_key)
    bounds: dict[str, Scalar] = {}
    if lower:
        bounds[lower] = low
    if upper:
        bounds[upper] = high
    return RangeValue(**bounds)


def filter_values(spec: FilterSpec) -> st.SearchStrategy[AnyFilterValue]:
    if spec.kind is FilterKind.ENUM:
        values = st.one_of(st.sampled_from(spec.known_values), texts)
        return st.lists(values, min_size=1, max_size=4).map(tuple)
    if spec.kind is FilterKind.MULTI_STRING:
        return st.lists(texts, min_size=1, max_size=4).map(tuple)
    if spec.kind is FilterKind.PATTERN:
        return texts.filter(lambda text: text.strip("*") != "")
    return range_values(spec)


@st.composite
def queries(draw: st.DrawFn) -> CdrQuery:
    chosen = draw(st.lists(st.sampled_from(FILTERS), max_size=8, unique_by=lambda s: s.name))
    filters = {spec.name: draw(filter_values(spec)) for spec in chosen}
    for spec in chosen:
        # A pattern may not be combined with its exact twin.
        if spec.kind is FilterKind.PATTERN and spec.exclusive_with in filters:
            del filters[spec.name]
    return CdrQuery(filters)


relatives = st.dictionaries(st.sampled_from(TIME_FILTERS), st.sampled_from(list(RelativeRange)))
filter_states = st.builds(FilterState, queries(), relatives)
