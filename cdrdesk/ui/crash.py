"""Unhandled exceptions: log the traceback, tell the user, keep running.

``sys.excepthook`` catches exceptions escaping Qt slots and event handlers on
the GUI thread; ``threading.excepthook`` those escaping worker threads. Both
write the full traceback to the log (through the redacting filter) and ask the
GUI thread, through a queued signal, to show a short message with the log
file's location. The dialog is never built on another thread, at most one is
open at a time (later errors only raise its count), and an error raised while
an error is being handled or shown is logged or written to stderr instead of
being handled again, so a failing report cannot loop.

Dialogs are suppressed with ``show_dialogs=False`` or by setting the
environment variable ``CDRDESK_NO_CRASH_DIALOG=1`` (tests, unattended runs).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from cdrdesk.logs import log_path, redact

NO_DIALOG_ENV = "CDRDESK_NO_CRASH_DIALOG"
SUMMARY_LIMIT = 300

logger = logging.getLogger(__name__)

ParentGetter = Callable[[], QWidget | None]
ExcHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def summarize(error: BaseException) -> str:
    """One redacted line naming the exception, short enough for a dialog."""
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    text = redact(" ".join(text.split()))
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 1] + "…"


class CrashReporter(QObject):
    """The installed hooks; ``uninstall()`` puts the previous ones back."""

    _crashed = Signal(str, str)  # summary, redacted traceback: crosses threads queued
    reported = Signal(str)  # summary, on the GUI thread once the error is logged and shown

    def __init__(self, parent_getter: ParentGetter, show_dialogs: bool) -> None:
        super().__init__()
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("install_excepthook needs a QApplication")
        self.moveToThread(app.thread())
        self.setParent(app)
        self._parent_getter = parent_getter
        self._show_dialogs = show_dialogs
        self._handling = threading.local()
        self._box: QMessageBox | None = None
        self._unseen = 0
        self._previous_hook: ExcHook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self._crashed.connect(self._report, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread

    def uninstall(self) -> None:
        if sys.excepthook == self.handle:
            sys.excepthook = self._previous_hook
        if threading.excepthook == self._handle_thread:
            threading.excepthook = self._previous_thread_hook

    def handle(
        self,
        exc_type: type[BaseException],
        error: BaseException,
        tb: TracebackType | None,
        thread_name: str | None = None,
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_hook(exc_type, error, tb)
            return
        if getattr(self._handling, "active", False):
            # The handler itself failed: say so plainly and stop here.
            if sys.__stderr__ is not None:
                text = "".join(traceback.format_exception(exc_type, error, tb))
                sys.__stderr__.write(redact(text))
            return
        self._handling.active = True
        try:
            where = f" in thread {thread_name}" if thread_name else ""
            logger.critical("Unhandled exception%s", where, exc_info=(exc_type, error, tb))
            details = redact("".join(traceback.format_exception(exc_type, error, tb)))
            if shiboken6.isValid(self):  # after the QApplication is gone, the log is all
                self._crashed.emit(summarize(error), details)
        finally:
            self._handling.active = False

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else None
        self.handle(args.exc_type, args.exc_value, args.exc_traceback, name)

    @Slot(str, str)
    def _report(self, summary: str, details: str) -> None:
        try:
            if self._show_dialogs:
                self._show(summary, details)
        except Exception:
            # Re-raising would bring this very error back here, in a loop.
            logger.exception("Could not show the error dialog")
        finally:
            self.reported.emit(summary)

    def _show(self, summary: str, details: str) -> None:
        if self._box is not None:
            self._unseen += 1
            self._box.setInformativeText(self._informative_text())
            return
        self._unseen = 0
        parent = self._parent_getter()
        if parent is not None and not shiboken6.isValid(parent):
            parent = None  # the window has already been destroyed
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("cdrdesk: unexpected error")
        box.setText(f"Something went wrong, but cdrdesk keeps running.\n\n{summary}")
        box.setInformativeText(self._informative_text())
        box.setDetailedText(details)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(self._dialog_closed)
        self._box = box
        box.open()

    def _informative_text(self) -> str:
        text = f"The details are in the log file:\n{log_path()}"
        if self._unseen:
            text += f"\n\n{self._unseen} more error(s) since; see the log."
        return text

    @Slot()
    def _dialog_closed(self) -> None:
        self._box = None

    @property
    def dialog(self) -> QMessageBox | None:
        """The error dialog currently open, if any."""
        return self._box


def install_excepthook(
    parent: QWidget | ParentGetter | None = None, *, show_dialogs: bool | None = None
) -> CrashReporter:
    """Route unhandled exceptions to the log and a dialog over ``parent``.

    ``parent`` is the window (or a callable returning it, for a window made
    later). ``show_dialogs`` defaults to true unless ``CDRDESK_NO_CRASH_DIALOG``
    is set. Call it on the GUI thread once the QApplication exists.
    """
    if show_dialogs is None:
        show_dialogs = not os.environ.get(NO_DIALOG_ENV)
    if parent is None or isinstance(parent, QWidget):
        window = parent

        def parent_getter() -> QWidget | None:
            return window
    else:
        parent_getter = parent
    reporter = CrashReporter(parent_getter, show_dialogs)
    reporter.install()
    return reporter
