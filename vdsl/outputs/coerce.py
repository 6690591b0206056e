"""Type-directed coercion: a JSON-ish value (or every reading of a reply) → the target type.

One handler per type kind (a dispatch table, not an if-chain). Each returns `(value, penalty)`
or raises `Mismatch`; the penalty counts how much interpretation the value needed (a string
read as an int, a missing optional field, an extra key, a single value wrapped in a list …).
Unions and several candidate readings are settled by the lowest penalty, first one winning a
tie, and an exact fit (penalty 0) ends the search early.

Lossless: a final value never drops what the reply wrote for it — a list item or map entry
that fits nowhere, an array of several values where one is expected, a number that is not
wholly a number, are all errors, not silently skipped (a streaming partial skips what is not
ready yet instead). Results are memoised per (type, container) for one parse, so coercing
into a recursive alias costs time polynomial in the reply, never exponential.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .classes import ClassCoercion
from .constraints import AssertionFailed, apply_constraints
from .extract import Extracted
from .jsonish import PartialNum, PartialStr, is_complete
from .numbers import read_float, read_int
from .primitives import Mismatch, Trailed, match_enum, nullish, read_bool, show
from .target import Constraint, Targets, Ty, plain_words
from .words import folded

__all__ = ["PENDING", "Coercer"]

_RAW_PENALTY = 3  # reading the whole reply as a scalar when JSON was found in it
_WRAP_PENALTY = 2  # `"solo"` → `["solo"]`
PENDING = 50
"""The penalty of a partial's "not ready yet" null: any member with a value beats it."""
_DONE_KINDS = frozenset({"int", "float", "bool", "lit", "enum", "null"})
"""Kinds that appear in a partial only once the text closed them (`"POSI"` is nothing yet)."""
_SCALAR_KINDS = frozenset({"string", "int", "float", "bool", "null", "lit", "enum"})
_EXACT: dict[type, frozenset[str]] = {
    str: frozenset({"string", "lit", "enum", "ref"}), int: frozenset({"int", "float", "lit"}),
    float: frozenset({"float"}), bool: frozenset({"bool", "lit"}),
    dict: frozenset({"class", "map", "ref"}), list: frozenset({"list", "ref"}),
}
"""Per value type, the member kinds that can fit it with no interpretation (penalty 0)."""
_FAST: dict[str, type] = {"string": str, "int": int, "float": float, "bool": bool}
_FROM_ARRAY = frozenset({"int", "float", "bool", "lit", "enum", "class"})
"""Kinds that take the only item of an array given where one value is expected."""


class Coercer(ClassCoercion):
    """Coerces values to target types of one project, for a final reply or a streamed prefix
    (`partial`: unfinished values become null instead of errors; asserts wait for the end)."""

    __slots__ = ("_memo", "_wrapping", "partial", "targets")

    def __init__(self, targets: Targets, partial: bool = False) -> None:
        self.targets = targets
        self.partial = partial
        self._wrapping: set[int] = set()
        """Values being wrapped into a one-element list (a recursive type must not rewrap)."""
        self._memo: dict[tuple[int, int, bool], Any] = {}
        """(type, container, wrapping) → result, or (failure, its trail depth), this parse."""

    def coerce(self, ty: Ty, v: Any) -> tuple[Any, int]:
        if type(v) is Extracted:
            return self.any_of(ty, v)
        if type(v) is _FAST.get(ty.kind) and not ty.constraints:
            return v, 0  # the common case: the JSON already has the declared type
        if self.partial and not is_complete(v) and (ty.kind in _DONE_KINDS or ty.done):
            return None, PENDING  # "POSI", `4` (of 42), an unclosed `@stream.done` value
        if type(v) is PartialNum and ty.kind in _SCALAR_KINDS:
            v = v.value
        try:
            value, score = _HANDLERS[ty.kind](self, ty, v)
        except Mismatch as exc:
            if isinstance(v, list) and ty.kind in _FROM_ARRAY:
                value, score = self.only_item(ty, v, exc)
            elif self.partial and not is_complete(v):
                return None, PENDING
            else:
                raise
        if ty.constraints and value is not None and (not self.partial or is_complete(v)):
            value = self.constrain(value, ty.constraints)
        return value, score

    def only_item(self, ty: Ty, items: list[Any], exc: Mismatch) -> tuple[Any, int]:
        """`[{…}]` where one value is expected: its only item (several would be a guess)."""
        if len(items) != 1:
            if self.partial:
                return None, PENDING
            if not items:
                raise exc
            raise Mismatch(f"found an array of {len(items)} values where one {ty.text} is "
                           "expected")
        try:
            value, score = self.coerce(ty, items[0])
        except Mismatch as inner:
            raise inner.at("[0]") from None
        return value, score + _WRAP_PENALTY

    def constrain(self, value: Any, constraints: tuple[Constraint, ...]) -> Any:
        if self.partial:
            constraints = tuple(c for c in constraints if c.level == "check")
        return apply_constraints(value, constraints)

    # ---- several readings of one reply ---------------------------------------------------
    def any_of(self, ty: Ty, found: Extracted) -> tuple[Any, int]:
        if ty.kind == "string":  # a string target is the reply itself, as-is
            return self.coerce(ty, found.raw)
        raw = PartialStr(found.raw) if self.partial else found.raw
        readings: list[tuple[Any, int, int | None]] = [
            (c, 0, i) for i, c in enumerate(found.candidates)]
        readings.append((raw, _RAW_PENALTY if found.candidates else 0, None))
        if self.targets.resolve(ty).kind == "list":
            # a list target takes an array the reply holds (or the array of every value found)
            # over one value wrapped, as BAML does, unless no array gives a non-empty list
            arrays = [r for r in readings if isinstance(r[0], list)]
            if arrays:
                try:
                    return self._best_of(ty, arrays, non_empty=True)
                except (Mismatch, AssertionFailed):
                    pass
        return self._best_of(ty, readings)

    def _best_of(self, ty: Ty, readings: list[tuple[Any, int, int | None]],
                 non_empty: bool = False) -> tuple[Any, int]:
        best: tuple[Any, int] | None = None
        first_error: Mismatch | None = None
        failed_assert: AssertionFailed | None = None
        for value, extra, index in readings:
            try:
                result, score = self.coerce(ty, value)
            except Mismatch as exc:
                if first_error is None:
                    first_error = exc
                    exc.reading = index
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
    def string(self, ty: Ty, v: Any) -> tuple[Any, int]:
        if isinstance(v, str):
            return str(v), 0
        if isinstance(v, bool):
            return ("true" if v else "false"), 1
        if isinstance(v, (int, float)):
            return str(v), 1
        if isinstance(v, (dict, list)):
            return json.dumps(v, ensure_ascii=False, default=_number_value), 2
        raise Mismatch(f"found {show(v)}, not a string")

    def int_(self, ty: Ty, v: Any) -> tuple[Any, int]:
        return read_int(v)

    def float_(self, ty: Ty, v: Any) -> tuple[Any, int]:
        return read_float(v)

    def bool_(self, ty: Ty, v: Any) -> tuple[Any, int]:
        return read_bool(v)

    def null(self, ty: Ty, v: Any) -> tuple[Any, int]:
        if v is None:
            return None, 0
        if isinstance(v, str) and nullish(v):  # "n/a", "unknown", "-" …
            return None, 1
        raise Mismatch(f"found {show(v)}, not null")

    def literal(self, ty: Ty, v: Any) -> tuple[Any, int]:
        want = ty.value
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
            if len(v) < 1000 and folded(v) == folded(want):  # "cafe" for "café"
                return want, 2
            if key and _count_words(words, key) == 1:
                return want, 2
        elif not isinstance(v, (dict, list)) and v is not None and str(v) == want:
            return want, 1
        raise Mismatch(f"found {show(v)}, not {ty.text}")

    def enum(self, ty: Ty, v: Any) -> tuple[Any, int]:
        info = self.targets.enum(ty.name)
        name, score = match_enum(info, v)
        return info.cls[name], score

    def unsupported(self, ty: Ty, v: Any) -> tuple[Any, int]:
        raise Mismatch(f"type `{ty.text}` is not supported in outputs")

    def ref(self, ty: Ty, v: Any) -> tuple[Any, int]:
        return self.coerce(self.targets.aliases[ty.name], v)

    # ---- containers ---------------------------------------------------------------------
    def list_(self, ty: Ty, v: Any) -> tuple[Any, int]:
        item = ty.args[0]
        if not isinstance(v, list):
            return self.wrap(ty, v)
        out: list[Any] = []
        score = 0
        for i, raw in enumerate(v):
            try:
                value, s = self.coerce(item, raw)
            except Trailed as exc:
                if self.partial and isinstance(exc, Mismatch):
                    continue  # not ready, or never fits: the final parse will say
                raise exc.at(f"[{i}]") from None
            if value is None and self.partial and not item.nullable:
                continue  # not ready yet (unfinished, or a `@stream.not_null` is missing)
            out.append(value)
            score += s
        return out, score

    def wrap(self, ty: Ty, v: Any) -> tuple[Any, int]:
        """A single value where a list is expected: a one-item list."""
        if v is None or id(v) in self._wrapping:
            raise Mismatch(f"found {show(v)}, not {ty.text}")
        self._wrapping.add(id(v))
        try:
            value, score = self.coerce(ty.args[0], v)
        except Trailed as exc:
            raise exc.at("[0]") from None
        finally:
            self._wrapping.discard(id(v))
        if self.partial and (score >= PENDING or value is None and not ty.args[0].nullable):
            return [], 0  # nothing ready to be an item yet
        if value is None and not ty.args[0].nullable:
            raise Mismatch(f"found {show(v)}, not {ty.text}")
        return [value], score + _WRAP_PENALTY

    def map_(self, ty: Ty, v: Any) -> tuple[Any, int]:
        if not isinstance(v, dict):
            raise Mismatch(f"found {show(v)}, not {ty.text}")
        key_ty, value_ty = ty.args
        out: dict[Any, Any] = {}
        score = 0
        for k, raw in v.items():
            try:
                key, ks = self.coerce(key_ty, k)
                value, vs = self.coerce(value_ty, raw)
            except Trailed as exc:
                if self.partial and isinstance(exc, Mismatch):
                    continue
                raise exc.at(f"[{k!r}]") from None
            if value is None and self.partial and not value_ty.nullable:
                continue  # an entry still arriving (`"b": 2` may become 22)
            out[key] = value
            score += ks + vs
        return out, score

    def union(self, ty: Ty, v: Any) -> tuple[Any, int]:
        if not isinstance(v, (dict, list)):
            return self._union(ty, v)
        # several members may each read the same object (and a recursive alias reaches it
        # again through wrapping): one result per (union, object) keeps this polynomial
        key = (id(ty), id(v), id(v) in self._wrapping)
        found = self._memo.get(key)
        if found is None:
            try:
                found = self._memo[key] = self._union(ty, v)
            except (Mismatch, AssertionFailed) as exc:
                self._memo[key] = (exc, len(exc.trail))
                raise
        if isinstance(found[0], (Mismatch, AssertionFailed)):
            raise found[0].copy(found[1])
        return found  # type: ignore[no-any-return]

    def _union(self, ty: Ty, v: Any) -> tuple[Any, int]:
        if v is None and ty.nullable:
            return None, 0
        if isinstance(v, str) and _all_string_literals(ty):
            _check_ambiguous(ty, v)
        exact = _EXACT.get(type(v))
        if exact is not None:  # first the members that could fit exactly: one that does wins
            for member in ty.args:
                if member.kind in exact:
                    try:
                        result = self.coerce(member, v)
                    except (Mismatch, AssertionFailed):
                        continue
                    if result[1] == 0:
                        return result
        best: tuple[Any, int] | None = None
        errors: list[str] = []
        failed_assert: AssertionFailed | None = None
        for member in ty.args:
            try:
                result = self.coerce(member, v)
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
        raise Mismatch(f"found {show(v)}, which fits none of {ty.text} ({'; '.join(errors)})")


_HANDLERS: dict[str, Callable[[Coercer, Ty, Any], tuple[Any, int]]] = {
    "string": Coercer.string, "int": Coercer.int_, "float": Coercer.float_,
    "bool": Coercer.bool_, "null": Coercer.null, "lit": Coercer.literal, "enum": Coercer.enum,
    "class": Coercer.cls, "list": Coercer.list_, "map": Coercer.map_, "union": Coercer.union,
    "ref": Coercer.ref, "media": Coercer.unsupported, "tuple": Coercer.unsupported,
}
"""One handler per type kind."""


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
        raise Mismatch(f"Too many matches for {ty.text}: found {show(v)}, which names "
                       + ", ".join(f'"{t}"' for t in top))
