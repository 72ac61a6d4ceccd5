"""Fixtures of the demo server's black-box tests: a client and the full listing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cdrdesk.demo.runner import DemoServerThread

API_PATH = "/api/v4/reporting/cdrs"
Params = list[tuple[str, str]]


class Api:
    """Calls the list endpoint of one server as its documented client would."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def get(self, params: Params | None = None, **headers: str) -> httpx.Response:
        return self.client.get(API_PATH, params=params or [], headers=headers)

    def ok(self, params: Params | None = None) -> dict[str, Any]:
        response = self.get(params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def list_all(self, params: Params | None = None, page_size: int = 1000) -> list[dict[str, Any]]:
        """Every matching record, following next_cursor from the first page to the last."""
        records: list[dict[str, Any]] = []
        base = list(params or [])
        body = self.ok([*base, ("limit", str(page_size))])
        while True:
            records.extend(body["items"])
            cursor = body["metadata"]["next_cursor"]
            if cursor is None:
                return records
            body = self.ok([*base, ("limit", str(page_size)), ("cursor", cursor)])


@pytest.fixture(scope="session")
def api(demo_server: DemoServerThread) -> Iterator[Api]:
    headers = {"Authorization": f"Bearer {demo_server.token}"}
    with httpx.Client(base_url=demo_server.url, headers=headers, timeout=30) as client:
        yield Api(client)


@pytest.fixture(scope="session")
def everything(api: Api) -> list[dict[str, Any]]:
    """The whole data set, listed once without filters."""
    return api.list_all()
