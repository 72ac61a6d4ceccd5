"""Smoke-test a built bundle the way a user would start it.

Usage: ``python packaging/bundle_check.py dist/cdrdesk/cdrdesk``

Runs the bundled executable three times: ``--version``; ``demo-server --port 0``
until it prints its address, then stops it with a signal and expects a clean
exit; and ``--demo --self-check``, which opens the real window (offscreen),
loads pages from the embedded demo server and exits 0 only if that works.
Exits non-zero with the failing step's output otherwise.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

VERSION_TIMEOUT = 60
SERVER_START_TIMEOUT = 120
SELF_CHECK_TIMEOUT = 300


def fail(step: str, detail: str) -> None:
    raise SystemExit(f"bundle check failed: {step}\n{detail}")


def check_version(exe: Path) -> None:
    result = subprocess.run(
        [str(exe), "--version"], capture_output=True, text=True, timeout=VERSION_TIMEOUT
    )
    if result.returncode != 0 or not result.stdout.startswith("cdrdesk "):
        fail("--version", f"status {result.returncode}\n{result.stdout}{result.stderr}")
    print(f"ok: --version -> {result.stdout.strip()}")


def check_demo_server(exe: Path) -> None:
    process = subprocess.Popen(
        [str(exe), "demo-server", "--port", "0", "--records", "500"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Windows delivers CTRL_BREAK only to a process group of its own.
        creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
    )
    assert process.stdout is not None
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    line = ""
    # readline blocks until the server prints; the deadline is checked between lines.
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line or line.startswith("listening on "):
            break
    if not line.startswith("listening on "):
        process.kill()
        _, errors = process.communicate()
        fail("demo-server", f"no 'listening on' line; status {process.returncode}\n{errors}")
    stop = signal.SIGTERM if os.name == "posix" else getattr(signal, "CTRL_BREAK_EVENT", 0)
    process.send_signal(stop)
    try:
        status = process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        fail("demo-server", "did not stop within 30 s of SIGTERM")
    if status != 0:
        fail(
            "demo-server",
            f"stopped with status {status}\n{process.stderr.read() if process.stderr else ''}",
        )
    print(f"ok: demo-server -> {line.strip()}, stopped cleanly")


def check_self_check(exe: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    env.setdefault("CDRDESK_NO_CRASH_DIALOG", "1")
    try:
        result = subprocess.run(
            [str(exe), "--demo", "--records", "2000", "--self-check"],
            capture_output=True,
            text=True,
            timeout=SELF_CHECK_TIMEOUT,
            env=env,
        )
    except subprocess.TimeoutExpired:
        fail("--demo --self-check", f"still running after {SELF_CHECK_TIMEOUT} s")
    if result.returncode != 0:
        fail("--demo --self-check", f"status {result.returncode}\n{result.stdout}{result.stderr}")
    print(f"ok: --demo --self-check -> {result.stdout.strip().splitlines()[-1:]}")


def main() -> int:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    exe = Path(sys.argv[1]).resolve()
    if not exe.is_file():
        fail("setup", f"no bundle executable at {exe}; run `make bundle` first")
    check_version(exe)
    check_demo_server(exe)
    check_self_check(exe)
    return 0


if __name__ == "__main__":
    sys.exit(main())
