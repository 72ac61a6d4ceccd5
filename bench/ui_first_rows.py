"""Time from a new query to its first rows painted in the table, against one raw request.

Spawns ``cdrdesk demo-server`` in its own process, shows a ``CdrTableView``
(offscreen unless a display is asked for) and times, several times over,
``set_query`` until the first page's rows are painted; in between, the same
kind of page (``limit`` of the table's first page, ``offset=0``) is fetched
with a bare ``httpx`` client. Every measured request uses a filter set the
server has not seen yet, as after a user's Apply (the server counts each new
filter set once and caches it); the two sides alternate (each going first
every other run) and use neighbouring values of the same filter, so they
cost the server the same. The connection is opened before timing, and
every measurement starts after the same pause (events processed
meanwhile), so neither side starts while the server or the window is
still busy with the one before. The server's own time varies by tens of
milliseconds from request to request on a shared machine, so the medians
are of 25 runs by default. Target: ratio of medians <= 1.3.

    python bench/ui_first_rows.py [--records 200000] [--runs 25] [--latency-ms 0]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

import httpx

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from cdrdesk.api.query import CdrQuery, RangeValue
from cdrdesk.connections.profiles import Connection, Profile
from cdrdesk.demo.runner import spawn_demo_server
from cdrdesk.ui.cdr_model import FIRST_PAGE_SIZE, CdrTableModel
from cdrdesk.ui.table_view import CdrTableView

API_PATH = "/api/v4/reporting/cdrs"
FAMILIES: dict[str, Callable[[int], CdrQuery]] = {
    "duration >= N": lambda n: CdrQuery({"duration": RangeValue(gte=n)}),
    "call, talk >= N": lambda n: CdrQuery({"type": ("call",), "talk_duration": RangeValue(gte=n)}),
}


SETTLE_MS = 100


def settle() -> None:
    """Let both processes finish what the last measurement left them to do."""
    loop = QEventLoop()
    QTimer.singleShot(SETTLE_MS, loop.quit)
    loop.exec()


def first_rows_painted(view: CdrTableView, model: CdrTableModel, query: CdrQuery) -> float:
    """Seconds from ``set_query`` to the first page painted (a synchronous repaint)."""
    loop = QEventLoop()
    painted: list[float] = []

    def on_page(count: int) -> None:
        if count and not painted:
            view.viewport().repaint()
            painted.append(time.perf_counter())
            loop.quit()

    model.pageArrived.connect(on_page)
    QTimer.singleShot(30_000, loop.quit)
    started = time.perf_counter()
    model.set_query(query)
    loop.exec()
    model.pageArrived.disconnect(on_page)
    if not painted:
        raise RuntimeError(f"no rows within 30 s (last error: {model.last_error})")
    return painted[0] - started


def raw_request(client: httpx.Client, query: CdrQuery) -> float:
    params = [*query.to_params(), ("limit", str(FIRST_PAGE_SIZE)), ("offset", "0")]
    started = time.perf_counter()
    response = client.get(API_PATH, params=params)
    response.read()
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument(
        "--latency-ms", type=int, default=0, help="server-side delay per request (a remote API)"
    )
    args = parser.parse_args()
    application = QApplication(sys.argv[:1])
    server = spawn_demo_server(
        records=args.records, extra_args=["--latency-ms", str(args.latency_ms)]
    )
    model = CdrTableModel()
    try:
        view = CdrTableView()
        view.setModel(model)
        view.resize(1400, 900)
        view.show()
        model.set_connection(Connection(Profile("bench", server.url), server.token))
        headers = {"Authorization": f"Bearer {server.token}"}
        print(
            f"demo server: {args.records} records, {args.latency_ms} ms latency, "
            f"first page of {FIRST_PAGE_SIZE} rows"
        )
        failures = 0
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            for name, family in FAMILIES.items():
                first_rows_painted(view, model, family(1))  # warm-up: connection, first paint
                raw_request(client, family(2))
                table_times: list[float] = []
                raw_times: list[float] = []
                for run in range(args.runs):
                    # Either side goes first every other run, so that neither always
                    # follows the other (a server still busy would slow one side only).
                    for side in ("raw", "table") if run % 2 == 0 else ("table", "raw"):
                        settle()
                        if side == "raw":
                            raw_times.append(raw_request(client, family(10 + 2 * run)))
                        else:
                            query = family(11 + 2 * run)
                            table_times.append(first_rows_painted(view, model, query))
                table = statistics.median(table_times)
                raw = statistics.median(raw_times)
                ratio = table / raw
                verdict = "ok" if ratio <= 1.3 else "ABOVE TARGET"
                failures += ratio > 1.3
                print(
                    f"{name:>16}: table {table * 1000:7.1f} ms, raw request {raw * 1000:7.1f} ms "
                    f"(medians of {args.runs}), ratio {ratio:.2f} (target <= 1.3: {verdict})"
                )
        return 1 if failures else 0
    finally:
        model.shutdown()
        server.stop()
        del application


if __name__ == "__main__":
    sys.exit(main())
