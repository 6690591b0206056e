"""A test block's `args` read against the parameter types, as BAML's check does, plus what
BAML accepts but reads differently from what the author meant: text where a number, a bool or
an enum value is expected (BAML warns too), a field the class does not have (BAML drops it
silently; vdsl drops it too, and says so here) and `null` given to a string parameter (BAML
passes the string "null"; vdsl passes null)."""

from __future__ import annotations

import difflib

from ..ir import (
    ArrayValue,
    ClassDecl,
    EnumDecl,
    FunctionDecl,
    ListType,
    MapType,
    MapValue,
    NamedType,
    NullValue,
    OptionalType,
    Primitive,
    StringValue,
    TypeAliasDecl,
    TypeExpr,
    UnionType,
    Value,
)
from .context import Context

__all__ = ["check_test_args"]


def check_test_args(ctx: Context, fn: FunctionDecl, args: MapValue) -> None:
    params = {p.name: p for p in fn.params}
    for entry in args.entries:
        param = params.get(entry.key)
        if param is not None and param.type is not None:
            _value(ctx, entry.value, param.type, entry.key)


def _value(ctx: Context, value: Value, t: TypeExpr, path: str) -> None:
    t = _unaliased(ctx, t)
    if isinstance(value, NullValue):
        if isinstance(t, Primitive) and t.name == "string":
            ctx.diags.warning(
                "null-string-argument", f"`{path}` is a string, and BAML would pass this "
                "`null` as the text \"null\"; vdsl passes null, which a string does not accept",
                value.span, help='write "null" (quoted) for the text, or make the type '
                                 "optional (`string?`) to pass null")
        return
    if isinstance(value, StringValue) and _scalar_mismatch(ctx, value, t, path):
        return
    if isinstance(t, OptionalType):
        _value(ctx, value, t.inner, path)
    elif isinstance(value, ArrayValue) and isinstance(t, ListType):
        for index, item in enumerate(value.items):
            _value(ctx, item, t.item, f"{path}[{index}]")
    elif isinstance(value, MapValue) and isinstance(t, MapType):
        for entry in value.entries:
            _value(ctx, entry.value, t.value, f"{path}.{entry.key}")
    elif isinstance(value, MapValue):
        decl = _one_class(ctx, t)
        if decl is not None:
            _fields(ctx, value, decl, path)


def _scalar_mismatch(ctx: Context, value: StringValue, t: TypeExpr, path: str) -> bool:
    """Text where a number, a bool or an enum value is expected: BAML warns (`Test 'T'
    argument 'n' has type error`), and the call would fail; so does vdsl, at the value."""
    if isinstance(t, Primitive) and t.name in ("int", "float", "bool"):
        ctx.diags.warning("argument-type", f"`{path}` is {t.name}, and the test gives the text "
                          f"{value.value!r}", value.span,
                          help=f"write it unquoted (`{path.rsplit('.', 1)[-1]} "
                               f"{_example(t.name)}`)")
        return True
    decl = ctx.types.get(t.name) if isinstance(t, NamedType) else None
    if isinstance(decl, EnumDecl) and value.value not in {v.name for v in decl.values}:
        names = [v.name for v in decl.values]
        close = difflib.get_close_matches(value.value, names, n=1)
        ctx.diags.warning("argument-type", f"`{path}` is the enum `{decl.name}`, which has no "
                          f"value `{value.value}`", value.span,
                          help=f"did you mean `{close[0]}`?" if close else
                          "values: " + ", ".join(f"`{n}`" for n in names))
        return True
    return False


def _example(kind: str) -> str:
    return {"int": "3", "float": "1.5"}.get(kind, "true")


def _fields(ctx: Context, value: MapValue, decl: ClassDecl, path: str) -> None:
    fields = {f.name: f for f in decl.fields}
    for entry in value.entries:
        field = fields.get(entry.key)
        if field is None:
            close = difflib.get_close_matches(entry.key, list(fields), n=1)
            ctx.diags.warning(
                "unknown-argument-field", f"`{decl.name}` has no field `{entry.key}`; the value "
                "is ignored (as in BAML)", entry.key_span,
                help=f"did you mean `{close[0]}`?" if close else
                "fields: " + (", ".join(f"`{name}`" for name in fields) or "(none)"))
        elif field.type is not None:
            _value(ctx, entry.value, field.type, f"{path}.{entry.key}")


def _one_class(ctx: Context, t: TypeExpr) -> ClassDecl | None:
    """The class a map value is read as: the type itself, or the only class of a union."""
    if isinstance(t, NamedType):
        decl = ctx.types.get(t.name)
        return decl if isinstance(decl, ClassDecl) else None
    if isinstance(t, UnionType):
        found = [c for m in t.members if (c := _one_class(ctx, _unaliased(ctx, m))) is not None]
        return found[0] if len(found) == 1 else None
    return None


def _unaliased(ctx: Context, t: TypeExpr) -> TypeExpr:
    seen: set[str] = set()
    while isinstance(t, NamedType) and t.name not in seen:
        decl = ctx.types.get(t.name)
        if not isinstance(decl, TypeAliasDecl) or decl.type is None:
            break
        seen.add(t.name)
        t = decl.type
    return t
