"""Test set-up shared by every test: headless Qt and private user folders."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from cdrdesk.demo.runner import DemoServerThread

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Every test run gets its own config, cache, state and data folders, so no test
# reads or writes the user's real settings, presets, logs or demo database.
_USER_DIRS = Path(tempfile.mkdtemp(prefix="cdrdesk-tests-"))
atexit.register(shutil.rmtree, _USER_DIRS, ignore_errors=True)
for _variable in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
    os.environ[_variable] = str(_USER_DIRS / _variable.lower())
# One hour of demo data for the whole run: servers started after the clock passes
# an hour would otherwise build different records than those started before.
os.environ.setdefault(
    "CDRDESK_DEMO_ANCHOR",
    datetime.now(UTC).replace(minute=0, second=0, microsecond=0).isoformat(),
)
# No test reaches the developer's real keyring by accident: tests that need one
# install the in-memory backend or start their own Secret Service.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


@pytest.fixture(scope="session")
def demo_server() -> Iterator[DemoServerThread]:
    """The demo API (30,000 records, seed 1) on a loopback port, shared by the session.

    ``demo_server.url`` is the base URL and ``demo_server.token`` the bearer token.
    """
    from cdrdesk.demo.runner import DemoServerThread

    with DemoServerThread(records=30_000, seed=1) as server:
        yield server
