"""The window's own settings: geometry, docks, columns and display zone.

They live in an INI file under the user's config folder (never the
registry or Qt's default location) so they can be inspected, copied and
deleted by hand. A file that cannot be read or holds values of the wrong
shape never stops the app: the bad values fall back to defaults, and a file
that is not text at all is moved aside so the next save starts clean.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from PySide6.QtCore import QByteArray, QSettings

from cdrdesk.fsutil import move_aside

SETTINGS_FILE_NAME = "window.ini"
ZONE_LOCAL = "local"
ZONE_UTC = "UTC"
DISPLAY_ZONES = (ZONE_LOCAL, ZONE_UTC)

_GEOMETRY = "window/geometry"
_STATE = "window/state"
_COLUMNS = "table/columns"
_ZONE = "display/zone"


def default_settings_path() -> Path:
    return Path(platformdirs.user_config_dir("cdrdesk")) / SETTINGS_FILE_NAME


class WindowSettings:
    """Typed access to the settings file; ``problem`` says why defaults were used."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else default_settings_path()
        self.problem: str | None = None
        self._set_aside_unreadable_file()
        self._settings = QSettings(str(self.path), QSettings.Format.IniFormat)
        if self._settings.status() is not QSettings.Status.NoError:
            self.problem = f"window settings {self.path.name} could not be read; using defaults"

    def _set_aside_unreadable_file(self) -> None:
        """Move a file that is not UTF-8 text away; QSettings would read it as nothing."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            self.problem = f"window settings {self.path.name} could not be read ({exc.strerror})"
            return
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            corrupt = True
        else:
            corrupt = b"\x00" in raw
        if not corrupt:
            return
        try:
            kept = move_aside(self.path)
        except OSError as exc:
            self.problem = f"window settings {self.path.name} are corrupt ({exc.strerror})"
        else:
            self.problem = f"window settings were corrupt; kept as {kept.name}, using defaults"

    def _bytes(self, key: str) -> bytes | None:
        value = self._settings.value(key)
        if isinstance(value, QByteArray):
            return bytes(value.data())
        if isinstance(value, bytes):
            return value
        return None

    def geometry(self) -> bytes | None:
        return self._bytes(_GEOMETRY)

    def set_geometry(self, value: bytes) -> None:
        self._settings.setValue(_GEOMETRY, QByteArray(value))

    def window_state(self) -> bytes | None:
        """Dock and toolbar layout from ``QMainWindow.saveState``."""
        return self._bytes(_STATE)

    def set_window_state(self, value: bytes) -> None:
        self._settings.setValue(_STATE, QByteArray(value))

    def columns(self) -> bytes | None:
        """The table's column order, widths and visibility (``CdrTableView.save_columns``)."""
        return self._bytes(_COLUMNS)

    def set_columns(self, value: bytes) -> None:
        self._settings.setValue(_COLUMNS, QByteArray(value))

    def display_zone(self) -> str:
        """``local`` or ``UTC``; anything else in the file reads as the default."""
        value = self._settings.value(_ZONE)
        return value if isinstance(value, str) and value in DISPLAY_ZONES else ZONE_LOCAL

    def set_display_zone(self, value: str) -> None:
        if value not in DISPLAY_ZONES:
            raise ValueError(
                f"display zone must be one of {', '.join(DISPLAY_ZONES)}, not {value!r}"
            )
        self._settings.setValue(_ZONE, value)

    def sync(self) -> str | None:
        """Write to disk; returns a message when the file could not be written."""
        self._settings.sync()
        if self._settings.status() is QSettings.Status.AccessError:
            return f"window settings could not be saved to {self.path.name}"
        return None
