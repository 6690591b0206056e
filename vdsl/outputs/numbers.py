"""Reading numbers out of what models write: `"1,234"`, `"-$45.10"`, `"1.2k"`, `"45%"`,
`"1.234,56"`, `"3/4"`, "about 42 items".

A number is read exactly or not at all: the whole string must be one number (with a sign,
before or after a currency symbol; thousands separators; a `k`/`M`/`B` or `thousand`/
`million`/`billion` multiplier; a `%`; a currency code), or the prose must hold exactly one
number standing on its own (`75001-A`, `45.10-` and `1.2.3` hold none). Arithmetic goes
through `Decimal`, so `1.2k` is 1200, not 1199.9999999999998. Numbers too long to hold (more
than `MAX_DIGITS` digits, or an exponent beyond that) are refused rather than truncated.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .primitives import Mismatch, show

__all__ = ["MAX_DIGITS", "finite_float", "read_float", "read_int", "read_number",
           "round_half_away"]

MAX_DIGITS = 4000
_SIGN = r"[+\-\u2212]"
_CUR = r"[$€£¥₹₩]"
_CODE = r"(?:USD|EUR|GBP|JPY|CNY|INR|CAD|AUD|CHF|KRW|BRL|MXN)"
_BODY = (r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?"          # 1,234,567.89
         r"|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?"        # 1.234.567(,89)
         r"|\d{1,3}(?:\.\d{3})+,\d+"                # 1.234,56
         r"|\d+,(?:\d{1,2}|\d{4,})(?![\d,.])"       # 1,5 and 12,50 (not a 3-digit group)
         r"|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?"         # 42, 4.5, 1e3
         r"|\.\d+(?:[eE][+-]?\d+)?)")               # .5
_SCALE = r"(?:k|K|M|B|bn|mn|thousand|million|billion|trillion)"
_WHOLE = re.compile(
    rf"(?P<s1>{_SIGN})?(?:{_CODE}\s?)?(?P<c1>{_CUR})?(?P<s2>{_SIGN})?(?P<body>{_BODY})"
    rf"(?:\s?(?P<scale>{_SCALE}))?(?P<pct>\s?%)?(?:\s?(?:{_CUR}|{_CODE}))?")
_DECIMAL_COMMA = re.compile(r"\d+,(?:\d{1,2}|\d{4,})")
_LONG_DIGITS = re.compile(r"\s*[+\-]?[\d,._]+\s*")
_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_FRACTION = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)")
_IN_PROSE = re.compile(
    rf"(?<![\w.,\-+\u2212/]){_SIGN}?{_CUR}?{_SIGN}?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?"
    rf"(?:\s?{_SCALE}(?![A-Za-z]))?(?![\d\-\u2212]|[.,/]\d)")
_SCALES = {"k": 1000, "K": 1000, "thousand": 1000, "M": 10**6, "mn": 10**6, "million": 10**6,
           "B": 10**9, "bn": 10**9, "billion": 10**9, "trillion": 10**12}
_DECOR = " \t\r\n*_`'\""


def round_half_away(x: float) -> int:
    """Round like Rust's `f64::round` (BAML: `1.5` → 2, `-1.5` → -2), not banker's rounding."""
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def finite_float(value: float | Decimal, text: object) -> float:
    """`value` as a float, refusing what a float cannot hold (too large, infinite, NaN)."""
    try:
        out = float(value)
    except OverflowError:
        out = math.inf
    if math.isnan(out):
        raise Mismatch(f"found {show(text)}, not a number")
    if math.isinf(out):
        shown = "a number" if isinstance(text, float) else show(text)
        raise Mismatch(f"found {shown}, which is too large for a float")
    return out


def read_number(text: str, percent: bool) -> tuple[int | float, int]:
    """A string as one number and how much reading it took (0: plain; 1: grouped, currency,
    scaled, a fraction or — with `percent` — a percentage; 2: found in prose)."""
    if len(text) <= MAX_DIGITS + 64:
        s = text.strip(_DECOR).rstrip(".,;:!?").strip(_DECOR)
        m = _WHOLE.fullmatch(s)
        if m is not None and (percent or not m.group("pct")):
            return _value(m, s), 0 if _PLAIN.fullmatch(s) else 1
        m2 = _FRACTION.fullmatch(s)
        if m2 and float(m2.group(2)) != 0:
            return float(m2.group(1)) / float(m2.group(2)), 1
    elif _LONG_DIGITS.fullmatch(text):
        raise Mismatch(f"found {show(text)}: a number of more than {MAX_DIGITS} digits")
    found = []
    for match in _IN_PROSE.finditer(text):  # "about 42 items": one number in prose
        found.append(match)
        if len(found) > 1:
            break
    if len(found) == 1:
        inner = _WHOLE.fullmatch(found[0].group())
        if inner is not None:
            return _value(inner, text), 2
    raise Mismatch(f"found {show(text)}, not a number")


def _value(m: re.Match[str], text: str) -> int | float:
    body = m.group("body")
    if "," in body and ("." in body and body.index(".") < body.index(",")
                        or _DECIMAL_COMMA.fullmatch(body)):
        body = body.replace(".", "").replace(",", ".")  # 1.234,56 and 1,5
    elif body.count(".") > 1:
        body = body.replace(".", "")  # 1.234.567
    else:
        body = body.replace(",", "")
    digits = sum(c.isdigit() for c in body)
    if digits > MAX_DIGITS:
        raise Mismatch(f"found {show(text)}: a number of {digits} digits is too long")
    try:
        number = Decimal(body)
    except InvalidOperation:
        raise Mismatch(f"found {show(text)}, not a number") from None
    if m.group("scale"):
        number *= _SCALES[m.group("scale")]
    if number and number.adjusted() > MAX_DIGITS:
        raise Mismatch(f"found {show(text)}, which is too large")
    if (m.group("s1") or m.group("s2") or "") in ("-", "\u2212"):
        number = -number
    if m.group("scale") and number == number.to_integral_value():
        return int(number)
    if "." in body or "e" in body or "E" in body:
        return float(number)
    return int(number)


def read_int(value: Any) -> tuple[int, int]:
    """An int: ints as they are, floats rounded half away from zero, numbers in strings."""
    if isinstance(value, bool):
        raise Mismatch(f"found {value!r}, not an int")
    if isinstance(value, int):
        return value, 0
    if isinstance(value, float):
        finite_float(value, value)
        return round_half_away(value), (0 if value.is_integer() else 1)
    if isinstance(value, str):
        number, penalty = read_number(value, percent=False)
        if isinstance(number, float):
            finite_float(number, value)
            # a string is never an exact int: one point for reading it, one for rounding
            return round_half_away(number), penalty + 1 + (0 if number.is_integer() else 1)
        return number, penalty + 1
    raise Mismatch(f"found {show(value)}, not an int")


def read_float(value: Any) -> tuple[float, int]:
    """A float: numbers (an int too large for a float is refused), numbers in strings."""
    if isinstance(value, bool):
        raise Mismatch(f"found {value!r}, not a float")
    if isinstance(value, (int, float)):
        return finite_float(value, value), 0
    if isinstance(value, str):
        number, penalty = read_number(value, percent=True)
        return finite_float(number, value), penalty + 1
    raise Mismatch(f"found {show(value)}, not a float")
