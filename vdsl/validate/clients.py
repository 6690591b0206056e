"""Clients: providers, the `vertex-ai` options BAML consumes, strategy clients (`fallback`,
`round-robin`) and their cycles; `retry_policy` blocks are checked in retries.py."""

from __future__ import annotations

import difflib

from ..diagnostics import Label
from ..ir import (
    ArrayValue,
    BoolValue,
    ClientDecl,
    EnvRef,
    MapValue,
    NumberValue,
    StringValue,
)
from ..ir.graph import find_cycles
from ..source import Span
from .context import Context
from .cycles import cycle_path
from .fields import span_of, unknown_key
from .options import check_secrets, check_spaces
from .request_fields import check_request_fields
from .retries import check_retry_policy

VERTEX = "vertex-ai"
STRATEGIES = {"fallback", "round-robin", "baml-fallback", "baml-round-robin"}
SUPPORTED = {VERTEX} | STRATEGIES
OTHER_BAML_PROVIDERS = {
    "openai", "baml-openai-chat", "openai-generic", "azure-openai", "baml-azure-chat",
    "openai-responses", "ollama", "baml-ollama-chat", "openrouter", "anthropic",
    "baml-anthropic-chat", "aws-bedrock", "google-ai"}
CLIENT_FIELDS = ("provider", "retry_policy", "options")
ROLES = ("system", "user", "assistant")
MEDIA_KINDS = ("image", "audio", "pdf", "video")
MEDIA_MODES = ("send_base64", "send_url", "send_url_add_mime_type",
               "send_base64_unless_google_url")
HTTP_TIMEOUTS = ("connect_timeout_ms", "request_timeout_ms", "time_to_first_token_timeout_ms",
                 "idle_timeout_ms")


def check(ctx: Context) -> None:
    for client in ctx.program.clients:
        _check_client(ctx, client)
    _check_strategy_cycles(ctx)
    for policy in ctx.program.retry_policies:
        check_retry_policy(ctx, policy)


def provider_problem(provider: str) -> tuple[str, str, str] | None:
    """(code, message, help) when vdsl cannot use `provider`, else None."""
    if provider in SUPPORTED:
        return None
    supported = "`vertex-ai`, `fallback` and `round-robin`"
    if provider in OTHER_BAML_PROVIDERS:
        return ("unsupported-provider",
                f"provider `{provider}` is not supported by vdsl", f"vdsl supports {supported}")
    close = difflib.get_close_matches(provider, sorted(SUPPORTED | OTHER_BAML_PROVIDERS), n=1)
    hint = f"did you mean `{close[0]}`? " if close else ""
    return ("unknown-provider", f"unknown provider `{provider}`", f"{hint}vdsl supports {supported}")


def _check_client(ctx: Context, client: ClientDecl) -> None:
    for entry in client.entries:
        if entry.key not in CLIENT_FIELDS:
            unknown_key(ctx, entry.key, entry.key_span, CLIENT_FIELDS, "client")
    provider_value = client.get("provider")
    if client.entry("provider") is None:
        ctx.diags.error("missing-field", "Missing `provider` field in client", client.name_span,
                        help="e.g. `provider vertex-ai`")
        return
    if not isinstance(provider_value, StringValue):
        ctx.diags.error("invalid-value", "`provider` must be a name such as `vertex-ai`",
                        span_of(client.entry("provider").key_span, provider_value))  # type: ignore[union-attr]
        return
    problem = provider_problem(provider_value.value)
    if problem:
        code, message, help_ = problem
        ctx.diags.error(code, message, provider_value.span, help=help_)
        _check_retry_ref(ctx, client)  # BAML checks it whatever the provider
        return
    _check_retry_ref(ctx, client)
    check_spaces(ctx, ((e.key, e.value) for e in client.entries))
    options = client.get("options")
    if client.entry("options") is not None and not isinstance(options, MapValue):
        ctx.diags.error("invalid-value", "`options` must be a map `{ key value … }`",
                        span_of(client.name_span, options))
        return
    options = options if isinstance(options, MapValue) else None
    if provider_value.value == VERTEX:
        _check_vertex(ctx, client, options)
    else:
        _check_strategy_client(ctx, client, provider_value.value, options)


def _check_retry_ref(ctx: Context, client: ClientDecl) -> None:
    entry = client.entry("retry_policy")
    if entry is None:
        return
    value = entry.value
    if not isinstance(value, StringValue):
        ctx.diags.error("invalid-value", "`retry_policy` must name a retry_policy block",
                        span_of(entry.key_span, value))
        return
    if value.value not in ctx.retry_policies and value.value not in ctx.program.broken_names:
        close = difflib.get_close_matches(value.value, list(ctx.retry_policies), n=1)
        ctx.diags.error("unknown-retry-policy", f"retry_policy `{value.value}` is not defined",
                        value.span, help=f"did you mean `{close[0]}`?" if close else
                        f"declare it: `retry_policy {value.value} {{ max_retries 3 }}`")


# ---- vertex-ai ---------------------------------------------------------------------------

def _check_vertex(ctx: Context, client: ClientDecl, options: MapValue | None) -> None:
    where = client.name_span if options is None else options.span
    if options is None or options.entry("model") is None:
        ctx.diags.error("missing-option", "Missing required property: model", where,
                        help="add `model gemini-2.5-flash` (or another Vertex model id) to options")
    if options is None:
        ctx.diags.error("missing-option",
                        "vertex-ai clients must specify a GCP region in options.location", where,
                        help="add `location us-central1` (or `global`) to options")
        return
    has_location = options.entry("location") is not None
    has_base = options.entry("base_url") is not None
    if has_location and has_base:
        ctx.diags.error("conflicting-options",
                        "vertex-ai clients may specify either location or base_url, but not both",
                        options.entry("base_url").key_span)  # type: ignore[union-attr]
    elif not has_location and not has_base:
        ctx.diags.error("missing-option",
                        "vertex-ai clients must specify a GCP region in options.location",
                        options.span, help="add `location us-central1` (or `global`) to options")
    _exclusive(ctx, options, "credentials", "credentials_content")
    _exclusive(ctx, options, "finish_reason_allow_list", "finish_reason_deny_list")
    _check_strings(ctx, options, ("model", "location", "base_url", "project_id",
                                  "anthropic_version", "credentials_content"))
    _check_roles(ctx, options)
    _check_media_handler(ctx, options)
    _check_http(ctx, options, HTTP_TIMEOUTS)
    for key in ("headers", "query_params"):
        value = options.get(key)
        if value is not None and not isinstance(value, MapValue):
            ctx.diags.error("invalid-option", f"`{key}` must be a map of strings", value.span)
    for key in ("finish_reason_allow_list", "finish_reason_deny_list"):
        _string_list(ctx, options, key)
    for flag in ("supports_streaming", "retry_on_parse_error"):
        value = options.get(flag)
        if value is not None and not isinstance(value, (BoolValue, EnvRef)):
            ctx.diags.error("invalid-option", f"`{flag}` must be true or false", value.span)
    check_request_fields(ctx, options)
    check_secrets(ctx, client.name, options)


def _exclusive(ctx: Context, options: MapValue, a: str, b: str) -> None:
    if options.entry(a) is not None and options.entry(b) is not None:
        ctx.diags.error("conflicting-options", f"`{a}` and `{b}` cannot both be set",
                        options.entry(b).key_span,  # type: ignore[union-attr]
                        related=[Label(options.entry(a).key_span, f"`{a}` set here",  # type: ignore[union-attr]
                                       primary=False)])


def _check_strings(ctx: Context, options: MapValue, keys: tuple[str, ...]) -> None:
    for key in keys:
        value = options.get(key)
        if value is not None and not isinstance(value, (StringValue, EnvRef)):
            ctx.diags.error("invalid-option", f"`{key}` must be a string", value.span)


def _string_list(ctx: Context, options: MapValue, key: str) -> list[str] | None:
    value = options.get(key)
    if value is None:
        return None
    if not isinstance(value, ArrayValue) or not all(
            isinstance(v, StringValue) for v in value.items):
        ctx.diags.error("invalid-option", f"`{key}` must be a list of strings", value.span,
                        help=f'e.g. `{key} ["system", "user"]`' if "role" in key else None)
        return None
    return [v.value for v in value.items]  # type: ignore[attr-defined]


def _check_roles(ctx: Context, options: MapValue) -> None:
    allowed = _string_list(ctx, options, "allowed_roles")
    allowed_value = options.get("allowed_roles")
    if allowed is not None and not allowed:
        ctx.diags.error("invalid-option", "`allowed_roles` must not be empty",
                        allowed_value.span)  # type: ignore[union-attr]
    roles = allowed if allowed else list(ROLES)
    default = options.get("default_role")
    if default is not None:
        if not isinstance(default, StringValue):
            ctx.diags.error("invalid-option", "`default_role` must be a string", default.span)
        elif default.value not in roles:
            shown = ", ".join(f'"{r}"' for r in roles)
            ctx.diags.error("invalid-option",
                            f"default_role must be one of {shown}. Got: {default.value}",
                            default.span)
    remap = options.get("remap_roles")
    if remap is not None:
        if not isinstance(remap, MapValue):
            ctx.diags.error("invalid-option", "`remap_roles` must be a map of role → role",
                            remap.span, help='e.g. `remap_roles { assistant "model" }`')
        else:
            for entry in remap.entries:
                if entry.key not in roles:
                    ctx.diags.error("invalid-option",
                                    f"remap_roles key `{entry.key}` is not an allowed role",
                                    entry.key_span, help="allowed roles: " + ", ".join(roles))
                if not isinstance(entry.value, StringValue):
                    ctx.diags.error("invalid-option", "remap_roles values must be strings",
                                    entry.value.span)
    metadata = options.get("allowed_role_metadata")
    if metadata is not None:
        ok = (isinstance(metadata, StringValue) and metadata.value in ("all", "none")) or (
            isinstance(metadata, ArrayValue)
            and all(isinstance(v, StringValue) for v in metadata.items))
        if not ok:
            ctx.diags.error("invalid-option",
                            '`allowed_role_metadata` must be a list of keys, "all" or "none"',
                            metadata.span, help='e.g. `allowed_role_metadata ["cache_control"]`')


def _check_media_handler(ctx: Context, options: MapValue) -> None:
    handler = options.get("media_url_handler")
    if handler is None:
        return
    if not isinstance(handler, MapValue):
        ctx.diags.error("invalid-option", "`media_url_handler` must be a map", handler.span,
                        help="e.g. `media_url_handler { image send_base64 }`")
        return
    for entry in handler.entries:
        if entry.key not in MEDIA_KINDS:
            unknown_key(ctx, entry.key, entry.key_span, MEDIA_KINDS, "media_url_handler")
        value = entry.value
        if isinstance(value, EnvRef):
            ctx.diags.error("invalid-option", "media_url_handler modes cannot come from env",
                            value.span)
        elif not isinstance(value, StringValue) or value.value not in MEDIA_MODES:
            shown = value.value if isinstance(value, StringValue) else "this value"
            close = difflib.get_close_matches(shown, MEDIA_MODES, n=1)
            ctx.diags.error("invalid-option", f"unknown media_url_handler mode `{shown}`",
                            value.span, help=(f"did you mean `{close[0]}`? " if close else "")
                            + "modes: " + ", ".join(MEDIA_MODES))


def _check_http(ctx: Context, options: MapValue, allowed: tuple[str, ...]) -> None:
    http = options.get("http")
    if http is None:
        return
    if not isinstance(http, MapValue):
        ctx.diags.error("invalid-option", "`http` must be a map of timeouts", http.span)
        return
    for entry in http.entries:
        if entry.key not in allowed:
            unknown_key(ctx, entry.key, entry.key_span, allowed, "http options")
        elif not isinstance(entry.value, NumberValue) or isinstance(entry.value.value, float) \
                or entry.value.value < 0:
            ctx.diags.error("invalid-option",
                            f"`{entry.key}` must be a non-negative whole number of milliseconds "
                            "(0 means no limit)", entry.value.span)


# ---- fallback / round-robin --------------------------------------------------------------

def strategy_members(client: ClientDecl) -> list[StringValue]:
    options = client.options
    strategy = options.get("strategy") if options else None
    if not isinstance(strategy, ArrayValue):
        return []
    return [v for v in strategy.items if isinstance(v, StringValue)]


def _check_strategy_client(ctx: Context, client: ClientDecl, provider: str,
                           options: MapValue | None) -> None:
    kind = provider.removeprefix("baml-")
    allowed = ("strategy", "http", "retry_on_parse_error") + (
        ("start",) if kind == "round-robin" else ())
    strategy = options.get("strategy") if options else None
    if options is not None:
        for entry in options.entries:
            if entry.key not in allowed:
                unknown_key(ctx, entry.key, entry.key_span, allowed, f"{kind} options")
        _check_http(ctx, options, ("total_timeout_ms",))
        start = options.get("start")
        if start is not None and not (isinstance(start, NumberValue)
                                      and isinstance(start.value, int)):
            ctx.diags.error("invalid-option", "`start` must be a whole number", start.span)
    if not isinstance(strategy, ArrayValue) or not strategy.items:
        where = strategy.span if strategy is not None else (
            options.span if options else client.name_span)
        ctx.diags.error("missing-option", f"{kind} clients need a non-empty `strategy` list",
                        where, help="e.g. `options { strategy [Primary, Backup] }`")
        return
    for item in strategy.items:
        if not isinstance(item, StringValue):
            ctx.diags.error("invalid-option", "strategy entries are client names", item.span)
            continue
        check_client_ref(ctx, item.value, item.span)


def check_client_ref(ctx: Context, name: str, span: Span) -> None:
    """A client name, or a `provider/model` shorthand whose provider vdsl supports."""
    if "/" in name:
        provider, _, model = name.partition("/")
        problem = provider_problem(provider)
        if problem:
            code, message, help_ = problem
            ctx.diags.error(code, message, span, help=help_)
        elif provider != VERTEX:
            ctx.diags.error("invalid-client", f"`{name}`: only `vertex-ai/<model>` shorthands "
                            "are allowed", span)
        elif not model:
            ctx.diags.error("invalid-client", "the shorthand needs a model: `vertex-ai/<model>`",
                            span)
        return
    if name not in ctx.clients and name not in ctx.program.broken_names:
        close = difflib.get_close_matches(name, list(ctx.clients), n=1)
        ctx.diags.error("unknown-client", f"client `{name}` is not defined", span,
                        help=f"did you mean `{close[0]}`?" if close else
                        'declare it with `client<llm> Name { … }`, or use a shorthand such as '
                        '"vertex-ai/gemini-2.5-flash"')


def _check_strategy_cycles(ctx: Context) -> None:
    graph = {c.name: {m.value for m in strategy_members(c)} for c in ctx.program.clients
             if c.provider in STRATEGIES and ctx.clients.get(c.name) is c}
    for cycle in find_cycles(graph):
        path = " -> ".join(cycle_path(cycle, graph))
        ctx.diags.error("client-cycle",
                        f"These fallback clients form a dependency cycle: {path}",
                        ctx.clients[cycle[0]].name_span)
