"""The option keys a `vertex-ai` client may set, per model family, with a line of
documentation each: what completion offers inside `options { … }`.

`client_options(family)` is the one place the server reads option tables from: the validation
tables (`validate.option_tables`: the options vdsl reads for every family or some, and each
family's request-body fields, with their kinds, choices and ranges), with the documentation
written here or, for vdsl's platform options, `providers.options.PLATFORM_OPTIONS`'.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..providers.options import PLATFORM_OPTIONS
from ..validate.option_tables import CLIENT_OPTIONS, FAMILY_BODIES, FAMILY_ONLY, Spec

__all__ = ["OptionDoc", "client_options", "generation_config_keys"]


@dataclass(frozen=True, slots=True)
class OptionDoc:
    key: str
    doc: str
    sent: bool
    """True for a request-body field (sent verbatim), False for an option vdsl reads."""


_READ: dict[str, str] = {
    "model": "The Vertex model id, e.g. `gemini-2.5-flash`; it picks the wire format.",
    "location": "The region (`us-central1`), `global`, or a multi-region (`us`, `eu`).",
    "base_url": "A URL prefix instead of the regional host (not with `location`).",
    "project_id": "The Google Cloud project; defaults to GOOGLE_CLOUD_PROJECT, then the "
                  "credentials' project.",
    "credentials": "Service-account JSON, a path to it, or a map; usually `env.VAR`.",
    "credentials_content": "Service-account JSON as text; usually `env.VAR`.",
    "anthropic_version": "Claude's `anthropic_version` (default `vertex-2023-10-16`).",
    "headers": "Extra HTTP headers, a map.",
    "query_params": "Extra URL query parameters; `key` is an API key (express mode).",
    "allowed_roles": "The roles a prompt may use (default system, user, assistant).",
    "default_role": "The role of prompt text before any `_.role(...)`.",
    "remap_roles": "Rename roles on the wire, e.g. `{ assistant model }`.",
    "allowed_role_metadata": "Role metadata keys passed on (e.g. `cache_control`), or `all`.",
    "supports_streaming": "false: streamed calls are made as one request.",
    "finish_reason_allow_list": "Finish reasons accepted; any other fails the call.",
    "finish_reason_deny_list": "Finish reasons that fail the call.",
    "media_url_handler": "Per media kind: send_url, send_url_add_mime_type, send_base64, "
                         "send_base64_unless_google_url.",
    "http": "Timeouts in ms: connect_timeout_ms, request_timeout_ms, "
            "time_to_first_token_timeout_ms, idle_timeout_ms.",
    "publisher": "The `publishers/…` segment for a model the catalog does not know.",
    "request_type": "`dedicated` or `shared`: Provisioned Throughput header.",
    "shared_request_type": "`flex` or `priority`: the PayGo tier header.",
    "retry_on_parse_error": "true: a reply that does not parse is retried by the policy.",
    "fim": "Codestral: fill-in-the-middle calls (`{{ _.suffix() }}` in the prompt).",
}
_READ.update({key: doc[:1].upper() + doc[1:] for key, doc in PLATFORM_OPTIONS.items()})
_GEMINI_ONLY = {key for key, doc in PLATFORM_OPTIONS.items() if doc.startswith("Gemini:")}

_BODY_DOCS: dict[str, str] = {
    "generationConfig": "temperature, topP, topK, maxOutputTokens, stopSequences, "
                        "responseMimeType, thinkingConfig, …",
    "safetySettings": "A list of `{ category … threshold … }` maps.",
    "toolConfig": "How the model may call functions (functionCallingConfig).",
    "labels": "Billing labels, a map of strings.",
    "cachedContent": "A cachedContents resource name to reuse.",
    "max_tokens": "The most tokens the reply may have.",
    "temperature": "Sampling temperature.", "top_p": "Nucleus sampling: the mass kept.",
    "top_k": "Sample from the k likeliest tokens.", "stop": "Text (or texts) that end the reply.",
    "stop_sequences": "Texts that end the reply.",
    "thinking": "Extended thinking, e.g. `{ type enabled budget_tokens 2048 }`.",
    "tools": "Tools the model may call.", "tool_choice": "How the model picks a tool.",
    "response_format": "Structured output, e.g. `{ type json_object }`.",
    "seed": "A seed for repeatable sampling.", "random_seed": "A seed for repeatable sampling.",
    "n": "How many choices to return.", "pages": "Which pages to read (0-based).",
    "include_image_base64": "Return extracted images as base64.",
}


def client_options(family: str | None) -> list[OptionDoc]:
    """Every option key a client of `family` (None: not known yet) may set."""
    found = [OptionDoc(key, _READ.get(key) or _describe(spec), False)
             for key, spec in sorted(CLIENT_OPTIONS.items())
             if family in (None, "gemini") or key not in _GEMINI_ONLY]
    found += [OptionDoc(key, _READ.get(key) or _describe(spec), False)
              for key, (spec, families) in sorted(FAMILY_ONLY.items())
              if family is None or family in families]
    seen = {o.key for o in found}
    families = list(FAMILY_BODIES) if family is None else [family]
    for name in families:
        for key, spec in FAMILY_BODIES.get(name, {}).items():
            if key not in seen:
                seen.add(key)
                doc = _BODY_DOCS.get(key) or _describe(spec)
                found.append(OptionDoc(key, f"{doc} (sent in the {name} request body)", True))
    return found


def _describe(spec: Spec) -> str:
    """A line from the table: the value's kind, its choices or range, its note."""
    parts = [spec.kind if not spec.also else " or ".join((spec.kind, *spec.also))]
    if spec.choices:
        parts.append("one of " + ", ".join(f"`{c}`" for c in spec.choices))
    if spec.minimum is not None or spec.maximum is not None:
        low = "" if spec.minimum is None else f"{spec.minimum:g} ≤ "
        high = "" if spec.maximum is None else f" ≤ {spec.maximum:g}"
        parts.append(f"{low}value{high}")
    if spec.fields:
        parts.append("fields: " + ", ".join(f"`{k}`" for k in spec.fields))
    if spec.note:
        parts.append(spec.note)
    return "; ".join(parts)


def generation_config_keys() -> tuple[str, ...]:
    config = FAMILY_BODIES["gemini"]["generationConfig"]
    return tuple(config.fields or ())
