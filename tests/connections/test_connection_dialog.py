"""The connection dialog: profiles, tokens in the keyring, the URL rule and Test connection."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from cdrdesk.connections import Connection, Profile, ProfileStore, TokenStore
from cdrdesk.demo.runner import DemoServerThread
from cdrdesk.ui.connection_dialog import ConnectionDialog
from tests.connections.memory_keyring import MemoryKeyring

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

TOKEN = "tok-d1a1-0g5-secret"


@pytest.fixture
def tokens(memory_keyring: MemoryKeyring) -> TokenStore:
    return TokenStore()


@pytest.fixture
def profiles(tmp_path: Path, tokens: TokenStore) -> ProfileStore:
    return ProfileStore(tmp_path / "profiles.json", tokens=tokens)


def open_dialog(
    qtbot: QtBot, profiles: ProfileStore, tokens: TokenStore, **kwargs: str
) -> ConnectionDialog:
    dialog = ConnectionDialog(profiles, tokens, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def fill(qtbot: QtBot, dialog: ConnectionDialog, name: str, url: str, token: str = "") -> None:
    for field, text in ((dialog.name, name), (dialog.base_url, url), (dialog.token, token)):
        field.clear()
        qtbot.keyClicks(field, text)


def click(qtbot: QtBot, button: QPushButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def confirmation(qtbot: QtBot, dialog: ConnectionDialog) -> QMessageBox:
    qtbot.waitUntil(lambda: dialog.findChild(QMessageBox, "confirm_dialog") is not None)
    box = dialog.findChild(QMessageBox, "confirm_dialog")
    assert isinstance(box, QMessageBox)
    qtbot.waitExposed(box)
    return box


def answer(qtbot: QtBot, box: QMessageBox, text: str) -> None:
    (button,) = [b for b in box.buttons() if b.text() == text]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_save_puts_the_token_in_the_keyring_only(
    qtbot: QtBot, profiles: ProfileStore, tokens: TokenStore, memory_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog(qtbot, profiles, tokens)
    fill(qtbot, dialog, "Production", "https://acme.voiso.com/", TOKEN)
    click(qtbot, dialog.save_button)
    assert dialog.error.isHidden(), dialog.error.text()
    assert profiles.profiles() == [Profile("Production", "https://acme.voiso.com")]
    assert memory_keyring.entries == {("cdrdesk", "Production"): TOKEN}
    assert TOKEN not in profiles.path.read_text(encoding="utf-8")
    assert dialog.token.text() == ""
    assert dialog.token.echoMode() == dialog.token.EchoMode.Password
    assert "saved" in dialog.token.placeholderText()
    assert TOKEN not in dialog.windowTitle()


def test_connect_returns_the_connection_and_remembers_the_profile(
    qtbot: QtBot, profiles: ProfileStore, tokens: TokenStore
) -> None:
    profiles.save(Profile("Staging", "https://staging.voiso.com"))
    tokens.set("Staging", TOKEN)
    dialog = open_dialog(qtbot, profiles, tokens)
    assert dialog.name.text() == "Staging"
    assert dialog.token.text() == ""  # never pre-filled
    with qtbot.waitSignal(dialog.accepted):
        click(qtbot, dialog.connect_button)
    assert dialog.chosen() == Connection(Profile("Staging", "https://staging.voiso.com"), TOKEN)
    assert TOKEN not in repr(dialog.chosen())
    assert ProfileStore(profiles.path).last_profile == "Staging"


def test_renaming_moves_the_token(
    qtbot: QtBot, profiles: ProfileStore, tokens: TokenStore, memory_keyring: MemoryKeyring
) -> None:
    profiles.save(Profile("old", "https://a.example"))
    tokens.set("old", TOKEN)
    dialog = open_dialog(qtbot, profiles, tokens)
    dialog.name.clear()
    qtbot.keyClicks(dialog.name, "new")
    click(qtbot, dialog.save_button)
    assert [p.name for p in profiles.profiles()] == ["new"]
    assert memory_keyring.entries == {("cdrdesk", "new"): TOKEN}


def test_plain_http_to_another_host_needs_confirmation(
    qtbot: QtBot, profiles: ProfileStore, tokens: TokenStore
) -> None:
    dialog = open_dialog(qtbot, profiles, tokens)
    fill(qtbot, dialog, "lan", "http://10.1.2.3:8080", TOKEN)
    click(qtbot, dialog.save_button)
    box = confirmation(qtbot, dialog)
    assert "unencrypted to 10.1.2.3" in box.text()
    answer(qtbot, box, "Cancel")
    assert profiles.profiles() == []

    click(qtbot, dialog.save_button)
    answer(qtbot, confirmation(qtbot, dialog), "Use plain http")
    qtbot.waitUntil(lambda: profiles.profiles() == [Profile("lan", "http://10.1.2.3:8080")])


def test_loopback_http_is_accepted_without_asking(
    qtbot: QtBot, profiles: ProfileStore, tokens: TokenStore
) -> None:
    dialog = open_dialog(qtbot, profiles, tokens)
    fill(qtbot, dialog, "local", "http://127.0.0.1:8765", TOKEN)
    click(qtbot, dialog.save_button)
    assert dialog.findChild(QMessageBox, "confirm_dialog") is None
    assert profiles.profiles() == [Profile("local", "http://127.0.0.1:8765")]


@pytest.mark.parametrize(
    ("name", "url", "message", "field"),
    [
        ("p", "acme.voiso.com", "needs a scheme and host", "base_url"),
        ("p", "https://user:pw@acme.voiso.com", "user name or password", "base_url"),
        ("", "https://acme.voiso.com", "Enter a name", "name"),
    ],
)
def test_bad_input_is_named_beside_the_form(
    qtbot: QtBot,
    profiles: ProfileStore,
    tokens: TokenStore,
    name: str,
    url: str,
    message: str,
    field: str,
) -> None:
    dialog = open_dialog(qtbot, profiles, tokens)
    fill(qtbot, dialog, name, url, TOKEN)
    click(qtbot, dialog.connect_button)
    assert message in dialog.error.text()
    assert not dialog.error.isHidden()
    assert getattr(dialog, field).property("invalid") is True
    assert dialog.chosen() is None
    assert profiles.profiles() == []


def test_a_missing_ca_bundle_is_refused(
    qtbot: QtBot, profiles: ProfileStore, tokens: TokenStore, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, profiles, tokens)
    fill(qtbot, dialog, "p", "https://acme.voiso.com", TOKEN)
    qtbot.keyClicks(dialog.ca_bundle, str(tmp_path / "missing.pem"))
    click(qtbot, dialog.save_button)
    assert "missing.pem is not a file" in dialog.error.text()
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n", encoding="ascii")
    dialog.ca_bundle.setText(str(bundle))
    click(qtbot, dialog.save_button)
    assert profiles.profiles() == [Profile("p", "https://acme.voiso.com", str(bundle))]


def test_without_a_keyring_the_token_stays_in_memory_when_the_user_agrees(
    qtbot: QtBot, tmp_path: Path
) -> None:
    tokens = TokenStore(fail.Keyring())
    profiles = ProfileStore(tmp_path / "profiles.json", tokens=tokens)
    dialog = open_dialog(qtbot, profiles, tokens)
    assert not dialog.keyring_status.isHidden()
    assert "keyring is not available" in dialog.keyring_status.text()
    assert "no keyring backend" in dialog.keyring_status.text()
    fill(qtbot, dialog, "p", "https://acme.voiso.com", TOKEN)
    click(qtbot, dialog.connect_button)
    assert "Keep the token in memory" in dialog.error.text()
    assert dialog.chosen() is None
    dialog.session_only.setChecked(True)
    with qtbot.waitSignal(dialog.accepted):
        click(qtbot, dialog.connect_button)
    assert dialog.chosen() == Connection(Profile("p", "https://acme.voiso.com"), TOKEN)
    assert tokens.get("p") == TOKEN
    assert all(TOKEN not in f.read_text(encoding="utf-8") for f in tmp_path.rglob("*.json"))


def test_delete_removes_the_profile_and_its_keyring_entry(
    qtbot: QtBot, profiles: ProfileStore, tokens: TokenStore, memory_keyring: MemoryKeyring
) -> None:
    profiles.save(Profile("a", "https://a.example"))
    profiles.save(Profile("b", "https://b.example"))
    tokens.set("a", TOKEN)
    tokens.set("b", "other-token")
    dialog = open_dialog(qtbot, profiles, tokens)
    assert dialog.name.text() == "a"
    click(qtbot, dialog.delete_button)
    answer(qtbot, confirmation(qtbot, dialog), "Delete")
    qtbot.waitUntil(lambda: [p.name for p in profiles.profiles()] == ["b"])
    assert memory_keyring.entries == {("cdrdesk", "b"): "other-token"}
    assert dialog.name.text() == "b"


def test_a_refused_token_asks_for_a_new_one(
    qtbot: QtBot, profiles: ProfileStore, tokens: TokenStore, memory_keyring: MemoryKeyring
) -> None:
    profiles.save(Profile("a", "https://a.example"))
    profiles.save(Profile("b", "https://b.example"))
    tokens.set("b", "expired-token")
    dialog = open_dialog(qtbot, profiles, tokens, ask_token_for="b")
    assert dialog.name.text() == "b"
    assert "refused the token of 'b'" in dialog.message.text()
    click(qtbot, dialog.connect_button)
    assert dialog.error.text() == "Enter a new token for b."
    qtbot.keyClicks(dialog.token, TOKEN)
    with qtbot.waitSignal(dialog.accepted):
        click(qtbot, dialog.connect_button)
    assert dialog.chosen() == Connection(Profile("b", "https://b.example"), TOKEN)
    assert memory_keyring.entries[("cdrdesk", "b")] == TOKEN


def test_store_warnings_and_messages_are_shown(
    qtbot: QtBot, tmp_path: Path, tokens: TokenStore
) -> None:
    (tmp_path / "profiles.json").write_text("{broken", encoding="utf-8")
    profiles = ProfileStore(tmp_path / "profiles.json", tokens=tokens)
    dialog = open_dialog(qtbot, profiles, tokens, message="The server is unreachable.")
    assert dialog.message.text().startswith("The server is unreachable.\nThe profiles file")
    assert "is not valid JSON" in dialog.message.text()


def test_choose_returns_demo_when_the_demo_is_chosen(
    qtbot: QtBot, profiles: ProfileStore, tokens: TokenStore
) -> None:
    requested: list[bool] = []

    def press_demo() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ConnectionDialog)
        dialog.demoRequested.connect(lambda: requested.append(True))
        dialog.demo_button.click()

    QTimer.singleShot(0, press_demo)
    assert ConnectionDialog.choose(None, profiles, tokens) == "demo"
    assert requested == [True]


def test_choose_returns_none_when_cancelled(
    qtbot: QtBot, profiles: ProfileStore, tokens: TokenStore
) -> None:
    def cancel() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ConnectionDialog)
        dialog.cancel_button.click()

    QTimer.singleShot(0, cancel)
    assert ConnectionDialog.choose(None, profiles, tokens) is None


def test_test_connection_shows_the_demo_servers_total(
    qtbot: QtBot, profiles: ProfileStore, tokens: TokenStore, demo_server: DemoServerThread
) -> None:
    dialog = open_dialog(qtbot, profiles, tokens)
    fill(qtbot, dialog, "demo", demo_server.url, demo_server.token)
    click(qtbot, dialog.test_button)
    assert not dialog.test_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.test_result.text() != "Testing…", timeout=20_000)
    assert dialog.test_result.text() == "Connected: 30,000 records"
    assert dialog.test_button.isEnabled()
    assert profiles.profiles() == []  # testing saves nothing


def test_test_connection_shows_the_servers_refusal(
    qtbot: QtBot, profiles: ProfileStore, tokens: TokenStore, demo_server: DemoServerThread
) -> None:
    dialog = open_dialog(qtbot, profiles, tokens)
    fill(qtbot, dialog, "demo", demo_server.url, TOKEN)
    click(qtbot, dialog.test_button)
    qtbot.waitUntil(lambda: dialog.test_result.text().startswith("Failed:"), timeout=20_000)
    assert "refused the API token (401 Unauthorized)" in dialog.test_result.text()
    assert TOKEN not in dialog.test_result.text()


def test_test_connection_reports_an_unreachable_server(
    qtbot: QtBot, profiles: ProfileStore, tokens: TokenStore
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dialog = open_dialog(qtbot, profiles, tokens)
    fill(qtbot, dialog, "gone", f"http://127.0.0.1:{port}", TOKEN)
    click(qtbot, dialog.test_button)
    qtbot.waitUntil(lambda: dialog.test_result.text().startswith("Failed:"), timeout=20_000)
    assert TOKEN not in dialog.test_result.text()
