"""A demo server started for the window never outlives the process that started it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

SPAWN_THEN_DIE = """
import os
from cdrdesk.demo.runner import spawn_demo_server
server = spawn_demo_server(records=2000, seed=3)
print(server.process.pid, flush=True)
os._exit(0)  # no clean-up at all, as after a crash
"""


def _running(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def test_the_server_stops_when_its_parent_dies_without_cleaning_up() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SPAWN_THEN_DIE], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    pid = int(done.stdout.strip())
    deadline = time.monotonic() + 20
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(pid), f"demo server {pid} still runs after its parent died"
