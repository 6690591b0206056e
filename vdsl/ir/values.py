"""Config values: what stands after a key in `client`, `test`, `generator` … blocks, and in
attribute arguments. Mirrors BAML's value semantics (docs/language.md, "Values")."""

from __future__ import annotations

from ..source import Span
from .base import Node, record


@record
class Value(Node):
    """A config value, with where it is written."""
    span: Span


@record
class StringValue(Value):
    """A string. `kind` is how it was written: "quoted", "unquoted" or "raw"."""
    value: str
    kind: str


@record
class RawString(StringValue):
    """A `#"…"#` block after BAML's trim and dedent.

    `first_line` is the file line that holds the first line of `value`, and `indent` the number of
    columns the dedent removed, so later stages can point inside a prompt.
    """
    first_line: int
    indent: int
    hashes: int


@record
class NumberValue(Value):
    """A number; `text` is how it was written."""
    value: int | float
    text: str


@record
class BoolValue(Value):
    """`true` or `false`."""
    value: bool


@record
class NullValue(Value):
    """`null`."""


@record
class EnvRef(Value):
    """`env.NAME`, resolved lazily at call time."""
    name: str


@record
class ArrayValue(Value):
    """`[a, b, …]`."""
    items: tuple[Value, ...]


@record
class MapEntry(Node):
    """`key value @attrs` inside `{ … }`."""
    key: str
    key_span: Span
    value: Value
    attrs: tuple[Attribute, ...]
    span: Span


@record
class MapValue(Value):
    """`{ key value, … }`, entries in the order written."""
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


@record
class JinjaExpr(Value):
    """`{{ expr }}` in `@check`/`@assert` arguments; `source` is the text between the braces."""
    source: str


@record
class Attribute(Node):
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
