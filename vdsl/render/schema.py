"""Resolved output types for `ctx.output_format`: the IR's type expressions with aliases expanded.

BAML renders from a resolved type tree: non-recursive aliases are replaced by their targets,
`T?` is a union with null, nested unions are flattened (null last), and only aliases that
recurse through a container stay named (`RecAlias`). This module builds that tree, plus the
class and alias recursion facts the renderer needs. Built once per project.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ir import (
    Attribute,
    ClassDecl,
    EnumDecl,
    ListType,
    LiteralType,
    MapType,
    Media,
    NamedType,
    OptionalType,
    Primitive,
    StringValue,
    TupleType,
    TypeAliasDecl,
    TypeExpr,
    UnionType,
)
from ..ir.graph import find_cycles
from ..project import Project

__all__ = ["Schema", "T", "attr_text", "has_attr", "literal_text"]


@dataclass(frozen=True, slots=True)
class T:
    """One resolved type. `kind` is prim, lit, enum, class, ralias, list, map, union, media,
    tuple; `name` holds a primitive/enum/class/alias/media name, `value` a literal,
    `args` the element types."""

    kind: str
    name: str = ""
    value: str | int | bool | None = None
    args: tuple[T, ...] = ()

    @property
    def key(self) -> str:
        """A canonical string, used to visit each type once (BAML keys by `to_string()`)."""
        if self.kind in ("prim", "enum", "class", "ralias", "media"):
            return self.name
        if self.kind == "lit":
            return literal_text(self.value)
        if self.kind == "list":
            return self.args[0].key + "[]"
        if self.kind == "map":
            return f"map<{self.args[0].key}, {self.args[1].key}>"
        return "(" + " | ".join(a.key for a in self.args) + ")"

    @property
    def non_null(self) -> tuple[T, ...]:
        return tuple(a for a in self.args if not (a.kind == "prim" and a.name == "null"))


NULL = T("prim", "null")


def attr_text(attrs: tuple[Attribute, ...], name: str, block: bool = False) -> str | None:
    """The string argument of `@name(...)` (or `@@name` with block=True), if present."""
    for attr in attrs:
        if attr.name == name and attr.block == block and attr.args:
            value = attr.args[0]
            return value.value if isinstance(value, StringValue) else None
    return None


def has_attr(attrs: tuple[Attribute, ...], name: str) -> bool:
    return any(a.name == name and not a.block for a in attrs)


def literal_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return f'"{value}"'


class Schema:
    """Resolves type expressions against one project and knows which types recurse."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.alias_cycles = _cycles(project, TypeAliasDecl, self._alias_refs)
        self.recursive_aliases = {name for cycle in self.alias_cycles for name in cycle}
        self._alias_targets: dict[str, T] = {}
        self.class_cycles = _cycles(project, ClassDecl, self._class_refs)

    # ---- resolution ---------------------------------------------------------------------
    def resolve(self, t: TypeExpr) -> T:
        if isinstance(t, Primitive):
            return T("prim", t.name)
        if isinstance(t, Media):
            return T("media", t.kind)
        if isinstance(t, LiteralType):
            return T("lit", value=t.value)
        if isinstance(t, ListType):
            return T("list", args=(self.resolve(t.item),))
        if isinstance(t, MapType):
            return T("map", args=(self.resolve(t.key), self.resolve(t.value)))
        if isinstance(t, OptionalType):
            return _union([self.resolve(t.inner), NULL])
        if isinstance(t, UnionType):
            return _union([self.resolve(m) for m in t.members])
        if isinstance(t, TupleType):
            return T("tuple", args=tuple(self.resolve(i) for i in t.items))
        if isinstance(t, NamedType):
            return self._named(t.name)
        raise TypeError(f"not a type: {t!r}")

    def _named(self, name: str) -> T:
        decl = self.project.find(name)
        if isinstance(decl, ClassDecl):
            return T("class", name)
        if isinstance(decl, EnumDecl):
            return T("enum", name)
        if isinstance(decl, TypeAliasDecl):
            if name in self.recursive_aliases:
                return T("ralias", name)
            return self.resolve(decl.type)
        raise KeyError(name)

    def alias_target(self, name: str) -> T:
        """The body of a recursive alias (references to recursive aliases stay named)."""
        if name not in self._alias_targets:
            decl = self.project.find(name)
            assert isinstance(decl, TypeAliasDecl)
            self._alias_targets[name] = self.resolve(decl.type)
        return self._alias_targets[name]

    def alias_cycle(self, name: str) -> list[str]:
        for cycle in self.alias_cycles:
            if name in cycle:
                return cycle
        return [name]

    # ---- graph edges --------------------------------------------------------------------
    def _alias_refs(self, decl: TypeAliasDecl) -> set[str]:
        return {n for n in _names(decl.type)
                if isinstance(self.project.find(n), TypeAliasDecl)}

    def _class_refs(self, decl: ClassDecl) -> set[str]:
        out: set[str] = set()
        for field in decl.fields:
            self._collect_classes(field.type, out, set())
        return out

    def _collect_classes(self, t: TypeExpr, out: set[str], seen: set[str]) -> None:
        for name in _names(t):
            target = self.project.find(name)
            if isinstance(target, ClassDecl):
                out.add(name)
            elif isinstance(target, TypeAliasDecl) and name not in seen:
                seen.add(name)
                self._collect_classes(target.type, out, seen)


def _union(members: list[T]) -> T:
    """Members flattened and de-duplicated in order of first appearance, null last (as BAML
    does after expanding aliases: `type AB = A | B` then `AB | B` lists B once)."""
    flat: dict[str, T] = {}  # by key: 1 and true are different literals (1 == True in Python)
    has_null = False
    for m in members:
        for item in (m.args if m.kind == "union" else (m,)):
            if item == NULL:
                has_null = True
            else:
                flat.setdefault(item.key, item)
    return T("union", args=tuple(flat.values()) + ((NULL,) if has_null else ()))


def _names(t: TypeExpr) -> list[str]:
    if isinstance(t, NamedType):
        return [t.name]
    if isinstance(t, ListType):
        return _names(t.item)
    if isinstance(t, OptionalType):
        return _names(t.inner)
    if isinstance(t, MapType):
        return _names(t.key) + _names(t.value)
    if isinstance(t, UnionType):
        return [n for m in t.members for n in _names(m)]
    if isinstance(t, TupleType):
        return [n for m in t.items for n in _names(m)]
    return []


def _cycles(project: Project, kind: type, refs) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """Groups of declarations that recurse, members in declaration order."""
    decls = [d for d in project.program.decls if isinstance(d, kind)]
    order = {d.name: i for i, d in enumerate(decls)}
    graph = {d.name: refs(d) & order.keys() for d in decls}
    return sorted(find_cycles(graph), key=lambda c: order[c[0]])
