"""Streaming partials: what a value looks like while its reply is still arriving.

The parser marks what the text ended inside of (`jsonish.Partial*`); coercion in partial mode
turns those into nulls and growing values, following the shapes BAML's streaming clients give:

* strings and lists grow; an unfinished number, bool, enum or literal is null (`{"age": 3` may
  become 35), and a list or map leaves out an item or entry that is not ready yet;
* a class always has its shape: fields not seen yet are null, list fields `[]`, map fields
  `{}` — also while only prose has arrived;
* `@stream.done` on a field or a type (`@@stream.done` on a class): the value stays null (is
  left out of a list) until the text has closed it;
* `@stream.not_null` on a field (`@@stream.not_null` on a class: every field of that type):
  the object holding it is not emitted (null, or left out of a list) until it has a value;
* `@stream.with_state` on a field: the value is wrapped in `StreamState` with its progress,
  "Pending" (nothing yet), "Incomplete" (still arriving) or "Complete".
"""

from __future__ import annotations

from typing import Any

from .jsonish import is_complete
from .models import StreamState

__all__ = ["field_state", "wrap_state"]


def field_state(raw: Any, missing: Any) -> str:
    """How far a field's source value got: Pending, Incomplete or Complete."""
    if raw is missing:
        return "Pending"
    return "Complete" if is_complete(raw) else "Incomplete"


def wrap_state(value: Any, state: str) -> StreamState[Any]:
    return StreamState[Any].model_construct(value=value, state=state)
