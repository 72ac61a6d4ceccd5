"""A failing page keeps the rows loaded and offers Retry (against a scripted real server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QToolButton
from pytestqt.qtbot import QtBot

from cdrdesk.connections.profiles import Connection, Profile
from tests.hostile_server import OK, HostileServer, make_records, status
from tests.window.conftest import WAIT_MS, WindowFactory, loaded_ids, make_stores

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer(make_records(2_000)) as server:
        yield server


def test_a_failed_page_keeps_the_rows_and_retry_continues(
    open_window: WindowFactory, hostile: HostileServer, tmp_path: Path, qtbot: QtBot
) -> None:
    hostile.script(OK, status(403, {"error": "Forbidden"}))
    connection = Connection(Profile("Scripted", hostile.url), hostile.token)
    window = open_window([], make_stores(tmp_path), connection)

    error = window.statusBar().findChild(QLabel, "status_error")
    retry = window.statusBar().findChild(QToolButton, "status_retry")
    assert error is not None
    assert retry is not None
    qtbot.waitUntil(error.isVisible, timeout=WAIT_MS)
    kept = loaded_ids(window)
    assert kept == [record["id"] for record in hostile.records[: len(kept)]]
    assert kept
    assert retry.isVisible()
    assert window.retry_action.isEnabled()
    assert hostile.token not in error.text()

    qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.loaded_count > len(kept), timeout=WAIT_MS)
    assert loaded_ids(window)[: len(kept)] == kept
    assert not error.isVisible()
    assert not window.retry_action.isEnabled()
