"""Formula-injection neutralisation: dangerous text quoted, numbers and phone numbers intact."""

from __future__ import annotations

import pytest

from cdrdesk.export.neutralise import neutralise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("+44 7700 900123", "'+44 7700 900123"),
        ("-", "'-"),
        ("+", "'+"),
        # plainly numbers and E.164 phone numbers stay exactly as they are
        ("-12.5", "-12.5"),
        ("-3", "-3"),
        ("+2.5e3", "+2.5e3"),
        ("+447700900123", "+447700900123"),
        ("+15551234567", "+15551234567"),
        # harmless text is untouched
        ("sale", "sale"),
        ("a=b", "a=b"),
        ("", ""),
        ("447700900123", "447700900123"),
    ],
)
def test_neutralise(text: str, expected: str) -> None:
    assert neutralise(text) == expected
