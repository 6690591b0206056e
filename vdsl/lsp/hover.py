"""Hover text (Markdown) for what is under the cursor.

Types show their fields or values with aliases and descriptions; clients their provider, model
and the catalog's facts about it; functions and template_strings their signature; `env.VAR`
whether it is set now — never its value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ..ir import (
    Attribute,
    BlockEntry,
    ClassDecl,
    ClientDecl,
    Decl,
    EnumDecl,
    Field,
    FunctionDecl,
    NamedType,
    Param,
    RetryPolicyDecl,
    StringValue,
    TemplateStringDecl,
    TestDecl,
    TypeAliasDecl,
    plain,
    type_to_str,
)
from ..ir.walk import iter_types
from ..providers.catalog import ModelInfo, lookup
from .symbols import Occurrence, SymbolIndex

__all__ = ["hover_text"]

MAX_ITEMS = 40
"""Fields or values listed before "…and N more"."""


def hover_text(index: SymbolIndex, occurrence: Occurrence,
               env: Mapping[str, str] | None = None) -> str | None:
    kind = occurrence.kind
    if kind == "env":
        return _env(occurrence.key.removeprefix("env:"), os.environ if env is None else env)
    if kind == "model":
        return model_text(occurrence.key.removeprefix("model:"))
    if kind in ("parameter", "field", "enum_value"):
        return _member(index, occurrence)
    decl = index.decl(occurrence.key)
    return describe(decl, index) if decl is not None else None


def describe(decl: Decl, index: SymbolIndex) -> str:
    """The hover of a declaration."""
    if isinstance(decl, ClassDecl):
        body = _class(decl)
    elif isinstance(decl, EnumDecl):
        body = _enum(decl)
    elif isinstance(decl, TypeAliasDecl):
        body = _code(f"type {decl.name} = {type_to_str(decl.type)}")
    elif isinstance(decl, (FunctionDecl, TemplateStringDecl)):
        body = _callable(decl)
    elif isinstance(decl, ClientDecl):
        body = _client(decl, index)
    elif isinstance(decl, RetryPolicyDecl):
        body = _code(f"retry_policy {decl.name}") + _entries(decl.entries)
    elif isinstance(decl, TestDecl):
        names = ", ".join(f"`{n}`" for n, _ in decl.function_names) or "none"
        body = _code(f"test {decl.name}") + f"\n\nTests {names}."
    else:
        body = _code(f"{decl.kind} {decl.name}")
    return body + (f"\n\n{decl.doc}" if decl.doc else "")


def _code(text: str) -> str:
    return f"```baml\n{text}\n```"


def _attr(attrs: tuple[Attribute, ...], name: str) -> str | None:
    for attr in attrs:
        if attr.name == name and attr.args and isinstance(attr.args[0], StringValue):
            return attr.args[0].value
    return None


def _field_line(item: Field) -> str:
    line = f"- `{item.name}`: `{type_to_str(item.type)}`"
    alias = _attr(item.attrs, "alias")
    if alias is not None:
        line += f" — alias `{alias}`"
    description = _attr(item.attrs, "description") or item.doc
    if description:
        line += f" — {_one_line(description)}"
    return line


def _class(decl: ClassDecl) -> str:
    head = ("dynamic " if decl.dynamic else "") + f"class {decl.name}"
    lines = [_code(head)]
    alias = _attr(decl.attrs, "alias")
    description = _attr(decl.attrs, "description")
    if alias:
        lines.append(f"Alias `{alias}`.")
    if description:
        lines.append(_one_line(description))
    fields = [_field_line(f) for f in decl.fields[:MAX_ITEMS]]
    if len(decl.fields) > MAX_ITEMS:
        fields.append(f"- …and {len(decl.fields) - MAX_ITEMS} more")
    lines.append("\n".join(fields) if fields else "No fields.")
    return "\n\n".join(lines)


def _enum(decl: EnumDecl) -> str:
    values = []
    for value in decl.values[:MAX_ITEMS]:
        line = f"- `{value.name}`"
        alias = _attr(value.attrs, "alias")
        if alias is not None:
            line += f" — alias `{alias}`"
        description = _attr(value.attrs, "description") or value.doc
        if description:
            line += f" — {_one_line(description)}"
        values.append(line)
    if len(decl.values) > MAX_ITEMS:
        values.append(f"- …and {len(decl.values) - MAX_ITEMS} more")
    return _code(f"enum {decl.name}") + "\n\n" + ("\n".join(values) or "No values.")


def signature(decl: FunctionDecl | TemplateStringDecl) -> str:
    params = ", ".join(_param(p) for p in decl.params)
    if isinstance(decl, FunctionDecl):
        returns = type_to_str(decl.return_type) if decl.return_type is not None else "?"
        return f"function {decl.name}({params}) -> {returns}"
    return f"template_string {decl.name}({params})"


def _param(param: Param) -> str:
    return f"{param.name}: {type_to_str(param.type)}" if param.type is not None else param.name


def _callable(decl: FunctionDecl | TemplateStringDecl) -> str:
    text = _code(signature(decl))
    if isinstance(decl, FunctionDecl) and decl.client:
        text += f"\n\nClient `{decl.client}`."
    return text


def _client(decl: ClientDecl, index: SymbolIndex) -> str:
    lines = [_code(f"client<llm> {decl.name}"), f"Provider `{decl.provider or '?'}`."]
    options = decl.options
    if decl.retry_policy:
        lines.append(f"Retry policy `{decl.retry_policy}`.")
    if options is None:
        return "\n\n".join(lines)
    strategy = options.get("strategy")
    if strategy is not None and decl.provider != "vertex-ai":
        members = plain(strategy)
        if isinstance(members, list):
            lines.append("Strategy: " + " → ".join(f"`{m}`" for m in members))
    location = options.get("location")
    if isinstance(location, StringValue):
        lines.append(f"Location `{location.value}`.")
    model = options.get("model")
    if isinstance(model, StringValue):
        lines.append(model_text(model.value))
    return "\n\n".join(lines)


def model_text(model_id: str) -> str:
    """What the catalog knows about a model id."""
    info = lookup(model_id)
    if info is None:
        return f"Model `{model_id}`: not in vdsl's catalog (sent as written; nothing checked)."
    return f"Model `{model_id}`\n\n" + "\n".join(f"- {fact}" for fact in _facts(info))


def _facts(info: ModelInfo) -> list[str]:
    facts = [f"family `{info.family}`, publisher `{info.publisher}`"
             + (f", catalog id `{info.id}`" if info.id != info.base_id else "")]
    if info.retired:
        facts.append("**retired**: Vertex answers 404")
    facts.append("inputs: " + ", ".join(sorted(info.inputs))
                 + ("" if info.inputs_confirmed else " (unconfirmed)"))
    regions = ", ".join(info.regions)
    endpoints = ["global"] if info.global_endpoint else []
    endpoints += list(info.multi_region)
    facts.append(f"regions: {regions}" + (f"; also {', '.join(endpoints)}" if endpoints else ""))
    if info.input_price is not None and info.output_price is not None:
        facts.append(f"price: ${info.input_price:g} in / ${info.output_price:g} out per 1M "
                     "tokens")
    facts.append(f"output limit {info.max_output_tokens} tokens"
                 + ("; thinking" if info.thinking else "") + ("; FIM" if info.fim else ""))
    if info.notes:
        facts.append(f"note: {info.notes}")
    return facts


def _env(name: str, env: Mapping[str, str]) -> str:
    state = "set" if env.get(name) else "**not set**"
    return (f"`env.{name}` is {state} in the language server's environment (read when a call "
            "is made; the value is never shown).")


def _member(index: SymbolIndex, occurrence: Occurrence) -> str | None:
    owner = index.decl(occurrence.owner or "")
    name = occurrence.key.rsplit(".", 1)[-1]
    if isinstance(owner, (FunctionDecl, TemplateStringDecl)):
        param = next((p for p in owner.params if p.name == name), None)
        if param is None:
            return None
        text = _code(_param(param)) + f"\n\nParameter of `{owner.name}`."
        declared = index.decl(_root_type(param), ("class", "enum", "type_alias"))
        return text + ("\n\n" + describe(declared, index) if declared is not None else "")
    if isinstance(owner, ClassDecl):
        item = next((f for f in owner.fields if f.name == name), None)
        return None if item is None else _field_line(item).removeprefix("- ") + \
            f"\n\nField of `{owner.name}`."
    if isinstance(owner, EnumDecl):
        return f"`{owner.name}.{name}`"
    return None


def _root_type(param: Param) -> str:
    if param.type is None:
        return ""
    return next((t.name for t in iter_types(param.type) if isinstance(t, NamedType)), "")


def _entries(entries: tuple[BlockEntry, ...]) -> str:
    lines = [f"- `{e.key}`: `{plain(e.value) if e.value is not None else ''}`" for e in entries]
    return ("\n\n" + "\n".join(lines)) if lines else ""


def _one_line(text: str) -> str:
    return " ".join(text.split())
