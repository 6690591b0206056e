"""Dynamic types: what a test's `type_builder { … }` (or a run-time `TypeBuilder`) adds must
fit the project it extends.

`types` and `attributes` check a block's types and attributes on their own; this pass checks
the block against the project once merged: a name declared twice in the block, a field or
value the extended class or enum already has, and dependency cycles the additions create
(BAML: "These classes form a dependency cycle"). `check_builder` runs every check for one
block; the runtime uses it for `TypeBuilder`s, so a bad one fails before any request.
"""

from __future__ import annotations

from ..diagnostics import Diagnostics, Label
from ..ir import (
    ClassDecl,
    EnumDecl,
    NamedType,
    Program,
    TestDecl,
    TypeAliasDecl,
    TypeBuilder,
)
from ..ir.walk import iter_types
from ..source import Span
from . import attributes, cycles, names, types
from .context import Context

__all__ = ["check", "check_builder"]


def check(ctx: Context) -> None:
    for test in ctx.program.tests:
        if test.type_builder is not None:
            _check_block(ctx, test.type_builder, case_exempt=None)


def check_builder(ctx: Context, test: TestDecl, *, case_exempt: str | None = None) -> None:
    """Every check `vdsl check` runs on `test`'s type builder (a test block, or one made for
    a run-time TypeBuilder). Names declared in file `case_exempt` skip the capitalisation
    rules, which BAML enforces in `.baml` text but not on names given to its TypeBuilder in
    code."""
    types.check_type_builder(ctx, test)
    attributes.check_test(ctx, test)
    assert test.type_builder is not None
    _check_block(ctx, test.type_builder, case_exempt=case_exempt)


def _check_block(ctx: Context, builder: TypeBuilder, *, case_exempt: str | None) -> None:
    decls = (*builder.classes, *builder.enums, *builder.aliases)
    seen: dict[tuple[bool, str], Span] = {}
    for decl in decls:
        dynamic = isinstance(decl, (ClassDecl, EnumDecl)) and decl.dynamic
        if not dynamic and decl.name_span.file != case_exempt:
            names.check_case(ctx, decl)
        key = (dynamic, decl.name)
        if key in seen or (not dynamic and (True, decl.name) in seen):
            _redefined(ctx, decl.kind, decl.name, decl.name_span, seen.get(key))
        seen.setdefault(key, decl.name_span)
        if isinstance(decl, ClassDecl):
            names.unique_members(ctx, [(f.name, f.name_span) for f in decl.fields], "field",
                                 decl)
            if dynamic:
                _already_there(ctx, decl)
        elif isinstance(decl, EnumDecl):
            names.unique_members(ctx, [(v.name, v.span) for v in decl.values], "value", decl)
            if dynamic:
                _already_there(ctx, decl)
    _check_cycles(ctx, builder)


def _redefined(ctx: Context, kind: str, name: str, span: Span, first: Span | None) -> None:
    ctx.diags.error("duplicate-name", f'The {kind} "{name}" cannot be re-defined because a '
                    f"{kind} with that name already exists", span,
                    related=[Label(first, "first defined here", primary=False)] if first else [],
                    help="declare each type once per type_builder")


def _already_there(ctx: Context, ext: ClassDecl | EnumDecl) -> None:
    """A `dynamic` block may add members, not redeclare ones the project has (BAML accepts it
    silently and renders the field twice)."""
    base = ctx.types.get(ext.name)
    if isinstance(ext, ClassDecl) and isinstance(base, ClassDecl):
        have = {f.name for f in base.fields}
        for f in ext.fields:
            if f.name in have:
                ctx.diags.error("duplicate-field", f"class `{ext.name}` already has a field "
                                f"`{f.name}`", f.name_span, help="a dynamic class can add "
                                "fields, not change the ones it declares")
    elif isinstance(ext, EnumDecl) and isinstance(base, EnumDecl):
        have = {v.name for v in base.values}
        for v in ext.values:
            if v.name in have:
                ctx.diags.error("duplicate-value", f"enum `{ext.name}` already has a value "
                                f"`{v.name}`", v.span)


def _adds_edges(ctx: Context, builder: TypeBuilder) -> bool:
    new = {d.name for d in (*builder.classes, *builder.aliases)}
    types = [f.type for c in builder.classes for f in c.fields] + [
        a.type for a in builder.aliases]
    for t in types:
        for node in iter_types(t):
            if isinstance(node, NamedType) and (node.name in new or isinstance(
                    ctx.types.get(node.name), (ClassDecl, TypeAliasDecl))):
                return True
    return False


def _check_cycles(ctx: Context, builder: TypeBuilder) -> None:
    """Cycles in the merged project. The project alone has none, so every cycle found goes
    through something the block adds; it is reported there."""
    from ..typebuilder.overlay import Extension, merged_decls

    if not _adds_edges(ctx, builder):
        return  # only primitives and enums added: no new way for a class to need itself
    merged = Program(merged_decls(ctx.program.decls, Extension(builder)),
                     set(ctx.program.broken_names))
    scratch = Context(merged, Diagnostics(), ctx.sources)
    cycles.check(scratch)
    added: dict[str, Span] = {}
    for decl in (*builder.classes, *builder.aliases):
        added.setdefault(decl.name, decl.name_span)
    for found in scratch.diags:
        members = [m for m in found.message.rpartition(": ")[2].split(" -> ") if m in added]
        if members:
            ctx.diags.error(found.code, found.message, added[members[0]], help=found.help)

