"""The GUI thread's longest stall while "Load all" loads 200,000 rows into the table.

Spawns ``cdrdesk demo-server`` in its own process, shows a ``CdrTableView``
(offscreen unless a display is asked for), starts a 5-ms QTimer heartbeat on
the GUI thread and runs ``load_all()``. A stall is the gap between two
heartbeats. Pages are decoded in the loader's thread and turned into columns
on the GUI thread in short slices between events. Like the app
(``run_gui``), it freezes the start-up objects out of the garbage collector
before measuring. Target: longest gap <= 50 ms.

    python bench/ui_stall.py [--records 200000] [--switch-interval 0.005]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from cdrdesk.api.query import CdrQuery
from cdrdesk.connections.profiles import Connection, Profile
from cdrdesk.demo.runner import spawn_demo_server
from cdrdesk.ui.cdr_model import CdrTableModel
from cdrdesk.ui.table_view import CdrTableView

HEARTBEAT_MS = 5
TARGET_MS = 50.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=sys.getswitchinterval(),
        help="sys.setswitchinterval in seconds (how soon the GUI thread gets the lock back)",
    )
    args = parser.parse_args()
    sys.setswitchinterval(args.switch_interval)
    application = QApplication(sys.argv[:1])
    server = spawn_demo_server(records=args.records)
    model = CdrTableModel()
    try:
        view = CdrTableView()
        view.setModel(model)
        view.resize(1400, 900)
        view.show()
        model.set_connection(Connection(Profile("bench", server.url), server.token))
        loop = QEventLoop()
        model.pageArrived.connect(loop.quit)
        model.set_query(CdrQuery())
        loop.exec()
        model.pageArrived.disconnect(loop.quit)

        beats: list[float] = []
        heartbeat = QTimer()
        heartbeat.setInterval(HEARTBEAT_MS)
        heartbeat.timeout.connect(lambda: beats.append(time.perf_counter()))
        finished: list[bool] = []
        done = QEventLoop()

        def on_finished(cancelled: bool) -> None:
            finished.append(cancelled)
            done.quit()

        model.loadAllFinished.connect(on_finished)
        QTimer.singleShot(600_000, done.quit)
        QApplication.processEvents()  # the first page's own paint is not part of "load all"
        gc.freeze()
        heartbeat.start()
        started = time.perf_counter()
        model.load_all()
        done.exec()
        elapsed = time.perf_counter() - started
        heartbeat.stop()
        if finished != [False]:
            print(f"load all did not finish (last error: {model.last_error})")
            return 2
        gaps = [(later - earlier) * 1000 for earlier, later in itertools.pairwise(beats)]
        longest = max(gaps)
        ordered = sorted(gaps)
        p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
        print(
            f"loaded {model.loaded_count} rows (total {model.total}) in {elapsed:.1f} s "
            f"({model.loaded_count / elapsed:,.0f} rows/s)"
        )
        print(
            f"switch interval {sys.getswitchinterval() * 1000:g} ms; "
            f"heartbeat {HEARTBEAT_MS} ms: {len(beats)} beats, median gap "
            f"{statistics.median(gaps):.1f} ms, p99 {p99:.1f} ms, longest {longest:.1f} ms "
            f"(target <= {TARGET_MS:.0f} ms: {'ok' if longest <= TARGET_MS else 'ABOVE TARGET'})"
        )
        return 0 if longest <= TARGET_MS else 1
    finally:
        model.shutdown()
        server.stop()
        del application


if __name__ == "__main__":
    sys.exit(main())
