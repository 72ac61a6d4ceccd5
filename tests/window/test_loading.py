"""Filters applied through the sidebar load the same records the API lists, page after page."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QToolButton
from pytestqt.qtbot import QtBot

from cdrdesk.demo.runner import DemoServerThread
from cdrdesk.ui.main_window import MainWindow
from tests.window.conftest import (
    WAIT_MS,
    api_ids,
    api_page,
    check_enum_value,
    click_apply,
    loaded_ids,
)

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def test_scrolling_past_ten_thousand_rows_matches_the_api(
    window: MainWindow, qtbot: QtBot, demo_server: DemoServerThread
) -> None:
    model = window.model
    check_enum_value(window, "type", "call")
    with qtbot.waitSignal(model.pageArrived, timeout=WAIT_MS):
        click_apply(qtbot, window)
    assert model.query is not None
    assert model.query.get("type") == ("call",)

    while model.loaded_count <= 10_000:
        before = model.loaded_count
        window.table.scrollToBottom()
        qtbot.waitUntil(lambda before=before: model.loaded_count > before, timeout=WAIT_MS)

    ids = loaded_ids(window)
    assert len(set(ids)) == len(ids)
    assert ids == api_ids(demo_server, [("type", "call")], len(ids))[: len(ids)]
    total = api_page(demo_server, [("type", "call"), ("limit", "0")])["metadata"]["total"]
    assert model.total == total
    qtbot.waitUntil(lambda: not model.is_loading, timeout=WAIT_MS)
    counts = window.statusBar().findChild(QLabel, "status_counts")
    assert counts is not None
    assert counts.text() == f"{model.loaded_count:,} loaded of {total:,}"


def test_filters_changed_mid_load_drop_the_old_pages(
    window: MainWindow, qtbot: QtBot, demo_server: DemoServerThread
) -> None:
    model = window.model
    check_enum_value(window, "type", "call")
    with qtbot.waitSignal(model.pageArrived, timeout=WAIT_MS):
        click_apply(qtbot, window)
    with qtbot.waitSignal(
        model.loadAllProgress,
        check_params_cb=lambda loaded, _total: loaded >= 3_000,
        timeout=WAIT_MS,
    ):
        window.load_all_action.trigger()
    cancel = window.statusBar().findChild(QToolButton, "status_cancel_load_all")
    assert cancel is not None
    assert cancel.isVisible()

    check_enum_value(window, "type", "call", checked=False)
    check_enum_value(window, "type", "sms")
    with qtbot.waitSignal(model.loadAllFinished, timeout=WAIT_MS) as finished:
        click_apply(qtbot, window)
    assert finished.args == [True]  # the load of the old filters stopped, unfinished
    assert not cancel.isVisible()

    for _ in range(3):
        qtbot.waitUntil(lambda: not model.is_loading and model.loaded_count > 0, timeout=WAIT_MS)
        before = model.loaded_count
        window.table.scrollToBottom()
        qtbot.waitUntil(lambda before=before: model.loaded_count > before, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not model.is_loading, timeout=WAIT_MS)

    types = {model.record(row)["type"] for row in range(model.loaded_count)}
    assert types == {"sms"}
    ids = loaded_ids(window)
    assert ids == api_ids(demo_server, [("type", "sms")], len(ids))[: len(ids)]
    assert not window.cancel_load_all_action.isEnabled()


def test_a_refused_filter_is_shown_beside_it_and_the_rows_stay(
    window: MainWindow, qtbot: QtBot
) -> None:
    model = window.model
    check_enum_value(window, "type", "call")
    with qtbot.waitSignal(model.pageArrived, timeout=WAIT_MS):
        click_apply(qtbot, window)
    qtbot.waitUntil(lambda: not model.is_loading, timeout=WAIT_MS)
    before = loaded_ids(window)
    assert before

    other = window.sidebar.findChild(QLineEdit, "filter_type_other")
    add = window.sidebar.findChild(QPushButton, "filter_type_add")
    assert other is not None
    assert add is not None
    qtbot.keyClicks(other, "teleport")
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    click_apply(qtbot, window)

    errors = window.sidebar.findChild(QLabel, "filter_type_errors")
    assert errors is not None
    qtbot.waitUntil(lambda: "teleport" in errors.text(), timeout=WAIT_MS)
    assert errors.isVisible()
    after = loaded_ids(window)  # the view may have prefetched more of the same query meanwhile
    assert after[: len(before)] == before
    assert model.query is not None
    assert model.query.get("type") == ("call",)
    status_error = window.statusBar().findChild(QLabel, "status_error")
    assert status_error is not None
    assert status_error.isVisible()
    assert "refused the filters" in status_error.text()
