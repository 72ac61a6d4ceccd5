"""A whole window session leaves the token nowhere but the Authorization header.

The window runs as ``cdrdesk`` builds it, on the user's default stores
(profiles, keyring, presets, window settings, log) inside this test's own
XDG folders, against a demo server that knows only a distinctive token.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from cdrdesk import logs
from cdrdesk.api.query import CdrQuery, RangeValue
from cdrdesk.api.timeranges import FilterState, RelativeRange
from cdrdesk.connections.profiles import Connection, Profile
from cdrdesk.demo.runner import TOKEN_ENVIRONMENT_VARIABLE, DemoServerThread
from cdrdesk.ui.app import Stores, create_app, parse_gui_args
from cdrdesk.ui.crash import install_excepthook
from cdrdesk.ui.main_window import MainWindow
from tests.connections.memory_keyring import MemoryKeyring
from tests.hostile_server import HostileServer, make_records, status
from tests.presets_ui.conftest import type_name
from tests.secrets.scan import (
    all_files,
    descendants,
    distinctive_token,
    files_holding,
    processes_holding,
)
from tests.window.conftest import WAIT_MS, make_stores

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

XDG_VARIABLES = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME")
FILTERS = FilterState(
    CdrQuery({"type": ("call",), "duration": RangeValue(gte=60), "to_phone_number_like": "+44*"}),
    {"started_at": RelativeRange.LAST_30_DAYS},
)


@pytest.fixture
def token() -> str:
    return distinctive_token()


@pytest.fixture
def own_server(demo_server: DemoServerThread, token: str) -> Iterator[DemoServerThread]:
    """The demo data (already built by ``demo_server``) behind a distinctive token."""
    with DemoServerThread(
        records=demo_server.records, seed=demo_server.seed, token=token
    ) as server:
        yield server


@pytest.fixture
def user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Private XDG folders, so the default stores and the log land where the test looks."""
    home = tmp_path / "home"
    for variable in XDG_VARIABLES:
        monkeypatch.setenv(variable, str(home / variable.lower()))
    return home


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def debug_logging(user_folders: Path) -> Iterator[Path]:
    root = logging.getLogger()
    level = root.level
    path = logs.setup_logging(debug=True)
    assert path is not None
    assert user_folders in path.parents
    yield path
    logs.shutdown_logging()
    root.setLevel(level)


def visible_texts(window: MainWindow) -> dict[str, str]:
    """Every text the window shows or would show on hover, by where it is."""
    texts = {"window title": window.windowTitle()}
    widgets: list[QWidget] = [window, *window.findChildren(QWidget)]
    for widget in widgets:
        where = f"{type(widget).__name__} {widget.objectName()!r}"
        texts[f"{where} title"] = widget.windowTitle()
        texts[f"{where} tooltip"] = widget.toolTip()
        texts[f"{where} status tip"] = widget.statusTip()
        if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
            texts[f"{where} text"] = widget.text()
    for action in window.findChildren(QAction):
        texts[f"action {action.text()!r}"] = f"{action.text()} {action.toolTip()}"
    return texts


def leaks(token: str, texts: dict[str, str]) -> dict[str, str]:
    return {where: text for where, text in texts.items() if token in text}


def test_a_window_session_leaves_the_token_nowhere(
    qtbot: QtBot,
    own_server: DemoServerThread,
    token: str,
    user_folders: Path,
    memory_keyring: MemoryKeyring,
    debug_logging: Path,
) -> None:
    # The user's saved connection: profile in profiles.json, token in the keyring.
    stores = Stores.default()
    stores.profiles.save(Profile("Production", own_server.url))
    stores.tokens.set("Production", token)
    stores.profiles.last_profile = "Production"
    assert memory_keyring.entries == {("cdrdesk", "Production"): token}

    _app, window = create_app(parse_gui_args(["--debug"]), stores=stores)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    reporter = install_excepthook(window, show_dialogs=False)
    try:
        qtbot.waitUntil(lambda: window.model.loaded_count > 0, timeout=WAIT_MS)
        assert window.connection is not None
        assert window.connection.token == token

        window.sidebar.set_state(FILTERS)
        window.sidebar.apply()
        qtbot.waitUntil(
            lambda: (
                window.model.query is not None
                and window.model.query.get("type") == ("call",)
                and not window.model.is_loading
            ),
            timeout=WAIT_MS,
        )
        copied: dict[str, str] = {}
        for action in (window.presets.copy_curl_action, window.presets.copy_link_action):
            QGuiApplication.clipboard().clear()
            action.trigger()
            copied[action.text()] = QGuiApplication.clipboard().text()
        window.table.selectAll()
        copied["rows"] = window.copy_selection()
        assert all(copied.values()), copied
        assert "$CDRDESK_TOKEN" in copied[window.presets.copy_curl_action.text()]
        assert leaks(token, copied) == {}

        names = type_name(qtbot, "Long calls to the UK")
        window.presets.save_action.trigger()
        assert len(names) == 1
        assert leaks(token, visible_texts(window)) == {}

        # An unhandled error whose text holds the bare token, through the crash hook:
        # masked because the window registered the token with the log redaction.
        def fail() -> None:
            raise RuntimeError(f"unexpected answer for {token}")

        with qtbot.waitSignal(reporter.reported, timeout=WAIT_MS) as crash:
            QTimer.singleShot(0, fail)
        assert crash.args == ["RuntimeError: unexpected answer for ***"]

        # A server that quotes the token back in its error: the status bar shows it scrubbed.
        with HostileServer(make_records(50), token=token) as hostile:
            hostile.script(status(400, {"message": f"bad header Bearer {token} ({token})"}))
            window.set_connection(Connection(Profile("Echoing", hostile.url), token))
            error = window.statusBar().findChild(QLabel, "status_error")
            assert error is not None
            qtbot.waitUntil(error.isVisible, timeout=WAIT_MS)
            assert "400" in error.text()
            assert leaks(token, visible_texts(window)) == {}
    finally:
        reporter.uninstall()
        window.shutdown()
        shiboken6.delete(reporter)
    logs.shutdown_logging()

    files = {path.name for path in all_files(user_folders)}
    assert {"window.ini", "profiles.json", "presets.json", "cdrdesk.log"} <= files, files
    log_text = debug_logging.read_text(encoding="utf-8")
    assert "unexpected answer for ***" in log_text  # the crash reached the log, masked
    assert files_holding(token, user_folders) == []
    assert memory_keyring.entries == {("cdrdesk", "Production"): token}


def test_the_demo_server_gets_its_token_by_environment_not_argv(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """``cdrdesk --demo``: the server is a child process; its token must not be in its argv."""
    args = parse_gui_args(["--demo", "--records", "30000"])
    _app, window = create_app(args, stores=make_stores(tmp_path))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.connectionChanged, timeout=120_000) as connected:
        window.show()
    try:
        check_demo_process(window, connected.args[0])
    finally:
        window.shutdown()


def check_demo_process(window: MainWindow, connection: Connection) -> None:
    """The demo token is the well-known ``demo-token``: only this process tree is scanned."""
    process = window.demo_server_process()
    assert process is not None
    ours = {os.getpid(), *descendants(os.getpid())}
    assert process.process.pid in ours

    assert processes_holding(connection.token, ours) == {}
    assert processes_holding("demo-server", ours), "the scan sees the server's argv"
    environment = Path(f"/proc/{process.process.pid}/environ").read_bytes().split(b"\0")
    assert f"{TOKEN_ENVIRONMENT_VARIABLE}={connection.token}".encode() in environment
    assert leaks(connection.token, visible_texts(window)) == {}
