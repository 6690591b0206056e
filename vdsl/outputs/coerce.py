"""Type-directed coercion: a JSON-ish value (or every reading of a reply) → the target type.

One handler per type kind (a dispatch table, not an if-chain). Each returns `(value, penalty)`
or raises `Mismatch`; the penalty counts how much interpretation the value needed (a string
read as an int, a missing optional field, an extra key, a single value wrapped in a list …).
Unions and several candidate readings are settled by the lowest penalty, first one winning a
tie, and an exact fit (penalty 0) ends the search early.

Lenient where BAML is (items that do not fit are dropped from lists; an optional field that
does not fit is null; a missing list field is empty; an array where one value is expected
gives its first item that fits), strict where it is (a missing required field, an ambiguous
enum).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .constraints import AssertionFailed, apply_constraints
from .extract import Extracted
from .jsonish import PartialNum, PartialStr, is_complete
from .models import new_instance
from .partial import field_state, not_ready, wrap_state
from .primitives import Mismatch, match_enum, read_bool, read_float, read_int, show
from .target import ClassInfo, Constraint, FieldInfo, Targets, Ty, norm_key, plain_words

__all__ = ["MISSING", "Coercer"]

MISSING: Any = object()
"""A field the object does not have."""

_RAW_PENALTY = 3  # reading the whole reply as a scalar when JSON was found in it
_WRAP_PENALTY = 2  # `"solo"` → `["solo"]`
_DROP_PENALTY = 3  # a list item or map entry that fits nowhere
_MISSING_OPTIONAL = 1
_EXTRA_KEY = 1
_FROM_ARRAY = frozenset({"int", "float", "bool", "lit", "enum", "class"})
"""Kinds that take the first fitting item of an array given where one value is expected."""


def _fail(reason: str) -> Mismatch:
    return Mismatch(reason)


class Coercer:
    """Coerces values to target types of one project, for a final reply or a streamed prefix
    (`partial`: unfinished values become null instead of errors; asserts wait for the end)."""

    __slots__ = ("_handlers", "_wrapping", "partial", "targets")

    def __init__(self, targets: Targets, partial: bool = False) -> None:
        self.targets = targets
        self.partial = partial
        self._wrapping: set[int] = set()
        """Values being wrapped into a one-element list (a recursive type must not rewrap)."""
        self._handlers: dict[str, Callable[[Ty, Any, str], tuple[Any, int]]] = {
            "string": self.string, "int": self.int_, "float": self.float_, "bool": self.bool_,
            "null": self.null, "lit": self.literal, "enum": self.enum, "class": self.cls,
            "list": self.list_, "map": self.map_, "union": self.union, "ref": self.ref,
            "media": self.unsupported, "tuple": self.unsupported,
        }

    def coerce(self, ty: Ty, v: Any, path: str) -> tuple[Any, int]:
        if type(v) is Extracted:
            return self.any_of(ty, v, path)
        if type(v) is PartialNum:
            if self.partial:
                return None, 0
            v = v.value
        try:
            value, score = self._handlers[ty.kind](ty, v, path)
        except Mismatch as exc:
            if self.partial and not is_complete(v):
                return None, _DROP_PENALTY
            if exc.path is None:
                exc.path = path
            if isinstance(v, list) and ty.kind in _FROM_ARRAY:
                value, score = self.first_fit(ty, v, path, exc)
            else:
                raise
        if ty.constraints and value is not None and (not self.partial or is_complete(v)):
            value = self.constrain(value, ty.constraints, path)
        return value, score

    def first_fit(self, ty: Ty, items: list[Any], path: str, exc: Mismatch) -> tuple[Any, int]:
        """`[{…}]` where one value is expected: the first item that fits, as in BAML."""
        for i, item in enumerate(items):
            try:
                value, score = self.coerce(ty, item, f"{path}[{i}]")
            except Mismatch:
                continue
            return value, score + _WRAP_PENALTY
        raise exc

    def constrain(self, value: Any, constraints: tuple[Constraint, ...], path: str) -> Any:
        if self.partial:
            constraints = tuple(c for c in constraints if c.level == "check")
        return apply_constraints(value, constraints, path)

    # ---- several readings of one reply ---------------------------------------------------
    def any_of(self, ty: Ty, found: Extracted, path: str) -> tuple[Any, int]:
        if ty.kind == "string":  # a string target is the reply itself, as-is
            return self.coerce(ty, found.raw, path)
        raw = PartialStr(found.raw) if self.partial else found.raw
        readings = [(c, 0) for c in found.candidates]
        readings.append((raw, _RAW_PENALTY if found.candidates else 0))
        if self._resolve(ty).kind == "list":
            # a list target takes an array the reply holds (or the array of every value found)
            # over one value wrapped, as BAML does, unless no array gives a non-empty list
            arrays = [r for r in readings if isinstance(r[0], list)]
            if arrays:
                try:
                    return self._best_of(ty, arrays, path, non_empty=True)
                except (Mismatch, AssertionFailed):
                    pass
        return self._best_of(ty, readings, path)

    def _best_of(self, ty: Ty, readings: list[tuple[Any, int]], path: str,
                 non_empty: bool = False) -> tuple[Any, int]:
        best: tuple[Any, int] | None = None
        first_error: Mismatch | None = None
        failed_assert: AssertionFailed | None = None
        for value, extra in readings:
            try:
                result, score = self.coerce(ty, value, path)
            except Mismatch as exc:
                first_error = first_error or exc
                continue
            except AssertionFailed as exc:
                failed_assert = failed_assert or exc
                continue
            if non_empty and not result and value:
                first_error = first_error or Mismatch("no item fits")
                continue
            if best is None or score + extra < best[1]:
                best = (result, score + extra)
                if best[1] == 0:
                    break
        if best is not None:
            return best
        if failed_assert is not None:
            raise failed_assert
        assert first_error is not None
        raise first_error

    # ---- scalars ------------------------------------------------------------------------
    def string(self, ty: Ty, v: Any, path: str) -> tuple[Any, int]:
        if isinstance(v, str):
            return str(v), 0
        if isinstance(v, bool):
            return ("true" if v else "false"), 1
        if isinstance(v, (int, float)):
            return str(v), 1
        if isinstance(v, (dict, list)):
            return json.dumps(v, ensure_ascii=False, default=_number_value), 2
        raise _fail(f"found {show(v)}, not a string")

    def int_(self, ty: Ty, v: Any, path: str) -> tuple[Any, int]:
        return read_int(v)

    def float_(self, ty: Ty, v: Any, path: str) -> tuple[Any, int]:
        return read_float(v)

    def bool_(self, ty: Ty, v: Any, path: str) -> tuple[Any, int]:
        return read_bool(v)

    def null(self, ty: Ty, v: Any, path: str) -> tuple[Any, int]:
        if v is None:
            return None, 0
        if isinstance(v, str) and plain_words(v) in ("null", "none", ""):
            return None, 1
        raise _fail(f"found {show(v)}, not null")

    def literal(self, ty: Ty, v: Any, path: str) -> tuple[Any, int]:
        want = ty.value
        if self.partial and not is_complete(v):
            raise _fail("unfinished")
        if isinstance(want, bool):
            got_bool, score = read_bool(v)
            if got_bool == want:
                return want, score
        elif isinstance(want, int):
            got_int, score = read_int(v)
            if got_int == want:
                return want, score
        elif isinstance(v, str):
            if v == want:
                return want, 0
            words, key = plain_words(v), plain_words(want)
            if words == key:
                return want, 1
            if key and _count_words(words, key) == 1:
                return want, 2
        elif not isinstance(v, (dict, list)) and v is not None and str(v) == want:
            return want, 1
        raise _fail(f"found {show(v)}, not {ty.text}")

    def enum(self, ty: Ty, v: Any, path: str) -> tuple[Any, int]:
        if self.partial and not is_complete(v):
            return None, 0  # "POSI" could become anything: enums appear when complete
        info = self.targets.enum(ty.name)
        name, score = match_enum(info, v)
        return info.cls[name], score

    def unsupported(self, ty: Ty, v: Any, path: str) -> tuple[Any, int]:
        raise _fail(f"type `{ty.text}` is not supported in outputs")

    def ref(self, ty: Ty, v: Any, path: str) -> tuple[Any, int]:
        return self.coerce(self.targets.aliases[ty.name], v, path)

    # ---- containers ---------------------------------------------------------------------
    def list_(self, ty: Ty, v: Any, path: str) -> tuple[Any, int]:
        item = ty.args[0]
        if not isinstance(v, list):
            if v is None or id(v) in self._wrapping:
                raise _fail(f"found {show(v)}, not {ty.text}")
            self._wrapping.add(id(v))
            try:
                value, score = self.coerce(item, v, f"{path}[0]")
            finally:
                self._wrapping.discard(id(v))
            if value is None and not item.nullable:
                raise _fail(f"found {show(v)}, not {ty.text}")
            return [value], score + _WRAP_PENALTY
        out: list[Any] = []
        score = 0
        for i, raw in enumerate(v):
            try:
                value, s = self.coerce(item, raw, f"{path}[{i}]")
            except Mismatch:
                score += _DROP_PENALTY
                continue
            if value is None and self.partial and not item.nullable:
                continue  # not ready yet (unfinished, or a `@stream.not_null` is missing)
            out.append(value)
            score += s
        return out, score

    def map_(self, ty: Ty, v: Any, path: str) -> tuple[Any, int]:
        if not isinstance(v, dict):
            raise _fail(f"found {show(v)}, not {ty.text}")
        key_ty, value_ty = ty.args
        out: dict[Any, Any] = {}
        score = 0
        for k, raw in v.items():
            try:
                key, ks = self.coerce(key_ty, k, path)
                value, vs = self.coerce(value_ty, raw, f"{path}[{k!r}]")
            except Mismatch:
                score += _DROP_PENALTY
                continue
            out[key] = value
            score += ks + vs
        return out, score

    def union(self, ty: Ty, v: Any, path: str) -> tuple[Any, int]:
        if v is None and ty.nullable:
            return None, 0
        if isinstance(v, str) and _all_string_literals(ty):
            _check_ambiguous(ty, v)
        best: tuple[Any, int] | None = None
        errors: list[str] = []
        failed_assert: AssertionFailed | None = None
        for member in ty.args:
            try:
                result = self.coerce(member, v, path)
            except Mismatch as exc:
                errors.append(f"{member.text}: {exc.describe()}")
                continue
            except AssertionFailed as exc:
                failed_assert = failed_assert or exc
                continue
            if best is None or result[1] < best[1]:
                best = result
                if result[1] == 0:
                    break
        if best is not None:
            return best
        if failed_assert is not None:
            raise failed_assert
        raise _fail(f"found {show(v)}, which fits none of {ty.text} ({'; '.join(errors)})")

    # ---- classes ------------------------------------------------------------------------
    def cls(self, ty: Ty, v: Any, path: str) -> tuple[Any, int]:
        info = self.targets.cls(ty.name)
        if not isinstance(v, dict):
            raise _fail(f"found {show(v)}, not an object ({ty.name})")
        complete = is_complete(v)
        if self.partial and info.done and not complete:
            return None, 0
        given, score = _match_keys(info, v)
        values: dict[str, Any] = {}
        for f in info.fields:
            if f.skip:
                values[f.attr] = None
                continue
            value, s = self.field(f, given.get(f.name, MISSING), path)
            values[f.attr] = value
            score += s
        if self.partial and not_ready(info, values):
            return None, score
        model = new_instance(info.model, values)
        if info.constraints and (not self.partial or complete):
            return self.constrain(model, info.constraints, path), score
        return model, score

    def field(self, f: FieldInfo, raw: Any, path: str) -> tuple[Any, int]:
        where = f"{path}.{f.name}" if path else f.name
        value: Any
        if raw is MISSING:
            if self.partial:
                value, score = None, 0
            elif f.ty.nullable:
                value, score = None, _MISSING_OPTIONAL
            elif self._resolve(f.ty).kind == "list":
                value, score = [], _MISSING_OPTIONAL  # as in BAML: a missing list is empty
            else:
                raise Mismatch(f"missing required field `{f.name}`"
                               + (f" (written `{f.rendered}`)" if f.rendered != f.name else ""),
                               path or None)
        elif self.partial and f.done and not is_complete(raw):
            value, score = None, 0
        else:
            value, score = self._field_value(f, raw, where)
        if f.constraints and value is not None and (not self.partial or is_complete(raw)):
            value = self.constrain(value, f.constraints, where)
        if self.partial and f.with_state:
            value = wrap_state(value, field_state(raw, MISSING))
        return value, score

    def _resolve(self, ty: Ty) -> Ty:
        seen = 0
        while ty.kind == "ref" and seen < 32:
            ty, seen = self.targets.aliases[ty.name], seen + 1
        return ty

    def _field_value(self, f: FieldInfo, raw: Any, where: str) -> tuple[Any, int]:
        try:
            return self.coerce(f.ty, raw, where)
        except Mismatch:
            if f.ty.nullable and raw is not None:
                return None, _DROP_PENALTY  # an optional field that does not fit is null
            raise


def _number_value(v: Any) -> Any:
    if isinstance(v, PartialNum):
        return v.value
    raise TypeError(type(v).__name__)


def _count_words(words: str, key: str) -> int:
    return len(re.findall(r"(?<!\w)" + re.escape(key) + r"(?!\w)", words))


def _all_string_literals(ty: Ty) -> bool:
    return all(a.kind == "lit" and isinstance(a.value, str) for a in ty.args
               if a.kind != "null")


def _check_ambiguous(ty: Ty, v: str) -> None:
    """`"open" | "closed"` read from prose: naming both equally often is ambiguous."""
    words = plain_words(v)
    literals = [a.value for a in ty.args if a.kind == "lit"]
    if any(words == plain_words(lit) for lit in literals):
        return
    counts = {lit: _count_words(words, plain_words(lit)) for lit in literals}
    best = max(counts.values(), default=0)
    top = [lit for lit, n in counts.items() if n == best]
    if best and len(top) > 1:
        raise _fail(f"Too many matches for {ty.text}: found {show(v)}, which names "
                    + ", ".join(f'"{t}"' for t in top))


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
