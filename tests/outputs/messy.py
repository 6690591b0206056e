"""Random schemas, values of them, and the messy JSON a model writes for them.

Shared by the lossless round-trip property (hypothesis drives the `random.Random`, so it also
shrinks failures) and the differential run against baml-py (a seeded `Random`). Every
corruption here is *information-preserving* by the rule in docs/parsing.md: a careful reader
can still recover the exact value — so `parse` must return it, or fail, never something else.
Where a corruption would make the text ambiguous (an inner quote followed by what looks like
structure), the renderer leaves that string alone.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field, replace
from typing import Any

Type = tuple[Any, ...]
"""("string",) ("int",) ("float",) ("bool",) ("enum", name) ("class", name) ("list", t)
("map", t) ("opt", t) ("lit", (values…)) ("union", (t…)) ("json",)"""

WORDS = ["alpha", "Beta", "café", "naïve", "日本", "zoë", "x", "hospital", "corridor", "3",
         "a.m.", "lights", "flickering", "O'Brien", "rock", "roll", "42", "émoji😀", "tab\t"]
PUNCT = [", ", ". ", " - ", ": ", "(", ")", '"', "'", "\n", "\\", "/", "{", "}", "[", "]",
         "```", "#", "//", "%", "$"]
ACCENTED = ["café", "Señor", "niño", "résumé", "Zoë", "Ångström", "naïve", "über"]
_PLAIN_ACCENT = str.maketrans("éñïöëÅüÖ", "eniöeAuO")


@dataclass
class Field:
    name: str
    alias: str | None
    type: Type


@dataclass
class Schema:
    classes: dict[str, list[Field]] = field(default_factory=dict)
    enums: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    uses_json: bool = False

    def source(self) -> str:
        """The declarations, in BAML syntax (vdsl reads the same)."""
        out = []
        for name, values in self.enums.items():
            lines = [f"  {v}" + (f' @alias("{a}")' if a else "") for v, a in values]
            out.append(f"enum {name} {{\n" + "\n".join(lines) + "\n}")
        for name, fields in self.classes.items():
            lines = [f"  {f.name} {type_text(f.type)}" + (f' @alias("{f.alias}")' if f.alias
                                                          else "") for f in fields]
            out.append(f"class {name} {{\n" + "\n".join(lines) + "\n}")
        if self.uses_json:
            out.append("type JsonValue = int | float | bool | string | null | JsonValue[] | "
                       "map<string, JsonValue>")
        return "\n\n".join(out) + "\n"


def type_text(t: Type) -> str:
    kind = t[0]
    if kind in ("string", "int", "float", "bool"):
        return kind
    if kind in ("enum", "class"):
        return t[1]
    if kind == "json":
        return "JsonValue"
    if kind == "list":
        inner = type_text(t[1])
        return f"({inner})[]" if t[1][0] in ("opt", "union", "lit") else f"{inner}[]"
    if kind == "map":
        return f"map<string, {type_text(t[1])}>"
    if kind == "opt":
        inner = type_text(t[1])
        return f"({inner})?" if t[1][0] in ("union", "lit") else f"{inner}?"
    if kind == "lit":
        return " | ".join(json.dumps(v) for v in t[1])
    return " | ".join(type_text(m) for m in t[1])


# ---- schemas --------------------------------------------------------------------------------

def make_schema(rng: random.Random, json_alias: bool = True) -> tuple[Schema, Type]:
    """A schema and the target type of a function returning it."""
    schema = Schema()
    for i in range(rng.randint(0, 2)):
        _make_enum(rng, schema, f"E{i}")
    for i in reversed(range(rng.randint(1, 3))):
        _make_class(rng, schema, f"C{i}", json_alias)
    top = ("class", "C0")
    shape = rng.random()
    if shape < 0.15:
        top = ("list", top)
    elif shape < 0.22 and "C1" in schema.classes:
        top = _tagged_union(schema)
    elif shape < 0.27:
        top = ("map", _scalar(rng, schema))
    return schema, top


def _make_enum(rng: random.Random, schema: Schema, name: str) -> None:
    pool = ["RED", "GREEN", "BLUE", "AMBER", "VIOLET", "TEAL"]
    rng.shuffle(pool)
    accents = list(ACCENTED)
    rng.shuffle(accents)
    values = []
    for i in range(rng.randint(2, 4)):
        alias = accents[i] if rng.random() < 0.3 else None
        values.append((pool[i], alias))
    schema.enums[name] = values


def _make_class(rng: random.Random, schema: Schema, name: str, json_alias: bool) -> None:
    names = ["title", "body", "count", "price", "tags", "active", "owner", "notes", "level",
             "items", "score", "extra_info", "year"]
    rng.shuffle(names)
    fields = []
    for i in range(rng.randint(1, 5)):
        t = _field_type(rng, schema, name, json_alias)
        alias = None
        if rng.random() < 0.15:
            alias = rng.choice(["Title Text", "camelCase", "x-key"]) + str(i)
        fields.append(Field(names[i], alias, t))
    if name != "C0" and rng.random() < 0.5:
        fields.insert(0, Field("kind", None, ("lit", (name.lower(),))))
    schema.classes[name] = fields


def _field_type(rng: random.Random, schema: Schema, owner: str, json_alias: bool) -> Type:
    roll = rng.random()
    later = [c for c in schema.classes if c > owner]
    if roll < 0.45:
        t = _scalar(rng, schema)
    elif roll < 0.65:
        t = ("list", _scalar(rng, schema))
    elif roll < 0.75 and later:
        t = ("class", rng.choice(later))
    elif roll < 0.82 and later:
        t = ("list", ("class", rng.choice(later)))
    elif roll < 0.88:
        t = ("map", _scalar(rng, schema))
    elif roll < 0.93 and json_alias:
        schema.uses_json = True
        t = ("json",)
    else:
        t = ("lit", tuple(rng.sample(["draft", "final", "open", "closed"], 2)))
    return ("opt", t) if rng.random() < 0.2 and t[0] != "list" else t


def _scalar(rng: random.Random, schema: Schema) -> Type:
    kinds: list[Type] = [("string",), ("string",), ("int",), ("float",), ("bool",)]
    kinds += [("enum", e) for e in schema.enums]
    return rng.choice(kinds)


def _tagged_union(schema: Schema) -> Type:
    members = [("class", c) for c in ("C1", "C2") if c in schema.classes
               and schema.classes[c][0].name == "kind"]
    return ("union", tuple(members)) if len(members) == 2 else ("class", "C0")


# ---- values -------------------------------------------------------------------------------

def make_value(rng: random.Random, schema: Schema, t: Type, depth: int = 0) -> Any:
    """A value of `t` as plain data (what `to_plain` gives): enums by name."""
    kind = t[0]
    if kind == "string":
        return make_string(rng)
    if kind == "int":
        return rng.choice([0, 1, 7, 42, -3, 1234, 1234567, -2000, 10**12])
    if kind == "float":
        return rng.choice([0.5, 3.25, -45.1, 1234.5, 0.001, 99.99, 1200.0, -2000.0])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "enum":
        return rng.choice(schema.enums[t[1]])[0]
    if kind == "lit":
        return rng.choice(t[1])
    if kind == "opt":
        return None if rng.random() < 0.3 else make_value(rng, schema, t[1], depth)
    if kind == "list":
        return [make_value(rng, schema, t[1], depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == "map":
        keys = rng.sample(["a", "b key", "c_d", "naïve", "k9"], rng.randint(0, 3))
        return {k: make_value(rng, schema, t[1], depth + 1) for k in keys}
    if kind == "json":
        return _json_value(rng, depth)
    if kind == "union":
        return make_value(rng, schema, rng.choice(t[1]), depth)
    fields = schema.classes[t[1]]
    return {f.name: make_value(rng, schema, f.type, depth + 1) for f in fields}


def make_string(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 5)):
        parts.append(rng.choice(WORDS) if rng.random() < 0.7 else rng.choice(PUNCT))
        if rng.random() < 0.6:
            parts.append(" ")
    return "".join(parts).strip(" ") or "x"


def _json_value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 2 or roll < 0.5:
        return rng.choice([1, -7, 2.5, True, False, None, "text", "a, b", ""])
    if roll < 0.75:
        return [_json_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {k: _json_value(rng, depth + 1) for k in rng.sample(["a", "b", "c"], 2)}


# ---- messy rendering --------------------------------------------------------------------------

@dataclass
class Style:
    """How one reply is written (chosen once per reply)."""

    indent: bool
    key_quote: str  # '"', "'" or "" (unquoted where possible)
    string_quote: str  # '"' or "'"
    raw_quotes: bool  # inner double quotes left unescaped where unambiguous
    bare_values: bool  # strings unquoted where unambiguous
    raw_newlines: bool
    trailing_commas: bool
    missing_commas: bool
    comments: bool
    python: bool
    fancy_numbers: bool
    fancy_enums: bool
    key_case: bool
    names: bool  # declared names where an alias exists (fields, enum values)
    single_escapes: bool  # backslash escapes inside single-quoted strings
    apostrophes: bool = True  # apostrophes inside single-quoted strings

    FEATURES = ("names", "python", "single_escapes", "apostrophes", "unquoted_keys",
                "raw_quotes", "bare_values", "missing_commas", "comments", "trailing_commas",
                "fancy_numbers", "fancy_enums", "key_case", "raw_newlines")
    """The slips a reply may have; `without(name)` writes the same reply without one."""

    @classmethod
    def draw(cls, rng: random.Random) -> Style:
        indent = rng.random() < 0.6
        flips = [rng.random() < p for p in (0.4, 0.3, 0.3, 0.4, 0.2, 0.25, 0.2, 0.4, 0.4, 0.2,
                                            0.5, 0.5)]
        return cls(indent, rng.choice(['"', '"', "'", ""]), rng.choice(['"', '"', "'"]),
                   flips[0], flips[1], flips[2], flips[3], indent and flips[4], *flips[5:])

    @property
    def unquoted_keys(self) -> bool:
        return self.key_quote == ""

    def without(self, *features: str) -> Style:
        out = self
        for feature in features:
            out = (replace(out, key_quote='"') if feature == "unquoted_keys"
                   else replace(out, **{feature: False}))
        return out


def render(rng: random.Random, schema: Schema, t: Type, value: Any, style: Style) -> str:
    """The value as JSON a model might write, with `style`'s slips, wrapped in prose or a
    fence (or not)."""
    body = _Writer(rng, schema, style).write(value, t, 0)
    return wrap(rng, body)


def wrap(rng: random.Random, body: str) -> str:
    roll = rng.random()
    if roll < 0.3:
        return body
    if roll < 0.5:
        return rng.choice(["Sure! Here is the result:\n", "Answer: ", ""]) + body + \
            rng.choice(["", "\nHope this helps.", " Let me know!"])
    if roll < 0.9:
        tag = rng.choice(["json", "", "JSON", "javascript", "json5"])
        return (rng.choice(["", "Here you go:\n\n", "Result:\n"]) + f"```{tag}\n{body}\n```"
                + rng.choice(["", "\n\nAnything else?"]))
    return f"<think>The user wants the data. Draft: maybe.</think>\n{body}"


class _Writer:
    def __init__(self, rng: random.Random, schema: Schema, style: Style) -> None:
        self.rng = rng
        self.schema = schema
        self.s = style

    def write(self, value: Any, t: Type, depth: int, in_array: bool = False) -> str:
        kind = t[0]
        if kind == "opt":
            return self.literal(None) if value is None else self.write(value, t[1], depth,
                                                                        in_array)
        if kind == "union":
            member = next(m for m in t[1] if _fits(self.schema, m, value))
            return self.write(value, member, depth, in_array)
        if kind == "class":
            return self.obj([(self.key_for(f), f.type, value[f.name], f)
                             for f in self.schema.classes[t[1]]], depth)
        if kind == "map":
            return self.obj([(k, t[1], v, None) for k, v in value.items()], depth)
        if kind == "list":
            return self.arr([(t[1], v) for v in value], depth)
        if kind == "json":
            return self.json(value, depth, in_array)
        if kind == "enum":
            return self.string(self.enum_text(t[1], value), in_array, fancy=False)
        if kind == "string" or kind == "lit" and isinstance(value, str):
            return self.string(value, in_array)
        if kind in ("int", "float"):
            return self.number(value, kind, in_array)
        return self.literal(value)

    def json(self, value: Any, depth: int, in_array: bool) -> str:
        if isinstance(value, dict):
            return self.obj([(k, ("json",), v, None) for k, v in value.items()], depth)
        if isinstance(value, list):
            return self.arr([(("json",), v) for v in value], depth)
        if isinstance(value, str):
            return self.string(value, in_array)
        return json.dumps(value) if not isinstance(value, bool) and value is not None \
            else self.literal(value)

    def obj(self, members: list[tuple[str, Type, Any, Field | None]], depth: int) -> str:
        parts = []
        for key, t, v, f in members:
            omit = f is not None and _omittable(t, v) and self.rng.random() < 0.3
            if omit:
                continue
            parts.append(f"{self.key(key)}: {self.write(v, t, depth + 1)}")
        return self.join("{", parts, "}", depth)

    def arr(self, items: list[tuple[Type, Any]], depth: int) -> str:
        return self.join("[", [self.write(v, t, depth + 1, in_array=True) for t, v in items],
                         "]", depth)

    def join(self, open_: str, parts: list[str], close: str, depth: int) -> str:
        if not parts:
            return open_ + close
        s = self.s
        if s.indent:
            pad, end_pad = "\n" + "  " * (depth + 1), "\n" + "  " * depth
            seps = []
            for _ in parts[:-1]:  # the same draws whatever the style: variants stay aligned
                r1, r2 = self.rng.random(), self.rng.random()
                seps.append(("" if s.missing_commas and open_ == "{" and r1 < 0.5 else ",")
                            + (" // note" if s.comments and r2 < 0.3 else ""))
            body = "".join(pad + p + sep for p, sep in zip(parts, seps + [""], strict=True))
            tail = "," if s.trailing_commas else ""
            return open_ + body + tail + end_pad + close
        sep = ", " if not s.comments else ", /* c */ "
        return open_ + sep.join(parts) + ("," if s.trailing_commas else "") + close

    def key(self, key: str) -> str:
        q = self.s.key_quote
        if q == "" and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            return key
        q = q or '"'
        return q + key.replace("\\", "\\\\").replace(q, "\\" + q) + q

    def key_for(self, f: Field) -> str:
        r1, r2, r3 = self.rng.random(), self.rng.random(), self.rng.random()
        name = f.alias if f.alias and (r1 < 0.7 or not self.s.names) else f.name
        if self.s.key_case and r2 < 0.5:
            return name.upper() if r3 < 0.5 else name.replace("_", " ")
        return name

    def enum_text(self, enum: str, value: str) -> str:
        alias = dict(self.schema.enums[enum])[value]
        roll = self.rng.random()
        if alias and not self.s.names:
            return alias
        if not self.s.fancy_enums:
            return value
        if alias and roll < 0.4:
            return alias.translate(_PLAIN_ACCENT) if roll < 0.2 else alias
        return value.lower() if roll < 0.7 else f"**{value}**"

    def string(self, value: str, in_array: bool, fancy: bool = True) -> str:
        s = self.s
        if fancy and s.bare_values and _bare_safe(value, in_array):
            return value
        q = s.string_quote
        text = value.replace("\\", "\\\\")
        text = text.replace("\n", "\n" if s.raw_newlines else "\\n").replace("\t", "\\t")
        if q == '"' and s.raw_quotes and fancy and _raw_quotes_safe(value, in_array):
            return '"' + text + '"'
        if q == "'" and (not _raw_quotes_safe(value, in_array, "'")
                         or not s.single_escapes and text != value
                         or not s.apostrophes and "'" in value):
            q = '"'
        return q + (text.replace('"', '\\"') if q == '"' else text) + q

    def number(self, value: float, kind: str, in_array: bool) -> str:
        r1, r2, r3 = self.rng.random(), self.rng.random(), self.rng.random()
        if not self.s.fancy_numbers or r1 < 0.4:
            return repr(value) if kind == "float" else str(value)
        if kind == "int" or float(value).is_integer() and r2 < 0.5:
            grouped = f"{int(value):,}"
            money = json.dumps("$" + grouped if value >= 0 else "-$" + grouped[1:])
            if in_array:
                return json.dumps(grouped)
            return [grouped, json.dumps(grouped), money][int(r3 * 3)]
        text = f"{value:,}"
        return json.dumps(text if r3 < 0.5 else ("-$" + text[1:]) if value < 0 else "$" + text)

    def literal(self, value: Any) -> str:
        if self.s.python:
            return {True: "True", False: "False", None: "None"}[value]
        return json.dumps(value)


def _omittable(t: Type, value: Any) -> bool:
    """A field that may be left out: it reads back the same (null, `[]`, `{}`)."""
    if value is None:
        return t[0] in ("opt", "json")
    return (t[0] == "list" and value == []) or (t[0] == "map" and value == {})


def _fits(schema: Schema, t: Type, value: Any) -> bool:
    if t[0] != "class" or not isinstance(value, dict):
        return False
    return list(value) == [f.name for f in schema.classes[t[1]]]


_BARE = re.compile(r"[A-Za-z][A-Za-z ,.'-]*[A-Za-z.]")
_LITERAL_WORDS = {"true", "false", "null", "none", "undefined", "nan", "infinity"}


def _bare_safe(value: str, in_array: bool) -> bool:
    """Whether a string can be written unquoted and still be read back exactly."""
    if not _BARE.fullmatch(value) or value.lower() in _LITERAL_WORDS or "  " in value:
        return False
    if in_array and "," in value:
        return False
    return ", " not in value or all(not part[:1].isalpha() or " " in part
                                    for part in value.split(", ")[1:])


_STRUCTURE_AFTER = re.compile(r"\s*(?:[,;:}\]\[{/\"'`]|$)")


def _raw_quotes_safe(value: str, in_array: bool, quote: str = '"') -> bool:
    """Whether `value` written between `quote`s with its inner quotes raw (unescaped) is
    unambiguous: no inner quote is followed by what could continue the structure, none
    follows an opening bracket (could start a key), and it does not end in a backslash."""
    if quote not in value:
        return True
    if value.endswith("\\") or value.startswith(quote):
        return False
    for i, c in enumerate(value):
        if c != quote:
            continue
        if _STRUCTURE_AFTER.match(value, i + 1) or (i > 0 and value[i - 1] in "{[,:"):
            return False
    return True


def renamed(schema: Schema, top: Type, prefix: str) -> tuple[Schema, Type]:
    """The schema with its classes and enums prefixed (many schemas in one project)."""
    def ren(t: Type) -> Type:
        kind = t[0]
        if kind in ("class", "enum"):
            return (kind, prefix + t[1])
        if kind in ("list", "map", "opt"):
            return (kind, ren(t[1]))
        if kind == "union":
            return (kind, tuple(ren(m) for m in t[1]))
        return t
    out = Schema(uses_json=schema.uses_json)
    out.enums = {prefix + k: v for k, v in schema.enums.items()}
    out.classes = {prefix + k: [Field(f.name, f.alias, ren(f.type)) for f in fields]
                   for k, fields in schema.classes.items()}
    for fields in out.classes.values():
        for f in fields:
            if f.name == "kind" and f.type[0] == "lit":
                f.type = ("lit", tuple(prefix.lower() + v for v in f.type[1]))
    return out, ren(top)
