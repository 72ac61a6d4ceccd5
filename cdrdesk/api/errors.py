"""What can go wrong talking to the CDR list API, one class per cause.

Every message is one line a user can read; none carries the token (the
client scrubs server-supplied text before it gets here).
"""

from __future__ import annotations

from collections.abc import Mapping


class ApiError(Exception):
    """A request that did not give a usable page; ``status`` is the HTTP status, if any."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.message = _one_line(message)
        self.status = status
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, message={self.message!r})"

    def append_to_message(self, note: str) -> None:
        """Add context known only to the caller, such as how many attempts were made."""
        self.message = _one_line(f"{self.message} {note}")
        self.args = (self.message,)


class BadRequest(ApiError):
    """400: a pagination parameter the server refused (a client bug, not a user's)."""


class Unauthorized(ApiError):
    """401: no token, or one the server does not know."""


class Forbidden(ApiError):
    """403: the token lacks the ``reporting.cdrs.read`` scope."""


class NotFound(ApiError):
    """404: usually a base URL that is not the API root."""


class InvalidFilters(ApiError):
    """422, or a query refused before sending: messages by wire filter name."""

    def __init__(
        self,
        errors: Mapping[str, list[str]],
        *,
        status: int | None = 422,
        prefix: str = "invalid filter",
    ) -> None:
        self.errors = {name: list(messages) for name, messages in errors.items()}
        details = "; ".join(
            f"{name}: {', '.join(messages) or 'invalid'}" for name, messages in self.errors.items()
        )
        super().__init__(f"{prefix} {details}" if details else prefix, status=status)


class RateLimited(ApiError):
    """429; ``retry_after`` is the server's ``Retry-After`` in seconds, if it sent one."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message, status=429)


class ServerError(ApiError):
    """5xx: the server (or a proxy in front of it) failed."""


class NetworkError(ApiError):
    """No HTTP answer at all: connection refused or dropped, DNS, TLS, timeout."""


class CertificateError(NetworkError):
    """The server's TLS certificate is not trusted: asking again cannot help, so no retries."""


class BadResponse(ApiError):
    """An answer that is not a page of the contract: not JSON, truncated, wrong shape."""


def _one_line(text: str, limit: int = 500) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
