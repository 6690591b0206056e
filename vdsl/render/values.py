"""How argument values look inside a prompt template.

BAML renders prompts with minijinja, so values print the minijinja way: `null`, `true`,
`[1, "a"]`, `{"k": 1}` (not Python's `None`, `True`, `['a']`). Class instances allow
attribute access (`person.name`), enum values compare equal to their names
(`mood == "HAPPY"`) and enum types are globals (`Mood.HAPPY`). Media values print as markers
that the splitter turns into message parts.
"""

from __future__ import annotations

import decimal
import json
import math
import secrets
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Self

from jinja2 import Undefined

from ..media import Media
from .roles import MEDIA_CLOSE, MEDIA_OPEN, ROLE_CLOSE, ROLE_OPEN, RoleMark

__all__ = ["ArgList", "ClassInstance", "EnumType", "EnumValue", "MapKey", "RenderState",
           "display", "finalize"]


class ClassInstance:
    """A class-typed argument: fields by attribute (`x.name`) or item (`x["name"]`)."""

    __slots__ = ("_aliases", "_class", "_fields")

    def __init__(self, class_name: str, fields: dict[str, Any],
                 aliases: dict[str, str] | None = None) -> None:
        self._class = class_name
        self._fields = fields
        self._aliases = aliases or {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._fields[name]

    def __contains__(self, name: object) -> bool:
        return name in self._fields

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, ClassInstance) and other._class == self._class
                and other._fields == self._fields)

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        return display(self)

    def __repr__(self) -> str:
        return f"{self._class}({self._fields!r})"


class EnumValue(str):
    """An enum argument: a `str` equal to the value's name, so `x == "RED"` works."""

    enum_name: str
    alias: str | None

    def __new__(cls, value: str, enum_name: str, alias: str | None = None) -> Self:
        obj = super().__new__(cls, value)
        obj.enum_name = enum_name
        obj.alias = alias
        return obj

    @property
    def value(self) -> str:
        return str.__str__(self)


class EnumType:
    """The global `Color` in a template: `Color.RED` is that enum value."""

    __slots__ = ("_name", "_values")

    def __init__(self, name: str, values: dict[str, EnumValue]) -> None:
        self._name = name
        self._values = values

    def __getattr__(self, name: str) -> EnumValue:
        if name.startswith("_") or name not in self._values:
            raise AttributeError(name)
        return self._values[name]

    def __getitem__(self, name: str) -> EnumValue:
        return self._values[name]

    def __iter__(self) -> Iterator[EnumValue]:
        return iter(self._values.values())

    def __str__(self) -> str:
        return self._name


@dataclass(slots=True)
class RenderState:
    """What one render call collects while the template runs: role switches and media."""

    roles: list[RoleMark] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    ctx: Any = None
    """The template's `ctx`, for template_strings called during this render."""
    budget: Any = None
    """The render's `budget.Budget` (output, steps, time, call depth used so far)."""

    nonce: str = field(default_factory=lambda: secrets.token_hex(8))
    """Signs this render's markers, so marker text inside an argument is never one."""

    def role_marker(self, mark: RoleMark) -> str:
        self.roles.append(mark)
        return f"{ROLE_OPEN}{self.nonce}:{len(self.roles) - 1}{ROLE_CLOSE}"

    def media_marker(self, media: Media) -> str:
        self.media.append(media)
        return f"{MEDIA_OPEN}{self.nonce}:{len(self.media) - 1}{MEDIA_CLOSE}"


CURRENT: ContextVar[RenderState | None] = ContextVar("vdsl_render_state", default=None)


class ArgList(list[Any]):
    """A list that came in as an argument. BAML prints a null inside it as `null`, while a
    list the template builds (`[x]`, `xs|list`, `xs + ys`) prints it as minijinja's `none`."""

    __slots__ = ()


class MapKey(str):
    """A key of a map argument. minijinja cannot unpack a string, so `{% for k, v in m %}`
    (which iterates keys) fails in BAML; here it fails too instead of splitting a two-letter
    key into its letters."""

    __slots__ = ()

    def __iter__(self) -> Iterator[str]:
        raise TypeError("cannot unpack a map key: iterating a map gives its keys; "
                        "write `{% for k, v in m|items %}`")


def finalize(value: Any) -> Any:
    """Jinja `finalize` hook: print `{{ value }}` the way minijinja would."""
    if isinstance(value, str) and not isinstance(value, EnumValue):
        return value
    return display(value)


def display(value: Any, nested: bool = False, null: str = "null") -> str:
    """`value` as BAML prints it. `nested` quotes strings; `null` is how a None prints here
    (`null` on its own, in a class or an argument list; `none` in a map or a built list)."""
    if isinstance(value, EnumValue):  # BAML prints an enum value by its alias, unquoted
        return value.alias or value.value
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False) if nested else value
    if value is None:
        return null  # what BAML prints (measured on baml-py 0.226.3)
    if isinstance(value, Undefined):  # an omitted optional: empty alone, named inside a list
        return "undefined" if nested else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _float(value, nested)
    if isinstance(value, Media):
        state = CURRENT.get()
        return state.media_marker(value) if state else repr(value)
    if isinstance(value, ClassInstance):
        return _pretty(value, 0)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{display(k, True)}: {display(v, True, 'none')}"
                               for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        inner = "null" if isinstance(value, ArgList) else "none"
        return "[" + ", ".join(display(v, True, inner) for v in value) + "]"
    return str(value)


def _pretty(value: Any, depth: int, null: str = "null") -> str:
    """A class argument as BAML prints it: one field per line under its `@alias` if it has one,
    4-space indent, trailing commas, and everything inside it the same way (lists and maps
    too)."""
    pad, close = "    " * (depth + 1), "    " * depth
    if isinstance(value, (ClassInstance, dict)):
        inner = "null" if isinstance(value, ClassInstance) else "none"
        items = value._fields.items() if isinstance(value, ClassInstance) else value.items()
        names = value._aliases if isinstance(value, ClassInstance) else {}
        lines = [f"{pad}{display(names.get(k, k), True)}: {_pretty(v, depth + 1, inner)},\n"
                 for k, v in items]
        return "{\n" + "".join(lines) + close + "}" if lines else "{}"
    if isinstance(value, (list, tuple)):
        inner = "null" if isinstance(value, ArgList) else "none"
        lines = [f"{pad}{_pretty(v, depth + 1, inner)},\n" for v in value]
        return "[\n" + "".join(lines) + close + "]" if lines else "[]"
    return display(value, True, null)


def to_json_data(value: Any) -> Any:
    """`json.dumps` default for `| tojson`: class instances as their fields, enums by name."""
    if isinstance(value, ClassInstance):
        return dict(value._fields)
    if isinstance(value, EnumType):
        return str(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _float(value: float, nested: bool = False) -> str:
    """Floats as BAML prints them: on their own never in exponent form (`100000000000000000000.0`,
    `0.00000015`), inside lists and maps in the shortest form (`1e20`, `1.5e-7`)."""
    if not math.isfinite(value):
        return repr(value)
    text = repr(value)
    if nested:
        if "e" in text:
            mantissa, exponent = text.split("e")
            return f"{mantissa}e{int(exponent)}"
        return text
    if "e" in text:
        text = format(decimal.Decimal(text), "f")
    return text if "." in text else text + ".0"
