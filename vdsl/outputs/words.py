"""How names are compared with what a model wrote: keys, enum values, literals.

Three strengths, tried in order by the matchers: exact; case, punctuation and markdown
ignored (`plain_words`); and that plus accents (`folded`: "café" = "cafe", "Señor" = "senor").
Object keys use `norm_key` (case, spaces, `_` and `-` ignored).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["finder", "folded", "norm_key", "plain_words", "spaced_words"]

_NORM = re.compile(r"[\s_\-]+")
_WORDS = re.compile(r"[\W_]+")
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
"""Combining marks (accents) left apart by NFKD decomposition."""


def norm_key(text: str) -> str:
    """Case-, space-, `_`- and `-`-insensitive form of a key."""
    return _NORM.sub("", text).lower()


def spaced_words(text: str) -> str:
    """Punctuation and markdown emphasis gone, single spaces, case kept (one pass: long
    replies are read without splitting them into words)."""
    return _WORDS.sub(" ", text).strip(" ")


def plain_words(text: str) -> str:
    """Lower case, punctuation and markdown emphasis gone, single spaces: how enum keys are
    compared with what a model wrote around them."""
    return spaced_words(text).lower()


def folded(text: str) -> str:
    """`plain_words` with accents and other combining marks removed, case folded."""
    if text.isascii():
        return plain_words(text)
    bare = _MARKS.sub("", unicodedata.normalize("NFKD", text))
    return plain_words(bare).casefold()


def finder(keys: dict[str, str], ignore_case: bool = False,
           fold: bool = False) -> re.Pattern[str] | None:
    """A regex finding any of `keys` (in `spaced_words` form) as whole words in raw text:
    the words of a key may be separated by any punctuation, spaces or `_`; with `fold`,
    each letter also matches its accented forms. Prose is searched as it is — no
    normalized copy of a long reply is ever made. Longest keys first."""
    parts = []
    for key in sorted((k for k in keys if k), key=len, reverse=True):
        parts.append(r"[\W_]+".join(_word(w, fold) for w in key.split(" ")))
    if not parts:
        return None
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile(r"(?<![^\W_])(?:" + "|".join(parts) + r")(?![^\W_])", flags)


def _word(word: str, fold: bool) -> str:
    if not fold:
        return re.escape(word)
    table = _accented()
    return "".join(f"[{re.escape(c)}{table[c]}]" if c in table else re.escape(c)
                   for c in word)


_ACCENTED: dict[str, str] = {}


def _accented() -> dict[str, str]:
    """ASCII letter → the accented letters (Latin-1 to Latin Extended-B) that decompose to
    it, for matching "cafe" in "café"."""
    if not _ACCENTED:
        found: dict[str, list[str]] = {}
        for cp in range(0xC0, 0x250):
            base = unicodedata.normalize("NFKD", chr(cp))[:1]
            if base.isascii() and base.isalpha() and chr(cp) != base:
                found.setdefault(base.lower(), []).append(chr(cp))
        _ACCENTED.update({k: "".join(v) for k, v in found.items()})
    return _ACCENTED
