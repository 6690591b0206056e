"""The sandbox prompts run in: Jinja's immutable sandbox, plus a budget on every render.

Jinja's `SandboxedEnvironment` keeps templates away from Python internals; it does not bound
what they cost. `BudgetedSandbox` adds that through Jinja's own hooks:

* `call` (every call a template makes) and `call_binop` (`*`, `**`, `+`, `%`) check what an
  operation would build before it runs: `'a' * 10**9`, `3 ** 10**8`, `'x'.center(10**9)`,
  `'%0999999999d' % 1`, `sep.join(huge)` fail at once instead of eating memory or a core;
* every filter is wrapped the same way (`center`, `indent`, `replace`, `join`, `batch`, …);
* a code generator that meters `for` loops and `~`, and counts the text a template writes;
* every result is checked against the output limit, so nothing grows past it step by step;
* `lipsum` is bounded, `range` is Jinja's (at most 100,000 items).

Lists and maps are immutable (`ImmutableSandboxedEnvironment`), as in BAML's minijinja where
values have no `.append`. Limits and how to raise them: `budget.RenderLimits`.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context, LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import generate_lorem_ipsum

from ..jinja_limits import nesting_limit
from .budget import (
    BudgetExceeded,
    RenderLimits,
    check_int_bits,
    check_printf,
    check_size,
    current_budget,
    too_big,
    weigh,
)
from .prechecks import FILTER_CHECKS, check_call, is_int
from .values import CURRENT, ClassInstance, finalize

__all__ = ["BudgetedSandbox"]

_SIZED = (str, bytes, list, tuple, dict, set, frozenset)
STEP_COSTS: dict[type, int] = {Macro: 5}
"""Steps a call of these costs (default 1): a macro, or a template_string (added by
`environment`), renders a whole template body."""
_CONTAINERS = (list, tuple, dict, set, frozenset, ClassInstance)


class MeteredCodeGenerator(CodeGenerator):
    """Jinja's code generator, with loops metered, `~` checked and literal output counted."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        """Iterate `environment.metered(iterable)`: one step per item."""
        meter = nodes.EnvironmentAttribute("metered", lineno=node.lineno)
        if not (isinstance(node.iter, nodes.Call) and node.iter.node == meter):
            node.iter = nodes.Call(meter, [node.iter], [], None, None, lineno=node.lineno)
        super().visit_For(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.tilde((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        size = sum(len(child.data) if isinstance(child, nodes.TemplateData)
                   else len(str(child.value)) for child in node.nodes
                   if isinstance(child, (nodes.TemplateData, nodes.Const)))
        if size:
            self.writeline(f"environment.emitted({size})")
        super().visit_Output(node, frame)


class BudgetedSandbox(ImmutableSandboxedEnvironment):
    """An immutable sandbox that charges each render's `Budget` (see the module docstring)."""

    code_generator_class = MeteredCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, limits: RenderLimits | None = None,
                 filters: Mapping[str, Callable[..., Any]] | None = None,
                 **options: Any) -> None:
        options["extensions"] = [*options.get("extensions", ()), nesting_limit()]
        super().__init__(**options)
        self.limits = limits or RenderLimits()
        self.filters.update(filters or {})
        self.filters = {name: _metered_filter(self, name, fn) for name, fn in self.filters.items()}
        self.globals["lipsum"] = self._lipsum
        self.finalize = self._finalize
        self._safe_attributes: dict[tuple[type, str], bool] = {}

    # ---- hooks the generated code calls ---------------------------------------------------

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        if not self.is_safe_callable(obj):
            raise SecurityError(f"{obj!r} is not safely callable")
        kind = type(obj)
        if kind is types.BuiltinMethodType or kind is types.FunctionType:
            args = check_call(self.limits, obj, args, kwargs)
        state = CURRENT.get()
        budget = state.budget if state is not None else None
        if budget is None:
            return self.checked(context.call(obj, *args, **kwargs))
        budget.step(STEP_COSTS.get(kind, 1))
        if kind is LoopContext and args:  # a recursive loop's next level
            args = (budget.iterate(args[0]), *args[1:])
        budget.depth += 1
        try:
            if budget.depth > budget.limits.max_depth:
                raise BudgetExceeded(f"calls nested more than {budget.limits.max_depth} deep",
                                     "max_depth")
            result = context.call(obj, *args, **kwargs)
        finally:
            budget.depth -= 1
        if isinstance(result, _SIZED) and len(result) > budget.limits.max_output:
            raise too_big(len(result), budget.limits)
        return result

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """The immutable sandbox's answer, remembered per type and attribute name (it depends
        on nothing else, and working it out takes several `isinstance` checks against ABCs)."""
        key = (type(obj), attr)
        safe = self._safe_attributes.get(key)
        if safe is None:
            safe = super().is_safe_attribute(obj, attr, value)
            if len(self._safe_attributes) < 4096:
                self._safe_attributes[key] = safe
        return safe

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            self._check_mul(left, right)
        elif operator == "**":
            if is_int(left) and is_int(right) and right > 0 and abs(left) > 1:
                check_int_bits(left.bit_length() * right, self.limits)
        elif operator == "+":
            if isinstance(left, (str, bytes, list, tuple)) and isinstance(right, type(left)):
                check_size(len(left) + len(right), self.limits)
        elif operator == "%" and isinstance(left, str):
            check_printf(left, right, self.limits)
        return self.binop_table[operator](left, right)

    def metered(self, iterable: Iterable[Any]) -> Iterable[Any]:
        budget = current_budget()
        return iterable if budget is None else budget.iterate(iterable)

    def tilde(self, parts: tuple[Any, ...]) -> str:
        """`a ~ b ~ c`, refused before joining when the result would be too long."""
        texts = [part if isinstance(part, str) else self._text(part) for part in parts]
        check_size(sum(map(len, texts)), self.limits)
        return "".join(texts)

    def emitted(self, size: int) -> None:
        budget = current_budget()
        if budget is not None:
            budget.emit(size)

    def checked(self, value: Any) -> Any:
        """`value`, unless it is bigger than the output limit."""
        if isinstance(value, _SIZED):
            check_size(len(value), self.limits)
        return value

    # ---- helpers ---------------------------------------------------------------------------

    def _finalize(self, value: Any) -> Any:
        """Print `{{ value }}` (see `values.finalize`), charged to the output budget."""
        state = CURRENT.get()
        budget = state.budget if state is not None else None
        if value.__class__ is str:
            text = value
        else:
            if isinstance(value, _CONTAINERS):
                weigh(value, self.limits, budget)
            text = finalize(value)
        if budget is not None:
            budget.output += len(text) if isinstance(text, str) else 1
            if budget.output > budget.max_output:
                budget.emit(0)
        return text

    def _text(self, value: Any) -> str:
        weigh(value, self.limits, current_budget())
        return str(value)

    def _check_mul(self, left: Any, right: Any) -> None:
        if is_int(left) and is_int(right):
            check_int_bits(left.bit_length() + right.bit_length(), self.limits)
        elif isinstance(left, (str, bytes, list, tuple)) and is_int(right):
            check_size(len(left) * max(right, 0), self.limits)
        elif isinstance(right, (str, bytes, list, tuple)) and is_int(left):
            check_size(len(right) * max(left, 0), self.limits)

    def _lipsum(self, n: int = 5, html: bool = True, min: int = 20,
                max: int = 100) -> str:
        if is_int(n) and is_int(max):
            check_size(n * max * 12, self.limits)
        return str(generate_lorem_ipsum(n, html, min, max))


# ---- filters --------------------------------------------------------------------------------

def _metered_filter(env: BudgetedSandbox, name: str, fn: Callable[..., Any]
                    ) -> Callable[..., Any]:
    """`fn` charged one step, checked before it runs (for the filters that can widen their
    input) and after (its result must fit the output limit)."""
    check = FILTER_CHECKS.get(name)
    skip = 1 if getattr(fn, "jinja_pass_arg", None) is not None else 0

    @functools.wraps(fn)
    def metered(*args: Any, **kwargs: Any) -> Any:
        budget = current_budget()
        if budget is not None:
            budget.step()
        if check is not None and len(args) > skip:
            args = (*args[:skip], *check(env.limits, args[skip:], kwargs))
        return env.checked(fn(*args, **kwargs))
    return metered
