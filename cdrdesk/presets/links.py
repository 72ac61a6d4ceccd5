"""``cdrdesk://filters?...`` links that open a filter set in the app.

The query string is the request's own wire form, so a link reads like the
API call it stands for. By default relative ranges are resolved at ``now``:
a link names the records its sender saw, and whoever opens it tomorrow sees
the same time window. With ``keep_relative=True`` a time filter is written
as ``cdrdesk_relative=started_at:last_7_days`` instead and stays relative.
:func:`parse_link` reads both.

Parsing choices: ``+`` is a literal plus (phone numbers are typed with
one), not a space; pagination keys (``limit``, ``offset``, ``cursor``) are
ignored since a link names filters, not a page; a key that names no filter
is an error, so a link from a newer version never silently widens a search.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from urllib.parse import unquote, urlsplit

from cdrdesk.api.filters import FILTERS_BY_NAME, FilterKind
from cdrdesk.api.query import PAGINATION_PARAMS, CdrQuery, QueryError, encode_params, parse_params
from cdrdesk.api.timeranges import FilterState, RelativeRange

SCHEME = "cdrdesk"
HOST = "filters"
RELATIVE_PARAM = "cdrdesk_relative"


class LinkError(ValueError):
    """A link that cannot be opened; ``errors`` maps filter names (or ``link``) to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        details = "; ".join(f"{name}: {', '.join(msgs)}" for name, msgs in errors.items())
        super().__init__(f"invalid cdrdesk link: {details}")


def make_link(
    state_or_query: FilterState | CdrQuery,
    now: datetime | None = None,
    zone: tzinfo | None = None,
    *,
    keep_relative: bool = False,
) -> str:
    """The link of a filter set; ``now`` is needed to resolve relative ranges.

    Raises :class:`QueryError` for a filter set the app would refuse to open.
    """
    state = (
        state_or_query if isinstance(state_or_query, FilterState) else FilterState(state_or_query)
    )
    if keep_relative:
        query = state.query
        for name in state.relative:
            query = query.without(name)
        extra = [
            (RELATIVE_PARAM, f"{name}:{choice.value}") for name, choice in state.relative.items()
        ]
    else:
        if state.relative and now is None:
            raise ValueError("a link of relative time ranges needs the moment to resolve them at")
        query = state.resolve(now, zone) if now is not None else state.query
        extra = []
    checked = query.validate()
    if not checked.ok:
        raise QueryError(checked.errors)
    return f"{SCHEME}://{HOST}?{encode_params([*query.to_params(), *extra])}"


def parse_link(url: str) -> FilterState:
    """The filter set of a link; :class:`LinkError` names every filter that is wrong."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != SCHEME:
        raise LinkError({"link": [f"not a {SCHEME}:// link"]})
    if parts.netloc.lower() != HOST or parts.path not in ("", "/"):
        raise LinkError({"link": [f"{SCHEME}://{parts.netloc}{parts.path} is not a filter link"]})
    pairs = _split_query(parts.query)

    errors: dict[str, list[str]] = {}
    relative: dict[str, RelativeRange] = {}
    filters: list[tuple[str, str]] = []
    for key, value in pairs:
        if key == RELATIVE_PARAM:
            _read_relative(value, relative, errors)
        elif key not in PAGINATION_PARAMS:
            filters.append((key, value))
    parsed = parse_params(filters)
    for name, messages in parsed.errors.items():
        errors.setdefault(name, []).extend(messages)
    for key, _ in parsed.unknown:
        errors.setdefault(key, []).append("this version of cdrdesk knows no such filter")
    if errors:
        raise LinkError(errors)
    return FilterState(parsed.query, relative)


def _split_query(query: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for part in query.split("&"):
        if not part:
            continue
        raw_key, _, raw_value = part.partition("=")
        try:
            key = unquote(raw_key, errors="strict")
            value = unquote(raw_value, errors="strict")
        except UnicodeDecodeError:
            raise LinkError(
                {"link": [f"{part[:60]!r} is not valid percent-encoded UTF-8"]}
            ) from None
        pairs.append((key, value))
    return pairs


def _read_relative(
    value: str, relative: dict[str, RelativeRange], errors: dict[str, list[str]]
) -> None:
    name, sep, choice = value.partition(":")
    spec = FILTERS_BY_NAME.get(name)
    if not sep or spec is None or spec.kind is not FilterKind.TIME_RANGE:
        times = ", ".join(
            spec.name for spec in FILTERS_BY_NAME.values() if spec.kind is FilterKind.TIME_RANGE
        )
        errors.setdefault(RELATIVE_PARAM, []).append(
            f"{value!r} is not <time filter>:<range> with a time filter of {times}"
        )
        return
    try:
        chosen = RelativeRange(choice)
    except ValueError:
        known = ", ".join(choice.value for choice in RelativeRange)
        errors.setdefault(name, []).append(f"unknown relative range {choice!r} (known: {known})")
        return
    if name in relative and relative[name] is not chosen:
        errors.setdefault(name, []).append("more than one relative range given")
        return
    relative[name] = chosen
