"""Where the application's data files (icons, screenshots) are.

An installed wheel carries the checkout's ``resources/`` folder as the package
data folder ``cdrdesk/resources``, and the PyInstaller bundle lays it out the
same way, so ``importlib.resources`` finds it in both. A run from the checkout
(editable install, ``python -m cdrdesk``) has no such folder inside the
package and uses the checkout's ``resources/`` beside it. Nothing here depends
on the current directory.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

PACKAGE = "cdrdesk"
PACKAGED_FOLDER = "resources"
APP_ICON = ("icons", "cdrdesk.svg")


class ResourceNotFoundError(FileNotFoundError):
    """A data file the application needs is missing from the installation."""


def _packaged_root() -> Path | None:
    root = importlib.resources.files(PACKAGE) / PACKAGED_FOLDER
    # Only a real folder is usable: Qt opens resources by file name.
    if isinstance(root, Path) and root.is_dir():
        return root
    return None


def _checkout_root() -> Path | None:
    checkout = Path(__file__).resolve().parent.parent
    root = checkout / PACKAGED_FOLDER
    if root.is_dir() and (checkout / "pyproject.toml").is_file():
        return root
    return None


def resources_root() -> Path:
    """The folder holding the application's resources, installed or in a checkout."""
    root = _packaged_root() or _checkout_root()
    if root is None:
        raise ResourceNotFoundError(
            f"the {PACKAGE} installation has no '{PACKAGED_FOLDER}' folder: "
            f"neither inside the package nor beside it in a source checkout"
        )
    return root


def resource_path(*parts: str) -> Path:
    """The path of one resource file, e.g. ``resource_path("icons", "cdrdesk.svg")``."""
    path = resources_root().joinpath(*parts)
    if not path.is_file():
        raise ResourceNotFoundError(f"resource '{'/'.join(parts)}' is missing from {path.parent}")
    return path


def app_icon_path() -> Path:
    """The scalable application icon."""
    return resource_path(*APP_ICON)
