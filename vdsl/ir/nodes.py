"""Declarations: the typed IR of a `.vdsl` project. Every node has a `span`.

Value blocks (`client`, `function` fields, `test`, `generator`, `retry_policy`) keep their
entries as written, in order, so validation can report unknown keys at their own position;
typed accessors (`ClientDecl.provider`, `FunctionDecl.prompt`, …) read from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..source import Span
from .base import Node, record
from .types import TypeExpr
from .values import Attribute, MapEntry, MapValue, RawString, StringValue, Value


@record
class Decl(Node):
    """A top-level declaration: its name, where it is, its `///` doc comment."""
    name: str
    span: Span
    name_span: Span
    doc: str | None

    kind = "declaration"


@record
class Field(Node):
    """A class property: `name type @attrs`."""
    name: str
    type: TypeExpr
    attrs: tuple[Attribute, ...]
    doc: str | None
    span: Span
    name_span: Span


@record
class ClassDecl(Decl):
    """`class Name { fields @@attrs }` (`dynamic class` for types a TypeBuilder extends)."""
    fields: tuple[Field, ...]
    attrs: tuple[Attribute, ...]
    dynamic: bool = False

    kind = "class"


@record
class EnumValue(Node):
    """One member of an enum, with its attributes and doc comment."""
    name: str
    attrs: tuple[Attribute, ...]
    doc: str | None
    span: Span


@record
class EnumDecl(Decl):
    """`enum Name { VALUES @@attrs }`."""
    values: tuple[EnumValue, ...]
    attrs: tuple[Attribute, ...]
    dynamic: bool = False

    kind = "enum"


@record
class TypeAliasDecl(Decl):
    """`type Name = <type> @attrs`."""
    type: TypeExpr

    kind = "type_alias"


@record
class Param(Node):
    """A function or template parameter: `name: type` (no type: an error found later)."""
    name: str
    type: TypeExpr | None
    span: Span


@record
class BlockEntry(Node):
    """One `key value @attrs` line of a value block. `value` is None when the key stands alone."""
    key: str
    key_span: Span
    value: Value | None
    attrs: tuple[Attribute, ...]
    span: Span


@record
class ValueBlock(Decl):
    """Shared shape of `client`, `function`, `test`, `retry_policy` and `generator` blocks."""
    entries: tuple[BlockEntry, ...]
    block_attrs: tuple[Attribute, ...]

    def entry(self, key: str) -> BlockEntry | None:
        for entry in self.entries:
            if entry.key == key:
                return entry
        return None

    def get(self, key: str) -> Value | None:
        entry = self.entry(key)
        return entry.value if entry else None


@record
class ClientDecl(ValueBlock):
    """`client<llm> Name { provider …; retry_policy …; options { … } }`."""
    keyword: str = "client<llm>"

    kind = "client"

    @property
    def provider(self) -> str | None:
        value = self.get("provider")
        return value.value if isinstance(value, StringValue) else None

    @property
    def options(self) -> MapValue | None:
        value = self.get("options")
        return value if isinstance(value, MapValue) else None

    @property
    def retry_policy(self) -> str | None:
        value = self.get("retry_policy")
        return value.value if isinstance(value, StringValue) else None


@record
class FunctionDecl(ValueBlock):
    """`function Name(params) -> Return { client …; prompt #"…"# }`."""
    params: tuple[Param, ...] = ()
    return_type: TypeExpr | None = None
    signature_span: Span | None = None

    kind = "function"

    @property
    def client(self) -> str | None:
        value = self.get("client")
        return value.value if isinstance(value, StringValue) else None

    @property
    def prompt(self) -> RawString | StringValue | None:
        value = self.get("prompt")
        return value if isinstance(value, StringValue) else None


@record
class RetryPolicyDecl(ValueBlock):
    """`retry_policy Name { max_retries … strategy { … } }`."""
    kind = "retry_policy"


@record
class TypeBuilder(Node):
    """A test's `type_builder { … }`: extra or extended (`dynamic`) types for that test."""
    classes: tuple[ClassDecl, ...]
    enums: tuple[EnumDecl, ...]
    aliases: tuple[TypeAliasDecl, ...]
    span: Span


@record
class TestDecl(ValueBlock):
    """`test Name { functions [...] args { … } @@check(…) }`."""
    type_builder: TypeBuilder | None = None

    kind = "test"

    @property
    def function_names(self) -> list[tuple[str, Span]]:
        from .values import ArrayValue
        value = self.get("functions")
        if not isinstance(value, ArrayValue):
            return []
        return [(v.value, v.span) for v in value.items if isinstance(v, StringValue)]

    @property
    def args(self) -> MapValue | None:
        value = self.get("args")
        return value if isinstance(value, MapValue) else None


@record
class GeneratorDecl(ValueBlock):
    """`generator Name { output_type … output_dir … }`."""
    kind = "generator"


@record
class TemplateStringDecl(Decl):
    """`template_string Name(params) #"…"#`: a reusable, callable prompt fragment."""
    params: tuple[Param, ...]
    template: RawString | None

    kind = "template_string"


@dataclass(slots=True)
class Program:
    """All declarations of a project, in file order. Files share one namespace."""
    decls: list[Decl] = field(default_factory=list)
    broken_names: set[str] = field(default_factory=set)
    """Names of blocks that failed to parse: references to them are not reported again."""

    def of_kind(self, cls: type[Decl]) -> list:  # type: ignore[type-arg]
        return [d for d in self.decls if isinstance(d, cls)]

    @property
    def classes(self) -> list[ClassDecl]:
        return self.of_kind(ClassDecl)

    @property
    def enums(self) -> list[EnumDecl]:
        return self.of_kind(EnumDecl)

    @property
    def aliases(self) -> list[TypeAliasDecl]:
        return self.of_kind(TypeAliasDecl)

    @property
    def functions(self) -> list[FunctionDecl]:
        return self.of_kind(FunctionDecl)

    @property
    def clients(self) -> list[ClientDecl]:
        return self.of_kind(ClientDecl)

    @property
    def retry_policies(self) -> list[RetryPolicyDecl]:
        return self.of_kind(RetryPolicyDecl)

    @property
    def tests(self) -> list[TestDecl]:
        return self.of_kind(TestDecl)

    @property
    def generators(self) -> list[GeneratorDecl]:
        return self.of_kind(GeneratorDecl)

    @property
    def template_strings(self) -> list[TemplateStringDecl]:
        return self.of_kind(TemplateStringDecl)

    def find(self, name: str) -> Decl | None:
        for decl in self.decls:
            if decl.name == name and not isinstance(decl, (TestDecl, GeneratorDecl)):
                return decl
        return None


__all__ = [
    "BlockEntry",
    "ClassDecl",
    "ClientDecl",
    "Decl",
    "EnumDecl",
    "EnumValue",
    "Field",
    "FunctionDecl",
    "GeneratorDecl",
    "MapEntry",
    "Param",
    "Program",
    "RetryPolicyDecl",
    "TemplateStringDecl",
    "TestDecl",
    "TypeAliasDecl",
    "TypeBuilder",
    "ValueBlock",
]
