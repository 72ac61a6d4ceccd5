"""ProfileStore: persistence, corruption recovery and keeping tokens out of the file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from cdrdesk.api.query import CdrQuery
from cdrdesk.connections import Connection, Profile, ProfileStore, TokenStore
from cdrdesk.demo.runner import DemoServerThread
from tests.connections.memory_keyring import MemoryKeyring

TOKEN = "tok-51c0ffee-secret"


def test_profiles_and_the_last_one_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "profiles.json"
    store = ProfileStore(path)
    store.save(Profile("prod", "https://acme.voiso.com", ca_bundle="/etc/ca.pem"))
    store.save(Profile("staging", "https://staging.voiso.com"))
    store.last_profile = "staging"

    again = ProfileStore(path)
    assert again.profiles() == [
        Profile("prod", "https://acme.voiso.com", ca_bundle="/etc/ca.pem"),
        Profile("staging", "https://staging.voiso.com"),
    ]
    assert again.last_profile == "staging"
    assert again.warnings == []
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1


def test_the_default_file_is_in_the_user_config_folder() -> None:
    store = ProfileStore()
    assert store.path.name == "profiles.json"
    assert store.path.parent.name == "cdrdesk"


def test_saving_under_a_new_name_renames(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.json")
    store.save(Profile("prod", "https://a.example"))
    store.last_profile = "prod"
    store.save(Profile("production", "https://a.example"), replacing="prod")
    assert [p.name for p in ProfileStore(tmp_path / "profiles.json").profiles()] == ["production"]
    assert store.last_profile == "production"


def test_delete_removes_the_profile_and_its_token(tmp_path: Path) -> None:
    tokens = TokenStore(MemoryKeyring())
    store = ProfileStore(tmp_path / "profiles.json", tokens=tokens)
    store.save(Profile("prod", "https://a.example"))
    tokens.set("prod", TOKEN)
    store.last_profile = "prod"
    store.delete("prod")
    assert store.profiles() == []
    assert store.last_profile is None
    assert tokens.get("prod") is None
    assert ProfileStore(tmp_path / "profiles.json").profiles() == []


def test_the_token_never_reaches_the_profiles_file(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    path = tmp_path / "profiles.json"
    tokens = TokenStore()
    store = ProfileStore(path, tokens=tokens)
    profile = Profile("prod", "https://a.example")
    tokens.set("prod", TOKEN)
    store.save(profile)
    store.last_profile = "prod"
    connection = Connection(profile, TOKEN)
    assert TOKEN not in path.read_text(encoding="utf-8")
    assert TOKEN not in repr(connection)
    assert TOKEN not in str(connection)
    assert all(TOKEN not in p.read_text(encoding="utf-8") for p in tmp_path.rglob("*"))
    assert memory_keyring.entries == {("cdrdesk", "prod"): TOKEN}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "does not hold a JSON object"),
        ('{"version": 7, "profiles": []}', "has version 7"),
        ('{"version": 1, "profiles": {"a": 1}}', '"profiles" entry that is not a list'),
        (b"\xff\xfe\x00garbage", "could not be read"),
    ],
)
def test_a_corrupt_file_is_moved_aside_and_the_store_starts_empty(
    tmp_path: Path, content: str | bytes, problem: str
) -> None:
    path = tmp_path / "profiles.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    store = ProfileStore(path)
    assert store.profiles() == []
    assert len(store.warnings) == 1
    assert problem in store.warnings[0]
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("profiles.json.corrupt-")]
    assert len(kept) == 1
    assert kept[0].name in store.warnings[0]
    assert kept[0].read_bytes() == (content if isinstance(content, bytes) else content.encode())
    assert not path.exists()
    store.save(Profile("prod", "https://a.example"))
    assert ProfileStore(path).profiles() == [Profile("prod", "https://a.example")]


def test_bad_entries_are_reported_and_good_ones_kept(tmp_path: Path) -> None:
    path = tmp_path / "profiles.json"
    document = {
        "version": 1,
        "last_profile": "good",
        "profiles": [
            {"name": "good", "base_url": "https://a.example"},
            {"name": "", "base_url": "https://b.example"},
            {"name": "good", "base_url": "https://c.example"},
            {"name": "typed", "base_url": 5},
            "junk",
        ],
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    store = ProfileStore(path)
    assert store.profiles() == [Profile("good", "https://a.example")]
    assert store.last_profile == "good"
    (warning,) = store.warnings
    assert "profile 2: a profile needs a name" in warning
    assert "profile 3: the name 'good' is used twice" in warning
    assert 'profile 4: "base_url" must be a string' in warning
    assert "profile 5: is not a JSON object" in warning
    assert len(list(tmp_path.glob("profiles.json.corrupt-*"))) == 1
    assert ProfileStore(path).profiles() == [Profile("good", "https://a.example")]


def test_last_profile_must_exist(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.json")
    with pytest.raises(KeyError, match="no profile named 'ghost'"):
        store.last_profile = "ghost"


def test_a_connection_makes_clients_for_its_profile(demo_server: DemoServerThread) -> None:
    connection = Connection(Profile("demo", demo_server.url, demo=True), demo_server.token)

    async def count() -> int | None:
        async with connection.client(timeout=10.0) as client:
            assert client.base_url == demo_server.url.rstrip("/")
            return await client.count(CdrQuery({"type": ("sms",)}))

    total = asyncio.run(count())
    assert total is not None
    assert 0 < total < 30_000
    assert demo_server.token not in repr(connection)
