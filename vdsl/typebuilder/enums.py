"""Enum views of a `TypeBuilder`: `EnumBuilder` for `@@dynamic` (and added) enums,
`EnumViewer` for the others, and their value builders (`.alias`, `.description`, `.skip`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import TypeBuilderError
from ..ir import EnumDecl
from .builder import EnumState, TypeBuilder, ValueState
from .classes import _text
from .fieldtype import FieldType, named

__all__ = ["EnumBuilder", "EnumValueBuilder", "EnumValueViewer", "EnumValues", "EnumViewer"]


def _declared(tb: TypeBuilder, name: str) -> EnumDecl | None:
    decl = tb.decl(name)
    return decl if isinstance(decl, EnumDecl) else None


class _EnumView:
    __slots__ = ("_name", "_tb")

    def __init__(self, tb: TypeBuilder, name: str) -> None:
        self._tb = tb
        self._name = name

    def type(self) -> FieldType:
        """A reference to this enum, for a property's type."""
        return named(self._name)

    def _names(self) -> list[str]:
        decl = _declared(self._tb, self._name)
        out = [v.name for v in decl.values] if decl is not None else []
        state = self._tb._enums.get(self._name)
        if state is not None:
            out += [n for n, v in state.values.items() if v.new and n not in out]
        return out


class EnumValueViewer:
    """A value of an enum that cannot change at run time."""

    __slots__ = ("_enum", "_name", "_tb")

    def __init__(self, tb: TypeBuilder, enum: str, name: str) -> None:
        self._tb = tb
        self._enum = enum
        self._name = name


class EnumValueBuilder(EnumValueViewer):
    """A value of a `@@dynamic` (or added) enum."""

    __slots__ = ()

    def _state(self) -> ValueState:
        state = self._tb._enums.setdefault(self._enum, EnumState(new=False))
        value = state.values.get(self._name)
        if value is None:
            value = state.values[self._name] = ValueState(new=False)
        return value

    def alias(self, alias: str | None) -> EnumValueBuilder:
        """What the model is told to write for this value (None: its name)."""
        with self._tb._lock:
            self._state().alias = _text(alias, "alias")
            self._tb._touch()
        return self

    def description(self, description: str | None) -> EnumValueBuilder:
        with self._tb._lock:
            self._state().description = _text(description, "description")
            self._tb._touch()
        return self

    def skip(self, skip: bool | None = True) -> EnumValueBuilder:
        """Leave the value out of prompts and parsing."""
        with self._tb._lock:
            self._state().skip = bool(skip)
            self._tb._touch()
        return self


class EnumViewer(_EnumView):
    """An enum that is not `@@dynamic`: refer to it, look at it."""

    __slots__ = ()

    def list_values(self) -> list[tuple[str, EnumValueViewer]]:
        return [(n, EnumValueViewer(self._tb, self._name, n)) for n in self._names()]


class EnumBuilder(_EnumView):
    """A `@@dynamic` enum of the project, or one added with `add_enum`."""

    __slots__ = ()

    def add_value(self, name: str) -> EnumValueBuilder:
        """Add a value; returns it for `.description(...)`, `.alias(...)`, `.skip()`."""
        if not isinstance(name, str) or not name:
            raise TypeBuilderError("an enum value must be a non-empty string")
        with self._tb._lock:
            state = self._state()
            if name in self._names():
                raise TypeBuilderError(f"enum `{self._name}` already has a value `{name}`")
            state.values[name] = ValueState(new=True)
            self._tb._touch()
        return EnumValueBuilder(self._tb, self._name, name)

    def value(self, name: str) -> EnumValueBuilder:
        """A value by name (declared or added)."""
        self._state()
        if self._tb.project is not None and name not in self._names():
            raise TypeBuilderError(f"enum `{self._name}` has no value `{name}`; add it with "
                                   "add_value")
        return EnumValueBuilder(self._tb, self._name, name)

    def list_values(self) -> list[tuple[str, EnumValueBuilder]]:
        return [(n, EnumValueBuilder(self._tb, self._name, n)) for n in self._names()]

    @property
    def values(self) -> EnumValues:
        return EnumValues(self._tb, self._name)

    def _state(self) -> EnumState:
        state = self._tb._enums.get(self._name)
        if state is not None:
            return state
        decl = _declared(self._tb, self._name)
        if decl is not None and not any(a.name == "dynamic" and a.block for a in decl.attrs):
            raise TypeBuilderError(
                f"enum `{self._name}` is not @@dynamic (declared at {decl.name_span}): add "
                f"`@@dynamic` to it to change it at run time")
        return self._tb._enums.setdefault(self._name, EnumState(new=False))


class EnumValues:
    """`builder.values.NAME`: a declared or added value, by attribute."""

    __slots__ = ("_enum", "_tb")

    def __init__(self, tb: TypeBuilder, enum: str) -> None:
        self._tb = tb
        self._enum = enum

    def _value(self, name: str) -> EnumValueBuilder:
        return EnumValueBuilder(self._tb, self._enum, name)

    if not TYPE_CHECKING:  # untyped access by name; generated builders declare each one
        def __getattr__(self, name: str) -> EnumValueBuilder:
            if name.startswith("_") or name not in EnumBuilder(self._tb, self._enum)._names():
                raise AttributeError(f"enum `{self._enum}` has no value `{name}`")
            return self._value(name)
