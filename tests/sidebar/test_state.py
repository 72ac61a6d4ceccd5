"""Filter states: exact round trips, relative ranges, the display zone, filter by value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from cdrdesk.api.filters import FILTERS, FilterGroup, FilterKind, FilterSpec
from cdrdesk.api.query import CdrQuery, RangeValue
from cdrdesk.api.timeranges import FilterState, RelativeRange
from cdrdesk.ui.sidebar import FilterSidebar
from cdrdesk.ui.sidebar.enum_editor import EnumEditor
from cdrdesk.ui.sidebar.factory import build_editors
from cdrdesk.ui.sidebar.multi_editor import MultiStringEditor
from cdrdesk.ui.sidebar.pattern_editor import ExactOrPatternEditor, PatternEditor
from cdrdesk.ui.sidebar.range_editor import RangeEditor
from cdrdesk.ui.sidebar.time_editor import TimeRangeEditor
from tests.sidebar.conftest import choose, set_wall_time, type_and_enter

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
PLUS_TWO = timezone(timedelta(hours=2))

ROUND_TRIPS = [
    pytest.param(FilterState(), id="empty"),
    pytest.param(
        FilterState(
            CdrQuery(
                {
                    "ended_at": RangeValue(
                        gt=datetime(2026, 11, 1, 0, 0, 0, 123456, tzinfo=PLUS_TWO),
                        lte=datetime(2026, 11, 2, tzinfo=UTC),
                    ),
                    "type": ("sms", "call"),
                    "subtype": ("new_vendor_subtype",),
                    "event_tag": ("all_transfers", "hold"),
                    "wrap_up_code": ("a,b", " spaced "),
                    "user_id": ("usr_2", "usr_1"),
                    "from_phone_number": ("+441234",),
                    "to_phone_number_like": "*99",
                    "destination_country": ("Korea, Republic of",),
                    "duration": RangeValue(gt=5, lt=60),
                    "dialing_duration": RangeValue(exact=0),
                    "ivr_duration": RangeValue(lte=9),
                    "score": RangeValue(gte=2.25, lte=4),
                }
            ),
            {"started_at": RelativeRange.YESTERDAY},
        ),
        id="every-kind",
    ),
    pytest.param(
        FilterState(
            CdrQuery(
                {
                    "started_at": RangeValue(exact=datetime(2026, 1, 2, 3, 4, 5, tzinfo=PLUS_TWO)),
                    "ended_at": RangeValue(lt=datetime(2026, 11, 2, tzinfo=UTC)),
                    "from_phone_number_like": "+44*",
                    "to_phone_number": ("+1555", "+1666"),
                    "score": RangeValue(exact=4.5),
                    "queue_duration": RangeValue(gte=0),
                }
            ),
            {},
        ),
        id="exact-values-and-other-twins",
    ),
]


@pytest.mark.parametrize("state", ROUND_TRIPS)
def test_set_state_then_state_round_trips_exactly(
    sidebar: FilterSidebar, state: FilterState
) -> None:
    sidebar.set_state(state)
    assert sidebar.state() == state
    assert sidebar.state().query.items == state.query.items
    assert sidebar.state().resolve(NOW).to_query_string() == state.resolve(NOW).to_query_string()
    sidebar.set_display_zone("local")
    assert sidebar.state().resolve(NOW).to_query_string() == state.resolve(NOW).to_query_string()


def test_a_range_with_two_lower_bounds_shows_the_tighter_one(sidebar: FilterSidebar) -> None:
    sidebar.set_state(FilterState(CdrQuery({"duration": RangeValue(gt=10, gte=10, lte=60)})))
    assert sidebar.state().query.to_query_string() == "duration[gt]=10&duration[lte]=60"


def test_a_state_with_both_phone_twins_keeps_the_pattern(sidebar: FilterSidebar) -> None:
    both = CdrQuery({"to_phone_number": ("+1555",), "to_phone_number_like": "+1*"})
    assert not both.validate().ok
    sidebar.set_state(FilterState(both))
    assert sidebar.state().query.to_query_string() == "to_phone_number_like=%2B1*"
    phone = sidebar.editor("to_phone_number")
    assert isinstance(phone, ExactOrPatternEditor)
    assert phone.chips.chips() == ("+1555",)  # kept in the hidden exact field


def test_set_state_expands_sections_and_emits_once(qtbot: QtBot, sidebar: FilterSidebar) -> None:
    assert not sidebar.sections[FilterGroup.CHANNELS].is_expanded()
    with qtbot.waitSignal(sidebar.stateChanged):
        sidebar.set_state(FilterState(CdrQuery({"source_channel_profile_id": ("p",)})))
    assert sidebar.sections[FilterGroup.CHANNELS].is_expanded()
    assert sidebar.sections[FilterGroup.CHANNELS].header.text() == "Channels (1)"
    assert sidebar.badge.text() == "1 active"


def test_quick_choices_stay_relative(qtbot: QtBot, sidebar: FilterSidebar) -> None:
    started = sidebar.editor("started_at")
    assert isinstance(started, TimeRangeEditor)
    labels = [started.choice.itemText(i) for i in range(started.choice.count())]
    assert labels == [
        "Any time",
        "Last hour",
        "Today",
        "Yesterday",
        "Last 7 days",
        "Last 30 days",
        "Custom range",
        "Exact time",
    ]
    with qtbot.waitSignal(sidebar.stateChanged):
        choose(started.choice, "Last 7 days")
    state = sidebar.state()
    assert dict(state.relative) == {"started_at": RelativeRange.LAST_7_DAYS}
    assert "started_at" not in state.query
    assert state.resolve(NOW).to_query_string() == (
        "started_at[gte]=2026-11-23T12:00:00Z&started_at[lt]=2026-11-30T12:00:00Z"
    )
    assert state.resolve(NOW + timedelta(hours=1)).to_query_string() == (
        "started_at[gte]=2026-11-23T13:00:00Z&started_at[lt]=2026-11-30T13:00:00Z"
    )
    ended = sidebar.editor("ended_at")
    assert isinstance(ended, TimeRangeEditor)
    choose(ended.choice, "Today")
    assert sidebar.state().resolve(NOW, ZoneInfo("Europe/Berlin")).to_query_string() == (
        "started_at[gte]=2026-11-23T13:00:00%2B01:00&started_at[lt]=2026-11-30T13:00:00%2B01:00"
        "&ended_at[gte]=2026-11-30T00:00:00%2B01:00&ended_at[lt]=2026-12-01T00:00:00%2B01:00"
    )
    assert sidebar.badge.text() == "2 active"


def test_custom_times_are_read_in_the_display_zone(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    sidebar = FilterSidebar(display_zone="local")
    qtbot.addWidget(sidebar)
    assert sidebar.display_zone() == ZoneInfo("Europe/Berlin")
    started = sidebar.editor("started_at")
    assert isinstance(started, TimeRangeEditor)
    choose(started.choice, "Custom range")
    started.to_enabled.setChecked(False)
    set_wall_time(started.from_edit, datetime(2026, 11, 29, 10, 0))
    expected = "started_at[gte]=2026-11-29T10:00:00%2B01:00"
    assert sidebar.state().query.to_query_string() == expected

    with qtbot.waitSignal(sidebar.displayZoneChanged, check_params_cb=lambda z: z is UTC):
        choose(sidebar.zone_choice, "UTC")
    assert sidebar.state().query.to_query_string() == expected  # same moment, shown in UTC
    assert started.from_edit.dateTime().toString("yyyy-MM-dd HH:mm:ss") == "2026-11-29 09:00:00"
    set_wall_time(started.from_edit, datetime(2026, 11, 29, 9, 30))
    assert sidebar.state().query.to_query_string() == "started_at[gte]=2026-11-29T09:30:00Z"


def test_chips_take_pastes_and_can_be_removed_by_mouse_and_keyboard(
    qtbot: QtBot, sidebar: FilterSidebar
) -> None:
    sidebar.sections[FilterGroup.PEOPLE_AND_ROUTING].set_expanded(True)
    editor = sidebar.editor("team_id")
    assert isinstance(editor, MultiStringEditor)
    entry = editor.chips.entry
    QGuiApplication.clipboard().setText("t1\nt2, with comma\n\nt1\n")
    qtbot.keyClick(entry, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert editor.chips.chips() == ("t1", "t2, with comma")
    type_and_enter(qtbot, entry, 't3, "t4, quoted"')
    assert editor.chips.chips() == ("t1", "t2, with comma", "t3", "t4, quoted")

    remove = editor.chips.chip_widgets()[1].remove_button
    assert remove.accessibleName() == "Remove t2, with comma"
    assert remove.focusPolicy() & Qt.FocusPolicy.TabFocus
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    assert editor.chips.chips() == ("t1", "t3", "t4, quoted")
    qtbot.keyClick(entry, Qt.Key.Key_Backspace)
    assert editor.chips.chips() == ("t1", "t3")
    editor.chips.chip_widgets()[0].remove_button.setFocus()
    qtbot.keyClick(editor.chips.chip_widgets()[0].remove_button, Qt.Key.Key_Space)
    assert sidebar.state().query.to_query_string() == "team_id=t3"


def test_the_phone_switch_keeps_only_one_twin_in_the_state(
    qtbot: QtBot, sidebar: FilterSidebar
) -> None:
    sidebar.sections[FilterGroup.NUMBERS].set_expanded(True)
    phone = sidebar.editor("from_phone_number")
    assert isinstance(phone, ExactOrPatternEditor)
    type_and_enter(qtbot, phone.chips.entry, "+4411")
    choose(phone.mode, "Pattern with *")
    assert phone.pattern.isVisible()
    assert not phone.chips.entry.isVisible()
    assert sidebar.state().query.to_query_string() == ""
    qtbot.keyClicks(phone.pattern, "+44*")
    assert sidebar.state().query.to_query_string() == "from_phone_number_like=%2B44*"
    choose(phone.mode, "Exact numbers")
    assert sidebar.state().query.to_query_string() == "from_phone_number=%2B4411"
    sidebar.add_filter_value("from_phone_number_like", "*77")
    assert phone.pattern_mode
    assert sidebar.state().query.to_query_string() == "from_phone_number_like=*77"
    sidebar.add_filter_value("from_phone_number", "+4422")
    assert sidebar.state().query.to_query_string() == (
        "from_phone_number=%2B4411&from_phone_number=%2B4422"
    )


def test_filter_by_this_value_for_every_kind(sidebar: FilterSidebar) -> None:
    sidebar.add_filter_value("started_at", "2026-11-29T10:15:03Z")
    sidebar.add_filter_value("type", "call")
    sidebar.add_filter_value("event_tag", "brand_new_tag")
    sidebar.add_filter_value("user_id", "usr_1")
    sidebar.add_filter_value("user_id", "usr_1")
    sidebar.add_filter_value("to_phone_number", "+1555")
    sidebar.add_filter_value("duration", "281")
    sidebar.add_filter_value("score", "4.5")
    assert sidebar.state().query.to_query_string() == (
        "started_at=2026-11-29T10:15:03Z&type=call&event_tag=brand_new_tag&user_id=usr_1"
        "&to_phone_number=%2B1555&duration=281&score=4.5"
    )
    assert all(
        section.is_expanded()
        for section in sidebar.sections.values()
        if section.header.text().endswith(")")
    )
    sidebar.add_filter_value("ended_at", "yesterday")
    ended = sidebar.editor("ended_at")
    assert ended.error_label.text().startswith("cannot filter by this value: 'yesterday'")
    with pytest.raises(KeyError, match="unknown filter 'no_such_filter'"):
        sidebar.add_filter_value("no_such_filter", "x")


def test_reset_clears_everything(qtbot: QtBot, sidebar: FilterSidebar) -> None:
    sidebar.set_state(ROUND_TRIPS[1].values[0])  # type: ignore[arg-type]
    sidebar.set_server_errors({"duration": ["bad"]})
    with qtbot.waitSignal(sidebar.stateChanged), qtbot.assertNotEmitted(sidebar.applyRequested):
        qtbot.mouseClick(sidebar.reset_button, Qt.MouseButton.LeftButton)
    assert sidebar.state() == FilterState()
    assert sidebar.badge.isHidden()
    assert not sidebar.editor("duration").error_label.text()
    subtype = sidebar.editor("subtype")
    assert isinstance(subtype, EnumEditor)
    assert subtype.item("new_vendor_subtype") is None


def test_focus_filters_puts_the_cursor_in_the_first_filter(
    qtbot: QtBot, sidebar: FilterSidebar
) -> None:
    sidebar.sections[FilterGroup.TIME].set_expanded(False)
    sidebar.activateWindow()
    sidebar.focus_filters()
    started = sidebar.editor("started_at")
    assert isinstance(started, TimeRangeEditor)
    qtbot.waitUntil(started.choice.hasFocus)


def test_a_new_table_row_gets_its_editor(qtbot: QtBot) -> None:
    extra = (
        FilterSpec("region", "Region", FilterKind.MULTI_STRING, "region", FilterGroup.CHANNELS),
        FilterSpec("agent_like", "Agent pattern", FilterKind.PATTERN, "data.agent",
                   FilterGroup.PEOPLE_AND_ROUTING),
        FilterSpec("wait", "Wait (s)", FilterKind.INTEGER_RANGE, "data.wait",
                   FilterGroup.DURATIONS_AND_SCORE),
    )  # fmt: skip
    editors = build_editors((*FILTERS, *extra), UTC)
    for editor in editors:
        qtbot.addWidget(editor)
    by_name = {editor.objectName(): editor for editor in editors}
    assert len(editors) == len(FILTERS) - 2 + len(extra)
    assert isinstance(by_name["filter_region"], MultiStringEditor)
    assert isinstance(by_name["filter_agent_like"], PatternEditor)
    assert isinstance(by_name["filter_wait"], RangeEditor)
    assert by_name["filter_wait"].accessibleName() == "Wait (s)"
    pattern = by_name["filter_agent_like"].findChild(QWidget, "filter_agent_like_text")
    assert isinstance(pattern, QLineEdit)
