"""Structured output: `structured_output true` adds responseMimeType + responseJsonSchema
derived from the return type (every row of the mapping table), keeps the prompt's schema and
the parser, and says at compile time where a type does not map."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import vdsl
from vdsl.render.json_schema import UnsupportedSchema, json_schema
from vdsl.runtime import Runtime

Make = Callable[..., Runtime]

TYPES = """
enum Mood {
  HAPPY @alias("happy")
  SAD
  HIDDEN @skip
}
class Item {
  name string @description("What it is")
  price float
  count int?
  tags string[]
  extra map<string, int>
  mood Mood
  kind "book" | "pen"
  size 1 | 2
  flag true
  secret string? @skip
  label string @alias("Label")
}
class Node {
  value int
  next Node?
}
"""


def _schema(returns: str, extra: str = "") -> Any:
    project = vdsl.loads(TYPES + extra + f"""
function F(x: string) -> {returns} {{
  client "vertex-ai/gemini-2.5-flash"
  prompt #"{{{{ x }}}}"#
}}
""")
    return json_schema(project, project.function("F"))


@pytest.mark.parametrize("returns, expected", [
    ("string", None),
    ("int", {"type": "integer"}),
    ("float", {"type": "number"}),
    ("bool", {"type": "boolean"}),
    ("int[]", {"type": "array", "items": {"type": "integer"}}),
    ("map<string, float>", {"type": "object", "additionalProperties": {"type": "number"}}),
    ("int?", {"anyOf": [{"type": "integer"}, {"type": "null"}]}),
    ("int | string", {"anyOf": [{"type": "integer"}, {"type": "string"}]}),
    ("Mood", {"type": "string", "enum": ["happy", "SAD"]}),
    ('"a" | "b"', {"anyOf": [{"type": "string", "enum": ["a"]},
                             {"type": "string", "enum": ["b"]}]}),
])
def test_each_type_maps_as_documented(returns: str, expected: Any) -> None:
    assert _schema(returns) == expected


def test_a_class_maps_with_aliases_descriptions_required_and_order() -> None:
    schema = _schema("Item")
    assert schema["type"] == "object"
    assert list(schema["properties"]) == schema["propertyOrdering"] == [
        "name", "price", "count", "tags", "extra", "mood", "kind", "size", "flag", "Label"]
    assert schema["properties"]["name"] == {"type": "string", "description": "What it is"}
    assert schema["properties"]["count"] == {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    assert schema["properties"]["size"] == {"anyOf": [{"type": "integer", "enum": [1]},
                                                      {"type": "integer", "enum": [2]}]}
    assert schema["properties"]["flag"] == {"type": "boolean"}
    assert "count" not in schema["required"] and "Label" in schema["required"]
    assert "secret" not in schema["properties"]


@pytest.mark.parametrize("returns, extra, reason", [
    ("Node", "", "class `Node` is recursive"),
    ("Dyn", "class Dyn {\n  a int\n  @@dynamic\n}\n", "@@dynamic"),
])
def test_types_that_do_not_map_say_why(returns: str, extra: str, reason: str) -> None:
    with pytest.raises(UnsupportedSchema, match=reason):
        _schema(returns, extra)


SOURCE = """
class Answer {
  answer string
  confidence "high" | "low"
}
client<llm> S {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    structured_output true
    generation_config { temperature 0.1 }
  }
}
function Ask(q: string) -> Answer {
  client S
  prompt #"{{ q }} {{ ctx.output_format }}"#
}
function Plain(q: string) -> string {
  client S
  prompt #"{{ q }}"#
}
"""


def test_the_request_carries_the_schema_and_keeps_the_prompt_s(runtime_for: Make) -> None:
    rt = runtime_for(SOURCE)
    body = rt.build_request("Ask", {"q": "sure?"}).body
    config = body["generation_config"]
    assert config["temperature"] == 0.1 and config["responseMimeType"] == "application/json"
    assert config["responseJsonSchema"]["required"] == ["answer", "confidence"]
    assert "answer" in body["contents"][0]["parts"][0]["text"]  # ctx.output_format stays
    assert "generation_config" not in rt.build_request("Plain", {"q": "x"}).body or \
        "responseMimeType" not in rt.build_request("Plain", {"q": "x"}).body[
            "generation_config"]


def test_a_json_reply_parses_through_the_emulator(runtime_for: Make, emulator: Any) -> None:
    emulator.add_fixture({"json": {"answer": "yes", "confidence": "high"}}, prompt="sure?")
    result = runtime_for(SOURCE).complete("Ask", {"q": "sure?"})
    assert result.value.answer == "yes"
    assert emulator.requests[-1].body["generation_config"]["responseJsonSchema"]


def _check(tmp_path: Path, source: str) -> list[tuple[str, str]]:
    path = tmp_path / "main.vdsl"
    path.write_text(source)
    return [(d.code, d.message) for d in vdsl.check(path, use_cache=False)]


def test_check_warns_for_a_return_type_without_a_schema(tmp_path: Path) -> None:
    source = SOURCE + """
class Node {
  value int
  next Node?
}
function Walk(q: string) -> Node {
  client S
  prompt #"{{ q }} {{ ctx.output_format }}"#
}
"""
    found = [m for c, m in _check(tmp_path, source) if c == "structured-output-unsupported"]
    assert found == ["Walk is sent without a response schema: class `Node` is recursive"]


def test_check_refuses_a_second_response_schema(tmp_path: Path) -> None:
    source = SOURCE.replace("generation_config { temperature 0.1 }",
                            "generation_config { responseMimeType \"application/json\" }")
    assert "conflicting-options" in {c for c, _ in _check(tmp_path, source)}
