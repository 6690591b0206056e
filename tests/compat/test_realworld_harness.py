"""The real-world parity harness's own parts (no BAML needed, runs in CI, milliseconds): the
client rewrite, the argument generator and what the comparison forgives."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent / "realworld"))

import argsgen
import classify
import rewrite

import vdsl
from vdsl.render import render_prompt

PROJECT = '''
generator g {
  output_type "python/pydantic"
}
client<llm> Smart {
  provider openai
  options {
    model "gpt-4o"  // a comment with { braces
    api_key env.OPENAI_API_KEY
    allowed_roles ["user", "system", "tool"]
    default_role "tool"
  }
}
client<llm> Both {
  provider fallback
  options {
    strategy [Smart, "anthropic/claude-3-5-sonnet"]
  }
}
retry_policy Twice {
  max_retries 2
  strategy {
    type exponential_backoff
    mutliplier 1.5
  }
}
function Ask(q: string) -> string {
  client "openai/gpt-4o-mini"
  prompt #"
    client "not/a-client" stays: it is prompt text { }
    {{ q }}
  "#
}
'''


def test_mask_blanks_strings_comments_and_raw_strings_in_place() -> None:
    masked = rewrite.mask(PROJECT)
    assert len(masked) == len(PROJECT)
    assert "gpt-4o" not in masked and "braces" not in masked and "not/a-client" not in masked
    assert masked.count("\n") == PROJECT.count("\n")


def test_rewrite_points_clients_at_gemini_and_keeps_role_options() -> None:
    out = rewrite.rewrite_project({"main.baml": PROJECT})
    text = out["main.baml"]
    assert "provider openai" not in text and "generator g" not in text
    assert text.count("provider vertex-ai") == 1
    assert 'allowed_roles ["user", "system", "tool"]' in text and 'default_role "tool"' in text
    assert "api_key" not in text and "mutliplier" not in text
    assert "strategy [Smart, ParityShorthand]" in text
    assert "  client ParityShorthand\n" in text
    assert 'client "not/a-client" stays' in text
    assert "client<llm> ParityShorthand" in out["parity_clients.baml"]
    vdsl.loads(text + out["parity_clients.baml"], filename="main.baml")  # loads as is


@pytest.mark.parametrize(("baml", "mine", "forgiven"), [
    ('{\n    "a": 1,\n    "b": [\n        "x",\n    ],\n}', ('{\n    "b": [\n        "x",\n    ],\n'
     '    "a": 1,\n}'), True),
    ('{"y": 2, "x": {"q": 1, "p": 2}}', '{"x": {"p": 2, "q": 1}, "y": 2}', True),
    ('{\n    "time_allocation_mins": 1,\n}', '{\n    "timeAllocation": 1,\n}', False),
    ('{"a": 1, "b": 2}', '{"a": 2, "b": 1}', False),
    ('{"a": 1, "b": 2}', '{"b": 2,  "a": 1}', False),
    ("[1, 2]", "[2, 1]", False),
    ("{b} {a}", "{a} {b}", False),
])
def test_only_the_order_of_printed_entries_is_forgiven(baml: str, mine: str,
                                                       forgiven: bool) -> None:
    assert (classify.canonical(baml) == classify.canonical(mine)) is forgiven


def _request(text: str) -> dict[str, object]:
    return {"method": "POST", "url": "u", "headers": {},
            "body": {"contents": [{"role": "user", "parts": [{"text": text}]}]}}


def test_a_renamed_key_is_a_difference_even_when_baml_shuffles_the_order() -> None:
    baml = _request('{\n    "b": 1,\n    "time_allocation_mins": 2,\n}')
    baml["bodies"] = [baml["body"], _request('{\n    "time_allocation_mins": 2,\n    "b": 1,\n}'
                                             )["body"]]
    outcome, _diffs, _notes = classify.classify("", "F", baml, _request(
        '{\n    "timeAllocation": 2,\n    "b": 1,\n}'))
    assert outcome == "differs"


def test_vdsl_matching_another_baml_build_is_hash_order() -> None:
    first, second = _request("k1 then k2"), _request("k2 then k1")
    outcome, _diffs, _notes = classify.classify("", "F", {**first, "bodies": [
        first["body"], second["body"]]}, second)
    assert outcome == "hash-order"


def test_the_api_key_travelling_in_a_header_is_not_a_render_difference() -> None:
    baml, mine = _request("same prompt"), _request("same prompt")
    baml["url"] = "u?key=K"
    mine["headers"] = {"x-goog-api-key": "K"}
    outcome, _diffs, notes = classify.classify("", "F", baml, mine)
    assert (outcome, notes) == ("same", ["api_key_header"])
    other = _request("another prompt")
    other["headers"] = {"x-goog-api-key": "K"}
    assert classify.classify("", "F", {**baml}, other)[0] == "differs"


TYPES = '''
client<llm> G {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    project_id p
  }
}
enum Mood {
  HAPPY
  SAD @alias("down")
}
class Node {
  name string
  kids Node[]
  next Node?
  mood Mood?
  tags map<string, int>
  pick "a" | "b" | 3
  shot image?
}
type JsonValue = string | int | float | bool | null | JsonValue[] | map<string, JsonValue>
function Every(n: Node, j: JsonValue, doc: pdf, o: string?, u: int | Node | null,
               m: map<Mood, float[]>, flag: bool) -> string {
  client G
  prompt #"{{ n }} {{ j }} {{ o }} {{ u }} {{ m }} {{ flag }} {{ doc }}"#
}
'''


@pytest.mark.parametrize("variant", argsgen.VARIANTS)
def test_generated_arguments_bind_and_render(variant: str) -> None:
    project = vdsl.loads(TYPES)
    args = argsgen.arguments(project, project.function("Every"), variant)
    assert set(args) >= {"n", "j", "doc", "m", "flag"}  # a recursive alias is required
    if variant == "omit":
        assert "o" not in args and "u" not in args
    if variant == "null":
        assert args["o"] is None and args["n"]["kids"] == []
    values = {k: v for k, v in args.items() if k != "doc"}
    values["doc"] = {"base64": "JVBERg==", "media_type": "application/pdf"}
    render_prompt(project, "Every", _plain_media(values))


def _plain_media(value: object) -> object:
    """The cases' `{"$media": …}` objects as render_prompt's `{url|base64, media_type}`."""
    if isinstance(value, dict):
        if "$media" in value:
            return {k: v for k, v in value.items() if k != "$media"}
        return {k: _plain_media(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_media(v) for v in value]
    return value
