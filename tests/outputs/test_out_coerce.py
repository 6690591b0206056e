"""Coercion to the declared type, table-driven: (target type, model text, expected value).

Expected values are plain data (`vdsl.outputs.to_plain`): objects keyed by declared field
names, enums by value name.
"""

from __future__ import annotations

import pytest
from outputs_cases import SCHEMA, parse, parse_raw

PERSON = {"name": "Ada", "age": 36, "rating": 4.5, "mood": None, "tags": ["math"],
          "address": None}

CASES = [
    # ---- primitives ---------------------------------------------------------------------
    ("int-plain", "int", "42", 42),
    ("int-quoted", "int", '"42"', 42),
    ("int-rounds-up", "int", "1.6", 2),
    ("int-rounds-half-away", "int", "2.5", 3),
    ("int-rounds-negative", "int", "-2.5", -3),
    ("int-grouped", "int", '"1,234"', 1234),
    ("int-grouped-millions", "int", "1,234,567", 1234567),
    ("int-in-prose", "int", "The answer is 42.", 42),
    ("int-with-currency", "int", '"$1,200"', 1200),
    ("int-percent-is-number", "int", "45%", 45),
    ("int-float-string", "int", '"3.7"', 4),
    ("float-plain", "float", "3.25", 3.25),
    ("float-from-int", "float", "3", 3.0),
    ("float-quoted", "float", '"2.5"', 2.5),
    ("float-fraction", "float", "3/4", 0.75),
    ("float-percent-is-the-number", "float", '"45%"', 45.0),
    ("float-percent-decimal", "float", "12.5%", 12.5),
    ("float-grouped", "float", "1,234.5", 1234.5),
    ("float-exponent", "float", "1e3", 1000.0),
    ("float-in-prose", "float", "I estimate roughly 0.8 overall", 0.8),
    ("bool-true", "bool", "true", True),
    ("bool-python", "bool", "False", False),
    ("bool-quoted", "bool", '"true"', True),
    ("bool-yes", "bool", "Yes.", True),
    ("bool-no", "bool", "no", False),
    ("bool-markdown", "bool", "**TRUE**", True),
    ("bool-in-prose", "bool", "The statement is false, clearly.", False),
    ("string-as-is", "string", '  "quoted" text\n', '  "quoted" text\n'),
    ("string-json-kept-raw", "string", '{"a": 1}', '{"a": 1}'),
    ("null-plain", "null", "null", None),
    ("optional-null", "int?", "null", None),
    ("optional-value", "int?", "7", 7),
    ("optional-python-none", "int?", "None", None),
    ("optional-reply-that-does-not-fit-is-null", "int?", "There is no number here.", None),
    ("optional-class-reply-that-does-not-fit-is-null", "Item?", "Sorry, I can't.", None),
    # ---- literals -----------------------------------------------------------------------
    ("literal-string", '"open"', '"open"', "open"),
    ("literal-case", '"open"', "OPEN", "open"),
    ("literal-int", "2", "2", 2),
    ("literal-int-quoted", "2", '"2"', 2),
    ("literal-bool", "true", "True", True),
    ("literal-union-prose", "Status", "The status is closed.", "closed"),
    ("literal-union-exact", "Status", '"open"', "open"),
    # ---- enums --------------------------------------------------------------------------
    ("enum-name", "Sentiment", "POSITIVE", "POSITIVE"),
    ("enum-quoted", "Sentiment", '"NEGATIVE"', "NEGATIVE"),
    ("enum-alias", "Sentiment", "meh", "NEUTRAL"),
    ("enum-description", "Sentiment", "Bad vibes", "NEGATIVE"),
    ("enum-alias-and-description", "Color", "verde: the green one", "GREEN"),
    ("enum-markdown", "Sentiment", "**NEGATIVE**", "NEGATIVE"),
    ("enum-case", "Sentiment", "positive", "POSITIVE"),
    ("enum-prose", "Sentiment", "I think the sentiment is negative overall.", "NEGATIVE"),
    ("enum-prose-alias", "Sentiment", "Honestly? It's meh.", "NEUTRAL"),
    ("enum-underscore-name", "Priority", "VERY_HIGH", "VERY_HIGH"),
    ("enum-alias-with-space", "Priority", "Very High", "VERY_HIGH"),
    ("enum-longest-match", "Priority", "This is very high priority", "VERY_HIGH"),
    ("enum-most-mentions", "Sentiment", "positive, positive, but a bit negative", "POSITIVE"),
    ("enum-prose-declared-case-first", "Sentiment",
     "The user is not positive about it.\n\nFinal answer: NEGATIVE", "NEGATIVE"),
    ("enum-prose-declared-case-outweighs-count", "Sentiment", "positive positive NEGATIVE",
     "NEGATIVE"),
    ("enum-fenced", "Sentiment", "```\nNEGATIVE\n```", "NEGATIVE"),
    ("enum-in-json-string", "Sentiment", '```json\n"meh"\n```', "NEUTRAL"),
    ("enum-unicode", "Sentiment", "Réponse : **positive** ✅", "POSITIVE"),
    ("enum-list", "Sentiment[]", '["POSITIVE", "meh", "Bad vibes"]',
     ["POSITIVE", "NEUTRAL", "NEGATIVE"]),
    # ---- classes ------------------------------------------------------------------------
    ("class-strict", "Person",
     '{"name": "Ada", "age": 36, "rating": 4.5, "tags": ["math"]}', PERSON),
    ("class-alias-key", "Person",
     '{"name": "Ada", "age": 36, "score": 4.5, "tags": ["math"]}', PERSON),
    ("class-key-case-space", "Person",
     '{"Name": "Ada", " AGE ": 36, "Rating": 4.5, "TAGS": ["math"]}', PERSON),
    ("class-extra-keys-ignored", "Person",
     '{"name": "Ada", "age": 36, "rating": 4.5, "tags": ["math"], "ssn": "x", "x": {}}',
     PERSON),
    ("class-coerced-fields", "Person",
     '{"name": "Ada", "age": "36", "rating": "4.5", "tags": "math"}', PERSON),
    ("class-float-rounds", "Person",
     '{"name": "Ada", "age": 35.6, "rating": 4.5, "tags": ["math"]}', PERSON),
    ("class-alias-with-space", "Note", '{"Title Text": "Hi"}', {"title": "Hi", "body": None}),
    ("class-name-beats-alias-spelling", "Note", '{"title": "Hi", "body": "x"}',
     {"title": "Hi", "body": "x"}),
    ("class-nested", "Person",
     ('{"name": "Ada", "age": 36, "rating": 4.5, "tags": ["math"], "mood": "meh",'
     ' "address": {"street": "1 Main", "city": "London", "zip": "12345"}}'),
     {**PERSON, "mood": "NEUTRAL",
      "address": {"street": "1 Main", "city": "London", "zip": 12345}}),
    ("class-optional-bad-value-null", "Address",
     '{"street": "1 Main", "city": "Paris", "zip": "n/a"}',
     {"street": "1 Main", "city": "Paris", "zip": None}),
    ("class-reserved-names", "Reserved", '{"json": "j", "copy": 3}', {"json": "j", "copy": 3}),
    ("class-recursive", "Tree",
     ('{"value": 1, "children": [{"value": 2, "children": []}, {"value": 3, "children": '
     '[{"value": 4, "children": []}]}]}'),
     {"value": 1, "children": [{"value": 2, "children": []},
                               {"value": 3, "children": [{"value": 4, "children": []}]}]}),
    ("class-missing-list-is-empty", "Person", '{"name": "Ada", "age": 36, "score": 4.5}',
     {**PERSON, "tags": []}),
    ("class-recursive-leaf-without-children", "Tree", '{"value": 1, "children": [{"value": 2}]}',
     {"value": 1, "children": [{"value": 2, "children": []}]}),
    ("class-from-one-element-array", "Item", '[{"sku": "a", "qty": 1}]', {"sku": "a", "qty": 1}),
    ("int-from-one-item-array", "int", "[7]", 7),
    ("bool-from-array-in-field", "Cat", '{"name": "Tom", "meows": [true]}',
     {"name": "Tom", "meows": True}),
    ("union-class-from-array", "Cat | Dog", '[{"name": "Rex", "barks": true}]',
     {"name": "Rex", "barks": True}),
    ("class-numbers-stringified", "Item", '{"sku": 12345, "qty": 2}', {"sku": "12345", "qty": 2}),
    # ---- lists --------------------------------------------------------------------------
    ("list-strict", "int[]", "[1, 2, 3]", [1, 2, 3]),
    ("list-single-string", "string[]", "solo", ["solo"]),
    ("list-single-json-string", "string[]", '"solo"', ["solo"]),
    ("list-single-object", "Item[]", '{"sku": "a", "qty": 1}', [{"sku": "a", "qty": 1}]),
    ("list-nested", "int[][]", "[[1, 2], [3]]", [[1, 2], [3]]),
    ("list-of-objects", "Item[]", '[{"sku": "a", "qty": "1"}, {"sku": "b", "qty": 2.2}]',
     [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}]),
    ("list-optional-items", "(int | null)[]", "[1, null, 3]", [1, None, 3]),
    ("list-empty", "string[]", "[]", []),
    # ---- maps ---------------------------------------------------------------------------
    ("map-strict", "map<string, int>", '{"a": 1, "b": "2"}', {"a": 1, "b": 2}),
    ("map-enum-keys", "map<Sentiment, int>", '{"POSITIVE": 3, "meh": 1}',
     {"POSITIVE": 3, "NEUTRAL": 1}),
    ("map-literal-keys", 'map<"a" | "b", string>', '{"a": "x", "b": "y"}',
     {"a": "x", "b": "y"}),
    ("map-of-objects", "map<string, Item>", '{"first": {"sku": "a", "qty": 1}}',
     {"first": {"sku": "a", "qty": 1}}),
    ("map-empty", "map<string, string>", "{}", {}),
    # ---- unions -------------------------------------------------------------------------
    ("union-prefers-exact-int", "int | string", "42", 42),
    ("union-prefers-exact-string", "int | string", '"42"', "42"),
    ("union-class-by-fields", "Cat | Dog", '{"name": "Rex", "barks": true}',
     {"name": "Rex", "barks": True}),
    ("union-class-first-on-tie", "Cat | Dog", '{"name": "Tom"}', {"name": "Tom", "meows": None}),
    ("union-class-or-string", "Item | string", 'Result: {"sku": "a", "qty": 1}',
     {"sku": "a", "qty": 1}),
    ("union-string-when-no-json", "Item | string", "no idea", "no idea"),
    ("union-list-or-single", "string | string[]", '["a", "b"]', ["a", "b"]),
    ("union-single-prefers-scalar", "string | string[]", '"a"', "a"),
    ("union-bool-or-int", "bool | int", "true", True),
    ("union-optional-class", "Item?", "null", None),
    ("union-optional-class-value", "Item?", '{"sku": "a", "qty": 1}', {"sku": "a", "qty": 1}),
    # ---- aliases ------------------------------------------------------------------------
    ("alias-simple", "Id", '"abc"', '"abc"'),
    ("alias-list", "Ids", '["a", "b"]', ["a", "b"]),
    ("alias-recursive-json", "Json", '{"a": [1, 2.5, true, null, "x", {"b": []}]}',
     {"a": [1, 2.5, True, None, "x", {"b": []}]}),
    ("alias-recursive-scalar", "Json", "7", 7),
]


@pytest.mark.parametrize(("target", "text", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_coerce(target: str, text: str, expected: object) -> None:
    assert parse(target, text) == expected


def test_results_are_models_of_the_project_classes() -> None:
    value = parse_raw("Person", '{"name": "Ada", "age": 36, "score": 4.5, "tags": []}')
    assert type(value).__name__ == "Person"
    assert (value.name, value.age, value.rating, value.tags) == ("Ada", 36, 4.5, [])
    assert not hasattr(value, "score")


def test_enum_results_are_str_enum_members() -> None:
    value = parse_raw("Sentiment", "meh")
    assert value == "NEUTRAL"
    assert type(value).__name__ == "Sentiment"
    assert value.name == "NEUTRAL"


def test_models_are_built_once_per_project() -> None:
    import vdsl
    from vdsl.outputs import parse_output

    project = vdsl.loads(SCHEMA + """
function One() -> Item {
  client "vertex-ai/gemini-2.5-flash"
  prompt #"x"#
}
function Many() -> Item[] {
  client "vertex-ai/gemini-2.5-flash"
  prompt #"x"#
}
""")
    first = parse_output(project, "One", '{"sku": "a", "qty": 1}')
    second = parse_output(project, "Many", '[{"sku": "b", "qty": 2}]')[0]
    assert type(first) is type(second)
    assert type(first) is not type(parse_raw("Item", '{"sku": "a", "qty": 1}'))


def test_reserved_field_names_keep_their_declared_names() -> None:
    value = parse_raw("Reserved", '{"json": "j", "copy": 3}')
    assert value.json_ == "j"
    assert value.copy_ == 3
