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
    platform,
    prompts,
    pynames,
    types,
)
from .context import Context

PASSES: tuple[Callable[[Context], None], ...] = (
    names.check, types.check, attributes.check, cycles.check, dynamic.check, clients.check,
    functions.check, models.check, pynames.check, platform.check,
)


def run(program: Program, diags: Diagnostics, sources: Mapping[str, SourceFile]) -> None:
    ctx = Context(program, diags, sources)
    for check in PASSES:
        check(ctx)
    if not any(d.code == "unknown-type" for d in diags):
        prompts.check(ctx)


__all__ = ["PASSES", "Context", "run"]
