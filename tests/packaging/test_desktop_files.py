"""The Linux launcher and AppStream metadata: valid, consistent, installable."""

from __future__ import annotations

import configparser
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from cdrdesk import __version__
from tests.packaging.helpers import (
    APP_ID,
    CHECKOUT,
    DESKTOP_FILE,
    HICOLOR_SIZES,
    METAINFO_FILE,
    PACKAGING,
    require_tool,
    run,
)


def desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_file_passes_desktop_file_validate() -> None:
    tool = require_tool("desktop-file-validate")
    result = run([tool, str(DESKTOP_FILE)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "", result.stdout  # no warnings or hints either


def test_metainfo_passes_appstreamcli_validate() -> None:
    tool = require_tool("appstreamcli")
    result = run([tool, "validate", "--no-net", "--pedantic", str(METAINFO_FILE)])
    assert result.returncode == 0, result.stdout + result.stderr
    # Errors and warnings fail the check; infos/pedantic hints are tolerated.
    assert "\nE: " not in "\n" + result.stdout, result.stdout
    assert "\nW: " not in "\n" + result.stdout, result.stdout


def test_metainfo_agrees_with_the_desktop_file_and_the_package() -> None:
    root = ET.parse(METAINFO_FILE).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == "MIT"
    assert root.findtext("launchable") == DESKTOP_FILE.name
    releases = [release.get("version") for release in root.iter("release")]
    assert __version__ in releases
    screenshot = root.findtext("screenshots/screenshot/image") or ""
    assert screenshot.startswith("https://")
    assert screenshot.endswith("/resources/screenshots/main-window.png")
    assert (CHECKOUT / "resources" / "screenshots" / "main-window.png").is_file()
    assert root.find("content_rating") is not None

    entry = desktop_entry(DESKTOP_FILE)
    assert entry["Icon"] == APP_ID
    assert entry["Exec"].split()[0] == "cdrdesk-gui"
    assert "x-scheme-handler/cdrdesk;" in entry["MimeType"]


def test_install_desktop_puts_every_file_in_the_users_data_folder(tmp_path: Path) -> None:
    make = require_tool("make")
    data = tmp_path / "data"
    stamp = tmp_path / "venv-stamp"
    stamp.touch()
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, XDG_DATA_HOME=str(data))
    result = run(
        [
            make,
            "-f",
            str(PACKAGING / "Makefile.inc"),
            "install-desktop",
            f"BIN={bin_dir}",
            f"STAMP={stamp}",
            f"ICON_OUT={tmp_path / 'icons'}",
        ],
        cwd=CHECKOUT,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    launcher = data / "applications" / f"{APP_ID}.desktop"
    assert desktop_entry(launcher)["Exec"] == f"{bin_dir}/cdrdesk-gui %u"
    assert (data / "metainfo" / f"{APP_ID}.metainfo.xml").read_bytes() == (
        METAINFO_FILE.read_bytes()
    )
    for size in HICOLOR_SIZES:
        assert (data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
    scalable = data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == (CHECKOUT / "resources" / "icons" / "cdrdesk.svg").read_bytes()
    validate = run([require_tool("desktop-file-validate"), str(launcher)])
    assert validate.returncode == 0, validate.stdout
