"""`@record` and `Node`: the IR's frozen dataclasses, without generating code per class.

`@dataclass(frozen=True)` writes and compiles an `__init__`, `__setattr__`, `__delattr__`,
`__eq__`, `__hash__` and `__repr__` for every class: ~4 M instructions a class, and a `vdsl`
process creates all ~40 IR classes before it parses anything (about a fifth of a cold `vdsl
check` of a small project). A `@record` class is still a dataclass — `fields`, `replace`,
`asdict`, pattern matching, and type checkers see `dataclass(frozen=True)` through
`dataclass_transform` — but those methods are written once, here, for every class:

* `__init__` takes the fields in order, positionally or by name, defaults filled in, and
  stores them in the instance's `__dict__` in one step (faster than one `__setattr__` each);
* assignment and deletion raise `FrozenInstanceError`, worded as dataclasses word it;
* equality, hashing and `repr` are the dataclass ones (tests/test_ir_node.py checks them
  against classes `dataclasses` generates, node by node).
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from dataclasses import MISSING, FrozenInstanceError, dataclass, fields
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

__all__ = ["Node", "record"]

T = TypeVar("T")
_Layout = tuple[Callable[[Any], tuple[Any, ...]], Callable[[Any], tuple[Any, ...]],
                tuple[str, ...], Callable[[Any], tuple[Any, ...]]]
_LAYOUTS: dict[type, _Layout] = {}


@dataclass_transform(frozen_default=True)
def record(cls: type[T]) -> type[T]:
    """Make `cls` (a `Node` subclass) a frozen dataclass; see the module docstring."""
    made: Any = dataclass(init=False, repr=False, eq=False)(cls)  # fields only: no code
    every = fields(made)
    if any(f.default_factory is not MISSING or not f.init or f.kw_only is True
           for f in every):
        raise TypeError(f"{cls.__qualname__}: a record field takes a plain default only")
    made.__init__ = _initializer(made.__qualname__, tuple(f.name for f in every),
                                 {f.name: f.default for f in every if f.default is not MISSING})
    return made  # type: ignore[no-any-return]


def _initializer(owner: str, names: tuple[str, ...], defaults: dict[str, Any]
                 ) -> Callable[..., None]:
    count = len(names)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if kwargs or len(args) != count:
            args = _bind(owner, names, defaults, args, kwargs)
        self.__dict__.update(zip(names, args))
    __init__.__qualname__ = f"{owner}.__init__"
    return __init__


def _bind(owner: str, names: tuple[str, ...], defaults: dict[str, Any],
          args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """The field values in order from arguments given by position and by name, as Python
    binds them (and with its wording when they do not fit)."""
    where = f"{owner}.__init__()"
    if len(args) > len(names):
        raise TypeError(f"{where} takes {len(names) + 1} positional arguments but "
                        f"{len(args) + 1} were given")
    values = list(args)
    for name in names[len(args):]:
        if name in kwargs:
            values.append(kwargs.pop(name))
        elif name in defaults:
            values.append(defaults[name])
        else:
            raise TypeError(f"{where} missing required argument: '{name}'")
    for name in kwargs:
        raise TypeError(f"{where} got multiple values for argument '{name}'" if name in names
                        else f"{where} got an unexpected keyword argument '{name}'")
    return tuple(values)


def _getter(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The named attributes as one tuple (`attrgetter` returns a bare value for one name)."""
    if len(names) == 1:
        single = attrgetter(names[0])
        return lambda obj: (single(obj),)
    if not names:
        return lambda obj: ()
    return attrgetter(*names)  # type: ignore[return-value]


def _layout(cls: type) -> _Layout:
    """Per class: what `__eq__` compares, what `__hash__` hashes and what `__repr__` shows,
    chosen as dataclasses choose them (`compare`, `hash`, `repr` of each field)."""
    found = _LAYOUTS.get(cls)
    if found is None:
        every = fields(cls)
        shown = [f.name for f in every if f.repr]
        found = _LAYOUTS[cls] = (
            _getter([f.name for f in every if f.compare]),
            _getter([f.name for f in every if (f.compare if f.hash is None else f.hash)]),
            tuple(shown), _getter(shown))
    return found


class Node:
    """What a frozen dataclass generates for each class, written once for every `@record`."""

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        compared = _layout(self.__class__)[0]
        return compared(self) == compared(other)

    def __hash__(self) -> int:
        return hash(_layout(self.__class__)[1](self))

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        _, _, names, shown = _layout(self.__class__)
        inner = ", ".join(f"{name}={value!r}" for name, value in zip(names, shown(self),
                                                                      strict=True))
        return f"{self.__class__.__qualname__}({inner})"
