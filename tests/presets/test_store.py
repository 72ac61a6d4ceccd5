"""The presets file: changes, default, recovery from a bad file, newer versions, import/export."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cdrdesk.api.query import CdrQuery, RangeValue
from cdrdesk.api.timeranges import FilterState, RelativeRange
from cdrdesk.presets.model import Preset
from cdrdesk.presets.store import (
    PresetExists,
    PresetImportError,
    PresetNotFound,
    PresetsReadOnly,
    PresetStore,
    PresetStoreError,
    default_path,
)

FAILED = Preset(
    "Failed calls",
    FilterState(
        CdrQuery({"type": ("call",), "disposition": ("failed", "busy")}),
        {"started_at": RelativeRange.LAST_7_DAYS},
    ),
    columns=("started_at", "from_phone_number", "disposition"),
    description="Calls that did not connect",
)
LONG = Preset("Long talks", FilterState(CdrQuery({"talk_duration": RangeValue(gte=600)})))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "presets.json"


def stored(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_default_location_is_the_user_config_folder():
    assert default_path().name == "presets.json"
    assert default_path().parent.name == "cdrdesk"
    assert PresetStore().path == default_path()


def test_missing_file_is_an_empty_store_and_nothing_is_written(path):
    store = PresetStore(path)
    assert store.list() == []
    assert store.default is None
    assert store.warnings == []
    assert not path.exists()


def test_save_get_list_and_reload(path):
    store = PresetStore(path)
    store.save(FAILED)
    store.save(LONG)

    again = PresetStore(path)
    assert again.names() == ["Failed calls", "Long talks"]
    assert again.get("Failed calls") == FAILED
    assert again.get("nothing") is None
    assert stored(path)["format"] == "cdrdesk-presets"
    assert stored(path)["version"] == 1


def test_save_refuses_a_taken_name_unless_overwrite(path):
    store = PresetStore(path)
    store.save(FAILED)
    changed = Preset("Failed calls", FilterState(CdrQuery({"type": ("sms",)})))

    with pytest.raises(PresetExists, match="Failed calls"):
        store.save(changed)
    assert PresetStore(path).get("Failed calls") == FAILED

    store.save(changed, overwrite=True)
    assert PresetStore(path).get("Failed calls") == changed


def test_rename_keeps_order_and_moves_the_default(path):
    store = PresetStore(path)
    store.save(FAILED)
    store.save(LONG)
    store.default = "Failed calls"

    renamed = store.rename("Failed calls", "Failures")

    again = PresetStore(path)
    assert again.names() == ["Failures", "Long talks"]
    assert again.default == "Failures"
    assert again.get("Failures") == renamed
    assert renamed.state == FAILED.state
    with pytest.raises(PresetExists):
        store.rename("Failures", "Long talks")
    with pytest.raises(PresetNotFound, match="Nope"):
        store.rename("Nope", "x")
    with pytest.raises(ValueError, match="needs a name"):
        store.rename("Failures", " ")


def test_duplicate_and_delete(path):
    store = PresetStore(path)
    store.save(FAILED)
    store.default = "Failed calls"

    copy = store.duplicate("Failed calls")
    named = store.duplicate("Failed calls", "Failed, mine")
    assert copy.name == "Failed calls (2)"
    assert named.state == FAILED.state
    with pytest.raises(PresetExists):
        store.duplicate("Failed calls", "Failed calls (2)")

    store.delete("Failed calls")
    again = PresetStore(path)
    assert again.names() == ["Failed calls (2)", "Failed, mine"]
    assert again.default is None
    with pytest.raises(PresetNotFound):
        store.delete("Failed calls")


def test_default_is_persisted_and_must_exist(path):
    store = PresetStore(path)
    store.save(LONG)
    with pytest.raises(PresetNotFound):
        store.default = "missing"
    store.default = "Long talks"
    assert PresetStore(path).default_preset() == LONG
    store.default = None
    assert PresetStore(path).default is None


def test_corrupt_file_is_moved_aside_and_the_store_goes_on(path):
    path.parent.mkdir(parents=True)
    path.write_text('{"format": "cdrdesk-presets", "version": 1, "presets": [', encoding="utf-8")

    store = PresetStore(path)

    assert store.list() == []
    (aside,) = path.parent.glob("presets.json.corrupt-*")
    assert aside.read_text(encoding="utf-8").endswith('"presets": [')
    assert not path.exists()
    assert len(store.warnings) == 1
    assert aside.name in store.warnings[0]
    assert "not valid JSON" in store.warnings[0]

    store.save(LONG)
    assert PresetStore(path).list() == [LONG]
    assert PresetStore(path).warnings == []


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b"[]", "not a JSON object"),
        (b'{"format": "something-else", "version": 1}', "format"),
        (b'{"format": "cdrdesk-presets", "version": "one"}', "version"),
        (b'{"format": "cdrdesk-presets", "version": 1, "presets": {}}', "not a list"),
        (b"", "not valid JSON"),
    ],
)
def test_every_kind_of_unusable_file_is_moved_aside(path, content, complaint):
    path.parent.mkdir(parents=True)
    path.write_bytes(content)

    store = PresetStore(path)

    (aside,) = path.parent.glob("presets.json.corrupt-*")
    assert aside.read_bytes() == content
    assert complaint in store.warnings[0]
    store.save(FAILED)
    assert PresetStore(path).get("Failed calls") == FAILED


def test_unreadable_preset_entries_are_kept_in_the_file(path):
    path.parent.mkdir(parents=True)
    broken = {"name": "broken", "filters": "type=call"}
    path.write_text(
        json.dumps(
            {
                "format": "cdrdesk-presets",
                "version": 1,
                "default": None,
                "presets": [broken, 42, {"name": "ok", "filters": [["type", "sms"]]}],
                "sort": {"by": "started_at"},
            }
        ),
        encoding="utf-8",
    )

    store = PresetStore(path)
    assert store.names() == ["ok"]
    assert len(store.warnings) == 2
    assert "Preset number 1" in store.warnings[0]
    assert "Preset number 2" in store.warnings[1]

    store.save(LONG)
    data = stored(path)
    assert broken in data["presets"]
    assert 42 in data["presets"]
    assert data["sort"] == {"by": "started_at"}
    assert PresetStore(path).names() == ["ok", "Long talks"]


def test_duplicate_names_in_the_file_are_renamed_not_dropped(path):
    path.parent.mkdir(parents=True)
    entries = [{"name": "Same", "filters": [["type", t]]} for t in ("call", "sms")]
    document = {"format": "cdrdesk-presets", "version": 1, "default": "Gone", "presets": entries}
    path.write_text(json.dumps(document), encoding="utf-8")

    store = PresetStore(path)

    assert store.names() == ["Same", "Same (2)"]
    assert store.get("Same (2)").state.query == CdrQuery({"type": ("sms",)})
    assert store.default is None
    assert any("'Gone'" in warning for warning in store.warnings)


def newer_file(path: Path) -> bytes:
    document = {
        "format": "cdrdesk-presets",
        "version": 2,
        "default": "Future",
        "presets": [
            {
                "name": "Future",
                "filters": [["type", "call"], ["sentiment", "negative"]],
                "relative": {"started_at": "last_7_days"},
                "folder": "Team A",
            }
        ],
        "folders": ["Team A"],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    content = json.dumps(document, indent=2).encode()
    path.write_bytes(content)
    return content


def test_newer_version_is_read_but_never_overwritten(path, tmp_path):
    content = newer_file(path)
    before = os.stat(path).st_mtime_ns

    store = PresetStore(path)

    assert store.read_only
    assert any("newer version" in warning for warning in store.warnings)
    future = store.get("Future")
    assert future is not None
    assert future.state.query == CdrQuery({"type": ("call",)})
    assert future.state.relative == {"started_at": RelativeRange.LAST_7_DAYS}
    assert future.unknown_filters == (("sentiment", "negative"),)
    assert store.default == "Future"

    other = tmp_path / "other.json"
    PresetStore(other).save(LONG)
    for change in (
        lambda: store.save(LONG),
        lambda: store.save(future, overwrite=True),
        lambda: store.rename("Future", "Past"),
        lambda: store.duplicate("Future"),
        lambda: store.delete("Future"),
        lambda: setattr(store, "default", None),
        lambda: store.import_file(other),
    ):
        with pytest.raises(PresetsReadOnly, match="newer version"):
            change()
    assert path.read_bytes() == content
    assert os.stat(path).st_mtime_ns == before
    assert store.names() == ["Future"]

    copy = tmp_path / "elsewhere" / "copy.json"
    store.export_file(copy)
    exported = PresetStore(copy).get("Future")
    assert exported is not None
    assert exported.unknown_filters == (("sentiment", "negative"),)
    assert stored(copy)["presets"][0]["folder"] == "Team A"


def test_failed_write_leaves_memory_as_on_disk(path):
    store = PresetStore(path)
    store.save(LONG)
    store.default = "Long talks"
    # Something else put a folder where the file was: the rename onto it fails.
    path.unlink()
    (path / "in-the-way").mkdir(parents=True)

    with pytest.raises(PresetStoreError, match="Cannot save presets"):
        store.save(FAILED)
    with pytest.raises(PresetStoreError):
        store.delete("Long talks")

    assert store.names() == ["Long talks"]
    assert store.default == "Long talks"
    assert sorted(entry.name for entry in path.parent.iterdir()) == ["presets.json"]


def test_export_and_import_round_trip(path, tmp_path):
    store = PresetStore(path)
    store.save(FAILED)
    store.save(LONG)
    exported = tmp_path / "shared" / "team-presets.json"
    store.export_file(exported, ["Failed calls"])
    assert [p["name"] for p in stored(exported)["presets"]] == ["Failed calls"]

    other = PresetStore(tmp_path / "other" / "presets.json")
    report = other.import_file(exported)

    assert report.added == ["Failed calls"]
    assert report.renamed == {}
    assert other.get("Failed calls") == FAILED
    assert PresetStore(other.path).get("Failed calls") == FAILED
    assert "1 preset imported" in report.summary()


def test_import_skips_identical_and_renames_clashing_presets(path, tmp_path):
    store = PresetStore(path)
    store.save(FAILED)
    store.save(LONG)
    exported = tmp_path / "all.json"
    store.export_file(exported)

    store.save(Preset("Long talks", description="mine, changed"), overwrite=True)
    report = store.import_file(exported)

    assert report.unchanged == ["Failed calls"]
    assert report.added == ["Long talks (2)"]
    assert report.renamed == {"Long talks": "Long talks (2)"}
    assert "'Long talks' was imported as 'Long talks (2)'" in report.summary()
    again = PresetStore(path)
    assert again.names() == ["Failed calls", "Long talks", "Long talks (2)"]
    assert again.get("Long talks").description == "mine, changed"
    assert again.get("Long talks (2)").state == LONG.state


def test_import_reports_unknown_filters_and_keeps_them(path, tmp_path):
    source = tmp_path / "future.json"
    newer_file(source)
    store = PresetStore(path)

    report = store.import_file(source)

    assert report.added == ["Future"]
    assert any("newer version" in line for line in report.problems)
    assert any("sentiment" in line for line in report.problems)
    assert PresetStore(path).get("Future").unknown_filters == (("sentiment", "negative"),)
    assert not store.read_only


def test_bad_import_file_leaves_the_store_alone(path, tmp_path):
    store = PresetStore(path)
    store.save(LONG)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")

    with pytest.raises(PresetImportError, match=r"bad\.json: not valid JSON"):
        store.import_file(bad)
    with pytest.raises(PresetImportError, match=r"missing\.json"):
        store.import_file(tmp_path / "missing.json")
    assert bad.read_text(encoding="utf-8") == "{not json"
    assert PresetStore(path).list() == [LONG]


def test_export_of_unknown_name_writes_nothing(path, tmp_path):
    store = PresetStore(path)
    store.save(LONG)
    target = tmp_path / "out.json"
    with pytest.raises(PresetNotFound, match="Nope"):
        store.export_file(target, ["Long talks", "Nope"])
    assert not target.exists()


def test_writes_leave_no_temporary_files(path):
    store = PresetStore(path)
    for number in range(5):
        store.save(Preset(f"p{number}"))
    store.rename("p0", "first")
    store.delete("p1")
    assert sorted(entry.name for entry in path.parent.iterdir()) == ["presets.json"]
