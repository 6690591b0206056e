"""Validation: ordered passes over the program, all appending to one diagnostics list.

Cheap, local passes run first; passes that follow references (cycles, prompts) run after
names and types, and prompts only when the types resolve.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..diagnostics import Diagnostics
from ..ir import Program
from ..source import SourceFile
from . import (
    attributes,
    clients,
    cycles,
    dynamic,
    functions,
    models,
    names,
    nesting,
    platform,
    prompts,
    pynames,
    types,
)
from .context import Context

PASSES: tuple[Callable[[Context], None], ...] = (
    names.check, types.check, nesting.check, attributes.check, cycles.check, dynamic.check, clients.check,
    functions.check, models.check, pynames.check, platform.check,
)


GATED: tuple[Callable[[Context], None], ...] = (prompts.check,)
"""Passes that run only when every type of the project resolves."""


def run(program: Program, diags: Diagnostics, sources: Mapping[str, SourceFile]) -> None:
    run_context(Context(program, diags, sources))


def run_context(ctx: Context, *, gated: bool | None = None) -> None:
    """Every pass over `ctx.program`, then the GATED ones when no type is unknown. The language
    server checks part of a project at a time (its name indexes in `ctx` are the whole
    project's) and decides `gated` itself from the whole project."""
    for check in PASSES:
        check(ctx)
    if gated is None:
        gated = not any(d.code == "unknown-type" for d in ctx.diags)
    if gated:
        for check in GATED:
            check(ctx)


__all__ = ["GATED", "PASSES", "Context", "run", "run_context"]
