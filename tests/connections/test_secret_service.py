"""TokenStore against a real Secret Service (gnome-keyring on a private session bus)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tok-5ec7e75e-4c3a-secret"

SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path

    from keyring.backends import SecretService

    from cdrdesk.connections import Profile, ProfileStore, TokenStore

    token = sys.argv[1]
    folders = [Path(p) for p in sys.argv[2:]]
    store = TokenStore(SecretService.Keyring())
    result = {"available_before": store.available, "reason": store.unavailable_reason}
    store.set("prod", token)
    result["available_after_set"] = store.available
    result["reason_after_set"] = store.unavailable_reason
    result["read_by_new_store"] = TokenStore(SecretService.Keyring()).get("prod") == token
    profiles = ProfileStore(tokens=store)
    profiles.save(Profile("prod", "https://acme.voiso.com"))
    files = [p for folder in folders for p in folder.rglob("*") if p.is_file()]
    result["files"] = sorted(str(p) for p in files)
    result["token_in_files"] = [str(p) for p in files if token.encode() in p.read_bytes()]
    profiles.delete("prod")  # deleting the profile removes its keyring entry
    result["after_delete"] = TokenStore(SecretService.Keyring()).get("prod")
    print("RESULT " + json.dumps(result))
    """
)


def _tools_missing() -> list[str]:
    return [tool for tool in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(tool)]


@pytest.mark.secret_service
def test_tokens_round_trip_through_a_real_secret_service(tmp_path: Path) -> None:
    missing = _tools_missing()
    if missing and os.environ.get("CI") != "true":
        pytest.skip(f"{' and '.join(missing)} not installed")
    assert not missing, f"{' and '.join(missing)} must be installed in CI"

    folders = {
        name: tmp_path / name.lower()
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")
    }
    runtime = tmp_path / "run"
    for folder in (*folders.values(), runtime):
        folder.mkdir(mode=0o700)
    script = tmp_path / "secret_service_round_trip.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DBUS_", "XDG_", "GNOME_KEYRING"))
    }
    env.update({name: str(path) for name, path in folders.items()})
    env.update(
        XDG_RUNTIME_DIR=str(runtime),
        HOME=str(tmp_path),
        PYTHONPATH=str(REPO_ROOT),
        PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring",
    )
    command = (
        'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$0" "$@"'
    )
    argv = [sys.executable, str(script), TOKEN, *map(str, folders.values())]
    completed = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", command, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, completed.stdout + completed.stderr
    result = json.loads(lines[-1].removeprefix("RESULT "))
    assert result["available_before"], result["reason"]
    assert result["available_after_set"], result["reason_after_set"]
    assert result["read_by_new_store"]
    assert any(path.endswith(".keyring") for path in result["files"]), result["files"]
    assert any(path.endswith("profiles.json") for path in result["files"]), result["files"]
    assert result["token_in_files"] == []
    assert result["after_delete"] is None
    assert TOKEN not in completed.stderr
