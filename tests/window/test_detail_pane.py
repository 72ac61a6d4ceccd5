"""The record detail pane and its segment bar, on records shaped like the contract's."""

from __future__ import annotations

import json
from datetime import UTC, timedelta, timezone
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QGroupBox, QLabel
from pytestqt.qtbot import QtBot

from cdrdesk.ui.detail_pane import DetailPane
from cdrdesk.ui.segment_bar import SegmentBar

# The offscreen platform warns on every top-level show; the warning says nothing about cdrdesk.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def call_record() -> dict[str, Any]:
    return {
        "id": "cdr_01JDX9R3K2TEST",
        "type": "call",
        "subtype": "inbound",
        "started_at": "2026-11-29T10:15:03Z",
        "ended_at": "2026-11-29T10:19:44Z",
        "region": "eu-west",
        "data": {
            "external_account_id": "acc-7",
            "disposition": "answered",
            "end_reason": "customer_disconnect",
            "wrap_up_code": None,
            "event_tags": ["hold", "warm_transfer"],
            "from_phone_number": "+447700900123",
            "to_phone_number": "+442071234567",
            "user_id": "usr_0001",
            "team_id": "team_01",
            "queue_id": "que_03",
            "campaign_id": None,
            "destination_country": "United Kingdom",
            "score": 4.5,
            "duration": 281,
            "dialing_duration": 11,
            "ivr_duration": 30,
            "queue_duration": 40,
            "talk_duration": 180,
            "hold_duration": 20,
            "recording_url": "https://recordings.example.com/r/1?a=1&b=2",
            "sentiment": {"overall": "positive"},
        },
    }


def sms_record() -> dict[str, Any]:
    return {
        "id": "cdr_SMS",
        "type": "sms",
        "subtype": "outbound_sms",
        "started_at": "2026-11-29T10:15:03Z",
        "ended_at": "2026-11-29T10:15:04Z",
        "data": {"disposition": "delivered", "to_phone_number": "+33612345678"},
    }


@pytest.fixture
def pane(qtbot: QtBot) -> DetailPane:
    widget = DetailPane(UTC)
    qtbot.addWidget(widget)
    widget.resize(420, 900)
    widget.show()
    return widget


def test_every_field_is_shown_formatted_and_grouped(pane: DetailPane) -> None:
    pane.set_record(call_record())

    assert pane.value_text("started_at") == "2026-11-29 10:15:03"
    assert pane.value_text("duration") == "0:04:41"
    assert pane.value_text("talk_duration") == "0:03:00"
    assert pane.value_text("score") == "4.5"
    assert pane.value_text("wrap_up_code") == "—"
    assert pane.value_text("event_tags") == "hold, warm_transfer"
    assert pane.value_text("user_id") == "usr_0001"
    # Fields the contract does not list go under "Other", shown as they came.
    assert pane.other_fields() == {"region": "eu-west", "sentiment": '{"overall": "positive"}'}
    other = pane.findChild(QGroupBox, "detail_group_other")
    assert other is not None
    assert other.isVisible()
    link = pane.findChild(QLabel, "detail_recording_url")
    assert link is not None
    assert link.openExternalLinks()
    assert 'href="https://recordings.example.com/r/1?a=1&amp;b=2"' in link.text()
    chips = [
        label.text()
        for label in pane.findChildren(QLabel)
        if label.objectName().startswith("event_tag_chip_")
    ]
    assert chips == ["hold", "warm_transfer"]


def test_times_follow_the_display_zone(pane: DetailPane) -> None:
    pane.set_record(call_record())
    pane.set_display_zone(timezone(timedelta(hours=2)))
    assert pane.value_text("started_at") == "2026-11-29 12:15:03"


def test_fields_a_type_lacks_are_hidden(pane: DetailPane) -> None:
    pane.set_record(call_record())
    pane.set_record(sms_record())

    assert pane.value_text("disposition") == "delivered"
    assert pane.value_text("duration") is None
    assert pane.value_text("recording_url") is None
    durations = pane.findChild(QGroupBox, "detail_group_durations")
    other = pane.findChild(QGroupBox, "detail_group_other")
    assert durations is not None
    assert not durations.isVisible()
    assert other is not None
    assert not other.isVisible()
    assert pane.other_fields() == {}


def test_copy_as_json_gives_the_record_as_received(pane: DetailPane) -> None:
    record = call_record()
    pane.set_record(record)
    QGuiApplication.clipboard().clear()

    pane.copy_as_json()

    text = QGuiApplication.clipboard().text()
    assert json.loads(text) == record
    assert list(json.loads(text)) == list(record)
    assert text.startswith('{\n  "id": "cdr_01JDX9R3K2TEST"')


def test_no_record_shows_a_hint_and_copies_nothing(pane: DetailPane) -> None:
    pane.set_record(None)
    QGuiApplication.clipboard().setText("before")
    assert pane.copy_as_json() == ""
    assert QGuiApplication.clipboard().text() == "before"


def test_segment_bar_draws_the_phases_to_scale(qtbot: QtBot) -> None:
    bar = SegmentBar()
    qtbot.addWidget(bar)
    bar.resize(281, 60)
    bar.show()
    bar.set_record(call_record()["data"])
    qtbot.waitExposed(bar)

    assert [segment.label for segment in bar.segments] == [
        "Dialing",
        "IVR",
        "Queue time",
        "Talk",
        "Hold",
    ]
    # 281 pixels for 281 seconds: one pixel per second.
    assert bar.segment_at(5).key == "dialing_duration"  # type: ignore[union-attr]
    assert bar.segment_at(11 + 30 + 5).key == "queue_duration"  # type: ignore[union-attr]
    assert bar.segment_at(11 + 30 + 40 + 100).key == "talk_duration"  # type: ignore[union-attr]
    assert bar.segment_at(275).key == "hold_duration"  # type: ignore[union-attr]
    assert "Talk: 0:03:00 (64%)" in bar.accessibleDescription()
    legend = bar.findChild(QLabel, "segment_legend")
    assert legend is not None
    assert "Hold&nbsp;0:00:20" in legend.text()
    image = bar.grab().toImage()
    assert image.pixelColor(100 + 81, 5).name() == "#3c9d5d"


def test_segment_bar_skips_missing_phases(qtbot: QtBot) -> None:
    bar = SegmentBar()
    qtbot.addWidget(bar)
    bar.set_record({"duration": 10, "talk_duration": None, "hold_duration": "x"})
    assert bar.segments == []
    assert bar.accessibleDescription() == "no call segments"
