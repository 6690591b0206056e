"""A function's return type as the JSON Schema Gemini's structured output takes
(`generationConfig.responseJsonSchema`, with `responseMimeType: application/json`).

Vertex reads a subset of JSON Schema: `type`, `enum` (strings and numbers), `items`,
`prefixItems`, `minItems`/`maxItems`, `properties`, `additionalProperties`, `required`,
`anyOf`, `description`, `$ref`/`$defs` (cycles only through optional properties), and its own
`propertyOrdering`. What maps, and how:

| vdsl type | schema |
|---|---|
| `string` `int` `float` `bool` `null` | `{"type": "string" / "integer" / "number" / "boolean" / "null"}` |
| `"a"`, `1` literals | `{"type": …, "enum": [value]}` (a `true`/`false` literal: `boolean`) |
| enum | `{"type": "string", "enum": [alias or name, …]}` (`@skip` values left out) |
| class | `object`: properties by `@alias` or name, `@description`s, `required` for fields that are not optional, `propertyOrdering` as declared (`@skip` fields left out) |
| `T[]`, `map<K, V>` | `array` with `items`; `object` with `additionalProperties` |
| `T?`, `A | B` | `anyOf` (with `{"type": "null"}` for optional) |

Recursive classes or aliases and `@@dynamic` types (fields added at run time) do not map:
`UnsupportedSchema` says why, `vdsl check` warns, and such a function is sent with the
prompt's schema only. A `string` return type needs no schema (None).
"""

from __future__ import annotations

from typing import Any

from ..ir import ClassDecl, EnumDecl, FunctionDecl, Primitive
from ..project import Project
from .schema import Schema, T, attr_text, has_attr

__all__ = ["UnsupportedSchema", "json_schema"]

_PRIMITIVES = {"string": "string", "int": "integer", "float": "number", "bool": "boolean",
               "null": "null"}


class UnsupportedSchema(Exception):
    """The return type has no faithful response schema; the message says which part."""


def json_schema(project: Project, fn: FunctionDecl) -> dict[str, Any] | None:
    """The response schema for `fn`'s return type (None for `string`, or no return type)."""
    returns = fn.return_type
    if returns is None or (isinstance(returns, Primitive) and returns.name == "string"):
        return None
    schema = Schema(project)
    return _Builder(schema).build(schema.resolve(returns))


class _Builder:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.recursive = {name for cycle in schema.class_cycles for name in cycle}

    def build(self, t: T) -> dict[str, Any]:
        if t.kind == "prim":
            return {"type": _PRIMITIVES[t.name]}
        if t.kind == "lit":
            return _literal(t.value)
        if t.kind == "enum":
            return self._enum(t.name)
        if t.kind == "class":
            return self._class(t.name)
        if t.kind == "list":
            return {"type": "array", "items": self.build(t.args[0])}
        if t.kind == "map":
            return {"type": "object", "additionalProperties": self.build(t.args[1])}
        if t.kind == "union":
            return {"anyOf": [self.build(a) for a in t.args]}
        if t.kind == "ralias":
            raise UnsupportedSchema(f"type alias `{t.name}` is recursive")
        raise UnsupportedSchema(f"`{t.name or t.kind}` cannot be part of a reply")

    def _enum(self, name: str) -> dict[str, Any]:
        decl = self.schema.project.find(name)
        assert isinstance(decl, EnumDecl)
        if _dynamic(decl):
            raise UnsupportedSchema(f"enum `{name}` is @@dynamic (values added at run time)")
        values = [attr_text(v.attrs, "alias") or v.name for v in decl.values
                  if not has_attr(v.attrs, "skip")]
        out: dict[str, Any] = {"type": "string", "enum": values}
        description = attr_text(decl.attrs, "description", block=True)
        return {**out, "description": description} if description else out

    def _class(self, name: str) -> dict[str, Any]:
        decl = self.schema.project.find(name)
        assert isinstance(decl, ClassDecl)
        if name in self.recursive:
            raise UnsupportedSchema(f"class `{name}` is recursive")
        if _dynamic(decl):
            raise UnsupportedSchema(f"class `{name}` is @@dynamic (fields added at run time)")
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in decl.fields:
            if has_attr(field.attrs, "skip"):
                continue
            key = attr_text(field.attrs, "alias") or field.name
            resolved = self.schema.resolve(field.type)
            prop = self.build(resolved)
            description = attr_text(field.attrs, "description") or \
                attr_text(field.type.attrs, "description")
            properties[key] = {**prop, "description": description} if description else prop
            if not _nullable(resolved):
                required.append(key)
        out: dict[str, Any] = {"type": "object", "properties": properties,
                               "propertyOrdering": list(properties)}
        if required:
            out["required"] = required
        description = attr_text(decl.attrs, "description", block=True)
        return {**out, "description": description} if description else out


def _literal(value: object) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer", "enum": [value]}
    return {"type": "string", "enum": [value]}


def _nullable(t: T) -> bool:
    return (t.kind == "prim" and t.name == "null") or (
        t.kind == "union" and any(a.kind == "prim" and a.name == "null" for a in t.args))


def _dynamic(decl: ClassDecl | EnumDecl) -> bool:
    return any(a.name == "dynamic" and a.block for a in decl.attrs)
