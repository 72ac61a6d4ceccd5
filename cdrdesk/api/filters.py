"""The contract's filters as one declarative table.

Everything that deals with filters (query encoding and parsing, validation,
the sidebar, presets, the CLI, the demo server's SQL) reads this table, so a
new filter of the vendor's is one more row here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class FilterKind(enum.Enum):
    ENUM = "enum"
    MULTI_STRING = "multi string"
    PATTERN = "pattern"
    NUMBER_RANGE = "number range"
    INTEGER_RANGE = "integer range"
    TIME_RANGE = "time range"

    @property
    def is_multi(self) -> bool:
        return self in (FilterKind.ENUM, FilterKind.MULTI_STRING)

    @property
    def is_range(self) -> bool:
        return self in (FilterKind.NUMBER_RANGE, FilterKind.INTEGER_RANGE, FilterKind.TIME_RANGE)


class FilterGroup(enum.Enum):
    """Sections of the sidebar, in the order they are shown."""

    TIME = "Time"
    TYPE_AND_OUTCOME = "Type and outcome"
    PEOPLE_AND_ROUTING = "People and routing"
    NUMBERS = "Numbers"
    CHANNELS = "Channels"
    DURATIONS_AND_SCORE = "Durations and score"


TYPES = ("call", "conversation", "sms", "hlr_lookup")
SUBTYPES = (
    "inbound", "outbound", "dialer", "click_to_call", "queue_callback", "internal",
    "whatsapp", "facebook", "instagram", "telegram", "web_chat", "inbound_sms",
    "outbound_sms", "hlr_lookup",
)  # fmt: skip
DISPOSITIONS = (
    "answered", "no_answer", "busy", "failed", "rejected", "abandoned", "missed",
    "dialer_abandoned", "system_abandoned", "answered_by_vm", "machine_answered",
    "system_reject", "route_unavailable", "sent", "not_sent", "delivered", "not_delivered",
)  # fmt: skip
END_REASONS = (
    "agent_disconnect", "customer_disconnect", "remote_party_disconnect",
    "machine_disconnect", "manager_terminate", "system_reject", "dncr_rejected",
    "dncr_failure", "timeout", "transfer",
)  # fmt: skip
EVENT_TAGS = (
    "blind_transfer", "warm_transfer", "queue_transfer", "external_transfer", "hold",
    "mute", "recording", "voicemail", "callback_requested", "conference",
    "supervisor_listen", "supervisor_whisper", "supervisor_barge",
)  # fmt: skip
ALL_TRANSFERS = "all_transfers"
TRANSFER_TAGS = tuple(tag for tag in EVENT_TAGS if tag.endswith("_transfer"))

RANGE_OPERATORS = ("gt", "gte", "lt", "lte")
LOWER_OPERATORS = ("gt", "gte")
UPPER_OPERATORS = ("lt", "lte")


@dataclass(frozen=True, slots=True)
class FilterSpec:
    """One query parameter of the contract.

    ``field`` is the record field it matches, as a dotted path
    (``data.user_id``); ``list_field`` marks a field holding an array whose
    elements are matched (event tags). ``exclusive_with`` names the twin
    filter it may not be combined with (exact numbers against a pattern).
    """

    name: str
    label: str
    kind: FilterKind
    field: str
    group: FilterGroup
    help: str = ""
    enum_values: tuple[str, ...] = ()
    filter_only_values: tuple[str, ...] = ()
    exclusive_with: str | None = None
    case_insensitive: bool = False
    list_field: bool = False

    @property
    def known_values(self) -> tuple[str, ...]:
        """Values a user may pick from: the record's enum plus filter-only values."""
        return self.enum_values + self.filter_only_values

    @property
    def field_name(self) -> str:
        """The last part of the field path (``user_id`` for ``data.user_id``)."""
        return self.field.rsplit(".", 1)[-1]


_T = FilterGroup.TIME
_O = FilterGroup.TYPE_AND_OUTCOME
_P = FilterGroup.PEOPLE_AND_ROUTING
_N = FilterGroup.NUMBERS
_C = FilterGroup.CHANNELS
_D = FilterGroup.DURATIONS_AND_SCORE
E = FilterKind.ENUM
S = FilterKind.MULTI_STRING
PAT = FilterKind.PATTERN
NUM = FilterKind.NUMBER_RANGE
INT = FilterKind.INTEGER_RANGE
TIME = FilterKind.TIME_RANGE

# fmt: off
FILTERS: tuple[FilterSpec, ...] = (
    FilterSpec("started_at", "Started", TIME, "started_at", _T, "Start time or range"),
    FilterSpec("ended_at", "Ended", TIME, "ended_at", _T, "End time or range"),
    FilterSpec("type", "Type", E, "type", _O, "CDR type", enum_values=TYPES),
    FilterSpec("subtype", "Subtype", E, "subtype", _O, "CDR subtype", enum_values=SUBTYPES),
    FilterSpec("disposition", "Disposition", E, "data.disposition", _O, "Outcome",
               enum_values=DISPOSITIONS),
    FilterSpec("end_reason", "End reason", E, "data.end_reason", _O, "Who or what ended it",
               enum_values=END_REASONS),
    FilterSpec("wrap_up_code", "Wrap-up code", S, "data.wrap_up_code", _O,
               "Wrap-up code set by the agent"),
    FilterSpec("event_tag", "Event tag", E, "data.event_tags", _O,
               "Any of the record's event tags; all_transfers means every transfer",
               enum_values=EVENT_TAGS, filter_only_values=(ALL_TRANSFERS,), list_field=True),
    FilterSpec("user_id", "User ID", S, "data.user_id", _P, "Agent"),
    FilterSpec("team_id", "Team ID", S, "data.team_id", _P, "Team"),
    FilterSpec("queue_id", "Queue ID", S, "data.queue_id", _P, "Queue"),
    FilterSpec("campaign_id", "Campaign ID", S, "data.campaign_id", _P, "Dialer campaign"),
    FilterSpec("external_account_id", "External account ID", S, "data.external_account_id", _P,
               "Account in the customer's own system"),
    FilterSpec("from_phone_number", "From number", S, "data.from_phone_number", _N,
               "Caller's numbers, exactly", exclusive_with="from_phone_number_like"),
    FilterSpec("from_phone_number_like", "From number pattern", PAT, "data.from_phone_number",
               _N, "Caller's number, * matches any run of characters",
               exclusive_with="from_phone_number"),
    FilterSpec("to_phone_number", "To number", S, "data.to_phone_number", _N,
               "Destination numbers, exactly", exclusive_with="to_phone_number_like"),
    FilterSpec("to_phone_number_like", "To number pattern", PAT, "data.to_phone_number", _N,
               "Destination number, * matches any run of characters",
               exclusive_with="to_phone_number"),
    FilterSpec("destination_country", "Destination country", S, "data.destination_country", _N,
               "Country name, any case", case_insensitive=True),
    FilterSpec("source_channel_account_id", "Source channel account", S,
               "data.source_channel_account_id", _C, "Channel account the CDR came from"),
    FilterSpec("destination_channel_account_id", "Destination channel account", S,
               "data.destination_channel_account_id", _C, "Channel account it went to"),
    FilterSpec("source_channel_profile_id", "Source channel profile", S,
               "data.source_channel_profile_id", _C, "Channel profile it came from"),
    FilterSpec("destination_channel_profile_id", "Destination channel profile", S,
               "data.destination_channel_profile_id", _C, "Channel profile it went to"),
    FilterSpec("duration", "Duration (s)", INT, "data.duration", _D, "Overall seconds"),
    FilterSpec("dialing_duration", "Dialing (s)", INT, "data.dialing_duration", _D,
               "Seconds dialing"),
    FilterSpec("ivr_duration", "IVR (s)", INT, "data.ivr_duration", _D, "Seconds in IVR"),
    FilterSpec("queue_duration", "Queue (s)", INT, "data.queue_duration", _D,
               "Seconds in queue"),
    FilterSpec("talk_duration", "Talk (s)", INT, "data.talk_duration", _D, "Seconds talking"),
    FilterSpec("hold_duration", "Hold (s)", INT, "data.hold_duration", _D, "Seconds on hold"),
    FilterSpec("score", "Score", NUM, "data.score", _D, "Conversation score"),
)
# fmt: on

FILTERS_BY_NAME: dict[str, FilterSpec] = {spec.name: spec for spec in FILTERS}


def filter_spec(name: str) -> FilterSpec:
    """The spec of a wire name; KeyError names the unknown filter."""
    try:
        return FILTERS_BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown filter {name!r}") from None


def filters_in_group(group: FilterGroup) -> tuple[FilterSpec, ...]:
    return tuple(spec for spec in FILTERS if spec.group is group)


def expand_event_tags(values: tuple[str, ...]) -> tuple[str, ...]:
    """The tags a set of event_tag filter values stands for (all_transfers expanded)."""
    expanded: list[str] = []
    for value in values:
        for tag in TRANSFER_TAGS if value == ALL_TRANSFERS else (value,):
            if tag not in expanded:
                expanded.append(tag)
    return tuple(expanded)
