"""The real main window tells the user, in its status bar, what a retry cannot mend,
keeps the rows it has, and goes on after Retry without losing or repeating a record."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QToolButton
from pytestqt.qtbot import QtBot

from cdrdesk.connections.profiles import Connection, Profile
from cdrdesk.ui.app import create_app, parse_gui_args
from cdrdesk.ui.main_window import MainWindow
from tests import hostile_server as hs
from tests.window.conftest import make_stores

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
WAIT_MS = 30_000


def loaded_ids(window: MainWindow) -> list[object]:
    return [window.model.record(row)["id"] for row in range(window.model.loaded_count)]


@pytest.mark.parametrize(
    ("action", "words"),
    [
        pytest.param(hs.NOT_JSON, "the server sent a page that is not valid JSON", id="not JSON"),
        pytest.param(hs.TRUNCATED, "breaks off after", id="truncated"),
        pytest.param(hs.HTML, "HTML page instead of JSON", id="HTML"),
        pytest.param(hs.BAD_UTF8_IN_RECORD, "not valid UTF-8", id="invalid UTF-8"),
    ],
)
def test_the_status_bar_names_the_broken_page(
    qtbot: QtBot, hostile: hs.HostileServer, tmp_path: Path, action: hs.Action, words: str
) -> None:
    hostile.script(hs.OK, action)
    connection = Connection(Profile("Broken", hostile.url), hostile.token)
    _app, window = create_app(
        parse_gui_args([]), stores=make_stores(tmp_path), connection=connection
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    error = window.statusBar().findChild(QLabel, "status_error")
    retry = window.statusBar().findChild(QToolButton, "status_retry")
    assert error is not None
    assert retry is not None
    try:
        if window.model.canFetchMore():
            window.table.scrollToBottom()
        qtbot.waitUntil(error.isVisible, timeout=WAIT_MS)
        assert words in error.text()
        assert hostile.token not in error.text()
        kept = loaded_ids(window)
        assert kept
        assert kept == [record["id"] for record in hostile.records[: len(kept)]]
        assert retry.isVisible()

        qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.model.loaded_count > len(kept), timeout=WAIT_MS)
        assert not error.isVisible()
        now = loaded_ids(window)
        assert now == [record["id"] for record in hostile.records[: len(now)]]
    finally:
        window.shutdown()
