"""A test block's `@@check` and `@@assert`, evaluated on a call's result as baml-cli does.

Each expression sees `this` (the parsed value), `_.result` (the same), `_.latency_ms` (the
answering request's latency), `_.checks.NAME` (the outcome of every named `@@check` before it)
and the test's arguments by name. The constraints run in the order written; the first failed
`@@assert` stops the rest. An expression must give true or false (none or empty text counts as
false); anything else, or an error, stops the evaluation and the test cannot be judged.
Field-level `@check`s on the value are collected apart: they are reported, never fatal.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import Undefined
from pydantic import BaseModel

from ..ir import JinjaExpr, StringValue, TestDecl
from ..outputs.constraints import compiled
from ..outputs.models import Checked, to_plain
from ..source import Span

__all__ = ["Outcome", "Verdict", "evaluate_test", "failed_field_checks"]

@dataclass(frozen=True)
class Outcome:
    """One evaluated constraint: `passed` is None when it could not be evaluated (`error`)."""

    level: str
    name: str | None
    expression: str
    span: Span
    passed: bool | None
    error: str | None = None

    @property
    def label(self) -> str:
        shown = f"`{self.name}`" if self.name else f"{{{{ {self.expression} }}}}"
        return f"@@{self.level} {shown}"


@dataclass(frozen=True)
class Verdict:
    """What the test-level constraints decided: every outcome, in order, and the first that
    failed (an `@@assert`, else a `@@check`) or could not be evaluated."""

    outcomes: tuple[Outcome, ...]

    @property
    def broken(self) -> Outcome | None:
        return next((o for o in self.outcomes if o.error is not None), None)

    @property
    def failed(self) -> Outcome | None:
        failed = [o for o in self.outcomes if o.passed is False]
        return next((o for o in failed if o.level == "assert"), failed[0] if failed else None)

    @property
    def checks(self) -> dict[str, bool]:
        return {o.name or o.expression: bool(o.passed) for o in self.outcomes
                if o.level == "check" and o.passed is not None}


def _truth(result: Any) -> bool:
    """BAML renders the expression and accepts `true`, `false` or nothing (false)."""
    if isinstance(result, bool):
        return result
    if result is None or isinstance(result, Undefined) or result == "":
        return False
    if isinstance(result, str) and result in ("true", "false"):
        return result == "true"
    raise ValueError(f"expected true or false, got {_shown(result)}")


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:77] + "…"


def evaluate_test(test: TestDecl, value: Any, args: Mapping[str, Any],
                  latency_ms: float) -> Verdict:
    """Run the test block's `@@check`/`@@assert` on `value`, in order."""
    data = to_plain(value, bare=True)
    checks: dict[str, bool] = {}
    outcomes: list[Outcome] = []
    for attr in test.block_attrs:
        if attr.name not in ("check", "assert"):
            continue
        exprs = [a for a in attr.args if isinstance(a, JinjaExpr)]
        if not exprs:
            continue
        names = [a.value for a in attr.args if isinstance(a, StringValue)]
        name = names[0] if names else None
        underscore = {"result": data, "latency_ms": int(latency_ms), "checks": dict(checks)}
        try:
            raw = compiled(exprs[0].source)(**{"this": data, "_": underscore, **args})
            passed: bool | None = _truth(raw)
            error = None
        except Exception as exc:  # noqa: BLE001 - a broken expression is reported, never raised
            passed = None
            error = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
        outcomes.append(Outcome(attr.name, name, exprs[0].source, attr.span, passed, error))
        if error is not None or (attr.name == "assert" and not passed):
            break
        if attr.name == "check" and name is not None:
            checks[name] = bool(passed)
    return Verdict(tuple(outcomes))


def failed_field_checks(value: Any, path: str = "") -> Iterator[tuple[str, str, str]]:
    """(where, check name, expression) for every field-level `@check` that failed."""
    if isinstance(value, Checked):
        for check in value.checks.values():
            if check.status != "succeeded":
                yield path or "(the result)", check.name, check.expression
        yield from failed_field_checks(value.value, path)
    elif isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            yield from failed_field_checks(getattr(value, name),
                                           f"{path}.{info.alias or name}".lstrip("."))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from failed_field_checks(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from failed_field_checks(item, f"{path}[{key!r}]")
