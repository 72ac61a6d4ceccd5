"""The "Loading…" mark shows only for loads that last."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from cdrdesk.ui.busy_mark import BusyMark

DELAY_MS = 80


def shown_parent(qtbot: QtBot) -> tuple[QWidget, QLabel]:
    parent = QWidget()
    qtbot.addWidget(parent)
    label = QLabel("Loading…", parent)
    parent.show()
    return parent, label


def test_a_short_load_never_shows_the_mark(qtbot: QtBot) -> None:
    _parent, label = shown_parent(qtbot)
    mark = BusyMark(label, delay_ms=DELAY_MS)
    assert label.isHidden()
    mark.set_busy(True)
    assert mark.is_busy
    mark.set_busy(False)
    qtbot.wait(2 * DELAY_MS)
    assert label.isHidden()
    assert not mark.is_busy


def test_a_long_load_shows_the_mark_after_the_delay_until_it_ends(qtbot: QtBot) -> None:
    _parent, label = shown_parent(qtbot)
    calls: list[bool] = []
    mark = BusyMark(label, delay_ms=DELAY_MS, before_show=lambda: calls.append(label.isHidden()))
    started = time.monotonic()
    mark.set_busy(True)
    assert label.isHidden()
    qtbot.waitUntil(label.isVisible, timeout=20 * DELAY_MS)
    assert time.monotonic() - started >= DELAY_MS / 1000 * 0.9
    assert calls == [True]  # placed before it shows
    mark.set_busy(False)
    assert label.isHidden()


def test_busy_again_does_not_restart_the_wait(qtbot: QtBot) -> None:
    _parent, label = shown_parent(qtbot)
    mark = BusyMark(label, delay_ms=2 * DELAY_MS)
    mark.set_busy(True)
    deadline = time.monotonic() + 20 * DELAY_MS / 1000
    while label.isHidden() and time.monotonic() < deadline:
        mark.set_busy(True)  # as a load that goes from page to page says, more often than the delay
        qtbot.wait(DELAY_MS // 4)
    assert label.isVisible()
