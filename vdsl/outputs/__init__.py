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

import re
from typing import Any

from ..errors import OutputParseError, ValidationError
from ..ir import TypeExpr, type_to_str
from ..project import Project
from .coerce import Coercer
from .constraints import AssertionFailed
from .expect import expect_for
from .extract import Extracted, extract
from .jsonish import MAX_DEPTH, PartialList, TooDeep
from .models import Check, Checked, StreamState, to_plain
from .primitives import Mismatch
from .report import excerpt, locate
from .target import Targets, targets_for

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

_BLANK = re.compile(r"\s*")


def parse_output(project: Project, function_name: str, text: str,
                 partial: bool = False, targets: Targets | None = None) -> Any:
    """Parse `text`, a reply to `function_name`, as that function's return type.

    Raises `KeyError` for an unknown function, `OutputParseError` when the reply does not fit
    and `ValidationError` when an `@assert` fails. `targets` supplies types per call (see
    `target.Targets.extend`).
    """
    fn = project.function(function_name)
    if fn.return_type is None:
        raise KeyError(f"function `{function_name}` has no return type")
    return parse_value(project, fn.return_type, text, partial, targets)


def parse_value(project: Project, type_expr: TypeExpr, text: str, partial: bool = False,
                targets: Targets | None = None) -> Any:
    """Parse `text` as a value of `type_expr` (a type from `project`'s IR).

    A `string` target gets the text as-is. With `partial`, `text` is a prefix of a streamed
    reply: unfinished values are null (lists empty), and a prefix that holds nothing usable
    yet gives None. Every failure is an `OutputParseError` (or `ValidationError` for an
    `@assert`), however hostile the text.
    """
    targets = targets or targets_for(project)
    ty = targets.ty(type_expr)
    if ty.kind == "string" and not ty.constraints:
        return text
    blank = _BLANK.fullmatch(text) is not None
    if blank and not partial:
        if ty.nullable:
            return None
        raise _failure(text, type_expr, "the reply is empty", None)
    found: Extracted | None = None
    try:
        expect = targets.cache.get(id(ty))
        if expect is None:
            expect = targets.cache[id(ty)] = expect_for(targets, [ty])
        found = extract(text, partial, expect)
        if partial and not found.candidates and _BLANK.fullmatch(found.raw):
            found.candidates.append(PartialList())  # nothing yet: an empty, open array
            found.starts.append(-1)
        return Coercer(targets, partial).coerce(ty, found)[0]
    except Mismatch as exc:
        if partial or ty.nullable:  # an optional reply that does not fit is null, as in BAML
            return None
        raise _failure(text, type_expr, exc.describe(), _where(text, found, exc)) from None
    except AssertionFailed as exc:
        error = exc.to_error()
        error.raw_text = text
        raise error from None
    except TooDeep as exc:  # also TooBig
        raise _failure(text, type_expr, exc.reason, (exc.pos, exc.pos + 1)) from None
    except RecursionError:
        raise _failure(text, type_expr, f"the reply nests values deeper than {MAX_DEPTH} "
                       "levels", None) from None
    except Exception as exc:
        raise _failure(text, type_expr, f"internal parser error ({type(exc).__name__}: "
                       f"{exc})", None) from exc


def _where(text: str, found: Extracted | None, exc: Mismatch) -> tuple[int, int] | None:
    """The span of the value that failed, when it can be found in the reply."""
    if found is None or exc.reading is None or exc.reading >= len(found.starts):
        return None
    return locate(text, found.starts[exc.reading], exc.path)


def _failure(text: str, type_expr: TypeExpr, reason: str,
             span: tuple[int, int] | None) -> OutputParseError:
    return OutputParseError(text, type_to_str(type_expr), reason, span, excerpt(text, span))
