"""Lenient extraction: finding and repairing the JSON in a reply (table-driven).

Rows parse into `Json` (any JSON value) or `map<string, Json>` so they show exactly what was
read, or into a class when the point is picking among several values.
"""

from __future__ import annotations

import pytest
from outputs_cases import parse

from vdsl.outputs.extract import extract, fences
from vdsl.outputs.jsonish import PartialDict, PartialList, PartialNum, PartialStr, parse_fixing

OBJ = "map<string, Json>"

CASES = [
    # ---- where the JSON is --------------------------------------------------------------
    ("strict", OBJ, '{"a": 1}', {"a": 1}),
    ("strict-with-whitespace", OBJ, '\n\n  {"a": 1}  \n', {"a": 1}),
    ("fence-json", OBJ, 'Here:\n```json\n{"a": 1}\n```\nBye', {"a": 1}),
    ("fence-no-tag", OBJ, '```\n{"a": 1}\n```', {"a": 1}),
    ("fence-other-tag", OBJ, '```javascript\n{a: 1}\n```', {"a": 1}),
    ("fence-json5-tag", OBJ, "```json5\n{a: 1, // one\n}\n```", {"a": 1}),
    ("fence-inline", OBJ, 'Sure ```json {"a": 1}``` done', {"a": 1}),
    ("fence-unclosed", OBJ, 'Here:\n```json\n{"a": 1}\n', {"a": 1}),
    ("fence-nested", OBJ, '```markdown\n# Answer\n```json\n{"a": 1}\n```\n```', {"a": 1}),
    ("fence-four-backticks", OBJ, '````json\n{"a": 1}\n````', {"a": 1}),
    ("prose-before-and-after", OBJ, 'The result is {"a": 1} as requested.', {"a": 1}),
    ("prose-with-braces-later", OBJ, 'Result: {"a": 1}. Use {curly} braces next time.',
     {"a": 1}),
    ("array-in-prose", "int[]", "Numbers: [1, 2, 3]. Done.", [1, 2, 3]),
    # ---- the fixing parser --------------------------------------------------------------
    ("unquoted-keys", OBJ, '{a: 1, b_c: "x"}', {"a": 1, "b_c": "x"}),
    ("unquoted-values", OBJ, "{name: Ada Lovelace, role: admin}",
     {"name": "Ada Lovelace", "role": "admin"}),
    ("unquoted-value-url", OBJ, "{url: https://example.com/a?b=1}",
     {"url": "https://example.com/a?b=1"}),
    ("single-quotes", OBJ, "{'a': 'it''s', 'b': 'x'}", {"a": "it''s", "b": "x"}),
    ("single-quote-apostrophe", OBJ, "{'a': 'it's fine'}", {"a": "it's fine"}),
    ("line-comments", OBJ, '{\n  "a": 1, // one\n  // whole line\n  "b": 2\n}',
     {"a": 1, "b": 2}),
    ("block-comments", OBJ, '{"a": /* the a */ 1, /* x */ "b": 2}', {"a": 1, "b": 2}),
    ("comment-markers-in-strings-kept", OBJ, '{"a": "x // y /* z */", "b": 1,}',
     {"a": "x // y /* z */", "b": 1}),
    ("trailing-commas", OBJ, '{"a": [1, 2, ], "b": {"c": 1,},}', {"a": [1, 2], "b": {"c": 1}}),
    ("python-literals", OBJ, "{'a': True, 'b': False, 'c': None}",
     {"a": True, "b": False, "c": None}),
    ("missing-commas", OBJ, '{\n  "a": 1\n  "b": 2\n}', {"a": 1, "b": 2}),
    ("unescaped-newline", OBJ, '{"a": "line 1\nline 2"}', {"a": "line 1\nline 2"}),
    ("unescaped-inner-quotes", OBJ, '{"q": "He said "hi" to me", "n": 1}',
     {"q": 'He said "hi" to me', "n": 1}),
    ("triple-quoted", OBJ, '{"code": """\n    def f():\n        return 1\n    """}',
     {"code": "def f():\n    return 1"}),
    ("escapes", OBJ, r'{"a": "tab\there \u00e9 \ud83d\ude00 \"q\""}',
     {"a": 'tab\there é 😀 "q"'}),
    ("empty-value-skipped", OBJ, '{"a": , "b": 1}', {"b": 1}),
    ("empty-string-kept", OBJ, '{"a": "", "b": 1}', {"a": "", "b": 1}),
    ("negative-and-exponent", OBJ, "{a: -1.5e2, b: +3}", {"a": -150.0, "b": 3}),
    ("stray-closer", OBJ, '{"a": [1, 2}', {"a": [1, 2]}),
    ("duplicate-key-last-wins", OBJ, '{"a": 1, "a": 2}', {"a": 2}),
    # ---- truncation (a final reply cut off) ---------------------------------------------
    ("truncated-string", OBJ, '{"a": 1, "b": "unfinish', {"a": 1, "b": "unfinish"}),
    ("truncated-nested", OBJ, '{"a": {"b": [1, 2', {"a": {"b": [1, 2]}}),
    ("truncated-after-key", OBJ, '{"a": 1, "b":', {"a": 1}),
    ("truncated-in-key", OBJ, '{"a": 1, "bb', {"a": 1}),
    ("truncated-number-final", OBJ, '{"a": 12', {"a": 12}),
    ("truncated-in-fence", OBJ, '```json\n{"a": "x", "b": [true', {"a": "x", "b": [True]}),
    # ---- unicode and non-English text ---------------------------------------------------
    ("unicode-keys-values", OBJ, '{"名前": "東京", "ville": "Zürich"}',
     {"名前": "東京", "ville": "Zürich"}),
    ("non-english-prose", OBJ, 'Voici la réponse :\n```json\n{"ok": true}\n```\nMerci !',
     {"ok": True}),
    ("emoji", OBJ, "{mood: 😀 happy}", {"mood": "😀 happy"}),
]


@pytest.mark.parametrize(("target", "text", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_extract(target: str, text: str, expected: object) -> None:
    assert parse(target, text) == expected


PICK = [
    ("class-picks-object-over-array", "Item", '[1, 2] and {"sku": "a", "qty": 1}',
     {"sku": "a", "qty": 1}),
    ("class-picks-fitting-object", "Item",
     'Draft: {"note": "thinking"}\nFinal: {"sku": "a", "qty": 1}', {"sku": "a", "qty": 1}),
    ("class-first-of-two-fitting", "Item",
     '{"sku": "a", "qty": 1}\n\n{"sku": "b", "qty": 2}', {"sku": "a", "qty": 1}),
    ("list-collects-several-objects", "Item[]",
     '{"sku": "a", "qty": 1}\n{"sku": "b", "qty": 2}',
     [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}]),
    ("list-picks-array", "int[]", 'Counting {"n": 3}: [1, 2, 3]', [1, 2, 3]),
    ("list-takes-every-object-in-prose", "Person[]",
     ('One: {"name": "Ada", "age": 36, "score": 4.5, "tags": []} and two: '
      '{"name": "Bob", "age": 40, "score": 3, "tags": []}'),
     [{"name": "Ada", "age": 36, "rating": 4.5, "mood": None, "tags": [], "address": None},
      {"name": "Bob", "age": 40, "rating": 3.0, "mood": None, "tags": [], "address": None}]),
    ("two-fences-picks-fitting", "Item",
     '```json\n{"wrong": true}\n```\nActually:\n```json\n{"sku": "z", "qty": 9}\n```',
     {"sku": "z", "qty": 9}),
]


@pytest.mark.parametrize(("target", "text", "expected"), [c[1:] for c in PICK],
                         ids=[c[0] for c in PICK])
def test_picks_value_per_target(target: str, text: str, expected: object) -> None:
    assert parse(target, text) == expected


def test_fixing_parser_marks_what_the_text_ended_inside_of() -> None:
    value, end = parse_fixing('{"a": [1, {"b": "x', 0)
    assert end == 18
    assert type(value) is PartialDict
    assert type(value["a"]) is PartialList
    assert type(value["a"][0]) is int
    assert type(value["a"][1]) is PartialDict
    assert type(value["a"][1]["b"]) is PartialStr


def test_fixing_parser_trailing_number_may_still_grow() -> None:
    value, _ = parse_fixing('{"a": 1, "b": 23', 0)
    assert value["a"] == 1
    assert isinstance(value["b"], PartialNum)
    assert (value["b"].text, value["b"].value) == ("23", 23)


def test_closed_values_are_plain_python_types() -> None:
    value, end = parse_fixing("{a: [1, 'x'], b: {c: null}} tail", 0)
    assert value == {"a": [1, "x"], "b": {"c": None}}
    assert type(value) is dict and type(value["a"]) is list and type(value["a"][1]) is str
    assert end == 27


def test_strict_json_short_circuits() -> None:
    found = extract('{"a": 1}')
    assert found.strict is True
    assert found.candidates == [{"a": 1}]


def test_several_values_add_an_array_of_all() -> None:
    found = extract('one {"a": 1} two {"a": 2}')
    assert found.candidates == [{"a": 1}, {"a": 2}, [{"a": 1}, {"a": 2}]]


def test_nothing_found_leaves_only_the_raw_text() -> None:
    found = extract("just words")
    assert (found.raw, found.candidates, found.strict) == ("just words", [], False)


@pytest.mark.parametrize(("text", "blocks"), [
    ("a\n```json\nX\n```\nb\n```\nY\n```", ["X\n", "Y\n"]),
    ("```md\n```json\nX\n```\n```", ["```json\nX\n```\n"]),
    ("```python\nX", ["X"]),
    ("no fences", []),
])
def test_fences(text: str, blocks: list[str]) -> None:
    assert fences(text) == blocks
