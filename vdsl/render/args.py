"""Check and convert call arguments against a function's parameter types.

JSON-like input (from Python, `--args` or a `test` block) becomes template values: classes
become `ClassInstance` (attribute access), enums `EnumValue` (equal to their names), media
`Image`/`Audio`/`Pdf`/`Video` from a value object, `{"url": …}`, `{"base64": …,
"media_type": …}` or `{"file": …}` (relative to `base_dir`). Every mistake names the function
and the parameter path (`person.address.zip`).

Arguments read from a `test` block come as `TestArgs`: there, as in BAML, a number or `true`/
`false` given where a string is expected is read as its text (`id 1` → `"1"`, `2.50` → `"2.5"`).
From Python and `--args` JSON a string must be a string.
"""

from __future__ import annotations

import decimal
import difflib
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ArgumentWarning, InvalidArgumentError, MediaError
from ..ir import ClassDecl, EnumDecl, FunctionDecl, OptionalType, Param, TypeExpr, type_to_str
from ..ir.types import Primitive
from ..media import Media, media_class
from .asserts import check_asserts
from .schema import NULL, Schema, T, attr_text, has_attr, literal_text
from .values import ArgList, ClassInstance, EnumValue, MapKey

__all__ = ["MAX_ARGUMENT_DEPTH", "TestArgs", "bind_arguments", "coerce"]

MAX_ARGUMENT_DEPTH = 64
"""Lists and objects nested deeper than this in one argument are refused (checking and
printing them is recursive)."""


class TestArgs(dict[str, Any]):
    """Arguments read from a test block's `args` (see the module docstring)."""

    __test__ = False  # not a pytest test class


@dataclass(frozen=True, slots=True)
class _Reading:
    """How one argument set is read: where relative media files are, and whether number and
    bool literals may stand for text (test blocks)."""

    base_dir: Path | None = None
    literals_as_text: bool = False


class _Mismatch(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def bind_arguments(schema: Schema, fn: FunctionDecl, args: Mapping[str, Any], *,
                   base_dir: Path | None = None, params: tuple[Param, ...] | None = None,
                   ) -> dict[str, Any]:
    """Template variables for calling `fn` with `args`, or InvalidArgumentError."""
    if not isinstance(args, Mapping):
        raise InvalidArgumentError(f"{fn.name}: arguments must be a mapping of parameter names "
                                   f"to values, got {type(args).__name__}")
    params = fn.params if params is None else params
    names = [p.name for p in params]
    extra = [k for k in args if k not in names]
    if extra:
        raise InvalidArgumentError(
            f"{fn.name}: unexpected argument{'s' * (len(extra) > 1)} "
            + ", ".join(f"`{k}`" for k in extra) + f"; parameters are: {', '.join(names) or '(none)'}")
    out: dict[str, Any] = {}
    reading = _Reading(base_dir, isinstance(args, TestArgs))
    for p in params:
        if p.type is None:
            out[p.name] = args.get(p.name)
            continue
        if p.name not in args:
            if _optional(schema, p.type):  # left undefined, as BAML leaves it
                continue
            raise InvalidArgumentError(f"{fn.name}: missing argument `{p.name}` "
                                       f"({type_to_str(p.type)})")
        _check_depth(fn.name, p.name, args[p.name])
        try:
            out[p.name] = coerce(schema, args[p.name], schema.resolve(p.type), p.name, reading)
        except _Mismatch as exc:
            raise InvalidArgumentError(f"{fn.name}: argument `{exc.path}`: {exc.message}") from None
    check_asserts(schema, fn.name, params, out)
    return out


def _check_depth(function: str, name: str, value: Any) -> None:
    """InvalidArgumentError if `value` nests lists and objects deeper than MAX_ARGUMENT_DEPTH
    (a walk without recursion, so a value nested a million deep is refused cleanly), or holds
    text that cannot go out as UTF-8 (a lone surrogate, from bytes decoded with
    `surrogateescape`)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if not item.isascii() and not _utf8(item):
                raise InvalidArgumentError(f"{function}: argument `{name}` holds text with a "
                                           "lone surrogate, which cannot be sent as UTF-8")
            continue
        if isinstance(item, (bytes, int, float, bool)) or item is None:
            continue
        if depth >= MAX_ARGUMENT_DEPTH:
            raise InvalidArgumentError(f"{function}: argument `{name}` is nested more than "
                                       f"{MAX_ARGUMENT_DEPTH} levels deep")
        if isinstance(item, Mapping):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend((v, depth + 1) for v in item)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _optional(schema: Schema, t: TypeExpr) -> bool:
    if isinstance(t, OptionalType) or (isinstance(t, Primitive) and t.name == "null"):
        return True
    resolved = schema.resolve(t)
    return resolved.kind == "union" and NULL in resolved.args


def _kind_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, Media):
        return value.kind
    return type(value).__name__


def _expected(t: T) -> str:
    if t.kind in ("prim", "enum", "class", "ralias", "media"):
        return t.name
    if t.kind == "lit":
        return literal_text(t.value)
    if t.kind == "list":
        return _expected(t.args[0]) + "[]"
    if t.kind == "map":
        return f"map<{_expected(t.args[0])}, {_expected(t.args[1])}>"
    return " | ".join(_expected(a) for a in t.args)


def coerce(schema: Schema, value: Any, t: T, path: str, reading: _Reading | None = None) -> Any:
    """`value` checked against resolved type `t` (raises _Mismatch naming `path`)."""
    handler = _HANDLERS[t.kind]
    return handler(schema, value, t, path, reading or _Reading())


def _fail(value: Any, t: T, path: str) -> _Mismatch:
    return _Mismatch(path, f"expected {_expected(t)}, got {_kind_name(value)}")


def _prim(schema: Schema, value: Any, t: T, path: str, reading: _Reading) -> Any:
    name = t.name
    ok = {
        "string": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "null": value is None,
    }[name]
    if not ok:
        if name == "string" and reading.literals_as_text and isinstance(value, (int, float)):
            return _literal_text(value)
        raise _fail(value, t, path)
    if name != "float":
        return value
    try:
        return float(value)
    except OverflowError:
        raise _Mismatch(path, "number too large for a float") from None


def _literal_text(value: float) -> str:
    """A test block's number or bool literal as the text BAML makes of it: `true`, `12`, and
    floats in Rust's notation (`1.5`, `1` for 1.0, never an exponent)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) or not math.isfinite(value):
        return str(value)
    text = format(decimal.Decimal(repr(value)), "f")
    return text.removesuffix(".0")


def _lit(schema: Schema, value: Any, t: T, path: str, reading: _Reading) -> Any:
    if value != t.value or isinstance(value, bool) != isinstance(t.value, bool):
        raise _Mismatch(path, f"expected {literal_text(t.value)}, got {value!r}")
    return value


def _enum(schema: Schema, value: Any, t: T, path: str, reading: _Reading) -> Any:
    decl = schema.project.find(t.name)
    assert isinstance(decl, EnumDecl)
    if isinstance(value, str):
        for v in decl.values:
            if v.name == value:
                return EnumValue(v.name, decl.name, attr_text(v.attrs, "alias"))
    names = ", ".join(v.name for v in decl.values)
    raise _Mismatch(path, f"expected one of {t.name} ({names}), got {value!r}")


def _class(schema: Schema, value: Any, t: T, path: str, reading: _Reading) -> Any:
    if isinstance(value, ClassInstance):
        return value
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    if not isinstance(value, Mapping):
        raise _fail(value, t, path)
    decl = schema.project.find(t.name)
    assert isinstance(decl, ClassDecl)
    _drop_unknown_fields(decl, value, path)
    declared = {f.name: f for f in decl.fields}
    for f in decl.fields:
        # An omitted optional field is left out, as in BAML: `{{ x.f }}` prints nothing,
        # `x.f is defined` is false and `{{ x }}` does not list it.
        if f.name not in value and not _optional(schema, f.type) \
                and not has_attr(f.attrs, "skip"):
            raise _Mismatch(f"{path}.{f.name}", f"missing required field of {t.name} "
                                                f"({type_to_str(f.type)})")
    fields: dict[str, Any] = {}  # in the order given, as BAML prints a test's args
    for key, item in value.items():
        given = declared.get(key)
        if given is not None:
            fields[key] = coerce(schema, item, schema.resolve(given.type), f"{path}.{key}",
                                 reading)
    aliases = {f.name: alias for f in decl.fields if (alias := attr_text(f.attrs, "alias"))}
    return ClassInstance(decl.name, fields, aliases)


def _drop_unknown_fields(decl: ClassDecl, value: Mapping[str, Any], path: str) -> None:
    """BAML ignores fields a class does not declare; vdsl ignores them too, but says so."""
    known = [f.name for f in decl.fields]
    for key in value:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            warnings.warn(f"argument `{path}.{key}`: {decl.name} has no field `{key}`; it "
                          f"is ignored{hint}", ArgumentWarning, stacklevel=2)


def _ralias(schema: Schema, value: Any, t: T, path: str, reading: _Reading) -> Any:
    return coerce(schema, value, schema.alias_target(t.name), path, reading)


def _list(schema: Schema, value: Any, t: T, path: str, reading: _Reading) -> Any:
    if not isinstance(value, (list, tuple)):
        raise _fail(value, t, path)
    return ArgList(coerce(schema, v, t.args[0], f"{path}[{i}]", reading)
                   for i, v in enumerate(value))


def _map(schema: Schema, value: Any, t: T, path: str, reading: _Reading) -> Any:
    if not isinstance(value, Mapping) or isinstance(value, ClassInstance):
        raise _fail(value, t, path)
    return {_map_key(coerce(schema, k, t.args[0], f"{path} key {k!r}", reading)):
            coerce(schema, v, t.args[1], f"{path}[{k!r}]", reading) for k, v in value.items()}


def _map_key(key: Any) -> Any:
    return MapKey(key) if type(key) is str else key


def _union(schema: Schema, value: Any, t: T, path: str, reading: _Reading) -> Any:
    errors = []
    for member in t.args:
        try:
            return coerce(schema, value, member, path, reading)
        except _Mismatch as exc:
            errors.append(exc)
    deepest = max(errors, key=lambda e: len(e.path))
    if deepest.path != path:
        raise deepest
    raise _fail(value, t, path)


def _media(schema: Schema, value: Any, t: T, path: str, reading: _Reading) -> Any:
    cls = media_class(t.name)
    try:
        return to_media(cls, value, reading.base_dir)
    except MediaError as exc:
        raise _Mismatch(path, str(exc)) from None
    except TypeError:
        raise _fail(value, t, path) from None


def to_media(cls: type[Media], value: Any, base_dir: Path | None) -> Media:
    """A media value from a value object or `{url}`, `{base64, media_type}`, `{file}`."""
    if isinstance(value, Media):
        if value.kind != cls.kind:
            raise MediaError(f"expected {cls.kind}, got {value.kind}")
        return value
    if not isinstance(value, Mapping):
        raise TypeError
    keys = set(value) - {"media_type"}
    media_type = value.get("media_type")
    if keys == {"url"}:
        return cls.from_url(value["url"], media_type)
    if keys == {"base64"}:
        return cls.from_base64(value["base64"], media_type or "")
    if keys == {"file"}:
        path = Path(value["file"])
        if base_dir is not None and not path.is_absolute():
            path = base_dir / path
        return cls.from_file(path, media_type)
    raise MediaError(f"{cls.kind} must be given as {{url}}, {{base64, media_type}} or {{file}}")


def _unsupported(schema: Schema, value: Any, t: T, path: str, reading: _Reading) -> Any:
    raise _Mismatch(path, "tuple types are not supported")


_HANDLERS = {"prim": _prim, "lit": _lit, "enum": _enum, "class": _class, "ralias": _ralias,
             "list": _list, "map": _map, "union": _union, "media": _media, "tuple": _unsupported}
