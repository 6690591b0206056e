"""vdsl's Vertex platform options on `vertex-ai` clients (`providers.options.PLATFORM_OPTIONS`):
`cached_content`, `max_input_tokens`, `grounding`, `structured_output`.

Per client: the value's shape, and whether the model can do it (context caches and grounding
and structured output are Gemini features; a model the catalog lists without caching has
none). Per function: a `structured_output` client whose function returns a type that has no
response schema (recursive, `@@dynamic`) is sent with the prompt's schema alone — a warning.
"""

from __future__ import annotations

import re

from ..diagnostics import Label
from ..ir import ArrayValue, BoolValue, EnvRef, MapValue, NumberValue, StringValue, Value
from ..providers.catalog import ModelInfo, guess_family, lookup
from ..providers.grounding import DATA_STORE, GROUNDING_KEYS
from .context import Context
from .request_fields import FAMILY_NAMES

__all__ = ["check"]

VERTEX = "vertex-ai"
CACHE_NAME = r"^(projects/[^/\s]+/locations/[^/\s]+/cachedContents/)?[A-Za-z0-9_-]+$"
SCHEMA_KEYS = ("responseMimeType", "response_mime_type", "responseSchema", "response_schema",
               "responseJsonSchema", "response_json_schema")


def check(ctx: Context) -> None:
    for client in ctx.program.clients:
        if client.provider == VERTEX and isinstance(client.options, MapValue) \
                and ctx.clients.get(client.name) is client:
            _check_client(ctx, client.options)
    if not ctx.diags.has_errors:
        _check_functions(ctx)


def _family(options: MapValue) -> tuple[str, ModelInfo | None, str]:
    model = options.get("model")
    name = model.value if isinstance(model, StringValue) else ""
    info = lookup(name) if name else None
    return (info.family if info else guess_family(name) if name else "gemini"), info, name


def _check_client(ctx: Context, options: MapValue) -> None:
    family, info, model = _family(options)
    gemini_only = (("cached_content", "context caches (cachedContents)"),
                   ("grounding", "grounding with Google Search / Vertex AI Search"),
                   ("structured_output", "structured output (responseJsonSchema)"))
    for key, feature in gemini_only:
        value = options.get(key)
        if value is not None and family != "gemini":
            kind = FAMILY_NAMES.get(family, family)
            article = "an" if kind[:1] in "AEIOU" else "a"
            ctx.diags.error("feature-unsupported", f"`{key}`: {feature} is a Gemini feature; "
                            f"`{model}` is {article} {kind} model", value.span,
                            help="Claude caches through `cache_control` role metadata instead"
                            if key == "cached_content" else "remove it, or use a Gemini model")
    _check_cache_option(ctx, options, info)
    _check_budget(ctx, options, info)
    _check_grounding(ctx, options.get("grounding"))
    _check_structured(ctx, options)


def _check_cache_option(ctx: Context, options: MapValue, info: ModelInfo | None) -> None:
    value = options.get("cached_content")
    if value is None or isinstance(value, EnvRef):
        return
    if not isinstance(value, StringValue) or not re.match(CACHE_NAME, value.value):
        ctx.diags.error("invalid-option", "`cached_content` must name a context cache",
                        value.span, help="projects/P/locations/L/cachedContents/ID, a bare ID, "
                        "env.VAR (`vdsl cache create` prints the name), or `auto`")
        return
    if info is not None and info.family == "gemini" and not info.caching:
        ctx.diags.error("feature-unsupported", f"`{info.id}` has no context caching on Vertex",
                        value.span, help="use a model with caching, e.g. gemini-2.5-flash")
    if options.get("base_url") is not None:
        ctx.diags.error("conflicting-options", "`cached_content` needs `location` (a cache "
                        "lives in one project and location), not `base_url`", value.span)
    location = options.get("location")
    if isinstance(location, StringValue) and location.value == "global":
        ctx.diags.warning("feature-unsupported", "Google documents context caching as not "
                          "offered on the global endpoint", value.span,
                          help="use a regional location for the client that reads the cache")


def _check_budget(ctx: Context, options: MapValue, info: ModelInfo | None) -> None:
    value = options.get("max_input_tokens")
    if value is None or isinstance(value, EnvRef):
        return
    if not (isinstance(value, NumberValue) and isinstance(value.value, int)
            and not isinstance(value.value, bool) and value.value > 0):
        ctx.diags.error("invalid-option", "`max_input_tokens` must be a whole number above 0",
                        value.span, help="e.g. `max_input_tokens 200000`")
        return
    window = info.context_window if info else None
    if window is not None and value.value > window:
        ctx.diags.warning("invalid-option", f"max_input_tokens {value.value} is more than "
                          f"`{info.id}` reads ({window} tokens): Vertex refuses longer "  # type: ignore[union-attr]
                          "prompts anyway", value.span)


def _check_grounding(ctx: Context, value: Value | None) -> None:
    if value is None or isinstance(value, EnvRef):
        return
    if isinstance(value, StringValue) and value.value == "google_search":
        return
    if not isinstance(value, MapValue):
        ctx.diags.error("invalid-option", "`grounding` must be `google_search` or a map",
                        value.span, help="e.g. `grounding { google_search true, "
                        "vertex_ai_search \"projects/P/locations/global/collections/"
                        "default_collection/dataStores/D\" }`")
        return
    for entry in value.entries:
        if entry.key not in GROUNDING_KEYS:
            ctx.diags.error("unknown-field", f"unknown grounding source `{entry.key}`",
                            entry.key_span, help="known: " + ", ".join(GROUNDING_KEYS))
        elif entry.key == "google_search" and not isinstance(entry.value, BoolValue):
            ctx.diags.error("invalid-option", "`google_search` must be true or false",
                            entry.value.span)
        elif entry.key == "vertex_ai_search":
            stores = entry.value.items if isinstance(entry.value, ArrayValue) else (entry.value,)
            for store in stores:
                if not (isinstance(store, StringValue) and DATA_STORE.match(store.value)):
                    ctx.diags.error("invalid-option", "not a Vertex AI Search data store name",
                                    store.span, help="projects/P/locations/L/collections/C/"
                                    "dataStores/D (or …/engines/E)")


def _check_structured(ctx: Context, options: MapValue) -> None:
    value = options.get("structured_output")
    if value is None or isinstance(value, EnvRef):
        return
    if not isinstance(value, BoolValue):
        ctx.diags.error("invalid-option", "`structured_output` must be true or false",
                        value.span)
        return
    config = options.get("generationConfig") or options.get("generation_config")
    set_here = [e for e in config.entries if e.key in SCHEMA_KEYS] \
        if isinstance(config, MapValue) else []
    if value.value and set_here:
        ctx.diags.error("conflicting-options", "`structured_output true` sets the response "
                        "schema from the return type; generationConfig sets one too",
                        set_here[0].key_span, related=[Label(value.span, "set here",
                                                             primary=False)],
                        help=f"remove `{set_here[0].key}` or `structured_output`")


def _check_functions(ctx: Context) -> None:
    from ..project import Project
    project: Project | None = None
    for fn in ctx.program.functions:
        client = ctx.clients.get(fn.client or "")
        options = client.options if client is not None else None
        flag = options.get("structured_output") if isinstance(options, MapValue) else None
        if not (isinstance(flag, BoolValue) and flag.value) or fn.return_type is None:
            continue
        # imported here: the renderer (and Jinja) only when a function asks for a schema
        from ..render.json_schema import UnsupportedSchema, json_schema
        project = project or Project(ctx.program, dict(ctx.sources))
        try:
            json_schema(project, fn)
        except UnsupportedSchema as why:
            ctx.diags.warning("structured-output-unsupported", f"{fn.name} is sent without a "
                              f"response schema: {why}", fn.return_type.span,
                              related=[Label(flag.span, "structured_output set here",
                                             primary=False)],
                              help="the prompt's ctx.output_format and the parser still "
                                   "apply; see docs/platform.md for the types that map")
