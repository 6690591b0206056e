"""Type nesting: a type that nests more than MAX_TYPE_DEPTH levels — counting every list, map,
union, optional, alias and class on the way in, recursion aside — is refused where it first
crosses the limit. Rendering, code generation and reply parsing walk types recursively; a
hostile file (2,000 `[]`, a chain of 1,000 aliases) would otherwise exhaust Python's stack
there instead of failing here, at its line. Real types nest a handful of levels; replies
nested deeper than 64 levels are refused by the reply parser anyway."""

from __future__ import annotations

from ..ir import ClassDecl, FunctionDecl, NamedType, TemplateStringDecl, TypeAliasDecl, TypeExpr
from ..ir.walk import children
from ..source import Span
from .context import Context

MAX_TYPE_DEPTH = 64
_VISITING = -1


def check(ctx: Context) -> None:
    depths = _named_depths(ctx)
    for decl in ctx.program.decls:
        if isinstance(decl, (ClassDecl, TypeAliasDecl)) and ctx.types.get(decl.name) is decl:
            types = [f.type for f in decl.fields] if isinstance(decl, ClassDecl) else [decl.type]
            if depths.get(decl.name, 0) > MAX_TYPE_DEPTH and _parts_within(types, depths):
                _report(ctx, f"`{decl.name}`", depths[decl.name], decl.name_span)
        elif isinstance(decl, (FunctionDecl, TemplateStringDecl)):
            types = [p.type for p in decl.params if p.type is not None]
            if isinstance(decl, FunctionDecl) and decl.return_type is not None:
                types.append(decl.return_type)
            for t in types:
                depth = expression_depth(t, depths)
                if depth > MAX_TYPE_DEPTH and _parts_within([t], depths):
                    _report(ctx, "this type", depth, t.span)


def _report(ctx: Context, what: str, depth: int, span: Span) -> None:
    ctx.diags.error("type-too-deep", f"{what} nests {depth} levels deep once its aliases and "
                    f"classes are expanded (the limit is {MAX_TYPE_DEPTH})", span,
                    help="flatten it: no real reply nests this deep")


def expression_depth(t: TypeExpr, depths: dict[str, int]) -> int:
    """The levels of `t`: each node one, a named type its own depth (at least one)."""
    if isinstance(t, NamedType):  # the common cases first: a name or a primitive
        return max(depths.get(t.name, 0), 1)
    if not children(t):
        return 1
    deepest = 0
    stack = [(t, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, NamedType):
            level += max(depths.get(node.name, 0), 1) - 1
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children(node))
    return deepest


def _parts_within(types: list[TypeExpr], depths: dict[str, int]) -> bool:
    """No named type inside `types` is too deep itself (so the error is reported once, where
    the limit is crossed, not again at every use)."""
    stack = list(types)
    while stack:
        node = stack.pop()
        if isinstance(node, NamedType) and depths.get(node.name, 0) > MAX_TYPE_DEPTH:
            return False
        stack.extend(children(node))
    return True


def _named_depths(ctx: Context) -> dict[str, int]:
    """The depth of every class and alias, computed without recursion (a chain of names can
    be as long as the file). A reference back to a type being computed (recursion) adds
    nothing: recursive types are printed by name, not expanded."""
    depths: dict[str, int] = {}
    for root in ctx.types:
        stack: list[tuple[str, bool]] = [(root, False)]
        while stack:
            name, finished = stack.pop()
            if finished:
                depths[name] = _own_depth(ctx, name, depths)
                continue
            if name in depths:
                continue
            depths[name] = _VISITING
            stack.append((name, True))
            stack.extend((ref, False) for ref in _references(ctx, name) if ref not in depths)
    return depths


def _parts(ctx: Context, name: str) -> list[TypeExpr]:
    decl = ctx.types.get(name)
    if isinstance(decl, ClassDecl):
        return [f.type for f in decl.fields]
    if isinstance(decl, TypeAliasDecl):
        return [decl.type]
    return []


def _references(ctx: Context, name: str) -> list[str]:
    found: list[str] = []
    stack = [t for t in _parts(ctx, name) if isinstance(t, NamedType) or children(t)]
    while stack:
        node = stack.pop()
        if isinstance(node, NamedType) and node.name in ctx.types:
            found.append(node.name)
        stack.extend(children(node))
    return found


def _own_depth(ctx: Context, name: str, depths: dict[str, int]) -> int:
    decl = ctx.types.get(name)
    inner = max((expression_depth(t, depths) for t in _parts(ctx, name)), default=0)
    return inner + 1 if isinstance(decl, (ClassDecl, TypeAliasDecl)) else 1
