"""A date-time field that holds an aware moment and shows it in the display zone.

The moment given to it is kept as it is (its own offset, its microseconds)
until the user edits the field, so a filter state shown and read back is
exactly the same; switching the display zone re-displays the same moment.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo

from PySide6.QtCore import QDate, QDateTime, QTime, QTimeZone, Signal
from PySide6.QtWidgets import QDateTimeEdit, QWidget

DISPLAY_FORMAT = "yyyy-MM-dd HH:mm:ss"


def wall_time_to_moment(wall: datetime, zone: tzinfo) -> datetime:
    """A naive wall time read in ``zone`` as an aware moment with a fixed offset."""
    offset = wall.replace(tzinfo=zone).utcoffset() or timedelta(0)
    return wall.replace(tzinfo=UTC if not offset else timezone(offset))


class MomentEdit(QDateTimeEdit):
    edited = Signal()

    def __init__(self, zone: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zone = zone
        self._moment = datetime.now(UTC).replace(microsecond=0)
        # The widget only shows wall-clock fields; zones are handled here.
        self.setTimeZone(QTimeZone(QTimeZone.Initialization.UTC))
        self.setDisplayFormat(DISPLAY_FORMAT)
        self.setCalendarPopup(True)
        self._show()
        self.dateTimeChanged.connect(self._user_changed)

    def moment(self) -> datetime:
        return self._moment

    def set_moment(self, moment: datetime) -> None:
        if moment.utcoffset() is None:
            raise ValueError("a moment must carry a time zone")
        self._moment = moment
        self._show()

    def set_zone(self, zone: tzinfo) -> None:
        self._zone = zone
        self._show()

    def set_wall_time(self, wall: datetime) -> None:
        """Set the field as if typed: ``wall`` is read in the display zone."""
        self.setDateTime(_to_qdatetime(wall))

    def _show(self) -> None:
        self.blockSignals(True)
        self.setDateTime(_to_qdatetime(self._moment.astimezone(self._zone)))
        self.blockSignals(False)

    def _user_changed(self, value: QDateTime) -> None:
        date, clock = value.date(), value.time()
        wall = datetime(
            date.year(), date.month(), date.day(), clock.hour(), clock.minute(), clock.second()
        )
        self._moment = wall_time_to_moment(wall, self._zone)
        self.edited.emit()


def _to_qdatetime(wall: datetime) -> QDateTime:
    return QDateTime(
        QDate(wall.year, wall.month, wall.day),
        QTime(wall.hour, wall.minute, wall.second),
        QTimeZone(QTimeZone.Initialization.UTC),
    )
