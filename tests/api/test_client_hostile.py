"""The client against a real, misbehaving HTTP server on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest

from cdrdesk.api.client import CdrClient, Page, peek_next_cursor
from cdrdesk.api.errors import (
    ApiError,
    BadRequest,
    BadResponse,
    Forbidden,
    InvalidFilters,
    NetworkError,
    NotFound,
    RateLimited,
    ServerError,
    Unauthorized,
)
from cdrdesk.api.query import CdrQuery, RangeValue
from cdrdesk.api.retry import RetryPolicy
from tests import hostile_server as hs

FAST = RetryPolicy(
    attempts=4, total_timeout=5.0, wait_initial=0.01, wait_max=0.05, wait_jitter=0.0,
    retry_after_max=0.2,
)  # fmt: skip
RECORDS = hs.make_records(950)


@pytest.fixture
def server() -> Iterator[hs.HostileServer]:
    with hs.HostileServer(RECORDS) as running:
        yield running


def client_for(server: hs.HostileServer, **kwargs: Any) -> CdrClient:
    kwargs.setdefault("retry", FAST)
    return CdrClient(server.url, server.token, **kwargs)


async def collect(client: CdrClient, query: CdrQuery | None = None, **kwargs: Any) -> list[Page]:
    pages = []
    async with contextlib.aclosing(client.iter_pages(query or CdrQuery(), **kwargs)) as stream:
        async for page in stream:
            pages.append(page)
    return pages


async def collect_ids(server: hs.HostileServer, **kwargs: Any) -> list[str]:
    async with client_for(server) as client:
        pages = await collect(client, **kwargs)
    return [item["id"] for page in pages for item in page.items]


def test_every_record_once_and_in_order_through_transient_failures(
    server: hs.HostileServer,
) -> None:
    server.script(
        hs.OK,
        hs.rate_limited("0"),
        hs.OK,
        hs.status(503),
        hs.status(502),
        hs.OK,
        hs.status(500, {"error": "Internal Server Error"}),
        hs.DROP,
        hs.OK,
        hs.DROP_MID_BODY,
        hs.status(504),
        hs.OK,
        hs.rate_limited(None),
    )
    ids = asyncio.run(collect_ids(server, page_size=100))
    assert ids == [record["id"] for record in RECORDS]
    assert server.script_left() == 0


def test_first_page_by_offset_then_cursors_with_headers(server: hs.HostileServer) -> None:
    query = CdrQuery({"type": ("call", "sms")})
    asyncio.run(collect_ids(server, query=query, page_size=400))
    first, second, third = server.requests
    assert first.query == "type=call&type=sms&limit=400&offset=0"
    assert second.param("cursor") == "k400"
    assert second.param("offset") is None
    assert third.param("cursor") == "k800"
    assert first.headers["authorization"] == f"Bearer {server.token}"
    assert first.headers["accept"] == "application/json"


def test_metadata_before_items_still_pages_correctly(server: hs.HostileServer) -> None:
    server.script(hs.METADATA_FIRST, hs.OK, hs.METADATA_FIRST, hs.METADATA_FIRST)
    ids = asyncio.run(collect_ids(server, page_size=100))
    assert ids == [record["id"] for record in RECORDS]


def test_short_pages_with_max_records() -> None:
    """A server that sends fewer records than asked makes the guessed next request wrong."""
    with hs.HostileServer(RECORDS, page_cap=80) as short:
        ids = asyncio.run(collect_ids(short, page_size=100, max_records=250))
    assert ids == [record["id"] for record in RECORDS[:250]]


def test_next_page_is_requested_before_the_current_one_is_handled(
    server: hs.HostileServer,
) -> None:
    async def run() -> bool:
        async with client_for(server) as client:
            pages = client.iter_pages(CdrQuery(), page_size=100)
            async with contextlib.aclosing(pages):
                await anext(pages)
                return await asyncio.to_thread(server.wait_for_requests, 2)

    assert asyncio.run(run())
    assert server.requests[1].param("cursor") == "k100"


def test_max_records_asks_for_no_more_than_needed(server: hs.HostileServer) -> None:
    ids = asyncio.run(collect_ids(server, page_size=100, max_records=250))
    assert ids == [record["id"] for record in RECORDS[:250]]
    assert [request.param("limit") for request in server.requests] == ["100", "100", "50"]


@pytest.mark.parametrize(
    ("code", "body", "expected"),
    [
        (400, {"error": "Bad Request", "message": "limit must be 0..1000"}, BadRequest),
        (401, {"error": "Unauthorized"}, Unauthorized),
        (403, {"error": "Forbidden"}, Forbidden),
        (404, {"error": "Not Found"}, NotFound),
        (422, {"errors": {"duration": ["lower bound 60 is above upper bound 10"]}}, InvalidFilters),
        (501, {"error": "Not Implemented"}, ServerError),
    ],
)
def test_client_errors_are_not_retried(
    server: hs.HostileServer, code: int, body: dict[str, Any], expected: type[ApiError]
) -> None:
    server.script(hs.status(code, body))

    async def fetch() -> None:
        async with client_for(server) as client:
            await client.get_page(CdrQuery())

    with pytest.raises(expected) as caught:
        asyncio.run(fetch())
    assert len(server.requests) == 1
    assert caught.value.status == code
    assert "\n" not in str(caught.value)
    if code == 422:
        assert isinstance(caught.value, InvalidFilters)
        assert caught.value.errors == {"duration": ["lower bound 60 is above upper bound 10"]}
        assert "duration" in str(caught.value)
    if code == 400:
        assert "limit must be 0..1000" in str(caught.value)


@pytest.mark.parametrize(
    ("action", "expected", "status"),
    [
        (hs.status(503), ServerError, 503),
        (hs.status(500), ServerError, 500),
        (hs.DROP, NetworkError, None),
    ],
)
def test_retries_are_bounded_in_count(
    server: hs.HostileServer, action: hs.Action, expected: type[ApiError], status: int | None
) -> None:
    server.script(*[action] * 10)

    async def fetch() -> None:
        async with client_for(server) as client:
            await client.get_page(CdrQuery())

    with pytest.raises(expected) as caught:
        asyncio.run(fetch())
    assert len(server.requests) == FAST.attempts
    assert caught.value.status == status
    assert f"gave up after {FAST.attempts} attempts" in str(caught.value)


def test_retries_are_bounded_in_time(server: hs.HostileServer) -> None:
    server.script(*[hs.status(502)] * 1000)
    policy = RetryPolicy(attempts=1000, total_timeout=0.5, wait_initial=0.05, wait_max=0.1)

    async def fetch() -> None:
        async with client_for(server, retry=policy) as client:
            await client.get_page(CdrQuery())

    started = time.monotonic()
    with pytest.raises(ServerError):
        asyncio.run(fetch())
    assert time.monotonic() - started < 0.5 + 0.1 + 0.6 + 1.0
    assert 2 < len(server.requests) < 1000


def test_retry_after_is_honoured_and_capped(server: hs.HostileServer) -> None:
    server.script(hs.rate_limited("0.3"), hs.rate_limited("3600"))

    async def fetch() -> Page:
        async with client_for(server) as client:
            return await client.get_page(CdrQuery())

    started = time.monotonic()
    page = asyncio.run(fetch())
    elapsed = time.monotonic() - started
    assert len(page.items) == 100
    assert 0.3 <= elapsed < 0.3 + FAST.retry_after_max + 1.0


def test_rate_limit_that_outlasts_retries(server: hs.HostileServer) -> None:
    server.script(*[hs.rate_limited("0")] * 10)

    async def fetch() -> None:
        async with client_for(server) as client:
            await client.get_page(CdrQuery())

    with pytest.raises(RateLimited) as caught:
        asyncio.run(fetch())
    assert caught.value.retry_after == 0.0
    assert len(server.requests) == FAST.attempts


def test_retries_are_logged_at_info_without_the_token(
    server: hs.HostileServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.script(hs.status(503))
    caplog.set_level(logging.DEBUG)
    asyncio.run(collect_ids(server, max_records=10))
    retries = [r for r in caplog.records if r.name == "cdrdesk.api.retry"]
    assert len(retries) == 1
    assert retries[0].levelno == logging.INFO
    assert "503" in retries[0].getMessage()
    assert all(server.token not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("action", "words"),
    [
        (hs.TRUNCATED, "not valid JSON"),
        (hs.NOT_JSON, "not valid JSON"),
        (hs.HTML, "HTML page"),
        (hs.BAD_UTF8, "not valid UTF-8"),
        (hs.BAD_GZIP, "could not be decoded"),
    ],
)
def test_broken_answers_are_bad_responses(
    server: hs.HostileServer, action: hs.Action, words: str
) -> None:
    server.script(action)

    async def fetch() -> None:
        async with client_for(server) as client:
            await client.get_page(CdrQuery())

    with pytest.raises(BadResponse, match=words):
        asyncio.run(fetch())
    assert len(server.requests) == 1


def test_missing_total_and_unknown_fields_are_tolerated(server: hs.HostileServer) -> None:
    server.script(hs.NO_TOTAL, hs.UNKNOWN_FIELDS)

    async def fetch() -> list[Page]:
        async with client_for(server) as client:
            return [await client.get_page(CdrQuery(), limit=5) for _ in range(2)]

    first, second = asyncio.run(fetch())
    assert first.total is None
    assert first.items == RECORDS[:5]
    assert second.total == len(RECORDS)
    assert second.items[0]["surprise"] == [1, 2, 3]
    assert {item["subtype"] for item in RECORDS[:5]} == {"inbound", "brand_new_subtype"}


@pytest.mark.parametrize("action", [hs.REPEAT_CURSOR, hs.EMPTY_WITH_CURSOR])
def test_a_looping_server_is_stopped(server: hs.HostileServer, action: hs.Action) -> None:
    server.script(hs.OK, action, *[action] * 5)
    pages: list[Page] = []

    async def run() -> None:
        async with client_for(server) as client:
            async for page in client.iter_pages(CdrQuery(), page_size=100):
                pages.append(page)

    with pytest.raises(BadResponse, match="endless loop"):
        asyncio.run(run())
    assert len(pages) == 2
    assert len(server.requests) <= 3


def test_a_slow_server_times_out_into_network_error(server: hs.HostileServer) -> None:
    server.script(hs.slow(3), hs.slow(3))
    policy = RetryPolicy(attempts=2, wait_initial=0.01, wait_max=0.01, wait_jitter=0)

    async def fetch() -> None:
        async with client_for(server, timeout=0.2, retry=policy) as client:
            await client.get_page(CdrQuery())

    started = time.monotonic()
    with pytest.raises(NetworkError, match="in time"):
        asyncio.run(fetch())
    assert time.monotonic() - started < 2.5


def test_cancelling_the_task_stops_an_in_flight_request(server: hs.HostileServer) -> None:
    server.script(hs.OK, hs.slow(10))

    async def run() -> float:
        async with client_for(server) as client:
            first_page = asyncio.Event()

            async def consume() -> None:
                async for _page in client.iter_pages(CdrQuery(), page_size=100):
                    first_page.set()

            task = asyncio.create_task(consume())
            await first_page.wait()
            started = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return time.monotonic() - started

    assert asyncio.run(run()) < 1.0


def test_leaving_early_cancels_the_request_in_flight(server: hs.HostileServer) -> None:
    server.script(hs.OK, hs.slow(10))

    async def run() -> list[Page]:
        async with client_for(server) as client:
            pages = await collect_first(client)
            return pages

    async def collect_first(client: CdrClient) -> list[Page]:
        """Leave once the next page's request has reached the (stalling) server."""
        taken = []
        async with contextlib.aclosing(client.iter_pages(CdrQuery(), page_size=100)) as stream:
            async for page in stream:
                taken.append(page)
                assert await asyncio.to_thread(server.wait_for_requests, 2)
                break
        return taken

    started = time.monotonic()
    assert len(asyncio.run(run())) == 1
    assert time.monotonic() - started < 2.0
    assert len(server.requests) == 2  # the second was already on its way


def test_invalid_query_is_refused_before_sending(server: hs.HostileServer) -> None:
    query = CdrQuery({"duration": RangeValue(gte=60, lt=10)})

    async def fetch() -> None:
        async with client_for(server) as client:
            await client.get_page(query)

    with pytest.raises(InvalidFilters) as caught:
        asyncio.run(fetch())
    assert "duration" in caught.value.errors
    assert server.requests == []


def test_count_asks_for_no_records(server: hs.HostileServer) -> None:
    async def count() -> int | None:
        async with client_for(server) as client:
            return await client.count(CdrQuery())

    assert asyncio.run(count()) == len(RECORDS)
    assert server.requests[0].param("limit") == "0"


@pytest.mark.parametrize(
    ("body", "cursor"),
    [
        (b'{"items":[{"a":1}],"metadata":{"total":5,"next_cursor":"abc"}}', "abc"),
        (b'{"items":[],"metadata":{"next_cursor":null}}', None),
        (b'{"metadata":{"next_cursor":"abc"},"items":[{"x":"metadata"}]}', None),
        (b'{"items":[{"wrap":"metadata"}]}', None),
        (b"<html>metadata</html>", None),
        (b'{"items":[],"metadata":{"next_cursor":"' + b"x" * 5000 + b'"}}', None),
    ],
)
def test_peek_next_cursor(body: bytes, cursor: str | None) -> None:
    assert peek_next_cursor(body) == cursor


def test_token_never_leaks(server: hs.HostileServer) -> None:
    server.script(hs.status(400, {"message": f"bad header Bearer {server.token}"}))
    client = client_for(server)
    assert server.token not in repr(client)
    assert server.url in repr(client)

    async def fetch() -> None:
        async with client:
            await client.get_page(CdrQuery())

    with pytest.raises(BadRequest) as caught:
        asyncio.run(fetch())
    assert server.token not in str(caught.value)
    assert server.token not in repr(caught.value)
    assert "[token]" in str(caught.value)


def test_wrong_token_is_unauthorized(server: hs.HostileServer) -> None:
    async def fetch() -> None:
        async with CdrClient(server.url, "not-the-token", retry=FAST) as client:
            await client.get_page(CdrQuery())

    with pytest.raises(Unauthorized, match="401"):
        asyncio.run(fetch())


def test_connection_refused_is_network_error() -> None:
    with hs.HostileServer([]) as gone:
        url = gone.url

    async def fetch() -> None:
        async with CdrClient(url, "token", retry=RetryPolicy(attempts=2, wait_initial=0.01)) as c:
            await c.get_page(CdrQuery())

    with pytest.raises(NetworkError, match="cannot reach"):
        asyncio.run(fetch())


def test_page_url_is_the_contract_query_string() -> None:
    client = CdrClient("https://eu1.example.com/", "t0k")
    query = CdrQuery({"type": ("call",), "from_phone_number_like": "+44*"})
    assert client.page_url(query, limit=100, offset=0) == (
        "https://eu1.example.com/api/v4/reporting/cdrs"
        "?type=call&from_phone_number_like=%2B44*&limit=100&offset=0"
    )
    assert client.page_url(CdrQuery(), limit=5, cursor="a/b+c=") == (
        "https://eu1.example.com/api/v4/reporting/cdrs?limit=5&cursor=a%2Fb%2Bc%3D"
    )
    asyncio.run(client.aclose())


@pytest.mark.parametrize("url", ["ftp://example.com", "example.com", "https://", "https://h:99999"])
def test_unusable_base_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="base URL"):
        CdrClient(url, "token")


@pytest.mark.parametrize("token", ["", "  ", "has space", "line\nbreak", "naïve"])
def test_unusable_tokens_are_refused_without_echoing_them(token: str) -> None:
    with pytest.raises(ValueError, match="token") as caught:
        CdrClient("https://example.com", token)
    if token.strip():
        assert token not in str(caught.value)
