"""Test-level `@@check`/`@@assert` as baml-cli evaluates them: in order, with `this`,
`_.result`, `_.checks`, `_.latency_ms` and the arguments; the first failed assert stops."""

from __future__ import annotations

from typing import Any

import pytest

import vdsl
from vdsl.testing.constraints import evaluate_test

KIDS = {"name": "Greg", "kids": [{"name": "Tao", "age": 6}, {"name": "Ellie", "age": 3}]}


def _verdict(*constraints: str, value: Any = KIDS, args: dict[str, Any] | None = None,
             latency: float = 500.0):  # type: ignore[no-untyped-def]
    body = "\n".join(f"  {c}" for c in constraints)
    project = vdsl.loads('function F(x: string) -> string {\n  client "vertex-ai/gemini-2.5-flash"'
                         '\n  prompt #"{{ x }}"#\n}\n\n'
                         f'test T {{\n  functions [F]\n  args {{\n    x "a"\n  }}\n{body}\n}}\n')
    return evaluate_test(project.program.tests[0], value, args or {"x": "a"}, latency)


def test_checks_feed_later_constraints() -> None:
    verdict = _verdict("@@check(has_kids, {{ _.result.kids|length > 0 }})",
                       "@@check(not_too_many, {{ this.kids|length < 100 }})",
                       "@@assert(both_pass, {{ _.checks.has_kids and _.checks.not_too_many }})")
    assert verdict.checks == {"has_kids": True, "not_too_many": True}
    assert verdict.failed is None and verdict.broken is None


def test_an_assert_is_not_a_check() -> None:
    verdict = _verdict("@@assert(has_kids, {{ _.result.kids|length > 0 }})",
                       "@@check(not_too_many, {{ this.kids|length < 100 }})",
                       "@@assert(both_pass, {{ _.checks.has_kids and _.checks.not_too_many }})")
    assert verdict.checks == {"not_too_many": True}
    assert verdict.failed is not None and verdict.failed.name == "both_pass"


def test_latency_and_arguments_are_in_context() -> None:
    verdict = _verdict("@@check(fast, {{ _.latency_ms < 1000 }})",
                       "@@assert(arg, {{ x == \"a\" and _.checks.fast }})", latency=999.6)
    assert verdict.checks == {"fast": True} and verdict.failed is None
    assert _verdict("@@check(fast, {{ _.latency_ms < 1000 }})", latency=1000.2).checks == \
        {"fast": False}


def test_failing_checks_fail_and_later_checks_still_run() -> None:
    verdict = _verdict("@@check(no_kids, {{ this.kids|length == 0 }})",
                       "@@check(named, {{ this.name == \"Greg\" }})")
    assert verdict.checks == {"no_kids": False, "named": True}
    assert verdict.failed is not None and verdict.failed.name == "no_kids"


def test_the_first_failed_assert_stops_the_rest() -> None:
    verdict = _verdict("@@assert(first, {{ this.name == \"Nope\" }})",
                       "@@check(never, {{ true }})")
    assert [o.name for o in verdict.outcomes] == ["first"]
    assert verdict.failed is not None and verdict.failed.level == "assert"


@pytest.mark.parametrize(("expression", "passed"), [
    ("{{ true }}", True), ("{{ false }}", False), ('{{ "true" }}', True), ('{{ "" }}', False),
    ("{{ none }}", False), ("{{ this.missing }}", False),
])
def test_what_counts_as_true(expression: str, passed: bool) -> None:
    (outcome,) = _verdict(f"@@assert(e, {expression})").outcomes
    assert outcome.passed is passed and outcome.error is None


@pytest.mark.parametrize(("expression", "error"), [
    ('{{ "hello" }}', "expected true or false, got hello"),
    ("{{ this.kids|length }}", "expected true or false, got 2"),
    ('{{ this.name + 1 }}', "TypeError"),
    ("{{ this.missing.deeper }}", "UndefinedError"),
])
def test_an_expression_that_is_not_a_boolean_cannot_be_judged(expression: str,
                                                               error: str) -> None:
    verdict = _verdict(f"@@check(e, {expression})", "@@check(after, {{ true }})")
    assert verdict.broken is not None and error in (verdict.broken.error or "")
    assert len(verdict.outcomes) == 1  # evaluation stops there
