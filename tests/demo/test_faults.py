"""Fault injection: rate limits, server errors and latency, as a client must survive them."""

from __future__ import annotations

import time

import httpx

from cdrdesk.demo.runner import DemoServerThread
from tests.demo.conftest import API_PATH


def auth(server: DemoServerThread) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token}"}


def test_rate_limit_answers_429_with_retry_after() -> None:
    with (
        DemoServerThread(records=2_000, rate_limit=3) as server,
        httpx.Client(base_url=server.url, headers=auth(server)) as client,
    ):
        statuses = [client.get(API_PATH, params={"limit": "1"}) for _ in range(8)]
        limited = [response for response in statuses if response.status_code == 429]
        assert 1 <= len(limited) <= 5
        assert sum(r.status_code == 200 for r in statuses) >= 3
        for response in limited:
            assert response.json() == {"error": "Too Many Requests"}
            assert int(response.headers["Retry-After"]) >= 1
        wait = int(limited[-1].headers["Retry-After"])
        time.sleep(wait)  # the header is the signal: waiting that long must be enough
        assert client.get(API_PATH, params={"limit": "1"}).status_code == 200


def test_error_rate_gives_json_500_and_503() -> None:
    with (
        DemoServerThread(records=2_000, error_rate=0.5) as server,
        httpx.Client(base_url=server.url, headers=auth(server)) as client,
    ):
        responses = [client.get(API_PATH, params={"limit": "1"}) for _ in range(120)]
    statuses = [response.status_code for response in responses]
    failures = [response for response in responses if response.status_code >= 500]
    assert 30 <= len(failures) <= 90
    assert {500, 503} <= set(statuses)
    assert set(statuses) <= {200, 500, 503}
    for response in failures:
        assert response.json()["error"] in ("Internal Server Error", "Service Unavailable")


def test_latency_is_added_to_every_answer() -> None:
    with DemoServerThread(records=2_000, latency_ms=150) as server:
        started = time.perf_counter()
        response = httpx.get(f"{server.url}{API_PATH}?limit=1", headers=auth(server))
        assert response.status_code == 200
        assert time.perf_counter() - started >= 0.15
