"""Flattening keeps every field, known or not."""

from __future__ import annotations

from cdrdesk.api.filters import FILTERS, FilterKind
from cdrdesk.api.records import COLUMNS_BY_KEY, DEFAULT_VISIBLE_COLUMNS, column_keys, flatten


def test_flatten_puts_data_fields_beside_top_level_fields() -> None:
    record = {
        "id": "cdr_1",
        "type": "call",
        "vendor_extra": 1,
        "data": {"user_id": "usr_1", "id": "inner", "brand_new": [1]},
    }
    assert flatten(record) == {
        "id": "cdr_1",
        "type": "call",
        "vendor_extra": 1,
        "user_id": "usr_1",
        "data.id": "inner",
        "brand_new": [1],
    }


def test_every_filtered_field_has_a_column() -> None:
    for spec in FILTERS:
        assert spec.field_name in COLUMNS_BY_KEY, spec.name
    assert set(DEFAULT_VISIBLE_COLUMNS) <= set(COLUMNS_BY_KEY)


def test_unknown_fields_follow_the_known_columns() -> None:
    keys = column_keys([{"id": "x", "data": {"zzz": 1}}, {"id": "y", "aaa": 2}])
    assert keys[-2:] == ["zzz", "aaa"]
    assert keys[0] == "id"


def test_pattern_filters_share_the_field_of_their_exact_twin() -> None:
    for spec in FILTERS:
        if spec.kind is FilterKind.PATTERN:
            assert spec.exclusive_with is not None
            assert spec.field == next(s.field for s in FILTERS if s.name == spec.exclusive_with)
