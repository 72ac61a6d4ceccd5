"""The page loader against real servers over loopback: answers, failures, cancel, shutdown."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from cdrdesk.api.client import Page
from cdrdesk.api.errors import ServerError, Unauthorized
from cdrdesk.api.query import CdrQuery
from cdrdesk.connections.profiles import Connection
from cdrdesk.demo.runner import DemoServerThread
from cdrdesk.ui.loader import NotConnected, PageLoader
from tests import hostile_server as hs
from tests.ui_table.conftest import connection_to, list_ids


def is_generation(generation: int) -> Any:
    return lambda got, _payload: got == generation


def test_page_comes_back_tagged_with_its_generation(
    qtbot: QtBot, loader: PageLoader, demo_connection: Connection, demo_server: DemoServerThread
) -> None:
    loader.set_connection(demo_connection)
    with qtbot.waitSignal(loader.pageReady, check_params_cb=is_generation(7)) as first:
        loader.request_page(7, CdrQuery(), limit=50, offset=0)
    page: Page = first.args[1]
    assert len(page.items) == 50
    assert page.total == 30_000
    assert page.next_cursor is not None
    with qtbot.waitSignal(loader.pageReady, check_params_cb=is_generation(8)) as second:
        loader.request_page(8, CdrQuery(), limit=50, cursor=page.next_cursor)
    ids = [item["id"] for item in page.items + second.args[1].items]
    assert ids == list_ids(demo_server.url, demo_server.token, 100)


def test_failures_come_back_as_api_errors_without_the_token(
    qtbot: QtBot, loader: PageLoader, demo_server: DemoServerThread
) -> None:
    secret = "not-the-demo-token-4f9a"
    loader.set_connection(connection_to(demo_server.url, secret))
    with qtbot.waitSignal(loader.pageFailed, check_params_cb=is_generation(3)) as failed:
        loader.request_page(3, CdrQuery(), limit=10, offset=0)
    error = failed.args[1]
    assert isinstance(error, Unauthorized)
    assert secret not in str(error)
    assert secret not in repr(error)


def test_a_request_without_connection_fails_clearly(qtbot: QtBot, loader: PageLoader) -> None:
    with qtbot.waitSignal(loader.pageFailed) as failed:
        loader.request_page(1, CdrQuery(), limit=10, offset=0)
    assert isinstance(failed.args[1], NotConnected)
    assert "connection" in str(failed.args[1])


def test_cancel_stops_a_slow_request_and_it_emits_nothing(
    qtbot: QtBot, loader: PageLoader, hostile: hs.HostileServer, hostile_connection: Connection
) -> None:
    hostile.script(hs.slow(30))
    answered: list[int] = []
    loader.pageReady.connect(lambda generation, _page: answered.append(generation))
    loader.pageFailed.connect(lambda generation, _error: answered.append(generation))
    loader.set_connection(hostile_connection)
    loader.request_page(1, CdrQuery(), limit=10, offset=0)
    qtbot.waitUntil(lambda: len(hostile.requests) == 1)
    assert loader.in_flight(1) == 1
    loader.cancel(1)
    qtbot.waitUntil(lambda: loader.in_flight() == 0, timeout=1000)
    with qtbot.waitSignal(loader.pageReady, check_params_cb=is_generation(2)):
        loader.request_page(2, CdrQuery(), limit=10, offset=0)
    assert answered == [2]


def test_shutdown_during_a_30_second_request_returns_at_once(
    qtbot: QtBot, hostile: hs.HostileServer, hostile_connection: Connection
) -> None:
    hostile.script(hs.slow(30))
    loader = PageLoader()
    loader.set_connection(hostile_connection)
    loader.request_page(1, CdrQuery(), limit=10, offset=0)
    qtbot.waitUntil(lambda: len(hostile.requests) == 1)
    thread = loader.worker_thread
    assert thread is not None
    assert thread.isRunning()
    started = time.monotonic()
    loader.shutdown()
    elapsed = time.monotonic() - started
    assert elapsed < 0.5, f"shutdown took {elapsed:.2f} s"
    assert thread.isFinished()
    assert loader.in_flight() == 0
    loader.shutdown()  # a second call is harmless
    with pytest.raises(RuntimeError, match="shut down"):
        loader.request_page(2, CdrQuery(), limit=10, offset=0)


def test_a_new_connection_gets_a_new_client(
    qtbot: QtBot,
    loader: PageLoader,
    hostile: hs.HostileServer,
    hostile_connection: Connection,
    demo_connection: Connection,
) -> None:
    loader.set_connection(hostile_connection)
    with qtbot.waitSignal(loader.pageReady) as first:
        loader.request_page(1, CdrQuery(), limit=10, offset=0)
    assert first.args[1].total == 2500
    loader.set_connection(demo_connection)
    with qtbot.waitSignal(loader.pageReady) as second:
        loader.request_page(2, CdrQuery(), limit=10, offset=0)
    assert second.args[1].total == 30_000
    assert len(hostile.requests) == 1


def test_server_errors_are_reported_per_request(
    qtbot: QtBot, loader: PageLoader, hostile: hs.HostileServer, hostile_connection: Connection
) -> None:
    hostile.script(hs.status(501, {"error": "boom"}))
    loader.set_connection(hostile_connection)
    with qtbot.waitSignal(loader.pageFailed, check_params_cb=is_generation(1)) as failed:
        loader.request_page(1, CdrQuery(), limit=10, offset=0)
    assert isinstance(failed.args[1], ServerError)
    assert "boom" in str(failed.args[1])
    with qtbot.waitSignal(loader.pageReady, check_params_cb=is_generation(2)):
        loader.request_page(2, CdrQuery(), limit=10, offset=0)
