"""The client against the demo server: cursors past 10,000 and the contract's answers."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from cdrdesk.api.client import CdrClient
from cdrdesk.api.errors import InvalidFilters, Unauthorized
from cdrdesk.api.query import CdrQuery
from cdrdesk.demo.runner import DemoServerThread


def test_iter_pages_goes_past_10000(demo_server: DemoServerThread) -> None:
    async def collect() -> tuple[list[str], int | None]:
        async with CdrClient(demo_server.url, demo_server.token) as client:
            ids: list[str] = []
            pages = client.iter_pages(CdrQuery(), page_size=1000)
            async with contextlib.aclosing(pages):
                async for page in pages:
                    ids.extend(item["id"] for item in page.items)
            return ids, await client.count(CdrQuery())

    ids, total = asyncio.run(collect())
    assert total == 30_000
    assert len(ids) == 30_000
    assert len(set(ids)) == 30_000


def test_offset_page_and_cursor_page_agree(demo_server: DemoServerThread) -> None:
    async def fetch() -> tuple[list[str], list[str]]:
        async with CdrClient(demo_server.url, demo_server.token) as client:
            first = await client.get_page(CdrQuery(), limit=50, offset=0)
            assert first.next_cursor is not None
            by_cursor = await client.get_page(CdrQuery(), limit=50, cursor=first.next_cursor)
            by_offset = await client.get_page(CdrQuery(), limit=50, offset=50)
            return [r["id"] for r in by_cursor.items], [r["id"] for r in by_offset.items]

    by_cursor, by_offset = asyncio.run(fetch())
    assert by_cursor == by_offset


def test_server_422_names_the_filter(demo_server: DemoServerThread) -> None:
    async def fetch() -> None:
        async with CdrClient(demo_server.url, demo_server.token) as client:
            await client.get_page(CdrQuery({"type": ("fax",)}))

    with pytest.raises(InvalidFilters) as caught:
        asyncio.run(fetch())
    assert "type" in caught.value.errors


def test_unknown_token_is_unauthorized(demo_server: DemoServerThread) -> None:
    async def fetch() -> None:
        async with CdrClient(demo_server.url, "nope") as client:
            await client.get_page(CdrQuery())

    with pytest.raises(Unauthorized):
        asyncio.run(fetch())
