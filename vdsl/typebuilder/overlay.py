"""A project seen with per-call types added: what a `TypeBuilder` (or a test's
`type_builder { … }` block) makes of it.

Everything downstream — `ctx.output_format`, argument checks, the parser and its models —
reads types from a `Project`. So instead of teaching each stage about dynamic types, an
extension is merged into a new `Project` that shares the sources and every untouched
declaration: a `dynamic class X { … }` appends its fields to `X`, a `dynamic enum` its
values, new classes, enums and aliases are added, and `Patch`es change the `@alias`,
`@description` or `@skip` of a member that was already declared. The merged project is made
once per distinct extension and cached on the base project.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

from ..ir import (
    Attribute,
    ClassDecl,
    Decl,
    EnumDecl,
    Program,
    TestDecl,
    TypeAliasDecl,
    TypeBuilder,
)
from ..project import Project

__all__ = ["Extension", "Patch", "extend", "merged_decls", "project_for_test"]

_CACHE_SIZE = 32


@dataclass(frozen=True)
class Patch:
    """New attributes for a member already declared in a `@@dynamic` class or enum: each
    `(name, attribute)` replaces the member's attribute of that name (None removes it)."""

    owner: str
    member: str
    changes: tuple[tuple[str, Attribute | None], ...]


@dataclass(frozen=True)
class Extension:
    """Types added for one call: a type-builder block's declarations, plus patches."""

    builder: TypeBuilder
    patches: tuple[Patch, ...] = ()

    @property
    def empty(self) -> bool:
        b = self.builder
        return not (b.classes or b.enums or b.aliases or self.patches)


def _patched_attrs(attrs: tuple[Attribute, ...],
                   changes: tuple[tuple[str, Attribute | None], ...]) -> tuple[Attribute, ...]:
    names = {name for name, _ in changes}
    kept = [a for a in attrs if a.block or a.name not in names]
    return tuple(kept) + tuple(a for _, a in changes if a is not None)


def _extend_class(base: ClassDecl, ext: ClassDecl) -> ClassDecl:
    return replace(base, fields=base.fields + ext.fields)


def _extend_enum(base: EnumDecl, ext: EnumDecl) -> EnumDecl:
    return replace(base, values=base.values + ext.values)


def _apply_patch(decl: Decl, patch: Patch) -> Decl:
    if isinstance(decl, ClassDecl):
        fields = tuple(replace(f, attrs=_patched_attrs(f.attrs, patch.changes))
                       if f.name == patch.member else f for f in decl.fields)
        return replace(decl, fields=fields)
    if isinstance(decl, EnumDecl):
        values = tuple(replace(v, attrs=_patched_attrs(v.attrs, patch.changes))
                       if v.name == patch.member else v for v in decl.values)
        return replace(decl, values=values)
    return decl


def merged_decls(decls: list[Decl], extension: Extension) -> list[Decl]:
    """`decls` with the extension merged in: extended declarations keep their place, new
    ones come last. Names are assumed checked (see `vdsl.validate.dynamic`)."""
    out = list(decls)
    index = {d.name: i for i, d in reversed(list(enumerate(out)))
             if isinstance(d, (ClassDecl, EnumDecl, TypeAliasDecl))}
    builder = extension.builder
    for decl in (*builder.classes, *builder.enums, *builder.aliases):
        at = index.get(decl.name)
        base = out[at] if at is not None else None
        if isinstance(decl, ClassDecl) and decl.dynamic and isinstance(base, ClassDecl):
            out[at] = _extend_class(base, decl)  # type: ignore[index]
        elif isinstance(decl, EnumDecl) and decl.dynamic and isinstance(base, EnumDecl):
            out[at] = _extend_enum(base, decl)  # type: ignore[index]
        elif base is None:
            index[decl.name] = len(out)
            out.append(replace(decl, dynamic=False) if isinstance(decl, (ClassDecl, EnumDecl))
                       else decl)
    for patch in extension.patches:
        at = index.get(patch.owner)
        if at is not None:
            out[at] = _apply_patch(out[at], patch)
    return out


def extend(project: Project, extension: Extension) -> Project:
    """`project` with `extension` merged in (the same project when there is nothing to add).
    Merged projects are cached per distinct extension, so a type builder rebuilt the same way
    for every call costs one merge."""
    if extension.empty:
        return project
    cache: _Cache = project.__dict__.setdefault("_vdsl_extended", _Cache())
    found = cache.get(extension)
    if found is None:
        program = Program(merged_decls(project.program.decls, extension),
                          set(project.program.broken_names))
        found = cache.put(extension, Project(program, project.sources, project.diagnostics,
                                             project.root))
    return found


def project_for_test(project: Project, test: TestDecl) -> Project:
    """The project a test block runs against: with its `type_builder { … }`, if it has one."""
    if test.type_builder is None:
        return project
    return extend(project, Extension(test.type_builder))


class _Cache:
    """A small LRU of merged projects, safe across threads."""

    def __init__(self) -> None:
        self._items: OrderedDict[Extension, Project] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Extension) -> Project | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Extension, project: Project) -> Project:
        with self._lock:
            existing = self._items.setdefault(key, project)
            self._items.move_to_end(key)
            while len(self._items) > _CACHE_SIZE:
                self._items.popitem(last=False)
            return existing

