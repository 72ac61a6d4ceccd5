"""Follow the system's light or dark colour scheme.

Qt reports the desktop's scheme through ``QStyleHints.colorScheme()`` and
``colorSchemeChanged``; on most platforms its theme also switches the palette.
Where the platform reports a dark scheme but leaves Fusion's light palette in
place, a dark palette is set here so text, icons and the table stay readable.
``CDRDESK_COLOR_SCHEME=dark|light`` forces one scheme, e.g. for screenshots.

Fusion draws check-box frames a little darker than the window colour, which
vanishes on a dark base (the filter lists are all check boxes), so under
Fusion a thin proxy style adds a visible frame when the palette is dark.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QWidget

SCHEME_ENV = "CDRDESK_COLOR_SCHEME"
_FORCED = {"dark": Qt.ColorScheme.Dark, "light": Qt.ColorScheme.Light}


def palette_is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def dark_palette() -> QPalette:
    """A dark palette for Fusion, used only when the platform gives none."""
    palette = QPalette()
    role = QPalette.ColorRole
    colors = {
        role.Window: "#2b2b2b",
        role.WindowText: "#e6e6e6",
        role.Base: "#1f1f1f",
        role.AlternateBase: "#292929",
        role.ToolTipBase: "#3a3a3a",
        role.ToolTipText: "#e6e6e6",
        role.PlaceholderText: "#8c8c8c",
        role.Text: "#e6e6e6",
        role.Button: "#353535",
        role.ButtonText: "#e6e6e6",
        role.BrightText: "#ff6b6b",
        role.Light: "#4a4a4a",
        role.Midlight: "#3f3f3f",
        role.Mid: "#2f2f2f",
        role.Dark: "#1a1a1a",
        role.Shadow: "#000000",
        role.Highlight: "#2f7fd8",
        role.HighlightedText: "#ffffff",
        role.Link: "#6cb2ff",
        role.LinkVisited: "#b58cff",
    }
    for color_role, name in colors.items():
        palette.setColor(color_role, QColor(name))
    disabled = QPalette.ColorGroup.Disabled
    for color_role in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(disabled, color_role, QColor("#7a7a7a"))
    palette.setColor(disabled, role.Highlight, QColor("#505050"))
    return palette


class ReadableIndicatorStyle(QProxyStyle):
    """Fusion, with check-box frames drawn in a readable colour on dark palettes."""

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element == QStyle.PrimitiveElement.PE_IndicatorCheckBox and palette_is_dark(
            option.palette
        ):
            frame = option.palette.color(QPalette.ColorRole.PlaceholderText)
            painter.save()
            painter.setPen(frame)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(option.rect.adjusted(0, 0, -1, -1))
            painter.restore()


class ThemeWatcher(QObject):
    """Keeps the application palette in step with the colour scheme."""

    schemeChanged = Signal(bool)  # True when the scheme is now dark

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._own_palette = False
        forced = os.environ.get(SCHEME_ENV, "").strip().lower()
        self._forced = _FORCED.get(forced)
        if app.style().name().lower() == "fusion":
            app.setStyle(ReadableIndicatorStyle("fusion"))
        app.styleHints().colorSchemeChanged.connect(self._on_color_scheme_changed)
        self._apply(self.scheme())

    def scheme(self) -> Qt.ColorScheme:
        if self._forced is not None:
            return self._forced
        return QGuiApplication.styleHints().colorScheme()

    def is_dark(self) -> bool:
        return palette_is_dark(self._app.palette())

    def _on_color_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        self._apply(self._forced if self._forced is not None else scheme)
        self.schemeChanged.emit(self.is_dark())

    def _apply(self, scheme: Qt.ColorScheme) -> None:
        want_dark = scheme == Qt.ColorScheme.Dark
        if scheme == Qt.ColorScheme.Unknown or want_dark == self.is_dark():
            return
        if want_dark:
            self._app.setPalette(dark_palette())
            self._own_palette = True
        elif self._own_palette:
            self._app.setPalette(self._app.style().standardPalette())
            self._own_palette = False


def follow_system_color_scheme(app: QApplication) -> ThemeWatcher:
    """Start following the scheme; the watcher lives as long as ``app``."""
    return ThemeWatcher(app)
