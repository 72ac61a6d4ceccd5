"""Resident memory the table's row store needs per loaded row, at 1,000,000 demo rows.

Generates demo records with ``cdrdesk.demo.data`` (the demo server's own
generator, so the records are those the server would send), feeds them
page by page the way the table does (a page becomes a column chunk, the
chunk is merged into the store, the page's dicts are dropped) and reports
the growth of this process's resident set per row. The generator's own
tables are built before the first measurement. Target: <= 600 bytes a row.

    python bench/ui_memory.py [--rows 1000000] [--page 1000]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import sys
import time

from cdrdesk.demo.data import DemoSpec, current_anchor, generate
from cdrdesk.ui.rowstore import RowStore

TARGET_BYTES = 600


def resident_bytes() -> int:
    """This process's resident set size, from /proc (Linux) or getrusage's peak elsewhere."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--page", type=int, default=1000)
    args = parser.parse_args()
    records = (row.record for row in generate(DemoSpec(args.rows, 1, current_anchor())))
    first_page = list(itertools.islice(records, args.page))  # builds the generator's tables
    store = RowStore()
    gc.collect()
    before = resident_bytes()
    started = time.perf_counter()
    page = first_page
    while page:
        chunk = RowStore()
        chunk.append_page(page)
        store.extend(chunk)
        del chunk
        page = list(itertools.islice(records, args.page))
    elapsed = time.perf_counter() - started
    gc.collect()
    grown = resident_bytes() - before
    per_row = grown / len(store)
    sample = store.record(len(store) // 2)
    assert sample["id"].startswith("cdr_"), sample
    print(
        f"{len(store):,} rows in {elapsed:.1f} s: resident set grew {grown / 2**20:,.1f} MiB, "
        f"{per_row:.0f} bytes a row (target <= {TARGET_BYTES}: "
        f"{'ok' if per_row <= TARGET_BYTES else 'ABOVE TARGET'})"
    )
    return 0 if per_row <= TARGET_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
