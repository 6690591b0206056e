"""IR type expressions → Python annotations, for final values and for streaming partials.

The mapping follows what the runtime really returns (`vdsl.outputs.coerce`), so the types are
true, not hopeful:

* `T?` and unions become `X | Y | None`; literal members merge into one `Literal[…]`;
* a `@check` (on the type, its alias, a field, or a class's `@@check`) wraps a non-null value
  in `Checked[…]`, once, however many places add checks;
* in a partial, every field may be None (unless `@stream.not_null`, or its class has
  `@@stream.not_null`) except list and map fields, which are `[]`/`{}` until they arrive;
  classes are their partial classes (a `@@stream.done` class keeps its final field types:
  it only streams complete); list items and map values are never None unless declared so
  (unfinished ones are left out), and a `@stream.with_state` field is a `StreamState[…]`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

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
    TypeAliasDecl,
    TypeExpr,
    UnionType,
)
from .writer import const, name, sub, union

__all__ = ["Py", "TypeMapper", "has_check", "is_dynamic"]

_PRIMS = {"string": "str", "int": "int", "float": "float", "bool": "bool"}


def has_check(attrs: tuple[Attribute, ...], block: bool = False) -> bool:
    return any(a.name == "check" and a.block == block for a in attrs)


def is_dynamic(decl: ClassDecl | EnumDecl) -> bool:
    """`@@dynamic`: a TypeBuilder may add to it at run time."""
    return any(a.name == "dynamic" and a.block for a in decl.attrs)


@dataclass
class Py:
    """A Python type as union members plus nullability. `literals` merge into one Literal."""

    atoms: list[ast.expr] = field(default_factory=list)
    literals: list[str | int | bool] = field(default_factory=list)
    nullable: bool = False
    show_null: bool = False
    """Whether None must be written (False when an alias already includes it)."""
    checked: bool = False

    def merge(self, other: Py) -> None:
        self.atoms.extend(other.atoms)
        self.literals.extend(v for v in other.literals if not _has(self.literals, v))
        self.nullable = self.nullable or other.nullable
        self.show_null = self.show_null or other.show_null

    def non_null(self) -> Py:
        return Py(list(self.atoms), list(self.literals), False, False, self.checked)


def _has(values: list[str | int | bool], v: str | int | bool) -> bool:
    return any(x == v and type(x) is type(v) for x in values)


Ref = Callable[[str, str], ast.expr]
"""(kind, python name) → the expression naming a class/enum/alias from the module at hand;
kind is "class", "enum", "alias" or "media"."""


class TypeMapper:
    """Maps a project's type expressions for one module (final or partial)."""

    def __init__(self, decls: dict[str, ClassDecl | EnumDecl | TypeAliasDecl],
                 py_names: dict[str, str], ref: Ref, helper: Callable[[str], ast.expr], *,
                 partial: bool = False) -> None:
        self.decls = decls
        self.py_names = py_names
        self.ref = ref
        self.helper = helper
        """Helper name (Literal, Union, Checked, StreamState) → expression (records imports)."""
        self.partial = partial
        self.quote: set[str] = set()
        """Type names to write as strings (not yet defined where a runtime value uses them)."""
        self._alias_info: dict[str, Py] = {}

    # ---- rendering ----------------------------------------------------------------------
    def render(self, py: Py, runtime: bool = False) -> ast.expr:
        """The annotation. `runtime`: the value is evaluated at import (an alias), so a
        union holding a quoted forward reference is written `Union[…]`."""
        items = list(py.atoms)
        if py.literals:
            items.insert(0, sub(self.helper("Literal"), *[const(v) for v in py.literals]))
        if py.show_null or (py.nullable and not items):
            items.append(const(None))
        if not items:
            return const(None)
        if len(items) == 1:
            return items[0]
        quoted = any(isinstance(i, ast.Constant) and isinstance(i.value, str) for i in items)
        if runtime and quoted:
            return sub(self.helper("Union"), *items)
        return union(items)

    # ---- mapping ------------------------------------------------------------------------
    def map(self, t: TypeExpr) -> Py:
        py = self._map(t)
        if has_check(t.attrs) and not py.checked:
            py = self.wrap_checked(py)
        return py

    def _map(self, t: TypeExpr) -> Py:
        if isinstance(t, Primitive):
            if t.name == "null":
                return Py(nullable=True, show_null=True)
            return Py([name(_PRIMS[t.name])])
        if isinstance(t, Media):
            return Py([self.ref("media", t.kind.capitalize())])
        if isinstance(t, LiteralType):
            return Py(literals=[t.value])
        if isinstance(t, NamedType):
            return self._named(t.name)
        if isinstance(t, ListType):
            item = self.map(t.item)
            return Py([sub(name("list"), self.render(item, True))])
        if isinstance(t, MapType):
            value = self.map(t.value)
            return Py([sub(name("dict"), self.render(self.map(t.key), True),
                           self.render(value, True))])
        if isinstance(t, OptionalType):
            py = self.map(t.inner)
            py.nullable = py.show_null = True
            return py
        if isinstance(t, UnionType):
            out = Py()
            for member in t.members:
                out.merge(self.map(member))
            return out
        return Py([name("object")])  # tuples: rejected by validation, never generated

    def _named(self, type_name: str) -> Py:
        decl = self.decls[type_name]
        py_name = self.py_names[type_name]
        if isinstance(decl, ClassDecl):
            ref = self._ref("class", py_name)
            py = Py([ref])
            return self.wrap_checked(py) if has_check(decl.attrs, block=True) else py
        if isinstance(decl, EnumDecl):
            ref = self._ref("enum", py_name)
            # a @@dynamic enum may hold values added at run time: those come back as `str`
            return Py([ref, name("str")]) if is_dynamic(decl) else Py([ref])
        info = self.alias_info(type_name)
        if info.nullable and not (info.atoms or info.literals):
            # `type A = null`: the alias's value is None itself, and `A | None` would not
            # evaluate (None | None), so it is written as None wherever it is used
            return Py(nullable=True, show_null=True)
        return Py([self._ref("alias", py_name)], nullable=info.nullable, checked=info.checked)

    def _never_null(self, t: TypeExpr) -> bool:
        if any(a.name == "stream.not_null" and not a.block for a in t.attrs):
            return True
        decl = self.decls.get(t.name) if isinstance(t, NamedType) else None
        return isinstance(decl, ClassDecl) and any(
            a.name == "stream.not_null" and a.block for a in decl.attrs)

    def _container(self, t: TypeExpr) -> bool:
        """Whether `t` is (an alias of) a list or map type."""
        for _ in range(16):
            if isinstance(t, (ListType, MapType)):
                return True
            decl = self.decls.get(t.name) if isinstance(t, NamedType) else None
            if not isinstance(decl, TypeAliasDecl):
                return False
            t = decl.type
        return False

    def _ref(self, kind: str, py_name: str) -> ast.expr:
        if py_name in self.quote:
            return const(py_name)
        return self.ref(kind, py_name)

    def alias_info(self, type_name: str) -> Py:
        """Nullability and checks of an alias's value (a recursion stops at itself)."""
        info = self._alias_info.get(type_name)
        if info is None:
            self._alias_info[type_name] = Py()  # recursion guard
            decl = self.decls[type_name]
            assert isinstance(decl, TypeAliasDecl)
            saved, self.quote = self.quote, set()
            try:
                info = self.map(decl.type)
            finally:
                self.quote = saved
            self._alias_info[type_name] = info
        return info

    def wrap_checked(self, py: Py) -> Py:
        """`Checked[T]` for the non-null part; in a partial, the value is wrapped only once
        complete, so it may also be the bare partial."""
        inner = py.non_null()
        inner.checked = False
        wrapped = sub(self.helper("Checked"), self.render(inner, True))
        out = Py([wrapped], nullable=py.nullable, show_null=py.nullable, checked=True)
        if self.partial:
            out.atoms.extend(inner.atoms)
            out.literals.extend(inner.literals)
        return out

    def field(self, t: TypeExpr, attrs: tuple[Attribute, ...], done: bool = False) -> Py:
        """The type of a class field, with the field's own attributes. In a partial (unless
        its class is `@@stream.done`, which streams only complete objects) a field may be
        None until it arrives — except a `@stream.not_null` one, one whose class has
        `@@stream.not_null`, and a list or map field, which is `[]`/`{}` until then."""
        py = self.map(t)
        if has_check(attrs) and not py.checked:
            py = self.wrap_checked(py)
        if not self.partial or done:
            return py
        names = {a.name for a in attrs if not a.block}
        if "stream.not_null" in names or self._never_null(t):
            py = py.non_null()
        elif py.nullable or not self._container(t):
            # `| None`, unless an alias already holds it (`type A = null`: no `None | None`)
            py.show_null = py.show_null or not py.nullable
            py.nullable = True
        if "stream.with_state" in names:
            state = sub(self.helper("StreamState"), self.render(py.non_null(), True))
            return Py([state])
        return py
