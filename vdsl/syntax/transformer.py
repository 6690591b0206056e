"""Builds IR nodes while the parser runs (inline: no parse tree is built).

Method names equal grammar rule names. Spans come from the tokens; a node's span runs from
its first to its last token. Problems that the grammar accepts but BAML rejects at parse time
(digit-leading values, float literal types, too many attribute arguments) are reported here.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from typing import Any

from .. import ir
from ..diagnostics import Diagnostics
from ..source import SourceFile, Span, new_span
from .engine import Token  # the same attributes as Lark's Token (the fallback path's)
from .nesting import ValueNesting
from .values import classify_unquoted, dedent_raw, too_many_digits, unescape

_PRIMITIVES = frozenset(ir.PRIMITIVES)
_MEDIA = frozenset(ir.MEDIA)


@dataclass
class _Member:
    type: ir.TypeExpr
    attrs: tuple[ir.Attribute, ...]


@dataclass
class _Chain:
    members: list[_Member]


class _Suffix:
    __slots__ = ("kind", "span")

    def __init__(self, kind: str, span: Span) -> None:
        self.kind = kind
        self.span = span


class IRBuilder:
    """One instance per parse: holds the file, the position offset of the chunk being parsed,
    the doc comments seen so far, and the diagnostics list."""

    def __init__(self, source: SourceFile, diags: Diagnostics, line_offset: int = 0,
                 pos_offset: int = 0) -> None:
        self.source = source
        self.file = source.path
        self.diags = diags
        self.line_offset = line_offset
        self.pos_offset = pos_offset
        self.docs: dict[int, str] = {}
        self._grouped: set[int] = set()  # ids of types written in parentheses
        self._nesting = ValueNesting(diags)

    # ---- helpers ---------------------------------------------------------------------------

    def span(self, token: Token) -> Span:
        # Lark types positions as optional; the contextual lexer always sets them.
        lo = self.line_offset
        po = self.pos_offset
        t: Any = token
        return new_span((self.file, t.start_pos + po, t.end_pos + po, t.line + lo, t.column,
                         t.end_line + lo, t.end_column))

    def doc_before(self, line: int) -> str | None:
        """The `///` lines that end on the line just above `line`."""
        lines = []
        current = line - 1
        while current in self.docs:
            lines.append(self.docs[current])
            current -= 1
        return "\n".join(reversed(lines)) if lines else None

    def record_doc(self, token: Token) -> None:
        text = token.value[3:]
        self.docs[(token.line or 0) + self.line_offset] = text.removeprefix(" ")

    # ---- declarations ----------------------------------------------------------------------

    def start(self, children: list[Any]) -> list[ir.Decl]:
        return [c for c in children if isinstance(c, ir.Decl)]

    def class_decl(self, children: list[Any]) -> ir.ClassDecl:
        dynamic, keyword, name, items, close = self._type_block(children)
        fields = tuple(i for i in items if isinstance(i, ir.Field))
        attrs = tuple(i for i in items if isinstance(i, ir.Attribute))
        start = self.span(dynamic or keyword)
        return ir.ClassDecl(name.value, start.to(self.span(close)), self.span(name),
                            self.doc_before(start.line), fields, attrs, dynamic is not None)

    def enum_decl(self, children: list[Any]) -> ir.EnumDecl:
        dynamic, keyword, name, items, close = self._type_block(children)
        values = tuple(i for i in items if isinstance(i, ir.EnumValue))
        attrs = tuple(i for i in items if isinstance(i, ir.Attribute))
        start = self.span(dynamic or keyword)
        return ir.EnumDecl(name.value, start.to(self.span(close)), self.span(name),
                           self.doc_before(start.line), values, attrs, dynamic is not None)

    def _type_block(self, children: list[Any]) -> tuple[Any, Token, Token, list[Any], Token]:
        dynamic = children[0] if children[0].type == "DYNAMIC" else None
        rest = children[1:] if dynamic is not None else children
        keyword, name, _params, _open, items, close = rest
        return dynamic, keyword, name, items or [], close

    def class_items(self, children: list[Any]) -> list[Any]:
        return children

    enum_items = class_items
    entries = class_items
    test_items = class_items
    tb_items = class_items
    params = class_items
    map_entries = class_items
    array_items = class_items

    def field(self, children: list[Any]) -> ir.Field:
        name, chain = children
        span = self.span(name)
        if chain is None:
            self.diags.error("missing-field-type", f"No type specified for field `{name.value}`",
                             span, help=f"write a type after the name, e.g. `{name.value} string`")
            type_: ir.TypeExpr = ir.NamedType(span, (), "<missing>")
            attrs: tuple[ir.Attribute, ...] = ()
        else:
            type_, attrs = self._finish_chain(chain)
        end = attrs[-1].span if attrs else type_.span
        return ir.Field(name.value, type_, attrs, self.doc_before(span.line), span.to(end), span)

    def enum_value(self, children: list[Any]) -> ir.EnumValue:
        name, *attrs = children
        span = self.span(name)
        end = attrs[-1].span if attrs else span
        return ir.EnumValue(name.value, tuple(attrs), self.doc_before(span.line), span.to(end))

    def type_alias(self, children: list[Any]) -> ir.TypeAliasDecl:
        keyword, name, chain = children
        type_, attrs = self._finish_chain(chain)
        if attrs:
            type_ = replace(type_, attrs=type_.attrs + attrs)
        start = self.span(keyword)
        return ir.TypeAliasDecl(name.value, start.to(type_.span), self.span(name),
                                self.doc_before(start.line), type_)

    def client_decl(self, children: list[Any]) -> ir.ClientDecl:
        keyword, name, _params, _open, entries, close = children
        text = keyword.value
        if text not in ("client", "client<llm>"):
            inner = text[len("client"):]
            self.diags.error(
                "syntax-client-kind", f"unknown client kind `{inner}`", self.span(keyword),
                help="write `client<llm> Name { … }`")
        return self._value_block(ir.ClientDecl, keyword, name, entries, close,
                                 keyword="client<llm>" if text != "client" else "client")

    def retry_decl(self, children: list[Any]) -> ir.RetryPolicyDecl:
        keyword, name, _params, _open, entries, close = children
        return self._value_block(ir.RetryPolicyDecl, keyword, name, entries, close)

    def generator_decl(self, children: list[Any]) -> ir.GeneratorDecl:
        keyword, name, _params, _open, entries, close = children
        return self._value_block(ir.GeneratorDecl, keyword, name, entries, close)

    def function_decl(self, children: list[Any]) -> ir.FunctionDecl:
        keyword, name, params, chain, _open, entries, close = children
        return_type = None
        if chain is not None:
            return_type, attrs = self._finish_chain(chain)
            if attrs:
                return_type = replace(return_type, attrs=return_type.attrs + attrs)
        signature = self.span(keyword).to(return_type.span if return_type else self.span(name))
        return self._value_block(ir.FunctionDecl, keyword, name, entries, close,
                                 params=tuple(params or ()), return_type=return_type,
                                 signature_span=signature)

    def test_decl(self, children: list[Any]) -> ir.TestDecl:
        keyword, name, _params, _open, items, close = children
        items = items or []
        builders = [i for i in items if isinstance(i, ir.TypeBuilder)]
        for extra in builders[1:]:
            self.diags.error("duplicate-type-builder", "a test may have only one `type_builder`",
                             extra.span)
        entries = [i for i in items if not isinstance(i, ir.TypeBuilder)]
        return self._value_block(ir.TestDecl, keyword, name, entries, close,
                                 type_builder=builders[0] if builders else None)

    def _value_block(self, cls: type, opener: Token, name: Token, items: list[Any] | None,
                     close: Token, **extra: Any) -> Any:
        items = items or []
        entries = tuple(i for i in items if isinstance(i, ir.BlockEntry))
        block_attrs = tuple(i for i in items if isinstance(i, ir.Attribute))
        start = self.span(opener)
        return cls(name.value, start.to(self.span(close)), self.span(name),
                   self.doc_before(start.line), entries, block_attrs, **extra)

    def type_builder(self, children: list[Any]) -> ir.TypeBuilder:
        keyword, _open, items, close = children
        items = items or []
        return ir.TypeBuilder(
            tuple(i for i in items if isinstance(i, ir.ClassDecl)),
            tuple(i for i in items if isinstance(i, ir.EnumDecl)),
            tuple(i for i in items if isinstance(i, ir.TypeAliasDecl)),
            self.span(keyword).to(self.span(close)))

    def template_decl(self, children: list[Any]) -> ir.TemplateStringDecl:
        keyword, name, params, raw = children
        start = self.span(keyword)
        template = raw if isinstance(raw, ir.RawString) else None
        end = raw.span if raw is not None else self.span(name)
        return ir.TemplateStringDecl(name.value, start.to(end), self.span(name),
                                     self.doc_before(start.line), tuple(params or ()), template)

    def param(self, children: list[Any]) -> ir.Param:
        name, chain = children
        span = self.span(name)
        if chain is None:
            return ir.Param(name.value, None, span)
        type_, attrs = self._finish_chain(chain)
        if attrs:
            type_ = replace(type_, attrs=type_.attrs + attrs)
        return ir.Param(name.value, type_, span.to(type_.span))

    def entry(self, children: list[Any]) -> ir.BlockEntry:
        key, value, *attrs = children
        span = self.span(key)
        end = attrs[-1].span if attrs else (value.span if value is not None else span)
        return ir.BlockEntry(key.value, span, value, tuple(attrs), span.to(end))

    # ---- attributes ------------------------------------------------------------------------

    def field_attr(self, children: list[Any]) -> ir.Attribute:
        return self._attribute(children, block=False)

    def block_attr(self, children: list[Any]) -> ir.Attribute:
        return self._attribute(children, block=True)

    def _attribute(self, children: list[Any], block: bool) -> ir.Attribute:
        name, args = children
        args = tuple(args or ())
        name_span = self.span(name)
        end = args[-1].span if args else name_span
        text = name.value.lstrip("@")
        attr = ir.Attribute(text, args, block, name_span.to(end), name_span)
        if len(args) > 2:
            self.diags.error("attribute-arity",
                             f"`{attr.display}` takes at most two arguments, got {len(args)}",
                             args[2].span)
        return attr

    # ---- types -----------------------------------------------------------------------------

    def type_chain(self, children: list[_Member]) -> _Chain:
        return _Chain(children)

    def type_member(self, children: list[Any]) -> _Member:
        type_, *attrs = children
        return _Member(type_, tuple(attrs))

    def _finish_chain(self, chain: _Chain) -> tuple[ir.TypeExpr, tuple[ir.Attribute, ...]]:
        """BAML re-association: trailing attributes belong to the whole chain."""
        members = chain.members
        trailing = members[-1].attrs
        if len(members) == 1:
            return members[0].type, trailing
        types = [replace(m.type, attrs=m.type.attrs + m.attrs) if m.attrs else m.type
                 for m in members[:-1]]
        last = members[-1].type
        # `int | string?` is optional(int | string) in BAML: a trailing `?` (not one inside
        # parentheses) applies to the whole chain.
        whole_optional = isinstance(last, ir.OptionalType) and id(last) not in self._grouped
        types.append(last.inner if whole_optional else last)  # type: ignore[attr-defined]
        union: ir.TypeExpr = ir.UnionType(types[0].span.to(types[-1].span), (), tuple(types))
        if whole_optional:
            union = ir.OptionalType(types[0].span.to(last.span), (), union)
        return union, trailing

    def type_term(self, children: list[Any]) -> ir.TypeExpr:
        type_, *suffixes = children
        for suffix in suffixes:
            span = type_.span.to(suffix.span)
            if suffix.kind == "list":
                type_ = ir.ListType(span, (), type_)
            else:
                type_ = ir.OptionalType(span, (), type_)
        return type_

    def list_suffix(self, children: list[Token]) -> _Suffix:
        return _Suffix("list", self.span(children[-1]))

    def optional_suffix(self, children: list[Token]) -> _Suffix:
        return _Suffix("optional", self.span(children[0]))

    def type_name(self, children: list[Token]) -> ir.TypeExpr:
        (token,) = children
        span = self.span(token)
        name = token.value
        if name in _PRIMITIVES:
            return ir.Primitive(span, (), name)
        if name in _MEDIA:
            return ir.Media(span, (), name)
        if name in ("true", "false"):
            return ir.LiteralType(span, (), name == "true")
        return ir.NamedType(span, (), name)

    def type_string(self, children: list[Token]) -> ir.LiteralType:
        (token,) = children
        return ir.LiteralType(self.span(token), (), unescape(token.value[1:-1]))

    def type_number(self, children: list[Token]) -> ir.TypeExpr:
        (token,) = children
        span = self.span(token)
        if "." in token.value:
            self.diags.error("float-literal",
                             f"Float literal values are not supported: {token.value}", span,
                             help="use `float`, or an int or string literal")
            return ir.Primitive(span, (), "float")
        if too_many_digits(token.value):
            self._too_large(token.value, span)
            return ir.Primitive(span, (), "int")
        return ir.LiteralType(span, (), int(token.value))

    def _too_large(self, text: str, span: Span) -> None:
        digits = len(text.lstrip("-"))
        self.diags.error("number-too-large", f"a number with {digits:,} digits is too large",
                         span, help="integers may have at most "
                         f"{sys.get_int_max_str_digits():,} digits; quote it if it is text")

    def map_type(self, children: list[Any]) -> ir.TypeExpr:
        keyword, *chains = children
        chains = [c for c in chains if c is not None]
        span = self.span(keyword)
        types = [self._chain_type(c) for c in chains]
        if types:
            span = span.to(types[-1].span)
        if len(types) != 2:
            self.diags.error("syntax-map", f"`map` takes two type arguments, got {len(types)}",
                             span, help="write `map<K, V>`, e.g. `map<string, int>`")
            return ir.MapType(span, (), ir.Primitive(span, (), "string"),
                              types[-1] if types else ir.Primitive(span, (), "string"))
        return ir.MapType(span, (), types[0], types[1])

    def group_type(self, children: list[_Chain]) -> ir.TypeExpr:
        types = [self._chain_type(c) for c in children]
        if len(types) == 1:
            self._grouped.add(id(types[0]))
            return types[0]
        return ir.TupleType(types[0].span.to(types[-1].span), (), tuple(types))

    def _chain_type(self, chain: _Chain) -> ir.TypeExpr:
        type_, attrs = self._finish_chain(chain)
        return replace(type_, attrs=type_.attrs + attrs) if attrs else type_

    # ---- values ----------------------------------------------------------------------------

    def unquoted(self, children: list[Token]) -> ir.Value:
        (token,) = children
        span = self.span(token)
        kind, value = classify_unquoted(token.value)
        if kind == "string":
            return ir.StringValue(span, str(value), "unquoted")
        if kind == "bool":
            return ir.BoolValue(span, bool(value))
        if kind == "null":
            return ir.NullValue(span)
        if kind == "number":
            return ir.NumberValue(span, value, token.value)  # type: ignore[arg-type]
        if kind == "env":
            return ir.EnvRef(span, str(value))
        if kind == "bad-env":
            self.diags.error("invalid-env-reference", f"`{token.value}` is not a valid env reference",
                             span, help="write `env.NAME` with a variable name, e.g. "
                             "`env.GOOGLE_CLOUD_PROJECT`")
        elif kind == "number-too-large":
            self._too_large(token.value, span)
        else:
            self.diags.error(
                "digit-leading-value",
                f"unquoted value `{token.value}` starts with a digit", span,
                help=f'quote it: "{token.value}" (BAML reads a leading number and then fails)')
        return ir.StringValue(span, token.value, "unquoted")

    def quoted(self, children: list[Token]) -> ir.StringValue:
        (token,) = children
        return ir.StringValue(self.span(token), unescape(token.value[1:-1]), "quoted")

    def raw_string(self, children: list[Token]) -> ir.RawString:
        (token,) = children
        span = self.span(token)
        text = token.value
        hashes = len(text) - len(text.lstrip("#"))
        if token.type == "RAW_UNTERMINATED":
            closing = '"' + "#" * hashes
            self.diags.error("syntax-unterminated-string", "unterminated raw string starting here",
                             Span(span.file, span.start, span.start + hashes + 1, span.line,
                                  span.column, span.line, span.column + hashes + 1),
                             help=f"close it with `{closing}`")
            content = text[hashes + 1:]
        else:
            content = text[hashes + 1: -(hashes + 1)]
        value, skipped_lines, indent = dedent_raw(content)
        return ir.RawString(span, value, "raw", span.line + skipped_lines, indent, hashes)

    def map(self, children: list[Any]) -> ir.MapValue:
        open_, entries, close = children
        span = self.span(open_).to(self.span(close))
        entries = tuple(entries or ())
        value = ir.MapValue(span, entries if self._nesting.admit(
            span, [e.value for e in entries]) else ())
        self._nesting.remember(value)
        return value

    def map_entry(self, children: list[Any]) -> ir.MapEntry:
        key, value = children
        key_span = self.span(key)
        name = unescape(key.value[1:-1]) if key.type == "STRING" else key.value
        return ir.MapEntry(name, key_span, value, (), key_span.to(value.span))

    def array(self, children: list[Any]) -> ir.ArrayValue:
        open_, items, close = children
        span = self.span(open_).to(self.span(close))
        items = tuple(items or ())
        value = ir.ArrayValue(span, items if self._nesting.admit(span, items) else ())
        self._nesting.remember(value)
        return value

    def attr_args(self, children: list[Any]) -> list[ir.Value]:
        # a JINJA token (a str: Lark's tokens and the engine's both are) or a value node
        return [ir.JinjaExpr(self.span(c), c[2:-2].strip())  # type: ignore[arg-type]
                if isinstance(c, str) else c for c in children]
