"""Help > About names the version, licence, project and toolkit versions."""

from __future__ import annotations

import PySide6
import pytest
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QApplication

from cdrdesk import __version__
from cdrdesk.ui.about import PROJECT_URL, about_box, about_text
from tests.packaging.helpers import CHECKOUT


def test_about_text_names_versions_licence_and_project() -> None:
    text = about_text()
    for expected in (__version__, "MIT", qVersion(), PySide6.__version__, PROJECT_URL):
        assert expected in text


@pytest.mark.usefixtures("qapp")
def test_about_box_shows_the_text_and_the_icon() -> None:
    box = about_box(None)
    assert box.text() == about_text()
    assert not box.iconPixmap().isNull()
    box.deleteLater()
    QApplication.processEvents()


def test_licence_file_is_mit_for_the_project() -> None:
    text = (CHECKOUT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "The cdrdesk developers" in text
    assert "Permission is hereby granted, free of charge" in text
