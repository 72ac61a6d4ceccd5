"""Windows with a private presets file, and helpers that answer the presets' dialogs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from cdrdesk.connections.profiles import Connection, Profile
from cdrdesk.demo.runner import DemoServerThread
from cdrdesk.presets import PresetStore
from cdrdesk.ui.app import Stores, create_app, parse_gui_args
from cdrdesk.ui.main_window import MainWindow
from tests.window.conftest import WAIT_MS, make_stores

WindowFactory = Callable[..., MainWindow]
POLL_MS = 10
POLL_LIMIT = 3000  # 30 s: a dialog that never opens ends the poll, and the test's assert fails


def presets_stores(folder: Path) -> Stores:
    base = make_stores(folder)
    return Stores(base.settings, base.profiles, base.tokens, PresetStore(folder / "presets.json"))


@pytest.fixture
def demo_connection(demo_server: DemoServerThread) -> Connection:
    return Connection(Profile("Loopback demo", demo_server.url), demo_server.token)


@pytest.fixture
def open_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    """Builds windows with ``create_app``; each is shut down after the test."""
    opened: list[MainWindow] = []

    def build(argv: list[str], stores: Stores, connection: Connection | None = None) -> MainWindow:
        _app, window = create_app(parse_gui_args(argv), stores=stores, connection=connection)
        qtbot.addWidget(window)
        opened.append(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    yield build
    for window in opened:
        notice = window.presets.last_notice
        if notice is not None and notice.isVisible():
            notice.close()
        window.shutdown()


def wait_loaded(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: window.model.loaded_count > 0 and not window.model.is_loading, timeout=WAIT_MS
    )


def when_dialog_opens(handle: Callable[[QApplication, object], None]) -> list[object]:
    """Call ``handle`` with the next modal dialog once it is open; returns the dialogs seen."""
    seen: list[object] = []
    tries = [0]

    def poll() -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        dialog = QApplication.activeModalWidget()
        if dialog is None or not dialog.isVisible():
            tries[0] += 1
            if tries[0] < POLL_LIMIT:
                QTimer.singleShot(POLL_MS, poll)
            return
        seen.append(dialog)
        handle(app, dialog)

    QTimer.singleShot(0, poll)
    return seen


def type_name(qtbot: QtBot, name: str) -> list[object]:
    """Type ``name`` into the next name dialog and press Return."""

    def handle(_app: QApplication, dialog: object) -> None:
        assert isinstance(dialog, QInputDialog), dialog
        field = dialog.findChild(QLineEdit)
        assert field is not None
        field.selectAll()
        qtbot.keyClicks(field, name)
        qtbot.keyClick(field, Qt.Key.Key_Return)

    return when_dialog_opens(handle)


def answer_question(qtbot: QtBot, yes: bool) -> list[object]:
    """Press the confirming button (or Cancel) of the next question."""

    def handle(_app: QApplication, dialog: object) -> None:
        assert isinstance(dialog, QMessageBox), dialog
        if yes:
            button = dialog.findChild(QPushButton, "confirm_yes")
            assert button is not None
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        else:
            dialog.reject()

    return when_dialog_opens(handle)
