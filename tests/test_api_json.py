"""The API's JSON renderer (socialdomain.api.renderers): orjson's speed, DRF's bytes."""

import datetime
import decimal
import json
import uuid
import zoneinfo

import pytest
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from socialdomain.api.renderers import JSONRenderer

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")

# what serializers hand the renderer: JSON's own values and the kinds DRF's encoder converts
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.text(),
    st.uuids(),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([datetime.UTC, AMSTERDAM])),
    st.datetimes(),
    st.times(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**6),
    st.just(gettext_lazy("Not found.")),
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4)
    ),
    max_leaves=20,
)


def _drf(data, media_type=None) -> bytes:
    return DRFJSONRenderer().render(data, media_type, {})


@settings(max_examples=300, deadline=None)
@given(documents)
def test_the_renderer_writes_drfs_bytes_for_what_serializers_return(data):
    assert JSONRenderer().render(data) == _drf(data)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_is_the_same_number(number):
    """Floats keep their value; orjson may spell an exponent shorter (1e-7 for 1e-07)."""
    assert json.loads(JSONRenderer().render({"x": number})) == {"x": number}


def test_the_moments_and_lines_are_rendered_as_drf_does():
    moment = datetime.datetime(2026, 12, 7, 7, 30, 1, 123456, tzinfo=datetime.UTC)
    data = {
        "at": moment,
        "local": moment.astimezone(AMSTERDAM),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "amount": decimal.Decimal("12.50"),
        "text": "regel\u2028scheiding\u2029",
        "names": {"Ayşe", "Yılmaz"},
    }
    rendered = JSONRenderer().render(data)
    assert rendered == _drf(data)
    assert b'"at":"2026-12-07T07:30:01.123456Z"' in rendered
    assert b"\\u2028" in rendered and b"\xe2\x80\xa8" not in rendered


def test_keys_that_are_not_text_and_other_characters_of_three_bytes():
    """A key that is not a string takes orjson's second try, with its option for such keys;
    a character written with an E2 byte other than U+2028 and U+2029 stays as it is."""
    data = {1: "€ – ’", "nested": {2: "a\u2029b"}, "plain": "geen"}
    rendered = JSONRenderer().render(data)
    assert rendered == _drf(data)
    assert "€ – ’".encode() in rendered and b"a\\u2029b" in rendered
    assert JSONRenderer().render({"plain": "geen"}) == _drf({"plain": "geen"})


def test_indented_and_out_of_range_data_take_drfs_path():
    data = {"a": [1, 2], "big": 2**70}
    assert JSONRenderer().render(data) == _drf(data)  # beyond 64 bits: DRF encodes it
    indented = "application/json; indent=2"
    assert JSONRenderer().render({"a": 1}, indented) == _drf({"a": 1}, indented)
    assert JSONRenderer().render(None) == b""


def test_what_drf_refuses_is_refused():
    with pytest.raises(TypeError):
        JSONRenderer().render({"x": object()})


def test_the_api_renders_with_it(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"][0] == (
        "socialdomain.api.renderers.JSONRenderer"
    )
