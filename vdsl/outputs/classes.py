"""Coercing objects into the project's classes: fields by name or alias, missing fields, a
bare value for a one-field class, and the shapes BAML gives classes while they stream.

Final values: a missing optional field is null, a missing (or null) list field `[]` and map
field `{}`, a missing required field an error. A class with one field takes a bare number,
bool or array as that field (`1214` for `class Foo { foo int }`), never a bare string.

Partials: a field not seen yet is null — a list field `[]`, a map field `{}` — so a partial
always has the class's shape (also while only prose has arrived); `@stream.done` waits for the
closed value, `@stream.not_null` holds the whole object back, `@stream.with_state` wraps the
value with its progress.
"""

from __future__ import annotations

from typing import Any

from .jsonish import is_complete
from .models import StreamState, new_instance
from .partial import field_state, wrap_state
from .primitives import Mismatch, Trailed, show
from .target import ClassInfo, Constraint, FieldInfo, Targets, Ty, norm_key

__all__ = ["MISSING", "ClassCoercion"]

MISSING: Any = object()
"""A field the object does not have."""

_MISSING_OPTIONAL = 1
_EXTRA_KEY = 1
_LONE_PENALTY = 2
_PENDING = 50


class ClassCoercion:
    """The class handlers of `Coercer` (a mixin: the coercer provides what is declared
    here)."""

    __slots__ = ()
    targets: Targets
    partial: bool

    def coerce(self, ty: Ty, v: Any) -> tuple[Any, int]:
        raise NotImplementedError

    def constrain(self, value: Any, constraints: tuple[Constraint, ...]) -> Any:
        raise NotImplementedError

    def cls(self, ty: Ty, v: Any) -> tuple[Any, int]:
        info = self.targets.cls(ty.name)
        if not isinstance(v, dict):
            return self.not_object(info, ty, v)
        complete = is_complete(v)
        if self.partial and info.done and not complete:
            return None, _PENDING
        given, score = _match_keys(info, v)
        values: dict[str, Any] = {}
        for f in info.fields:
            if f.skip:
                values[f.attr] = None
                continue
            value, s = self.field(f, given.get(f.name, MISSING))
            values[f.attr] = value
            score += s
        if self.partial and _not_ready(info, values, given):
            return None, _PENDING
        model = new_instance(info.model, values)
        if info.constraints and (not self.partial or complete):
            return self.constrain(model, info.constraints), score
        return model, score

    def not_object(self, info: ClassInfo, ty: Ty, v: Any) -> tuple[Any, int]:
        """A value that is not an object: the one field of a one-field class, or (in a
        partial, before any JSON arrived) the class with every field not seen yet."""
        lone = info.lone
        if lone is not None and v is not None and not isinstance(v, str) and is_complete(v):
            try:
                value, score = self.field(lone, v)
            except Mismatch:
                pass
            else:
                values = {f.attr: (value if f is lone else None) for f in info.fields}
                return new_instance(info.model, values), score + _LONE_PENALTY
        if self.partial:
            values = {f.attr: self.missing(f)[0] for f in info.fields}
            if _not_ready(info, values, {}):
                return None, _PENDING
            return new_instance(info.model, values), _PENDING
        raise Mismatch(f"found {show(v)}, not an object ({ty.name})")

    def field(self, f: FieldInfo, raw: Any) -> tuple[Any, int]:
        value: Any
        if raw is MISSING or (raw is None and self._empty_container(f) is not None):
            value, score = self.missing(f)
        elif self.partial and f.done and not is_complete(raw):
            value, score = None, 0
        else:
            try:
                value, score = self.coerce(f.ty, raw)
                if score >= _PENDING:
                    score = 0  # a field still arriving does not make the object a worse fit
                if f.constraints and value is not None and (not self.partial
                                                            or is_complete(raw)):
                    value = self.constrain(value, f.constraints)
            except Trailed as exc:
                raise exc.at("." + f.name) from None
        if self.partial and f.with_state:
            value = wrap_state(value, field_state(raw, MISSING))
        return value, score

    def missing(self, f: FieldInfo) -> tuple[Any, int]:
        """A field the object does not have (or a null list or map field)."""
        empty = self._empty_container(f)
        if empty is not None:
            return empty, (0 if self.partial else _MISSING_OPTIONAL)
        if self.partial:
            return None, 0
        if f.ty.nullable:
            return None, _MISSING_OPTIONAL
        raise Mismatch(f"missing required field `{f.name}`"
                       + (f" (written `{f.rendered}`)" if f.rendered != f.name else ""))

    def _empty_container(self, f: FieldInfo) -> list[Any] | dict[Any, Any] | None:
        """`[]` for a list field, `{}` for a map field (not optional ones), else None."""
        kind = f.empty
        if kind is None:
            kind = f.empty = ("" if f.ty.nullable else self.targets.resolve(f.ty).kind)
        return [] if kind == "list" else {} if kind == "map" else None


def _not_ready(info: ClassInfo, values: dict[str, Any], given: dict[str, Any]) -> bool:
    """Whether a `@stream.not_null` field of the class has no value yet."""
    for f in info.fields:
        if not f.not_null:
            continue
        value = values.get(f.attr)
        if isinstance(value, StreamState):
            value = value.value
        if value is None:
            raw = given.get(f.name, MISSING)
            if raw is MISSING or not is_complete(raw) or not f.ty.nullable:
                return True
    return False


def _match_keys(info: ClassInfo, v: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """The object's entries by declared field name: exact name or alias first, then ignoring
    case, spaces, `_` and `-`. Unknown keys are ignored (and counted, to rank unions)."""
    given: dict[str, Any] = {}
    extra = 0
    for key, raw in v.items():
        f = info.by_key.get(key)
        if f is None and isinstance(key, str):
            f = info.by_norm.get(norm_key(key))
        if f is None:
            extra += _EXTRA_KEY
        elif f.name not in given:
            given[f.name] = raw
    return given, extra
