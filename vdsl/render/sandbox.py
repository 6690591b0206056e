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

from ..jinja_limits import NestingLimit
from .budget import (
    Budget,
    BudgetExceeded,
    RenderLimits,
    check_format,
    check_int_bits,
    check_printf,
    check_size,
    too_big,
    weigh,
)
from .values import CURRENT, ClassInstance, finalize

__all__ = ["BudgetedSandbox"]

_SIZED = (str, bytes, list, tuple, dict, set, frozenset)
STEP_COSTS: dict[type, int] = {Macro: 5}
"""Steps a call of these costs (default 1): a macro, or a template_string (added by
`environment`), renders a whole template body."""
_CONTAINERS = (list, tuple, dict, set, frozenset, ClassInstance)


def current_budget() -> Budget | None:
    state = CURRENT.get()
    return state.budget if state is not None else None


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
        options["extensions"] = [*options.get("extensions", ()), NestingLimit]
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
            args = _check_call(self.limits, obj, args, kwargs)
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
            if _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1:
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
        if _is_int(left) and _is_int(right):
            check_int_bits(left.bit_length() + right.bit_length(), self.limits)
        elif isinstance(left, (str, bytes, list, tuple)) and _is_int(right):
            check_size(len(left) * max(right, 0), self.limits)
        elif isinstance(right, (str, bytes, list, tuple)) and _is_int(left):
            check_size(len(right) * max(left, 0), self.limits)

    def _lipsum(self, n: int = 5, html: bool = True, min: int = 20,
                max: int = 100) -> str:
        if _is_int(n) and _is_int(max):
            check_size(n * max * 12, self.limits)
        return str(generate_lorem_ipsum(n, html, min, max))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# ---- calls of Python methods ---------------------------------------------------------------

def _check_call(limits: RenderLimits, obj: Any, args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Check a call of a str/bytes/int method before it runs; may return materialised args."""
    if isinstance(obj, types.FunctionType):  # the sandbox's wrapper of `str.format`
        wrapped = getattr(obj, "__wrapped__", None)
        if isinstance(wrapped, types.BuiltinMethodType) and isinstance(wrapped.__self__, str) \
                and wrapped.__name__ in ("format", "format_map"):
            mapping = args[0] if wrapped.__name__ == "format_map" and args else {}
            check_format(wrapped.__self__, args if not mapping else (), mapping or kwargs,
                         limits)
        return args
    if not isinstance(obj, types.BuiltinMethodType):
        return args
    owner, name = obj.__self__, obj.__name__
    if isinstance(owner, (str, bytes)):
        check = _TEXT_CHECKS.get(name)
        return check(limits, owner, args, kwargs) if check else args
    if _is_int(owner) and name == "to_bytes":
        length = args[0] if args else kwargs.get("length", 1)
        if _is_int(length):
            check_size(length, limits)
    return args


def _width(limits: RenderLimits, owner: Any, args: tuple[Any, ...],
           kwargs: dict[str, Any]) -> tuple[Any, ...]:
    width = args[0] if args else kwargs.get("width", 0)
    if _is_int(width):
        check_size(width, limits)
    return args


def _expandtabs(limits: RenderLimits, owner: Any, args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> tuple[Any, ...]:
    size = args[0] if args else kwargs.get("tabsize", 8)
    if _is_int(size):
        tab = "\t" if isinstance(owner, str) else b"\t"
        check_size(len(owner) + owner.count(tab) * max(size, 0), limits)
    return args


def _replace(limits: RenderLimits, owner: Any, args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> tuple[Any, ...]:
    if len(args) >= 2:
        _check_replace(limits, owner, args[0], args[1], args[2] if len(args) > 2 else None)
    return args


def _check_replace(limits: RenderLimits, text: Any, old: Any, new: Any, count: Any) -> None:
    kind = str if isinstance(text, str) else bytes if isinstance(text, bytes) else None
    if kind is None or not isinstance(old, kind) or not isinstance(new, kind):
        return
    hits = text.count(old) if old else len(text) + 1
    if _is_int(count) and count >= 0:
        hits = min(hits, count)
    check_size(len(text) + hits * max(len(new) - len(old), 0), limits)


def _join(limits: RenderLimits, owner: Any, args: tuple[Any, ...],
          kwargs: dict[str, Any]) -> tuple[Any, ...]:
    if not args:
        return args
    items = list(args[0])
    check_size(len(items), limits)
    size = sum(len(item) if isinstance(item, (str, bytes)) else 1 for item in items)
    check_size(size + len(owner) * len(items), limits)
    return (items, *args[1:])


def _translate(limits: RenderLimits, owner: Any, args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> tuple[Any, ...]:
    table = args[0] if args else None
    if isinstance(table, Mapping):
        longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
        check_size(len(owner) * max(longest, 1), limits)
    return args


_TEXT_CHECKS: dict[str, Callable[[RenderLimits, Any, tuple[Any, ...], dict[str, Any]],
                                 tuple[Any, ...]]] = {
    "ljust": _width, "rjust": _width, "center": _width, "zfill": _width,
    "expandtabs": _expandtabs, "replace": _replace, "join": _join, "translate": _translate,
}


# ---- filters --------------------------------------------------------------------------------

def _metered_filter(env: BudgetedSandbox, name: str, fn: Callable[..., Any]
                    ) -> Callable[..., Any]:
    """`fn` charged one step, checked before it runs (for the filters that can widen their
    input) and after (its result must fit the output limit)."""
    check = _FILTER_CHECKS.get(name)
    skip = 1 if getattr(fn, "jinja_pass_arg", None) is not None else 0

    @functools.wraps(fn)
    def metered(*args: Any, **kwargs: Any) -> Any:
        budget = current_budget()
        if budget is not None:
            budget.step()
        if check is not None and len(args) > skip:
            args = (*args[:skip], *check(env, args[skip:], kwargs))
        return env.checked(fn(*args, **kwargs))
    return metered


def _arg(args: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str,
         default: Any = None) -> Any:
    return args[index] if len(args) > index else kwargs.get(name, default)


def _f_width(env: BudgetedSandbox, args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> tuple[Any, ...]:
    width = _arg(args, kwargs, 1, "width", 80)
    if _is_int(width):
        check_size(width, env.limits)
    return args


def _f_indent(env: BudgetedSandbox, args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> tuple[Any, ...]:
    text, width = str(args[0]), _arg(args, kwargs, 1, "width", 4)
    per_line = width if _is_int(width) else len(str(width))
    check_size(len(text) + (text.count("\n") + 1) * max(per_line, 0), env.limits)
    return args


def _f_wordwrap(env: BudgetedSandbox, args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> tuple[Any, ...]:
    text, width = str(args[0]), _arg(args, kwargs, 1, "width", 79)
    wrap = _arg(args, kwargs, 3, "wrapstring") or "\n"
    if _is_int(width) and isinstance(wrap, str):
        check_size(len(text) + (len(text) // max(width, 1) + 1) * len(wrap), env.limits)
    return args


def _f_format(env: BudgetedSandbox, args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> tuple[Any, ...]:
    check_printf(str(args[0]), kwargs or tuple(args[1:]), env.limits)
    return args


def _f_replace(env: BudgetedSandbox, args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> tuple[Any, ...]:
    _check_replace(env.limits, str(args[0]), _arg(args, kwargs, 1, "old"),
                   _arg(args, kwargs, 2, "new"), _arg(args, kwargs, 3, "count"))
    return args


def _f_join(env: BudgetedSandbox, args: tuple[Any, ...],
            kwargs: dict[str, Any]) -> tuple[Any, ...]:
    items = list(args[0])
    separator = _arg(args, kwargs, 1, "d", "")
    check_size(weigh(items, env.limits) + len(str(separator)) * len(items), env.limits)
    return (items, *args[1:])


def _f_count(env: BudgetedSandbox, args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> tuple[Any, ...]:
    count = args[1] if len(args) > 1 else kwargs.get("linecount", kwargs.get("slices"))
    if isinstance(count, int) and _arg(args, kwargs, 2, "fill_with") is not None:
        check_size(count, env.limits)
    return args


def _f_weigh(env: BudgetedSandbox, args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> tuple[Any, ...]:
    indent = _arg(args, kwargs, 1, "indent")
    weight = weigh(args[0], env.limits, current_budget())
    if _is_int(indent):
        check_size(indent, env.limits)
        check_size(weight * (indent + 2), env.limits)
    return args


def _f_sum(env: BudgetedSandbox, args: tuple[Any, ...],
           kwargs: dict[str, Any]) -> tuple[Any, ...]:
    items = list(args[0])
    if isinstance(_arg(args, kwargs, 2, "start", 0), (list, tuple, str)):
        check_size(sum(len(i) if isinstance(i, _SIZED) else 1 for i in items), env.limits)
    return (items, *args[1:])


_FILTER_CHECKS: dict[str, Callable[[BudgetedSandbox, tuple[Any, ...], dict[str, Any]],
                                   tuple[Any, ...]]] = {
    "center": _f_width, "indent": _f_indent, "wordwrap": _f_wordwrap, "format": _f_format,
    "replace": _f_replace, "join": _f_join, "batch": _f_count, "slice": _f_count,
    "tojson": _f_weigh, "pprint": _f_weigh, "string": _f_weigh, "sum": _f_sum,
}
