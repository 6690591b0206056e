"""The rendering budget: how much output, work, time and integer size one render may use.

Prompts are code from the repository and arguments are data from users; neither may hang a
process or exhaust its memory. Every render gets a `Budget` from its `RenderLimits`; the
sandbox (`sandbox.py`) charges it for loop iterations, calls and output, and checks the size
of what an operation would build *before* building it (`'a' * 10**9`, `3 ** 10**8`,
`'x'.center(10**9)`). Going over raises `BudgetExceeded`, which the renderer reports as a
`RenderError` naming the limit and how to raise it.
"""

from __future__ import annotations

import os
import re
import string
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any

from ..errors import ConfigError
from .values import CURRENT, ClassInstance

__all__ = ["Budget", "BudgetExceeded", "RenderLimits", "current_budget", "weigh"]


@dataclass(frozen=True, slots=True)
class RenderLimits:
    """Limits of one render. Each can be raised with its environment variable (read when a
    project's renderer is created) or by passing `limits=` to `render_prompt`."""

    max_output: int = 10_000_000
    """Characters of output, and the size of any string, list or map a template builds
    (`VDSL_RENDER_MAX_OUTPUT`)."""
    max_steps: int = 1_000_000
    """Loop iterations plus calls (functions, macros, filters, template_strings)
    (`VDSL_RENDER_MAX_STEPS`)."""
    max_seconds: float = 10.0
    """Wall time of one render (`VDSL_RENDER_MAX_SECONDS`)."""
    max_int_digits: int = 4300
    """Decimal digits of an integer a template computes (`VDSL_RENDER_MAX_INT_DIGITS`)."""
    max_depth: int = 32
    """Nested calls of macros, template_strings and recursive loops (`VDSL_RENDER_MAX_DEPTH`)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RenderLimits:
        """The defaults, with any `VDSL_RENDER_*` variable set in `environ` applied."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in fields(cls):
            variable = ENV_NAMES[spec.name]
            raw = environ.get(variable)
            if raw is None or raw == "":
                continue
            kind = float if spec.name == "max_seconds" else int
            try:
                value = kind(raw)
            except ValueError:
                value = 0
            if value <= 0:
                raise ConfigError(f"{variable}={raw!r}: expected a positive number")
            values[spec.name] = value
        return cls(**values)

    @property
    def max_int_bits(self) -> int:
        return int(self.max_int_digits * 3.3219280948873626) + 1


ENV_NAMES = {"max_output": "VDSL_RENDER_MAX_OUTPUT", "max_steps": "VDSL_RENDER_MAX_STEPS",
             "max_seconds": "VDSL_RENDER_MAX_SECONDS",
             "max_int_digits": "VDSL_RENDER_MAX_INT_DIGITS",
             "max_depth": "VDSL_RENDER_MAX_DEPTH"}
"""The environment variable that raises each limit."""


class BudgetExceeded(Exception):
    """A template went over one of its limits; the message names the limit and its variable."""

    def __init__(self, what: str, limit: str) -> None:
        variable = ENV_NAMES.get(limit)
        super().__init__(f"render budget exceeded: {what}"
                         + (f" (raise {variable} if this is intended)" if variable else ""))


class Budget:
    """What one render has used so far."""

    __slots__ = ("deadline", "depth", "limits", "max_output", "output", "steps")

    def __init__(self, limits: RenderLimits) -> None:
        self.limits = limits
        self.max_output = limits.max_output
        self.deadline = time.monotonic() + limits.max_seconds
        self.steps = 0
        self.output = 0
        self.depth = 0

    def step(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > self.limits.max_steps:
            raise BudgetExceeded(f"more than {self.limits.max_steps:,} loop iterations and "
                                 "calls", "max_steps")
        if time.monotonic() > self.deadline:
            raise BudgetExceeded(f"the render took longer than {self.limits.max_seconds:g} s",
                                 "max_seconds")

    def emit(self, n: int) -> None:
        self.output += n
        if self.output > self.max_output:
            raise BudgetExceeded(f"more than {self.limits.max_output:,} characters of output",
                                 "max_output")

    def iterate(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self.step()
            yield item


def current_budget() -> Budget | None:
    """The budget of the render running in this context, if any."""
    state = CURRENT.get()
    return state.budget if state is not None else None


def too_big(size: int, limits: RenderLimits) -> BudgetExceeded:
    return BudgetExceeded(f"a value of {size:,} characters or items (the limit is "
                          f"{limits.max_output:,})", "max_output")


def check_size(size: int, limits: RenderLimits) -> None:
    if size > limits.max_output:
        raise too_big(size, limits)


def check_int_bits(bits: int, limits: RenderLimits) -> None:
    if bits > limits.max_int_bits:
        raise BudgetExceeded(f"an integer of more than {limits.max_int_digits:,} digits",
                             "max_int_digits")


def weigh(value: Any, limits: RenderLimits, budget: Budget | None = None) -> int:
    """About how many characters `value` prints as: strings by length, other leaves as one,
    containers as the sum of their items. Walked without recursion, each container once (a
    list nested in itself forty times over costs forty steps, not 2**40), and raises as soon
    as the total passes `max_output`."""
    if isinstance(value, str):
        check_size(len(value), limits)
        return len(value)
    if not isinstance(value, _CONTAINERS) and not isinstance(value, Mapping):
        return 1
    weights: dict[int, int] = {}
    open_: set[int] = set()
    stack = [value]
    while stack:
        item = stack[-1]
        if id(item) in weights:
            stack.pop()
            continue
        items = _items(item)
        if id(item) not in open_:
            open_.add(id(item))
            stack.extend(i for i in items if _is_container(i) and id(i) not in weights
                         and id(i) not in open_)
            continue
        stack.pop()
        total = 1 + sum(len(i) if isinstance(i, str) else weights.get(id(i), 1) for i in items)
        weights[id(item)] = total
        if total > limits.max_output:
            raise too_big(total, limits)
        if budget is not None and not len(weights) & 0x3FFF:
            budget.step(0)  # a long walk still honours the deadline
    return weights[id(value)]


_CONTAINERS = (list, tuple, dict, set, frozenset, ClassInstance)


def _is_container(value: Any) -> bool:
    return isinstance(value, _CONTAINERS) or (
        not isinstance(value, (str, int, float)) and isinstance(value, Mapping))


def _items(value: Any) -> list[Any]:
    if isinstance(value, ClassInstance):
        return list(value._fields.values())
    if isinstance(value, Mapping):
        return [*value.keys(), *value.values()]
    return list(value)


_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")
_DIGITS = re.compile(r"\d+")


def check_printf(fmt: str, args: Any, limits: RenderLimits) -> None:
    """`fmt % args` would not pad or widen anything past the output limit."""
    star = False
    for width, precision in _PRINTF.findall(fmt):
        for number in (width, precision):
            star = star or number == "*"
            if number.isdigit():
                check_size(int(number), limits)
    if star:
        _check_int_args(args if isinstance(args, tuple) else (args,), limits)
    weigh(args, limits)


def check_format(fmt: str, args: tuple[Any, ...], kwargs: Mapping[str, Any],
                 limits: RenderLimits) -> None:
    """`fmt.format(*args, **kwargs)` would not pad anything past the output limit."""
    try:
        parsed = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # str.format raises the same error itself
    for _, _, spec, _ in parsed:
        if not spec:
            continue
        for number in _DIGITS.findall(spec):
            check_size(int(number), limits)
        if "{" in spec:
            _check_int_args((*args, *kwargs.values()), limits)
    weigh((args, dict(kwargs)), limits)


def _check_int_args(values: Iterable[Any], limits: RenderLimits) -> None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool):
            check_size(abs(value), limits)
