"""`vdsl check --strict-env`: every `env.VAR` a client reads must be set now. Off by default:
env vars are read when a call is made, and CI that only checks files has none of them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ..diagnostics import Diagnostics
from ..ir import ArrayValue, EnvRef, MapValue, Program, Value


def check(program: Program, diags: Diagnostics, env: Mapping[str, str]) -> None:
    for client in program.clients:
        for entry in client.entries:
            if entry.value is None:
                continue
            for ref in _env_refs(entry.value):
                if not env.get(ref.name):
                    diags.error("missing-env",
                                f"client `{client.name}` reads env.{ref.name}, which is not set",
                                ref.span, help=f"export {ref.name}=… before running, or drop "
                                "--strict-env (env vars are read when a call is made)")


def _env_refs(value: Value) -> Iterator[EnvRef]:
    if isinstance(value, EnvRef):
        yield value
    elif isinstance(value, MapValue):
        for entry in value.entries:
            yield from _env_refs(entry.value)
    elif isinstance(value, ArrayValue):
        for item in value.items:
            yield from _env_refs(item)


__all__ = ["check"]
