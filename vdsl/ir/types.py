"""Type expressions as written in `.vdsl` files (`string[]`, `Resume?`, `map<string, int>`, …).

Named types stay unresolved here (`NamedType("Resume")`); validation resolves them against the
program's classes, enums and aliases. `attrs` holds attributes attached to this type
expression (BAML re-associates a trailing attribute to the whole union).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..source import Span
from .values import Attribute

PRIMITIVES = ("string", "int", "float", "bool", "null")
MEDIA = ("image", "audio", "pdf", "video")


@dataclass(frozen=True)
class TypeExpr:
    span: Span
    attrs: tuple[Attribute, ...]


@dataclass(frozen=True)
class Primitive(TypeExpr):
    """`string`, `int`, `float`, `bool` or `null`."""
    name: str


@dataclass(frozen=True)
class Media(TypeExpr):
    """`image`, `audio`, `pdf` or `video` (inputs only)."""
    kind: str


@dataclass(frozen=True)
class NamedType(TypeExpr):
    """A reference to a class, enum or type alias, resolved during validation."""
    name: str


@dataclass(frozen=True)
class ListType(TypeExpr):
    item: TypeExpr


@dataclass(frozen=True)
class OptionalType(TypeExpr):
    """`T?`: T or null."""
    inner: TypeExpr


@dataclass(frozen=True)
class UnionType(TypeExpr):
    members: tuple[TypeExpr, ...]


@dataclass(frozen=True)
class MapType(TypeExpr):
    key: TypeExpr
    value: TypeExpr


@dataclass(frozen=True)
class LiteralType(TypeExpr):
    """A string, int or bool literal used as a type: `"open"`, `2`, `true`."""
    value: str | int | bool


@dataclass(frozen=True)
class TupleType(TypeExpr):
    """`(A, B)`: parsed so it can be rejected with a clear message."""
    items: tuple[TypeExpr, ...]


def type_to_str(t: TypeExpr) -> str:
    """The type as a user would write it (used in messages)."""
    if isinstance(t, Primitive):
        return t.name
    if isinstance(t, Media):
        return t.kind
    if isinstance(t, NamedType):
        return t.name
    if isinstance(t, ListType):
        inner = type_to_str(t.item)
        return f"({inner})[]" if isinstance(t.item, (UnionType, OptionalType)) else f"{inner}[]"
    if isinstance(t, OptionalType):
        inner = type_to_str(t.inner)
        return f"({inner})?" if isinstance(t.inner, UnionType) else f"{inner}?"
    if isinstance(t, UnionType):
        return " | ".join(type_to_str(m) for m in t.members)
    if isinstance(t, MapType):
        return f"map<{type_to_str(t.key)}, {type_to_str(t.value)}>"
    if isinstance(t, LiteralType):
        if isinstance(t.value, bool):
            return "true" if t.value else "false"
        if isinstance(t.value, int):
            return str(t.value)
        return '"' + t.value.replace('"', '\\"') + '"'
    if isinstance(t, TupleType):
        return "(" + ", ".join(type_to_str(i) for i in t.items) + ")"
    raise TypeError(f"not a type expression: {t!r}")
