"""`vdsl check` on the platform options: each mistake at its file:line, with a stable code."""

from __future__ import annotations

from pathlib import Path

import pytest

import vdsl

TEMPLATE = """
client<llm> C {
  provider vertex-ai
  options {
    model %(model)s
    location us-central1
    %(option)s
  }
}
function F(q: string) -> string {
  client C
  prompt #"{{ q }}"#
}
"""
OPTION_LINE = 7


def _found(tmp_path: Path, option: str, model: str = "gemini-2.5-flash"
           ) -> list[tuple[str, int, str]]:
    path = tmp_path / "main.vdsl"
    path.write_text(TEMPLATE % {"model": model, "option": option})
    return [(d.code, d.span.line, d.message) for d in vdsl.check(path, use_cache=False)
            if d.span is not None]


@pytest.mark.parametrize("option, model, code, text", [
    ('cached_content "123"', '"claude-sonnet-4-5@20250929"', "feature-unsupported",
     "is a Claude model"),
    ("cached_content env.CACHE", "meta/llama-3.3-70b-instruct-maas", "feature-unsupported",
     "is an OpenAI-compatible model"),
    ('cached_content "projects/p/cachedContents"', "gemini-2.5-flash", "invalid-option",
     "must name a context cache"),
    ("grounding google_search", '"claude-sonnet-4-5@20250929"', "feature-unsupported",
     "grounding"),
    ("grounding bing", "gemini-2.5-flash", "invalid-option", "`grounding` must be"),
    ("grounding { google_serch true }", "gemini-2.5-flash", "unknown-field",
     "unknown grounding source"),
    ('grounding { vertex_ai_search "datastores/x" }', "gemini-2.5-flash", "invalid-option",
     "not a Vertex AI Search data store"),
    ("structured_output yes", "gemini-2.5-flash", "invalid-option", "true or false"),
    ("structured_output true", "mistral-large-2411", "feature-unsupported",
     "structured output"),
    ("max_input_tokens 0", "gemini-2.5-flash", "invalid-option", "whole number above 0"),
    ("max_input_tokens 1.5", "gemini-2.5-flash", "invalid-option", "whole number above 0"),
    ("max_input_tokens 5000000", "gemini-2.5-flash", "invalid-option", "1048576 tokens"),
])
def test_platform_option_mistakes(tmp_path: Path, option: str, model: str, code: str,
                                  text: str) -> None:
    found = [(c, line, m) for c, line, m in _found(tmp_path, option, model) if c == code]
    assert found and found[0][1] == OPTION_LINE and text in found[0][2], found


@pytest.mark.parametrize("option", [
    'cached_content "projects/p/locations/us-central1/cachedContents/123"',
    'cached_content "123"', "cached_content env.CACHE", "grounding google_search",
    ('grounding { google_search true, vertex_ai_search ["projects/p/locations/global/'
     'collections/default_collection/dataStores/d"] }'), "structured_output true",
    "max_input_tokens 100000"])
def test_good_platform_options_are_quiet(tmp_path: Path, option: str) -> None:
    assert _found(tmp_path, option) == []


def test_a_budget_over_the_window_is_only_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "main.vdsl"
    path.write_text(TEMPLATE % {"model": "gemini-2.5-flash",
                                "option": "max_input_tokens 5000000"})
    (diag,) = vdsl.check(path, use_cache=False)
    assert not diag.is_error
    vdsl.load(path)


def test_a_cache_on_the_global_endpoint_is_warned_about(tmp_path: Path) -> None:
    path = tmp_path / "main.vdsl"
    path.write_text((TEMPLATE % {"model": "gemini-2.5-flash", "option": 'cached_content "1"'})
                    .replace("location us-central1", "location global"))
    (diag,) = vdsl.check(path, use_cache=False)
    assert diag.code == "feature-unsupported" and not diag.is_error
    assert "global endpoint" in diag.message
