"""Managing Gemini context caches (`cachedContents`) through a runtime's clients.

    POST   v1/projects/P/locations/L/cachedContents            create
    GET    v1/projects/P/locations/L/cachedContents[?pageToken] list
    GET    v1/projects/P/locations/L/cachedContents/ID         get
    PATCH  v1/…/cachedContents/ID?updateMask=ttl|expireTime    update the expiry
    DELETE v1/…/cachedContents/ID                              delete

A cache lives in one project and location and serves one model: the client decides all three
(and the credentials). Everything checkable is checked before anything is sent: the model
has caching, the expiry is in range, and the cached part holds the model's minimum of tokens.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..providers.cached import cache_name, display_name, fingerprint, split_prompt
from ..providers.catalog import lookup
from ..render import ChatMessage, RenderedPrompt
from ..render.prompt import find_function
from .model import CachedContent, expiry_fields

if TYPE_CHECKING:
    from ..runtime.platform import Target
    from ..runtime.runtime import Runtime

__all__ = ["caches_at", "create_cache", "delete_cache", "get_cache", "list_caches",
           "update_cache"]

MAX_PAGES = 100
"""List pages followed at most (a page holds up to 1,000 caches)."""


def create_cache(rt: Runtime, function: str, args: Mapping[str, Any], *,
                 client: str | None = None, ttl: str | int | None = None,
                 expire_time: str | None = None, env: Mapping[str, str] | None = None
                 ) -> CachedContent:
    """Cache the leading part of `function`'s prompt for these arguments; returns the cache
    (its `name` is what a client's `cached_content` option takes)."""
    from ..runtime.platform import render_for, send_json
    fn = find_function(rt.project, function)
    where = _caching_target(rt, client or fn.client or "", env)
    expiry = expiry_fields(ttl, expire_time)
    prompt = render_for(rt, where, fn.name, args)
    fields = where.adapter.cache_fields(prompt, where.options)  # type: ignore[attr-defined]
    _check_minimum(rt, where, prompt)
    body = {"model": f"{where.parent()}/{where.adapter.resource(where.options.model)}",
            "displayName": display_name(fingerprint(fields), fn.name), **fields, **expiry}
    data = send_json(rt, where, "POST", where.url(f"{where.parent()}/cachedContents"), body)
    return CachedContent.from_json(data)


def list_caches(rt: Runtime, *, client: str | None = None,
                env: Mapping[str, str] | None = None) -> list[CachedContent]:
    """Every unexpired cache in the client's project and location."""
    where = _caching_target(rt, client or _default_client(rt), env, check_model=False)
    return caches_at(rt, where)


def caches_at(rt: Runtime, where: Target) -> list[CachedContent]:
    """Every unexpired cache where `where` keeps them (pages followed)."""
    from ..runtime.platform import send_json
    found: list[CachedContent] = []
    token = ""
    for _ in range(MAX_PAGES):
        query = {"pageToken": token} if token else {}
        data = send_json(rt, where, "GET", where.url(f"{where.parent()}/cachedContents",
                                                     query)) or {}
        found.extend(CachedContent.from_json(c) for c in data.get("cachedContents") or [])
        token = data.get("nextPageToken") or ""
        if not isinstance(token, str) or not token:
            break
    return found


def get_cache(rt: Runtime, name: str, *, client: str | None = None,
              env: Mapping[str, str] | None = None) -> CachedContent:
    from ..runtime.platform import send_json
    where = _caching_target(rt, client or _default_client(rt), env, check_model=False)
    full = cache_name(name, where.project, where.location)
    return CachedContent.from_json(send_json(rt, where, "GET", where.url(full)))


def update_cache(rt: Runtime, name: str, *, ttl: str | int | None = None,
                 expire_time: str | None = None, client: str | None = None,
                 env: Mapping[str, str] | None = None) -> CachedContent:
    """Give a cache a new expiry (the only thing Vertex lets change)."""
    from ..runtime.platform import send_json
    expiry = expiry_fields(ttl, expire_time)
    if not expiry:
        raise ConfigError("update needs a ttl or an expire_time")
    where = _caching_target(rt, client or _default_client(rt), env, check_model=False)
    full = cache_name(name, where.project, where.location)
    url = where.url(full, {"updateMask": next(iter(expiry))})
    return CachedContent.from_json(send_json(rt, where, "PATCH", url, expiry))


def delete_cache(rt: Runtime, name: str, *, client: str | None = None,
                 env: Mapping[str, str] | None = None) -> str:
    """Delete a cache; returns its full name."""
    from ..runtime.platform import send_json
    where = _caching_target(rt, client or _default_client(rt), env, check_model=False)
    full = cache_name(name, where.project, where.location)
    send_json(rt, where, "DELETE", where.url(full))
    return full


def _caching_target(rt: Runtime, client: str, env: Mapping[str, str] | None, *,
                    check_model: bool = True) -> Target:
    from ..runtime.platform import target
    where = target(rt, client, env)
    if where.adapter.family != "gemini":
        raise ConfigError(f"client `{where.client}` calls `{where.options.model}`, a "
                          f"{where.adapter.family} model: Vertex context caches "
                          "(cachedContents) serve Gemini models; Claude caches through "
                          "`cache_control` role metadata instead")
    info = lookup(where.options.model)
    if check_model and info is not None and not info.caching:
        raise ConfigError(f"client `{where.client}`: `{info.id}` has no context caching on "
                          "Vertex")
    return where


def _default_client(rt: Runtime) -> str:
    """The first client whose model has context caching (for list/get/update/delete)."""
    for decl in rt.project.program.clients:
        model = decl.options.get("model") if decl.options is not None else None
        info = lookup(getattr(model, "value", "") or "")
        if decl.provider == "vertex-ai" and info is not None and info.caching:
            return decl.name
    raise ConfigError("no client in the project calls a model with context caching; name "
                      "one with --client (its project, location and credentials are used)")


def _check_minimum(rt: Runtime, where: Target, prompt: RenderedPrompt) -> None:
    """Count the part to cache first: Vertex refuses caches under the model's minimum."""
    from ..runtime.counting import ENDPOINT, count_prompt
    info = lookup(where.options.model)
    if info is None or not info.cache_min_tokens:
        return
    head, _ = split_prompt(prompt)
    # countTokens wants contents: the system instruction is counted as a user turn
    as_user = RenderedPrompt(tuple(m if i != head.system_index else ChatMessage(
        "user", m.parts, m.allow_duplicate_role) for i, m in enumerate(head.messages)), None)
    tokens, method = count_prompt(rt, where, as_user)
    if tokens < info.cache_min_tokens:
        how = "counted by Vertex" if method == ENDPOINT else "estimated"
        raise ConfigError(f"the part of the prompt to cache has {tokens} tokens ({how}); "
                          f"`{info.id}` caches at least {info.cache_min_tokens}: put more "
                          "static content (documents, instructions) before the cache "
                          "boundary, or call without a cache")
