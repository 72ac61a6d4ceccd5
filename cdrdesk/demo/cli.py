"""``cdrdesk demo-server``: the demo API on this machine's loopback.

The server runs in a background thread while the main thread waits for
SIGINT or SIGTERM, so a signal ends it cleanly with status 0.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import sys
import threading
from types import FrameType
from typing import Any

from cdrdesk.demo.runner import (
    DEFAULT_RECORDS,
    DEMO_TOKEN,
    LISTENING_PREFIX,
    TOKEN_ENVIRONMENT_VARIABLE,
    DemoServerThread,
)


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo-server",
        help="serve synthetic CDRs over the contract's API, for trying cdrdesk out",
        description="Serve synthetic CDRs at /api/v4/reporting/cdrs (and /openapi.json).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback)")
    parser.add_argument("--port", type=int, default=8765, help="port; 0 picks a free one")
    parser.add_argument("--records", type=_non_negative, default=DEFAULT_RECORDS)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--token",
        default=None,
        help=f"accepted bearer token (default: ${TOKEN_ENVIRONMENT_VARIABLE} or {DEMO_TOKEN})",
    )
    parser.add_argument(
        "--unscoped-token", default=None, help="a token the server knows but answers 403 to"
    )
    parser.add_argument("--latency-ms", type=_non_negative, default=0)
    parser.add_argument("--error-rate", type=_rate, default=0.0, help="share of 500/503 answers")
    parser.add_argument("--rate-limit", type=_positive, default=None, help="requests per second")
    parser.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="stop when standard input closes (the process that started it has gone)",
    )
    parser.set_defaults(func=run)


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be 1 or more")
    return value


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _stop_at_end_of_stdin() -> None:
    """Turn end of file on stdin into SIGTERM, so the usual clean stop runs."""
    while sys.stdin.buffer.read(4096):
        pass
    os.kill(os.getpid(), signal.SIGTERM)


def _print_progress(done: int, total: int) -> None:
    print(f"building demo data: {done:,} of {total:,} records", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    if not _is_loopback(args.host):
        print(
            f"warning: {args.host} is not a loopback address; the demo server has no real "
            "security and is meant for this machine only",
            file=sys.stderr,
            flush=True,
        )
    token = args.token or os.environ.get(TOKEN_ENVIRONMENT_VARIABLE) or DEMO_TOKEN
    stop = threading.Event()
    serving = False

    def request_stop(signum: int, frame: FrameType | None) -> None:
        if not serving:  # still building: abandon the build (its temporary file goes too)
            raise _Interrupted
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    if args.exit_with_stdin:
        threading.Thread(target=_stop_at_end_of_stdin, daemon=True).start()
    server = DemoServerThread(
        records=args.records,
        seed=args.seed,
        token=token,
        unscoped_token=args.unscoped_token,
        latency_ms=args.latency_ms,
        error_rate=args.error_rate,
        rate_limit=args.rate_limit,
        host=args.host,
        port=args.port,
        progress=_print_progress,
    )
    try:
        try:
            server.start()
        except OSError as exc:
            print(f"error: cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
            return 1
        except _Interrupted:
            print("interrupted before the server started", file=sys.stderr)
            return 0
        serving = True
        print(f"{LISTENING_PREFIX}{server.url}", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


class _Interrupted(Exception):
    """SIGINT or SIGTERM arrived before the server was serving."""
