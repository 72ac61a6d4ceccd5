"""Reading the pixels of a grabbed widget, for the painting tests."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage

Rgb = tuple[int, int, int]

INK = 40
"""A pixel is ink when a channel differs from the cell's background by more than this."""


class Pixels:
    """An image's pixels, read from its bytes (QImage.pixel is slow by the thousand)."""

    def __init__(self, image: QImage) -> None:
        image = image.convertToFormat(QImage.Format.Format_RGB32)
        self.width = image.width()
        self.height = image.height()
        self._line = image.bytesPerLine()
        self._data = bytes(image.constBits())

    def __getitem__(self, point: tuple[int, int]) -> Rgb:
        x, y = point
        assert 0 <= x < self.width, point
        assert 0 <= y < self.height, point
        at = y * self._line + x * 4
        blue, green, red = self._data[at : at + 3]
        return red, green, blue

    def line(self, y: int, left: int, right: int) -> bytes:
        """The raw pixels from ``left`` to ``right`` of pixel row ``y``."""
        return self._data[y * self._line + left * 4 : y * self._line + (right + 1) * 4]

    def block(self, rect: QRect) -> bytes:
        """The pixels of ``rect``, row after row (to compare two cells)."""
        return b"".join(
            self.line(y, rect.left(), rect.right()) for y in range(rect.top(), rect.bottom() + 1)
        )

    def colours(self, rect: QRect) -> list[Rgb]:
        """The colours of the pixels of ``rect``, row after row."""
        return [
            self[x, y]
            for y in range(rect.top(), rect.bottom() + 1)
            for x in range(rect.left(), rect.right() + 1)
        ]

    def ink(self, rect: QRect, background: Rgb) -> list[tuple[int, int, Rgb]]:
        """(x, y, colour) of the pixels of ``rect`` that differ clearly from ``background``."""
        found: list[tuple[int, int, Rgb]] = []
        plain = bytes((background[2], background[1], background[0], 0xFF)) * rect.width()
        for y in range(rect.top(), rect.bottom() + 1):
            start = y * self._line + rect.left() * 4
            if self._data[start : start + 4 * rect.width()] == plain:
                continue
            for x in range(rect.left(), rect.right() + 1):
                colour = self[x, y]
                if max(abs(a - b) for a, b in zip(colour, background, strict=True)) > INK:
                    found.append((x, y, colour))
        return found


def rgb(colour: QColor) -> Rgb:
    return colour.red(), colour.green(), colour.blue()


def distance(first: Rgb, second: Rgb) -> int:
    return max(abs(a - b) for a, b in zip(first, second, strict=True))
