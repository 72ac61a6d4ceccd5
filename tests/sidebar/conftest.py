"""A shown filter sidebar in UTC, and helpers that drive its real widgets."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QDate, QDateTime, QPoint, Qt, QTime, QTimeZone
from PySide6.QtWidgets import QAbstractButton, QComboBox, QDateTimeEdit, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from cdrdesk.ui.sidebar import FilterSidebar


@pytest.fixture
def sidebar(qtbot: QtBot) -> FilterSidebar:
    widget = FilterSidebar(display_zone="UTC")
    qtbot.addWidget(widget)
    widget.resize(360, 900)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def type_and_enter(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def choose(combo: QComboBox, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, f"{combo.objectName()} has no item {text!r}"
    combo.setCurrentIndex(index)


def set_wall_time(edit: QDateTimeEdit, moment: datetime) -> None:
    """What a user typing this date and time into the field does."""
    edit.setDateTime(
        QDateTime(
            QDate(moment.year, moment.month, moment.day),
            QTime(moment.hour, moment.minute, moment.second),
            QTimeZone(QTimeZone.Initialization.UTC),
        )
    )


def click_box(qtbot: QtBot, box: QWidget) -> None:
    """Click a check box on its indicator (the middle of a wide box is not on it)."""
    assert isinstance(box, QAbstractButton)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
