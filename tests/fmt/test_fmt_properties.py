"""Formatting is idempotent and meaning-preserving, for any layout of a valid project."""

from __future__ import annotations

import re

from fmt_helpers import ir_of, prompts_of
from fmt_sources import layout_source
from hypothesis import HealthCheck, given, settings

from vdsl.fmt import format_text

SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]


@settings(max_examples=100, deadline=None, suppress_health_check=SLOW_OK)
@given(layout_source())
def test_format_is_idempotent_and_keeps_the_ir_and_every_prompt(source: str) -> None:
    formatted = format_text(source)
    assert format_text(formatted) == formatted
    assert ir_of(formatted) == ir_of(source)
    assert prompts_of(formatted) == prompts_of(source)


@settings(max_examples=50, deadline=None, suppress_health_check=SLOW_OK)
@given(layout_source())
def test_formatted_text_is_canonical_whitespace(source: str) -> None:
    """No trailing spaces, tabs or odd indentation outside what is kept as written (raw
    strings, block comments); one final newline; never two blank lines in a row."""
    formatted = format_text(source)
    assert formatted.endswith("\n") and not formatted.endswith("\n\n")
    outside = re.sub(r'(#{1,5})"[\s\S]*?"\1|\{//[\s\S]*?//\}', "KEPT", formatted)
    assert "\n\n\n" not in outside
    for line in outside.split("\n"):
        assert line == line.rstrip()
        indent = len(line) - len(line.lstrip(" "))
        assert not line[indent:].startswith("\t") and indent % 2 == 0
