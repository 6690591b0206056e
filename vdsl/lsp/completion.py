"""Completion: what may be written at the cursor, read from the text around it and the last
analysis (names from the whole project, the catalog, option tables)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from lsprotocol import types as lsp

from ..ir import (
    MEDIA,
    PRIMITIVES,
    ClassDecl,
    ClientDecl,
    EnumDecl,
    FunctionDecl,
    NamedType,
    TypeExpr,
    type_to_str,
)
from ..ir.walk import iter_types
from ..providers.catalog import MODELS, guess_family, lookup
from ..syntax.parser import KEYWORDS
from ..validate.attributes import BLOCK, FIELD
from ..validate.functions import GENERATOR_FIELDS
from .hover import describe, model_text, signature
from .optiondocs import client_options, generation_config_keys
from .place import Place
from .symbols import SymbolIndex

__all__ = ["complete"]

K = lsp.CompletionItemKind
_TYPE_SLOT = re.compile(r"(?::|->|<|,|\||\(|^[ \t]*[A-Za-z_]\w*[ \t]+)[ \t]*[\w.]*$")
_VALUE = re.compile(r"^[ \t]*([A-Za-z_]\w*)[ \t]+\"?([\w./@-]*)$")
_KEY = re.compile(r"^[ \t]*[A-Za-z_]?\w*$")
_ATTR = re.compile(r"(@@?)([\w.]*)$")
_MEMBER = re.compile(r"([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\.(\w*)$")
_LIST_VALUE = re.compile(r"\b(strategy|functions)[ \t]*\[[^\]]*$")
CTX_MEMBERS = {"output_format": "The output schema text; call it with options, e.g. "
                                "`ctx.output_format(prefix=null)`.",
               "client": "The client this prompt renders for: `.name`, `.provider`."}
CLIENT_MEMBERS = {"name": "The client's name.", "provider": "The client's provider."}
ROLE_MEMBERS = {"role": "`_.role(\"user\")` starts a message with that role.",
                "chat": "The same as `_.role`.",
                "suffix": "Codestral fill-in-the-middle: the prompt after it is the suffix."}
CLIENT_FIELDS = {"provider": "vertex-ai, fallback or round-robin",
                 "retry_policy": "A retry_policy block's name", "options": "The client's options"}
PROVIDERS = {"vertex-ai": "Google Vertex AI (the model id picks the family)",
             "fallback": "Try each client of `strategy` in turn",
             "round-robin": "Rotate over the clients of `strategy`"}
RETRY_FIELDS = {"max_retries": "Attempts after the first", "strategy": "The wait between tries",
                "options": "`jitter`: spread each wait"}
RETRY_STRATEGY = {"type": "constant_delay or exponential_backoff", "delay_ms": "milliseconds",
                  "multiplier": "exponential_backoff growth", "max_delay_ms": "the cap"}
REGIONS = ("global", "us", "eu")


def complete(place: Place, index: SymbolIndex | None, text: str) -> list[lsp.CompletionItem]:
    """The completion items at `place` (`text` is the file's current text)."""
    prefix = place.line_prefix
    if place.prompt_start is not None:
        return _in_prompt(place, index, text)
    attr = _ATTR.search(prefix)
    if attr is not None and place.keyword in ("class", "enum", "type", "function", "test"):
        names = BLOCK if attr.group(1) == "@@" else FIELD
        return [_item(n, K.Property, f"{attr.group(1)}{n}") for n in sorted(names)]
    if not place.keyword:
        return [_item(k, K.Keyword) for k in KEYWORDS] if _KEY.match(prefix) else []
    listed = _LIST_VALUE.search(prefix)
    if listed is not None:
        kind = "client" if listed.group(1) == "strategy" else "function"
        return _names(index, (kind,))
    handler = _BLOCKS.get(place.keyword)
    return handler(place, index) if handler is not None else []


def _item(label: str, kind: lsp.CompletionItemKind, detail: str | None = None,
          doc: str | None = None) -> lsp.CompletionItem:
    return lsp.CompletionItem(
        label=label, kind=kind, detail=detail,
        documentation=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=doc) if doc else None)


def _names(index: SymbolIndex | None, kinds: Iterable[str]) -> list[lsp.CompletionItem]:
    if index is None:
        return []
    wanted = tuple(kinds)
    items = []
    for name, decls in sorted(index.decls.items()):
        decl = next((d for d in decls if d.kind in wanted), None)
        if decl is not None:
            items.append(_item(name, _KINDS.get(decl.kind, K.Reference), decl.kind,
                               describe(decl, index)))
    return items


_KINDS = {"class": K.Class, "enum": K.Enum, "type_alias": K.TypeParameter, "client": K.Module,
          "function": K.Function, "template_string": K.Function, "retry_policy": K.Constant,
          "test": K.Event}


def _types(index: SymbolIndex | None) -> list[lsp.CompletionItem]:
    builtin = [_item(n, K.Keyword, "primitive") for n in PRIMITIVES] + [
        _item(n, K.Keyword, "media (inputs only)") for n in MEDIA] + [
        _item("map", K.Keyword, "map<K, V>")]
    return builtin + _names(index, ("class", "enum", "type_alias"))


def _type_block(place: Place, index: SymbolIndex | None) -> list[lsp.CompletionItem]:
    return _types(index) if _TYPE_SLOT.search(place.line_prefix) else []


def _signature_or_body(place: Place, index: SymbolIndex | None) -> list[lsp.CompletionItem]:
    prefix = place.line_prefix
    if place.depth == 0:
        return _types(index) if _TYPE_SLOT.search(prefix) and ("(" in prefix or "->" in prefix
                                                               or ":" in prefix) else []
    value = _VALUE.match(prefix)
    if value is not None and value.group(1) == "client":
        return _names(index, ("client",)) + _model_items("vertex-ai/")
    if _KEY.match(prefix) and place.depth == 1:
        return [_item("client", K.Property, "The client to call"),
                _item("prompt", K.Property, "The prompt, a Jinja template: #\"…\"#")]
    return []


def _client(place: Place, index: SymbolIndex | None) -> list[lsp.CompletionItem]:
    prefix = place.line_prefix
    value = _VALUE.match(prefix)
    if place.path == [] and place.depth == 1:
        if value is not None and value.group(1) == "provider":
            return [_item(p, K.EnumMember, d) for p, d in PROVIDERS.items()]
        if value is not None and value.group(1) == "retry_policy":
            return _names(index, ("retry_policy",))
        return [_item(k, K.Property, d) for k, d in CLIENT_FIELDS.items()] if _KEY.match(
            prefix) else []
    if place.path == ["options"]:
        return _client_option(place, index, value)
    if place.path[-1:] in (["generationConfig"], ["generation_config"]) and _KEY.match(prefix):
        return [_item(k, K.Property, "generationConfig") for k in generation_config_keys()]
    return []


def _client_option(place: Place, index: SymbolIndex | None,
                   value: re.Match[str] | None) -> list[lsp.CompletionItem]:
    family = _family(place, index)
    if value is not None and value.group(1) == "model":
        return _model_items()
    if value is not None and value.group(1) == "location":
        return _locations(place, index)
    if not _KEY.match(place.line_prefix):
        return []
    return [_item(o.key, K.Field if o.sent else K.Property,
                  "request body field" if o.sent else "read by vdsl", o.doc)
            for o in client_options(family)]


def _client_decl(place: Place, index: SymbolIndex | None) -> ClientDecl | None:
    decl = index.decl(place.name, ("client",)) if index is not None else None
    return decl if isinstance(decl, ClientDecl) else None


def _family(place: Place, index: SymbolIndex | None) -> str | None:
    decl = _client_decl(place, index)
    model = decl.options.get("model") if decl is not None and decl.options else None
    value = getattr(model, "value", None)
    if not isinstance(value, str):
        return None
    info = lookup(value)
    return info.family if info is not None else guess_family(value)


def _locations(place: Place, index: SymbolIndex | None) -> list[lsp.CompletionItem]:
    decl = _client_decl(place, index)
    model = decl.options.get("model") if decl is not None and decl.options else None
    info = lookup(getattr(model, "value", "") or "")
    regions = (*info.regions, *(["global"] if info.global_endpoint else []),
               *info.multi_region) if info else REGIONS
    return [_item(r, K.Value) for r in dict.fromkeys(regions)]


def _model_items(prefix: str = "") -> list[lsp.CompletionItem]:
    return [_item(prefix + m.id, K.Value, m.family, model_text(m.id))
            for m in MODELS if not m.retired]


def _test(place: Place, index: SymbolIndex | None) -> list[lsp.CompletionItem]:
    if place.depth == 1 and _KEY.match(place.line_prefix):
        return [_item("functions", K.Property, "[Function, …]"),
                _item("args", K.Property, "{ parameter value … }")]
    if place.path == ["args"] and _KEY.match(place.line_prefix) and index is not None:
        test = index.decl(place.name, ("test",))
        names = [n for n, _ in getattr(test, "function_names", [])]
        items = {}
        for fn_name in names:
            fn = index.decl(fn_name, ("function",))
            if isinstance(fn, FunctionDecl):
                for p in fn.params:
                    items[p.name] = _item(p.name, K.Variable, signature(fn))
        return list(items.values())
    return []


def _retry(place: Place, index: SymbolIndex | None) -> list[lsp.CompletionItem]:
    if not _KEY.match(place.line_prefix):
        return []
    table = RETRY_STRATEGY if place.path == ["strategy"] else RETRY_FIELDS if place.depth == 1 \
        else {}
    return [_item(k, K.Property, d) for k, d in table.items()]


def _generator(place: Place, index: SymbolIndex | None) -> list[lsp.CompletionItem]:
    return [_item(k, K.Property) for k in GENERATOR_FIELDS] if place.depth == 1 and _KEY.match(
        place.line_prefix) else []


_BLOCKS = {"class": _type_block, "type": _type_block, "function": _signature_or_body,
           "template_string": _signature_or_body, "string_template": _signature_or_body,
           "client": _client, "test": _test, "retry_policy": _retry, "generator": _generator}


# ---- prompts -------------------------------------------------------------------------------

def _in_prompt(place: Place, index: SymbolIndex | None, text: str) -> list[lsp.CompletionItem]:
    assert place.prompt_start is not None
    if not _in_jinja(text[place.prompt_start:place.offset]):
        return []
    member = _MEMBER.search(place.line_prefix)
    if member is not None:
        return _members(member.group(1), place, index)
    items = [_item("ctx", K.Variable, "the prompt context", _doc(CTX_MEMBERS)),
             _item("_", K.Variable, "roles: _.role(\"user\")", _doc(ROLE_MEMBERS))]
    owner = index.decl(place.name, ("function", "template_string")) if index else None
    for param in getattr(owner, "params", ()):
        items.append(_item(param.name, K.Variable, "parameter"))
    return items + _names(index, ("template_string", "enum"))


def _in_jinja(text: str) -> bool:
    """Whether the end of `text` is inside `{{ … }}` or `{% … %}`."""
    opened = max(text.rfind("{{"), text.rfind("{%"))
    closed = max(text.rfind("}}"), text.rfind("%}"))
    return opened > closed


def _doc(members: dict[str, str]) -> str:
    return "\n".join(f"- `{k}`: {v}" for k, v in members.items())


def _members(path: str, place: Place, index: SymbolIndex | None) -> list[lsp.CompletionItem]:
    if path == "ctx":
        return [_item(k, K.Property, None, v) for k, v in CTX_MEMBERS.items()]
    if path == "ctx.client":
        return [_item(k, K.Property, None, v) for k, v in CLIENT_MEMBERS.items()]
    if path == "_":
        return [_item(k, K.Method, None, v) for k, v in ROLE_MEMBERS.items()]
    if index is None:
        return []
    enum = index.decl(path, ("enum",))
    if isinstance(enum, EnumDecl):
        return [_item(v.name, K.EnumMember, path) for v in enum.values]
    target = _param_class(path, place, index)
    if target is None:
        return []
    return [_item(f.name, K.Field, type_to_str(f.type)) for f in target.fields]


def _param_class(path: str, place: Place, index: SymbolIndex) -> ClassDecl | None:
    """The class of `param.field.field…` (through optional, list and union members)."""
    parts = path.split(".")
    owner = index.decl(place.name, ("function", "template_string"))
    param = next((p for p in getattr(owner, "params", ()) if p.name == parts[0]), None)
    current = _class_of(param.type if param else None, index)
    for part in parts[1:]:
        item = next((f for f in current.fields if f.name == part), None) if current else None
        current = _class_of(item.type if item else None, index)
    return current


def _class_of(t: TypeExpr | None, index: SymbolIndex) -> ClassDecl | None:
    if t is None:
        return None
    for node in iter_types(t):
        if isinstance(node, NamedType):
            decl = index.decl(node.name, ("class",))
            if isinstance(decl, ClassDecl):
                return decl
    return None
