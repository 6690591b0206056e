"""Attributes: known names per place, argument shapes, and at most one of each (constraints
excepted). Places: class fields, class/enum blocks, enum values, type aliases, parameter types,
test blocks, and test `type_builder` types."""

from __future__ import annotations

from collections.abc import Iterable

from ..ir import (
    Attribute,
    ClassDecl,
    EnumDecl,
    FunctionDecl,
    JinjaExpr,
    NamedType,
    StringValue,
    TemplateStringDecl,
    TestDecl,
    TypeAliasDecl,
    TypeExpr,
    ValueBlock,
)
from ..ir.walk import iter_types
from .context import Context

FIELD = {"alias", "description", "skip", "check", "assert", "stream.done", "stream.not_null",
         "stream.with_state"}
BLOCK = {"alias", "description", "dynamic", "check", "assert", "stream.done", "stream.not_null"}
ENUM_VALUE = {"alias", "description", "skip"}
CONSTRAINTS = {"check", "assert"}
_NO_ARGS = {"skip", "dynamic", "stream.done", "stream.not_null", "stream.with_state"}
_ONE_STRING = {"alias", "description"}


def check(ctx: Context) -> None:
    for decl in ctx.program.decls:
        if isinstance(decl, ClassDecl):
            _check_class(ctx, decl, in_builder=False)
        elif isinstance(decl, EnumDecl):
            _check_enum(ctx, decl, in_builder=False)
        elif isinstance(decl, TypeAliasDecl):
            _check_alias(ctx, decl)
        elif isinstance(decl, (FunctionDecl, TemplateStringDecl)):
            _check_params(ctx, decl)
        if isinstance(decl, TestDecl):
            _check_test(ctx, decl)
        elif isinstance(decl, ValueBlock):
            _no_attributes(ctx, decl)


def _check_class(ctx: Context, decl: ClassDecl, in_builder: bool) -> None:
    _check_set(ctx, decl.attrs, BLOCK, "a class", in_builder)
    for field in decl.fields:
        _check_set(ctx, field.attrs, FIELD, "a class field", in_builder)
        _check_nested(ctx, field.type, in_builder)


def _check_enum(ctx: Context, decl: EnumDecl, in_builder: bool) -> None:
    _check_set(ctx, decl.attrs, BLOCK - {"stream.done", "stream.not_null"}, "an enum",
               in_builder)
    for value in decl.values:
        _check_set(ctx, value.attrs, ENUM_VALUE, "an enum value", in_builder)


def _check_alias(ctx: Context, decl: TypeAliasDecl) -> None:
    for attr in decl.type.attrs:
        if attr.name not in CONSTRAINTS:
            ctx.diags.error("attribute-not-allowed",
                            "type aliases may only have @check and @assert attributes", attr.span)
        else:
            _check_args(ctx, attr)
    _check_nested(ctx, decl.type, False, skip_root=True)


def _check_params(ctx: Context, decl: FunctionDecl | TemplateStringDecl) -> None:
    """BAML refuses parameter types holding a `@check` (directly, or in a field of a class or in
    an alias they use); `@assert` on a parameter is fine: it is checked when the call is made."""
    for param in decl.params:
        if param.type is None:
            continue
        direct = False
        for node in iter_types(param.type):
            for attr in node.attrs:
                if attr.name == "check":
                    direct = True
                    ctx.diags.error("constraint-in-parameter",
                                    "types with `@check` may not be function parameters",
                                    attr.span, help="check the output instead, or use `@assert` "
                                    "on the parameter")
                elif attr.name == "assert":
                    _check_args(ctx, attr)
                else:
                    _check_set(ctx, (attr,), FIELD, "a parameter type", False)
        if not direct:
            via = _nested_check(ctx, param.type, set())
            if via is not None:  # BAML: "Types with checks are not allowed as function parameters"
                ctx.diags.error("constraint-in-parameter",
                                  f"the type of parameter `{param.name}` holds a `@check` "
                                  f"({via}); BAML refuses types with checks as function "
                                  "parameters", param.type.span,
                                  help="use `@assert` there instead, or check the output")


def _nested_check(ctx: Context, t: TypeExpr, visited: set[str]) -> str | None:
    """Where a `@check` hides behind the classes and aliases `t` names, or None."""
    for node in iter_types(t):
        if any(a.name == "check" for a in node.attrs):
            return "in its type"
        if not isinstance(node, NamedType) or node.name in visited:
            continue
        visited.add(node.name)
        target = ctx.types.get(node.name)
        if isinstance(target, TypeAliasDecl):
            inner = _nested_check(ctx, target.type, visited)
            if inner is not None:
                return f"alias `{target.name}`" if inner == "in its type" else inner
        elif isinstance(target, ClassDecl):
            for field in target.fields:
                if any(a.name == "check" for a in field.attrs):
                    return f"field `{field.name}` of class `{target.name}`"
                inner = _nested_check(ctx, field.type, visited)
                if inner is not None:
                    return (f"field `{field.name}` of class `{target.name}`"
                            if inner == "in its type" else inner)
    return None


def _check_nested(ctx: Context, t: TypeExpr, in_builder: bool, skip_root: bool = False) -> None:
    for node in iter_types(t):
        if skip_root and node is t:
            continue
        if node.attrs:
            _check_set(ctx, node.attrs, FIELD, "a type", in_builder)


def _check_test(ctx: Context, test: TestDecl) -> None:
    for attr in test.block_attrs:
        if attr.name == "skip":  # vdsl's own (`vdsl test` skips the test); BAML refuses it
            if len(attr.args) > 1 or not all(isinstance(a, StringValue) for a in attr.args):
                ctx.diags.error("attribute-arguments", "`@@skip` takes no argument or one "
                                "string (the reason)", attr.span, help='e.g. `@@skip("flaky")`')
        elif attr.name not in CONSTRAINTS:
            _unknown(ctx, attr, "a test block (only `@@check`, `@@assert` and `@@skip`)")
        else:
            _check_args(ctx, attr)
    for entry in test.entries:
        for attr in entry.attrs:
            ctx.diags.error("attribute-not-allowed",
                            f"`@{attr.name}` is not allowed on a test field; use `@@{attr.name}` "
                            "on the test block", attr.span)
    if test.type_builder is not None:
        for cls in test.type_builder.classes:
            _check_class(ctx, cls, in_builder=True)
        for enum in test.type_builder.enums:
            _check_enum(ctx, enum, in_builder=True)


def _no_attributes(ctx: Context, block: ValueBlock) -> None:
    attrs = list(block.block_attrs) + [a for e in block.entries for a in e.attrs]
    for attr in attrs:
        ctx.diags.error("attribute-not-allowed",
                        f"`{attr.display}` is not allowed in a {block.kind} block", attr.span)


def _check_set(ctx: Context, attrs: Iterable[Attribute], allowed: set[str], where: str,
               in_builder: bool) -> None:
    seen: set[str] = set()
    for attr in attrs:
        if in_builder and attr.name in CONSTRAINTS:
            ctx.diags.error("attribute-not-allowed",
                            f"The `@{attr.name}` attribute is not allowed in type_builder blocks",
                            attr.span)
            continue
        if attr.name not in allowed:
            _unknown(ctx, attr, where)
            continue
        if attr.name not in CONSTRAINTS:
            if attr.name in seen:
                ctx.diags.error("duplicate-attribute",
                                f'Attribute "@{attr.name}" can only be defined once', attr.span)
            seen.add(attr.name)
        _check_args(ctx, attr)


def _check_jinja(ctx: Context, attr: Attribute, expr: JinjaExpr) -> None:
    """A constraint's `{{ … }}` must be a Jinja expression that parses (BAML: hard error)."""
    from jinja2 import TemplateSyntaxError

    from .prompts import jinja_env  # Jinja is imported only when there is Jinja to check
    try:
        jinja_env().parse("{{" + expr.source + "}}")
    except TemplateSyntaxError as exc:
        ctx.diags.error("jinja-syntax", f"Error parsing jinja template: syntax error: "
                        f"{exc.message}", expr.span, label=f"in this `{attr.display}` expression")


def _unknown(ctx: Context, attr: Attribute, where: str) -> None:
    ctx.diags.error("unknown-attribute", f'Attribute not known: "{attr.display}"', attr.name_span,
                    label=f"not valid on {where}")


def _check_args(ctx: Context, attr: Attribute) -> None:
    args = attr.args
    if len(args) > 2:
        return  # already reported by the parser (`attribute-arity`)
    if attr.name in CONSTRAINTS:
        for arg in args:
            if isinstance(arg, JinjaExpr):
                _check_jinja(ctx, attr, arg)
    if attr.name in _NO_ARGS and args:
        ctx.diags.error("attribute-arguments", f"`{attr.display}` takes no arguments", attr.span)
    elif attr.name in _ONE_STRING and (len(args) != 1 or not isinstance(args[0], StringValue)):
        ctx.diags.error("attribute-arguments", f"`{attr.display}` takes one string argument",
                        attr.span, help=f'e.g. `{attr.display}("…")`')
    elif attr.name == "check" and not (
            len(args) == 2 and isinstance(args[0], StringValue)
            and isinstance(args[1], JinjaExpr)):
        ctx.diags.error("constraint-shape",
                        f"`{attr.display}` takes a name and a Jinja expression", attr.span,
                        help=f"write `{attr.display}(name, {{{{ this … }}}})`")
    elif attr.name == "assert" and not (
            (len(args) == 1 and isinstance(args[0], JinjaExpr))
            or (len(args) == 2 and isinstance(args[0], StringValue)
                and isinstance(args[1], JinjaExpr))):
        ctx.diags.error("constraint-shape",
                        f"`{attr.display}` takes a Jinja expression, optionally after a name",
                        attr.span, help=f"write `{attr.display}({{{{ this … }}}})` or "
                                        f"`{attr.display}(name, {{{{ this … }}}})`")


# Used by `dynamic` for run-time type builders.
check_test = _check_test
