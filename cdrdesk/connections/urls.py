"""The rule for an API root a token may be sent to.

A bearer token sent over plain ``http://`` can be read by anyone on the path,
so plain HTTP is accepted without asking only for this machine (loopback).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


class BaseUrlError(ValueError):
    """A base URL that cannot be used as it is.

    ``needs_confirmation`` is set when the only objection is plain HTTP to
    another machine: the user may accept that risk explicitly.
    """

    def __init__(self, message: str, *, needs_confirmation: bool = False) -> None:
        super().__init__(message)
        self.needs_confirmation = needs_confirmation


def is_loopback_host(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ::1."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str, *, allow_insecure: bool = False) -> str:
    """The API root to store: stripped, without a trailing slash.

    Raises BaseUrlError naming what is wrong. Plain ``http://`` to a host
    other than loopback is refused unless ``allow_insecure`` is given.
    """
    text = url.strip()
    if not text:
        raise BaseUrlError("the base URL is empty; enter e.g. https://cluster.voiso.com")
    if any(char.isspace() for char in text):
        raise BaseUrlError(f"the base URL {text!r} contains a space")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise BaseUrlError(f"the base URL {text!r} is malformed: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        if not parts.scheme or not parts.netloc:
            raise BaseUrlError(
                f"the base URL {text!r} needs a scheme and host, e.g. https://{text.lstrip('/')}"
            )
        raise BaseUrlError(f"the base URL must start with https:// (not {parts.scheme}://)")
    host = parts.hostname or ""
    if not host:
        raise BaseUrlError(f"the base URL {text!r} has no host name")
    if parts.username is not None or parts.password is not None:
        raise BaseUrlError(
            "the base URL must not contain a user name or password; "
            "put the API token in the token field"
        )
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise BaseUrlError("the base URL must not contain a query (?…) or a fragment (#…)")
    if port == 0:
        raise BaseUrlError("the base URL's port must be from 1 to 65535")
    if scheme == "http" and not is_loopback_host(host) and not allow_insecure:
        raise BaseUrlError(
            f"plain http:// would send the API token unencrypted to {host}; "
            "use https:// or confirm that this is intended",
            needs_confirmation=True,
        )
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}"
