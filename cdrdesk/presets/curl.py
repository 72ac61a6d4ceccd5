""" "Copy as curl": the exact request of a page, as a shell command.

The token is never written: the command reads it from the environment
variable ``CDRDESK_TOKEN`` when it runs, so the copied text can be pasted
into a ticket or a chat. That is why this module takes no token at all.
The command is ``curl -sS --globoff -H 'Accept: application/json'
-H "Authorization: Bearer $CDRDESK_TOKEN" '<url>'``.
"""

from __future__ import annotations

import shlex
from urllib.parse import urlsplit

from cdrdesk.api.client import page_path
from cdrdesk.api.query import CdrQuery

TOKEN_VARIABLE = "CDRDESK_TOKEN"


def page_url(
    base_url: str,
    query: CdrQuery,
    *,
    limit: int,
    offset: int | None = None,
    cursor: str | None = None,
) -> str:
    """The request URL, built as ``CdrClient.page_url`` builds it."""
    return _api_root(base_url) + page_path(query, limit=limit, offset=offset, cursor=cursor)


def curl_command(
    base_url: str,
    query: CdrQuery,
    *,
    limit: int,
    offset: int | None = None,
    cursor: str | None = None,
) -> str:
    url = page_url(base_url, query, limit=limit, offset=offset, cursor=cursor)
    # Double quotes, so that the shell puts the token in when the command runs.
    authorization = f'"Authorization: Bearer ${TOKEN_VARIABLE}"'
    accept = shlex.quote("Accept: application/json")
    # --globoff: curl would read the brackets of ``duration[gte]`` as a URL pattern.
    return f"curl -sS --globoff -H {accept} -H {authorization} {shlex.quote(url)}"


def _api_root(base_url: str) -> str:
    url = base_url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the base URL must start with https:// or http://, not {url!r}")
    if parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError("the base URL must hold no query, fragment or user name")
    return url
