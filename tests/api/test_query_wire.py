"""The literal wire form of every filter kind, and parsing it back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cdrdesk.api.query import CdrQuery, RangeValue, parse_params


@pytest.mark.parametrize(
    ("filters", "wire"),
    [
        ({"type": ("call", "sms")}, "type=call&type=sms"),
        ({"type": ("call",)}, "type=call"),
        ({"destination_country": ("Bosnia and Herzegovina, Rep.",)},
         "destination_country=Bosnia%20and%20Herzegovina%2C%20Rep."),
        ({"wrap_up_code": ("a&b=c",)}, "wrap_up_code=a%26b%3Dc"),
        ({"duration": RangeValue(gte=10, lt=60)}, "duration[gte]=10&duration[lt]=60"),
        ({"duration": RangeValue(exact=30)}, "duration=30"),
        ({"talk_duration": RangeValue(gt=0, lte=5)}, "talk_duration[gt]=0&talk_duration[lte]=5"),
        ({"from_phone_number_like": "+44*"}, "from_phone_number_like=%2B44*"),
        ({"to_phone_number_like": "*123*"}, "to_phone_number_like=*123*"),
        ({"from_phone_number": ("+447700900123", "+15551234")},
         "from_phone_number=%2B447700900123&from_phone_number=%2B15551234"),
        ({"score": RangeValue(gte=2.5, lt=4.75)}, "score[gte]=2.5&score[lt]=4.75"),
        ({"score": RangeValue(gte=0.1)}, "score[gte]=0.1"),
        ({"score": RangeValue(exact=3)}, "score=3"),
        ({"score": RangeValue(lte=1e-7)}, "score[lte]=0.0000001"),
        ({"started_at": RangeValue(gte=datetime(2026, 11, 1, tzinfo=UTC))},
         "started_at[gte]=2026-11-01T00:00:00Z"),
        ({"started_at": RangeValue(
            lt=datetime(2026, 11, 1, 2, tzinfo=timezone(timedelta(hours=2))))},
         "started_at[lt]=2026-11-01T02:00:00%2B02:00"),
        ({"ended_at": RangeValue(
            gte=datetime(2026, 11, 1, 2, 30, tzinfo=timezone(-timedelta(hours=5, minutes=30))))},
         "ended_at[gte]=2026-11-01T02:30:00-05:30"),
        ({"event_tag": ("all_transfers", "hold")}, "event_tag=all_transfers&event_tag=hold"),
        # filters come out in the table's order, whatever order they were given in
        ({"duration": RangeValue(exact=5), "type": ("sms",)}, "type=sms&duration=5"),
    ],
)  # fmt: skip
def test_wire_form_is_literal_and_parses_back(filters: dict[str, object], wire: str) -> None:
    query = CdrQuery(filters)  # type: ignore[arg-type]
    assert query.to_query_string() == wire
    parsed = parse_params(query.to_params(), strict_enums=True)
    assert parsed.errors == {}
    assert parsed.query == query


def test_bracketed_array_form_means_the_same() -> None:
    parsed = parse_params([("type[]", "call"), ("type[]", "sms")])
    assert parsed.errors == {}
    assert parsed.query == CdrQuery({"type": ("call", "sms")})


def test_times_keep_their_offset_on_parse() -> None:
    parsed = parse_params([("started_at[gte]", "2026-11-01T02:00:00+02:00")])
    value = parsed.query.get("started_at")
    assert isinstance(value, RangeValue)
    assert value.gte == datetime(2026, 11, 1, tzinfo=UTC)
    assert parsed.query.to_query_string() == "started_at[gte]=2026-11-01T02:00:00%2B02:00"


@pytest.mark.parametrize(
    ("pairs", "name", "words"),
    [
        ([("started_at[gte]", "2026-11-01T00:00:00")], "started_at", "no time zone offset"),
        ([("duration", "-1")], "duration", "negative"),
        ([("duration", "1.5")], "duration", "whole number"),
        ([("score", "abc")], "score", "not a number"),
        ([("duration", "5"), ("duration[gte]", "1")], "duration", "mixed"),
        ([("duration[gte]", "60"), ("duration[lt]", "10")], "duration", "above upper bound"),
        ([("from_phone_number", "+1"), ("from_phone_number_like", "+1*")],
         "from_phone_number_like", "cannot be combined"),
        ([("duration[foo]", "1")], "duration", "unknown operator"),
    ],
)  # fmt: skip
def test_contract_422_rules(pairs: list[tuple[str, str]], name: str, words: str) -> None:
    errors = parse_params(pairs).errors
    assert name in errors
    assert any(words in message for message in errors[name])


def test_unknown_enum_values_warn_on_the_client_and_fail_on_the_server() -> None:
    pairs = [("type", "fax")]
    assert parse_params(pairs).errors == {}
    assert "type" in parse_params(pairs).warnings
    assert "type" in parse_params(pairs, strict_enums=True).errors
