"""Cycles that make a type impossible to build: classes that require each other through
required fields, and aliases that expand into themselves. Recursion through `?`, lists, maps or
a union with a way out is fine."""

from __future__ import annotations

from ..diagnostics import Label
from ..ir import (
    ClassDecl,
    ListType,
    MapType,
    NamedType,
    OptionalType,
    Primitive,
    TypeAliasDecl,
    TypeExpr,
    UnionType,
)
from ..ir.graph import find_cycles
from .context import Context


def check(ctx: Context) -> None:
    class_graph = {c.name: _class_deps(ctx, c) for c in ctx.program.classes
                   if ctx.types.get(c.name) is c}
    for cycle in find_cycles(class_graph):
        _report(ctx, "class-cycle", "These classes form a dependency cycle",
                cycle_path(cycle, class_graph),
                "make one of the fields optional (`?`), a list or a map")
    alias_graph = {a.name: _alias_deps(ctx, a.type) for a in ctx.program.aliases
                   if ctx.types.get(a.name) is a}
    for cycle in find_cycles(alias_graph):
        _report(ctx, "alias-cycle", "These aliases form a dependency cycle",
                cycle_path(cycle, alias_graph),
                "an alias must expand to something else: go through a list or a map")


def cycle_path(component: list[str], graph: dict[str, set[str]]) -> list[str]:
    """The component as a path that follows the edges, from its first-declared member."""
    path = [component[0]]
    members = set(component)
    while True:
        successors = [n for n in component if n in graph.get(path[-1], ()) and n not in path]
        if not successors:
            return path
        path.append(successors[0])
        if len(path) == len(members):
            return path


def _report(ctx: Context, code: str, message: str, cycle: list[str], help_: str) -> None:
    shown = " -> ".join(cycle) if len(cycle) > 1 else f"{cycle[0]} -> {cycle[0]}"
    first = ctx.types[cycle[0]]
    related = [Label(ctx.types[n].name_span, f"`{n}` is part of the cycle", primary=False)
               for n in cycle[1:]]
    ctx.diags.error(code, f"{message}: {shown}", first.name_span, related=related, help=help_)


def _class_deps(ctx: Context, decl: ClassDecl) -> set[str]:
    deps: set[str] = set()
    for field in decl.fields:
        deps |= _required(ctx, decl.name, field.type, frozenset())
    return deps


def _required(ctx: Context, owner: str, t: TypeExpr, aliases: frozenset[str]) -> set[str]:
    """Classes that a value of type `t` (a field type of class `owner`) must contain."""
    if isinstance(t, (OptionalType, ListType, MapType)):
        return set()
    if isinstance(t, UnionType):
        parts = [_required(ctx, owner, m, aliases) for m in t.members]
        if any(not p for p in parts) or any(_is_null(m) for m in t.members):
            return set()
        deps = set().union(*parts)
        # As BAML does: a union that can also hold some other class does not count as the
        # owner depending on itself (`next Node | Leaf`); only `X | X` alone stays a cycle.
        if len(deps) > 1:
            deps.discard(owner)
        return deps
    if isinstance(t, NamedType):
        decl = ctx.types.get(t.name)
        if isinstance(decl, ClassDecl):
            return {t.name}
        if isinstance(decl, TypeAliasDecl) and t.name not in aliases:
            return _required(ctx, owner, decl.type, aliases | {t.name})
    return set()


def _is_null(t: TypeExpr) -> bool:
    return isinstance(t, Primitive) and t.name == "null"


def _alias_deps(ctx: Context, t: TypeExpr) -> set[str]:
    """Aliases that `t` expands into directly (not through a list or map)."""
    if isinstance(t, (OptionalType,)):
        return _alias_deps(ctx, t.inner)
    if isinstance(t, UnionType):
        return set().union(*(_alias_deps(ctx, m) for m in t.members))
    if isinstance(t, NamedType) and isinstance(ctx.types.get(t.name), TypeAliasDecl):
        return {t.name}
    return set()
