"""`Runtime` methods for Vertex platform features beside calls: context caches and token
counts. Each is a thin door to its own module (`vdsl.caching`, `vdsl.tokens`), which imports
only when used."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..caching.model import CachedContent
    from ..tokens.count import TokenCount
    from .runtime import Runtime

__all__ = ["PlatformMethods"]


class PlatformMethods:
    """Context caches (`create_cache`, `list_caches`, `get_cache`, `update_cache`,
    `delete_cache`) and `count_tokens`, each with an `a…` twin for asyncio. `client` picks
    the client whose project, location and credentials are used (default: the function's
    client, or for a cache name the first client with caching); `env` works as for calls."""

    def create_cache(self, function: str, args: Mapping[str, Any] | None = None, *,
                     client: str | None = None, ttl: str | int | None = None,
                     expire_time: str | None = None,
                     env: Mapping[str, str] | None = None) -> CachedContent:
        """Cache the leading part of `function`'s prompt (see `vdsl.providers.cached`) for
        `ttl` (`90m`, `2h`, seconds; default one hour) or until `expire_time` (RFC 3339)."""
        from ..caching.client import create_cache
        return create_cache(self._rt(), function, args or {}, client=client, ttl=ttl,
                            expire_time=expire_time, env=env)

    def list_caches(self, *, client: str | None = None,
                    env: Mapping[str, str] | None = None) -> list[CachedContent]:
        from ..caching.client import list_caches
        return list_caches(self._rt(), client=client, env=env)

    def get_cache(self, name: str, *, client: str | None = None,
                  env: Mapping[str, str] | None = None) -> CachedContent:
        from ..caching.client import get_cache
        return get_cache(self._rt(), name, client=client, env=env)

    def update_cache(self, name: str, *, ttl: str | int | None = None,
                     expire_time: str | None = None, client: str | None = None,
                     env: Mapping[str, str] | None = None) -> CachedContent:
        from ..caching.client import update_cache
        return update_cache(self._rt(), name, ttl=ttl, expire_time=expire_time,
                            client=client, env=env)

    def delete_cache(self, name: str, *, client: str | None = None,
                     env: Mapping[str, str] | None = None) -> str:
        from ..caching.client import delete_cache
        return delete_cache(self._rt(), name, client=client, env=env)

    def count_tokens(self, function: str, args: Mapping[str, Any] | None = None, *,
                     client: str | None = None,
                     env: Mapping[str, str] | None = None) -> TokenCount:
        """The input tokens of `function`'s prompt: Vertex's count where the family has an
        endpoint (Gemini, Claude), else vdsl's local estimate (`TokenCount.method` says)."""
        from ..tokens.count import count_tokens
        return count_tokens(self._rt(), function, args or {}, client=client, env=env)

    # ---- async: the same work in a worker thread, so the event loop never blocks ----------

    async def acreate_cache(self, function: str, args: Mapping[str, Any] | None = None, *,
                            client: str | None = None, ttl: str | int | None = None,
                            expire_time: str | None = None,
                            env: Mapping[str, str] | None = None) -> CachedContent:
        return await asyncio.to_thread(self.create_cache, function, args, client=client,
                                       ttl=ttl, expire_time=expire_time, env=env)

    async def alist_caches(self, *, client: str | None = None,
                           env: Mapping[str, str] | None = None) -> list[CachedContent]:
        return await asyncio.to_thread(self.list_caches, client=client, env=env)

    async def aget_cache(self, name: str, *, client: str | None = None,
                         env: Mapping[str, str] | None = None) -> CachedContent:
        return await asyncio.to_thread(self.get_cache, name, client=client, env=env)

    async def aupdate_cache(self, name: str, *, ttl: str | int | None = None,
                            expire_time: str | None = None, client: str | None = None,
                            env: Mapping[str, str] | None = None) -> CachedContent:
        return await asyncio.to_thread(self.update_cache, name, ttl=ttl,
                                       expire_time=expire_time, client=client, env=env)

    async def adelete_cache(self, name: str, *, client: str | None = None,
                            env: Mapping[str, str] | None = None) -> str:
        return await asyncio.to_thread(self.delete_cache, name, client=client, env=env)

    async def acount_tokens(self, function: str, args: Mapping[str, Any] | None = None, *,
                            client: str | None = None,
                            env: Mapping[str, str] | None = None) -> TokenCount:
        return await asyncio.to_thread(self.count_tokens, function, args, client=client,
                                       env=env)

    def _rt(self) -> Runtime:
        return self  # type: ignore[return-value]
