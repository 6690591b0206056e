"""What an operation would build, checked before it runs (the render budget's first line).

`check_call` looks at calls of str/bytes/int methods (`'x'.center(10**9)`, `sep.join(huge)`,
`(1).to_bytes(10**9)`, `'{:>999999999}'.format(1)`); `FILTER_CHECKS` at the filters that can
widen their input. Each raises `BudgetExceeded` when the result would pass the output limit,
and may return the arguments materialised (a generator joined is a list, so it is read once).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from typing import Any

from .budget import (
    RenderLimits,
    check_format,
    check_printf,
    check_size,
    current_budget,
    weigh,
)

__all__ = ["FILTER_CHECKS", "check_call", "check_replace", "is_int"]

_SIZED = (str, bytes, list, tuple, dict, set, frozenset)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# ---- calls of Python methods ---------------------------------------------------------------

def check_call(limits: RenderLimits, obj: Any, args: tuple[Any, ...],
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
    if is_int(owner) and name == "to_bytes":
        length = args[0] if args else kwargs.get("length", 1)
        if is_int(length):
            check_size(length, limits)
    return args


def _width(limits: RenderLimits, owner: Any, args: tuple[Any, ...],
           kwargs: dict[str, Any]) -> tuple[Any, ...]:
    width = args[0] if args else kwargs.get("width", 0)
    if is_int(width):
        check_size(width, limits)
    return args


def _expandtabs(limits: RenderLimits, owner: Any, args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> tuple[Any, ...]:
    size = args[0] if args else kwargs.get("tabsize", 8)
    if is_int(size):
        tab = "\t" if isinstance(owner, str) else b"\t"
        check_size(len(owner) + owner.count(tab) * max(size, 0), limits)
    return args


def _replace(limits: RenderLimits, owner: Any, args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> tuple[Any, ...]:
    if len(args) >= 2:
        check_replace(limits, owner, args[0], args[1], args[2] if len(args) > 2 else None)
    return args


def check_replace(limits: RenderLimits, text: Any, old: Any, new: Any, count: Any) -> None:
    kind = str if isinstance(text, str) else bytes if isinstance(text, bytes) else None
    if kind is None or not isinstance(old, kind) or not isinstance(new, kind):
        return
    hits = text.count(old) if old else len(text) + 1
    if is_int(count) and count >= 0:
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

def _arg(args: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str,
         default: Any = None) -> Any:
    return args[index] if len(args) > index else kwargs.get(name, default)


def _f_width(limits: RenderLimits, args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> tuple[Any, ...]:
    width = _arg(args, kwargs, 1, "width", 80)
    if is_int(width):
        check_size(width, limits)
    return args


def _f_indent(limits: RenderLimits, args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> tuple[Any, ...]:
    text, width = str(args[0]), _arg(args, kwargs, 1, "width", 4)
    per_line = width if is_int(width) else len(str(width))
    check_size(len(text) + (text.count("\n") + 1) * max(per_line, 0), limits)
    return args


def _f_wordwrap(limits: RenderLimits, args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> tuple[Any, ...]:
    text, width = str(args[0]), _arg(args, kwargs, 1, "width", 79)
    wrap = _arg(args, kwargs, 3, "wrapstring") or "\n"
    if is_int(width) and isinstance(wrap, str):
        check_size(len(text) + (len(text) // max(width, 1) + 1) * len(wrap), limits)
    return args


def _f_format(limits: RenderLimits, args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> tuple[Any, ...]:
    check_printf(str(args[0]), kwargs or tuple(args[1:]), limits)
    return args


def _f_replace(limits: RenderLimits, args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> tuple[Any, ...]:
    check_replace(limits, str(args[0]), _arg(args, kwargs, 1, "old"),
                   _arg(args, kwargs, 2, "new"), _arg(args, kwargs, 3, "count"))
    return args


def _f_join(limits: RenderLimits, args: tuple[Any, ...],
            kwargs: dict[str, Any]) -> tuple[Any, ...]:
    items = list(args[0])
    separator = _arg(args, kwargs, 1, "d", "")
    check_size(weigh(items, limits) + len(str(separator)) * len(items), limits)
    return (items, *args[1:])


def _f_count(limits: RenderLimits, args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> tuple[Any, ...]:
    count = args[1] if len(args) > 1 else kwargs.get("linecount", kwargs.get("slices"))
    if isinstance(count, int) and _arg(args, kwargs, 2, "fill_with") is not None:
        check_size(count, limits)
    return args


def _f_weigh(limits: RenderLimits, args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> tuple[Any, ...]:
    indent = _arg(args, kwargs, 1, "indent")
    weight = weigh(args[0], limits, current_budget())
    if is_int(indent):
        check_size(indent, limits)
        check_size(weight * (indent + 2), limits)
    return args


def _f_sum(limits: RenderLimits, args: tuple[Any, ...],
           kwargs: dict[str, Any]) -> tuple[Any, ...]:
    items = list(args[0])
    if isinstance(_arg(args, kwargs, 2, "start", 0), (list, tuple, str)):
        check_size(sum(len(i) if isinstance(i, _SIZED) else 1 for i in items), limits)
    return (items, *args[1:])


FILTER_CHECKS: dict[str, Callable[[RenderLimits, tuple[Any, ...], dict[str, Any]],
                                   tuple[Any, ...]]] = {
    "center": _f_width, "indent": _f_indent, "wordwrap": _f_wordwrap, "format": _f_format,
    "replace": _f_replace, "join": _f_join, "batch": _f_count, "slice": _f_count,
    "tojson": _f_weigh, "pprint": _f_weigh, "string": _f_weigh, "sum": _f_sum,
}
