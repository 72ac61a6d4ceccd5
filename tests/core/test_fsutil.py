"""Atomic writes leave either the old or the new file, never a mix."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdrdesk.fsutil import atomic_write_text, atomic_writer, move_aside


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "settings.json"
    atomic_write_text(target, "old")

    def write_half_then_fail() -> None:
        with atomic_writer(target, encoding="utf-8") as handle:
            handle.write("new, half")
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_half_then_fail()
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]


def test_a_successful_write_replaces_and_creates_folders(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "presets.json"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text(encoding="utf-8") == "two"


def test_move_aside_keeps_the_content_under_a_marked_name(tmp_path: Path) -> None:
    target = tmp_path / "presets.json"
    target.write_text("{broken", encoding="utf-8")
    moved = move_aside(target)
    assert not target.exists()
    assert moved.name.startswith("presets.json.corrupt-")
    assert moved.read_text(encoding="utf-8") == "{broken"
