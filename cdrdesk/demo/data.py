"""Synthetic CDRs that look like a real contact centre's.

The data are a pure function of (record count, seed, anchor hour), so a
cached database can be keyed by those three and rebuilt identically.
Records are produced in the served order's reverse (oldest first, ties by
id), which lets the store number them so that ``rowid`` order *is* the
contract's order.
"""

from __future__ import annotations

import base64
import bisect
import functools
import itertools
import os
import random
import time
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from cdrdesk.api.filters import EVENT_TAGS, TRANSFER_TAGS

T = TypeVar("T")
SPAN_DAYS = 90
SPAN_SECONDS = SPAN_DAYS * 86_400
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# (country name, calling code, national number length)
COUNTRIES: tuple[tuple[str, str, int], ...] = (
    ("United Kingdom", "44", 10),
    ("United States", "1", 10),
    ("Germany", "49", 11),
    ("France", "33", 9),
    ("Spain", "34", 9),
    ("Italy", "39", 10),
    ("Netherlands", "31", 9),
    ("Poland", "48", 9),
    ("Latvia", "371", 8),
    ("Ireland", "353", 9),
    ("Brazil", "55", 11),
    ("Mexico", "52", 10),
    ("India", "91", 10),
    ("Philippines", "63", 10),
    ("South Africa", "27", 9),
    ("Australia", "61", 9),
    ("Côte d'Ivoire", "225", 10),
    ("United Arab Emirates", "971", 9),
)
_COUNTRY_WEIGHTS = (22, 18, 8, 7, 6, 5, 4, 4, 3, 3, 4, 3, 4, 3, 2, 2, 1, 1)

USERS = tuple(f"usr_{n:04d}" for n in range(1, 61))
TEAMS = tuple(f"team_{n:02d}" for n in range(1, 9))
QUEUES = tuple(f"que_{n:02d}" for n in range(1, 13))
CAMPAIGNS = tuple(f"cmp_{n:03d}" for n in range(1, 16))
EXTERNAL_ACCOUNTS = ("ext_1001", "ext_1002", "ext_1003", "ext_2001", "ext_3001")
WRAP_UP_CODES = (
    "sale",
    "callback",
    "no_interest",
    "wrong_number",
    "support_resolved",
    "escalated",
    "Billing, refund",
    "info request",
)
_CALL_ACCOUNTS = tuple(f"cha_{n:04d}" for n in range(1, 7))
_CALL_PROFILES = tuple(f"chp_{n:04d}" for n in range(1, 7))
_CONVERSATION_ACCOUNTS = {
    "whatsapp": ("cha_0101", "cha_0102"),
    "facebook": ("cha_0201",),
    "instagram": ("cha_0301",),
    "telegram": ("cha_0401",),
    "web_chat": ("cha_0501", "cha_0502"),
}
_SMS_ACCOUNTS = ("cha_0601", "cha_0602")

_TYPES = ("call", "conversation", "sms", "hlr_lookup")
_TYPE_WEIGHTS = (62, 20, 14, 4)
_CALL_SUBTYPES = ("inbound", "outbound", "dialer", "click_to_call", "queue_callback", "internal")
_CALL_SUBTYPE_WEIGHTS = (40, 25, 20, 5, 5, 5)
_CONVERSATION_SUBTYPES = ("whatsapp", "web_chat", "facebook", "instagram", "telegram")
_CONVERSATION_SUBTYPE_WEIGHTS = (35, 25, 15, 15, 10)

_CALL_DISPOSITIONS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "inbound": (
        ("answered", "abandoned", "missed", "system_abandoned", "failed", "route_unavailable",
         "system_reject"),
        (72, 10, 8, 3, 3, 2, 2),
    ),
    "outbound": (
        ("answered", "no_answer", "busy", "failed", "rejected", "answered_by_vm"),
        (55, 20, 10, 5, 5, 5),
    ),
    "click_to_call": (
        ("answered", "no_answer", "busy", "failed", "rejected"),
        (60, 20, 10, 5, 5),
    ),
    "dialer": (
        ("answered", "no_answer", "busy", "machine_answered", "dialer_abandoned", "failed",
         "answered_by_vm"),
        (45, 20, 8, 10, 7, 5, 5),
    ),
    "queue_callback": (("answered", "no_answer", "busy"), (70, 20, 10)),
    "internal": (("answered", "no_answer", "busy"), (80, 15, 5)),
}  # fmt: skip

_END_REASONS_BY_DISPOSITION: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "answered": (
        ("agent_disconnect", "customer_disconnect", "remote_party_disconnect",
         "manager_terminate"),
        (45, 40, 12, 3),
    ),
    "no_answer": (("timeout",), (1,)),
    "busy": (("remote_party_disconnect",), (1,)),
    "rejected": (("remote_party_disconnect",), (1,)),
    "failed": (("system_reject", "dncr_rejected", "dncr_failure"), (80, 12, 8)),
    "route_unavailable": (("system_reject",), (1,)),
    "system_reject": (("system_reject",), (1,)),
    "abandoned": (("customer_disconnect",), (1,)),
    "missed": (("timeout", "customer_disconnect"), (60, 40)),
    "system_abandoned": (("timeout",), (1,)),
    "dialer_abandoned": (("system_reject", "customer_disconnect"), (50, 50)),
    "answered_by_vm": (("agent_disconnect", "machine_disconnect"), (50, 50)),
    "machine_answered": (("machine_disconnect",), (1,)),
}  # fmt: skip

_HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 20, 20, 17, 18, 20, 19, 17, 14, 10, 7, 5, 3, 2, 1)


@dataclass(frozen=True, slots=True)
class DemoSpec:
    """What a data set is a function of."""

    records: int
    seed: int
    anchor: datetime

    @property
    def anchor_epoch(self) -> int:
        return int(self.anchor.timestamp())


ANCHOR_ENV = "CDRDESK_DEMO_ANCHOR"
"""An RFC 3339 time that pins the demo data's hour, so servers started later get the same data."""


def current_anchor(now: datetime | None = None) -> datetime:
    """Now, truncated to the UTC hour: data stay recent yet are rebuilt at most hourly.

    ``CDRDESK_DEMO_ANCHOR`` (when ``now`` is not given) takes the place of
    the clock: a test run that crosses an hour keeps one set of data, and
    every demo server it starts, in this process or another, agrees.
    """
    if now is None:
        pinned = os.environ.get(ANCHOR_ENV)
        if pinned:
            try:
                now = datetime.fromisoformat(pinned)
            except ValueError:
                raise ValueError(
                    f"{ANCHOR_ENV} must be an RFC 3339 time such as 2026-11-30T05:00:00Z, "
                    f"not {pinned!r}"
                ) from None
            if now.tzinfo is None:
                raise ValueError(f"{ANCHOR_ENV} must carry a time zone (such as Z), not {pinned!r}")
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.replace(minute=0, second=0, microsecond=0)


def format_epoch(seconds: int) -> str:
    """RFC 3339 in UTC with ``Z``, as the records carry it."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


_RFC4648_TO_CROCKFORD = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _CROCKFORD.encode("ascii")
)


def sortable_id(millis: int, rng: random.Random) -> str:
    """48 bits of time then 72 random bits in Crockford base32: ids sort by time."""
    raw = millis.to_bytes(6, "big") + rng.getrandbits(72).to_bytes(9, "big")
    return base64.b32encode(raw).translate(_RFC4648_TO_CROCKFORD).decode("ascii")


def _choice(rng: random.Random, options: Sequence[T]) -> T:
    return options[int(rng.random() * len(options))]


def _between(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


@functools.lru_cache(maxsize=128)
def _cumulative(weights: tuple[int, ...]) -> tuple[list[int], int]:
    return list(itertools.accumulate(weights)), sum(weights)


def _weighted(rng: random.Random, options: Sequence[T], weights: tuple[int, ...]) -> T:
    cumulative, total = _cumulative(weights)
    return options[bisect.bisect(cumulative, rng.random() * total)]


def event_tag_mask(tags: list[str] | None) -> int | None:
    """Event tags as bits in ``EVENT_TAGS`` order (None stays None)."""
    if tags is None:
        return None
    mask = 0
    for tag in tags:
        mask |= 1 << EVENT_TAGS.index(tag)
    return mask


def start_times(spec: DemoSpec) -> array[int]:
    """Every record's start second, ascending; some seconds are shared on purpose."""
    rng = random.Random(f"cdrdesk-demo-times:{spec.records}:{spec.seed}:{spec.anchor_epoch}")
    first_hour = (spec.anchor_epoch - SPAN_SECONDS) // 3600
    hour_weights = []
    total = 0
    first_hour_of_day = first_hour % 24
    for hour in range(SPAN_DAYS * 24):
        total += _HOUR_WEIGHTS[(first_hour_of_day + hour) % 24]
        hour_weights.append(total)
    hours = rng.choices(range(SPAN_DAYS * 24), cum_weights=hour_weights, k=spec.records)
    base = first_hour * 3600
    latest = spec.anchor_epoch - 1
    times = array("q")
    previous = base
    for hour in hours:
        if times and rng.random() < 0.03:
            times.append(previous)  # bursts: dialer and campaign sends start together
            continue
        previous = min(base + hour * 3600 + int(rng.random() * 3600), latest)
        times.append(previous)
    return array("q", sorted(times))


@dataclass(frozen=True, slots=True)
class DemoRow:
    """A record and the values its filters and its order are read from."""

    record: dict[str, Any]
    started_at: int
    ended_at: int


class _Generator:
    """One record at a time from a single seeded stream, so a data set is reproducible."""

    def __init__(self, spec: DemoSpec) -> None:
        self.spec = spec
        self.rng = random.Random(f"cdrdesk-demo:{spec.records}:{spec.seed}:{spec.anchor_epoch}")
        rng = self.rng
        self.user_team = {user: TEAMS[index % len(TEAMS)] for index, user in enumerate(USERS)}
        self.our_numbers = {
            country: [self._number(country) for _ in range(3)] for country in COUNTRIES[:6]
        }
        self.customer_numbers = [
            (country, self._number(country))
            for country in rng.choices(COUNTRIES, weights=_COUNTRY_WEIGHTS, k=4000)
        ]
        self.recording_host = "https://recordings.demo.invalid"

    def _number(self, country: tuple[str, str, int]) -> str:
        _, code, length = country
        first = str(_between(self.rng, 2, 9))
        rest = "".join(str(self.rng.randrange(10)) for _ in range(length - 1))
        return f"+{code}{first}{rest}"

    def _our(self) -> tuple[str, str]:
        country = _choice(self.rng, COUNTRIES[:6])
        return country[0], _choice(self.rng, self.our_numbers[country])

    def _customer(self) -> tuple[str, str]:
        country, number = _choice(self.rng, self.customer_numbers)
        return country[0], number

    def _pick(self, options: tuple[tuple[str, ...], tuple[int, ...]]) -> str:
        values, weights = options
        return _weighted(self.rng, values, weights)

    def _agent(self) -> tuple[str, str]:
        user = _choice(self.rng, USERS)
        return user, self.user_team[user]

    def row(self, started_at: int, record_id: str) -> DemoRow:
        kind = _weighted(self.rng, _TYPES, _TYPE_WEIGHTS)
        if kind == "call":
            subtype, data = self._call(started_at)
        elif kind == "conversation":
            subtype, data = self._conversation(started_at)
        elif kind == "sms":
            subtype, data = self._sms()
        else:
            subtype, data = "hlr_lookup", self._hlr()
        length = data.get("duration") or 0
        if kind == "hlr_lookup":
            length = min(_between(self.rng, 0, 2), self.spec.anchor_epoch - 1 - started_at)
        ended_at = started_at + length
        record = {
            "id": record_id,
            "type": kind,
            "subtype": subtype,
            "started_at": format_epoch(started_at),
            "ended_at": format_epoch(ended_at),
            "data": data,
        }
        return DemoRow(record, started_at, ended_at)

    def _call(self, started_at: int) -> tuple[str, dict[str, Any]]:
        rng = self.rng
        subtype = _weighted(rng, _CALL_SUBTYPES, _CALL_SUBTYPE_WEIGHTS)
        disposition = self._pick(_CALL_DISPOSITIONS[subtype])
        answered = disposition == "answered"
        inbound = subtype == "inbound"
        our_country, our_number = self._our()
        if subtype == "internal":
            from_country, from_number = self._our()
            to_country, to_number = our_country, our_number
        elif inbound:
            from_country, from_number = self._customer()
            to_country, to_number = our_country, our_number
        else:
            from_country, from_number = our_country, our_number
            to_country, to_number = self._customer()
        del from_country
        queued = subtype in ("inbound", "queue_callback") or (
            subtype == "dialer" and rng.random() < 0.5
        )
        reached_agent = answered or disposition in ("answered_by_vm", "rejected", "busy")
        user, team = self._agent()
        if inbound and not answered:
            user_id: str | None = None
            team_id: str | None = None
        else:
            user_id, team_id = user, team

        dialing = _between(rng, 0, 4) if inbound else _between(rng, 3, 40)
        ivr = _between(rng, 5, 90) if inbound else 0
        queue = _between(rng, 0, 400) if queued and disposition != "route_unavailable" else 0
        talk = int(rng.lognormvariate(5.0, 0.9)) + 5 if answered else 0
        tags: list[str] = []
        hold = 0
        if answered:
            if rng.random() < 0.8:
                tags.append("recording")
            if rng.random() < 0.2:
                tags.append("hold")
                hold = _between(rng, 5, 300)
            if rng.random() < 0.05:
                tags.append("mute")
            if rng.random() < 0.12:
                tags.append(_choice(rng, TRANSFER_TAGS))
            if rng.random() < 0.03:
                tags.append("conference")
            for supervisor in ("supervisor_listen", "supervisor_whisper", "supervisor_barge"):
                if rng.random() < 0.02:
                    tags.append(supervisor)
        else:
            if disposition in ("abandoned", "missed", "system_abandoned") and rng.random() < 0.2:
                tags.append("callback_requested")
            if disposition in ("missed", "no_answer", "answered_by_vm") and rng.random() < 0.1:
                tags.append("voicemail")
        end_reason: str | None
        if any(tag in TRANSFER_TAGS for tag in tags):
            end_reason = "transfer"
        else:
            end_reason = self._pick(_END_REASONS_BY_DISPOSITION[disposition])
        segments = [dialing, ivr, queue, talk, hold]
        excess = started_at + sum(segments) - (self.spec.anchor_epoch - 1)
        for index in (3, 4, 2, 1, 0):  # calls may not end after the anchor
            if excess <= 0:
                break
            cut = min(excess, segments[index])
            segments[index] -= cut
            excess -= cut
        dialing, ivr, queue, talk, hold = segments
        recorded = "recording" in tags
        score: float | None = None
        if answered and rng.random() < 0.45:
            score = round(rng.uniform(0, 5), 1)
        data: dict[str, Any] = {
            "external_account_id": _choice(rng, EXTERNAL_ACCOUNTS),
            "disposition": disposition,
            "end_reason": end_reason if rng.random() > 0.01 else None,
            "wrap_up_code": _choice(rng, WRAP_UP_CODES) if reached_agent and answered else None,
            "event_tags": tags,
            "from_phone_number": from_number,
            "to_phone_number": to_number,
            "source_channel_account_id": _choice(rng, _CALL_ACCOUNTS),
            "destination_channel_account_id": _choice(rng, _CALL_ACCOUNTS),
            "source_channel_profile_id": _choice(rng, _CALL_PROFILES),
            "destination_channel_profile_id": _choice(rng, _CALL_PROFILES),
            "user_id": user_id,
            "team_id": team_id,
            "queue_id": _choice(rng, QUEUES) if queued else None,
            "campaign_id": _choice(rng, CAMPAIGNS) if subtype == "dialer" else None,
            "destination_country": to_country,
            "score": score,
            "duration": sum(segments),
            "dialing_duration": dialing,
            "ivr_duration": ivr,
            "queue_duration": queue,
            "talk_duration": talk,
            "hold_duration": hold,
            "recording_url": (
                f"{self.recording_host}/r/{rng.getrandbits(64):016x}.mp3" if recorded else None
            ),
        }
        return subtype, data

    def _conversation(self, started_at: int) -> tuple[str, dict[str, Any]]:
        rng = self.rng
        subtype = _weighted(rng, _CONVERSATION_SUBTYPES, _CONVERSATION_SUBTYPE_WEIGHTS)
        disposition = _weighted(
            rng, ("answered", "missed", "abandoned", "system_abandoned"), (75, 10, 10, 5)
        )
        answered = disposition == "answered"
        tags: list[str] = []
        if answered and rng.random() < 0.1:
            tags.append(_choice(rng, ("queue_transfer", "blind_transfer")))
        if answered and rng.random() < 0.02:
            tags.append("supervisor_listen")
        if answered:
            end_reason = (
                "transfer"
                if tags and tags[0].endswith("_transfer")
                else _choice(rng, ("agent_disconnect", "customer_disconnect", "timeout"))
            )
        else:
            end_reason = "timeout" if disposition != "abandoned" else "customer_disconnect"
        with_numbers = subtype in ("whatsapp", "telegram")
        to_country: str | None = None
        from_number = to_number = None
        if with_numbers:
            _, from_number = self._customer()
            to_country, to_number = self._our()
        user, team = self._agent()
        duration = _between(rng, 60, 3600) if answered else _between(rng, 5, 600)
        duration = max(0, min(duration, self.spec.anchor_epoch - 1 - started_at))
        accounts = _CONVERSATION_ACCOUNTS[subtype]
        data: dict[str, Any] = {
            "external_account_id": _choice(rng, EXTERNAL_ACCOUNTS),
            "disposition": disposition,
            "end_reason": end_reason,
            "wrap_up_code": _choice(rng, WRAP_UP_CODES) if answered else None,
            "event_tags": tags,
            "from_phone_number": from_number,
            "to_phone_number": to_number,
            "source_channel_account_id": _choice(rng, accounts),
            "destination_channel_account_id": _choice(rng, accounts),
            "source_channel_profile_id": f"chp_{subtype}_{_between(rng, 1, 3)}",
            "destination_channel_profile_id": f"chp_{subtype}_{_between(rng, 1, 3)}",
            "user_id": user if answered else None,
            "team_id": team if answered else None,
            "queue_id": _choice(rng, QUEUES),
            "destination_country": to_country,
            "score": round(rng.uniform(0, 5), 1) if answered and rng.random() < 0.6 else None,
            "duration": duration,
        }
        return subtype, data

    def _sms(self) -> tuple[str, dict[str, Any]]:
        rng = self.rng
        inbound = rng.random() < 0.35
        our_country, our_number = self._our()
        if inbound:
            subtype = "inbound_sms"
            disposition = _weighted(rng, ("delivered", "not_delivered"), (95, 5))
            _, from_number = self._customer()
            to_country, to_number = our_country, our_number
        else:
            subtype = "outbound_sms"
            disposition = _weighted(
                rng, ("delivered", "sent", "not_delivered", "not_sent"), (70, 15, 10, 5)
            )
            from_number = our_number
            to_country, to_number = self._customer()
        user, team = self._agent()
        automated = not inbound and rng.random() < 0.4
        accounts = _SMS_ACCOUNTS
        data: dict[str, Any] = {
            "external_account_id": _choice(rng, EXTERNAL_ACCOUNTS),
            "disposition": disposition,
            "from_phone_number": from_number,
            "to_phone_number": to_number,
            "source_channel_account_id": _choice(rng, accounts),
            "destination_channel_account_id": _choice(rng, accounts),
            "source_channel_profile_id": "chp_sms_1",
            "destination_channel_profile_id": "chp_sms_1",
            "user_id": None if automated or inbound else user,
            "team_id": None if automated or inbound else team,
            "campaign_id": _choice(rng, CAMPAIGNS) if automated else None,
            "destination_country": to_country,
        }
        return subtype, data

    def _hlr(self) -> dict[str, Any]:
        rng = self.rng
        to_country, to_number = self._customer()
        return {
            "external_account_id": _choice(rng, EXTERNAL_ACCOUNTS),
            "disposition": _weighted(rng, ("delivered", "not_delivered", "failed"), (85, 12, 3)),
            "to_phone_number": to_number,
            "destination_country": to_country,
        }


def generate(spec: DemoSpec) -> Iterator[DemoRow]:
    """Every record, oldest first; records sharing a second come in id order."""
    generator = _Generator(spec)
    id_rng = random.Random(f"cdrdesk-demo-ids:{spec.records}:{spec.seed}:{spec.anchor_epoch}")
    times = start_times(spec)
    index = 0
    count = len(times)
    while index < count:
        second = times[index]
        end = index + 1
        while end < count and times[end] == second:
            end += 1
        ids = sorted(
            "cdr_" + sortable_id(second * 1000 + int(id_rng.random() * 1000), id_rng)
            for _ in range(end - index)
        )
        for record_id in ids:
            yield generator.row(second, record_id)
        index = end
