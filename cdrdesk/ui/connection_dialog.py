"""Choose, edit and test connection profiles; tokens go to the keyring, never to a file.

The token field is never filled in: a saved token stays in the keyring and
is only replaced when a new one is typed. Plain ``http://`` to another
machine needs the user's explicit confirmation, because the token would
cross the network unencrypted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from PySide6.QtCore import Qt, QThread, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cdrdesk.api.query import CdrQuery
from cdrdesk.api.retry import RetryPolicy
from cdrdesk.connections import (
    BaseUrlError,
    Connection,
    Profile,
    ProfileStore,
    TokenStore,
    TokenStoreError,
    check_base_url,
)
from cdrdesk.ui.sidebar.base import ERROR_COLOR, INVALID_STYLE, WARNING_COLOR, mark_invalid

ChosenConnection = Connection | Literal["demo"] | None

PROBE_TIMEOUT = 15.0
# One quick attempt: a test should answer in seconds, not after a minute of retries.
PROBE_RETRY = RetryPolicy(attempts=1, total_timeout=PROBE_TIMEOUT)

_running_probes: set[ConnectionProbe] = set()


class ConnectionProbe(QThread):
    """A count-only request (``limit=0``) in its own thread and event loop.

    ``succeeded`` carries the total (None when the server gives none) and
    ``failed`` a one-line message without the token. A probe keeps itself
    alive until its thread has ended, even when its dialog is gone.
    """

    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, connection: Connection) -> None:
        super().__init__()
        self._connection = connection
        _running_probes.add(self)
        self.finished.connect(self._release)

    def run(self) -> None:
        try:
            total = asyncio.run(self._count())
        except Exception as exc:
            self.failed.emit(self._describe(exc))
        else:
            self.succeeded.emit(total)

    async def _count(self) -> int | None:
        async with self._connection.client(timeout=PROBE_TIMEOUT, retry=PROBE_RETRY) as client:
            return await client.count(CdrQuery())

    def _describe(self, exc: Exception) -> str:
        text = str(exc).strip() or type(exc).__name__
        if isinstance(exc, OSError):
            text = f"{type(exc).__name__}: {text}"
        return text.replace(self._connection.token, "…")

    def _release(self) -> None:
        self.wait()
        _running_probes.discard(self)


class ConnectionDialog(QDialog):
    demoRequested = Signal()

    def __init__(
        self,
        profiles: ProfileStore,
        tokens: TokenStore,
        parent: QWidget | None = None,
        *,
        ask_token_for: str | None = None,
        message: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("connection_dialog")
        self.setWindowTitle("Connect to a CDR API")
        self.setStyleSheet(INVALID_STYLE)
        self._profiles = profiles
        self._tokens = tokens
        self._ask_token_for = ask_token_for if ask_token_for in _names(profiles) else None
        self._chosen: ChosenConnection = None
        self._editing: str | None = None
        self._insecure_ok: set[str] = set()
        self._probe: ConnectionProbe | None = None
        self._marked: list[QWidget] = []

        notes = [*([message] if message else []), *profiles.warnings]
        if self._ask_token_for and not message:
            notes.insert(
                0,
                f"The server refused the token of {self._ask_token_for!r}. Enter a new token.",
            )
        self.message = _label("connection_message", WARNING_COLOR)
        self.message.setText("\n".join(notes))
        self.message.setVisible(bool(notes))
        self.keyring_status = _label("keyring_status", WARNING_COLOR)
        self.session_only = QCheckBox("Keep the token in memory for this session only")
        self.session_only.setObjectName("session_only_token")
        self.session_only.setToolTip("The token is not saved and will be asked for next time")

        self.profile_list = QListWidget()
        self.profile_list.setObjectName("profile_list")
        self.profile_list.setAccessibleName("Saved profiles")
        self.new_button = QPushButton("New profile")
        self.new_button.setObjectName("new_profile")
        self.name = _line("profile_name", "Profile name", "e.g. Production")
        self.base_url = _line("profile_base_url", "Base URL", "https://cluster.voiso.com")
        self.token = _line("profile_token", "API token", "Paste the API token")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.ca_bundle = _line("profile_ca_bundle", "CA bundle", "System certificates")
        self.browse_button = QPushButton("Browse…")
        self.browse_button.setObjectName("browse_ca_bundle")
        self.browse_button.setAccessibleName("Choose a CA bundle file")
        self.test_button = QPushButton("Test connection")
        self.test_button.setObjectName("test_connection")
        self.test_result = QLabel()
        self.test_result.setObjectName("test_result")
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = _label("connection_error", ERROR_COLOR)
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("save_profile")
        self.delete_button = QPushButton("Delete profile")
        self.delete_button.setObjectName("delete_profile")
        self.demo_button = QPushButton("Try the demo")
        self.demo_button.setObjectName("try_demo")
        self.demo_button.setToolTip("Browse generated records from a server on this computer")
        self.connect_button = QPushButton("Connect")
        self.connect_button.setObjectName("connect")
        self.connect_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancel")

        self._build_layout()
        self.profile_list.currentItemChanged.connect(self._profile_selected)
        self.new_button.clicked.connect(self._new_profile)
        self.browse_button.clicked.connect(self._browse_ca_bundle)
        self.test_button.clicked.connect(lambda: self._with_checked_url(self._test_with))
        self.save_button.clicked.connect(lambda: self._with_checked_url(self._save_with))
        self.connect_button.clicked.connect(lambda: self._with_checked_url(self._connect_with))
        self.delete_button.clicked.connect(self._delete)
        self.demo_button.clicked.connect(self._choose_demo)
        self.cancel_button.clicked.connect(self.reject)
        for field in (self.name, self.base_url, self.token, self.ca_bundle):
            field.textEdited.connect(self._clear_error)

        self._show_keyring_status()
        self._fill_list(self._ask_token_for or profiles.last_profile)
        if self._ask_token_for:
            self.token.setPlaceholderText(f"A new token for {self._ask_token_for}")
            self.token.setFocus()

    # -- the interface the window uses -------------------------------------------------

    @staticmethod
    def choose(
        parent: QWidget | None,
        profiles: ProfileStore,
        tokens: TokenStore,
        *,
        ask_token_for: str | None = None,
        message: str | None = None,
    ) -> ChosenConnection:
        """Show the dialog; a connection, ``"demo"``, or None when cancelled."""
        dialog = ConnectionDialog(
            profiles, tokens, parent, ask_token_for=ask_token_for, message=message
        )
        try:
            dialog.exec()
            return dialog.chosen()
        finally:
            dialog.deleteLater()

    def chosen(self) -> ChosenConnection:
        return self._chosen

    def done(self, result: int) -> None:
        if self._probe is not None:
            self._probe.succeeded.disconnect(self._test_succeeded)
            self._probe.failed.disconnect(self._test_failed)
            self._probe = None
        super().done(result)

    # -- layout and list -----------------------------------------------------------------

    def _build_layout(self) -> None:
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(self.browse_button)
        form = QFormLayout()
        for text, field in (
            ("&Name", self.name),
            ("Base &URL", self.base_url),
            ("&Token", self.token),
        ):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, field)
        ca_label = QLabel("&CA bundle")
        ca_label.setBuddy(self.ca_bundle)
        form.addRow(ca_label, ca_row)
        form.addRow("", self.session_only)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addLayout(test_row)
        right.addWidget(self.error)
        right.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.profile_list, 1)
        left.addWidget(self.new_button)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.demo_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.connect_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.keyring_status)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)

    def _fill_list(self, select: str | None) -> None:
        self.profile_list.blockSignals(True)
        self.profile_list.clear()
        for profile in self._profiles.profiles():
            item = QListWidgetItem(profile.name + (" (demo)" if profile.demo else ""))
            item.setData(Qt.ItemDataRole.UserRole, profile.name)
            self.profile_list.addItem(item)
        self.profile_list.blockSignals(False)
        names = _names(self._profiles)
        target = select if select in names else (names[0] if names else None)
        if target is None:
            self._new_profile()
            return
        for row in range(self.profile_list.count()):
            if self.profile_list.item(row).data(Qt.ItemDataRole.UserRole) == target:
                self.profile_list.setCurrentRow(row)
        self._load(target)

    def _profile_selected(self, current: QListWidgetItem | None) -> None:
        if current is not None:
            self._load(str(current.data(Qt.ItemDataRole.UserRole)))

    def _load(self, name: str) -> None:
        profile = self._profiles.get(name)
        if profile is None:
            return
        self._editing = name
        self.name.setText(profile.name)
        self.base_url.setText(profile.base_url)
        self.ca_bundle.setText(profile.ca_bundle or "")
        self.token.clear()
        has_token = self._tokens.get(name) is not None
        self.token.setPlaceholderText(
            "A token is saved; type a new one to replace it" if has_token else "Paste the API token"
        )
        self.delete_button.setEnabled(True)
        self.test_result.clear()
        self._clear_error()

    def _new_profile(self) -> None:
        self.profile_list.blockSignals(True)
        self.profile_list.setCurrentRow(-1)
        self.profile_list.clearSelection()
        self.profile_list.blockSignals(False)
        self._editing = None
        for field in (self.name, self.base_url, self.token, self.ca_bundle):
            field.clear()
        self.token.setPlaceholderText("Paste the API token")
        self.delete_button.setEnabled(False)
        self.test_result.clear()
        self._clear_error()
        self.name.setFocus()

    def _show_keyring_status(self) -> None:
        if self._tokens.available:
            self.keyring_status.hide()
            return
        self.keyring_status.setText(
            f"The system keyring is not available ({self._tokens.unavailable_reason}). "
            "A token can only be kept in memory for this session; cdrdesk will ask for it "
            "again next time."
        )
        self.keyring_status.show()

    # -- actions -------------------------------------------------------------------------

    def _with_checked_url(self, then: Callable[[str], object]) -> None:
        """Run ``then`` with the checked base URL, asking first about plain http."""
        text = self.base_url.text().strip()
        try:
            url = check_base_url(text, allow_insecure=text in self._insecure_ok)
        except BaseUrlError as exc:
            if exc.needs_confirmation:
                self._confirm_insecure(text, str(exc), then)
            else:
                self._show_error(_sentence(str(exc)), self.base_url)
            return
        then(url)

    def _confirm_insecure(self, text: str, problem: str, then: Callable[[str], object]) -> None:
        def accepted() -> None:
            self._insecure_ok.add(text)
            self._with_checked_url(then)

        self._confirm(
            "Send the token unencrypted?",
            f"{_sentence(problem)}\n\nAnyone on the network between this computer and the "
            "server could read the token and the records. Continue only on a network you trust.",
            "Use plain http",
            accepted,
        )

    def _save_problem(
        self, name: str, token: str, ca_bundle: str | None
    ) -> tuple[str, QWidget] | None:
        if not name:
            return "Enter a name for the profile.", self.name
        if name != self._editing and self._profiles.get(name) is not None:
            return f"A profile named {name!r} exists already.", self.name
        if ca_bundle is not None and not Path(ca_bundle).is_file():
            return f"The CA bundle {ca_bundle} is not a file.", self.ca_bundle
        if self._ask_token_for is not None and name == self._ask_token_for and not token:
            return f"Enter a new token for {name}.", self.token
        if token and not self._tokens.available and not self.session_only.isChecked():
            return (
                "The keyring is not available: tick “Keep the token in memory for this "
                "session only” to use this token.",
                self.session_only,
            )
        return None

    def _save_with(self, url: str) -> Profile | None:
        name = self.name.text().strip()
        token = self.token.text().strip()
        ca_bundle = self.ca_bundle.text().strip() or None
        problem = self._save_problem(name, token, ca_bundle)
        if problem is not None:
            self._show_error(*problem)
            return None
        previous = self._profiles.get(self._editing) if self._editing else None
        profile = Profile(name, url, ca_bundle, demo=previous.demo if previous else False)
        try:
            if self._editing is not None and self._editing != name:
                old_token = self._tokens.get(self._editing)
                self._tokens.delete(self._editing)
                if old_token and not token:
                    self._tokens.set(name, old_token, session_only=not self._tokens.available)
            if token:
                self._tokens.set(name, token, session_only=self.session_only.isChecked())
            self._profiles.save(profile, replacing=self._editing)
        except (OSError, TokenStoreError) as exc:
            self._show_error(f"Could not save the profile: {exc}", self.name)
            return None
        if self._ask_token_for == name and token:
            self._ask_token_for = None
        self._show_keyring_status()
        self._fill_list(name)
        return profile

    def _connect_with(self, url: str) -> None:
        typed = self.token.text().strip()
        profile = self._save_with(url)
        if profile is None:
            return
        token = typed or self._tokens.get(profile.name)
        if not token:
            self._show_error(f"Enter the API token for {profile.name}.", self.token)
            return
        try:
            self._profiles.last_profile = profile.name
        except OSError as exc:
            self._show_error(f"Could not remember the last profile: {exc}", self.name)
            return
        self._chosen = Connection(profile, token)
        self.accept()

    def _test_with(self, url: str) -> None:
        name = self.name.text().strip()
        token = self.token.text().strip() or (self._tokens.get(name) if name else None)
        ca_bundle = self.ca_bundle.text().strip() or None
        if not token:
            self._show_error("Enter the API token to test the connection.", self.token)
            return
        if ca_bundle is not None and not Path(ca_bundle).is_file():
            self._show_error(f"The CA bundle {ca_bundle} is not a file.", self.ca_bundle)
            return
        self._clear_error()
        probe = ConnectionProbe(Connection(Profile(name or "unsaved", url, ca_bundle), token))
        probe.succeeded.connect(self._test_succeeded)
        probe.failed.connect(self._test_failed)
        self._probe = probe
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText("Testing…")
        probe.start()

    def _test_succeeded(self, total: int | None) -> None:
        self._probe_done()
        self.test_result.setStyleSheet("")
        self.test_result.setText(
            f"Connected: {total:,} records" if total is not None else "Connected (no total given)"
        )

    def _test_failed(self, message: str) -> None:
        self._probe_done()
        self.test_result.setStyleSheet(f"color: {ERROR_COLOR};")
        self.test_result.setText(f"Failed: {message}")

    def _probe_done(self) -> None:
        self._probe = None
        self.test_button.setEnabled(True)

    def _delete(self) -> None:
        name = self._editing
        if name is None:
            return

        def accepted() -> None:
            try:
                self._tokens.delete(name)
                self._profiles.delete(name)
            except (OSError, TokenStoreError) as exc:
                self._show_error(f"Could not delete the profile: {exc}", self.name)
                return
            if self._ask_token_for == name:
                self._ask_token_for = None
            self._fill_list(None)

        self._confirm(
            f"Delete {name}?",
            f"The profile {name!r} and its saved token are removed.",
            "Delete",
            accepted,
        )

    def _choose_demo(self) -> None:
        self._chosen = "demo"
        self.demoRequested.emit()
        self.accept()

    def _browse_ca_bundle(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "CA bundle", self.ca_bundle.text(), "Certificates (*.pem *.crt *.cer);;All (*)"
        )
        if path:
            self.ca_bundle.setText(path)

    # -- feedback ------------------------------------------------------------------------

    def _confirm(self, title: str, text: str, yes_text: str, accepted: Callable[[], None]) -> None:
        """Ask without a nested event loop; ``accepted`` runs when the user agrees."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=self)
        box.setObjectName("confirm_dialog")
        yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def clicked(button: QAbstractButton) -> None:
            box.deleteLater()
            if box.buttonRole(button) == box.buttonRole(yes):
                accepted()

        box.buttonClicked.connect(clicked)
        box.open()

    def _show_error(self, message: str, field: QWidget) -> None:
        self._clear_error()
        self.error.setText(message)
        self.error.show()
        mark_invalid(field, True)
        self._marked = [field]
        field.setFocus()

    def _clear_error(self) -> None:
        for field in self._marked:
            mark_invalid(field, False)
        self._marked = []
        self.error.clear()
        self.error.hide()


def _names(profiles: ProfileStore) -> list[str]:
    return [profile.name for profile in profiles.profiles()]


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def _label(object_name: str, color: str) -> QLabel:
    label = QLabel()
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {color};")
    label.hide()
    return label


def _line(object_name: str, accessible: str, placeholder: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(object_name)
    field.setAccessibleName(accessible)
    field.setPlaceholderText(placeholder)
    return field
