"""The real window, built as ``cdrdesk`` builds it, talking to the demo server over loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QPushButton
from pytestqt.qtbot import QtBot

from cdrdesk.connections.profiles import Connection, Profile, ProfileStore
from cdrdesk.connections.tokens import TokenStore
from cdrdesk.demo.runner import DemoServerThread
from cdrdesk.ui.app import Stores, create_app, parse_gui_args
from cdrdesk.ui.main_window import MainWindow
from cdrdesk.ui.settings import WindowSettings
from tests.connections.memory_keyring import MemoryKeyring

CDRS_PATH = "/api/v4/reporting/cdrs"
WAIT_MS = 30_000


def make_stores(folder: Path) -> Stores:
    tokens = TokenStore(backend=MemoryKeyring())
    return Stores(
        WindowSettings(folder / "window.ini"),
        ProfileStore(folder / "profiles.json", tokens=tokens),
        tokens,
    )


@pytest.fixture
def stores(tmp_path: Path) -> Stores:
    return make_stores(tmp_path)


@pytest.fixture
def demo_connection(demo_server: DemoServerThread) -> Connection:
    return Connection(Profile("Loopback demo", demo_server.url), demo_server.token)


WindowFactory = Callable[..., MainWindow]


@pytest.fixture
def open_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    """Builds windows with ``create_app`` and shuts each down after the test."""
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
        window.shutdown()


@pytest.fixture
def window(
    open_window: WindowFactory, stores: Stores, demo_connection: Connection, qtbot: QtBot
) -> MainWindow:
    """A window connected to the demo server, its first page (no filters) loaded."""
    built = open_window([], stores, demo_connection)
    qtbot.waitUntil(
        lambda: built.model.loaded_count > 0 and not built.model.is_loading, timeout=WAIT_MS
    )
    return built


def check_enum_value(window: MainWindow, name: str, value: str, checked: bool = True) -> None:
    """Tick (or untick) a value in the sidebar's list of an enum filter."""
    values = window.sidebar.findChild(QListWidget, f"filter_{name}_list")
    assert values is not None, f"no list for {name}"
    for row in range(values.count()):
        item = values.item(row)
        if item.data(Qt.ItemDataRole.UserRole) == value:
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            return
    raise AssertionError(f"{value!r} is not offered for {name}")


def click_apply(qtbot: QtBot, window: MainWindow) -> None:
    button = window.sidebar.findChild(QPushButton, "apply_filters")
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def api_page(server: DemoServerThread, params: list[tuple[str, str]]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {server.token}"}
    response = httpx.get(f"{server.url}{CDRS_PATH}", params=params, headers=headers)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def api_ids(server: DemoServerThread, params: list[tuple[str, str]], at_least: int) -> list[str]:
    """The ids of a listing, straight from the API, following the cursor."""
    ids: list[str] = []
    cursor: str | None = None
    while len(ids) < at_least:
        page_params = [*params, ("limit", "1000"), *([("cursor", cursor)] if cursor else [])]
        body = api_page(server, page_params)
        ids += [item["id"] for item in body["items"]]
        cursor = body["metadata"]["next_cursor"]
        if cursor is None:
            break
    return ids


def loaded_ids(window: MainWindow) -> list[str]:
    return [str(window.model.record(row)["id"]) for row in range(window.model.loaded_count)]
