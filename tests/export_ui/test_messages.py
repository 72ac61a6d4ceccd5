"""What the user reads about an export: progress and the way it ended."""

from __future__ import annotations

from pathlib import Path

from cdrdesk.ui.export_controller import format_progress
from cdrdesk.ui.export_worker import ExportOutcome, ExportStatus


def test_progress_text() -> None:
    assert format_progress(0, None, None) == "0 records"
    assert (
        format_progress(12_000, 30_000, 6_000.0) == "12,000 of 30,000 records · 6,000/s · 3 s left"
    )
    assert format_progress(5_000, None, 2_500.0) == "5,000 records · 2,500/s"
    assert format_progress(1_000, 400_000, 1_000.0).endswith("6 min 39 s left")


def test_outcome_texts() -> None:
    path = Path("/data/cdrs.csv")
    partial = Path("/data/cdrs.csv.partial")
    done = ExportOutcome(ExportStatus.DONE, 1, path)
    assert done.describe() == "Exported 1 record to /data/cdrs.csv"
    failed = ExportOutcome(ExportStatus.FAILED, 2_000, path, partial, "the server failed (500)")
    assert failed.describe() == (
        "Export failed: the server failed (500). "
        "2,000 records written so far are kept in /data/cdrs.csv.partial"
    )
    cancelled = ExportOutcome(ExportStatus.CANCELLED, 0, path)
    assert cancelled.describe() == "Export cancelled. Nothing was written; cdrs.csv was not created"
