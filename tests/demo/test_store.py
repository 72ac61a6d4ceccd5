"""The database file: built once, reused, never left half-built, old anchors cleared."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cdrdesk.api.query import CdrQuery
from cdrdesk.demo.data import DemoSpec
from cdrdesk.demo.store import DemoStore, ensure_database

ANCHOR = datetime(2026, 11, 1, 12, tzinfo=UTC)


def test_second_build_reuses_the_file(tmp_path: Path) -> None:
    spec = DemoSpec(3_000, 1, ANCHOR)
    path, built = ensure_database(spec, tmp_path)
    assert built
    modified = path.stat().st_mtime_ns
    started = time.perf_counter()
    again, built_again = ensure_database(spec, tmp_path)
    assert time.perf_counter() - started < 0.5
    assert (again, built_again) == (path, False)
    assert path.stat().st_mtime_ns == modified


def test_interrupted_build_leaves_nothing_behind(tmp_path: Path) -> None:
    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ensure_database(DemoSpec(30_000, 1, ANCHOR), tmp_path, interrupt)
    assert list(tmp_path.iterdir()) == []


def test_half_written_file_is_rebuilt(tmp_path: Path) -> None:
    spec = DemoSpec(1_000, 1, ANCHOR)
    path, _ = ensure_database(spec, tmp_path)
    path.write_bytes(b"not a database")
    again, built = ensure_database(spec, tmp_path)
    assert built
    store = DemoStore(again)
    try:
        assert len(store.page_at(CdrQuery(), 0, 5).bodies) == 5
    finally:
        store.close()


def test_databases_of_other_anchors_are_removed(tmp_path: Path) -> None:
    old, _ = ensure_database(DemoSpec(1_000, 1, ANCHOR), tmp_path)
    other_seed, _ = ensure_database(DemoSpec(1_000, 2, ANCHOR), tmp_path)
    new, _ = ensure_database(DemoSpec(1_000, 1, ANCHOR.replace(hour=13)), tmp_path)
    assert not old.exists()
    assert not other_seed.exists()
    assert new.exists()
