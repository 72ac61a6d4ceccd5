"""cdrdesk:// links: the app opens what it makes, and says what is wrong with a bad one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cdrdesk.api.query import CdrQuery, QueryError, RangeValue
from cdrdesk.api.timeranges import FilterState, RelativeRange
from cdrdesk.presets.links import LinkError, make_link, parse_link

NOW = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
BERLIN = timezone(timedelta(hours=1))

QUERY = CdrQuery(
    {
        "type": ("call", "sms"),
        "from_phone_number_like": "+44*",
        "wrap_up_code": ("sale, upsell", "a&b=c #1 100%"),
        "duration": RangeValue(gte=10, lt=60),
        "score": RangeValue(exact=2.5),
        "started_at": RangeValue(gte=datetime(2026, 11, 1, tzinfo=BERLIN)),
    }
)


def test_link_of_a_query_reads_like_the_request_and_round_trips():
    link = make_link(QUERY)
    assert link.startswith("cdrdesk://filters?started_at[gte]=2026-11-01T00:00:00%2B01:00&")
    assert "&type=call&type=sms&" in link
    assert "from_phone_number_like=%2B44*" in link
    assert "duration[gte]=10&duration[lt]=60" in link
    assert " " not in link
    assert "#" not in link
    assert parse_link(link) == FilterState(QUERY)


def test_relative_ranges_are_resolved_at_now_by_default():
    state = FilterState(CdrQuery({"type": ("call",)}), {"started_at": RelativeRange.TODAY})
    link = make_link(state, NOW, BERLIN)

    opened = parse_link(link)

    assert opened.relative == {}
    assert opened.query.get("started_at") == RangeValue(
        gte=datetime(2026, 11, 30, tzinfo=BERLIN), lt=datetime(2026, 12, 1, tzinfo=BERLIN)
    )
    assert "started_at[gte]=2026-11-30T00:00:00%2B01:00" in link
    assert opened.query == state.resolve(NOW, BERLIN)
    later = make_link(state, NOW + timedelta(days=1), BERLIN)
    assert parse_link(later) != opened


def test_relative_ranges_can_stay_relative():
    state = FilterState(
        CdrQuery({"type": ("call",), "started_at": RangeValue(gte=NOW)}),
        {"started_at": RelativeRange.LAST_7_DAYS, "ended_at": RelativeRange.YESTERDAY},
    )
    link = make_link(state, keep_relative=True)

    assert "cdrdesk_relative=ended_at:yesterday&cdrdesk_relative=started_at:last_7_days" in link
    assert "started_at[gte]" not in link
    opened = parse_link(link)
    assert opened.relative == state.relative
    for moment in (NOW, NOW + timedelta(days=3)):
        assert opened.resolve(moment, BERLIN) == state.resolve(moment, BERLIN)


def test_relative_state_without_now_is_refused_unless_kept_relative():
    state = FilterState(relative={"started_at": RelativeRange.LAST_HOUR})
    with pytest.raises(ValueError, match="moment"):
        make_link(state)


def test_a_link_the_app_could_not_open_is_not_made():
    bad = CdrQuery({"duration": RangeValue(gte=60, lt=10)})
    with pytest.raises(QueryError, match="duration"):
        make_link(bad)


def test_hand_typed_links_are_understood():
    state = parse_link(
        "CDRDESK://Filters/?from_phone_number=+442071234567&type[]=call&type[]=sms"
        "&limit=50&cursor=abc&&score[gte]=1.5"
    )
    assert state.query == CdrQuery(
        {
            "from_phone_number": ("+442071234567",),
            "type": ("call", "sms"),
            "score": RangeValue(gte=1.5),
        }
    )
    assert parse_link("cdrdesk://filters") == FilterState()
    assert parse_link("  cdrdesk://filters?type=brand_new  ").query.get("type") == ("brand_new",)


@pytest.mark.parametrize(
    ("link", "where", "complaint"),
    [
        ("https://filters?type=call", "link", "not a cdrdesk:// link"),
        ("cdrdesk://records?type=call", "link", "not a filter link"),
        ("cdrdesk://filters/123?type=call", "link", "not a filter link"),
        ("cdrdesk://filters?duration=abc", "duration", "not a whole number"),
        ("cdrdesk://filters?duration=-5", "duration", "negative"),
        ("cdrdesk://filters?score[gte]=5&score[lt]=1", "score", "above upper bound"),
        ("cdrdesk://filters?started_at[gte]=2026-11-01T00:00:00", "started_at", "time zone"),
        ("cdrdesk://filters?duration[from]=5", "duration", "unknown operator"),
        ("cdrdesk://filters?to_phone_number=1&to_phone_number_like=1*", "to_phone_number_like",
         "cannot be combined"),
        ("cdrdesk://filters?sentiment=negative", "sentiment", "no such filter"),
        ("cdrdesk://filters?user_id=%FF", "link", "UTF-8"),
        ("cdrdesk://filters?cdrdesk_relative=started_at:last_year", "started_at",
         "unknown relative range 'last_year'"),
        ("cdrdesk://filters?cdrdesk_relative=duration:today", "cdrdesk_relative", "time filter"),
        ("cdrdesk://filters?cdrdesk_relative=today", "cdrdesk_relative", "time filter"),
        ("cdrdesk://filters?cdrdesk_relative=started_at:today&cdrdesk_relative=started_at:yesterday",
         "started_at", "more than one"),
    ],
)  # fmt: skip
def test_bad_links_say_what_is_wrong(link, where, complaint):
    with pytest.raises(LinkError) as caught:
        parse_link(link)
    assert where in caught.value.errors
    assert any(complaint in message for message in caught.value.errors[where])
    assert complaint in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_every_wrong_filter_is_named_at_once():
    with pytest.raises(LinkError) as caught:
        parse_link("cdrdesk://filters?duration=x&score=y&type=call&foo=1")
    assert set(caught.value.errors) == {"duration", "score", "foo"}
