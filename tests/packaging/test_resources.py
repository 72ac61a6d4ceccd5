"""Resources are found from anywhere, never relative to the current folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtSvg import QSvgRenderer

from cdrdesk.resources import ResourceNotFoundError, app_icon_path, resource_path, resources_root
from tests.packaging.helpers import CHECKOUT


def test_app_icon_is_found_from_another_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = app_icon_path()
    assert path.is_absolute()
    assert path == CHECKOUT / "resources" / "icons" / "cdrdesk.svg"
    assert QSvgRenderer(str(path)).isValid()


def test_missing_resource_is_named() -> None:
    with pytest.raises(ResourceNotFoundError, match=r"icons/absent\.svg"):
        resource_path("icons", "absent.svg")


def test_root_is_the_resources_folder() -> None:
    assert (resources_root() / "icons" / "cdrdesk.svg").is_file()
