"""Per-call facts the platform options need before a body is built, and the context-cache
check before it is sent.

`shape_options` completes a client's options for one function: the full name of its
`cached_content`, and the response schema `structured_output` sends (derived once per
function). `check_cache` makes sure the cache a call names holds what this prompt would put
there (vdsl-made caches carry a fingerprint of it), serves this model and has not expired —
so a call is never answered from stale or foreign context.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, MissingEnvError
from ..ir import FunctionDecl
from ..providers.cached import cache_name, fingerprint
from ..providers.catalog import lookup
from ..render import RenderedPrompt
from .calls import NeedsThread
from .platform import Target, send_json

if TYPE_CHECKING:
    from ..caching.model import CachedContent
    from .runtime import Runtime

__all__ = ["AUTO", "check_cache", "shape_options"]

AUTO = "auto"
"""`cached_content auto`: use the cache vdsl made for this prompt, if there is one."""
AUTO_RECHECK = 60.0

log = logging.getLogger("vdsl.runtime")


def shape_options(rt: Runtime, fn: FunctionDecl, where: Target, prompt: RenderedPrompt, *,
                  preview: bool, blocking: bool) -> None:
    options = where.options
    cache = options.cached_content
    if cache == AUTO:
        options.cached_content = None if preview else _auto_cache(rt, where, prompt, blocking)
    elif cache and cache.startswith("$") and not preview:  # an unset env.VAR
        raise MissingEnvError(cache[1:], options.client, "options.cached_content")
    elif cache and not cache.startswith("$"):
        options.cached_content = cache_name(cache, where.project, options.location)
    if options.structured_output and where.adapter.family == "gemini":
        options.output_schema = _schema(rt, fn)


def _auto_cache(rt: Runtime, where: Target, prompt: RenderedPrompt,
                blocking: bool) -> str | None:
    """`cached_content auto`: the newest live cache vdsl made for exactly this leading part,
    in the client's project and location; None (an uncached call) when there is none.
    A miss is asked again after AUTO_RECHECK seconds (another process may make one)."""
    from ..caching.client import caches_at
    cache_fields = getattr(where.adapter, "cache_fields", None)
    if cache_fields is None:
        return None
    digest = fingerprint(cache_fields(prompt, where.options))
    key = ("auto-cache", where.parent(), where.options.model, digest)
    found = rt._memo.get(key)
    if found is not None and (found[0] is not None or time.monotonic() - found[1] < AUTO_RECHECK):
        return found[0]  # type: ignore[no-any-return]
    if not blocking:
        raise NeedsThread("find the context cache")
    now = datetime.now(UTC)
    model = lookup(where.options.model)
    live = [c for c in caches_at(rt, where) if c.fingerprint == digest
            and (c.expires() or now) > now
            and c.model.rsplit("/", 1)[-1] == (model.id if model else where.options.model)]
    best = max(live, key=lambda c: c.expire_time, default=None)
    if best is not None:
        rt._memo[("cache", best.name)] = best
    else:
        log.info("client %s: no context cache holds this prompt's leading part; calling "
                 "without one", where.client)
    rt._memo[key] = (best.name if best else None, time.monotonic())
    return best.name if best else None


def _schema(rt: Runtime, fn: FunctionDecl) -> dict[str, Any] | None:
    key = ("schema", fn.name)
    if key not in rt._memo:
        from ..render.json_schema import UnsupportedSchema, json_schema
        try:
            rt._memo[key] = json_schema(rt.project, fn)
        except UnsupportedSchema as why:
            log.debug("%s: structured_output skipped: %s", fn.name, why)
            rt._memo[key] = None
    return rt._memo[key]  # type: ignore[no-any-return]


def check_cache(rt: Runtime, where: Target, prompt: RenderedPrompt, *, blocking: bool) -> None:
    """Raise `ConfigError` when the named cache cannot serve this prompt (module docstring)."""
    name = where.options.cached_content
    cache_fields = getattr(where.adapter, "cache_fields", None)
    if not name or cache_fields is None:
        return
    cache = _cache(rt, where, name, blocking)
    expires = cache.expires()
    if expires is not None and expires <= datetime.now(UTC):
        raise ConfigError(f"client `{where.client}`: context cache {name} expired at "
                          f"{cache.expire_time}; make a new one (`vdsl cache create`)")
    model = lookup(where.options.model)
    wanted = model.id if model else where.options.model
    if cache.model.rsplit("/", 1)[-1] != wanted:
        raise ConfigError(f"client `{where.client}` calls `{wanted}` but context cache {name} "
                          f"serves `{cache.model.rsplit('/', 1)[-1]}`")
    if cache.fingerprint is None:
        raise ConfigError(f"client `{where.client}`: context cache {name} was not made by vdsl "
                          "(`vdsl cache create`), so vdsl cannot tell which part of the "
                          "prompt it holds; make the cache with vdsl")
    if cache.fingerprint != fingerprint(cache_fields(prompt, where.options)):
        raise ConfigError(f"client `{where.client}`: context cache {name} was made from a "
                          f"different leading part than this prompt has "
                          f"(made for `{cache.function}`); the arguments or template before "
                          "the cache boundary changed: make a new cache")


def _cache(rt: Runtime, where: Target, name: str, blocking: bool) -> CachedContent:
    from ..caching.model import CachedContent
    key = ("cache", name)
    found = rt._memo.get(key)
    if isinstance(found, CachedContent):
        return found
    if not blocking:
        raise NeedsThread("read the context cache")
    cache = CachedContent.from_json(send_json(rt, where, "GET", where.url(name)))
    rt._memo[key] = cache
    return cache
