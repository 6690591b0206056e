"""Streaming partials: what a value looks like while its reply is still arriving.

The parser marks what the text ended inside of (`jsonish.Partial*`); coercion in partial mode
turns those into nulls and growing values, and this module holds the rules BAML's stream
attributes add on top:

* `@stream.done` on a field (or `@@stream.done` on a class): the value stays null until the
  text has closed it;
* `@stream.not_null` on a field: the object holding it is not emitted (null, or left out of a
  list) until that field has a value;
* `@stream.with_state` on a field: the value is wrapped in `StreamState` with its progress,
  "Pending" (nothing yet), "Incomplete" (still arriving) or "Complete".

An unfinished number is null (`{"age": 3` may become 35), and enums and literals appear only
once complete; strings and lists grow.
"""

from __future__ import annotations

from typing import Any

from .jsonish import is_complete
from .models import StreamState
from .target import ClassInfo

__all__ = ["field_state", "not_ready", "wrap_state"]


def field_state(raw: Any, missing: Any) -> str:
    """How far a field's source value got: Pending, Incomplete or Complete."""
    if raw is missing:
        return "Pending"
    return "Complete" if is_complete(raw) else "Incomplete"


def wrap_state(value: Any, state: str) -> StreamState[Any]:
    return StreamState[Any].model_construct(value=value, state=state)


def not_ready(info: ClassInfo, values: dict[str, Any]) -> bool:
    """Whether a `@stream.not_null` field of the class is still null."""
    for f in info.fields:
        if f.not_null:
            value = values.get(f.attr)
            if value is None or (isinstance(value, StreamState) and value.value is None):
                return True
    return False
