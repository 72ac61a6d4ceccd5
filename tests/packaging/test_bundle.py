"""The PyInstaller bundle builds and runs (slow: about a minute to build)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from tests.packaging.helpers import CHECKOUT, PACKAGING, run

pytestmark = pytest.mark.slow


def test_bundle_builds_and_passes_the_bundle_check(tmp_path: Path) -> None:
    if importlib.util.find_spec("PyInstaller") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PyInstaller is not installed: pip install -e '.[bundle]'")
        pytest.skip("PyInstaller is not installed (pip install -e '.[bundle]')")
    dist = tmp_path / "dist"
    build = run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(tmp_path / "work"),
            str(PACKAGING / "pyinstaller" / "cdrdesk.spec"),
        ],
        cwd=CHECKOUT,
        timeout=1200,
    )
    assert build.returncode == 0, build.stderr[-4000:]
    bundle = dist / "cdrdesk"
    assert (bundle / "_internal" / "cdrdesk" / "resources" / "icons" / "cdrdesk.svg").is_file()
    assert not list(bundle.rglob("*QtWebEngine*"))
    assert not list(bundle.rglob("libQt6Quick.so*"))
    check = run(
        [sys.executable, str(PACKAGING / "bundle_check.py"), str(bundle / "cdrdesk")],
        cwd=tmp_path,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        timeout=900,
    )
    assert check.returncode == 0, check.stdout + check.stderr
