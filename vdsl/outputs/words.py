"""How names are compared with what a model wrote: keys, enum values, literals.

Three strengths, tried in order by the matchers: exact; case, punctuation and markdown
ignored (`plain_words`); and that plus accents (`folded`: "café" = "cafe", "Señor" = "senor").
Object keys use `norm_key` (case, spaces, `_` and `-` ignored).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["folded", "norm_key", "plain_words", "spaced_words"]

_NORM = re.compile(r"[\s_\-]+")
_WORDS = re.compile(r"[^\w]+")


def norm_key(text: str) -> str:
    """Case-, space-, `_`- and `-`-insensitive form of a key."""
    return _NORM.sub("", text).lower()


def spaced_words(text: str) -> str:
    """Punctuation and markdown emphasis gone, single spaces, case kept."""
    return " ".join(_WORDS.sub(" ", text.replace("_", " ")).split())


def plain_words(text: str) -> str:
    """Lower case, punctuation and markdown emphasis gone, single spaces: how enum keys are
    compared with what a model wrote around them."""
    return spaced_words(text).lower()


def folded(text: str) -> str:
    """`plain_words` with accents and other combining marks removed, case folded."""
    if text.isascii():
        return plain_words(text)
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain_words(bare).casefold()
