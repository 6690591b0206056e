"""`firstchars.py`: a terminal is never left out where it could match. For every terminal of the
grammar's lexers and for assorted constructs, every string the expression matches (hypothesis
draws them from the expression itself) starts with a character the analysis allows; and the
analysis is not vacuous (a literal start gives one character, not all)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vdsl.compiler import cache_dir
from vdsl.syntax import parser, tables
from vdsl.syntax.firstchars import ASCII, first_chars

GRAMMAR_TERMINALS = sorted({(source, flags)
                            for config in tables.load(parser.grammar_text(), cache_dir(),
                                                      ("DOC_COMMENT",))["lexers"]
                            for _name, source, flags in config[0]})
CONSTRUCTS = [r"a?b", r"(?:x|y)*z", r"[^\"\\]+", r"\d+\.?", r"(?>ab|a)c", r"(?=q)qr",
              r"(?!x)[a-z]", r"[é-ü]x", r"[^a-z]", r"(?:)?k", r"\w+", r"^\s*#", r"x*?y",
              r"(?i:ab)", r"[\d_]+"]


def _allows(pattern: str, flags: int, text: str) -> bool:
    chars, other = first_chars(pattern, flags)
    return (text[0] in chars) if text[0] in ASCII else other


@pytest.mark.parametrize(("source", "flags"), GRAMMAR_TERMINALS + [(c, 0) for c in CONSTRUCTS])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_match_starts_with_an_allowed_character(source, flags, data) -> None:
    text = data.draw(st.from_regex(re.compile(source, flags)).filter(bool))
    found = re.compile(source, flags).match(text)
    if found and found.group(0):  # the match, not what from_regex put around it
        assert _allows(source, flags, found.group(0))


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"client(<[^>\n]*>)?", {"c"}), (r"a?b", {"a", "b"}), (r"(?:x|y)*z", {"x", "y", "z"}),
    (r"(?!x)[a-z]", set("abcdefghijklmnopqrstuvwxyz")), (r"[ \t]+", {" ", "\t"}),
])
def test_a_known_start_is_narrow(pattern, expected) -> None:
    assert first_chars(pattern, 0) == (frozenset(expected), False)


@pytest.mark.parametrize("pattern", [r"x?", r"(?i)a", r"\w", r"(a?)\1b"])
def test_what_it_cannot_narrow_starts_with_anything(pattern) -> None:
    assert first_chars(pattern, 0) == (ASCII, True)
