"""What "meaning-preserving" is checked against: the IR without positions, and the prompts."""

from __future__ import annotations

import dataclasses
from typing import Any

import vdsl
from vdsl.diagnostics import Diagnostics
from vdsl.render.snapshots import render_snapshots
from vdsl.source import SourceFile
from vdsl.syntax import parse_source

POSITIONS = {"span", "name_span", "key_span", "signature_span", "first_line"}
"""IR fields that say where something is, not what it is (`first_line`: a prompt's line)."""


def without_positions(node: Any) -> Any:
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return (type(node).__name__, *((f.name, without_positions(getattr(node, f.name)))
                                       for f in dataclasses.fields(node)
                                       if f.name not in POSITIONS))
    if isinstance(node, list | tuple):
        return tuple(without_positions(item) for item in node)
    if isinstance(node, dict):
        return tuple(sorted((k, without_positions(v)) for k, v in node.items()))
    if isinstance(node, set):
        return tuple(sorted(node))
    return node


def ir_of(text: str, path: str = "main.vdsl") -> tuple[Any, list[tuple[str, str]]]:
    """The declarations (positions left out) and the parse diagnostics (code, message)."""
    diags = Diagnostics()
    decls = parse_source(SourceFile(path, text), diags, [])
    return without_positions(decls), sorted((d.code, d.message) for d in diags)


def prompts_of(text: str) -> dict[str, str]:
    """Every test block's rendered prompt (the snapshot files `vdsl render` writes)."""
    files, errors = render_snapshots(vdsl.loads(text))
    assert not errors, errors
    return files
