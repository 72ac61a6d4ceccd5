"""Latency of 1000-record pages from the demo server under typical filters.

Spawns ``cdrdesk demo-server`` in its own process (as the GUI does), then
times full requests (headers and body read) from this process. The server
answers every filter set's first request after counting it, so the first
request per filter set is timed apart from the steady state.

    python bench/demo_latency.py [--records 200000] [--requests 60]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx

from cdrdesk.demo.runner import spawn_demo_server

API_PATH = "/api/v4/reporting/cdrs"


def typical_filters() -> dict[str, list[tuple[str, str]]]:
    week_ago = (datetime.now(UTC) - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "type=call": [("type", "call")],
        "disposition=answered": [("disposition", "answered")],
        "started_at last 7 days": [("started_at[gte]", week_ago)],
        "duration[gte]=60": [("duration[gte]", "60")],
        "queue_id=que_03": [("queue_id", "que_03")],
    }


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(client: httpx.Client, params: list[tuple[str, str]], requests: int) -> dict[str, float]:
    def timed(extra: list[tuple[str, str]]) -> tuple[float, dict[str, object]]:
        started = time.perf_counter()
        response = client.get(API_PATH, params=[*params, ("limit", "1000"), *extra])
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        body: dict[str, object] = response.json()
        return elapsed, body

    first, _ = timed([])
    samples: list[float] = []
    cursor: str | None = None
    for index in range(requests):
        if index % 2 == 0:  # offset pages across the window
            extra = [("offset", str((index // 2 % 10) * 1000))]
        else:  # cursor pages, beyond the window as they go on
            extra = [("cursor", cursor)] if cursor else []
        elapsed, body = timed(extra)
        samples.append(elapsed)
        if index % 2 == 1:
            metadata = body["metadata"]
            assert isinstance(metadata, dict)
            cursor = metadata["next_cursor"]
    return {
        "first": first,
        "p50": statistics.median(samples),
        "p95": percentile(samples, 0.95),
        "max": max(samples),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    started = time.perf_counter()
    server = spawn_demo_server(records=args.records)
    print(f"server ready in {time.perf_counter() - started:.1f} s ({args.records:,} records)")
    worst_p95 = 0.0
    try:
        headers = {"Authorization": f"Bearer {server.token}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            timed = client.get(API_PATH, params={"limit": "0"})
            timed.raise_for_status()
            print(f"{'filter':<26}{'first ms':>10}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
            for label, params in typical_filters().items():
                figures = measure(client, params, args.requests)
                worst_p95 = max(worst_p95, figures["p95"])
                print(
                    f"{label:<26}{figures['first']:>10.1f}{figures['p50']:>10.1f}"
                    f"{figures['p95']:>10.1f}{figures['max']:>10.1f}"
                )
    finally:
        server.stop()
    print(f"worst p95: {worst_p95:.1f} ms (target 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
