"""Canonical JSON (RFC 8785): the fast path (one scan, then json.dumps) gives the reference encoder's bytes, and
what canonical data may not hold is refused with the path of the fault."""

from __future__ import annotations

import re
from collections import OrderedDict
from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.evidence.canonical import CanonicalisationError, _encode, canonical_bytes, canonical_sha256, loads


def test_member_names_sort_by_utf16_code_units():
    # RFC 8785 §3.2.3's example: U+1F600 (a surrogate pair, D83D DE00) sorts before U+E000, though its code point
    # is higher; "\r" < "1" < "\u0080" < "ö" < "€" by code unit
    value = {"\u20ac": 5, "\r": 1, "\ue000": 7, "1": 2, "\U0001f600": 6, "\u00f6": 4, "\u0080": 3}
    assert canonical_bytes(value).decode("utf-8") == (
        '{"\\r":1,"1":2,"\u0080":3,"\u00f6":4,"\u20ac":5,"\U0001f600":6,"\ue000":7}')


def test_plain_values_and_escapes():
    value = {"b": [True, False, None, -0, 2**53 - 1], "a": "稽核\n\"\u001f\u2028", "c": {}, "d": []}
    assert canonical_bytes(value) == (
        '{"a":"稽核\\n\\"\\u001f\u2028","b":[true,false,null,0,9007199254740991],"c":{},"d":[]}').encode("utf-8")
    assert loads(canonical_bytes(value)) == value


@pytest.mark.parametrize(("value", "where"), [
    ({"a": [1, 2.5]}, "$.a[1]: floats"),
    ({"a": {"b": 2**53}}, "$.a.b: integer outside"),
    ({"a": [-(2**53)]}, "$.a[0]: integer outside"),
    ({"a": {1: "x"}}, "$.a: keys must be strings"),
    ({"a": b"bytes"}, "$.a: unsupported type bytes"),
    ({"a": {"b": {1, 2}}}, "$.a.b: unsupported type set"),
])
def test_what_canonical_data_may_not_hold_is_refused_with_its_path(value, where):
    with pytest.raises(CanonicalisationError, match=re.escape(where)):
        canonical_bytes(value)


def test_other_mappings_and_tuples_encode_like_dicts_and_lists():
    plain = {"z": [1, "x"], "a": {"k": None}}
    assert canonical_bytes(OrderedDict([("a", MappingProxyType({"k": None})), ("z", (1, "x"))])) == (
        canonical_bytes(plain))
    assert canonical_sha256(plain) == canonical_sha256({"a": {"k": None}, "z": [1, "x"]})


_keys = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_json)
def test_the_fast_path_gives_the_reference_encoding(value):
    assert canonical_bytes(value) == _encode(value).encode("utf-8")
    assert loads(canonical_bytes(value)) == value
