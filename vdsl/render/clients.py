"""Which client a prompt renders for: `ctx.client` and the role options.

A function names a client or a `"vertex-ai/model"` shorthand. Roles belong to the model that
finally receives the prompt, so for `fallback` / `round-robin` clients rendering follows the
strategy to its first leaf (round-robin: the `start` child) — what BAML renders for the
first attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import InvalidArgumentError
from ..ir import ClientDecl, plain
from ..project import Project
from .roles import RoleConfig

__all__ = ["ClientInfo", "client_info", "resolve_client"]

STRATEGY_PROVIDERS = ("fallback", "baml-fallback", "round-robin", "baml-round-robin")


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """The leaf client a prompt is rendered for."""

    name: str
    provider: str
    options: dict[str, Any]
    roles: RoleConfig


def resolve_client(project: Project, ref: str, *, _seen: tuple[str, ...] = ()) -> ClientInfo:
    """The client named `ref` (or a `provider/model` shorthand), strategies followed."""
    decl = project.find(ref)
    if isinstance(decl, ClientDecl):
        options = plain(decl.options) if decl.options else {}
        assert isinstance(options, dict)
        provider = decl.provider or ""
        if provider in STRATEGY_PROVIDERS:
            return _strategy_leaf(project, ref, provider, options, _seen)
        return ClientInfo(ref, provider, options, RoleConfig.from_options(options))
    if "/" in ref:
        provider, model = ref.split("/", 1)
        options = {"model": model}
        return ClientInfo(ref, provider, options, RoleConfig.from_options(options))
    names = sorted(c.name for c in project.program.clients)
    raise InvalidArgumentError(f"unknown client `{ref}`" + (
        f"; clients are: {', '.join(names)}" if names else "; no clients are declared"))


def client_info(project: Project, ref: str) -> ClientInfo:
    """`resolve_client`, worked out once per project and name and kept on the project (as its
    renderer is): every call and every attempt looks its client up. Treat it as read-only."""
    cache: dict[str, ClientInfo] = project.__dict__.setdefault("_vdsl_clients", {})
    info = cache.get(ref)
    if info is None:
        if len(cache) >= 1024:  # `provider/model` shorthands are open-ended
            cache.clear()
        info = cache[ref] = resolve_client(project, ref)
    return info


def _strategy_leaf(project: Project, ref: str, provider: str, options: dict[str, Any],
                   seen: tuple[str, ...]) -> ClientInfo:
    strategy = [s for s in options.get("strategy") or [] if isinstance(s, str)]
    if not strategy or ref in seen:
        raise InvalidArgumentError(f"client `{ref}` has no usable strategy to render for")
    index = 0
    if "round-robin" in provider and isinstance(options.get("start"), int):
        index = options["start"] % len(strategy)
    return resolve_client(project, strategy[index], _seen=seen + (ref,))
