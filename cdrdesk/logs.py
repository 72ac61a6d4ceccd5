"""Logging to a rotating file in the user's log folder, with secrets redacted.

Every handler installed here carries ``RedactingFilter``: it formats each
record's message (and traceback) before any formatter sees it and replaces
bearer tokens, ``Authorization`` header values and every string passed to
``register_secret`` with ``***``. The token therefore cannot reach the log
file or the terminal even if some code logs it by mistake, through the
message, its arguments or an exception text.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
import threading
from pathlib import Path

import platformdirs

APP_NAME = "cdrdesk"
LOG_FILE_NAME = "cdrdesk.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
MASK = "***"
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

# Credentials in the forms they take in HTTP traffic: "Bearer <token>" and the
# value of an Authorization header whatever its scheme.
_CREDENTIAL_PATTERNS = (
    re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9\-._~+/]+=*"),
    re.compile(
        r"""(?i)(\bauthorization['"]?\s*[:=]\s*['"]?)(?!bearer\b)(?:[A-Za-z]+\s+)?[^\s'",;}]+"""
    ),
)

_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_installed_handlers: list[logging.Handler] = []


def register_secret(secret: str) -> None:
    """Make ``secret`` (e.g. an API token) appear as ``***`` in every log line."""
    if secret:
        with _secrets_lock:
            _secrets.add(secret)


def unregister_secret(secret: str) -> None:
    with _secrets_lock:
        _secrets.discard(secret)


def redact(text: str) -> str:
    """``text`` with every credential and registered secret replaced by ``***``."""
    with _secrets_lock:
        # Longest first, so a secret that contains another is masked whole.
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, MASK)
    for pattern in _CREDENTIAL_PATTERNS:
        text = pattern.sub(lambda match: match.group(1) + MASK, text)
    return text


class RedactingFilter(logging.Filter):
    """Resolve each record's message and traceback to redacted text."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the record
            message = f"{record.msg!r} % {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def log_path() -> Path:
    """The current log file (older ones carry the suffixes ``.1`` to ``.5``)."""
    return log_dir() / LOG_FILE_NAME


def shutdown_logging() -> None:
    """Remove and close the handlers ``setup_logging`` installed."""
    root = logging.getLogger()
    for handler in _installed_handlers:
        root.removeHandler(handler)
        handler.close()
    _installed_handlers.clear()


def setup_logging(debug: bool = False) -> Path | None:
    """Send INFO (DEBUG with ``debug``) to the log file and WARNING+ to stderr.

    Calling it again replaces the handlers it installed before. Returns the
    log file, or None when the log folder cannot be written, in which case
    the reason goes to stderr and logging continues there alone.
    """
    shutdown_logging()
    root = logging.getLogger()
    level = logging.DEBUG if debug else logging.INFO
    root.setLevel(level)
    formatter = logging.Formatter(FORMAT)
    redacting = RedactingFilter()

    if sys.stderr is not None:  # None in a windowed Windows executable
        stderr_handler = logging.StreamHandler(sys.stderr)
        stderr_handler.setLevel(logging.WARNING)
        _installed_handlers.append(stderr_handler)

    path = log_path()
    written: Path | None = path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError as error:
        if sys.stderr is not None:
            print(f"cdrdesk: cannot write the log file {path}: {error}", file=sys.stderr)
        written = None
    else:
        file_handler.setLevel(level)
        _installed_handlers.append(file_handler)

    for handler in _installed_handlers:
        handler.setFormatter(formatter)
        handler.addFilter(redacting)
        root.addHandler(handler)
    # httpcore's DEBUG output is a trace of every socket call: too much even in --debug.
    logging.getLogger("httpcore").setLevel(logging.INFO)
    logging.captureWarnings(True)
    logging.getLogger(__name__).info(
        "cdrdesk logging started (level %s)", logging.getLevelName(level)
    )
    return written
