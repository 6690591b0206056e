"""The exceptions vdsl raises. Every one is a `VdslError`, so callers can catch one type.

    VdslError
    ├── CompileError            the project has errors; `.diagnostics` lists them all
    ├── InvalidArgumentError    a function was called with missing, extra or mistyped arguments
    ├── RenderError             a prompt template failed while rendering (names the file line)
    └── MediaError              a media argument could not be read (missing file, bad base64)

Stages collect diagnostics instead of raising; only the outer API raises these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .diagnostics import Diagnostic


class VdslError(Exception):
    """Base class of every error vdsl raises for a user mistake or a provider failure."""


class CompileError(VdslError):
    """The project does not compile; `diagnostics` holds every error and warning found."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.is_error]
        first = errors[0] if errors else (self.diagnostics[0] if self.diagnostics else None)
        if first is None:
            summary = "compilation failed"
        else:
            where = f"{first.span}: " if first.span else ""
            summary = f"{where}{first.message}"
        more = len(errors) - 1
        super().__init__(summary + (f" (and {more} more error{'s' * (more > 1)})" if more > 0
                                    else ""))


class InvalidArgumentError(VdslError):
    """Arguments do not match a function's parameters."""


class RenderError(VdslError):
    """A prompt template raised while rendering."""


class MediaError(VdslError):
    """A media value (image, audio, pdf, video) could not be read or encoded."""
