"""The ``cdrdesk`` command: the window by default, headless subcommands by name.

Each subcommand lives beside the code it drives and registers itself here
through ``register(subparsers)``, so this module only dispatches.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from cdrdesk import __version__

SUBCOMMANDS = {
    "demo-server": "cdrdesk.demo.cli",
    "export": "cdrdesk.export.cli",
}


def build_subcommand_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of the subcommands; with ``only``, just that one is imported.

    Importing one subcommand's module alone keeps ``cdrdesk export`` from
    loading the demo server's web stack, and the other way round.
    """
    parser = argparse.ArgumentParser(prog="cdrdesk", description="Review Call Detail Records.")
    parser.add_argument("--version", action="version", version=f"cdrdesk {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name, module_name in SUBCOMMANDS.items():
        if only is None or name == only:
            importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in SUBCOMMANDS:
        parsed = build_subcommand_parser(only=args[0]).parse_args(args)
        result: int = parsed.func(parsed)
        return result
    from cdrdesk.ui.app import run_gui

    return run_gui(args)


def gui_main() -> int:
    return main()
