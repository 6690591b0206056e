"""A function returning bare `null`: BAML's prompt asks for null the way it does for a union
with no other member (measured against baml-py 0.226.3)."""

from __future__ import annotations

import vdsl
from vdsl.render import render_prompt

SOURCE = """
client<llm> C {
  provider vertex-ai
  options { model gemini-2.5-flash, location us-central1, project_id p }
}
function Nothing() -> null {
  client C
  prompt #"{{ ctx.output_format }}"#
}
function NothingNoPrefix() -> null {
  client C
  prompt #"[{{ ctx.output_format(prefix=null) }}]"#
}
"""


def _text(fn: str) -> str:
    prompt = render_prompt(vdsl.loads(SOURCE), fn, {})
    return prompt.messages[0].parts[0].text


def test_bare_null_return_asks_only_for_null() -> None:
    assert _text("Nothing") == "Answer ONLY with null:\nnull"


def test_bare_null_without_prefix_is_just_the_type() -> None:
    assert _text("NothingNoPrefix") == "[null]"
