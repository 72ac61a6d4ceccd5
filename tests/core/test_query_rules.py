"""The contract's 422 rules and the wire parser, shared by client and demo server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qsl

import pytest

from cdrdesk.api.filters import FILTERS, FILTERS_BY_NAME, FilterKind, expand_event_tags
from cdrdesk.api.query import CdrQuery, QueryError, RangeValue, parse_params


def parse(query_string: str, *, strict: bool = True) -> tuple[CdrQuery, dict[str, list[str]]]:
    parsed = parse_params(parse_qsl(query_string, keep_blank_values=True), strict_enums=strict)
    return parsed.query, parsed.errors


def test_the_table_has_the_contracts_29_filters() -> None:
    assert len(FILTERS) == 29
    assert len(FILTERS_BY_NAME) == 29
    kinds = {spec.name: spec.kind for spec in FILTERS}
    assert kinds["score"] is FilterKind.NUMBER_RANGE
    assert kinds["hold_duration"] is FilterKind.INTEGER_RANGE
    assert kinds["to_phone_number_like"] is FilterKind.PATTERN
    assert kinds["ended_at"] is FilterKind.TIME_RANGE


def test_exclusive_twins_point_at_each_other() -> None:
    for spec in FILTERS:
        if spec.exclusive_with:
            assert FILTERS_BY_NAME[spec.exclusive_with].exclusive_with == spec.name


def test_all_transfers_expands_to_every_transfer_tag() -> None:
    assert expand_event_tags(("hold", "all_transfers")) == (
        "hold",
        "blind_transfer",
        "warm_transfer",
        "queue_transfer",
        "external_transfer",
    )


@pytest.mark.parametrize(
    ("query_string", "name", "fragment"),
    [
        ("type=fax", "type", "unknown value fax"),
        ("from_phone_number=%2B1&from_phone_number_like=%2B1*", "from_phone_number_like",
         "cannot be combined with from_phone_number"),
        ("duration=30&duration[gte]=10", "duration", "exact value cannot be mixed"),
        ("duration[gte]=abc", "duration", "not a whole number"),
        ("duration[gte]=1.5", "duration", "not a whole number"),
        ("score[lt]=-1", "score", "negative"),
        ("score=x", "score", "not a number"),
        ("started_at[gte]=2026-11-01T00:00:00", "started_at", "no time zone offset"),
        ("ended_at=yesterday", "ended_at", "not an RFC 3339 time"),
        ("duration[gte]=60&duration[lt]=10", "duration", "lower bound 60 is above upper bound 10"),
        ("duration[between]=1", "duration", "unknown operator"),
        ("type[gte]=call", "type", "does not apply"),
        ("to_phone_number_like=a&to_phone_number_like=b", "to_phone_number_like", "one pattern"),
        ("user_id=", "user_id", "must not be empty"),
        ("duration[gte]=1&duration[gte]=2", "duration", "more than once"),
    ],
)  # fmt: skip
def test_every_422_rule_names_its_filter(query_string: str, name: str, fragment: str) -> None:
    _, errors = parse(query_string)
    assert name in errors, errors
    assert any(fragment in message for message in errors[name]), errors[name]


def test_time_bounds_compare_as_instants_not_text() -> None:
    _, errors = parse(
        "started_at[gte]=2026-11-01T02:00:00%2B02:00&started_at[lte]=2026-11-01T00:30:00Z"
    )
    assert errors == {}
    _, errors = parse(
        "started_at[gte]=2026-11-01T03:00:00%2B02:00&started_at[lte]=2026-11-01T00:30:00Z"
    )
    assert "started_at" in errors


def test_unknown_enum_values_are_only_a_warning_for_the_client() -> None:
    query = CdrQuery({"disposition": ("answered", "escalated")})
    lenient = query.validate()
    assert lenient.ok
    assert lenient.warnings == {"disposition": ["unknown value escalated"]}
    assert not query.validate(strict_enums=True).ok


def test_unknown_and_pagination_parameters_do_not_become_filters() -> None:
    parsed = parse_params(parse_qsl("limit=5&offset=3&cursor=abc&colour=red&type=sms"))
    assert parsed.query == CdrQuery({"type": ("sms",)})
    assert parsed.unknown == (("colour", "red"),)


def test_bracketed_array_keys_mean_the_same_as_repeated_keys() -> None:
    assert parse("type[]=call&type[]=sms")[0] == parse("type=call&type=sms")[0]


def test_commas_are_not_split() -> None:
    query, errors = parse("wrap_up_code=sale%2C%20upsell")
    assert errors == {}
    assert query.get("wrap_up_code") == ("sale, upsell",)


def test_from_params_raises_with_every_error() -> None:
    with pytest.raises(QueryError) as caught:
        CdrQuery.from_params([("duration", "-1"), ("type", "call"), ("score[gt]", "z")])
    assert set(caught.value.errors) == {"duration", "score"}
    assert "duration" in str(caught.value)


def test_canonical_form_ignores_order_duplicates_case_and_offsets() -> None:
    a = CdrQuery(
        {
            "type": ("sms", "call"),
            "destination_country": ("France",),
            "started_at": RangeValue(
                gte=datetime(2026, 11, 1, 2, tzinfo=timezone(timedelta(hours=2)))
            ),
        }
    )
    b = CdrQuery(
        {
            "type": ("call", "sms", "call"),
            "destination_country": ("FRANCE",),
            "started_at": RangeValue(gte=datetime(2026, 11, 1, tzinfo=UTC)),
        }
    )
    assert a != b
    assert a.canonical() == b.canonical()
    assert a.canonical() != CdrQuery({"type": ("call",)}).canonical()


def test_query_is_immutable_and_hashable() -> None:
    query = CdrQuery({"type": ("call",)})
    changed = query.with_filter("duration", RangeValue(gte=10))
    assert "duration" not in query
    assert changed.get("duration") == RangeValue(gte=10)
    assert changed.without("duration") == query
    assert len({query, CdrQuery({"type": ["call"]})}) == 1
    with pytest.raises(AttributeError):
        query.items = ()  # type: ignore[misc]


def test_empty_values_are_dropped_and_unknown_names_refused() -> None:
    assert len(CdrQuery({"type": (), "duration": RangeValue(), "to_phone_number_like": ""})) == 0
    with pytest.raises(KeyError, match="colour"):
        CdrQuery({"colour": ("red",)})


def test_round_trip_through_the_wire_keeps_every_kind() -> None:
    query = CdrQuery(
        {
            "started_at": RangeValue(
                gte=datetime(2026, 11, 1, 2, tzinfo=timezone(timedelta(hours=2))),
                lt=datetime(2026, 11, 2, tzinfo=UTC),
            ),
            "event_tag": ("all_transfers", "hold"),
            "to_phone_number_like": "*123*",
            "duration": RangeValue(exact=30),
            "score": RangeValue(gt=2.25, lte=4),
            "destination_country": ("United Kingdom", "a,b"),
        }
    )
    assert CdrQuery.from_params(parse_qsl(query.to_query_string())) == query
