"""Starting the embedded demo server without freezing the window.

The first start builds the demo database, which takes seconds, so it runs
on a worker thread and reports back by signal; the window stays responsive
and says "Starting demo server…" meanwhile. The server stops with the app.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal

from cdrdesk.connections.profiles import Connection, Profile
from cdrdesk.demo.runner import DemoServerProcess, spawn_demo_server

DEMO_PROFILE_NAME = "Demo data"
STOP_WAIT_SECONDS = 15.0
_log = logging.getLogger(__name__)


def demo_connection(server: DemoServerProcess) -> Connection:
    """An in-memory profile for the running demo server; it is never stored."""
    profile = Profile(name=DEMO_PROFILE_NAME, base_url=server.url, demo=True)
    return Connection(profile=profile, token=server.token)


class DemoSession(QObject):
    """Owns the demo server: ``start`` in the background, ``stop`` on exit."""

    started = Signal(object)  # Connection
    failed = Signal(str)

    def __init__(self, records: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.records = records
        self._server: DemoServerProcess | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopping = False

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def server(self) -> DemoServerProcess | None:
        """The running server, once ``started`` was emitted and until ``stop``."""
        return self._server

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="demo-server-start", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            server: DemoServerProcess = spawn_demo_server(records=self.records)
        except Exception as exc:
            self.failed.emit(f"The demo server could not start: {exc}")
            return
        with self._lock:
            if self._stopping:
                server.stop()
                return
            self._server = server
        self.started.emit(demo_connection(server))

    def stop(self) -> None:
        """Stop the server, waiting a while for one still starting so it is not left behind.

        A server that is still building its data after ``STOP_WAIT_SECONDS``
        is stopped by the starting thread as soon as it listens, if this
        process is still running then.
        """
        with self._lock:
            self._stopping = True
            server, self._server = self._server, None
        if server is not None:
            server.stop()
        thread = self._thread
        if thread is not None and thread.is_alive():
            thread.join(STOP_WAIT_SECONDS)
            if thread.is_alive():
                _log.warning("the demo server was still starting when cdrdesk stopped")
