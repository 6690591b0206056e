"""Rendering differences from BAML found by the real-world parity run (tests/compat/realworld),
each reduced to its rule. Measured on baml-py 0.226.3; the same cases run against BAML in
tests/compat/cases/field_aliases, test_arg_literals and input_asserts."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import vdsl
from vdsl.errors import InvalidArgumentError
from vdsl.render import render_prompt
from vdsl.render.args import TestArgs, _literal_text
from vdsl.render.snapshots import test_arguments

CLIENT = """
client<llm> C {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    project_id p
  }
}
"""

ALIASES = CLIENT + """
class Plan {
  topic string
  timeAllocation int @alias("time_allocation_mins")
  detail Detail? @alias("the_detail")
}
class Detail {
  note string @alias("remark")
}
function Show(p: Plan, m: map<string, Detail>) -> string {
  client C
  prompt #"
    {{ p }}
    {{ m }}
    {{ p.timeAllocation }}|{{ p.time_allocation_mins }}|{{ p|tojson }}
  "#
}
"""


def _text(source: str, fn: str, args: dict[str, object]) -> str:
    prompt = render_prompt(vdsl.loads(source), fn, args)
    return prompt.messages[0].parts[0].text


def test_a_class_printed_whole_lists_fields_under_their_alias() -> None:
    text = _text(ALIASES, "Show", {
        "p": {"topic": "t", "timeAllocation": 45, "detail": {"note": "n"}},
        "m": {"k": {"note": "in a map"}}})
    assert text.split("\n")[:9] == [
        "{", '    "topic": "t",', '    "time_allocation_mins": 45,', '    "the_detail": {',
        '        "remark": "n",', "    },", "}", '{"k": {', '    "remark": "in a map",']


def test_attribute_access_and_tojson_keep_the_field_names() -> None:
    text = _text(ALIASES, "Show", {"p": {"topic": "t", "timeAllocation": 5}, "m": {}})
    assert text.split("\n")[-1] == '5||{"topic":"t","timeAllocation":5}'


LITERALS = CLIENT + """
function Echo(s: string, first: string | int, second: int | string, xs: string[],
              n: int) -> string {
  client C
  prompt #"{{ s }}|{{ first|tojson }}|{{ second|tojson }}|{{ xs }}|{{ n }}"#
}
test Literals {
  functions [Echo]
  args {
    s 1.50
    first 7
    second 7
    xs [1, true, -0.0]
    n 3
  }
}
"""


def test_test_block_numbers_and_bools_are_text_where_a_string_is_expected() -> None:
    project = vdsl.loads(LITERALS)
    args, _base = test_arguments(project.test("Literals"), project.function("Echo"))
    assert isinstance(args, TestArgs)
    text = render_prompt(project, "Echo", args).messages[0].parts[0].text
    assert text == '1.5|"7"|7|["1", "true", "-0"]|3'


def test_python_arguments_stay_strict() -> None:
    with pytest.raises(InvalidArgumentError, match="expected string, got int"):
        render_prompt(vdsl.loads(LITERALS), "Echo",
                      {"s": 1, "first": 7, "second": 7, "xs": [], "n": 3})


def test_a_test_block_string_is_never_read_as_a_number() -> None:
    with pytest.raises(InvalidArgumentError, match="expected int, got string"):
        render_prompt(vdsl.loads(LITERALS), "Echo",
                      TestArgs({"s": "x", "first": 7, "second": 7, "xs": [], "n": "3"}))


@pytest.mark.parametrize(("value", "text"), [
    (1.0, "1"), (2.5, "2.5"), (-0.0, "-0"), (0.1, "0.1"), (1e21, "1000000000000000000000"),
    (1.5e-7, "0.00000015"), (True, "true"), (False, "false"), (12, "12"), (-3, "-3"),
    (12345678901234567890, "12345678901234567890")])
def test_literal_text_is_rusts_display(value: float, text: str) -> None:
    assert _literal_text(value) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_literal_text_of_a_float_reads_back_exactly_without_an_exponent(value: float) -> None:
    text = _literal_text(value)
    assert "e" not in text and "E" not in text
    assert float(text) == value and math.copysign(1, float(text)) == math.copysign(1, value)
    assert not text.endswith(".0")


ASSERTS = CLIENT + """
class P {
  diffs string[] @assert(min_two, {{ this|length >= 2 }})
  note string?
}
class R {
  low int
  high int
  @@assert(ordered, {{ this.low <= this.high }})
}
type Short = string @assert(short, {{ this|length < 4 }})
function F(p: P?, s: string @assert(nonempty, {{ this|length > 0 }}), t: Short,
           rs: map<string, R[]>) -> string {
  client C
  prompt #"{{ s }}"#
}
"""
GOOD = {"p": {"diffs": ["a", "b"]}, "s": "x", "t": "abc", "rs": {"k": [{"low": 1, "high": 2}]}}


def test_arguments_that_keep_their_asserts_render() -> None:
    assert _text(ASSERTS, "F", GOOD) == "x"
    assert _text(ASSERTS, "F", {**GOOD, "p": None}) == "x"  # a null optional: nothing to check


@pytest.mark.parametrize(("change", "where", "name"), [
    ({"p": {"diffs": ["a"]}}, "p.diffs", "min_two"),
    ({"s": ""}, "s", "nonempty"),
    ({"t": "abcdef"}, "t", "short"),
    ({"rs": {"k": [{"low": 1, "high": 2}, {"low": 3, "high": 0}]}}, "rs['k'][1]", "ordered"),
])
def test_a_broken_assert_refuses_the_call_naming_the_argument(
        change: dict[str, object], where: str, name: str) -> None:
    with pytest.raises(InvalidArgumentError, match=rf"argument `{re.escape(where)}`: failed "
                                                   rf"assert `{name}`"):
        _text(ASSERTS, "F", {**GOOD, **change})
