"""The paging loop of an export: every matching record, page by page, into a writer."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from cdrdesk.api.client import MAX_LIMIT, CdrClient
from cdrdesk.api.query import CdrQuery
from cdrdesk.export.writers import RecordWriter

Progress = Callable[[int, int | None], None]


async def export_records(
    client: CdrClient,
    query: CdrQuery,
    writer: RecordWriter,
    *,
    page_size: int = MAX_LIMIT,
    max_records: int | None = None,
    progress: Progress | None = None,
) -> int:
    """Stream the records into ``writer`` and return how many were written.

    The writer is neither closed nor aborted here: the caller decides, since
    only it knows whether a failure should keep a partial file. The client
    requests the next page while this one is written.
    """
    total: int | None = None
    pages = client.iter_pages(query, page_size=page_size, max_records=max_records)
    async with contextlib.aclosing(pages):
        async for page in pages:
            writer.write_many(page.items)
            if page.total is not None:
                total = page.total if max_records is None else min(page.total, max_records)
            if progress is not None:
                progress(writer.rows_written, total)
    return writer.rows_written
