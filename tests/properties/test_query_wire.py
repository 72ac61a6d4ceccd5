"""Any valid filter state reaches the server as exactly the filters the user set.

Filter state -> resolved query -> the URL the client sends -> the pairs
Starlette hands the demo server -> ``parse_params`` as the server calls it
-> the same query; and a sample of those URLs answers 200 on the real server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, tzinfo
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from starlette.datastructures import QueryParams

from cdrdesk.api.client import CdrClient
from cdrdesk.api.query import CdrQuery, parse_params
from cdrdesk.api.timeranges import FilterState
from cdrdesk.demo.runner import DemoServerThread
from tests.presets.strategies import times, zones
from tests.properties.strategies import strict_filter_states

BASE_URL = "https://cdr.example.test"


@pytest.fixture(scope="module")
def client() -> Iterator[CdrClient]:
    """One client for every example: building its TLS context each time is slow."""
    made = CdrClient(BASE_URL, "t")
    yield made
    asyncio.run(made.aclose())


def as_the_server_reads_it(url: str) -> CdrQuery:
    raw_query = urlsplit(url).query
    parsed = parse_params(QueryParams(raw_query).multi_items(), strict_enums=True)
    assert parsed.errors == {}, (url, parsed.errors)
    assert parsed.unknown == (), (url, parsed.unknown)
    return parsed.query


@settings(max_examples=300, deadline=None)
@given(state=strict_filter_states, now=times, zone=zones)
def test_any_filter_state_arrives_unchanged(
    state: FilterState, now: datetime, zone: tzinfo, client: CdrClient
) -> None:
    query = state.resolve(now, zone)
    assert query.validate().errors == {}
    url = client.page_url(query, limit=100, offset=0)
    assert url.startswith(f"{BASE_URL}/api/v4/reporting/cdrs?")
    assert as_the_server_reads_it(url) == query


@settings(max_examples=25, deadline=None)
@given(state=strict_filter_states, now=times, zone=zones)
def test_the_demo_server_accepts_every_valid_filter_state(
    state: FilterState, now: datetime, zone: tzinfo, demo_server: DemoServerThread
) -> None:
    query = state.resolve(now, zone)

    async def fetch() -> int | None:
        async with CdrClient(demo_server.url, demo_server.token) as client:
            return await client.count(query)

    total = asyncio.run(fetch())  # a 422 would raise InvalidFilters
    assert total is not None
    assert total >= 0
