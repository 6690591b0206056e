"""Properties over generated values: round trips, robustness on any text, growing partials."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from outputs_cases import parse

from vdsl.errors import OutputParseError
from vdsl.outputs.extract import extract

scalars = (st.none() | st.booleans() | st.integers(-10**12, 10**12)
           | st.floats(allow_nan=False, allow_infinity=False, width=32)
           | st.text(max_size=12))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=4),
    max_leaves=12)
objects = st.dictionaries(st.text(max_size=6), json_values, max_size=5)


@settings(max_examples=150, deadline=None)
@given(objects)
def test_strict_json_objects_round_trip(value: dict[str, object]) -> None:
    assert parse("map<string, Json>", json.dumps(value)) == value


@settings(max_examples=150, deadline=None)
@given(objects, st.sampled_from(["", "Sure! ", "Here is the JSON:\n"]),
       st.sampled_from(["json", "", "JSON", "javascript"]))
def test_fenced_objects_amid_prose_round_trip(value: dict[str, object], before: str,
                                              tag: str) -> None:
    text = f"{before}```{tag}\n{json.dumps(value, indent=2, ensure_ascii=False)}\n```\nBye."
    assert parse("map<string, Json>", text) == value


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    extract(text)
    extract(text, partial=True)
    try:
        parse("map<string, Json>", text)
    except OutputParseError:
        pass
    parse("map<string, Json>", text, partial=True)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.fixed_dictionaries({"sku": st.text(min_size=1, max_size=5),
                                       "qty": st.integers(0, 10**6)}), max_size=5))
def test_streamed_lists_only_grow_and_end_exact(items: list[dict[str, object]]) -> None:
    text = json.dumps(items)
    last = 0
    for end in range(len(text) + 1):
        value = parse("Item[]", text[:end], partial=True)
        size = 0 if value is None else len(value)
        assert size >= last
        last = size
    assert parse("Item[]", text, partial=True) == items
    assert parse("Item[]", text) == items
