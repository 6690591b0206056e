"""Hand-built IR for render tests that do not need the parser (tiny type DSL: `t("Foo?")`)."""

from __future__ import annotations

import re

from vdsl.ir import (
    ArrayValue,
    Attribute,
    BlockEntry,
    ClassDecl,
    ClientDecl,
    EnumDecl,
    EnumValue,
    Field,
    FunctionDecl,
    ListType,
    LiteralType,
    MapEntry,
    MapType,
    MapValue,
    Media,
    NamedType,
    OptionalType,
    Param,
    Primitive,
    Program,
    RawString,
    StringValue,
    TemplateStringDecl,
    TypeAliasDecl,
    TypeExpr,
    UnionType,
)
from vdsl.project import Project
from vdsl.source import SourceFile, Span

SP = Span("main.vdsl", 0, 0, 1, 1, 1, 1)


def s(text: str) -> StringValue:
    return StringValue(SP, text, "quoted")


def attr(name: str, arg: str | None = None, block: bool = False) -> Attribute:
    return Attribute(name, (s(arg),) if arg is not None else (), block, SP, SP)


def t(text: str) -> TypeExpr:
    """Parse a small type expression: unions, `?`, `[]`, map<K, V>, literals, names."""
    tokens = re.findall(r'map<|"[^"]*"|[A-Za-z_][\w-]*|\d+|\[\]|[|?(),>]', text)
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def union() -> TypeExpr:
        members = [postfix()]
        while peek() == "|":
            take()
            members.append(postfix())
        return members[0] if len(members) == 1 else UnionType(SP, (), tuple(members))

    def postfix() -> TypeExpr:
        base = atom()
        while peek() in ("[]", "?"):
            base = ListType(SP, (), base) if take() == "[]" else OptionalType(SP, (), base)
        return base

    def atom() -> TypeExpr:
        tok = take()
        if tok == "(":
            inner = union()
            take()
            return inner
        if tok == "map<":
            k = union()
            take()
            v = union()
            take()
            return MapType(SP, (), k, v)
        if tok.startswith('"'):
            return LiteralType(SP, (), tok[1:-1])
        if tok.isdigit():
            return LiteralType(SP, (), int(tok))
        if tok in ("true", "false"):
            return LiteralType(SP, (), tok == "true")
        if tok in ("string", "int", "float", "bool", "null"):
            return Primitive(SP, (), tok)
        if tok in ("image", "audio", "pdf", "video"):
            return Media(SP, (), tok)
        return NamedType(SP, (), tok)

    return union()


def field(name: str, type_: str, *attrs: Attribute) -> Field:
    return Field(name, t(type_), tuple(attrs), None, SP, SP)


def cls(name: str, *fields: Field, attrs: tuple[Attribute, ...] = ()) -> ClassDecl:
    return ClassDecl(name, SP, SP, None, tuple(fields), attrs)


def enum(name: str, *values: str | tuple[str, ...], attrs: tuple[Attribute, ...] = ()) -> EnumDecl:
    out = []
    for v in values:
        if isinstance(v, str):
            out.append(EnumValue(v, (), None, SP))
        else:
            vname, *rest = v
            out.append(EnumValue(vname, tuple(rest), None, SP))  # type: ignore[arg-type]
    return EnumDecl(name, SP, SP, None, tuple(out), attrs)


def alias(name: str, type_: str) -> TypeAliasDecl:
    return TypeAliasDecl(name, SP, SP, None, t(type_))


def project(*decls) -> Project:  # type: ignore[no-untyped-def]
    return Project(Program(list(decls)), {"main.vdsl": SourceFile("main.vdsl", "")})


def raw(text: str, first_line: int = 1) -> RawString:
    return RawString(SP, text, "raw", first_line, 0, 1)


def _params(text: str) -> tuple[Param, ...]:
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch == "<"
        depth -= ch == ">"
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return tuple(Param(p.split(":")[0].strip(), t(p.split(":", 1)[1]), SP)
                 for p in parts if p.strip())


def function(name: str, params: str, ret: str, prompt: str, client: str = "Gem") -> FunctionDecl:
    ps = _params(params)
    entries = (BlockEntry("client", SP, s(client), (), SP),
               BlockEntry("prompt", SP, raw(prompt), (), SP))
    return FunctionDecl(name, SP, SP, None, entries, (), ps, t(ret), SP)


def _value(v: object):  # type: ignore[no-untyped-def]
    if isinstance(v, dict):
        return MapValue(SP, tuple(MapEntry(k, SP, _value(x), (), SP) for k, x in v.items()))
    if isinstance(v, list):
        return ArrayValue(SP, tuple(_value(x) for x in v))
    return s(str(v))


def client(name: str, options: dict | None = None, provider: str = "vertex-ai") -> ClientDecl:
    opts = {"model": "gemini-2.5-flash", "location": "us-central1", **(options or {})}
    entries = (BlockEntry("provider", SP, s(provider), (), SP),
               BlockEntry("options", SP, _value(opts), (), SP))
    return ClientDecl(name, SP, SP, None, entries, ())


def template(name: str, params: str, text: str) -> TemplateStringDecl:
    ps = _params(params)
    return TemplateStringDecl(name, SP, SP, None, ps, raw(text))
