"""``python -m cdrdesk`` against a server that holds its first request for 30 seconds,
ended from outside while that request is on its way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cdrdesk.connections.profiles import Profile, ProfileStore
from tests import hostile_server as hs
from tests.resilience import env_keyring

ROOT = Path(__file__).resolve().parents[2]
EXIT_SECONDS = 3.0
START_SECONDS = 60.0


@pytest.fixture
def held() -> Iterator[hs.HostileServer]:
    with hs.HostileServer(hs.make_records(500)) as server:
        server.script(hs.hold(30))
        yield server


def start_window(server: hs.HostileServer, home: Path) -> subprocess.Popen[str]:
    """The window, offscreen, on a saved profile for ``server``; returns once it has asked."""
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for variable in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        environment[variable] = str(home / variable.lower())
    environment["PYTHON_KEYRING_BACKEND"] = env_keyring.BACKEND
    environment[env_keyring.TOKEN_VARIABLE] = server.token
    profiles = ProfileStore(home / "xdg_config_home" / "cdrdesk" / "profiles.json")
    profiles.save(Profile("Held", server.url))
    profiles.last_profile = "Held"
    process = subprocess.Popen(
        [sys.executable, "-m", "cdrdesk"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if not server.wait_for_requests(1, timeout=START_SECONDS):
        process.kill()
        _out, err = process.communicate()
        raise AssertionError(f"the window asked for no page: {err}")
    return process


def terminate(process: subprocess.Popen[str]) -> tuple[float, str]:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        _out, err = process.communicate(timeout=EXIT_SECONDS + 10)
    except subprocess.TimeoutExpired:
        process.kill()
        _out, err = process.communicate()
    return time.monotonic() - started, err


def test_sigterm_during_a_held_request_ends_the_process_quietly(
    held: hs.HostileServer, tmp_path: Path
) -> None:
    process = start_window(held, tmp_path)
    elapsed, stderr = terminate(process)
    assert elapsed < EXIT_SECONDS, f"the window took {elapsed:.1f} s to end"
    assert "QThread: Destroyed while thread" not in stderr
    assert "Traceback" not in stderr
    assert held.token not in stderr


def test_sigterm_closes_the_window_cleanly(held: hs.HostileServer, tmp_path: Path) -> None:
    process = start_window(held, tmp_path)
    elapsed, stderr = terminate(process)
    assert process.returncode == 0, stderr
    assert elapsed < EXIT_SECONDS
    assert (tmp_path / "xdg_config_home" / "cdrdesk" / "window.ini").exists()
