"""Parse failures: `OutputParseError` carries the raw text, the target as written, and why."""

from __future__ import annotations

import pytest
from outputs_cases import parse

from vdsl.errors import OutputParseError, VdslError

FAILURES = [
    ("missing-required", "Person", '{"name": "Ada"}', "missing required field `age`"),
    ("missing-required-aliased", "Person", '{"name": "Ada", "age": 3, "tags": []}',
     "missing required field `rating` (written `score`)"),
    ("nested-missing-required", "Address[]", '{"street": "x"}',
     "at `[0]`: missing required field `city`"),
    ("array-for-class-no-item-fits", "Person", '[{"name": "Ada"}]',
     "at `[0]`: missing required field `age`"),
    ("array-of-several-for-one", "Item", '[{"sku": "a"}, {"sku": "b", "qty": 2}]',
     "found an array of 2 values where one Item is expected"),
    ("int-from-array-of-two", "int", "[7, 8]",
     "found an array of 2 values where one int is expected"),
    ("list-item-that-fits-nowhere", "int[]", '[1, "two", 3]', "at `[1]`: found 'two', not a number"),
    ("map-entry-that-fits-nowhere", "map<string, int>", '{"a": 1, "b": "lots"}',
     "at `['b']`: found 'lots', not a number"),
    ("number-with-a-suffix-that-is-not-a-unit", "Address",
     '{"street": "x", "city": "y", "zip": "75001-A"}',
     ("at `zip`: found '75001-A', which fits none of int? (int: found '75001-A', not a number; "
     "null: found '75001-A', not null)")),
    ("trailing-minus-is-not-dropped", "float", "45.10-", "found '45.10-', not a number"),
    ("huge-integer", "int", "9" * 5000,
     "found '" + "9" * 58 + "…': a number of more than 4000 digits"),
    ("float-overflow", "float", "1e400", "found '1e400', which is too large for a float"),
    ("deep-nesting", "Json", "[" * 100, "the reply nests values deeper than 64 levels"),
    ("prose-for-class", "Item", "Sorry, I cannot help with that.",
     "found 'Sorry, I cannot help with that.', not an object (Item)"),
    ("bad-field", "Person", '{"name": "Ada", "age": "old", "rating": 1, "tags": []}',
     "at `age`: found 'old', not a number"),
    ("null-required-field", "Item", '{"sku": null, "qty": 1}', "at `sku`: found null, not a string"),
    ("enum-ambiguous", "Sentiment", "positive or negative",
     ("Too many matches for Sentiment: found 'positive or negative', which names POSITIVE, "
     "NEGATIVE")),
    ("enum-unknown", "Sentiment", "purple",
     "found 'purple', which is not one of Sentiment's values (POSITIVE, NEGATIVE, NEUTRAL)"),
    ("enum-skipped-value", "Color", "BLUE",
     "found 'BLUE', which is not one of Color's values (RED, GREEN)"),
    ("literal-ambiguous", "Status", "open or closed",
     'Too many matches for Status: found \'open or closed\', which names "open", "closed"'),
    ("int-no-number", "int", "no number here", "found 'no number here', not a number"),
    ("int-two-numbers", "int", "either 1 or 2", "found 'either 1 or 2', not a number"),
    ("bool-undecided", "bool", "maybe", "found 'maybe', not a bool"),
    ("map-from-array", "map<string, int>", "[1]", "found an array, not map<string, int>"),
    ("union-none-fits", "Cat | Dog", "42",
     ("found 42, which fits none of Cat | Dog (Cat: found 42, not an object (Cat); "
     "Dog: found 42, not an object (Dog))")),
    ("empty-reply", "Item", "   \n", "the reply is empty"),
    ("list-of-null", "int[]", "null", "found null, not int[]"),
]


@pytest.mark.parametrize(("target", "text", "reason"), [c[1:] for c in FAILURES],
                         ids=[c[0] for c in FAILURES])
def test_parse_error(target: str, text: str, reason: str) -> None:
    with pytest.raises(OutputParseError) as info:
        parse(target, text)
    err = info.value
    assert err.reason == reason
    assert err.raw_text == text
    assert err.target == target
    assert err.summary == f"could not parse the output as `{target}`: {reason}"
    assert str(err) == f"{err.summary}\n{err.excerpt}"


def test_the_excerpt_marks_where_the_parser_gave_up() -> None:
    text = 'Sure!\n```json\n{"name": "Ada", "age": "old", "rating": 1, "tags": []}\n```'
    with pytest.raises(OutputParseError) as info:
        parse("Person", text)
    assert info.value.span == (text.index('"old"'), text.index('"old"') + 5)
    assert info.value.excerpt == (
        "  reply, line 3, column 24:\n"
        '    {"name": "Ada", "age": "old", "rating": 1, "tags": []}\n'
        "                           ^^^^^")


def test_the_excerpt_of_a_long_line_is_trimmed_around_the_place() -> None:
    text = '{"note": "' + "x" * 500 + '", "qty": "lots", "sku": "a", "tail": "' + "y" * 200 + '"}'
    with pytest.raises(OutputParseError) as info:
        parse("Item", text)
    lines = info.value.excerpt.splitlines()
    column = text.index('"lots"') + 1
    assert lines[0] == f"  reply, line 1, column {column}:"
    assert lines[1].startswith("    …") and lines[1].endswith("…")
    assert len(lines[1]) < 120
    assert lines[2].index("^") == lines[1].index('"lots"')


def test_the_excerpt_without_a_place_shows_the_start_of_the_reply() -> None:
    with pytest.raises(OutputParseError) as info:
        parse("Item", "Sorry, I cannot help with that.")
    assert info.value.span is None
    assert info.value.excerpt == "  reply:\n    Sorry, I cannot help with that."


def test_parse_error_is_a_vdsl_error() -> None:
    with pytest.raises(VdslError):
        parse("int", "none at all")


def test_empty_reply_for_an_optional_target_is_null() -> None:
    assert parse("Item?", "") is None


def test_unknown_function_is_a_key_error() -> None:
    from outputs_cases import project_for

    from vdsl.outputs import parse_output

    with pytest.raises(KeyError):
        parse_output(project_for("int"), "Nope", "1")


def test_fields_named_like_pydantic_internals():
    import vdsl
    from vdsl.outputs import parse_output, to_plain
    project = vdsl.loads('class C {\n  model_config string\n  model_name int\n}\n'
                         'function F(x: string) -> C {\n  client "vertex-ai/gemini-2.5-flash"\n'
                         '  prompt #"{{ x }}"#\n}\n')
    value = parse_output(project, "F", '{"model_config": "a", "model_name": 3}')
    assert to_plain(value) == {"model_config": "a", "model_name": 3}
