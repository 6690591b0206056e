"""Checks against the model catalog: what Vertex would reject, found at compile time.

Per `vertex-ai` client: an unknown model id (warning: it still works, picked by its id's
shape, but nothing about it is checked; a close catalog id is offered), a retired model, a
location without an endpoint for the model (`global`, `us`/`eu`: error; an unlisted region:
warning), an API key on a partner model, thinking options on a model without thinking, a
thinking budget the output limit cannot hold, the Provisioned Throughput / flex tier options,
the `fim` and `publisher` options.

Per function, for every leaf client it can reach (fallback and round-robin members one by
one): media parameters the model cannot take, an OCR model without a document parameter, and
a `{{ _.suffix() }}` fill-in-the-middle marker on a model without FIM (or a `fim true` client
whose prompt lacks one). Facts the catalog could not confirm give warnings, not errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..diagnostics import Label
from ..ir import (
    ArrayValue,
    BoolValue,
    ClientDecl,
    FunctionDecl,
    MapValue,
    NumberValue,
    StringValue,
    Value,
)
from ..ir.types import ListType, Media, OptionalType, TypeExpr, UnionType
from ..providers.catalog import ModelInfo, does_fim, guess_family, lookup, suggest
from ..source import Span
from .context import Context

__all__ = ["check"]

VERTEX = "vertex-ai"
STRATEGIES = ("fallback", "round-robin", "baml-fallback", "baml-round-robin")
REQUEST_TYPES = ("dedicated", "shared")
SHARED_REQUEST_TYPES = ("flex", "priority")
PUBLISHERS = ("google", "anthropic", "meta", "deepseek-ai", "qwen", "openai", "mistralai",
              "ai21")
SUFFIX_CALL = re.compile(r"_\s*\.\s*suffix\s*\(")
MIN_THINKING_BUDGET = 1024


@dataclass(frozen=True)
class Leaf:
    """A vertex-ai client a function may call: its name, model id, and where each is written."""

    name: str
    model: str
    model_span: Span
    options: MapValue | None
    via: str = ""
    """`fallback member of X` when reached through a strategy client."""


def check(ctx: Context) -> None:
    for client in ctx.program.clients:
        if client.provider == VERTEX and client.options is not None \
                and ctx.clients.get(client.name) is client:
            _check_client(ctx, client.options)
    for fn in ctx.program.functions:
        _check_function(ctx, fn)
    _check_shorthands(ctx)


def _check_shorthands(ctx: Context) -> None:
    """`client "vertex-ai/<model>"` (in a function or a strategy): the model id is checked
    like a client's `model` option."""
    refs = [fn.entry("client").value for fn in ctx.program.functions  # type: ignore[union-attr]
            if fn.entry("client") is not None]
    refs += [m for c in ctx.program.clients if c.provider in STRATEGIES for m in _members(c)]
    for ref in refs:
        if not isinstance(ref, StringValue) or not ref.value.startswith(VERTEX + "/"):
            continue
        model = ref.value[len(VERTEX) + 1:]
        info = lookup(model) if _plausible(model) else None
        if info is not None and info.retired:
            ctx.diags.error("retired-model", f"`{model}` is retired on Vertex AI; every call "
                            "answers 404", ref.span, help=_did_you_mean(model))
        elif info is None and _plausible(model):
            ctx.diags.warning("unknown-model", f"model `{model}` is not in vdsl's catalog: it "
                              f"is called by its id ({guess_family(model)} format), and its "
                              "capabilities are not checked", ref.span,
                              help=_did_you_mean(model) or "see docs/models.md for the models "
                                                           "vdsl knows")


# ---- clients -----------------------------------------------------------------------------

def _text(options: MapValue, key: str) -> StringValue | None:
    value = options.get(key)
    return value if isinstance(value, StringValue) else None


def _entry_span(options: MapValue, key: str) -> Span:
    for entry in options.entries:
        if entry.key == key:
            return entry.key_span
    return options.span


def _check_client(ctx: Context, options: MapValue) -> None:
    model = _text(options, "model")
    publisher = _check_publisher(ctx, options)
    if model is None or not _plausible(model.value):
        return
    info = lookup(model.value)
    if info is None:
        _unknown_model(ctx, model, publisher)
    elif info.retired:
        ctx.diags.error("retired-model", f"`{model.value}` is retired on Vertex AI; every call "
                        "answers 404", model.span, help=_did_you_mean(model.value))
        return
    family = info.family if info else guess_family(model.value)
    _check_api_key(ctx, options, model.value, family)
    _check_tiers(ctx, options, family)
    _check_fim_option(ctx, options, model.value, info)
    if info is not None:
        _check_location(ctx, options, info)
        _check_thinking(ctx, options, info)
        _check_max_tokens(ctx, options, info)


def _plausible(model: str) -> bool:
    """Ids other passes already flag (spaces: two entries on a line; a leading digit) are
    left to them, so one slip gives one diagnostic."""
    return bool(model) and not any(c.isspace() for c in model) and not model[0].isdigit()


def _did_you_mean(model: str) -> str | None:
    close = suggest(model)
    return ("did you mean " + " or ".join(f"`{c}`" for c in close) + "?") if close else None


def _unknown_model(ctx: Context, model: StringValue, publisher: str | None) -> None:
    family = guess_family(model.value)
    how = f"the `{publisher}` publisher option" if publisher else f"its id ({family} format)"
    ctx.diags.warning(
        "unknown-model", f"model `{model.value}` is not in vdsl's catalog: it is called by "
        f"{how}, and its capabilities and locations are not checked", model.span,
        help=_did_you_mean(model.value) or "see docs/models.md for the models vdsl knows")


def _check_publisher(ctx: Context, options: MapValue) -> str | None:
    value = options.get("publisher")
    if value is None:
        return None
    if not isinstance(value, StringValue) or value.value not in PUBLISHERS:
        ctx.diags.error("invalid-option", "`publisher` must name a Vertex publisher",
                        value.span, help="one of: " + ", ".join(PUBLISHERS))
        return None
    return value.value


def _check_api_key(ctx: Context, options: MapValue, model: str, family: str) -> None:
    params = options.get("query_params")
    if family == "gemini" or not isinstance(params, MapValue) or params.get("key") is None:
        return
    ctx.diags.error("api-key-unsupported", f"`{model}` is a partner model: Vertex AI takes "
                    "API keys (express mode) for Gemini models only",
                    _entry_span(params, "key"),
                    help="remove query_params.key; vdsl then uses Google credentials "
                         "(service account, ADC or gcloud)")


def _check_location(ctx: Context, options: MapValue, info: ModelInfo) -> None:
    location = _text(options, "location")
    if location is None:
        return
    where = location.value
    regions = ", ".join(info.regions)
    unsure = "" if info.confirmed else " (from a catalog entry with unverified facts: " \
        f"{info.notes}; `base_url` skips this check)"
    if where == "global" and not info.global_endpoint:
        ctx.diags.error("no-global-endpoint", f"`{info.id}` has no global endpoint",
                        location.span, help=f"use one of its regions: {regions}{unsure}")
    elif where in ("us", "eu") and where not in info.multi_region:
        ctx.diags.error("no-multi-region-endpoint", f"`{info.id}` is not served on the "
                        f"`{where}` multi-region endpoint", location.span,
                        help=f"use one of its regions: {regions}{unsure}")
    elif where not in ("global", "us", "eu") and where not in info.regions:
        alt = " or `global`" if info.global_endpoint else ""
        ctx.diags.warning("unlisted-region", f"`{info.id}` is not listed in `{where}`",
                          location.span, help=f"listed regions: {regions}{alt}; Vertex "
                          "answers 404 where the model is not served")


def _check_thinking(ctx: Context, options: MapValue, info: ModelInfo) -> None:
    thinking = options.get("thinking")
    config = options.get("generationConfig") or options.get("generation_config")
    gemini_thinking = config.get("thinkingConfig") or config.get("thinking_config") \
        if isinstance(config, MapValue) else None
    for value in (thinking, gemini_thinking):
        if value is not None and not info.thinking and _turns_on(value):
            ctx.diags.warning("thinking-unsupported", f"`{info.id}` does not think; Vertex "
                              "rejects or ignores this option", value.span,
                              help="remove it, or pick a model with thinking (see "
                                   "docs/models.md)")
    if info.family == "anthropic" and isinstance(thinking, MapValue):
        _check_budget(ctx, options, thinking, info)
    if info.thinking_budget is not None and isinstance(gemini_thinking, MapValue):
        _check_gemini_budget(ctx, gemini_thinking, info)


def _check_gemini_budget(ctx: Context, config: MapValue, info: ModelInfo) -> None:
    """Gemini's thinkingBudget: -1 (dynamic), 0 (off, where the model allows it) or a number
    of tokens within the model's range; Vertex answers 400 otherwise."""
    budget = config.get("thinkingBudget") or config.get("thinking_budget")
    if not isinstance(budget, NumberValue) or budget.value == -1 or budget.value < -1:
        return
    low, high = info.thinking_budget  # type: ignore[misc]
    if budget.value == 0:
        if not info.thinking_off:
            ctx.diags.error("thinking-budget", f"`{info.id}` cannot turn thinking off "
                            "(thinkingBudget 0)", budget.span,
                            help=f"use -1 (dynamic) or a budget from {low} to {high}")
    elif not low <= budget.value <= high:
        ctx.diags.error("thinking-budget", f"thinkingBudget {budget.text} is outside "
                        f"`{info.id}`'s range {low}–{high}", budget.span,
                        help="-1 lets the model decide" + (", 0 turns thinking off"
                                                           if info.thinking_off else ""))


def _turns_on(value: Value) -> bool:
    if not isinstance(value, MapValue):
        return True
    kind = value.get("type")
    budget = value.get("thinkingBudget") or value.get("thinking_budget")
    if isinstance(kind, StringValue) and kind.value == "disabled":
        return False
    return not (isinstance(budget, NumberValue) and budget.value == 0)


def _check_budget(ctx: Context, options: MapValue, thinking: MapValue, info: ModelInfo) -> None:
    """Claude: `enabled` needs a budget below max_tokens (its type and minimum are checked
    with the other option values, in request_fields.py)."""
    kind = thinking.get("type")
    budget = thinking.get("budget_tokens")
    if not (isinstance(kind, StringValue) and kind.value == "enabled"):
        return
    if not isinstance(budget, NumberValue):
        ctx.diags.error("invalid-option", "thinking `enabled` needs `budget_tokens`",
                        thinking.span, help=f"e.g. `thinking {{ type enabled budget_tokens "
                                            f"{MIN_THINKING_BUDGET * 2} }}`")
        return
    max_tokens = options.get("max_tokens")
    limit = max_tokens.value if isinstance(max_tokens, NumberValue) else info.default_max_tokens
    if budget.value < MIN_THINKING_BUDGET:
        return
    if budget.value >= limit:
        said = "max_tokens" if isinstance(max_tokens, NumberValue) else \
            f"the default max_tokens ({limit})"
        ctx.diags.error("thinking-budget", f"budget_tokens {budget.value} must be below "
                        f"{said}", budget.span, help=f"raise max_tokens (this model allows "
                                                     f"up to {info.max_output_tokens})")


def _check_max_tokens(ctx: Context, options: MapValue, info: ModelInfo) -> None:
    value = options.get("max_tokens")
    if info.family == "gemini":
        config = options.get("generationConfig") or options.get("generation_config")
        value = (config.get("maxOutputTokens") or config.get("max_output_tokens")
                 if isinstance(config, MapValue) else None)
    if isinstance(value, NumberValue) and value.value > info.max_output_tokens:
        ctx.diags.warning("max-tokens-over-limit", f"`{info.id}` writes at most "
                          f"{info.max_output_tokens} tokens; {value.value} is rejected or "
                          "capped", value.span)


def _check_tiers(ctx: Context, options: MapValue, family: str) -> None:
    for key, allowed in (("request_type", REQUEST_TYPES),
                         ("shared_request_type", SHARED_REQUEST_TYPES)):
        value = options.get(key)
        if value is not None and not (isinstance(value, StringValue)
                                      and value.value in allowed):
            ctx.diags.error("invalid-option", f"`{key}` must be one of: " + ", ".join(allowed),
                            value.span, help="see docs/models.md, \"Provisioned Throughput "
                                             "and tiers\"")
    location = _text(options, "location")
    request = _text(options, "request_type")
    if request is not None and request.value == "dedicated" and location is not None \
            and location.value == "global":
        ctx.diags.warning("tier-unavailable", "Provisioned Throughput (`request_type "
                          "dedicated`) is not offered on the global endpoint", request.span,
                          help="use a regional location for provisioned throughput")
    shared = _text(options, "shared_request_type")
    if shared is not None and shared.value in SHARED_REQUEST_TYPES and family != "gemini":
        ctx.diags.warning("tier-unavailable", f"the `{shared.value}` PayGo tier is documented "
                          "for Gemini models only", shared.span)


def _check_fim_option(ctx: Context, options: MapValue, model: str,
                      info: ModelInfo | None) -> None:
    value = options.get("fim")
    if value is None:
        return
    if not isinstance(value, BoolValue):
        ctx.diags.error("invalid-option", "`fim` must be true or false", value.span)
    elif value.value and not _does_fim(model, info):
        ctx.diags.error("fim-unsupported", f"`{model}` does not do fill-in-the-middle",
                        value.span, help="use a Codestral model, e.g. `codestral-2501`")


def _does_fim(model: str, info: ModelInfo | None) -> bool:
    return info.fim if info is not None else does_fim(model)


# ---- functions ---------------------------------------------------------------------------

def _check_function(ctx: Context, fn: FunctionDecl) -> None:
    entry = fn.entry("client")
    if entry is None or not isinstance(entry.value, StringValue):
        return
    kinds = _media_params(fn)
    marked = fn.prompt is not None and bool(SUFFIX_CALL.search(fn.prompt.value))
    for leaf in _leaves(ctx, entry.value.value, entry.value.span, set()):
        info = lookup(leaf.model)
        _check_inputs(ctx, fn, leaf, info, kinds, entry.value.span)
        _check_fim_prompt(ctx, fn, leaf, info, marked, entry.value.span)


def _media_params(fn: FunctionDecl) -> dict[str, Span]:
    found: dict[str, Span] = {}
    for param in fn.params:
        for kind in _media_in(param.type):
            found.setdefault(kind, param.span)
    return found


def _media_in(t: TypeExpr | None) -> Iterator[str]:
    if isinstance(t, Media):
        yield t.kind
    elif isinstance(t, ListType):
        yield from _media_in(t.item)
    elif isinstance(t, OptionalType):
        yield from _media_in(t.inner)
    elif isinstance(t, UnionType):
        for member in t.members:
            yield from _media_in(member)


def _leaves(ctx: Context, ref: str, span: Span, seen: set[str], via: str = "") -> Iterator[Leaf]:
    if "/" in ref:
        provider, _, model = ref.partition("/")
        if provider == VERTEX and model:
            yield Leaf(ref, model, span, None, via)
        return
    client = ctx.clients.get(ref)
    if client is None or ref in seen:
        return
    seen.add(ref)
    if client.provider in STRATEGIES:
        for member in _members(client):
            yield from _leaves(ctx, member.value, member.span, seen,
                               via or f"{client.provider.removeprefix('baml-')} `{ref}`")
    elif client.provider == VERTEX and client.options is not None:
        value = client.options.get("model")
        if isinstance(value, StringValue):
            yield Leaf(ref, value.value, value.span, client.options, via)


def _members(client: ClientDecl) -> list[StringValue]:
    strategy = client.options.get("strategy") if client.options else None
    if not isinstance(strategy, ArrayValue):
        return []
    return [v for v in strategy.items if isinstance(v, StringValue)]


def _who(leaf: Leaf) -> str:
    where = f"client `{leaf.name}`" if "/" not in leaf.name else f"`{leaf.name}`"
    return f"{where}, in {leaf.via}" if leaf.via else where


def _check_inputs(ctx: Context, fn: FunctionDecl, leaf: Leaf, info: ModelInfo | None,
                  kinds: dict[str, Span], use: Span) -> None:
    if info is None:
        return
    related = [Label(leaf.model_span, f"model of {_who(leaf)}", primary=False)]
    accepts = ", ".join(k for k in ("text", "image", "pdf", "audio", "video")
                        if k in info.inputs)
    for kind, span in kinds.items():
        if kind in info.inputs:
            continue
        article = "an" if kind in ("image", "audio") else "a"
        message = (f"{fn.name} takes {article} `{kind}`, but `{info.id}` ({_who(leaf)}) cannot take "
                   f"{kind} input; it accepts: {accepts}")
        if info.inputs_confirmed:
            ctx.diags.error("unsupported-input", message, span, related=related)
        else:
            ctx.diags.warning("unsupported-input", message + " (unconfirmed)", span,
                              related=related, help=info.notes or None)
    if info.family == "mistral_ocr" and not ({"pdf", "image"} & set(kinds)):
        ctx.diags.error("ocr-needs-document", f"{fn.name} calls OCR model `{info.id}` "
                        f"({_who(leaf)}) but takes no `pdf` or `image` to read", use,
                        related=related, help=f"e.g. `function {fn.name}(document: pdf) -> "
                                              "string` with `{{ document }}` in the prompt")


def _check_fim_prompt(ctx: Context, fn: FunctionDecl, leaf: Leaf, info: ModelInfo | None,
                      marked: bool, use: Span) -> None:
    related = [Label(leaf.model_span, f"model of {_who(leaf)}", primary=False)]
    if marked and not _does_fim(leaf.model, info):
        ctx.diags.error("fim-unsupported", f"{fn.name}'s prompt uses `_.suffix()` "
                        f"(fill-in-the-middle), which `{leaf.model}` ({_who(leaf)}) does not "
                        "do", use, related=related,
                        help="use a Codestral model, e.g. `codestral-2501`")
    fim = leaf.options.get("fim") if leaf.options is not None else None
    if not marked and isinstance(fim, BoolValue) and fim.value:
        ctx.diags.error("fim-without-suffix", f"{fn.name} uses fill-in-the-middle client "
                        f"`{leaf.name}` but its prompt has no `{{{{ _.suffix() }}}}` marker",
                        use, related=[Label(fim.span, "`fim true` set here", primary=False)],
                        help="write the code before the gap, then `{{ _.suffix() }}`, then "
                             "the code after it")
