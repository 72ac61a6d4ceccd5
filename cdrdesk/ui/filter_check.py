"""Asking the server about filter values only it can judge, before the table is cleared.

The sidebar checks every contract rule locally, except one it cannot know:
whether an enum value cdrdesk has never heard of is one the vendor added
since. A query with such a value is first sent as a count-only request
(``limit=0``); only when the server accepts it does the table drop its rows
for the new result, so a refused value costs the user nothing loaded.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from cdrdesk.api.errors import InvalidFilters
from cdrdesk.api.query import CdrQuery
from cdrdesk.connections.profiles import Connection
from cdrdesk.ui.loader import PageLoader


def needs_server_check(query: CdrQuery) -> bool:
    """True when only the server can tell whether ``query`` is valid (unknown enum values)."""
    return bool(query.validate().warnings)


class FilterCheck(QObject):
    """``passed(query)`` when the server takes the filters, ``refused(query, InvalidFilters)``.

    Any other failure (network, 5xx) also counts as passed: the table's own
    request will meet it and offer Retry.
    """

    passed = Signal(object)
    refused = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._loader = PageLoader(self)
        self._loader.pageReady.connect(self._answered)
        self._loader.pageFailed.connect(self._failed)
        self._serial = 0
        self._query: CdrQuery | None = None

    @property
    def pending(self) -> bool:
        return self._query is not None

    def set_connection(self, connection: Connection | None) -> None:
        self.cancel()
        self._loader.set_connection(connection)

    def check(self, query: CdrQuery) -> None:
        """Ask about ``query``; an earlier question still open is dropped."""
        self.cancel()
        self._serial += 1
        self._query = query
        self._loader.request_page(self._serial, query, limit=0)

    def cancel(self) -> None:
        if self._query is not None:
            self._loader.cancel(self._serial)
            self._query = None

    def shutdown(self) -> None:
        self._query = None
        self._loader.shutdown()

    def _take(self, serial: int) -> CdrQuery | None:
        if serial != self._serial or self._query is None:
            return None
        query, self._query = self._query, None
        return query

    def _answered(self, serial: int, _page: object) -> None:
        query = self._take(serial)
        if query is not None:
            self.passed.emit(query)

    def _failed(self, serial: int, error: object) -> None:
        query = self._take(serial)
        if query is None:
            return
        if isinstance(error, InvalidFilters):
            self.refused.emit(query, error)
        else:
            self.passed.emit(query)
