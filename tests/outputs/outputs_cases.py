"""Shared schema and helpers for the output-parser tests: every table row names a target type
written in vdsl syntax, and is parsed against a project that declares it as a return type."""

from __future__ import annotations

import functools
from typing import Any

SCHEMA = '''
enum Sentiment {
  POSITIVE
  NEGATIVE @description("Bad vibes")
  NEUTRAL @alias("meh")
}

enum Color {
  RED
  GREEN @alias("verde") @description("the green one")
  BLUE @skip
}

enum Priority {
  LOW
  MEDIUM
  HIGH
  VERY_HIGH @alias("very high")
}

class Address {
  street string
  city string
  zip int?
}

class Person {
  name string
  age int
  rating float @alias(score)
  mood Sentiment?
  tags string[]
  address Address?
}

class Item {
  sku string
  qty int
}

class Cat {
  name string
  meows bool?
}

class Dog {
  name string
  barks bool?
}

class Tree {
  value int
  children Tree[]
}

class Note {
  title string @alias("Title Text")
  body string?
}

class Reserved {
  json string
  copy int?
}

type Json = int | float | bool | string | null | Json[] | map<string, Json>
type Id = string
type Ids = Id[]
type Status = "open" | "closed"
'''


@functools.cache
def project_for(target: str, schema: str = SCHEMA) -> Any:
    import vdsl

    return vdsl.loads(schema + f'''
function Target() -> {target} {{
  client "vertex-ai/gemini-2.5-flash"
  prompt #"Answer. {{{{ ctx.output_format }}}}"#
}}
''')


def parse(target: str, text: str, partial: bool = False, schema: str = SCHEMA) -> Any:
    """The parsed value, as plain JSON-ready data."""
    from vdsl.outputs import parse_output, to_plain

    return to_plain(parse_output(project_for(target, schema), "Target", text, partial))


def parse_raw(target: str, text: str, partial: bool = False, schema: str = SCHEMA) -> Any:
    """The parsed value as the parser returns it (models, enum members …)."""
    from vdsl.outputs import parse_output

    return parse_output(project_for(target, schema), "Target", text, partial)
