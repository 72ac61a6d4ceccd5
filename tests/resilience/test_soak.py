"""Soak: 200 filter changes while "load all" streams pages, against the demo server.

Memory and threads must come back to where they were: a superseded query may
leave nothing behind (no rows, no pending request, no thread).
"""

from __future__ import annotations

import gc
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from cdrdesk.api.query import CdrQuery
from cdrdesk.connections.profiles import Connection, Profile
from cdrdesk.demo.runner import DemoServerThread
from cdrdesk.ui.cdr_model import FIRST_PAGE_SIZE, LOAD_ALL_PAGE_SIZE, CdrTableModel

CHANGES = 200
QUERIES = (CdrQuery({"type": ("call",)}), CdrQuery({"type": ("sms",)}))
WAIT_MS = 30_000


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


def running_qthreads() -> int:
    return sum(1 for thing in gc.get_objects() if isinstance(thing, QThread) and thing.isRunning())


def change_filters(qtbot: QtBot, model: CdrTableModel, query: CdrQuery) -> None:
    """Apply ``query`` and start "load all"; return once its rows stream in."""
    # set_query first adds the rows "load all" had already received for the old query.
    with qtbot.waitSignal(
        model.pageArrived, check_params_cb=lambda _rows: model.query == query, timeout=WAIT_MS
    ):
        model.set_query(query)
    with qtbot.waitSignal(
        model.loadAllProgress,
        check_params_cb=lambda loaded, _total: loaded >= FIRST_PAGE_SIZE + LOAD_ALL_PAGE_SIZE,
        timeout=WAIT_MS,
    ):
        model.load_all()
    wanted = query.get("type")
    assert all(model.record(row)["type"] in wanted for row in range(model.rowCount()))


@pytest.mark.slow
def test_two_hundred_filter_changes_while_pages_stream(
    qtbot: QtBot, demo_server: DemoServerThread
) -> None:
    threads_before = threading.active_count()
    model = CdrTableModel()
    try:
        soak(qtbot, model, demo_server)
    finally:
        model.shutdown()
    assert running_qthreads() == 0
    qtbot.waitUntil(lambda: threading.active_count() == threads_before, timeout=2_000)


def soak(qtbot: QtBot, model: CdrTableModel, demo_server: DemoServerThread) -> None:
    model.set_connection(Connection(Profile("Soak", demo_server.url), demo_server.token))
    started = time.monotonic()
    change_filters(qtbot, model, QUERIES[0])
    gc.collect()
    rss_first = rss_kib()
    threads_first = threading.active_count()
    qthreads_first = running_qthreads()

    for change in range(1, CHANGES):
        change_filters(qtbot, model, QUERIES[change % 2])
        assert model.generation == change + 1

    model.cancel_load_all()
    qtbot.waitUntil(lambda: model.loader.in_flight() == 0, timeout=WAIT_MS)
    gc.collect()
    rss_last = rss_kib()
    threads_last = threading.active_count()
    qthreads_last = running_qthreads()
    elapsed = time.monotonic() - started
    print(
        f"soak: {CHANGES} changes in {elapsed:.1f} s; RSS {rss_first:,} KiB after the first "
        f"query, {rss_last:,} KiB at the end ({(rss_last / rss_first - 1) * 100:+.1f}%); "
        f"threads {threads_first} after the first query, {threads_last} at the end; "
        f"running QThreads {qthreads_first} and {qthreads_last}"
    )
    assert rss_last <= rss_first * 1.10
    assert threads_last == threads_first
    assert qthreads_last == qthreads_first == 1  # the one page loader thread, reused
