"""Types: every named type resolves, map keys are legal, media stays out of outputs, tuples are
rejected, and `@skip` fields are optional."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from ..ir import (
    MEDIA,
    PRIMITIVES,
    ClassDecl,
    EnumDecl,
    FunctionDecl,
    LiteralType,
    MapType,
    Media,
    NamedType,
    OptionalType,
    Primitive,
    TemplateStringDecl,
    TestDecl,
    TupleType,
    TypeAliasDecl,
    TypeExpr,
    UnionType,
)
from ..ir.walk import iter_types
from .context import Context


def check(ctx: Context) -> None:
    for decl in ctx.program.decls:
        if isinstance(decl, (ClassDecl, EnumDecl)) and decl.dynamic:
            ctx.diags.error("misplaced-dynamic", f"`dynamic {decl.kind}` is only allowed inside a "
                            "test's `type_builder`", decl.name_span,
                            help=f"declare `{decl.kind} {decl.name} {{ … }}` with `@@dynamic`, and "
                                 "extend it in a test's type_builder")
        if isinstance(decl, ClassDecl):
            _check_class(ctx, decl, ctx.types)
        elif isinstance(decl, TypeAliasDecl):
            check_type(ctx, decl.type, ctx.types)
        elif isinstance(decl, FunctionDecl):
            for param in decl.params:
                if param.type is not None:
                    check_type(ctx, param.type, ctx.types)
            if decl.return_type is not None and check_type(ctx, decl.return_type, ctx.types):
                _check_output(ctx, decl)
        elif isinstance(decl, TemplateStringDecl):
            for param in decl.params:
                if param.type is not None:
                    check_type(ctx, param.type, ctx.types)
        elif isinstance(decl, TestDecl) and decl.type_builder is not None:
            _check_type_builder(ctx, decl)


def _check_class(ctx: Context, decl: ClassDecl, scope: Mapping[str, object]) -> None:
    for field in decl.fields:
        check_type(ctx, field.type, scope)
        if any(a.name == "skip" for a in field.attrs) and not is_optional(field.type, ctx):
            ctx.diags.error(
                "skip-requires-optional",
                f"Class field `{field.name}` with @skip attribute must be optional", field.span,
                help=f"make it optional: `{field.name} <type>?`")


def check_type(ctx: Context, t: TypeExpr, scope: Mapping[str, object]) -> bool:
    """Report unknown names, bad map keys and tuples in `t`; True when it is all valid."""
    ok = True
    for node in iter_types(t):
        if isinstance(node, NamedType):
            if node.name not in scope and node.name != "<missing>" \
                    and node.name not in ctx.program.broken_names:
                ok = False
                _unknown_type(ctx, node, scope)
        elif isinstance(node, MapType):
            if not _valid_key(ctx, node.key, scope, set()):
                ok = False
                ctx.diags.error("map-key-type",
                                "Maps may only have strings, enums or literal strings as keys",
                                node.key.span, help="e.g. `map<string, int>`")
        elif isinstance(node, TupleType):
            ok = False
            ctx.diags.error("unsupported-type", "tuple types are not supported", node.span,
                            help="use a class with named fields, or a list")
    return ok


def _unknown_type(ctx: Context, node: NamedType, scope: Mapping[str, object]) -> None:
    candidates = list(PRIMITIVES) + list(MEDIA) + ["true", "false"] + sorted(scope)
    close = difflib.get_close_matches(node.name, candidates, n=3, cutoff=0.6)
    if not close:
        close = [c for c in candidates if c.lower() == node.name.lower()]
    help_ = ("did you mean " + ", ".join(f"`{c}`" for c in close) + "?") if close else (
        "declare it with `class " + node.name + " { … }` or `enum " + node.name + " { … }`")
    ctx.diags.error("unknown-type", f"Type `{node.name}` does not exist", node.span,
                    label="not defined", help=help_)


def _valid_key(ctx: Context, t: TypeExpr, scope: Mapping[str, object], seen: set[str]) -> bool:
    if isinstance(t, Primitive):
        return t.name == "string"
    if isinstance(t, LiteralType):
        return isinstance(t.value, str)
    if isinstance(t, UnionType):
        return all(_valid_key(ctx, m, scope, seen) for m in t.members)
    if isinstance(t, NamedType):
        decl = scope.get(t.name)
        if isinstance(decl, EnumDecl):
            return True
        if isinstance(decl, TypeAliasDecl) and t.name not in seen:
            return _valid_key(ctx, decl.type, scope, seen | {t.name})
        return decl is None  # unknown names are reported once, as unknown types
    return False


def is_optional(t: TypeExpr, ctx: Context, seen: frozenset[str] = frozenset()) -> bool:
    if isinstance(t, OptionalType):
        return True
    if isinstance(t, Primitive):
        return t.name == "null"
    if isinstance(t, UnionType):
        return any(is_optional(m, ctx, seen) for m in t.members)
    if isinstance(t, NamedType) and t.name not in seen:
        decl = ctx.types.get(t.name)
        if isinstance(decl, TypeAliasDecl):
            return is_optional(decl.type, ctx, seen | {t.name})
    return False


def _check_output(ctx: Context, fn: FunctionDecl) -> None:
    """Media cannot be returned: look through the return type, its classes and aliases."""
    assert fn.return_type is not None
    stack: list[TypeExpr] = [fn.return_type]
    visited: set[str] = set()
    while stack:
        for node in iter_types(stack.pop()):
            if isinstance(node, Media):
                ctx.diags.error("media-in-output",
                                f"type '{node.kind}' is not supported in outputs",
                                fn.return_type.span,
                                help=f"`{fn.name}` returns a type that contains `{node.kind}`; "
                                     "media can only be a parameter")
                return
            if isinstance(node, NamedType) and node.name not in visited:
                visited.add(node.name)
                decl = ctx.types.get(node.name)
                if isinstance(decl, ClassDecl):
                    stack.extend(f.type for f in decl.fields)
                elif isinstance(decl, TypeAliasDecl):
                    stack.append(decl.type)


def _check_type_builder(ctx: Context, test: TestDecl) -> None:
    builder = test.type_builder
    assert builder is not None
    scope: dict[str, object] = dict(ctx.types)
    for decl in (*builder.classes, *builder.enums, *builder.aliases):
        extends = isinstance(decl, (ClassDecl, EnumDecl)) and decl.dynamic
        if not extends:
            if decl.name in ctx.types:
                ctx.diags.error("duplicate-name",
                                f"`{decl.name}` already exists; extend it with "
                                f"`dynamic {decl.kind} {decl.name} {{ … }}`", decl.name_span)
            scope[decl.name] = decl
    extensions: list[ClassDecl | EnumDecl] = [*builder.classes, *builder.enums]
    for ext in extensions:
        if not ext.dynamic:
            continue
        target = ctx.types.get(ext.name)
        if not isinstance(target, (ClassDecl, EnumDecl)) or type(target) is not type(ext):
            ctx.diags.error("unknown-type", f"`dynamic {ext.kind} {ext.name}` extends a "
                            f"{ext.kind} that does not exist", ext.name_span)
        elif not any(a.name == "dynamic" for a in target.attrs):
            ctx.diags.error("not-dynamic", f"{ext.kind} `{ext.name}` is not marked @@dynamic",
                            ext.name_span, help=f"add `@@dynamic` to {ext.kind} `{ext.name}` "
                            "to extend it in tests")
    for cls in builder.classes:
        _check_class(ctx, cls, scope)
    for alias in builder.aliases:
        check_type(ctx, alias.type, scope)


# Used by `dynamic` for run-time type builders.
check_type_builder = _check_type_builder
