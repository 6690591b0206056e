"""`ClientRegistry`: clients defined at run time (per tenant, region, key), as BAML's.

    registry = ClientRegistry()
    registry.add_llm_client("Tenant", "vertex-ai", {"model": "gemini-2.5-flash",
                            "location": "europe-west1", "project_id": tenant_project})
    registry.set_primary("Tenant")                 # every function calls Tenant
    runtime.call("ExtractResume", {"text": text}, client_registry=registry)

A registry client is written out as a `client<llm>` block — a pseudo-file `<ClientRegistry>`
— and parsed by the real parser, so it is exactly the IR that block would give in a `.vdsl`
file and gets exactly the checks `vdsl check` runs on one (unknown options, the model
catalog, an API key on a partner model, strategy members, retry policies). A registry client
replaces a project client of the same name and may be a fallback or round-robin member (or
use project clients as members). Strings are taken as written: `"env.X"` is the text
`env.X`, as in BAML; pass the value itself.
"""

from __future__ import annotations

import decimal
import difflib
import math
import re
import threading
from collections.abc import Mapping
from typing import Any

from ..diagnostics import Diagnostic, Diagnostics
from ..errors import ClientRegistryError
from ..ir import ClientDecl, Program
from ..project import Project
from ..source import SourceFile

__all__ = ["LISTING", "ClientRegistry", "with_clients"]

LISTING = "<ClientRegistry>"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0"}


class ClientRegistry:
    """Clients added at run time, and which one every function calls (`set_primary`)."""

    def __init__(self) -> None:
        self._clients: dict[str, tuple[str, dict[str, Any], str | None]] = {}
        self._primary: str | None = None
        self._lock = threading.Lock()
        self._version = 0
        self._compiled: dict[int, tuple[int, Project, Project]] = {}

    def add_llm_client(self, name: str, provider: str, options: Mapping[str, Any],
                       retry_policy: str | None = None) -> None:
        """Add (or replace) client `name`: `provider` (`vertex-ai`, `fallback`,
        `round-robin`), its `options` as a `client<llm>` block's `options { … }` would hold
        them, and the name of a project `retry_policy`. Problems with the options are
        raised now; names it refers to are checked when a call uses the registry."""
        if not isinstance(name, str) or not _NAME.match(name):
            raise ClientRegistryError(f"ClientRegistry: `{name}` is not a valid client name "
                                      "(letters, digits, `_` and `-`, not starting with a digit)")
        if not isinstance(options, Mapping):
            raise ClientRegistryError(f"ClientRegistry client `{name}`: options must be a "
                                      f"dict, not {type(options).__name__}")
        entry = (str(provider), dict(options), retry_policy)
        _render_one(name, entry)  # values that cannot be written raise here
        _check(None, {name: entry})
        with self._lock:
            self._clients[name] = entry
            self._version += 1

    def set_primary(self, name: str) -> None:
        """Call client `name` (a registry or project client) instead of each function's own."""
        with self._lock:
            self._primary = name
            self._version += 1

    @property
    def primary(self) -> str | None:
        return self._primary

    def clients(self) -> list[str]:
        """The names of the clients added, in order."""
        return list(self._clients)

    def __repr__(self) -> str:
        return f"ClientRegistry(clients={list(self._clients)}, primary={self._primary!r})"

    def project_for(self, project: Project) -> Project:
        """`project` with this registry's clients in place, checked (cached until the
        registry changes). Raises `ClientRegistryError` naming each bad entry."""
        with self._lock:
            version, clients, primary = self._version, dict(self._clients), self._primary
            cached = self._compiled.get(id(project))
        if cached is not None and cached[0] == version and cached[1] is project:
            return cached[2]
        merged = with_clients(project, clients)
        if primary is not None and merged.find(primary) is None and "/" not in primary:
            known = [c.name for c in merged.program.clients]
            close = difflib.get_close_matches(primary, known, n=1)
            raise ClientRegistryError(f"ClientRegistry: the primary client `{primary}` is not "
                                      "defined" + (f"; did you mean `{close[0]}`?" if close
                                                   else f" (clients: {', '.join(known)})"))
        with self._lock:
            self._compiled[id(project)] = (version, project, merged)
        return merged


def with_clients(project: Project, clients: Mapping[str, tuple[str, dict[str, Any], str | None]]
                 ) -> Project:
    """`project` with `clients` added (replacing project clients of the same name)."""
    if not clients:
        return project
    decls = _check(project, clients)
    kept = [d for d in project.program.decls
            if not (isinstance(d, ClientDecl) and d.name in clients)]
    program = Program(kept + list(decls), set(project.program.broken_names))
    return Project(program, project.sources, project.diagnostics, project.root)


def _check(project: Project | None, clients: Mapping[str, tuple[str, dict[str, Any], str | None]]
           ) -> list[ClientDecl]:
    """Parse the listing and run the client and model checks over it. Without a project,
    references to other clients and retry policies are left for later."""
    from ..syntax import parse_source
    from ..validate import clients as client_checks
    from ..validate import models
    from ..validate.context import Context

    text, ranges = _render(clients)
    source = SourceFile(LISTING, text)
    diags = Diagnostics()
    decls = [d for d in parse_source(source, diags) if isinstance(d, ClientDecl)]
    if not diags.has_errors:
        others = [d for d in project.program.decls if not (
            isinstance(d, ClientDecl) and d.name in clients)] if project else []
        ctx = Context(Program(others + list(decls)), diags, {LISTING: source})
        client_checks.check(ctx)
        models.check(ctx)
    deferred = () if project is not None else ("unknown-client", "unknown-retry-policy")
    errors = [d for d in diags.sorted() if d.is_error and d.span is not None
              and d.span.file == LISTING and d.code not in deferred]
    if errors:
        raise ClientRegistryError(_message(errors, source, ranges), errors)
    return decls


def _message(errors: list[Diagnostic], source: SourceFile,
             ranges: list[tuple[str, int, int]]) -> str:
    lines = []
    for d in errors:
        assert d.span is not None
        owner = next((n for n, a, b in ranges if a <= d.span.line <= b), "?")
        lines.append(f"ClientRegistry client `{owner}`: {d.message}"
                     + (f" ({d.help})" if d.help else ""))
        lines.append(f"    {d.span.line} | {source.line_text(d.span.line).strip()}")
    return "\n".join(lines)


# ---- writing clients as `.vdsl` text ---------------------------------------------------------

def _render(clients: Mapping[str, tuple[str, dict[str, Any], str | None]]
            ) -> tuple[str, list[tuple[str, int, int]]]:
    out: list[str] = []
    ranges: list[tuple[str, int, int]] = []
    for name, entry in clients.items():
        first = sum(part.count("\n") for part in out) + 1
        block = _render_one(name, entry)
        out.append(block)
        ranges.append((name, first, first + block.count("\n") - 1))
    return "".join(out), ranges


def _render_one(name: str, entry: tuple[str, dict[str, Any], str | None]) -> str:
    provider, options, retry_policy = entry
    lines = [f"client<llm> {name} {{", f"  provider {_string(provider)}"]
    if retry_policy is not None:
        lines.append(f"  retry_policy {_string(str(retry_policy))}")
    lines.append("  options " + _map(options, 1, f"client `{name}`: options"))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _string(text: str) -> str:
    body = "".join(_ESCAPES.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x20 else c)
                   for c in text)
    return f'"{body}"'


def _key(key: object, where: str) -> str:
    if not isinstance(key, str):
        raise ClientRegistryError(f"ClientRegistry {where}: keys must be strings, not "
                                  f"{type(key).__name__}")
    return key if _KEY.match(key) and key not in ("true", "false", "null") else _string(key)


def _map(value: Mapping[Any, Any], depth: int, where: str) -> str:
    if not value:
        return "{}"
    pad = "  " * (depth + 1)
    body = [f"{pad}{_key(k, where)} {_value(v, depth + 1, f'{where}.{k}')}"
            for k, v in value.items()]
    return "{\n" + "\n".join(body) + "\n" + "  " * depth + "}"


def _inline(value: Any, where: str) -> str:
    if isinstance(value, Mapping):
        items = ", ".join(f"{_key(k, where)} {_inline(v, f'{where}.{k}')}"
                          for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    return _value(value, 0, where)


def _value(value: Any, depth: int, where: str) -> str:
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ClientRegistryError(f"ClientRegistry {where}: {value} is not a number JSON "
                                      "can carry")
        text = format(decimal.Decimal(repr(value)), "f")
        return text if "." in text else text + ".0"
    if isinstance(value, Mapping):
        return _map(value, depth, where)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_inline(v, f"{where}[{i}]") for i, v in enumerate(value)) + "]"
    raise ClientRegistryError(f"ClientRegistry {where}: a {type(value).__name__} cannot be an "
                              "option value (strings, numbers, booleans, None, lists and dicts)")
