"""Shared by the block checks: where a value is, and an unknown field with did-you-mean."""

from __future__ import annotations

import difflib

from ..ir import Value
from ..source import Span
from .context import Context


def span_of(fallback: Span, value: Value | None) -> Span:
    """The value's span, or `fallback` (usually the key) when there is no value."""
    return value.span if value is not None else fallback


def unknown_key(ctx: Context, key: str, span: Span, known: tuple[str, ...] | list[str],
                 where: str) -> None:
    close = difflib.get_close_matches(key, list(known), n=2)
    help_ = ("did you mean " + " or ".join(f"`{c}`" for c in close) + "?") if close else (
        "known fields: " + ", ".join(f"`{k}`" for k in known))
    ctx.diags.error("unknown-field", f"Unknown field `{key}` in {where}", span, help=help_)
