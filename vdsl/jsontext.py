"""`json.loads` for text vdsl did not write (replies, fixtures, rows, cassettes): the standard
parser raises `RecursionError` on a few thousand nested brackets, which every caller's
`except ValueError` would miss; here it is a `ValueError` like any other malformed JSON."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["loads"]


def loads(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply to read") from None
