"""`@check` and `@assert` on parsed values, in the render stage's sandboxed Jinja.

The expression sees the value as `this`, as plain data (objects are dicts keyed by declared
names, enums are their names, `Checked` wrappers unwrapped), which is what BAML's minijinja
sees. Compiled expressions are cached by source. An expression that raises counts as failed,
so a typo in a check fails loudly in tests instead of passing silently.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ..errors import ValidationError
from .models import Check, Checked, to_plain
from .primitives import Trailed
from .target import Constraint

__all__ = ["AssertionFailed", "apply_constraints", "compiled", "evaluate"]

_compiled: dict[str, Callable[..., Any]] = {}
_lock = threading.Lock()


class AssertionFailed(Trailed):
    """Internal: an `@assert` failed while coercing (a union may still try another member)."""

    def __init__(self, constraint: Constraint) -> None:
        super().__init__(constraint.name or constraint.expression)
        self.constraint = constraint

    def copy(self, depth: int) -> AssertionFailed:
        """A fresh copy with the first `depth` steps of the trail."""
        out = AssertionFailed(self.constraint)
        out.trail = self.trail[:depth]
        return out

    def to_error(self) -> ValidationError:
        c = self.constraint
        label = f"`{c.name}`" if c.name else f"{{{{ {c.expression} }}}}"
        at = f" at `{self.path}`" if self.path else ""
        return ValidationError(f"assertion {label} failed{at}: {{{{ {c.expression} }}}}",
                               c.name, c.expression)


def _expression(source: str) -> Callable[..., Any]:
    fn = _compiled.get(source)
    if fn is None:
        from ..render.environment import make_environment

        with _lock:
            fn = _compiled.get(source)
            if fn is None:
                fn = _compiled[source] = make_environment().compile_expression(source)
    return fn


def compiled(source: str) -> Callable[..., Any]:
    """The Jinja expression `source`, compiled once (for constraints evaluated elsewhere,
    such as a test block's `@@check`/`@@assert`)."""
    return _expression(source)


def evaluate(expression: str, value: Any) -> bool:
    """Whether `expression` holds with `this` bound to `value`."""
    try:
        return bool(_expression(expression)(this=to_plain(value, bare=True)))
    except Exception:  # noqa: BLE001 - a broken expression is a failed constraint, never a crash
        return False


def apply_constraints(value: Any, constraints: tuple[Constraint, ...]) -> Any:
    """Raise `AssertionFailed` for a failed `@assert`; wrap the value in `Checked` when it
    carries `@check`s."""
    checks: dict[str, Check] = {}
    for c in constraints:
        ok = evaluate(c.expression, value)
        if c.level == "assert":
            if not ok:
                raise AssertionFailed(c)
            continue
        name = c.name or c.expression
        checks[name] = Check(name=name, expression=c.expression,
                             status="succeeded" if ok else "failed")
    if not checks:
        return value
    if isinstance(value, Checked):  # an alias's checks and the field's own: one set
        return Checked[Any].model_construct(value=value.value,
                                            checks={**value.checks, **checks})
    return Checked[Any](value=value, checks=checks)
