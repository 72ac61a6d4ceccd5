"""Saved filter presets, ``cdrdesk://`` links and "Copy as curl". Free of Qt."""

from cdrdesk.presets.curl import curl_command, page_url
from cdrdesk.presets.document import CorruptPresets
from cdrdesk.presets.links import LinkError, make_link, parse_link
from cdrdesk.presets.model import Preset, PresetFormatError
from cdrdesk.presets.store import (
    ImportReport,
    PresetExists,
    PresetImportError,
    PresetNotFound,
    PresetsReadOnly,
    PresetStore,
    PresetStoreError,
)

__all__ = [
    "CorruptPresets",
    "ImportReport",
    "LinkError",
    "Preset",
    "PresetExists",
    "PresetFormatError",
    "PresetImportError",
    "PresetNotFound",
    "PresetStore",
    "PresetStoreError",
    "PresetsReadOnly",
    "curl_command",
    "make_link",
    "page_url",
    "parse_link",
]
