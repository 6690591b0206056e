"""Arguments for every function of a project, generated from its parameter types.

Deterministic: the same project gives the same arguments, so a difference found once is found
again. Each function gets one argument set per `VARIANTS` entry, each exercising other forms:

* `full`  — every optional parameter and field present, lists of two, maps of two entries,
  the first member of each union;
* `omit`  — optionals left out (undefined in the template, as a test block leaves them), lists
  of one, maps of one, the second union member;
* `null`  — optionals given as null, empty lists and maps, the last union member;
* `mixed`, `mixed2`, `mixed3` — each position chosen by a seeded random generator.

Values are JSON, in the parity cases' format (`{"$media": …}` for media, `{SERVER}` for the
loopback server), and awkward on purpose: multi-line text, quotes and backslashes, padding,
non-ASCII, empty strings, integral floats, negative numbers.
"""

from __future__ import annotations

import base64
import random
import zlib
from typing import Any

from vdsl.ir import nodes
from vdsl.ir import types as t
from vdsl.project import Project

VARIANTS = ("full", "omit", "null", "mixed", "mixed2", "mixed3")


def variants(mixed: int = 3) -> tuple[str, ...]:
    """The fixed variants and `mixed` seeded random ones (`mixed`, `mixed2`, …)."""
    return (*VARIANTS[:3], *("mixed" + (str(i + 1) if i else "") for i in range(mixed)))
MAX_DEPTH = 3
OMIT = object()  # a dict entry to leave out
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
STRINGS = ("Ada Lovelace", "first line\nsecond line", 'a "quoted" word and a \\ backslash',
           "  padded  ", "naïve café ✓ 日本", "", "{{ not a template }}", "x",
           "tab\tseparated", "windows\r\nline", "\n\nblank lines around\n\n")
INTS = (3, 0, -12, 1024, 9007199254740993)
FLOATS = (2.5, 3.0, -0.125, 1e-07, 1e21, 100.0)
MEDIA = {
    "image": ({"base64": base64.b64encode(PNG).decode(), "media_type": "image/png"},
              {"url": "{SERVER}/pixel.png", "media_type": "image/png"}),
    "pdf": ({"base64": base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode(),
             "media_type": "application/pdf"},
            {"url": "{SERVER}/doc.pdf", "media_type": "application/pdf"}),
    "audio": ({"base64": base64.b64encode(b"ID3\x03\x00").decode(), "media_type": "audio/mp3"},
              {"url": "{SERVER}/a.mp3", "media_type": "audio/mp3"}),
    "video": ({"base64": base64.b64encode(b"\x00\x00\x00\x18ftypmp42").decode(),
               "media_type": "video/mp4"},
              {"url": "{SERVER}/v.mp4", "media_type": "video/mp4"}),
}


class Generator:
    """One argument set: the variant decides every choice, the seed the `mixed` ones."""

    def __init__(self, project: Project, variant: str, seed: str) -> None:
        self.project, self.variant = project, variant
        self.rng = random.Random(zlib.crc32(seed.encode()))
        self.counter = zlib.crc32(seed.encode()) % 7

    def _pick(self, n: int) -> int:
        """Which of n choices: the variant's, or a random one for `mixed`."""
        if n <= 0:
            return 0
        return {"full": 0, "omit": min(1, n - 1), "null": n - 1}.get(
            self.variant, self.rng.randrange(n))

    def _count(self) -> int:
        return {"full": 2, "omit": 1, "null": 0}.get(self.variant, self.rng.randrange(3))

    def _next(self, pool: tuple[Any, ...]) -> Any:
        self.counter += 1
        return pool[self.counter % len(pool)]

    def optional(self, inner: t.TypeExpr, depth: int, in_dict: bool) -> Any:
        choice = {"full": "present", "omit": "omit", "null": "null"}.get(
            self.variant, self.rng.choice(("present", "omit", "null")))
        if depth >= MAX_DEPTH and choice == "present":
            choice = "omit"
        if choice == "present":
            return self.value(inner, depth)
        return OMIT if choice == "omit" and in_dict else None

    def value(self, ty: t.TypeExpr, depth: int = 0, in_dict: bool = False) -> Any:
        if isinstance(ty, t.OptionalType):
            return self.optional(ty.inner, depth, in_dict)
        if isinstance(ty, t.Primitive):
            return self._primitive(ty.name)
        if isinstance(ty, t.Media):
            source = MEDIA[ty.kind][self._pick(2) if self.variant != "null" else 0]
            return {"$media": ty.kind, **source}
        if isinstance(ty, t.LiteralType):
            return ty.value
        if isinstance(ty, t.ListType):
            n = 0 if depth >= MAX_DEPTH else self._count()
            return [self.value(ty.item, depth + 1) for _ in range(n)]
        if isinstance(ty, t.MapType):
            n = 0 if depth >= MAX_DEPTH else self._count()
            keys = self._map_keys(ty.key, n)
            return {k: self.value(ty.value, depth + 1) for k in keys}
        if isinstance(ty, t.UnionType):
            return self._union(ty, depth, in_dict)
        if isinstance(ty, t.NamedType):
            return self._named(ty.name, depth, in_dict)
        raise TypeError(f"cannot generate a value of {t.type_to_str(ty)}")

    def _primitive(self, name: str) -> Any:
        if name == "string":
            return self._next(STRINGS)
        if name == "int":
            return self._next(INTS)
        if name == "float":
            return self._next(FLOATS)
        if name == "bool":
            return self._next((True, False))
        return None

    def _union(self, ty: t.UnionType, depth: int, in_dict: bool) -> Any:
        members = list(ty.members)
        if any(isinstance(m, t.Primitive) and m.name == "null" for m in members):
            rest = [m for m in members if not (isinstance(m, t.Primitive) and m.name == "null")]
            inner = rest[0] if len(rest) == 1 else t.UnionType(ty.span, (), tuple(rest))
            return self.optional(inner, depth, in_dict)
        if depth >= MAX_DEPTH:
            members = sorted(members, key=lambda m: self._weight(m))
            return self.value(members[0], depth + 1)
        return self.value(members[self._pick(len(members))], depth + 1)

    def _weight(self, ty: t.TypeExpr) -> int:
        """How deep a member may go: primitives and enums first when the depth runs out."""
        if isinstance(ty, (t.Primitive, t.LiteralType, t.Media)):
            return 0
        if isinstance(ty, t.NamedType):
            decl = self.project.find(ty.name)
            return 1 if isinstance(decl, nodes.EnumDecl) else 3
        return 2

    def _named(self, name: str, depth: int, in_dict: bool) -> Any:
        decl = self.project.find(name)
        if isinstance(decl, nodes.EnumDecl):
            values = [v.name for v in decl.values]
            return values[self._pick(len(values))] if values else ""
        if isinstance(decl, nodes.TypeAliasDecl):
            # a recursive alias is required even when it holds null (BAML: "Missing required
            # parameter"); a plain nullable alias may be left out
            return self.value(decl.type, depth, in_dict and not self._recursive(name))
        if isinstance(decl, nodes.ClassDecl):
            out = {}
            for f in decl.fields:
                v = self.value(f.type, depth + 1, in_dict=True)
                if v is not OMIT:
                    out[f.name] = v
            return out
        raise TypeError(f"unknown type {name}")

    def _recursive(self, alias: str) -> bool:
        """Whether the alias refers to itself, through other aliases."""
        seen: set[str] = set()
        stack: list[t.TypeExpr] = [self.project.find(alias).type]  # type: ignore[union-attr]
        while stack:
            ty = stack.pop()
            if isinstance(ty, t.NamedType):
                if ty.name == alias:
                    return True
                decl = self.project.find(ty.name)
                if isinstance(decl, nodes.TypeAliasDecl) and ty.name not in seen:
                    seen.add(ty.name)
                    stack.append(decl.type)
            elif isinstance(ty, (t.OptionalType, t.ListType)):
                stack.append(ty.inner if isinstance(ty, t.OptionalType) else ty.item)
            elif isinstance(ty, t.MapType):
                stack += [ty.key, ty.value]
            elif isinstance(ty, t.UnionType):
                stack += list(ty.members)
        return False

    def _map_keys(self, key: t.TypeExpr, n: int) -> list[str]:
        if isinstance(key, t.NamedType):
            decl = self.project.find(key.name)
            if isinstance(decl, nodes.EnumDecl):
                return [v.name for v in decl.values][:n]
            if isinstance(decl, nodes.TypeAliasDecl):
                return self._map_keys(decl.type, n)
        if isinstance(key, t.UnionType):
            return [str(m.value) for m in key.members if isinstance(m, t.LiteralType)][:n]
        if isinstance(key, t.LiteralType):
            return [str(key.value)][:n]
        return ["alpha", "beta key", "gamma"][:n]


def arguments(project: Project, function: nodes.FunctionDecl, variant: str) -> dict[str, Any]:
    """One argument set for `function` (omitted optionals are absent keys)."""
    gen = Generator(project, variant, f"{function.name}:{variant}")
    out = {}
    for param in function.params:
        if param.type is None:
            continue
        value = gen.value(param.type, 0, in_dict=True)
        if value is not OMIT:
            out[param.name] = value
    return out
