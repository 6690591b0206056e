"""`vdsl check` against the endpoint policy: every `vertex-ai` client's location and publisher.

Errors sit on the client's `location` line (or its `model` line for a publisher), and name the
fallback / round-robin clients that use it, so a chain with one non-compliant member is found
at the member. `vertex-ai/model` shorthands have no location line: they call `global` unless
`GOOGLE_CLOUD_LOCATION` is set, so a policy that refuses `global` warns at the shorthand. A
location read from `env.VAR` is checked by the runtime instead, before any request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..diagnostics import Diagnostics
from ..ir import ArrayValue, ClientDecl, FunctionDecl, MapValue, Program, StringValue
from ..providers.catalog import guess_family, lookup
from ..source import Span
from .config import Policy

__all__ = ["check", "location_from_url", "publisher_of"]

VERTEX = "vertex-ai"
STRATEGIES = ("fallback", "round-robin", "baml-fallback", "baml-round-robin")
_FAMILY_PUBLISHER = {"gemini": "google", "anthropic": "anthropic", "mistral": "mistralai",
                     "mistral_ocr": "mistralai", "ai21": "ai21"}
_HOST = re.compile(r"^(?:https?://)?(?:(?P<loc>[a-z0-9-]+)-aiplatform|aiplatform\.(?P<multi>us|eu)"
                   r"\.rep|(?P<glob>aiplatform))\.googleapis\.com(?:[:/]|$)")


def publisher_of(model: str, option: str | None = None) -> str:
    """The `publishers/{x}` a model is called under: the `publisher` option, the catalog,
    else the id's shape (`meta/…` → meta, `claude-*` → anthropic, …)."""
    if option:
        return option
    info = lookup(model)
    if info is not None:
        return info.publisher
    family = guess_family(model)
    if family == "openai_compat":
        return model.split("/", 1)[0] if "/" in model else "meta"
    return _FAMILY_PUBLISHER.get(family, "google")


def location_from_url(url: str) -> str | None:
    """The location a `base_url` points at (`{loc}-aiplatform…`, `aiplatform.{us,eu}.rep…`,
    the global host), or a `locations/{loc}` path segment; None when it says neither."""
    path = re.search(r"/locations/([^/?#]+)", url)
    if path:
        return path.group(1)
    host = _HOST.match(url.strip().lower())
    if host is None:
        return None
    return host.group("loc") or host.group("multi") or "global"


def check(program: Program, policy: Policy, diags: Diagnostics) -> None:
    users = _strategy_users(program)
    seen: set[str] = set()
    for client in program.clients:
        if client.name in seen:
            continue
        seen.add(client.name)
        if client.provider == VERTEX and isinstance(client.options, MapValue):
            _check_client(client, client.options, policy, users.get(client.name, []), diags)
    for ref, span in _shorthands(program):
        _check_shorthand(ref, span, policy, users.get(ref, []), diags)


def _strategy_users(program: Program) -> dict[str, list[str]]:
    """Member name → the strategy clients that list it (`fallback `Chain``)."""
    users: dict[str, list[str]] = {}
    for client in program.clients:
        if client.provider in STRATEGIES:
            kind = (client.provider or "").removeprefix("baml-")
            for member, _span in _members(client):
                users.setdefault(member, []).append(f"{kind} `{client.name}`")
    return users


def _members(client: ClientDecl) -> list[tuple[str, Span]]:
    strategy = client.options.get("strategy") if isinstance(client.options, MapValue) else None
    if not isinstance(strategy, ArrayValue):
        return []
    return [(v.value, v.span) for v in strategy.items if isinstance(v, StringValue)]


def _shorthands(program: Program) -> Iterable[tuple[str, Span]]:
    for decl in program.decls:
        if isinstance(decl, FunctionDecl):
            entry = decl.entry("client")
            if entry is not None and isinstance(entry.value, StringValue) \
                    and entry.value.value.startswith(VERTEX + "/"):
                yield entry.value.value, entry.value.span
        elif isinstance(decl, ClientDecl) and decl.provider in STRATEGIES:
            yield from ((ref, span) for ref, span in _members(decl)
                        if ref.startswith(VERTEX + "/"))


def _who(name: str, users: list[str]) -> str:
    return f"client `{name}`" + (f" (used by {', '.join(users)})" if users else "")


def _check_client(client: ClientDecl, options: MapValue, policy: Policy, users: list[str],
                  diags: Diagnostics) -> None:
    location = options.get("location")
    base_url = options.get("base_url")
    where: tuple[str, Span] | None = None
    if isinstance(location, StringValue):
        where = (location.value, location.span)
    elif isinstance(base_url, StringValue):
        found = location_from_url(base_url.value)
        where = (found, base_url.span) if found else None
    if where is not None:
        problem = policy.location_problem(where[0])
        if problem:
            code = "policy-global-endpoint" if where[0] == "global" and policy.forbid_global \
                else "policy-location"
            diags.error(code, f"{_who(client.name, users)} calls location `{where[0]}`: "
                        f"{problem}", where[1], help=_location_help(policy))
    model = options.get("model")
    publisher = options.get("publisher")
    if isinstance(model, StringValue) and model.value:
        chosen = publisher_of(model.value, publisher.value
                              if isinstance(publisher, StringValue) else None)
        problem = policy.publisher_problem(chosen)
        if problem:
            diags.error("policy-publisher", f"{_who(client.name, users)} calls `{model.value}`: "
                        f"{problem}", model.span, help="pick a model of an allowed publisher")


def _check_shorthand(ref: str, span: Span, policy: Policy, users: list[str],
                     diags: Diagnostics) -> None:
    model = ref.split("/", 1)[1]
    problem = policy.publisher_problem(publisher_of(model)) if model else None
    if problem:
        diags.error("policy-publisher", f"`{ref}` calls `{model}`: {problem}", span,
                    help="pick a model of an allowed publisher")
    if policy.location_problem("global"):
        diags.warning("policy-location", f"`{ref}`" + (f" (used by {', '.join(users)})"
                                                       if users else "")
                      + " calls location `global` unless GOOGLE_CLOUD_LOCATION is set, which "
                      "the policy does not allow", span,
                      help="declare a client with an allowed `location` and use it instead")


def _location_help(policy: Policy) -> str:
    if policy.allowed_locations:
        return "use one of the allowed locations: " + ", ".join(policy.allowed_locations)
    return "use a regional location such as `europe-west4`, or a multi-region (`us`, `eu`)"
