"""The lossless rule as a property: a value of a random schema, written as a model would
write it (prose, fences, comments, trailing or missing commas, single quotes, unquoted keys
and values, raw quotes and new lines inside strings, grouped and currency numbers, enum
aliases without their accents, Python literals …), parses back to exactly that value — or
fails with `OutputParseError`. Never to a different value.

`python bench/parse.py --roundtrip 20000` runs the same property on many more examples.
"""

from __future__ import annotations

import functools
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from messy import Style, make_schema, make_value, render, type_text

from vdsl.errors import OutputParseError


@functools.lru_cache(maxsize=256)
def _project(source: str) -> Any:
    import vdsl

    return vdsl.loads(source)


def round_trip(rng: random.Random) -> tuple[str, Any, Any]:
    """(reply, value, parsed value or the OutputParseError)."""
    from vdsl.outputs import parse_output, to_plain

    schema, top = make_schema(rng)
    value = make_value(rng, schema, top)
    text = render(rng, schema, top, value, Style.draw(rng))
    source = schema.source() + (f'function Target(x: string) -> {type_text(top)} {{\n'
                                '  client "vertex-ai/gemini-2.5-flash"\n'
                                '  prompt #"{{ x }}"#\n}\n')
    try:
        return text, value, to_plain(parse_output(_project(source), "Target", text))
    except OutputParseError as exc:
        return text, value, exc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_a_messy_reply_parses_to_its_value_or_fails(rng: random.Random) -> None:
    text, value, parsed = round_trip(rng)
    if isinstance(parsed, OutputParseError):
        assert "internal" not in parsed.reason, parsed
        return
    assert parsed == value, f"reply:\n{text}"


def test_most_messy_replies_parse() -> None:
    """Failing is allowed, but must stay the exception: the repairs are the point."""
    results = [round_trip(random.Random(seed)) for seed in range(200)]
    exact = sum(1 for _text, value, parsed in results if parsed == value)
    assert exact >= 190, [(t, str(p)) for t, v, p in results if p != v][:3]
