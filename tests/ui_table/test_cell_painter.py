"""The table paints its own cells: checked on real rows, pixel by pixel.

Where the painter must look as Qt does, Qt's own painting of the same view
is the reference: hiding a row below the visible ones makes the view fall
back to it without moving anything on screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, QRect, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QHeaderView
from pytestqt.qtbot import QtBot

from cdrdesk.api.query import CdrQuery
from cdrdesk.api.records import COLUMNS
from cdrdesk.connections.profiles import Connection
from cdrdesk.ui.cdr_model import CdrTableModel
from cdrdesk.ui.cell_painter import CELL_MARGIN
from cdrdesk.ui.table_view import CdrTableView
from tests import hostile_server as hs
from tests.ui_table.conftest import connection_to
from tests.ui_table.pixels import Pixels, Rgb, distance, rgb

KEYS = [column.key for column in COLUMNS]
Record = dict[str, Any]
Serve = Callable[[list[Record]], Connection]

ROW_COUNT = 60
LONG_ASCII = "CALLBACK REQUESTED BY CUSTOMER " * 12  # cut to MAX_CELL_CHARS by the model
LONG_UNICODE = "Zürich–Łódź 東京 “quoted” " * 20
HUGE_UNICODE = "ü" * 5000  # past MAX_TEXT_CHARS: kept in the store's extras


def role(view: CdrTableView, colour_role: QPalette.ColorRole) -> Rgb:
    return rgb(view.palette().color(QPalette.ColorGroup.Active, colour_role))


def grab(view: CdrTableView) -> Pixels:
    return Pixels(view.viewport().grab().toImage())


def grab_as_qt_paints(view: CdrTableView, model: CdrTableModel) -> Pixels:
    """The viewport as Qt paints it: a hidden row (below the screen) turns the painter off."""
    last = model.rowCount() - 1
    assert view.rowViewportPosition(last) > view.viewport().height()
    view.setRowHidden(last, True)
    try:
        assert not view._cell_painter.can_paint()
        return grab(view)
    finally:
        view.setRowHidden(last, False)


def records() -> list[Record]:
    """Rows with empty cells (absent user and queue, null scores) and a few crafted texts."""
    rows = hs.make_records(ROW_COUNT)
    rows[1]["data"]["user_id"] = LONG_ASCII
    rows[2]["data"]["user_id"] = LONG_UNICODE
    rows[3]["data"]["user_id"] = None
    rows[4]["data"]["user_id"] = HUGE_UNICODE
    rows[5]["data"]["user_id"] = "Ελένη"
    rows[6]["subtype"] = None
    rows[7]["type"] = "x" * 5000
    rows[8]["data"]["duration"] = 123_456
    rows[9]["data"]["duration"] = None
    rows[10]["data"]["user_id"] = "agent 7\tshift\nB"
    return rows


@pytest.fixture
def view(qtbot: QtBot, model: CdrTableModel) -> CdrTableView:
    table = CdrTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    table.resize(1600, 480)  # every default column in view
    table.show()
    return table


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Starts a server for crafted records; a connection to it."""
    with ExitStack() as servers:

        def start(items: list[Record]) -> Connection:
            server = servers.enter_context(hs.HostileServer(items))
            return connection_to(server.url, server.token)

        yield start


def show(qtbot: QtBot, model: CdrTableModel, connection: Connection) -> None:
    """Load every record (one page) into the model."""
    model.set_connection(connection)
    with qtbot.waitSignal(model.pageArrived):
        model.set_query(CdrQuery())
    qtbot.waitUntil(lambda: not model.is_loading)
    assert not model.has_more


@pytest.fixture
def shown(qtbot: QtBot, view: CdrTableView, model: CdrTableModel, serve: Serve) -> CdrTableView:
    """The view showing :func:`records`, every cell painted once already."""
    show(qtbot, model, serve(records()))
    assert model.rowCount() == ROW_COUNT
    qtbot.waitExposed(view)
    return view


def column(key: str) -> int:
    return KEYS.index(key)


def cell_rect(view: CdrTableView, row: int, key: str) -> QRect:
    model = view.model()
    return view.visualRect(model.index(row, column(key)))


def visible_cells(view: CdrTableView) -> Iterator[tuple[int, int, QRect]]:
    """(row, column, rect) of every cell wholly inside the viewport."""
    model = view.model()
    area = view.viewport().rect()
    header = view.horizontalHeader()
    for row in range(model.rowCount()):
        for visual in range(header.count()):
            logical = header.logicalIndex(visual)
            if header.isSectionHidden(logical):
                continue
            rect = view.visualRect(model.index(row, logical))
            if area.contains(rect):
                yield row, logical, rect


def background(view: CdrTableView, row: int) -> Rgb:
    if view.alternatingRowColors() and row % 2:
        return role(view, QPalette.ColorRole.AlternateBase)
    return role(view, QPalette.ColorRole.Base)


def text_limit(rect: QRect) -> int:
    """The last pixel column text may use: the cell's right edge less the margin."""
    return rect.left() + rect.width() - CELL_MARGIN - 1


# --- cells, texts and colours ----------------------------------------------------------------


def test_the_cdr_view_paints_its_cells_itself(shown: CdrTableView) -> None:
    assert shown._cell_painter.can_paint()


def test_cells_with_text_show_it_and_empty_cells_stay_empty(shown: CdrTableView) -> None:
    model = shown.model()
    pixels = grab(shown)
    text_colour = role(shown, QPalette.ColorRole.Text)
    cells = list(visible_cells(shown))
    assert len({row for row, _, _ in cells}) >= 18
    assert len({logical for _, logical, _ in cells}) == 13
    empty = 0
    for row, logical, rect in cells:
        text = model.data(model.index(row, logical))
        ink = pixels.ink(rect, background(shown, row))
        if not text:
            empty += 1
            assert ink == [], (row, KEYS[logical])
            continue
        assert len(ink) >= 6, (row, KEYS[logical], text)
        darkest = min(distance(colour, text_colour) for _, _, colour in ink)
        assert darkest <= 100, (row, KEYS[logical], text)
        xs = [x for x, _, _ in ink]
        assert min(xs) >= rect.left() + CELL_MARGIN - 1, (row, KEYS[logical])
        assert max(xs) <= text_limit(rect), (row, KEYS[logical])
    # absent users and queues, null scores, a null subtype and a null duration
    assert empty >= 40


def test_rows_alternate_between_base_and_alternate_base(shown: CdrTableView) -> None:
    base = role(shown, QPalette.ColorRole.Base)
    alternate = role(shown, QPalette.ColorRole.AlternateBase)
    assert base != alternate
    pixels = grab(shown)
    for row, logical, rect in visible_cells(shown):
        # the cell's corners: below the text and inside its margins
        corners = [pixels[rect.left(), rect.bottom()], pixels[rect.right(), rect.top()]]
        assert corners == [alternate if row % 2 else base] * 2, (row, KEYS[logical])
    shown.setAlternatingRowColors(False)
    pixels = grab(shown)
    for row, logical, rect in visible_cells(shown):
        assert pixels[rect.left(), rect.bottom()] == base, (row, KEYS[logical])


def test_selected_cells_are_highlighted_and_their_neighbours_are_not(
    shown: CdrTableView,
) -> None:
    model = shown.model()
    selection = shown.selectionModel()
    select = QItemSelectionModel.SelectionFlag.Select
    selection.select(model.index(2, column("subtype")), select)
    selection.select(model.index(3, column("duration")), select)
    highlight = role(shown, QPalette.ColorRole.Highlight)
    highlighted_text = role(shown, QPalette.ColorRole.HighlightedText)
    text_colour = role(shown, QPalette.ColorRole.Text)
    pixels = grab(shown)

    for row, key in ((2, "subtype"), (3, "duration")):
        rect = cell_rect(shown, row, key)
        for corner in (rect.topLeft(), rect.bottomRight(), rect.bottomLeft()):
            assert distance(pixels[corner.x(), corner.y()], highlight) <= 12, (row, key)
        fill = pixels[rect.left(), rect.bottom()]
        ink = pixels.ink(rect, fill)
        assert len(ink) >= 6
        # highlighted text on the highlight: every pixel lies between the two colours
        assert min(distance(colour, highlighted_text) for _, _, colour in ink) <= 40
        for _, _, colour in ink:
            assert all(c >= h - 12 for c, h in zip(colour, highlight, strict=True)), (row, key)

    for row, key in ((2, "type"), (2, "from_phone_number"), (3, "score"), (1, "subtype")):
        rect = cell_rect(shown, row, key)
        assert pixels[rect.left(), rect.bottom()] == background(shown, row), (row, key)
        ink = pixels.ink(rect, background(shown, row))
        assert min(distance(colour, text_colour) for _, _, colour in ink) <= 100, (row, key)

    selection.clearSelection()
    pixels = grab(shown)
    rect = cell_rect(shown, 2, "subtype")
    assert pixels[rect.left(), rect.bottom()] == background(shown, 2)


def test_a_whole_selected_row_is_highlighted_across_every_column(shown: CdrTableView) -> None:
    shown.selectRow(4)
    highlight = role(shown, QPalette.ColorRole.Highlight)
    pixels = grab(shown)
    for row, logical, rect in visible_cells(shown):
        corner = pixels[rect.left(), rect.bottom()]
        if row == 4:
            assert distance(corner, highlight) <= 12, KEYS[logical]
        else:
            assert corner == background(shown, row), (row, KEYS[logical])


def test_grid_lines_run_along_every_column_and_row_edge(
    shown: CdrTableView, model: CdrTableModel
) -> None:
    header = shown.horizontalHeader()
    rows = shown.verticalHeader()
    last_row = shown.rowAt(shown.viewport().height() - 1) - 1
    bottom = rows.sectionViewportPosition(last_row) + rows.sectionSize(last_row) - 1
    edges = [
        header.sectionViewportPosition(logical) + header.sectionSize(logical) - 1
        for logical in range(header.count())
        if not header.isSectionHidden(logical)
    ]
    edges = [x for x in edges if x < shown.viewport().width()]
    assert len(edges) == 13
    row_edges = [
        rows.sectionViewportPosition(row) + rows.sectionSize(row) - 1 for row in range(last_row + 1)
    ]
    right = max(edges)

    grid = grab_as_qt_paints(shown, model)[edges[0], 5]
    assert grid not in (
        role(shown, QPalette.ColorRole.Base),
        role(shown, QPalette.ColorRole.AlternateBase),
    )
    pixels = grab(shown)
    for x in edges:
        assert {pixels[x, y] for y in range(bottom + 1)} == {grid}, x
    for y in row_edges:
        assert {pixels[x, y] for x in range(right + 1)} == {grid}, y

    shown.setShowGrid(False)
    pixels = grab(shown)
    for x in edges:
        for row in range(last_row + 1):
            y = rows.sectionViewportPosition(row) + 1
            assert pixels[x, y] == background(shown, row), (x, row)
    for row, y in enumerate(row_edges):
        assert pixels[edges[0] - 2, y] == background(shown, row), row


def test_long_texts_are_elided_inside_their_cell(shown: CdrTableView) -> None:
    """ASCII, non-ASCII, cut at MAX_CELL_CHARS or kept in the extras: none spills over."""
    model = shown.model()
    pixels = grab(shown)
    for row, key in ((1, "user_id"), (2, "user_id"), (4, "user_id"), (7, "type")):
        assert model.data(model.index(row, column(key))).endswith("…"), (row, key)
        rect = cell_rect(shown, row, key)
        xs = [x for x, _, _ in pixels.ink(rect, background(shown, row))]
        assert max(xs) <= text_limit(rect), (row, key)
        assert max(xs) >= text_limit(rect) - 14, (row, key)  # the ellipsis at the end
        if key == "user_id":  # the queue beside it is empty, and stays so
            after = cell_rect(shown, row, "queue_id")
            assert pixels.ink(after, background(shown, row)) == [], row


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("A" * 30, id="ascii"),
        pytest.param("MAMA-GAGA-CACA-DADA-AAAA-MMMM-ACME", id="ascii-hyphenated"),
        pytest.param("Ångström–Ørsted–Ærø " * 3, id="non-ascii"),
    ],
)
def test_a_text_never_spills_past_its_margin_at_any_column_width(
    qtbot: QtBot, view: CdrTableView, model: CdrTableModel, serve: Serve, text: str
) -> None:
    rows = hs.make_records(30)
    rows[2]["data"]["user_id"] = text
    show(qtbot, model, serve(rows))
    natural = view.fontMetrics().horizontalAdvance(text)  # Qt's own measure of the whole text
    user = column("user_id")
    for width in range(natural + 2 * CELL_MARGIN - 24, natural + 2 * CELL_MARGIN + 4):
        view.setColumnWidth(user, width)
        pixels = grab(view)
        rect = cell_rect(view, 2, "user_id")
        ink = pixels.ink(rect, background(view, 2))
        assert ink, width
        assert max(x for x, _, _ in ink) <= text_limit(rect), (width, natural)
        assert pixels.ink(cell_rect(view, 2, "queue_id"), background(view, 2)) == [], width


def test_durations_and_scores_are_right_aligned(shown: CdrTableView) -> None:
    model = shown.model()
    pixels = grab(shown)
    for key in ("duration", "score"):
        rights = []
        for row in range(18):
            text = model.data(model.index(row, column(key)))
            if not text:
                continue
            rect = cell_rect(shown, row, key)
            xs = [x for x, _, _ in pixels.ink(rect, background(shown, row))]
            right_gap = text_limit(rect) - max(xs)
            left_gap = min(xs) - (rect.left() + CELL_MARGIN)
            assert 0 <= right_gap <= 3, (row, key, text)
            assert left_gap > right_gap + 3, (row, key, text)
            rights.append(max(xs))
        assert len(rights) >= 10, key
        assert max(rights) - min(rights) <= 2, key


# --- the same pixels whichever way a text is drawn ---------------------------------------


def widen_columns(view: CdrTableView) -> None:
    """Give every column a width it never had: each text is then measured and drawn anew."""
    header = view.horizontalHeader()
    for logical in range(header.count()):
        if not header.isSectionHidden(logical):
            header.resizeSection(logical, header.sectionSize(logical) + 1)


def test_a_text_drawn_again_looks_as_it_did_the_first_time(shown: CdrTableView) -> None:
    """The first paint draws texts plainly, later ones from laid-out static text."""
    widen_columns(shown)
    area = shown.viewport().rect()
    first = grab(shown)  # no events in between: this is the first paint at these widths
    second = grab(shown)
    assert first.block(area) == second.block(area)
    # within the first paint too: "call" is drawn plainly in row 1, from static text in row 5
    model = shown.model()
    assert model.data(model.index(1, column("type"))) == "call"
    assert model.data(model.index(5, column("type"))) == "call"
    row_1, row_5 = cell_rect(shown, 1, "type"), cell_rect(shown, 5, "type")
    assert first.block(row_1) == first.block(row_5)
    assert first.ink(row_1, background(shown, 1))


def test_a_text_with_a_line_separator_stays_on_its_one_line(
    qtbot: QtBot, view: CdrTableView, model: CdrTableModel, serve: Serve
) -> None:
    rows = hs.make_records(30)
    for row in (3, 5):
        rows[row]["data"]["user_id"] = "first\u2028second"
    show(qtbot, model, serve(rows))
    widen_columns(view)
    line_height = view.fontMetrics().height()
    first = grab(view)
    second = grab(view)
    for pixels in (first, second):
        for row in (3, 5):
            ink = pixels.ink(cell_rect(view, row, "user_id"), background(view, row))
            ys = [y for _, y, _ in ink]
            assert max(ys) - min(ys) < line_height, row
            below = cell_rect(view, row + 1, "user_id")  # an even row: nothing paints over it
            assert pixels.ink(below, background(view, row + 1)) == [], row
    assert first.block(cell_rect(view, 3, "user_id")) == second.block(cell_rect(view, 3, "user_id"))


# --- as Qt paints ---------------------------------------------------------------------------


def assert_alike_outside_text(view: CdrTableView, ours: Pixels, qts: Pixels) -> None:
    """Equal pixels (within two levels a channel) everywhere but around each cell's text.

    The texts themselves differ by Qt's one pixel narrower margin and its eliding.
    """
    area = view.viewport().rect()
    for row, logical, rect in visible_cells(view):
        fill = ours[rect.left(), rect.bottom()]
        assert distance(fill, qts[rect.left(), rect.bottom()]) <= 2, (row, KEYS[logical])
        boxes = [
            QRect(QPoint(min(xs), min(ys)), QPoint(max(xs), max(ys))).adjusted(-1, -1, 1, 1)
            for ink in (ours.ink(rect, fill), qts.ink(rect, fill))
            if ink
            for xs, ys in [([x for x, _, _ in ink], [y for _, y, _ in ink])]
        ]
        for y in range(rect.top(), rect.bottom() + 1):
            if ours.line(y, rect.left(), rect.right()) == qts.line(y, rect.left(), rect.right()):
                continue
            for x in range(rect.left(), rect.right() + 1):
                if any(box.contains(x, y) for box in boxes):
                    continue
                assert distance(ours[x, y], qts[x, y]) <= 2, (row, KEYS[logical], x, y)
        # the grid line right of and below the cell
        for x in range(rect.left(), rect.right() + 2):
            if area.contains(x, rect.bottom() + 1):
                assert ours[x, rect.bottom() + 1] == qts[x, rect.bottom() + 1], (row, x)
        for y in range(rect.top(), rect.bottom() + 2):
            if area.contains(rect.right() + 1, y):
                assert ours[rect.right() + 1, y] == qts[rect.right() + 1, y], (row, y)


def test_backgrounds_selection_focus_frame_and_grid_look_as_qt_paints_them(
    qtbot: QtBot, shown: CdrTableView, model: CdrTableModel
) -> None:
    selection = shown.selectionModel()
    select = QItemSelectionModel.SelectionFlag.Select
    shown.selectRow(6)
    selection.select(model.index(2, column("subtype")), select)
    selection.select(model.index(3, column("score")), select)
    shown.setFocus()
    qtbot.waitUntil(shown.hasFocus)
    selection.setCurrentIndex(
        model.index(9, column("user_id")), QItemSelectionModel.SelectionFlag.NoUpdate
    )
    ours = grab(shown)
    # the focus frame is there: the current cell's border is not its background
    current = cell_rect(shown, 9, "user_id")
    assert ours[current.left(), current.top() + 5] != background(shown, 9)
    assert_alike_outside_text(shown, ours, grab_as_qt_paints(shown, model))


def test_a_view_without_focus_draws_no_focus_frame(
    shown: CdrTableView, model: CdrTableModel
) -> None:
    shown.clearFocus()
    shown.selectionModel().setCurrentIndex(
        model.index(9, column("user_id")), QItemSelectionModel.SelectionFlag.NoUpdate
    )
    pixels = grab(shown)
    current = cell_rect(shown, 9, "user_id")
    assert pixels.ink(current, background(shown, 9)) == []
    assert pixels[current.left(), current.top()] == background(shown, 9)


def test_what_reaches_the_screen_after_scrolling_and_selecting_is_a_whole_repaint(
    qtbot: QtBot, shown: CdrTableView, model: CdrTableModel
) -> None:
    """Scrolling and selecting repaint parts of the viewport: the parts must fit together."""
    viewport = shown.viewport()
    screen = QApplication.primaryScreen()
    corner = viewport.mapTo(shown.window(), QPoint(0, 0))

    def on_screen() -> Pixels:
        image = screen.grabWindow(shown.window().winId()).toImage()
        return Pixels(image.copy(QRect(corner, viewport.size())))

    def matches_a_full_paint() -> bool:
        QApplication.processEvents()
        shown_now, full = on_screen(), grab(shown)
        right = full.width - 1
        return all(
            shown_now.line(y, 0, right) == full.line(y, 0, right)
            or all(distance(shown_now[x, y], full[x, y]) <= 2 for x in range(full.width))
            for y in range(full.height)
        )

    shown.verticalScrollBar().setValue(3)
    qtbot.waitUntil(matches_a_full_paint)
    shown.selectionModel().select(
        model.index(7, column("to_phone_number")), QItemSelectionModel.SelectionFlag.Select
    )
    qtbot.waitUntil(matches_a_full_paint)
    shown.horizontalScrollBar().setValue(37)
    qtbot.waitUntil(matches_a_full_paint)
    shown.verticalScrollBar().setValue(1)
    qtbot.waitUntil(matches_a_full_paint)
    top = shown.rowAt(0)
    assert top == 1
    rect = cell_rect(shown, 7, "to_phone_number")
    assert (
        distance(
            on_screen()[rect.left() + 2, rect.bottom()], role(shown, QPalette.ColorRole.Highlight)
        )
        <= 12
    )


@pytest.mark.parametrize("mode", [QHeaderView.ResizeMode.Fixed, QHeaderView.ResizeMode.Interactive])
def test_a_row_of_its_own_height_is_painted_where_it_is(
    shown: CdrTableView, mode: QHeaderView.ResizeMode
) -> None:
    shown.verticalHeader().setSectionResizeMode(mode)
    shown.setRowHeight(1, 40)
    assert shown._cell_painter.can_paint()
    pixels = grab(shown)
    for row in range(8):
        rect = cell_rect(shown, row, "type")
        assert pixels[rect.left(), rect.bottom()] == background(shown, row), row
        assert pixels.ink(rect, background(shown, row)), row


# --- falling back to Qt, and columns in another order ------------------------------------


def test_right_to_left_is_painted_by_qt(shown: CdrTableView, model: CdrTableModel) -> None:
    shown.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    assert not shown._cell_painter.can_paint()
    pixels = grab(shown)
    for row in range(6):
        rect = cell_rect(shown, row, "subtype")
        inner = rect.adjusted(2, 0, -2, 0)  # clear of the grid, on the left in this direction
        xs = [x for x, _, _ in pixels.ink(inner, background(shown, row))]
        assert xs, row
        # left-aligned text sits against the cell's right edge in a right-to-left table
        assert max(xs) >= rect.right() - CELL_MARGIN - 2, row
        if model.data(model.index(row, column("subtype"))) == "inbound":
            assert min(xs) > rect.center().x(), row
    shown.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    assert shown._cell_painter.can_paint()


@pytest.mark.parametrize("change", ["word wrap", "moved row", "hidden row"])
def test_other_layouts_are_painted_by_qt(shown: CdrTableView, change: str) -> None:
    rows = shown.verticalHeader()
    if change == "word wrap":
        shown.setWordWrap(True)
    elif change == "moved row":
        rows.moveSection(0, 4)
    else:
        shown.setRowHidden(2, True)
    assert not shown._cell_painter.can_paint()
    pixels = grab(shown)
    model = shown.model()
    for row in range(8):
        if shown.isRowHidden(row):
            continue
        rect = cell_rect(shown, row, "started_at")
        expected = model.data(model.index(row, column("started_at")))
        assert expected
        assert pixels.ink(rect, pixels[rect.left(), rect.bottom()]), (change, row)


def test_moved_and_hidden_columns_are_painted_in_their_on_screen_order(
    shown: CdrTableView,
) -> None:
    before = grab(shown)
    cells = {(row, logical): before.block(rect) for row, logical, rect in visible_cells(shown)}
    header = shown.horizontalHeader()
    old_duration = cell_rect(shown, 0, "duration")
    header.moveSection(header.visualIndex(column("duration")), 0)
    header.moveSection(header.visualIndex(column("score")), 3)
    shown.setColumnHidden(column("type"), True)
    assert shown._cell_painter.can_paint()
    assert cell_rect(shown, 0, "duration").left() == 0

    after = grab(shown)
    compared = 0
    for row, logical, rect in visible_cells(shown):
        if (row, logical) in cells:
            assert after.block(rect) == cells[row, logical], (row, KEYS[logical])
            compared += 1
    assert compared >= 12 * 18
    # where the duration was, another column's text is painted now, not the duration
    assert after.block(old_duration) != cells[0, column("duration")]
