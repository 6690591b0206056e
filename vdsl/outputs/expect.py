"""What the fixing parser may find at each place of a reply, from the target type.

Repairing a reply means deciding where a value ends: does the quote in
`"res.setHeader("Content-Type", "text/html")"` close the string, does the comma in
`setting: A hospital corridor, 3 a.m.` end the value? The parser answers with the schema:
an object can only continue with the keys its class has (or any key, for a map), an array
with another item. `Expect` is that knowledge for one place: the keys an object there may
have, and what is expected inside it (a field's type, a list's items).

Expectations are built lazily from compiled `Ty`s and cached on the `Targets`, so recursive
types cost nothing up front. `ANY` expects nothing in particular: every key is plausible.
"""

from __future__ import annotations

from collections.abc import Iterator

from .target import Targets, Ty
from .words import norm_key

__all__ = ["ANY", "Expect", "expect_for"]

class Expect:
    """The types one place of the reply may hold (flattened union members)."""

    __slots__ = ("_arr", "_children", "_keys", "_obj", "open", "targets", "tys")

    def __init__(self, targets: Targets | None, tys: tuple[Ty, ...]) -> None:
        self.targets = targets
        self.tys = tys
        self.open = targets is None
        """Whether any key is plausible in an object here (a map, or nothing known)."""
        self._keys: frozenset[str] | None = None
        self._children: dict[str, Expect] = {}
        self._obj: Expect | None = None
        self._arr: Expect | None = None

    # ---- objects ------------------------------------------------------------------------
    def obj(self) -> Expect:
        """The expectation for an object found here: its classes and maps (also those of a
        list's items: one object may stand for a one-item list)."""
        if self._obj is None:
            found = tuple({id(t): t for t in self._members(lists=True)
                           if t.kind in ("class", "map")}.values())
            view = _view(self.targets, found, "obj")
            view.open = self.open or not found or any(t.kind == "map" for t in found)
            self._obj = view
        return self._obj

    def keys(self) -> frozenset[str]:
        """Normalized keys of the classes expected here (`norm_key`)."""
        if self._keys is None:
            keys: set[str] = set()
            if self.targets is not None:
                for t in self.tys:
                    if t.kind == "class":
                        keys.update(self.targets.cls(t.name).by_norm)
            self._keys = frozenset(keys)
        return self._keys

    def has_key(self, key: str) -> bool:
        """Whether an object here may have `key` (any key when the object is open)."""
        return self.open or norm_key(key) in self.keys()

    def may_start_key(self, prefix: str) -> bool:
        """Whether a key an object here may have starts with `prefix` (a streamed word:
        `ag` may become `age`; in an open object, any word starting with a letter)."""
        if self.open:
            return prefix[:1].isalpha() or prefix[:1] == "_"
        norm = norm_key(prefix)
        return any(k.startswith(norm) for k in self.keys())

    def child(self, key: str) -> Expect:
        """What the value of `key` may be."""
        norm = norm_key(key)
        found = self._children.get(norm)
        if found is None:
            found = self._children[norm] = self._child(norm)
        return found

    def _child(self, norm: str) -> Expect:
        if self.targets is None:
            return ANY
        tys: list[Ty] = []
        for t in self.tys:
            if t.kind == "class":
                f = self.targets.cls(t.name).by_norm.get(norm)
                if f is not None:
                    tys.append(f.ty)
            elif t.kind == "map":
                tys.append(t.args[1])
        return expect_for(self.targets, tys) if tys else ANY

    # ---- arrays -------------------------------------------------------------------------
    def item(self) -> Expect:
        """The expectation for the items of an array found here: a list's items, or the
        value itself (an array may hold the one value expected)."""
        if self._arr is None:
            if self.targets is None:
                self._arr = ANY
            else:
                items = [t.args[0] if t.kind == "list" else t for t in self._members()]
                self._arr = expect_for(self.targets, items) if items else ANY
        return self._arr

    def _members(self, lists: bool = False) -> Iterator[Ty]:
        for t in self.tys:
            if lists and t.kind == "list" and self.targets is not None:
                yield from _flatten(self.targets, t.args[0])
            else:
                yield t


ANY = Expect(None, ())


def _flatten(targets: Targets, ty: Ty) -> Iterator[Ty]:
    """Union members with recursive-alias references followed (each alias once)."""
    stack, seen = [ty], set()
    while stack:
        t = targets.resolve(stack.pop())
        if id(t) in seen:
            continue
        seen.add(id(t))
        if t.kind == "union":
            stack.extend(reversed(t.args))
        else:
            yield t


def _view(targets: Targets | None, tys: tuple[Ty, ...], kind: str) -> Expect:
    if targets is None:
        return ANY
    key = (kind, tuple(id(t) for t in tys))
    found = targets.cache.get(key)
    if found is None:
        found = targets.cache.setdefault(key, Expect(targets, tys))
    return found  # type: ignore[no-any-return]


def expect_for(targets: Targets, tys: list[Ty] | tuple[Ty, ...]) -> Expect:
    """The expectation for a place holding any of `tys` (cached per set of types)."""
    flat: dict[int, Ty] = {}
    for ty in tys:
        for t in _flatten(targets, ty):
            flat.setdefault(id(t), t)
    return _view(targets, tuple(flat.values()), "at")
