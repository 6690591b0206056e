"""Class views of a `TypeBuilder`: `ClassBuilder` for `@@dynamic` (and added) classes,
`ClassViewer` for the others, and their property builders. Views hold no state of their own:
everything is recorded on the builder, so `tb.Resume` may be fetched again and again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import TypeBuilderError
from ..ir import ClassDecl
from .builder import UNSET, ClassState, PropState, TypeBuilder
from .fieldtype import FieldType, named, require

__all__ = ["ClassBuilder", "ClassProperties", "ClassPropertyBuilder", "ClassPropertyViewer",
           "ClassViewer"]


def _declared(tb: TypeBuilder, name: str) -> ClassDecl | None:
    decl = tb.decl(name)
    return decl if isinstance(decl, ClassDecl) else None


def _is_dynamic(decl: ClassDecl) -> bool:
    return any(a.name == "dynamic" and a.block for a in decl.attrs)


class _ClassView:
    __slots__ = ("_name", "_tb")

    def __init__(self, tb: TypeBuilder, name: str) -> None:
        self._tb = tb
        self._name = name

    def type(self) -> FieldType:
        """A reference to this class, for a property's type."""
        return named(self._name)

    def _names(self) -> list[str]:
        decl = _declared(self._tb, self._name)
        out = [f.name for f in decl.fields] if decl is not None else []
        state = self._tb._classes.get(self._name)
        if state is not None:
            out += [n for n, p in state.props.items() if p.type is not None and n not in out]
        return out


class ClassPropertyViewer:
    """A property of a class that cannot change at run time."""

    __slots__ = ("_cls", "_name", "_tb")

    def __init__(self, tb: TypeBuilder, cls: str, name: str) -> None:
        self._tb = tb
        self._cls = cls
        self._name = name

    def get_type(self) -> FieldType:
        state = self._tb._classes.get(self._cls)
        prop = state.props.get(self._name) if state else None
        if prop is not None and prop.type is not None:
            return prop.type
        decl = _declared(self._tb, self._cls)
        for f in decl.fields if decl is not None else ():
            if f.name == self._name:
                return FieldType(f.type)
        raise TypeBuilderError(f"class `{self._cls}` has no property `{self._name}` yet")


class ClassPropertyBuilder(ClassPropertyViewer):
    """A property of a `@@dynamic` class: `.description(...)`, `.alias(...)` (on declared
    properties too) and `.type(...)` (on properties added at run time)."""

    __slots__ = ()

    def _state(self) -> PropState:
        state = self._tb._classes.setdefault(self._cls, ClassState(new=False))
        prop = state.props.get(self._name)
        if prop is None:
            prop = state.props[self._name] = PropState(None)
        return prop

    def alias(self, alias: str | None) -> ClassPropertyBuilder:
        """The name the model is told to write (None: the property's own name)."""
        with self._tb._lock:
            self._state().alias = _text(alias, "alias")
            self._tb._touch()
        return self

    def description(self, description: str | None) -> ClassPropertyBuilder:
        """Shown to the model in `ctx.output_format` (None: no description)."""
        with self._tb._lock:
            self._state().description = _text(description, "description")
            self._tb._touch()
        return self

    def type(self, field_type: FieldType) -> ClassPropertyBuilder:
        """Set the type of a property added at run time."""
        _check_type(field_type)
        decl = _declared(self._tb, self._cls)
        if decl is not None and any(f.name == self._name for f in decl.fields):
            raise TypeBuilderError(f"class `{self._cls}` already has a pre-defined field "
                                   f"`{self._name}`; its type cannot change at run time")
        with self._tb._lock:
            self._state().type = field_type
            self._tb._touch()
        return self


class ClassViewer(_ClassView):
    """A class that is not `@@dynamic`: refer to it, look at it."""

    __slots__ = ()

    def list_properties(self) -> list[tuple[str, ClassPropertyViewer]]:
        return [(n, ClassPropertyViewer(self._tb, self._name, n)) for n in self._names()]

    @property
    def props(self) -> ClassPropertyViewers:
        return ClassPropertyViewers(self._tb, self._name)


class ClassBuilder(_ClassView):
    """A `@@dynamic` class of the project, or one added with `add_class`."""

    __slots__ = ()

    def add_property(self, name: str, type: FieldType) -> ClassPropertyBuilder:
        """Add a property (BAML's name and signature); returns it for `.description(...)`."""
        _check_type(type)
        if not isinstance(name, str) or not name:
            raise TypeBuilderError("a property name must be a non-empty string")
        with self._tb._lock:
            state = self._state()
            if name in self._names() or (name in state.props
                                         and state.props[name].type is not None):
                raise TypeBuilderError(f"class `{self._name}` already has a property `{name}`")
            state.props[name] = PropState(type)
            self._tb._touch()
        return ClassPropertyBuilder(self._tb, self._name, name)

    def remove_property(self, name: str) -> None:
        """Remove a property added at run time."""
        with self._tb._lock:
            state = self._state()
            decl = _declared(self._tb, self._name)
            if decl is not None and any(f.name == name for f in decl.fields):
                raise TypeBuilderError(f"`{name}` is declared in class `{self._name}`; only "
                                       "properties added at run time can be removed")
            state.props.pop(name, None)
            self._tb._touch()

    def reset(self) -> None:
        """Remove every property added (and every change made) at run time."""
        with self._tb._lock:
            self._state().props.clear()
            self._tb._touch()

    def list_properties(self) -> list[tuple[str, ClassPropertyBuilder]]:
        return [(n, ClassPropertyBuilder(self._tb, self._name, n)) for n in self._names()]

    @property
    def props(self) -> ClassProperties:
        return ClassProperties(self._tb, self._name)

    def _state(self) -> ClassState:
        state = self._tb._classes.get(self._name)
        if state is not None:
            return state
        decl = _declared(self._tb, self._name)
        if decl is not None and not _is_dynamic(decl):
            raise TypeBuilderError(
                f"class `{self._name}` is not @@dynamic (declared at {decl.name_span}): add "
                f"`@@dynamic` to it to change it at run time")
        return self._tb._classes.setdefault(self._name, ClassState(new=False))

    # defined last: the name would hide the `property` decorator in the class body
    def property(self, name: str) -> ClassPropertyBuilder:
        """A property by name: a declared one (to re-describe) or one to add (`.type(...)`)."""
        self._state()
        return ClassPropertyBuilder(self._tb, self._name, name)


class ClassProperties:
    """`builder.props.name`: a declared or added property, by attribute."""

    __slots__ = ("_cls", "_tb")

    def __init__(self, tb: TypeBuilder, cls: str) -> None:
        self._tb = tb
        self._cls = cls

    def _property(self, name: str) -> ClassPropertyBuilder:
        return ClassPropertyBuilder(self._tb, self._cls, name)

    if not TYPE_CHECKING:  # untyped access by name; generated builders declare each one
        def __getattr__(self, name: str) -> ClassPropertyBuilder:
            if name.startswith("_") or name not in ClassBuilder(self._tb, self._cls)._names():
                raise AttributeError(f"class `{self._cls}` has no property `{name}`")
            return self._property(name)


class ClassPropertyViewers:
    __slots__ = ("_cls", "_tb")

    def __init__(self, tb: TypeBuilder, cls: str) -> None:
        self._tb = tb
        self._cls = cls

    if not TYPE_CHECKING:
        def __getattr__(self, name: str) -> ClassPropertyViewer:
            if name.startswith("_") or name not in ClassViewer(self._tb, self._cls)._names():
                raise AttributeError(f"class `{self._cls}` has no property `{name}`")
            return ClassPropertyViewer(self._tb, self._cls, name)


def _check_type(value: object) -> None:
    require(value)


def _text(value: object, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeBuilderError(f"{what} must be a string or None, got {type(value).__name__}")
    return value if value is not UNSET else None
