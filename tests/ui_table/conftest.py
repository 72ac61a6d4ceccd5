"""Fixtures of the table tests: connections to the demo server and to a hostile one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pytestqt.qtbot import QtBot

from cdrdesk.connections.profiles import Connection, Profile
from cdrdesk.demo.runner import DemoServerThread
from cdrdesk.ui.cdr_model import CdrTableModel
from cdrdesk.ui.loader import PageLoader
from tests import hostile_server as hs

API_PATH = "/api/v4/reporting/cdrs"


def connection_to(url: str, token: str) -> Connection:
    return Connection(Profile("test", url), token)


def list_ids(
    url: str, token: str, count: int, params: list[tuple[str, str]] | None = None
) -> list[str]:
    """The first ``count`` ids straight from the API, following cursors."""
    ids: list[str] = []
    cursor: str | None = None
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        while len(ids) < count:
            query: list[tuple[str, str]] = [*(params or []), ("limit", "1000")]
            if cursor is not None:
                query.append(("cursor", cursor))
            body: dict[str, Any] = client.get(API_PATH, params=query).raise_for_status().json()
            ids.extend(item["id"] for item in body["items"])
            cursor = body["metadata"]["next_cursor"]
            if cursor is None:
                break
    return ids[:count]


@pytest.fixture
def demo_connection(demo_server: DemoServerThread) -> Connection:
    return connection_to(demo_server.url, demo_server.token)


@pytest.fixture
def hostile() -> Iterator[hs.HostileServer]:
    with hs.HostileServer(hs.make_records(2500)) as server:
        yield server


@pytest.fixture
def hostile_connection(hostile: hs.HostileServer) -> Connection:
    return connection_to(hostile.url, hostile.token)


@pytest.fixture
def loader(qtbot: QtBot) -> Iterator[PageLoader]:
    page_loader = PageLoader()
    yield page_loader
    page_loader.shutdown()


@pytest.fixture
def model(qtbot: QtBot) -> Iterator[CdrTableModel]:
    table_model = CdrTableModel()
    yield table_model
    table_model.shutdown()
