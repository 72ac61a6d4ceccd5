"""A real ``pip install`` of the checkout works away from the checkout (slow)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from cdrdesk import __version__
from tests.packaging.helpers import CHECKOUT, run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("install") / "venv"
    created = run([sys.executable, "-m", "venv", str(venv)])
    assert created.returncode == 0, created.stderr
    installed = run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(CHECKOUT)],
        timeout=900,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return venv


def outside_env(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["CDRDESK_NO_CRASH_DIALOG"] = "1"
    for variable in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        env[variable] = str(tmp_path / variable.lower())
    return env


def test_installed_command_reports_its_version(installed_venv: Path, tmp_path: Path) -> None:
    result = run([str(installed_venv / "bin" / "cdrdesk"), "--version"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"cdrdesk {__version__}"


def test_icon_resource_is_inside_the_installed_package(
    installed_venv: Path, tmp_path: Path
) -> None:
    script = (
        "import cdrdesk, cdrdesk.resources as r; print(cdrdesk.__file__); print(r.app_icon_path())"
    )
    result = run(
        [str(installed_venv / "bin" / "python"), "-c", script],
        cwd=tmp_path,
        env=outside_env(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    package_file, icon = (Path(line) for line in result.stdout.split())
    assert installed_venv in package_file.parents  # not the checkout
    assert icon == package_file.parent / "resources" / "icons" / "cdrdesk.svg"
    assert icon.read_bytes() == (CHECKOUT / "resources" / "icons" / "cdrdesk.svg").read_bytes()


def test_installed_window_passes_its_self_check(installed_venv: Path, tmp_path: Path) -> None:
    result = run(
        [str(installed_venv / "bin" / "cdrdesk"), "--demo", "--records", "2000", "--self-check"],
        cwd=tmp_path,
        env=outside_env(tmp_path),
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-check ok" in result.stdout
