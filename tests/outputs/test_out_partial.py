"""Streaming partials: a prefix of the reply parsed into a partial value of the return type."""

from __future__ import annotations

import json

import pytest
from outputs_cases import SCHEMA, parse
from pydantic import BaseModel

STREAM = SCHEMA + '''
class Story {
  title string @stream.done
  body string
  words int
}

class Post {
  id string @stream.not_null
  text string
}

class Feed {
  posts Post[]
}

class Progress {
  status string @stream.with_state
  steps string[] @stream.with_state
}

class Point {
  x int
  y int
  @@stream.done
}

class Plot {
  points Point[]
}

class Must {
  v int?
  @@stream.not_null
}

class Holder {
  note string
  must Must
}

class Pile {
  chunks (string @stream.done)[]
}

class Mixed {
  value Point | string
  other (string @stream.done) | int
}
'''

NONE_PERSON = {"name": None, "age": None, "rating": None, "mood": None, "tags": [],
               "address": None}

CASES = [
    ("empty-prefix", "Person", "", NONE_PERSON),
    ("prose-only-yet", "Person", "Sure! Here is the JSON you asked", NONE_PERSON),
    ("reasoning-only-yet", "Person", "<think>The user wants {a person", NONE_PERSON),
    ("answer-after-reasoning", "Person", '<think>{"name": "Bob"}</think>\n{"name": "Ada"',
     {**NONE_PERSON, "name": "Ada"}),
    ("empty-prefix-list", "Item[]", "", []),
    ("prose-only-list", "Item[]", "Sure! Here are the items", []),
    ("prose-only-map", "map<string, int>", "Sure!", None),
    ("map-drops-unfinished-entry", "map<string, int>", '{"a": 1, "b": 2', {"a": 1}),
    ("map-keeps-growing-string", "map<string, string>", '{"a": "x", "b": "y', {"a": "x", "b": "y"}),
    ("map-drops-unfinished-enum", "map<string, Sentiment>", '{"a": "meh", "b": "NEG',
     {"a": "NEUTRAL"}),
    ("open-brace", "Person", "{", NONE_PERSON),
    ("string-grows", "Person", '{"name": "Ad', {**NONE_PERSON, "name": "Ad"}),
    ("number-unfinished-is-null", "Person", '{"name": "Ada", "age": 3',
     {**NONE_PERSON, "name": "Ada"}),
    ("number-finished-by-comma", "Person", '{"name": "Ada", "age": 36,',
     {**NONE_PERSON, "name": "Ada", "age": 36}),
    ("number-finished-by-space", "Person", '{"name": "Ada", "age": 36 ',
     {**NONE_PERSON, "name": "Ada", "age": 36}),
    ("enum-waits-for-completion", "Person", '{"mood": "NEGA', NONE_PERSON),
    ("enum-when-closed", "Person", '{"mood": "NEGATIVE"', {**NONE_PERSON, "mood": "NEGATIVE"}),
    ("list-grows", "Person", '{"tags": ["a", "b', {**NONE_PERSON, "tags": ["a", "b"]}),
    ("nested-object-partial", "Person", '{"address": {"street": "1 Ma',
     {**NONE_PERSON, "address": {"street": "1 Ma", "city": None, "zip": None}}),
    ("inside-fence", "Person", 'Sure:\n```json\n{"name": "Ada", "score": 4.5,',
     {**NONE_PERSON, "name": "Ada", "rating": 4.5}),
    ("int-list-drops-unfinished", "int[]", "[1, 2, 3", [1, 2]),
    ("object-list-grows", "Item[]", '[{"sku": "a", "qty": 1}, {"sku": "b"',
     [{"sku": "a", "qty": 1}, {"sku": "b", "qty": None}]),
    ("top-int-unfinished", "int", "42", None),
    ("top-enum-unfinished", "Sentiment", "NEGA", None),
    ("top-enum-quoted-closed", "Sentiment", '"NEGATIVE"', "NEGATIVE"),
    ("top-bool-unfinished", "bool", "tru", None),
    ("top-string-as-is", "string", "Once upon a ti", "Once upon a ti"),
    ("literal-waits", "Status", '"clo', None),
    # ---- stream attributes --------------------------------------------------------------
    ("done-field-waits", "Story", '{"title": "The Gre', {"title": None, "body": None,
                                                        "words": None}),
    ("done-field-when-closed", "Story", '{"title": "The Great", "body": "Once',
     {"title": "The Great", "body": "Once", "words": None}),
    ("not-null-holds-object", "Post", '{"text": "hello"', None),
    ("class-not-null-holds-the-holder", "Holder", '{"note": "x"', None),
    ("class-not-null-satisfied", "Holder", '{"note": "x", "must": {"v": 1',
     {"note": "x", "must": {"v": None}}),
    ("type-done-in-list", "Pile", '{"chunks": ["ab", "c', {"chunks": ["ab"]}),
    ("type-done-in-union", "Mixed", '{"value": {"x": 1, "y": 2}, "other": "te',
     {"value": {"x": 1, "y": 2}, "other": None}),
    ("not-null-drops-list-item", "Feed",
     '{"posts": [{"id": "1", "text": "a"}, {"text": "b', {"posts": [{"id": "1", "text": "a"}]}),
    ("not-null-growing-id-counts", "Feed", '{"posts": [{"id": "1',
     {"posts": [{"id": "1", "text": None}]}),
    ("not-null-no-id-yet", "Feed", '{"posts": [{"te', {"posts": []}),
    ("not-null-satisfied", "Feed", '{"posts": [{"id": "2", "te',
     {"posts": [{"id": "2", "text": None}]}),
    ("with-state-pending", "Progress", "{",
     {"status": {"value": None, "state": "Pending"},
      "steps": {"value": [], "state": "Pending"}}),
    ("with-state-incomplete", "Progress", '{"status": "wor',
     {"status": {"value": "wor", "state": "Incomplete"},
      "steps": {"value": [], "state": "Pending"}}),
    ("with-state-mixed", "Progress", '{"status": "work", "steps": ["a"',
     {"status": {"value": "work", "state": "Complete"},
      "steps": {"value": ["a"], "state": "Incomplete"}}),
    ("with-state-complete", "Progress", '{"status": "done", "steps": ["a"]',
     {"status": {"value": "done", "state": "Complete"},
      "steps": {"value": ["a"], "state": "Complete"}}),
    ("class-done-waits", "Plot", '{"points": [{"x": 1, "y": 2}, {"x": 3',
     {"points": [{"x": 1, "y": 2}]}),
]


@pytest.mark.parametrize(("target", "text", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_partial(target: str, text: str, expected: object) -> None:
    assert parse(target, text, partial=True, schema=STREAM) == expected


def test_final_parse_ignores_stream_wrappers() -> None:
    value = parse("Progress", '{"status": "done", "steps": []}', schema=STREAM)
    assert value == {"status": "done", "steps": []}


def test_final_parse_of_a_truncated_reply_keeps_the_trailing_number() -> None:
    assert parse("Item", '{"sku": "a", "qty": 12', schema=STREAM) == {"sku": "a", "qty": 12}


def test_every_prefix_parses_and_lists_never_shrink() -> None:
    items = [{"sku": f"s{i}", "qty": i} for i in range(8)]
    text = "Here you go:\n```json\n" + json.dumps(items, indent=2) + "\n```"
    last_len = 0
    for end in range(len(text) + 1):
        value = parse("Item[]", text[:end], partial=True, schema=STREAM)
        length = 0 if value is None else len(value)
        assert length >= last_len, text[:end]
        last_len = length
        for i, item in enumerate(value or []):
            assert item["qty"] in (None, i)
    assert parse("Item[]", text, partial=True, schema=STREAM) == items


def test_partials_never_expose_parser_internals() -> None:
    from outputs_cases import parse_raw

    from vdsl.outputs.jsonish import PARTIAL_TYPES

    def walk(value: object) -> None:
        assert not isinstance(value, PARTIAL_TYPES)
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))

    text = '{"name": "Ada", "tags": ["x", "y'
    for end in range(len(text) + 1):
        walk(parse_raw("Person", text[:end], partial=True, schema=STREAM))


def test_class_level_stream_attributes_are_accepted_on_classes_only() -> None:
    import vdsl
    from vdsl.errors import CompileError

    vdsl.loads("class A {\n  x int\n  @@stream.not_null\n  @@stream.done\n}\n")
    with pytest.raises(CompileError) as info:
        vdsl.loads("enum E {\n  X\n  @@stream.not_null\n}\n")
    assert [d.code for d in info.value.diagnostics] == ["unknown-attribute"]
