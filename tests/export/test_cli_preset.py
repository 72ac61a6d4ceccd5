"""``cdrdesk export --preset`` and ``--profile``: saved presets and profiles, headless."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from jaraco.classes import properties
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from cdrdesk.api.query import CdrQuery, RangeValue
from cdrdesk.api.timeranges import FilterState, RelativeRange
from cdrdesk.connections.profiles import Profile, ProfileStore
from cdrdesk.connections.tokens import TokenStore
from cdrdesk.demo.runner import DemoServerThread
from cdrdesk.export import cli as export_cli
from cdrdesk.presets import Preset, PresetStore
from tests.connections.memory_keyring import MemoryKeyring
from tests.export.test_cli import direct_listing

KEYRING_FILE_VARIABLE = "CDRDESK_TEST_KEYRING_FILE"
REPO = Path(__file__).resolve().parents[2]


class FileKeyring(KeyringBackend):
    """A keyring backend in a JSON file, so a child process reads what the test saved."""

    @properties.classproperty
    def priority(cls) -> float:
        """Viable only where a test named its file, so keyring's discovery passes it by."""
        if KEYRING_FILE_VARIABLE not in os.environ:
            raise RuntimeError(f"{KEYRING_FILE_VARIABLE} is not set")
        return 1

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        self.path = path or Path(os.environ[KEYRING_FILE_VARIABLE])

    def _entries(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        entries: dict[str, str] = json.loads(self.path.read_text("utf-8"))
        return entries

    def get_password(self, service: str, username: str) -> str | None:
        return self._entries().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._entries()
        entries[f"{service}/{username}"] = password
        self.path.write_text(json.dumps(entries), "utf-8")

    def delete_password(self, service: str, username: str) -> None:
        entries = self._entries()
        if entries.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("no such password")
        self.path.write_text(json.dumps(entries), "utf-8")


def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "config"


def presets(tmp_path: Path) -> PresetStore:
    return PresetStore(config_dir(tmp_path) / "cdrdesk" / "presets.json")


def run_export(
    tmp_path: Path, *args: str, token: str | None = None
) -> subprocess.CompletedProcess[bytes]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("CDRDESK_TOKEN", "PYTHON_KEYRING_BACKEND")
    }
    environment["XDG_CONFIG_HOME"] = str(config_dir(tmp_path))
    environment["PYTHON_KEYRING_BACKEND"] = f"{__name__}.FileKeyring"
    environment[KEYRING_FILE_VARIABLE] = str(tmp_path / "keyring.json")
    if token is not None:
        environment["CDRDESK_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "cdrdesk", "export", *args],
        env=environment,
        capture_output=True,
        timeout=240,
        cwd=REPO,
        check=False,
    )


def ids_in(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text("utf-8").splitlines()]


def test_preset_filters_are_exported(demo_server: DemoServerThread, tmp_path: Path) -> None:
    store = presets(tmp_path)
    store.save(Preset("Answered SMS", FilterState(CdrQuery({"type": ("sms",)}))))
    out = tmp_path / "sms.ndjson"
    result = run_export(
        tmp_path,
        "--base-url",
        demo_server.url,
        "--preset",
        "Answered SMS",
        "-o",
        str(out),
        token=demo_server.token,
    )
    assert result.returncode == 0, result.stderr.decode()
    expected = [record["id"] for record in direct_listing(demo_server, [("type", "sms")])]
    assert expected
    assert ids_in(out) == expected


def test_filter_option_replaces_the_presets_value(
    demo_server: DemoServerThread, tmp_path: Path
) -> None:
    store = presets(tmp_path)
    query = CdrQuery({"type": ("sms",), "disposition": ("answered", "delivered")})
    store.save(Preset("Mixed", FilterState(query)))
    out = tmp_path / "mixed.ndjson"
    result = run_export(
        tmp_path,
        "--base-url",
        demo_server.url,
        "--preset",
        "Mixed",
        "--filter",
        "type=call",
        "-o",
        str(out),
        token=demo_server.token,
    )
    assert result.returncode == 0, result.stderr.decode()
    params = [("type", "call"), ("disposition", "answered"), ("disposition", "delivered")]
    expected = [record["id"] for record in direct_listing(demo_server, params)]
    assert expected
    assert ids_in(out) == expected


def test_unknown_preset_is_named(demo_server: DemoServerThread, tmp_path: Path) -> None:
    presets(tmp_path).save(Preset("Kept", FilterState()))
    result = run_export(
        tmp_path, "--base-url", demo_server.url, "--preset", "Missing", token=demo_server.token
    )
    assert result.returncode == export_cli.EXIT_USAGE
    message = result.stderr.decode()
    assert "'Missing'" in message
    assert "'Kept'" in message
    assert len(message.splitlines()) == 1


def test_preset_with_filters_this_version_cannot_apply_is_refused(
    demo_server: DemoServerThread, tmp_path: Path
) -> None:
    path = config_dir(tmp_path) / "cdrdesk" / "presets.json"
    presets(tmp_path).save(Preset("Broken", FilterState(CdrQuery({"type": ("call",)}))))
    document = json.loads(path.read_text("utf-8"))
    document["presets"][0]["filters"].append(["duration", "not-a-number"])
    path.write_text(json.dumps(document), "utf-8")
    out = tmp_path / "never.ndjson"
    result = run_export(
        tmp_path,
        "--base-url",
        demo_server.url,
        "--preset",
        "Broken",
        "-o",
        str(out),
        token=demo_server.token,
    )
    assert result.returncode == export_cli.EXIT_USAGE, result.stderr.decode()
    assert "duration" in result.stderr.decode()
    assert not out.exists()


def test_relative_ranges_resolve_when_exporting(tmp_path: Path) -> None:
    store = presets(tmp_path)
    store.save(
        Preset(
            "Recent calls",
            FilterState(CdrQuery({"type": ("call",)}), {"started_at": RelativeRange.LAST_7_DAYS}),
        )
    )
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    args = argparse.Namespace(filters=[], preset="Recent calls")
    query = export_cli.resolve_query(args, presets=store, now=now)
    assert query.get("type") == ("call",)
    started = query.get("started_at")
    assert isinstance(started, RangeValue)
    assert started.gte == now - timedelta(days=7)
    assert started.lt == now


def save_profile(tmp_path: Path, name: str, url: str, token: str | None) -> None:
    tokens = TokenStore(backend=FileKeyring(tmp_path / "keyring.json"))
    store = ProfileStore(config_dir(tmp_path) / "cdrdesk" / "profiles.json", tokens=tokens)
    store.save(Profile(name, url))
    if token is not None:
        tokens.set(name, token)


def test_profile_gives_url_and_keyring_token(demo_server: DemoServerThread, tmp_path: Path) -> None:
    save_profile(tmp_path, "Contact centre", demo_server.url, demo_server.token)
    presets(tmp_path).save(Preset("Calls", FilterState(CdrQuery({"type": ("call",)}))))
    out = tmp_path / "calls.ndjson"
    # A token for some other server in the environment is not sent: the keyring's wins.
    result = run_export(
        tmp_path,
        "--profile",
        "Contact centre",
        "--preset",
        "Calls",
        "--max-rows",
        "2500",
        "-o",
        str(out),
        token="token-of-another-server",
    )
    assert result.returncode == 0, result.stderr.decode()
    expected = [r["id"] for r in direct_listing(demo_server, [("type", "call")])][:2500]
    assert ids_in(out) == expected
    assert demo_server.token.encode() not in result.stderr + result.stdout


def test_profile_without_a_saved_token_uses_the_environment(tmp_path: Path) -> None:
    tokens = TokenStore(backend=MemoryKeyring())
    store = ProfileStore(tmp_path / "profiles.json", tokens=tokens)
    store.save(Profile("Ops", "https://ops.example.test"))
    args = argparse.Namespace(profile="Ops", base_url=None, ca_bundle=None)
    with pytest.raises(export_cli.UsageError, match=r"'Ops'.*CDRDESK_TOKEN"):
        export_cli.resolve_connection(args, {}, profiles=store)
    connection = export_cli.resolve_connection(
        args, {"CDRDESK_TOKEN": "from-environment"}, profiles=store
    )
    assert connection.base_url == "https://ops.example.test"
    assert connection.token == "from-environment"
    assert "from-environment" not in repr(connection)


def test_profile_mistakes_are_usage_errors(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.json", tokens=TokenStore(backend=MemoryKeyring()))
    store.save(Profile("Ops", "https://ops.example.test"))
    missing = argparse.Namespace(profile="Sales", base_url=None, ca_bundle=None)
    with pytest.raises(export_cli.UsageError, match=r"'Sales'.*'Ops'"):
        export_cli.resolve_connection(missing, {"CDRDESK_TOKEN": "t"}, profiles=store)
    both = argparse.Namespace(profile="Ops", base_url="https://x.example.test", ca_bundle=None)
    with pytest.raises(export_cli.UsageError, match="either --profile or --base-url"):
        export_cli.resolve_connection(both, {"CDRDESK_TOKEN": "t"}, profiles=store)
