"""The synthetic data look like a contact centre's and follow the contract's field table."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cdrdesk.demo.data import ANCHOR_ENV, DemoSpec, current_anchor, generate

Record = dict[str, Any]
E164 = re.compile(r"\+[1-9][0-9]{6,14}")

COMMON = {"external_account_id", "disposition", "destination_country"}
FIELDS_BY_TYPE = {
    "call": COMMON | {
        "end_reason", "wrap_up_code", "event_tags", "from_phone_number", "to_phone_number",
        "source_channel_account_id", "destination_channel_account_id",
        "source_channel_profile_id", "destination_channel_profile_id", "user_id", "team_id",
        "queue_id", "campaign_id", "score", "duration", "dialing_duration", "ivr_duration",
        "queue_duration", "talk_duration", "hold_duration", "recording_url",
    },
    "conversation": COMMON | {
        "end_reason", "wrap_up_code", "event_tags", "from_phone_number", "to_phone_number",
        "source_channel_account_id", "destination_channel_account_id",
        "source_channel_profile_id", "destination_channel_profile_id", "user_id", "team_id",
        "queue_id", "score", "duration",
    },
    "sms": COMMON | {
        "from_phone_number", "to_phone_number", "source_channel_account_id",
        "destination_channel_account_id", "source_channel_profile_id",
        "destination_channel_profile_id", "user_id", "team_id", "campaign_id",
    },
    "hlr_lookup": COMMON | {"to_phone_number"},
}  # fmt: skip
SUBTYPES = {
    "call": {"inbound", "outbound", "dialer", "click_to_call", "queue_callback", "internal"},
    "conversation": {"whatsapp", "facebook", "instagram", "telegram", "web_chat"},
    "sms": {"inbound_sms", "outbound_sms"},
    "hlr_lookup": {"hlr_lookup"},
}
COUNTRY_CODES = {
    "United Kingdom": "+44", "Germany": "+49", "France": "+33", "Latvia": "+371",
    "India": "+91", "Brazil": "+55",
}  # fmt: skip


def test_fields_follow_the_contract_table(everything: list[Record]) -> None:
    for record in everything:
        assert set(record) == {"id", "type", "subtype", "started_at", "ended_at", "data"}
        assert set(record["data"]) == FIELDS_BY_TYPE[record["type"]], record["id"]
        assert record["subtype"] in SUBTYPES[record["type"]]
        assert record["id"].startswith("cdr_")


def test_mix_of_types_is_mostly_calls(everything: list[Record]) -> None:
    counts = Counter(record["type"] for record in everything)
    assert counts["call"] > counts["conversation"] > counts["sms"] > counts["hlr_lookup"] > 0
    assert Counter(r["subtype"] for r in everything).keys() == set().union(*SUBTYPES.values())


def test_numbers_are_e164_and_countries_match_the_destination(everything: list[Record]) -> None:
    countries = Counter(r["data"]["destination_country"] for r in everything)
    countries.pop(None, None)
    assert len(countries) >= 10
    for record in everything:
        data = record["data"]
        for key in ("from_phone_number", "to_phone_number"):
            if data.get(key) is not None:
                assert E164.fullmatch(data[key]), data[key]
        country = data["destination_country"]
        assert (country is None) == (data.get("to_phone_number") is None)
        if country in COUNTRY_CODES:
            assert data["to_phone_number"].startswith(COUNTRY_CODES[country])


def test_durations_and_dispositions_agree(everything: list[Record]) -> None:
    segments = ("dialing_duration", "ivr_duration", "queue_duration", "talk_duration")
    for record in everything:
        data = record["data"]
        started = datetime.fromisoformat(record["started_at"])
        ended = datetime.fromisoformat(record["ended_at"])
        assert ended >= started
        if "duration" in data:
            assert ended - started == timedelta(seconds=data["duration"])
        if record["type"] == "call":
            assert data["duration"] == sum(data[s] for s in (*segments, "hold_duration"))
            if data["disposition"] != "answered":
                assert data["talk_duration"] == 0
                assert data["hold_duration"] == 0
                assert data["recording_url"] is None
            assert (data["recording_url"] is not None) == ("recording" in data["event_tags"])
            if any(tag.endswith("_transfer") for tag in data["event_tags"]):
                assert data["end_reason"] in ("transfer", None)
        if record["type"] == "sms":
            assert data["disposition"] in ("sent", "not_sent", "delivered", "not_delivered")


def test_every_event_tag_and_nulls_occur(everything: list[Record]) -> None:
    tags = Counter(tag for r in everything for tag in r["data"].get("event_tags") or [])
    assert {"blind_transfer", "warm_transfer", "queue_transfer", "external_transfer"} <= set(tags)
    assert len(tags) == 13
    scores = [r["data"]["score"] for r in everything if "score" in r["data"]]
    assert None in scores
    assert any(isinstance(score, float) for score in scores)
    assert any(r["data"].get("user_id") is None for r in everything if "user_id" in r["data"])


def test_records_span_90_days_before_the_anchor(everything: list[Record]) -> None:
    newest = datetime.fromisoformat(everything[0]["started_at"])
    oldest = datetime.fromisoformat(everything[-1]["started_at"])
    anchor = current_anchor()
    # Nights are quiet (about one call an hour at 30,000 records), so the newest
    # record may be a few hours old, never half a day.
    assert anchor - timedelta(hours=12) < newest < anchor
    assert timedelta(days=88) < newest - oldest <= timedelta(days=90)
    assert all(datetime.fromisoformat(r["ended_at"]) < anchor for r in everything)


def test_generation_is_deterministic() -> None:
    anchor = datetime(2026, 11, 1, 12, tzinfo=UTC)
    first = [row.record for row in generate(DemoSpec(500, 7, anchor))]
    again = [row.record for row in generate(DemoSpec(500, 7, anchor))]
    other = [row.record for row in generate(DemoSpec(500, 8, anchor))]
    assert first == again
    assert first != other


def test_the_anchor_is_the_current_hour_unless_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    moment = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert current_anchor(moment) == datetime(2026, 3, 4, 5, tzinfo=UTC)
    monkeypatch.setenv(ANCHOR_ENV, "2025-01-02T03:59:59+01:00")
    assert current_anchor() == datetime(2025, 1, 2, 2, tzinfo=UTC)
    assert current_anchor(moment) == datetime(2026, 3, 4, 5, tzinfo=UTC)  # an explicit time wins


@pytest.mark.parametrize("pinned", ["soon", "2025-01-02T03:00:00"])
def test_a_bad_pinned_anchor_is_named(monkeypatch: pytest.MonkeyPatch, pinned: str) -> None:
    monkeypatch.setenv(ANCHOR_ENV, pinned)
    with pytest.raises(ValueError, match=ANCHOR_ENV):
        current_anchor()
