"""`@assert` on a call's arguments, checked before anything is sent, as BAML checks them.

BAML refuses a call whose arguments break an `@assert` written on a parameter's type, on a
type alias the argument goes through, on a class field at any depth (inside lists, maps and
optionals too) or on a class (`@@assert`): "Failed assert: name". The expression sees the
value as `this`, as plain data (a class as a dict keyed by field names, an enum value as its
name), in the same sandboxed Jinja as output constraints. `@check` is not allowed on inputs
(`vdsl check` refuses it, as BAML does), so only asserts are evaluated.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from typing import Any

from jinja2 import Undefined

from ..errors import InvalidArgumentError
from ..ir import (
    Attribute,
    ClassDecl,
    ListType,
    MapType,
    NamedType,
    OptionalType,
    Param,
    TupleType,
    TypeAliasDecl,
    TypeExpr,
    UnionType,
)
from ..project import Project
from .schema import Schema
from .values import ClassInstance, EnumValue

__all__ = ["check_asserts"]

_MAX_DEPTH = 64
_ASSERTED: weakref.WeakKeyDictionary[Schema, frozenset[str]] = weakref.WeakKeyDictionary()


class _Failed(Exception):
    def __init__(self, path: str, name: str | None, expression: str) -> None:
        super().__init__(path)
        self.path, self.name, self.expression = path, name, expression


def check_asserts(schema: Schema, function: str, params: tuple[Param, ...],
                  values: Mapping[str, Any]) -> None:
    """InvalidArgumentError naming the argument path and the assert, if one fails. Values
    whose types hold no `@assert` anywhere are not visited (most calls: nothing to do)."""
    asserted = _asserted(schema)
    try:
        for p in params:
            if p.type is not None and p.name in values and _holds(p.type, asserted):
                _walk(schema.project, values[p.name], p.type, p.name, 0)
    except _Failed as exc:
        label = f"`{exc.name}`" if exc.name else "an @assert"
        raise InvalidArgumentError(f"{function}: argument `{exc.path}`: failed assert "
                                   f"{label}: {{{{ {exc.expression} }}}}") from None


def _asserted(schema: Schema) -> frozenset[str]:
    """Names of the classes and aliases whose values may carry an `@assert` (their own, or
    one of a type they contain), computed once per project."""
    found = _ASSERTED.get(schema)
    if found is None:
        decls = [d for d in schema.project.program.decls
                 if isinstance(d, (ClassDecl, TypeAliasDecl))]
        names: set[str] = set()
        changed = True
        while changed:
            changed = False
            for d in decls:
                if d.name not in names and _decl_holds(d, frozenset(names)):
                    names.add(d.name)
                    changed = True
        found = _ASSERTED[schema] = frozenset(names)
    return found


def _decl_holds(decl: ClassDecl | TypeAliasDecl, asserted: frozenset[str]) -> bool:
    if isinstance(decl, TypeAliasDecl):
        return _holds(decl.type, asserted)
    return _asserts(decl.attrs, block=True) or any(
        _asserts(f.attrs) or _holds(f.type, asserted) for f in decl.fields)


def _holds(t: TypeExpr, asserted: frozenset[str]) -> bool:
    """Whether a value of type `t` may carry an `@assert`."""
    return any(_asserts(u.attrs) or (isinstance(u, NamedType) and u.name in asserted)
               for u in _parts(t))


def _parts(t: TypeExpr) -> Iterator[TypeExpr]:
    yield t
    inner: tuple[TypeExpr, ...] = ()
    if isinstance(t, OptionalType):
        inner = (t.inner,)
    elif isinstance(t, ListType):
        inner = (t.item,)
    elif isinstance(t, MapType):
        inner = (t.key, t.value)
    elif isinstance(t, UnionType):
        inner = t.members
    elif isinstance(t, TupleType):
        inner = t.items
    for i in inner:
        yield from _parts(i)


def _asserts(attrs: tuple[Attribute, ...], block: bool = False) -> bool:
    return any(a.name == "assert" and a.block == block for a in attrs)


def _walk(project: Project, value: Any, t: TypeExpr, path: str, depth: int) -> None:
    _check(t.attrs, value, path)
    if value is None or isinstance(value, Undefined) or depth > _MAX_DEPTH:
        return
    if isinstance(t, OptionalType):
        _walk(project, value, t.inner, path, depth + 1)
    elif isinstance(t, ListType) and isinstance(value, list):
        for i, item in enumerate(value):
            _walk(project, item, t.item, f"{path}[{i}]", depth + 1)
    elif isinstance(t, MapType) and isinstance(value, dict):
        for key, item in value.items():
            _walk(project, item, t.value, f"{path}[{key!r}]", depth + 1)
    elif isinstance(t, NamedType):
        decl = project.find(t.name)
        if isinstance(decl, TypeAliasDecl):
            _walk(project, value, decl.type, path, depth + 1)
        elif isinstance(decl, ClassDecl) and isinstance(value, ClassInstance):
            _fields(project, decl, value, path, depth)


def _fields(project: Project, decl: ClassDecl, value: ClassInstance, path: str,
            depth: int) -> None:
    for f in decl.fields:
        if f.name in value:
            _check(f.attrs, value[f.name], f"{path}.{f.name}")
            _walk(project, value[f.name], f.type, f"{path}.{f.name}", depth + 1)
    _check(decl.attrs, value, path, block=True)


def _check(attrs: tuple[Attribute, ...], value: Any, path: str, block: bool = False) -> None:
    if not _asserts(attrs, block):
        return
    from ..outputs.constraints import compiled  # the output constraints' compiled expressions
    from ..outputs.target import constraints_of
    for c in constraints_of(attrs, block):
        if c.level != "assert":
            continue
        try:
            ok = bool(compiled(c.expression)(this=_plain(value)))
        except Exception:  # noqa: BLE001 - a broken expression is a failed assert, as for outputs
            ok = False
        if not ok:
            raise _Failed(path, c.name, c.expression)


def _plain(value: Any) -> Any:
    """An argument as the expression sees it."""
    if isinstance(value, ClassInstance):
        return {k: _plain(value[k]) for k in value}
    if isinstance(value, EnumValue):
        return value.value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k) if isinstance(k, str) else k: _plain(v) for k, v in value.items()}
    return value
