"""Every filter of the contract against a plain Python filter over the full listing."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from cdrdesk.api.filters import FILTERS_BY_NAME
from tests.demo.conftest import Api

Record = dict[str, Any]
Params = list[tuple[str, str]]
_MISSING = object()
_TRANSFERS = {"blind_transfer", "warm_transfer", "queue_transfer", "external_transfer"}

# The reference: which record field each wire name reads, written out by hand.
FIELDS = {
    "type": "type", "subtype": "subtype", "started_at": "started_at", "ended_at": "ended_at",
    "external_account_id": "data.external_account_id", "disposition": "data.disposition",
    "wrap_up_code": "data.wrap_up_code", "end_reason": "data.end_reason",
    "event_tag": "data.event_tags", "from_phone_number": "data.from_phone_number",
    "to_phone_number": "data.to_phone_number", "from_phone_number_like": "data.from_phone_number",
    "to_phone_number_like": "data.to_phone_number",
    "source_channel_account_id": "data.source_channel_account_id",
    "destination_channel_account_id": "data.destination_channel_account_id",
    "source_channel_profile_id": "data.source_channel_profile_id",
    "destination_channel_profile_id": "data.destination_channel_profile_id",
    "user_id": "data.user_id", "team_id": "data.team_id", "queue_id": "data.queue_id",
    "campaign_id": "data.campaign_id", "destination_country": "data.destination_country",
    "score": "data.score", "duration": "data.duration",
    "dialing_duration": "data.dialing_duration", "ivr_duration": "data.ivr_duration",
    "queue_duration": "data.queue_duration", "talk_duration": "data.talk_duration",
    "hold_duration": "data.hold_duration",
}  # fmt: skip
PATTERNS = {"from_phone_number_like", "to_phone_number_like"}
TIMES = {"started_at", "ended_at"}
RANGES = TIMES | {
    "score", "duration", "dialing_duration", "ivr_duration", "queue_duration", "talk_duration",
    "hold_duration",
}  # fmt: skip


def value_at(record: Record, path: str) -> Any:
    current: Any = record
    for part in path.split("."):
        if not isinstance(current, dict) or part not in current:
            return _MISSING
        current = current[part]
    return current


def as_comparable(name: str, value: Any) -> Any:
    return datetime.fromisoformat(value) if name in TIMES else float(value)


def reference_match(name: str, values: list[tuple[str, str]]) -> Callable[[Record], bool]:
    """A predicate for one filter, from its wire pairs (``key``, ``value``)."""
    path = FIELDS[name]

    def match(record: Record) -> bool:
        found = value_at(record, path)
        if found is _MISSING or found is None:
            return False
        wanted = [value for _, value in values]
        if name == "event_tag":
            tags = set()
            for value in wanted:
                tags |= _TRANSFERS if value == "all_transfers" else {value}
            return any(tag in tags for tag in found)
        if name == "destination_country":
            return found.lower() in {value.lower() for value in wanted}
        if name in PATTERNS:
            regex = "".join(".*" if char == "*" else re.escape(char) for char in wanted[0])
            return re.fullmatch(regex, found, re.DOTALL) is not None
        if name in RANGES:
            have = as_comparable(name, found)
            for key, text in values:
                bound = as_comparable(name, text)
                op = key[len(name) :].strip("[]") or "eq"
                ok = {
                    "eq": have == bound,
                    "gt": have > bound,
                    "gte": have >= bound,
                    "lt": have < bound,
                    "lte": have <= bound,
                }[op]
                if not ok:
                    return False
            return True
        return found in wanted

    return match


def test_reference_covers_every_filter() -> None:
    assert set(FIELDS) == set(FILTERS_BY_NAME)
    assert len(FIELDS) == 29


def common_values(everything: list[Record], path: str) -> list[str]:
    counts = Counter(
        value
        for record in everything
        if (value := value_at(record, path)) is not _MISSING and value is not None
    )
    return [value for value, _ in counts.most_common()]


def cases(everything: list[Record]) -> list[Params]:
    """Filter sets to check: for each filter a couple of values the data hold, and edge cases."""
    found: list[Params] = []
    for name in FILTERS_BY_NAME:
        if name in PATTERNS or name in RANGES or name in ("event_tag", "destination_country"):
            continue
        values = common_values(everything, FIELDS[name])
        assert len(values) >= 2, name
        found.append([(name, values[0])])
        several = [(name, values[1]), (name, values[-1])]
        if not FILTERS_BY_NAME[name].enum_values:  # enums refuse values they do not know
            several.append((name, "absent, value"))
        found.append(several)
    last_week = datetime.fromisoformat(everything[0]["started_at"]) - timedelta(days=7)
    tie = next(
        a["started_at"]
        for a, b in itertools.pairwise(everything)
        if a["started_at"] == b["started_at"]
    )
    middle = datetime.fromisoformat(everything[len(everything) // 2]["ended_at"])
    found += [
        [("event_tag", "hold")],
        [("event_tag", "all_transfers")],
        [("event_tag", "recording"), ("event_tag", "warm_transfer")],
        [("event_tag", "supervisor_barge"), ("event_tag", "voicemail")],
        [("destination_country", "GERMANY"), ("destination_country", "latvia")],
        [("destination_country", "côte d'ivoire")],
        [("from_phone_number_like", "+44*")],
        [("to_phone_number_like", "*12*")],
        [("to_phone_number_like", "+371*9")],
        [("from_phone_number_like", common_values(everything, "data.from_phone_number")[0])],
        [("from_phone_number_like", "+44?*")],
        [("to_phone_number_like", "[+]44*")],
        [("duration", "0")],
        [("duration[gte]", "60"), ("duration[lt]", "300")],
        [("dialing_duration[gt]", "30")],
        [("ivr_duration[lte]", "10"), ("ivr_duration[gt]", "0")],
        [("queue_duration[gte]", "300")],
        [("talk_duration", "0")],
        [("talk_duration[gt]", "600")],
        [("hold_duration[gte]", "1")],
        [("score[gte]", "4.5")],
        [("score[gt]", "1"), ("score[lte]", "2.5")],
        [("score", "3.2")],
        [("score", "3")],
        [("duration[lt]", "9" * 30)],
        [("duration", "9" * 30)],
        [("score[lte]", "9" * 400 + ".5")],
        [("started_at[gte]", last_week.isoformat())],
        [("started_at", tie)],
        [("started_at[lt]", tie.replace("Z", "+02:00"))],
        [("ended_at[gt]", middle.isoformat()), ("ended_at[lte]", "2099-01-01T00:00:00.5Z")],
        [("type", "call"), ("disposition", "answered"), ("duration[gte]", "60")],
        [("subtype", "whatsapp"), ("subtype", "telegram"), ("to_phone_number_like", "+44*")],
        [("type[]", "sms"), ("type[]", "hlr_lookup"), ("destination_country", "India")],
    ]
    return found


def test_filters_match_the_reference(api: Api, everything: list[Record]) -> None:
    checked = 0
    for params in cases(everything):
        names = {key.split("[")[0] for key, _ in params}
        predicates = [
            reference_match(name, [(k, v) for k, v in params if k.split("[")[0] == name])
            for name in names
        ]
        expected = [r for r in everything if all(predicate(r) for predicate in predicates)]
        first = api.ok([*params, ("limit", "1000")])
        assert first["metadata"]["total"] == len(expected), params
        assert first["items"] == expected[:1000], params
        if len(expected) <= 2500:
            assert api.list_all(params) == expected, params
        checked += 1
    assert checked > 60


def test_interesting_cases_are_not_vacuous(everything: list[Record]) -> None:
    """The reference finds records for the cases meant to match something."""
    for params in ([("event_tag", "all_transfers")], [("destination_country", "côte d'ivoire")]):
        name = params[0][0]
        assert any(reference_match(name, params)(record) for record in everything)
    assert not any(
        reference_match("from_phone_number_like", [("", "+44?*")])(r) for r in everything
    )


def test_a_filter_excludes_records_lacking_the_field(api: Api, everything: list[Record]) -> None:
    body = api.ok([("duration[gte]", "0"), ("limit", "0")])
    with_duration = [r for r in everything if r["data"].get("duration") is not None]
    assert body["metadata"]["total"] == len(with_duration) < len(everything)
    users = api.list_all([("user_id", u) for u in common_values(everything, "data.user_id")])
    assert all(record["data"]["user_id"] is not None for record in users)
