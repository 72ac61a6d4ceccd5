"""The window's entry point: options, the first connection, and the event loop.

``create_app`` builds everything without running the event loop, so tests
(which own the ``QApplication``) drive the very window users get;
``run_gui`` adds the loop and the clean-up.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from cdrdesk import __version__
from cdrdesk.connections.profiles import Connection, ProfileStore
from cdrdesk.connections.tokens import TokenStore
from cdrdesk.demo.runner import DEFAULT_RECORDS
from cdrdesk.logs import setup_logging
from cdrdesk.presets import PresetNotFound, PresetStore
from cdrdesk.presets.links import LinkError, parse_link
from cdrdesk.ui.crash import install_excepthook
from cdrdesk.ui.demo_session import DemoSession
from cdrdesk.ui.icons import app_icon
from cdrdesk.ui.main_window import MainWindow
from cdrdesk.ui.quit_signals import QuitOnSignals
from cdrdesk.ui.self_check import SELF_CHECK_TIMEOUT_SECONDS, SelfCheck
from cdrdesk.ui.settings import WindowSettings
from cdrdesk.ui.theme import follow_system_color_scheme

__all__ = ["LinkError", "Stores", "create_app", "parse_gui_args", "parse_link", "run_gui"]


@dataclass(frozen=True, slots=True)
class Stores:
    """Where the window keeps its state; tests pass private ones.

    ``presets`` None means the user's presets file, opened when the window is made.
    """

    settings: WindowSettings
    profiles: ProfileStore
    tokens: TokenStore
    presets: PresetStore | None = None

    @classmethod
    def default(cls) -> Stores:
        tokens = TokenStore()
        return cls(WindowSettings(), ProfileStore(tokens=tokens), tokens, PresetStore())


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value} must be 1 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cdrdesk",
        description="Review Call Detail Records. Subcommands: demo-server, export.",
    )
    parser.add_argument("--version", action="version", version=f"cdrdesk {__version__}")
    parser.add_argument("--demo", action="store_true", help="explore synthetic demo data")
    parser.add_argument(
        "--records",
        type=_positive_int,
        default=DEFAULT_RECORDS,
        metavar="N",
        help=f"number of demo records (default {DEFAULT_RECORDS:,})",
    )
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="open the window, load a few pages, print the result and exit",
    )
    parser.add_argument("--debug", action="store_true", help="log requests in detail")
    parser.add_argument("--preset", metavar="NAME", help="apply a saved filter preset")
    parser.add_argument(
        "link", nargs="?", metavar="cdrdesk://filters?QUERY", help="open with these filters"
    )
    return parser


def parse_gui_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse the window's options; bad input exits with status 2 and a clear message."""
    parser = build_parser()
    args = parser.parse_args(list(argv))
    if args.preset is not None and args.link is not None:
        parser.error("give either a link or --preset, not both")
    args.initial_state = None
    if args.link is not None:
        try:
            args.initial_state = parse_link(args.link)
        except LinkError as exc:
            parser.error(str(exc))
    return args


def _application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication([sys.argv[0] if sys.argv else "cdrdesk"])
    app.setApplicationName("cdrdesk")
    app.setApplicationDisplayName("cdrdesk")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("io.github.cdrdesk.CdrDesk")
    app.setWindowIcon(app_icon())
    follow_system_color_scheme(app)
    return app


def create_app(
    args: argparse.Namespace,
    *,
    stores: Stores | None = None,
    connection: Connection | None = None,
) -> tuple[QApplication, MainWindow]:
    """The application and its window, wired up, without running the event loop.

    ``connection`` overrides the saved profile (tests connect to their own
    server). Without one and without ``--demo``, the last used profile is
    opened; when it is missing, the connection dialog comes up once the
    event loop runs.
    """
    stores = stores if stores is not None else Stores.default()
    presets = stores.presets if stores.presets is not None else PresetStore()
    if args.preset is not None and args.preset not in presets:
        raise PresetNotFound(unknown_preset_message(args.preset, presets))
    app = _application()
    window = MainWindow(
        stores.settings,
        stores.profiles,
        stores.tokens,
        initial_state=args.initial_state,
        presets=presets,
        initial_preset=args.preset,
        demo_records=args.records,
        interactive=not args.self_check,
    )
    check: SelfCheck | None = None
    if args.self_check:
        check = SelfCheck(window, timeout=SELF_CHECK_TIMEOUT_SECONDS)
        check.finished.connect(app.exit)
        window.connectionChanged.connect(check.start_when_connected)
    if connection is not None:
        window.set_connection(connection)
    elif args.demo:
        window.start_demo(DemoSession(args.records))
    elif not _open_saved_connection(window, stores) and check is not None:
        message = "no saved connection to check; use --demo, or connect once without --self-check"
        QTimer.singleShot(0, check, lambda: check.fail(message))
    app.aboutToQuit.connect(window.shutdown)
    return app, window


def unknown_preset_message(name: str, presets: PresetStore) -> str:
    names = presets.names()
    known = ", ".join(repr(known) for known in names) if names else "none are saved yet"
    return f"--preset {name}: there is no preset named {name!r} (saved presets: {known})"


def _open_saved_connection(window: MainWindow, stores: Stores) -> bool:
    """Connect to the last used profile, or ask (the dialog) when there is none or its token
    is missing; True when connected."""
    name = stores.profiles.last_profile
    profile = stores.profiles.get(name) if name is not None else None
    token = stores.tokens.get(profile.name) if profile is not None else None
    if profile is not None and token:
        window.set_connection(Connection(profile, token))
        return True
    if profile is not None:
        message = f"No token is stored for {profile.name}; enter it to connect."
        QTimer.singleShot(
            0,
            window,
            lambda: window.choose_connection(ask_token_for=profile.name, message=message),
        )
    else:
        QTimer.singleShot(0, window, window.choose_connection)
    return False


def run_gui(argv: Sequence[str]) -> int:
    try:
        args = parse_gui_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    setup_logging(debug=args.debug)
    try:
        app, window = create_app(args)
    except PresetNotFound as exc:
        print(f"cdrdesk: error: {exc}", file=sys.stderr)
        return 2
    install_excepthook(window, show_dialogs=False if args.self_check else None)
    quit_on_signals = QuitOnSignals(window.close, app)
    window.show()
    # What start-up made lives as long as the app: keeping it out of every
    # later collection shortens the collector's pauses while rows stream in.
    gc.freeze()
    try:
        return app.exec()
    finally:
        window.shutdown()
        quit_on_signals.restore()
