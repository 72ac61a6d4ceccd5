"""Saved filter presets in the window: the preset bar above the filters and the Presets menu.

:class:`PresetsController` is the one place that changes the
:class:`~cdrdesk.presets.PresetStore`; the bar and the menus only call it.
A preset keeps relative ranges relative ("Last 7 days" is resolved when it
is applied, by the window). The bar marks the applied preset as modified
("Name •") while the sidebar's filters differ from it.

Overwriting a preset with the current filters replaces the filters this
version understands; filters it does not know (written by a newer version)
are kept, since the user never saw them and cannot have meant to drop them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QMenu,
    QMessageBox,
    QToolButton,
    QWidget,
)

from cdrdesk.api.query import QueryError
from cdrdesk.presets import (
    ImportReport,
    Preset,
    PresetImportError,
    PresetsReadOnly,
    PresetStore,
    PresetStoreError,
    curl_command,
    make_link,
)
from cdrdesk.ui.cdr_model import FIRST_PAGE_SIZE
from cdrdesk.ui.icons import icon
from cdrdesk.ui.preset_dialogs import ask_name, confirm, show_notice

if TYPE_CHECKING:
    from cdrdesk.ui.main_window import MainWindow

MODIFIED_MARK = " •"
FILE_FILTER = "cdrdesk presets (*.json);;All files (*)"


class PresetsController(QObject):
    """Presets of one window: the store, the actions, the bar and the Presets menu."""

    presetsChanged = Signal()
    currentChanged = Signal()  # the applied preset, or whether it is modified

    def __init__(self, window: MainWindow, store: PresetStore, *, interactive: bool = True) -> None:
        super().__init__(window)
        self.window = window
        self.store = store
        self.interactive = interactive
        self._notice_box: QMessageBox | None = None
        self._current: str | None = None
        self._modified = False
        self._submenus: list[QMenu] = []
        self._menu_rebuild = QTimer(self)
        self._menu_rebuild.setSingleShot(True)
        self._menu_rebuild.setInterval(0)
        self._menu_rebuild.timeout.connect(self._rebuild_menu)

        self.save_action = self._action(
            "&Save filters as preset…", "action_save_preset", lambda: self.save_as(), "preset"
        )
        self.save_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Save))
        self.save_action.setToolTip("Save the current filters as a named preset (Ctrl+S)")
        self.copy_link_action = self._action(
            "Copy &link to these filters", "action_copy_link", self.copy_link, "copy"
        )
        self.copy_curl_action = self._action(
            "Copy as c&url", "action_copy_curl", self.copy_curl, "copy"
        )
        self.copy_curl_action.setToolTip(
            "The request of the first page as a curl command; the token is read from "
            "$CDRDESK_TOKEN when it runs"
        )
        self.import_action = self._action(
            "&Import presets…", "action_import_presets", lambda: self.import_presets()
        )
        self.export_action = self._action(
            "&Export presets…", "action_export_presets", lambda: self.export_presets()
        )

        self.menu = QMenu("&Presets", window)
        self.menu.setObjectName("presets_menu")
        self.bar = PresetBar(self)
        window.sidebar.add_top_widget(self.bar)
        window.sidebar.stateChanged.connect(self._update_modified)
        # Later, not at once: the change may come from an action of the menu being rebuilt.
        self.presetsChanged.connect(self._menu_rebuild.start)
        self.currentChanged.connect(self._menu_rebuild.start)
        self._rebuild_menu()
        if self.startup_problems():
            QTimer.singleShot(0, self, self._tell_startup_problems)  # once the window is up

    def _action(
        self, text: str, name: str, slot: Callable[[], object], icon_name: str | None = None
    ) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        if icon_name is not None:
            action.setIcon(icon(icon_name))
        action.triggered.connect(lambda _checked=False: slot())
        self.window.addAction(action)
        return action

    # -- state ---------------------------------------------------------------------------

    @property
    def last_notice(self) -> QMessageBox | None:
        """The notice shown last, until it is closed (closing deletes it)."""
        box = self._notice_box
        return box if box is not None and shiboken6.isValid(box) else None

    @property
    def current(self) -> str | None:
        """The name of the preset last applied or saved, while it exists."""
        return self._current

    @property
    def modified(self) -> bool:
        """Whether the sidebar's filters differ from the current preset."""
        return self._modified

    def _set_current(self, name: str | None) -> None:
        self._current = name
        self._update_modified()

    def _update_modified(self) -> None:
        preset = self.store.get(self._current) if self._current is not None else None
        if preset is None:
            self._current = None
        modified = preset is not None and preset.state != self.window.sidebar.state()
        self._modified = modified
        self.currentChanged.emit()

    # -- start ---------------------------------------------------------------------------

    def start(self, preset_name: str | None) -> None:
        """Put ``preset_name`` (else the default preset) into the sidebar; the window
        loads it once it is connected."""
        name = preset_name if preset_name is not None else self.store.default
        if name is not None and name in self.store:
            self.apply_preset(name, load=False)

    def startup_problems(self) -> list[str]:
        """What the store repaired or kept without applying, one line each."""
        lines = list(self.store.warnings)
        for preset in self.store.list():
            lines.extend(f"Preset {preset.name!r}: {line}" for line in preset.messages())
        return lines

    def _tell_startup_problems(self) -> None:
        export = ("Export presets…", self.export_presets) if self.store.read_only else None
        self._notice(
            "Presets",
            "There were problems with the saved presets.",
            details="\n".join(self.startup_problems()),
            warning=True,
            action=export,
            status=False,  # the window's status bar tells them already
        )

    # -- commands ------------------------------------------------------------------------

    def apply_preset(self, name: str, *, load: bool = True) -> bool:
        """Show the preset's filters; ``load`` asks for its records now."""
        preset = self.store.get(name)
        if preset is None:
            self._status(f"There is no preset named {name!r}")
            return False
        self._current = name
        self.window.sidebar.set_state(preset.state)
        self._update_modified()
        if load:
            self.window.sidebar.apply()
        problems = preset.messages()
        if problems and load:  # at start, the notice of startup problems names them
            self._notice(
                "Preset",
                f"Parts of the preset {name!r} are not applied.",
                details="\n".join(problems),
                warning=True,
            )
        elif not problems:
            self._status(f"Preset {name!r} applied")
        return True

    def save_as(self, name: str | None = None) -> bool:
        """Save the sidebar's filters under a name (asked for when not given)."""
        state = self.window.sidebar.state()
        if not self.window.sidebar.is_valid():
            self._status("Correct the filters marked in red before saving them")
            return False
        if name is None:
            name = self._ask_name("Save preset", "Name of the preset:", self._current or "")
            if name is None:
                return False
        name = name.strip()
        if not name:
            self._status("A preset needs a name")
            return False
        existing = self.store.get(name)
        if existing is not None:
            if not self._confirm(
                "Replace preset",
                f"A preset named {name!r} already exists. Replace its filters?",
                "Replace",
            ):
                return False
            return self._overwrite(existing)
        if not self._change(lambda: self.store.save(Preset(name, state))):
            return False
        self._set_current(name)
        self._status(f"Filters saved as preset {name!r}")
        return True

    def overwrite(self, name: str, *, ask: bool = True) -> bool:
        """Replace the preset's filters by the sidebar's (after a confirmation)."""
        preset = self.store.get(name)
        if preset is None:
            self._status(f"There is no preset named {name!r}")
            return False
        if not self.window.sidebar.is_valid():
            self._status("Correct the filters marked in red before saving them")
            return False
        if ask and not self._confirm(
            "Overwrite preset",
            f"Replace the filters of {name!r} with the current filters?",
            "Overwrite",
        ):
            return False
        return self._overwrite(preset)

    def _overwrite(self, preset: Preset) -> bool:
        updated = replace(
            preset,
            state=self.window.sidebar.state(),
            invalid_filters=(),
            invalid_relative=(),
        )
        if not self._change(lambda: self.store.save(updated, overwrite=True)):
            return False
        self._set_current(preset.name)
        self._status(f"Preset {preset.name!r} saved")
        return True

    def rename(self, name: str, new_name: str | None = None) -> bool:
        if new_name is None:
            new_name = self._ask_name("Rename preset", f"New name of {name!r}:", name)
            if new_name is None:
                return False
        if not new_name.strip():
            self._status("A preset needs a name")
            return False
        renamed: list[Preset] = []
        if not self._change(lambda: renamed.append(self.store.rename(name, new_name))):
            return False
        if self._current == name:
            self._set_current(renamed[0].name)
        self._status(f"Preset {name!r} renamed to {renamed[0].name!r}")
        return True

    def duplicate(self, name: str, new_name: str | None = None) -> str | None:
        """A copy named ``Name (2)`` (or ``new_name``); returns its name."""
        if new_name is not None and not new_name.strip():
            self._status("A preset needs a name")
            return None
        copies: list[Preset] = []
        if not self._change(lambda: copies.append(self.store.duplicate(name, new_name))):
            return None
        self._status(f"Preset {name!r} duplicated as {copies[0].name!r}")
        return copies[0].name

    def delete(self, name: str, *, ask: bool = True) -> bool:
        if ask and not self._confirm(
            "Delete preset", f"Delete the preset {name!r}? This cannot be undone.", "Delete"
        ):
            return False
        if not self._change(lambda: self.store.delete(name)):
            return False
        if self._current == name:
            self._set_current(None)
        self._status(f"Preset {name!r} deleted")
        return True

    def set_default(self, name: str | None) -> bool:
        """Apply ``name`` at start from now on; None clears the default."""

        def change() -> None:
            self.store.default = name

        if not self._change(change):
            return False
        self._status(
            "No preset is applied at start" if name is None else f"{name!r} is applied at start"
        )
        return True

    def import_presets(self, path: Path | None = None) -> ImportReport | None:
        """Merge a presets file (chosen in a file dialog when ``path`` is None)."""
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(self.window, "Import presets", "", FILE_FILTER)
            if not chosen:
                return None
            path = Path(chosen)
        reports: list[ImportReport] = []
        if not self._change(lambda: reports.append(self.store.import_file(path))):
            return None
        report = reports[0]
        self._notice(
            "Import presets",
            report.summary(),
            details="\n".join(report.problems),
            warning=bool(report.problems),
        )
        return report

    def export_presets(self, path: Path | None = None) -> bool:
        """Write every preset to a file of its own (works on a read-only store too)."""
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self.window, "Export presets", "cdrdesk-presets.json", FILE_FILTER
            )
            if not chosen:
                return False
            path = Path(chosen)
        target = path
        try:
            self.store.export_file(target)
        except OSError as exc:
            self._notice(
                "Export presets",
                f"Cannot write {target}: {exc.strerror or exc}",
                warning=True,
            )
            return False
        count = len(self.store)
        self._status(f"{count} preset{'s' if count != 1 else ''} exported to {target.name}")
        return True

    def copy_link(self) -> str | None:
        """A ``cdrdesk://`` link of the sidebar's filters; relative ranges resolved now."""
        sidebar = self.window.sidebar
        try:
            link = make_link(sidebar.state(), datetime.now(UTC), sidebar.display_zone())
        except QueryError as exc:
            self._status(f"Cannot make a link of these filters: {exc}")
            return None
        QGuiApplication.clipboard().setText(link)
        self._status("Link to these filters copied")
        return link

    def copy_curl(self) -> str | None:
        """The first page's request of the loaded query as curl; the token stays a variable."""
        connection = self.window.connection
        if connection is None:
            self._status("Connect to a server first")
            return None
        query = self.window.model.query
        if query is None:
            query = self.window.sidebar.state().resolve(datetime.now(UTC), self.window.display_zone)
        try:
            command = curl_command(
                connection.profile.base_url, query, limit=FIRST_PAGE_SIZE, offset=0
            )
        except ValueError as exc:
            self._status(f"Cannot make a curl command: {exc}")
            return None
        QGuiApplication.clipboard().setText(command)
        self._status("curl command copied; set CDRDESK_TOKEN before running it")
        return command

    # -- menus ---------------------------------------------------------------------------

    def fill_preset_menu(self, menu: QMenu, name: str) -> None:
        """The commands of one preset."""
        is_default = self.store.default == name
        entries: list[tuple[str, str, Callable[[], object]]] = [
            ("&Apply", "preset_apply", lambda: self.apply_preset(name)),
            ("&Rename…", "preset_rename", lambda: self.rename(name)),
            ("D&uplicate", "preset_duplicate", lambda: self.duplicate(name)),
            ("&Overwrite with current filters…", "preset_overwrite", lambda: self.overwrite(name)),
            (
                "&Clear default" if is_default else "Set as &default",
                "preset_clear_default" if is_default else "preset_set_default",
                (lambda: self.set_default(None)) if is_default else lambda: self.set_default(name),
            ),
            ("&Delete…", "preset_delete", lambda: self.delete(name)),
        ]
        for text, object_name, run in entries:
            action = menu.addAction(text)
            action.setObjectName(object_name)
            action.setData(name)
            action.triggered.connect(lambda _checked=False, run=run: run())

    def preset_label(self, name: str, *, show_default: bool = True) -> str:
        label = name
        if name == self._current and self._modified:
            label += MODIFIED_MARK
        if show_default and name == self.store.default:
            label += " (default)"
        return label

    def _rebuild_menu(self) -> None:
        menu = self.menu
        menu.clear()
        for submenu in self._submenus:
            submenu.deleteLater()
        self._submenus = []
        menu.addAction(self.save_action)
        menu.addSeparator()
        names = self.store.names()
        if not names:
            empty = menu.addAction("No saved presets")
            empty.setObjectName("no_presets")
            empty.setEnabled(False)
        for name in names:
            submenu = menu.addMenu(icon("preset"), self.preset_label(name).replace("&", "&&"))
            submenu.setObjectName("preset_menu")
            submenu.menuAction().setData(name)
            self._submenus.append(submenu)
            self.fill_preset_menu(submenu, name)
        menu.addSeparator()
        menu.addAction(self.copy_link_action)
        menu.addAction(self.copy_curl_action)
        menu.addSeparator()
        menu.addAction(self.import_action)
        menu.addAction(self.export_action)

    # -- helpers -------------------------------------------------------------------------

    def _change(self, change: Callable[[], object]) -> bool:
        """Run a store change; tell the user why it was refused.

        The caller then says which preset is current (a rename or delete changes it).
        """
        try:
            change()
        except PresetsReadOnly as exc:
            self._notice(
                "Presets are read-only",
                str(exc),
                warning=True,
                action=("Export presets…", self.export_presets),
            )
            return False
        except PresetImportError as exc:
            self._notice("Import presets", str(exc), warning=True)
            return False
        except PresetStoreError as exc:
            self._notice("Presets", str(exc), warning=True)
            return False
        self.presetsChanged.emit()
        return True

    def _ask_name(self, title: str, label: str, text: str) -> str | None:
        if not self.interactive:
            return None
        return ask_name(self.window, title, label, text)

    def _confirm(self, title: str, text: str, action: str) -> bool:
        return self.interactive and confirm(self.window, title, text, action)

    def _status(self, text: str) -> None:
        self.window.status.show_message(text)

    def _notice(
        self,
        title: str,
        text: str,
        *,
        details: str = "",
        warning: bool = False,
        action: tuple[str, Callable[[], object]] | None = None,
        status: bool = True,
    ) -> None:
        """Status bar line plus a non-modal box (only one at a time; none when not interactive)."""
        if status:
            self._status(f"{text} {details}".strip().replace("\n", " "))
        if not self.interactive:
            return
        if self.last_notice is not None:
            self.last_notice.close()  # one notice at a time
        self._notice_box = show_notice(
            self.window, title, text, warning=warning, details=details, action=action
        )


class PresetBar(QWidget):
    """The presets row above the filters: a choice of presets, Save and a menu."""

    def __init__(self, controller: PresetsController) -> None:
        super().__init__()
        self.setObjectName("preset_bar")
        self.setAccessibleName("Presets")
        self._controller = controller

        self.choice = QComboBox()
        self.choice.setObjectName("preset_choice")
        self.choice.setAccessibleName("Preset")
        self.choice.setPlaceholderText("Presets")
        self.choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.choice.setMinimumContentsLength(8)
        self.save_button = QToolButton()
        self.save_button.setText("Save")
        self.save_button.setObjectName("save_preset")
        self.save_button.setToolTip("Save the current filters as a preset (Ctrl+S)")
        self.menu_button = QToolButton()
        self.menu_button.setObjectName("preset_menu_button")
        self.menu_button.setAccessibleName("Preset commands")
        self.menu_button.setToolTip("Preset commands, links and curl")
        self.menu_button.setIcon(icon("preset"))
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.menu_button)
        self.menu.setObjectName("preset_bar_menu")
        self.menu_button.setMenu(self.menu)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.choice, 1)
        layout.addWidget(self.save_button)
        layout.addWidget(self.menu_button)

        self.choice.activated.connect(self._chosen)
        self.save_button.clicked.connect(lambda: controller.save_as())
        self.menu.aboutToShow.connect(self.rebuild_menu)
        controller.presetsChanged.connect(self.refresh)
        controller.currentChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """List the presets and show the current one, marked when modified."""
        controller = self._controller
        store = controller.store
        self.choice.blockSignals(True)
        try:
            self.choice.clear()
            for name in store.names():
                # The default is said by the tooltip: the bar is narrow, the mark must show.
                self.choice.addItem(controller.preset_label(name, show_default=False), name)
                index = self.choice.count() - 1
                preset = store.get(name)
                tip = preset.description if preset is not None else ""
                if name == store.default:
                    tip = "\n".join(filter(None, [tip, "Applied at start"]))
                if tip:
                    self.choice.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
            current = controller.current
            self.choice.setCurrentIndex(-1 if current is None else self.choice.findData(current))
        finally:
            self.choice.blockSignals(False)
        font = self.choice.font()
        font.setItalic(controller.modified)
        self.choice.setFont(font)
        if current is not None and controller.modified:
            self.choice.setToolTip(
                f"The filters differ from the preset {current!r}; "
                "use Overwrite in the preset menu to save them into it"
            )
        elif current is not None:
            self.choice.setToolTip(f"The filters of the preset {current!r}")
        else:
            self.choice.setToolTip("Choose a saved preset to apply it")

    def rebuild_menu(self) -> None:
        """Filled each time it opens, so it always names the current preset."""
        controller = self._controller
        self.menu.clear()
        self.menu.addAction(controller.save_action)
        current = controller.current
        if current is not None:
            self.menu.addSeparator()
            self.menu.addSection(current)
            controller.fill_preset_menu(self.menu, current)
        self.menu.addSeparator()
        self.menu.addAction(controller.copy_link_action)
        self.menu.addAction(controller.copy_curl_action)
        self.menu.addSeparator()
        self.menu.addAction(controller.import_action)
        self.menu.addAction(controller.export_action)

    def _chosen(self, index: int) -> None:
        name = self.choice.itemData(index)
        if isinstance(name, str):
            self._controller.apply_preset(name)
