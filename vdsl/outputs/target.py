"""Target types: the IR's type expressions compiled once per project into what coercion needs.

A `Ty` is a resolved type (aliases expanded, `T?` a union with null, nested unions flattened)
that keeps the constraints (`@check`/`@assert`) written on it or on the aliases it went
through. Classes and enums stay named and are described once, lazily, by `ClassInfo` and
`EnumInfo` (match keys, stream attributes, the pydantic model or enum class), so recursive
types cost nothing to compile. Aliases that recurse become `ref` nodes, resolved on use.

Declarations are looked up by name through `Targets.find`: the project's, or — for types
supplied per call (a type builder's extra classes, fields and enum values) — an overlay made
with `Targets.extend(decls)`, which shadows the project's declarations of the same name and
keeps its own caches.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..ir import (
    Attribute,
    ClassDecl,
    Decl,
    EnumDecl,
    JinjaExpr,
    ListType,
    LiteralType,
    MapType,
    Media,
    NamedType,
    OptionalType,
    Primitive,
    StringValue,
    TupleType,
    TypeAliasDecl,
    TypeExpr,
    UnionType,
    type_to_str,
)
from ..project import Project
from ..render.schema import attr_text, has_attr
from .words import finder, folded, norm_key, plain_words, spaced_words

__all__ = ["ClassInfo", "Constraint", "EnumInfo", "FieldInfo", "Targets", "Ty", "norm_key",
           "plain_words", "spaced_words", "targets_for"]


@dataclass(frozen=True, slots=True)
class Constraint:
    """One `@check(name, {{ expr }})` (level "check") or `@assert(...)` (level "assert")."""

    level: str
    name: str | None
    expression: str


@dataclass(slots=True, eq=False)
class Ty:
    """A resolved target type. `kind`: string int float bool null lit enum class list map
    union ref media tuple; `name` names a class, enum or recursive alias; `text` is the type
    as written, for messages."""

    kind: str
    name: str = ""
    value: Any = None
    args: tuple[Ty, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    text: str = ""
    done: bool = False
    """`@stream.done` on the type itself (`(Item @stream.done)[]`)."""
    not_null: bool = False
    """`@stream.not_null` on the type itself."""

    @property
    def nullable(self) -> bool:
        return self.kind == "null" or (self.kind == "union"
                                       and any(a.kind == "null" for a in self.args))


@dataclass(slots=True, eq=False)
class FieldInfo:
    name: str
    """The declared name: the key of the result."""
    rendered: str
    """The `@alias` (or the name): what the model was told to write."""
    ty: Ty
    constraints: tuple[Constraint, ...]
    skip: bool
    done: bool
    not_null: bool
    """`@stream.not_null` on the field, or its (non-optional) class has `@@stream.not_null`."""
    with_state: bool
    attr: str = ""
    """The Python attribute name on the model (differs when the name would shadow one)."""
    empty: str | None = None
    """The kind of the field's type when it is `list` or `map` and not optional (`[]` or
    `{}` stand in for it when missing); "" otherwise; None until first needed."""


@dataclass(slots=True, eq=False)
class ClassInfo:
    name: str
    fields: list[FieldInfo]
    constraints: tuple[Constraint, ...]
    done: bool
    """`@@stream.done`: in a partial, the object appears only once the text closed it."""
    not_null: bool = False
    """`@@stream.not_null`: in a partial, a field of this type is never null."""
    by_key: dict[str, FieldInfo] = field(default_factory=dict)
    by_norm: dict[str, FieldInfo] = field(default_factory=dict)
    model: Any = None

    @property
    def lone(self) -> FieldInfo | None:
        """The only field a model can fill, when there is exactly one: a bare value (`1214`
        for `class Foo { foo int }`) is read as that field, as in BAML."""
        fields = [f for f in self.fields if not f.skip]
        return fields[0] if len(fields) == 1 else None


@dataclass(slots=True, eq=False)
class EnumInfo:
    name: str
    values: list[str]
    exact: dict[str, str]
    """Name, alias, description and "alias: description" → value name."""
    norm: dict[str, str]
    """The same keys normalized (`norm_key`)."""
    search: re.Pattern[str] | None
    """All keys, longest first, for finding them inside prose (`words.finder`)."""
    cased: dict[str, str] = field(default_factory=dict)
    """The keys as `spaced_words` (punctuation gone, case kept) → value name."""
    cased_search: re.Pattern[str] | None = None
    """The same, longest first: prose is searched with case first, as BAML does."""
    folded: dict[str, str] = field(default_factory=dict)
    """The keys with case, punctuation and accents ignored (`words.folded`) → value name."""
    folded_search: re.Pattern[str] | None = None
    cls: Any = None


def constraints_of(attrs: tuple[Attribute, ...], block: bool = False) -> tuple[Constraint, ...]:
    out = []
    for attr in attrs:
        if attr.name in ("check", "assert") and attr.block == block:
            exprs = [a for a in attr.args if isinstance(a, JinjaExpr)]
            names = [a.value for a in attr.args if isinstance(a, StringValue)]
            if exprs:
                out.append(Constraint(attr.name, names[0] if names else None, exprs[0].source))
    return tuple(out)


class Targets:
    """Compiled target types of one project (build through `targets_for`), or of a project
    plus declarations supplied per call (`extend`)."""

    def __init__(self, project: Project, overlay: dict[str, Decl] | None = None) -> None:
        self.project = project
        self.overlay: dict[str, Decl] = overlay or {}
        self.aliases: dict[str, Ty] = {}
        self.cache: dict[Any, Any] = {}
        """Derived data other modules keep per compiled type (the parser's expectations)."""
        self._compiling: set[str] = set()
        self._classes: dict[str, ClassInfo] = {}
        self._enums: dict[str, EnumInfo] = {}
        self._types: dict[int, tuple[TypeExpr, Ty]] = {}
        self._lock = threading.RLock()

    def find(self, name: str) -> Decl | None:
        """The class, enum or alias declaration named `name` (the overlay's first)."""
        decl = self.overlay.get(name)
        return decl if decl is not None else self.project.find(name)

    def extend(self, decls: list[Decl]) -> Targets:
        """Targets for this project with `decls` (classes, enums, aliases) added or replacing
        the project's declarations of the same name — types a caller supplies per call."""
        return Targets(self.project, {**self.overlay, **{d.name: d for d in decls}})

    def ty(self, t: TypeExpr) -> Ty:
        """The compiled form of a type expression (cached by identity: IR nodes are frozen)."""
        cached = self._types.get(id(t))
        if cached is None or cached[0] is not t:
            with self._lock:
                cached = self._types[id(t)] = (t, self._compile(t))
        return cached[1]

    def resolve(self, ty: Ty) -> Ty:
        """`ty` with recursive-alias references followed."""
        seen = 0
        while ty.kind == "ref" and seen < 64:
            ty, seen = self.aliases[ty.name], seen + 1
        return ty

    def _compile(self, t: TypeExpr) -> Ty:
        ty = self._compile_bare(t)
        done, not_null = has_attr(t.attrs, "stream.done"), has_attr(t.attrs, "stream.not_null")
        if done or not_null:
            ty = _with(ty, ty.constraints, ty.text)
            ty.done, ty.not_null = ty.done or done, ty.not_null or not_null
        return ty

    def _compile_bare(self, t: TypeExpr) -> Ty:
        constraints = constraints_of(t.attrs)
        text = type_to_str(t)
        if isinstance(t, Primitive):
            return Ty(t.name, constraints=constraints, text=text)
        if isinstance(t, LiteralType):
            return Ty("lit", value=t.value, constraints=constraints, text=text)
        if isinstance(t, ListType):
            return Ty("list", args=(self._compile(t.item),), constraints=constraints, text=text)
        if isinstance(t, MapType):
            return Ty("map", args=(self._compile(t.key), self._compile(t.value)),
                      constraints=constraints, text=text)
        if isinstance(t, OptionalType):
            members = [self._compile(t.inner), Ty("null", text="null")]
            return _union(members, constraints, text)
        if isinstance(t, UnionType):
            return _union([self._compile(m) for m in t.members], constraints, text)
        if isinstance(t, NamedType):
            return self._named(t.name, constraints)
        kind = "media" if isinstance(t, Media) else "tuple"
        assert isinstance(t, (Media, TupleType))
        return Ty(kind, constraints=constraints, text=text)

    def _named(self, name: str, constraints: tuple[Constraint, ...]) -> Ty:
        decl = self.find(name)
        if isinstance(decl, ClassDecl):
            return Ty("class", name, constraints=constraints, text=name)
        if isinstance(decl, EnumDecl):
            return Ty("enum", name, constraints=constraints, text=name)
        if not isinstance(decl, TypeAliasDecl):
            raise KeyError(f"unknown type `{name}`")
        if name in self._compiling:
            return Ty("ref", name, constraints=constraints, text=name)
        if name in self.aliases:
            body = self.aliases[name]
            return _with(body, constraints + body.constraints, name)
        self._compiling.add(name)
        try:
            body = self._compile(decl.type)
        finally:
            self._compiling.discard(name)
        self.aliases[name] = body
        return _with(body, constraints + body.constraints, name)

    def cls(self, name: str) -> ClassInfo:
        info = self._classes.get(name)
        if info is None or info.model is None:
            # A class is registered before its fields are built (recursion finds it): another
            # thread must wait for the builder, which holds the lock, not take it half-built.
            with self._lock:
                info = self._classes.get(name) or self._build_class(name)
        return info

    def enum(self, name: str) -> EnumInfo:
        info = self._enums.get(name)
        if info is None:
            with self._lock:
                info = self._enums.get(name) or self._build_enum(name)
        return info

    def _build_class(self, name: str) -> ClassInfo:
        from .models import build_model

        decl = self.find(name)
        assert isinstance(decl, ClassDecl)
        info = ClassInfo(name, [], constraints_of(decl.attrs, block=True),
                         has_attr_block(decl.attrs, "stream.done"),
                         has_attr_block(decl.attrs, "stream.not_null"))
        self._classes[name] = info  # before the fields: they may refer back to this class
        for f in decl.fields:
            rendered = attr_text(f.attrs, "alias") or f.name
            fi = FieldInfo(f.name, rendered, self._compile(f.type), constraints_of(f.attrs),
                           has_attr(f.attrs, "skip"), has_attr(f.attrs, "stream.done"),
                           has_attr(f.attrs, "stream.not_null") or self._never_null(f.type),
                           has_attr(f.attrs, "stream.with_state"))
            info.fields.append(fi)
            if not fi.skip:
                for key in (f.name, rendered):
                    info.by_key.setdefault(key, fi)
                    info.by_norm.setdefault(norm_key(key), fi)
        info.model = build_model(info)
        return info

    def _never_null(self, t: TypeExpr) -> bool:
        """A field whose type carries `@stream.not_null`, or is (not optionally) a class with
        `@@stream.not_null`: in a partial it is never null."""
        if has_attr(t.attrs, "stream.not_null"):
            return True
        decl = self.find(t.name) if isinstance(t, NamedType) else None
        return isinstance(decl, ClassDecl) and has_attr_block(decl.attrs, "stream.not_null")

    def _build_enum(self, name: str) -> EnumInfo:
        from .models import build_enum

        decl = self.find(name)
        assert isinstance(decl, EnumDecl)
        exact: dict[str, str] = {}
        values = []
        for v in decl.values:
            if has_attr(v.attrs, "skip"):
                continue
            values.append(v.name)
            alias, desc = attr_text(v.attrs, "alias"), attr_text(v.attrs, "description")
            for key in (v.name, alias, desc, f"{alias or v.name}: {desc}" if desc else None):
                if key and key.strip():
                    exact.setdefault(key.strip(), v.name)
        norm, cased, folds = (_keyed(exact, plain_words), _keyed(exact, spaced_words),
                              _keyed(exact, folded))
        info = EnumInfo(name, values, exact, norm, finder(norm, ignore_case=True), cased,
                        finder(cased), folds, finder(folds, ignore_case=True, fold=True))
        info.cls = build_enum(name, [v.name for v in decl.values])
        self._enums[name] = info
        return info


def _keyed(exact: dict[str, str], form: Callable[[str], str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in exact.items():
        out.setdefault(form(key), value)
    return out


def has_attr_block(attrs: tuple[Attribute, ...], name: str) -> bool:
    return any(a.name == name and a.block for a in attrs)


def _union(members: list[Ty], constraints: tuple[Constraint, ...], text: str) -> Ty:
    flat: list[Ty] = []
    null: Ty | None = None
    for m in members:
        for item in (m.args if m.kind == "union" and not m.constraints else (m,)):
            if item.kind == "null" and not item.constraints:
                null = null or item
            else:
                flat.append(item)
    if null is not None:
        flat.append(null)
    return Ty("union", args=tuple(flat), constraints=constraints, text=text)


def _with(body: Ty, constraints: tuple[Constraint, ...], text: str) -> Ty:
    return Ty(body.kind, body.name, body.value, body.args, constraints, text, body.done,
              body.not_null)


def targets_for(project: Project) -> Targets:
    """The project's compiled targets, made on first use and kept on the project."""
    targets = project.__dict__.get("_vdsl_targets")
    if targets is None:
        targets = project.__dict__.setdefault("_vdsl_targets", Targets(project))
    return targets  # type: ignore[no-any-return]
