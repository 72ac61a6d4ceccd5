"""Any valid filter set survives the presets file, and any valid query survives a link."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from cdrdesk.api.query import CdrQuery
from cdrdesk.api.timeranges import FilterState
from cdrdesk.presets.document import decode_document, encode_document
from cdrdesk.presets.links import make_link, parse_link
from cdrdesk.presets.model import Preset
from tests.presets.strategies import filter_states, queries, texts, times, zones

EXAMPLES = settings(max_examples=100, deadline=None)


@EXAMPLES
@given(
    state=filter_states,
    name=texts,
    description=st.text(max_size=20),
    columns=st.none() | st.lists(texts, max_size=4).map(tuple),
)
def test_any_state_survives_the_presets_file(state, name, description, columns):
    preset = Preset(name, state, columns=columns, description=description)

    document = decode_document(encode_document([preset], preset.name))
    (loaded,) = document.presets

    assert loaded.state == state
    assert loaded == preset
    assert loaded.unknown_filters == ()
    assert loaded.problems == {}
    assert document.default == preset.name
    assert document.problems == []


@EXAMPLES
@given(state=filter_states, now=times, zone=zones)
def test_a_loaded_preset_resolves_like_the_saved_state(state, now, zone):
    (loaded,) = decode_document(encode_document([Preset("p", state)], None)).presets
    assert loaded.state.resolve(now, zone) == state.resolve(now, zone)


@EXAMPLES
@given(query=queries())
def test_any_query_survives_a_link(query):
    assert parse_link(make_link(query)) == FilterState(query)


@EXAMPLES
@given(state=filter_states, now=times, zone=zones)
def test_any_state_survives_a_link(state, now, zone):
    resolved = parse_link(make_link(state, now, zone))
    assert resolved == FilterState(state.resolve(now, zone))

    relative = parse_link(make_link(state, keep_relative=True))
    assert relative.relative == state.relative
    later = datetime(2030, 1, 1, tzinfo=UTC)
    assert relative.resolve(later, zone) == state.resolve(later, zone)
    assert isinstance(relative.query, CdrQuery)
