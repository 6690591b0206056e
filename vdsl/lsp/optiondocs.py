"""The option keys a `vertex-ai` client may set, per model family, with a line of
documentation each: what completion offers inside `options { … }`.

`client_options(family)` is the one place the server reads option tables from. The keys vdsl
reads itself come from `providers.options.CONSUMED` (the runtime's own list, with
`PLATFORM_OPTIONS`' documentation); the request-body fields per family are listed here with
their documentation.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..providers.options import CONSUMED, PLATFORM_OPTIONS
from ..validate.options import GENERATION_CONFIG

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
_ONLY: dict[str, tuple[str, ...]] = {
    "anthropic_version": ("anthropic",), "fim": ("mistral",),
    **{key: ("gemini",) for key, doc in PLATFORM_OPTIONS.items() if doc.startswith("Gemini:")}}

_SAMPLING = {
    "temperature": "Sampling temperature.",
    "top_p": "Nucleus sampling: the probability mass kept.",
    "max_tokens": "The most tokens the reply may have.",
    "stop": "Text (or texts) that end the reply.",
    "response_format": "Structured output, e.g. `{ type json_object }`.",
    "tools": "Tools the model may call.",
}
_BODIES: dict[str, dict[str, str]] = {
    "gemini": {
        "generationConfig": "temperature, topP, topK, maxOutputTokens, stopSequences, "
                            "responseMimeType, thinkingConfig, …",
        "safetySettings": "A list of `{ category … threshold … }` maps.",
        "tools": "Gemini tools (googleSearch, codeExecution, functionDeclarations, …).",
        "toolConfig": "How the model may call functions (functionCallingConfig).",
        "labels": "Billing labels, a map of strings.",
        "cachedContent": "A cachedContents resource name to reuse.",
    },
    "anthropic": {
        "max_tokens": "The most tokens the reply may have (default: the model's).",
        "temperature": "Sampling temperature, 0–1.",
        "top_p": "Nucleus sampling.", "top_k": "Sample from the k likeliest tokens.",
        "stop_sequences": "Texts that end the reply.",
        "thinking": "Extended thinking: `{ type enabled budget_tokens 2048 }`.",
        "metadata": "`{ user_id … }`.", "tools": "Tools the model may call.",
        "tool_choice": "How the model picks a tool.",
    },
    "openai_compat": {**_SAMPLING, "seed": "A seed for repeatable sampling.",
                      "presence_penalty": "Penalise tokens already present.",
                      "frequency_penalty": "Penalise frequent tokens.",
                      "n": "How many choices to return."},
    "mistral": {**_SAMPLING, "random_seed": "A seed for repeatable sampling.",
                "safe_prompt": "Prepend Mistral's safety prompt.",
                "min_tokens": "Codestral FIM: the fewest tokens to produce."},
    "mistral_ocr": {"pages": "Which pages to read (0-based).",
                    "include_image_base64": "Return extracted images as base64.",
                    "image_limit": "The most images to extract.",
                    "image_min_size": "The smallest image to extract (pixels)."},
    "ai21": {**_SAMPLING, "n": "How many choices to return.", "seed": "A seed."},
}


def client_options(family: str | None) -> list[OptionDoc]:
    """Every option key a client of `family` (None: not known yet) may set."""
    found = [OptionDoc(key, _READ.get(key, "Read by vdsl."), False) for key in sorted(CONSUMED)
             if family is None or family in _ONLY.get(key, (family,))]
    families = [family] if family in _BODIES else list(_BODIES) if family is None else []
    seen = {o.key for o in found}
    for name in families:
        for key, doc in _BODIES[name].items():
            if key not in seen:
                seen.add(key)
                found.append(OptionDoc(key, f"{doc} (sent in the {name} request body)", True))
    return found


def generation_config_keys() -> tuple[str, ...]:
    return GENERATION_CONFIG
