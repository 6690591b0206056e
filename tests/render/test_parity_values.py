"""How values print in a prompt, measured against baml-py 0.226.3: a missing value is `null`,
and `| tojson` writes minijinja's compact JSON (pretty with `indent`), class instances too."""

from __future__ import annotations

import vdsl
from vdsl.render import render_prompt

SOURCE = """
client<llm> C {
  provider vertex-ai
  options { model gemini-2.5-flash, location us-central1, project_id p }
}
class Item {
  name string
  qty int
  note string?
}
function Show(item: Item, o: string?, xs: int[], s: string) -> string {
  client C
  prompt #"
    {{ o }}|{{ none }}|{{ item.note }}
    {{ item | tojson }}
    {{ xs | tojson }} {{ s | tojson }}
    {{ item | tojson(indent=2) }}
  "#
}
"""


def _lines() -> list[str]:
    prompt = render_prompt(vdsl.loads(SOURCE), "Show", {
        "item": {"name": "Pen", "qty": 2, "note": None}, "o": None, "xs": [1, 2],
        "s": 'a "q" é <b>'})
    return prompt.messages[0].parts[0].text.split("\n")


def test_none_prints_as_null() -> None:
    assert _lines()[0] == "null|null|null"


def test_tojson_is_compact_and_takes_class_instances() -> None:
    assert _lines()[1] == '{"name":"Pen","qty":2,"note":null}'


def test_tojson_keeps_non_ascii_and_does_not_html_escape() -> None:
    assert _lines()[2] == '[1,2] "a \\"q\\" é <b>"'


def test_tojson_indent_is_pretty() -> None:
    assert _lines()[3:] == ["{", '  "name": "Pen",', '  "qty": 2,', '  "note": null', "}"]
