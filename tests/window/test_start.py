"""How ``cdrdesk`` starts: options, links, the last profile, the demo and the self-check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from cdrdesk.connections.profiles import Connection, Profile
from cdrdesk.ui.app import LinkError, parse_gui_args, parse_link
from cdrdesk.ui.main_window import MainWindow
from tests.window.conftest import WAIT_MS, WindowFactory, make_stores

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
SELF_CHECK_TIMEOUT = 300


def test_options_are_parsed() -> None:
    args = parse_gui_args(["--demo", "--records", "5000", "--debug"])
    assert (args.demo, args.records, args.debug, args.self_check) == (True, 5000, True, False)
    assert args.initial_state is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--preset", "Weekly", "cdrdesk://filters?type=sms"],
            "either a link or --preset, not both",
        ),
        (["--records", "0"], "0 must be 1 or more"),
        (["--records", "many"], "'many' is not a whole number"),
        (["https://example.com/?type=call"], "not a cdrdesk:// link"),
        (["cdrdesk://filters?duration[gte]=60&duration[lt]=10"], "duration: lower bound 60"),
        (["cdrdesk://filters?colour=red"], "colour: this version of cdrdesk knows no such filter"),
    ],
)
def test_bad_options_exit_with_a_clear_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_gui_args(argv)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_a_link_becomes_the_initial_filters() -> None:
    state = parse_link("cdrdesk://filters?type=call&type=sms&duration%5Bgte%5D=60")
    assert state.query.get("type") == ("call", "sms")
    assert state.query.to_query_string() == "type=call&type=sms&duration[gte]=60"
    with pytest.raises(LinkError, match="subtype"):
        parse_link("cdrdesk://filters?subtype[gt]=1")


def test_a_link_opens_the_window_with_its_filters(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path, qtbot: QtBot
) -> None:
    window = open_window(["cdrdesk://filters?type=sms"], make_stores(tmp_path), demo_connection)
    qtbot.waitUntil(lambda: window.model.loaded_count > 0, timeout=WAIT_MS)
    assert window.sidebar.state().query.get("type") == ("sms",)
    assert {window.model.record(row)["type"] for row in range(window.model.loaded_count)} == {"sms"}


def test_without_options_the_last_profile_is_opened(
    open_window: WindowFactory, demo_connection: Connection, tmp_path: Path, qtbot: QtBot
) -> None:
    stores = make_stores(tmp_path)
    stores.profiles.save(demo_connection.profile)
    stores.tokens.set(demo_connection.profile.name, demo_connection.token)
    stores.profiles.last_profile = demo_connection.profile.name
    unused = Profile("Unused", "https://cdr.example.com")
    stores.profiles.save(unused)

    window = open_window([], stores)
    assert window.connection == demo_connection
    qtbot.waitUntil(lambda: window.model.loaded_count > 0, timeout=WAIT_MS)


def test_demo_starts_in_the_background_and_says_so(
    open_window: WindowFactory, tmp_path: Path, qtbot: QtBot
) -> None:
    stores = make_stores(tmp_path)
    window: MainWindow = open_window(["--demo", "--records", "30000"], stores)
    connection_label = window.statusBar().findChild(QLabel, "status_connection")
    badge = window.statusBar().findChild(QLabel, "demo_badge")
    assert connection_label is not None
    assert badge is not None
    assert connection_label.text() == "Starting demo server…"
    assert window.windowTitle() == "cdrdesk — Demo data"
    assert badge.isVisible()

    with qtbot.waitSignal(window.connectionChanged, timeout=120_000) as connected:
        pass
    connection = connected.args[0]
    assert connection.profile.demo
    qtbot.waitUntil(lambda: window.model.loaded_count > 0, timeout=WAIT_MS)
    assert window.windowTitle() == "cdrdesk — Demo data"
    assert connection.token not in window.windowTitle()
    assert stores.profiles.profiles() == []  # the demo profile is never stored
    assert stores.tokens.get(connection.profile.name) is None
    process = window.demo_server_process()
    assert process is not None
    assert process.process.poll() is None
    window.shutdown()
    assert process.process.poll() is not None  # the demo server ends with the window


def run_cdrdesk(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    """``python -m cdrdesk`` offscreen, with private user folders under ``home``."""
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for variable in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        environment[variable] = str(home / variable.lower())
    return subprocess.run(
        [sys.executable, "-m", "cdrdesk", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=SELF_CHECK_TIMEOUT,
        check=False,
    )


def test_self_check_without_a_connection_fails_clearly(tmp_path: Path) -> None:
    result = run_cdrdesk(["--self-check"], tmp_path)
    assert result.returncode == 1
    assert "self-check failed: no saved connection" in result.stdout


def test_self_check_passes_against_the_demo(tmp_path: Path) -> None:
    result = run_cdrdesk(["--demo", "--self-check", "--records", "30000"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-check ok: " in result.stdout
    rows = int(result.stdout.split("self-check ok: ")[1].split()[0])
    assert rows >= 700
