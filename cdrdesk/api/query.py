"""An immutable filter set, its validation and its wire form.

The same code encodes a query for the client, parses it back for the demo
server and the CLI, and validates both sides with the contract's 422 rules,
so the two ends cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import quote

from cdrdesk.api.filters import (
    FILTERS,
    FILTERS_BY_NAME,
    LOWER_OPERATORS,
    RANGE_OPERATORS,
    UPPER_OPERATORS,
    FilterKind,
    FilterSpec,
)

Scalar = int | float | datetime
PAGINATION_PARAMS = frozenset({"limit", "offset", "cursor"})

_NUMBER_RE = re.compile(r"[0-9]+(\.[0-9]+)?")
_INTEGER_RE = re.compile(r"[0-9]+")
_TIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_OPERATOR_KEY_RE = re.compile(r"(?P<name>[^\[\]]+)\[(?P<op>[^\[\]]*)\]")


@dataclass(frozen=True, slots=True)
class RangeValue:
    """A range filter: an exact value, or any of the four bounds."""

    exact: Scalar | None = None
    gt: Scalar | None = None
    gte: Scalar | None = None
    lt: Scalar | None = None
    lte: Scalar | None = None

    def bounds(self) -> tuple[tuple[str, Scalar], ...]:
        """The bounds that are set, in the order gt, gte, lt, lte."""
        found = ((op, getattr(self, op)) for op in RANGE_OPERATORS)
        return tuple((op, value) for op, value in found if value is not None)

    def values(self) -> tuple[Scalar, ...]:
        exact = () if self.exact is None else (self.exact,)
        return exact + tuple(value for _, value in self.bounds())

    @property
    def is_empty(self) -> bool:
        return self.exact is None and not self.bounds()


AnyFilterValue = tuple[str, ...] | str | RangeValue


class QueryError(ValueError):
    """Filters that break the contract; ``errors`` maps each wire name to its messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = {name: list(messages) for name, messages in errors.items()}
        super().__init__(
            "; ".join(f"{name}: {', '.join(msgs)}" for name, msgs in self.errors.items())
        )


@dataclass(frozen=True, slots=True)
class Validation:
    """What is wrong with a query (``errors``) and what is merely unusual (``warnings``)."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True, init=False)
class CdrQuery:
    """A set of filters, kept in the table's order; empty values are dropped."""

    items: tuple[tuple[str, AnyFilterValue], ...]

    def __init__(self, filters: Mapping[str, AnyFilterValue] | None = None) -> None:
        given = dict(filters or {})
        for name in given:
            if name not in FILTERS_BY_NAME:
                raise KeyError(f"unknown filter {name!r}")
        items = tuple(
            (spec.name, _normalise(spec, given[spec.name]))
            for spec in FILTERS
            if spec.name in given and not _is_blank(given[spec.name])
        )
        object.__setattr__(self, "items", items)

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, name: object) -> bool:
        return any(item_name == name for item_name, _ in self.items)

    def get(self, name: str) -> AnyFilterValue | None:
        for item_name, value in self.items:
            if item_name == name:
                return value
        return None

    def as_dict(self) -> dict[str, AnyFilterValue]:
        return dict(self.items)

    def with_filter(self, name: str, value: AnyFilterValue | None) -> CdrQuery:
        """A copy with one filter set (or removed, for None or an empty value)."""
        filters = self.as_dict()
        if value is None or _is_blank(value):
            filters.pop(name, None)
        else:
            filters[name] = value
        return CdrQuery(filters)

    def without(self, name: str) -> CdrQuery:
        return self.with_filter(name, None)

    def validate(self, *, strict_enums: bool = False) -> Validation:
        """Check the contract's 422 rules.

        Values outside the known enums are warnings for a client (the vendor
        adds values) and errors when ``strict_enums`` is set, as the demo
        server answers.
        """
        result = Validation()
        for name, value in self.items:
            spec = FILTERS_BY_NAME[name]
            errors, warnings = _check(spec, value, strict_enums=strict_enums)
            if errors:
                result.errors.setdefault(name, []).extend(errors)
            if warnings:
                result.warnings.setdefault(name, []).extend(warnings)
            if (
                spec.exclusive_with
                and spec.kind is FilterKind.PATTERN
                and spec.exclusive_with in self
            ):
                result.errors.setdefault(name, []).append(
                    f"cannot be combined with {spec.exclusive_with}"
                )
        return result

    def to_params(self) -> list[tuple[str, str]]:
        """The wire form: repeated keys for lists, ``name[op]`` for bounds."""
        params: list[tuple[str, str]] = []
        for name, value in self.items:
            spec = FILTERS_BY_NAME[name]
            if isinstance(value, RangeValue):
                if value.exact is not None:
                    params.append((name, format_scalar(spec, value.exact)))
                params.extend(
                    (f"{name}[{op}]", format_scalar(spec, bound)) for op, bound in value.bounds()
                )
            elif isinstance(value, str):
                params.append((name, value))
            else:
                params.extend((name, item) for item in value)
        return params

    def to_query_string(self) -> str:
        return encode_params(self.to_params())

    def canonical(self) -> str:
        """A form that is equal for equal filter sets (cursor binding, preset comparison)."""
        parts: list[tuple[str, str]] = []
        for name, value in self.items:
            spec = FILTERS_BY_NAME[name]
            if isinstance(value, RangeValue):
                if value.exact is not None:
                    parts.append((name, _canonical_scalar(value.exact)))
                parts.extend(
                    (f"{name}[{op}]", _canonical_scalar(bound)) for op, bound in value.bounds()
                )
            elif isinstance(value, str):
                parts.append((name, value))
            else:
                items = (v.casefold() for v in value) if spec.case_insensitive else iter(value)
                parts.extend((name, item) for item in sorted(set(items)))
        return encode_params(parts)

    @classmethod
    def from_params(
        cls, params: Iterable[tuple[str, str]], *, strict_enums: bool = False
    ) -> CdrQuery:
        """Parse wire pairs; QueryError names every filter that is wrong."""
        parsed = parse_params(params, strict_enums=strict_enums)
        if parsed.errors:
            raise QueryError(parsed.errors)
        return parsed.query


@dataclass(frozen=True, slots=True)
class ParsedParams:
    query: CdrQuery
    errors: dict[str, list[str]]
    warnings: dict[str, list[str]]
    unknown: tuple[tuple[str, str], ...]


def parse_params(params: Iterable[tuple[str, str]], *, strict_enums: bool = False) -> ParsedParams:
    """Wire pairs to a query, collecting every contract error by filter name.

    Pagination keys are skipped and keys that name no filter are returned as
    ``unknown`` (the contract ignores them). A known filter with an operator
    it does not take (``duration[foo]``, ``type[gte]``) is an error rather
    than ignored, so a typo never silently widens a search.
    """
    errors: dict[str, list[str]] = {}
    unknown: list[tuple[str, str]] = []
    multi: dict[str, list[str]] = {}
    patterns: dict[str, list[str]] = {}
    ranges: dict[str, dict[str, list[str]]] = {}

    for key, raw in params:
        if key in PAGINATION_PARAMS:
            continue
        name, op = _split_key(key)
        spec = FILTERS_BY_NAME.get(name)
        if spec is None:
            unknown.append((key, raw))
            continue
        if spec.kind.is_multi:
            if op not in (None, ""):
                errors.setdefault(name, []).append(f"operator [{op}] does not apply to {name}")
            elif raw not in multi.setdefault(name, []):
                multi[name].append(raw)
        elif spec.kind is FilterKind.PATTERN:
            if op is not None:
                errors.setdefault(name, []).append(f"operator [{op}] does not apply to {name}")
            else:
                patterns.setdefault(name, []).append(raw)
        elif op is None or op in RANGE_OPERATORS:
            ranges.setdefault(name, {}).setdefault(op or "exact", []).append(raw)
        else:
            errors.setdefault(name, []).append(f"unknown operator [{op}]; use gt, gte, lt or lte")

    filters: dict[str, AnyFilterValue] = {}
    for name, values in multi.items():
        filters[name] = tuple(values)
    for name, values in patterns.items():
        if len(values) > 1:
            errors.setdefault(name, []).append("takes one pattern, not several")
        elif not values[0]:
            errors.setdefault(name, []).append("pattern must not be empty")
        filters[name] = values[0]
    for name, by_op in ranges.items():
        spec = FILTERS_BY_NAME[name]
        typed: dict[str, Scalar] = {}
        for op, texts in by_op.items():
            where = "" if op == "exact" else f"[{op}] "
            if len(texts) > 1:
                errors.setdefault(name, []).append(
                    f"{where or 'the value '}is given more than once"
                )
                continue
            try:
                typed[op] = parse_scalar(spec, texts[0])
            except ValueError as exc:
                errors.setdefault(name, []).append(f"{where}{exc}")
        filters[name] = RangeValue(**typed)

    query = CdrQuery(filters)
    checked = query.validate(strict_enums=strict_enums)
    for name, messages in checked.errors.items():
        for message in messages:
            if message not in errors.get(name, []):
                errors.setdefault(name, []).append(message)
    return ParsedParams(query, errors, checked.warnings, tuple(unknown))


def parse_scalar(spec: FilterSpec, text: str) -> Scalar:
    """One range value from its text; ValueError says what is wrong with it."""
    text = text.strip()
    if spec.kind is FilterKind.TIME_RANGE:
        return parse_time(text)
    if text.startswith("-") and _NUMBER_RE.fullmatch(text[1:]):
        raise ValueError(f"{text} is negative; it must be 0 or more")
    if spec.kind is FilterKind.INTEGER_RANGE:
        if not _INTEGER_RE.fullmatch(text):
            raise ValueError(f"{text!r} is not a whole number of seconds")
        return int(text)
    if not _NUMBER_RE.fullmatch(text):
        raise ValueError(f"{text!r} is not a number")
    number = float(text)
    return int(number) if "." not in text else number


def parse_time(text: str) -> datetime:
    """An RFC 3339 time; one without an offset is refused, as the contract says."""
    if not _TIME_RE.fullmatch(text):
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9:.]+", text):
            raise ValueError(f"{text!r} has no time zone offset (add Z or +HH:MM)")
        raise ValueError(f"{text!r} is not an RFC 3339 time such as 2026-11-01T00:00:00Z")
    try:
        return datetime.fromisoformat(text.upper())
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date and time") from None


def format_time(moment: datetime) -> str:
    """RFC 3339 with the moment's own offset, ``Z`` for UTC."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone offset")
    offset = moment.utcoffset()
    if offset is not None and offset.seconds % 60:
        moment = moment.astimezone(UTC)  # RFC 3339 offsets are whole minutes
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def format_scalar(spec: FilterSpec, value: Scalar) -> str:
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def encode_params(params: Iterable[tuple[str, str]]) -> str:
    """A query string with values percent-encoded (``+`` stays a plus, not a space).

    Brackets of ``name[op]`` keys, ``*`` and ``:`` are left readable, as the
    contract writes them.
    """
    return "&".join(f"{quote(key, safe='[]')}={quote(value, safe='*:')}" for key, value in params)


def _split_key(key: str) -> tuple[str, str | None]:
    match = _OPERATOR_KEY_RE.fullmatch(key)
    if match is None:
        return key, None
    return match["name"], match["op"]


def _is_blank(value: AnyFilterValue) -> bool:
    if isinstance(value, RangeValue):
        return value.is_empty
    return len(value) == 0


def _normalise(spec: FilterSpec, value: AnyFilterValue) -> AnyFilterValue:
    if spec.kind.is_multi:
        if isinstance(value, str):
            value = (value,)
        if not isinstance(value, tuple | list):
            raise TypeError(f"{spec.name} takes a list of strings")
        return tuple(dict.fromkeys(str(item) for item in value))
    if spec.kind is FilterKind.PATTERN:
        if not isinstance(value, str):
            raise TypeError(f"{spec.name} takes one pattern string")
        return value
    if not isinstance(value, RangeValue):
        raise TypeError(f"{spec.name} takes a RangeValue")
    return value


def _check(
    spec: FilterSpec, value: AnyFilterValue, *, strict_enums: bool
) -> tuple[list[str], list[str]]:
    errors: list[str] = []
    warnings: list[str] = []
    if isinstance(value, RangeValue):
        errors.extend(_check_range(spec, value))
    elif isinstance(value, str):
        if not value.strip("*"):
            errors.append("pattern needs at least one character besides *")
    else:
        if any(not item.strip() for item in value):
            errors.append("values must not be empty")
        if spec.kind is FilterKind.ENUM:
            unknown = [item for item in value if item not in spec.known_values]
            if unknown:
                message = f"unknown value{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}"
                (errors if strict_enums else warnings).append(message)
    return errors, warnings


def _check_range(spec: FilterSpec, value: RangeValue) -> list[str]:
    errors: list[str] = []
    if value.exact is not None and value.bounds():
        errors.append("an exact value cannot be mixed with bounds")
    for scalar in value.values():
        if isinstance(scalar, datetime):
            if spec.kind is not FilterKind.TIME_RANGE:
                errors.append(f"{scalar.isoformat()} is a time; {spec.name} takes a number")
            elif scalar.utcoffset() is None:
                errors.append(f"{scalar.isoformat()} has no time zone offset")
        elif spec.kind is FilterKind.TIME_RANGE:
            errors.append(f"{scalar} is not a time")
        elif isinstance(scalar, bool) or scalar < 0:
            errors.append(f"{scalar} is negative; it must be 0 or more")
        elif spec.kind is FilterKind.INTEGER_RANGE and not isinstance(scalar, int):
            errors.append(f"{scalar} is not a whole number of seconds")
    if errors:
        return errors
    lower = [bound for op, bound in value.bounds() if op in LOWER_OPERATORS]
    upper = [bound for op, bound in value.bounds() if op in UPPER_OPERATORS]
    if lower and upper:
        low, high = max(lower, key=_sort_key), min(upper, key=_sort_key)
        if _sort_key(low) > _sort_key(high):
            errors.append(
                f"lower bound {format_scalar(spec, low)} is above upper bound "
                f"{format_scalar(spec, high)}"
            )
    return errors


def _sort_key(value: Scalar) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


def _canonical_scalar(value: Scalar) -> str:
    if isinstance(value, datetime):
        return format_time(value.astimezone(UTC))
    return repr(float(value))
