"""Schema-aligned parsing: a model's reply → a value of the function's declared return type.

    text ─► extract (strict JSON, fences, JSON amid prose, fixing parser) ─► candidates
         ─► coerce to the IR type (classes, enums, unions by best fit …) ─► constraints
         ─► a pydantic instance of the project's class, an enum member, or a plain value

`parse_output(project, "ExtractResume", text)` parses a reply to a function; `parse_value`
takes any type expression. `partial=True` reads a prefix of a streamed reply into a partial
value. Failures raise `OutputParseError` (`.raw_text`, `.target`, `.reason`); a failed
`@assert` raises `ValidationError` (`.assertion`).
"""

from __future__ import annotations

from typing import Any

from ..errors import OutputParseError, ValidationError
from ..ir import TypeExpr, type_to_str
from ..project import Project
from .coerce import Coercer
from .constraints import AssertionFailed
from .extract import extract
from .models import Check, Checked, StreamState, to_plain
from .primitives import Mismatch
from .target import targets_for

__all__ = [
    "Check",
    "Checked",
    "OutputParseError",
    "StreamState",
    "ValidationError",
    "parse_output",
    "parse_value",
    "to_plain",
]


def parse_output(project: Project, function_name: str, text: str,
                 partial: bool = False) -> Any:
    """Parse `text`, a reply to `function_name`, as that function's return type.

    Raises `KeyError` for an unknown function, `OutputParseError` when the reply does not fit
    and `ValidationError` when an `@assert` fails.
    """
    fn = project.function(function_name)
    if fn.return_type is None:
        raise KeyError(f"function `{function_name}` has no return type")
    return parse_value(project, fn.return_type, text, partial)


def parse_value(project: Project, type_expr: TypeExpr, text: str, partial: bool = False) -> Any:
    """Parse `text` as a value of `type_expr` (a type from `project`'s IR).

    A `string` target gets the text as-is. With `partial`, `text` is a prefix of a streamed
    reply: unfinished values are null, and a prefix that holds nothing usable yet gives None.
    """
    targets = targets_for(project)
    ty = targets.ty(type_expr)
    if ty.kind == "string" and not ty.constraints:
        return text
    if not text.strip():
        if partial or ty.nullable:
            return None
        raise OutputParseError(text, type_to_str(type_expr), "the reply is empty")
    coercer = Coercer(targets, partial)
    try:
        value, _ = coercer.coerce(ty, extract(text, partial), "")
    except Mismatch as exc:
        if partial or ty.nullable:  # an optional reply that does not fit is null, as in BAML
            return None
        raise OutputParseError(text, type_to_str(type_expr), exc.describe()) from None
    except AssertionFailed as exc:
        error = exc.to_error()
        error.raw_text = text
        raise error from None
    return value
