"""What a prompt reads from its parameters and globals, checked against their types.

* `unknown-template-attribute` (error): `ctx.output_fromat`, `ctx.clinet`, `_.rol(...)`:
  vdsl's own globals have a fixed set of attributes, and a misspelt one renders as empty text
  (the output schema silently disappears) or fails at render time.
* `unknown-property` (warning, as BAML warns): `{{ person.nmae }}` where `person` is a class
  parameter (or a loop variable over a list of them) without that field; `Color.PURPLE`.
* `enum-string-comparison` (warning, as BAML warns): an enum compared with a string that is
  not one of its values (`c == "BLUE"`), or with a value's alias (`c == "verde"`): the test
  is never true.

A name assigned anywhere in the template (`{% set %}`, macro arguments) is not typed.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator

from jinja2 import nodes

from ..ir import ClassDecl, EnumDecl, TypeAliasDecl
from ..ir.types import ListType, NamedType, OptionalType, TypeExpr, UnionType
from ..source import Span
from .context import Context

__all__ = ["check_types"]

CTX_ATTRIBUTES = ("output_format", "client", "tags")
CLIENT_ATTRIBUTES = ("name", "provider", "default_role", "allowed_roles")
HELPER_ATTRIBUTES = ("role", "chat", "suffix")
_BUILTIN = {"ctx": ("ctx", CTX_ATTRIBUTES), "ctx.client": ("ctx.client", CLIENT_ATTRIBUTES),
            "_": ("_", HELPER_ATTRIBUTES)}
_MAX_DEPTH = 40


class _Global:
    """A vdsl global (`ctx`, `ctx.client`, `_`) or an enum type (`Color`)."""

    def __init__(self, path: str, attributes: tuple[str, ...], enum: EnumDecl | None = None):
        self.path = path
        self.attributes = attributes
        self.enum = enum


Typed = TypeExpr | _Global


def check_types(ctx: Context, ast: nodes.Template, params: dict[str, TypeExpr],
                line: Callable[[int | None, str], Span]) -> None:
    """`line(lineno, text)` is where `text` stands on a template line (or the whole line)."""
    loaded, assigned = _names(ast)
    scope: dict[str, Typed] = {n: t for n, t in params.items() if n not in assigned}
    for name in ("ctx", "_"):
        if name not in assigned and name not in params:
            scope[name] = _Global(*_BUILTIN[name])
    for name in loaded - assigned - set(params):  # enum types the template names (`Color`)
        decl = ctx.types.get(name)
        if isinstance(decl, EnumDecl):
            scope[name] = _Global(name, tuple(v.name for v in decl.values), decl)
    _Walk(ctx, line, assigned).visit(ast, scope, 0)


def _names(ast: nodes.Template) -> tuple[set[str], set[str]]:
    """(names read, names assigned) anywhere in the template."""
    loaded: set[str] = set()
    assigned: set[str] = set()
    for node in ast.find_all(nodes.Name):
        (assigned if node.ctx in ("store", "param") else loaded).add(node.name)
    assigned |= {m.name for m in ast.find_all(nodes.Macro)}
    return loaded, assigned


class _Walk:
    def __init__(self, ctx: Context, line: Callable[[int | None, str], Span],
                 assigned: set[str]) -> None:
        self.ctx = ctx
        self.line = line
        self.assigned = assigned

    def visit(self, node: nodes.Node, scope: dict[str, Typed], depth: int) -> None:
        if depth > _MAX_DEPTH:
            return
        if isinstance(node, nodes.For):
            self._for(node, scope, depth)
            return
        if isinstance(node, nodes.Getattr):
            self._getattr(node, scope)
        elif isinstance(node, nodes.Compare):
            self._compare(node, scope)
        for child in node.iter_child_nodes():
            self.visit(child, scope, depth + 1)

    def _for(self, node: nodes.For, scope: dict[str, Typed], depth: int) -> None:
        self.visit(node.iter, scope, depth + 1)
        inner = dict(scope)
        item = _item_type(self.type_of(node.iter, scope), self.ctx)
        if isinstance(node.target, nodes.Name) and item is not None:
            inner[node.target.name] = item
        for child in (*node.body, *([node.test] if node.test is not None else [])):
            self.visit(child, inner, depth + 1)
        for child in node.else_:
            self.visit(child, scope, depth + 1)

    # ---- types of expressions ----------------------------------------------------------

    def type_of(self, node: nodes.Node, scope: dict[str, Typed]) -> Typed | None:
        if isinstance(node, nodes.Name):
            return scope.get(node.name)
        if isinstance(node, nodes.Getattr):
            owner = self.type_of(node.node, scope)
            if isinstance(owner, _Global):
                inner = _BUILTIN.get(f"{owner.path}.{node.attr}")
                return _Global(*inner) if inner else None
            field = _field(owner, node.attr, self.ctx)
            return field.type if field is not None else None
        return None

    # ---- attributes --------------------------------------------------------------------

    def _getattr(self, node: nodes.Getattr, scope: dict[str, Typed]) -> None:
        owner = self.type_of(node.node, scope)
        if isinstance(owner, _Global):
            self._global_attr(node, owner)
            return
        classes = list(_classes(owner, self.ctx))
        if not classes or any(c is None for c in classes):
            return  # not (only) classes: a list, a primitive, an unknown name
        decls = [c for c in classes if c is not None]
        if any(f.name == node.attr for c in decls for f in c.fields):
            return
        fields = sorted({f.name for c in decls for f in c.fields})
        close = difflib.get_close_matches(node.attr, fields, n=1)
        aliased = [f.name for c in decls for f in c.fields if _alias(f) == node.attr]
        help_ = (f"`{node.attr}` is the alias of `{aliased[0]}`; templates use field names"
                 if aliased else f"did you mean `{close[0]}`?" if close
                 else "fields: " + ", ".join(f"`{f}`" for f in fields))
        what = " | ".join(c.name for c in decls)
        self.ctx.diags.warning("unknown-property", f"class {what} ({_expr(node.node)}) has no "
                               f"property `{node.attr}`; it renders as empty text",
                               self.line(node.lineno, f".{node.attr}"), label="unknown property",
                               help=help_)

    def _global_attr(self, node: nodes.Getattr, owner: _Global) -> None:
        if node.attr in owner.attributes:
            return
        close = difflib.get_close_matches(node.attr, owner.attributes, n=1, cutoff=0.5)
        help_ = (f"did you mean `{owner.path}.{close[0]}`? " if close else "") + \
            f"`{owner.path}` has: " + ", ".join(owner.attributes)
        if owner.enum is not None:
            self.ctx.diags.warning("unknown-property", f"enum {owner.path} has no value "
                                   f"`{node.attr}`; it renders as empty text",
                                   self.line(node.lineno, f"{owner.path}.{node.attr}"),
                                   label="unknown value", help=help_)
            return
        self.ctx.diags.error("unknown-template-attribute", f"`{owner.path}.{node.attr}` does "
                             "not exist", self.line(node.lineno, f".{node.attr}"),
                             label="unknown attribute", help=help_)

    # ---- enum comparisons ----------------------------------------------------------------

    def _compare(self, node: nodes.Compare, scope: dict[str, Typed]) -> None:
        left = node.expr
        for operand in node.ops:
            right = operand.expr
            if operand.op in ("eq", "ne"):
                self._enum_vs_string(left, right, scope, node.lineno)
                self._enum_vs_string(right, left, scope, node.lineno)
            elif operand.op in ("in", "notin") and isinstance(right, (nodes.List, nodes.Tuple)):
                for item in right.items:
                    self._enum_vs_string(left, item, scope, node.lineno)
            left = right

    def _enum_vs_string(self, side: nodes.Node, other: nodes.Node, scope: dict[str, Typed],
                        lineno: int) -> None:
        if not (isinstance(other, nodes.Const) and isinstance(other.value, str)):
            return
        enum = _enum(self.type_of(side, scope), self.ctx)
        if enum is None:
            return
        text = other.value
        names = [v.name for v in enum.values]
        if text in names:
            return
        by_alias = [v.name for v in enum.values if _alias(v) == text]
        by_case = [n for n in names if n.lower() == text.lower()]
        if by_alias:
            help_ = f'enums compare by value name, not alias: use "{by_alias[0]}"'
        elif by_case:
            help_ = f'the comparison is case-sensitive: use "{by_case[0]}"'
        else:
            help_ = "values: " + ", ".join(names)
        self.ctx.diags.warning(
            "enum-string-comparison", f'{_expr(side)} (enum {enum.name}) is compared with "{text}", '
            f"which is not one of its values; the test is never true",
            self.line(lineno, f'"{text}"'), label="never equal", help=help_)


def _resolve(t: TypeExpr | None, ctx: Context, depth: int = 0) -> TypeExpr | None:
    """Follow type aliases and strip `?`."""
    while t is not None and depth < 20:
        depth += 1
        alias = ctx.types.get(t.name) if isinstance(t, NamedType) else None
        if isinstance(t, OptionalType):
            t = t.inner
        elif isinstance(alias, TypeAliasDecl):
            t = alias.type
        else:
            return t
    return t


def _classes(t: Typed | None, ctx: Context) -> Iterator[ClassDecl | None]:
    """The classes a value of type `t` may be (None for a member that is not a class)."""
    if t is None or isinstance(t, _Global):
        return
    resolved = _resolve(t, ctx)
    members = resolved.members if isinstance(resolved, UnionType) else (resolved,)
    for member in members:
        member = _resolve(member, ctx)
        decl = ctx.types.get(member.name) if isinstance(member, NamedType) else None
        if member is not None and _is_null(member):
            continue
        yield decl if isinstance(decl, ClassDecl) else None


def _is_null(t: TypeExpr) -> bool:
    return getattr(t, "name", None) == "null"


def _enum(t: Typed | None, ctx: Context) -> EnumDecl | None:
    if t is None or isinstance(t, _Global):
        return None
    resolved = _resolve(t, ctx)
    decl = ctx.types.get(resolved.name) if isinstance(resolved, NamedType) else None
    return decl if isinstance(decl, EnumDecl) else None


def _field(owner: Typed | None, name: str, ctx: Context):  # type: ignore[no-untyped-def]
    decls = [c for c in _classes(owner, ctx) if c is not None]
    fields = [f for c in decls for f in c.fields if f.name == name]
    return fields[0] if len(decls) == 1 and fields else None


def _item_type(t: Typed | None, ctx: Context) -> TypeExpr | None:
    if t is None or isinstance(t, _Global):
        return None
    resolved = _resolve(t, ctx)
    return resolved.item if isinstance(resolved, ListType) else None


def _alias(item: object) -> str | None:
    for attr in getattr(item, "attrs", ()):
        if attr.name == "alias" and attr.args:
            value = getattr(attr.args[0], "value", None)
            return value if isinstance(value, str) else None
    return None


def _expr(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_expr(node.node)}.{node.attr}"
    return "the value"
