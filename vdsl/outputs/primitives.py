"""Reading scalars out of what models write: `"1,234"`, `"3/4"`, `"45%"`, `"Yes."`,
`**NEGATIVE**`, "I'd say the sentiment is negative".

Each reader returns `(value, penalty)` or raises `Mismatch`. The penalty says how much
interpretation it took (0: exact), so a union can prefer the member that needed the least.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .target import EnumInfo, plain_words, spaced_words

__all__ = ["Mismatch", "match_enum", "read_bool", "read_float", "read_int", "round_half_away"]


class Mismatch(Exception):
    """Internal: a value does not fit a type. `reason` says what was found, `path` where
    (`address.zip`, `items[2]`; set by the coercer as the error passes through)."""

    def __init__(self, reason: str, path: str | None = None) -> None:
        self.reason = reason
        self.path = path
        super().__init__(reason)

    def describe(self) -> str:
        return f"at `{self.path}`: {self.reason}" if self.path else self.reason


_INT = re.compile(r"[+-]?\d+")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_FRACTION = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)")
_PERCENT = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*%")
_ANY_NUMBER = re.compile(r"(?<![\w.])[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?!\w)")
_DECOR = " \t\r\n*_`'\""
_TRUE = frozenset({"true", "yes", "y"})
_FALSE = frozenset({"false", "no", "n"})
_BOOL_WORD = re.compile(r"\b(true|false)\b", re.IGNORECASE)


def round_half_away(x: float) -> int:
    """Round like Rust's `f64::round` (BAML: `1.5` → 2, `-1.5` → -2), not banker's rounding."""
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def _number(text: str, percent: bool) -> tuple[float | int, int]:
    """A whole string as a number: plain, grouped with commas, a fraction or (with `percent`)
    a percentage, as the number before the `%`."""
    s = text.strip(_DECOR).lstrip("$€£").rstrip(".,;:!?")
    if _INT.fullmatch(s):
        return int(s), 0
    if _FLOAT.fullmatch(s):
        return float(s), 0
    if _GROUPED.fullmatch(s):
        plain = s.replace(",", "")
        return (float(plain) if "." in plain else int(plain)), 1
    m = _FRACTION.fullmatch(s)
    if m and float(m.group(2)) != 0:
        return float(m.group(1)) / float(m.group(2)), 1
    m = _PERCENT.fullmatch(s)
    if m and percent:  # "45%" is 45, as in BAML (and as an int reads it)
        return float(m.group(1)), 1
    found = _ANY_NUMBER.findall(text)
    if len(found) == 1:  # "about 42 items": one number in prose is unambiguous
        plain = found[0].replace(",", "")
        return (float(plain) if "." in plain else int(plain)), 2
    raise Mismatch(f"found {_show(text)}, not a number")


def read_int(value: Any) -> tuple[int, int]:
    if isinstance(value, bool):
        raise Mismatch(f"found {value!r}, not an int")
    if isinstance(value, int):
        return value, 0
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise Mismatch(f"found {value!r}, not an int")
        return round_half_away(value), (0 if value.is_integer() else 1)
    if isinstance(value, str):
        number, penalty = _number(value, percent=False)
        # a string is never an exact int: one point for reading it, one more for rounding
        rounding = 0 if isinstance(number, int) or number.is_integer() else 1
        return round_half_away(number), penalty + 1 + rounding
    raise Mismatch(f"found {_show(value)}, not an int")


def read_float(value: Any) -> tuple[float, int]:
    if isinstance(value, bool):
        raise Mismatch(f"found {value!r}, not a float")
    if isinstance(value, (int, float)):
        return float(value), 0
    if isinstance(value, str):
        number, penalty = _number(value, percent=True)
        return float(number), penalty + 1
    raise Mismatch(f"found {_show(value)}, not a float")


def read_bool(value: Any) -> tuple[bool, int]:
    if isinstance(value, bool):
        return value, 0
    if isinstance(value, str):
        word = value.strip(_DECOR).rstrip(".!").lower()
        if word in _TRUE:
            return True, 1
        if word in _FALSE:
            return False, 1
        found = {m.lower() for m in _BOOL_WORD.findall(value)}
        if len(found) == 1:
            return found.pop() == "true", 2
    raise Mismatch(f"found {_show(value)}, not a bool")


def match_enum(info: EnumInfo, value: Any) -> tuple[str, int]:
    """The enum value a string names: by name, alias, description or "alias: description";
    exactly, then ignoring case and markdown, then as the one value named inside prose.
    Two values named equally often is an error listing them."""
    if not isinstance(value, str):
        raise Mismatch(f"found {_show(value)}, not one of {info.name}'s values")
    text = value.strip()
    hit = info.exact.get(text)
    if hit is not None:
        return hit, 0
    words = plain_words(text)
    hit = info.norm.get(words)
    if hit is not None:
        return hit, 1
    # prose: the value named most often, counting names written in their declared case
    # first ("not positive … Final answer: NEGATIVE" is NEGATIVE), then ignoring case
    for search, keys, haystack in ((info.cased_search, info.cased, spaced_words(text)),
                                   (info.search, info.norm, words)):
        if search is None:
            continue
        counts: dict[str, int] = {}
        for m in search.finditer(haystack):
            name = keys[m.group(0)]
            counts[name] = counts.get(name, 0) + 1
        if counts:
            best = max(counts.values())
            top = [name for name in info.values if counts.get(name) == best]
            if len(top) == 1:
                return top[0], 2
            raise Mismatch(f"Too many matches for {info.name}: found {_show(text)}, which "
                           f"names {', '.join(top)}")
    raise Mismatch(f"found {_show(text)}, which is not one of {info.name}'s values "
                   f"({', '.join(info.values)})")


def _show(value: Any, limit: int = 60) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if value is None:
        return "null"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[:limit - 1] + "…'"


def show(value: Any) -> str:
    """A short description of a found value, for error messages."""
    return _show(value)
