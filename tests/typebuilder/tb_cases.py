"""The project the TypeBuilder tests extend (the same one the BAML parity case uses), and
a helper that renders `ctx.output_format` for a function as a call would see it."""

from __future__ import annotations

import vdsl
from vdsl.project import Project
from vdsl.render.output_format import render_output_format
from vdsl.render.schema import Schema
from vdsl.typebuilder import TypeBuilder, extend
from vdsl.typebuilder.compile import compile_builder

SOURCE = """
client<llm> Gem {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    project_id p
  }
}

class Resume {
  name string
  skills string[]
  @@dynamic
}

enum Category {
  A
  B
  @@dynamic
}

class Static {
  x int
}

enum Color {
  RED
  GREEN
}

function Extract(text: string) -> Resume {
  client Gem
  prompt #"{{ text }} {{ ctx.output_format }}"#
}

function Classify(text: string) -> Category {
  client Gem
  prompt #"{{ text }} {{ ctx.output_format }}"#
}
"""


def project(extra: str = "") -> Project:
    return vdsl.loads(SOURCE + extra)


def output_format(base: Project, tb: TypeBuilder | None, function: str = "Extract") -> str:
    seen = extend(base, compile_builder(tb, base)) if tb is not None else base
    fn = seen.function(function)
    assert fn.return_type is not None
    return render_output_format(Schema(seen), fn.return_type)
