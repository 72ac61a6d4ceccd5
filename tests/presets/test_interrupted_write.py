"""A write cut short, by a full disk or a killed process, leaves the old file whole.

Both run the real store in a child process against a real file: one under a
file-size limit so the write fails halfway, one killed while it saves in a loop.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from cdrdesk.api.query import CdrQuery
from cdrdesk.api.timeranges import FilterState
from cdrdesk.presets.model import Preset
from cdrdesk.presets.store import PresetStore

ROOT = Path(__file__).resolve().parents[2]

WRITE_OVER_LIMIT = textwrap.dedent(
    """
    import resource, signal, sys
    from pathlib import Path
    from cdrdesk.presets import Preset, PresetStore, PresetStoreError

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    store = PresetStore(Path(sys.argv[1]))
    limit = store.path.stat().st_size + 4096
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    try:
        store.save(Preset("big", description="x" * 200_000))
    except PresetStoreError as exc:
        print("refused:", exc)
    print("names:", ",".join(store.names()))
    """
)

SAVE_FOREVER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from cdrdesk.presets import Preset, PresetStore

    store = PresetStore(Path(sys.argv[1]))
    for number in range(20_000):
        text = str(number % 10) * 300_000
        store.save(Preset("busy", description=text), overwrite=True)
        print(number, flush=True)
    """
)


def child(script: str, path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", script, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def test_write_failing_halfway_keeps_the_old_file(tmp_path):
    path = tmp_path / "presets.json"
    store = PresetStore(path)
    store.save(Preset("kept", FilterState(CdrQuery({"type": ("call",)}))))
    before = path.read_bytes()

    process = child(WRITE_OVER_LIMIT, path)
    out, err = process.communicate(timeout=60)

    assert process.returncode == 0, err
    assert "refused: Cannot save presets" in out
    assert "names: kept\n" in out
    assert path.read_bytes() == before
    assert [entry.name for entry in tmp_path.iterdir()] == ["presets.json"]


def test_killed_while_saving_leaves_a_whole_file(tmp_path):
    path = tmp_path / "presets.json"
    process = child(SAVE_FOREVER, path)
    try:
        assert process.stdout is not None
        for _ in range(25):
            line = process.stdout.readline()
            assert line, process.stderr.read() if process.stderr else "child ended early"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)

    data = json.loads(path.read_text(encoding="utf-8"))
    (entry,) = data["presets"]
    description = entry["description"]
    assert len(description) == 300_000
    assert set(description) == {description[0]}
    store = PresetStore(path)
    assert store.warnings == []
    assert store.names() == ["busy"]
