"""Config values: what stands after a key in `client`, `test`, `generator` … blocks, and in
attribute arguments. Mirrors BAML's value semantics (docs/language.md, "Values")."""

from __future__ import annotations

from dataclasses import dataclass

from ..source import Span


@dataclass(frozen=True)
class Value:
    span: Span


@dataclass(frozen=True)
class StringValue(Value):
    """A string. `kind` is how it was written: "quoted", "unquoted" or "raw"."""
    value: str
    kind: str


@dataclass(frozen=True)
class RawString(StringValue):
    """A `#"…"#` block after BAML's trim and dedent.

    `first_line` is the file line that holds the first line of `value`, and `indent` the number of
    columns the dedent removed, so later stages can point inside a prompt.
    """
    first_line: int
    indent: int
    hashes: int


@dataclass(frozen=True)
class NumberValue(Value):
    value: int | float
    text: str


@dataclass(frozen=True)
class BoolValue(Value):
    value: bool


@dataclass(frozen=True)
class NullValue(Value):
    pass


@dataclass(frozen=True)
class EnvRef(Value):
    """`env.NAME`, resolved lazily at call time."""
    name: str


@dataclass(frozen=True)
class ArrayValue(Value):
    items: tuple[Value, ...]


@dataclass(frozen=True)
class MapEntry:
    key: str
    key_span: Span
    value: Value
    attrs: tuple[Attribute, ...]
    span: Span


@dataclass(frozen=True)
class MapValue(Value):
    entries: tuple[MapEntry, ...]

    def get(self, key: str) -> Value | None:
        for entry in self.entries:
            if entry.key == key:
                return entry.value
        return None

    def entry(self, key: str) -> MapEntry | None:
        for entry in self.entries:
            if entry.key == key:
                return entry
        return None

    def keys(self) -> list[str]:
        return [e.key for e in self.entries]


@dataclass(frozen=True)
class JinjaExpr(Value):
    """`{{ expr }}` in `@check`/`@assert` arguments; `source` is the text between the braces."""
    source: str


@dataclass(frozen=True)
class Attribute:
    """`@name(args)` on a field/type/value, or `@@name(args)` on a block (`block=True`)."""
    name: str
    args: tuple[Value, ...]
    block: bool
    span: Span
    name_span: Span

    @property
    def display(self) -> str:
        return ("@@" if self.block else "@") + self.name


def plain(value: Value) -> object:
    """A value as plain Python data (env refs as `{"$env": NAME}`), for JSON dumps and tests."""
    if isinstance(value, StringValue):
        return value.value
    if isinstance(value, (NumberValue, BoolValue)):
        return value.value
    if isinstance(value, NullValue):
        return None
    if isinstance(value, EnvRef):
        return {"$env": value.name}
    if isinstance(value, ArrayValue):
        return [plain(item) for item in value.items]
    if isinstance(value, MapValue):
        return {e.key: plain(e.value) for e in value.entries}
    if isinstance(value, JinjaExpr):
        return {"$jinja": value.source}
    raise TypeError(f"not a value: {value!r}")
