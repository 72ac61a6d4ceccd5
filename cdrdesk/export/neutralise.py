"""Spreadsheet formula-injection neutralisation of text cells.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and
some also after a tab or carriage return) as a formula, so a record value
such as ``=HYPERLINK(...)`` could act when the export is opened. Such text
gets a leading apostrophe, which spreadsheets show as plain text. Values that
are plainly numbers (``-12.5``) or E.164 phone numbers (``+447700900123``)
cannot act and are left exactly as they are.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")


def neutralise(text: str) -> str:
    """``text`` made safe to open in a spreadsheet, unchanged when it already is."""
    if not text.startswith(FORMULA_STARTS):
        return text
    if _PLAIN_NUMBER.fullmatch(text) or _E164.fullmatch(text):
        return text
    return "'" + text
