"""Where vdsl parses differently from BAML (baml-py 0.226.3) on purpose: one example each.

`test_out_baml_differences.py` checks vdsl's side of every row (always); the compat suite
(`tests/compat/test_baml_parse_parity.py`) checks, where baml-py is installed, that BAML
really does something else on the same reply, and that the differential run over generated
replies finds no disagreement outside these names. docs/parsing.md ("Deliberate differences
from BAML") explains each, under the same name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SCHEMA = '''
enum Tone {
  FRIENDLY @alias("warm")
  COLD
}

class Card {
  title string
  stars int @alias("rating")
  tone Tone?
}

class Note {
  text string
  n int?
}

class Pair {
  a string
  b string
}

class Only {
  tags string[]
}

class Loose {
  a string?
  b int?
}

class Counter {
  n int @stream.with_state
}

class Reading {
  value float
}

class Named {
  name string @alias("Full Name")
}

class Doc {
  meta JsonValue
}

type JsonValue = int | float | bool | string | null | JsonValue[] | map<string, JsonValue>
'''


@dataclass(frozen=True)
class Difference:
    name: str
    target: str
    reply: str
    partial: bool = False
    value: Any = None
    error: str | None = None
    """A part of vdsl's `OutputParseError` reason, when vdsl refuses the reply."""


DIFFERENCES = [
    # ---- reading the reply -----------------------------------------------------------------
    Difference("declared names alongside aliases", "Card",
               '{"title": "x", "stars": 4, "tone": "FRIENDLY"}',
               value={"title": "x", "stars": 4, "tone": "FRIENDLY"}),
    Difference("enum values by case, alias or without accents", "Card",
               '{"title": "x", "rating": 4, "tone": "friendly"}',
               value={"title": "x", "stars": 4, "tone": "FRIENDLY"}),
    Difference("keys in another case or spacing", "Named", '{"full_name": "Ada"}',
               value={"name": "Ada"}),
    Difference("trailing commas", "Loose", "{'a': null,}", value={"a": None, "b": None}),
    Difference("Python literals", "Note", '{"text": None}', error="found null, not a string"),
    Difference("escapes in single-quoted strings", "Note", "{'text': 'tab\\there'}",
               value={"text": "tab\there", "n": None}),
    Difference("strings holding brackets, quotes or backslashes", "Note",
               'Answer: {"text": "}x"} Let me know!', value={"text": "}x", "n": None}),
    Difference("comments between values", "Note", '{"text": "a \\" b", /* c */ "n": 1}',
               value={"text": 'a " b', "n": 1}),
    Difference("missing commas between fields", "Pair", '{\n  "a": "x"\n  "b": "y"\n}',
               value={"a": "x", "b": "y"}),
    Difference("unquoted values with commas or spaces", "Note",
               "{text: A corridor\n  at night\n n: 3}",
               value={"text": "A corridor\n  at night", "n": 3}),
    Difference("recursive type aliases in classes", "Doc", '{"meta": {"a": [1, {"b": null}]}}',
               value={"meta": {"a": [1, {"b": None}]}}),
    Difference("yes and no are booleans", "bool", "yes", value=True),
    # ---- numbers ---------------------------------------------------------------------------
    Difference("numbers with a scale", "float", "1.2k", value=1200.0),
    Difference("a decimal comma", "float", "1,5", value=1.5),
    Difference("numbers that are not wholly numbers", "float", "45.10-",
               error="not a number"),
    Difference("numbers too large for a float", "float", "1e400",
               error="too large for a float"),
    # ---- nothing dropped -------------------------------------------------------------------
    Difference("list items that fit nowhere", "int[]", '[1, "two", 3]',
               error="at `[1]`: found 'two', not a number"),
    Difference("several values where one is expected", "int", "[7, 8]",
               error="found an array of 2 values where one int is expected"),
    Difference("optional values that do not fit", "Card",
               '{"title": "x", "rating": 4, "tone": "LUKEWARM"}',
               error="at `tone`: found 'LUKEWARM', which fits none of Tone?"),
    # ---- streaming ------------------------------------------------------------------------
    Difference("a class streams with its shape before any JSON", "Only",
               "Sure! Here are the", partial=True, value={"tags": []}),
    Difference("no list item made up from prose", "Loose[]", "Sure! Here are", partial=True,
               value=[]),
    Difference("a number followed by a space is complete", "int[]", "[1, 2 ", partial=True,
               value=[1, 2]),
    Difference("partials hold everything that has arrived", "Card",
               '{"title": "x", "stars": 4, "tone": "FRIENDLY", "ti', partial=True,
               value={"title": "x", "stars": 4, "tone": "FRIENDLY"}),
    Difference("stream state of a complete value", "Counter", '{"n": 3, ', partial=True,
               value={"n": {"value": 3, "state": "Complete"}}),
]
