"""A page shown as received reads exactly as the row store it becomes."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytestqt.qtbot import QtBot

from cdrdesk.api.query import CdrQuery
from cdrdesk.api.records import COLUMNS
from cdrdesk.connections.profiles import Connection
from cdrdesk.ui.cdr_model import FIRST_PAGE_SIZE, CdrTableModel, new_text_memos, text_readers
from cdrdesk.ui.received_rows import ReceivedRows
from cdrdesk.ui.rowstore import RowStore
from tests.ui_table.test_rowstore import ODD_RECORDS
from tests.ui_table.test_text_readers import ZONES, outcome, pages

Record = dict[str, Any]


def both(records: list[Record]) -> tuple[ReceivedRows, RowStore]:
    store = RowStore()
    store.append_page(records)
    return ReceivedRows(records), store


def assert_alike(records: list[Record], zone: tzinfo) -> None:
    received, store = both(records)
    assert len(received) == len(store) == len(records)
    memos = new_text_memos()
    as_received = text_readers(received, zone, memos)
    as_stored = text_readers(store, zone, memos)
    for row, record in enumerate(records):
        assert received.record(row) == store.record(row) == record
        assert list(received.record(row)) == list(record)
        for column, spec in enumerate(COLUMNS):
            assert received.value(row, spec.key) == store.value(row, spec.key), spec.key
            got = outcome(as_received[column], row)
            assert got == outcome(as_stored[column], row), (row, spec.key, record)
    for column, spec in enumerate(COLUMNS):
        try:
            expected = as_stored[column].rows(0, len(records))
        except (OverflowError, ValueError, OSError):
            continue  # a time outside datetime's range, in this zone
        assert as_received[column].rows(0, len(records)) == expected, spec.key


@settings(max_examples=150, deadline=None)
@given(pages, st.sampled_from(ZONES))
def test_any_page_reads_alike_as_received_and_as_stored(
    records: list[Record], zone: tzinfo
) -> None:
    assert_alike(records, zone)


@pytest.mark.parametrize("zone", ZONES, ids=str)
def test_odd_records_read_alike(zone: tzinfo) -> None:
    assert_alike(ODD_RECORDS, zone)


def test_values_and_records_are_copies() -> None:
    records: list[Record] = [{"id": "a", "data": {"event_tags": ["hold"], "n": {"x": [1]}}}]
    received = ReceivedRows(records)
    received.value(0, "event_tags").append("mute")
    received.record(0)["data"]["n"]["x"].append(2)
    assert records == [{"id": "a", "data": {"event_tags": ["hold"], "n": {"x": [1]}}}]


def test_rows_out_of_range_are_refused() -> None:
    received = ReceivedRows([{"id": "a"}])
    for row in (-1, 1):
        with pytest.raises(IndexError):
            received.value(row, "id")
        with pytest.raises(IndexError):
            received.record(row)


def show_first_page(qtbot: QtBot, model: CdrTableModel, connection: Connection) -> None:
    model.set_connection(connection)
    with qtbot.waitSignal(model.pageArrived):
        model.set_query(CdrQuery())


def test_the_model_converts_a_page_shown_as_received_without_a_signal(
    qtbot: QtBot, model: CdrTableModel, demo_connection: Connection
) -> None:
    show_first_page(qtbot, model, demo_connection)
    assert isinstance(model._store, ReceivedRows)  # shown before it was converted
    texts = [model.display_texts(column, 0, FIRST_PAGE_SIZE) for column in range(len(COLUMNS))]
    records = [model.record(row) for row in range(FIRST_PAGE_SIZE)]
    signals: list[str] = []
    for signal in (model.modelReset, model.rowsInserted, model.dataChanged, model.layoutChanged):
        signal.connect(lambda *_args, signal=signal: signals.append(str(signal)))
    qtbot.waitUntil(lambda: isinstance(model._store, RowStore))
    assert signals == []
    assert [model.display_texts(c, 0, FIRST_PAGE_SIZE) for c in range(len(COLUMNS))] == texts
    assert [model.record(row) for row in range(FIRST_PAGE_SIZE)] == records


def test_a_page_that_comes_before_the_conversion_is_added_after_it(
    qtbot: QtBot, model: CdrTableModel, demo_connection: Connection
) -> None:
    show_first_page(qtbot, model, demo_connection)
    first_records = [model.record(row) for row in range(FIRST_PAGE_SIZE)]
    model._convert_timer.stop()  # as if the next page came before the event loop turned
    assert isinstance(model._store, ReceivedRows)
    with qtbot.waitSignal(model.pageArrived):
        model.fetchMore()
    assert isinstance(model._store, RowStore)
    assert model.rowCount() > FIRST_PAGE_SIZE
    assert [model.record(row) for row in range(FIRST_PAGE_SIZE)] == first_records
