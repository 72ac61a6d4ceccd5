"""How Ctrl+C copies table cells, remembered in the window's settings file.

The choice lives in the same INI file as the window settings (a second
QSettings on one file shares Qt's cache of it within the process), under
its own key, so it survives a restart like the column layout does.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

_WITH_HEADER = "table/copy_with_header"


class CopyOptions:
    def __init__(self, settings_path: Path) -> None:
        self._settings = QSettings(str(settings_path), QSettings.Format.IniFormat)

    def with_header(self) -> bool:
        """Whether copied cells start with a row of column titles; off unless chosen."""
        value = self._settings.value(_WITH_HEADER)
        return value is True or (isinstance(value, str) and value.lower() == "true")

    def set_with_header(self, value: bool) -> None:
        self._settings.setValue(_WITH_HEADER, bool(value))
        self._settings.sync()
