"""Ways to run the demo server: in a thread (tests) or in a child process (GUI, benchmarks).

The child process keeps the server off the GUI's interpreter lock; the
token reaches it through the environment, never through its argv.
"""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx
import uvicorn

from cdrdesk.demo.app import ServerSettings, create_app
from cdrdesk.demo.data import DemoSpec, current_anchor
from cdrdesk.demo.store import DemoStore, Progress, ensure_database

DEMO_TOKEN = "demo-token"
DEFAULT_RECORDS = 200_000
TOKEN_ENVIRONMENT_VARIABLE = "CDRDESK_DEMO_TOKEN"
LISTENING_PREFIX = "listening on "


class DemoServerThread:
    """The demo server in a background thread of this process, on a loopback port."""

    def __init__(
        self,
        *,
        records: int = 30_000,
        seed: int = 1,
        token: str = DEMO_TOKEN,
        unscoped_token: str | None = None,
        latency_ms: int = 0,
        error_rate: float = 0.0,
        rate_limit: int | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        cache_directory: Path | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.records = records
        self.seed = seed
        self.token = token
        self.host = host
        self.url = ""
        self.database_path: Path | None = None
        self.built = False
        self._port = port
        self._cache_directory = cache_directory
        self._progress = progress
        self._settings = ServerSettings(
            token=token,
            unscoped_token=unscoped_token,
            latency_ms=latency_ms,
            error_rate=error_rate,
            rate_limit=rate_limit,
        )
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._store: DemoStore | None = None

    def __repr__(self) -> str:
        return f"DemoServerThread(url={self.url!r}, records={self.records}, seed={self.seed})"

    def start(self) -> DemoServerThread:
        """Build or reuse the data, serve them, and return once the server answers."""
        spec = DemoSpec(self.records, self.seed, current_anchor())
        self.database_path, self.built = ensure_database(
            spec, self._cache_directory, self._progress
        )
        self._store = DemoStore(self.database_path)
        app = create_app(self._store, self._settings)
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._port))
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", access_log=False, timeout_graceful_shutdown=2
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="demo-server", daemon=True
        )
        self._thread.start()
        host = f"[{self.host}]" if family == socket.AF_INET6 else self.host
        self.url = f"http://{host}:{port}"
        self._wait_until_answering()
        return self

    def _wait_until_answering(self) -> None:
        assert self._server is not None
        assert self._thread is not None
        with httpx.Client(timeout=2.0) as client:
            for _ in range(500):
                if not self._thread.is_alive():
                    raise RuntimeError("the demo server stopped while starting")
                if self._server.started:
                    try:
                        client.get(f"{self.url}/openapi.json")
                        return
                    except httpx.TransportError:
                        pass
                threading.Event().wait(0.02)
        raise RuntimeError("the demo server did not answer within 10 seconds")

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._store is not None:
            self._store.close()
            self._store = None
        self._server = None

    def __enter__(self) -> DemoServerThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class DemoServerProcess:
    """A demo server in a child process; ``stop()`` terminates it and waits."""

    def __init__(
        self,
        process: subprocess.Popen[str],
        url: str,
        token: str,
        reader: threading.Thread | None = None,
    ) -> None:
        self.process = process
        self.url = url
        self.token = token
        self._reader = reader

    def __repr__(self) -> str:
        return f"DemoServerProcess(url={self.url!r}, pid={self.process.pid})"

    def stop(self, timeout: float = 10.0) -> int:
        if self.process.stdin is not None:
            self.process.stdin.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)  # the pipe ends with the process
        if self.process.stdout is not None and (
            self._reader is None or not self._reader.is_alive()
        ):
            self.process.stdout.close()
        return self.process.returncode

    def __enter__(self) -> DemoServerProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _read_lines(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _launcher() -> list[str]:
    """How to run ``cdrdesk``: the bundle's own executable when frozen."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "cdrdesk"]


def spawn_demo_server(
    records: int = DEFAULT_RECORDS,
    seed: int = 1,
    token: str = DEMO_TOKEN,
    extra_args: Sequence[str] = (),
    *,
    start_timeout: float = 600.0,
) -> DemoServerProcess:
    """Start ``python -m cdrdesk demo-server`` and return once it listens.

    A first run builds the database (progress goes to this process's
    stderr), hence the generous ``start_timeout``.
    """
    command = [
        *_launcher(), "demo-server", "--port", "0", "--exit-with-stdin",
        "--records", str(records), "--seed", str(seed), *extra_args,
    ]  # fmt: skip
    environment = dict(os.environ, **{TOKEN_ENVIRONMENT_VARIABLE: token})
    # Our end of its stdin stays open while we live: when this process dies,
    # however it dies, the server reads end of file and stops too.
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
        bufsize=1,
    )
    assert process.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True)
    reader.start()
    try:
        while True:
            line = lines.get(timeout=start_timeout)
            if line is None:
                code = process.wait()
                raise RuntimeError(f"the demo server exited with status {code} before listening")
            if line.startswith(LISTENING_PREFIX):
                url = line[len(LISTENING_PREFIX) :].strip()
                return DemoServerProcess(process, url, token, reader)
    except queue.Empty:
        process.kill()
        process.wait()
        raise RuntimeError(
            f"the demo server did not listen within {start_timeout:.0f} seconds"
        ) from None
    except BaseException:
        if process.poll() is None:
            process.kill()
            process.wait()
        raise
