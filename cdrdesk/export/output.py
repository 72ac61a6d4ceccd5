"""Where an export's bytes go: a temporary file renamed into place, or stdout.

Like :func:`cdrdesk.fsutil.atomic_writer`, the file is written beside its
final path and renamed over it only when complete, so a failed export never
leaves a half file under the final name nor touches an existing file. Unlike
it, a failed export keeps what it had written as ``<name>.partial``: the
records already fetched may be worth having, and the user is told where.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

PARTIAL_SUFFIX = ".partial"


class ExportError(Exception):
    """An export that could not be written; the message is one line for the user."""


class OutputExists(ExportError):
    pass


def partial_path(path: Path) -> Path:
    return path.with_name(path.name + PARTIAL_SUFFIX)


class Output:
    """A destination opened for writing; ``commit()`` publishes it, ``keep_partial()`` does not."""

    def __init__(self, path: Path | None, *, overwrite: bool = False, binary_stream: bool = True):
        """``path=None`` means stdout. ``binary_stream=False`` leaves the temporary
        file closed for writers that open it by name (XLSX)."""
        self.path = path
        self.overwrite = overwrite
        self._done = False
        self.temp_path: Path | None = None
        self._stream: BinaryIO | None = None
        if path is None:
            self._stream = sys.stdout.buffer
            return
        check_destination(path, overwrite=overwrite)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self.temp_path = Path(name)
        if binary_stream:
            self._stream = os.fdopen(fd, "wb", buffering=1024 * 1024)
        else:
            os.close(fd)

    @property
    def is_stdout(self) -> bool:
        return self.path is None

    @property
    def name(self) -> str:
        return "standard output" if self.path is None else str(self.path)

    @property
    def directory(self) -> Path | None:
        return None if self.path is None else self.path.parent

    @property
    def stream(self) -> BinaryIO:
        if self._stream is None:
            raise RuntimeError("this output is written by name, not as a stream")
        return self._stream

    def commit(self) -> None:
        """Make the finished output visible under its final name."""
        if self._done:
            return
        self._done = True
        if self.path is None or self.temp_path is None:
            self.stream.flush()
            return
        try:
            self._close_stream(sync=True)
            check_destination(self.path, overwrite=self.overwrite)
            os.replace(self.temp_path, self.path)
        except BaseException:
            self._done = False
            raise

    def keep_partial(self) -> Path | None:
        """Move what was written to ``<name>.partial``; None for stdout or when nothing was kept."""
        if self._done:
            return None
        self._done = True
        if self.path is None or self.temp_path is None:
            with contextlib.suppress(OSError, ValueError):
                self.stream.flush()
            return None
        with contextlib.suppress(OSError, ValueError):
            self._close_stream(sync=False)
        target = partial_path(self.path)
        try:
            os.replace(self.temp_path, target)
        except OSError:
            self.temp_path.unlink(missing_ok=True)
            return None
        return target

    def discard(self) -> None:
        """Drop the output without keeping anything (nothing worth keeping was written)."""
        if self._done:
            return
        self._done = True
        with contextlib.suppress(OSError, ValueError):
            self._close_stream(sync=False)
        if self.temp_path is not None:
            self.temp_path.unlink(missing_ok=True)

    def _close_stream(self, *, sync: bool) -> None:
        if self.path is None:
            return
        if self._stream is None:
            if sync and self.temp_path is not None:
                with open(self.temp_path, "rb") as written:
                    os.fsync(written.fileno())
            return
        stream, self._stream = self._stream, None
        try:
            stream.flush()
            if sync:
                os.fsync(stream.fileno())
        finally:
            stream.close()


def check_destination(path: Path, *, overwrite: bool) -> None:
    """Refuse a destination that is a folder, or an existing file without ``overwrite``."""
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise ExportError(f"the folder {path.parent} does not exist")
    if path.exists() and not overwrite:
        raise OutputExists(f"{path} already exists; choose another name or allow overwriting")
