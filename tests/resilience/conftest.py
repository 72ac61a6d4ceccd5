"""Shared parts of the resilience tests: the fault table, servers that misbehave, ids to compare."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from cdrdesk.demo.runner import DemoServerThread
from tests import hostile_server as hs

RECORD_COUNT = 2_500
Transform = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Fault:
    """One row of the fault matrix.

    ``actions`` are what the server does to the third request (and, for
    several actions, the requests after it). ``message`` is None when the
    client must get past the fault by itself (a retry, or a page it can
    take as sent); otherwise the words the user must be told. ``sent`` says
    how the server changed the records of the faulty page when it still
    answered with a page.
    """

    name: str
    actions: tuple[hs.Action, ...]
    message: str | None = None
    sent: Transform | None = None


FAULTS = [
    Fault("500 then 503", (hs.status(500), hs.status(503))),
    Fault("429 with Retry-After", (hs.rate_limited("1"),)),
    Fault("502 HTML page from a proxy", (hs.proxy_error(502),)),
    Fault("dropped before the answer", (hs.DROP, hs.DROP)),
    Fault("dropped mid-body", (hs.DROP_MID_BODY,)),
    Fault("truncated JSON", (hs.TRUNCATED,), "not valid JSON: it breaks off after"),
    Fault("a body that is not JSON", (hs.NOT_JSON,), "not valid JSON (text/plain"),
    Fault("HTML page with status 200", (hs.HTML,), "HTML page instead of JSON"),
    Fault("invalid UTF-8", (hs.BAD_UTF8_IN_RECORD,), "not valid UTF-8"),
    Fault("items lacking fields or of wrong types", (hs.MALFORMED_ITEMS,), sent=hs.malformed),
    Fault("a 1 MB string field", (hs.HUGE_FIELD,), sent=hs.with_huge_field),
]


def fault_params() -> list[Any]:
    return [pytest.param(fault, id=fault.name) for fault in FAULTS]


def page_bounds(server: hs.HostileServer, request: hs.RecordedRequest) -> tuple[int, int]:
    """The slice of ``server.matching(...)`` a recorded request was answered with."""
    cursor = request.param("cursor")
    start = int(cursor[1:]) if cursor else int(request.param("offset") or "0")
    limit = int(request.param("limit") or "100")
    return start, min(start + limit, len(server.matching(request.params)))


def expected_records(server: hs.HostileServer, fault: Fault) -> list[dict[str, Any]]:
    """What a client must end up with: every record once, in order, as the server sent it."""
    records = list(server.records)
    if fault.sent is not None:
        start, end = page_bounds(server, server.requests[2])
        records[start:end] = fault.sent(records[start:end])
    return records


@pytest.fixture
def hostile() -> Iterator[hs.HostileServer]:
    with hs.HostileServer(hs.make_records(RECORD_COUNT)) as server:
        yield server


@pytest.fixture(scope="module")
def faulty_demo() -> Iterator[DemoServerThread]:
    """The session's demo data, behind 10% 500/503 answers and a rate limit of 5 a second."""
    with DemoServerThread(records=30_000, seed=1, error_rate=0.1, rate_limit=5) as server:
        yield server
