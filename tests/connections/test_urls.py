"""The base-URL rule: https anywhere, plain http only to loopback unless confirmed."""

from __future__ import annotations

import pytest

from cdrdesk.connections import BaseUrlError, check_base_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://acme.voiso.com", "https://acme.voiso.com"),
        ("  https://acme.voiso.com/  ", "https://acme.voiso.com"),
        ("HTTPS://acme.voiso.com/api/", "https://acme.voiso.com/api"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("http://127.8.9.10", "http://127.8.9.10"),
        ("http://localhost:8000/", "http://localhost:8000"),
        ("http://[::1]:8000", "http://[::1]:8000"),
    ],
)
def test_accepted_urls(url: str, expected: str) -> None:
    assert check_base_url(url) == expected


@pytest.mark.parametrize(
    "url", ["http://acme.voiso.com", "http://10.0.0.5:8080", "http://128.0.0.1", "http://[::2]"]
)
def test_plain_http_to_another_host_needs_confirmation(url: str) -> None:
    with pytest.raises(BaseUrlError, match="unencrypted") as raised:
        check_base_url(url)
    assert raised.value.needs_confirmation
    assert check_base_url(url, allow_insecure=True) == url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "empty"),
        ("acme.voiso.com", "needs a scheme and host, e.g. https://acme.voiso.com"),
        ("ftp://acme.voiso.com", "must start with https://"),
        ("https://", "no host"),
        ("https://acme voiso.com", "contains a space"),
        ("https://acme.voiso.com:99999", "malformed"),
        ("https://[::1", "malformed"),
        ("https://user:pw@acme.voiso.com", "user name or password"),
        ("https://acme.voiso.com/api?x=1", "query"),
        ("https://acme.voiso.com/#top", "fragment"),
    ],
)
def test_malformed_urls_name_the_problem(url: str, message: str) -> None:
    with pytest.raises(BaseUrlError, match=message.replace("?", r"\?")) as raised:
        check_base_url(url, allow_insecure=True)
    assert not raised.value.needs_confirmation
