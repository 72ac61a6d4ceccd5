"""Help > About: what this is, which version, under which licence."""

from __future__ import annotations

import platform
from html import escape

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from cdrdesk import __version__
from cdrdesk.logs import log_path
from cdrdesk.ui.icons import app_icon

PROJECT_URL = "https://github.com/cdrdesk/cdrdesk"
LICENSE_NAME = "MIT"
COPYRIGHT = "Copyright © The cdrdesk developers"


def about_text() -> str:
    """The dialog's rich text, kept separate so it can be checked without a dialog."""
    rows = (
        ("Version", __version__),
        ("Licence", LICENSE_NAME),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("Python", platform.python_version()),
        ("Log file", str(log_path())),
    )
    table = "".join(
        f"<tr><td>{escape(name)}:&nbsp;</td><td>{escape(value)}</td></tr>" for name, value in rows
    )
    return (
        f"<h3>cdrdesk {escape(__version__)}</h3>"
        "<p>Desktop review of contact-centre Call Detail Records.</p>"
        f"<table>{table}</table>"
        f'<p><a href="{PROJECT_URL}">{PROJECT_URL}</a></p>'
        f"<p>{escape(COPYRIGHT)}. Released under the {LICENSE_NAME} licence.</p>"
    )


def about_box(parent: QWidget | None) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName("about_dialog")
    box.setWindowTitle("About cdrdesk")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    box.setText(about_text())
    box.setIconPixmap(app_icon().pixmap(64, 64))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box


def show_about(parent: QWidget | None) -> None:
    """Show the About box, modal to ``parent``."""
    about_box(parent).exec()
