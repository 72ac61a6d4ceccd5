"""The row numbers beside the table: their width, and sections drawn from a pixmap cache.

Qt's own header painting is the reference: with a row hidden (below the
screen) the header paints as a plain QHeaderView does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QFont, QHoverEvent, QPainter, QPaintEvent, QPalette, QPixmap
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QHeaderView,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QWidget,
)
from pytestqt.qtbot import QtBot

from cdrdesk.api.query import CdrQuery
from cdrdesk.connections.profiles import Connection
from cdrdesk.ui.cdr_model import FIRST_PAGE_SIZE, CdrTableModel
from cdrdesk.ui.row_header import RowNumberHeader
from cdrdesk.ui.table_view import CdrTableView
from tests import hostile_server as hs
from tests.ui_table.conftest import connection_to
from tests.ui_table.pixels import Pixels, distance, rgb

_ON = QStyle.StateFlag.State_On
_SUNKEN = QStyle.StateFlag.State_Sunken
_MOUSE_OVER = QStyle.StateFlag.State_MouseOver
MARKS = ((_MOUSE_OVER, QColor(255, 0, 0)), (_SUNKEN, QColor(0, 255, 0)), (_ON, QColor(0, 0, 255)))


class MarkingStyle(QProxyStyle):
    """Fusion, with a square of its own colour for each state a header section is drawn in.

    Fusion draws neither hover nor a pressed section, so this makes every
    state the header works out visible on screen.
    """

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create("Fusion"))

    def drawControl(
        self,
        element: QStyle.ControlElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawControl(element, option, painter, widget)
        if element == QStyle.ControlElement.CE_HeaderSection:
            for place, (flag, colour) in enumerate(MARKS):
                if option.state & flag:
                    corner = option.rect.topRight()
                    painter.fillRect(corner.x() - 6 * (place + 1), corner.y() + 2, 5, 5, colour)


@pytest.fixture
def view(qtbot: QtBot, model: CdrTableModel) -> CdrTableView:
    table = CdrTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    table.resize(800, 480)
    table.show()
    return table


@pytest.fixture
def rows_server() -> Iterator[hs.HostileServer]:
    with hs.HostileServer(hs.make_records(60)) as server:
        yield server


@pytest.fixture
def header(
    qtbot: QtBot, view: CdrTableView, model: CdrTableModel, rows_server: hs.HostileServer
) -> RowNumberHeader:
    """The row header of a view showing 60 rows, painted once already."""
    model.set_connection(connection_to(rows_server.url, rows_server.token))
    with qtbot.waitSignal(model.pageArrived):
        model.set_query(CdrQuery())
    qtbot.waitUntil(lambda: not model.is_loading)
    qtbot.waitExposed(view)
    rows = view.verticalHeader()
    assert isinstance(rows, RowNumberHeader)
    return rows


def grab(header: QHeaderView) -> Pixels:
    return Pixels(header.viewport().grab().toImage())


def grab_as_qt_paints(view: CdrTableView, header: QHeaderView) -> Pixels:
    """The header as QHeaderView paints it: a hidden row (below the screen) turns the cache off."""
    last = header.count() - 1
    assert header.sectionViewportPosition(last) > header.viewport().height()
    view.setRowHidden(last, True)
    try:
        return grab(header)
    finally:
        view.setRowHidden(last, False)


def section_rect(header: QHeaderView, section: int) -> QRect:
    return QRect(
        0, header.sectionViewportPosition(section), header.width(), header.sectionSize(section)
    )


def visible_sections(header: QHeaderView) -> list[int]:
    height = header.viewport().height()
    return [
        section
        for section in range(header.count())
        if header.sectionViewportPosition(section) + header.sectionSize(section) <= height
    ]


def assert_alike(first: Pixels, second: Pixels) -> None:
    """The same picture, give or take two levels a channel (Fusion's gradients round so)."""
    assert (first.width, first.height) == (second.width, second.height)
    for y in range(first.height):
        for x in range(first.width):
            assert distance(first[x, y], second[x, y]) <= 2, (x, y)


def marks(pixels: Pixels, header: QHeaderView, section: int) -> set[str]:
    """Which of MarkingStyle's squares the section shows."""
    rect = section_rect(header, section)
    names = {_MOUSE_OVER: "hover", _SUNKEN: "sunken", _ON: "on"}
    found = set()
    for place, (flag, colour) in enumerate(MARKS):
        x = rect.right() - 6 * (place + 1) + 2
        if pixels[x, rect.top() + 4] == rgb(colour):
            found.add(names[flag])
    return found


def press(header: QHeaderView, position: QPoint) -> None:
    QTest.mousePress(
        header.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, position
    )


def release(header: QHeaderView, position: QPoint) -> None:
    QTest.mouseRelease(
        header.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, position
    )


def hover(header: QHeaderView, kind: QEvent.Type, section: int) -> None:
    y = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    position = QPointF(10, y) if section >= 0 else QPointF(-1, -1)
    event = QHoverEvent(kind, position, QPointF(header.mapToGlobal(position)), QPointF(-1, -1))
    QApplication.sendEvent(header, event)


# --- width -----------------------------------------------------------------------------------


def test_the_table_numbers_its_rows_with_a_row_number_header(header: RowNumberHeader) -> None:
    assert header.orientation() == Qt.Orientation.Vertical
    assert header.sectionsClickable()
    assert header.highlightSections()
    assert header.count() == 60


def test_an_empty_table_keeps_room_for_seven_digits(view: CdrTableView) -> None:
    rows = view.verticalHeader()
    assert rows.count() == 0
    seven_digits = rows.fontMetrics().horizontalAdvance("0000000")
    assert rows.minimumWidth() >= seven_digits
    assert rows.width() == rows.minimumWidth()
    assert rows.sizeHint().width() <= rows.minimumWidth()


def test_the_size_hint_fits_the_widest_row_number_as_rows_arrive(
    qtbot: QtBot, view: CdrTableView, model: CdrTableModel
) -> None:
    """Checked against Qt's header, which measures a hundred sections at either end."""
    rows = view.verticalHeader()
    plain = QHeaderView(Qt.Orientation.Vertical)
    plain.setModel(model)
    seen: dict[int, tuple[int, int, int]] = {}

    def note() -> None:
        count = model.rowCount()
        seen[count] = (rows.sizeHint().width(), plain.sizeHint().width(), rows.width())

    model.rowsInserted.connect(note)
    with hs.HostileServer(hs.make_records(10_050)) as server:
        model.set_connection(connection_to(server.url, server.token))
        with qtbot.waitSignal(model.pageArrived):
            model.set_query(CdrQuery())
        with qtbot.waitSignal(model.loadAllFinished, timeout=30_000) as finished:
            model.load_all()
    assert finished.args == [False]
    assert model.rowCount() == 10_050
    assert min(seen) == FIRST_PAGE_SIZE
    by_digits: dict[int, set[int]] = {}
    for count, (hint, qts, width) in seen.items():
        assert hint == qts, count
        assert width == rows.minimumWidth(), count  # wide enough from the start: no shift
        by_digits.setdefault(len(str(count)), set()).add(hint)
    assert set(by_digits) == {3, 4, 5}
    assert all(len(hints) == 1 for hints in by_digits.values()), by_digits
    digit = rows.fontMetrics().horizontalAdvance("0")
    (three,), (four,), (five,) = by_digits[3], by_digits[4], by_digits[5]
    assert four - three == digit
    assert five - four == digit
    assert rows.sizeHint().height() == plain.sizeHint().height()


def test_a_bigger_font_makes_the_size_hint_grow(header: RowNumberHeader) -> None:
    before = header.sizeHint()
    font = QFont(header.font())
    font.setPointSizeF(font.pointSizeF() * 2)
    header.setFont(font)
    plain = QHeaderView(Qt.Orientation.Vertical)
    plain.setModel(header.model())
    plain.setFont(font)
    assert header.sizeHint().width() > before.width()
    assert header.sizeHint() == plain.sizeHint()


# --- painting --------------------------------------------------------------------------------


def test_every_visible_section_shows_its_number(header: RowNumberHeader) -> None:
    pixels = grab(header)
    sections = visible_sections(header)
    assert len(sections) >= 18
    texts = set()
    for section in sections:
        rect = section_rect(header, section).adjusted(1, 1, -2, -2)
        block = pixels.colours(rect)
        # the number: a few pixels much darker than the section's face
        face = max(block)
        assert sum(distance(colour, face) > 100 for colour in block) >= 5, section
        texts.add(tuple(block))
    assert len(texts) == len(sections)  # every number drawn differs from the others


@pytest.mark.parametrize("marked", [False, True], ids=["fusion", "marked states"])
@pytest.mark.parametrize(
    "scenario", ["nothing", "row", "cell", "rows", "hover", "pressed", "palette"]
)
def test_sections_look_as_qt_paints_them(
    qtbot: QtBot,
    view: CdrTableView,
    model: CdrTableModel,
    header: RowNumberHeader,
    scenario: str,
    marked: bool,
) -> None:
    style = MarkingStyle()
    if marked:
        header.setStyle(style)
    selection = view.selectionModel()
    if scenario == "row":
        view.selectRow(2)
    elif scenario == "cell":
        selection.select(model.index(5, 3), QItemSelectionModel.SelectionFlag.Select)
    elif scenario == "rows":
        view.selectRow(7)
        selection.select(
            model.index(8, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
        selection.select(model.index(9, 4), QItemSelectionModel.SelectionFlag.Select)
    elif scenario == "hover":
        hover(header, QEvent.Type.HoverEnter, 4)
    elif scenario == "pressed":
        y = header.sectionViewportPosition(6) + 5
        press(header, QPoint(10, y))
    elif scenario == "palette":
        view.setPalette(dark_palette())
    ours = grab(header)
    assert_alike(ours, grab_as_qt_paints(view, header))
    if scenario == "pressed":
        release(header, QPoint(10, 20))


def test_hover_marks_the_section_under_the_mouse_and_repaints_it(
    qtbot: QtBot, header: RowNumberHeader
) -> None:
    style = MarkingStyle()
    header.setStyle(style)
    painted: list[QRect] = []

    class Paints(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and isinstance(event, QPaintEvent):
                painted.append(event.rect())
            return False

    paints = Paints(header)
    header.viewport().installEventFilter(paints)
    QApplication.processEvents()
    painted.clear()

    hover(header, QEvent.Type.HoverEnter, 4)
    qtbot.waitUntil(lambda: any(rect.intersects(section_rect(header, 4)) for rect in painted))
    pixels = grab(header)
    assert marks(pixels, header, 4) == {"hover"}
    assert all(not marks(pixels, header, section) for section in range(12) if section != 4)

    painted.clear()
    hover(header, QEvent.Type.HoverMove, 9)
    qtbot.waitUntil(lambda: any(rect.intersects(section_rect(header, 9)) for rect in painted))
    assert any(rect.intersects(section_rect(header, 4)) for rect in painted)
    pixels = grab(header)
    assert marks(pixels, header, 9) == {"hover"}
    assert marks(pixels, header, 4) == set()

    hover(header, QEvent.Type.HoverLeave, -1)
    pixels = grab(header)
    assert all(not marks(pixels, header, section) for section in range(12))


def test_selecting_rows_changes_their_sections_and_clearing_restores_them(
    view: CdrTableView, model: CdrTableModel, header: RowNumberHeader
) -> None:
    plain_fusion = grab(header)
    view.selectRow(2)
    fusion_selected = grab(header)
    changed = section_rect(header, 2)
    assert plain_fusion.colours(changed) != fusion_selected.colours(changed)  # bold number
    for section in (0, 1, 3, 4):
        same = section_rect(header, section)
        assert plain_fusion.colours(same) == fusion_selected.colours(same), section

    style = MarkingStyle()
    header.setStyle(style)
    view.selectionModel().select(model.index(5, 2), QItemSelectionModel.SelectionFlag.Select)
    pixels = grab(header)
    assert marks(pixels, header, 2) == {"sunken", "on"}  # the whole row
    assert marks(pixels, header, 5) == {"on"}  # one of its cells
    assert all(not marks(pixels, header, section) for section in (0, 1, 3, 4, 6))

    view.clearSelection()
    pixels = grab(header)
    assert all(not marks(pixels, header, section) for section in range(10))
    header.setStyle(QApplication.style())
    assert grab(header).colours(changed) == plain_fusion.colours(changed)


def test_pressing_a_section_sinks_it_until_released(qtbot: QtBot, header: RowNumberHeader) -> None:
    style = MarkingStyle()
    header.setStyle(style)
    y = header.sectionViewportPosition(3) + 4
    press(header, QPoint(10, y))
    assert "sunken" in marks(grab(header), header, 3)
    release(header, QPoint(10, y))
    # released: the row is selected (sunken and on), as a click on Qt's header selects it
    assert marks(grab(header), header, 3) == {"sunken", "on"}
    assert marks(grab(header), header, 2) == set()


def dark_palette() -> QPalette:
    palette = QPalette()
    for colour_role, colour in (
        (QPalette.ColorRole.Window, "#202020"),
        (QPalette.ColorRole.Button, "#303030"),
        (QPalette.ColorRole.Base, "#181818"),
        (QPalette.ColorRole.AlternateBase, "#242424"),
        (QPalette.ColorRole.Text, "#e0e0e0"),
        (QPalette.ColorRole.WindowText, "#e0e0e0"),
        (QPalette.ColorRole.ButtonText, "#f0f0f0"),
    ):
        palette.setColor(colour_role, QColor(colour))
    return palette


def test_a_new_palette_repaints_the_sections_in_its_colours(
    view: CdrTableView, header: RowNumberHeader
) -> None:
    light = grab(header)
    face = section_rect(header, 3).adjusted(1, 1, -2, -2)
    assert max(sum(colour) for colour in light.colours(face)) > 3 * 200
    original = view.palette()
    view.setPalette(dark_palette())
    dark = grab(header)
    assert max(sum(colour) for colour in dark.colours(face)) > 3 * 200  # the light number
    assert (
        sorted(sum(colour) for colour in dark.colours(face))[len(dark.colours(face)) // 2] < 3 * 90
    )
    view.setPalette(original)
    assert grab(header).colours(face) == light.colours(face)


def test_right_to_left_sections_are_painted_by_qt(
    view: CdrTableView, header: RowNumberHeader
) -> None:
    view.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    pixels = grab(header)
    for section in visible_sections(header)[:10]:
        block = pixels.colours(section_rect(header, section).adjusted(1, 1, -2, -2))
        assert sum(distance(colour, max(block)) > 100 for colour in block) >= 5, section


def test_a_shorter_result_leaves_plain_header_below_its_last_row(
    qtbot: QtBot, model: CdrTableModel, header: RowNumberHeader
) -> None:
    before = grab(header)
    with hs.HostileServer(hs.make_records(5)) as server:
        connection: Connection = connection_to(server.url, server.token)
        with qtbot.waitSignal(model.pageArrived):
            model.set_connection(connection)
        assert header.count() == 5
        pixels = grab(header)
    for section in range(4):  # the same numbers in the same places
        rect = section_rect(header, section)
        assert pixels.colours(rect) == before.colours(rect), section
    below = QRect(0, section_rect(header, 4).bottom() + 1, header.width(), 0)
    below.setBottom(header.viewport().height() - 1)
    assert below.height() > 10 * header.sectionSize(0)
    assert len(set(pixels.colours(below.adjusted(2, 0, -2, 0)))) == 1  # no number left over


# --- a new look ------------------------------------------------------------------------------


def test_a_new_style_sheet_repaints_the_sections(
    view: CdrTableView, header: RowNumberHeader
) -> None:
    face = section_rect(header, 3).adjusted(2, 2, -3, -3)
    for colour in ("#c00000", "#0000c0"):
        view.setStyleSheet(f"QHeaderView::section {{ background: {colour}; }}")
        pixels = grab(header)
        assert_alike(pixels, grab_as_qt_paints(view, header))
        red, _, blue = sorted(pixels.colours(face), key=sum)[-1]
        assert (red > blue) == (colour == "#c00000"), colour


def test_a_new_style_sheet_resizes_the_header(view: CdrTableView, header: RowNumberHeader) -> None:
    sheet = "QHeaderView::section { padding-left: 40px; padding-right: 40px; }"
    view.setStyleSheet(sheet)
    plain = QHeaderView(Qt.Orientation.Vertical)
    plain.setModel(view.model())
    plain.setStyleSheet(sheet)
    assert header.sizeHint().width() == plain.sizeHint().width()
    assert header.sizeHint().width() > 80 + header.fontMetrics().horizontalAdvance("60")


def test_a_new_result_with_the_same_rows_on_screen_paints_the_kept_strip(
    qtbot: QtBot,
    view: CdrTableView,
    model: CdrTableModel,
    header: RowNumberHeader,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = grab(header)
    drawn: list[tuple[int, int]] = []
    draw_strip = header._draw_strip

    def noting(first: int, last: int, *args: Any) -> tuple[QPixmap, int]:
        drawn.append((first, last))
        return draw_strip(first, last, *args)

    monkeypatch.setattr(header, "_draw_strip", noting)
    with qtbot.waitSignal(model.pageArrived):
        model.set_query(CdrQuery({"type": ("call",)}))
    header.viewport().repaint()
    assert drawn == []
    assert_alike(grab(header), before)
    view.selectRow(1)
    header.viewport().repaint()
    assert len(drawn) == 1  # another state, another strip
    assert grab(header).colours(section_rect(header, 1)) != before.colours(section_rect(header, 1))
