"""A keyring backend for a ``cdrdesk`` child process: every lookup gives the token that the
test put in the child's environment, so the window connects to a test server by itself."""

from __future__ import annotations

import os

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

TOKEN_VARIABLE = "CDRDESK_TEST_KEYRING_TOKEN"
BACKEND = f"{__name__}.EnvironmentKeyring"


class EnvironmentKeyring(KeyringBackend):
    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        return os.environ.get(TOKEN_VARIABLE)

    def set_password(self, service: str, username: str, password: str) -> None:
        return None

    def delete_password(self, service: str, username: str) -> None:
        raise PasswordDeleteError("this keyring holds nothing")
