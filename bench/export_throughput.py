"""Records per second of ``cdrdesk export`` against a minimal raw httpx loop.

Both run against the same demo server (200,000 records, its own process),
page size 1000, following cursors to the end and writing each record's JSON
as one line. ``cdrdesk export`` is timed end to end as a subprocess
(interpreter start included); the raw loop is a subprocess too, so both pay
the same start-up. The client's own CPU time is printed too, since wall time
on a shared machine varies with its load. Each runs three times,
alternately; the medians and their ratio are printed (the target is at
least 0.9).

    python bench/export_throughput.py [--records N] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cdrdesk.demo.runner import spawn_demo_server

TARGET_RATIO = 0.9

RAW_LOOP = """
import sys, httpx, orjson
url, token, path = sys.argv[1:4]
headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
cursor = None
count = 0
with httpx.Client(headers=headers, timeout=60) as http, open(path, "wb") as out:
    while True:
        params = {"limit": "1000", **({"cursor": cursor} if cursor else {"offset": "0"})}
        body = orjson.loads(http.get(url + "/api/v4/reporting/cdrs", params=params).content)
        items = body["items"]
        out.write(b"".join(orjson.dumps(item, option=orjson.OPT_APPEND_NEWLINE) for item in items))
        count += len(items)
        cursor = body["metadata"]["next_cursor"]
        if cursor is None:
            break
print(count)
"""


def time_command(command: list[str], token: str, output: Path) -> tuple[float, float, int]:
    """Wall-clock seconds, CPU seconds of the command itself, and records written."""
    output.unlink(missing_ok=True)
    environment = dict(os.environ, CDRDESK_TOKEN=token)
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=environment, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    with output.open("rb") as handle:
        lines = sum(1 for _ in handle)
    return elapsed, cpu, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    print(f"starting the demo server with {args.records:,} records", file=sys.stderr)
    with spawn_demo_server(args.records) as server, tempfile.TemporaryDirectory() as folder:
        export_file = Path(folder) / "export.ndjson"
        raw_file = Path(folder) / "raw.ndjson"
        export_command = [
            sys.executable, "-m", "cdrdesk", "export", "--base-url", server.url,
            "--format", "ndjson", "--page-size", "1000", "-o", str(export_file), "--overwrite",
        ]  # fmt: skip
        raw_command = [sys.executable, "-c", RAW_LOOP, server.url, server.token, str(raw_file)]
        export_rates: list[float] = []
        raw_rates: list[float] = []
        for run in range(1, args.runs + 1):
            for name, command, path, rates in (
                ("cdrdesk export", export_command, export_file, export_rates),
                ("raw httpx loop", raw_command, raw_file, raw_rates),
            ):
                elapsed, cpu, lines = time_command(command, server.token, path)
                if lines != args.records:
                    raise SystemExit(f"{name} wrote {lines:,} records, expected {args.records:,}")
                rates.append(lines / elapsed)
                print(
                    f"run {run}: {name}: {lines / elapsed:,.0f} records/s "
                    f"({elapsed:.2f} s, client CPU {cpu:.2f} s)"
                )
    export_median = statistics.median(export_rates)
    raw_median = statistics.median(raw_rates)
    ratio = export_median / raw_median
    print(f"cdrdesk export: {export_median:,.0f} records/s (median of {args.runs})")
    print(f"raw httpx loop: {raw_median:,.0f} records/s (median of {args.runs})")
    verdict = "meets" if ratio >= TARGET_RATIO else "misses"
    print(f"ratio: {ratio:.2f}x ({verdict} the {TARGET_RATIO}x target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
