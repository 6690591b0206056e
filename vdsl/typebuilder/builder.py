"""`TypeBuilder`: add properties, enum values, classes and enums at run time, as BAML's.

    tb = TypeBuilder(project)                      # or the generated `type_builder.TypeBuilder()`
    tb.class_("Resume").add_property("email", tb.string().optional()).description("Work email")
    tb.enum("Category").add_value("SPAM").alias("junk")
    hobby = tb.add_enum("Hobby"); hobby.add_value("SPORTS")
    tb.class_("Resume").add_property("hobbies", hobby.type().list())
    tb.add_baml("class Address { city string }  dynamic class Resume { home Address? }")
    runtime.call("ExtractResume", {"text": text}, tb=tb)

A builder only records what is asked; `compile.py` turns it into IR and runs the checks
`vdsl check` runs on a test's `type_builder` block, when it is applied to a call. With a
project, the commonest mistakes (a class that is not `@@dynamic`, a name that is taken) are
reported at once. Safe to share between threads; a call sees the builder as it is when the
call starts.
"""

from __future__ import annotations

import builtins
import difflib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import TypeBuilderError
from ..ir import ClassDecl, Decl, EnumDecl
from ..project import Project
from .fieldtype import FieldType, literal, map_of, primitive, require, union_of

if TYPE_CHECKING:
    from .classes import ClassBuilder, ClassViewer
    from .enums import EnumBuilder, EnumViewer

__all__ = ["UNSET", "TypeBuilder"]

UNSET: Any = object()
"""An attribute the builder does not change."""


@dataclass
class PropState:
    """A property added to a class (`type` set), or a declared one being re-described."""

    type: FieldType | None
    alias: str | None = UNSET
    description: str | None = UNSET


@dataclass
class ClassState:
    new: bool
    props: dict[str, PropState] = field(default_factory=dict)


@dataclass
class ValueState:
    new: bool
    alias: str | None = UNSET
    description: str | None = UNSET
    skip: bool = UNSET


@dataclass
class EnumState:
    new: bool
    values: dict[str, ValueState] = field(default_factory=dict)


class TypeBuilder:
    """Per-call types (BAML's `TypeBuilder`). `project` (or a function returning it) lets the
    builder check names as you go and find declared classes; without one, everything is
    checked when the builder is applied to a call."""

    def __init__(self, project: Project | Callable[[], Project] | None = None) -> None:
        self._project_source = project
        self._lock = threading.RLock()
        self._classes: dict[str, ClassState] = {}
        self._enums: dict[str, EnumState] = {}
        self._baml: builtins.list[tuple[str, str, builtins.list[Decl]]] = []
        """(pseudo-file, text, declarations) for each `add_baml`."""
        self._version = 0
        self._compiled: dict[builtins.int, tuple[builtins.int, Any]] = {}

    # ---- types ------------------------------------------------------------------------
    def string(self) -> FieldType:
        return primitive("string")

    def int(self) -> FieldType:
        return primitive("int")

    def float(self) -> FieldType:
        return primitive("float")

    def bool(self) -> FieldType:
        return primitive("bool")

    def null(self) -> FieldType:
        return primitive("null")

    def literal_string(self, value: str) -> FieldType:
        return literal(builtins.str(value))

    def literal_int(self, value: builtins.int) -> FieldType:
        return literal(builtins.int(value))

    def literal_bool(self, value: builtins.bool) -> FieldType:
        return literal(builtins.bool(value))

    def literal(self, value: str | builtins.int | builtins.bool) -> FieldType:
        return literal(value)

    def list(self, inner: FieldType) -> FieldType:
        return require(inner).list()

    def optional(self, inner: FieldType) -> FieldType:
        return require(inner).optional()

    def map(self, key: FieldType, value: FieldType) -> FieldType:
        return map_of(key, value)

    def union(self, types: builtins.list[FieldType] | tuple[FieldType, ...]) -> FieldType:
        return union_of(types)

    # ---- classes and enums ------------------------------------------------------------
    def add_class(self, name: str) -> ClassBuilder:
        """A new class; `.type()` refers to it, `.add_property(...)` fills it."""
        from .classes import ClassBuilder
        with self._lock:
            self._check_free(name)
            self._classes[name] = ClassState(new=True)
            self._touch()
        return ClassBuilder(self, name)

    def add_enum(self, name: str) -> EnumBuilder:
        """A new enum; `.add_value(...)` fills it."""
        from .enums import EnumBuilder
        with self._lock:
            self._check_free(name)
            self._enums[name] = EnumState(new=True)
            self._touch()
        return EnumBuilder(self, name)

    def class_(self, name: str) -> ClassBuilder:
        """A class declared in the project (or added here). Adding to one that is not
        `@@dynamic` raises `TypeBuilderError`."""
        from .classes import ClassBuilder
        self._expect(name, ClassDecl, self._classes, "class")
        return ClassBuilder(self, name)

    def enum(self, name: str) -> EnumBuilder:
        """An enum declared in the project (or added here)."""
        from .enums import EnumBuilder
        self._expect(name, EnumDecl, self._enums, "enum")
        return EnumBuilder(self, name)

    def class_viewer(self, name: str) -> ClassViewer:
        """A declared class, to refer to (`.type()`) and look at, not to change."""
        from .classes import ClassViewer
        self._expect(name, ClassDecl, self._classes, "class")
        return ClassViewer(self, name)

    def enum_viewer(self, name: str) -> EnumViewer:
        from .enums import EnumViewer
        self._expect(name, EnumDecl, self._enums, "enum")
        return EnumViewer(self, name)

    def add_baml(self, source: str) -> None:
        """Classes, enums, `dynamic class X { … }` extensions and type aliases written in
        vdsl/BAML syntax. Syntax errors are raised now; the rest is checked with the builder."""
        from .compile import parse_baml
        with self._lock:
            path = f"<add_baml #{len(self._baml) + 1}>"
            self._baml.append((path, source, parse_baml(path, source)))
            self._touch()
        if self.project is not None:
            self.check()

    def reset(self) -> None:
        """Forget everything added."""
        with self._lock:
            self._classes.clear()
            self._enums.clear()
            self._baml.clear()
            self._touch()

    def check(self, project: Project | None = None) -> None:
        """Run every check now (against `project`, or the builder's own) and raise
        `TypeBuilderError` with all the problems found."""
        from .compile import compile_builder
        target = project or self.project
        if target is None:
            raise TypeBuilderError("TypeBuilder.check() needs a project: TypeBuilder(project)")
        compile_builder(self, target)

    def __str__(self) -> str:
        from .compile import listing_text
        return listing_text(self)

    if not TYPE_CHECKING:  # `tb.Resume` by name, untyped; generated builders declare each one
        def __getattr__(self, name: str) -> Any:
            if name.startswith("_") or self.project is None:
                raise AttributeError(name)
            decl = self.decl(name)
            dynamic = isinstance(decl, (ClassDecl, EnumDecl)) and any(
                a.name == "dynamic" and a.block for a in decl.attrs)
            if isinstance(decl, ClassDecl) or name in self._classes:
                return self.class_(name) if dynamic or decl is None else self.class_viewer(name)
            if isinstance(decl, EnumDecl) or name in self._enums:
                return self.enum(name) if dynamic or decl is None else self.enum_viewer(name)
            raise AttributeError(f"the project has no class or enum `{name}`")

    # ---- shared with the views -----------------------------------------------------------
    @property
    def project(self) -> Project | None:
        source = self._project_source
        if callable(source) and not isinstance(source, Project):
            source = self._project_source = source()
        return source

    def decl(self, name: str) -> Decl | None:
        project = self.project
        return project.find(name) if project is not None else None

    def _touch(self) -> None:
        self._version += 1

    def _check_free(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise TypeBuilderError("a class or enum name must be a non-empty string")
        decl = self.decl(name)
        if decl is not None and decl.kind in ("class", "enum", "type_alias"):
            what = {"class": "a class", "enum": "an enum"}.get(decl.kind, "a type alias")
            raise TypeBuilderError(f"{what} named `{name}` already exists (declared at "
                                   f"{decl.name_span}); add_class and add_enum need a new name")
        if name in self._classes or name in self._enums:
            raise TypeBuilderError(f"`{name}` was already added to this TypeBuilder")

    def _expect(self, name: str, kind: type, added: dict[str, Any], what: str) -> None:
        if self.project is None or name in added:
            return
        decl = self.decl(name)
        if not isinstance(decl, kind):
            known = [d.name for d in self.project.program.decls if isinstance(d, kind)]
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            raise TypeBuilderError(f"{what} `{name}` does not exist in the project{hint}")
