"""Files written whole or not at all, and corrupt files moved out of the way."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_writer(path: Path, mode: str = "w", **open_kwargs: object) -> Iterator[IO[str]]:
    """Write to a temporary file beside ``path`` and rename it over ``path`` on success.

    A crash or an exception mid-write leaves the old file untouched and no
    temporary file behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, mode, **open_kwargs) as handle:  # type: ignore[call-overload]
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    with atomic_writer(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def move_aside(path: Path, reason: str = "corrupt") -> Path:
    """Rename a file that cannot be used to ``<name>.<reason>-<UTC timestamp>``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.{reason}-{stamp}")
    os.replace(path, target)
    return target
