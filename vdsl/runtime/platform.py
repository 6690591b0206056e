"""Vertex calls that are not `generateContent`: resources (cached contents) and token counts.

They reuse a leaf client's host, project, location and credentials, and share the runtime's
pool, its in-flight cap, the endpoint policy and the error hints; only the method and the
path differ. `Target` is one client resolved for such calls; `send_json` sends one request.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from ..errors import ConfigError, StreamError
from ..policy.enforce import check_request
from ..providers import Adapter, adapter_for
from ..providers.endpoints import API_VERSION, ENDPOINT_ENV, append_query, host_for, redirect
from ..providers.options import ClientOptions, resolve_options
from ..render import RenderedPrompt, render_prompt
from ..render.clients import resolve_client
from .auth_bridge import AuthStrategy
from .failures import CallSite, http_error, transport_error
from .media import resolve_media
from .transport import cap, httpx_timeout

if TYPE_CHECKING:
    from .runtime import Runtime

__all__ = ["Target", "render_for", "send_json", "target"]

log = logging.getLogger("vdsl.runtime")


@dataclass
class Target:
    """One leaf `vertex-ai` client, resolved for resource and count calls."""

    options: ClientOptions
    adapter: Adapter
    project: str | None
    auth: AuthStrategy | None
    override: str | None
    env: Mapping[str, str]
    express: bool = False
    """An API key and no project: Gemini's express mode (counts work, resources do not)."""

    @property
    def client(self) -> str:
        return self.options.client

    @property
    def location(self) -> str:
        if not self.options.location:
            raise ConfigError(f"client `{self.client}` has no `location`: cached contents and "
                              "token counts need one (e.g. `location us-central1`)")
        return self.options.location

    def parent(self) -> str:
        """`projects/{p}/locations/{l}`: where the client's resources live."""
        if not self.project:
            raise ConfigError(f"client `{self.client}`: no Google Cloud project (set "
                              "options.project_id or GOOGLE_CLOUD_PROJECT); express mode (an "
                              "API key alone) has no resources")
        return f"projects/{self.project}/locations/{self.location}"

    def url(self, path: str, query: Mapping[str, str] | None = None) -> str:
        """The URL of `path` (`projects/…/cachedContents/…`) on the client's host."""
        named = re.match(r"projects/[^/]+/locations/([^/]+)", path)
        url = f"https://{host_for(named.group(1) if named else self.location)}/{API_VERSION}/{path}"
        params = {k: v for k, v in self.options.query_params.items() if k != "key"}
        url = append_query(url, {**params, **(query or {})})  # the API key goes in a header
        return redirect(url, self.override) if self.override else url

    def site(self, url: str) -> CallSite:
        return CallSite(self.client, self.options.model, self.options.location or "",
                        _without_key(url, self.options), self.auth.description if self.auth
                        else "")


def target(rt: Runtime, client: str, env: Mapping[str, str] | None = None) -> Target:
    """The leaf client `client` (strategies followed to their first member, as rendering does),
    with its credentials and project resolved (this may read files or the metadata server)."""
    info = resolve_client(rt.project, client)
    if info.provider != "vertex-ai":
        raise ConfigError(f"client `{info.name}`: provider `{info.provider}` is not a Vertex "
                          "AI client")
    environ = rt._environment(env)
    options = resolve_options(info.name, info.options, environ)
    if options.base_url:
        raise ConfigError(f"client `{info.name}` uses base_url: cached contents and token "
                          "counts need `location` (and a project) to build their URLs")
    adapter = adapter_for(options.model, options.resolved.get("publisher"))
    override = rt._endpoint or environ.get(ENDPOINT_ENV) or None
    auth = rt._auth or rt._strategy(options, environ, override, blocking=True)
    express = bool(options.api_key) and adapter.SUPPORTS_API_KEY and not (
        options.project_id or environ.get("GOOGLE_CLOUD_PROJECT"))
    project = None if express else rt._project(options, environ, auth, override, False)
    return Target(options, adapter, project, auth, override, environ, express)


def render_for(rt: Runtime, where: Target, function: str,
               args: Mapping[str, Any]) -> RenderedPrompt:
    """`function`'s prompt as a call to `where` renders it, media resolved (URLs fetched
    where the family needs them inline)."""
    prompt = render_prompt(rt.project, function, args, client=where.client,
                           base_dir=rt._base_dir, default_remap=where.adapter.DEFAULT_REMAP)
    return resolve_media(prompt, where.adapter.media_options(where.options), rt._media.fetch)


def send_json(rt: Runtime, where: Target, method: str, url: str,
              body: Mapping[str, Any] | None = None) -> Any:
    """Send one JSON request for `where` and return the reply's JSON (None for an empty body).

    Checked against the endpoint policy first; a 401 refreshes the token once; errors carry
    the same hints as calls."""
    check_request(rt.policy, url, body, where.client)
    site = where.site(url)
    content = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    timeout = cap(httpx_timeout(where.options.timeouts, stream=False), None)
    for attempt in (1, 2):
        headers = {**where.options.headers, "content-type": "application/json"}
        if where.options.api_key:
            headers["x-goog-api-key"] = where.options.api_key
        if where.auth is not None:
            headers.update(where.auth.headers())
        log.debug("%s %s (client %s)", method, site.url, site.client)
        try:
            with rt._gate.sync():
                response = rt._pool.sync().request(method, url, headers=headers,
                                                   content=content, timeout=timeout)
        except httpx.HTTPError as error:
            raise transport_error(error, site, "request_timeout_ms") from None
        if response.status_code == 401 and attempt == 1 and where.auth is not None:
            where.auth.invalidate(headers)
            continue
        if response.status_code >= 400:
            raise http_error(response.status_code, response.content,
                             response.headers.get("content-type", ""), where.adapter, site)
        return _json(response, site)
    raise AssertionError("unreachable")


def _json(response: httpx.Response, site: CallSite) -> Any:
    if not response.content.strip():
        return None
    try:
        return response.json()
    except ValueError:
        raise StreamError(f"client `{site.client}`: Vertex sent a reply that is not JSON",
                          partial_text=response.text[:200], **site.where()) from None


def _without_key(url: str, options: ClientOptions) -> str:
    for secret in options.secrets:
        url = url.replace(secret, "<redacted>")
    return url
