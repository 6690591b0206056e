"""Validation: ordered passes over the program, all appending to one diagnostics list.

Cheap, local passes run first; passes that follow references (cycles, prompts) run after
names and types, and prompts only when the types resolve.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..diagnostics import Diagnostics
from ..ir import Program
from ..source import SourceFile
from . import attributes, clients, cycles, functions, models, names, prompts, pynames, types
from .context import Context

PASSES: tuple[Callable[[Context], None], ...] = (
    names.check, types.check, attributes.check, cycles.check, clients.check, functions.check,
    models.check, pynames.check,
)


def run(program: Program, diags: Diagnostics, sources: Mapping[str, SourceFile]) -> None:
    run_context(Context(program, diags, sources))


def run_context(ctx: Context, *, types_resolve_elsewhere: bool = True) -> None:
    """Every pass over `ctx.program`. The language server checks part of a project at a time
    (its name indexes in `ctx` are the whole project's); `types_resolve_elsewhere=False` says an
    unknown type is reported outside that part, which turns the prompt checks off as it would
    for the whole project."""
    for check in PASSES:
        check(ctx)
    if types_resolve_elsewhere and not any(d.code == "unknown-type" for d in ctx.diags):
        prompts.check(ctx)


__all__ = ["PASSES", "Context", "run", "run_context"]
