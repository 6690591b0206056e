"""Names: BAML's capitalisation rules, reserved names, and duplicates across kinds and files."""

from __future__ import annotations

import re

from ..diagnostics import Label
from ..ir import (
    ClassDecl,
    ClientDecl,
    Decl,
    EnumDecl,
    FunctionDecl,
    GeneratorDecl,
    Param,
    RetryPolicyDecl,
    TemplateStringDecl,
    TestDecl,
    TypeAliasDecl,
    ValueBlock,
)
from ..source import Span
from .context import Context
from .keywords import FIELD_KEYWORDS

_UPPERCASE_KINDS = (ClassDecl, EnumDecl, FunctionDecl, ClientDecl, TemplateStringDecl,
                    TypeAliasDecl, RetryPolicyDecl)
RESERVED = {"BamlClient", "env", "VdslClient"}
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def check(ctx: Context) -> None:
    seen: dict[str, Decl] = {}
    seen_local: dict[tuple[str, str], Decl] = {}
    seen_tests: dict[tuple[str, str], TestDecl] = {}
    for decl in ctx.program.decls:
        _check_case(ctx, decl)
        if isinstance(decl, TestDecl):
            _check_test_name(ctx, decl, seen_tests)
        elif isinstance(decl, GeneratorDecl):
            key = (decl.kind, decl.name)
            if key in seen_local:
                _duplicate(ctx, decl, seen_local[key])
            else:
                seen_local[key] = decl
        elif decl.name in seen:
            _duplicate(ctx, decl, seen[decl.name])
        else:
            seen[decl.name] = decl
        if isinstance(decl, ClassDecl):
            _unique(ctx, [(f.name, f.name_span) for f in decl.fields], "field", decl)
            _check_field_names(ctx, decl)
        elif isinstance(decl, EnumDecl):
            _check_enum_values(ctx, decl)
        if isinstance(decl, (FunctionDecl, TemplateStringDecl)):
            _check_params(ctx, decl.params, decl)
        if isinstance(decl, ValueBlock):
            _unique(ctx, [(e.key, e.key_span) for e in decl.entries], "entry", decl)


def _check_case(ctx: Context, decl: Decl) -> None:
    if decl.name in RESERVED:
        ctx.diags.error("reserved-name", f"`{decl.name}` is a reserved name", decl.name_span,
                        help="choose another name")
        return
    if not _NAME.fullmatch(decl.name):
        _invalid_name(ctx, decl.kind, decl.name, decl.name_span)
        return
    if isinstance(decl, _UPPERCASE_KINDS) and not decl.name[:1].isupper():
        ctx.diags.error("name-case",
                        f"{decl.kind} name `{decl.name}` must start with an uppercase letter",
                        decl.name_span, help=f"rename it `{decl.name[:1].upper()}{decl.name[1:]}`")


def _check_test_name(ctx: Context, test: TestDecl,
                     seen: dict[tuple[str, str], TestDecl]) -> None:
    """Test names are unique per function (BAML): `test T` may exist once for `A` and once for
    `B`, but two tests `T` that both list `A` clash."""
    for function, span in test.function_names:
        key = (test.name, function)
        first = seen.get(key)
        if first is None:
            seen[key] = test
            continue
        ctx.diags.error(
            "duplicate-name", f'Test "{test.name}" is already defined for function "{function}"',
            span, label="defined again here",
            related=[Label(first.name_span, "first defined here", primary=False)],
            help="rename one of the tests")


def _duplicate(ctx: Context, decl: Decl, first: Decl) -> None:
    ctx.diags.error(
        "duplicate-name",
        f'The {decl.kind} "{decl.name}" cannot be re-defined because a {first.kind} with that '
        f"name already exists",
        decl.name_span, label="defined again here",
        related=[Label(first.name_span, f"first defined as a {first.kind}", primary=False)])


def _invalid_name(ctx: Context, kind: str, name: str, span: Span) -> None:
    fixed = re.sub(r"[^A-Za-z0-9_]", "_", name).lstrip("_0123456789") or "Name"
    ctx.diags.error("invalid-name", f"{kind} name `{name}` may hold only letters, digits and `_`, "
                    "starting with a letter", span, help=f"e.g. `{fixed}`")


def _check_field_names(ctx: Context, decl: ClassDecl) -> None:
    for field in decl.fields:
        if not _NAME.fullmatch(field.name):
            _invalid_name(ctx, "field", field.name, field.name_span)
        elif field.name in FIELD_KEYWORDS or field.name in RESERVED:
            ctx.diags.error("reserved-name", f"field name `{field.name}` is a keyword BAML "
                            "reserves", field.name_span,
                            help=f"rename it and keep the name on the wire: `{field.name}_ "
                                 f"<type> @alias(\"{field.name}\")`")


def _check_enum_values(ctx: Context, decl: EnumDecl) -> None:
    _unique(ctx, [(v.name, v.span) for v in decl.values], "value", decl)
    for value in decl.values:
        if not _NAME.fullmatch(value.name):
            _invalid_name(ctx, "enum value", value.name, value.span)
        elif not value.name[:1].isupper():
            ctx.diags.error("name-case",
                            f"enum value `{value.name}` must start with an uppercase letter",
                            value.span, help="enum values are written in capitals, e.g. `POSITIVE`")


def _check_params(ctx: Context, params: tuple[Param, ...], decl: Decl) -> None:
    _unique(ctx, [(p.name, p.span) for p in params], "parameter", decl)


def _unique(ctx: Context, items: list[tuple[str, object]], what: str, decl: Decl) -> None:
    seen: dict[str, object] = {}
    for name, span in items:
        if name in seen:
            ctx.diags.error(f"duplicate-{what}",
                            f"{what} `{name}` is defined twice in {decl.kind} `{decl.name}`",
                            span,  # type: ignore[arg-type]
                            related=[Label(seen[name], "first defined here",  # type: ignore[arg-type]
                                           primary=False)])
        else:
            seen[name] = span


# Used by `dynamic` for the declarations of a type_builder block.
check_case = _check_case
unique_members = _unique
