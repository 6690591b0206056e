"""Every place a name is declared or used in a project, for definitions, references and hover.

Built from the IR of a snapshot (broken blocks simply contribute nothing): declarations,
named types (fields, parameters, return types, aliases, type_builder blocks), a function's
`client`, a client's `retry_policy` and `strategy` members, a test's `functions`, parameters,
template_strings and enums used inside prompts, `env.VAR` references and model ids.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ..ir import (
    ArrayValue,
    ClassDecl,
    ClientDecl,
    Decl,
    EnumDecl,
    EnvRef,
    FunctionDecl,
    MapValue,
    NamedType,
    Param,
    Program,
    StringValue,
    TemplateStringDecl,
    TestDecl,
    TypeAliasDecl,
    TypeExpr,
    Value,
)
from ..ir.walk import iter_types
from ..source import SourceFile, Span

__all__ = ["Occurrence", "SymbolIndex"]

GLOBAL_KINDS = ("class", "enum", "type_alias", "client", "retry_policy", "function",
                "template_string", "test", "generator")
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A name at a place. `key` identifies the symbol: the name for project-wide ones,
    `Owner.name` for parameters and fields."""

    key: str
    kind: str
    span: Span
    definition: bool = False
    owner: str | None = None
    """For parameters and fields: the function, template_string or class they belong to."""


@dataclass
class SymbolIndex:
    program: Program
    sources: dict[str, SourceFile]
    by_file: dict[str, list[Occurrence]] = field(default_factory=dict)
    by_key: dict[str, list[Occurrence]] = field(default_factory=dict)
    decls: dict[str, list[Decl]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for decl in self.program.decls:
            self.decls.setdefault(decl.name, []).append(decl)
        found: list[Occurrence] = []
        for decl in self.program.decls:
            found.extend(self._of_decl(decl))
        for occurrence in found:
            self.by_file.setdefault(occurrence.span.file, []).append(occurrence)
            self.by_key.setdefault(occurrence.key, []).append(occurrence)
        for items in self.by_file.values():
            items.sort(key=lambda o: (o.span.start, -o.span.end))
        self._starts = {path: [o.span.start for o in items] for path, items in self.by_file.items()}

    def at(self, path: str, offset: int) -> Occurrence | None:
        """The innermost occurrence whose span holds `offset` (its end included)."""
        items = self.by_file.get(path, [])
        index = bisect.bisect_right(self._starts.get(path, []), offset)
        best: Occurrence | None = None
        for occurrence in reversed(items[max(0, index - 8):index]):
            span = occurrence.span
            if span.start <= offset <= span.end and (
                    best is None or span.end - span.start < best.span.end - best.span.start):
                best = occurrence
        return best

    def definitions(self, key: str) -> list[Occurrence]:
        return [o for o in self.by_key.get(key, ()) if o.definition]

    def references(self, key: str) -> list[Occurrence]:
        return list(self.by_key.get(key, ()))

    def decl(self, name: str, kinds: Iterable[str] = GLOBAL_KINDS) -> Decl | None:
        wanted = tuple(kinds)
        return next((d for d in self.decls.get(name, ()) if d.kind in wanted), None)

    # ---- collection ------------------------------------------------------------------------

    def _of_decl(self, decl: Decl) -> Iterator[Occurrence]:
        yield Occurrence(decl.name, decl.kind, decl.name_span, definition=True)
        if isinstance(decl, ClassDecl):
            yield from self._class(decl)
        elif isinstance(decl, EnumDecl):
            for value in decl.values:
                yield Occurrence(f"{decl.name}.{value.name}", "enum_value",
                                 _head(value.span, value.name), True, decl.name)
        elif isinstance(decl, TypeAliasDecl):
            yield from _types(decl.type)
        elif isinstance(decl, (FunctionDecl, TemplateStringDecl)):
            yield from self._callable(decl)
        elif isinstance(decl, ClientDecl):
            yield from self._client(decl)
        elif isinstance(decl, TestDecl):
            for name, span in decl.function_names:
                yield Occurrence(name, "function", self._inner(span, name))
            if decl.type_builder is not None:
                yield from self._type_builder(decl)

    def _type_builder(self, test: TestDecl) -> Iterator[Occurrence]:
        """A test's extra and extended types refer to the project's (no new definitions)."""
        assert test.type_builder is not None
        builder = test.type_builder
        for extra in (*builder.classes, *builder.enums, *builder.aliases):
            yield Occurrence(extra.name, "type", extra.name_span)
            if isinstance(extra, ClassDecl):
                yield from self._class(extra)
            elif isinstance(extra, TypeAliasDecl):
                yield from _types(extra.type)

    def _class(self, decl: ClassDecl) -> Iterator[Occurrence]:
        for item in decl.fields:
            yield Occurrence(f"{decl.name}.{item.name}", "field", item.name_span, True,
                             decl.name)
            yield from _types(item.type)

    def _callable(self, decl: FunctionDecl | TemplateStringDecl) -> Iterator[Occurrence]:
        for param in decl.params:
            yield _param(decl.name, param)
            if param.type is not None:
                yield from _types(param.type)
        if isinstance(decl, FunctionDecl):
            if decl.return_type is not None:
                yield from _types(decl.return_type)
            client = decl.get("client")
            if isinstance(client, StringValue) and "/" not in client.value:
                yield Occurrence(client.value, "client", self._inner(client.span, client.value))
            prompt = decl.prompt
        else:
            prompt = decl.template
        if prompt is not None:
            yield from self._prompt(decl, prompt.span)

    def _client(self, decl: ClientDecl) -> Iterator[Occurrence]:
        policy = decl.get("retry_policy")
        if isinstance(policy, StringValue):
            yield Occurrence(policy.value, "retry_policy", self._inner(policy.span, policy.value))
        options = decl.options
        if options is None:
            return
        strategy = options.get("strategy")
        if isinstance(strategy, ArrayValue):
            for item in strategy.items:
                if isinstance(item, StringValue) and "/" not in item.value:
                    yield Occurrence(item.value, "client", self._inner(item.span, item.value))
        model = options.get("model")
        if isinstance(model, StringValue):
            yield Occurrence(f"model:{model.value}", "model", model.span, owner=decl.name)
        yield from _env_refs(options)

    def _prompt(self, decl: FunctionDecl | TemplateStringDecl, span: Span) -> Iterator[Occurrence]:
        """Parameters, template_strings and enums named inside `{{ … }}` and `{% … %}`."""
        source = self.sources.get(span.file)
        if source is None:
            return
        params = {p.name for p in decl.params}
        text = source.text
        for region in _JINJA.finditer(text, span.start, span.end):
            for match in _NAME.finditer(text, region.start(), region.end()):
                name = match.group(0)
                if text[match.start() - 1] == ".":
                    continue
                where = source.span(match.start(), match.end())
                if name in params:
                    yield Occurrence(f"{decl.name}.{name}", "parameter", where, owner=decl.name)
                elif any(d.kind in ("template_string", "enum") for d in self.decls.get(name, ())):
                    kind = self.decl(name, ("template_string", "enum")).kind  # type: ignore[union-attr]
                    yield Occurrence(name, kind, where)

    def _inner(self, span: Span, name: str) -> Span:
        """The span of `name` inside `span` (a quoted value's span holds its quotes)."""
        source = self.sources.get(span.file)
        if source is None:
            return span
        found = source.text.find(name, span.start, span.end)
        return span if found == -1 else source.span(found, found + len(name))


def _head(span: Span, name: str) -> Span:
    return Span(span.file, span.start, span.start + len(name), span.line, span.column,
                span.line, span.column + len(name))


def _param(owner: str, param: Param) -> Occurrence:
    return Occurrence(f"{owner}.{param.name}", "parameter", _head(param.span, param.name), True,
                      owner)


def _types(t: TypeExpr) -> Iterator[Occurrence]:
    for node in iter_types(t):
        if isinstance(node, NamedType) and node.name != "<missing>":
            yield Occurrence(node.name, "type", _head(node.span, node.name))


def _env_refs(value: Value) -> Iterator[Occurrence]:
    if isinstance(value, EnvRef):
        yield Occurrence(f"env:{value.name}", "env", value.span)
    elif isinstance(value, MapValue):
        for entry in value.entries:
            yield from _env_refs(entry.value)
    elif isinstance(value, ArrayValue):
        for item in value.items:
            yield from _env_refs(item)
