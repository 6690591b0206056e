"""Walking type expressions."""

from __future__ import annotations

from collections.abc import Iterator

from .types import ListType, MapType, OptionalType, TupleType, TypeExpr, UnionType

_CONTAINERS = frozenset({ListType, MapType, OptionalType, TupleType, UnionType})


def children(t: TypeExpr) -> tuple[TypeExpr, ...]:
    if t.__class__ not in _CONTAINERS:  # most nodes are leaves: one set lookup decides
        return ()
    if isinstance(t, ListType):
        return (t.item,)
    if isinstance(t, OptionalType):
        return (t.inner,)
    if isinstance(t, UnionType):
        return t.members
    if isinstance(t, MapType):
        return (t.key, t.value)
    if isinstance(t, TupleType):
        return t.items
    return ()


def iter_types(t: TypeExpr) -> Iterator[TypeExpr]:
    """`t` and every type expression nested in it, outermost first."""
    stack = [t]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))
