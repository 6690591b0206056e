"""`@check` results recorded on values, `@assert` failures raised, at field, block and alias
level, evaluated in the sandboxed Jinja."""

from __future__ import annotations

import pytest
from outputs_cases import parse, parse_raw

from vdsl.errors import ValidationError
from vdsl.outputs import Checked

SCHEMA = '''
class Age {
  years int @check(adult, {{ this >= 18 }}) @check(sane, {{ this < 150 }})
}

class Order {
  id string @assert(has_id, {{ this|length > 0 }})
  qty int
  @@check(big, {{ this.qty > 10 }})
  @@assert(positive, {{ this.qty > 0 }})
}

class Scored {
  score Score
  tag Tagged?
}

class Broken {
  n int @check(typo, {{ this.nope.deeper > 1 }})
}

class Unnamed {
  n int @assert({{ this > 0 }})
}

type Score = int @assert(in_range, {{ this >= 0 and this <= 10 }})
type Tagged = string @check(short, {{ this|length < 5 }})
'''


def ok(name: str, expr: str) -> dict[str, str]:
    return {"name": name, "expression": expr, "status": "succeeded"}


def failed(name: str, expr: str) -> dict[str, str]:
    return {"name": name, "expression": expr, "status": "failed"}


ADULT, SANE = "this >= 18", "this < 150"

CASES = [
    ("field-checks-pass", "Age", '{"years": 20}',
     {"years": {"value": 20, "checks": {"adult": ok("adult", ADULT), "sane": ok("sane", SANE)}}}),
    ("field-check-fails-value-kept", "Age", '{"years": "12"}',
     {"years": {"value": 12,
                "checks": {"adult": failed("adult", ADULT), "sane": ok("sane", SANE)}}}),
    ("block-check", "Order", '{"id": "a", "qty": 12}',
     {"value": {"id": "a", "qty": 12},
      "checks": {"big": ok("big", "this.qty > 10")}}),
    ("block-check-fails", "Order", '{"id": "a", "qty": 3}',
     {"value": {"id": "a", "qty": 3},
      "checks": {"big": failed("big", "this.qty > 10")}}),
    ("alias-assert-passes", "Score", "7", 7),
    ("alias-check-on-string", "Tagged", "hello world",
     {"value": "hello world", "checks": {"short": failed("short", "this|length < 5")}}),
    ("string-alias-keeps-raw-json", "Tagged", '{"a": 1}',
     {"value": '{"a": 1}', "checks": {"short": failed("short", "this|length < 5")}}),
    ("alias-constraints-in-class", "Scored", '{"score": 3, "tag": "ok"}',
     {"score": 3, "tag": {"value": "ok", "checks": {"short": ok("short", "this|length < 5")}}}),
    ("union-skips-member-failing-assert", "Score | string", "11", "11"),
    ("broken-expression-fails-check", "Broken", '{"n": 1}',
     {"n": {"value": 1, "checks": {"typo": failed("typo", "this.nope.deeper > 1")}}}),
]


@pytest.mark.parametrize(("target", "text", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_constraints(target: str, text: str, expected: object) -> None:
    assert parse(target, text, schema=SCHEMA) == expected


ASSERTS = [
    ("field-assert", "Order", '{"id": "", "qty": 1}', "has_id",
     "assertion `has_id` failed at `id`: {{ this|length > 0 }}"),
    ("block-assert", "Order", '{"id": "a", "qty": 0}', "positive",
     "assertion `positive` failed: {{ this.qty > 0 }}"),
    ("alias-assert", "Score", "11", "in_range",
     "assertion `in_range` failed: {{ this >= 0 and this <= 10 }}"),
    ("alias-assert-in-list", "Score[]", "[1, 20]", "in_range",
     "assertion `in_range` failed at `[1]`: {{ this >= 0 and this <= 10 }}"),
    ("alias-assert-in-field", "Scored", '{"score": -1}', "in_range",
     "assertion `in_range` failed at `score`: {{ this >= 0 and this <= 10 }}"),
    ("unnamed-assert", "Unnamed", '{"n": 0}', None,
     "assertion {{ this > 0 }} failed at `n`: {{ this > 0 }}"),
]


@pytest.mark.parametrize(("target", "text", "name", "message"), [c[1:] for c in ASSERTS],
                         ids=[c[0] for c in ASSERTS])
def test_assert_failures_raise(target: str, text: str, name: str | None, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse(target, text, schema=SCHEMA)
    assert info.value.assertion == name
    assert str(info.value) == message


def test_checked_value_reports_whether_all_passed() -> None:
    value = parse_raw("Age", '{"years": 20}', schema=SCHEMA).years
    assert isinstance(value, Checked)
    assert value.value == 20
    assert value.passed is True
    assert parse_raw("Age", '{"years": 2}', schema=SCHEMA).years.passed is False


def test_block_check_sees_plain_field_values() -> None:
    value = parse_raw("Order", '{"id": "x", "qty": 11}', schema=SCHEMA)
    assert isinstance(value, Checked)
    assert type(value.value).__name__ == "Order"
    assert value.checks["big"].status == "succeeded"


def test_asserts_wait_for_the_final_reply_when_streaming() -> None:
    assert parse("Order", '{"id": "", "qty": 0', partial=True, schema=SCHEMA) == {
        "id": "", "qty": None}


def test_sandbox_blocks_python_internals() -> None:
    schema = '''
class Evil {
  n int @check(escape, {{ this.__class__.__mro__ }})
}
'''
    value = parse("Evil", '{"n": 1}', schema=schema)
    assert value["n"]["checks"]["escape"]["status"] == "failed"
