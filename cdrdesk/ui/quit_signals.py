"""SIGINT and SIGTERM end the window the way closing it does.

Python runs a signal handler only when the interpreter gets control, which
Qt's event loop does not give it while it waits. ``signal.set_wakeup_fd``
writes a byte to a socket when a signal arrives, and a ``QSocketNotifier``
on the other end wakes the loop, so the handler runs at once.
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier

HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class QuitOnSignals(QObject):
    """Calls ``on_signal`` on the GUI thread when SIGINT or SIGTERM arrives."""

    def __init__(self, on_signal: Callable[[], object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._receiver, self._sender = socket.socketpair()
        self._receiver.setblocking(False)
        self._sender.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._sender.fileno())
        self._notifier = QSocketNotifier(self._receiver.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        self._previous = {
            sig: signal.signal(sig, lambda *_: on_signal()) for sig in HANDLED_SIGNALS
        }

    def _drain(self) -> None:
        try:
            while self._receiver.recv(64):
                pass
        except BlockingIOError:
            pass

    def restore(self) -> None:
        """Give the signals and the wake-up descriptor back to what they were."""
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._notifier.setEnabled(False)
        self._receiver.close()
        self._sender.close()
