"""The application icon in every size and container, and the toolbar icons."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QImageReader, QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QStyle, QStyleOptionButton

from cdrdesk.ui.icons import GLYPHS, app_icon, icon
from cdrdesk.ui.theme import ReadableIndicatorStyle, ThemeWatcher, dark_palette, palette_is_dark
from tests.packaging.helpers import APP_ID, HICOLOR_SIZES, PACKAGING, run


@pytest.fixture(scope="module")
def rendered_icons(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("icons")
    result = run([sys.executable, str(PACKAGING / "make_icons.py"), "--out", str(out)])
    assert result.returncode == 0, result.stderr
    return out


def image_sizes(path: Path) -> list[tuple[int, int]]:
    reader = QImageReader(str(path))
    sizes = []
    for index in range(reader.imageCount()):
        assert reader.jumpToImage(index)
        image = reader.read()
        assert not image.isNull(), reader.errorString()
        sizes.append((image.width(), image.height()))
    return sizes


@pytest.mark.usefixtures("qapp")
def test_every_hicolor_size_has_its_pixel_dimensions(rendered_icons: Path) -> None:
    for size in HICOLOR_SIZES:
        image = QImage(
            str(rendered_icons / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png")
        )
        assert (image.width(), image.height()) == (size, size)
        assert image.hasAlphaChannel()
        # Drawn, not blank: the centre pixel is opaque and the corners transparent.
        assert image.pixelColor(size // 2, size // 2).alpha() == 255
        assert image.pixelColor(0, 0).alpha() == 0
    assert (rendered_icons / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()


@pytest.mark.usefixtures("qapp")
def test_windows_ico_and_macos_icns_hold_every_size(rendered_icons: Path) -> None:
    assert image_sizes(rendered_icons / "cdrdesk.ico") == [
        (size, size) for size in (16, 24, 32, 48, 64, 128, 256)
    ]
    icns_sizes = sorted({width for width, _ in image_sizes(rendered_icons / "cdrdesk.icns")})
    assert icns_sizes == [16, 32, 64, 128, 256, 512, 1024]


def test_make_icons_names_a_missing_svg(tmp_path: Path) -> None:
    missing = tmp_path / "nope.svg"
    result = run([sys.executable, str(PACKAGING / "make_icons.py"), "--svg", str(missing)])
    assert result.returncode != 0
    assert str(missing) in result.stderr


def opaque_colors(qicon: QIcon, mode: QIcon.Mode = QIcon.Mode.Normal) -> Counter[str]:
    image = qicon.pixmap(32, mode).toImage()
    return Counter(
        image.pixelColor(x, y).name()
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    )


@pytest.fixture
def restore_palette(qapp: QApplication) -> Iterator[QApplication]:
    original = QPalette(qapp.palette())
    style = qapp.style().name()
    yield qapp
    if qapp.style().name() != style or isinstance(qapp.style(), ReadableIndicatorStyle):
        qapp.setStyle(style)
    qapp.setPalette(original)


@pytest.mark.usefixtures("qapp")
def test_every_logical_icon_is_drawn() -> None:
    for name in GLYPHS:
        assert opaque_colors(icon(name)), f"icon {name!r} draws nothing"


def test_unknown_icon_name_is_named_in_the_error() -> None:
    with pytest.raises(KeyError, match=r"'nope'.*apply"):
        icon("nope")


def test_icons_take_the_palettes_colours_when_it_changes(restore_palette: QApplication) -> None:
    copy = icon("copy")
    light = QPalette(restore_palette.palette())
    light.setColor(QPalette.ColorRole.ButtonText, QColor("#101010"))
    restore_palette.setPalette(light)
    assert opaque_colors(copy).most_common(1)[0][0] == "#101010"

    restore_palette.setPalette(dark_palette())
    assert opaque_colors(copy).most_common(1)[0][0] == "#e6e6e6"
    disabled = dark_palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
    assert opaque_colors(copy, QIcon.Mode.Disabled).most_common(1)[0][0] == disabled.name()


def test_a_modified_copy_of_an_icon_survives(restore_palette: QApplication) -> None:
    copy = QIcon(icon("export"))
    copy.addPixmap(icon("export").pixmap(16))  # detaches: Qt clones the engine
    del copy
    assert opaque_colors(icon("export"))


def test_dark_scheme_turns_the_palette_and_icons_dark(restore_palette: QApplication) -> None:
    app = restore_palette
    app.setPalette(app.style().standardPalette())
    watcher = ThemeWatcher(app)
    try:
        seen: list[bool] = []
        watcher.schemeChanged.connect(seen.append)
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        assert seen == [True]
        assert palette_is_dark(app.palette())
        assert QColor(opaque_colors(icon("reload")).most_common(1)[0][0]).lightness() > 128

        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        assert seen == [True, False]
        assert not palette_is_dark(app.palette())
        assert QColor(opaque_colors(icon("reload")).most_common(1)[0][0]).lightness() < 128
    finally:
        shiboken6.delete(watcher)


def test_check_boxes_keep_a_visible_frame_in_dark_mode(
    restore_palette: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = restore_palette
    monkeypatch.setenv("CDRDESK_COLOR_SCHEME", "dark")
    watcher = ThemeWatcher(app)
    try:
        assert palette_is_dark(app.palette())
        box = QCheckBox("call")
        box.resize(box.sizeHint())
        option = QStyleOptionButton()
        option.initFrom(box)
        indicator = app.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
        image = box.grab().toImage()
        frame = image.pixelColor(indicator.left(), indicator.center().y())
        inside = image.pixelColor(indicator.center())
        assert frame.lightness() - inside.lightness() > 60
        box.deleteLater()
    finally:
        shiboken6.delete(watcher)


@pytest.mark.usefixtures("qapp")
def test_app_icon_has_the_desktop_sizes() -> None:
    sizes = {size.width() for size in app_icon().availableSizes()}
    assert {16, 32, 48, 64, 128, 256} <= sizes
