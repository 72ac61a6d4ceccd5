"""Streaming writers of records: NDJSON, JSON, CSV and XLSX.

A paging loop feeds each writer page by page (``write_many``) and ends with
``close()``, which publishes the file, or ``abort()``, which keeps what was
written as ``<name>.partial``. Used as a context manager, an exception
aborts. Memory stays flat whatever the number of records: the JSON array is
written as it goes, and CSV/XLSX without a fixed column list spool the
records to a temporary file until the last unknown field is known, since a
header row cannot be changed once written.
"""

from __future__ import annotations

import abc
import contextlib
import csv
import enum
import io
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import orjson

from cdrdesk.export.columns import ZONED_TIME_FORMAT, Cell, ColumnCollector, ColumnFormat, RowMaker
from cdrdesk.export.neutralise import neutralise
from cdrdesk.export.output import ExportError, Output

Record = Mapping[str, Any]
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_TEXT = 32_767


class ExportFormat(enum.Enum):
    NDJSON = "ndjson"
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"

    @property
    def can_stream_to_stdout(self) -> bool:
        return self is not ExportFormat.XLSX

    @classmethod
    def from_path(cls, path: Path) -> ExportFormat | None:
        """The format a file name suggests (``.jsonl`` counts as NDJSON)."""
        suffix = path.suffix.lower().lstrip(".")
        if suffix == "jsonl":
            return cls.NDJSON
        return next((fmt for fmt in cls if fmt.value == suffix), None)


class RecordWriter(abc.ABC):
    """Writes records to an :class:`Output`, counting them in ``rows_written``."""

    def __init__(self, output: Output) -> None:
        self.output = output
        self.rows_written = 0
        self.kept_partial: Path | None = None
        self._closed = False
        self._finished = False

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def write(self, record: Record) -> None:
        self.write_many((record,))

    def write_many(self, records: Sequence[Record]) -> None:
        if self._closed:
            raise ExportError("the export is already closed")
        self._write_many(records)
        self.rows_written += len(records)

    def close(self) -> None:
        """Finish the format and publish the file under its final name."""
        if self._closed:
            return
        try:
            self._finish_once()
            self.output.commit()
        except BaseException:
            self.abort()
            raise
        self._closed = True

    def abort(self) -> Path | None:
        """Stop here, keeping what was written as ``<name>.partial``; returns that path.

        With no record written there is nothing worth keeping and no file is left.
        """
        if self._closed:
            return self.kept_partial
        self._closed = True
        with contextlib.suppress(Exception):  # the partial file is kept as far as it got
            self._finish_once()
        if self.rows_written == 0:
            self.output.discard()
            return None
        self.kept_partial = self.output.keep_partial()
        return self.kept_partial

    def _finish_once(self) -> None:
        if not self._finished:
            self._finished = True
            self._finish()

    @abc.abstractmethod
    def _write_many(self, records: Sequence[Record]) -> None: ...

    @abc.abstractmethod
    def _finish(self) -> None: ...


class NdjsonWriter(RecordWriter):
    """One record per line, every field as received."""

    def _write_many(self, records: Sequence[Record]) -> None:
        dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
        self.output.stream.write(b"".join([dumps(record, option=newline) for record in records]))

    def _finish(self) -> None:
        pass


class JsonWriter(RecordWriter):
    """One JSON array, written as the records come."""

    def _write_many(self, records: Sequence[Record]) -> None:
        if not records:
            return
        lead = b"[\n" if self.rows_written == 0 else b",\n"
        self.output.stream.write(lead + b",\n".join([orjson.dumps(record) for record in records]))

    def _finish(self) -> None:
        self.output.stream.write(b"[]\n" if self.rows_written == 0 else b"\n]\n")


class _Spool:
    """Records parked in a temporary file while the full column list is collected."""

    def __init__(self, directory: Path | None) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 (closed by close())
        self.columns = ColumnCollector()

    def add(self, records: Sequence[Record]) -> None:
        self.columns.add(records)
        dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
        self._file.write(b"".join([dumps(record, option=newline) for record in records]))

    def records(self) -> Iterator[dict[str, Any]]:
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            yield orjson.loads(line)

    def close(self) -> None:
        self._file.close()


class _TableWriter(RecordWriter):
    """Shared by CSV and XLSX: a fixed column list streams, ``columns=None`` spools."""

    def __init__(self, output: Output, column_format: ColumnFormat) -> None:
        super().__init__(output)
        self.column_format = column_format
        self._spool: _Spool | None = None
        self._rows: RowMaker | None = None
        if column_format.columns is None:
            self._spool = _Spool(output.directory)
        else:
            self._rows = RowMaker(column_format.columns, column_format)
            self._start(self._rows.header)

    def _write_many(self, records: Sequence[Record]) -> None:
        if self._spool is not None:
            self._spool.add(records)
            return
        assert self._rows is not None
        self._emit_rows(self._rows, records)

    def _finish(self) -> None:
        if self._spool is not None:
            try:
                rows = RowMaker(self._spool.columns.keys, self.column_format)
                self._start(rows.header)
                batch: list[Record] = []
                for record in self._spool.records():
                    batch.append(record)
                    if len(batch) == 1000:
                        self._emit_rows(rows, batch)
                        batch = []
                self._emit_rows(rows, batch)
            finally:
                self._spool.close()
        self._end()

    @abc.abstractmethod
    def _start(self, header: list[str]) -> None: ...

    @abc.abstractmethod
    def _emit_rows(self, rows: RowMaker, records: Sequence[Record]) -> None: ...

    @abc.abstractmethod
    def _end(self) -> None: ...


class CsvWriter(_TableWriter):
    """Comma-separated, one header row, every text cell neutralised."""

    def __init__(self, output: Output, column_format: ColumnFormat) -> None:
        encoding = "utf-8-sig" if column_format.bom else "utf-8"
        self._text = io.TextIOWrapper(output.stream, encoding=encoding, newline="")
        self._csv = csv.writer(self._text)
        super().__init__(output, column_format)

    def _start(self, header: list[str]) -> None:
        self._csv.writerow([neutralise(name) for name in header])

    def _emit_rows(self, rows: RowMaker, records: Sequence[Record]) -> None:
        self._csv.writerows([[_csv_text(cell) for cell in rows.row(r)] for r in records])

    def _end(self) -> None:
        self._text.flush()
        self._text.detach()


class XlsxWriter(_TableWriter):
    """An Excel workbook written row by row (``constant_memory``); header bold and frozen."""

    def __init__(self, output: Output, column_format: ColumnFormat) -> None:
        if output.temp_path is None:
            raise ExportError("an XLSX workbook cannot be written to standard output")
        import xlsxwriter  # imported here: the common NDJSON/CSV exports start faster without it

        self._workbook = xlsxwriter.Workbook(
            str(output.temp_path),
            {
                "constant_memory": True,
                "tmpdir": str(output.directory),
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self._sheet = self._workbook.add_worksheet("CDRs")
        self._bold = self._workbook.add_format({"bold": True})
        self._when = self._workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self._next_row = 0
        super().__init__(output, column_format)

    def _start(self, header: list[str]) -> None:
        for column, name in enumerate(header):
            self._sheet.write_string(0, column, neutralise(name), self._bold)
            self._sheet.set_column(column, column, max(10, min(len(name) + 2, 40)))
        self._sheet.freeze_panes(1, 0)
        self._next_row = 1

    def _emit_rows(self, rows: RowMaker, records: Sequence[Record]) -> None:
        if self._next_row + len(records) > XLSX_MAX_ROWS:
            raise ExportError(
                f"an XLSX sheet holds at most {XLSX_MAX_ROWS - 1:,} records; "
                "export to CSV or NDJSON, or narrow the filters"
            )
        sheet, when = self._sheet, self._when
        for record in records:
            row = self._next_row
            for column, cell in enumerate(rows.row(record)):
                if cell is None:
                    continue
                if isinstance(cell, str):
                    sheet.write_string(row, column, neutralise(cell)[:XLSX_MAX_TEXT])
                elif isinstance(cell, datetime):
                    sheet.write_datetime(row, column, cell, when)
                else:
                    sheet.write_number(row, column, cell)
            self._next_row += 1

    def _end(self) -> None:
        self._workbook.close()


def _csv_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        return neutralise(cell)
    if isinstance(cell, datetime):
        return cell.strftime(ZONED_TIME_FORMAT)
    return repr(cell)


def open_writer(
    export_format: ExportFormat,
    path: Path | None,
    column_format: ColumnFormat | None = None,
    *,
    overwrite: bool = False,
) -> RecordWriter:
    """A writer of ``export_format`` to ``path`` (None: standard output).

    Raises ``OutputExists`` for an existing file unless ``overwrite``, and
    ``ExportError`` for XLSX to standard output.
    """
    column_format = column_format or ColumnFormat()
    if path is None and not export_format.can_stream_to_stdout:
        raise ExportError("XLSX cannot be written to standard output; give a file name")
    output = Output(path, overwrite=overwrite, binary_stream=export_format is not ExportFormat.XLSX)
    try:
        if export_format is ExportFormat.NDJSON:
            return NdjsonWriter(output)
        if export_format is ExportFormat.JSON:
            return JsonWriter(output)
        if export_format is ExportFormat.CSV:
            return CsvWriter(output, column_format)
        return XlsxWriter(output, column_format)
    except BaseException:
        output.discard()
        raise
