"""Bad input is marked beside its field and never applied; server messages sit beside theirs."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from cdrdesk.api.filters import FilterGroup
from cdrdesk.api.timeranges import FilterState
from cdrdesk.ui.sidebar import FilterSidebar
from cdrdesk.ui.sidebar.pattern_editor import ExactOrPatternEditor
from cdrdesk.ui.sidebar.range_editor import RangeEditor
from cdrdesk.ui.sidebar.time_editor import TimeRangeEditor
from tests.sidebar.conftest import choose, set_wall_time

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def range_editor(sidebar: FilterSidebar, name: str) -> RangeEditor:
    editor = sidebar.editor(name)
    assert isinstance(editor, RangeEditor)
    return editor


def errors_of(sidebar: FilterSidebar, name: str) -> QLabel:
    label = sidebar.findChild(QLabel, f"filter_{name}_errors")
    assert label is not None
    return label


def shown(label: QLabel) -> bool:
    return not label.isHidden() and bool(label.text())


@pytest.mark.parametrize(
    ("name", "field", "text", "message"),
    [
        ("duration", "min", "1.5", "Min: '1.5' is not a whole number of seconds"),
        ("talk_duration", "max", "ten", "Max: 'ten' is not a whole number of seconds"),
        ("hold_duration", "min", "-4", "Min: -4 is negative; it must be 0 or more"),
        ("score", "max", "4,5", "Max: '4,5' is not a number"),
    ],
)
def test_bad_numbers_are_marked_inline_and_block_apply(
    qtbot: QtBot, sidebar: FilterSidebar, name: str, field: str, text: str, message: str
) -> None:
    editor = range_editor(sidebar, name)
    sidebar.sections[FilterGroup.DURATIONS_AND_SCORE].set_expanded(True)
    target: QLineEdit = getattr(editor, field)
    qtbot.keyClicks(target, text)
    assert target.property("invalid") is True
    assert errors_of(sidebar, name).text() == message
    assert shown(errors_of(sidebar, name))
    sidebar.sections[FilterGroup.DURATIONS_AND_SCORE].set_expanded(False)
    sidebar.activateWindow()
    with qtbot.assertNotEmitted(sidebar.applyRequested):
        qtbot.mouseClick(sidebar.apply_button, Qt.MouseButton.LeftButton)
    assert sidebar.sections[FilterGroup.DURATIONS_AND_SCORE].is_expanded()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is target)

    target.clear()
    assert target.property("invalid") is False
    assert not shown(errors_of(sidebar, name))
    with qtbot.waitSignal(sidebar.applyRequested) as applied:
        qtbot.mouseClick(sidebar.apply_button, Qt.MouseButton.LeftButton)
    assert applied.args == [FilterState()]


def test_contract_rules_are_checked_before_any_request(
    qtbot: QtBot, sidebar: FilterSidebar
) -> None:
    duration = range_editor(sidebar, "duration")
    qtbot.keyClicks(duration.min, "60")
    qtbot.keyClicks(duration.max, "10")
    assert errors_of(sidebar, "duration").text() == "lower bound 60 is above upper bound 10"
    assert duration.min.property("invalid") is True

    phone = sidebar.editor("to_phone_number")
    assert isinstance(phone, ExactOrPatternEditor)
    phone.set_pattern_mode(True)
    qtbot.keyClicks(phone.pattern, "**")
    assert errors_of(sidebar, "to_phone_number").text() == (
        "pattern needs at least one character besides *"
    )
    assert phone.pattern.property("invalid") is True

    started = sidebar.editor("started_at")
    assert isinstance(started, TimeRangeEditor)
    choose(started.choice, "Custom range")
    set_wall_time(started.from_edit, datetime(2026, 11, 5))
    set_wall_time(started.to_edit, datetime(2026, 11, 1))
    assert errors_of(sidebar, "started_at").text() == (
        "lower bound 2026-11-05T00:00:00Z is above upper bound 2026-11-01T00:00:00Z"
    )
    with qtbot.assertNotEmitted(sidebar.applyRequested):
        sidebar.apply()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is started.from_edit)


def test_ctrl_return_applies_a_valid_state(qtbot: QtBot, sidebar: FilterSidebar) -> None:
    entry = sidebar.findChild(QLineEdit, "filter_user_id_entry")
    assert entry is not None
    sidebar.sections[FilterGroup.PEOPLE_AND_ROUTING].set_expanded(True)
    sidebar.activateWindow()
    qtbot.waitUntil(sidebar.isActiveWindow)
    entry.setFocus()
    qtbot.keyClicks(entry, "usr_7")
    with qtbot.waitSignal(
        sidebar.applyRequested,
        check_params_cb=lambda state: state.query.to_query_string() == "user_id=usr_7",
    ):
        qtbot.keyClick(entry, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    editor = sidebar.editor("user_id")
    assert editor.chips.chips() == ("usr_7",)  # type: ignore[attr-defined]
    assert entry.text() == ""


def test_server_errors_show_beside_the_filter_and_change_nothing_else(
    qtbot: QtBot, sidebar: FilterSidebar
) -> None:
    duration = range_editor(sidebar, "duration")
    sidebar.add_filter_value("duration", "30")
    sidebar.sections[FilterGroup.DURATIONS_AND_SCORE].set_expanded(False)
    before = sidebar.state()
    with qtbot.assertNotEmitted(sidebar.stateChanged):
        sidebar.set_server_errors(
            {"duration": ["duration must be a whole number"], "limit": ["limit is too big"]}
        )
    assert sidebar.state() == before
    assert sidebar.sections[FilterGroup.DURATIONS_AND_SCORE].is_expanded()
    assert errors_of(sidebar, "duration").text() == "duration must be a whole number"
    assert shown(errors_of(sidebar, "duration"))
    assert duration.exact.property("invalid") is True
    assert sidebar.general_errors.text() == "limit: limit is too big"
    assert not sidebar.general_errors.isHidden()
    assert not shown(errors_of(sidebar, "score"))

    qtbot.keyClicks(duration.exact, "0")  # editing the filter retires its server message
    assert not shown(errors_of(sidebar, "duration"))
    assert not sidebar.general_errors.isHidden()
    sidebar.clear_server_errors()
    assert sidebar.general_errors.isHidden()


def test_a_server_error_on_a_pattern_twin_shows_on_the_shared_field(
    sidebar: FilterSidebar,
) -> None:
    sidebar.add_filter_value("from_phone_number_like", "+44*")
    sidebar.set_server_errors({"from_phone_number_like": ["cannot be combined"]})
    assert errors_of(sidebar, "from_phone_number").text() == "cannot be combined"
    phone = sidebar.editor("from_phone_number")
    assert isinstance(phone, ExactOrPatternEditor)
    assert phone.pattern.property("invalid") is True
    assert sidebar.sections[FilterGroup.NUMBERS].is_expanded()


def test_unknown_enum_values_are_kept_and_flagged(qtbot: QtBot, sidebar: FilterSidebar) -> None:
    other = sidebar.findChild(QLineEdit, "filter_disposition_other")
    assert other is not None
    qtbot.keyClicks(other, "voicemail_left")
    qtbot.keyClick(other, Qt.Key.Key_Return)
    warnings = sidebar.findChild(QLabel, "filter_disposition_warnings")
    assert warnings is not None
    assert warnings.text() == "unknown value voicemail_left"
    assert shown(warnings)
    editor = sidebar.editor("disposition")
    item = editor.item("voicemail_left")  # type: ignore[attr-defined]
    assert item.text() == "voicemail_left (unknown)"
    assert item.checkState() == Qt.CheckState.Checked
    with qtbot.waitSignal(sidebar.applyRequested) as applied:
        sidebar.apply()
    assert applied.args[0].query.to_query_string() == "disposition=voicemail_left"


def test_enter_in_a_range_field_applies(qtbot: QtBot, sidebar: FilterSidebar) -> None:
    score = range_editor(sidebar, "score")
    sidebar.sections[FilterGroup.DURATIONS_AND_SCORE].set_expanded(True)
    qtbot.keyClicks(score.max, "4.75")
    with qtbot.waitSignal(
        sidebar.applyRequested,
        check_params_cb=lambda state: state.query.to_query_string() == "score[lte]=4.75",
    ):
        qtbot.keyClick(score.max, Qt.Key.Key_Return)
