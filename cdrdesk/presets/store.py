"""The user's saved presets in one JSON file.

Every change rewrites the whole file atomically and updates memory only
after the file is written, so the two never disagree. A file that cannot
be read is moved aside (never deleted) and the store starts empty; a file
written by a newer version is read but never overwritten.

Import policy: an imported preset whose name is taken is added under a new
name (``Name (2)``, ``Name (3)``, ...) unless it is identical to the one
already there, in which case it is skipped. Nothing is overwritten and
nothing is dropped; the report lists every rename.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from cdrdesk.fsutil import atomic_write_text, move_aside
from cdrdesk.presets.document import (
    VERSION,
    CorruptPresets,
    decode_document,
    encode_document,
    unique_name,
)
from cdrdesk.presets.model import Preset

FILE_NAME = "presets.json"


class PresetStoreError(Exception):
    """A change the store refuses; the message is meant for the user."""


class PresetsReadOnly(PresetStoreError):
    """The file was written by a newer version; saving a copy elsewhere still works."""


class PresetExists(PresetStoreError):
    """The name is taken; ask the user, then save again with ``overwrite=True``."""


class PresetNotFound(PresetStoreError, LookupError):
    """No preset has this name."""


class PresetImportError(PresetStoreError):
    """A file that cannot be imported; the store is unchanged."""


@dataclass(slots=True)
class ImportReport:
    """What an import did: ``renamed`` maps each name in the file to its new name."""

    added: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{len(self.added)} preset{'s' if len(self.added) != 1 else ''} imported"]
        parts.extend(f"{old!r} was imported as {new!r}" for old, new in self.renamed.items())
        if self.unchanged:
            parts.append(f"{len(self.unchanged)} already present")
        return "; ".join(parts) + "."


def default_path() -> Path:
    return Path(platformdirs.user_config_dir("cdrdesk")) / FILE_NAME


class PresetStore:
    """Presets by name, in the order they were saved, and the one applied at start."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.warnings: list[str] = []
        self.read_only_reason: str | None = None
        self._presets: dict[str, Preset] = {}
        self._default: str | None = None
        self._kept: list[Any] = []
        self._extra: dict[str, Any] = {}
        self._load()

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    def list(self) -> list[Preset]:
        return list(self._presets.values())

    def names(self) -> builtins.list[str]:
        return list(self._presets)

    def get(self, name: str) -> Preset | None:
        return self._presets.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._presets

    def __len__(self) -> int:
        return len(self._presets)

    @property
    def default(self) -> str | None:
        """The name of the preset applied at start, if any."""
        return self._default

    @default.setter
    def default(self, name: str | None) -> None:
        if name is not None:
            self._require(name)
        self._write(self._presets, name)

    def default_preset(self) -> Preset | None:
        return None if self._default is None else self._presets.get(self._default)

    def save(self, preset: Preset, *, overwrite: bool = False) -> None:
        """Add ``preset``, or replace the one of that name when ``overwrite`` is set."""
        if preset.name in self._presets and not overwrite:
            raise PresetExists(f"A preset named {preset.name!r} already exists.")
        presets = dict(self._presets)
        presets[preset.name] = preset
        self._write(presets, self._default)

    def rename(self, old: str, new: str) -> Preset:
        preset = self._require(old)
        renamed = preset.renamed(new)
        if renamed.name == old:
            return preset
        if renamed.name in self._presets:
            raise PresetExists(f"A preset named {renamed.name!r} already exists.")
        presets = {
            (renamed.name if name == old else name): (renamed if name == old else value)
            for name, value in self._presets.items()
        }
        self._write(presets, renamed.name if self._default == old else self._default)
        return renamed

    def duplicate(self, name: str, new_name: str | None = None) -> Preset:
        """A copy under ``new_name``, or under ``Name (2)`` when none is given."""
        copy = self._require(name).renamed(new_name or unique_name(name, self._presets))
        if copy.name in self._presets:
            raise PresetExists(f"A preset named {copy.name!r} already exists.")
        self._write({**self._presets, copy.name: copy}, self._default)
        return copy

    def delete(self, name: str) -> None:
        self._require(name)
        presets = {key: value for key, value in self._presets.items() if key != name}
        self._write(presets, None if self._default == name else self._default)

    def import_file(self, path: Path) -> ImportReport:
        """Merge the presets of an exported file (see the module's import policy)."""
        try:
            document = decode_document(_read_text(path))
        except (OSError, CorruptPresets) as exc:
            raise PresetImportError(f"Cannot import {path.name}: {exc}") from None
        report = ImportReport(problems=list(document.problems))
        if document.version > VERSION:
            report.problems.append(
                f"{path.name} was written by a newer version of cdrdesk; "
                "what this version does not understand is kept but not applied."
            )
        presets = dict(self._presets)
        for preset in document.presets:
            existing = presets.get(preset.name)
            if existing == preset:
                report.unchanged.append(preset.name)
                continue
            if existing is not None:
                new_name = unique_name(preset.name, presets)
                report.renamed[preset.name] = new_name
                preset = preset.renamed(new_name)
            presets[preset.name] = preset
            report.added.append(preset.name)
            report.problems.extend(f"{preset.name}: {line}" for line in preset.messages())
        if report.added:
            self._write(presets, self._default)
        return report

    def export_file(self, path: Path, names: Iterable[str] | None = None) -> None:
        """Write the named presets (all when ``names`` is None) to a file of their own.

        Works on a read-only store too: it is the way to save a copy elsewhere.
        """
        chosen = self.list() if names is None else [self._require(name) for name in names]
        atomic_write_text(path, encode_document(chosen, None))

    def _require(self, name: str) -> Preset:
        preset = self._presets.get(name)
        if preset is None:
            raise PresetNotFound(f"There is no preset named {name!r}.")
        return preset

    def _write(self, presets: dict[str, Preset], default: str | None) -> None:
        if self.read_only_reason is not None:
            raise PresetsReadOnly(self.read_only_reason)
        text = encode_document(presets.values(), default, kept=self._kept, extra=self._extra)
        try:
            atomic_write_text(self.path, text)
        except OSError as exc:
            raise PresetStoreError(
                f"Cannot save presets to {self.path}: {exc.strerror or exc}"
            ) from exc
        self._presets = dict(presets)
        self._default = default

    def _load(self) -> None:
        try:
            document = decode_document(_read_text(self.path))
        except FileNotFoundError:
            return
        except OSError as exc:
            self._set_aside(f"it cannot be read ({exc.strerror or exc})")
            return
        except CorruptPresets as exc:
            self._set_aside(str(exc))
            return
        self._presets = {preset.name: preset for preset in document.presets}
        self._default = document.default
        self._kept = document.kept
        self._extra = document.extra
        self.warnings.extend(document.problems)
        if document.version > VERSION:
            self.read_only_reason = (
                f"The presets file {self.path} was written by a newer version of cdrdesk "
                f"(format version {document.version}); to protect it, this version does not "
                "change it. Export the presets to save a copy elsewhere."
            )
            self.warnings.append(self.read_only_reason)

    def _set_aside(self, reason: str) -> None:
        try:
            moved = move_aside(self.path)
        except OSError as exc:
            self.read_only_reason = (
                f"The presets file {self.path} is unusable ({reason}) and could not be moved "
                f"aside ({exc.strerror or exc}); presets cannot be saved until it is fixed."
            )
            self.warnings.append(self.read_only_reason)
            return
        self.warnings.append(
            f"The presets file was unusable ({reason}); it was kept as {moved.name} "
            "and an empty preset list was started."
        )


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorruptPresets(f"not UTF-8 text (byte {exc.start})") from None
