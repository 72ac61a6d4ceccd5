"""Every one of the 29 filters set through its own widget gives the contract's wire form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from cdrdesk.api.filters import FILTERS
from cdrdesk.ui.sidebar import FilterSidebar
from cdrdesk.ui.sidebar.enum_editor import EnumEditor
from cdrdesk.ui.sidebar.multi_editor import MultiStringEditor
from cdrdesk.ui.sidebar.pattern_editor import ExactOrPatternEditor
from cdrdesk.ui.sidebar.range_editor import RangeEditor
from cdrdesk.ui.sidebar.time_editor import TimeRangeEditor
from tests.sidebar.conftest import choose, click_box, set_wall_time, type_and_enter

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def find(sidebar: FilterSidebar, name: str) -> QWidget:
    widget = sidebar.findChild(QWidget, name)
    assert widget is not None, f"no widget named {name}"
    return widget


def line(sidebar: FilterSidebar, name: str) -> QLineEdit:
    widget = find(sidebar, name)
    assert isinstance(widget, QLineEdit)
    return widget


def expand_all(sidebar: FilterSidebar) -> None:
    for section in sidebar.sections.values():
        section.set_expanded(True)


def check_by_keyboard(qtbot: QtBot, editor: EnumEditor, value: str) -> None:
    item = editor.item(value)
    assert item is not None
    editor.list.setCurrentItem(item)
    qtbot.keyClick(editor.list, Qt.Key.Key_Space)


def set_common_filters(qtbot: QtBot, sidebar: FilterSidebar) -> None:
    """The 25 filters outside the two phone-number pairs."""
    expand_all(sidebar)
    started = sidebar.editor("started_at")
    assert isinstance(started, TimeRangeEditor)
    choose(started.choice, "Custom range")
    set_wall_time(started.from_edit, datetime(2026, 11, 1, 8, 30))
    click_box(qtbot, started.to_enabled)
    ended = sidebar.editor("ended_at")
    assert isinstance(ended, TimeRangeEditor)
    choose(ended.choice, "Exact time")
    set_wall_time(ended.exact_edit, datetime(2026, 11, 2, 9, 0, 5))

    for name in ("type", "subtype"):
        editor = sidebar.editor(name)
        assert isinstance(editor, EnumEditor)
        check_by_keyboard(qtbot, editor, {"type": "call", "subtype": "inbound"}[name])
    check_by_keyboard(qtbot, sidebar.editor("type"), "sms")  # type: ignore[arg-type]
    disposition = sidebar.editor("disposition")
    assert isinstance(disposition, EnumEditor)
    disposition.set_checked("no_answer")
    end_reason = sidebar.editor("end_reason")
    assert isinstance(end_reason, EnumEditor)
    check_by_keyboard(qtbot, end_reason, "timeout")
    event_tag = sidebar.editor("event_tag")
    assert isinstance(event_tag, EnumEditor)
    check_by_keyboard(qtbot, event_tag, "all_transfers")
    type_and_enter(qtbot, line(sidebar, "filter_event_tag_other"), "ai_summary")

    type_and_enter(qtbot, line(sidebar, "filter_wrap_up_code_entry"), "WU-1")
    QGuiApplication.clipboard().setText("usr_1\nusr_2\n")
    qtbot.keyClick(
        line(sidebar, "filter_user_id_entry"), Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier
    )
    type_and_enter(qtbot, line(sidebar, "filter_team_id_entry"), "team_a, team_b")
    qtbot.keyClicks(line(sidebar, "filter_queue_id_entry"), "que_9")  # typed, not yet entered
    type_and_enter(qtbot, line(sidebar, "filter_campaign_id_entry"), "cmp_1")
    type_and_enter(qtbot, line(sidebar, "filter_external_account_id_entry"), "acc/1&2")
    type_and_enter(
        qtbot, line(sidebar, "filter_destination_country_entry"), '"Korea, Republic of", France'
    )
    for name in (
        "source_channel_account_id",
        "destination_channel_account_id",
        "source_channel_profile_id",
        "destination_channel_profile_id",
    ):
        type_and_enter(qtbot, line(sidebar, f"filter_{name}_entry"), name.split("_")[0] + "_x")

    qtbot.keyClicks(line(sidebar, "filter_duration_min"), "10")
    qtbot.keyClicks(line(sidebar, "filter_duration_max"), "60")
    click_box(qtbot, find(sidebar, "filter_dialing_duration_exact_mode"))
    qtbot.keyClicks(line(sidebar, "filter_dialing_duration_exact"), "5")
    ivr = sidebar.editor("ivr_duration")
    assert isinstance(ivr, RangeEditor)
    choose(ivr.min_op, ">")
    qtbot.keyClicks(ivr.min, "3")
    queue = sidebar.editor("queue_duration")
    assert isinstance(queue, RangeEditor)
    choose(queue.max_op, "<")
    qtbot.keyClicks(queue.max, "120")
    qtbot.keyClicks(line(sidebar, "filter_talk_duration_min"), "0")
    qtbot.keyClicks(line(sidebar, "filter_hold_duration_max"), "30")
    qtbot.keyClicks(line(sidebar, "filter_score_min"), "3.5")


EXPECTED_HEAD = (
    "started_at[gte]=2026-11-01T08:30:00Z"
    "&ended_at=2026-11-02T09:00:05Z"
    "&type=call&type=sms"
    "&subtype=inbound"
    "&disposition=no_answer"
    "&end_reason=timeout"
    "&wrap_up_code=WU-1"
    "&event_tag=all_transfers&event_tag=ai_summary"
    "&user_id=usr_1&user_id=usr_2"
    "&team_id=team_a&team_id=team_b"
    "&queue_id=que_9"
    "&campaign_id=cmp_1"
    "&external_account_id=acc%2F1%262"
)
EXPECTED_TAIL = (
    "&destination_country=Korea%2C%20Republic%20of&destination_country=France"
    "&source_channel_account_id=source_x"
    "&destination_channel_account_id=destination_x"
    "&source_channel_profile_id=source_x"
    "&destination_channel_profile_id=destination_x"
    "&duration[gte]=10&duration[lte]=60"
    "&dialing_duration=5"
    "&ivr_duration[gt]=3"
    "&queue_duration[lt]=120"
    "&talk_duration[gte]=0"
    "&hold_duration[lte]=30"
    "&score[gte]=3.5"
)


def test_exact_from_numbers_and_a_to_pattern(qtbot: QtBot, sidebar: FilterSidebar) -> None:
    set_common_filters(qtbot, sidebar)
    type_and_enter(qtbot, line(sidebar, "filter_from_phone_number_entry"), "+441234567890")
    type_and_enter(qtbot, line(sidebar, "filter_from_phone_number_entry"), "+15550100")
    choose(find(sidebar, "filter_to_phone_number_mode"), "Pattern with *")  # type: ignore[arg-type]
    qtbot.keyClicks(line(sidebar, "filter_to_phone_number_like"), "*123*")

    query = sidebar.state().resolve(NOW)
    assert query.to_query_string() == (
        EXPECTED_HEAD
        + "&from_phone_number=%2B441234567890&from_phone_number=%2B15550100"
        + "&to_phone_number_like=*123*"
        + EXPECTED_TAIL
    )
    assert query.validate().ok
    assert sidebar.state().active_count == 27
    assert sidebar.badge.text() == "27 active"


def test_a_from_pattern_and_exact_to_numbers(qtbot: QtBot, sidebar: FilterSidebar) -> None:
    set_common_filters(qtbot, sidebar)
    choose(find(sidebar, "filter_from_phone_number_mode"), "Pattern with *")  # type: ignore[arg-type]
    qtbot.keyClicks(line(sidebar, "filter_from_phone_number_like"), "+44*")
    type_and_enter(qtbot, line(sidebar, "filter_to_phone_number_entry"), "+442071234567")

    assert sidebar.state().resolve(NOW).to_query_string() == (
        EXPECTED_HEAD
        + "&from_phone_number_like=%2B44*"
        + "&to_phone_number=%2B442071234567"
        + EXPECTED_TAIL
    )


def test_every_filter_has_a_named_accessible_widget(sidebar: FilterSidebar) -> None:
    for spec in FILTERS:
        widget = find(sidebar, f"filter_{spec.name}")
        assert widget.accessibleName() == spec.label, spec.name
        assert spec.help in widget.accessibleDescription(), spec.name
    shared = find(sidebar, "filter_from_phone_number")
    assert isinstance(shared, ExactOrPatternEditor)
    assert shared.pattern is find(sidebar, "filter_from_phone_number_like")
    assert isinstance(sidebar.editor("from_phone_number_like"), ExactOrPatternEditor)
    assert isinstance(sidebar.editor("user_id"), MultiStringEditor)


def test_sections_follow_the_group_order(sidebar: FilterSidebar) -> None:
    titles = [section._title for section in sidebar.sections.values()]
    assert titles == [
        "Time",
        "Type and outcome",
        "People and routing",
        "Numbers",
        "Channels",
        "Durations and score",
    ]
    scroll_content = sidebar.scroll_area.widget()
    assert all(section.parent() is scroll_content for section in sidebar.sections.values())
