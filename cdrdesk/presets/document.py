"""The presets file format: one versioned JSON document.

``{"format": "cdrdesk-presets", "version": 1, "default": name|null, "presets": [...]}``

The same document is the store's file and the import/export file. A reader
is lenient inside a document it recognises (a preset it cannot read is kept
as stored and reported) and strict about the document itself (anything that
is not such a document is :class:`CorruptPresets`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cdrdesk.presets.model import Preset, PresetFormatError, preset_from_json, preset_to_json

FORMAT = "cdrdesk-presets"
VERSION = 1
_KNOWN_KEYS = ("format", "version", "default", "presets")


class CorruptPresets(ValueError):
    """Text that is not a presets document; the message says what is wrong with it."""


@dataclass(slots=True)
class PresetDocument:
    """A decoded document.

    ``kept`` are stored presets this version could not read, written back
    as they were; ``extra`` are unknown top-level keys, also written back;
    ``problems`` are user-facing lines about what was kept or renamed.
    """

    presets: list[Preset] = field(default_factory=list)
    default: str | None = None
    version: int = VERSION
    kept: list[Any] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def decode_document(text: str) -> PresetDocument:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorruptPresets(f"not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise CorruptPresets("not a presets document (the top level is not a JSON object)")
    if data.get("format") != FORMAT:
        raise CorruptPresets(f"not a presets document (format is not {FORMAT!r})")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise CorruptPresets(f"format version {version!r} is not a positive whole number")
    entries = data.get("presets", [])
    if not isinstance(entries, list):
        raise CorruptPresets("'presets' is not a list")
    default = data.get("default")
    if default is not None and not isinstance(default, str):
        raise CorruptPresets("'default' is neither a preset name nor null")

    document = PresetDocument(version=version)
    document.extra = {key: value for key, value in data.items() if key not in _KNOWN_KEYS}
    taken: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        try:
            preset = preset_from_json(entry)
        except PresetFormatError as exc:
            document.kept.append(entry)
            document.problems.append(
                f"Preset number {position} cannot be read and is kept in the file unchanged: {exc}."
            )
            continue
        if preset.name in taken:
            new_name = unique_name(preset.name, taken)
            document.problems.append(
                f"Two presets are named {preset.name!r}; the second is now {new_name!r}."
            )
            preset = preset.renamed(new_name)
        taken.add(preset.name)
        document.presets.append(preset)
    if default is not None and default not in taken:
        document.problems.append(f"The default preset {default!r} does not exist; none is set.")
        default = None
    document.default = default
    return document


def encode_document(
    presets: Iterable[Preset],
    default: str | None,
    *,
    kept: Iterable[Any] = (),
    extra: Mapping[str, Any] | None = None,
) -> str:
    """The file's text; a name that no encoding can hold falls back to escapes."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "default": default,
        "presets": [preset_to_json(preset) for preset in presets] + list(kept),
    }
    for key, value in (extra or {}).items():
        data.setdefault(key, value)
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (possible in text pasted into a widget) cannot be UTF-8.
        text = json.dumps(data, ensure_ascii=True, indent=2) + "\n"
    return text


def unique_name(name: str, taken: Iterable[str]) -> str:
    """``name`` itself if free, else ``name (2)``, ``name (3)``, ..."""
    taken = set(taken)
    if name not in taken:
        return name
    number = 2
    while f"{name} ({number})" in taken:
        number += 1
    return f"{name} ({number})"
