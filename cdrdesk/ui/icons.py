"""The toolbar and menu icons, by logical name, drawn in the palette's colours.

Each icon is a Material Design glyph from qtawesome. qtawesome fixes an icon's
colours when the icon is made, so the icons here use an engine that picks the
colours from the application palette each time they are painted: after a
switch between light and dark mode every toolbar button repaints in the new
colours without anyone setting its icon again.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import qtawesome
import shiboken6
from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from cdrdesk.resources import app_icon_path

GLYPHS: Mapping[str, str] = MappingProxyType(
    {
        "apply": "mdi6.filter-check-outline",
        "reset": "mdi6.filter-remove-outline",
        "reload": "mdi6.refresh",
        "load_all": "mdi6.download-multiple",
        "cancel": "mdi6.close-circle-outline",
        "export": "mdi6.file-export-outline",
        "detail": "mdi6.page-layout-sidebar-right",
        "filter": "mdi6.filter-outline",
        "copy": "mdi6.content-copy",
        "connection": "mdi6.lan-connect",
        "preset": "mdi6.bookmark-multiple-outline",
        "about": "mdi6.information-outline",
    }
)
APP_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)

_glyph_icons: dict[tuple[str, int], QIcon] = {}
# Engines made by ``clone`` (when a copy of an icon is modified) are owned by
# Python, so they are kept here until Qt has deleted them.
_cloned_engines: list[QIconEngine] = []


def _glyph_icon(glyph: str) -> QIcon:
    """qtawesome's icon for ``glyph`` in the current palette's colours (cached)."""
    palette = QGuiApplication.palette()
    key = (glyph, palette.cacheKey())
    cached = _glyph_icons.get(key)
    if cached is None:
        group, role = QPalette.ColorGroup, QPalette.ColorRole
        cached = qtawesome.icon(
            glyph,
            color=palette.color(group.Active, role.ButtonText),
            color_active=palette.color(group.Active, role.ButtonText),
            color_disabled=palette.color(group.Disabled, role.ButtonText),
            color_selected=palette.color(group.Active, role.HighlightedText),
        )
        if len(_glyph_icons) > 256:  # palettes come and go; keep only recent ones
            _glyph_icons.clear()
        _glyph_icons[key] = cached
    return cached


class _PaletteIconEngine(QIconEngine):
    def __init__(self, glyph: str) -> None:
        super().__init__()
        self._glyph = glyph

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        _glyph_icon(self._glyph).paint(painter, rect, Qt.AlignmentFlag.AlignCenter, mode, state)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        pixmap = QPixmap(size * scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(QPoint(0, 0), size * scale), mode, state)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def clone(self) -> QIconEngine:
        _cloned_engines[:] = [engine for engine in _cloned_engines if shiboken6.isValid(engine)]
        engine = _PaletteIconEngine(self._glyph)
        _cloned_engines.append(engine)
        return engine

    def key(self) -> str:
        return "cdrdesk-palette-glyph"


def icon(name: str) -> QIcon:
    """The icon for a logical action name (see ``GLYPHS``); needs a QGuiApplication."""
    try:
        glyph = GLYPHS[name]
    except KeyError:
        known = ", ".join(sorted(GLYPHS))
        raise KeyError(f"no icon named {name!r}; known icons: {known}") from None
    return QIcon(_PaletteIconEngine(glyph))


def app_icon() -> QIcon:
    """The application icon, rendered from its SVG at the usual sizes.

    Rendering here rather than ``QIcon(path)`` keeps it working where the SVG
    icon-engine plugin is absent (some bundles, minimal Qt installs).
    """
    renderer = QSvgRenderer(str(app_icon_path()))
    result = QIcon()
    for size in APP_ICON_SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        result.addPixmap(pixmap)
    return result
