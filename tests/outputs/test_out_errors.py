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
     "found an array, not an object (Person)"),
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
    assert str(err) == f"could not parse the output as `{target}`: {reason}"


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
