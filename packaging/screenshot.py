"""Take the store screenshot (resources/screenshots/main-window.png) of the real window.

Usage: ``QT_QPA_PLATFORM=offscreen python packaging/screenshot.py [--out FILE] [--dark]``

It opens the window on the embedded demo server with private, empty user
folders, waits for the first page, selects a record so the detail pane is
filled, and saves the window as it is drawn. ``--dark`` uses the dark palette.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = CHECKOUT / "resources" / "screenshots" / "main-window.png"
SIZE = (1280, 800)
TIMEOUT_MS = 120_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--dark", action="store_true")
    args = parser.parse_args(argv)

    # Private user folders: the screenshot never shows (or changes) real settings.
    home = Path(tempfile.mkdtemp(prefix="cdrdesk-screenshot-"))
    for variable in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        os.environ[variable] = str(home / variable.lower())
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["CDRDESK_COLOR_SCHEME"] = "dark" if args.dark else "light"

    from PySide6.QtCore import QTimer

    from cdrdesk.ui.app import create_app, parse_gui_args

    app, window = create_app(parse_gui_args(["--demo", "--records", "5000"]))
    window.resize(*SIZE)
    window.show()
    result = {"code": 1}

    def first_page(_rows: int) -> None:
        window.model.pageArrived.disconnect(first_page)
        window.table.selectRow(2)
        QTimer.singleShot(500, capture)

    def capture() -> None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        if window.grab().save(str(args.out), "PNG"):
            print(args.out)
            result["code"] = 0
        app.exit(result["code"])

    def give_up() -> None:
        print("screenshot: no page arrived in time", file=sys.stderr)
        app.exit(1)

    def connected(connection: object) -> None:
        if connection is not None:
            window.sidebar.apply()

    window.model.pageArrived.connect(first_page)
    window.connectionChanged.connect(connected)
    QTimer.singleShot(TIMEOUT_MS, give_up)
    app.exec()
    window.shutdown()
    return result["code"]


if __name__ == "__main__":
    sys.exit(main())
