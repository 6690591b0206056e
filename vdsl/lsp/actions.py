"""Code actions and formatting.

Quick fixes come from the diagnostics themselves: a "did you mean `X`?" (in the help or the
message) on a diagnostic whose message names the misspelt word in backquotes first becomes
"Replace `old` with `X`" (a type,
client, function, retry policy, option key, model id, keyword, prompt variable…).
Formatting is `vdsl fmt`'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..diagnostics import Diagnostic
from ..source import SourceFile, Span
from .convert import did_you_mean

__all__ = ["Fix", "formatted", "quick_fixes"]

_NAMED = re.compile(r"`([^`]+)`")


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    span: Span
    replacement: str
    diagnostic: Diagnostic


def quick_fixes(diagnostics: Iterable[Diagnostic], source: SourceFile) -> list[Fix]:
    fixes: list[Fix] = []
    for d in diagnostics:
        candidates = did_you_mean(d)
        named = _NAMED.search(d.message)
        span = d.span
        if not candidates or named is None or span is None or span.file != source.path:
            continue
        old = named.group(1)
        where = _find(source, span, old)
        if where is None:
            continue
        for candidate in candidates:
            if candidate != old:
                fixes.append(Fix(f"Replace `{old}` with `{candidate}`", where, candidate, d))
    return fixes


def _find(source: SourceFile, span: Span, word: str) -> Span | None:
    """`word` inside `span`, standing alone (not part of a longer name)."""
    pattern = re.compile(r"(?<![\w.-])" + re.escape(word) + r"(?![\w-])")
    found = pattern.search(source.text, span.start, max(span.end, span.start + len(word)))
    return source.span(found.start(), found.end()) if found else None


def formatted(text: str, path: str) -> str | None:
    """The text as `vdsl fmt` lays it out; None when it cannot be formatted (syntax errors:
    `vdsl fmt` never touches a file that does not parse)."""
    from ..fmt import FormatError, format_text

    try:
        return format_text(text, path)
    except FormatError:
        return None
