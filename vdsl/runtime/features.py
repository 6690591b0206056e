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
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, MissingEnvError
from ..ir import FunctionDecl
from ..providers import Adapter
from ..providers.cached import cache_name, fingerprint
from ..providers.catalog import lookup
from ..providers.options import ClientOptions
from ..render import RenderedPrompt
from .calls import NeedsThread
from .platform import Target, send_json

if TYPE_CHECKING:
    from ..caching.model import CachedContent
    from .runtime import Runtime

__all__ = ["check_cache", "shape_options"]

log = logging.getLogger("vdsl.runtime")


def shape_options(rt: Runtime, fn: FunctionDecl, options: ClientOptions, adapter: Adapter,
                  project: str | None, *, preview: bool) -> None:
    cache = options.cached_content
    if cache and cache.startswith("$") and not preview:  # an unset env.VAR
        raise MissingEnvError(cache[1:], options.client, "options.cached_content")
    if cache and not cache.startswith("$"):
        options.cached_content = cache_name(cache, project, options.location)
    if options.structured_output and adapter.family == "gemini":
        options.output_schema = _schema(rt, fn)


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
