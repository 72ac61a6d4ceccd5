"""Bounded retries of transient failures, on top of ``stamina``.

Retried: 429 (waiting as long as ``Retry-After`` says, capped), 500, 502,
503, 504 and failures without an HTTP answer (refused or dropped connections,
timeouts). A 500 is retried too: the request is a read, so repeating it is
safe, and a server that fails now and then must not end a long export that
has written most of its records; one that always fails gives up within the
policy's bounds. 501 and 505 never change on a retry, nor do 4xx answers
other than 429, so they are not retried.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import stamina

from cdrdesk.api.errors import ApiError, CertificateError, NetworkError, RateLimited, ServerError

T = TypeVar("T")
RETRIED_SERVER_STATUSES = frozenset({500, 502, 503, 504})

logger = logging.getLogger(__name__)

# stamina's default hook logs every scheduled retry at WARNING, which Python
# prints on stderr when logging is not configured (breaking the CLI's one-line
# errors) and which repeats what ``call_with_retries`` already logs at INFO.
stamina.instrumentation.set_on_retry_hooks([])


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry one request.

    ``attempts`` counts the first try. Waits grow from ``wait_initial`` by
    doubling up to ``wait_max`` plus up to ``wait_jitter`` at random; a
    ``Retry-After`` is honoured up to ``retry_after_max`` and never beyond
    what is left of ``total_timeout``. No retry starts once ``total_timeout``
    seconds have passed since the first try, so one request ends within
    about ``total_timeout + wait_max`` plus one request's own timeout.
    """

    attempts: int = 6
    total_timeout: float = 60.0
    wait_initial: float = 0.2
    wait_max: float = 10.0
    wait_jitter: float = 0.5
    retry_after_max: float = 30.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.total_timeout <= 0:
            raise ValueError("total_timeout must be positive")


NO_RETRIES = RetryPolicy(attempts=1)


def is_transient(error: BaseException) -> bool:
    """Whether the same request may well succeed if sent again a little later."""
    if isinstance(error, CertificateError):
        return False
    if isinstance(error, RateLimited | NetworkError):
        return True
    return isinstance(error, ServerError) and error.status in RETRIED_SERVER_STATUSES


async def call_with_retries(
    policy: RetryPolicy, operation: Callable[[], Awaitable[T]], what: str
) -> T:
    """Await ``operation()`` until it succeeds, fails for good, or the policy runs out.

    The error of the last attempt is raised; when more than one attempt was
    made its message says how many.
    """
    started = time.monotonic()
    last_error: ApiError | None = None

    def backoff(error: Exception) -> bool | float:
        if not is_transient(error):
            return False
        remaining = policy.total_timeout - (time.monotonic() - started)
        if remaining <= 0:
            return False
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return max(0.0, min(error.retry_after, policy.retry_after_max, remaining))
        return True

    attempt_number = 0
    try:
        async for attempt in stamina.retry_context(
            on=backoff,
            attempts=policy.attempts,
            timeout=policy.total_timeout,
            wait_initial=policy.wait_initial,
            wait_max=policy.wait_max,
            wait_jitter=policy.wait_jitter,
        ):
            with attempt:
                attempt_number = attempt.num
                if last_error is not None:
                    logger.info(
                        "Retrying %s (attempt %d of %d) after %s: %s",
                        what,
                        attempt_number,
                        policy.attempts,
                        last_error.status or "no answer",
                        last_error.message,
                    )
                try:
                    return await operation()
                except ApiError as error:
                    last_error = error
                    raise
    except ApiError as error:
        if attempt_number > 1 and is_transient(error):
            error.append_to_message(f"(gave up after {attempt_number} attempts)")
        raise
    raise AssertionError("the retry loop ended without a result")
