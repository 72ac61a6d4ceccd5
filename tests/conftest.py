"""Test set-up shared by every test: headless Qt and private user folders."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Every test run gets its own config, cache, state and data folders, so no test
# reads or writes the user's real settings, presets, logs or demo database.
_USER_DIRS = Path(tempfile.mkdtemp(prefix="cdrdesk-tests-"))
for _variable in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
    os.environ[_variable] = str(_USER_DIRS / _variable.lower())
