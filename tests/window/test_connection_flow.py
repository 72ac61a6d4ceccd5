"""The connection dialog as the window uses it: first start, and a token the server refuses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from cdrdesk.connections.profiles import Connection, Profile
from cdrdesk.demo.runner import DemoServerThread
from tests.window.conftest import WAIT_MS, WindowFactory, make_stores

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


DialogAnswerer = Callable[[Callable[[QDialog], None]], list[QDialog]]


@pytest.fixture
def when_dialog_opens() -> Iterator[DialogAnswerer]:
    """Answer the connection dialog once it is up (it runs its own modal event loop)."""
    timers: list[QTimer] = []

    def install(answer: Callable[[QDialog], None]) -> list[QDialog]:
        seen: list[QDialog] = []
        timer = QTimer()
        timer.setInterval(20)

        def poll() -> None:
            dialog = QApplication.activeModalWidget()
            if isinstance(dialog, QDialog) and dialog.objectName() == "connection_dialog":
                timer.stop()
                seen.append(dialog)
                answer(dialog)

        timer.timeout.connect(poll)
        timer.start()
        timers.append(timer)
        return seen

    yield install
    for timer in timers:
        timer.stop()


def click(dialog: QDialog, name: str) -> None:
    button = dialog.findChild(QPushButton, name)
    assert button is not None, name
    button.click()


def test_first_start_offers_the_demo(
    open_window: WindowFactory, when_dialog_opens: DialogAnswerer, tmp_path: Path, qtbot: QtBot
) -> None:
    seen = when_dialog_opens(lambda dialog: click(dialog, "try_demo"))
    window = open_window(["--records", "30000"], make_stores(tmp_path))

    with qtbot.waitSignal(window.connectionChanged, timeout=120_000) as connected:
        pass
    assert seen
    assert connected.args[0].profile.demo
    qtbot.waitUntil(lambda: window.model.loaded_count > 0, timeout=WAIT_MS)
    assert window.windowTitle() == "cdrdesk — Demo data"


def test_a_refused_token_asks_for_a_new_one_and_loads(
    open_window: WindowFactory,
    when_dialog_opens: DialogAnswerer,
    demo_server: DemoServerThread,
    tmp_path: Path,
    qtbot: QtBot,
) -> None:
    stores = make_stores(tmp_path)
    profile = Profile("Loopback", demo_server.url)
    stores.profiles.save(profile)
    stores.tokens.set(profile.name, "an-outdated-token")
    stores.profiles.last_profile = profile.name

    def enter_token(dialog: QDialog) -> None:
        message = dialog.findChild(QLabel, "connection_message")
        assert message is not None
        assert "refused the token" in message.text()
        token = dialog.findChild(QLineEdit, "profile_token")
        assert token is not None
        token.setText(demo_server.token)
        click(dialog, "connect")

    seen = when_dialog_opens(enter_token)
    window = open_window([], stores)
    with qtbot.waitSignal(
        window.connectionChanged,
        check_params_cb=lambda connection: (
            isinstance(connection, Connection) and connection.token == demo_server.token
        ),
        timeout=WAIT_MS,
    ):
        pass
    assert seen
    qtbot.waitUntil(lambda: window.model.loaded_count > 0, timeout=WAIT_MS)
    assert stores.tokens.get(profile.name) == demo_server.token
    assert "an-outdated-token" not in window.windowTitle()
    status_error = window.statusBar().findChild(QLabel, "status_error")
    assert status_error is not None
    assert not status_error.isVisible()
