"""The small dialogs of presets: a name, a yes/no question and a non-blocking notice.

Questions are modal because the answer decides what happens next; notices
(store warnings, import reports) are not, so they never stop the user or
the event loop. Every dialog has an object name, so it can be found and
answered like any other widget.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

NAME_DIALOG = "preset_name_dialog"
CONFIRM_DIALOG = "preset_confirm_dialog"
NOTICE_DIALOG = "preset_notice"


def ask_name(parent: QWidget, title: str, label: str, text: str = "") -> str | None:
    """A preset name typed by the user, stripped; None when cancelled or left empty."""
    dialog = QInputDialog(parent)
    dialog.setObjectName(NAME_DIALOG)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setInputMode(QInputDialog.InputMode.TextInput)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
    dialog.setTextValue(text)
    accepted = dialog.exec() == QInputDialog.DialogCode.Accepted
    name = dialog.textValue().strip()
    dialog.deleteLater()
    return name if accepted and name else None


def confirm(parent: QWidget, title: str, text: str, action: str) -> bool:
    """True when the user presses the button named ``action`` (Cancel is the default)."""
    box = QMessageBox(parent)
    box.setObjectName(CONFIRM_DIALOG)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    yes.setObjectName("confirm_yes")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    chosen = box.clickedButton() is yes
    box.deleteLater()
    return chosen


def show_notice(
    parent: QWidget,
    title: str,
    text: str,
    *,
    warning: bool = False,
    details: str = "",
    action: tuple[str, Callable[[], object]] | None = None,
) -> QMessageBox:
    """A non-modal message; ``action`` adds a button (label, what it does)."""
    box = QMessageBox(parent)
    box.setObjectName(NOTICE_DIALOG)
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setIcon(QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information)
    box.setWindowTitle(title)
    box.setText(text)
    if details:
        box.setInformativeText(details)
    if action is not None:
        label, run = action
        button = box.addButton(label, QMessageBox.ButtonRole.ActionRole)
        button.setObjectName("notice_action")
        button.clicked.connect(lambda: run())
    box.addButton(QMessageBox.StandardButton.Close)
    box.show()
    return box
