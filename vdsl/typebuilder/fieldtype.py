"""`FieldType`: a type expression built in code (`tb.string().optional()`), as BAML's.

It wraps the IR's own type expressions, so a type built in code is checked, rendered and
parsed exactly like one written in a `.vdsl` file. Spans point at a placeholder until the
type is placed in the builder's listing (see `compile.py`).
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace

from ..ir import (
    ListType,
    LiteralType,
    MapType,
    NamedType,
    OptionalType,
    Primitive,
    TypeExpr,
    UnionType,
    type_to_str,
)
from ..source import Span

__all__ = ["PLACEHOLDER", "FieldType", "literal", "map_of", "named", "primitive", "respan",
           "union_of"]

PLACEHOLDER = Span("<TypeBuilder>", 0, 0, 1, 1, 1, 1)


class FieldType:
    """A type for a property added at run time. `.list()` and `.optional()` wrap it."""

    __slots__ = ("expr",)

    def __init__(self, expr: TypeExpr) -> None:
        self.expr = expr

    def list(self) -> FieldType:
        """`T[]`."""
        return FieldType(ListType(PLACEHOLDER, (), self.expr))

    def optional(self) -> FieldType:
        """`T?`."""
        return FieldType(OptionalType(PLACEHOLDER, (), self.expr))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldType) and other.expr == self.expr

    def __hash__(self) -> int:
        return hash(self.expr)

    def __str__(self) -> str:
        return type_to_str(self.expr)

    def __repr__(self) -> str:
        return f"FieldType({self})"


def primitive(name: str) -> FieldType:
    return FieldType(Primitive(PLACEHOLDER, (), name))


def literal(value: str | int | bool) -> FieldType:
    if not isinstance(value, (str, int, bool)):
        from ..errors import TypeBuilderError
        raise TypeBuilderError(f"a literal type is a string, an int or a bool, not "
                               f"{type(value).__name__}")
    return FieldType(LiteralType(PLACEHOLDER, (), value))


def named(name: str) -> FieldType:
    return FieldType(NamedType(PLACEHOLDER, (), name))


def require(value: object) -> FieldType:
    """`value` when it is a FieldType, else TypeBuilderError (not an AttributeError later)."""
    if not isinstance(value, FieldType):
        from ..errors import TypeBuilderError
        raise TypeBuilderError(f"expected a FieldType (e.g. tb.string()), got "
                               f"{type(value).__name__}")
    return value


def map_of(key: FieldType, value: FieldType) -> FieldType:
    return FieldType(MapType(PLACEHOLDER, (), require(key).expr, require(value).expr))


def union_of(members: list[FieldType] | tuple[FieldType, ...]) -> FieldType:
    if not isinstance(members, (list, tuple)) or not members:
        from ..errors import TypeBuilderError
        raise TypeBuilderError(
            "a union needs at least one member type" if isinstance(members, (list, tuple))
            else f"a union takes a list of member types, got {type(members).__name__}")
    members = [require(m) for m in members]
    if len(members) == 1:
        return members[0]
    return FieldType(UnionType(PLACEHOLDER, (), tuple(m.expr for m in members)))


def respan(t: TypeExpr, span: Span) -> TypeExpr:
    """`t` with every node located at `span` (where its property sits in the listing)."""
    changes: dict[str, object] = {"span": span}
    for f in fields(t):
        value = getattr(t, f.name)
        if isinstance(value, TypeExpr):
            changes[f.name] = respan(value, span)
        elif isinstance(value, tuple) and value and is_dataclass(value[0]) \
                and isinstance(value[0], TypeExpr):
            changes[f.name] = tuple(respan(v, span) for v in value)
    return replace(t, **changes)  # type: ignore[arg-type]
