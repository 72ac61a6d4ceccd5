"""The window's "Export all matching" worker against headless ``cdrdesk export``.

Spawns one ``cdrdesk demo-server`` with 200,000 records, then, alternating,
exports every record to NDJSON with the window's
:class:`~cdrdesk.ui.export_worker.MatchingRecordsExport` (driven in an
offscreen QApplication in this process, timed from ``start()`` to
``finished``) and with ``cdrdesk export`` in a subprocess (timed as the
whole process, so it pays its start-up too; the start-up alone is measured
with a one-record export and also shown subtracted). Medians of the runs,
records/s and the ratio worker/CLI (target >= 0.9).

Then the peak RSS of a process exporting 50,000 and 200,000 records with
the worker, each in its own child process: it must not grow with the
number of records.

    python bench/export_gui_vs_cli.py [--records 200000] [--runs 3] [--small 50000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from cdrdesk.api.query import CdrQuery
from cdrdesk.connections.profiles import Connection, Profile
from cdrdesk.demo.runner import spawn_demo_server
from cdrdesk.export.writers import ExportFormat, open_writer
from cdrdesk.ui.export_worker import ExportOutcome, ExportStatus, MatchingRecordsExport

TIMEOUT_MS = 600_000


def worker_export(
    url: str, token: str, path: Path, max_records: int | None = None
) -> tuple[float, int]:
    """Seconds and records of one export by the window's worker, in this process."""
    application = QApplication.instance() or QApplication([])
    del application
    connection = Connection(Profile("Bench", url), token)
    writer = open_writer(ExportFormat.NDJSON, path, overwrite=True)
    worker = MatchingRecordsExport(connection, CdrQuery(), writer, max_records=max_records)
    outcomes: list[ExportOutcome] = []
    loop = QEventLoop()
    worker.finished.connect(lambda outcome: (outcomes.append(outcome), loop.quit()))
    QTimer.singleShot(TIMEOUT_MS, loop.quit)
    started = time.perf_counter()
    worker.start()
    loop.exec()
    seconds = time.perf_counter() - started
    worker.wait()
    if not outcomes or outcomes[0].status is not ExportStatus.DONE:
        raise SystemExit(f"the worker's export did not finish: {outcomes}")
    return seconds, outcomes[0].rows_written


def cli_export(url: str, token: str, path: Path, max_rows: int | None = None) -> float:
    environment = dict(os.environ, CDRDESK_TOKEN=token)
    command = [sys.executable, "-m", "cdrdesk", "export", "--base-url", url]
    command += ["--format", "ndjson", "--overwrite", "-o", str(path)]
    if max_rows is not None:
        command += ["--max-rows", str(max_rows)]
    started = time.perf_counter()
    subprocess.run(command, env=environment, check=True)
    return time.perf_counter() - started


def count_lines(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for _ in stream)


def peak_rss_child(url: str, token: str, records: int, folder: Path) -> int:
    """Peak RSS (KiB) of a child process that exports ``records`` with the worker."""
    environment = dict(os.environ, CDRDESK_BENCH_TOKEN=token)
    command = [sys.executable, __file__, "--child-url", url, "--child-records", str(records)]
    command += ["--child-folder", str(folder)]
    result = subprocess.run(command, env=environment, check=True, capture_output=True, text=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    if report["rows"] != records:
        raise SystemExit(f"the child exported {report['rows']} records, not {records}")
    return int(report["maxrss_kib"])


def child(url: str, records: int, folder: Path) -> None:
    token = os.environ["CDRDESK_BENCH_TOKEN"]
    _seconds, rows = worker_export(url, token, folder / f"rss-{records}.ndjson", records)
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": rows, "maxrss_kib": maxrss}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--small", type=int, default=50_000)
    parser.add_argument("--child-url", help=argparse.SUPPRESS)
    parser.add_argument("--child-records", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_url:
        child(args.child_url, args.child_records, Path(args.child_folder))
        return

    print(f"starting the demo server with {args.records:,} records…", flush=True)
    with spawn_demo_server(args.records) as server, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        gui_path, cli_path = folder / "gui.ndjson", folder / "cli.ndjson"
        cli_export(server.url, server.token, cli_path, max_rows=1_000)  # warm the server's caches
        startup = statistics.median(
            cli_export(server.url, server.token, cli_path, max_rows=1) for _ in range(3)
        )
        gui_times: list[float] = []
        cli_times: list[float] = []
        for run in range(1, args.runs + 1):
            seconds, rows = worker_export(server.url, server.token, gui_path)
            gui_times.append(seconds)
            print(f"run {run}: window worker {rows:,} records in {seconds:.2f} s", flush=True)
            seconds = cli_export(server.url, server.token, cli_path)
            cli_times.append(seconds)
            lines = count_lines(cli_path)
            print(f"run {run}: cdrdesk export {lines:,} records in {seconds:.2f} s", flush=True)
            if lines != rows or lines != args.records:
                raise SystemExit(f"record counts differ: worker {rows}, cli {lines}")
        gui, cli = statistics.median(gui_times), statistics.median(cli_times)
        gui_rate, cli_rate = args.records / gui, args.records / cli
        cli_rate_net = args.records / max(cli - startup, 1e-9)
        print()
        print(f"window worker : median {gui:.2f} s = {gui_rate:,.0f} records/s")
        print(f"cdrdesk export: median {cli:.2f} s = {cli_rate:,.0f} records/s (whole process)")
        print(f"  its start-up (one-record export): {startup:.2f} s")
        print(f"ratio worker/cli: {gui_rate / cli_rate:.2f}x (target >= 0.9x)")
        print(f"ratio worker/cli without the CLI's start-up: {gui_rate / cli_rate_net:.2f}x")
        print()
        small = peak_rss_child(server.url, server.token, args.small, folder)
        large = peak_rss_child(server.url, server.token, args.records, folder)
        print(f"peak RSS exporting {args.small:,} records: {small / 1024:.1f} MiB")
        print(f"peak RSS exporting {args.records:,} records: {large / 1024:.1f} MiB")
        print(f"growth: {(large - small) / 1024:+.1f} MiB ({large / small:.2f}x)")


if __name__ == "__main__":
    main()
