"""Hostile replies (a reply is attacker-controlled): parsing returns a value or raises
`OutputParseError` — never another exception, never a hang. Time is measured in
`bench/parse.py` (the hostile table), not asserted here."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from outputs_cases import SCHEMA, parse, parse_raw

from vdsl.errors import OutputParseError

TARGETS = ["Json", "map<string, Json>", "Person", "Item[]", "int", "float", "Sentiment",
           "Status", "bool", "string[]", "Tree"]

FRAGMENTS = ["[", "]", "{", "}", '"', "'", "`", "```", "\\", ",", ":", ";", " ", "\n", "a",
             "key", "1", "-", ".", "e", "9" * 60, "/*", "*/", "//", "#", "<think>", "</think>",
             "true", "None", "$", "%", "k", "é", "\ud83d\ude00", '"name"', '"age": ', "null"]


def _parses_or_fails_cleanly(target: str, text: str, partial: bool) -> None:
    try:
        parse(target, text, partial=partial)
    except OutputParseError as exc:
        assert "internal" not in exc.reason, exc
        assert not partial or "deeper" in exc.reason, exc  # a partial only fails on depth


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=120).map("".join),
       st.sampled_from(TARGETS), st.booleans())
def test_fragments_of_syntax_parse_or_fail_cleanly(text: str, target: str,
                                                   partial: bool) -> None:
    _parses_or_fails_cleanly(target, text, partial)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 3000), st.sampled_from(["[", "{", '{"a":', "{a:", "[{", '["']),
       st.booleans(), st.sampled_from(TARGETS))
def test_deep_nesting_fails_cleanly(depth: int, opener: str, closed: bool, target: str) -> None:
    closer = {"[": "]", "{": "}", '{"a":': "}", "{a:": "}", "[{": "}]", '["': '"]'}[opener]
    text = opener * depth + ("1" + closer * depth if closed else "")
    _parses_or_fails_cleanly(target, text, False)


@settings(max_examples=60, deadline=None)
@given(st.integers(4000, 20000), st.sampled_from(["", "-", "0.", "1e", "$"]),
       st.sampled_from(["", ".5", "e10", "%", "k"]), st.sampled_from(["int", "float", "Json"]))
def test_huge_numbers_are_exact_or_refused(digits: int, prefix: str, suffix: str,
                                           target: str) -> None:
    text = prefix + "9" * digits + suffix
    try:
        value = parse(target, text)
    except OutputParseError as exc:
        assert "internal" not in exc.reason
        return
    assert not isinstance(value, float) or abs(value) != float("inf")
    str(value)  # printable: never past Python's int-to-str limit


HOSTILE = [
    ("recursive-alias-20-deep", "Json", '{"a":' * 20 + "1" + "}" * 20),
    ("brackets-500", "Json", "[" * 500),
    ("braces-1000", "Json", "{" * 1000),
    ("int-4301-digits", "int", "1" * 4301),
    ("nines-into-int", "int", "9" * 1000 + ".5"),
    ("nines-into-float", "float", "9" * 1000),
    ("brackets-then-a-fence", "Json", "[a " * 3000 + "```"),
    ("nan-and-infinity", "Json", '{"a": NaN, "b": Infinity, "c": -Infinity}'),
    ("exponent-overflow", "Json", '{"a": 1e999999999}'),
    ("lone-surrogates", "Json", r'{"a": "\ud800\udc00\ud800"}'),
    ("null-bytes", "Json", '{"a": "\x00\x00"}\x00'),
]


@pytest.mark.parametrize(("target", "text"), [c[1:] for c in HOSTILE],
                         ids=[c[0] for c in HOSTILE])
def test_reported_hostile_replies(target: str, text: str) -> None:
    _parses_or_fails_cleanly(target, text, False)
    _parses_or_fails_cleanly(target, text, True)


def test_a_recursive_alias_20_deep_is_read_whole() -> None:
    value = parse("Json", '{"a":' * 20 + "1" + "}" * 20)
    for _ in range(20):
        value = value["a"]
    assert value == 1


def test_nesting_at_the_limit_is_read_and_one_deeper_is_refused() -> None:
    assert parse("Json", "[" * 64 + "]" * 64) is not None
    with pytest.raises(OutputParseError, match="deeper than 64 levels"):
        parse("Json", "[" * 65 + "]" * 65)


def test_huge_floats_are_never_infinite() -> None:
    assert parse("Json", '{"a": 1e999999999}') == {"a": "1e999999999"}
    assert parse("Json", '{"a": NaN}') == {"a": "NaN"}
    with pytest.raises(OutputParseError, match="too large for a float"):
        parse("float", "1" + "0" * 400)


def test_failures_through_the_runtime_are_vdsl_errors() -> None:
    """`Runtime.parse` (what `call` and `stream` use) raises only vdsl errors."""
    from outputs_cases import project_for

    from vdsl.errors import VdslError
    from vdsl.runtime import Runtime

    with Runtime(project_for("Json", SCHEMA)) as runtime:
        for partial in (False, True):
            with pytest.raises(VdslError, match="deeper than 64"):
                runtime.parse("Target", "[" * 100000, partial=partial)


def test_partials_of_hostile_replies_are_plain_values() -> None:
    value = parse_raw("Item[]", '[{"sku": "' + "\\" * 1001, partial=True)
    assert value == [] or all(type(v).__name__ == "Item" for v in value)


@pytest.mark.parametrize("text", [
    "[" + "1," * 200_001 + "1]",                      # strict JSON: refused before decoding
    "Here: [" + "1, " * 200_001 + "1,]",              # repaired: counted while reading
    '{"a": [' + "{}," * 200_001 + "]",                 # truncated
], ids=["strict", "repaired", "truncated"])
def test_replies_with_too_many_values_are_refused(text: str) -> None:
    with pytest.raises(OutputParseError, match="more than 200,000 values"):
        parse("Json", text)


def test_a_long_list_within_the_limit_parses() -> None:
    assert len(parse("int[]", "[" + "1," * 150_000 + "1]")) == 150_001


def test_commas_in_prose_do_not_count_as_values() -> None:
    text = '{"sku": "a", "qty": 1}\n' + "and, " * 250_000
    assert parse("Item", text) == {"sku": "a", "qty": 1}
