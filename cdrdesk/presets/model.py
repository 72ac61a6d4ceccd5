"""A saved filter set and its JSON form.

Filters are stored as wire pairs (the same text a request carries) and
relative time ranges by their enum value, so "Last 7 days" stays relative.
What this version cannot use (filter names it does not know, values it
refuses, relative choices it does not know, keys it does not know) is kept
as stored and written back untouched, so opening a preset in an older
version never loses anything a newer one wrote.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from cdrdesk.api.filters import FILTERS_BY_NAME, FilterKind
from cdrdesk.api.query import CdrQuery, parse_params
from cdrdesk.api.timeranges import FilterState, RelativeRange

WirePairs = tuple[tuple[str, str], ...]
KNOWN_KEYS = ("name", "description", "filters", "relative", "columns")


class PresetFormatError(ValueError):
    """A stored preset whose shape (not its filter values) cannot be read."""


@dataclass(frozen=True, slots=True)
class Preset:
    """A named filter state with optional column layout.

    ``unknown_filters`` are wire pairs whose filter name this version does
    not know; ``invalid_filters`` are pairs of known filters whose stored
    value it refuses; ``invalid_relative`` are relative choices it cannot
    use; ``extra`` holds unknown keys of the stored object as JSON text.
    None of them is applied, all of them are written back.
    """

    name: str
    state: FilterState = field(default_factory=FilterState)
    unknown_filters: WirePairs = ()
    columns: tuple[str, ...] | None = None
    description: str = ""
    invalid_filters: WirePairs = ()
    invalid_relative: WirePairs = ()
    extra: WirePairs = ()

    def __post_init__(self) -> None:
        name = self.name.strip()
        if not name:
            raise ValueError("a preset needs a name")
        object.__setattr__(self, "name", name)
        if self.columns is not None:
            object.__setattr__(self, "columns", tuple(self.columns))

    def renamed(self, name: str) -> Preset:
        return replace(self, name=name)

    @property
    def problems(self) -> dict[str, list[str]]:
        """Why stored filters are not applied, by filter name."""
        problems: dict[str, list[str]] = {}
        if self.invalid_filters:
            # Parsed beside the applied filters: some values are refused only in company.
            parsed = parse_params([*self.state.query.to_params(), *self.invalid_filters])
            for pair in self.invalid_filters:
                name = _filter_name(pair) or pair[0]
                if name not in problems:
                    problems[name] = parsed.errors.get(name) or ["value refused"]
        for name, choice in self.invalid_relative:
            problems.setdefault(name, []).append(_relative_problem(name, choice))
        return problems

    def messages(self) -> list[str]:
        """One line per thing the user should know before this preset is applied."""
        lines = [
            f"{name}: {message} (kept in the preset, not applied)"
            for name, messages in self.problems.items()
            for message in messages
        ]
        unknown = list(dict.fromkeys(key.split("[", 1)[0] for key, _ in self.unknown_filters))
        if unknown:
            plural = "s" if len(unknown) > 1 else ""
            lines.append(
                f"This version of cdrdesk does not know the filter{plural} "
                f"{', '.join(unknown)}; kept in the preset, not applied."
            )
        return lines


def preset_to_json(preset: Preset) -> dict[str, Any]:
    """The stored object; pairs kept from a newer version follow the known ones."""
    filters = preset.state.query.to_params()
    filters.extend(preset.invalid_filters)
    filters.extend(preset.unknown_filters)
    relative = {name: choice.value for name, choice in preset.state.relative.items()}
    relative.update(dict(preset.invalid_relative))
    obj: dict[str, Any] = {
        "name": preset.name,
        "description": preset.description,
        "filters": [[key, value] for key, value in filters],
        "relative": relative,
        "columns": None if preset.columns is None else list(preset.columns),
    }
    for key, text in preset.extra:
        obj.setdefault(key, json.loads(text))
    return obj


def preset_from_json(obj: object) -> Preset:
    """A stored object back to a preset; refused filter values are kept and reported."""
    if not isinstance(obj, dict):
        raise PresetFormatError(f"a preset must be a JSON object, not {_json_type(obj)}")
    name = obj.get("name")
    if not isinstance(name, str) or not name.strip():
        raise PresetFormatError("a preset has no name")
    description = obj.get("description", "")
    if not isinstance(description, str):
        raise PresetFormatError(f"preset {name!r}: description must be text")
    pairs = _read_pairs(name, obj.get("filters", []))
    relative_raw = _read_relative(name, obj.get("relative", {}))
    columns = _read_columns(name, obj.get("columns"))

    query, unknown, invalid = split_pairs(pairs)
    relative: dict[str, RelativeRange] = {}
    invalid_relative: list[tuple[str, str]] = []
    for filter_name, choice in relative_raw.items():
        known = _relative_choice(filter_name, choice)
        if known is None:
            invalid_relative.append((filter_name, choice))
        else:
            relative[filter_name] = known
    extra = tuple(
        (key, json.dumps(value, ensure_ascii=False, sort_keys=True))
        for key, value in obj.items()
        if key not in KNOWN_KEYS
    )
    return Preset(
        name=name,
        state=FilterState(query, relative),
        unknown_filters=unknown,
        columns=columns,
        description=description,
        invalid_filters=invalid,
        invalid_relative=tuple(invalid_relative),
        extra=extra,
    )


def split_pairs(pairs: Iterable[tuple[str, str]]) -> tuple[CdrQuery, WirePairs, WirePairs]:
    """Wire pairs to (usable query, pairs naming no filter, pairs of refused filters).

    Each pair is classified by the query parser itself, so a key this version
    cannot read is kept rather than dropped. A filter with any refused value
    is left out whole, so a preset never applies half of a range or one side
    of a forbidden combination.
    """
    named: list[tuple[str, tuple[str, str]]] = []
    unknown: list[tuple[str, str]] = []
    for pair in pairs:
        name = _filter_name(pair)
        if name is None:
            unknown.append(pair)
        else:
            named.append((name, pair))
    refused = set(parse_params(pair for _, pair in named).errors)
    kept = [pair for name, pair in named if name not in refused]
    invalid = tuple(pair for name, pair in named if name in refused)
    return parse_params(kept).query, tuple(unknown), invalid


def _filter_name(pair: tuple[str, str]) -> str | None:
    """The known filter a wire pair sets, or None (unknown names, pagination keys)."""
    parsed = parse_params([pair])
    names = set(parsed.errors) | set(parsed.query)
    return names.pop() if len(names) == 1 else None


def _relative_choice(name: str, choice: str) -> RelativeRange | None:
    spec = FILTERS_BY_NAME.get(name)
    if spec is None or spec.kind is not FilterKind.TIME_RANGE:
        return None
    try:
        return RelativeRange(choice)
    except ValueError:
        return None


def _relative_problem(name: str, choice: str) -> str:
    spec = FILTERS_BY_NAME.get(name)
    if spec is None:
        return f"relative range {choice!r} is for a filter this version does not know"
    if spec.kind is not FilterKind.TIME_RANGE:
        return f"relative range {choice!r} given, but {name} is not a time filter"
    known = ", ".join(choice.value for choice in RelativeRange)
    return f"unknown relative range {choice!r} (known: {known})"


def _read_pairs(name: str, raw: object) -> list[tuple[str, str]]:
    if not isinstance(raw, list):
        raise PresetFormatError(f"preset {name!r}: filters must be a list of [name, value] pairs")
    pairs: list[tuple[str, str]] = []
    for item in raw:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not all(isinstance(part, str) for part in item)
        ):
            raise PresetFormatError(
                f"preset {name!r}: filter {json.dumps(item)[:60]} is not a [name, value] pair"
            )
        pairs.append((item[0], item[1]))
    return pairs


def _read_relative(name: str, raw: object) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in raw.items()
    ):
        raise PresetFormatError(f"preset {name!r}: relative must map time filters to ranges")
    return dict(raw)


def _read_columns(name: str, raw: object) -> tuple[str, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(key, str) for key in raw):
        raise PresetFormatError(f"preset {name!r}: columns must be a list of column names")
    return tuple(raw)


def _json_type(value: object) -> str:
    names: Mapping[type, str] = {list: "a list", str: "text", bool: "true/false"}
    return names.get(type(value), "a number" if isinstance(value, int | float) else "null")
