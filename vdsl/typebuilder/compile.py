"""From what a `TypeBuilder` recorded to an `Extension` of a project, checked.

Properties and values added in code become IR declarations placed in a listing — the
builder written out as `.vdsl` text, a pseudo-file named `<TypeBuilder>` — so every node has
a span and a problem is reported on a line you can read. `add_baml` text is parsed by the
real parser into its own pseudo-file (`<add_baml #N>`). Both then go through the checks
`vdsl check` runs on a test's `type_builder` block (`vdsl.validate.dynamic`).
"""

from __future__ import annotations

import json
from dataclasses import replace

from ..diagnostics import Diagnostic, Diagnostics
from ..errors import TypeBuilderError
from ..ir import (
    Attribute,
    ClassDecl,
    Decl,
    EnumDecl,
    EnumValue,
    Field,
    StringValue,
    TestDecl,
    TypeAliasDecl,
    type_to_str,
)
from ..ir import TypeBuilder as BuilderBlock
from ..project import Project
from ..source import SourceFile, Span
from .builder import UNSET, ClassState, EnumState, TypeBuilder
from .fieldtype import respan
from .overlay import Extension, Patch

__all__ = ["LISTING", "compile_builder", "listing_text", "parse_baml"]

LISTING = "<TypeBuilder>"


class _Listing:
    """Text written piece by piece, remembering where each piece is."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._parts: list[str] = []
        self._offset = 0
        self._line = 1
        self._column = 1

    def write(self, text: str) -> Span:
        start, line, column = self._offset, self._line, self._column
        self._parts.append(text)
        self._offset += len(text)
        newlines = text.count("\n")
        if newlines:
            self._line += newlines
            self._column = len(text) - text.rfind("\n")
        else:
            self._column += len(text)
        return Span(self.path, start, self._offset, line, column, self._line, self._column)

    @property
    def text(self) -> str:
        return "".join(self._parts)


def _attr(w: _Listing, name: str, value: str | None) -> Attribute:
    w.write(" ")
    if value is None:
        span = w.write(f"@{name}")
        return Attribute(name, (), False, span, span)
    start = w.write(f"@{name}(")
    arg = w.write(json.dumps(value, ensure_ascii=False))
    end = w.write(")")
    return Attribute(name, (StringValue(arg, value, "quoted"),), False, start.to(end), start)


def _attrs(w: _Listing, alias: object, description: object, skip: object = UNSET
           ) -> tuple[Attribute, ...]:
    out = []
    if isinstance(alias, str):
        out.append(_attr(w, "alias", alias))
    if isinstance(description, str):
        out.append(_attr(w, "description", description))
    if skip is True:
        out.append(_attr(w, "skip", None))
    return tuple(out)


def _changes(alias: object, description: object, skip: object, w: _Listing
             ) -> tuple[tuple[str, Attribute | None], ...]:
    """Attribute changes for a declared member, written as a comment line in the listing."""
    out: list[tuple[str, Attribute | None]] = []
    for name, value in (("alias", alias), ("description", description)):
        if value is not UNSET:
            out.append((name, _attr(w, name, value) if isinstance(value, str) else None))
    if skip is not UNSET:
        out.append(("skip", _attr(w, "skip", None) if skip else None))
    return tuple(out)


def _class(w: _Listing, name: str, state: ClassState, patches: list[Patch]) -> ClassDecl:
    head = w.write("class " if state.new else "dynamic class ")
    name_span = w.write(name)
    w.write(" {\n")
    fields = []
    for prop_name, prop in state.props.items():
        w.write("  ")
        if prop.type is None:  # a declared property, re-described
            w.write(f"// {prop_name}:")
            patches.append(Patch(name, prop_name, _changes(prop.alias, prop.description,
                                                            UNSET, w)))
            w.write("\n")
            continue
        field_span = w.write(prop_name)
        w.write(" ")
        type_span = w.write(type_to_str(prop.type.expr))
        attrs = _attrs(w, prop.alias, prop.description)
        w.write("\n")
        fields.append(Field(prop_name, respan(prop.type.expr, type_span), attrs, None,
                            field_span.to(type_span), field_span))
    end = w.write("}\n")
    return ClassDecl(name, head.to(end), name_span, None, tuple(fields), (), not state.new)


def _enum(w: _Listing, name: str, state: EnumState, patches: list[Patch]) -> EnumDecl:
    head = w.write("enum " if state.new else "dynamic enum ")
    name_span = w.write(name)
    w.write(" {\n")
    values = []
    for value_name, value in state.values.items():
        w.write("  ")
        if not value.new:
            w.write(f"// {value_name}:")
            patches.append(Patch(name, value_name, _changes(value.alias, value.description,
                                                             value.skip, w)))
            w.write("\n")
            continue
        span = w.write(value_name)
        attrs = _attrs(w, value.alias, value.description, value.skip)
        w.write("\n")
        values.append(EnumValue(value_name, attrs, None, span))
    end = w.write("}\n")
    return EnumDecl(name, head.to(end), name_span, None, tuple(values), (), not state.new)


def _written(tb: TypeBuilder) -> tuple[_Listing, list[Decl], list[Patch]]:
    w = _Listing(LISTING)
    decls: list[Decl] = []
    patches: list[Patch] = []
    for name, cls in tb._classes.items():
        if cls.new or cls.props:
            decls.append(_class(w, name, cls, patches))
    for name, enum in tb._enums.items():
        if enum.new or enum.values:
            decls.append(_enum(w, name, enum, patches))
    return w, decls, patches


def listing_text(tb: TypeBuilder) -> str:
    """The builder as `.vdsl` text: what `str(tb)` shows."""
    with tb._lock:
        w, _decls, _patches = _written(tb)
        parts = [w.text] + [f"// {path}\n{text.strip()}\n" for path, text, _ in tb._baml]
    body = "\n".join(p for p in parts if p)
    return f"TypeBuilder(\n{body})" if body else "TypeBuilder()"


def parse_baml(path: str, source: str) -> list[Decl]:
    """`add_baml` text → declarations; only classes, enums and type aliases are allowed."""
    from ..syntax import parse_source

    if not isinstance(source, str):
        raise TypeBuilderError(f"add_baml takes vdsl/BAML source text, not "
                               f"{type(source).__name__}")
    file = SourceFile(path, source)
    diags = Diagnostics()
    decls = parse_source(file, diags)
    errors = [d for d in diags if d.is_error]
    if errors:
        raise TypeBuilderError(_message(errors, {path: file}), errors)
    for decl in decls:
        if not isinstance(decl, (ClassDecl, EnumDecl, TypeAliasDecl)):
            raise TypeBuilderError(f"{decl.name_span}: add_baml takes classes, enums and type "
                                   f"aliases; `{decl.name}` is a {decl.kind}")
    return decls


def _merge_dynamic(decls: list[Decl]) -> list[Decl]:
    """Every `dynamic` block for one class (or enum) merged into the first: code and several
    `add_baml` calls may all extend the same type."""
    out: list[Decl] = []
    first: dict[tuple[str, str], int] = {}
    for decl in decls:
        if isinstance(decl, (ClassDecl, EnumDecl)) and decl.dynamic:
            key = (decl.kind, decl.name)
            at = first.get(key)
            if at is not None:
                base = out[at]
                if isinstance(decl, ClassDecl) and isinstance(base, ClassDecl):
                    out[at] = replace(base, fields=base.fields + decl.fields)
                elif isinstance(decl, EnumDecl) and isinstance(base, EnumDecl):
                    out[at] = replace(base, values=base.values + decl.values)
                continue
            first[key] = len(out)
        out.append(decl)
    return out


def _check_state(tb: TypeBuilder, project: Project) -> None:
    """What only the recorded state can tell: classes and enums changed that do not exist or
    are not `@@dynamic`, re-described members that do not exist, properties without a type."""
    for name, cls in tb._classes.items():
        _check_class_state(name, cls, project.find(name))
    for name, enum in tb._enums.items():
        _check_enum_state(name, enum, project.find(name))


def _check_new(name: str, decl: Decl | None, call: str) -> None:
    if decl is not None and decl.kind in ("class", "enum", "type_alias"):
        raise TypeBuilderError(f"`{name}` already exists (declared at {decl.name_span}); "
                               f"{call} needs a new name")


def _check_class_state(name: str, cls: ClassState, decl: Decl | None) -> None:
    if cls.new:
        _check_new(name, decl, "add_class")
        declared: set[str] = set()
    else:
        _check_dynamic(name, decl, ClassDecl, "class")
        declared = {f.name for f in decl.fields} if isinstance(decl, ClassDecl) else set()
    missing = [p for p, s in cls.props.items() if s.type is None and p not in declared]
    if missing:
        raise TypeBuilderError(f"class `{name}` has no property `{missing[0]}`: add it with "
                               "add_property(name, type)")


def _check_enum_state(name: str, enum: EnumState, decl: Decl | None) -> None:
    if enum.new:
        _check_new(name, decl, "add_enum")
        return
    _check_dynamic(name, decl, EnumDecl, "enum")
    declared = {v.name for v in decl.values} if isinstance(decl, EnumDecl) else set()
    for value, state in enum.values.items():
        if not state.new and value not in declared:
            raise TypeBuilderError(f"enum `{name}` has no value `{value}`: add it with "
                                   "add_value(name)")


def _check_dynamic(name: str, decl: Decl | None, kind: type, what: str) -> None:
    if not isinstance(decl, kind) or not isinstance(decl, (ClassDecl, EnumDecl)):
        raise TypeBuilderError(f"{what} `{name}` does not exist in the project")
    if not any(a.name == "dynamic" and a.block for a in decl.attrs):
        raise TypeBuilderError(f"{what} `{name}` is not @@dynamic (declared at "
                               f"{decl.name_span}): add `@@dynamic` to it to change it at run "
                               "time")


def compile_builder(tb: TypeBuilder, project: Project) -> Extension:
    """The builder as an `Extension` of `project`, checked; `TypeBuilderError` lists every
    problem. Cached until the builder changes."""
    with tb._lock:
        cached = tb._compiled.get(id(project))
        if cached is not None and cached[0] == tb._version and cached[1][0] is project:
            return cached[1][1]  # type: ignore[no-any-return]
        _check_state(tb, project)
        w, decls, patches = _written(tb)
        sources = {LISTING: SourceFile(LISTING, w.text)}
        for path, text, parsed in tb._baml:
            decls.extend(parsed)
            sources[path] = SourceFile(path, text)
        block = _block(_merge_dynamic(decls))
        _run_checks(project, block, sources)
        extension = Extension(block, tuple(patches))
        tb._compiled[id(project)] = (tb._version, (project, extension))
        return extension


def _block(decls: list[Decl]) -> BuilderBlock:
    return BuilderBlock(tuple(d for d in decls if isinstance(d, ClassDecl)),
                        tuple(d for d in decls if isinstance(d, EnumDecl)),
                        tuple(d for d in decls if isinstance(d, TypeAliasDecl)),
                        Span(LISTING, 0, 0, 1, 1, 1, 1))


def _run_checks(project: Project, block: BuilderBlock, sources: dict[str, SourceFile]) -> None:
    """The checks `vdsl check` runs on a test's type_builder block."""
    from ..validate.context import Context
    from ..validate.dynamic import check_builder

    test = TestDecl(LISTING, block.span, block.span, None, (), (), block)
    diags = Diagnostics()
    check_builder(Context(project.program, diags, project.sources), test, case_exempt=LISTING)
    errors = [d for d in diags.sorted() if d.is_error]
    if errors:
        raise TypeBuilderError(_message(errors, sources), errors)


def _message(errors: list[Diagnostic], sources: dict[str, SourceFile]) -> str:
    lines = []
    for d in errors:
        span = d.span
        where = f"{span}: " if span else ""
        lines.append(f"{where}{d.message}" + (f" ({d.help})" if d.help else ""))
        source = sources.get(span.file) if span else None
        if source is not None and span is not None:
            lines.append(f"    | {source.line_text(span.line).rstrip()}")
    count = f"{len(errors)} problems" if len(errors) > 1 else "a problem"
    return f"TypeBuilder has {count}:\n" + "\n".join(lines)
