"""``cdrdesk export``: every record matching a set of filters, to a file or stdout, headless.

The token is read from ``CDRDESK_TOKEN`` and never from the command line,
where other users of the machine could see it; with ``--profile`` the
window's saved profile gives the base URL and the keyring its token.
``--preset`` starts from a saved filter preset of the window. Failures end with one line
on stderr and a non-zero exit status; records already fetched are kept in
``<file>.partial`` and the final name is never touched.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from cdrdesk.api.client import MAX_LIMIT, CdrClient
from cdrdesk.api.errors import ApiError, Forbidden, InvalidFilters, Unauthorized
from cdrdesk.api.filters import FILTERS
from cdrdesk.api.query import PAGINATION_PARAMS, CdrQuery, parse_params
from cdrdesk.export.columns import ColumnFormat
from cdrdesk.export.output import ExportError
from cdrdesk.export.run import export_records
from cdrdesk.export.writers import ExportFormat, RecordWriter, open_writer
from cdrdesk.export.zones import local_zone, parse_zone

if TYPE_CHECKING:
    from cdrdesk.connections.profiles import ProfileStore
    from cdrdesk.presets import PresetStore

TOKEN_VARIABLE = "CDRDESK_TOKEN"
PROG = "cdrdesk export"

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_REFUSED_FILTERS = 4
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141


class UsageError(Exception):
    """A command line that cannot work; the message names the option at fault."""


@dataclass(frozen=True, slots=True)
class Connection:
    """Where to export from; the token is kept out of ``repr``."""

    base_url: str
    token: str = field(repr=False)
    verify: bool | str = True


@dataclass(frozen=True, slots=True)
class ExportPlan:
    query: CdrQuery
    export_format: ExportFormat
    path: Path | None
    column_format: ColumnFormat
    max_records: int | None
    page_size: int
    overwrite: bool


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "export",
        help="export matching CDRs to NDJSON, JSON, CSV or XLSX",
        description=(
            "Export every CDR matching the filters. The API token is read from the "
            f"environment variable {TOKEN_VARIABLE}."
        ),
        epilog=(
            "Filters use the API's own parameter names, for example: "
            "--filter type=call --filter type=sms --filter 'duration[gte]=60' "
            "--filter 'from_phone_number_like=+44*' "
            "--filter 'started_at[gte]=2026-11-01T00:00:00Z'. "
            "Exit status: 0 done, 1 failed, 2 bad command line, 3 token refused (401/403), "
            "4 filters refused by the server (422), 130 interrupted."
        ),
    )
    parser.add_argument(
        "--base-url", metavar="URL", help="API root, e.g. https://CLUSTER.voiso.com"
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="use a connection profile saved in the window (base URL, and its token "
        f"from the keyring; {TOKEN_VARIABLE} only when the keyring has none)",
    )
    parser.add_argument(
        "--preset",
        metavar="NAME",
        help="start from the filters of a preset saved in the window; "
        "a --filter replaces the preset's value of the same filter",
    )
    parser.add_argument(
        "--filter",
        dest="filters",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a filter in wire form; repeat for more values or more filters",
    )
    parser.add_argument(
        "--format",
        choices=[fmt.value for fmt in ExportFormat],
        help="output format (default: from the file name, else ndjson)",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", default="-", help="file to write, or - for stdout"
    )
    parser.add_argument("--max-rows", type=_positive_int, metavar="N", help="stop after N records")
    parser.add_argument(
        "--page-size",
        type=_page_size,
        default=MAX_LIMIT,
        metavar="N",
        help=f"records per request, 1 to {MAX_LIMIT} (default {MAX_LIMIT})",
    )
    parser.add_argument(
        "--columns", metavar="A,B,C", help="csv/xlsx: these columns (flat keys) in this order"
    )
    parser.add_argument("--bom", action="store_true", help="csv: start with a UTF-8 BOM for Excel")
    parser.add_argument(
        "--zone",
        metavar="ZONE",
        help="csv/xlsx: add a column in this zone beside each time (UTC, local or Area/City)",
    )
    parser.add_argument("--ca-bundle", metavar="FILE", help="trust the CA certificates in FILE")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing file")
    parser.set_defaults(func=run)


def resolve_connection(
    args: argparse.Namespace,
    environ: dict[str, str] | None = None,
    *,
    profiles: ProfileStore | None = None,
) -> Connection:
    """The base URL and token to use: from ``--base-url`` and the environment, or a profile.

    With ``--profile`` the token saved in the keyring wins over
    ``CDRDESK_TOKEN``, which is used only when the keyring has none, so a
    token meant for another server in the environment is not sent to the
    profile's server when the profile has its own.
    """
    environ = dict(os.environ) if environ is None else environ
    verify: bool | str = True
    if args.profile:
        if args.base_url:
            raise UsageError("give either --profile or --base-url, not both")
        base_url, token, verify = _profile_connection(args.profile, environ, profiles)
    else:
        if not args.base_url:
            raise UsageError(
                "--base-url is required (the API root, e.g. https://CLUSTER.voiso.com), "
                "or --profile NAME for a profile saved in the window"
            )
        base_url = args.base_url
        token = environ.get(TOKEN_VARIABLE, "").strip()
        if not token:
            raise UsageError(f"set the API token in the environment variable {TOKEN_VARIABLE}")
    if args.ca_bundle:
        if not Path(args.ca_bundle).is_file():
            raise UsageError(f"--ca-bundle {args.ca_bundle}: no such file")
        verify = args.ca_bundle
    return Connection(base_url, token, verify)


def _profile_connection(
    name: str, environ: dict[str, str], profiles: ProfileStore | None
) -> tuple[str, str, bool | str]:
    from cdrdesk.connections.profiles import ProfileStore

    store = profiles if profiles is not None else ProfileStore()
    profile = store.get(name)
    if profile is None:
        saved = ", ".join(repr(p.name) for p in store.profiles())
        known = f" (saved profiles: {saved})" if saved else " (no profile is saved yet)"
        raise UsageError(f"--profile {name!r}: no such profile{known}")
    tokens = store.tokens
    token = (tokens.get(name) or "").strip() or environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        why = f" ({tokens.unavailable_reason})" if tokens.unavailable_reason else ""
        raise UsageError(
            f"--profile {name!r}: no token in the keyring{why}; save it in the window's "
            f"Connection dialog or set {TOKEN_VARIABLE}"
        )
    return profile.base_url, token, profile.ca_bundle or True


def resolve_query(
    args: argparse.Namespace,
    *,
    presets: PresetStore | None = None,
    now: datetime | None = None,
) -> CdrQuery:
    """The filters: a preset's (relative ranges resolved now, in local time), then ``--filter``.

    A preset holding filters this version cannot apply is refused: leaving
    them out would export more records than the preset means.
    """
    extra = parse_filters(args.filters)
    if not args.preset:
        return extra
    from cdrdesk.presets import PresetStore

    store = presets if presets is not None else PresetStore()
    preset = store.get(args.preset)
    if preset is None:
        saved = ", ".join(repr(name) for name in store.names())
        known = f" (saved presets: {saved})" if saved else " (no preset is saved yet)"
        raise UsageError(f"--preset {args.preset!r}: no such preset{known}")
    problems = preset.messages()
    if problems:
        raise UsageError(f"--preset {preset.name!r} cannot be used as saved: {'; '.join(problems)}")
    query = preset.state.resolve(now or datetime.now(UTC), local_zone()[0])
    for name, value in extra.items:
        query = query.with_filter(name, value)
    errors = query.validate().errors
    if errors:
        details = "; ".join(f"{name}: {', '.join(msgs)}" for name, msgs in errors.items())
        raise UsageError(f"--preset {preset.name!r} with --filter: {details}")
    return query


def build_plan(args: argparse.Namespace) -> ExportPlan:
    path = None if args.output == "-" else Path(args.output)
    if args.format:
        export_format = ExportFormat(args.format)
    else:
        export_format = (ExportFormat.from_path(path) if path else None) or ExportFormat.NDJSON
    if path is None and not export_format.can_stream_to_stdout:
        raise UsageError("xlsx cannot go to stdout; give a file with -o")
    tabular = export_format in (ExportFormat.CSV, ExportFormat.XLSX)
    for option, given in (("--columns", args.columns), ("--zone", args.zone)):
        if given and not tabular:
            raise UsageError(f"{option} applies to csv and xlsx only")
    if args.bom and export_format is not ExportFormat.CSV:
        raise UsageError("--bom applies to csv only")
    columns = None
    if args.columns is not None:
        columns = tuple(key.strip() for key in args.columns.split(","))
        if not all(columns):
            raise UsageError(f"--columns {args.columns!r}: a column name is empty")
    zone, zone_name = None, ""
    if args.zone:
        try:
            zone, zone_name = parse_zone(args.zone)
        except ValueError as exc:
            raise UsageError(f"--zone: {exc}") from None
    return ExportPlan(
        query=resolve_query(args),
        export_format=export_format,
        path=path,
        column_format=ColumnFormat(columns, zone, zone_name, bom=args.bom),
        max_records=args.max_rows,
        page_size=args.page_size,
        overwrite=args.overwrite,
    )


def parse_filters(texts: list[str], warn: TextIO | None = None) -> CdrQuery:
    """``KEY=VALUE`` options to a query; UsageError names the first filter at fault."""
    pairs: list[tuple[str, str]] = []
    for text in texts:
        key, sep, value = text.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--filter {text!r}: expected KEY=VALUE, such as type=call")
        if key in PAGINATION_PARAMS:
            raise UsageError(
                f"--filter {key}: the export pages by itself; use --page-size or --max-rows"
            )
        pairs.append((key, value))
    parsed = parse_params(pairs)
    if parsed.unknown:
        key = parsed.unknown[0][0]
        known = ", ".join(spec.name for spec in FILTERS)
        raise UsageError(f"--filter {key}: no such filter (known: {known})")
    if parsed.errors:
        details = "; ".join(f"{name}: {', '.join(msgs)}" for name, msgs in parsed.errors.items())
        raise UsageError(f"invalid filter {details}")
    for name, messages in parsed.warnings.items():
        print(f"{PROG}: warning: {name}: {', '.join(messages)}", file=warn or sys.stderr)
    return parsed.query


def run(args: argparse.Namespace) -> int:
    try:
        plan = build_plan(args)
        connection = resolve_connection(args)
        client = CdrClient(connection.base_url, connection.token, verify=connection.verify)
    except (UsageError, ValueError) as exc:
        return _fail(str(exc), EXIT_USAGE)
    try:
        writer = open_writer(
            plan.export_format, plan.path, plan.column_format, overwrite=plan.overwrite
        )
    except (ExportError, OSError) as exc:
        asyncio.run(client.aclose())
        return _fail(_os_message(exc), EXIT_FAILED)
    return _run_export(client, plan, writer)


def _run_export(client: CdrClient, plan: ExportPlan, writer: RecordWriter) -> int:
    progress = _Progress(sys.stderr) if sys.stderr.isatty() else None
    _collect_garbage_less_often()
    try:
        asyncio.run(_export(client, plan, writer, progress))
        writer.close()
    except ApiError as exc:
        return _failed_export(writer, progress, str(exc), _exit_code(exc))
    except KeyboardInterrupt:
        return _failed_export(writer, progress, "interrupted", EXIT_INTERRUPTED)
    except BrokenPipeError:
        writer.abort()
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except (ExportError, OSError) as exc:
        return _failed_export(writer, progress, _os_message(exc), EXIT_FAILED)
    if progress is not None:
        progress.done(writer.rows_written, writer.output.name)
    return EXIT_OK


async def _export(
    client: CdrClient, plan: ExportPlan, writer: RecordWriter, progress: _Progress | None
) -> int:
    async with client:
        return await export_records(
            client,
            plan.query,
            writer,
            page_size=plan.page_size,
            max_records=plan.max_records,
            progress=progress.update if progress else None,
        )


def _failed_export(
    writer: RecordWriter, progress: _Progress | None, message: str, code: int
) -> int:
    partial = writer.abort()
    if progress is not None:
        progress.clear()
    if partial is not None:
        message += f"; the {writer.rows_written:,} records fetched so far are in {partial}"
    elif not writer.output.is_stdout:
        message += "; nothing was written"
    return _fail(message, code)


def _collect_garbage_less_often() -> None:
    """Spare the CPU that the cycle collector would spend on pages of records.

    Each page of 1000 records allocates some ten thousand dicts and lists,
    which start the cycle collector again and again although records hold
    no cycles; the export is CPU bound on the client side, and this process
    ends when it is done. Objects alive now (the imported modules) are left
    out of every later collection.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


def _exit_code(error: ApiError) -> int:
    if isinstance(error, Unauthorized | Forbidden):
        return EXIT_AUTH
    if isinstance(error, InvalidFilters):
        return EXIT_REFUSED_FILTERS
    return EXIT_FAILED


def _fail(message: str, code: int) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def _os_message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot write{where}: {exc.strerror}"
    return str(exc)


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the exit flush cannot fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


class _Progress:
    """A one-line counter on a terminal's stderr."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def update(self, written: int, total: int | None) -> None:
        of = f" of {total:,}" if total is not None else ""
        self._stream.write(f"\r{written:,}{of} records")
        self._stream.flush()

    def clear(self) -> None:
        self._stream.write("\r\033[K")
        self._stream.flush()

    def done(self, written: int, where: str) -> None:
        self.clear()
        self._stream.write(f"{written:,} records written to {where}\n")
        self._stream.flush()


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def _page_size(text: str) -> int:
    value = _positive_int(text)
    if value > MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"{value} is above the API's maximum of {MAX_LIMIT}")
    return value
