"""The main window: filters on the left, the records in the middle, one record on the right.

It wires the parts together and owns no data itself: the sidebar says what
to ask for, the model loads it page by page, the detail pane shows the
current record and the status bar tells how loading goes. Errors never
clear what was loaded: a refused filter is shown beside its field, a
refused token brings back the connection dialog, anything else offers Retry.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, tzinfo
from urllib.parse import urlsplit

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QToolBar, QWidget

from cdrdesk.api.errors import InvalidFilters, Unauthorized
from cdrdesk.api.filters import FILTERS, FILTERS_BY_NAME
from cdrdesk.api.timeranges import FilterState
from cdrdesk.connections.profiles import Connection, ProfileStore
from cdrdesk.connections.tokens import TokenStore
from cdrdesk.demo.runner import DEFAULT_RECORDS, DemoServerProcess
from cdrdesk.logs import register_secret
from cdrdesk.presets import PresetStore
from cdrdesk.ui.about import show_about
from cdrdesk.ui.cdr_model import CdrTableModel
from cdrdesk.ui.connection_dialog import ConnectionDialog
from cdrdesk.ui.copy_options import CopyOptions
from cdrdesk.ui.demo_session import DEMO_PROFILE_NAME, DemoSession
from cdrdesk.ui.detail_pane import DetailPane
from cdrdesk.ui.export_controller import ExportController
from cdrdesk.ui.icons import icon
from cdrdesk.ui.presets_panel import PresetsController
from cdrdesk.ui.settings import ZONE_LOCAL, ZONE_UTC, WindowSettings
from cdrdesk.ui.sidebar import FilterSidebar
from cdrdesk.ui.status import StatusWidgets
from cdrdesk.ui.table_view import CdrTableView

APP_TITLE = "cdrdesk"
_log = logging.getLogger(__name__)


def filter_for_column(key: str) -> str | None:
    """The list filter (multi string, enum, event tags) that matches a column's values."""
    if key == "event_tags":
        return "event_tag"
    for spec in FILTERS:
        if spec.field_name == key and spec.kind.is_multi:
            return spec.name
    return None


def describe_connection(connection: Connection) -> str:
    """Profile and host for the status bar; never the token, never the URL's user part."""
    if connection.profile.demo:
        return "Embedded demo server"
    host = urlsplit(connection.profile.base_url).hostname or connection.profile.base_url
    return f"{connection.profile.name} ({host})"


class MainWindow(QMainWindow):
    connectionChanged = Signal(object)  # Connection | None
    demoFailed = Signal(str)

    def __init__(
        self,
        settings: WindowSettings,
        profiles: ProfileStore,
        tokens: TokenStore,
        *,
        initial_state: FilterState | None = None,
        presets: PresetStore | None = None,
        initial_preset: str | None = None,
        demo_records: int = DEFAULT_RECORDS,
        interactive: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        """``interactive=False`` (the self-check) never opens a dialog; problems stay in the
        status bar, where the self-check reads them as failures."""
        super().__init__(parent)
        self.setObjectName("main_window")
        self.setAccessibleName("cdrdesk main window")
        self.setWindowTitle(APP_TITLE)
        self._settings = settings
        self._profiles = profiles
        self._tokens = tokens
        self._demo_records = demo_records
        self._interactive = interactive
        self._connection: Connection | None = None
        self._demo: DemoSession | None = None
        self._asking_for_token = False
        self._shut_down = False

        self.sidebar = FilterSidebar(self, display_zone=settings.display_zone())
        zone = self.sidebar.display_zone()
        self.model = CdrTableModel(self)
        self.model.set_display_zone(zone)
        self.table = CdrTableView(self)
        self.table.setModel(self.model)
        self.setCentralWidget(self.table)

        self.sidebar_dock = self._dock("Filters", "filters_dock", self.sidebar)
        # The sidebar has its own header ("Filters" and the active count); a dock title
        # above it would say the same twice. View › Filters shows and hides it.
        self.sidebar_dock.setTitleBarWidget(QWidget(self.sidebar_dock))
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.sidebar_dock)
        self.detail = DetailPane(zone, self)
        self.detail_dock = self._dock("Record detail", "detail_dock", self.detail)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.detail_dock)

        self.status = StatusWidgets(self.statusBar())
        self.status.set_connection_text("Not connected")
        self.presets = PresetsController(
            self, presets if presets is not None else PresetStore(), interactive=interactive
        )
        self._copy_options = CopyOptions(settings.path)
        self.exports = ExportController(
            self,
            self.model,
            self.table,
            self.statusBar(),
            connection=lambda: self._connection,
            zone_name=self.sidebar.display_zone_name,
            interactive=interactive,
        )
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._connect_parts()
        self._restore_settings()
        if initial_state is not None:
            self.sidebar.set_state(initial_state)
        else:
            self.presets.start(initial_preset)
        self._tell_store_problems()

    # -- construction -------------------------------------------------------------------

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setAccessibleName(title)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        return dock

    def _action(
        self,
        text: str,
        name: str,
        slot: object,
        shortcuts: list[QKeySequence] | None = None,
        icon_name: str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcuts:
            action.setShortcuts(shortcuts)
        if icon_name is not None:
            action.setIcon(icon(icon_name))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        key = QKeySequence
        std = QKeySequence.StandardKey
        self.connection_action = self._action(
            "&Connection…", "action_connection", self.choose_connection, icon_name="connection"
        )
        self.quit_action = self._action("&Quit", "action_quit", self.close, [key(std.Quit)])
        # The sidebar has its own Ctrl+Return; this one serves the table and the detail pane,
        # and a window-wide one would make the key ambiguous inside the sidebar.
        self.apply_action = self._action(
            "&Apply filters",
            "action_apply",
            self.sidebar.apply,
            [key("Ctrl+Return"), key("Ctrl+Enter")],
            "apply",
        )
        self.removeAction(self.apply_action)
        self.apply_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.table.addAction(self.apply_action)
        self.detail.addAction(self.apply_action)
        self.focus_filters_action = self._action(
            "&Find in filters",
            "action_focus_filters",
            self.focus_filters,
            [key(std.Find)],
            "filter",
        )
        self.reload_action = self._action(
            "&Reload",
            "action_reload",
            self.model.reload,
            [key("Ctrl+R"), key(std.Refresh)],
            "reload",
        )
        self.load_all_action = self._action(
            "Load &all", "action_load_all", self.model.load_all, icon_name="load_all"
        )
        self.cancel_load_all_action = self._action(
            "&Cancel load all",
            "action_cancel_load_all",
            self.model.cancel_load_all,
            icon_name="cancel",
        )
        self.cancel_load_all_action.setEnabled(False)
        self.retry_action = self._action("Re&try", "action_retry", self.retry)
        self.retry_action.setEnabled(False)

        # Copy and Space act on the table only, so they never steal keys from the filters.
        self.copy_action = QAction(icon("copy"), "&Copy", self.table)
        self.copy_action.setObjectName("action_copy")
        self.copy_action.setShortcut(key(std.Copy))
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self.copy_selection)
        self.table.addAction(self.copy_action)
        self.copy_header_action = QAction("Copy with &header", self)
        self.copy_header_action.setObjectName("action_copy_with_header")
        self.copy_header_action.setCheckable(True)
        self.copy_header_action.setChecked(self._copy_options.with_header())
        self.copy_header_action.toggled.connect(self._copy_options.set_with_header)

        self.detail_action = self.detail_dock.toggleViewAction()
        self.detail_action.setText("Record &detail")
        self.detail_action.setObjectName("action_toggle_detail")
        self.detail_action.setIcon(icon("detail"))
        self.detail_action.setToolTip("Show or hide the record detail (Space in the table)")
        self.toggle_detail_key = QAction("Toggle record detail", self.table)
        self.toggle_detail_key.setObjectName("action_space_detail")
        self.toggle_detail_key.setShortcut(key(Qt.Key.Key_Space))
        self.toggle_detail_key.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.toggle_detail_key.triggered.connect(self.detail_action.trigger)
        self.table.addAction(self.toggle_detail_key)

        self.sidebar_action = self.sidebar_dock.toggleViewAction()
        self.sidebar_action.setText("&Filters")
        self.sidebar_action.setObjectName("action_toggle_filters")

        self.zone_group = QActionGroup(self)
        self.zone_group.setExclusive(True)
        self.zone_actions: dict[str, QAction] = {}
        for name, text in ((ZONE_LOCAL, "&Local time"), (ZONE_UTC, "&UTC")):
            action = QAction(text, self.zone_group)
            action.setObjectName(f"action_zone_{name.lower()}")
            action.setCheckable(True)
            action.setChecked(name == self.sidebar.display_zone_name())
            action.triggered.connect(lambda _checked=False, zone=name: self.set_display_zone(zone))
            self.zone_actions[name] = action

        self.about_action = self._action(
            "&About cdrdesk", "action_about", self._about, None, "about"
        )

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.connection_action)
        file_menu.addSeparator()
        file_menu.addAction(self.exports.export_selected_action)
        file_menu.addAction(self.exports.export_all_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.copy_action)
        edit_menu.addAction(self.copy_header_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.presets.copy_link_action)
        edit_menu.addAction(self.presets.copy_curl_action)
        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.sidebar_action)
        view_menu.addAction(self.detail_action)
        zone_menu = view_menu.addMenu("Display &time zone")
        for action in self.zone_actions.values():
            zone_menu.addAction(action)
        records_menu = bar.addMenu("&Records")
        for action in (self.apply_action, self.focus_filters_action, self.reload_action):
            records_menu.addAction(action)
        records_menu.addSeparator()
        for action in (self.load_all_action, self.cancel_load_all_action, self.retry_action):
            records_menu.addAction(action)
        bar.addMenu(self.presets.menu)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main toolbar", self)
        toolbar.setObjectName("main_toolbar")
        toolbar.setAccessibleName("Main toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.apply_action, self.reload_action, self.load_all_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.detail_action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)

    def _connect_parts(self) -> None:
        self.sidebar.applyRequested.connect(self.apply_state)
        self.sidebar.displayZoneChanged.connect(self._display_zone_changed)
        self.model.loadingChanged.connect(self.status.set_loading)
        self.model.countsChanged.connect(self.status.set_counts)
        self.model.pageArrived.connect(self.status.rows_arrived)
        self.model.loadFailed.connect(self._load_failed)
        self.model.loadAllProgress.connect(self._load_all_progress)
        self.model.loadAllFinished.connect(self._load_all_finished)
        self.status.retryRequested.connect(self.retry)
        self.status.cancelLoadAllRequested.connect(self.model.cancel_load_all)
        selection = self.table.selectionModel()
        selection.currentRowChanged.connect(self._current_row_changed)
        self.model.modelReset.connect(lambda: self.detail.set_record(None))
        self.table.filterByValueRequested.connect(self.filter_by_value)
        self.detail.jsonCopied.connect(
            lambda _text: self.status.show_message("Record copied as JSON")
        )

    def _restore_settings(self) -> None:
        geometry = self._settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1400, 860)
        state = self._settings.window_state()
        if state is None or not self.restoreState(state):
            self.resizeDocks(
                [self.sidebar_dock, self.detail_dock], [270, 330], Qt.Orientation.Horizontal
            )
        columns = self._settings.columns()
        if columns is not None:
            self.table.restore_columns(columns)

    def _tell_store_problems(self) -> None:
        problems = [*self._profiles.warnings, *self.presets.startup_problems()]
        if self._settings.problem:
            problems.append(self._settings.problem)
        for problem in problems:
            _log.warning("%s", problem)
        if problems:
            self.status.show_message("; ".join(problems))

    # -- connection ---------------------------------------------------------------------

    @property
    def connection(self) -> Connection | None:
        return self._connection

    def set_connection(self, connection: Connection | None) -> None:
        """Use ``connection`` from now on and load the current filters from it."""
        self._connection = connection
        if connection is not None:
            register_secret(connection.token)
        if connection is None or not connection.profile.demo:
            self._stop_demo()
        self.model.set_connection(connection)
        demo = connection is not None and connection.profile.demo
        self.status.set_demo(demo)
        self.status.clear_error()
        if connection is None:
            self.setWindowTitle(APP_TITLE)
            self.status.set_connection_text("Not connected: File › Connection…")
        else:
            self.setWindowTitle(f"{APP_TITLE} — {connection.profile.name}")
            self.status.set_connection_text(describe_connection(connection))
            if not demo and self._profiles.get(connection.profile.name) is not None:
                self._remember_profile(connection.profile.name)
        self.connectionChanged.emit(connection)
        if connection is not None and self.model.query is None:
            self.sidebar.apply()  # a query already set was reloaded by the model

    def _remember_profile(self, name: str) -> None:
        try:
            self._profiles.last_profile = name
        except OSError as exc:
            _log.warning("could not remember the last profile: %s", exc)
            self.status.show_message(f"Could not remember the last profile: {exc.strerror}")

    def start_demo(self, session: DemoSession) -> None:
        """Start the demo server in the background and connect once it answers."""
        self._stop_demo()
        self._demo = session
        session.started.connect(self._demo_started)
        session.failed.connect(self._demo_failed)
        self.setWindowTitle(f"{APP_TITLE} — {DEMO_PROFILE_NAME}")
        self.status.set_demo(True)
        self.status.set_connection_text("Starting demo server…")
        self.status.set_loading(True)
        session.start()

    def demo_server_process(self) -> DemoServerProcess | None:
        """The embedded demo server this window started, while it runs."""
        return self._demo.server if self._demo is not None else None

    def _demo_started(self, connection: Connection) -> None:
        if self._demo is None or self._shut_down:
            return
        self.set_connection(connection)

    def _demo_failed(self, message: str) -> None:
        self.status.set_loading(False)
        self.status.set_connection_text("Not connected")
        self.status.show_error(message, retry=False)
        self.demoFailed.emit(message)

    def _stop_demo(self) -> None:
        if self._demo is not None:
            self._demo.started.disconnect(self._demo_started)
            self._demo.failed.disconnect(self._demo_failed)
            self._demo.stop()
            self._demo = None

    def choose_connection(
        self, *, ask_token_for: str | None = None, message: str | None = None
    ) -> None:
        """The connection dialog; "Try the demo" starts the demo server."""
        if not self._interactive:
            return
        result = ConnectionDialog.choose(
            self, self._profiles, self._tokens, ask_token_for=ask_token_for, message=message
        )
        if result == "demo":
            self.start_demo(DemoSession(self._demo_records))
        elif isinstance(result, Connection):
            self.set_connection(result)
        elif self._connection is None and self._demo is None:
            self.status.set_connection_text("Not connected: File › Connection…")

    # -- loading ------------------------------------------------------------------------

    @property
    def display_zone(self) -> tzinfo:
        return self.sidebar.display_zone()

    def apply_state(self, state: FilterState) -> None:
        """Ask for the records of ``state``; relative times are resolved now.

        The rows on screen stay until the server answers, and stay for good
        if it refuses the filters (its message then shows beside them).
        """
        query = state.resolve(datetime.now(UTC), self.display_zone)
        self.sidebar.clear_server_errors()
        self.status.clear_error()
        self.retry_action.setEnabled(False)
        self.status.restart_rate()
        self.model.set_query(query)

    def retry(self) -> None:
        self.status.clear_error()
        self.retry_action.setEnabled(False)
        self.model.retry()

    def _load_failed(self, error: object) -> None:
        if isinstance(error, InvalidFilters):
            self._show_invalid_filters(error)
            return
        if isinstance(error, Unauthorized) and self._connection is not None:
            self.status.show_error(f"The server refused the token: {error}")
            self.retry_action.setEnabled(True)
            if (
                self._interactive
                and not self._connection.profile.demo
                and not self._asking_for_token
            ):
                QTimer.singleShot(0, self, self._ask_for_token)
            return
        self.status.show_error(str(error) or type(error).__name__)
        self.retry_action.setEnabled(True)

    def _show_invalid_filters(self, error: InvalidFilters) -> None:
        self.sidebar.set_server_errors(error.errors)
        self.status.show_error(
            "The server refused the filters; see the messages beside them.", retry=False
        )

    def _ask_for_token(self) -> None:
        if self._connection is None:
            return
        self._asking_for_token = True
        name = self._connection.profile.name
        try:
            result = ConnectionDialog.choose(
                self,
                self._profiles,
                self._tokens,
                ask_token_for=name,
                message=f"The server refused the token of {name}. Enter a valid token.",
            )
        finally:
            self._asking_for_token = False
        if result == "demo":
            self.start_demo(DemoSession(self._demo_records))
        elif isinstance(result, Connection):
            self.set_connection(result)

    def _load_all_progress(self, loaded: int, total: object) -> None:
        self.status.show_load_all(loaded, total if isinstance(total, int) else None)
        self.cancel_load_all_action.setEnabled(True)
        self.load_all_action.setEnabled(False)

    def _load_all_finished(self, cancelled: bool) -> None:
        self.status.hide_load_all()
        self.cancel_load_all_action.setEnabled(False)
        self.load_all_action.setEnabled(True)
        done = "cancelled" if cancelled else "finished"
        self.status.show_message(f"Load all {done}: {self.model.loaded_count:,} rows")

    # -- table, detail, keys ------------------------------------------------------------

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid() or current.row() >= self.model.loaded_count:
            self.detail.set_record(None)
            return
        self.detail.set_record(self.model.record(current.row()))

    def copy_selection(self) -> str:
        """The selected cells as tab-separated text on the clipboard (Edit › Copy with header)."""
        with_header = self.copy_header_action.isChecked()
        text = self.table.copy_selection(include_header=with_header)
        if text:
            QGuiApplication.clipboard().setText(text)
            rows = text.count("\n") + (0 if text.endswith("\n") else 1) - int(with_header)
            self.status.show_message(f"Copied {rows:,} row{'s' if rows != 1 else ''}")
        return text

    def filter_by_value(self, key: str, value: str) -> None:
        """Add a cell's value to the filters; ``key`` is a filter name or a column key."""
        name = key if key in FILTERS_BY_NAME else filter_for_column(key)
        if name is None:
            self.status.show_message(f"There is no filter for the column {key}")
            return
        self.sidebar_dock.show()
        self.sidebar.add_filter_value(name, value)
        self.status.show_message("Filter added; apply to load the matching records")

    def focus_filters(self) -> None:
        self.sidebar_dock.show()
        self.sidebar_dock.raise_()
        self.sidebar.focus_filters()

    def set_display_zone(self, name: str) -> None:
        """Show times in local time (``local``) or ``UTC``; the sidebar's choice is the same."""
        self.sidebar.set_display_zone(name)

    def _display_zone_changed(self, zone: tzinfo) -> None:
        self.zone_actions[self.sidebar.display_zone_name()].setChecked(True)
        self.model.set_display_zone(zone)
        self.detail.set_display_zone(zone)

    def _about(self) -> None:
        show_about(self)

    # -- shutting down ------------------------------------------------------------------

    def save_settings(self) -> None:
        self._settings.set_geometry(bytes(self.saveGeometry().data()))
        self._settings.set_window_state(bytes(self.saveState().data()))
        self._settings.set_columns(self.table.save_columns())
        self._settings.set_display_zone(self.sidebar.display_zone_name())
        problem = self._settings.sync()
        if problem:
            _log.warning("%s", problem)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.hide()  # stopping a demo server that is still starting may take a moment
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Save settings, stop loading and the demo server; safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        self.save_settings()
        self.exports.shutdown()
        self.model.shutdown()
        self._stop_demo()
