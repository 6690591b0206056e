"""One prepared call and what is said about it: the request, the adapter, where it goes, and
the checks and errors that need to know all of that."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from ..errors import (
    BlockedError,
    ConfigError,
    FinishReasonError,
    InvalidArgumentError,
    VdslError,
    VertexError,
)
from ..ir import FunctionDecl, Primitive
from ..project import Project
from ..providers import Adapter
from ..providers.base import Completion, HttpRequest
from ..providers.options import ClientOptions
from ..render import RenderedPrompt
from .attempts import parse_retry_after
from .auth_bridge import AuthStrategy
from .failures import CallSite, http_error


class NeedsThread(Exception):
    """Raised while preparing an async call when blocking work (a media download, resolving
    credentials, counting tokens) must move to a worker thread."""


@dataclass
class Call:
    fn: FunctionDecl
    options: ClientOptions
    adapter: Adapter
    request: HttpRequest
    site: CallSite
    auth: AuthStrategy | None
    stream: bool
    project: Project | None = None
    """The project this call sees (with its TypeBuilder and ClientRegistry additions)."""
    prompt: RenderedPrompt | None = None
    record: bool = False
    """Keep what is received for collectors and tracing (a stream's events)."""
    sent: bool = False
    response: httpx.Response | None = None
    events: list[str] | None = None
    completion: Completion | None = None

    @property
    def url(self) -> str:
        """Where the request goes, secrets and all (`request.url` is for showing)."""
        return self.request.sendable()[0]

    def headers(self) -> dict[str, str]:
        """The headers as sent (`request.headers` is for showing); a copy."""
        return self.request.sendable()[1]

    def hide_token(self, headers: Mapping[str, str]) -> None:
        """Keep the bearer token in `headers` out of anything that shows the request."""
        for value, name in token_secrets(headers).items():
            self.request.add_secret(value, name)


def http_failure(response: httpx.Response, call: Call) -> VdslError:
    error = http_error(response.status_code, response.content,
                       response.headers.get("content-type", ""), call.adapter, call.site)
    error.retry_after = parse_retry_after(response.headers.get("retry-after"))  # type: ignore[attr-defined]
    return error


def check_finish(call: Call, completion: Completion) -> None:
    reason = (completion.finish_reason or "").lower()
    if not reason:
        return  # a missing reason always passes (BAML)
    allow, deny = call.options.finish_reason_allow, call.options.finish_reason_deny
    if (allow is not None and reason not in allow) or (deny is not None and reason in deny):
        raise FinishReasonError(completion.finish_reason, completion.text, call.site.client)


def returns_string(fn: FunctionDecl) -> bool:
    returns = fn.return_type
    return returns is None or (isinstance(returns, Primitive) and returns.name == "string")


def at_site(error: VertexError, call: Call) -> VertexError:
    """An adapter's error, told where the call went."""
    located = VertexError(error.status, error.vertex_status, error.message, hint=error.hint,
                          **call.site.where())
    located.retry_after = getattr(error, "retry_after", None)  # type: ignore[attr-defined]
    return located


def located(error: BlockedError, call: Call) -> BlockedError:
    return BlockedError(error.reason, f"client `{call.site.client}`: {error.message}",
                        **call.site.where())


def token_secrets(headers: Mapping[str, str]) -> dict[str, str]:
    token = headers.get("authorization", "")
    return {token.split(" ", 1)[-1]: "ACCESS_TOKEN"} if token else {}


_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z")


def check_headers(configured: Mapping[str, str], passed: Mapping[str, str],
                  client: str) -> None:
    """Header names must be HTTP tokens and values free of line breaks and NUL, on both the
    sync and the async path (neither may send a forged header line). The value is never
    quoted: it may be a secret."""
    for source, headers in (("configured", configured), ("passed", passed)):
        for name, value in headers.items():
            problem = None if _TOKEN.match(name) else "is not a valid HTTP header name"
            if problem is None and any(c in value for c in "\r\n\0"):
                problem = "has a value with a line break or NUL"
            if problem is None:
                continue
            if source == "configured":
                raise ConfigError(f"client `{client}`: header {name!r} {problem}")
            raise InvalidArgumentError(f"header {name!r} {problem}")


PREVIEW_TOKEN = "Bearer <access token>"


def outgoing_request(options: ClientOptions, extra: Mapping[str, str],
                     headers: Mapping[str, str] | None, url: str, body: dict[str, Any],
                     preview: bool) -> HttpRequest:
    """The request: the client's headers, the family's, the caller's; the API key (in the
    `x-goog-api-key` header) or a bearer token placeholder; values from `env.` hidden."""
    request_headers = {**options.headers, **extra,
                       **{k.lower(): v for k, v in (headers or {}).items()},
                       "content-type": "application/json"}
    hidden = dict(options.env_headers)
    key = options.api_key
    if key:
        request_headers["x-goog-api-key"] = key
        hidden["x-goog-api-key"] = options.secrets.get(key) or options.env_params.get(
            "key", "VERTEX_API_KEY")
    else:
        request_headers["authorization"] = PREVIEW_TOKEN if preview else ""
    return HttpRequest("POST", url, request_headers, body, options.secrets,
                       hidden_headers=hidden, hidden_params=options.env_params)
