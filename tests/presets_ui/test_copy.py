"""Copy link, Copy as curl and Copy with header."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from cdrdesk.api.query import CdrQuery, RangeValue
from cdrdesk.api.timeranges import FilterState, RelativeRange
from cdrdesk.connections.profiles import Connection
from cdrdesk.demo.runner import DemoServerThread
from cdrdesk.presets import parse_link
from cdrdesk.ui.main_window import MainWindow
from tests.presets_ui.conftest import WindowFactory, presets_stores, wait_loaded
from tests.window.conftest import loaded_ids

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

FILTERS = FilterState(
    CdrQuery({"type": ("call",), "duration": RangeValue(gte=60), "to_phone_number_like": "+44*"}),
    {"started_at": RelativeRange.LAST_30_DAYS},
)


def test_copy_link_opens_the_same_filters_in_a_new_window(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path, qtbot: QtBot
) -> None:
    first = open_window([], presets_stores(tmp_path / "a"), demo_connection)
    first.sidebar.set_state(FILTERS)
    QGuiApplication.clipboard().clear()
    first.presets.copy_link_action.trigger()
    copied = datetime.now(UTC)
    link = QGuiApplication.clipboard().text()
    assert link.startswith("cdrdesk://filters?")

    second = open_window([link], presets_stores(tmp_path / "b"), demo_connection)
    state = second.sidebar.state()
    assert state == parse_link(link)
    assert state.query.without("started_at") == FILTERS.query
    window_of_time = state.query.get("started_at")
    assert isinstance(window_of_time, RangeValue)
    start, end = window_of_time.gte, window_of_time.lt
    assert isinstance(start, datetime)
    assert isinstance(end, datetime)
    assert copied - timedelta(seconds=30) < end <= copied
    assert end - start == timedelta(days=30)
    wait_loaded(qtbot, second)
    assert second.model.query == state.query


def test_copy_as_curl_never_holds_the_token_and_runs(
    open_window: WindowFactory,
    demo_connection: Connection,
    demo_server: DemoServerThread,
    tmp_path: Path,
    qtbot: QtBot,
) -> None:
    window = open_window(["cdrdesk://filters?type=sms"], presets_stores(tmp_path), demo_connection)
    wait_loaded(qtbot, window)
    QGuiApplication.clipboard().clear()
    window.presets.copy_curl_action.trigger()
    command = QGuiApplication.clipboard().text()

    assert "$CDRDESK_TOKEN" in command
    assert demo_server.token not in command
    assert f"{demo_server.url}/api/v4/reporting/cdrs?type=sms&limit=100&offset=0" in command

    curl = shutil.which("curl")
    if curl is None:
        if os.environ.get("CI") == "true":
            pytest.fail("curl is not installed; .ci/run installs it")
        pytest.skip("curl is not installed")
    environment = dict(os.environ, CDRDESK_TOKEN=demo_server.token)
    result = subprocess.run(
        ["sh", "-c", command], capture_output=True, text=True, env=environment, timeout=60
    )
    assert result.returncode == 0, result.stderr
    ids = [item["id"] for item in json.loads(result.stdout)["items"]]
    assert ids == loaded_ids(window)[:100]


def test_copy_as_curl_needs_a_connection(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path
) -> None:
    window = open_window([], presets_stores(tmp_path), demo_connection)
    window.set_connection(None)
    QGuiApplication.clipboard().setText("unchanged")
    assert window.presets.copy_curl() is None
    assert QGuiApplication.clipboard().text() == "unchanged"
    assert window.statusBar().currentMessage() == "Connect to a server first"


def select_block(window: MainWindow, rows: int) -> None:
    model = window.model
    window.table.selectionModel().select(
        QItemSelection(
            model.index(0, model.column_of("type")),
            model.index(rows - 1, model.column_of("subtype")),
        ),
        QItemSelectionModel.SelectionFlag.ClearAndSelect,
    )


def test_copy_with_header_is_honoured_by_ctrl_c_and_remembered(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path, qtbot: QtBot
) -> None:
    window = open_window([], presets_stores(tmp_path), demo_connection)
    wait_loaded(qtbot, window)
    assert not window.copy_header_action.isChecked()
    select_block(window, 2)
    window.table.setFocus()
    model = window.model
    header = "\t".join(
        str(model.headerData(model.column_of(key), Qt.Orientation.Horizontal))
        for key in ("type", "subtype")
    )

    QGuiApplication.clipboard().clear()
    qtbot.keyClick(window.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    without = QGuiApplication.clipboard().text().split("\n")
    assert len(without) == 2
    assert without[0] == f"{model.record(0)['type']}\t{model.record(0)['subtype']}"

    window.copy_header_action.trigger()
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(window.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QGuiApplication.clipboard().text().split("\n")
    assert lines == [header, *without]
    assert window.statusBar().currentMessage() == "Copied 2 rows"
    window.close()

    again = open_window([], presets_stores(tmp_path), demo_connection)
    assert again.copy_header_action.isChecked()
