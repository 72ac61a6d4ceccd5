"""Unhandled exceptions are logged, reported on the GUI thread, and survived."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from cdrdesk import logs
from cdrdesk.ui.crash import CrashReporter, install_excepthook

TOKEN = "tok_crash_0123456789abcdef"


@pytest.fixture
def log_file() -> Iterator[Path]:
    root = logging.getLogger()
    level = root.level
    path = logs.setup_logging()
    assert path is not None
    logs.register_secret(TOKEN)
    yield path
    logs.shutdown_logging()
    logs.unregister_secret(TOKEN)
    root.setLevel(level)
    for old in path.parent.glob(f"{path.name}*"):
        old.unlink()


@pytest.fixture
def reporter(qapp: QApplication, log_file: Path) -> Iterator[CrashReporter]:
    installed = install_excepthook(None, show_dialogs=False)
    yield installed
    installed.uninstall()
    shiboken6.delete(installed)


@pytest.fixture
def dialog_reporter(qapp: QApplication, log_file: Path) -> Iterator[CrashReporter]:
    installed = install_excepthook(lambda: None, show_dialogs=True)
    yield installed
    installed.uninstall()
    if installed.dialog is not None:
        installed.dialog.done(0)
    shiboken6.delete(installed)


def raise_in_slot(message: str) -> None:
    def slot() -> None:
        raise ValueError(message)

    QTimer.singleShot(0, slot)


def log_text(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_exception_in_a_slot_is_logged_and_the_app_keeps_running(
    qtbot: QtBot, reporter: CrashReporter, log_file: Path
) -> None:
    with qtbot.waitSignal(reporter.reported, timeout=5000) as blocker:
        raise_in_slot(f"boom in slot with {TOKEN}")
    assert blocker.args == ["ValueError: boom in slot with ***"]

    text = log_text(log_file)
    assert "CRITICAL cdrdesk.ui.crash" in text
    assert "Unhandled exception" in text
    assert "Traceback (most recent call last)" in text
    assert "ValueError: boom in slot with ***" in text
    assert TOKEN not in text

    # Still alive: the event loop runs the next event, and the hook stays installed.
    with qtbot.waitSignal(reporter.reported, timeout=5000):
        raise_in_slot("second failure")
    assert "second failure" in log_text(log_file)


def test_exception_in_a_worker_thread_is_reported_on_the_gui_thread(
    qtbot: QtBot, reporter: CrashReporter, log_file: Path, qapp: QApplication
) -> None:
    threads: list[QThread] = []
    reporter.reported.connect(lambda _summary: threads.append(QThread.currentThread()))

    def work() -> None:
        raise OSError("worker lost its socket")

    with qtbot.waitSignal(reporter.reported, timeout=5000) as blocker:
        worker = threading.Thread(target=work, name="page-worker")
        worker.start()
    worker.join()
    assert blocker.args == ["OSError: worker lost its socket"]
    assert threads == [qapp.thread()]
    text = log_text(log_file)
    assert "Unhandled exception in thread page-worker" in text
    assert "OSError: worker lost its socket" in text


# The offscreen platform warns that it cannot resize a shown dialog; that is all.
@pytest.mark.qt_log_ignore("does not support propagateSizeHints")
def test_dialog_is_shown_once_redacted_and_counts_later_errors(
    qtbot: QtBot, dialog_reporter: CrashReporter, log_file: Path
) -> None:
    with qtbot.waitSignal(dialog_reporter.reported, timeout=5000):
        raise_in_slot(f"first {TOKEN}")
    dialog = dialog_reporter.dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert "ValueError: first ***" in dialog.text()
    assert TOKEN not in dialog.text() + dialog.detailedText() + dialog.informativeText()
    assert str(log_file) in dialog.informativeText()

    with qtbot.waitSignal(dialog_reporter.reported, timeout=5000):
        raise_in_slot("second")
    assert dialog_reporter.dialog is dialog  # no second dialog stacked on the first
    assert "1 more error(s)" in dialog.informativeText()

    dialog.done(0)
    qtbot.waitUntil(lambda: dialog_reporter.dialog is None)


def test_environment_variable_suppresses_dialogs(
    qtbot: QtBot, qapp: QApplication, log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CDRDESK_NO_CRASH_DIALOG", "1")
    installed = install_excepthook()
    try:
        with qtbot.waitSignal(installed.reported, timeout=5000):
            raise_in_slot("quiet")
        assert installed.dialog is None
    finally:
        installed.uninstall()
        shiboken6.delete(installed)


def test_a_failing_report_is_logged_once_and_does_not_loop(
    qtbot: QtBot, qapp: QApplication, log_file: Path
) -> None:
    def broken_parent() -> None:
        raise RuntimeError("no window to show the dialog over")

    installed = install_excepthook(broken_parent, show_dialogs=True)
    try:
        with qtbot.waitSignal(installed.reported, timeout=5000):
            raise_in_slot("original failure")
        # A looping report would already have queued its next round: deliver it.
        for _ in range(3):
            qapp.processEvents()
        text = log_text(log_file)
        assert text.count("Unhandled exception") == 1
        assert "Could not show the error dialog" in text
        assert "RuntimeError: no window to show the dialog over" in text
        assert installed.dialog is None
    finally:
        installed.uninstall()
        shiboken6.delete(installed)
