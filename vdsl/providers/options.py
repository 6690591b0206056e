"""A `vertex-ai` client's options at call time: `env.VAR` resolved, BAML's own options taken
out, and everything else kept, in order, for the request body (docs/language.md, `client<llm>`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError, MissingEnvError

PLATFORM_OPTIONS = {
    "cached_content": "Gemini: a context cache to read the prompt's leading part from "
                      "(`projects/…/cachedContents/ID`, a bare ID, env.VAR, or `auto`: the "
                      "cache vdsl made for this prompt, if any)",
    "max_input_tokens": "any family: refuse to send a prompt with more input tokens "
                        "(a whole number > 0)",
    "grounding": "Gemini: `google_search`, or a map { google_search true, "
                 "vertex_ai_search \"projects/…/dataStores/…\" }",
    "structured_output": "Gemini: true to also send responseMimeType + responseJsonSchema "
                         "derived from the function's return type",
}
"""vdsl's options for Vertex platform features (not BAML's), with what each takes."""

CONSUMED = frozenset({
    "model", "location", "base_url", "project_id", "credentials", "credentials_content",
    "anthropic_version", "headers", "query_params", "allowed_roles", "default_role",
    "remap_roles", "allowed_role_metadata", "supports_streaming", "finish_reason_allow_list",
    "finish_reason_deny_list", "media_url_handler", "http", "publisher", "request_type",
    "shared_request_type", "retry_on_parse_error", "fim", *PLATFORM_OPTIONS,
})
"""Options vdsl reads itself; they never reach the request body."""

LENIENT = ("project_id", "cached_content")
"""Options whose unset `env.VAR` is not an error here: an unset project is absent (BAML);
a cache name is only needed by calls, which check it (not by `vdsl cache create`)."""

MEDIA_DEFAULTS = {"image": "send_url_add_mime_type", "audio": "send_url_add_mime_type",
                  "pdf": "send_url", "video": "send_url"}
"""BAML's `media_url_handler` defaults for vertex-ai (docs/wire.md, "Media URLs")."""


@dataclass(frozen=True)
class Timeouts:
    """Milliseconds; None (0 in the file) means no limit. A client that does not set
    `connect_timeout_ms` or `idle_timeout_ms` gets the defaults below: BAML waits forever,
    so a server that accepts a connection and then goes silent would hang a call for good."""

    connect_ms: int | None = None
    request_ms: int | None = None
    first_token_ms: int | None = None
    idle_ms: int | None = None


DEFAULT_CONNECT_MS = 30_000
DEFAULT_IDLE_MS = 900_000
"""Fifteen minutes with no byte from Vertex: longer than any generation Vertex itself lets run."""


@dataclass
class ClientOptions:
    """A client's options resolved for one call. Its repr leaves out every field that can
    hold a value read from the environment (keys, credentials, headers, query parameters)."""

    client: str
    model: str
    location: str | None = None
    base_url: str | None = None
    project_id: str | None = None
    project_placeholder: str = "$GOOGLE_CLOUD_PROJECT"
    """What a preview shows for a project not known offline: `$VAR` of an unset
    `project_id env.VAR`, else `$GOOGLE_CLOUD_PROJECT`."""
    anthropic_version: str | None = None
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    query_params: dict[str, str] = field(default_factory=dict, repr=False)
    supports_streaming: bool = True
    finish_reason_allow: list[str] | None = None
    finish_reason_deny: list[str] | None = None
    media_url_handler: dict[str, str] = field(default_factory=lambda: dict(MEDIA_DEFAULTS))
    timeouts: Timeouts = field(default_factory=Timeouts)
    passthrough: dict[str, Any] = field(default_factory=dict, repr=False)
    resolved: dict[str, Any] = field(default_factory=dict, repr=False)
    """All options, env refs resolved (auth reads `credentials` and `query_params` here)."""
    secrets: dict[str, str] = field(default_factory=dict, repr=False)
    """Secret values (API keys, inline credentials) → the env var or name shown instead."""
    env_headers: dict[str, str] = field(default_factory=dict)
    """Headers (lowercase) whose value came from an `env.VAR` → that variable's name."""
    env_params: dict[str, str] = field(default_factory=dict)
    """Query parameters whose value came from an `env.VAR` → that variable's name."""
    cached_content: str | None = None
    """The context cache the call reads (as written; the runtime makes it a full name)."""
    max_input_tokens: int | None = None
    structured_output: bool = False
    grounding: tuple[dict[str, Any], ...] = ()
    """Gemini grounding tools to add to `tools` (`{"googleSearch": {}}`, …)."""
    output_schema: dict[str, Any] | None = None
    """The JSON schema sent with `structured_output` (set by the runtime per function)."""

    @property
    def api_key(self) -> str | None:
        key = self.query_params.get("key")
        return key if isinstance(key, str) and key else None


class _Resolver:
    def __init__(self, client: str, env: Mapping[str, str], preview: bool) -> None:
        self.client = client
        self.env = env
        self.preview = preview
        self.env_names: dict[str, str] = {}
        self.env_settings: dict[str, str] = {}

    def value(self, value: Any, setting: str) -> Any:
        if isinstance(value, dict):
            if set(value) == {"$env"}:
                return self.env_ref(value["$env"], setting)
            return {k: self.value(v, f"{setting}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, f"{setting}[{i}]") for i, v in enumerate(value)]
        return value

    def env_ref(self, name: str, setting: str) -> str:
        found = self.env.get(name)
        if found is None or found == "":
            if self.preview:
                return f"${name}"
            raise MissingEnvError(name, self.client, setting)
        self.env_names[found] = name
        self.env_settings[setting] = name
        return found


def resolve_options(client: str, options: Mapping[str, Any], env: Mapping[str, str], *,
                    preview: bool = False) -> ClientOptions:
    """Read a client's options (plain data, env refs as `{"$env": NAME}`).

    In `preview` a missing env var becomes `$NAME` instead of an error, so requests can be shown
    without any secrets or settings in the environment.
    """
    resolver = _Resolver(client, env, preview)
    lenient = _Resolver(client, env, preview=True)  # BAML: an unset project_id is just absent
    resolved = {k: (lenient if k in LENIENT else resolver).value(v, f"options.{k}")
                for k, v in options.items()}
    model = resolved.get("model")
    if not isinstance(model, str) or not model:
        raise ConfigError(f"client `{client}`: options.model must be a model id")
    out = ClientOptions(client=client, model=model, resolved=resolved)
    out.location = _string(resolved, "location", client)
    if out.location is None and "base_url" not in resolved and "/" in client:
        # a `vertex-ai/model` shorthand has no options: the usual variable, else global
        out.location = env.get("GOOGLE_CLOUD_LOCATION") or "global"
    out.base_url = _string(resolved, "base_url", client)
    out.project_id = _project(resolved.get("project_id"))
    raw_project = resolved.get("project_id")
    if isinstance(raw_project, str) and raw_project.startswith("$"):
        out.project_placeholder = raw_project
    out.anthropic_version = _string(resolved, "anthropic_version", client)
    out.headers = {str(k).lower(): str(v) for k, v in (resolved.get("headers") or {}).items()}
    out.query_params = {str(k): str(v) for k, v in (resolved.get("query_params") or {}).items()}
    out.supports_streaming = resolved.get("supports_streaming", True) not in (False, "false")
    out.finish_reason_allow = _lower_list(resolved.get("finish_reason_allow_list"))
    out.finish_reason_deny = _lower_list(resolved.get("finish_reason_deny_list"))
    out.media_url_handler.update(resolved.get("media_url_handler") or {})
    out.timeouts = _timeouts(resolved.get("http") or {})
    out.passthrough = {k: v for k, v in resolved.items() if k not in CONSUMED}
    out.secrets = _secrets(out, resolver.env_names)
    out.env_headers = {key[len("options.headers."):].lower(): name
                       for key, name in resolver.env_settings.items()
                       if key.startswith("options.headers.")}
    out.env_params = {key[len("options.query_params."):]: name
                      for key, name in resolver.env_settings.items()
                      if key.startswith("options.query_params.")}
    _platform(out, resolved, client)
    return out


def _platform(out: ClientOptions, resolved: Mapping[str, Any], client: str) -> None:
    """The PLATFORM_OPTIONS (already checked by `vdsl check`; re-checked for env values)."""
    from .grounding import grounding_tools
    cache = _string(resolved, "cached_content", client)
    out.cached_content = cache or None
    limit = resolved.get("max_input_tokens")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool)
                              or limit < 1):
        raise ConfigError(f"client `{client}`: options.max_input_tokens must be a whole "
                          "number above 0")
    out.max_input_tokens = limit
    out.structured_output = resolved.get("structured_output") in (True, "true")
    out.grounding = grounding_tools(resolved.get("grounding"), client)


def _string(options: Mapping[str, Any], key: str, client: str) -> str | None:
    value = options.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"client `{client}`: options.{key} must be a string")
    return value


def _project(value: Any) -> str | None:
    """An unresolved, `$`-prefixed or empty project counts as absent (BAML)."""
    if not isinstance(value, str) or not value or value.startswith("$"):
        return None
    return value


def _lower_list(value: Any) -> list[str] | None:
    return None if value is None else [str(v).lower() for v in value]


def _timeouts(http: Mapping[str, Any]) -> Timeouts:
    def ms(key: str, default: int | None = None) -> int | None:
        if http.get(key) is None:
            return default
        value = http.get(key)
        return int(value) if isinstance(value, (int, float)) and value > 0 else None
    return Timeouts(ms("connect_timeout_ms", DEFAULT_CONNECT_MS), ms("request_timeout_ms"),
                    ms("time_to_first_token_timeout_ms"),
                    ms("idle_timeout_ms", DEFAULT_IDLE_MS))


def _secrets(options: ClientOptions, env_names: Mapping[str, str]) -> dict[str, str]:
    secrets: dict[str, str] = {}
    key = options.api_key
    if key and not key.startswith("$"):
        secrets[key] = env_names.get(key, "VERTEX_API_KEY")
    for name in ("credentials", "credentials_content"):
        value = options.resolved.get(name)
        if isinstance(value, str) and value.lstrip().startswith(("{", '"')):
            secrets[value] = env_names.get(value, "GOOGLE_APPLICATION_CREDENTIALS_CONTENT")
    return secrets
