"""``cdrdesk demo-server`` as a process: it announces its address and stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from cdrdesk.demo.runner import TOKEN_ENVIRONMENT_VARIABLE, spawn_demo_server
from tests.demo.conftest import API_PATH


def test_cli_prints_its_address_and_exits_0_on_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "cdrdesk", "demo-server", "--records", "30000", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), line
        url = line.removeprefix("listening on ").strip()
        assert not url.endswith(":0")
        response = httpx.get(
            f"{url}{API_PATH}?limit=1", headers={"Authorization": "Bearer demo-token"}
        )
        assert response.status_code == 200
        assert response.json()["metadata"]["total"] == 30_000
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_spawned_server_takes_its_token_from_the_environment_not_argv() -> None:
    server = spawn_demo_server(
        records=2_000, token="spawned-secret", extra_args=["--latency-ms", "1"]
    )
    try:
        with open(f"/proc/{server.process.pid}/cmdline", "rb") as handle:
            assert b"spawned-secret" not in handle.read()
        ok = httpx.get(
            f"{server.url}{API_PATH}?limit=1", headers={"Authorization": "Bearer spawned-secret"}
        )
        assert ok.status_code == 200
        denied = httpx.get(
            f"{server.url}{API_PATH}?limit=1", headers={"Authorization": "Bearer demo-token"}
        )
        assert denied.status_code == 401
        assert "spawned-secret" not in repr(server)
    finally:
        assert server.stop() == 0
    assert TOKEN_ENVIRONMENT_VARIABLE not in os.environ


def test_non_loopback_host_is_warned_about() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "cdrdesk", "demo-server", "--records", "2000", "--port", "0",
         "--host", "0.0.0.0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("listening on http://0.0.0.0:")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        assert process.stderr is not None
        assert "not a loopback address" in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_sigterm_during_the_first_build_leaves_no_file(tmp_path: Path) -> None:
    environment = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))
    process = subprocess.Popen(
        [sys.executable, "-m", "cdrdesk", "demo-server", "--records", "500000", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    try:
        assert process.stderr is not None
        assert process.stderr.readline().startswith("building demo data:")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        assert process.stdout is not None
        assert process.stdout.read() == ""
        assert [path.name for path in tmp_path.rglob("*") if path.is_file()] == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
