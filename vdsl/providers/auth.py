"""Vertex AI credentials: which ones a client uses, and fresh bearer headers from them.

`resolve_auth(options, env, client_name=…)` walks BAML's order (docs/auth.md) and returns
the first usable `AuthStrategy`:

1. `options.query_params.key`        an API key: no bearer token at all
2. `options.credentials`             JSON string, file path, or map
3. `options.credentials_content`     JSON string
4. env `GOOGLE_APPLICATION_CREDENTIALS`          JSON or file path
5. env `GOOGLE_APPLICATION_CREDENTIALS_CONTENT`  JSON
6. the ADC file (`gcloud auth application-default login`)
7. the metadata server (GCE, GKE, Cloud Run)
8. `gcloud auth print-access-token`

A source that is set but broken (unreadable file, bad JSON, malformed key) fails at once with
an `AuthError` naming the setting, rather than silently falling through to a different
identity. Nothing found → an `AuthError` listing each step tried and what it found.

Tokens are cached per credential, reused until shortly before they expire, and refreshed by
one caller at a time (single-flight, across threads and asyncio tasks alike). Strategies are
cached process-wide by credential source (content digest, file path + mtime, metadata host),
so a process holds one credential object and one token per source.

Secrets (keys, tokens, private keys, credential documents) never reach a message, a repr or
the `vdsl.auth` log.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from google.auth import exceptions as google_exceptions

from ..errors import AuthError
from . import auth_ambient
from .auth_sources import (
    CredentialsProblem,
    Loaded,
    content_key,
    file_key,
    is_absent,
    load_info,
    parse_value,
    read_json_file,
)
from .auth_tokens import TokenSource, describe_failure

__all__ = [
    "ApiKeyAuth",
    "AuthStrategy",
    "CredentialsAuth",
    "aresolve_auth",
    "clear_cache",
    "resolve_auth",
]

logger = logging.getLogger("vdsl.auth")

_FIX = ("Fix: run `gcloud auth application-default login`, point "
        "GOOGLE_APPLICATION_CREDENTIALS at a service-account key file, set the client's "
        "`credentials` option, or use an API key in `query_params.key` (Gemini only).")

_HINTS = {
    "service-account": "check that the key still exists and is enabled, and that the clock "
                       "is right",
    "authorized-user": "run `gcloud auth application-default login` again",
    "external-account": "check the workload identity pool and the subject token source",
    "external-account-authorized-user": "sign in again with `gcloud auth login --cred-file`",
    "impersonated": "check that the source identity may impersonate the target "
                    "(roles/iam.serviceAccountTokenCreator)",
    "metadata-server": "check the service account attached to this VM/service and its scopes",
    "gcloud": "run `gcloud auth login`",
}


class AuthStrategy(ABC):
    """How one client authenticates: a kind, a safe description, and request headers."""

    kind: str
    description: str
    project_id: str | None
    setting: str
    """The option or variable the credentials came from (what to fix when they fail)."""

    @abstractmethod
    def headers(self) -> dict[str, str]:
        """Headers for one request; refreshes the token first if needed (blocking)."""

    @abstractmethod
    async def aheaders(self) -> dict[str, str]:
        """`headers()` without blocking the event loop."""

    def invalidate(self, headers: Mapping[str, str] | None = None) -> None:
        """After a 401: drop the cached token so the next call fetches a new one."""

    def unauthorized_hint(self) -> str:
        """Text for a 401: which credentials were rejected, and what to check."""
        hint = _HINTS.get(self.kind, "check the credentials")
        return (f"Vertex AI rejected the credentials (auth strategy {self.kind}: "
                f"{self.description}); {hint}.")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} kind={self.kind!r} description={self.description!r}>"


class ApiKeyAuth(AuthStrategy):
    """Express-mode API key from `query_params.key`: the runtime sends it in the
    `x-goog-api-key` header (not in the URL, which HTTP libraries log); no token is needed."""

    kind = "api-key"
    setting = "options.query_params.key"

    def __init__(self, key: str) -> None:
        self._key = key
        self.description = "API key from options.query_params.key"
        self.project_id = None

    @property
    def key(self) -> str:
        return self._key

    def headers(self) -> dict[str, str]:
        return {}

    async def aheaders(self) -> dict[str, str]:
        return {}

    def unauthorized_hint(self) -> str:
        return ("Vertex AI rejected the API key from options.query_params.key; API keys work "
                "only for Gemini models (express mode), and the key must be enabled for the "
                "Vertex AI API.")


class CredentialsAuth(AuthStrategy):
    """Bearer tokens from google-auth credentials, shared through a `TokenSource`."""

    def __init__(self, source: TokenSource, *, description: str, setting: str,
                 project_id: str | None = None) -> None:
        self._source = source
        self.kind = source.kind
        self.description = description
        self.setting = setting
        self.project_id = project_id

    def headers(self) -> dict[str, str]:
        token = self._source.cached()
        if token is None:
            try:
                token = self._source.get()
            except Exception as exc:  # noqa: BLE001 - google-auth, transport, gcloud: one story
                raise self._failure(exc) from None
        return self._render(token.value)

    async def aheaders(self) -> dict[str, str]:
        token = self._source.cached()
        if token is None:
            try:
                token = await self._source.aget()
            except Exception as exc:  # noqa: BLE001 - as in headers()
                raise self._failure(exc) from None
        return self._render(token.value)

    def invalidate(self, headers: Mapping[str, str] | None = None) -> None:
        """Drop the cached token. Given the headers a failed request carried, drop it only
        if it is still that token: N requests failing together cause one refresh, not N."""
        used = None
        if headers is not None:
            value = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
            used = value.removeprefix("Bearer ").strip() or None
        self._source.invalidate(used)

    def _render(self, token: str) -> dict[str, str]:
        out = {"authorization": f"Bearer {token}"}
        if self._source.quota_project_id:
            out["x-goog-user-project"] = self._source.quota_project_id
        return out

    def _failure(self, exc: Exception) -> AuthError:
        hint = _network_hint(exc) or _HINTS.get(self.kind, "check the credentials")
        what = ("could not refresh the expired access token" if self._source.had_token
                else "could not get an access token")
        return AuthError(f"{what} from {self.description}: "
                         f"{describe_failure(exc)}. To fix: {hint} (set by {self.setting}).",
                         tried=[f"{self.setting}: {self.description}"], setting=self.setting)


def _network_hint(exc: BaseException) -> str | None:
    """A token endpoint that could not be reached is a network problem (DNS, proxy, an
    offline machine), whatever the credential type: the key and the clock are not to blame."""
    found = exc
    while found is not None and not isinstance(found, httpx.TransportError):
        found = found.__cause__ or found.__context__  # type: ignore[assignment]
    if found is None and not isinstance(exc, google_exceptions.TransportError):
        return None
    text = str(exc).lower()
    if any(word in text for word in _DNS_WORDS):
        return ("the token endpoint's host name did not resolve: check DNS and the network "
                "(behind a proxy, set HTTPS_PROXY)")
    return ("the token endpoint could not be reached: check the network and any proxy "
            "(HTTPS_PROXY), or that the machine is online")


_DNS_WORDS = ("name or service not known", "nodename nor servname", "name resolution",
              "getaddrinfo failed", "no address associated", "nxdomain")


# --- resolution ---------------------------------------------------------------------------

_lock = threading.Lock()
_sources: dict[tuple[Any, ...], TokenSource] = {}
_strategies: dict[tuple[Any, ...], CredentialsAuth] = {}


class _Walk:
    """One resolution: its inputs and the record of what each step found."""

    def __init__(self, options: Mapping[str, Any], env: Mapping[str, str], client: str):
        self.options, self.env, self.client = options, env, client
        self.tried: list[str] = []

    def note(self, step: str, found: str) -> None:
        self.tried.append(f"{step}: {found}")
        logger.debug("client %s: auth %s: %s", self.client, step, found)

    def fail(self, setting: str, problem: str) -> AuthError:
        self.tried.append(f"{setting}: {problem}")
        return AuthError(f"client {self.client}: {setting}: {problem}", tried=self.tried,
                         setting=setting)


def resolve_auth(options: Mapping[str, Any], env: Mapping[str, str], *,
                 client_name: str) -> AuthStrategy:
    """The strategy for a client, by BAML's order; raises `AuthError` (see module doc).

    May read files, probe the metadata server and run gcloud: call it off the event loop
    (`aresolve_auth`). Building a request preview needs no strategy at all.
    """
    walk = _Walk(options, env, client_name)
    key = _api_key(options)
    if key is not None:
        api_key = ApiKeyAuth(key)
        _chosen(walk, api_key)
        return api_key
    walk.note("options.query_params.key", "not set")
    for step in _STEPS:
        strategy = step(walk)
        if strategy is not None:
            _chosen(walk, strategy)
            return strategy
    raise AuthError(f"no Google Cloud credentials found for client {client_name}. Tried, in "
                    "order:\n" + "\n".join(f"  {i}. {t}" for i, t in enumerate(walk.tried, 1))
                    + "\n" + _FIX, tried=walk.tried)


async def aresolve_auth(options: Mapping[str, Any], env: Mapping[str, str], *,
                        client_name: str) -> AuthStrategy:
    """`resolve_auth` in a worker thread (it may do file, network and subprocess I/O)."""
    return await asyncio.to_thread(resolve_auth, options, env, client_name=client_name)


def clear_cache() -> None:
    """Forget every credential, token and metadata probe (tests)."""
    with _lock:
        _sources.clear()
        _strategies.clear()
    auth_ambient.clear_caches()


def _chosen(walk: _Walk, strategy: AuthStrategy) -> None:
    logger.debug("client %s: auth strategy %s: %s", walk.client, strategy.kind,
                 strategy.description)


def _api_key(options: Mapping[str, Any]) -> str | None:
    params = options.get("query_params")
    key = params.get("key") if isinstance(params, Mapping) else None
    return None if is_absent(key) else str(key)


def _step_option(name: str, *, json_only: bool = False) -> Callable[[_Walk], AuthStrategy | None]:
    def step(walk: _Walk) -> AuthStrategy | None:
        return _from_value(walk, f"options.{name}", walk.options.get(name), json_only)
    return step


def _step_env(name: str, *, json_only: bool = False) -> Callable[[_Walk], AuthStrategy | None]:
    def step(walk: _Walk) -> AuthStrategy | None:
        return _from_value(walk, f"env {name}", walk.env.get(name), json_only)
    return step


def _from_value(walk: _Walk, setting: str, value: Any, json_only: bool) -> AuthStrategy | None:
    if is_absent(value):
        walk.note(setting, "not set")
        return None
    try:
        parsed = parse_value(value, json_only=json_only)
        if not isinstance(parsed, dict):
            return _strategy(("file", *file_key(parsed)), f"{setting} (file {parsed})",
                             setting, lambda: load_info(read_json_file(parsed)))
        where = f"{setting} (JSON)" if not isinstance(value, Mapping) else f"{setting} (map)"
        return _strategy(("json", content_key(parsed)), where, setting,
                         lambda: load_info(parsed))
    except CredentialsProblem as problem:
        raise walk.fail(setting, str(problem)) from None


def _adc_file(walk: _Walk) -> AuthStrategy | None:
    path = auth_ambient.adc_path(walk.env)
    setting = f"ADC file {path}"
    if not path.exists():
        walk.note(setting, "not found")
        return None
    try:
        return _strategy(("file", *file_key(path)), setting, setting,
                         lambda: load_info(read_json_file(path)))
    except CredentialsProblem as problem:
        raise walk.fail(setting, str(problem)) from None


def _metadata(walk: _Walk) -> AuthStrategy | None:
    server = auth_ambient.MetadataServer.from_env(walk.env)
    step = f"metadata server {server.host}"
    key = ("metadata", server.host, server.ping_host)
    with _lock:
        known = _strategies.get((key, ""))
    if known is not None:
        return known
    request = _request()
    why_not = server.unavailable(request)
    if why_not is not None:
        walk.note(step, why_not)
        return None
    email = server.get_optional(request, "instance/service-accounts/default/email")
    project = server.get_optional(request, "project/project-id")
    loaded = Loaded(auth_ambient.MetadataCredentials(server), "metadata-server",
                    f"metadata server {server.host} (service account {email or 'default'})",
                    project)
    return _strategy(key, "", step, lambda: loaded)


def _gcloud(walk: _Walk) -> AuthStrategy | None:
    step = "gcloud auth print-access-token"
    executable = auth_ambient.find_gcloud(walk.env)
    if executable is None:
        walk.note(step, "gcloud is not on PATH")
        return None
    loaded = Loaded(auth_ambient.GcloudCredentials(executable, walk.env), "gcloud",
                    f"gcloud auth print-access-token ({executable})", None)
    strategy = _strategy(("gcloud", executable), "", step, lambda: loaded)
    try:
        strategy.headers()  # the last resort must prove itself, or the error says why
    except AuthError as exc:
        walk.note(step, str(exc).split(": ", 1)[-1])
        with _lock:
            _strategies.pop((("gcloud", executable), ""), None)
            _sources.pop(("gcloud", executable), None)
        return None
    return strategy


def _strategy(key: tuple[Any, ...], where: str, setting: str,
              load: Callable[[], Loaded]) -> CredentialsAuth:
    """The cached strategy for (credential, where it came from), loading on first use."""
    with _lock:
        known = _strategies.get((key, where))
        source = _sources.get(key)
    if known is not None:
        return known
    if source is None:
        source = TokenSource(load())
    with _lock:  # a racing resolver may have stored its source first: use that one
        source = _sources.setdefault(key, source)
        description = source.label + (f" from {where}" if where else "")
        strategy = CredentialsAuth(source, description=description, setting=setting,
                                   project_id=source.project_id)
        return _strategies.setdefault((key, where), strategy)


def _request() -> Any:
    from .google_transport import HttpxRequest
    return HttpxRequest()


_STEPS: tuple[Callable[[_Walk], AuthStrategy | None], ...] = (
    _step_option("credentials"),
    _step_option("credentials_content", json_only=True),
    _step_env("GOOGLE_APPLICATION_CREDENTIALS"),
    _step_env("GOOGLE_APPLICATION_CREDENTIALS_CONTENT", json_only=True),
    _adc_file,
    _metadata,
    _gcloud,
)
