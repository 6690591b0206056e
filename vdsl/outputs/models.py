"""The Python shapes of parsed values: dynamic pydantic models for the project's classes, `str`
enums for its enums, and the wrappers BAML's clients expose (`Checked`, `StreamState`).

Models are built once per class (see `target.Targets`) and filled with `model_construct`:
coercion has already made every value the right type, and validating again would cost more
than the whole parse. Their fields are typed `Any` and default to None, so the same model
serves a final value and a streaming partial. Field names are the declared names; `@alias`
only matters for matching what the model wrote. A name that would shadow a pydantic
attribute (`json`, `copy`, …) gets a trailing `_` as its Python attribute, with the declared
name kept as the pydantic alias.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model

if TYPE_CHECKING:
    from .target import ClassInfo

__all__ = ["Check", "Checked", "StreamState", "build_enum", "build_model", "new_instance",
           "to_plain"]

T = TypeVar("T")


class Check(BaseModel):
    """The outcome of one `@check`: its name, Jinja expression and status."""

    name: str
    expression: str
    status: Literal["succeeded", "failed"]


class Checked(BaseModel, Generic[T]):
    """A value that carries `@check` results, keyed by check name (as in BAML's clients)."""

    value: T
    checks: dict[str, Check]

    @property
    def passed(self) -> bool:
        """Whether every check succeeded."""
        return all(c.status == "succeeded" for c in self.checks.values())


class StreamState(BaseModel, Generic[T]):
    """A `@stream.with_state` field in a partial: the value so far and how far it got."""

    value: T | None
    state: Literal["Pending", "Incomplete", "Complete"]


_RESERVED = frozenset(dir(BaseModel))


def _attr_name(name: str, taken: set[str]) -> str:
    """A Python attribute for field `name`: pydantic reserves `model_*` and `_*`, so those
    get a prefix (the wire name stays as the alias); clashes get a trailing `_`."""
    attr = f"f_{name}" if name.startswith(("_", "model_")) else name
    while attr in _RESERVED or attr in taken:
        attr += "_"
    return attr


def build_model(info: ClassInfo) -> type[BaseModel]:
    """A pydantic model named after the class, one optional `Any` field per declared field."""
    taken: set[str] = set()
    definitions: dict[str, Any] = {}
    for f in info.fields:
        f.attr = _attr_name(f.name, taken)
        taken.add(f.attr)
        alias = f.name if f.attr != f.name else None
        definitions[f.attr] = (Any, Field(default=None, alias=alias))
    config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)
    model = create_model(info.name, __config__=config, **definitions)
    model.__doc__ = f"Parsed value of class `{info.name}` (built from the .vdsl project)."
    return model


def new_instance(model: type[BaseModel], values: dict[str, Any]) -> BaseModel:
    """`model.model_construct(**values)` for values that name every field: what pydantic's
    own `model_construct` ends up doing, without its per-call defaults handling (hot path)."""
    obj = model.__new__(model)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


def build_enum(name: str, values: list[str]) -> type[enum.Enum]:
    """A `str` enum: members compare equal to their names and dump as plain strings."""
    return enum.Enum(name, [(v, v) for v in values], type=str)  # type: ignore[return-value]


def to_plain(value: Any, bare: bool = False) -> Any:
    """A parsed value as JSON-ready data: models as dicts keyed by declared names, enums as
    their names, `Checked`/`StreamState` as `{"value", "checks"}`/`{"value", "state"}`.
    With `bare`, those wrappers are replaced by their values (what a constraint sees)."""
    if isinstance(value, Checked):
        if bare:
            return to_plain(value.value, bare)
        return {"value": to_plain(value.value),
                "checks": {k: c.model_dump() for k, c in value.checks.items()}}
    if isinstance(value, StreamState):
        if bare:
            return to_plain(value.value, bare)
        return {"value": to_plain(value.value), "state": value.state}
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return {(f.alias or name): to_plain(getattr(value, name), bare)
                for name, f in fields.items()}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k.value if isinstance(k, enum.Enum) else k): to_plain(v, bare)
                for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v, bare) for v in value]
    return value
