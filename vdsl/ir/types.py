"""Type expressions as written in `.vdsl` files (`string[]`, `Resume?`, `map<string, int>`, …).

Named types stay unresolved here (`NamedType("Resume")`); validation resolves them against the
program's classes, enums and aliases. `attrs` holds attributes attached to this type
expression (BAML re-associates a trailing attribute to the whole union).
"""

from __future__ import annotations

from ..source import Span
from .base import Node, record
from .values import Attribute

PRIMITIVES = ("string", "int", "float", "bool", "null")
MEDIA = ("image", "audio", "pdf", "video")


@record
class TypeExpr(Node):
    """A type as written, with the attributes attached to it."""
    span: Span
    attrs: tuple[Attribute, ...]


@record
class Primitive(TypeExpr):
    """`string`, `int`, `float`, `bool` or `null`."""
    name: str


@record
class Media(TypeExpr):
    """`image`, `audio`, `pdf` or `video` (inputs only)."""
    kind: str


@record
class NamedType(TypeExpr):
    """A reference to a class, enum or type alias, resolved during validation."""
    name: str


@record
class ListType(TypeExpr):
    """`T[]`."""
    item: TypeExpr


@record
class OptionalType(TypeExpr):
    """`T?`: T or null."""
    inner: TypeExpr


@record
class UnionType(TypeExpr):
    """`A | B | …`."""
    members: tuple[TypeExpr, ...]


@record
class MapType(TypeExpr):
    """`map<K, V>`."""
    key: TypeExpr
    value: TypeExpr


@record
class LiteralType(TypeExpr):
    """A string, int or bool literal used as a type: `"open"`, `2`, `true`."""
    value: str | int | bool


@record
class TupleType(TypeExpr):
    """`(A, B)`: parsed so it can be rejected with a clear message."""
    items: tuple[TypeExpr, ...]


def type_to_str(t: TypeExpr) -> str:
    """The type as a user would write it (used in messages and editor hovers)."""
    try:
        return _type_to_str(t)
    except RecursionError:  # a hostile file's type, refused as type-too-deep anyway
        return "(a type nested too deeply to show)"


def _type_to_str(t: TypeExpr) -> str:
    if isinstance(t, Primitive):
        return t.name
    if isinstance(t, Media):
        return t.kind
    if isinstance(t, NamedType):
        return t.name
    if isinstance(t, ListType):
        inner = _type_to_str(t.item)
        return f"({inner})[]" if isinstance(t.item, (UnionType, OptionalType)) else f"{inner}[]"
    if isinstance(t, OptionalType):
        inner = _type_to_str(t.inner)
        return f"({inner})?" if isinstance(t.inner, UnionType) else f"{inner}?"
    if isinstance(t, UnionType):
        return " | ".join(_type_to_str(m) for m in t.members)
    if isinstance(t, MapType):
        return f"map<{_type_to_str(t.key)}, {_type_to_str(t.value)}>"
    if isinstance(t, LiteralType):
        if isinstance(t.value, bool):
            return "true" if t.value else "false"
        if isinstance(t.value, int):
            return str(t.value)
        return '"' + t.value.replace('"', '\\"') + '"'
    if isinstance(t, TupleType):
        return "(" + ", ".join(_type_to_str(i) for i in t.items) + ")"
    raise TypeError(f"not a type expression: {t!r}")
