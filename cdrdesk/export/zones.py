"""Display time zones by name: ``UTC``, ``local`` or an IANA ``Area/City``."""

from __future__ import annotations

import os
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_ZONEINFO_DIRS = ("zoneinfo/",)


def parse_zone(name: str) -> tuple[tzinfo, str]:
    """The zone and the name to show for it; ValueError names a zone that is not known."""
    text = name.strip()
    if text.upper() == "UTC":
        return UTC, "UTC"
    if text.lower() == "local":
        return local_zone()
    try:
        return ZoneInfo(text), text
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}; use UTC, local or an Area/City name such as Europe/London"
        ) from None


def local_zone() -> tuple[tzinfo, str]:
    """This computer's zone, by its IANA name when it can be found (so DST is right)."""
    configured = os.environ.get("TZ", "").lstrip(":")
    candidates = [configured] if configured else []
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        for marker in _ZONEINFO_DIRS:
            if marker in target:
                candidates.append(target.split(marker, 1)[1])
    for candidate in candidates:
        try:
            return ZoneInfo(candidate), candidate
        except (ZoneInfoNotFoundError, ValueError):
            continue
    fixed = datetime.now().astimezone().tzinfo or UTC
    return fixed, datetime.now(fixed).tzname() or "local"
