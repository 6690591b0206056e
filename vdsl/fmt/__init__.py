"""`vdsl fmt`: one canonical layout for `.vdsl`/`.baml` files, that never changes meaning.

    text → syntax check (the real parser) → tokens (the grammar's terminals, comments kept)
         → layout → the same tokens again? → formatted text

A file with syntax errors is refused, never touched. The formatted text is re-tokenized and
must give the same tokens, with the same line breaks between them; otherwise the file is
refused too (a bug in vdsl, reported as such). The tests prove the rest: formatting is
idempotent, and the IR and every rendered prompt are the same before and after.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from ..diagnostics import Diagnostic, Diagnostics
from ..errors import VdslError
from ..source import SourceFile
from .layout import layout
from .tokens import Token, TokenizeError, tokenize

__all__ = ["FormatError", "format_text", "is_syntax_error", "syntax_errors"]


class FormatError(VdslError):
    """The text cannot be formatted: `diagnostics` holds its syntax errors (empty when the
    formatter itself failed its own check)."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        self.diagnostics = diagnostics or []
        super().__init__(message)


def is_syntax_error(diagnostic: Diagnostic) -> bool:
    """A file with this diagnostic does not parse (`syntax…`, `unsupported-syntax`)."""
    return diagnostic.is_error and (diagnostic.code.startswith("syntax")
                                    or diagnostic.code == "unsupported-syntax")


def syntax_errors(text: str, path: str) -> list[Diagnostic]:
    """The syntax errors the parser reports for `text` (semantic problems are not asked).

    A text found clean is remembered (by content) in vdsl's cache folder, so formatting an
    unchanged file again does not parse it again."""
    marker = _clean_marker(text)
    if marker is not None and marker.exists():
        return []
    from ..syntax import parse_source

    diags = Diagnostics()
    parse_source(SourceFile(path, text), diags, [])
    errors = [d for d in diags if is_syntax_error(d)]
    if not errors:
        _remember_clean(marker)
    return errors


@lru_cache(maxsize=1)
def _parser_digest() -> bytes:
    """Changes with vdsl's version, the grammar and the syntax stage's code."""
    from .. import __version__
    from ..syntax import grammar_text

    digest = hashlib.sha256(__version__.encode() + b"\0" + grammar_text().encode())
    for module in sorted((Path(__file__).parent.parent / "syntax").glob("*.py")):
        digest.update(module.read_bytes())
    return digest.digest()


def _clean_marker(text: str) -> Path | None:
    from ..compiler import cache_dir

    folder = cache_dir()
    if folder is None:
        return None
    key = hashlib.sha256(_parser_digest() + text.encode("utf-8", "surrogatepass")).hexdigest()
    return folder / "fmt" / key[:32]


def _remember_clean(marker: Path | None) -> None:
    if marker is None:
        return
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass  # a read-only cache only costs time


def format_text(text: str, path: str = "<text>", *, check_syntax: bool = True) -> str:
    """`text` in the canonical layout. Raises FormatError for a file with syntax errors."""
    text = text.removeprefix("\ufeff")
    if check_syntax:
        errors = syntax_errors(text, path)
        if errors:
            raise FormatError(f"{path}: has syntax errors; not formatted", errors)
    try:
        tokens = tokenize(text)
    except TokenizeError as exc:
        raise FormatError(f"{path}: {exc}; not formatted") from None
    formatted = layout(tokens)
    if formatted != text and _shape(tokenize(formatted)) != _shape(tokens):
        raise FormatError(f"{path}: formatting would change the file's tokens; not formatted "
                          "(a bug in vdsl fmt: please report it with the file)")
    if check_syntax and formatted != text:
        _remember_clean(_clean_marker(formatted))  # the same tokens on the same lines
    return formatted


def _shape(tokens: list[Token]) -> list[tuple[str, str]]:
    """The tokens and whether a line break stands before each (not how many)."""
    shape: list[tuple[str, str]] = []
    broken = False
    for token in tokens:
        if token.kind == "newline":
            broken = bool(shape)
            continue
        text = token.text.replace("\r\n", "\n")
        text = text.rstrip() if token.kind == "comment" else text.removesuffix("\r")
        shape.append(("\n" if broken else "", text))
        broken = False
    return shape
